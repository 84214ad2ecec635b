//! The secure headers middleware.

use std::future::{ready, Ready};
use std::rc::Rc;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::{Error, HttpMessage};
use futures_util::future::LocalBoxFuture;
use rampart_core::adapter::Inbound;
use rampart_core::headers::{Overrides, SecureHeaders, SecureHeadersBuilder};
use rampart_core::ConfigError;

use crate::connection::{connection_info, parts, unconvertible};
use crate::convert::{self, ValueCache};

/// Applies a [`SecureHeaders`] set to every response of the wrapped app,
/// scope or resource: the actix-web counterpart of rampart's
/// `SecureHeadersLayer`, with the same output.
///
/// Before the inner service runs: plain-HTTP requests for non-loopback hosts
/// are redirected to https (301 for GET/HEAD, 308 otherwise); when the policy
/// takes nonces or a proxy is trusted, the request gets its
/// [`RequestScope`](rampart_core::RequestScope) (facts and lazy nonce cells) as
/// an extension. After: the headers are written (handler-set headers win unless
/// configured otherwise), [`Overrides`] found in the response extensions apply,
/// and `Set-Cookie` headers are hardened.
///
/// The connection facts come from `HttpRequest::peer_addr` and
/// `AppConfig::secure` (true for listeners bound with TLS), unless the server
/// attached a [`ConnectionInfo`](rampart_core::ConnectionInfo) as connection data.
///
/// Register it last (`wrap` makes the last middleware the outermost):
///
/// ```
/// use actix_web::{web, App, HttpResponse};
/// use rampart_actix::SecureHeadersMiddleware;
///
/// let app = App::new()
///     .route("/", web::get().to(|| async { HttpResponse::Ok().body("hello") }))
///     .wrap(SecureHeadersMiddleware::default());
/// # use actix_web::test::{call_service, init_service, TestRequest};
/// # actix_web::rt::System::new().block_on(async {
/// let app = init_service(app).await;
/// let res = call_service(&app, TestRequest::get().uri("/").insert_header(("host", "localhost")).to_request()).await;
/// assert_eq!(res.status(), 200);
/// assert_eq!(res.headers().get("x-frame-options").unwrap(), "SAMEORIGIN");
/// # });
/// ```
#[derive(Debug, Clone, Default)]
pub struct SecureHeadersMiddleware {
    headers: SecureHeaders,
}

impl SecureHeadersMiddleware {
    /// A middleware for an already built header set.
    ///
    /// ```
    /// use rampart_actix::{core::headers::SecureHeaders, SecureHeadersMiddleware};
    /// # use actix_web::{test::{call_service, init_service, TestRequest}, web, App};
    /// let mw = SecureHeadersMiddleware::new(SecureHeaders::builder().build().unwrap());
    /// # actix_web::rt::System::new().block_on(async {
    /// let app = init_service(App::new().route("/", web::get().to(|| async { "hi" })).wrap(mw)).await;
    /// let res = call_service(&app, TestRequest::get().uri("/").insert_header(("host", "localhost")).to_request()).await;
    /// assert_eq!(res.headers().get("x-content-type-options").unwrap(), "nosniff");
    /// # });
    /// ```
    pub fn new(headers: SecureHeaders) -> Self {
        Self { headers }
    }

    /// Builds the header set from a builder, failing on invalid configuration.
    ///
    /// ```
    /// use rampart_actix::{core::headers::{FrameOptions, SecureHeaders}, SecureHeadersMiddleware};
    /// let mw = SecureHeadersMiddleware::from_builder(SecureHeaders::builder().frame_options(FrameOptions::Deny)).unwrap();
    /// assert!(mw.headers().header_values().iter().any(|(n, v)| n == "x-frame-options" && v == "DENY"));
    /// // A header the set writes itself cannot be added again as an extra one.
    /// assert!(SecureHeadersMiddleware::from_builder(SecureHeaders::builder().header("x-frame-options", "DENY")).is_err());
    /// ```
    pub fn from_builder(builder: SecureHeadersBuilder) -> Result<Self, ConfigError> {
        builder.build().map(Self::new)
    }

    /// The header set this middleware applies.
    ///
    /// ```
    /// # use rampart_actix::SecureHeadersMiddleware;
    /// assert!(SecureHeadersMiddleware::default().headers().csp().is_some());
    /// ```
    pub fn headers(&self) -> &SecureHeaders {
        &self.headers
    }
}

impl<S, B> Transform<S, ServiceRequest> for SecureHeadersMiddleware
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = SecureHeadersService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(SecureHeadersService {
            service: Rc::new(service),
            cache: Rc::new(ValueCache::new(self.headers.header_values())),
            headers: self.headers.clone(),
        }))
    }
}

/// The service made by [`SecureHeadersMiddleware`].
///
/// ```
/// use actix_web::{web, App};
/// use rampart_actix::{SecureHeadersMiddleware, SecureHeadersService};
/// // Built by actix when the app starts; named here only for its type.
/// fn _name<S>(_: &SecureHeadersService<S>) {}
/// let _app = App::new().wrap(SecureHeadersMiddleware::default()).route("/", web::get().to(|| async { "" }));
/// ```
pub struct SecureHeadersService<S> {
    service: Rc<S>,
    headers: SecureHeaders,
    /// actix copies of the configured values, cloned into responses.
    cache: Rc<ValueCache>,
}

impl<S> std::fmt::Debug for SecureHeadersService<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecureHeadersService")
            .field("headers", &self.headers)
            .finish_non_exhaustive()
    }
}

impl<S, B> Service<ServiceRequest> for SecureHeadersService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    actix_web::dev::forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let Some(parts) = parts(&req) else {
            let res = req.into_response(unconvertible()).map_into_right_body();
            return Box::pin(ready(Ok(res)));
        };
        let scope = match self.headers.inbound(connection_info(req.request()), &parts) {
            Inbound::Continue(scope) => scope,
            Inbound::Respond(res) => {
                let res = req
                    .into_response(convert::response_from_http(res))
                    .map_into_right_body();
                return Box::pin(ready(Ok(res)));
            }
        };
        if scope.is_shared() {
            req.extensions_mut().insert(scope.clone());
        }
        let fut = self.service.call(req);
        let headers = self.headers.clone();
        let cache = self.cache.clone();
        Box::pin(async move {
            // As with the Tower layer, an error from an inner middleware passes
            // through untouched (actix renders it). Handler and extractor errors
            // arrive here as responses and get the header set.
            let mut res = fut.await?.map_into_left_body();
            let overrides = res.response_mut().extensions_mut().remove::<Overrides>();
            convert::with_http_headers(res.headers_mut(), &cache, |h| {
                headers.outbound(&scope, overrides.as_ref(), h)
            });
            Ok(res)
        })
    }
}
