//! Per-route overrides as a route layer.

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use http::{Request, Response};
use rampart_core::headers::Overrides;
use rampart_core::RequestScope;
use tower_layer::Layer;
use tower_service::Service;

/// A route layer that changes the secure header set for the routes it wraps,
/// without a second full [`SecureHeadersLayer`](crate::SecureHeadersLayer).
///
/// The override travels to the outer layer in the response extensions; an
/// [`Overrides`] the handler returns itself (e.g. `axum::Extension(overrides)`)
/// is applied after this one, so the handler has the last word.
///
/// ```
/// use axum::{routing::get, Router};
/// use rampart::{core::headers::{FrameOptions, Overrides}, OverrideLayer, SecureHeadersLayer};
///
/// let app: Router = Router::new()
///     .route("/embed", get(|| async { "framable by same origin only" })
///         .layer(OverrideLayer::new(Overrides::new().frame_options(FrameOptions::Deny))))
///     .route("/legacy", get(|| async { "no CSP here" })
///         .layer(OverrideLayer::new(Overrides::new().csp_off())))
///     .layer(SecureHeadersLayer::default());
/// ```
#[derive(Debug, Clone)]
pub struct OverrideLayer {
    overrides: Overrides,
}

impl OverrideLayer {
    /// A route layer applying `overrides`.
    ///
    /// ```
    /// use rampart::{core::headers::Overrides, OverrideLayer};
    /// # use axum::{routing::get, Router};
    /// # use rampart::SecureHeadersLayer;
    /// # use tower::ServiceExt;
    /// let app: Router = Router::new()
    ///     .route("/legacy", get(|| async { "old page" }).layer(OverrideLayer::new(Overrides::new().csp_off())))
    ///     .layer(SecureHeadersLayer::default());
    /// let req = http::Request::get("/legacy").header("host", "localhost").body(axum::body::Body::empty()).unwrap();
    /// let res = tokio::runtime::Runtime::new().unwrap().block_on(app.oneshot(req)).unwrap();
    /// assert!(!res.headers().contains_key("content-security-policy"));
    /// assert_eq!(res.headers()["x-frame-options"], "SAMEORIGIN"); // the rest of the set stays
    /// ```
    pub fn new(overrides: Overrides) -> Self {
        Self { overrides }
    }
}

impl<S> Layer<S> for OverrideLayer {
    type Service = OverrideService<S>;
    fn layer(&self, inner: S) -> Self::Service {
        OverrideService {
            inner,
            overrides: self.overrides.clone(),
        }
    }
}

/// The service made by [`OverrideLayer`].
///
/// ```
/// use rampart::{core::headers::{CspOverride, Overrides}, OverrideLayer, OverrideService};
/// use tower::{Layer, ServiceExt};
/// let svc: OverrideService<_> = OverrideLayer::new(Overrides::new().csp_off()).layer(tower::service_fn(|_r: http::Request<()>| async {
///     Ok::<_, std::convert::Infallible>(http::Response::new(()))
/// }));
/// let res = tokio::runtime::Runtime::new().unwrap().block_on(svc.oneshot(http::Request::new(()))).unwrap();
/// // The override rides in the response extensions to the outer SecureHeadersLayer.
/// let o = res.extensions().get::<Overrides>().unwrap();
/// assert!(matches!(o.csp_override(), Some(CspOverride::Off)));
/// ```
#[derive(Debug, Clone)]
pub struct OverrideService<S> {
    inner: S,
    overrides: Overrides,
}

impl<S, B, ResBody> Service<Request<B>> for OverrideService<S>
where
    S: Service<Request<B>, Response = Response<ResBody>>,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = OverrideFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<B>) -> Self::Future {
        // A replacement policy with nonces on an app whose policy has none: give
        // the handler nonce cells of the replacement's shape.
        let (overrides, cells) = self
            .overrides
            .for_route(req.extensions().get::<RequestScope>());
        if let Some(n) = cells {
            req.extensions_mut().insert(n);
        }
        OverrideFuture {
            fut: self.inner.call(req),
            overrides: Some(overrides),
        }
    }
}

pin_project_lite::pin_project! {
    /// Response future of [`OverrideService`].
    pub struct OverrideFuture<F> {
        #[pin]
        fut: F,
        overrides: Option<Overrides>,
    }
}

impl<F, B, E> Future for OverrideFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut res = ready!(this.fut.poll(cx))?;
        if let Some(mine) = this.overrides.take() {
            let merged = mine.merged_with(res.extensions_mut().remove::<Overrides>());
            res.extensions_mut().insert(merged);
        }
        Poll::Ready(Ok(res))
    }
}
