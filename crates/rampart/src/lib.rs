//! # rampart
//!
//! Secure response headers, a Content Security Policy with lazy per-request
//! nonces, and CSRF protection for Tower-based frameworks (axum, hyper, tonic):
//! what Flask-Talisman and Flask-SeaSurf give Flask apps, secure by default and
//! usable over plain http on localhost.
//!
//! Every rule lives in [`rampart_core`] (re-exported as [`core`]); this crate
//! only adapts it to Tower services and axum extractors.
//!
//! ```no_run
//! use axum::{response::Html, routing::get, Router};
//! use rampart::{core::csp::{Csp, Policy}, core::headers::SecureHeaders, CspNonce, SecureHeadersLayer};
//!
//! async fn index(nonce: CspNonce) -> Html<String> {
//!     Html(format!(r#"<script nonce="{nonce}">console.log("allowed")</script>"#))
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let headers = SecureHeaders::builder()
//!     .csp(Some(Csp::builder(Policy::strict()).nonce_in(["script-src"])))
//!     .build()?; // invalid configuration fails here, with a message
//! let app = Router::new().route("/", get(index)).layer(SecureHeadersLayer::new(headers));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8000").await?;
//! axum::serve(listener, app).await?;
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub use rampart_core as core;

#[cfg(feature = "tower")]
pub mod tower;

#[cfg(feature = "axum")]
pub mod extract;

#[cfg(feature = "axum")]
pub use crate::extract::{CspNonce, CspStyleNonce, CsrfToken, MissingCsrfLayer};
#[cfg(feature = "tower")]
pub use crate::tower::{
    csrf::{CsrfBody, CsrfLayer, CsrfService},
    headers::{SecureHeadersLayer, SecureHeadersService},
    overrides::{OverrideLayer, OverrideService},
    report::CspReportService,
};
