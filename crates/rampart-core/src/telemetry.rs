//! Every counter rampart keeps, in one place, through the [`metrics`] facade.
//!
//! Nothing is recorded until the application installs a recorder (for
//! example `metrics-exporter-prometheus`); without one each count is a no-op.
//! With the `metrics` feature off they compile to nothing.
//!
//! | counter | labels | counts |
//! |---|---|---|
//! | `rampart_csrf_passed_total` | `by` | unsafe requests (and checked handshakes) let through, by what vouched for them: `token`, `fetch-metadata`, `origin`, `referer`, or `no-browser-headers` (token-less mode, plain http, a client that sent none) |
//! | `rampart_csrf_refused_total` | `reason` | requests refused, by [`RejectReason::code`] |
//! | `rampart_csrf_would_refuse_total` | `reason` | in report-only mode, requests that would have been refused and were let through |
//! | `rampart_csrf_disagreements_total` | `kind` | `headers-passed-token-refused`: Fetch Metadata / Origin vouched for a request whose token failed; `headers-refused-token-valid`: the header check refused a request whose header token was valid |
//! | `rampart_csp_reports_total` | `outcome` | CSP report bodies and reports at the collector: `accepted`, `collapsed`, `malformed`, `too-large`, `rate-limited`, `unsupported-media-type`, `ignored`, `over-cap` |
//!
//! The disagreement counter is how a team sees whether Fetch Metadata alone
//! would do: when `headers-passed-token-refused` holds only expired-form
//! cases and `headers-refused-token-valid` stays at zero, the token adds
//! nothing the headers do not already give.

use crate::csrf::RejectReason;

/// What let an unsafe request through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Via {
    /// `Sec-Fetch-Site: same-origin` / `none` (or an allowed `same-site`, or a trusted `Origin` beside it).
    FetchMetadata,
    /// An `Origin` that is the request's own or trusted.
    Origin,
    /// A same-origin or trusted `Referer` (secure requests without the other two).
    Referer,
    /// None of the three: plain http from a client that sent no browser headers.
    Nothing,
}

impl Via {
    fn label(self) -> &'static str {
        match self {
            Via::FetchMetadata => "fetch-metadata",
            Via::Origin => "origin",
            Via::Referer => "referer",
            Via::Nothing => "no-browser-headers",
        }
    }
}

/// The two ways the header check and the token check can disagree.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Disagreement {
    HeadersPassedTokenRefused,
    HeadersRefusedTokenValid,
}

/// A protected request passed the header check alone (token-less mode, or a handshake).
pub(crate) fn csrf_passed(via: Via) {
    #[cfg(feature = "metrics")]
    metrics::counter!("rampart_csrf_passed_total", "by" => via.label()).increment(1);
    #[cfg(not(feature = "metrics"))]
    let _ = via.label();
}

/// A protected request passed on its token.
pub(crate) fn csrf_passed_by_token() {
    #[cfg(feature = "metrics")]
    metrics::counter!("rampart_csrf_passed_total", "by" => "token").increment(1);
}

/// A refusal: enforced, or let through in report-only mode.
pub(crate) fn csrf_refused(reason: RejectReason, report_only: bool) {
    #[cfg(feature = "metrics")]
    {
        let name = if report_only {
            "rampart_csrf_would_refuse_total"
        } else {
            "rampart_csrf_refused_total"
        };
        metrics::counter!(name, "reason" => reason.code()).increment(1);
    }
    #[cfg(not(feature = "metrics"))]
    let _ = (reason, report_only);
}

pub(crate) fn csrf_disagreement(kind: Disagreement) {
    #[cfg(feature = "metrics")]
    {
        let kind = match kind {
            Disagreement::HeadersPassedTokenRefused => "headers-passed-token-refused",
            Disagreement::HeadersRefusedTokenValid => "headers-refused-token-valid",
        };
        metrics::counter!("rampart_csrf_disagreements_total", "kind" => kind).increment(1);
    }
    #[cfg(not(feature = "metrics"))]
    let _ = kind;
}

/// `n` CSP reports (or bodies) with this outcome at the collector.
pub(crate) fn csp_reports(outcome: &'static str, n: u64) {
    #[cfg(feature = "metrics")]
    if n > 0 {
        metrics::counter!("rampart_csp_reports_total", "outcome" => outcome).increment(n);
    }
    #[cfg(not(feature = "metrics"))]
    let _ = (outcome, n);
}

/// Registers the help text of rampart's counters with the installed
/// recorder, so an exporter can print it (Prometheus's `# HELP` lines).
/// Call it once, after installing the recorder; counting works without it.
///
/// ```
/// // Without a recorder installed this does nothing, and counting is free.
/// rampart_core::describe_metrics();
/// ```
pub fn describe_metrics() {
    #[cfg(feature = "metrics")]
    {
        metrics::describe_counter!(
            "rampart_csrf_passed_total",
            "Protected requests the CSRF layer let through, by what vouched for them."
        );
        metrics::describe_counter!(
            "rampart_csrf_refused_total",
            "Requests the CSRF layer refused, by reason."
        );
        metrics::describe_counter!(
            "rampart_csrf_would_refuse_total",
            "Report-only mode: requests that would have been refused, by reason."
        );
        metrics::describe_counter!(
            "rampart_csrf_disagreements_total",
            "Requests where the Fetch Metadata/Origin check and the token check disagreed."
        );
        metrics::describe_counter!(
            "rampart_csp_reports_total",
            "CSP reports and report bodies at the collector, by outcome."
        );
    }
}
