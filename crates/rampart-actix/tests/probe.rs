//! The outside attack probe's findings (issue 13), replayed against both seed
//! apps as deployed: on 127.0.0.1, where the test client is the trusted
//! loopback proxy, over raw TCP so every byte of the request is the
//! attacker's choice. Each case is a request that showed a weakness; each
//! assertion is the answer it must get now, on axum and on actix-web alike.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use rampart_seed::axum_app;

use rampart_seed::actix_app;

const KEY: [u8; 32] = [0x3c; 32];

/// One running seed app and what it observed.
struct App {
    name: &'static str,
    addr: SocketAddr,
    item_writes: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    reports: Box<dyn Fn() -> Vec<rampart::core::csp::CspReport> + Send + Sync>,
}

async fn start_both(allowed: &[&str], report_uri: Option<&str>) -> [App; 2] {
    let key = KEY.to_vec();
    let hosts: Vec<String> = allowed.iter().map(|h| h.to_string()).collect();
    let axum_seed = axum_app::build(axum_app::SeedConfig {
        csrf_key: Some(key.clone()),
        csp_report_uri: report_uri.map(str::to_owned),
        allowed_hosts: hosts.clone(),
        config_file: None,
    })
    .unwrap();
    let axum_reports = axum_seed.state.reports.clone();
    let axum_writes = axum_seed.state.item_writes.clone();
    let axum_addr = axum_seed.spawn_on_loopback().await.unwrap();

    let actix_seed = actix_app::build(actix_app::SeedConfig {
        csrf_key: Some(key),
        csp_report_uri: report_uri.map(str::to_owned),
        allowed_hosts: hosts,
        config_file: None,
    })
    .unwrap();
    let actix_writes = actix_seed.state.item_writes.clone();
    let actix_reports = actix_seed.state.reports.clone();
    let (actix_addr, _handle) = actix_seed.spawn_on_loopback().unwrap();
    [
        App {
            name: "axum",
            addr: axum_addr,
            item_writes: axum_writes,
            reports: Box::new(move || axum_reports.lock().unwrap().iter().cloned().collect()),
        },
        App {
            name: "actix",
            addr: actix_addr,
            item_writes: actix_writes,
            reports: Box::new(move || actix_reports.lock().unwrap().iter().cloned().collect()),
        },
    ]
}

/// A response as the client saw it.
#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// Sends raw request bytes (the request asks for `Connection: close`) and
/// reads the whole answer.
async fn raw(addr: SocketAddr, request: &[u8]) -> Reply {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(request).await.unwrap();
    read_reply(&mut s).await
}

async fn read_reply(s: &mut TcpStream) -> Reply {
    let mut buf = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), s.read_to_end(&mut buf))
        .await
        .expect("the server answers and closes")
        .unwrap();
    let text = String::from_utf8_lossy(&buf).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Reply {
        status,
        headers,
        body: body.to_owned(),
    }
}

fn get(path: &str, headers: &[(&str, &str)]) -> Vec<u8> {
    request("GET", path, headers, b"")
}

fn request(method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut r = format!("{method} {path} HTTP/1.1\r\nconnection: close\r\n");
    for (n, v) in headers {
        r.push_str(&format!("{n}: {v}\r\n"));
    }
    if !body.is_empty() || method != "GET" {
        r.push_str(&format!("content-length: {}\r\n", body.len()));
    }
    r.push_str("\r\n");
    let mut r = r.into_bytes();
    r.extend_from_slice(body);
    r
}

/// The plain-http CSRF cookie and a masked token from the login form.
async fn credentials(app: &App) -> (String, String) {
    let host = app.addr.to_string();
    let res = raw(app.addr, &get("/login", &[("host", &host)])).await;
    assert_eq!(res.status, 200, "{}", app.name);
    let cookie = res
        .all("set-cookie")
        .into_iter()
        .find(|c| c.starts_with("csrf="))
        .and_then(|c| c.split(';').next())
        .expect("the CSRF cookie")
        .to_owned();
    let token = res
        .body
        .split("name=\"_csrf_token\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("the form's token")
        .to_owned();
    (cookie, token)
}

/// Item 1: nginx sets X-Forwarded-Proto and passes the client's own
/// `Forwarded` header through. Only the X-Forwarded-* headers the seed apps say
/// their proxy writes are read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_forwarded_header_does_not_override_the_proxy() {
    for app in start_both(&[], None).await {
        let n = app.name;
        let through_proxy = |forwarded: &'static str| {
            get(
                "/login",
                &[
                    ("host", "shop.example"),
                    ("x-forwarded-proto", "https"),
                    ("forwarded", forwarded),
                ],
            )
        };
        // Was a 301 to the same https URL: a redirect loop.
        let res = raw(app.addr, &through_proxy("for=198.51.100.7")).await;
        assert_eq!(res.status, 200, "{n}: {res:?}");
        // Was `301 Location: https://evil.example/login`.
        let res = raw(app.addr, &through_proxy("proto=http;host=evil.example")).await;
        assert_eq!((res.status, res.header("location")), (200, None), "{n}");
        // Was a page without HSTS and a cookie without Secure or __Host-.
        let res = raw(app.addr, &through_proxy("host=localhost;proto=http")).await;
        assert_eq!(res.status, 200, "{n}");
        assert_eq!(
            res.header("strict-transport-security"),
            Some("max-age=31536000; includeSubDomains"),
            "{n}"
        );
        let cookie = res.header("set-cookie").expect("a CSRF cookie");
        assert!(
            cookie.starts_with("__Host-csrf=") && cookie.contains("; Secure"),
            "{n}: {cookie}"
        );
    }
}

/// Item 2: the redirect goes only to listed hosts, and only ever writes a
/// valid host into `Location`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_https_redirect_never_sends_a_client_to_a_host_it_named() {
    for app in start_both(&["shop.example"], None).await {
        let n = app.name;
        let res = raw(app.addr, &get("/login", &[("host", "shop.example")])).await;
        assert_eq!(
            (res.status, res.header("location")),
            (301, Some("https://shop.example/login")),
            "{n}"
        );
        // Was `301 https://evil.example/login`.
        let res = raw(app.addr, &get("/login", &[("host", "evil.example")])).await;
        assert_eq!((res.status, res.header("location")), (400, None), "{n}");
        // A client's X-Forwarded-Host that the proxy passes through.
        let res = raw(
            app.addr,
            &get(
                "/login",
                &[
                    ("host", "shop.example"),
                    ("x-forwarded-host", "evil.example"),
                ],
            ),
        )
        .await;
        assert_eq!((res.status, res.header("location")), (400, None), "{n}");
        // A forwarded host naming this machine is not believed (nor replaced
        // by the request's Host): no plain-http page, no redirect, a 400.
        let res = raw(
            app.addr,
            &get(
                "/login",
                &[("host", "shop.example"), ("x-forwarded-host", "localhost")],
            ),
        )
        .await;
        assert_eq!((res.status, res.header("location")), (400, None), "{n}");
    }
    // Without a list, any valid host, but never one with `;` or `'` in it.
    for app in start_both(&[], None).await {
        let n = app.name;
        for bad in ["evil.example;", "evil.example'"] {
            let res = raw(app.addr, &get("/login", &[("host", bad)])).await;
            assert_eq!(
                (res.status, res.header("location")),
                (400, None),
                "{n}: {bad}"
            );
        }
        let res = raw(app.addr, &get("/login", &[("host", "other.example:8080")])).await;
        assert_eq!(
            res.header("location"),
            Some("https://other.example/login"),
            "{n}"
        );
    }
}

/// Item 3: pages with a nonce or a masked token are not for shared caches;
/// other responses keep what they had.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_with_a_nonce_or_token_are_not_cached() {
    for app in start_both(&[], None).await {
        let n = app.name;
        let host = app.addr.to_string();
        for (path, cc) in [
            ("/", Some("private, no-store")),      // nonce and token
            ("/login", Some("private, no-store")), // token only
            ("/static/js/script.js", None),
            ("/health", None),
        ] {
            let res = raw(app.addr, &get(path, &[("host", &host)])).await;
            assert_eq!(res.status, 200, "{n} {path}");
            assert_eq!(res.header("cache-control"), cc, "{n} {path}");
        }
    }
}

/// Item 4: a body that stops mid-way gets `408` within the deadline (10 s)
/// instead of holding the connection forever, and the handler never runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_body_is_answered_408() {
    let apps = start_both(&[], None).await;
    let probes = apps.iter().map(|app| async move {
        let host = app.addr.to_string();
        // A visitor's cookie, no header token: the token can only be in the body.
        let (cookie, _) = credentials(app).await;
        let mut s = TcpStream::connect(app.addr).await.unwrap();
        let head = format!(
            "DELETE /items/1 HTTP/1.1\r\nhost: {host}\r\ncookie: {cookie}\r\n\
             content-type: application/json\r\ncontent-length: 500\r\nconnection: close\r\n\r\n{{\"a\":"
        );
        s.write_all(head.as_bytes()).await.unwrap();
        let started = Instant::now();
        let res = read_reply(&mut s).await;
        (app.name, res, started.elapsed())
    });
    for (n, res, took) in futures_util::future::join_all(probes).await {
        assert_eq!(res.status, 408, "{n}: {res:?}");
        assert!(
            res.body.contains("did not arrive in time"),
            "{n}: {}",
            res.body
        );
        assert!(
            took >= Duration::from_secs(9) && took < Duration::from_secs(20),
            "{n}: {took:?}"
        );
    }
    for app in &apps {
        assert_eq!(app.item_writes.load(Ordering::SeqCst), 0, "{}", app.name);
    }
}

fn violation(blocked: &str) -> String {
    format!(
        r#"{{"type":"csp-violation","body":{{"blockedURL":"{blocked}","effectiveDirective":"img-src"}}}}"#
    )
}

fn report_body(blocked: impl IntoIterator<Item = String>) -> Vec<u8> {
    let items: Vec<String> = blocked.into_iter().map(|b| violation(&b)).collect();
    format!("[{}]", items.join(",")).into_bytes()
}

async fn post_reports(app: &App, client: &str, body: &[u8]) -> u16 {
    let host = app.addr.to_string();
    raw(
        app.addr,
        &request(
            "POST",
            "/csp-report",
            &[
                ("host", &host),
                ("content-type", "application/reports+json"),
                ("x-forwarded-for", client),
            ],
            body,
        ),
    )
    .await
    .status
}

/// Item 5: the report endpoint counts clients as the proxy reports them,
/// takes at most 100 reports from a body, collapses identical ones, and the
/// seed apps keep at most 1,000.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_floods_are_bounded_per_client_and_per_body() {
    for app in start_both(&[], Some("/csp-report")).await {
        let n = app.name;
        // One client's 60 bodies a minute use up its own allowance only.
        let one = report_body(["https://cdn.example/a.js".to_string()]);
        for i in 0..60 {
            assert_eq!(
                post_reports(&app, "198.51.100.1", &one).await,
                204,
                "{n} #{i}"
            );
        }
        assert_eq!(post_reports(&app, "198.51.100.1", &one).await, 429, "{n}");
        assert_eq!(post_reports(&app, "198.51.100.2", &one).await, 204, "{n}");
        // 61 identical reports reached the sink once.
        let kept = (app.reports)();
        assert_eq!(kept.len(), 1, "{n}");
        assert_eq!(kept[0].count, 1, "{n}");

        // 600 violations in one 63 KB body, as the probe sent: 100 taken.
        let flood = report_body((0..600).map(|i| format!("https://x{i}.example/p.gif")));
        assert!(
            flood.len() > 55_000 && flood.len() < 64 * 1024,
            "{}",
            flood.len()
        );
        assert_eq!(post_reports(&app, "198.51.100.3", &flood).await, 204, "{n}");
        assert_eq!((app.reports)().len(), 1 + 100, "{n}");
        // The sink is bounded: 1,100 distinct reports later, the newest 1,000 are kept.
        for round in 0..11 {
            let body = report_body((0..100).map(|i| format!("https://r{round}-{i}.example/s.js")));
            assert_eq!(post_reports(&app, "198.51.100.4", &body).await, 204, "{n}");
        }
        let kept = (app.reports)();
        assert_eq!(kept.len(), axum_app::KEPT_REPORTS, "{n}");
        assert_eq!(
            kept.last().map(|r| r.blocked_uri.as_str()),
            Some("https://r10-99.example/s.js"),
            "{n}"
        );
    }
}

/// Item 6: a token field given twice is refused in every body kind; before,
/// JSON took the last and multipart the first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_token_fields_are_refused_in_every_body_kind() {
    for app in start_both(&[], None).await {
        let n = app.name;
        let host = app.addr.to_string();
        let (cookie, token) = credentials(&app).await;
        let json = format!(r#"{{"_csrf_token":"{token}","_csrf_token":"{token}"}}"#);
        let form = format!("_csrf_token={token}&_csrf_token={token}");
        let multipart = format!(
            "--XyZ\r\nContent-Disposition: form-data; name=\"_csrf_token\"\r\n\r\n{token}\r\n\
             --XyZ\r\nContent-Disposition: form-data; name=\"_csrf_token\"\r\n\r\n{token}\r\n--XyZ--\r\n"
        );
        for (ct, body) in [
            ("application/json", &json),
            ("application/x-www-form-urlencoded", &form),
            ("multipart/form-data; boundary=XyZ", &multipart),
        ] {
            let res = raw(
                app.addr,
                &request(
                    "PUT",
                    "/items/1",
                    &[("host", &host), ("cookie", &cookie), ("content-type", ct)],
                    body.as_bytes(),
                ),
            )
            .await;
            assert_eq!(res.status, 403, "{n} {ct}: {res:?}");
        }
        // One token passes (the handler runs), so the refusals were the duplicates'.
        let once = format!(r#"{{"_csrf_token":"{token}"}}"#);
        let res = raw(
            app.addr,
            &request(
                "PUT",
                "/items/1",
                &[
                    ("host", &host),
                    ("cookie", &cookie),
                    ("content-type", "application/json"),
                ],
                once.as_bytes(),
            ),
        )
        .await;
        assert_eq!(res.status, 200, "{n}: {res:?}");
        assert_eq!(app.item_writes.load(Ordering::SeqCst), 1, "{n}");
    }
}

/// Issue 16, item 1, on the seed apps' `/ws` echo route: another site's
/// handshake gets 403; the app's own gets 101 Switching Protocols.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_handshakes_from_another_site_are_refused() {
    for app in start_both(&[], None).await {
        let n = app.name;
        let host = app.addr.to_string();
        let own = format!("http://{host}");
        for (origin, expected) in [("https://evil.example", 403), (own.as_str(), 101)] {
            let mut s = TcpStream::connect(app.addr).await.unwrap();
            let req = format!(
                "GET /ws HTTP/1.1\r\nhost: {host}\r\nupgrade: websocket\r\nconnection: Upgrade\r\n\
                 sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\n\
                 origin: {origin}\r\n\r\n"
            );
            s.write_all(req.as_bytes()).await.unwrap();
            let mut buf = vec![0u8; 2048];
            let got = tokio::time::timeout(Duration::from_secs(10), s.read(&mut buf))
                .await
                .expect("the server answers the handshake")
                .unwrap();
            let head = String::from_utf8_lossy(&buf[..got]).to_string();
            let status: u16 = head
                .split(' ')
                .nth(1)
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            assert_eq!(status, expected, "{n} {origin}: {head}");
        }
    }
}

/// Issue 16, item 8: the seed apps' login takes a multipart form, as Flask's
/// `request.form` does (it used to answer 415 after the CSRF check passed).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_login_form_may_be_multipart() {
    for app in start_both(&[], None).await {
        let n = app.name;
        let host = app.addr.to_string();
        let (cookie, token) = credentials(&app).await;
        let body = format!(
            "--XyZ\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nmia\r\n\
             --XyZ\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\npw\r\n\
             --XyZ\r\nContent-Disposition: form-data; name=\"_csrf_token\"\r\n\r\n{token}\r\n--XyZ--\r\n"
        );
        let res = raw(
            app.addr,
            &request(
                "POST",
                "/login",
                &[
                    ("host", &host),
                    ("cookie", &cookie),
                    ("content-type", "multipart/form-data; boundary=XyZ"),
                ],
                body.as_bytes(),
            ),
        )
        .await;
        assert_eq!(res.status, 200, "{n}: {res:?}");
        assert!(res.body.contains("welcome mia"), "{n}: {}", res.body);
    }
}
