//! The HTTPS redirect through a real axum Router: who may report the scheme,
//! 301/308, the https port, exemptions, loopback hosts and allowed hosts.
mod common;

use std::sync::atomic::Ordering;

use axum::body::Body;
use axum::Router;
use common::headers_app::*;
use common::*;
use http::{Request, StatusCode};
use rampart::core::csp::{Csp, Policy};
use rampart::core::headers::{HttpsRedirect, SecureHeaders};
use rampart::core::Exemptions;
use rampart::SecureHeadersLayer;

// Differing from Talisman: X-Forwarded-Proto counts only from a trusted proxy.
#[tokio::test]
async fn forwarded_proto_counts_only_from_a_trusted_proxy() {
    let mk = || {
        Request::get("/")
            .header("host", "shop.example")
            .header("x-forwarded-proto", "https")
            .body(Body::empty())
            .unwrap()
    };
    let res = send(&default_app(), mk(), PROXY, HTTP).await;
    assert_eq!(res.status(), 200);
    assert!(header(&res, "strict-transport-security").is_some());
    // Talisman trusts any client here; rampart redirects and sends no HSTS.
    let res = send(&default_app(), mk(), CLIENT, HTTP).await;
    assert_eq!(res.status(), 301);
    assert_eq!(header(&res, "strict-transport-security"), None);
}

// Plain http is redirected permanently, host/path/query kept.
#[tokio::test]
async fn plain_http_redirects_get_with_301_and_other_methods_with_308() {
    let res = send(
        &default_app(),
        get_req("/a/b?q=1", "shop.example"),
        CLIENT,
        HTTP,
    )
    .await;
    assert_eq!(res.status(), StatusCode::MOVED_PERMANENTLY);
    assert_eq!(
        header(&res, "location"),
        Some("https://shop.example/a/b?q=1")
    );
    let res = send(
        &default_app(),
        Request::head("/")
            .header("host", "shop.example")
            .body(Body::empty())
            .unwrap(),
        CLIENT,
        HTTP,
    )
    .await;
    assert_eq!(res.status(), 301);
}

// Differing from Talisman (302 loses POST bodies): 308 keeps method and body.
#[tokio::test]
async fn post_redirects_with_308_and_handler_never_runs() {
    let (handler, hits) = counting_post("ran");
    let app = Router::new()
        .route("/submit", handler)
        .layer(SecureHeadersLayer::default());
    for method in ["POST", "PUT", "DELETE", "PATCH"] {
        let req = Request::builder()
            .method(method)
            .uri("/submit")
            .header("host", "shop.example")
            .body(Body::from("a=1"))
            .unwrap();
        let res = send(&app, req, CLIENT, HTTP).await;
        assert_eq!(res.status(), StatusCode::PERMANENT_REDIRECT, "{method}");
        assert_eq!(
            header(&res, "location"),
            Some("https://shop.example/submit")
        );
    }
    assert_eq!(hits.load(Ordering::SeqCst), 0);
}

// Differing from Talisman: the http port is not carried over to https; the configured https port is used.
#[tokio::test]
async fn redirect_uses_the_configured_https_port() {
    let app = app_with(
        SecureHeaders::builder().https_redirect(HttpsRedirect::default().https_port(8443)),
    );
    let res = send(&app, get_req("/a?q=1", "shop.example:8080"), CLIENT, HTTP).await;
    assert_eq!(
        header(&res, "location"),
        Some("https://shop.example:8443/a?q=1")
    );
    let res = send(
        &default_app(),
        get_req("/a?q=1", "shop.example:8080"),
        CLIENT,
        HTTP,
    )
    .await;
    assert_eq!(header(&res, "location"), Some("https://shop.example/a?q=1"));
}

// Redirect off.
#[tokio::test]
async fn a_disabled_redirect_serves_plain_http() {
    let app = app_with(SecureHeaders::builder().https_redirect(HttpsRedirect::disabled()));
    let res = send(&app, get_req("/", "shop.example"), CLIENT, HTTP).await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "strict-transport-security"), None);
}

// Per-route skip of the redirect, as exempt paths (the redirect runs before routing).
#[tokio::test]
async fn exempt_paths_and_predicate_skip_the_redirect() {
    let app = app_with(
        SecureHeaders::builder().https_redirect(
            HttpsRedirect::default().exempt(
                Exemptions::new()
                    .path_prefix("/health")
                    .when(|p| p.headers.contains_key("x-internal-probe")),
            ),
        ),
    );
    let res = send(&app, get_req("/health", "shop.example"), CLIENT, HTTP).await;
    assert_eq!(res.status(), 200);
    assert_eq!(body_string(res).await, "ok");
    // segment boundary: /healthz is not exempt
    assert_eq!(
        send(&app, get_req("/healthz", "shop.example"), CLIENT, HTTP)
            .await
            .status(),
        301
    );
    let probe = Request::get("/")
        .header("host", "shop.example")
        .header("x-internal-probe", "1")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, probe, CLIENT, HTTP).await.status(), 200);
}

// Loopback hosts are never redirected, so local development works over http.
#[tokio::test]
async fn loopback_hosts_are_served_over_http() {
    for host in [
        "localhost:8000",
        "127.0.0.1:8000",
        "127.1.2.3",
        "[::1]:8000",
        "LOCALHOST",
    ] {
        let res = send(&default_app(), get_req("/", host), "127.0.0.1", HTTP).await;
        assert_eq!(res.status(), 200, "{host}");
        assert_eq!(header(&res, "strict-transport-security"), None, "{host}");
        assert!(header(&res, "content-security-policy").is_some());
    }
}

// The redirect carries the headers, no HSTS, no nonce, no cookie.
#[tokio::test]
async fn redirect_responses_carry_the_header_set() {
    let policy = Policy::from_pairs([("script-src", "'self'")]).unwrap();
    let app =
        app_with(SecureHeaders::builder().csp(Some(Csp::builder(policy).nonce_in(["script-src"]))));
    let res = send(&app, get_req("/with_nonce", "shop.example"), CLIENT, HTTP).await;
    assert_eq!(res.status(), 301);
    assert_eq!(
        header(&res, "content-security-policy"),
        Some("script-src 'self'")
    );
    assert_eq!(header(&res, "strict-transport-security"), None);
    assert_eq!(header(&res, "set-cookie"), None);
}

// A forged Host cannot choose the redirect target.
#[tokio::test]
async fn allowed_hosts_refuse_forged_host() {
    let app = app_with(
        SecureHeaders::builder()
            .https_redirect(HttpsRedirect::default().allowed_hosts(["shop.example"])),
    );
    let res = send(&app, get_req("/", "evil.example"), CLIENT, HTTP).await;
    assert_eq!(res.status(), 400);
    assert!(body_string(res).await.contains("Host"));
    let res = send(&app, get_req("/", "shop.example"), CLIENT, HTTP).await;
    assert_eq!(res.status(), 301);
    let no_host = Request::get("/").body(Body::empty()).unwrap();
    assert_eq!(send(&app, no_host, CLIENT, HTTP).await.status(), 400);
}

/// A redirect that would go to any host the request names says so once, when
/// the set is built, naming the setting; a host list or no redirect is silent.
#[test]
fn an_open_redirect_is_named_at_build_time() {
    let logs = capture_logs();
    SecureHeaders::builder().build().unwrap();
    let warned = logs.lines_containing("no allowed hosts are set");
    assert_eq!(warned.len(), 1, "{}", logs.text());
    assert!(
        warned[0].contains("HttpsRedirect::allowed_hosts"),
        "{}",
        warned[0]
    );
    drop(logs);
    let logs = capture_logs();
    SecureHeaders::builder()
        .https_redirect(HttpsRedirect::default().allowed_hosts(["shop.example"]))
        .build()
        .unwrap();
    SecureHeaders::builder()
        .https_redirect(HttpsRedirect::disabled())
        .build()
        .unwrap();
    assert_eq!(
        logs.lines_containing("allowed hosts").len(),
        0,
        "{}",
        logs.text()
    );
}
