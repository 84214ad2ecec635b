use super::*;
use crate::csp::policy::tests::seed_policy;

const SEED_HEADER: &str = "base-uri 'self'; default-src 'self' *.fontawesome.com *.herokuapp.com *.jsdelivr.net; img-src *; \
    script-src 'self' *.fontawesome.com *.herokuapp.com *.jquery.com *.jsdelivr.net 'nonce-N'; \
    script-src-elem 'self' *.fontawesome.com *.herokuapp.com *.jquery.com *.jsdelivr.net 'nonce-N'";

fn written(csp: &Csp, nonces: Option<&RequestNonces>) -> HeaderMap {
    let mut h = HeaderMap::new();
    csp.write_headers(&mut h, nonces, true);
    h
}

#[test]
fn seed_header_with_and_without_nonce() {
    let csp = Csp::builder(seed_policy())
        .nonce_in(["script-src", "script-src-elem"])
        .build()
        .unwrap();
    let nonces = csp.new_request_nonces().unwrap();
    let h = written(&csp, Some(&nonces));
    assert_eq!(
        h["content-security-policy"],
        SEED_HEADER.replace(" 'nonce-N'", "")
    );
    let n = nonces.script().value().to_string();
    let h = written(&csp, Some(&nonces));
    assert_eq!(
        h["content-security-policy"],
        SEED_HEADER.replace("'nonce-N'", &format!("'nonce-{n}'"))
    );
    assert_eq!(h.len(), 1);
}

#[test]
fn talisman_t12_and_x11() {
    // only the listed directive gets the nonce.
    let p = Policy::from_pairs([("script-src", "'self'"), ("style-src", "example.com")]).unwrap();
    let csp = Csp::builder(p).nonce_in(["script-src"]).build().unwrap();
    let nonces = csp.new_request_nonces().unwrap();
    let n = nonces.script().value().to_string();
    let v = written(&csp, Some(&nonces))["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(v.contains(&format!("script-src 'self' 'nonce-{n}'")), "{v}");
    assert!(
        v.contains("style-src example.com") && !v.contains("style-src example.com '"),
        "{v}"
    );
    // a listed directive the policy lacks is created.
    let csp = Csp::builder(Policy::default())
        .nonce_in(["script-src"])
        .build()
        .unwrap();
    let nonces = csp.new_request_nonces().unwrap();
    let n = nonces.script().value().to_string();
    let v = written(&csp, Some(&nonces))["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        v.ends_with(&format!("; script-src 'self' 'nonce-{n}'")),
        "{v}"
    );
    // No fallback at all: just the nonce, and 'none' when none was generated.
    let csp = Csp::builder(Policy::parse("img-src 'self'").unwrap())
        .nonce_in(["script-src"])
        .build()
        .unwrap();
    assert_eq!(
        csp.header_values()[0].1,
        "img-src 'self'; script-src 'none'"
    );
    let nonces = csp.new_request_nonces().unwrap();
    let n = nonces.script().value().to_string();
    assert_eq!(
        written(&csp, Some(&nonces))["content-security-policy"],
        format!("img-src 'self'; script-src 'nonce-{n}'")
    );
}

#[test]
fn separate_style_nonce() {
    let csp = Csp::builder(Policy::default())
        .nonce_in(["script-src"])
        .style_nonce_in(["style-src"])
        .build()
        .unwrap();
    let nonces = csp.new_request_nonces().unwrap();
    let st = nonces.style().value().to_string();
    let v = written(&csp, Some(&nonces))["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(v.contains(&format!("style-src 'self' 'nonce-{st}'")), "{v}");
    assert!(
        v.contains("script-src 'self';") || v.contains("script-src 'self'"),
        "{v}"
    );
    assert!(!v.contains("script-src 'self' 'nonce"), "{v}");
    let sc = nonces.script().value().to_string();
    let v = written(&csp, Some(&nonces))["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        v.contains(&format!("script-src 'self' 'nonce-{sc}'")),
        "{v}"
    );
    // Shared nonce in both script and style directives.
    let csp = Csp::builder(Policy::default())
        .nonce_in(["script-src", "style-src"])
        .build()
        .unwrap();
    let nonces = csp.new_request_nonces().unwrap();
    let n = nonces.style().value().to_string();
    let v = written(&csp, Some(&nonces))["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(v.matches(&n).count(), 2, "{v}");
}

#[test]
fn report_only_and_reporting() {
    let e = Csp::builder(Policy::default())
        .report_only_mode()
        .build()
        .unwrap_err();
    assert_eq!(
        e.message(),
        "report-only needs a report URI: call .report_uri(..) or .report_to(..)"
    );
    let csp = Csp::builder(Policy::default())
        .report_only_mode()
        .report_uri("https://example.com")
        .build()
        .unwrap();
    let h = written(&csp, None);
    assert!(h.get("content-security-policy").is_none());
    assert!(h["content-security-policy-report-only"]
        .to_str()
        .unwrap()
        .contains("report-uri https://example.com"));
    // an existing report-uri is kept and not duplicated.
    let p = Policy::from_pairs([
        ("default-src", "'self'"),
        ("report-uri", "https://report-uri.io/"),
    ])
    .unwrap();
    let csp = Csp::builder(p)
        .report_only_mode()
        .report_uri("/other")
        .build()
        .unwrap();
    let v = csp.header_values()[0].1.clone();
    assert!(
        v.contains("report-uri https://report-uri.io/") && !v.contains("/other"),
        "{v}"
    );
    // Extra report-only policy with nonces in the same directives.
    let csp = Csp::builder(Policy::default())
        .nonce_in(["script-src"])
        .report_only(Policy::strict())
        .report_to("csp", "https://r.example/csp")
        .build()
        .unwrap();
    let nonces = csp.new_request_nonces().unwrap();
    let n = nonces.script().value().to_string();
    let h = written(&csp, Some(&nonces));
    assert!(h["content-security-policy"].to_str().unwrap().contains(&n));
    let ro = h["content-security-policy-report-only"].to_str().unwrap();
    assert!(
        ro.starts_with(&format!(
            "script-src 'strict-dynamic' 'unsafe-inline' https: http: 'nonce-{n}'"
        )),
        "{ro}"
    );
    assert!(ro.ends_with("; report-to csp"), "{ro}");
    assert_eq!(h["reporting-endpoints"], "csp=\"https://r.example/csp\"");
    // Errors.
    let bad = [
        Csp::builder(Policy::default()).report_only(Policy::strict()),
        Csp::builder(Policy::default())
            .report_only_mode()
            .report_only(Policy::strict())
            .report_uri("/x"),
        Csp::builder(Policy::default()).report_uri("javascript:alert(1)"),
        Csp::builder(Policy::default()).report_to("bad group", "https://r.example"),
        Csp::builder(Policy::default()).report_to("g", "/relative"),
        Csp::builder(Policy::default()).report_to("g", "https://r.example/\"x"),
        Csp::builder(Policy::default()).nonce_in(["scirpt-src"]),
        Csp::builder(Policy::default())
            .nonce_in(["script-src"])
            .style_nonce_in(["script-src"]),
    ];
    for b in bad {
        assert!(b.clone().build().is_err(), "{b:?}");
    }
    let e = Csp::builder(Policy::default())
        .nonce_in(["scirpt-src"])
        .build()
        .unwrap_err();
    assert!(e.message().contains("did you mean script-src?"), "{e}");
}

#[test]
fn overwrite_and_no_nonce_paths() {
    let csp = Csp::builder(Policy::default())
        .nonce_in(["script-src"])
        .build()
        .unwrap();
    let mut h = HeaderMap::new();
    h.insert(
        "content-security-policy",
        HeaderValue::from_static("default-src 'none'"),
    );
    csp.write_headers(&mut h, None, false);
    assert_eq!(h["content-security-policy"], "default-src 'none'");
    csp.write_headers(&mut h, None, true);
    assert_eq!(
        h["content-security-policy"],
        csp.header_values()[0].1.as_str()
    );
    assert!(!csp.header_values()[0].1.contains("nonce"));
}

#[test]
fn per_route_override_keeps_config() {
    let csp = Csp::builder(Policy::default())
        .nonce_in(["script-src"])
        .report_uri("/r")
        .build()
        .unwrap();
    let o = csp.with_sources("img-src", "img.example").unwrap();
    let v = o.header_values()[0].1.clone();
    assert!(
        v.contains("img-src 'self' img.example") && v.contains("report-uri /r"),
        "{v}"
    );
    assert!(o.new_request_nonces().is_some());
    assert!(csp.with_sources("script-src", "'nonce-x'").is_err());
}

#[test]
fn findings_cover_created_directives() {
    let csp = Csp::builder(seed_policy())
        .nonce_in(["script-src", "script-src-elem"])
        .build()
        .unwrap();
    assert!(csp.findings().iter().any(|f| f.check == "allowlist-bypass"));
    let csp = Csp::builder(Policy::strict())
        .nonce_in(["script-src"])
        .build()
        .unwrap();
    assert!(
        csp.findings().iter().all(|f| f.severity > Severity::Medium),
        "{:#?}",
        csp.findings()
    );
}
