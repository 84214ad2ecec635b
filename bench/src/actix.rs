//! actix-web 4 scenarios: rampart-actix against actix-web's own `DefaultHeaders`
//! and actix-csrf-middleware, each over a no-op actix handler.
//!
//! Every scenario is an actix `App` turned into its service once (as
//! `actix_web::test::init_service` does) and driven in-process: `poll_ready` +
//! `call`, the future polled to completion with a no-op waker (the request
//! payload is in memory, so nothing waits), the response dropped. Requests are
//! built outside the timed region (`make_req`). Each workload has its own
//! baseline app (same handler, no middleware): added ns = scenario - baseline.

use std::future::poll_fn;
use std::rc::Rc;

use actix_http::Request;
use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceFactory, ServiceResponse};
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use actix_web::{web, App, HttpResponse};
use bytes::Bytes;
use rampart::core::csrf::Csrf;
use rampart::core::headers::SecureHeaders;

use crate::block_on;

/// The status, headers and body of one response (setup checks only).
pub type Checked = (StatusCode, HeaderMap, Bytes);

/// One benchmarked actix configuration.
pub struct ActixScenario {
    /// Workload (criterion group), e.g. `actix_w1_headers`.
    pub group: &'static str,
    /// Implementation, e.g. `rampart`, `actix-web DefaultHeaders`, or `baseline`.
    pub name: &'static str,
    /// Builds one request (called outside the timed region).
    pub make_req: Box<dyn Fn() -> Request>,
    /// One request through the app; the response is dropped.
    pub run: Box<dyn Fn(Request)>,
    /// One request through the app; the response is collected (setup only).
    pub check: Box<dyn Fn(Request) -> Checked>,
}

/// The app config of a TLS listener (`AppConfig::secure`), so HSTS is sent
/// and nothing redirects: what `ConnectionInfo::with_tls(true)` is for Tower.
fn tls_config() -> actix_web::dev::AppConfig {
    actix_web::dev::AppConfig::__priv_test_new(
        true,
        "shop.example".to_string(),
        "127.0.0.1:8443".parse().unwrap(),
    )
}

fn plain_config() -> actix_web::dev::AppConfig {
    actix_web::dev::AppConfig::default()
}

/// Builds an app's service (as `test::init_service`, with a chosen config)
/// and wraps it into a scenario.
fn scenario<F, B>(
    group: &'static str,
    name: &'static str,
    app: App<F>,
    config: actix_web::dev::AppConfig,
    make_req: Box<dyn Fn() -> Request>,
) -> ActixScenario
where
    F: ServiceFactory<
            actix_web::dev::ServiceRequest,
            Config = (),
            Response = ServiceResponse<B>,
            Error = actix_web::Error,
            InitError = (),
        > + 'static,
    B: MessageBody + 'static,
{
    use actix_service::IntoServiceFactory;
    let factory = app.into_factory();
    let svc = Rc::new(block_on(factory.new_service(config)).expect("app init"));
    let s = svc.clone();
    let run = Box::new(move |req: Request| {
        drop(block_on(async {
            poll_fn(|cx| s.poll_ready(cx)).await.unwrap();
            s.call(req).await
        }))
    });
    let check = Box::new(move |req: Request| {
        block_on(async {
            poll_fn(|cx| svc.poll_ready(cx)).await.unwrap();
            let res = match svc.call(req).await {
                Ok(res) => res.map_into_boxed_body(),
                Err(e) => ServiceResponse::new(
                    TestRequest::default().to_http_request(),
                    e.error_response(),
                ),
            };
            let status = res.status();
            let headers = res.headers().clone();
            let body = actix_web::body::to_bytes(res.into_body())
                .await
                .map_err(|_| ())
                .unwrap();
            (status, headers, body)
        })
    });
    ActixScenario {
        group,
        name,
        make_req,
        run,
        check,
    }
}

// ---------------------------------------------------------------- handlers

async fn ok() -> &'static str {
    "ok"
}

async fn page_fixed() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(format!(
            "<!doctype html><script nonce=\"{}\">init()</script>",
            crate::FIXED_NONCE
        ))
}

async fn page_rampart(nonce: rampart_actix::CspNonce) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(format!(
            "<!doctype html><script nonce=\"{nonce}\">init()</script>"
        ))
}

/// The app's own form fields; the token fields and padding are ignored.
#[derive(serde::Deserialize)]
struct LoginForm {
    #[allow(dead_code)]
    username: String,
    #[allow(dead_code)]
    password: String,
}

async fn form_only(_f: web::Form<LoginForm>) -> &'static str {
    "ok"
}

// ---------------------------------------------------------------- requests

/// GET over a TLS listener (see [`tls_config`]), public host.
fn https_get() -> Request {
    TestRequest::get()
        .uri("/")
        .insert_header(("host", "shop.example"))
        .insert_header(("accept", "text/html"))
        .to_request()
}

/// Cookies and tokens of both CSRF implementations, so every actix CSRF
/// scenario (baseline included) gets the very same request.
#[derive(Clone, Debug)]
pub struct ActixTokens {
    /// rampart's secret cookie, actix-csrf-middleware's pre-session and token cookies.
    pub cookie: String,
    /// rampart's masked token.
    pub rampart: String,
    /// actix-csrf-middleware's token (the value of its `CSRF-ANON` cookie).
    pub peer: String,
}

fn csrf_base(method: &str) -> TestRequest {
    TestRequest::default()
        .method(method.parse().unwrap())
        .uri("/")
        .insert_header(("host", "localhost"))
        .insert_header(("sec-fetch-site", "same-origin"))
        .insert_header(("origin", "http://localhost"))
        .insert_header(("accept", "text/html"))
}

fn csrf_get(t: &ActixTokens) -> Request {
    csrf_base("GET")
        .insert_header(("cookie", t.cookie.as_str()))
        .to_request()
}

fn csrf_post_header(t: &ActixTokens) -> Request {
    csrf_base("POST")
        .insert_header(("cookie", t.cookie.as_str()))
        .insert_header(("x-csrftoken", t.rampart.as_str()))
        .insert_header(("x-csrf-token", t.peer.as_str()))
        .to_request()
}

/// A 1 KiB urlencoded login form: the app's fields, both token fields, padding.
pub fn form_body(t: &ActixTokens) -> Bytes {
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let mut s = format!(
        "username=alice&password=correct+horse&_csrf_token={}&csrf_token={}&comment=",
        enc(&t.rampart),
        enc(&t.peer)
    );
    while s.len() < 1024 {
        s.push('x');
    }
    Bytes::from(s)
}

fn csrf_post_form(t: &ActixTokens, body: &Bytes) -> Request {
    csrf_base("POST")
        .insert_header(("cookie", t.cookie.as_str()))
        .insert_header(("content-type", "application/x-www-form-urlencoded"))
        .insert_header(("content-length", body.len().to_string()))
        .set_payload(body.clone())
        .to_request()
}

// ------------------------------------------------------------ CSRF configs

fn rampart_csrf() -> rampart_actix::CsrfMiddleware {
    rampart_actix::CsrfMiddleware::new(Csrf::builder().key(&[7; 32]).build().unwrap())
}

const PEER_SECRET: &[u8; 32] = b"bench-secret-key-0123456789abcde";

/// actix-csrf-middleware, double-submit cookie (no session store needed),
/// everything else at its defaults.
fn peer_csrf() -> actix_csrf_middleware::CsrfMiddleware {
    actix_csrf_middleware::CsrfMiddleware::new(
        actix_csrf_middleware::CsrfMiddlewareConfig::double_submit_cookie(PEER_SECRET),
    )
}

/// The same, plus its Origin/Referer enforcement for unsafe methods (closest
/// to rampart's Fetch-Metadata + Origin defence).
fn peer_csrf_origin() -> actix_csrf_middleware::CsrfMiddleware {
    actix_csrf_middleware::CsrfMiddleware::new(
        actix_csrf_middleware::CsrfMiddlewareConfig::double_submit_cookie(PEER_SECRET)
            .with_enforce_origin(true, vec!["http://localhost".to_string()]),
    )
}

fn cookie_pairs(h: &HeaderMap) -> Vec<(String, String)> {
    h.get_all("set-cookie")
        .map(|v| {
            let pair = v.to_str().unwrap().split(';').next().unwrap();
            let (n, v) = pair.split_once('=').unwrap();
            (n.to_string(), v.to_string())
        })
        .collect()
}

/// Obtains a valid cookie + token pair from each implementation, once.
pub fn obtain_tokens() -> ActixTokens {
    let get_req = || {
        TestRequest::get()
            .uri("/")
            .insert_header(("host", "localhost"))
            .to_request()
    };
    let r = scenario(
        "setup",
        "rampart",
        App::new()
            .route(
                "/",
                web::get().to(|t: rampart_actix::CsrfToken| async move { t.masked() }),
            )
            .wrap(rampart_csrf()),
        plain_config(),
        Box::new(get_req),
    );
    let (_, h, body) = (r.check)(get_req());
    let mut cookies = cookie_pairs(&h);
    let rampart = String::from_utf8(body.to_vec()).unwrap();
    let p = scenario(
        "setup",
        "peer",
        App::new()
            .route(
                "/",
                web::get().to(|t: actix_csrf_middleware::CsrfToken| async move { t.0 }),
            )
            .wrap(peer_csrf()),
        plain_config(),
        Box::new(get_req),
    );
    let (_, h, body) = (p.check)(get_req());
    let peer_cookies = cookie_pairs(&h);
    let peer = String::from_utf8(body.to_vec()).unwrap();
    assert!(
        peer_cookies
            .iter()
            .any(|(n, v)| n == "CSRF-ANON" && *v == peer),
        "{peer_cookies:?}"
    );
    cookies.extend(peer_cookies);
    ActixTokens {
        cookie: cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; "),
        rampart,
        peer,
    }
}

// ------------------------------------------------------------------ all of them

/// Every actix scenario, in group order. Panics if one does not produce the
/// expected response.
pub fn scenarios() -> Vec<ActixScenario> {
    let mut out = Vec::new();

    // ---- w1: default security headers over a TLS listener.
    let values: Vec<(HeaderName, HeaderValue)> = SecureHeaders::default()
        .header_values()
        .into_iter()
        .map(|(n, v)| {
            (
                HeaderName::from_bytes(n.as_str().as_bytes()).unwrap(),
                HeaderValue::from_str(&v).unwrap(),
            )
        })
        .collect();
    assert_eq!(values.len(), 12, "rampart's default header set changed");
    let g = "actix_w1_headers";
    let base = || App::new().route("/", web::get().to(ok));
    let req = || -> Box<dyn Fn() -> Request> { Box::new(https_get) };
    out.push(scenario(g, "baseline", base(), tls_config(), req()));
    out.push(scenario(
        g,
        "rampart",
        base().wrap(rampart_actix::SecureHeadersMiddleware::default()),
        tls_config(),
        req(),
    ));
    let mut dh = actix_web::middleware::DefaultHeaders::new();
    for (n, v) in &values {
        dh = dh.add((n.clone(), v.clone()));
    }
    out.push(scenario(
        g,
        "actix-web DefaultHeaders",
        base().wrap(dh),
        tls_config(),
        req(),
    ));

    // ---- w2: headers + seed CSP with a nonce the handler uses (rampart only).
    let g = "actix_w2_csp_nonce";
    let fixed = || App::new().route("/", web::get().to(page_fixed));
    out.push(scenario(g, "baseline", fixed(), tls_config(), req()));
    out.push(scenario(
        g,
        "rampart headers, no CSP",
        fixed().wrap(rampart_actix::SecureHeadersMiddleware::new(
            crate::headers_without_csp(),
        )),
        tls_config(),
        req(),
    ));
    out.push(scenario(
        g,
        "rampart seed CSP, nonce used",
        App::new().route("/", web::get().to(page_rampart)).wrap(
            rampart_actix::SecureHeadersMiddleware::new(crate::seed_headers()),
        ),
        tls_config(),
        req(),
    ));
    out.push(scenario(
        g,
        "rampart seed CSP, nonce unused",
        fixed().wrap(rampart_actix::SecureHeadersMiddleware::new(
            crate::seed_headers(),
        )),
        tls_config(),
        req(),
    ));

    // ---- w3-w5: CSRF.
    let t = obtain_tokens();
    let form = form_body(&t);
    let get_t = {
        let t = t.clone();
        move || -> Box<dyn Fn() -> Request> {
            let t = t.clone();
            Box::new(move || csrf_get(&t))
        }
    };
    let hdr_t = {
        let t = t.clone();
        move || -> Box<dyn Fn() -> Request> {
            let t = t.clone();
            Box::new(move || csrf_post_header(&t))
        }
    };
    let form_t = {
        let t = t.clone();
        move || -> Box<dyn Fn() -> Request> {
            let t = t.clone();
            let b = form.clone();
            Box::new(move || csrf_post_form(&t, &b))
        }
    };
    let plain = || {
        App::new().service(
            web::resource("/")
                .route(web::get().to(ok))
                .route(web::post().to(ok)),
        )
    };

    let g = "actix_w3_csrf_get";
    out.push(scenario(g, "baseline", plain(), plain_config(), get_t()));
    out.push(scenario(
        g,
        "rampart",
        plain().wrap(rampart_csrf()),
        plain_config(),
        get_t(),
    ));
    out.push(scenario(
        g,
        "actix-csrf-middleware",
        plain().wrap(peer_csrf()),
        plain_config(),
        get_t(),
    ));

    let g = "actix_w4_csrf_header";
    out.push(scenario(g, "baseline", plain(), plain_config(), hdr_t()));
    out.push(scenario(
        g,
        "rampart",
        plain().wrap(rampart_csrf()),
        plain_config(),
        hdr_t(),
    ));
    out.push(scenario(
        g,
        "actix-csrf-middleware + Origin check",
        plain().wrap(peer_csrf_origin()),
        plain_config(),
        hdr_t(),
    ));
    out.push(scenario(
        g,
        "actix-csrf-middleware (default config)",
        plain().wrap(peer_csrf()),
        plain_config(),
        hdr_t(),
    ));

    let g = "actix_w5_csrf_form";
    let form_app = || App::new().route("/", web::post().to(form_only));
    out.push(scenario(
        g,
        "baseline",
        form_app(),
        plain_config(),
        form_t(),
    ));
    out.push(scenario(
        g,
        "rampart",
        form_app().wrap(rampart_csrf()),
        plain_config(),
        form_t(),
    ));
    out.push(scenario(
        g,
        "actix-csrf-middleware + Origin check",
        form_app().wrap(peer_csrf_origin()),
        plain_config(),
        form_t(),
    ));
    out.push(scenario(
        g,
        "actix-csrf-middleware (default config)",
        form_app().wrap(peer_csrf()),
        plain_config(),
        form_t(),
    ));

    // Every scenario must succeed as intended.
    let mut w1_rampart: Option<HeaderMap> = None;
    for s in &out {
        let (status, h, body) = (s.check)((s.make_req)());
        assert_eq!(
            status,
            StatusCode::OK,
            "{}/{}: {h:?} {body:?}",
            s.group,
            s.name
        );
        if s.group == "actix_w1_headers" && s.name != "baseline" {
            // 12 security headers + content-type.
            assert_eq!(h.len(), 12 + 1, "{}: {h:?}", s.name);
            match &w1_rampart {
                None => w1_rampart = Some(h.clone()),
                Some(r) => {
                    for (n, v) in r.iter() {
                        assert_eq!(h.get(n), Some(v), "{}: {n}", s.name);
                    }
                }
            }
        }
        if s.group == "actix_w2_csp_nonce" && s.name.ends_with("nonce used") {
            let csp = h.get("content-security-policy").unwrap().to_str().unwrap();
            assert!(csp.contains("'nonce-"), "{}: {csp}", s.name);
            assert!(!String::from_utf8_lossy(&body).contains(crate::FIXED_NONCE));
        } else if s.group == "actix_w2_csp_nonce" && s.name.ends_with("nonce unused") {
            let csp = h.get("content-security-policy").unwrap().to_str().unwrap();
            assert!(!csp.contains("'nonce-"), "{}: {csp}", s.name);
        }
    }
    out
}

/// Each actix CSRF implementation refuses a POST without its token, and a
/// cross-origin POST (so the "ok" results above are real).
pub fn check_refusals() {
    let t = obtain_tokens();
    let no_token = {
        let t = t.clone();
        move || {
            csrf_base("POST")
                .insert_header(("cookie", t.cookie.as_str()))
                .to_request()
        }
    };
    let cross = {
        let t = t.clone();
        move || {
            TestRequest::post()
                .uri("/")
                .insert_header(("host", "localhost"))
                .insert_header(("origin", "http://evil.example"))
                .insert_header(("cookie", t.cookie.as_str()))
                .insert_header(("x-csrftoken", t.rampart.as_str()))
                .insert_header(("x-csrf-token", t.peer.as_str()))
                .to_request()
        }
    };
    let app = || App::new().route("/", web::post().to(ok));
    let r = scenario(
        "c",
        "rampart",
        app().wrap(rampart_csrf()),
        plain_config(),
        Box::new(no_token.clone()),
    );
    assert_eq!((r.check)(no_token()).0, StatusCode::FORBIDDEN);
    assert_eq!((r.check)(cross()).0, StatusCode::FORBIDDEN);
    for mw in [peer_csrf(), peer_csrf_origin()] {
        let p = scenario(
            "c",
            "peer",
            app().wrap(mw),
            plain_config(),
            Box::new(no_token.clone()),
        );
        let s = (p.check)(no_token()).0;
        assert!(s.is_client_error(), "{s}");
    }
    let p = scenario(
        "c",
        "peer",
        app().wrap(peer_csrf_origin()),
        plain_config(),
        Box::new(no_token.clone()),
    );
    let s = (p.check)(cross()).0;
    assert!(s.is_client_error(), "{s}");
}
