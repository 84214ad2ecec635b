//! Framework-neutral ingestion of CSP violation reports.

use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::{ConnectionInfo, ProxyTrust};

/// Most clients tracked by the rate limiter; bounds its memory.
const MAX_TRACKED_CLIENTS: usize = 10_000;
/// Most distinct reports remembered for collapsing; bounds its memory (a
/// report past it is passed on, not remembered).
const MAX_TRACKED_REPORTS: usize = 10_000;
/// Most bytes of report text remembered for collapsing.
const MAX_TRACKED_BYTES: usize = 4 << 20;

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
    /// [`ReportCollector::collapse_window`]); 1 for a report passed on by itself.
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

/// Counters of what the collector has seen since it was created.
///
/// ```
/// use rampart_core::csp::ReportCollector;
/// let c = ReportCollector::new(|_: &rampart_core::csp::CspReport| {});
/// c.record_too_large();
/// assert_eq!(c.stats().too_large, 1);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReportStats {
    /// Reports passed to the sink.
    pub accepted: u64,
    /// Bodies rejected as malformed.
    pub malformed: u64,
    /// Bodies rejected as too large.
    pub too_large: u64,
    /// Bodies rejected by the rate limiter.
    pub rate_limited: u64,
    /// Bodies with an unsupported content type.
    pub unsupported_media_type: u64,
    /// Non-CSP entries in `application/reports+json` batches (ignored).
    pub ignored: u64,
    /// Reports dropped because a body held more than
    /// [`max_reports_per_body`](ReportCollector::max_reports_per_body).
    pub over_cap: u64,
    /// Accepted reports folded into an identical one's
    /// [`count`](CspReport::count) instead of being passed on by themselves.
    pub collapsed: u64,
}

#[derive(Default)]
struct Counters {
    accepted: AtomicU64,
    malformed: AtomicU64,
    too_large: AtomicU64,
    rate_limited: AtomicU64,
    unsupported_media_type: AtomicU64,
    ignored: AtomicU64,
    over_cap: AtomicU64,
    collapsed: AtomicU64,
}

#[derive(Clone)]
struct Settings {
    max_body: usize,
    per_window: u32,
    window: Duration,
    max_per_body: usize,
    collapse_window: Duration,
    body_timeout: Duration,
    proxy_trust: ProxyTrust,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            max_body: 64 * 1024,
            per_window: 60,
            window: Duration::from_secs(60),
            max_per_body: 100,
            collapse_window: Duration::from_secs(60),
            body_timeout: Duration::from_secs(10),
            proxy_trust: ProxyTrust::nobody(),
        }
    }
}

/// A report seen within the collapse window, and how many identical ones
/// arrived after it.
struct Seen {
    since: Instant,
    repeats: u64,
}

/// The reports remembered for collapsing, and the bytes their text takes.
#[derive(Default)]
struct SeenReports {
    reports: HashMap<CspReport, Seen>,
    bytes: usize,
}

struct Inner {
    sink: Box<dyn ReportSink>,
    settings: Settings,
    clients: Mutex<HashMap<Option<IpAddr>, (Instant, u32)>>,
    seen: Mutex<SeenReports>,
    counters: Counters,
}

/// Validates, rate-limits, collapses, logs and forwards CSP violation reports.
///
/// Adapters mount it on a report endpoint: they read the body (rejecting bodies
/// over [`max_body_bytes`](ReportCollector::max_body_bytes) with
/// [`record_too_large`](ReportCollector::record_too_large) and 413) and call
/// [`ingest`](ReportCollector::ingest), answering 204 on success or
/// [`ReportError::status`] on failure.
///
/// A browser, or someone posing as one, can send many reports: each client
/// (its address as the trusted proxy reports it, see
/// [`proxy_trust`](Self::proxy_trust)) may send 60 bodies a minute, at most
/// 100 reports are taken from one body, and identical reports within a minute
/// reach the log and the sink once, with a [`count`](CspReport::count).
///
/// ```
/// use rampart_core::csp::{CspReport, ReportCollector, ReportError};
/// let c = ReportCollector::new(|_: &CspReport| {}).rate_limit(1, std::time::Duration::from_secs(60));
/// let body = br#"[{"type":"csp-violation","body":{"documentURL":"https://a.example/","blockedURL":"inline","effectiveDirective":"script-src-elem","disposition":"enforce"}}]"#;
/// let ip = Some("203.0.113.7".parse().unwrap());
/// assert_eq!(c.ingest(Some("application/reports+json"), ip, body), Ok(1));
/// assert_eq!(c.ingest(Some("application/reports+json"), ip, body), Err(ReportError::RateLimited));
/// ```
#[derive(Clone)]
pub struct ReportCollector(Arc<Inner>);

impl fmt::Debug for ReportCollector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.0.settings;
        f.debug_struct("ReportCollector")
            .field("max_body", &s.max_body)
            .field("per_window", &s.per_window)
            .field("window", &s.window)
            .field("max_per_body", &s.max_per_body)
            .field("collapse_window", &s.collapse_window)
            .field("stats", &self.stats())
            .finish()
    }
}

impl ReportCollector {
    /// A collector sending reports to `sink`: at most 64 KiB and 100 reports
    /// per body, 60 bodies per client per minute, identical reports collapsed
    /// for a minute, 10 s for a body to arrive.
    ///
    /// ```
    /// # use rampart_core::csp::ReportCollector;
    /// let c = ReportCollector::new(|r: &rampart_core::csp::CspReport| eprintln!("{r:?}"));
    /// assert_eq!(c.max_body_bytes(), 64 * 1024);
    /// ```
    pub fn new(sink: impl ReportSink) -> Self {
        Self::with_settings(Box::new(sink), Settings::default())
    }

    fn with_settings(sink: Box<dyn ReportSink>, settings: Settings) -> Self {
        ReportCollector(Arc::new(Inner {
            sink,
            settings,
            clients: Mutex::new(HashMap::new()),
            seen: Mutex::new(SeenReports::default()),
            counters: Counters::default(),
        }))
    }

    fn with(self, f: impl FnOnce(&mut Settings)) -> Self {
        // Settings are applied before the collector is shared; if it was already
        // cloned, rebuild it with the same sink handle.
        match Arc::try_unwrap(self.0) {
            Ok(mut inner) => {
                f(&mut inner.settings);
                ReportCollector(Arc::new(inner))
            }
            Err(shared) => {
                let mut settings = shared.settings.clone();
                f(&mut settings);
                Self::with_settings(Box::new(SharedSink(shared)), settings)
            }
        }
    }

    /// Sets the largest accepted body, in bytes.
    ///
    /// ```
    /// # use rampart_core::csp::{ReportCollector, ReportError};
    /// let c = ReportCollector::new(|_: &rampart_core::csp::CspReport| {}).max_body(10);
    /// assert_eq!(c.ingest(Some("application/json"), None, &[b' '; 11]), Err(ReportError::TooLarge));
    /// ```
    pub fn max_body(self, bytes: usize) -> Self {
        self.with(|s| s.max_body = bytes)
    }

    /// Sets the rate limit: at most `per_window` bodies per client per `window`.
    ///
    /// ```
    /// # use rampart_core::csp::{ReportCollector, ReportError};
    /// let c = ReportCollector::new(|_: &rampart_core::csp::CspReport| {})
    ///     .rate_limit(0, std::time::Duration::from_secs(10));
    /// assert_eq!(c.ingest(Some("application/json"), None, b"[]"), Err(ReportError::RateLimited));
    /// ```
    pub fn rate_limit(self, per_window: u32, window: Duration) -> Self {
        self.with(|s| {
            s.per_window = per_window;
            s.window = window;
        })
    }

    /// Most reports taken from one body (default 100); the rest are dropped
    /// and counted in [`ReportStats::over_cap`]. A browser batches a page's
    /// reports, but a hundred violations of one page say all there is to say.
    ///
    /// ```
    /// # use rampart_core::csp::ReportCollector;
    /// let c = ReportCollector::new(|_: &rampart_core::csp::CspReport| {}).max_reports_per_body(1);
    /// let one = r#"{"type":"csp-violation","body":{"blockedURL":"inline","effectiveDirective":"script-src-elem"}}"#;
    /// let two = format!("[{one},{}]", one.replace("inline", "eval"));
    /// assert_eq!(c.ingest(Some("application/reports+json"), None, two.as_bytes()), Ok(1));
    /// assert_eq!(c.stats().over_cap, 1);
    /// ```
    pub fn max_reports_per_body(self, n: usize) -> Self {
        self.with(|s| s.max_per_body = n)
    }

    /// How long identical reports are collapsed (default one minute;
    /// `Duration::ZERO` collapses only those within one body). The first reaches the log and
    /// the sink at once; the identical ones that follow within the window are
    /// counted, and reach them as one report with that
    /// [`count`](CspReport::count) once the window has passed and another
    /// report arrives.
    ///
    /// ```
    /// use rampart_core::csp::{CspReport, ReportCollector};
    /// let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<CspReport>::new()));
    /// let sink = seen.clone();
    /// let c = ReportCollector::new(move |r: &CspReport| sink.lock().unwrap().push(r.clone()));
    /// let body = br#"{"csp-report":{"blocked-uri":"inline","violated-directive":"script-src-elem"}}"#;
    /// for _ in 0..5 {
    ///     c.ingest(Some("application/csp-report"), None, body).unwrap();
    /// }
    /// assert_eq!(seen.lock().unwrap().len(), 1);
    /// assert_eq!(c.stats().collapsed, 4);
    /// ```
    pub fn collapse_window(self, window: Duration) -> Self {
        self.with(|s| s.collapse_window = window)
    }

    /// How long a report body may take to arrive (default 10 s); adapters
    /// answer `408` after that. `Duration::ZERO` refuses every body.
    ///
    /// ```
    /// # use rampart_core::csp::ReportCollector;
    /// let c = ReportCollector::new(|_: &rampart_core::csp::CspReport| {}).body_timeout(std::time::Duration::from_secs(2));
    /// assert_eq!(c.body_deadline(), std::time::Duration::from_secs(2));
    /// ```
    pub fn body_timeout(self, timeout: Duration) -> Self {
        self.with(|s| s.body_timeout = timeout)
    }

    /// Whose forwarded headers name the client, for the per-client rate limit.
    /// Behind a proxy every request comes from the proxy's address, so without
    /// this one client's reports would use up everyone's allowance.
    ///
    /// ```
    /// use rampart_core::csp::ReportCollector;
    /// use rampart_core::{ProxyHeaders, ProxyTrust};
    /// # use rampart_core::adapter::{report_response, BodyRead};
    /// # use rampart_core::ConnectionInfo;
    /// let c = ReportCollector::new(|_: &rampart_core::csp::CspReport| {})
    ///     .proxy_trust(ProxyTrust::loopback(ProxyHeaders::X_FORWARDED).unwrap())
    ///     .rate_limit(1, std::time::Duration::from_secs(60));
    /// # let nginx = ConnectionInfo::peer("127.0.0.1".parse().unwrap());
    /// # let body = || BodyRead::<()>::Complete(bytes::Bytes::from_static(b"[]"));
    /// // Two clients behind the same proxy: each has its own allowance.
    /// for client in ["203.0.113.1", "203.0.113.2"] {
    ///     let mut h = http::HeaderMap::new();
    ///     h.insert("content-type", "application/json".parse().unwrap());
    ///     h.insert("x-forwarded-for", client.parse().unwrap());
    ///     assert_eq!(report_response(&c, nginx, &h, body()).status(), 204);
    /// }
    /// ```
    pub fn proxy_trust(self, trust: ProxyTrust) -> Self {
        self.with(|s| s.proxy_trust = trust)
    }

    #[doc(hidden)]
    /// The largest accepted body, so adapters can stop reading early.
    ///
    /// ```
    /// # use rampart_core::csp::ReportCollector;
    /// assert_eq!(ReportCollector::new(|_: &rampart_core::csp::CspReport| {}).max_body(100).max_body_bytes(), 100);
    /// ```
    pub fn max_body_bytes(&self) -> usize {
        self.0.settings.max_body
    }

    #[doc(hidden)]
    /// How long adapters wait for a body ([`body_timeout`](Self::body_timeout)).
    ///
    /// ```
    /// # use rampart_core::csp::ReportCollector;
    /// let c = ReportCollector::new(|_: &rampart_core::csp::CspReport| {});
    /// assert_eq!(c.body_deadline(), std::time::Duration::from_secs(10));
    /// ```
    pub fn body_deadline(&self) -> Duration {
        self.0.settings.body_timeout
    }

    /// The client a report request counts against: what the trusted proxy
    /// reports, else the peer.
    pub(crate) fn client(&self, conn: ConnectionInfo, headers: &http::HeaderMap) -> Option<IpAddr> {
        self.0.settings.proxy_trust.client_addr(conn, headers)
    }

    /// Parses `body` and hands each CSP report to the sink; returns how many
    /// were taken (collapsed ones included).
    ///
    /// Accepts `application/csp-report` (CSP2 `{"csp-report": {...}}`),
    /// `application/reports+json` (Reporting API batches; non-CSP entries are
    /// ignored and counted) and `application/json` carrying either shape.
    ///
    /// ```
    /// # use rampart_core::csp::{ReportCollector, ReportError};
    /// let c = ReportCollector::new(|_: &rampart_core::csp::CspReport| {});
    /// assert_eq!(c.ingest(Some("text/plain"), None, b"{}"), Err(ReportError::UnsupportedMediaType));
    /// assert!(matches!(c.ingest(Some("application/json"), None, b"nope"), Err(ReportError::Malformed(_))));
    /// ```
    pub fn ingest(
        &self,
        content_type: Option<&str>,
        client: Option<IpAddr>,
        body: &[u8],
    ) -> Result<usize, ReportError> {
        let c = &self.0.counters;
        let essence = content_type
            .and_then(|ct| ct.split(';').next())
            .map(|s| s.trim().to_ascii_lowercase())
            .unwrap_or_default();
        let kind = match essence.as_str() {
            "application/csp-report" => Kind::Csp2,
            "application/reports+json" => Kind::Reporting,
            "application/json" => Kind::Either,
            _ => {
                c.unsupported_media_type.fetch_add(1, Ordering::Relaxed);
                return Err(ReportError::UnsupportedMediaType);
            }
        };
        if body.len() > self.0.settings.max_body {
            self.record_too_large();
            return Err(ReportError::TooLarge);
        }
        if !self.allow(client) {
            c.rate_limited.fetch_add(1, Ordering::Relaxed);
            return Err(ReportError::RateLimited);
        }
        let (mut reports, ignored) = match parse(kind, body) {
            Ok(r) => r,
            Err(why) => {
                c.malformed.fetch_add(1, Ordering::Relaxed);
                return Err(ReportError::Malformed(why));
            }
        };
        c.ignored.fetch_add(ignored, Ordering::Relaxed);
        let cap = self.0.settings.max_per_body;
        if reports.len() > cap {
            c.over_cap
                .fetch_add((reports.len() - cap) as u64, Ordering::Relaxed);
            reports.truncate(cap);
        }
        let taken = reports.len();
        for r in self.collapse(reports) {
            emit(&*self.0.sink, &r);
        }
        c.accepted.fetch_add(taken as u64, Ordering::Relaxed);
        Ok(taken)
    }

    /// The reports to pass on now: within the body, identical ones become one
    /// with a count; across bodies, one already passed on within the window is
    /// only counted, and the count of every window that has passed comes out
    /// as one report.
    fn collapse(&self, reports: Vec<CspReport>) -> Vec<CspReport> {
        let c = &self.0.counters;
        let mut unique: Vec<CspReport> = Vec::with_capacity(reports.len());
        for r in reports {
            match unique.iter_mut().find(|u| u.same_violation(&r)) {
                Some(u) => {
                    u.count += 1;
                    c.collapsed.fetch_add(1, Ordering::Relaxed);
                }
                None => unique.push(r),
            }
        }
        let window = self.0.settings.collapse_window;
        if window.is_zero() {
            return unique;
        }
        let now = Instant::now();
        let mut out = Vec::new();
        // A poisoned lock only means another thread panicked mid-update; the map is still usable.
        let mut seen = self.0.seen.lock().unwrap_or_else(|e| e.into_inner());
        let seen = &mut *seen;
        seen.reports.retain(|r, s| {
            if now.duration_since(s.since) < window {
                return true;
            }
            if s.repeats > 0 {
                let mut summary = r.clone();
                summary.count = s.repeats;
                out.push(summary);
            }
            seen.bytes -= r.size();
            false
        });
        for r in unique {
            let key = CspReport {
                count: 1,
                ..r.clone()
            };
            if let Some(s) = seen.reports.get_mut(&key) {
                s.repeats += r.count;
                c.collapsed.fetch_add(r.count, Ordering::Relaxed);
                continue;
            }
            // Bounded in count and bytes: a report past either is passed on
            // and not remembered.
            if seen.reports.len() < MAX_TRACKED_REPORTS
                && seen.bytes + key.size() <= MAX_TRACKED_BYTES
            {
                seen.bytes += key.size();
                seen.reports.insert(
                    key,
                    Seen {
                        since: now,
                        repeats: 0,
                    },
                );
            }
            out.push(r);
        }
        out
    }

    /// A snapshot of the counters.
    ///
    /// ```
    /// # use rampart_core::csp::ReportCollector;
    /// assert_eq!(ReportCollector::new(|_: &rampart_core::csp::CspReport| {}).stats().accepted, 0);
    /// ```
    pub fn stats(&self) -> ReportStats {
        let c = &self.0.counters;
        ReportStats {
            accepted: c.accepted.load(Ordering::Relaxed),
            malformed: c.malformed.load(Ordering::Relaxed),
            too_large: c.too_large.load(Ordering::Relaxed),
            rate_limited: c.rate_limited.load(Ordering::Relaxed),
            unsupported_media_type: c.unsupported_media_type.load(Ordering::Relaxed),
            ignored: c.ignored.load(Ordering::Relaxed),
            over_cap: c.over_cap.load(Ordering::Relaxed),
            collapsed: c.collapsed.load(Ordering::Relaxed),
        }
    }

    #[doc(hidden)]
    /// Counts a body the adapter refused because it exceeded [`max_body_bytes`](Self::max_body_bytes).
    ///
    /// ```
    /// # use rampart_core::csp::ReportCollector;
    /// let c = ReportCollector::new(|_: &rampart_core::csp::CspReport| {});
    /// c.record_too_large();
    /// assert_eq!(c.stats().too_large, 1);
    /// ```
    pub fn record_too_large(&self) {
        self.0.counters.too_large.fetch_add(1, Ordering::Relaxed);
    }

    /// Fixed-window rate limit per client (per /64 for IPv6); `None` clients,
    /// and newcomers while the map is full, share one bucket.
    fn allow(&self, client: Option<IpAddr>) -> bool {
        let now = Instant::now();
        let window = self.0.settings.window;
        // A poisoned lock only means another thread panicked mid-update; the map is still usable.
        let mut map = self.0.clients.lock().unwrap_or_else(|e| e.into_inner());
        // One IPv6 client holds a whole /64: counting addresses would let it
        // rotate past the limit.
        let mut client = client.map(|ip| match ip {
            IpAddr::V6(v6) => IpAddr::V6((u128::from(v6) & !((1u128 << 64) - 1)).into()),
            v4 => v4,
        });
        if !map.contains_key(&client) && map.len() >= MAX_TRACKED_CLIENTS {
            map.retain(|_, (start, _)| now.duration_since(*start) < window);
            if map.len() >= MAX_TRACKED_CLIENTS {
                // Still full of active clients: newcomers share one bucket
                // rather than grow the map without bound.
                client = None;
            }
        }
        let entry = map.entry(client).or_insert((now, 0));
        if now.duration_since(entry.0) >= window {
            *entry = (now, 0);
        }
        if entry.1 >= self.0.settings.per_window {
            return false;
        }
        entry.1 += 1;
        true
    }
}

/// Forwards to the sink of another collector (used when settings change after cloning).
struct SharedSink(Arc<Inner>);
impl ReportSink for SharedSink {
    fn report(&self, report: &CspReport) {
        self.0.sink.report(report)
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Csp2,
    Reporting,
    Either,
}

fn parse(kind: Kind, body: &[u8]) -> Result<(Vec<CspReport>, u64), String> {
    let v: Value = serde_json::from_slice(body).map_err(|e| format!("invalid JSON: {e}"))?;
    match (kind, &v) {
        (Kind::Csp2 | Kind::Either, Value::Object(o)) if o.contains_key("csp-report") => {
            Ok((vec![from_csp2(&v["csp-report"])?], 0))
        }
        (Kind::Reporting | Kind::Either, Value::Array(items)) => {
            let mut out = Vec::new();
            let mut ignored = 0;
            for item in items {
                if item.get("type").and_then(Value::as_str) == Some("csp-violation") {
                    out.push(from_reporting(item.get("body").unwrap_or(&Value::Null))?);
                } else {
                    ignored += 1;
                }
            }
            Ok((out, ignored))
        }
        (Kind::Csp2, _) => Err("expected an object with a \"csp-report\" member".into()),
        (Kind::Reporting, _) => Err("expected an array of reports".into()),
        (Kind::Either, _) => Err("expected {\"csp-report\": {...}} or an array of reports".into()),
    }
}

fn text(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn line(v: &Value, key: &str) -> Option<u32> {
    v.get(key)?.as_u64().and_then(|n| u32::try_from(n).ok())
}

fn from_csp2(r: &Value) -> Result<CspReport, String> {
    if !r.is_object() {
        return Err("\"csp-report\" must be an object".into());
    }
    let directive = text(r, "effective-directive")
        .or_else(|| text(r, "violated-directive"))
        .ok_or("missing \"violated-directive\"")?;
    Ok(CspReport {
        document_uri: text(r, "document-uri").unwrap_or_default(),
        blocked_uri: text(r, "blocked-uri").unwrap_or_default(),
        violated_directive: directive,
        disposition: text(r, "disposition").unwrap_or_else(|| "enforce".into()),
        source_file: text(r, "source-file"),
        line: line(r, "line-number"),
        sample: text(r, "script-sample"),
        original_policy: text(r, "original-policy"),
        count: 1,
    })
}

fn from_reporting(b: &Value) -> Result<CspReport, String> {
    if !b.is_object() {
        return Err("a csp-violation report needs a \"body\" object".into());
    }
    let directive = text(b, "effectiveDirective")
        .or_else(|| text(b, "violatedDirective"))
        .ok_or("missing \"effectiveDirective\"")?;
    Ok(CspReport {
        document_uri: text(b, "documentURL").unwrap_or_default(),
        blocked_uri: text(b, "blockedURL").unwrap_or_default(),
        violated_directive: directive,
        disposition: text(b, "disposition").unwrap_or_else(|| "enforce".into()),
        source_file: text(b, "sourceFile"),
        line: line(b, "lineNumber"),
        sample: text(b, "sample"),
        original_policy: text(b, "originalPolicy"),
        count: 1,
    })
}

/// A URL without its query and fragment, for log lines: reset tokens and OAuth
/// codes travel in query strings and must not land in the application log (the
/// sink still gets the full report).
fn without_query(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collector() -> (ReportCollector, Arc<Mutex<Vec<CspReport>>>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        (
            ReportCollector::new(move |r: &CspReport| s.lock().unwrap().push(r.clone())),
            seen,
        )
    }

    const CSP2: &str = r#"{"csp-report":{"document-uri":"https://a.example/p","referrer":"","violated-directive":"script-src-elem","effective-directive":"script-src-elem","original-policy":"script-src 'self'","disposition":"report","blocked-uri":"https://evil.example/x.js","line-number":12,"source-file":"https://a.example/app.js","script-sample":"alert(1)","status-code":200}}"#;
    const REPORTING: &str = r#"[{"type":"csp-violation","age":1,"url":"https://a.example/","body":{"documentURL":"https://a.example/","blockedURL":"inline","effectiveDirective":"style-src-elem","disposition":"enforce","sourceFile":"https://a.example/","lineNumber":3,"sample":"x","originalPolicy":"style-src 'self'","statusCode":200}},{"type":"deprecation","body":{}}]"#;

    #[test]
    fn csp2_format() {
        let (c, seen) = collector();
        assert_eq!(
            c.ingest(
                Some("application/csp-report; charset=utf-8"),
                None,
                CSP2.as_bytes()
            ),
            Ok(1)
        );
        let r = seen.lock().unwrap()[0].clone();
        assert_eq!(
            r,
            CspReport {
                document_uri: "https://a.example/p".into(),
                blocked_uri: "https://evil.example/x.js".into(),
                violated_directive: "script-src-elem".into(),
                disposition: "report".into(),
                source_file: Some("https://a.example/app.js".into()),
                line: Some(12),
                sample: Some("alert(1)".into()),
                original_policy: Some("script-src 'self'".into()),
                count: 1,
            }
        );
        assert_eq!(
            c.ingest(Some("Application/JSON"), None, CSP2.as_bytes()),
            Ok(1)
        );
        assert!(serde_json::to_string(&r)
            .unwrap()
            .contains("\"violated_directive\""));
    }

    #[test]
    fn reporting_api_format() {
        let (c, seen) = collector();
        assert_eq!(
            c.ingest(Some("application/reports+json"), None, REPORTING.as_bytes()),
            Ok(1)
        );
        assert_eq!(
            c.ingest(Some("application/json"), None, REPORTING.as_bytes()),
            Ok(1)
        );
        let r = seen.lock().unwrap()[0].clone();
        assert_eq!(r.violated_directive, "style-src-elem");
        assert_eq!(r.line, Some(3));
        assert_eq!(c.stats().ignored, 2);
        assert_eq!(c.stats().accepted, 2);
        // Shapes must match the declared type.
        assert!(matches!(
            c.ingest(Some("application/csp-report"), None, REPORTING.as_bytes()),
            Err(ReportError::Malformed(_))
        ));
        assert!(matches!(
            c.ingest(Some("application/reports+json"), None, CSP2.as_bytes()),
            Err(ReportError::Malformed(_))
        ));
    }

    #[test]
    fn rejections_and_stats() {
        let (c, _) = collector();
        let c = c.max_body(2000);
        assert_eq!(
            c.ingest(None, None, b"{}"),
            Err(ReportError::UnsupportedMediaType)
        );
        assert_eq!(
            c.ingest(Some("text/html"), None, b"{}"),
            Err(ReportError::UnsupportedMediaType)
        );
        assert_eq!(
            c.ingest(Some("application/json"), None, &vec![b' '; 2001]),
            Err(ReportError::TooLarge)
        );
        for bad in [
            &b"{"[..],
            b"{\"csp-report\": 1}",
            b"{\"csp-report\": {}}",
            b"\"x\"",
            b"[{\"type\":\"csp-violation\"}]",
        ] {
            assert!(
                matches!(
                    c.ingest(Some("application/json"), None, bad),
                    Err(ReportError::Malformed(_))
                ),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        // Array entries that are not CSP reports are ignored, not errors.
        assert_eq!(
            c.ingest(Some("application/reports+json"), None, b"[1]"),
            Ok(0)
        );
        let s = c.stats();
        assert_eq!(
            (
                s.unsupported_media_type,
                s.too_large,
                s.malformed,
                s.accepted
            ),
            (2, 1, 5, 0)
        );
        for (e, code) in [
            (ReportError::Malformed(String::new()), 400),
            (ReportError::TooLarge, 413),
            (ReportError::UnsupportedMediaType, 415),
            (ReportError::RateLimited, 429),
        ] {
            assert_eq!(e.status().as_u16(), code);
            assert!(!e.to_string().is_empty());
        }
    }

    #[test]
    fn rate_limit_per_client() {
        let (c, _) = collector();
        let c = c.rate_limit(2, Duration::from_secs(3600));
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let ct = Some("application/csp-report");
        assert!(c.ingest(ct, Some(a), CSP2.as_bytes()).is_ok());
        assert!(c.ingest(ct, Some(a), CSP2.as_bytes()).is_ok());
        assert_eq!(
            c.ingest(ct, Some(a), CSP2.as_bytes()),
            Err(ReportError::RateLimited)
        );
        assert!(c.ingest(ct, Some(b), CSP2.as_bytes()).is_ok());
        assert!(c.ingest(ct, None, CSP2.as_bytes()).is_ok());
        assert_eq!(c.stats().rate_limited, 1);
        // A zero-length window resets every time.
        let (c, _) = collector();
        let c = c.rate_limit(1, Duration::ZERO);
        assert!(c.ingest(ct, Some(a), CSP2.as_bytes()).is_ok());
        assert!(c.ingest(ct, Some(a), CSP2.as_bytes()).is_ok());
    }

    #[test]
    fn memory_is_bounded() {
        let (c, _) = collector();
        let c = c.rate_limit(5, Duration::from_secs(3600));
        for i in 0..(MAX_TRACKED_CLIENTS as u32 + 5) {
            let ip = IpAddr::from(i.to_be_bytes());
            let _ = c.allow(Some(ip));
        }
        // The clients, plus the one bucket newcomers share while it is full.
        assert!(c.0.clients.lock().unwrap().len() <= MAX_TRACKED_CLIENTS + 1);
    }

    #[test]
    fn settings_after_clone_keep_sink() {
        let (c, seen) = collector();
        let _keep = c.clone();
        let c = c.max_body(100_000);
        assert_eq!(c.max_body_bytes(), 100_000);
        c.ingest(Some("application/csp-report"), None, CSP2.as_bytes())
            .unwrap();
        assert_eq!(seen.lock().unwrap().len(), 1);
    }

    #[test]
    fn identical_reports_collapse_and_their_count_comes_out_later() {
        let (c, seen) = collector();
        let c = c.collapse_window(Duration::from_millis(40));
        let ct = Some("application/csp-report");
        for _ in 0..3 {
            assert_eq!(c.ingest(ct, None, CSP2.as_bytes()), Ok(1));
        }
        assert_eq!(seen.lock().unwrap().len(), 1);
        assert_eq!(c.stats().collapsed, 2);
        std::thread::sleep(Duration::from_millis(60));
        let other = CSP2.replace("evil.example", "other.example");
        assert_eq!(c.ingest(ct, None, other.as_bytes()), Ok(1));
        let got = seen.lock().unwrap().clone();
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!(
            (got[1].blocked_uri.as_str(), got[1].count),
            ("https://evil.example/x.js", 2)
        );
        assert_eq!(
            (got[2].blocked_uri.as_str(), got[2].count),
            ("https://other.example/x.js", 1)
        );
        assert_eq!(c.stats().accepted, 4);
    }

    #[test]
    fn one_body_gives_at_most_the_cap_and_collapses_within_itself() {
        let (c, seen) = collector();
        let c = c.max_reports_per_body(3);
        let one = r#"{"type":"csp-violation","body":{"blockedURL":"inline","effectiveDirective":"script-src-elem"}}"#;
        let other = one.replace("inline", "eval");
        let body = format!("[{one},{one},{other},{other},{other}]");
        assert_eq!(
            c.ingest(Some("application/reports+json"), None, body.as_bytes()),
            Ok(3)
        );
        let got = seen.lock().unwrap().clone();
        assert_eq!(
            got.iter()
                .map(|r| (r.blocked_uri.as_str(), r.count))
                .collect::<Vec<_>>(),
            [("inline", 2), ("eval", 1)]
        );
        let s = c.stats();
        assert_eq!((s.over_cap, s.collapsed, s.accepted), (2, 1, 3));
        // Without collapsing, each report reaches the sink.
        let (c, seen) = collector();
        let c = c.collapse_window(Duration::ZERO);
        c.ingest(
            Some("application/reports+json"),
            None,
            format!("[{one},{one}]").as_bytes(),
        )
        .unwrap();
        c.ingest(
            Some("application/reports+json"),
            None,
            format!("[{one}]").as_bytes(),
        )
        .unwrap();
        let counts: Vec<u64> = seen.lock().unwrap().iter().map(|r| r.count).collect();
        assert_eq!(counts, [2, 1]);
    }

    #[test]
    fn an_ipv6_client_is_its_slash_64() {
        let (c, _) = collector();
        let c = c.rate_limit(1, Duration::from_secs(3600));
        let ct = Some("application/csp-report");
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert!(c.ingest(ct, Some(a), CSP2.as_bytes()).is_ok());
        assert_eq!(
            c.ingest(ct, Some(b), CSP2.as_bytes()),
            Err(ReportError::RateLimited)
        );
        assert!(c.ingest(ct, Some(other), CSP2.as_bytes()).is_ok());
    }
}
