//! Differential test: the axum seed app and the actix-web seed app, both on
//! 127.0.0.1 with the same CSRF key, get the same table of requests; every
//! response must have the same status, the same security headers (nonce and
//! cookie values normalised) and the same cookie attributes.
//!
//! A second, in-process table covers what cannot come over loopback TCP:
//! forwarded headers from an untrusted (non-loopback) peer.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::OnceLock;

use regex::Regex;

use rampart_seed::axum_app;

use rampart_seed::actix_app;

mod cases;
use cases::*;

const KEY: [u8; 32] = [0x5e; 32];

/// Credentials one app issued.
struct Tokens {
    cookie: String,
    token: String,
    secure_cookie: String,
    secure_token: String,
}

struct Target {
    name: &'static str,
    addr: SocketAddr,
    tokens: Tokens,
}

fn re(p: &str) -> Regex {
    Regex::new(p).unwrap()
}

fn token_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| re(r#"name="_csrf_token" value="([^"]+)""#))
}

async fn credentials(client: &reqwest::Client, addr: SocketAddr, secure: bool) -> (String, String) {
    let mut req = client.get(format!("http://{addr}/login"));
    if secure {
        req = req
            .header("host", PUBLIC_HOST)
            .header("x-forwarded-proto", "https");
    }
    let res = req.send().await.unwrap();
    assert_eq!(res.status(), 200);
    let cookie = res
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let body = res.text().await.unwrap();
    let token = token_re().captures(&body).unwrap()[1].to_string();
    (cookie, token)
}

/// One normalised response: status and the compared headers (name → sorted values).
#[derive(Debug, PartialEq, Eq)]
struct Seen {
    status: u16,
    headers: BTreeMap<String, Vec<String>>,
}

fn normalise(name: &str, value: &str) -> String {
    static NONCE: OnceLock<Regex> = OnceLock::new();
    static COOKIE: OnceLock<Regex> = OnceLock::new();
    static PORT: OnceLock<Regex> = OnceLock::new();
    let nonce = NONCE.get_or_init(|| re(r"'nonce-[A-Za-z0-9_-]{24}'"));
    let v = nonce.replace_all(value, "'nonce-N'").to_string();
    let v = PORT
        .get_or_init(|| re(r"127\.0\.0\.1:\d+"))
        .replace_all(&v, "127.0.0.1:PORT")
        .to_string();
    if name == "set-cookie" {
        // The value is random; the attributes are compared as a set.
        let v = COOKIE
            .get_or_init(|| re(r"^([^=;]+)=[^;]*"))
            .replace(&v, "$1=V")
            .to_string();
        let mut attrs: Vec<String> = v.split(';').map(|a| a.trim().to_string()).collect();
        attrs.sort();
        return attrs.join("; ");
    }
    v
}

fn seen<'a>(status: u16, headers: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Seen {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (n, value) in headers {
        if IGNORED.contains(&n) {
            continue;
        }
        let v = String::from_utf8_lossy(value).to_string();
        out.entry(n.to_string()).or_default().push(normalise(n, &v));
    }
    for v in out.values_mut() {
        v.sort();
    }
    Seen {
        status,
        headers: out,
    }
}

async fn send(client: &reqwest::Client, t: &Target, c: &Case) -> Seen {
    let own = format!("http://{}", t.addr);
    let method = reqwest::Method::from_bytes(c.method.as_bytes()).unwrap();
    let mut req = client.request(method, format!("http://{}{}", t.addr, c.path));
    for (n, v) in &c.headers {
        req = req.header(*n, v.replace("{own}", &own));
    }
    let tok = &t.tokens;
    req = match c.creds {
        Creds::None => req,
        Creds::CookieOnly | Creds::Body => req.header("cookie", &tok.cookie),
        Creds::Header => req
            .header("cookie", &tok.cookie)
            .header("x-csrftoken", &tok.token),
        Creds::BadHeader => req
            .header("cookie", &tok.cookie)
            .header("x-csrftoken", "not-a-token"),
        Creds::SecureHeader => req
            .header("cookie", &tok.secure_cookie)
            .header("x-csrftoken", &tok.secure_token),
    };
    req = match &c.body {
        Body::Empty => req,
        Body::Text(ct, text) => req
            .header("content-type", *ct)
            .body(text.replace("{token}", &tok.token)),
        Body::Big(ct, len) => req.header("content-type", *ct).body(vec![b'a'; *len]),
    };
    // A server that refuses a large body without reading it (hyper, for the
    // axum app) may close the connection while the client is still writing;
    // the client then sees a reset instead of the 413. That race is TCP's, not
    // rampart's: try again a few times before recording the error.
    let mut outcome = None;
    for _ in 0..5 {
        let attempt = req.try_clone().expect("buffered body").send().await;
        let retry = matches!(&attempt, Err(e) if e.is_request() || e.is_connect() || e.is_body());
        outcome = Some(attempt);
        if !retry {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    match outcome.expect("at least one attempt") {
        Ok(res) => {
            let status = res.status().as_u16();
            let s = seen(
                status,
                res.headers()
                    .iter()
                    .map(|(n, v)| (n.as_str(), v.as_bytes())),
            );
            let _ = res.bytes().await;
            s
        }
        Err(e) => Seen {
            status: 0,
            headers: BTreeMap::from([("error".to_string(), vec![e.to_string()])]),
        },
    }
}

fn diff(a: &Seen, b: &Seen) -> Vec<String> {
    let mut out = Vec::new();
    if a.status != b.status {
        out.push(format!("status {} vs {}", a.status, b.status));
    }
    let names: std::collections::BTreeSet<&String> =
        a.headers.keys().chain(b.headers.keys()).collect();
    for n in names {
        let (x, y) = (a.headers.get(n), b.headers.get(n));
        if x != y {
            out.push(format!("{n}: {x:?} vs {y:?}"));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axum_and_actix_seed_apps_answer_alike() {
    let cfg_axum = axum_app::SeedConfig {
        csrf_key: Some(KEY.to_vec()),
        csp_report_uri: None,
        ..Default::default()
    };
    let axum_seed = axum_app::build(cfg_axum).unwrap();
    let axum_state = axum_seed.state.clone();
    let axum_addr = axum_seed.spawn_on_loopback().await.unwrap();

    let actix_seed = actix_app::build(actix_app::SeedConfig {
        csrf_key: Some(KEY.to_vec()),
        csp_report_uri: None,
        ..Default::default()
    })
    .unwrap();
    let actix_state = actix_seed.state.clone();
    let (actix_addr, actix_handle) = actix_seed.spawn_on_loopback().unwrap();

    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut targets = Vec::new();
    for (name, addr) in [("axum", axum_addr), ("actix", actix_addr)] {
        let (cookie, token) = credentials(&client, addr, false).await;
        let (secure_cookie, secure_token) = credentials(&client, addr, true).await;
        assert!(secure_cookie.starts_with("__Host-csrf="), "{secure_cookie}");
        targets.push(Target {
            name,
            addr,
            tokens: Tokens {
                cookie,
                token,
                secure_cookie,
                secure_token,
            },
        });
    }

    let cases = table();
    let mut mismatches = Vec::new();
    let mut rows = Vec::new();
    for c in &cases {
        let a = send(&client, &targets[0], c).await;
        let b = send(&client, &targets[1], c).await;
        rows.push(format!(
            "{:>3} {:>3}  {} {} ({})",
            a.status, b.status, c.method, c.path, c.name
        ));
        for d in diff(&a, &b) {
            mismatches.push(format!("{} {} ({}): {d}", c.method, c.path, c.name));
        }
    }
    println!(
        "{} vs {}:\n{}",
        targets[0].name,
        targets[1].name,
        rows.join("\n")
    );
    // The comparison saw what matters: nonces, cookies, HSTS only when secure.
    let home = send(&client, &targets[1], &cases[0]).await;
    assert!(home.headers["content-security-policy"][0].contains("'nonce-N'"));
    assert_eq!(home.headers["x-frame-options"], ["SAMEORIGIN"]);
    assert!(home.headers["set-cookie"][0]
        .starts_with("HttpOnly; Max-Age=31536000; Path=/; SameSite=Lax; csrf=V"));
    assert!(!home.headers.contains_key("strict-transport-security"));
    let tls = cases
        .iter()
        .find(|c| c.name == "TLS proxy GET /login")
        .unwrap();
    let tls = send(&client, &targets[1], tls).await;
    assert_eq!(
        tls.headers["strict-transport-security"],
        ["max-age=31536000; includeSubDomains"]
    );
    assert!(
        tls.headers["set-cookie"][0].contains("Secure; __Host-csrf=V"),
        "{tls:?}"
    );
    let logins = (
        axum_state.logins.load(Ordering::SeqCst),
        actix_state.logins.load(Ordering::SeqCst),
    );
    let writes = (
        axum_state.item_writes.load(Ordering::SeqCst),
        actix_state.item_writes.load(Ordering::SeqCst),
    );
    actix_handle.stop(false).await;
    assert!(
        mismatches.is_empty(),
        "{} mismatch(es) between axum and actix:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    assert_eq!(logins.0, logins.1, "login handler runs differ");
    assert_eq!(writes.0, writes.1, "item handler runs differ");
    assert!(
        logins.0 > 0 && writes.0 > 0,
        "the table exercised the handlers"
    );
}

/// Forwarded headers from a peer that is not trusted (not loopback) cannot come
/// over loopback TCP, so both apps get these requests in process, with the
/// peer address each framework's test tools let a request carry.
#[actix_web::test]
async fn forwarded_headers_from_untrusted_peer_alike() {
    use actix_web::test as atest;
    use rampart::core::ConnectionInfo;
    use tower::ServiceExt;

    let axum_seed = axum_app::build(axum_app::SeedConfig {
        csrf_key: Some(KEY.to_vec()),
        csp_report_uri: None,
        ..Default::default()
    })
    .unwrap();
    let actix_seed = actix_app::build(actix_app::SeedConfig {
        csrf_key: Some(KEY.to_vec()),
        csp_report_uri: None,
        ..Default::default()
    })
    .unwrap();
    let actix = atest::init_service(actix_seed.app()).await;

    type PeerCase<'a> = (&'a str, &'a str, &'a str, &'a [(&'a str, &'a str)]);
    let cases: &[PeerCase] = &[
        (
            "untrusted XFP https GET",
            "203.0.113.9",
            "GET",
            &[("host", PUBLIC_HOST), ("x-forwarded-proto", "https")],
        ),
        (
            "untrusted XFP https POST",
            "203.0.113.9",
            "POST",
            &[("host", PUBLIC_HOST), ("x-forwarded-proto", "https")],
        ),
        (
            "untrusted Forwarded",
            "203.0.113.9",
            "GET",
            &[
                ("host", "internal"),
                ("forwarded", "proto=https;host=shop.example"),
            ],
        ),
        (
            "untrusted XFP, loopback host",
            "203.0.113.9",
            "GET",
            &[("host", "localhost:8000"), ("x-forwarded-proto", "https")],
        ),
        (
            "untrusted, no XFP",
            "198.51.100.1",
            "GET",
            &[("host", PUBLIC_HOST)],
        ),
        (
            "trusted XFP https",
            "127.0.0.1",
            "GET",
            &[("host", PUBLIC_HOST), ("x-forwarded-proto", "https")],
        ),
        (
            "trusted ::1 XFP https",
            "::1",
            "GET",
            &[("host", PUBLIC_HOST), ("x-forwarded-proto", "https")],
        ),
        (
            "untrusted, cross-site POST",
            "203.0.113.9",
            "POST",
            &[("host", "localhost"), ("sec-fetch-site", "cross-site")],
        ),
    ];
    let mut mismatches = Vec::new();
    for (name, peer, method, headers) in cases {
        let ip: std::net::IpAddr = peer.parse().unwrap();
        let mut req = http::Request::builder().method(*method).uri("/login");
        for (n, v) in *headers {
            req = req.header(*n, *v);
        }
        let mut req = req.body(axum::body::Body::empty()).unwrap();
        req.extensions_mut().insert(ConnectionInfo::peer(ip));
        let res = axum_seed.router.clone().oneshot(req).await.unwrap();
        let a = seen(
            res.status().as_u16(),
            res.headers()
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_bytes())),
        );

        let mut req = atest::TestRequest::default()
            .method(actix_web::http::Method::from_bytes(method.as_bytes()).unwrap())
            .uri("/login")
            .peer_addr(SocketAddr::new(ip, 40000));
        for (n, v) in *headers {
            req = req.insert_header((*n, *v));
        }
        let res = atest::call_service(&actix, req.to_request()).await;
        let b = seen(
            res.status().as_u16(),
            res.headers()
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_bytes())),
        );
        println!("{:>3} {:>3}  {name}", a.status, b.status);
        for d in diff(&a, &b) {
            mismatches.push(format!("{name}: {d}"));
        }
    }
    assert!(
        mismatches.is_empty(),
        "mismatches:\n{}",
        mismatches.join("\n")
    );
}
