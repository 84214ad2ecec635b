//! # rampart-actix
//!
//! Secure response headers, a Content Security Policy with lazy per-request
//! nonces, and CSRF protection for actix-web 4: the same features and the
//! same output as rampart's Tower/axum layer.
//!
//! Every rule lives in [`rampart_core`] (re-exported as [`core`]); this crate
//! only converts actix-web's requests and responses (`http` 0.2 types) into the
//! core's `http` 1.x types, calls the core, and converts the answer back.
//!
//! | piece | what it does |
//! |---|---|
//! | [`SecureHeadersMiddleware`] | HTTPS redirect, the header set, CSP nonces, cookie hardening |
//! | [`CsrfMiddleware`] | Fetch-Metadata/Origin checks and tokens, before the handler runs |
//! | [`OverrideMiddleware`], [`WithOverrides`] | per-resource, per-scope and per-response changes |
//! | [`CspNonce`], [`CspStyleNonce`], [`CsrfToken`] | extractors that render as their value |
//! | [`CspReportService`] | the CSP violation report endpoint |
//!
//! ## Quick start
//!
//! ```no_run
//! use actix_web::{web, App, HttpResponse, HttpServer};
//! use rampart_actix::core::{csp::{Csp, Policy}, csrf::Csrf, headers::SecureHeaders, ProxyHeaders, ProxyTrust};
//! use rampart_actix::{CspNonce, CsrfMiddleware, CsrfToken, SecureHeadersMiddleware};
//!
//! async fn page(nonce: CspNonce, csrf: CsrfToken) -> HttpResponse {
//!     HttpResponse::Ok().content_type("text/html; charset=utf-8").body(format!(
//!         r#"<script nonce="{nonce}" src="/app.js"></script>
//! <form method="post" action="/save"><input type="hidden" name="_csrf_token" value="{csrf}"><button>Save</button></form>"#
//!     ))
//! }
//!
//! #[actix_web::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let headers = SecureHeaders::builder()
//!         // a TLS proxy on this host (nginx) writing X-Forwarded-Proto/-Host/-For: read those alone
//!         .proxy_trust(ProxyTrust::loopback(ProxyHeaders::X_FORWARDED))
//!         .csp(Some(Csp::builder(Policy::strict()).nonce_in(["script-src"])))
//!         .build()?;
//!     let csrf = Csrf::builder().build()?; // key from RAMPART_CSRF_KEY, or a random one with a warning
//!     HttpServer::new(move || {
//!         App::new()
//!             .route("/", web::get().to(page))
//!             .route("/save", web::post().to(|| async { "saved" }))
//!             .wrap(CsrfMiddleware::new(csrf.clone()))
//!             .wrap(SecureHeadersMiddleware::new(headers.clone())) // last = outermost
//!     })
//!     .bind("127.0.0.1:8000")?
//!     .run()
//!     .await?;
//!     Ok(())
//! }
//! ```
//!
//! ## Differences from the Tower adapter
//!
//! * Register [`SecureHeadersMiddleware`] last: actix runs the last `wrap` first.
//! * Routes answer HEAD only when registered for it (axum's `get` also serves
//!   HEAD); the security headers are the same either way.
//! * An `Exemptions::when` predicate sees the request line and headers, not actix's
//!   request extensions.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub use rampart_core as core;

mod connection;
mod convert;
mod csrf;
mod deadline;
mod extract;
mod headers;
mod overrides;
mod report;

pub use crate::csrf::{CsrfMiddleware, CsrfService};
pub use crate::extract::{CspNonce, CspStyleNonce, CsrfToken, MissingCsrfMiddleware};
pub use crate::headers::{SecureHeadersMiddleware, SecureHeadersService};
pub use crate::overrides::{OverrideMiddleware, OverrideService, WithOverrides};
pub use crate::report::CspReportService;

/// The README's code blocks (the axum and the actix-web quick starts) compile.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
