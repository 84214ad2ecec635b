//! The CSP violation report endpoint.

use actix_web::{web, HttpRequest, HttpResponse, Resource};
use rampart_core::adapter::{self, read_limited};
use rampart_core::csp::ReportCollector;

use crate::connection::connection_info;
use crate::convert;

/// Receives CSP violation reports: mount [`resource`](CspReportService::resource)
/// at the policy's `report-uri` / `report-to` endpoint.
///
/// Accepts `application/csp-report` and `application/reports+json` bodies up to
/// the collector's size limit and deadline, rate-limited per client (the
/// address the collector's `proxy_trust` names, else the peer); answers `204` when the reports were taken and a 4xx with a reason
/// otherwise (`405` for methods other than POST, `413` for an oversized body),
/// never a 500: the same answers as rampart's Tower `CspReportService`.
///
/// Browsers send reports as token-less, often cross-site POSTs: keep this
/// endpoint out of the CSRF protection (mount it outside the CSRF layer or
/// middleware, or exempt its route with `CsrfBuilder::exempt(Exemptions::new().route(..))`), or every
/// report is refused with 403.
///
/// ```
/// use actix_web::App;
/// use rampart_actix::{core::csp::{CspReport, ReportCollector}, CspReportService};
///
/// let collector = ReportCollector::new(|r: &CspReport| {
///     eprintln!("blocked {} by {}", r.blocked_uri, r.violated_directive);
/// });
/// let app = App::new().service(CspReportService::new(collector).resource("/csp-report"));
/// # use actix_web::test::{call_service, init_service, TestRequest};
/// # actix_web::rt::System::new().block_on(async {
/// let app = init_service(app).await;
/// let res = call_service(&app, TestRequest::get().uri("/csp-report").to_request()).await;
/// assert_eq!(res.status(), 405); // reports must be POSTed
/// # });
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
    /// A report endpoint feeding `collector`.
    ///
    /// ```
    /// use rampart_actix::{core::csp::ReportCollector, CspReportService};
    /// # use actix_web::{test::{call_service, init_service, TestRequest}, App};
    /// let reports = CspReportService::new(ReportCollector::new(|_: &rampart_actix::core::csp::CspReport| {}));
    /// # actix_web::rt::System::new().block_on(async {
    /// let app = init_service(App::new().service(reports.resource("/csp"))).await;
    /// let body = r#"{"csp-report":{"blocked-uri":"inline","violated-directive":"script-src-elem"}}"#;
    /// let req = TestRequest::post().uri("/csp").insert_header(("content-type", "application/csp-report"))
    ///     .set_payload(body).to_request();
    /// assert_eq!(call_service(&app, req).await.status(), 204);
    /// # });
    /// ```
    pub fn new(collector: ReportCollector) -> Self {
        Self { collector }
    }

    /// An actix resource at `path` answering every method (non-POST with `405`).
    ///
    /// ```
    /// use rampart_actix::{core::csp::ReportCollector, CspReportService};
    /// let r = CspReportService::new(ReportCollector::new(|_: &rampart_actix::core::csp::CspReport| {})).resource("/csp");
    /// let _app = actix_web::App::new().service(r);
    /// ```
    pub fn resource(self, path: &str) -> Resource {
        let collector = self.collector;
        web::resource(path).default_service(web::to(
            move |req: HttpRequest, payload: web::Payload| {
                let collector = collector.clone();
                async move { Ok::<_, actix_web::Error>(handle(&collector, req, payload).await) }
            },
        ))
    }
}

async fn handle(
    collector: &ReportCollector,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    // Every method actix parses is a valid http 1.x method; the default (GET) is unreachable.
    let method = http::Method::from_bytes(req.method().as_str().as_bytes()).unwrap_or_default();
    if let Some(res) = adapter::report_method_check(&method) {
        return convert::response_from_http(res);
    }
    let headers = convert::to_http(req.headers());
    let deadline = crate::deadline::after(collector.body_deadline());
    let read = read_limited(
        &headers,
        payload,
        collector.max_body_bytes(),
        |p| p,
        deadline,
    )
    .await;
    convert::response_from_http(adapter::report_response(
        collector,
        connection_info(&req),
        &headers,
        read,
    ))
}
