//! Origin checks, exemptions, report-only and token-less modes, refusals.

use super::*;

#[test]
fn referer_on_https() {
    let c = csrf();
    let (cookie, token) = issue(&c, true, "");
    let f = facts(true);
    let base = [("cookie", cookie.as_str()), ("x-csrftoken", token.as_str())];
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut h: Vec<(&str, &str)> = base.to_vec();
        h.extend_from_slice(extra);
        parts("POST", "/bar", &h)
    };
    assert_eq!(
        reason(c.check(&with(&[]), &f, None)),
        Some(RejectReason::RefererMissing)
    );
    let evil = with(&[("referer", "https://www.evil.com/foobar")]);
    assert_eq!(
        reason(c.check(&evil, &f, None)),
        Some(RejectReason::RefererMismatch)
    );
    let good = with(&[("referer", "https://www.example.com/foobar")]);
    assert_eq!(reason(c.check(&good, &f, None)), None);
    let upper = with(&[("referer", "https://WWW.EXAMPLE.com:443/")]);
    assert_eq!(reason(c.check(&upper, &f, None)), None);
    let port = with(&[("referer", "https://www.example.com:8443/")]);
    assert_eq!(
        reason(c.check(&port, &f, None)),
        Some(RejectReason::RefererMismatch)
    );
    let malformed = with(&[("referer", "https://foobar:abc")]);
    assert_eq!(
        reason(c.check(&malformed, &f, None)),
        Some(RejectReason::RefererMismatch)
    );
    // Same-origin Referer but foreign Origin: Origin decides.
    let foreign = with(&[
        ("referer", "https://www.example.com/"),
        ("origin", "https://other.com"),
    ]);
    assert_eq!(
        reason(c.check(&foreign, &f, None)),
        Some(RejectReason::OriginMismatch)
    );
    let off = Csrf::builder()
        .key(&KEY)
        .check_referer(false)
        .build()
        .unwrap();
    assert_eq!(reason(off.check(&evil, &f, None)), None);
}

#[test]
fn exemptions_and_include_mode() {
    let c = Csrf::builder()
        .key(&KEY)
        .exempt(
            crate::Exemptions::new()
                .path_prefix("/foo")
                .route("/hooks/{id}")
                .when(|p| p.headers.contains_key("x-internal")),
        )
        .build()
        .unwrap();
    let f = facts(false);
    let pass = |p: &Parts, route: Option<&str>| reason(c.check(p, &f, route)).is_none();
    assert!(pass(&parts("POST", "/foo", &[]), None));
    assert!(pass(&parts("POST", "/foo/baz", &[]), None));
    assert!(pass(&parts("POST", "/foo/%C3%B8", &[]), None));
    assert!(!pass(&parts("POST", "/foobar", &[]), None));
    assert!(!pass(&parts("POST", "/foo/../admin", &[]), None));
    assert!(!pass(&parts("POST", "/foo/%2e%2e/admin", &[]), None));
    assert!(pass(&parts("POST", "/hooks/7", &[]), Some("/hooks/{id}")));
    assert!(!pass(
        &parts("POST", "/hooks/7", &[]),
        Some("/hooks/{id}/x")
    ));
    assert!(pass(&parts("POST", "/bar", &[("x-internal", "1")]), None));
    assert!(!pass(&parts("POST", "/bar", &[]), None));
    // Exempt requests still get a token handle, but no cookie unless asked.
    let Decision::Pass(req) = c.check(&parts("POST", "/foo/quz", &[]), &f, None) else {
        panic!()
    };
    let mut h = HeaderMap::new();
    c.finish(&req, &mut h);
    assert!(!h.contains_key("set-cookie"));

    let inc = Csrf::builder()
        .key(&KEY)
        .include_only()
        .include_path_prefix("/foo")
        .include_route("/r")
        .build()
        .unwrap();
    assert_eq!(
        reason(inc.check(&parts("POST", "/foo", &[]), &f, None)),
        Some(RejectReason::MissingCookie)
    );
    assert_eq!(
        reason(inc.check(&parts("POST", "/bar", &[]), &f, None)),
        None
    );
    assert_eq!(
        reason(inc.check(&parts("POST", "/x", &[]), &f, Some("/r"))),
        Some(RejectReason::MissingCookie)
    );
    // Ambiguous paths fail closed in include mode.
    assert_eq!(
        reason(inc.check(&parts("POST", "/bar/../foo", &[]), &f, None)),
        Some(RejectReason::MissingCookie)
    );
}

#[test]
fn report_only_lets_everything_through() {
    let c = Csrf::builder().key(&KEY).report_only(true).build().unwrap();
    let p = parts("POST", "/bar", &[("sec-fetch-site", "cross-site")]);
    let Decision::Pass(req) = c.check(&p, &facts(true), None) else {
        panic!()
    };
    // The request still has a working token handle.
    assert_eq!(req.token().masked().len(), 86);
    let p = parts("POST", "/bar", &[]);
    assert!(matches!(
        c.check(&p, &facts(false), None),
        Decision::Pass(_)
    ));
    let (cookie, _) = issue(&c, false, "");
    let p = parts(
        "POST",
        "/bar",
        &[("cookie", &cookie), ("content-type", "application/json")],
    );
    assert_eq!(with_body(&c, &p, &facts(false), b"{]]{"), Ok(()));
}

#[test]
fn token_less_mode() {
    let c = Csrf::builder().key(&KEY).tokens(false).build().unwrap();
    let f = facts(true);
    let cross = parts("POST", "/bar", &[("sec-fetch-site", "cross-site")]);
    assert_eq!(
        reason(c.check(&cross, &f, None)),
        Some(RejectReason::CrossOrigin)
    );
    let same = parts("POST", "/bar", &[("sec-fetch-site", "same-origin")]);
    assert_eq!(reason(c.check(&same, &f, None)), None);
    let origin = parts("POST", "/bar", &[("origin", "https://www.example.com")]);
    assert_eq!(reason(c.check(&origin, &f, None)), None);
    let trusted = Csrf::builder()
        .key(&KEY)
        .tokens(false)
        .trusted_origin("https://partner.example")
        .build()
        .unwrap();
    let p = parts(
        "POST",
        "/bar",
        &[
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://partner.example"),
        ],
    );
    assert_eq!(reason(trusted.check(&p, &f, None)), None);
    let p = parts("POST", "/bar", &[("sec-fetch-site", "same-site")]);
    assert_eq!(
        reason(trusted.check(&p, &f, None)),
        Some(RejectReason::CrossOrigin)
    );
    let lax = Csrf::builder()
        .key(&KEY)
        .tokens(false)
        .allow_same_site(true)
        .build()
        .unwrap();
    assert_eq!(reason(lax.check(&p, &f, None)), None);
}

#[test]
fn cross_origin_checked_before_tokens() {
    let c = csrf();
    let (cookie, token) = issue(&c, true, "");
    let p = parts(
        "POST",
        "/bar",
        &[
            ("cookie", &cookie),
            ("x-csrftoken", &token),
            ("sec-fetch-site", "cross-site"),
        ],
    );
    assert_eq!(
        reason(c.check(&p, &facts(true), None)),
        Some(RejectReason::CrossOrigin)
    );
}

#[test]
fn rejection_rendering_and_hook() {
    let c = csrf();
    let Decision::Reject(r) = c.check(
        &parts("POST", "/bar", &[("origin", "null")]),
        &facts(false),
        None,
    ) else {
        panic!()
    };
    assert_eq!(r.reason, RejectReason::OriginMismatch);
    let accept = HeaderValue::from_static("application/json");
    let resp = c.render_rejection(&r, Some(&accept));
    let v: serde_json::Value = serde_json::from_slice(resp.body()).unwrap();
    assert_eq!(v["reason"], "origin-mismatch");
    assert_eq!(resp.headers()["cache-control"], "no-store");

    let hooked = Csrf::builder()
        .key(&KEY)
        .on_reject(|r| {
            http::Response::builder()
                .status(418)
                .body(Bytes::from(r.reason.code()))
                .unwrap()
        })
        .build()
        .unwrap();
    let Decision::Reject(r) = hooked.check(&parts("POST", "/bar", &[]), &facts(false), None) else {
        panic!()
    };
    let resp = hooked.render_rejection(&r, None);
    assert_eq!(resp.status(), 418);
    assert_eq!(resp.body(), "missing-cookie");
    assert!(resp.headers().contains_key("set-cookie"));
}

#[test]
fn debug_output_has_no_secrets() {
    let c = csrf();
    let (cookie, _) = issue(&c, false, "");
    let secret = cookie.split_once('=').unwrap().1.to_string();
    let p = parts(
        "POST",
        "/bar",
        &[("cookie", &cookie), ("content-type", "application/json")],
    );
    let d = c.check(&p, &facts(false), None);
    let out = format!("{d:?} {c:?} {:?}", Csrf::builder().key(&KEY));
    assert!(!out.contains(&secret), "{out}");
    assert!(!out.contains("17, 17"), "{out}");
}

#[test]
fn types_are_thread_safe() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<Csrf>();
    assert_send_sync::<CsrfRequest>();
    assert_send_sync::<CsrfToken>();
    fn assert_send<T: Send>(_: &T) {}
    let c = csrf();
    let p = parts("GET", "/", &[]);
    let Decision::Pass(req) = c.check(&p, &facts(false), None) else {
        panic!()
    };
    let body = Bytes::new();
    let fut = c.check_body(req, &p.headers, &body);
    assert_send(&fut);
}

#[test]
fn method_is_matched_exactly() {
    // Lower-case "get" is an unknown (unsafe) method, as in HTTP.
    let c = csrf();
    let p = parts("get", "/", &[]);
    assert_ne!(p.method, Method::GET);
    assert_eq!(
        reason(c.check(&p, &facts(false), None)),
        Some(RejectReason::MissingCookie)
    );
}

/// `Debug` of an unused token says so without parsing the cookies (which would
/// turn off `finish`'s fast path); once used it reports the state, and never
/// the secret or a token.
#[test]
fn debug_of_a_token_neither_parses_nor_leaks() {
    let c = csrf();
    let (cookie, _) = issue(&c, true, "");
    let p = parts("GET", "/form", &[("cookie", &cookie)]);
    let Decision::Pass(req) = c.check(&p, &facts(true), None) else {
        panic!("GET must pass")
    };
    let unused = format!("{req:?}");
    assert!(unused.contains("used: false"), "{unused}");
    assert!(!req.token().used(), "formatting parsed the cookies");
    let token = req.token().masked();
    let used = format!("{req:?}");
    assert!(
        used.contains("used: true") && used.contains("has_cookie: true"),
        "{used}"
    );
    let secret = cookie.split_once('=').unwrap().1;
    assert!(!used.contains(secret) && !used.contains(&token), "{used}");
}

#[test]
fn websocket_handshakes_from_another_site_are_refused() {
    let c = csrf();
    let ws = |extra: &[(&str, &str)]| {
        let mut h = vec![("upgrade", "websocket"), ("connection", "Upgrade")];
        h.extend_from_slice(extra);
        parts("GET", "/ws", &h)
    };
    let f = facts(true);
    // Same origin, by Fetch Metadata or by Origin: the handshake goes on.
    assert_eq!(
        reason(c.check(&ws(&[("sec-fetch-site", "same-origin")]), &f, None)),
        None
    );
    assert_eq!(
        reason(c.check(&ws(&[("origin", "https://www.example.com")]), &f, None)),
        None
    );
    // Another site's page: refused before the handler, whichever header says so.
    assert_eq!(
        reason(c.check(&ws(&[("sec-fetch-site", "cross-site")]), &f, None)),
        Some(RejectReason::CrossOrigin)
    );
    assert_eq!(
        reason(c.check(&ws(&[("origin", "https://evil.example")]), &f, None)),
        Some(RejectReason::OriginMismatch)
    );
    assert_eq!(
        reason(c.check(&ws(&[("origin", "null")]), &f, None)),
        Some(RejectReason::OriginMismatch)
    );
    // No browser header at all: not a browser, and no Referer rule applies.
    assert_eq!(reason(c.check(&ws(&[]), &f, None)), None);
    // Case and lists as proxies write them.
    let p = parts(
        "GET",
        "/ws",
        &[
            ("upgrade", "h2c, WebSocket"),
            ("origin", "https://evil.example"),
        ],
    );
    assert_eq!(
        reason(c.check(&p, &f, None)),
        Some(RejectReason::OriginMismatch)
    );
    // A trusted origin and an exempt path pass; a plain GET is never checked.
    let t = Csrf::builder()
        .key(&KEY)
        .trusted_origin("https://app.partner.example")
        .exempt(crate::Exemptions::new().path_prefix("/ws"))
        .build()
        .unwrap();
    assert_eq!(
        reason(t.check(&ws(&[("origin", "https://evil.example")]), &f, None)),
        None
    );
    let plain = parts("GET", "/ws", &[("origin", "https://evil.example")]);
    assert_eq!(reason(c.check(&plain, &f, None)), None);
    // Event streams only when asked for.
    let sse = parts(
        "GET",
        "/events",
        &[
            ("accept", "text/event-stream"),
            ("sec-fetch-site", "cross-site"),
        ],
    );
    assert_eq!(reason(c.check(&sse, &f, None)), None);
    let on = Csrf::builder()
        .key(&KEY)
        .check_event_streams(true)
        .build()
        .unwrap();
    assert_eq!(
        reason(on.check(&sse, &f, None)),
        Some(RejectReason::CrossOrigin)
    );
}

#[test]
fn trusted_origin_patterns_match_one_label_on_the_same_scheme_and_port() {
    let c = Csrf::builder()
        .key(&KEY)
        .trusted_origin("https://*.partner.example")
        .build()
        .unwrap();
    let f = facts(true);
    let post = |origin: &str| parts("POST", "/x", &[("origin", origin), ("x-csrftoken", "t")]);
    // Trusted: the origin check passes, so the missing cookie is what refuses.
    assert_eq!(
        reason(c.check(&post("https://a.partner.example"), &f, None)),
        Some(RejectReason::MissingCookie)
    );
    assert_eq!(
        reason(c.check(&post("https://A.Partner.Example:443"), &f, None)),
        Some(RejectReason::MissingCookie)
    );
    for untrusted in [
        "https://partner.example",
        "https://a.b.partner.example",
        "http://a.partner.example",
        "https://a.partner.example:8443",
        "https://evilpartner.example",
        "https://a.partner.example.evil",
    ] {
        assert_eq!(
            reason(c.check(&post(untrusted), &f, None)),
            Some(RejectReason::OriginMismatch),
            "{untrusted}"
        );
    }
}

#[test]
fn http2_websocket_connects_get_the_handshake_check_not_the_token_check() {
    let c = csrf();
    let f = facts(true);
    let connect = |origin: &str| parts("CONNECT", "/ws", &[("origin", origin)]);
    assert_eq!(
        reason(c.check(&connect("https://www.example.com"), &f, None)),
        None
    );
    assert_eq!(
        reason(c.check(&connect("https://evil.example"), &f, None)),
        Some(RejectReason::OriginMismatch)
    );
}
