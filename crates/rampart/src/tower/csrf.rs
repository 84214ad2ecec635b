//! The CSRF [`Layer`](tower_layer::Layer): both defences run before the inner
//! service is called, so a rejected request never reaches the handler.

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::Bytes;
use http::{Request, Response};
use http_body::Body;
use http_body_util::{Either, Full};
use rampart_core::adapter::PassBody;
use rampart_core::csrf::{Csrf, CsrfRequest, Decision, Rejection};
use rampart_core::RequestScope;
use tower_layer::Layer;
use tower_service::Service;

use super::body::read_limited;
use super::connection::connection_info;

/// The request body the inner service sees: the original stream when the body
/// was not needed, or the buffered bytes (byte-for-byte the same) when the
/// token had to be read from it.
pub type CsrfBody<B> = Either<B, Full<Bytes>>;

/// Protects unsafe methods against cross-site request forgery.
///
/// Exempting routes, in axum's own idiom: `Router::layer` wraps only the routes
/// added before it, so routes added after the layer are not protected (a
/// webhook, say). Alternatively name them with `CsrfBuilder::exempt` and
/// `Exemptions` (matched route patterns, path prefixes, predicates).
///
/// ```
/// use axum::{routing::post, Router};
/// use rampart::{core::csrf::Csrf, CsrfLayer};
///
/// let csrf = Csrf::builder().key(&[7u8; 32]).build().unwrap();
/// let app: Router = Router::new()
///     .route("/transfer", post(|| async { "protected" }))
///     .layer(CsrfLayer::new(csrf))
///     .route("/webhook", post(|| async { "not protected: added after the layer" }));
/// ```
///
/// ```
/// use axum::{routing::post, Router};
/// use rampart::{core::csrf::Csrf, CsrfLayer};
///
/// let csrf = Csrf::builder().key(&[7u8; 32]).build().unwrap();
/// let app: Router = Router::new()
///     .route("/login", post(|| async { "welcome" }))
///     .layer(CsrfLayer::new(csrf));
/// ```
#[derive(Clone)]
pub struct CsrfLayer {
    csrf: Csrf,
}

impl std::fmt::Debug for CsrfLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CsrfLayer").finish_non_exhaustive()
    }
}

impl CsrfLayer {
    /// A layer enforcing `csrf`.
    ///
    /// ```
    /// use rampart::{core::csrf::Csrf, CsrfLayer};
    /// # use axum::{routing::post, Router};
    /// # use tower::ServiceExt;
    /// let layer = CsrfLayer::new(Csrf::builder().key(&[1u8; 32]).build().unwrap());
    /// let app: Router = Router::new().route("/transfer", post(|| async { "sent" })).layer(layer);
    /// let forged = http::Request::post("/transfer").header("host", "localhost")
    ///     .header("sec-fetch-site", "cross-site").body(axum::body::Body::empty()).unwrap();
    /// let res = tokio::runtime::Runtime::new().unwrap().block_on(app.oneshot(forged)).unwrap();
    /// assert_eq!(res.status(), 403);
    /// ```
    pub fn new(csrf: Csrf) -> Self {
        Self { csrf }
    }
}

impl<S> Layer<S> for CsrfLayer {
    type Service = CsrfService<S>;
    fn layer(&self, inner: S) -> Self::Service {
        CsrfService {
            inner,
            csrf: self.csrf.clone(),
        }
    }
}

/// The service made by [`CsrfLayer`].
///
/// ```
/// use rampart::{core::csrf::Csrf, CsrfLayer, CsrfService};
/// use tower::{Layer, ServiceExt};
/// let svc: CsrfService<_> = CsrfLayer::new(Csrf::builder().key(&[1u8; 32]).build().unwrap())
///     .layer(tower::service_fn(|_r: http::Request<rampart::CsrfBody<axum::body::Body>>| async {
///         Ok::<_, std::convert::Infallible>(http::Response::new(axum::body::Body::empty()))
///     }));
/// let req = http::Request::post("/").header("sec-fetch-site", "cross-site")
///     .body(axum::body::Body::empty()).unwrap();
/// let res = tokio::runtime::Runtime::new().unwrap().block_on(svc.oneshot(req)).unwrap();
/// assert_eq!(res.status(), 403);
/// ```
#[derive(Clone)]
pub struct CsrfService<S> {
    inner: S,
    csrf: Csrf,
}

impl<S: std::fmt::Debug> std::fmt::Debug for CsrfService<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CsrfService")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for CsrfService<S>
where
    S: Service<Request<CsrfBody<ReqBody>>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    ReqBody: Body<Data = Bytes> + Send + 'static,
    ResBody: From<Bytes> + Send + 'static,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, ResBody, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<ReqBody>) -> Self::Future {
        let (mut parts, body) = req.into_parts();
        let facts = self.csrf.proxy_trust().lazy_facts(
            parts.extensions.get::<RequestScope>(),
            connection_info(&parts.extensions),
            &parts.uri,
            &parts.headers,
        );
        let decision = self
            .csrf
            .check(&parts, facts, matched_route(&parts.extensions));
        match decision {
            // The common path: the request goes on as it is, with its token handle.
            Decision::Pass(state) => {
                parts.extensions.insert(state.token());
                let fut = self
                    .inner
                    .call(Request::from_parts(parts, Either::Left(body)));
                ResponseFuture {
                    kind: Kind::Pass {
                        fut,
                        finish: Some(state),
                    },
                }
            }
            Decision::Reject(rejection) => ResponseFuture {
                kind: Kind::Ready {
                    res: Some(render(&self.csrf, &rejection, &parts)),
                },
            },
            Decision::ReadBody {
                limit,
                timeout,
                request,
            } => {
                // The service driven to readiness serves this request after the
                // body is read; a fresh clone stays behind for the next one.
                let clone = self.inner.clone();
                let mut inner = std::mem::replace(&mut self.inner, clone);
                let csrf = self.csrf.clone();
                let fut = Box::pin(async move {
                    let read = read_limited(&parts.headers, body, limit, timeout).await;
                    let (state, body) =
                        match csrf.check_body_read(request, &parts.headers, read).await {
                            Ok((state, PassBody::Untouched(body))) => (state, Either::Left(body)),
                            Ok((state, PassBody::Buffered(bytes))) => {
                                (state, Either::Right(Full::new(bytes)))
                            }
                            Err(rejection) => return Ok(render(&csrf, &rejection, &parts)),
                        };
                    parts.extensions.insert(state.token());
                    let res = inner.call(Request::from_parts(parts, body)).await;
                    finish(&state, res)
                });
                ResponseFuture {
                    kind: Kind::Body { fut },
                }
            }
        }
    }
}

pin_project_lite::pin_project! {
    /// Response future of [`CsrfService`].
    pub struct ResponseFuture<F, B, E> {
        #[pin]
        kind: Kind<F, B, E>,
    }
}

pin_project_lite::pin_project! {
    #[project = KindProj]
    enum Kind<F, B, E> {
        Pass { #[pin] fut: F, finish: Option<CsrfRequest> },
        Ready { res: Option<Response<B>> },
        Body { fut: BoxFuture<Result<Response<B>, E>> },
    }
}

impl<F, B, E> Future for ResponseFuture<F, B, E>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().kind.project() {
            KindProj::Pass {
                fut,
                finish: pending,
            } => {
                let res = ready!(fut.poll(cx));
                match pending.take() {
                    Some(state) => Poll::Ready(finish(&state, res)),
                    None => Poll::Ready(res),
                }
            }
            KindProj::Ready { res } => match res.take() {
                Some(res) => Poll::Ready(Ok(res)),
                None => panic!("CsrfService future polled after completion"),
            },
            KindProj::Body { fut } => fut.as_mut().poll(cx),
        }
    }
}

fn finish<B, E>(state: &CsrfRequest, res: Result<Response<B>, E>) -> Result<Response<B>, E> {
    let mut res = res?;
    state.finish(res.headers_mut());
    Ok(res)
}

fn render<B: From<Bytes>>(
    csrf: &Csrf,
    rejection: &Rejection,
    parts: &http::request::Parts,
) -> Response<B> {
    let res = csrf.render_rejection(rejection, parts.headers.get(http::header::ACCEPT));
    res.map(B::from)
}

fn matched_route(ext: &http::Extensions) -> Option<&str> {
    #[cfg(feature = "axum")]
    if let Some(m) = ext.get::<axum::extract::MatchedPath>() {
        return Some(m.as_str());
    }
    let _ = ext;
    None
}
