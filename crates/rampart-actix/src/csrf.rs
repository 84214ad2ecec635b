//! The CSRF middleware: both defences run before the inner service is called,
//! so a rejected request never reaches the handler.

use std::future::{ready, Ready};
use std::rc::Rc;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::{Error, HttpMessage};
use futures_util::future::LocalBoxFuture;
use rampart_core::adapter::{read_limited, PassBody};
use rampart_core::csrf::{Csrf, CsrfRequest, Decision, Rejection};
use rampart_core::RequestScope;

use crate::connection::{connection_info, parts, unconvertible};
use crate::convert::{self, ValueCache};

/// Protects unsafe methods against cross-site request forgery: the actix-web
/// counterpart of rampart's `CsrfLayer`, with the same decisions, limits and
/// rejection responses.
///
/// The route pattern actix matched (`HttpRequest::match_pattern`, e.g.
/// `/items/{id}`) is what [`Exemptions::route`](rampart_core::Exemptions::route)
/// compares against. When the token has to come from the body, the body is
/// buffered up to the configured limit, checked, and handed to the handler
/// byte for byte as received.
///
/// Register it before (inside) [`SecureHeadersMiddleware`](crate::SecureHeadersMiddleware),
/// whose request facts it reuses:
///
/// ```
/// use actix_web::{web, App, HttpResponse};
/// use rampart_actix::{core::csrf::Csrf, CsrfMiddleware, SecureHeadersMiddleware};
///
/// let csrf = Csrf::builder().key(&[7u8; 32]).build().unwrap();
/// let app = App::new()
///     .route("/login", web::post().to(|| async { HttpResponse::Ok().body("welcome") }))
///     .wrap(CsrfMiddleware::new(csrf))
///     .wrap(SecureHeadersMiddleware::default());
/// # use actix_web::test::{call_service, init_service, TestRequest};
/// # actix_web::rt::System::new().block_on(async {
/// let app = init_service(app).await;
/// let forged = TestRequest::post().uri("/login").insert_header(("host", "localhost"))
///     .insert_header(("sec-fetch-site", "cross-site")).to_request();
/// let res = call_service(&app, forged).await;
/// assert_eq!(res.status(), 403);
/// assert_eq!(res.headers().get("x-frame-options").unwrap(), "SAMEORIGIN"); // refusals get the headers too
/// # });
/// ```
#[derive(Clone)]
pub struct CsrfMiddleware {
    csrf: Csrf,
}

impl std::fmt::Debug for CsrfMiddleware {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CsrfMiddleware").finish_non_exhaustive()
    }
}

impl CsrfMiddleware {
    /// A middleware enforcing `csrf`.
    ///
    /// ```
    /// use rampart_actix::{core::csrf::Csrf, CsrfMiddleware};
    /// # use actix_web::{test::{call_service, init_service, TestRequest}, web, App};
    /// let mw = CsrfMiddleware::new(Csrf::builder().key(&[1u8; 32]).build().unwrap());
    /// # actix_web::rt::System::new().block_on(async {
    /// let app = init_service(App::new().route("/transfer", web::post().to(|| async { "sent" })).wrap(mw)).await;
    /// let forged = TestRequest::post().uri("/transfer").insert_header(("sec-fetch-site", "cross-site")).to_request();
    /// assert_eq!(call_service(&app, forged).await.status(), 403);
    /// # });
    /// ```
    pub fn new(csrf: Csrf) -> Self {
        Self { csrf }
    }
}

impl<S, B> Transform<S, ServiceRequest> for CsrfMiddleware
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = CsrfService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(CsrfService {
            service: Rc::new(service),
            csrf: self.csrf.clone(),
        }))
    }
}

/// The service made by [`CsrfMiddleware`].
///
/// ```
/// use rampart_actix::CsrfService;
/// // Built by actix when the app starts; named here only for its type.
/// fn _name<S>(_: &CsrfService<S>) {}
/// ```
pub struct CsrfService<S> {
    service: Rc<S>,
    csrf: Csrf,
}

impl<S> std::fmt::Debug for CsrfService<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CsrfService").finish_non_exhaustive()
    }
}

impl<S, B> Service<ServiceRequest> for CsrfService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    actix_web::dev::forward_ready!(service);

    fn call(&self, mut req: ServiceRequest) -> Self::Future {
        let Some(parts) = parts(&req) else {
            let res = req.into_response(unconvertible()).map_into_right_body();
            return Box::pin(ready(Ok(res)));
        };
        let scope = req.extensions().get::<RequestScope>().cloned();
        let facts = self.csrf.proxy_trust().lazy_facts(
            scope.as_ref(),
            connection_info(req.request()),
            &parts.uri,
            &parts.headers,
        );
        // The matched route only when a route exemption or inclusion can use it.
        let route = self
            .csrf
            .wants_route(&parts)
            .then(|| req.match_pattern())
            .flatten();
        match self.csrf.check(&parts, facts, route.as_deref()) {
            Decision::Pass(state) => {
                req.extensions_mut().insert(state.token());
                let fut = self.service.call(req);
                Box::pin(async move { Ok(finish(&state, fut.await?)) })
            }
            Decision::Reject(rejection) => {
                Box::pin(ready(Ok(render(&self.csrf, &rejection, &parts, req))))
            }
            Decision::ReadBody {
                limit,
                timeout,
                request,
            } => {
                let csrf = self.csrf.clone();
                let service = self.service.clone();
                Box::pin(async move {
                    let payload = req.take_payload();
                    let deadline = crate::deadline::after(timeout);
                    let read = read_limited(&parts.headers, payload, limit, |p| p, deadline).await;
                    let state = match csrf.check_body_read(request, &parts.headers, read).await {
                        Ok((state, PassBody::Untouched(payload))) => {
                            req.set_payload(payload);
                            state
                        }
                        Ok((state, PassBody::Buffered(bytes))) => {
                            req.set_payload(Payload::from(bytes));
                            state
                        }
                        Err(rejection) => return Ok(render(&csrf, &rejection, &parts, req)),
                    };
                    req.extensions_mut().insert(state.token());
                    let res = service.call(req).await?;
                    Ok(finish(&state, res))
                })
            }
        }
    }
}

fn finish<B>(state: &CsrfRequest, mut res: ServiceResponse<B>) -> ServiceResponse<EitherBody<B>> {
    // The usual response owes nothing: no copy of its headers to `http` 1.x and back.
    if state.may_owe_headers() {
        convert::with_http_headers(res.headers_mut(), &ValueCache::default(), |h| {
            state.finish(h)
        });
    }
    res.map_into_left_body()
}

fn render<B>(
    csrf: &Csrf,
    rejection: &Rejection,
    parts: &http::request::Parts,
    req: ServiceRequest,
) -> ServiceResponse<EitherBody<B>> {
    let res = csrf.render_rejection(rejection, parts.headers.get(http::header::ACCEPT));
    req.into_response(convert::response_from_http(res))
        .map_into_right_body()
}
