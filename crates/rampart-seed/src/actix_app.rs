//! The seed app of the Flask post on actix-web, secured by rampart-actix: the
//! same routes, templates and configuration as the axum seed app (`seed_app`),
//! whose shared file this includes. Shared by `main.rs` and the differential
//! test, which counts handler runs through [`SeedState`].
//!

use std::net::TcpListener;
use std::sync::atomic::Ordering;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::error::{JsonPayloadError, UrlencodedError};
use actix_web::http::StatusCode;
use actix_web::{guard, web, App, HttpResponse, HttpServer};
use rampart_actix::core::csp::ReportCollector;
use rampart_actix::core::csrf::Csrf;
use rampart_actix::core::headers::SecureHeaders;
use rampart_actix::core::templates::TemplateContext;
use rampart_actix::core::ConfigError;
use rampart_actix::{
    CspNonce, CspReportService, CsrfMiddleware, CsrfToken, SecureHeadersMiddleware,
};

pub use crate::shared::*;

/// The built app: what it needs to start workers, what it observed, and its
/// header set (for the banner).
#[derive(Clone)]
pub struct Seed {
    /// Counters and collected reports.
    pub state: SeedState,
    /// The secure header set the app applies.
    pub headers: SecureHeaders,
    csrf: Csrf,
    report: Option<(String, ReportCollector)>,
}

/// Builds the app; every setting is validated here.
pub fn build(cfg: SeedConfig) -> Result<Seed, ConfigError> {
    install_metrics();
    let state = SeedState::new();
    let config = seed_config(&cfg)?;
    let report = match (
        config.csp_report_uri(),
        seed_collector(&config, &state.reports)?,
    ) {
        (Some(uri), Some(collector)) => Some((uri.to_owned(), collector)),
        _ => None,
    };
    Ok(Seed {
        headers: config.secure_headers()?,
        csrf: seed_csrf(&cfg)?,
        state,
        report,
    })
}

/// GET and HEAD, as axum's `get` serves both.
fn get() -> actix_web::Route {
    web::route().guard(guard::Any(guard::Get()).or(guard::Head()))
}

impl Seed {
    /// Registers the routes (called once per worker).
    fn configure(&self, cfg: &mut web::ServiceConfig) {
        cfg.app_data(web::Data::new(self.state.clone()))
            // The login reads raw bytes: the same 2 MiB as the form extractors.
            .app_data(web::PayloadConfig::new(2 * 1024 * 1024))
            // The extractors answer as axum's do: 415 for a wrong content type,
            // 422 for a body that parses but does not fit, 400 for bad syntax or paths.
            .app_data(
                web::FormConfig::default()
                    .limit(2 * 1024 * 1024)
                    .error_handler(|e, _| {
                        let status = match &e {
                            UrlencodedError::ContentType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                            UrlencodedError::Parse(_) => StatusCode::UNPROCESSABLE_ENTITY,
                            other => actix_web::ResponseError::status_code(other),
                        };
                        actix_web::error::InternalError::new(e, status).into()
                    }),
            )
            .app_data(
                web::JsonConfig::default()
                    .limit(2 * 1024 * 1024)
                    .error_handler(|e, _| {
                        let status = match &e {
                            JsonPayloadError::ContentType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                            JsonPayloadError::Deserialize(d)
                                if d.classify() == serde_json::error::Category::Data =>
                            {
                                StatusCode::UNPROCESSABLE_ENTITY
                            }
                            other => actix_web::ResponseError::status_code(other),
                        };
                        actix_web::error::InternalError::new(e, status).into()
                    }),
            )
            .app_data(web::PathConfig::default().error_handler(|e, _| {
                actix_web::error::InternalError::new(e, StatusCode::BAD_REQUEST).into()
            }))
            .service(web::resource("/").route(get().to(index)))
            .service(
                web::resource("/login")
                    .route(get().to(login_form))
                    .route(web::post().to(login)),
            )
            .service(web::resource("/api/echo").route(web::post().to(echo)))
            .service(
                web::resource("/items/{id}")
                    .route(web::put().to(put_item))
                    .route(web::delete().to(delete_item)),
            )
            .service(web::resource("/static/js/script.js").route(get().to(script)))
            .service(web::resource("/health").route(get().to(health)))
            .service(web::resource("/metrics").route(get().to(metrics)))
            .service(web::resource("/engines/{engine}").route(get().to(engine_page)))
            .service(web::resource("/ws").route(web::get().to(websocket)))
            .service(
                web::resource("/favicon.ico")
                    .route(get().to(|| async { HttpResponse::NoContent().finish() })),
            );
        if let Some((uri, collector)) = &self.report {
            cfg.service(CspReportService::new(collector.clone()).resource(uri));
        }
    }

    /// The app with its middleware (what each worker runs).
    pub fn app(
        &self,
    ) -> App<
        impl ServiceFactory<
            ServiceRequest,
            Config = (),
            Response = ServiceResponse<impl MessageBody>,
            Error = actix_web::Error,
            InitError = (),
        >,
    > {
        let this = self.clone();
        App::new()
            .configure(move |cfg| this.configure(cfg))
            .wrap(CsrfMiddleware::new(self.csrf.clone()))
            .wrap(SecureHeadersMiddleware::new(self.headers.clone()))
    }

    /// An HTTP server for the app on `listener` with `workers` worker threads
    /// (call inside an actix system).
    pub fn server(self, listener: TcpListener, workers: usize) -> std::io::Result<Server> {
        Ok(HttpServer::new(move || self.app())
            .workers(workers)
            // The request head must arrive in time (rampart bounds the body read).
            .client_request_timeout(HEADER_READ_TIMEOUT)
            .listen(listener)?
            .run())
    }

    /// Serves the app on 127.0.0.1 (a free port) from its own thread and actix
    /// system, with one worker: for tests and benchmarks. Returns the address
    /// and the handle that stops it.
    pub fn spawn_on_loopback(
        self,
    ) -> std::io::Result<(std::net::SocketAddr, actix_web::dev::ServerHandle)> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let server = std::sync::mpsc::channel();
        let (tx, rx) = server;
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                match self.server(listener, 1) {
                    Ok(server) => {
                        let _ = tx.send(Ok(server.handle()));
                        let _ = server.await;
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e));
                    }
                }
            })
        });
        let handle = rx
            .recv()
            .map_err(|_| std::io::Error::other("the server thread ended before it started"))??;
        Ok((addr, handle))
    }
}

fn render(state: &SeedState, name: &str, ctx: minijinja::Value) -> HttpResponse {
    match state
        .templates
        .get_template(name)
        .and_then(|t| t.render(ctx))
    {
        Ok(html) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(html),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            HttpResponse::InternalServerError()
                .content_type("text/plain; charset=utf-8")
                .body("template error")
        }
    }
}

async fn index(state: web::Data<SeedState>, nonce: CspNonce, csrf: CsrfToken) -> HttpResponse {
    render(
        &state,
        "index.html",
        TemplateContext::new().nonce(&nonce).csrf(&csrf).minijinja(),
    )
}

async fn login_form(state: web::Data<SeedState>, csrf: CsrfToken) -> HttpResponse {
    render(
        &state,
        "login.html",
        TemplateContext::new().csrf(&csrf).minijinja(),
    )
}

async fn login(
    state: web::Data<SeedState>,
    csrf: CsrfToken,
    req: actix_web::HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let content_type = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let form = match Login::from_body(content_type, body).await {
        Ok(form) => form,
        Err((status, why)) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
            return HttpResponse::build(status)
                .content_type("text/plain; charset=utf-8")
                .body(why);
        }
    };
    state.logins.fetch_add(1, Ordering::SeqCst);
    // A new session deserves a new CSRF secret.
    csrf.rotate();
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(welcome_page(&form.username))
}

async fn echo(body: web::Json<serde_json::Value>) -> web::Json<serde_json::Value> {
    body
}

async fn put_item(state: web::Data<SeedState>, id: web::Path<u64>) -> web::Json<serde_json::Value> {
    state.item_writes.fetch_add(1, Ordering::SeqCst);
    web::Json(serde_json::json!({ "id": *id, "updated": true }))
}

async fn delete_item(
    state: web::Data<SeedState>,
    id: web::Path<u64>,
) -> web::Json<serde_json::Value> {
    state.item_writes.fetch_add(1, Ordering::SeqCst);
    web::Json(serde_json::json!({ "id": *id, "deleted": true }))
}

async fn script() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .body(SCRIPT_JS)
}

/// `/engines/{engine}`: the login page in one template engine (see `engines`).
async fn engine_page(engine: web::Path<String>, nonce: CspNonce, csrf: CsrfToken) -> HttpResponse {
    let rampart = TemplateContext::new().nonce(&nonce).csrf(&csrf);
    match crate::engines::render(&engine, &rampart) {
        Some(Ok(html)) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(html),
        Some(Err(e)) => {
            tracing::error!(error = %e, engine = %engine, "template failed");
            HttpResponse::InternalServerError()
                .content_type("text/plain; charset=utf-8")
                .body("template error")
        }
        None => HttpResponse::NotFound().finish(),
    }
}

/// `/metrics`: rampart's counters in the Prometheus text format. The seed app
/// answers only local clients that did not come through the proxy.
async fn metrics(req: actix_web::HttpRequest) -> HttpResponse {
    let peer = req.peer_addr().map(|a| a.ip());
    let headers = req.headers();
    let host = headers.get("host").and_then(|v| v.to_str().ok());
    let forwarded = headers.contains_key("x-forwarded-for") || headers.contains_key("forwarded");
    if !metrics_allowed(peer, host, forwarded) {
        return HttpResponse::Forbidden().finish();
    }
    HttpResponse::Ok()
        .content_type(METRICS_CONTENT_TYPE)
        .body(metrics_text())
}

async fn health() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body("ok")
}

/// `/ws`: echoes text messages. The CSRF middleware has already refused a
/// handshake from another site's page.
async fn websocket(
    req: actix_web::HttpRequest,
    body: web::Payload,
) -> actix_web::Result<HttpResponse> {
    let (response, mut session, mut stream) = actix_ws::handle(&req, body)?;
    actix_web::rt::spawn(async move {
        while let Some(Ok(msg)) = stream.recv().await {
            let sent = match msg {
                actix_ws::Message::Text(text) => session.text(text).await,
                actix_ws::Message::Ping(bytes) => session.pong(&bytes).await,
                actix_ws::Message::Close(_) => break,
                _ => Ok(()),
            };
            if sent.is_err() {
                return;
            }
        }
        let _ = session.close(None).await;
    });
    Ok(response)
}
