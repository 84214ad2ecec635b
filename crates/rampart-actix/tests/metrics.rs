//! Counters and spans (issue 16, item 4), through both seed apps over real
//! TCP on 127.0.0.1, read back from their `/metrics` endpoint.
//!
//! The `metrics` recorder and the tracing subscriber are process-wide, so this
//! binary holds one test, which drives the apps one after the other and
//! asserts each app's exact increments.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use regex::Regex;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tracing_subscriber::layer::SubscriberExt;

use rampart_seed::axum_app;
use rampart_seed::testing::{cookie_pair, spawn_both};

const KEY: [u8; 32] = [0x3c; 32];

/// Every `rampart_*` counter line (`name{labels} value`) in Prometheus text.
fn series(text: &str) -> BTreeMap<String, u64> {
    text.lines()
        .filter(|l| l.starts_with("rampart_"))
        .filter_map(|l| {
            let (k, v) = l.rsplit_once(' ')?;
            Some((k.to_owned(), v.trim().parse().ok()?))
        })
        .collect()
}

async fn metrics(client: &reqwest::Client, addr: SocketAddr) -> String {
    let res = client
        .get(format!("http://{addr}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    res.text().await.unwrap()
}

/// A fresh secret cookie and a masked token from the login page.
async fn credentials(client: &reqwest::Client, addr: SocketAddr) -> (String, String) {
    static TOKEN: OnceLock<Regex> = OnceLock::new();
    let re = TOKEN.get_or_init(|| Regex::new(r#"name="_csrf_token" value="([^"]+)""#).unwrap());
    let res = client
        .get(format!("http://{addr}/login"))
        .send()
        .await
        .unwrap();
    let cookie = cookie_pair(res.headers()["set-cookie"].to_str().unwrap());
    let body = res.text().await.unwrap();
    (cookie, re.captures(&body).unwrap()[1].to_string())
}

async fn login(
    client: &reqwest::Client,
    addr: SocketAddr,
    headers: &[(&str, &str)],
    body: String,
) -> u16 {
    let mut req = client
        .post(format!("http://{addr}/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap().status().as_u16()
}

/// A WebSocket handshake over raw TCP; the status of the answer.
async fn handshake(addr: SocketAddr, origin: &str) -> u16 {
    let req = format!(
        "GET /ws HTTP/1.1\r\nhost: {addr}\r\nupgrade: websocket\r\nconnection: Upgrade\r\n\
         sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\n\
         origin: {origin}\r\n\r\n"
    );
    raw_status(addr, &req).await
}

/// Sends `req` over raw TCP; the status of the answer.
async fn raw_status(addr: SocketAddr, req: &str) -> u16 {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(req.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 2048];
    let n = tokio::time::timeout(Duration::from_secs(10), s.read(&mut buf))
        .await
        .unwrap()
        .unwrap();
    String::from_utf8_lossy(&buf[..n])
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

async fn report(client: &reqwest::Client, addr: SocketAddr, body: &'static str) -> u16 {
    client
        .post(format!("http://{addr}/csp-report"))
        .header("content-type", "application/csp-report")
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// The spans rampart opened (names, with their fields), from every thread.
#[derive(Clone, Default)]
struct Spans(Arc<Mutex<BTreeSet<String>>>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Spans {
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        _: &tracing::span::Id,
        _: tracing_subscriber::layer::Context<'_, S>,
    ) {
        struct Fields(String);
        impl tracing::field::Visit for Fields {
            fn record_debug(&mut self, f: &tracing::field::Field, v: &dyn std::fmt::Debug) {
                self.0.push_str(&format!(" {}={v:?}", f.name()));
            }
        }
        if attrs.metadata().target().starts_with("rampart") {
            let mut fields = Fields(String::new());
            attrs.record(&mut fields);
            let name = attrs.metadata().name();
            self.0.lock().unwrap().insert(format!("{name}{}", fields.0));
        }
    }
}

const VALID_REPORT: &str = r#"{"csp-report":{"document-uri":"http://localhost/","violated-directive":"script-src-elem","effective-directive":"script-src-elem","blocked-uri":"inline","original-policy":"script-src 'self'","disposition":"enforce"}}"#;

/// Each seed app counts a token pass, each refusal by reason, both kinds of
/// disagreement, a handshake passed by `Origin` and the CSP reports; the
/// layers' spans cover the header work, the CSRF check, the body check and the
/// report.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_seed_apps_count_decisions_and_open_spans() {
    let spans = Spans::default();
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(spans.clone()))
        .unwrap();

    let cfg = || axum_app::SeedConfig {
        csrf_key: Some(KEY.to_vec()),
        csp_report_uri: Some("/csp-report".into()),
        allowed_hosts: vec![],
        config_file: None,
    };
    let (apps, _handle) = spawn_both(cfg).await.unwrap();
    let client = reqwest::Client::new();

    for (name, addr) in apps {
        let before = metrics(&client, addr).await;
        let form = |token: &str| format!("username=ada&password=pw&_csrf_token={token}");

        // Passed by its token, Fetch Metadata agreeing.
        let (cookie, token) = credentials(&client, addr).await;
        let same_origin = [
            ("cookie", cookie.as_str()),
            ("sec-fetch-site", "same-origin"),
        ];
        assert_eq!(login(&client, addr, &same_origin, form(&token)).await, 200);

        // Cross-site, with a valid header token: refused, and a disagreement.
        let (cookie, token) = credentials(&client, addr).await;
        let cross = [
            ("cookie", cookie.as_str()),
            ("sec-fetch-site", "cross-site"),
            ("x-csrftoken", token.as_str()),
        ];
        assert_eq!(login(&client, addr, &cross, String::new()).await, 403);

        // Same-origin by Fetch Metadata, a forged body token: refused, and the other disagreement.
        let same_origin = [
            ("cookie", cookie.as_str()),
            ("sec-fetch-site", "same-origin"),
        ];
        assert_eq!(
            login(&client, addr, &same_origin, form("forged")).await,
            403
        );

        // No browser headers at all, no token: refused, nothing vouched, no disagreement.
        let bare = [("cookie", cookie.as_str())];
        assert_eq!(
            login(&client, addr, &bare, "username=ada".into()).await,
            403
        );

        // The app's own page opens a WebSocket: passed by Origin.
        assert_eq!(handshake(addr, &format!("http://{addr}")).await, 101);
        assert_eq!(handshake(addr, "https://evil.example").await, 403);

        assert_eq!(report(&client, addr, VALID_REPORT).await, 204);
        assert_eq!(report(&client, addr, "not json").await, 400);

        let after = metrics(&client, addr).await;
        // Every rampart series that moved, and by how much: an extra count
        // anywhere (a double count) fails as surely as a missing one.
        let moved: BTreeMap<String, u64> = series(&after)
            .into_iter()
            .filter_map(|(k, v)| {
                let was = series(&before).get(&k).copied().unwrap_or(0);
                (v != was).then(|| (k, v - was))
            })
            .collect();
        let expect: BTreeMap<String, u64> = [
            r#"rampart_csrf_passed_total{by="token"}"#,
            r#"rampart_csrf_passed_total{by="origin"}"#,
            r#"rampart_csrf_refused_total{reason="cross-origin"}"#,
            r#"rampart_csrf_refused_total{reason="bad-token"}"#,
            r#"rampart_csrf_refused_total{reason="missing-token"}"#,
            r#"rampart_csrf_refused_total{reason="origin-mismatch"}"#,
            r#"rampart_csrf_disagreements_total{kind="headers-refused-token-valid",reason="cross-origin"}"#,
            r#"rampart_csrf_disagreements_total{kind="headers-passed-token-refused",reason="bad-token"}"#,
            r#"rampart_csp_reports_total{outcome="accepted"}"#,
            r#"rampart_csp_report_bodies_total{outcome="malformed"}"#,
        ]
        .into_iter()
        .map(|k| (k.to_owned(), 1))
        .collect();
        assert_eq!(moved, expect, "{name}:\n{after}");
        assert!(
            after.contains("# HELP rampart_csrf_refused_total "),
            "{after}"
        );

        // Only a local client, straight and under a loopback name, reads them.
        for (host, extra) in [
            ("evil.example".to_owned(), ""),
            (addr.to_string(), "x-forwarded-for: 203.0.113.9\r\n"),
        ] {
            let req = format!(
                "GET /metrics HTTP/1.1\r\nhost: {host}\r\n{extra}connection: close\r\n\r\n"
            );
            // Another host name is first sent to https by the header layer (301).
            let status = raw_status(addr, &req).await;
            assert!(
                matches!(status, 301 | 403),
                "{name} {host} {extra}: {status}"
            );
        }
    }

    let seen = spans.0.lock().unwrap().clone();
    for wanted in [
        r#"rampart.headers method="POST" path="/login""#,
        "rampart.headers.response",
        r#"rampart.csrf method="POST" path="/login""#,
        r#"rampart.csrf.body method="POST" path="/login" bytes=43"#,
        "rampart.csp.report bytes=8",
    ] {
        assert!(seen.contains(wanted), "no span {wanted}: {seen:#?}");
    }
}
