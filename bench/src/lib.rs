//! Shared scenarios for the criterion benches (`benches/layers.rs`) and the
//! allocation counter (`src/bin/allocs.rs`).
//!
//! Every scenario is an axum [`Router`] with a no-op (or near no-op) handler,
//! wrapped in one protection layer (rampart's or a peer's) and driven
//! in-process: `poll_ready` + `call` on the router, the future polled to
//! completion with a no-op waker (every body here is in memory, so nothing
//! ever waits), and the response dropped. A scenario's request is built by a
//! closure outside the timed region. Each workload has its own baseline
//! router with the same handler and no layer, so "added ns" = layer - baseline.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Request, Response, StatusCode};
use axum::response::Html;
use axum::routing::{get, post};
use axum::{Form, Router};
use bytes::Bytes;
use http_body_util::BodyExt;
use rampart::core::csp::Csp;
use rampart::core::csrf::Csrf;
use rampart::core::headers::SecureHeaders;
use rampart::core::ConnectionInfo;
use tower::{Layer, Service, ServiceBuilder};

pub mod actix;
pub mod bare;

/// One benchmarked configuration.
pub struct Scenario {
    /// Workload (criterion group), e.g. `w1_headers`.
    pub group: &'static str,
    /// Implementation, e.g. `rampart`, `tower-http`, or `baseline`.
    pub name: &'static str,
    /// One request through the service under test (an axum [`Router`], or a
    /// layer over [`Noop`]), future driven to completion.
    pub call: Box<dyn FnMut(Request<Body>) -> Response<Body>>,
    /// Builds one request (called outside the timed region).
    pub make_req: Box<dyn Fn() -> Request<Body>>,
}

/// Polls a future that never waits to completion.
pub fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// One request through the router; returns the response.
pub fn run(router: &mut Router, req: Request<Body>) -> Response<Body> {
    block_on(async {
        std::future::poll_fn(|cx| <Router as Service<Request<Body>>>::poll_ready(router, cx))
            .await
            .unwrap();
        router.call(req).await.unwrap()
    })
}

/// One request through any service whose future never waits.
pub fn run_service<S>(svc: &mut S, req: Request<Body>) -> Response<Body>
where
    S: Service<Request<Body>, Response = Response<Body>>,
    S::Error: std::fmt::Debug,
{
    block_on(async {
        std::future::poll_fn(|cx| svc.poll_ready(cx)).await.unwrap();
        svc.call(req).await.unwrap()
    })
}

/// The no-op service of issues 2 and 4 ("over a no-op service"): an empty
/// 200 response for any request, no router in between.
#[derive(Clone, Copy, Debug)]
pub struct Noop;

impl<R> Service<R> for Noop {
    type Response = Response<Body>;
    type Error = std::convert::Infallible;
    type Future = std::future::Ready<Result<Response<Body>, Self::Error>>;
    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }
    fn call(&mut self, _: R) -> Self::Future {
        std::future::ready(Ok(Response::new(Body::empty())))
    }
}

/// A scenario's `call` over a router.
fn routed(mut router: Router) -> Box<dyn FnMut(Request<Body>) -> Response<Body>> {
    Box::new(move |req| run(&mut router, req))
}

/// A scenario's `call` over any service.
fn served<S>(mut svc: S) -> Box<dyn FnMut(Request<Body>) -> Response<Body>>
where
    S: Service<Request<Body>, Response = Response<Body>> + 'static,
    S::Error: std::fmt::Debug,
{
    Box::new(move |req| run_service(&mut svc, req))
}

/// Collects a response body (setup only).
pub fn body_string(res: Response<Body>) -> String {
    let bytes = block_on(res.into_body().collect()).unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

// ---------------------------------------------------------------- handlers

async fn ok() -> &'static str {
    "ok"
}

pub const FIXED_NONCE: &str = "AAAAAAAAAAAAAAAAAAAAAA";

fn page(nonce: &dyn std::fmt::Display) -> Html<String> {
    Html(format!(
        "<!doctype html><script nonce=\"{nonce}\">init()</script>"
    ))
}

async fn page_fixed() -> Html<String> {
    page(&FIXED_NONCE)
}

async fn page_rampart(nonce: rampart::CspNonce) -> Html<String> {
    page(&nonce)
}

async fn page_sombrero(nonce: tower_sombrero::csp::CspNonce) -> Html<String> {
    page(&nonce.0)
}

/// The app's own form fields; unknown fields (the CSRF tokens, padding) are ignored.
#[derive(serde::Deserialize)]
struct LoginForm {
    #[allow(dead_code)]
    username: String,
    #[allow(dead_code)]
    password: String,
}

async fn form_only(Form(_f): Form<LoginForm>) -> &'static str {
    "ok"
}

// ------------------------------------------------------------ header values

/// The least a layer doing issue 2's or issue 4's job must do per request,
/// written as plainly as Tower allows, to measure the floor under their targets:
/// - one request extension holding a shared handle (`Arc`): how a handler's
///   extractor reaches the per-request state the response side reads (CSP
///   nonces, the facts a proxy-trusting outer layer worked out, a CSRF token
///   that sets its cookie only if rendered);
/// - the headers layer's response gets a prebuilt map with `'static` names and
///   values (the cheapest clone `http` has) in place of its empty one.
///
/// Nothing is computed: no facts, no redirect, no cookie hardening, no nonce.
pub mod floor {
    use super::*;
    use std::sync::Arc;

    /// The floor layer over `inner`: `extension` inserts one `Arc` handle;
    /// `map` replaces the response headers with a clone of it.
    pub fn service<S>(
        extension: bool,
        map: Option<HeaderMap>,
        inner: S,
    ) -> impl Service<Request<Body>, Response = Response<Body>, Error = S::Error>
    where
        S: Service<Request<Body>, Response = Response<Body>>,
    {
        let map = map.map(Arc::new);
        ServiceBuilder::new()
            .map_request(move |mut req: Request<Body>| {
                if extension {
                    req.extensions_mut().insert(Arc::new([0u64; 8]));
                }
                req
            })
            .map_response(move |mut res: Response<Body>| {
                if let Some(m) = &map {
                    *res.headers_mut() = HeaderMap::clone(m);
                }
                res
            })
            .service(inner)
    }

    /// The CSRF floor for issue 4's own requirements: a handler's `CsrfToken`
    /// writes per-request state that the response side reads (the cookie is set
    /// only when a token was rendered), so the handle is shared: one clone
    /// rides in the request extensions, the other waits in the response future,
    /// which reads a flag from it. Nothing else: no configuration, no cookie
    /// header, no secure flag.
    pub fn shared_handle<S>(inner: S) -> SharedHandle<S> {
        SharedHandle(inner)
    }

    /// See [`shared_handle`].
    #[derive(Clone)]
    pub struct SharedHandle<S>(S);

    impl<S> Service<Request<Body>> for SharedHandle<S>
    where
        S: Service<Request<Body>, Response = Response<Body>>,
        S::Future: Unpin,
    {
        type Response = Response<Body>;
        type Error = S::Error;
        type Future = SharedFuture<S::Future>;

        fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
            self.0.poll_ready(cx)
        }

        fn call(&mut self, mut req: Request<Body>) -> Self::Future {
            let handle = Arc::new(std::sync::atomic::AtomicBool::new(false));
            req.extensions_mut().insert(handle.clone());
            SharedFuture {
                fut: self.0.call(req),
                handle,
            }
        }
    }

    /// The response side of [`SharedHandle`].
    pub struct SharedFuture<F> {
        fut: F,
        handle: Arc<std::sync::atomic::AtomicBool>,
    }

    impl<F, E> Future for SharedFuture<F>
    where
        F: Future<Output = Result<Response<Body>, E>> + Unpin,
    {
        type Output = F::Output;
        fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
            let res = std::task::ready!(std::pin::Pin::new(&mut self.fut).poll(cx));
            if self.handle.load(std::sync::atomic::Ordering::Acquire) {
                unreachable!("nothing renders a token here");
            }
            Poll::Ready(res)
        }
    }

    /// rampart's default set on a secure response (12 headers, HSTS among them) as a map
    /// of `'static` names and values.
    pub fn default_map() -> HeaderMap {
        let mut m = HeaderMap::new();
        for (n, v) in SecureHeaders::default().header_values() {
            let name: &'static str = Box::leak(n.as_str().to_owned().into_boxed_str());
            let value: &'static str = Box::leak(v.into_boxed_str());
            m.insert(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        m
    }
}

/// rampart's default secure-response header set, as (name, value) pairs:
/// what the peers are configured with in workload 1.
pub fn default_header_values() -> Vec<(HeaderName, HeaderValue)> {
    SecureHeaders::default()
        .header_values()
        .into_iter()
        .map(|(n, v)| (n, HeaderValue::from_str(&v).unwrap()))
        .collect()
}

/// The seed app's CSP, compiled (nonce in script-src and script-src-elem):
/// the very configuration of the seed app, read from its shared file.
pub fn seed_csp() -> Csp {
    seed_shared::seed_csp(&seed_shared::SeedConfig::default()).unwrap()
}

// The seed app's configuration, shared rather than copied.
use rampart_seed::shared as seed_shared;

/// rampart's default header set with the seed CSP in place of the default one.
pub fn seed_headers() -> SecureHeaders {
    SecureHeaders::builder()
        .compiled_csp(seed_csp())
        .build()
        .unwrap()
}

/// rampart's default header set without any CSP (to isolate the CSP's cost).
pub fn headers_without_csp() -> SecureHeaders {
    SecureHeaders::builder().csp(None).build().unwrap()
}

// ---------------------------------------------------------------- requests

/// The request as hyper hands it to a service: the target and every header
/// value are slices of one shared read buffer, so cloning one is a refcount
/// increment. (A value built with `Request::builder` owns unique bytes whose
/// first clone allocates, a cost no server request has.) Applied to every
/// scenario's request, baseline included, outside the measured service call.
pub fn as_from_wire(req: Request<Body>) -> Request<Body> {
    fn shared(b: &[u8]) -> Bytes {
        // `slice` turns the uniquely owned buffer into a shared one.
        Bytes::copy_from_slice(b).slice(..)
    }
    let (mut parts, body) = req.into_parts();
    for value in parts.headers.values_mut() {
        let wire = HeaderValue::from_maybe_shared(shared(value.as_bytes()))
            .expect("a valid value stays valid");
        *value = wire;
    }
    parts.uri = http::Uri::from_maybe_shared(shared(parts.uri.to_string().as_bytes()))
        .expect("a valid target stays valid");
    Request::from_parts(parts, body)
}

/// A GET over https-equivalent (TLS flagged in the extensions): no redirect, HSTS sent.
fn https_get() -> Request<Body> {
    let mut req = Request::get("/")
        .header("host", "shop.example")
        .header("accept", "text/html")
        .body(Body::empty())
        .unwrap();
    req.extensions_mut()
        .insert(ConnectionInfo::default().with_tls(true));
    req
}

/// Everything a client of each CSRF implementation sends, so that every CSRF
/// scenario (baseline included) gets the very same request.
#[derive(Clone, Debug)]
pub struct Tokens {
    /// All cookies: rampart's secret, tower-surf's token, axum_csrf's encrypted value.
    pub cookie: String,
    /// rampart's masked token.
    pub rampart: String,
    /// tower-surf's token (equal to its cookie value).
    pub surf: String,
    /// axum_csrf's authenticity token.
    pub axum_csrf: String,
}

fn csrf_base(method: &str) -> http::request::Builder {
    Request::builder()
        .method(method)
        .uri("/")
        .header("host", "localhost")
        .header("sec-fetch-site", "same-origin")
        .header("origin", "http://localhost")
        .header("accept", "text/html")
}

fn csrf_get(t: &Tokens) -> Request<Body> {
    csrf_base("GET")
        .header("cookie", &t.cookie)
        .body(Body::empty())
        .unwrap()
}

fn csrf_post_header(t: &Tokens) -> Request<Body> {
    csrf_base("POST")
        .header("cookie", &t.cookie)
        .header("x-csrftoken", &t.rampart)
        .header("x-csrf-token", &t.surf)
        .header("x-axum-csrf", &t.axum_csrf)
        .body(Body::empty())
        .unwrap()
}

/// A 1 KiB urlencoded login form: the app's fields, both token fields, padding.
pub fn form_body(t: &Tokens) -> Bytes {
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let mut s = format!(
        "username=alice&password=correct+horse&_csrf_token={}&authenticity_token={}&comment=",
        enc(&t.rampart),
        enc(&t.axum_csrf)
    );
    while s.len() < 1024 {
        s.push('x');
    }
    Bytes::from(s)
}

fn csrf_post_form(t: &Tokens, body: &Bytes) -> Request<Body> {
    csrf_base("POST")
        .header("cookie", &t.cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("content-length", body.len())
        .body(Body::from(body.clone()))
        .unwrap()
}

const BOUNDARY: &str = "----rampartbenchboundary7MA4YWxkTrZu0gW";

/// A multipart form: the token field first, then a 1 KiB file part.
pub fn multipart_body(t: &Tokens) -> Bytes {
    let mut s = String::new();
    s.push_str(&format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"_csrf_token\"\r\n\r\n{}\r\n",
        t.rampart
    ));
    s.push_str(&format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nalice\r\n"
    ));
    s.push_str(&format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"avatar\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\n{}\r\n",
        "y".repeat(1024)
    ));
    s.push_str(&format!("--{BOUNDARY}--\r\n"));
    Bytes::from(s)
}

fn csrf_post_multipart(t: &Tokens, body: &Bytes) -> Request<Body> {
    csrf_base("POST")
        .header("cookie", &t.cookie)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header("content-length", body.len())
        .body(Body::from(body.clone()))
        .unwrap()
}

// ------------------------------------------------------------ CSRF routers

fn rampart_csrf() -> rampart::CsrfLayer {
    rampart::CsrfLayer::new(Csrf::builder().key(&[7; 32]).build().unwrap())
}

fn surf_layer() -> tower_surf::Surf {
    tower_surf::Surf::new("bench-secret-key-0123456789abcdef")
        .secure(false)
        .hsts(false)
}

fn set_cookie_pairs(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .collect()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 3 <= b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

/// The axum_csrf state shared by setup and the benched routers (its key and
/// salt are random per config, so the same config must be used throughout).
fn axum_csrf_config() -> axum_csrf::CsrfConfig {
    axum_csrf::CsrfConfig::default()
}

/// Obtains a valid cookie + token pair from each implementation, once.
fn obtain_tokens(ac: &axum_csrf::CsrfConfig) -> Tokens {
    let get_req = || {
        Request::get("/")
            .header("host", "localhost")
            .body(Body::empty())
            .unwrap()
    };
    // rampart: a page that renders the token.
    let mut r: Router = Router::new()
        .route("/", get(|t: rampart::CsrfToken| async move { t.masked() }))
        .layer(rampart_csrf());
    let res = run(&mut r, get_req());
    let rampart_cookies = set_cookie_pairs(res.headers());
    let rampart_token = body_string(res);
    // tower-surf: the cookie is the token.
    let mut s: Router = Router::new().route("/", get(ok)).layer(surf_layer());
    let res = run(&mut s, get_req());
    let surf_cookies = set_cookie_pairs(res.headers());
    let surf_token = percent_decode(surf_cookies[0].split_once('=').unwrap().1);
    // axum_csrf: the handler returns the token so the cookie is set.
    let mut a: Router = Router::new()
        .route(
            "/",
            get(|t: axum_csrf::CsrfToken| async move {
                let auth = t.authenticity_token().unwrap();
                (t, auth)
            }),
        )
        .with_state(ac.clone());
    let res = run(&mut a, get_req());
    let ac_cookies = set_cookie_pairs(res.headers());
    let ac_token = body_string(res);
    let cookie = rampart_cookies
        .iter()
        .chain(&surf_cookies)
        .chain(&ac_cookies)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    Tokens {
        cookie,
        rampart: rampart_token,
        surf: surf_token,
        axum_csrf: ac_token,
    }
}

async fn axum_csrf_header(
    token: axum_csrf::CsrfToken,
    headers: HeaderMap,
) -> (StatusCode, &'static str) {
    let submitted = headers
        .get("x-axum-csrf")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    match token.verify(submitted) {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(_) => (StatusCode::FORBIDDEN, "bad token"),
    }
}

#[derive(serde::Deserialize)]
struct LoginFormWithToken {
    #[allow(dead_code)]
    username: String,
    #[allow(dead_code)]
    password: String,
    authenticity_token: String,
}

async fn axum_csrf_form(
    token: axum_csrf::CsrfToken,
    Form(f): Form<LoginFormWithToken>,
) -> (StatusCode, &'static str) {
    match token.verify(&f.authenticity_token) {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(_) => (StatusCode::FORBIDDEN, "bad token"),
    }
}

async fn axum_csrf_get(State(_c): State<axum_csrf::CsrfConfig>) -> &'static str {
    "ok"
}

// ------------------------------------------------------------------ all of them

macro_rules! tower_http_stack {
    ($v:expr; $($i:literal)*) => {{
        let v = &$v;
        ServiceBuilder::new()
            $(.layer(tower_http::set_header::SetResponseHeaderLayer::if_not_present(
                v[$i].0.clone(),
                v[$i].1.clone(),
            )))*
    }};
}

/// Every scenario, in group order. Panics if a scenario does not produce the
/// expected response (wrong token, redirect, missing header...).
pub fn scenarios() -> Vec<Scenario> {
    let mut out = Vec::new();
    let mut add = |group, name, router: Router, make_req: Box<dyn Fn() -> Request<Body>>| {
        out.push(Scenario {
            group,
            name,
            call: routed(router),
            make_req: Box::new(move || as_from_wire(make_req())),
        })
    };

    // ---- w1: default security headers, over https-equivalent.
    let values = default_header_values();
    assert_eq!(values.len(), 12, "rampart's default header set changed");
    let base = || Router::new().route("/", get(ok));
    add("w1_headers", "baseline", base(), Box::new(https_get));
    add(
        "w1_headers",
        "rampart",
        base().layer(rampart::SecureHeadersLayer::default()),
        Box::new(https_get),
    );
    add(
        "w1_headers",
        "tower-http SetResponseHeader x12",
        base().layer(tower_http_stack!(values; 0 1 2 3 4 5 6 7 8 9 10 11)),
        Box::new(https_get),
    );
    add(
        "w1_headers",
        "tower-http SetMultipleResponseHeaders",
        base().layer(
            tower_http::set_header::response::SetMultipleResponseHeadersLayer::if_not_present(
                values
                    .iter()
                    .map(|(n, v)| (n.clone(), v.clone()).into())
                    .collect(),
            ),
        ),
        Box::new(https_get),
    );
    let mut helmet = axum_helmet::Helmet::new();
    for (n, v) in &values {
        let name: &'static str = Box::leak(n.as_str().to_string().into_boxed_str());
        helmet = helmet.add((name, v.to_str().unwrap().to_string()));
    }
    add(
        "w1_headers",
        "axum-helmet (helmet-core)",
        base().layer(axum_helmet::HelmetLayer::try_from(helmet).unwrap()),
        Box::new(https_get),
    );
    let mut th = tower_helmet::HelmetLayer::blank();
    for (n, v) in &values {
        th.enable(RawHeader(n.clone(), v.clone()));
    }
    add(
        "w1_headers",
        "tower-helmet",
        base().layer(th),
        Box::new(https_get),
    );

    // ---- w2: headers + seed CSP with a nonce the handler uses.
    let fixed = || Router::new().route("/", get(page_fixed));
    add("w2_csp_nonce", "baseline", fixed(), Box::new(https_get));
    add(
        "w2_csp_nonce",
        "rampart headers, no CSP",
        fixed().layer(rampart::SecureHeadersLayer::new(headers_without_csp())),
        Box::new(https_get),
    );
    // The control for the CSP's share: no CSP, but the request scope shared as
    // with a nonce policy (a trusted proxy is the other reason to share it; the
    // bench request comes from no peer, so nothing else changes).
    add(
        "w2_csp_nonce",
        "rampart headers, no CSP, scope shared",
        fixed().layer(rampart::SecureHeadersLayer::new(
            SecureHeaders::builder()
                .csp(None)
                .proxy_trust(rampart::core::ProxyTrust::loopback(
                    rampart::core::ProxyHeaders::X_FORWARDED,
                ))
                .build()
                .unwrap(),
        )),
        Box::new(https_get),
    );
    add(
        "w2_csp_nonce",
        "rampart seed CSP, nonce used",
        Router::new()
            .route("/", get(page_rampart))
            .layer(rampart::SecureHeadersLayer::new(seed_headers())),
        Box::new(https_get),
    );
    add(
        "w2_csp_nonce",
        "rampart seed CSP, nonce unused",
        fixed().layer(rampart::SecureHeadersLayer::new(seed_headers())),
        Box::new(https_get),
    );
    add(
        "w2_csp_nonce",
        "tower-sombrero",
        Router::new()
            .route("/", get(page_sombrero))
            .layer(sombrero_seed()),
        Box::new(https_get),
    );

    // ---- w3-w6: CSRF.
    let ac = axum_csrf_config();
    let t = obtain_tokens(&ac);
    let form = form_body(&t);
    let multi = multipart_body(&t);
    let get_t = {
        let t = t.clone();
        move || csrf_get(&t)
    };
    let hdr_t = {
        let t = t.clone();
        move || csrf_post_header(&t)
    };
    let form_t = {
        let t = t.clone();
        let b = form.clone();
        move || csrf_post_form(&t, &b)
    };
    let multi_t = {
        let t = t.clone();
        let b = multi.clone();
        move || csrf_post_multipart(&t, &b)
    };
    let plain = || Router::new().route("/", get(ok).post(ok));

    // w3: safe method pass-through
    add("w3_csrf_get", "baseline", plain(), Box::new(get_t.clone()));
    add(
        "w3_csrf_get",
        "rampart",
        plain().layer(rampart_csrf()),
        Box::new(get_t.clone()),
    );
    add(
        "w3_csrf_get",
        "tower-http CsrfLayer",
        plain().layer(tower_http::csrf::CsrfLayer::new()),
        Box::new(get_t.clone()),
    );
    add(
        "w3_csrf_get",
        "tower-surf",
        plain().layer(surf_layer()),
        Box::new(get_t.clone()),
    );
    add(
        "w3_csrf_get",
        "axum_csrf (handler does not ask)",
        Router::new()
            .route("/", get(axum_csrf_get))
            .with_state(ac.clone()),
        Box::new(get_t.clone()),
    );

    // w4: POST, token in a header
    add(
        "w4_csrf_header",
        "baseline",
        plain(),
        Box::new(hdr_t.clone()),
    );
    add(
        "w4_csrf_header",
        "rampart",
        plain().layer(rampart_csrf()),
        Box::new(hdr_t.clone()),
    );
    add(
        "w4_csrf_header",
        "tower-http CsrfLayer (no token)",
        plain().layer(tower_http::csrf::CsrfLayer::new()),
        Box::new(hdr_t.clone()),
    );
    add(
        "w4_csrf_header",
        "tower-surf",
        plain().layer(surf_layer()),
        Box::new(hdr_t.clone()),
    );
    add(
        "w4_csrf_header",
        "axum_csrf (verify in handler)",
        Router::new()
            .route("/", post(axum_csrf_header))
            .with_state(ac.clone()),
        Box::new(hdr_t.clone()),
    );

    // w5: POST, token in a 1 KiB urlencoded form; the handler parses its own fields.
    let form_app = || Router::new().route("/", post(form_only));
    add(
        "w5_csrf_form",
        "baseline",
        form_app(),
        Box::new(form_t.clone()),
    );
    add(
        "w5_csrf_form",
        "rampart",
        form_app().layer(rampart_csrf()),
        Box::new(form_t.clone()),
    );
    add(
        "w5_csrf_form",
        "axum_csrf (verify in handler)",
        Router::new()
            .route("/", post(axum_csrf_form))
            .with_state(ac.clone()),
        Box::new(form_t.clone()),
    );

    // w6: POST, token in a multipart body (rampart only); the handler ignores the body.
    add(
        "w6_csrf_multipart",
        "baseline",
        plain(),
        Box::new(multi_t.clone()),
    );
    add(
        "w6_csrf_multipart",
        "rampart",
        plain().layer(rampart_csrf()),
        Box::new(multi_t.clone()),
    );

    // n1, n3: issues 2 and 4 measure over a no-op service, no router: the
    // default header set (https) and the CSRF safe-method pass-through.
    let mut add_noop = |group, name, call, make_req: Box<dyn Fn() -> Request<Body>>| {
        out.push(Scenario {
            group,
            name,
            call,
            make_req: Box::new(move || as_from_wire(make_req())),
        })
    };
    add_noop(
        "n1_headers_noop",
        "baseline",
        served(Noop),
        Box::new(https_get),
    );
    add_noop(
        "n1_headers_noop",
        "rampart",
        served(rampart::SecureHeadersLayer::default().layer(Noop)),
        Box::new(https_get),
    );
    add_noop(
        "n1_headers_noop",
        "tower-http SetResponseHeader x12",
        served(tower_http_stack!(values; 0 1 2 3 4 5 6 7 8 9 10 11).service(Noop)),
        Box::new(https_get),
    );
    add_noop(
        "n3_csrf_get_noop",
        "baseline",
        served(Noop),
        Box::new(get_t.clone()),
    );
    add_noop(
        "n3_csrf_get_noop",
        "rampart",
        served(rampart_csrf().layer(Noop)),
        Box::new(get_t.clone()),
    );
    add_noop(
        "n3_csrf_get_noop",
        "tower-http CsrfLayer",
        served(tower_http::csrf::CsrfLayer::new().layer(Noop)),
        Box::new(get_t.clone()),
    );
    // Floors: the least any layer doing the job must do (see `floor`).
    add_noop(
        "n1_headers_noop",
        "floor: 1 extension + prebuilt 12-header map",
        served(floor::service(true, Some(floor::default_map()), Noop)),
        Box::new(https_get),
    );
    add_noop(
        "n1_headers_noop",
        "floor: prebuilt 12-header map",
        served(floor::service(false, Some(floor::default_map()), Noop)),
        Box::new(https_get),
    );
    add_noop(
        "n3_csrf_get_noop",
        "floor: 1 extension",
        served(floor::service(true, None, Noop)),
        Box::new(get_t.clone()),
    );
    add_noop(
        "n3_csrf_get_noop",
        "floor: 1 shared handle",
        served(floor::shared_handle(Noop)),
        Box::new(get_t.clone()),
    );

    // Every scenario must succeed as intended.
    for s in &mut out {
        let res = (s.call)((s.make_req)());
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "{}/{}: {:?}",
            s.group,
            s.name,
            res.headers()
        );
        if (s.group == "w1_headers" || s.group == "n1_headers_noop") && s.name != "baseline" {
            assert_eq!(
                res.headers().len(),
                // The router's "ok" adds content-type and content-length.
                12 + if s.group == "w1_headers" { 2 } else { 0 },
                "{}: {:?}",
                s.name,
                res.headers()
            );
        }
        if s.group == "w2_csp_nonce" && s.name.ends_with("nonce used") {
            let csp = res.headers()["content-security-policy"].to_str().unwrap();
            assert!(csp.contains("'nonce-"), "{}: {csp}", s.name);
            let body = body_string(res);
            assert!(!body.contains(FIXED_NONCE), "{}", s.name);
        } else if s.group == "w2_csp_nonce" && s.name.ends_with("nonce unused") {
            let csp = res.headers()["content-security-policy"].to_str().unwrap();
            assert!(!csp.contains("'nonce-"), "{}: {csp}", s.name);
        }
    }
    out
}

/// A rejected request must not reach the handler: check each CSRF scenario
/// refuses a request without its token (so the "ok" results above are real).
pub fn check_refusals() {
    let ac = axum_csrf_config();
    let t = obtain_tokens(&ac);
    let no_token = || {
        csrf_base("POST")
            .header("cookie", &t.cookie)
            .body(Body::empty())
            .unwrap()
    };
    let mut r: Router = Router::new().route("/", post(ok)).layer(rampart_csrf());
    assert_eq!(run(&mut r, no_token()).status(), StatusCode::FORBIDDEN);
    let mut s: Router = Router::new().route("/", post(ok)).layer(surf_layer());
    assert_eq!(run(&mut s, no_token()).status(), StatusCode::FORBIDDEN);
    let mut a: Router = Router::new()
        .route("/", post(axum_csrf_header))
        .with_state(ac);
    assert_eq!(run(&mut a, no_token()).status(), StatusCode::FORBIDDEN);
}

/// tower-sombrero configured like the seed app: the seed CSP with a nonce in
/// script-src and script-src-elem, referrer policy and DNS prefetch as rampart's.
pub fn sombrero_seed() -> tower_sombrero::Sombrero {
    use tower_sombrero::headers::CspSource as S;
    use tower_sombrero::headers::{ContentSecurityPolicy, ReferrerPolicy, XDnsPrefetchControl};
    let host = |h: &str| S::Host(h.to_string());
    let script = vec![
        S::SelfOrigin,
        host("*.fontawesome.com"),
        host("*.herokuapp.com"),
        host("*.jquery.com"),
        host("*.jsdelivr.net"),
        S::Nonce,
    ];
    let csp = ContentSecurityPolicy::new_empty()
        .base_uri(vec![S::SelfOrigin])
        .default_src(vec![
            S::SelfOrigin,
            host("*.fontawesome.com"),
            host("*.herokuapp.com"),
            host("*.jsdelivr.net"),
        ])
        .img_src(vec![host("*")])
        .script_src(script.clone())
        .script_src_elem(script);
    tower_sombrero::Sombrero::default()
        .content_security_policy(csp)
        .referrer_policy(ReferrerPolicy::StrictOriginWhenCrossOrigin)
        .x_dns_prefetch_control(XDnsPrefetchControl::Off)
}

/// A (name, value) pair as a tower-helmet header.
struct RawHeader(HeaderName, HeaderValue);

impl tower_helmet::IntoHeader for RawHeader {
    fn header_name(&self) -> HeaderName {
        self.0.clone()
    }
    fn header_value(&self) -> Result<HeaderValue, http::header::InvalidHeaderValue> {
        Ok(self.1.clone())
    }
}

/// Micro-benchmark helpers: the CSP header alone, without Tower.
pub mod csp_only {
    use super::*;

    /// Writes the seed CSP (with or without a used nonce) into an empty header map.
    pub fn write(csp: &Csp, with_nonce: bool) -> HeaderMap {
        let mut h = HeaderMap::new();
        if with_nonce {
            let n = csp.new_request_nonces().unwrap();
            std::hint::black_box(n.script().value());
            csp.write_headers(&mut h, Some(&n), true);
        } else {
            csp.write_headers(&mut h, None, true);
        }
        h
    }
}
