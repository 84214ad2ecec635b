//! Fixtures shared by the headers test files.
#![allow(dead_code)]

use axum::response::{Html, IntoResponse};
use axum::routing::{get, post};
use axum::{Extension, Router};
use rampart::core::csp::{Csp, Policy};
use rampart::core::headers::{FrameOptions, Overrides, SecureHeaders, SecureHeadersBuilder};
use rampart::core::{ProxyHeaders, ProxyTrust};
use rampart::{CspNonce, OverrideLayer, SecureHeadersLayer};

pub fn app_with(builder: SecureHeadersBuilder) -> Router {
    Router::new()
        .route("/", get(|| async { "Hello, world" }))
        .route(
            "/with_nonce",
            get(|n: CspNonce| async move { Html(format!("<script nonce=\"{n}\"></script>")) }),
        )
        .route(
            "/json",
            get(|| async { axum::Json(serde_json::json!({"ok": true})) }),
        )
        .route(
            "/static/app.css",
            get(|| async { ([("content-type", "text/css")], "body{}") }),
        )
        .route("/health", get(|| async { "ok" }))
        .route("/echo", post(|body: String| async move { body }))
        .route(
            "/cookie",
            get(|| async { ([("set-cookie", "sid=abc; Path=/")], "c") }),
        )
        .route(
            "/own-headers",
            get(|| async {
                (
                    [
                        ("x-frame-options", "DENY"),
                        ("content-security-policy", "default-src 'none'"),
                    ],
                    "own",
                )
            }),
        )
        .route(
            "/legacy",
            get(|| async { "legacy" }).layer(OverrideLayer::new(Overrides::new().csp_off())),
        )
        .route(
            "/partner",
            get(|| async { "framable" }).layer(OverrideLayer::new(
                Overrides::new().frame_options(FrameOptions::Off).csp(
                    Csp::builder(Policy::default())
                        .build()
                        .unwrap()
                        .with_sources("frame-ancestors", "https://partner.example")
                        .unwrap(),
                ),
            )),
        )
        .route(
            "/handler-override",
            get(|| async {
                (
                    Extension(Overrides::new().frame_options(FrameOptions::Deny)),
                    "x",
                )
                    .into_response()
            })
            .layer(OverrideLayer::new(
                Overrides::new().frame_options(FrameOptions::Off),
            )),
        )
        .layer(SecureHeadersLayer::new(builder.build().unwrap()))
}

pub fn default_app() -> Router {
    app_with(SecureHeaders::builder().proxy_trust(ProxyTrust::loopback(ProxyHeaders::X_FORWARDED)))
}

pub const HTTPS: bool = true;
pub const HTTP: bool = false;
pub const CLIENT: &str = "203.0.113.7";
pub const PROXY: &str = "127.0.0.1";
