//! The secure headers [`Layer`](tower_layer::Layer) and its service.

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::Bytes;
use http::{Request, Response};
use rampart_core::adapter::Inbound;
use rampart_core::headers::{Overrides, SecureHeaders};
use rampart_core::ConfigError;
use rampart_core::RequestScope;
use tower_layer::Layer;
use tower_service::Service;

use super::connection::connection_info;

/// Applies a [`SecureHeaders`] set to every response of the wrapped service.
///
/// Before the inner service runs: plain-HTTP requests for non-loopback hosts are
/// redirected to https (301 for GET/HEAD, 308 otherwise); when the policy takes
/// nonces or a proxy is trusted, the request gets its [`RequestScope`] (facts and
/// lazy nonce cells) as an extension. After: the headers are written (handler-set headers win unless
/// configured otherwise), [`Overrides`] found in the response extensions apply,
/// and `Set-Cookie` headers are hardened.
///
/// ```
/// use axum::{routing::get, Router};
/// use rampart::SecureHeadersLayer;
///
/// let app: Router = Router::new()
///     .route("/", get(|| async { "hello" }))
///     .layer(SecureHeadersLayer::default());
/// ```
#[derive(Debug, Clone, Default)]
pub struct SecureHeadersLayer {
    headers: SecureHeaders,
}

impl SecureHeadersLayer {
    /// A layer for an already built header set.
    ///
    /// ```
    /// use rampart::{core::headers::SecureHeaders, SecureHeadersLayer};
    /// # use axum::{routing::get, Router};
    /// # use tower::ServiceExt;
    /// let layer = SecureHeadersLayer::new(SecureHeaders::builder().build().unwrap());
    /// let app: Router = Router::new().route("/", get(|| async { "hi" })).layer(layer);
    /// let req = http::Request::get("/").header("host", "localhost").body(axum::body::Body::empty()).unwrap();
    /// let res = tokio::runtime::Runtime::new().unwrap().block_on(app.oneshot(req)).unwrap();
    /// assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    /// assert_eq!(res.headers()["x-frame-options"], "SAMEORIGIN");
    /// ```
    pub fn new(headers: SecureHeaders) -> Self {
        Self { headers }
    }

    /// Builds the header set from a builder, failing on invalid configuration.
    ///
    /// ```
    /// use rampart::{core::headers::{FrameOptions, SecureHeaders}, SecureHeadersLayer};
    /// let layer = SecureHeadersLayer::from_builder(SecureHeaders::builder().frame_options(FrameOptions::Deny)).unwrap();
    /// assert!(layer.headers().header_values().iter().any(|(n, v)| n == "x-frame-options" && v == "DENY"));
    /// // A header the set writes itself cannot be added again as an extra one.
    /// assert!(SecureHeadersLayer::from_builder(SecureHeaders::builder().header("x-frame-options", "DENY")).is_err());
    /// ```
    pub fn from_builder(
        builder: rampart_core::headers::SecureHeadersBuilder,
    ) -> Result<Self, ConfigError> {
        builder.build().map(Self::new)
    }

    /// The header set this layer applies.
    ///
    /// ```
    /// # use rampart::SecureHeadersLayer;
    /// assert!(SecureHeadersLayer::default().headers().csp().is_some());
    /// ```
    pub fn headers(&self) -> &SecureHeaders {
        &self.headers
    }
}

impl<S> Layer<S> for SecureHeadersLayer {
    type Service = SecureHeadersService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        SecureHeadersService {
            inner,
            headers: self.headers.clone(),
        }
    }
}

/// The service made by [`SecureHeadersLayer`].
///
/// ```
/// use rampart::{SecureHeadersLayer, SecureHeadersService};
/// use tower::{Layer, ServiceExt};
/// let svc: SecureHeadersService<_> = SecureHeadersLayer::default().layer(tower::service_fn(|_req: http::Request<()>| async {
///     Ok::<_, std::convert::Infallible>(http::Response::new(axum::body::Body::empty()))
/// }));
/// let req = http::Request::get("/").header("host", "localhost").body(()).unwrap();
/// let res = tokio::runtime::Runtime::new().unwrap().block_on(svc.oneshot(req)).unwrap();
/// assert_eq!(res.headers()["x-frame-options"], "SAMEORIGIN");
/// assert!(!res.headers().contains_key("strict-transport-security")); // plain http
/// ```
#[derive(Debug, Clone)]
pub struct SecureHeadersService<S> {
    inner: S,
    headers: SecureHeaders,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for SecureHeadersService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: From<Bytes>,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, ResBody>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<ReqBody>) -> Self::Future {
        let conn = connection_info(req.extensions());
        let (mut parts, body) = req.into_parts();
        match self.headers.inbound(conn, &parts) {
            Inbound::Continue(scope) => {
                if scope.is_shared() {
                    parts.extensions.insert(scope.clone());
                }
                let fut = self.inner.call(Request::from_parts(parts, body));
                ResponseFuture {
                    kind: Kind::Inner {
                        fut,
                        state: Some(State {
                            headers: self.headers.clone(),
                            scope,
                        }),
                    },
                }
            }
            Inbound::Respond(res) => ResponseFuture {
                kind: Kind::Ready {
                    res: Some(res.map(ResBody::from)),
                },
            },
        }
    }
}

struct State {
    headers: SecureHeaders,
    scope: RequestScope,
}

pin_project_lite::pin_project! {
    /// Response future of [`SecureHeadersService`].
    pub struct ResponseFuture<F, B> {
        #[pin]
        kind: Kind<F, B>,
    }
}

pin_project_lite::pin_project! {
    #[project = KindProj]
    enum Kind<F, B> {
        Inner { #[pin] fut: F, state: Option<State> },
        Ready { res: Option<Response<B>> },
    }
}

impl<F, B, E> Future for ResponseFuture<F, B>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().kind.project() {
            KindProj::Inner { fut, state } => {
                let mut res = ready!(fut.poll(cx))?;
                if let Some(state) = state.take() {
                    let overrides = res.extensions_mut().remove::<Overrides>();
                    state
                        .headers
                        .outbound(&state.scope, overrides.as_ref(), res.headers_mut());
                }
                Poll::Ready(Ok(res))
            }
            KindProj::Ready { res } => match res.take() {
                Some(res) => Poll::Ready(Ok(res)),
                None => panic!("ResponseFuture polled after completion"),
            },
        }
    }
}
