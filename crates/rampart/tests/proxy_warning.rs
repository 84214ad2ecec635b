//! The untrusted-proxy warning, in a test binary of its own: it is logged once
//! per process, so no other test may run first in this process.

mod common;

use axum::routing::get;
use axum::Router;
use common::*;
use http::Request;
use rampart::core::csrf::Csrf;
use rampart::{CsrfLayer, SecureHeadersLayer};

/// A secure request under the default set takes the fast path (no shared
/// scope, no host work); forwarded headers from a peer nobody trusts must still
/// be reported, once, with the way to trust the proxy. The per-request
/// "is it secure" of a CSRF layer on a safe method stays silent (it is asked
/// on every request; the warning belongs to the facts a decision uses).
#[tokio::test]
async fn forwarded_headers_from_an_untrusted_peer_are_reported_once() {
    let captured = capture_logs();
    let needle = "ignoring X-Forwarded-*/Forwarded headers from an untrusted peer";
    let csrf_only = Router::new()
        .route("/", get(|| async { "ok" }))
        .layer(CsrfLayer::new(
            Csrf::builder().key(&[1; 32]).build().unwrap(),
        ));
    let req = Request::get("/")
        .header("host", "shop.example")
        .header("x-forwarded-proto", "https")
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(
        send(&csrf_only, req, "203.0.113.7", false).await.status(),
        200
    );
    assert!(captured.lines_containing(needle).is_empty());

    let app = Router::new()
        .route("/", get(|| async { "ok" }))
        .layer(SecureHeadersLayer::default());
    for _ in 0..2 {
        let req = Request::get("/")
            .header("host", "shop.example")
            .header("x-forwarded-proto", "https")
            .body(axum::body::Body::empty())
            .unwrap();
        let res = send(&app, req, "203.0.113.7", true).await;
        assert_eq!(res.status(), 200);
    }
    let warnings = captured.lines_containing(needle);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("ProxyTrust::peers"), "{warnings:?}");
}
