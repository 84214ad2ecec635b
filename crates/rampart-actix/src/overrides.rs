//! Per-route overrides: a middleware for resources and scopes, and a
//! responder wrapper for handlers.

use std::future::{ready, Ready};
use std::rc::Rc;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::{Error, HttpMessage, HttpRequest, HttpResponse, Responder};
use futures_util::future::LocalBoxFuture;
use rampart_core::headers::Overrides;
use rampart_core::RequestScope;

/// Changes the secure header set for the resources or scopes it wraps, without
/// a second [`SecureHeadersMiddleware`](crate::SecureHeadersMiddleware): the
/// actix-web counterpart of rampart's `OverrideLayer`.
///
/// The override travels to the outer middleware in the response extensions;
/// an [`Overrides`] the handler returns itself (see [`WithOverrides`]) is
/// applied after this one, so the handler has the last word.
///
/// ```
/// use actix_web::{web, App, HttpResponse};
/// use rampart_actix::{core::headers::{FrameOptions, Overrides}, OverrideMiddleware, SecureHeadersMiddleware};
///
/// let app = App::new()
///     .service(web::resource("/embed")
///         .wrap(OverrideMiddleware::new(Overrides::new().frame_options(FrameOptions::Deny)))
///         .route(web::get().to(|| async { HttpResponse::Ok().body("not framable") })))
///     .service(web::scope("/legacy")
///         .wrap(OverrideMiddleware::new(Overrides::new().csp_off()))
///         .route("/page", web::get().to(|| async { HttpResponse::Ok().body("no CSP here") })))
///     .wrap(SecureHeadersMiddleware::default());
/// # use actix_web::test::{call_service, init_service, TestRequest};
/// # actix_web::rt::System::new().block_on(async {
/// let app = init_service(app).await;
/// # let get = |path: &str| TestRequest::get().uri(path).insert_header(("host", "localhost")).to_request();
/// let res = call_service(&app, get("/embed")).await;
/// assert_eq!(res.headers().get("x-frame-options").unwrap(), "DENY");
/// let res = call_service(&app, get("/legacy/page")).await;
/// assert!(res.headers().get("content-security-policy").is_none());
/// assert_eq!(res.headers().get("x-frame-options").unwrap(), "SAMEORIGIN");
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct OverrideMiddleware {
    overrides: Overrides,
}

impl OverrideMiddleware {
    /// A middleware applying `overrides`.
    ///
    /// ```
    /// use rampart_actix::{core::headers::Overrides, OverrideMiddleware};
    /// # use actix_web::{test::{call_service, init_service, TestRequest}, web, App};
    /// # use rampart_actix::SecureHeadersMiddleware;
    /// let mw = OverrideMiddleware::new(Overrides::new().csp_off());
    /// # actix_web::rt::System::new().block_on(async {
    /// let app = init_service(App::new()
    ///     .service(web::resource("/legacy").wrap(mw).route(web::get().to(|| async { "old page" })))
    ///     .wrap(SecureHeadersMiddleware::default())).await;
    /// let res = call_service(&app, TestRequest::get().uri("/legacy").insert_header(("host", "localhost")).to_request()).await;
    /// assert!(res.headers().get("content-security-policy").is_none());
    /// # });
    /// ```
    pub fn new(overrides: Overrides) -> Self {
        Self { overrides }
    }
}

impl<S, B> Transform<S, ServiceRequest> for OverrideMiddleware
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<B>;
    type Error = Error;
    type Transform = OverrideService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(OverrideService {
            service: Rc::new(service),
            overrides: self.overrides.clone(),
        }))
    }
}

/// The service made by [`OverrideMiddleware`].
///
/// ```
/// use rampart_actix::OverrideService;
/// // Built by actix when the app starts; named here only for its type.
/// fn _name<S>(_: &OverrideService<S>) {}
/// ```
pub struct OverrideService<S> {
    service: Rc<S>,
    overrides: Overrides,
}

impl<S> std::fmt::Debug for OverrideService<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OverrideService")
            .field("overrides", &self.overrides)
            .finish_non_exhaustive()
    }
}

impl<S, B> Service<ServiceRequest> for OverrideService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<B>;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    actix_web::dev::forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let (mine, cells) = self
            .overrides
            .for_route(req.extensions().get::<RequestScope>());
        if let Some(n) = cells {
            req.extensions_mut().insert(n);
        }
        let fut = self.service.call(req);
        Box::pin(async move {
            let mut res = fut.await?;
            let mut ext = res.response_mut().extensions_mut();
            let handler = ext.remove::<Overrides>();
            ext.insert(mine.merged_with(handler));
            drop(ext);
            Ok(res)
        })
    }
}

/// A handler's response with [`Overrides`] for this response only (the
/// counterpart of returning `axum::Extension(overrides)`); they apply after
/// any [`OverrideMiddleware`] of the route.
///
/// ```
/// use actix_web::{web, App};
/// use rampart_actix::{core::headers::Overrides, WithOverrides};
///
/// async fn widget() -> WithOverrides<&'static str> {
///     WithOverrides::new("framable widget", Overrides::new().remove(http::header::X_FRAME_OPTIONS))
/// }
/// let _app = App::new().route("/widget", web::get().to(widget));
/// ```
#[derive(Debug)]
pub struct WithOverrides<R> {
    inner: R,
    overrides: Overrides,
}

impl<R> WithOverrides<R> {
    /// Wraps a responder.
    ///
    /// ```
    /// use rampart_actix::{core::headers::Overrides, WithOverrides};
    /// # use actix_web::{test::{call_service, init_service, TestRequest}, web, App};
    /// # use rampart_actix::SecureHeadersMiddleware;
    /// # actix_web::rt::System::new().block_on(async {
    /// let app = init_service(App::new()
    ///     .route("/", web::get().to(|| async { WithOverrides::new("body", Overrides::new().csp_off()) }))
    ///     .wrap(SecureHeadersMiddleware::default())).await;
    /// let res = call_service(&app, TestRequest::get().uri("/").insert_header(("host", "localhost")).to_request()).await;
    /// assert_eq!(res.status(), 200);
    /// assert!(res.headers().get("content-security-policy").is_none());
    /// # });
    /// ```
    pub fn new(inner: R, overrides: Overrides) -> Self {
        Self { inner, overrides }
    }
}

impl<R: Responder> Responder for WithOverrides<R> {
    type Body = R::Body;

    fn respond_to(self, req: &HttpRequest) -> HttpResponse<Self::Body> {
        let mut res = self.inner.respond_to(req);
        let mut ext = res.extensions_mut();
        let merged = match ext.remove::<Overrides>() {
            Some(earlier) => earlier.merge(self.overrides),
            None => self.overrides,
        };
        ext.insert(merged);
        drop(ext);
        res
    }
}
