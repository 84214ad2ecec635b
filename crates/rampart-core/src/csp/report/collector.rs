//! [`ReportCollector`]: rate limits per client, caps per body, collapsing of
//! identical reports; what it sees is counted through `telemetry`.

use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::parse::{parse, Kind};
use super::{emit, CspReport, ReportError, ReportSink};
use crate::error::Problems;
use crate::telemetry;
use crate::{ConfigError, ConnectionInfo, ProxyTrust};

/// Most clients tracked by the rate limiter; bounds its memory.
const MAX_TRACKED_CLIENTS: usize = 10_000;
/// Most distinct reports remembered for collapsing; bounds its memory (a
/// report past it is passed on, not remembered).
const MAX_TRACKED_REPORTS: usize = 10_000;
/// Most bytes of report text remembered for collapsing.
const MAX_TRACKED_BYTES: usize = 4 << 20;

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
/// [`proxy_trust`](ReportCollectorBuilder::proxy_trust)) may send 60 bodies a minute, at most
/// 100 reports are taken from one body, and identical reports within a minute
/// reach the log and the sink once, with a [`count`](CspReport::count).
///
/// ```
/// use rampart_core::csp::{CspReport, ReportCollector, ReportError};
/// let c = ReportCollector::builder(|_: &CspReport| {}).rate_limit(1, std::time::Duration::from_secs(60)).build().unwrap();
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
            .finish()
    }
}

/// Builder for [`ReportCollector`]; start with [`ReportCollector::builder`].
/// Setters never fail; [`build`](Self::build) checks them all.
#[must_use]
pub struct ReportCollectorBuilder {
    sink: Box<dyn ReportSink>,
    settings: Settings,
}

impl fmt::Debug for ReportCollectorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReportCollectorBuilder")
            .finish_non_exhaustive()
    }
}

impl ReportCollectorBuilder {
    /// Sets the largest accepted body, in bytes.
    ///
    /// ```
    /// # use rampart_core::csp::{ReportCollector, ReportError};
    /// let c = ReportCollector::builder(|_: &rampart_core::csp::CspReport| {}).max_body(10).build().unwrap();
    /// assert_eq!(c.ingest(Some("application/json"), None, &[b' '; 11]), Err(ReportError::TooLarge));
    /// ```
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.settings.max_body = bytes;
        self
    }

    /// Sets the rate limit: at most `per_window` bodies per client per `window`.
    ///
    /// ```
    /// # use rampart_core::csp::{ReportCollector, ReportError};
    /// let c = ReportCollector::builder(|_: &rampart_core::csp::CspReport| {})
    ///     .rate_limit(1, std::time::Duration::from_secs(10)).build().unwrap();
    /// assert_eq!(c.ingest(Some("application/json"), None, b"[]"), Ok(0));
    /// assert_eq!(c.ingest(Some("application/json"), None, b"[]"), Err(ReportError::RateLimited));
    /// ```
    pub fn rate_limit(mut self, per_window: u32, window: Duration) -> Self {
        self.settings.per_window = per_window;
        self.settings.window = window;
        self
    }

    /// Most reports taken from one body (default 100); the rest are dropped
    /// and counted in `rampart_csp_reports_total{outcome="over-cap"}`. A browser batches a page's
    /// reports, but a hundred violations of one page say all there is to say.
    ///
    /// ```
    /// # use rampart_core::csp::ReportCollector;
    /// let c = ReportCollector::builder(|_: &rampart_core::csp::CspReport| {}).max_reports_per_body(1).build().unwrap();
    /// let one = r#"{"type":"csp-violation","body":{"blockedURL":"inline","effectiveDirective":"script-src-elem"}}"#;
    /// let two = format!("[{one},{}]", one.replace("inline", "eval"));
    /// assert_eq!(c.ingest(Some("application/reports+json"), None, two.as_bytes()), Ok(1));
    /// ```
    pub fn max_reports_per_body(mut self, n: usize) -> Self {
        self.settings.max_per_body = n;
        self
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
    /// let c = ReportCollector::builder(move |r: &CspReport| sink.lock().unwrap().push(r.clone())).build().unwrap();
    /// let body = br#"{"csp-report":{"blocked-uri":"inline","violated-directive":"script-src-elem"}}"#;
    /// for _ in 0..5 {
    ///     c.ingest(Some("application/csp-report"), None, body).unwrap();
    /// }
    /// assert_eq!(seen.lock().unwrap().len(), 1);
    /// ```
    pub fn collapse_window(mut self, window: Duration) -> Self {
        self.settings.collapse_window = window;
        self
    }

    /// How long a report body may take to arrive (default 10 s); adapters
    /// answer `408` after that. `Duration::ZERO` refuses every body.
    ///
    /// ```
    /// # use rampart_core::csp::ReportCollector;
    /// let c = ReportCollector::builder(|_: &rampart_core::csp::CspReport| {}).body_timeout(std::time::Duration::from_secs(2)).build().unwrap();
    /// assert_eq!(c.body_deadline(), std::time::Duration::from_secs(2));
    /// ```
    pub fn body_timeout(mut self, timeout: Duration) -> Self {
        self.settings.body_timeout = timeout;
        self
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
    /// let c = ReportCollector::builder(|_: &rampart_core::csp::CspReport| {})
    ///     .proxy_trust(ProxyTrust::loopback(ProxyHeaders::X_FORWARDED))
    ///     .rate_limit(1, std::time::Duration::from_secs(60)).build().unwrap();
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
    pub fn proxy_trust(mut self, trust: ProxyTrust) -> Self {
        self.settings.proxy_trust = trust;
        self
    }

    /// The collector, or every setting that cannot work.
    ///
    /// ```
    /// # use rampart_core::csp::ReportCollector;
    /// let e = ReportCollector::builder(|_: &rampart_core::csp::CspReport| {})
    ///     .max_reports_per_body(0)
    ///     .body_timeout(std::time::Duration::ZERO)
    ///     .build()
    ///     .unwrap_err();
    /// assert_eq!(e.problems().count(), 2);
    /// ```
    pub fn build(self) -> Result<ReportCollector, ConfigError> {
        let s = &self.settings;
        let mut problems = Problems::default();
        if s.max_body == 0 {
            problems.push(ConfigError::new(
                "report.max_body",
                "must be at least 1 byte (64 KiB is the default)",
            ));
        }
        if s.per_window == 0 {
            problems.push(ConfigError::new("report.rate_limit", "allow at least one body per window (60 a minute is the default), or mount no report endpoint"));
        }
        if s.max_per_body == 0 {
            problems.push(ConfigError::new(
                "report.max_reports_per_body",
                "must be at least 1 (100 is the default)",
            ));
        }
        if s.body_timeout.is_zero() {
            problems.push(ConfigError::new(
                "report.body_timeout",
                "must be longer than zero (10 s is the default)",
            ));
        }
        for p in s.proxy_trust.problems() {
            problems.push(p.clone());
        }
        problems.finish()?;
        Ok(ReportCollector::with_settings(self.sink, self.settings))
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

    /// Starts a collector sending reports to `sink`, with other limits.
    ///
    /// ```
    /// # use rampart_core::csp::ReportCollector;
    /// let c = ReportCollector::builder(|_: &rampart_core::csp::CspReport| {}).max_body(1024).build().unwrap();
    /// assert_eq!(c.max_body_bytes(), 1024);
    /// ```
    pub fn builder(sink: impl ReportSink) -> ReportCollectorBuilder {
        ReportCollectorBuilder {
            sink: Box::new(sink),
            settings: Settings::default(),
        }
    }

    fn with_settings(sink: Box<dyn ReportSink>, settings: Settings) -> Self {
        ReportCollector(Arc::new(Inner {
            sink,
            settings,
            clients: Mutex::new(HashMap::new()),
            seen: Mutex::new(SeenReports::default()),
        }))
    }

    #[doc(hidden)]
    /// The largest accepted body, so adapters can stop reading early.
    ///
    /// ```
    /// # use rampart_core::csp::ReportCollector;
    /// let c = ReportCollector::builder(|_: &rampart_core::csp::CspReport| {}).max_body(100).build().unwrap();
    /// assert_eq!(c.max_body_bytes(), 100);
    /// ```
    pub fn max_body_bytes(&self) -> usize {
        self.0.settings.max_body
    }

    #[doc(hidden)]
    /// How long adapters wait for a body ([`body_timeout`](ReportCollectorBuilder::body_timeout)).
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
        let _span =
            crate::telemetry::debug_span!("rampart.csp.report", bytes = body.len()).entered();
        let essence = content_type
            .and_then(|ct| ct.split(';').next())
            .map(|s| s.trim().to_ascii_lowercase())
            .unwrap_or_default();
        let kind = match essence.as_str() {
            "application/csp-report" => Kind::Csp2,
            "application/reports+json" => Kind::Reporting,
            "application/json" => Kind::Either,
            _ => {
                telemetry::csp_report_body("unsupported-media-type");
                return Err(ReportError::UnsupportedMediaType);
            }
        };
        if body.len() > self.0.settings.max_body {
            self.record_too_large();
            return Err(ReportError::TooLarge);
        }
        if !self.allow(client) {
            telemetry::csp_report_body("rate-limited");
            return Err(ReportError::RateLimited);
        }
        let (mut reports, ignored) = match parse(kind, body) {
            Ok(r) => r,
            Err(why) => {
                telemetry::csp_report_body("malformed");
                return Err(ReportError::Malformed(why));
            }
        };
        telemetry::csp_reports("ignored", ignored);
        let cap = self.0.settings.max_per_body;
        if reports.len() > cap {
            let over = (reports.len() - cap) as u64;
            telemetry::csp_reports("over-cap", over);
            reports.truncate(cap);
        }
        let taken = reports.len();
        for r in self.collapse(reports) {
            emit(&*self.0.sink, &r);
        }
        telemetry::csp_reports("accepted", taken as u64);
        Ok(taken)
    }

    /// The reports to pass on now: within the body, identical ones become one
    /// with a count; across bodies, one already passed on within the window is
    /// only counted, and the count of every window that has passed comes out
    /// as one report.
    fn collapse(&self, reports: Vec<CspReport>) -> Vec<CspReport> {
        let mut unique: Vec<CspReport> = Vec::with_capacity(reports.len());
        for r in reports {
            match unique.iter_mut().find(|u| u.same_violation(&r)) {
                Some(u) => {
                    u.count += 1;
                    telemetry::csp_reports("collapsed", 1);
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
                telemetry::csp_reports("collapsed", r.count);
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

    #[doc(hidden)]
    /// Counts a body the adapter refused because it exceeded [`max_body_bytes`](Self::max_body_bytes).
    pub fn record_too_large(&self) {
        telemetry::csp_report_body("too-large");
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

#[cfg(test)]
mod tests;
