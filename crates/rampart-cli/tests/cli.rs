//! Every subcommand of the `rampart` binary, run as a process, with its
//! output and exit code asserted. `check` grades the seed app as it is
//! deployed: behind a TLS-terminating proxy on loopback (started here, with
//! its own CA), reached as `app.test` through `--resolve`, the way curl does.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use rampart_core::config::Config;

fn rampart(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rampart"))
        .args(args)
        .env_remove("RAMPART_ALLOWED_HOSTS")
        .env_remove("RAMPART_TRUSTED_PROXIES")
        .env_remove("RAMPART_CSP_REPORT_URI")
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

/// `csp lint --json`: one object per value, a line each.
fn json_lines(o: &Output) -> Vec<serde_json::Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn temp(name: &str, content: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rampart-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p
}

fn seed_toml() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seed.toml")
}

#[test]
fn csp_lint_fails_on_a_high_finding_and_passes_a_strict_policy() {
    let bad = rampart(&[
        "csp",
        "lint",
        "default-src 'self'; script-src 'self' 'unsafe-inline'",
    ]);
    assert_eq!(bad.status.code(), Some(1));
    let out = stdout(&bad);
    assert!(
        out.starts_with("policy: default-src 'self'; script-src 'self' 'unsafe-inline'\nSEVERITY")
            && out
                .lines()
                .nth(1)
                .is_some_and(|l| l.split_whitespace().collect::<Vec<_>>()
                    == [
                        "SEVERITY",
                        "POLICY",
                        "DIRECTIVE",
                        "SOURCE",
                        "FINDING",
                        "FIX"
                    ]),
        "{out}"
    );
    assert!(
        out.lines().any(|l| l.starts_with("high")
            && l.split_whitespace().nth(1) == Some("0")
            && l.contains("script-src")),
        "{out}"
    );

    let strict = "script-src 'strict-dynamic' 'unsafe-inline' https: http:; object-src 'none'; base-uri 'none'";
    let ok = rampart(&["csp", "lint", "--nonce-in", "script-src", strict, "--json"]);
    assert_eq!(ok.status.code(), Some(0), "{}", stdout(&ok));
    let j = json_lines(&ok);
    assert_eq!(j.len(), 1);
    assert_eq!(j[0]["policy"], strict);
    assert_eq!(j[0]["disposition"], "enforce");
    assert!(j[0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["severity"] != "high"));

    let file = temp("policy.txt", "default-src *\n");
    let from_file = rampart(&["csp", "lint", "--file", file.to_str().unwrap(), "--json"]);
    assert_eq!(from_file.status.code(), Some(1));
    assert_eq!(json_lines(&from_file)[0]["policy"], "default-src *");

    // Read as a browser does: two values (as two headers), the second with two
    // policies and a repeated directive, each finding with its policy's index.
    let o = rampart(&[
        "csp",
        "lint",
        "default-src 'none'; script-src 'self'; base-uri 'none'",
        "img-src 'self', script-src 'unsafe-inline'; script-src 'self'",
        "--json",
    ]);
    // Judged together, nothing is high: exit 0.
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let j = json_lines(&o);
    assert_eq!(j.len(), 2);
    let second = j[1]["findings"].as_array().unwrap();
    assert!(second.iter().any(|f| f["policy_index"] == 2
        && f["check"] == "duplicate-directive"
        && f["severity"] == "syntax"));
    // Policy 0's script-src 'self' does not allow inline scripts: the
    // 'unsafe-inline' of policy 2 is blocked, and named so.
    let ui = second
        .iter()
        .find(|f| f["policy_index"] == 2 && f["check"] == "unsafe-inline")
        .unwrap();
    assert_eq!(ui["severity"], "info");
    assert_eq!(ui["source"], "'unsafe-inline'");
    assert!(ui["message"]
        .as_str()
        .unwrap()
        .contains("policy 0 blocks this"));
    // Alone, the same value is high: exit 1.
    let alone = rampart(&[
        "csp",
        "lint",
        "img-src 'self', script-src 'unsafe-inline'; script-src 'self'",
    ]);
    assert_eq!(alone.status.code(), Some(1));
    // A report-only value is linted apart: it neither covers nor is covered.
    let ro = rampart(&[
        "csp",
        "lint",
        "script-src 'none'",
        "--report-only",
        "script-src 'unsafe-inline'",
        "--json",
    ]);
    assert_eq!(ro.status.code(), Some(1));
    let j = json_lines(&ro);
    assert_eq!(j[1]["disposition"], "report-only");
    assert!(j[1]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["check"] == "unsafe-inline"
            && f["severity"] == "high"
            && f["policy_index"] == 0));

    let mut child = Command::new(env!("CARGO_BIN_EXE_rampart"))
        .args(["csp", "lint", "-", "--json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"script-src https://*; object-src 'none'\n\nscript-src 'self'\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let j = json_lines(&o);
    assert_eq!(j.len(), 2, "one value per line");
    assert!(j[0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["check"] == "wildcard" && f["severity"] == "high"));

    // Bytes that are not UTF-8 are read, not refused: their directive is
    // skipped as a browser skips it, and the rest is linted.
    let raw = std::env::temp_dir().join(format!("rampart-cli-raw-{}.txt", std::process::id()));
    std::fs::write(&raw, b"script-src 'unsafe-inline'; img-src \xff\xfe *\n").unwrap();
    let o = rampart(&["csp", "lint", "--file", raw.to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let j = json_lines(&o);
    let checks: Vec<&str> = j[0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["check"].as_str().unwrap())
        .collect();
    assert!(
        checks.contains(&"non-ascii") && checks.contains(&"unsafe-inline"),
        "{checks:?}"
    );

    let missing = rampart(&["csp", "lint", "--file", "/nonexistent/p.txt"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read /nonexistent/p.txt"));
}

fn http_req(method: &str, creds: Option<(&str, &str)>) -> http::Request<()> {
    let mut b = http::Request::builder()
        .method(method)
        .uri("/")
        .header("sec-fetch-site", "same-origin");
    if let Some((cookie, token)) = creds {
        b = b.header("cookie", cookie).header("x-csrftoken", token);
    }
    b.body(()).unwrap()
}

#[test]
fn keygen_prints_a_32_byte_key_the_csrf_layer_accepts() {
    let o = rampart(&["keygen"]);
    assert_eq!(o.status.code(), Some(0));
    let key = stdout(&o).trim().to_owned();
    assert_eq!(key.len(), 43, "{key}");
    let how = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(how.contains("RAMPART_CSRF_KEY=<current>,<new>"), "{how}");
    assert!(how.contains("RAMPART_CSRF_KEY=<new>,<current>"), "{how}");
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(&key)
        .expect("the key is base64url");
    assert_eq!(bytes.len(), 32);
    // The CSRF layer takes it as its key, and tokens made with it verify.
    let csrf = rampart_core::csrf::Csrf::builder()
        .key(&bytes)
        .build()
        .unwrap();
    let facts = rampart_core::RequestFacts::new(rampart_core::Scheme::Https, Some("a.example"));
    let (get, _) = http_req("GET", None).into_parts();
    let rampart_core::csrf::Decision::Pass(req) = csrf.check(&get, &facts, None) else {
        panic!("a GET passes")
    };
    let token = req.token().masked();
    let mut h = http::HeaderMap::new();
    csrf.finish(&req, &mut h);
    let cookie = h["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let (post, _) = http_req("POST", Some((&cookie, &token))).into_parts();
    assert!(matches!(
        csrf.check(&post, &facts, None),
        rampart_core::csrf::Decision::Pass(_)
    ));
    let j = json(&rampart(&["keygen", "--json"]));
    assert_eq!(j["bytes"], 32);
    assert_ne!(j["key"], key, "every key is new");
    assert_eq!(j["rotation"].as_array().unwrap().len(), 3);
}

#[test]
fn hash_prints_the_csp_source_and_the_sri_value() {
    let f = temp("hello.js", "alert('Hello, world.');");
    let o = rampart(&["hash", f.to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(0));
    let j = json(&o);
    assert_eq!(
        j["files"][0]["csp"],
        "'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='"
    );
    assert_eq!(
        j["files"][0]["sri"],
        rampart_core::csp::sri(
            rampart_core::csp::HashAlgorithm::Sha384,
            b"alert('Hello, world.');"
        )
    );
    let table = stdout(&rampart(&["hash", f.to_str().unwrap()]));
    assert!(table.starts_with("FILE"), "{table}");
    assert!(
        table.contains("'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='  sha384-"),
        "{table}"
    );
    assert_eq!(rampart(&["hash", "/nonexistent.js"]).status.code(), Some(2));
}

#[test]
fn config_check_validates_and_names_each_problem_at_its_line() {
    let seed = seed_toml();
    let ok = rampart(&["config", "check", seed.to_str().unwrap()]);
    assert_eq!(ok.status.code(), Some(0), "{}", stdout(&ok));
    let out = stdout(&ok);
    let row = |name: &str| {
        out.lines()
            .find_map(|l| l.strip_prefix(name).filter(|r| r.starts_with(' ')))
            .map(|r| r.trim().to_owned())
    };
    assert_eq!(
        row("x-frame-options").as_deref(),
        Some("SAMEORIGIN"),
        "{out}"
    );
    assert!(
        row("content-security-policy")
            .unwrap()
            .starts_with("base-uri 'self'; default-src 'self' *.fontawesome.com"),
        "{out}"
    );

    let bad = temp(
        "bad.toml",
        "[headers]\nframe_options = \"ALLOW-FROM x\"\n\n[csrf]\nsame_site = \"loose\"\n",
    );
    let o = rampart(&["config", "check", bad.to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let j = json(&o);
    assert_eq!(j["valid"], false);
    let at: Vec<&str> = j["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["at"].as_str().unwrap())
        .collect();
    let b = bad.display().to_string();
    assert_eq!(
        at,
        [
            format!("{b}:2: headers.frame_options"),
            format!("{b}:5: csrf.same_site")
        ]
    );
    assert!(j["problems"][0]["problem"]
        .as_str()
        .unwrap()
        .contains("frame-ancestors"));
}

#[test]
fn config_show_prints_toml_that_loads_back_to_the_same_configuration() {
    let seed = seed_toml();
    let o = rampart(&["config", "show", seed.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    assert!(
        text.contains("#   x-content-type-options: nosniff"),
        "{text}"
    );
    assert_eq!(
        Config::from_toml(&text).unwrap(),
        Config::from_file(&seed).unwrap()
    );
    let talisman = stdout(&rampart(&["config", "show", "--preset", "talisman"]));
    assert!(talisman.contains("max_age = 31556926"), "{talisman}");
    assert_eq!(
        Config::from_toml(&talisman).unwrap(),
        Config::preset("talisman").unwrap()
    );
    assert_eq!(
        rampart(&["config", "show", "--preset", "lax"])
            .status
            .code(),
        Some(1)
    );
}

// ------------------------------------------------------------------ check

/// A CA, and a certificate for `app.test` it signed.
struct Pki {
    ca_pem: String,
    cert: rustls::pki_types::CertificateDer<'static>,
    key: rustls::pki_types::PrivateKeyDer<'static>,
}

fn pki() -> Pki {
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(rcgen::DnType::CommonName, "rampart test CA");
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca, ca_key);
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let leaf = rcgen::CertificateParams::new(vec!["app.test".to_owned()])
        .unwrap()
        .signed_by(&leaf_key, &issuer)
        .unwrap();
    Pki {
        ca_pem: ca_cert.pem(),
        cert: leaf.der().clone(),
        key: rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
    }
}

/// A TLS-terminating reverse proxy on 127.0.0.1 in front of `backend`,
/// writing X-Forwarded-Proto/-Host/-For as nginx's usual three lines do.
async fn tls_front(pki: &Pki, backend: SocketAddr) -> SocketAddr {
    use hyper::service::service_fn;
    use hyper_util::rt::{TokioExecutor, TokioIo};

    // ring's provider, named (reqwest's rustls uses ring too); the test's
    // TLS needs no post-quantum key exchange.
    #[allow(deprecated)]
    let provider = rustls::crypto::ring::default_provider();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(provider))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![pki.cert.clone()], pki.key.clone_key())
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let client = hyper_util::client::legacy::Client::builder(TokioExecutor::new())
        .build_http::<hyper::body::Incoming>();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, peer)) = listener.accept().await else {
                continue;
            };
            let acceptor = acceptor.clone();
            let client = client.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let svc = service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
                    let client = client.clone();
                    async move {
                        let host =
                            req.headers().get("host").cloned().unwrap_or_else(|| {
                                hyper::header::HeaderValue::from_static("app.test")
                            });
                        let h = req.headers_mut();
                        h.insert("x-forwarded-proto", "https".parse().unwrap());
                        h.insert("x-forwarded-host", host);
                        h.insert("x-forwarded-for", peer.ip().to_string().parse().unwrap());
                        let pq = req
                            .uri()
                            .path_and_query()
                            .map_or("/".to_owned(), |p| p.to_string());
                        *req.uri_mut() = format!("http://{backend}{pq}").parse().unwrap();
                        client.request(req).await
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tls), svc)
                    .await;
            });
        }
    });
    addr
}

/// Runs `rampart check` (a blocking process) off the runtime.
async fn check(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        rampart(&args)
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_grades_the_deployed_seed_app_a_plus_and_a_bare_app_f() {
    let pki = pki();
    let ca = temp("ca.pem", &pki.ca_pem);
    // Port for the https redirect first: the proxy's, once it listens.
    let seed_http = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let http_port = seed_http.local_addr().unwrap().port();
    drop(seed_http);
    // The proxy needs the backend's address; the backend's redirect needs the
    // proxy's port: start the proxy towards the port the backend will take.
    let backend: SocketAddr = format!("127.0.0.1:{http_port}").parse().unwrap();
    let front = tls_front(&pki, backend).await;
    // The seed's own configuration, deployed: its host named, its redirect
    // sent to the proxy's port.
    let deployed = std::fs::read_to_string(seed_toml()).unwrap().replace(
        "[https]\n",
        &format!(
            "[https]\nport = {}\nallowed_hosts = [\"app.test\"]\n",
            front.port()
        ),
    );
    assert!(deployed.contains("allowed_hosts"));
    let cfg = temp("deployed.toml", &deployed);
    let seed = rampart_seed::axum_app::build(rampart_seed::axum_app::SeedConfig {
        csrf_key: Some(vec![0x42; 32]),
        config_file: Some(cfg),
        ..Default::default()
    })
    .unwrap();
    let listener = tokio::net::TcpListener::bind(backend).await.unwrap();
    tokio::spawn(async move {
        let app = seed
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(listener, app).await.unwrap();
    });

    let o = check(vec![
        "check".into(),
        format!("http://app.test:{http_port}/"),
        "--resolve".into(),
        format!("app.test:{http_port}:127.0.0.1"),
        "--resolve".into(),
        format!("app.test:{}:127.0.0.1", front.port()),
        "--ca".into(),
        ca.display().to_string(),
        "--min-grade".into(),
        "A+".into(),
        "--json".into(),
    ])
    .await;
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        stdout(&o),
        String::from_utf8_lossy(&o.stderr)
    );
    let j = json(&o);
    assert_eq!(j["grade"], "A+", "{j:#}");
    assert_eq!(j["score"], 130, "{j:#}");
    assert_eq!(j["url"], format!("https://app.test:{}/", front.port()));
    assert_eq!(j["http_redirects"][0]["status"], 301);
    let result = |test: &str| {
        j["tests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["test"] == test)
            .unwrap()["result"]
            .clone()
    };
    assert_eq!(
        j["nonce_reused"], false,
        "the seed app draws a nonce per response"
    );
    assert_eq!(result("redirection"), "redirection-to-https");
    assert_eq!(
        result("content-security-policy"),
        "csp-implemented-with-no-unsafe"
    );
    assert_eq!(
        result("cookies"),
        "cookies-secure-with-httponly-sessions-and-samesite"
    );
    assert_eq!(
        result("subresource-integrity"),
        "sri-implemented-and-external-scripts-loaded-securely"
    );

    // The served header, nonce and all, linted as the browser gets it.
    let lint = check(vec![
        "csp".into(),
        "lint".into(),
        "--url".into(),
        format!("http://127.0.0.1:{http_port}/"),
        "--json".into(),
    ])
    .await;
    let lj = json_lines(&lint);
    let served = lj[0]["policy"].as_str().unwrap().to_owned();
    assert!(
        served.contains("script-src 'self' *.fontawesome.com"),
        "{lj:?}"
    );
    assert!(served.contains("'nonce-"), "{lj:?}");
    let high = lj
        .iter()
        .flat_map(|v| v["findings"].as_array().unwrap())
        .any(|f| f["severity"] == "high");
    assert_eq!(lint.status.code(), Some(if high { 1 } else { 0 }));
    assert!(lj[0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["check"] != "unparseable" && f["directive"] == "script-src"));

    // Without the CA, the certificate is refused: the check cannot run.
    let untrusted = check(vec![
        "check".into(),
        format!("https://app.test:{}/", front.port()),
        "--resolve".into(),
        format!("app.test:{}:127.0.0.1", front.port()),
    ])
    .await;
    assert_eq!(untrusted.status.code(), Some(2));

    // A nonce served twice is worthless: the check says so and fails.
    let fixed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let fixed_addr = fixed.local_addr().unwrap();
    tokio::spawn(async move {
        let app = axum::Router::new().route(
            "/",
            axum::routing::get(|| async {
                (
                    [(
                        "content-security-policy",
                        "script-src 'nonce-c2FtZS1ldmVyeS10aW1lLTEyMw'; object-src 'none'",
                    )],
                    axum::response::Html("<p>fixed</p>"),
                )
            }),
        );
        axum::serve(fixed, app).await.unwrap();
    });
    let o = check(vec![
        "check".into(),
        format!("http://{fixed_addr}/"),
        "--json".into(),
    ])
    .await;
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json(&o)["nonce_reused"], true);

    // A bare app: no header at all, plain http.
    let bare = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let bare_addr = bare.local_addr().unwrap();
    tokio::spawn(async move {
        let app = axum::Router::new().route(
            "/",
            axum::routing::get(|| async { axum::response::Html("<p>bare</p>") }),
        );
        axum::serve(bare, app).await.unwrap();
    });
    let o = check(vec![
        "check".into(),
        format!("http://{bare_addr}/"),
        "--min-grade".into(),
        "C".into(),
    ])
    .await;
    assert_eq!(o.status.code(), Some(1), "below the minimum grade");
    let table = stdout(&o);
    assert!(
        table.starts_with(&format!("grade F  score 10  http://{bare_addr}/")),
        "{table}"
    );
    assert!(table.contains("x-frame-options"), "{table}");
    assert!(
        table.contains("FrameOptions::SameOrigin"),
        "the fix names the setting: {table}"
    );
}
