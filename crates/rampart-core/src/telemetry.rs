//! Every counter rampart keeps, in one place, through the [`metrics`] facade.
//!
//! Nothing is recorded until the application installs a recorder (for
//! example `metrics-exporter-prometheus`); without one each count is a no-op.
//! With the `metrics` feature off they compile to nothing.
//!
//! | counter | labels | counts |
//! |---|---|---|
//! | `rampart_csrf_passed_total` | `by` | unsafe requests (and checked handshakes) let through, by what vouched for them: `token`, `fetch-metadata`, `origin`, `referer`, or `no-browser-headers` (none of the three: a non-browser client, or an old browser) |
//! | `rampart_csrf_refused_total` | `reason` | requests refused, by [`RejectReason::code`] |
//! | `rampart_csrf_would_refuse_total` | `reason` | in report-only mode, requests that would have been refused and were let through |
//! | `rampart_csrf_disagreements_total` | `kind`, `reason` | see below |
//! | `rampart_csp_report_bodies_total` | `outcome` | report request bodies refused: `malformed`, `too-large`, `rate-limited`, `unsupported-media-type`, `unreadable`, `timed-out` |
//! | `rampart_csp_reports_total` | `outcome` | reports in accepted bodies: `accepted` (all taken), of which `collapsed` (folded into an identical report's count); `ignored` (non-CSP entries), `over-cap` (past the per-body cap) |
//!
//! Every label value is a fixed word, never request data, so no client can
//! grow the number of series.
//!
//! **Disagreements.** `kind="headers-passed-token-refused"` counts requests
//! that Fetch Metadata, `Origin` or `Referer` vouched for and whose token
//! failed, with the token's `reason` (`missing-token`, `bad-token`,
//! `missing-cookie`, ...). This is the one that bears on whether Fetch
//! Metadata alone would do: if, over a long window of browser traffic, its
//! reasons are only forms that outlived their cookie, the token refused
//! nothing the headers did not already vouch for as same-origin. Non-browser
//! clients can send any header, so read it next to your traffic mix.
//! `kind="headers-refused-token-valid"` counts cross-origin refusals that
//! carried a valid token in the header (the body of a refused request is never
//! read): a trusted origin that is missing from the configuration, or a token
//! that left its page.

use crate::csrf::RejectReason;

/// A debug-level span, made only when a subscriber takes debug spans. Not
/// `debug_span!` alone: with `tracing`'s `log` feature on (any dependency can
/// turn it on), a disabled span still formats a record for the `log` crate on
/// every request.
macro_rules! debug_span {
    ($($args:tt)*) => {
        if tracing::level_enabled!(tracing::Level::DEBUG) {
            tracing::debug_span!($($args)*)
        } else {
            tracing::Span::none()
        }
    };
}
pub(crate) use debug_span;

/// What let an unsafe request through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Via {
    /// `Sec-Fetch-Site: same-origin` / `none` (or an allowed `same-site`, or a trusted `Origin` beside it).
    FetchMetadata,
    /// An `Origin` that is the request's own or trusted.
    Origin,
    /// A same-origin or trusted `Referer` (secure requests without the other two).
    Referer,
    /// None of the three: a client that sent no browser headers (a
    /// non-browser client or an old browser), or a secure request without
    /// them when the `Referer` check is off.
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

/// One counter with literal labels: the key is then a `static`, so a count
/// costs no allocation, and nothing at all without a recorder.
macro_rules! count {
    ($name:literal, $label:literal, $value:expr, $n:expr, [$($v:literal),+ $(,)?]) => {{
        #[cfg(feature = "metrics")]
        match $value {
            $( $v => metrics::counter!($name, $label => $v).increment($n), )+
            _ => debug_assert!(false, "unlisted label value"),
        }
        #[cfg(not(feature = "metrics"))]
        let _ = ($value, $n);
    }};
}

/// [`count!`] with a fixed `kind` label before the listed one.
macro_rules! count_kind {
    ($name:literal, $kind:literal, $label:literal, $value:expr, $n:expr, [$($v:literal),+ $(,)?]) => {{
        #[cfg(feature = "metrics")]
        match $value {
            $( $v => metrics::counter!($name, "kind" => $kind, $label => $v).increment($n), )+
            _ => debug_assert!(false, "unlisted label value"),
        }
        #[cfg(not(feature = "metrics"))]
        let _ = ($value, $n);
    }};
}

/// Calls `$m!(args.., [every RejectReason code])`: the one list of reasons.
macro_rules! with_reasons {
    ($m:ident!($($args:tt)*)) => {
        $m!($($args)* [
            "cross-origin",
            "origin-mismatch",
            "referer-missing",
            "referer-mismatch",
            "missing-cookie",
            "missing-token",
            "bad-token",
            "duplicate-token",
            "malformed-body",
            "too-large",
            "body-timeout",
        ])
    };
}

/// A protected request passed the header check alone (token-less mode, or a handshake).
pub(crate) fn csrf_passed(via: Via) {
    count!(
        "rampart_csrf_passed_total",
        "by",
        via.label(),
        1,
        ["fetch-metadata", "origin", "referer", "no-browser-headers"]
    );
}

/// A protected request passed on its token.
pub(crate) fn csrf_passed_by_token() {
    count!("rampart_csrf_passed_total", "by", "token", 1, ["token"]);
}

/// A refusal: enforced, or let through in report-only mode.
pub(crate) fn csrf_refused(reason: RejectReason, report_only: bool) {
    let code = reason.code();
    if report_only {
        with_reasons!(count!("rampart_csrf_would_refuse_total", "reason", code, 1,));
    } else {
        with_reasons!(count!("rampart_csrf_refused_total", "reason", code, 1,));
    }
}

pub(crate) fn csrf_disagreement(kind: Disagreement, reason: RejectReason) {
    let code = reason.code();
    match kind {
        Disagreement::HeadersPassedTokenRefused => with_reasons!(count_kind!(
            "rampart_csrf_disagreements_total",
            "headers-passed-token-refused",
            "reason",
            code,
            1,
        )),
        Disagreement::HeadersRefusedTokenValid => with_reasons!(count_kind!(
            "rampart_csrf_disagreements_total",
            "headers-refused-token-valid",
            "reason",
            code,
            1,
        )),
    }
}

/// A CSP report body refused before its reports were read.
pub(crate) fn csp_report_body(outcome: &'static str) {
    count!(
        "rampart_csp_report_bodies_total",
        "outcome",
        outcome,
        1,
        [
            "malformed",
            "too-large",
            "rate-limited",
            "unsupported-media-type",
            "unreadable",
            "timed-out",
        ]
    );
}

/// `n` CSP reports with this outcome at the collector.
pub(crate) fn csp_reports(outcome: &'static str, n: u64) {
    if n > 0 {
        count!(
            "rampart_csp_reports_total",
            "outcome",
            outcome,
            n,
            ["accepted", "collapsed", "ignored", "over-cap"]
        );
    }
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
            "Requests where the Fetch Metadata/Origin check and the token check disagreed, by kind and the token's reason."
        );
        metrics::describe_counter!(
            "rampart_csp_report_bodies_total",
            "CSP report bodies refused before their reports were read, by outcome."
        );
        metrics::describe_counter!(
            "rampart_csp_reports_total",
            "CSP reports in accepted bodies: accepted (all taken, collapsed ones included), collapsed, ignored, over-cap."
        );
    }
}

#[cfg(all(test, feature = "metrics"))]
use metrics_util::debugging::{DebugValue, DebuggingRecorder};

/// Tests: runs `f` under a fresh thread-local recorder; the counters it left,
/// as `name{label=value} n`, sorted.
#[cfg(all(test, feature = "metrics"))]
pub(crate) fn counted(f: impl FnOnce()) -> Vec<String> {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    metrics::with_local_recorder(&recorder, f);
    let mut out: Vec<String> = snapshotter
        .snapshot()
        .into_vec()
        .into_iter()
        .map(|(key, _, _, value)| {
            let key = key.key();
            let labels: Vec<String> = key
                .labels()
                .map(|l| format!("{}={}", l.key(), l.value()))
                .collect();
            let DebugValue::Counter(n) = value else {
                panic!("only counters")
            };
            format!("{}{{{}}} {n}", key.name(), labels.join(","))
        })
        .collect();
    out.sort();
    out
}
