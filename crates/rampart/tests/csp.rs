//! CSP through the Tower layer: lazy nonces, separate style nonces, enforce and
//! report-only together, Reporting-Endpoints, and the report collector service.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use common::*;
use http::Request;
use rampart::core::csp::{
    hash_source, sri, Csp, CspBuilder, CspReport, HashAlgorithm, Policy, ReportCollector, Severity,
};
use rampart::core::headers::SecureHeaders;
use rampart::{CspNonce, CspReportService, CspStyleNonce, SecureHeadersLayer};

const C: &str = "203.0.113.7";

fn app(csp: CspBuilder) -> Router {
    Router::new()
        .route(
            "/script",
            get(|n: CspNonce| async move { Html(format!("<script nonce=\"{n}\"></script>")) }),
        )
        .route(
            "/both",
            get(|s: CspNonce, st: CspStyleNonce| async move { Html(format!("{s} {st}")) }),
        )
        .route("/json", get(|| async { "{}" }))
        .layer(SecureHeadersLayer::new(
            SecureHeaders::builder().csp(Some(csp)).build().unwrap(),
        ))
}

fn csp_of(res: &http::Response<Body>) -> String {
    header(res, "content-security-policy").unwrap().to_string()
}

#[tokio::test]
async fn separate_style_nonce() {
    let policy = Policy::parse("script-src 'self'; style-src 'self'").unwrap();
    let a = app(Csp::builder(policy)
        .nonce_in(["script-src"])
        .style_nonce_in(["style-src"]));
    let res = send(&a, get_req("/both", "localhost"), C, false).await;
    let csp = csp_of(&res);
    let body = body_string(res).await;
    let (s, st) = body.split_once(' ').unwrap();
    assert_ne!(s, st);
    assert_eq!(
        csp,
        format!("script-src 'self' 'nonce-{s}'; style-src 'self' 'nonce-{st}'")
    );
}

#[tokio::test]
async fn enforce_and_report_only_at_once_with_reporting_endpoints() {
    let enforce = Policy::parse("script-src 'self'; object-src 'none'").unwrap();
    let trial = Policy::strict();
    let a = app(Csp::builder(enforce)
        .nonce_in(["script-src"])
        .report_only(trial)
        .report_uri("/csp-report")
        .report_to("csp", "https://reports.example/csp"));
    let res = send(&a, get_req("/script", "localhost"), C, false).await;
    let enforce = csp_of(&res);
    let report_only = header(&res, "content-security-policy-report-only")
        .unwrap()
        .to_string();
    let endpoints = header(&res, "reporting-endpoints").unwrap().to_string();
    let body = body_string(res).await;
    let nonce = body.split('"').nth(1).unwrap();
    assert!(
        enforce.contains(&format!("script-src 'self' 'nonce-{nonce}'")),
        "{enforce}"
    );
    assert!(
        enforce.contains("report-uri /csp-report") && enforce.contains("report-to csp"),
        "{enforce}"
    );
    assert!(
        report_only.contains(&format!("'nonce-{nonce}'")),
        "{report_only}"
    );
    assert!(report_only.contains("'strict-dynamic'"), "{report_only}");
    assert_eq!(endpoints, r#"csp="https://reports.example/csp""#);
}

#[tokio::test]
async fn nonce_is_generated_only_when_rendered() {
    let a = app(Csp::builder(Policy::strict()).nonce_in(["script-src"]));
    let res = send(&a, get_req("/json", "localhost"), C, false).await;
    assert!(!csp_of(&res).contains("nonce-"));
    let res = send(&a, get_req("/script", "localhost"), C, false).await;
    assert!(csp_of(&res).contains("'nonce-"));
}

#[test]
fn strict_preset_lints_clean_and_seed_policy_does_not() {
    let strict = Policy::strict().lint(&["script-src"]);
    assert!(
        strict.iter().all(|f| f.severity > Severity::Medium),
        "{strict:?}"
    );
    // The seed app's own policy, so the test follows the policy the app serves.
    let seed = rampart_seed::shared::seed_policy().unwrap();
    let findings = seed.lint(&["script-src"]);
    let has = |dir: &str, needle: &str| {
        findings
            .iter()
            .any(|f| f.directive == dir && f.message.contains(needle))
    };
    assert!(has("script-src", "*.jsdelivr.net"));
    assert!(has("script-src", "*.herokuapp.com"));
    // *.jsdelivr.net covers cdn.jsdelivr.net, which serves any npm package.
    assert!(findings.iter().any(|f| f.check == "arbitrary-code-host"
        && f.severity == Severity::High
        && f.message.contains("cdn.jsdelivr.net")));
    // object-src falls back to a host list without plugin hosts: medium, as Evaluator rates it.
    assert!(findings
        .iter()
        .any(|f| f.directive == "object-src" && f.severity == Severity::Medium));
    assert!(findings.iter().any(|f| f.directive == "img-src"));
}

#[test]
fn hashes_and_sri() {
    assert_eq!(
        hash_source(HashAlgorithm::Sha256, b"alert('Hello, world.');").to_string(),
        "'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='"
    );
    assert_eq!(sri(HashAlgorithm::Sha384, b"").len(), "sha384-".len() + 64);
    let p = Policy::parse("script-src 'self'")
        .unwrap()
        .with_sources("script-src", hash_source(HashAlgorithm::Sha256, b"init()"))
        .unwrap();
    assert!(p.to_string().starts_with("script-src 'self' 'sha256-"));
}

fn collector_app(max_body: usize, per_minute: u32) -> (Router, Arc<Mutex<Vec<CspReport>>>) {
    let got = Arc::new(Mutex::new(Vec::new()));
    let sink = got.clone();
    let collector =
        ReportCollector::builder(move |r: &CspReport| sink.lock().unwrap().push(r.clone()))
            .max_body(max_body)
            .rate_limit(per_minute, Duration::from_secs(60))
            .build()
            .unwrap();
    (
        Router::new().route_service("/csp-report", CspReportService::new(collector)),
        got,
    )
}

fn report(ct: &str, body: &str) -> Request<Body> {
    Request::post("/csp-report")
        .header("content-type", ct)
        .body(Body::from(body.to_string()))
        .unwrap()
}

const CSP2: &str = r#"{"csp-report":{"document-uri":"http://localhost/","referrer":"","violated-directive":"script-src-elem","effective-directive":"script-src-elem","original-policy":"script-src 'self'","disposition":"enforce","blocked-uri":"inline","line-number":12,"source-file":"http://localhost/","status-code":200,"script-sample":""}}"#;

#[tokio::test]
async fn collector_accepts_both_formats() {
    let (a, got) = collector_app(64 * 1024, 100);
    let res = send(&a, report("application/csp-report", CSP2), C, false).await;
    assert_eq!(res.status(), 204);
    let batch = r#"[{"type":"csp-violation","age":1,"url":"http://localhost/","user_agent":"x","body":{"documentURL":"http://localhost/","blockedURL":"inline","effectiveDirective":"script-src-elem","disposition":"enforce","originalPolicy":"script-src 'self'","lineNumber":3,"sample":""}},{"type":"deprecation","body":{}}]"#;
    let res = send(&a, report("application/reports+json", batch), C, false).await;
    assert_eq!(res.status(), 204);
    let got = got.lock().unwrap();
    assert_eq!(got.len(), 2);
    assert!(got
        .iter()
        .all(|r| r.violated_directive == "script-src-elem" && r.blocked_uri == "inline"));
}

#[tokio::test]
async fn collector_refuses_bad_reports_with_4xx() {
    let (a, got) = collector_app(1024, 100);
    assert_eq!(
        send(&a, report("application/csp-report", "{not json"), C, false)
            .await
            .status(),
        400
    );
    assert_eq!(
        send(&a, report("text/plain", CSP2), C, false)
            .await
            .status(),
        415
    );
    let big = format!(
        "{{\"csp-report\":{{\"document-uri\":\"{}\"}}}}",
        "a".repeat(4096)
    );
    assert_eq!(
        send(&a, report("application/csp-report", &big), C, false)
            .await
            .status(),
        413
    );
    let get = Request::get("/csp-report").body(Body::empty()).unwrap();
    assert_eq!(send(&a, get, C, false).await.status(), 405);
    assert!(got.lock().unwrap().is_empty());
}

#[tokio::test]
async fn collector_rate_limits_per_client() {
    let (a, _) = collector_app(64 * 1024, 2);
    for _ in 0..2 {
        assert_eq!(
            send(&a, report("application/csp-report", CSP2), C, false)
                .await
                .status(),
            204
        );
    }
    assert_eq!(
        send(&a, report("application/csp-report", CSP2), C, false)
            .await
            .status(),
        429
    );
    // another client is not affected
    assert_eq!(
        send(
            &a,
            report("application/csp-report", CSP2),
            "198.51.100.1",
            false
        )
        .await
        .status(),
        204
    );
}
