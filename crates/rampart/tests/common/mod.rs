//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::io::Write;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::Router;
use http::{Request, Response};
use rampart::core::ConnectionInfo;
use tower::ServiceExt;

/// Sends one request through the router as if it arrived over `tls` from `peer`.
pub async fn send(app: &Router, req: Request<Body>, peer: &str, tls: bool) -> Response<Body> {
    let mut req = req;
    req.extensions_mut()
        .insert(ConnectionInfo::peer(peer.parse().unwrap()).with_tls(tls));
    app.clone().oneshot(req).await.unwrap()
}

pub fn get_req(uri: &str, host: &str) -> Request<Body> {
    Request::get(uri)
        .header("host", host)
        .body(Body::empty())
        .unwrap()
}

pub async fn body_string(res: Response<Body>) -> String {
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

pub fn header<'a>(res: &'a Response<Body>, name: &str) -> Option<&'a str> {
    res.headers().get(name).map(|v| v.to_str().unwrap())
}

/// Serves `app` on 127.0.0.1 on a free port with connect info; returns the address.
pub async fn serve(app: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    addr
}

/// A POST handler that counts its runs (proof that a refused request never
/// reached it) and answers `reply`.
pub fn counting_post(reply: &'static str) -> (axum::routing::MethodRouter, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let route = axum::routing::post(move || {
        let h = h.clone();
        async move {
            h.fetch_add(1, Ordering::SeqCst);
            reply
        }
    });
    (route, hits)
}

/// Log output captured as text (a `tracing_subscriber` writer).
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    /// A plain-text subscriber writing here.
    pub fn subscriber(&self) -> impl tracing::Subscriber + Send + Sync {
        let sink = self.clone();
        tracing_subscriber::fmt()
            .with_writer(move || sink.clone())
            .with_ansi(false)
            .finish()
    }

    /// Everything logged so far.
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
