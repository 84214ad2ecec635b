//! A Tower service that receives CSP violation reports.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{header, Request, Response, StatusCode};
use http_body::Body;
use http_body_util::Full;
use rampart_core::csp::ReportCollector;
use tower_service::Service;

use super::body::{read_limited, Buffered};
use super::connection::connection_info;

/// Mount this at the policy's `report-uri` / `report-to` endpoint.
///
/// Accepts `application/csp-report` and `application/reports+json` bodies up to
/// the collector's size limit, rate-limited per client; answers `204` when the
/// reports were taken and a 4xx with a reason otherwise (never a 500).
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
    /// let _ = CspReportService::new(ReportCollector::new(|_: &rampart::core::csp::CspReport| {}));
    /// ```
    pub fn new(collector: ReportCollector) -> Self {
        Self { collector }
    }
}

impl<B> Service<Request<B>> for CspReportService
where
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
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
            if req.method() != http::Method::POST {
                return Ok(reply(
                    StatusCode::METHOD_NOT_ALLOWED,
                    "reports must be POSTed",
                ));
            }
            let client = connection_info(req.extensions()).peer;
            let (parts, body) = req.into_parts();
            let content_type = parts
                .headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let bytes = match read_limited(&parts.headers, body, collector.max_body_bytes()).await {
                Buffered::Complete(b) => b,
                Buffered::DeclaredTooLarge(_) | Buffered::TooLarge => {
                    collector.record_too_large();
                    return Ok(reply(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "report body too large",
                    ));
                }
                Buffered::Broken => {
                    return Ok(reply(
                        StatusCode::BAD_REQUEST,
                        "report body could not be read",
                    ))
                }
            };
            match collector.ingest(content_type.as_deref(), client, &bytes) {
                Ok(_) => Ok(reply(StatusCode::NO_CONTENT, "")),
                Err(e) => Ok(reply(e.status(), &e.to_string())),
            }
        })
    }
}

fn reply(status: StatusCode, msg: &str) -> Response<Full<Bytes>> {
    let mut res = Response::new(Full::new(Bytes::copy_from_slice(msg.as_bytes())));
    *res.status_mut() = status;
    if !msg.is_empty() {
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            http::HeaderValue::from_static("text/plain; charset=utf-8"),
        );
    }
    res
}
