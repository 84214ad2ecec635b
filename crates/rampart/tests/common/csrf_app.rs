//! Fixtures shared by the csrf test files.
#![allow(dead_code)]

use axum::body::Bytes;
use axum::routing::{get, post};
use axum::Router;
use http::Request;
use rampart::core::csrf::Csrf;
use rampart::core::headers::SecureHeaders;
use rampart::core::{Exemptions, ProxyHeaders, ProxyTrust};
use rampart::{CsrfLayer, CsrfToken, SecureHeadersLayer};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use super::*;

pub const KEY: [u8; 32] = [0x5a; 32];

pub struct App {
    pub router: Router,
    pub hits: Arc<AtomicUsize>,
}

pub fn app(csrf: Csrf) -> App {
    let hits = Arc::new(AtomicUsize::new(0));
    let h1 = hits.clone();
    let h2 = hits.clone();
    let router = Router::new()
        .route("/form", get(|t: CsrfToken| async move { format!("{t}") }))
        .route("/plain", get(|| async { "no token here" }))
        .route(
            "/submit",
            post(move |body: Bytes| {
                let h = h1.clone();
                async move {
                    h.fetch_add(1, Ordering::SeqCst);
                    body
                }
            })
            .put(|| async { "put" })
            .patch(|| async { "patch" })
            .delete(|| async { "delete" }),
        )
        .route(
            "/login",
            post(move |t: CsrfToken| {
                let h = h2.clone();
                async move {
                    h.fetch_add(1, Ordering::SeqCst);
                    t.rotate();
                    "welcome"
                }
            }),
        )
        .route("/api/hook", post(|body: Bytes| async move { body }))
        .layer(CsrfLayer::new(csrf))
        .layer(SecureHeadersLayer::new(
            SecureHeaders::builder()
                .proxy_trust(ProxyTrust::loopback(ProxyHeaders::X_FORWARDED))
                .build()
                .unwrap(),
        ));
    App { router, hits }
}

pub fn default_app() -> App {
    app(Csrf::builder()
        .key(&KEY)
        .exempt(Exemptions::new().path_prefix("/api"))
        .build()
        .unwrap())
}

pub const CLIENT: &str = "203.0.113.7";

/// GETs /form and returns (cookie pair "name=value", masked token).
pub async fn token(app: &Router, host: &str, tls: bool) -> (String, String) {
    let res = send(app, get_req("/form", host), CLIENT, tls).await;
    assert_eq!(res.status(), 200);
    let cookie = header(&res, "set-cookie")
        .expect("a token page sets the secret cookie")
        .to_string();
    let pair = cookie.split(';').next().unwrap().to_string();
    (pair, body_string(res).await)
}

pub fn post_req(uri: &str, host: &str) -> http::request::Builder {
    Request::post(uri).header("host", host)
}
