//! The seed app of the Flask post, on axum and secured by rampart. Shared by
//! `main.rs` and the end-to-end tests, which count handler runs through
//! [`SeedState`].
//!

use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use rampart::core::headers::SecureHeaders;
use rampart::core::templates::TemplateContext;
use rampart::core::ConfigError;
use rampart::{CspNonce, CspReportService, CsrfLayer, CsrfToken, SecureHeadersLayer};

pub use crate::shared::*;

/// The built app: its router, what it observed, and its header set (for the banner).
pub struct Seed {
    /// The axum router, layers included.
    pub router: Router,
    /// Counters and collected reports.
    pub state: SeedState,
    /// The secure header set the router applies.
    pub headers: SecureHeaders,
}

/// Builds the app; every setting is validated here.
pub fn build(cfg: SeedConfig) -> Result<Seed, ConfigError> {
    install_metrics();
    let state = SeedState::new();
    let config = seed_config(&cfg)?;
    let headers = config.secure_headers()?;
    let csrf = seed_csrf(&cfg)?;
    let mut app = Router::new()
        .route("/", get(index))
        .route("/login", get(login_form).post(login))
        .route("/api/echo", post(echo))
        .route("/items/{id}", put(put_item).delete(delete_item))
        .route("/static/js/script.js", get(script))
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .route("/engines/{engine}", get(engine_page))
        .route("/ws", get(websocket))
        .route(
            "/favicon.ico",
            get(|| async { axum::http::StatusCode::NO_CONTENT }),
        );
    if let (Some(uri), Some(collector)) = (
        config.csp_report_uri(),
        seed_collector(&config, &state.reports)?,
    ) {
        app = app.route_service(uri, CspReportService::new(collector));
    }
    let app = app
        // One Arc per request for the handlers' `State`, not one per field.
        .with_state(Arc::new(state.clone()))
        .layer(CsrfLayer::new(csrf))
        .layer(SecureHeadersLayer::new(headers.clone()));
    Ok(Seed {
        router: app,
        state,
        headers,
    })
}

impl Seed {
    /// Serves the router on 127.0.0.1 (a free port) with the peer address as
    /// axum's `ConnectInfo`, on the current Tokio runtime: for tests and
    /// benchmarks. Returns the address.
    pub async fn spawn_on_loopback(self) -> std::io::Result<std::net::SocketAddr> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let router = self.router;
        tokio::spawn(async move {
            let app = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "the seed app stopped");
            }
        });
        Ok(addr)
    }
}

fn render(state: &SeedState, name: &str, ctx: minijinja::Value) -> axum::response::Response {
    match state
        .templates
        .get_template(name)
        .and_then(|t| t.render(ctx))
    {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "template error",
            )
                .into_response()
        }
    }
}

async fn index(
    State(state): State<Arc<SeedState>>,
    nonce: CspNonce,
    csrf: CsrfToken,
) -> axum::response::Response {
    render(
        &state,
        "index.html",
        TemplateContext::new().nonce(&nonce).csrf(&csrf).minijinja(),
    )
}

async fn login_form(
    State(state): State<Arc<SeedState>>,
    csrf: CsrfToken,
) -> axum::response::Response {
    render(
        &state,
        "login.html",
        TemplateContext::new().csrf(&csrf).minijinja(),
    )
}

async fn login(
    State(state): State<Arc<SeedState>>,
    csrf: CsrfToken,
    ContentType(content_type): ContentType,
    body: axum::body::Bytes,
) -> axum::response::Response {
    let content_type = content_type.as_ref().and_then(|v| v.to_str().ok());
    let form = match Login::from_body(content_type, body).await {
        Ok(form) => form,
        Err((status, why)) => {
            let status = axum::http::StatusCode::from_u16(status)
                .unwrap_or(axum::http::StatusCode::BAD_REQUEST);
            return (status, why).into_response();
        }
    };
    state.logins.fetch_add(1, Ordering::SeqCst);
    // A new session deserves a new CSRF secret.
    csrf.rotate();
    Html(welcome_page(&form.username)).into_response()
}

/// The request's `Content-Type`, without copying the rest of its headers.
struct ContentType(Option<header::HeaderValue>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ContentType {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(ContentType(
            parts.headers.get(header::CONTENT_TYPE).cloned(),
        ))
    }
}

async fn echo(Json(body): Json<serde_json::Value>) -> Json<serde_json::Value> {
    Json(body)
}

async fn put_item(
    State(state): State<Arc<SeedState>>,
    Path(id): Path<u64>,
) -> Json<serde_json::Value> {
    state.item_writes.fetch_add(1, Ordering::SeqCst);
    Json(serde_json::json!({ "id": id, "updated": true }))
}

async fn delete_item(
    State(state): State<Arc<SeedState>>,
    Path(id): Path<u64>,
) -> Json<serde_json::Value> {
    state.item_writes.fetch_add(1, Ordering::SeqCst);
    Json(serde_json::json!({ "id": id, "deleted": true }))
}

async fn script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        SCRIPT_JS,
    )
}

/// `/engines/{engine}`: the login page in one template engine (see `engines`).
async fn engine_page(
    Path(engine): Path<String>,
    nonce: CspNonce,
    csrf: CsrfToken,
) -> axum::response::Response {
    let rampart = TemplateContext::new().nonce(&nonce).csrf(&csrf);
    match crate::engines::render(&engine, &rampart) {
        Some(Ok(html)) => Html(html).into_response(),
        Some(Err(e)) => {
            tracing::error!(error = %e, engine, "template failed");
            (
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "template error",
            )
                .into_response()
        }
        None => axum::http::StatusCode::NOT_FOUND.into_response(),
    }
}

/// `/metrics`: rampart's counters in the Prometheus text format. The seed app
/// answers only local clients that did not come through the proxy.
async fn metrics(
    extensions: axum::http::Extensions,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    let peer = extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let forwarded = headers.contains_key("x-forwarded-for") || headers.contains_key("forwarded");
    if !metrics_allowed(peer, host, forwarded) {
        return axum::http::StatusCode::FORBIDDEN.into_response();
    }
    (
        [(header::CONTENT_TYPE, METRICS_CONTENT_TYPE)],
        metrics_text(),
    )
        .into_response()
}

async fn health() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "ok")
}

/// `/ws`: echoes text messages. The CSRF layer has already refused a
/// handshake from another site's page.
async fn websocket(upgrade: axum::extract::WebSocketUpgrade) -> axum::response::Response {
    use axum::extract::ws::Message;
    upgrade.on_upgrade(|mut socket| async move {
        while let Some(Ok(msg)) = socket.recv().await {
            let sent = match msg {
                Message::Text(text) => socket.send(Message::Text(text)).await,
                Message::Close(_) => break,
                _ => Ok(()),
            };
            if sent.is_err() {
                break;
            }
        }
    })
}

/// axum's `serve` without its one gap: hyper's header-read timeout, so a client
/// that never finishes its request head is dropped (the CSRF layer bounds the
/// body read). Each connection gets the peer address as axum's `ConnectInfo`.
/// The benchmarks' bare app serves through it too, so that the two differ by
/// rampart alone.
pub async fn serve(addr: std::net::SocketAddr, router: axum::Router) -> std::io::Result<()> {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use hyper_util::server::conn::auto;
    use hyper_util::service::TowerToHyperService;

    let listener = tokio::net::TcpListener::bind(addr).await?;
    let mut make = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(conn) => conn,
            Err(e) => {
                // Out of file descriptors and the like: wait instead of spinning.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(svc) = tower::Service::call(&mut make, peer).await;
        tokio::spawn(async move {
            let mut builder = auto::Builder::new(TokioExecutor::new());
            builder
                .http1()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT);
            let conn = builder.serve_connection_with_upgrades(
                TokioIo::new(stream),
                TowerToHyperService::new(svc),
            );
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
}
