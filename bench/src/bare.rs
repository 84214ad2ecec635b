//! The seed app without rampart (the `bare_seed` binary, and `seed_profile bare-…`): same routes, same minijinja templates and
//! handlers, no security layers. The template functions for the nonce and the
//! CSRF token (`csp_nonce()`, `csrf_meta()`, `csrf_input()`) render the same
//! markup with fixed strings. The end-to-end load test compares it with
//! `seed_app`.
//!
//! `cargo run --release --bin bare_seed -- --addr 127.0.0.1:8001`
//!
//! With `--same-headers` every response also carries, as fixed values, the
//! header bytes the seed app sends on plain http (its security headers, a CSP
//! with a nonce, a CSRF `Set-Cookie` unless the request sent a cookie, and
//! `Vary: Cookie`), copied from a prebuilt `HeaderMap`: what serving those bytes costs
//! (hyper writing them, the client reading them) without any of rampart's work.

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

/// The seed app's plain-http response headers with fixed values: for a page
/// (its CSP carries the response's nonce) and for the login POST (no nonce;
/// the secret is rotated, so a `Set-Cookie` always).
pub struct SeedHeaderBytes {
    page: axum::http::HeaderMap,
    post: axum::http::HeaderMap,
}

impl SeedHeaderBytes {
    fn new() -> Self {
        use rampart_core::{RequestFacts, Scheme};
        let headers = crate::seed_headers();
        let facts = RequestFacts::new(Scheme::Http, Some("127.0.0.1"));
        let cookie: header::HeaderValue = format!(
            "csrf={}; HttpOnly; SameSite=Lax; Path=/; Max-Age=31536000",
            "C".repeat(43)
        )
        .parse()
        .expect("valid cookie");
        let with = |nonce: bool| {
            let nonces = headers.csp().and_then(|c| c.new_request_nonces());
            if let Some(n) = nonces.as_ref().filter(|_| nonce) {
                let _ = n.script().value();
            }
            let mut map = axum::http::HeaderMap::new();
            headers.apply(&facts, nonces.as_ref(), None, &mut map);
            map.insert(header::SET_COOKIE, cookie.clone());
            map.insert(header::VARY, header::HeaderValue::from_static("Cookie"));
            map.insert(
                header::CACHE_CONTROL,
                header::HeaderValue::from_static("private, no-store"),
            );
            map
        };
        SeedHeaderBytes {
            page: with(true),
            post: with(false),
        }
    }
}

async fn add_headers(
    State(extra): State<Arc<SeedHeaderBytes>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let post = req.method() == axum::http::Method::POST;
    // A returning visitor's page (cookie sent) gets no Set-Cookie from the seed app.
    let returning = req.headers().contains_key(header::COOKIE);
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    let extra = if post { &extra.post } else { &extra.page };
    for (name, value) in extra.iter() {
        if !(returning && !post && name == header::SET_COOKIE) {
            headers.append(name.clone(), value.clone());
        }
    }
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
    render(&state, "index.html", context! {})
}

async fn login_form(State(state): State<AppState>) -> Response {
    render(&state, "login.html", context! {})
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

/// The bare seed app's router; with `same_headers`, every response carries
/// the seed app's header bytes.
pub fn router(same_headers: bool) -> Router {
    let mut env = Environment::new();
    // The seed templates call rampart's template functions; here they render
    // the same markup with fixed values.
    env.add_function("csp_nonce", || FIXED_NONCE);
    env.add_function("csrf_meta", || {
        minijinja::Value::from_safe_string(format!(
            r#"<meta name="csrf-token" content="{FIXED_TOKEN}">"#
        ))
    });
    env.add_function("csrf_input", || {
        minijinja::Value::from_safe_string(format!(
            r#"<input type="hidden" name="_csrf_token" value="{FIXED_TOKEN}">"#
        ))
    });
    env.add_template("index.html", rampart_seed::shared::INDEX_HTML)
        .expect("the seed template parses");
    env.add_template("login.html", rampart_seed::shared::LOGIN_HTML)
        .expect("the seed template parses");
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
    if same_headers {
        let extra = Arc::new(SeedHeaderBytes::new());
        app.layer(axum::middleware::from_fn_with_state(extra, add_headers))
    } else {
        app
    }
}
