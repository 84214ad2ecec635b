//! Unit tests of report parsing and the collector's limits.
#![cfg_attr(not(feature = "metrics"), allow(unused_variables))]

use std::sync::{Arc, Mutex};

use super::*;

fn collector() -> (ReportCollectorBuilder, Arc<Mutex<Vec<CspReport>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    (
        ReportCollector::builder(move |r: &CspReport| s.lock().unwrap().push(r.clone())),
        seen,
    )
}

/// What `f` added to the collector's counters (nothing without the
/// `metrics` feature, where the assertions on it are compiled out).
fn counts(f: impl FnOnce()) -> Counts {
    #[cfg(feature = "metrics")]
    return Counts(crate::telemetry::counted(f));
    #[cfg(not(feature = "metrics"))]
    {
        f();
        Counts(Vec::new())
    }
}

struct Counts(Vec<String>);

#[cfg_attr(not(feature = "metrics"), allow(dead_code))]
impl Counts {
    /// `rampart_csp_report_bodies_total{outcome}`: refused bodies.
    fn bodies(&self, outcome: &str) -> u64 {
        self.get("rampart_csp_report_bodies_total", outcome)
    }

    /// `rampart_csp_reports_total{outcome}`: reports in accepted bodies.
    fn reports(&self, outcome: &str) -> u64 {
        self.get("rampart_csp_reports_total", outcome)
    }

    fn get(&self, name: &str, outcome: &str) -> u64 {
        let key = format!("{name}{{outcome={outcome}}} ");
        self.0
            .iter()
            .find_map(|l| l.strip_prefix(&key))
            .map_or(0, |n| n.parse().unwrap())
    }
}

const CSP2: &str = r#"{"csp-report":{"document-uri":"https://a.example/p","referrer":"","violated-directive":"script-src-elem","effective-directive":"script-src-elem","original-policy":"script-src 'self'","disposition":"report","blocked-uri":"https://evil.example/x.js","line-number":12,"source-file":"https://a.example/app.js","script-sample":"alert(1)","status-code":200}}"#;
const REPORTING: &str = r#"[{"type":"csp-violation","age":1,"url":"https://a.example/","body":{"documentURL":"https://a.example/","blockedURL":"inline","effectiveDirective":"style-src-elem","disposition":"enforce","sourceFile":"https://a.example/","lineNumber":3,"sample":"x","originalPolicy":"style-src 'self'","statusCode":200}},{"type":"deprecation","body":{}}]"#;

#[test]
fn csp2_format() {
    let (c, seen) = collector();
    let c = c.build().unwrap();
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
    let c = c.build().unwrap();
    let n = counts(|| {
        assert_eq!(
            c.ingest(Some("application/reports+json"), None, REPORTING.as_bytes()),
            Ok(1)
        );
        assert_eq!(
            c.ingest(Some("application/json"), None, REPORTING.as_bytes()),
            Ok(1)
        );
    });
    let r = seen.lock().unwrap()[0].clone();
    assert_eq!(r.violated_directive, "style-src-elem");
    assert_eq!(r.line, Some(3));
    #[cfg(feature = "metrics")]
    assert_eq!((n.reports("ignored"), n.reports("accepted")), (2, 2));
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
fn refused_bodies_get_their_status_and_are_counted() {
    let (c, _) = collector();
    let c = c.max_body(2000).build().unwrap();
    let n = counts(|| {
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
    });
    #[cfg(feature = "metrics")]
    assert_eq!(
        (
            n.bodies("unsupported-media-type"),
            n.bodies("too-large"),
            n.bodies("malformed"),
            n.reports("accepted"),
            n.reports("ignored"),
        ),
        (2, 1, 5, 0, 1)
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
    let c = c.rate_limit(2, Duration::from_secs(3600)).build().unwrap();
    let a: IpAddr = "192.0.2.1".parse().unwrap();
    let b: IpAddr = "192.0.2.2".parse().unwrap();
    let ct = Some("application/csp-report");
    let n = counts(|| {
        assert!(c.ingest(ct, Some(a), CSP2.as_bytes()).is_ok());
        assert!(c.ingest(ct, Some(a), CSP2.as_bytes()).is_ok());
        assert_eq!(
            c.ingest(ct, Some(a), CSP2.as_bytes()),
            Err(ReportError::RateLimited)
        );
        assert!(c.ingest(ct, Some(b), CSP2.as_bytes()).is_ok());
        assert!(c.ingest(ct, None, CSP2.as_bytes()).is_ok());
    });
    #[cfg(feature = "metrics")]
    assert_eq!(n.bodies("rate-limited"), 1);
    // A zero-length window resets every time.
    let (c, _) = collector();
    let c = c.rate_limit(1, Duration::ZERO).build().unwrap();
    assert!(c.ingest(ct, Some(a), CSP2.as_bytes()).is_ok());
    assert!(c.ingest(ct, Some(a), CSP2.as_bytes()).is_ok());
}

#[test]
fn memory_is_bounded() {
    let (c, _) = collector();
    let c = c.rate_limit(5, Duration::from_secs(3600)).build().unwrap();
    for i in 0..(MAX_TRACKED_CLIENTS as u32 + 5) {
        let ip = IpAddr::from(i.to_be_bytes());
        let _ = c.allow(Some(ip));
    }
    // The clients, plus the one bucket newcomers share while it is full.
    assert!(c.0.clients.lock().unwrap().len() <= MAX_TRACKED_CLIENTS + 1);
}

#[test]
fn identical_reports_collapse_and_their_count_comes_out_later() {
    let (c, seen) = collector();
    let c = c
        .collapse_window(Duration::from_millis(40))
        .build()
        .unwrap();
    let ct = Some("application/csp-report");
    let n = counts(|| {
        for _ in 0..3 {
            assert_eq!(c.ingest(ct, None, CSP2.as_bytes()), Ok(1));
        }
        assert_eq!(seen.lock().unwrap().len(), 1);
        std::thread::sleep(Duration::from_millis(60));
        let other = CSP2.replace("evil.example", "other.example");
        assert_eq!(c.ingest(ct, None, other.as_bytes()), Ok(1));
    });
    #[cfg(feature = "metrics")]
    assert_eq!((n.reports("collapsed"), n.reports("accepted")), (2, 4));
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
}

#[test]
fn one_body_gives_at_most_the_cap_and_collapses_within_itself() {
    let (c, seen) = collector();
    let c = c.max_reports_per_body(3).build().unwrap();
    let one = r#"{"type":"csp-violation","body":{"blockedURL":"inline","effectiveDirective":"script-src-elem"}}"#;
    let other = one.replace("inline", "eval");
    let body = format!("[{one},{one},{other},{other},{other}]");
    let n = counts(|| {
        assert_eq!(
            c.ingest(Some("application/reports+json"), None, body.as_bytes()),
            Ok(3)
        );
    });
    let got = seen.lock().unwrap().clone();
    assert_eq!(
        got.iter()
            .map(|r| (r.blocked_uri.as_str(), r.count))
            .collect::<Vec<_>>(),
        [("inline", 2), ("eval", 1)]
    );
    #[cfg(feature = "metrics")]
    assert_eq!(
        (
            n.reports("over-cap"),
            n.reports("collapsed"),
            n.reports("accepted")
        ),
        (2, 1, 3)
    );
    // Without collapsing, each report reaches the sink.
    let (c, seen) = collector();
    let c = c.collapse_window(Duration::ZERO).build().unwrap();
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
    let c = c.rate_limit(1, Duration::from_secs(3600)).build().unwrap();
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
