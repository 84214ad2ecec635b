use super::*;
use crate::csp::policy::tests::seed_policy;

fn has(f: &[Finding], check: &str, dir: &str, sev: Severity) -> bool {
    f.iter()
        .any(|x| x.check == check && x.directive == dir && x.severity == sev)
}

#[test]
fn seed_policy_findings() {
    let f = seed_policy().lint(&["script-src", "script-src-elem"]);
    for dir in ["script-src", "script-src-elem"] {
        let bypass: Vec<_> = f
            .iter()
            .filter(|x| x.check == "allowlist-bypass" && x.directive == dir)
            .collect();
        assert!(
            bypass
                .iter()
                .any(|x| x.message.starts_with("*.jsdelivr.net") && x.severity == Severity::High),
            "{f:#?}"
        );
        assert!(
            bypass
                .iter()
                .any(|x| x.message.starts_with("*.herokuapp.com") && x.severity == Severity::High),
            "{f:#?}"
        );
        assert_eq!(bypass.len(), 2, "{bypass:#?}");
    }
    // The fallback is a host list without plugin hosts: advice-level, as CSP Evaluator rates it.
    assert!(has(
        &f,
        "missing-object-src",
        "object-src",
        Severity::Medium
    ));
    assert!(has(&f, "wildcard", "img-src", Severity::Possible));
    assert!(!f.iter().any(|x| x.check == "missing-base-uri"));
}

#[test]
fn strict_policy_is_clean_with_nonce() {
    let f = Policy::strict().lint(&["script-src"]);
    assert!(f.iter().all(|x| x.severity > Severity::Medium), "{f:#?}");
    // Without the nonce, strict-dynamic blocks every script.
    let f = Policy::strict().lint(&[]);
    assert!(f.iter().any(|x| x.check == "strict-dynamic-without-nonce"));
}

#[test]
fn table_of_checks() {
    let cases: &[(&str, &[&str], &str, &str, Severity)] = &[
        (
            "script-src 'unsafe-inline'; object-src 'none'; base-uri 'none'",
            &[],
            "unsafe-inline",
            "script-src",
            Severity::High,
        ),
        (
            "script-src 'unsafe-eval'",
            &[],
            "unsafe-eval",
            "script-src",
            Severity::Possible,
        ),
        (
            "script-src 'unsafe-hashes'",
            &[],
            "unsafe-hashes",
            "script-src",
            Severity::Possible,
        ),
        (
            "script-src *",
            &[],
            "wildcard",
            "script-src",
            Severity::High,
        ),
        (
            "script-src https:",
            &[],
            "plain-scheme",
            "script-src",
            Severity::High,
        ),
        (
            "script-src http:",
            &[],
            "plain-scheme",
            "script-src",
            Severity::High,
        ),
        (
            "default-src data:",
            &[],
            "plain-scheme",
            "default-src",
            Severity::High,
        ),
        (
            "script-src 'self'; script-src-elem data:",
            &[],
            "plain-scheme",
            "script-src-elem",
            Severity::High,
        ),
        (
            "script-src 'self'; script-src-attr *",
            &[],
            "wildcard",
            "script-src-attr",
            Severity::High,
        ),
        (
            "script-src 'self'; object-src *",
            &[],
            "wildcard",
            "object-src",
            Severity::High,
        ),
        (
            "script-src 'self'; base-uri https:",
            &[],
            "plain-scheme",
            "base-uri",
            Severity::High,
        ),
        (
            "script-src 'self'",
            &[],
            "missing-object-src",
            "object-src",
            Severity::High,
        ),
        (
            "default-src 'self'",
            &[],
            "missing-object-src",
            "object-src",
            Severity::Medium,
        ),
        (
            "default-src https:",
            &[],
            "missing-object-src",
            "object-src",
            Severity::High,
        ),
        (
            "default-src https://*",
            &[],
            "missing-object-src",
            "object-src",
            Severity::High,
        ),
        (
            "script-src 'self' cdn.jsdelivr.net; object-src 'none'",
            &[],
            "arbitrary-code-host",
            "script-src",
            Severity::High,
        ),
        (
            "script-src *.polyfill.io; object-src 'none'",
            &[],
            "arbitrary-code-host",
            "script-src",
            Severity::High,
        ),
        (
            "script-src 'self'; object-src 'none'",
            &[],
            "no-reporting",
            "report-uri",
            Severity::Info,
        ),
        (
            "script-src 'strict-dynamic'; object-src 'none'",
            &["script-src"],
            "strict-dynamic-fallback",
            "script-src",
            Severity::StrictCsp,
        ),
        (
            "img-src 'self'",
            &[],
            "missing-script-src",
            "script-src",
            Severity::High,
        ),
        (
            "script-src 'self'",
            &[],
            "missing-base-uri",
            "base-uri",
            Severity::Info,
        ),
        (
            "script-src 'self'",
            &["script-src"],
            "missing-base-uri",
            "base-uri",
            Severity::High,
        ),
        // A hash alone gates scripts by content, not URL: <base> cannot
        // redirect them (advice). With 'strict-dynamic' a hashed loader's
        // relative URLs follow <base>: high.
        (
            "script-src 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
            &[],
            "missing-base-uri",
            "base-uri",
            Severity::Info,
        ),
        (
            "script-src 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=' 'strict-dynamic'",
            &[],
            "missing-base-uri",
            "base-uri",
            Severity::High,
        ),
        (
            "script-src 'self'; style-src 'self'",
            &["style-src"],
            "missing-base-uri",
            "base-uri",
            Severity::Info,
        ),
        (
            "script-src cdn.example",
            &[],
            "host-allowlist",
            "script-src",
            Severity::Possible,
        ),
        (
            "script-src 'strict-dynamic'",
            &[],
            "strict-dynamic-without-nonce",
            "script-src",
            Severity::Info,
        ),
        (
            "script-src 'self'; referrer no-referrer",
            &[],
            "deprecated",
            "referrer",
            Severity::Info,
        ),
        (
            "script-src 'self'; prefetch-src 'self'",
            &[],
            "deprecated",
            "prefetch-src",
            Severity::Info,
        ),
        (
            "script-src 'self'; img-src http://x.example",
            &[],
            "insecure-source",
            "img-src",
            Severity::Medium,
        ),
        (
            "script-src 'self'; img-src http:",
            &[],
            "insecure-source",
            "img-src",
            Severity::Medium,
        ),
        (
            "script-src http://cdn.example",
            &[],
            "insecure-source",
            "script-src",
            Severity::Medium,
        ),
        (
            "script-src 'self'; report-uri http://r.example/x",
            &[],
            "insecure-report-uri",
            "report-uri",
            Severity::Medium,
        ),
        (
            "script-src 'self'; report-to g",
            &[],
            "report-to-only",
            "report-to",
            Severity::Info,
        ),
        (
            "script-src 'self'; connect-src 10.0.0.1",
            &[],
            "ip-source",
            "connect-src",
            Severity::Info,
        ),
        (
            "script-src 'self'; img-src *",
            &[],
            "wildcard",
            "img-src",
            Severity::Possible,
        ),
        (
            "script-src 'self'",
            &[],
            "self",
            "script-src",
            Severity::Possible,
        ),
        (
            "script-src 'self'",
            &["script-src"],
            "csp1-fallback",
            "script-src",
            Severity::StrictCsp,
        ),
        (
            "script-src 'self'",
            &[],
            "trusted-types",
            "require-trusted-types-for",
            Severity::Info,
        ),
        (
            "script-src ajax.googleapis.com",
            &[],
            "allowlist-bypass",
            "script-src",
            Severity::High,
        ),
        (
            "script-src 'self'; object-src ajax.googleapis.com",
            &[],
            "allowlist-bypass",
            "object-src",
            Severity::High,
        ),
        (
            "script-src www.googletagmanager.com 'unsafe-eval'",
            &[],
            "allowlist-bypass",
            "script-src",
            Severity::High,
        ),
    ];
    for (policy, nonce, check, dir, sev) in cases {
        let f = Policy::parse(policy).unwrap().lint(nonce);
        assert!(
            has(&f, check, dir, *sev),
            "{policy:?} nonce={nonce:?}: expected {check} on {dir} ({sev}); got {f:#?}"
        );
    }
}

#[test]
fn negative_cases() {
    let none = |policy: &str, nonce: &[&str], check: &str| {
        let f = Policy::parse(policy).unwrap().lint(nonce);
        assert!(
            !f.iter().any(|x| x.check == check),
            "{policy:?}: unexpected {check}: {f:#?}"
        );
    };
    none(
        "script-src 'unsafe-inline' 'self'",
        &["script-src"],
        "unsafe-inline",
    );
    none(
        "script-src 'unsafe-inline' 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
        &[],
        "unsafe-inline",
    );
    // Needs 'unsafe-eval' to count.
    none(
        "script-src www.googletagmanager.com",
        &[],
        "allowlist-bypass",
    );
    none("script-src cdn.example", &[], "allowlist-bypass");
    none(
        "script-src 'strict-dynamic' https: *.herokuapp.com",
        &["script-src"],
        "allowlist-bypass",
    );
    none(
        "script-src 'strict-dynamic' https:",
        &["script-src"],
        "plain-scheme",
    );
    none("default-src 'none'", &[], "missing-object-src");
    none(
        "script-src 'self'; object-src 'none'",
        &[],
        "missing-object-src",
    );
    // A nonce on default-src also covers script-src.
    none(
        "default-src 'self'",
        &["default-src"],
        "csp1-fallback-missing",
    );
    none("img-src data:", &[], "plain-scheme");
}

#[test]
fn display_is_readable() {
    let f = Policy::parse("script-src *").unwrap().lint(&[]);
    let text = f
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(text.contains("[high] script-src:"), "{text}");
}
