//! The seed app of the Flask post, on axum and secured by rampart. Shared by
//! `main.rs` and the end-to-end tests, which count handler runs through
//! [`SeedState`].
//!
//! Some items are only read by the tests (the counters), hence the allow.
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::{get, post, put};
use axum::{Form, Json, Router};
use minijinja::{context, Environment};
use rampart::core::csp::{CompiledCsp, Csp, CspReport, Policy, ReportCollector};
use rampart::core::csrf::Csrf;
use rampart::core::headers::{HttpsRedirect, RedirectExemptions, SecureHeaders};
use rampart::core::{ConfigError, ProxyTrust};
use rampart::{CspNonce, CspReportService, CsrfLayer, CsrfToken, SecureHeadersLayer};

/// Options of the seed app.
#[derive(Debug, Clone, Default)]
pub struct SeedConfig {
    /// Send violation reports to this path (served by the app itself).
    pub csp_report_uri: Option<String>,
    /// CSRF key; `None` reads RAMPART_CSRF_KEY or generates one (with a warning).
    pub csrf_key: Option<Vec<u8>>,
}

/// What the app observed, for tests and the startup banner.
#[derive(Clone, Default)]
pub struct SeedState {
    /// How many times the POST /login handler ran.
    pub logins: Arc<AtomicUsize>,
    /// How many times PUT/DELETE /items ran.
    pub item_writes: Arc<AtomicUsize>,
    /// CSP reports received.
    pub reports: Arc<Mutex<Vec<CspReport>>>,
    templates: Arc<Environment<'static>>,
}

/// The post's CSP, in the post's dict form (stray leading spaces included).
pub fn seed_policy() -> Result<Policy, ConfigError> {
    let sources = vec![
        " 'self'",
        "*.fontawesome.com",
        "*.herokuapp.com",
        "*.jquery.com",
        "*.jsdelivr.net",
    ];
    Policy::from_pairs(vec![
        ("base-uri", vec![" 'self'"]),
        (
            "default-src",
            vec![
                " 'self'",
                "*.fontawesome.com",
                "*.herokuapp.com",
                "*.jsdelivr.net",
            ],
        ),
        ("img-src", vec!["*"]),
        ("script-src", sources.clone()),
        ("script-src-elem", sources),
    ])
}

/// The compiled CSP configuration: the post's policy, nonce in script-src and script-src-elem.
pub fn seed_csp(cfg: &SeedConfig) -> Result<CompiledCsp, ConfigError> {
    let mut csp = Csp::new(seed_policy()?).nonce_in(["script-src", "script-src-elem"]);
    if let Some(uri) = &cfg.csp_report_uri {
        csp = csp.report_uri(uri);
    }
    csp.build()
}

/// Secure headers: rampart's defaults, the post's CSP, a TLS proxy on loopback.
pub fn seed_headers(cfg: &SeedConfig) -> Result<SecureHeaders, ConfigError> {
    SecureHeaders::builder()
        .proxy_trust(ProxyTrust::loopback())
        .https_redirect(
            HttpsRedirect::default().exempt(RedirectExemptions::default().path("/health")?),
        )
        .compiled_csp(seed_csp(cfg)?)
        .build()
}

/// CSRF on, /api/echo exempt, keys from configuration or the environment.
pub fn seed_csrf(cfg: &SeedConfig) -> Result<Csrf, ConfigError> {
    let mut b = Csrf::builder().exempt_route("/api/echo");
    if let Some(k) = &cfg.csrf_key {
        b = b.key(k);
    }
    b.build()
}

fn templates() -> Environment<'static> {
    let mut env = Environment::new();
    env.add_template("index.html", include_str!("templates/index.html"))
        .expect("index template parses");
    env.add_template("login.html", include_str!("templates/login.html"))
        .expect("login template parses");
    env
}

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
    let state = SeedState {
        templates: Arc::new(templates()),
        ..SeedState::default()
    };
    let headers = seed_headers(&cfg)?;
    let csrf = seed_csrf(&cfg)?;
    let mut app = Router::new()
        .route("/", get(index))
        .route("/login", get(login_form).post(login))
        .route("/api/echo", post(echo))
        .route("/items/{id}", put(put_item).delete(delete_item))
        .route("/static/js/script.js", get(script))
        .route("/health", get(health))
        .route(
            "/favicon.ico",
            get(|| async { axum::http::StatusCode::NO_CONTENT }),
        );
    if let Some(uri) = &cfg.csp_report_uri {
        let reports = state.reports.clone();
        let collector = ReportCollector::new(move |r: &CspReport| {
            if let Ok(mut v) = reports.lock() {
                v.push(r.clone());
            }
        });
        app = app.route_service(uri, CspReportService::new(collector));
    }
    let app = app
        .with_state(state.clone())
        .layer(CsrfLayer::new(csrf))
        .layer(SecureHeadersLayer::new(headers.clone()));
    Ok(Seed {
        router: app,
        state,
        headers,
    })
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
    State(state): State<SeedState>,
    nonce: CspNonce,
    csrf: CsrfToken,
) -> axum::response::Response {
    render(
        &state,
        "index.html",
        context! { nonce => nonce.to_string(), csrf_token => csrf.masked() },
    )
}

async fn login_form(State(state): State<SeedState>, csrf: CsrfToken) -> axum::response::Response {
    render(
        &state,
        "login.html",
        context! { csrf_token => csrf.masked() },
    )
}

#[derive(serde::Deserialize)]
struct Login {
    username: String,
    #[allow(dead_code)]
    password: String,
}

async fn login(
    State(state): State<SeedState>,
    csrf: CsrfToken,
    Form(form): Form<Login>,
) -> impl IntoResponse {
    state.logins.fetch_add(1, Ordering::SeqCst);
    // A new session deserves a new CSRF secret.
    csrf.rotate();
    let name: String = form
        .username
        .chars()
        .map(|c| match c {
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '&' => "&amp;".to_string(),
            '"' => "&quot;".to_string(),
            '\'' => "&#39;".to_string(),
            c => c.to_string(),
        })
        .collect();
    Html(format!(
        "<!doctype html><title>Welcome</title><p id=\"welcome\">welcome {name}</p>"
    ))
}

async fn echo(Json(body): Json<serde_json::Value>) -> Json<serde_json::Value> {
    Json(body)
}

async fn put_item(State(state): State<SeedState>, Path(id): Path<u64>) -> Json<serde_json::Value> {
    state.item_writes.fetch_add(1, Ordering::SeqCst);
    Json(serde_json::json!({ "id": id, "updated": true }))
}

async fn delete_item(
    State(state): State<SeedState>,
    Path(id): Path<u64>,
) -> Json<serde_json::Value> {
    state.item_writes.fetch_add(1, Ordering::SeqCst);
    Json(serde_json::json!({ "id": id, "deleted": true }))
}

async fn script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("static/script.js"),
    )
}

async fn health() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "ok")
}
