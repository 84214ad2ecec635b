//! CSRF protection: a token-less cross-origin check (Fetch Metadata, `Origin`,
//! `Referer`) backed by signed, session-bound, masked tokens.
//!
//! # What is checked
//!
//! Safe methods (GET, HEAD, OPTIONS, TRACE) are never checked. Every other
//! method goes through, in order:
//!
//! 1. **Exemptions** — [`exempt`](CsrfBuilder::exempt) with
//!    [`Exemptions`](crate::Exemptions): path prefixes (segment boundaries:
//!    `/api` covers `/api/x`, not `/apix`), the framework's matched route
//!    patterns and predicates, the same type the HTTPS redirect takes; or, in
//!    [`include_only`](CsrfBuilder::include_only) mode, only the included
//!    prefixes and routes are checked.
//! 2. **Cross-origin check** (Go 1.25 `CrossOriginProtection`, improved):
//!    `Sec-Fetch-Site: same-origin` or `none` passes; `same-site` passes only
//!    with [`allow_same_site`](CsrfBuilder::allow_same_site); anything else is
//!    refused unless the `Origin` is a [trusted origin](CsrfBuilder::trusted_origin).
//!    Without Fetch Metadata, an `Origin` header must equal the request's own
//!    origin (compared normalised: scheme, lower-cased host, explicit port) or
//!    a trusted one; `Origin: null` is refused. A secure request with neither
//!    header must carry a same-origin `Referer` (Django's rule; see
//!    [`check_referer`](CsrfBuilder::check_referer)). A plain-http request with
//!    neither header is a non-browser client and passes this step.
//! 3. **Token** (unless [`tokens(false)`](CsrfBuilder::tokens)): the client
//!    must hold the secret cookie and send a token, in the header
//!    (`X-CSRFToken`) or else in the body (urlencoded or multipart field
//!    `_csrf_token`, or the top-level JSON key `_csrf_token`). A header, once
//!    present, is the only source. The query string is never read.
//!
//! # Tokens
//!
//! The client's secret is 32 random bytes in an HttpOnly cookie
//! (`__Host-csrf` over https; `csrf`, without `Secure`, over plain http so
//! local development works). A token is
//! `HMAC-SHA256(key, "rampart-csrf-v1" 0 secret 0 session)` where `session` is
//! the value of the application's [session cookie](CsrfBuilder::session_cookie)
//! when configured; binding to it means a pair planted by an attacker (cookie
//! tossing from a sibling subdomain) fails for the victim's session. Every
//! render masks the token with fresh random bytes, so no two pages carry the
//! same string (BREACH). Keys live in a [`KeyRing`]: the newest signs, all
//! verify, so keys can be rotated. Without a configured key, `RAMPART_CSRF_KEY`
//! is read; failing that a random key is generated with a warning.
//!
//! The cookie is only set on responses that issued a token
//! ([`CsrfToken::masked`] or [`CsrfToken::rotate`]) to a client lacking a valid
//! secret; those responses also get `Vary: Cookie`.
//!
//! # Adapter flow
//!
//! ```
//! use rampart_core::csrf::{Csrf, Decision};
//! use rampart_core::{RequestFacts, Scheme};
//!
//! # async fn demo() {
//! let csrf = Csrf::builder().key(&[0x42; 32]).build().unwrap();
//! let facts = RequestFacts::new(Scheme::Https, Some("app.example"));
//! let (parts, body) = http::Request::post("/transfer")
//!     .header("origin", "https://app.example")
//!     .header("content-type", "application/json")
//!     .body(bytes::Bytes::from_static(b"{}")).unwrap().into_parts();
//!
//! let request = match csrf.check(&parts, &facts, Some("/transfer")) {
//!     Decision::Pass(r) => r,
//!     Decision::Reject(rejection) => {
//!         let _response = csrf.render_rejection(&rejection, parts.headers.get("accept"));
//!         return;
//!     }
//!     Decision::ReadBody { limit, request, .. } => {
//!         // Buffer at most `limit` bytes, then:
//!         assert!(body.len() <= limit);
//!         match csrf.check_body(request, &parts.headers, &body).await {
//!             Ok(r) => r,
//!             Err(rejection) => {
//!                 let _response = csrf.render_rejection(&rejection, None);
//!                 return;
//!             }
//!         }
//!     }
//! };
//! // Put request.token() into the request extensions, run the handler, then:
//! let mut response_headers = http::HeaderMap::new();
//! csrf.finish(&request, &mut response_headers);
//! # }
//! ```
//!
//! Refusals are logged once each with `tracing::warn!` (reason code, method,
//! path; never a token, secret or key). [`report_only`](CsrfBuilder::report_only)
//! logs and lets requests through, for rolling the protection out.
#![forbid(unsafe_code)]

mod body;
mod config;
mod cookie;
mod handle;
mod keys;
mod origin_check;
mod reject;
mod request;
mod settings;
mod state;
mod token;

#[cfg(test)]
mod tests;

/// Name of the JavaScript-readable token cookie set with
/// [`CsrfBuilder::js_readable_cookie`]. The secure headers' cookie hardening
/// adds no `HttpOnly` to it (that would hide it from the script it is for);
/// `SameSite` and `Secure` apply as to any cookie.
pub(crate) const JS_COOKIE_NAME: &str = "csrf-token";

#[cfg(any(test, feature = "fuzzing"))]
pub(crate) use body::{extract, BodyKind};
#[cfg(test)]
use config::DEFAULT_BODY_LIMIT;
pub use config::{CsrfBuilder, DEFAULT_KEY_ENV};
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) use cookie::cookie_pairs;
pub use handle::CsrfToken;
pub use keys::KeyRing;
pub use reject::{RejectReason, Rejection};
#[doc(hidden)]
pub use request::CsrfRequest;
pub use state::Csrf;
#[doc(hidden)]
pub use state::Decision;
