//! actix-web extractors: the CSP nonce and the CSRF token read like plain arguments.

use std::convert::Infallible;
use std::fmt;
use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError};
use rampart_core::adapter;
use rampart_core::csp::RequestNonces;
use rampart_core::RequestScope;

/// The request's script nonce. Rendering it (`{{ nonce }}` in any template
/// engine, or `format!`) generates it; only then does the response's CSP carry
/// `'nonce-…'`. A response whose handler never rendered it carries no nonce.
///
/// ```
/// use actix_web::HttpResponse;
/// use rampart_actix::CspNonce;
///
/// async fn page(nonce: CspNonce) -> HttpResponse {
///     HttpResponse::Ok().content_type("text/html")
///         .body(format!(r#"<script nonce="{nonce}" src="/app.js"></script>"#))
/// }
/// ```
#[derive(Clone, Debug)]
pub struct CspNonce(pub rampart_core::csp::CspNonce);

/// The request's style nonce (the same as [`CspNonce`] unless separate style
/// nonces are configured with `CspBuilder::style_nonce_in`).
///
/// ```
/// use rampart_actix::CspStyleNonce;
/// async fn page(nonce: CspStyleNonce) -> String {
///     format!(r#"<style nonce="{nonce}">body{{margin:0}}</style>"#)
/// }
/// ```
#[derive(Clone, Debug)]
pub struct CspStyleNonce(pub rampart_core::csp::CspNonce);

fn nonces(req: &HttpRequest) -> RequestNonces {
    let ext = req.extensions();
    adapter::nonces_or_standalone(
        ext.get::<RequestScope>(),
        ext.get::<RequestNonces>(),
        req.path(),
    )
}

impl FromRequest for CspNonce {
    type Error = Infallible;
    type Future = Ready<Result<Self, Infallible>>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self(nonces(req).script().clone())))
    }
}

impl FromRequest for CspStyleNonce {
    type Error = Infallible;
    type Future = Ready<Result<Self, Infallible>>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self(nonces(req).style().clone())))
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
/// use actix_web::HttpResponse;
/// use rampart_actix::CsrfToken;
///
/// async fn form(csrf: CsrfToken) -> HttpResponse {
///     HttpResponse::Ok().content_type("text/html").body(format!(
///         r#"<form method="post"><input type="hidden" name="_csrf_token" value="{csrf}"></form>"#
///     ))
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

/// The [`CsrfToken`] extractor was used on a route that no
/// [`CsrfMiddleware`](crate::CsrfMiddleware) covers: a `500` (server
/// misconfiguration), logged as an error.
///
/// ```
/// use actix_web::ResponseError;
/// assert_eq!(rampart_actix::MissingCsrfMiddleware.status_code(), 500);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct MissingCsrfMiddleware;

impl fmt::Display for MissingCsrfMiddleware {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(adapter::MISSING_CSRF_MESSAGE)
    }
}

impl ResponseError for MissingCsrfMiddleware {
    fn status_code(&self) -> StatusCode {
        StatusCode::INTERNAL_SERVER_ERROR
    }

    fn error_response(&self) -> HttpResponse {
        tracing::error!("rampart: CsrfToken extractor used on a route without CsrfMiddleware; add .wrap(CsrfMiddleware::new(..))");
        HttpResponse::InternalServerError()
            .content_type("text/plain; charset=utf-8")
            .body(adapter::MISSING_CSRF_MESSAGE)
    }
}

impl FromRequest for CsrfToken {
    type Error = MissingCsrfMiddleware;
    type Future = Ready<Result<Self, MissingCsrfMiddleware>>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            req.extensions()
                .get::<rampart_core::csrf::CsrfToken>()
                .cloned()
                .map(CsrfToken)
                .ok_or(MissingCsrfMiddleware),
        )
    }
}
