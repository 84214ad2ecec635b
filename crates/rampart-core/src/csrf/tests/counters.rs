//! What each decision adds to the `metrics` counters (see `telemetry`),
//! recorded by a thread-local debugging recorder.

use super::*;
use crate::telemetry::counted;

#[test]
fn a_token_pass_and_a_cross_site_refusal_are_counted_with_the_disagreement() {
    let c = csrf();
    let (cookie, token) = issue(&c, true, "");
    let got = counted(|| {
        let ok = parts(
            "POST",
            "/f",
            &[
                ("cookie", &cookie),
                ("sec-fetch-site", "same-origin"),
                ("x-csrftoken", &token),
            ],
        );
        assert!(reason(c.check(&ok, &facts(true), None)).is_none());
        let cross = parts(
            "POST",
            "/f",
            &[
                ("cookie", &cookie),
                ("sec-fetch-site", "cross-site"),
                ("x-csrftoken", &token),
            ],
        );
        assert_eq!(
            reason(c.check(&cross, &facts(true), None)),
            Some(RejectReason::CrossOrigin)
        );
    });
    assert_eq!(
        got,
        [
            "rampart_csrf_disagreements_total{kind=headers-refused-token-valid,reason=cross-origin} 1",
            "rampart_csrf_passed_total{by=token} 1",
            "rampart_csrf_refused_total{reason=cross-origin} 1",
        ]
    );
}

#[test]
fn a_body_token_refused_after_fetch_metadata_vouched_is_a_disagreement() {
    let c = csrf();
    let (cookie, _) = issue(&c, true, "");
    let got = counted(|| {
        let p = parts(
            "POST",
            "/f",
            &[
                ("cookie", &cookie),
                ("sec-fetch-site", "same-origin"),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
        );
        assert_eq!(
            with_body(&c, &p, &facts(true), b"_csrf_token=forged"),
            Err(RejectReason::BadToken)
        );
    });
    assert_eq!(
        got,
        [
            "rampart_csrf_disagreements_total{kind=headers-passed-token-refused,reason=bad-token} 1",
            "rampart_csrf_refused_total{reason=bad-token} 1",
        ]
    );
}

#[test]
fn report_only_counts_what_it_would_have_refused_and_token_less_mode_what_vouched() {
    let report_only = Csrf::builder().key(&KEY).report_only(true).build().unwrap();
    let token_less = Csrf::builder().key(&KEY).tokens(false).build().unwrap();
    let got = counted(|| {
        let cross = parts("POST", "/f", &[("sec-fetch-site", "cross-site")]);
        assert!(reason(report_only.check(&cross, &facts(true), None)).is_none());
        let same = parts("POST", "/f", &[("sec-fetch-site", "same-origin")]);
        assert!(reason(token_less.check(&same, &facts(true), None)).is_none());
        let by_origin = parts("POST", "/f", &[("origin", "https://www.example.com")]);
        assert!(reason(token_less.check(&by_origin, &facts(true), None)).is_none());
        // A GET is no decision: nothing counted.
        let get = parts("GET", "/f", &[]);
        assert!(reason(token_less.check(&get, &facts(true), None)).is_none());
    });
    assert_eq!(
        got,
        [
            "rampart_csrf_passed_total{by=fetch-metadata} 1",
            "rampart_csrf_passed_total{by=origin} 1",
            "rampart_csrf_would_refuse_total{reason=cross-origin} 1",
        ]
    );
}
