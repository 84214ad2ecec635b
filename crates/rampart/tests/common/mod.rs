//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod headers_app;

pub mod csrf_app;

use std::io::Write;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

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

thread_local! {
    /// This thread's captured log output, while a capture is on.
    static LOGS: std::cell::RefCell<Option<Vec<u8>>> = const { std::cell::RefCell::new(None) };
}

/// Log output of the current thread since [`capture_logs`], as text.
///
/// One subscriber for the whole test binary (set once, globally) writes each
/// line to the buffer of the thread that logged it. Per-test scoped subscribers
/// would race: tracing caches each call site's interest process-wide, and tests
/// run in parallel. A `#[tokio::test]` runs its requests on its own thread, so
/// it sees exactly its own lines.
pub struct Captured(());

/// Starts capturing this thread's log output (from empty).
pub fn capture_logs() -> Captured {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        tracing::subscriber::set_global_default(
            tracing_subscriber::fmt()
                .with_writer(|| ThreadLogs)
                .with_ansi(false)
                .finish(),
        )
        .expect("no other global subscriber in the test binaries");
    });
    LOGS.with(|l| *l.borrow_mut() = Some(Vec::new()));
    Captured(())
}

impl Captured {
    /// Everything this thread logged since the capture started.
    pub fn text(&self) -> String {
        LOGS.with(|l| String::from_utf8(l.borrow().clone().unwrap_or_default()).unwrap())
    }

    /// The captured lines that contain `needle`.
    pub fn lines_containing(&self, needle: &str) -> Vec<String> {
        self.text()
            .lines()
            .filter(|l| l.contains(needle))
            .map(str::to_owned)
            .collect()
    }
}

impl Drop for Captured {
    /// Stops capturing: later tests on this thread log nowhere.
    fn drop(&mut self) {
        LOGS.with(|l| *l.borrow_mut() = None);
    }
}

struct ThreadLogs;

impl Write for ThreadLogs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOGS.with(|l| {
            if let Some(v) = l.borrow_mut().as_mut() {
                v.extend_from_slice(buf);
            }
        });
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
