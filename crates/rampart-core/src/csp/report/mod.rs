//! Framework-neutral ingestion of CSP violation reports: the report, the sink
//! it goes to, and the collector that limits and forwards them.

use std::fmt;

mod collector;
mod parse;

pub use collector::{ReportCollector, ReportCollectorBuilder};

/// One CSP violation, normalised from either report format.
///
/// ```
/// use rampart_core::csp::{CspReport, ReportCollector};
/// let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<CspReport>::new()));
/// let sink = seen.clone();
/// let c = ReportCollector::new(move |r: &CspReport| sink.lock().unwrap().push(r.clone()));
/// let body = br#"{"csp-report":{"document-uri":"https://a.example/","blocked-uri":"inline","violated-directive":"script-src-elem"}}"#;
/// c.ingest(Some("application/csp-report"), None, body).unwrap();
/// assert_eq!(seen.lock().unwrap()[0].violated_directive, "script-src-elem");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub struct CspReport {
    /// The page on which the violation happened.
    pub document_uri: String,
    /// What was blocked (`inline`, `eval` or a URL).
    pub blocked_uri: String,
    /// The directive violated (the effective directive when the browser sent one).
    pub violated_directive: String,
    /// `enforce` or `report`.
    pub disposition: String,
    /// The script file that triggered it, if known.
    pub source_file: Option<String>,
    /// Line number in `source_file`, if known.
    pub line: Option<u32>,
    /// The first characters of the blocked code (with `'report-sample'`).
    pub sample: Option<String>,
    /// The policy that was violated.
    pub original_policy: Option<String>,
    /// How many identical reports this one stands for (see
    /// [`ReportCollectorBuilder::collapse_window`]); 1 for a report passed on by itself.
    pub count: u64,
}

impl CspReport {
    /// Bytes of text this report holds.
    fn size(&self) -> usize {
        let opt = |o: &Option<String>| o.as_ref().map_or(0, String::len);
        self.document_uri.len()
            + self.blocked_uri.len()
            + self.violated_directive.len()
            + self.disposition.len()
            + opt(&self.source_file)
            + opt(&self.sample)
            + opt(&self.original_policy)
    }

    /// The same violation, whatever the counts.
    fn same_violation(&self, o: &CspReport) -> bool {
        self.document_uri == o.document_uri
            && self.blocked_uri == o.blocked_uri
            && self.violated_directive == o.violated_directive
            && self.disposition == o.disposition
            && self.source_file == o.source_file
            && self.line == o.line
            && self.sample == o.sample
            && self.original_policy == o.original_policy
    }
}

/// Logs a report and hands it to the sink.
fn emit(sink: &dyn ReportSink, r: &CspReport) {
    // Debug formatting escapes control characters, so a report cannot forge log lines.
    if r.disposition == "report" {
        tracing::info!(document = ?without_query(&r.document_uri), blocked = ?without_query(&r.blocked_uri), directive = ?r.violated_directive, source = ?r.source_file.as_deref().map(without_query), line = ?r.line, count = r.count, "CSP violation (report-only)");
    } else {
        tracing::warn!(document = ?without_query(&r.document_uri), blocked = ?without_query(&r.blocked_uri), directive = ?r.violated_directive, source = ?r.source_file.as_deref().map(without_query), line = ?r.line, count = r.count, "CSP violation");
    }
    sink.report(r);
}

/// Receives accepted reports (store, forward, count…).
///
/// Any `Fn(&CspReport) + Send + Sync + 'static` closure is a sink.
///
/// ```
/// use rampart_core::csp::{CspReport, ReportSink};
/// struct Stdout;
/// impl ReportSink for Stdout {
///     fn report(&self, r: &CspReport) { println!("{} blocked {}", r.violated_directive, r.blocked_uri); }
/// }
/// let _c = rampart_core::csp::ReportCollector::new(Stdout);
/// ```
pub trait ReportSink: Send + Sync + 'static {
    /// Handles one report.
    fn report(&self, report: &CspReport);
}

impl<F: Fn(&CspReport) + Send + Sync + 'static> ReportSink for F {
    fn report(&self, report: &CspReport) {
        self(report)
    }
}

/// Why a report body was rejected.
///
/// ```
/// use rampart_core::csp::ReportError;
/// assert_eq!(ReportError::RateLimited.status().as_u16(), 429);
/// assert_eq!(ReportError::Malformed("x".into()).to_string(), "malformed CSP report: x");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportError {
    /// The body is not a CSP report in a known shape.
    Malformed(String),
    /// The body is larger than the configured maximum.
    TooLarge,
    /// The content type is not a report type.
    UnsupportedMediaType,
    /// The client sent too many reports in the current window.
    RateLimited,
}

impl ReportError {
    /// The HTTP status to answer with: 400, 413, 415 or 429.
    ///
    /// ```
    /// # use rampart_core::csp::ReportError;
    /// assert_eq!(ReportError::TooLarge.status(), http::StatusCode::PAYLOAD_TOO_LARGE);
    /// ```
    pub fn status(&self) -> http::StatusCode {
        match self {
            ReportError::Malformed(_) => http::StatusCode::BAD_REQUEST,
            ReportError::TooLarge => http::StatusCode::PAYLOAD_TOO_LARGE,
            ReportError::UnsupportedMediaType => http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ReportError::RateLimited => http::StatusCode::TOO_MANY_REQUESTS,
        }
    }
}

impl fmt::Display for ReportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReportError::Malformed(why) => write!(f, "malformed CSP report: {why}"),
            ReportError::TooLarge => f.write_str("CSP report body too large"),
            ReportError::UnsupportedMediaType => f.write_str(
                "unsupported media type for a CSP report (expected application/csp-report, application/reports+json or application/json)",
            ),
            ReportError::RateLimited => f.write_str("too many CSP reports from this client"),
        }
    }
}

impl std::error::Error for ReportError {}

/// A URL without its query and fragment, for log lines: reset tokens and OAuth
/// codes travel in query strings and must not land in the application log (the
/// sink still gets the full report).
fn without_query(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or("")
}
