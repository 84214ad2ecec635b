//! The untrusted-proxy warning, in a test binary of its own: it is logged once
//! per process, so no other test may run first in this process.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::routing::get;
use axum::Router;
use common::*;
use http::Request;
use rampart::SecureHeadersLayer;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A secure request under the default set takes the fast path (no shared
/// scope, no host work); forwarded headers from a peer nobody trusts must still
/// be reported, once, with the way to trust the proxy.
#[tokio::test]
async fn forwarded_headers_from_an_untrusted_peer_are_reported_once() {
    let captured = Captured::default();
    let sink = captured.clone();
    tracing::subscriber::set_global_default(
        tracing_subscriber::fmt()
            .with_writer(move || sink.clone())
            .with_ansi(false)
            .finish(),
    )
    .unwrap();
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
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let warnings: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("ignoring X-Forwarded-*/Forwarded headers from an untrusted peer"))
        .collect();
    assert_eq!(warnings.len(), 1, "{log}");
    assert!(warnings[0].contains("ProxyTrust::peers"), "{log}");
}
