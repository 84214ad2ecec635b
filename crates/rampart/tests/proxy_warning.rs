//! The untrusted-proxy warning, in a test binary of its own: it is logged once
//! per process, so no other test may run first in this process.

mod common;

use axum::routing::get;
use axum::Router;
use common::*;
use http::Request;
use rampart::SecureHeadersLayer;

/// A secure request under the default set takes the fast path (no shared
/// scope, no host work); forwarded headers from a peer nobody trusts must still
/// be reported, once, with the way to trust the proxy.
#[tokio::test]
async fn forwarded_headers_from_an_untrusted_peer_are_reported_once() {
    let captured = capture_logs();
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
    let log = captured.text();
    let warnings: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("ignoring X-Forwarded-*/Forwarded headers from an untrusted peer"))
        .collect();
    assert_eq!(warnings.len(), 1, "{log}");
    assert!(warnings[0].contains("ProxyTrust::peers"), "{log}");
}
