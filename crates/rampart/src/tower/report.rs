//! A Tower service that receives CSP violation reports.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Request, Response};
use http_body::Body;
use http_body_util::Full;
use rampart_core::adapter;
use rampart_core::csp::ReportCollector;
use tower_service::Service;

use super::body::read_limited;
use super::connection::connection_info;

/// Mount this at the policy's `report-uri` / `report-to` endpoint.
///
/// Accepts `application/csp-report` and `application/reports+json` bodies up to
/// the collector's size limit and deadline, rate-limited per client (as the
/// collector's `proxy_trust` names it); answers `204` when the
/// reports were taken and a 4xx with a reason otherwise (never a 500).
///
/// Browsers send reports as token-less, often cross-site POSTs: keep this
/// endpoint out of the CSRF protection (mount it outside the CSRF layer or
/// middleware, or exempt its route with `CsrfBuilder::exempt(Exemptions::new().route(..))`), or every
/// report is refused with 403.
///
/// ```
/// use axum::Router;
/// use rampart::{core::csp::ReportCollector, CspReportService};
///
/// let collector = ReportCollector::new(|r: &rampart::core::csp::CspReport| {
///     eprintln!("blocked {} by {}", r.blocked_uri, r.violated_directive);
/// });
/// let app: Router = Router::new().route_service("/csp-report", CspReportService::new(collector));
/// ```
#[derive(Clone)]
pub struct CspReportService {
    collector: ReportCollector,
}

impl std::fmt::Debug for CspReportService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CspReportService").finish_non_exhaustive()
    }
}

impl CspReportService {
    /// A service feeding `collector`.
    ///
    /// ```
    /// use rampart::{core::csp::ReportCollector, CspReportService};
    /// # use tower::ServiceExt;
    /// let svc = CspReportService::new(ReportCollector::new(|_: &rampart::core::csp::CspReport| {}));
    /// # let rt = tokio::runtime::Runtime::new().unwrap();
    /// let report = r#"{"csp-report":{"blocked-uri":"inline","violated-directive":"script-src-elem"}}"#;
    /// let post = http::Request::post("/csp-report").header("content-type", "application/csp-report")
    ///     .body(axum::body::Body::from(report)).unwrap();
    /// assert_eq!(rt.block_on(svc.clone().oneshot(post)).unwrap().status(), 204);
    /// let get = http::Request::get("/csp-report").body(axum::body::Body::empty()).unwrap();
    /// assert_eq!(rt.block_on(svc.oneshot(get)).unwrap().status(), 405);
    /// ```
    pub fn new(collector: ReportCollector) -> Self {
        Self { collector }
    }
}

impl<B> Service<Request<B>> for CspReportService
where
    B: Body<Data = Bytes> + Send + 'static,
{
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Full<Bytes>>, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        let collector = self.collector.clone();
        Box::pin(async move {
            if let Some(res) = adapter::report_method_check(req.method()) {
                return Ok(res.map(Full::new));
            }
            let conn = connection_info(req.extensions());
            let (parts, body) = req.into_parts();
            let read = read_limited(
                &parts.headers,
                body,
                collector.max_body_bytes(),
                collector.body_deadline(),
            )
            .await;
            Ok(adapter::report_response(&collector, conn, &parts.headers, read).map(Full::new))
        })
    }
}
