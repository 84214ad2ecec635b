//! axum extractors: the CSP nonce and the CSRF token read like plain arguments.

use std::convert::Infallible;
use std::fmt;

use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};
use http::request::Parts;
use http::StatusCode;
use rampart_core::adapter;
use rampart_core::csp::RequestNonces;
use rampart_core::RequestScope;

/// The request's script nonce. Rendering it (`{{ nonce }}` in any template
/// engine, or `format!`) generates it; only then does the response's CSP carry
/// `'nonce-…'`. A response whose handler never rendered it carries no nonce.
///
/// ```
/// use axum::response::Html;
/// use rampart::CspNonce;
///
/// async fn page(nonce: CspNonce) -> Html<String> {
///     Html(format!(r#"<script nonce="{nonce}" src="/app.js"></script>"#))
/// }
/// ```
#[derive(Clone, Debug)]
pub struct CspNonce(pub rampart_core::csp::CspNonce);

/// The request's style nonce (the same as [`CspNonce`] unless separate style
/// nonces are configured with `CspBuilder::style_nonce_in`).
///
/// ```
/// use rampart::CspStyleNonce;
/// async fn page(nonce: CspStyleNonce) -> String {
///     format!(r#"<style nonce="{nonce}">body{{margin:0}}</style>"#)
/// }
/// ```
#[derive(Clone, Debug)]
pub struct CspStyleNonce(pub rampart_core::csp::CspNonce);

fn nonces(parts: &Parts) -> RequestNonces {
    adapter::nonces_or_standalone(
        parts.extensions.get::<RequestScope>(),
        parts.extensions.get::<RequestNonces>(),
        parts.uri.path(),
    )
}

impl CspNonce {
    /// The request's script nonce from its parts, outside an extractor: for
    /// code that holds the request's `Parts`, such as a Leptos context
    /// function (see the README's recipe). The same handle the extractor gives.
    ///
    /// ```
    /// let (parts, _) = http::Request::get("/").body(()).unwrap().into_parts();
    /// // Outside the header layer there is no request scope: a standalone nonce.
    /// let nonce = rampart::CspNonce::from_parts(&parts);
    /// assert_eq!(nonce.value().len(), 24);
    /// ```
    pub fn from_parts(parts: &Parts) -> Self {
        Self(nonces(parts).script().clone())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CspNonce {
    type Rejection = Infallible;
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::from_parts(parts))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CspStyleNonce {
    type Rejection = Infallible;
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(nonces(parts).style().clone()))
    }
}

/// The core nonce handle, so the extractor goes wherever one is taken
/// (`TemplateContext::nonce(&nonce)`).
impl std::ops::Deref for CspNonce {
    type Target = rampart_core::csp::CspNonce;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

/// The core nonce handle (`TemplateContext::style_nonce(&nonce)`).
impl std::ops::Deref for CspStyleNonce {
    type Target = rampart_core::csp::CspNonce;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl fmt::Display for CspNonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Display for CspStyleNonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// The CSRF token for this request. Rendering it (`{{ csrf }}`) writes a freshly
/// masked token (different at every render, all valid) and makes the response
/// set the client's secret cookie if it has none yet.
///
/// ```
/// use axum::response::Html;
/// use rampart::CsrfToken;
///
/// async fn form(csrf: CsrfToken) -> Html<String> {
///     Html(format!(r#"<form method="post"><input type="hidden" name="_csrf_token" value="{csrf}"></form>"#))
/// }
/// ```
#[derive(Clone, Debug)]
pub struct CsrfToken(pub rampart_core::csrf::CsrfToken);

/// Every method of the core token handle: [`masked`](rampart_core::csrf::CsrfToken::masked),
/// [`rotate`](rampart_core::csrf::CsrfToken::rotate), [`log_out`](rampart_core::csrf::CsrfToken::log_out),
/// and the markup helpers [`hidden_input`](rampart_core::csrf::CsrfToken::hidden_input),
/// [`meta_tag`](rampart_core::csrf::CsrfToken::meta_tag) and
/// [`hx_headers`](rampart_core::csrf::CsrfToken::hx_headers).
impl std::ops::Deref for CsrfToken {
    type Target = rampart_core::csrf::CsrfToken;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl fmt::Display for CsrfToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// The [`CsrfToken`] extractor was used on a route that no `CsrfLayer` covers.
///
/// ```
/// use axum::response::IntoResponse;
/// let res = rampart::MissingCsrfLayer.into_response();
/// assert_eq!(res.status(), 500);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct MissingCsrfLayer;

impl IntoResponse for MissingCsrfLayer {
    fn into_response(self) -> Response {
        tracing::error!("rampart: CsrfToken extractor used on a route without CsrfLayer; add .layer(CsrfLayer::new(..))");
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            adapter::MISSING_CSRF_MESSAGE,
        )
            .into_response()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CsrfToken {
    type Rejection = MissingCsrfLayer;
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<rampart_core::csrf::CsrfToken>()
            .cloned()
            .map(CsrfToken)
            .ok_or(MissingCsrfLayer)
    }
}
