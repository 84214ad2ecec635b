//! The seed app without rampart: same routes, same minijinja templates and
//! handlers, no security layers. The nonce and CSRF token placeholders are
//! rendered as fixed strings. The end-to-end load test compares it with
//! `seed_app`.
//!
//! `cargo run --release --bin bare_seed -- --addr 127.0.0.1:8001`
//!
//! With `--same-headers` every response also carries, as fixed values, the
//! header bytes the seed app sends on plain http (its security headers, a CSP
//! with a nonce, a CSRF `Set-Cookie` and `Vary: Cookie`), added by extending the
//! response's `HeaderMap` with a prebuilt one: what serving those bytes costs
//! (hyper writing them, the client reading them) without any of rampart's work.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use minijinja::{context, Environment};

const FIXED_NONCE: &str = "AAAAAAAAAAAAAAAAAAAAAAAA";
const FIXED_TOKEN: &str =
    "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";

/// The seed app's plain-http response headers with fixed values.
fn seed_header_bytes() -> axum::http::HeaderMap {
    use rampart_core::{RequestFacts, Scheme};
    let headers = rampart_bench::seed_headers();
    let nonces = headers.csp().and_then(|c| c.new_request_nonces());
    if let Some(n) = &nonces {
        let _ = n.script().value();
    }
    let facts = RequestFacts::new(Scheme::Http, Some("127.0.0.1"));
    let mut map = axum::http::HeaderMap::new();
    headers.apply(&facts, nonces.as_ref(), None, &mut map);
    map.insert(
        header::SET_COOKIE,
        format!(
            "csrf={}; HttpOnly; SameSite=Lax; Path=/; Max-Age=31536000",
            "C".repeat(43)
        )
        .parse()
        .expect("valid cookie"),
    );
    map.insert(header::VARY, header::HeaderValue::from_static("Cookie"));
    map
}

async fn add_headers(
    State(extra): State<Arc<axum::http::HeaderMap>>,
    mut res: Response,
) -> Response {
    res.headers_mut().extend((*extra).clone());
    res
}

#[derive(Clone)]
struct AppState {
    templates: Arc<Environment<'static>>,
    logins: Arc<AtomicUsize>,
}

fn render(state: &AppState, name: &str, ctx: minijinja::Value) -> Response {
    match state
        .templates
        .get_template(name)
        .and_then(|t| t.render(ctx))
    {
        Ok(html) => Html(html).into_response(),
        Err(_) => (
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "template error",
        )
            .into_response(),
    }
}

async fn index(State(state): State<AppState>) -> Response {
    render(
        &state,
        "index.html",
        context! { nonce => FIXED_NONCE.to_string(), csrf_token => FIXED_TOKEN.to_string() },
    )
}

async fn login_form(State(state): State<AppState>) -> Response {
    render(
        &state,
        "login.html",
        context! { csrf_token => FIXED_TOKEN.to_string() },
    )
}

#[derive(serde::Deserialize)]
struct Login {
    username: String,
    #[allow(dead_code)]
    password: String,
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

async fn login(State(state): State<AppState>, Form(form): Form<Login>) -> impl IntoResponse {
    state.logins.fetch_add(1, Ordering::SeqCst);
    Html(format!(
        "<!doctype html><title>Welcome</title><p id=\"welcome\">welcome {}</p>",
        escape(&form.username)
    ))
}

async fn script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        rampart_seed::shared::SCRIPT_JS,
    )
}

async fn health() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "ok")
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut addr: SocketAddr = "127.0.0.1:8001".parse()?;
    let mut same_headers = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--addr" => addr = args.next().ok_or("--addr needs HOST:PORT")?.parse()?,
            "--same-headers" => same_headers = true,
            other => return Err(format!("unknown argument `{other}`").into()),
        }
    }
    let mut env = Environment::new();
    env.add_template(
        "index.html",
        rampart_seed::shared::INDEX_HTML,
    )?;
    env.add_template(
        "login.html",
        rampart_seed::shared::LOGIN_HTML,
    )?;
    let state = AppState {
        templates: Arc::new(env),
        logins: Arc::default(),
    };
    let app = Router::new()
        .route("/", get(index))
        .route("/login", get(login_form).post(login))
        .route("/static/js/script.js", get(script))
        .route("/health", get(health))
        .with_state(state);
    let app = if same_headers {
        let extra = Arc::new(seed_header_bytes());
        app.layer(axum::middleware::map_response_with_state(
            extra,
            add_headers,
        ))
    } else {
        app
    };
    println!(
        "bare seed app (no rampart{}) on http://{addr}/",
        if same_headers {
            ", seed header bytes"
        } else {
            ""
        }
    );
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    })?;
    Ok(())
}
