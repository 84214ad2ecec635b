//! The Observatory's rules on made-up responses: the scores of a fully
//! hardened page and a bare one, and the result each rule picks.

use super::*;

fn fetched(url: &str, headers: &[(&str, &str)], body: &str) -> Fetched {
    let mut h = reqwest::header::HeaderMap::new();
    for (k, v) in headers {
        h.append(
            reqwest::header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            v.parse().unwrap(),
        );
    }
    Fetched {
        url: url::Url::parse(url).unwrap(),
        status: 200,
        headers: h,
        body: body.to_owned(),
    }
}

fn redirect(from: &str) -> Fetched {
    Fetched {
        status: 301,
        ..fetched(from, &[], "")
    }
}

const HARDENED: &[(&str, &str)] = &[
    ("content-type", "text/html; charset=utf-8"),
    ("content-security-policy", "default-src 'none'; script-src 'nonce-abcdefabcdef' 'strict-dynamic'; frame-ancestors 'self'; base-uri 'none'"),
    ("strict-transport-security", "max-age=31536000; includeSubDomains"),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "SAMEORIGIN"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    ("cross-origin-resource-policy", "same-origin"),
    ("set-cookie", "__Host-csrf=abc; Path=/; Secure; HttpOnly; SameSite=Lax"),
];

fn report(http: Option<Vec<Fetched>>, page: Vec<Fetched>) -> Report {
    let last = page
        .last()
        .or_else(|| http.as_ref().and_then(|h| h.last()))
        .unwrap();
    grade(&Page {
        http_chain: http.as_deref(),
        page_chain: &page,
        page: last,
        cors: None,
    })
}

fn results(r: &Report) -> Vec<(&'static str, i32)> {
    r.results.iter().map(|t| (t.result, t.modifier)).collect()
}

#[test]
fn a_hardened_https_page_scores_145_less_what_it_cannot_have() {
    let body = r#"<html><head><script nonce="abcdefabcdef" src="/app.js"></script>
        <script src="https://cdn.other.example/x.js" integrity="sha384-xyz" crossorigin></script></head></html>"#;
    let http = vec![
        redirect("http://shop.example/"),
        fetched("https://shop.example/", HARDENED, body),
    ];
    let r = report(
        Some(http),
        vec![fetched("https://shop.example/", HARDENED, body)],
    );
    assert_eq!(
        results(&r),
        [
            ("csp-implemented-with-no-unsafe-default-src-none", 10),
            ("cookies-secure-with-httponly-sessions-and-samesite", 5),
            ("cross-origin-resource-sharing-not-implemented", 0),
            ("redirection-to-https", 0),
            ("referrer-policy-private", 5),
            ("hsts-implemented-max-age-at-least-six-months", 0),
            ("sri-implemented-and-external-scripts-loaded-securely", 5),
            ("x-content-type-options-nosniff", 0),
            ("x-frame-options-implemented-via-csp", 5),
            ("corp-implemented-with-same-origin", 10),
        ]
    );
    // Everything but the HSTS preload list's +5.
    assert_eq!(r.score, 140);
    assert_eq!(r.grade, Grade::APlus);
}

#[test]
fn a_bare_http_page_grades_f() {
    let bare = fetched(
        "http://bare.example/",
        &[("content-type", "text/html")],
        "<p>hi</p>",
    );
    let r = report(Some(vec![bare]), Vec::new());
    assert_eq!(r.score, 10);
    assert_eq!(r.grade, Grade::F);
    let costs: Vec<_> = r
        .results
        .iter()
        .filter(|t| t.modifier < 0)
        .map(|t| (t.result, t.fix.is_some()))
        .collect();
    assert_eq!(
        costs,
        [
            ("csp-not-implemented", true),
            ("redirection-missing", true),
            ("hsts-not-implemented-no-https", true),
            ("x-content-type-options-not-implemented", true),
            ("x-frame-options-not-implemented", true),
        ]
    );
}

#[test]
fn bonuses_count_only_from_ninety_up() {
    // -20 (no XFO) -5 (no nosniff) = 75 before bonuses: the CSP's +5 and CORP's +10 are dropped.
    let h = [
        ("content-type", "text/html"),
        ("content-security-policy", "default-src 'self'"),
        ("strict-transport-security", "max-age=31536000"),
        ("cross-origin-resource-policy", "same-origin"),
    ];
    let r = report(None, vec![fetched("https://a.example/", &h, "")]);
    assert_eq!(r.score, 75);
    assert_eq!(r.grade, Grade::B);
}

fn csp_result(policy: &str) -> &'static str {
    let h = [
        ("content-type", "text/html"),
        ("content-security-policy", policy),
    ];
    report(None, vec![fetched("https://a.example/", &h, "")]).results[0].result
}

#[test]
fn the_csp_rules_in_the_observatorys_order() {
    assert_eq!(
        csp_result("default-src 'self'"),
        "csp-implemented-with-no-unsafe"
    );
    assert_eq!(
        csp_result("default-src 'none'; script-src 'self'"),
        "csp-implemented-with-no-unsafe-default-src-none"
    );
    assert_eq!(
        csp_result("script-src 'self'"),
        "csp-implemented-with-unsafe-inline"
    ); // object-src falls back to *
    assert_eq!(
        csp_result("default-src 'self'; script-src 'self' 'unsafe-inline'"),
        "csp-implemented-with-unsafe-inline"
    );
    assert_eq!(
        csp_result("default-src 'self'; script-src 'self' 'unsafe-inline' 'nonce-abcdefgh'"),
        "csp-implemented-with-no-unsafe"
    );
    assert_eq!(
        csp_result("default-src 'self'; script-src 'strict-dynamic'"),
        "csp-header-invalid"
    );
    assert_eq!(
        csp_result("default-src 'self'; script-src 'self' 'unsafe-eval'"),
        "csp-implemented-with-unsafe-eval"
    );
    assert_eq!(
        csp_result("default-src 'self'; style-src 'unsafe-inline'"),
        "csp-implemented-with-unsafe-inline-in-style-src-only"
    );
    assert_eq!(
        csp_result("default-src 'self'; img-src http://img.example"),
        "csp-implemented-with-insecure-scheme-in-passive-content-only"
    );
    assert_eq!(
        csp_result("default-src 'self'; connect-src http://api.example"),
        "csp-implemented-with-insecure-scheme"
    );
    assert_eq!(
        csp_result("default-src 'self'; default-src 'none'"),
        "csp-header-invalid"
    );
    assert_eq!(
        csp_result("default-src 'self'; report-uri /a; report-uri /b"),
        "csp-implemented-but-duplicate-directives"
    );
    assert_eq!(csp_result("a"), "csp-header-invalid");
}

#[test]
fn hsts_referrer_cookies_and_sri_rules() {
    let page =
        |h: &[(&str, &str)], body: &str| report(None, vec![fetched("https://a.example/", h, body)]);
    let find = |r: &Report, test: &str| r.results.iter().find(|t| t.test == test).unwrap().result;
    assert_eq!(
        find(
            &page(&[("strict-transport-security", "max-age=15551999")], ""),
            "strict-transport-security"
        ),
        "hsts-implemented-max-age-less-than-six-months"
    );
    assert_eq!(
        find(
            &page(&[("strict-transport-security", "max-age=1, max-age=2")], ""),
            "strict-transport-security"
        ),
        "hsts-header-invalid"
    );
    assert_eq!(
        find(
            &page(&[("referrer-policy", "unsafe-url")], ""),
            "referrer-policy"
        ),
        "referrer-policy-unsafe"
    );
    assert_eq!(
        find(
            &page(&[("referrer-policy", "nonsense")], ""),
            "referrer-policy"
        ),
        "referrer-policy-header-invalid"
    );
    // A session cookie without HttpOnly is the worst found, over a cookie without Secure.
    let r = page(
        &[
            ("set-cookie", "sessionid=1; Secure"),
            ("set-cookie", "theme=dark"),
        ],
        "",
    );
    assert_eq!(find(&r, "cookies"), "cookies-session-without-httponly-flag");
    // An external script without integrity.
    let r = page(
        &[("content-type", "text/html")],
        r#"<script src="https://cdn.other.example/a.js"></script>"#,
    );
    assert_eq!(
        find(&r, "subresource-integrity"),
        "sri-not-implemented-but-external-scripts-loaded-securely"
    );
    let r = page(
        &[("content-type", "text/html")],
        r#"<script src="/a.js"></script><!-- <script src="//x.example/b.js"> -->"#,
    );
    assert_eq!(
        find(&r, "subresource-integrity"),
        "sri-not-implemented-but-all-scripts-loaded-from-secure-origin"
    );
    // A CSP in a meta tag counts.
    let r = page(
        &[("content-type", "text/html")],
        r#"<meta http-equiv="Content-Security-Policy" content="default-src 'none'">"#,
    );
    assert_eq!(
        find(&r, "content-security-policy"),
        "csp-implemented-with-no-unsafe-default-src-none"
    );
}

#[test]
fn grades_compare_and_parse() {
    assert!(Grade::APlus > Grade::A && Grade::DMinus > Grade::F);
    assert_eq!(Grade::parse("a+"), Some(Grade::APlus));
    assert_eq!(Grade::parse("E"), None);
    assert_eq!(Grade::of(130).to_string(), "A+");
    assert_eq!(Grade::of(24).to_string(), "F");
    assert_eq!(Grade::of(87).to_string(), "A-");
}

#[test]
fn any_markup_is_read_without_panicking() {
    // Attribute edges next to multi-byte characters, unterminated quotes and tags.
    for body in [
        "<meta =\"x\"é>",
        "<script src=é\u{1F600}>",
        "<meta é=é http-equiv='Content-Security-Policy' content=\"default-src 'none'",
        "<script =é=é =>",
        "<scr<script",
        "<meta",
        "<!-- <script src=//x.example/a.js>",
    ] {
        let _ = tags(body);
        let h = [("content-type", "text/html")];
        let _ = report(None, vec![fetched("https://a.example/", &h, body)]);
    }
}

#[test]
fn meta_policies_are_read_in_order_and_other_metas_ignored() {
    let html = r#"<html><head><meta name="referrer" content="no-referrer">
<META HTTP-EQUIV="content-security-policy" CONTENT="script-src 'self'">
<meta http-equiv="Content-Security-Policy" content="  ">
<meta http-equiv='Content-Security-Policy' content="object-src 'none'">
<meta http-equiv="Content-Security-Policy" content="base-uri &#039;none&#039; &apos;self&apos;"></head></html>"#;
    assert_eq!(
        super::meta_csp(html),
        [
            "script-src 'self'",
            "object-src 'none'",
            "base-uri 'none' 'self'"
        ]
    );
}
