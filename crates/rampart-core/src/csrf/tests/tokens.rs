//! Where tokens come from and when they verify.

use super::*;

#[test]
fn safe_methods_are_never_checked() {
    let c = csrf();
    for m in ["GET", "HEAD", "OPTIONS", "TRACE"] {
        let p = parts(m, "/bar", &[("sec-fetch-site", "cross-site")]);
        assert!(
            matches!(c.check(&p, &facts(true), None), Decision::Pass(_)),
            "{m}"
        );
    }
    for m in ["POST", "PUT", "PATCH", "DELETE", "PURGE"] {
        let p = parts(m, "/bar", &[]);
        assert_eq!(
            reason(c.check(&p, &facts(false), None)),
            Some(RejectReason::MissingCookie),
            "{m}"
        );
    }
}

#[test]
fn tokens_are_unique_strings() {
    let c = csrf();
    let (cookie, a) = issue(&c, false, "");
    let (_, b) = issue(&c, false, "");
    assert!(!a.is_empty() && a != b && a.len() == 86);
    // Same client, several renders: all different, all valid (BREACH masking).
    let p = parts("GET", "/", &[("cookie", &cookie)]);
    let Decision::Pass(req) = c.check(&p, &facts(false), None) else {
        panic!()
    };
    let t = req.token();
    let renders: Vec<String> = (0..5).map(|_| t.to_string()).collect();
    for (i, r) in renders.iter().enumerate() {
        assert!(!renders[..i].contains(r));
        let p = parts("POST", "/bar", &[("cookie", &cookie), ("x-csrftoken", r)]);
        assert_eq!(reason(c.check(&p, &facts(false), None)), None);
    }
}

#[test]
fn header_token() {
    let c = csrf();
    let (cookie, token) = issue(&c, false, "");
    let ok = parts(
        "POST",
        "/bar",
        &[("cookie", &cookie), ("x-csrftoken", &token)],
    );
    assert_eq!(reason(c.check(&ok, &facts(false), None)), None);
    let wrong = parts(
        "POST",
        "/bar",
        &[("cookie", &cookie), ("X-CSRFToken", "nope")],
    );
    assert_eq!(
        reason(c.check(&wrong, &facts(false), None)),
        Some(RejectReason::BadToken)
    );
    // Echoing the cookie value (the secret) is not a token.
    let secret = cookie.split_once('=').unwrap().1;
    let echo = parts(
        "POST",
        "/bar",
        &[("cookie", &cookie), ("x-csrftoken", secret)],
    );
    assert_eq!(
        reason(c.check(&echo, &facts(false), None)),
        Some(RejectReason::BadToken)
    );
    // Non-ASCII header bytes: refused, no panic.
    let mut p = parts("POST", "/bar", &[("cookie", &cookie)]);
    p.headers.insert(
        "x-csrftoken",
        HeaderValue::from_bytes("🥳".as_bytes()).unwrap(),
    );
    assert_eq!(
        reason(c.check(&p, &facts(false), None)),
        Some(RejectReason::BadToken)
    );
    // Repeated header.
    let mut p = parts(
        "POST",
        "/bar",
        &[("cookie", &cookie), ("x-csrftoken", &token)],
    );
    p.headers
        .append("x-csrftoken", HeaderValue::from_str(&token).unwrap());
    assert_eq!(
        reason(c.check(&p, &facts(false), None)),
        Some(RejectReason::DuplicateToken)
    );
}

#[test]
fn missing_cookie_and_missing_token() {
    // no cookie at all.
    let c = csrf();
    let p = parts("POST", "/bar", &[]);
    let Decision::Reject(r) = c.check(&p, &facts(false), None) else {
        panic!()
    };
    assert_eq!(r.reason, RejectReason::MissingCookie);
    // the refusal sets a fresh secret cookie.
    assert_eq!(r.set_cookies().len(), 1);
    let resp = c.render_rejection(&r, None);
    assert_eq!(resp.status(), 403);
    assert!(resp.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .starts_with("csrf="));
    assert!(std::str::from_utf8(resp.body())
        .unwrap()
        .contains("403 Forbidden"));
    // A malformed cookie counts as missing.
    let p = parts("POST", "/bar", &[("cookie", "csrf=tampered")]);
    assert_eq!(
        reason(c.check(&p, &facts(false), None)),
        Some(RejectReason::MissingCookie)
    );
    // Cookie but no token, body type that cannot carry one.
    let (cookie, _) = issue(&c, false, "");
    let p = parts(
        "POST",
        "/bar",
        &[("cookie", &cookie), ("content-type", "text/plain")],
    );
    assert_eq!(
        reason(c.check(&p, &facts(false), None)),
        Some(RejectReason::MissingToken)
    );
}

#[test]
fn token_in_query_string_is_ignored() {
    let c = csrf();
    let (cookie, token) = issue(&c, false, "");
    let p = parts(
        "POST",
        &format!("/bar?_csrf_token={token}"),
        &[("cookie", &cookie)],
    );
    assert_eq!(
        reason(c.check(&p, &facts(false), None)),
        Some(RejectReason::MissingToken)
    );
}

#[test]
fn header_is_the_only_source_once_present() {
    // A wrong header is not rescued by a right body. (SeaSurf refuses a wrong
    // form field next to a right header; rampart does not: the header is
    // checked first and the body is then not read.)
    let c = csrf();
    let (cookie, token) = issue(&c, false, "");
    let f = facts(false);
    let wrong_header = parts(
        "POST",
        "/bar",
        &[
            ("cookie", &cookie),
            ("content-type", "application/x-www-form-urlencoded"),
            ("x-csrftoken", "bad"),
        ],
    );
    let body = format!("_csrf_token={token}");
    assert_eq!(
        with_body(&c, &wrong_header, &f, body.as_bytes()),
        Err(RejectReason::BadToken)
    );
    let right_header = parts(
        "POST",
        "/bar",
        &[
            ("cookie", &cookie),
            ("content-type", "application/x-www-form-urlencoded"),
            ("x-csrftoken", &token),
        ],
    );
    assert_eq!(
        with_body(&c, &right_header, &f, b"_csrf_token=wrong"),
        Ok(())
    );
}

#[test]
fn token_from_another_client_is_refused() {
    let c = csrf();
    let (_, attacker_token) = issue(&c, false, "");
    let (victim_cookie, _) = issue(&c, false, "");
    let p = parts(
        "POST",
        "/bar",
        &[("cookie", &victim_cookie), ("x-csrftoken", &attacker_token)],
    );
    assert_eq!(
        reason(c.check(&p, &facts(false), None)),
        Some(RejectReason::BadToken)
    );
}

#[test]
fn cookie_tossing_refused_with_session_binding() {
    let c = Csrf::builder()
        .key(&KEY)
        .session_cookie("session")
        .build()
        .unwrap();
    // The attacker gets a genuine pair for their own session...
    let (attacker_cookie, attacker_token) = issue(&c, false, "session=attacker");
    // ...works for themselves...
    let own = parts(
        "POST",
        "/bar",
        &[
            ("cookie", &format!("{attacker_cookie}; session=attacker")),
            ("x-csrftoken", &attacker_token),
        ],
    );
    assert_eq!(reason(c.check(&own, &facts(false), None)), None);
    // ...but once tossed into the victim's browser, the victim's session value differs.
    let tossed = parts(
        "POST",
        "/bar",
        &[
            ("cookie", &format!("{attacker_cookie}; session=victim")),
            ("x-csrftoken", &attacker_token),
        ],
    );
    assert_eq!(
        reason(c.check(&tossed, &facts(false), None)),
        Some(RejectReason::BadToken)
    );
    // Without binding the same pair would pass (documented limit).
    let unbound = csrf();
    let (ck, tk) = issue(&unbound, false, "");
    let p = parts(
        "POST",
        "/bar",
        &[
            ("cookie", &format!("{ck}; session=victim")),
            ("x-csrftoken", &tk),
        ],
    );
    assert_eq!(reason(unbound.check(&p, &facts(false), None)), None);
}

#[test]
fn key_rotation() {
    let old = Csrf::builder().key(&[1; 32]).build().unwrap();
    let (cookie, token) = issue(&old, false, "");
    let p = parts(
        "POST",
        "/bar",
        &[("cookie", &cookie), ("x-csrftoken", &token)],
    );
    let rotated = Csrf::builder().key(&[2; 32]).key(&[1; 32]).build().unwrap();
    assert_eq!(reason(rotated.check(&p, &facts(false), None)), None);
    let ring = KeyRing::new(&[2; 32]).with_older(&[1; 32]);
    assert_eq!(
        reason(
            Csrf::builder()
                .keys(ring)
                .build()
                .unwrap()
                .check(&p, &facts(false), None)
        ),
        None
    );
    let removed = Csrf::builder().key(&[2; 32]).build().unwrap();
    assert_eq!(
        reason(removed.check(&p, &facts(false), None)),
        Some(RejectReason::BadToken)
    );
    // New tokens are signed with the newest key.
    let (cookie, token) = issue(&rotated, false, "");
    let p = parts(
        "POST",
        "/bar",
        &[("cookie", &cookie), ("x-csrftoken", &token)],
    );
    assert_eq!(reason(removed.check(&p, &facts(false), None)), None);
    assert_eq!(
        reason(old.check(&p, &facts(false), None)),
        Some(RejectReason::BadToken)
    );
}
