//! Request-level tests: SeaSurf's checklist (S1-S39, X14-X24) where it applies
//! at this level, plus rampart's own rules.

use bytes::Bytes;
use futures_util::FutureExt as _;
use http::request::Parts;
use http::{HeaderMap, HeaderValue, Method};

use super::*;
use crate::RequestFacts;

const KEY: [u8; 32] = [0x11; 32];

fn csrf() -> Csrf {
    Csrf::builder().key(&KEY).build().unwrap()
}

fn facts(secure: bool) -> RequestFacts {
    RequestFacts::test(secure, "www.example.com")
}

fn parts(method: &str, uri: &str, headers: &[(&str, &str)]) -> Parts {
    let mut b = http::Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(()).unwrap().into_parts().0
}

/// A GET that renders a token: returns the `name=value` cookie pair and the token.
fn issue(c: &Csrf, secure: bool, cookies: &str) -> (String, String) {
    let p = parts("GET", "/form", &[("cookie", cookies)]);
    let Decision::Pass(req) = c.check(&p, &facts(secure), None) else {
        panic!("GET must pass")
    };
    let token = req.token().masked();
    let mut h = HeaderMap::new();
    c.finish(&req, &mut h);
    let sc = h.get("set-cookie").expect("cookie set").to_str().unwrap();
    (sc.split(';').next().unwrap().to_string(), token)
}

fn reason(d: Decision) -> Option<RejectReason> {
    match d {
        Decision::Reject(r) => Some(r.reason),
        Decision::Pass(_) => None,
        Decision::ReadBody { .. } => panic!("unexpected ReadBody"),
    }
}

fn with_body(c: &Csrf, p: &Parts, f: &RequestFacts, body: &[u8]) -> Result<(), RejectReason> {
    match c.check(p, f, None) {
        Decision::Pass(_) => Ok(()),
        Decision::Reject(r) => Err(r.reason),
        Decision::ReadBody { request, limit, .. } => {
            assert_eq!(limit, DEFAULT_BODY_LIMIT);
            let body = Bytes::copy_from_slice(body);
            c.check_body(request, &p.headers, &body)
                .now_or_never()
                .expect("no waiting")
                .map(|_| ())
                .map_err(|r| r.reason)
        }
    }
}

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
    // S1-S3
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
    // S10, S37, X23
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
    // Non-ASCII header bytes: refused, no panic (S9).
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
    // S6: no cookie at all.
    let c = csrf();
    let p = parts("POST", "/bar", &[]);
    let Decision::Reject(r) = c.check(&p, &facts(false), None) else {
        panic!()
    };
    assert_eq!(r.reason, RejectReason::MissingCookie);
    // S23: the refusal sets a fresh secret cookie.
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
    // X14
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
fn form_token() {
    // S8, S9, S11
    let c = csrf();
    let (cookie, token) = issue(&c, false, "");
    let form = [
        ("cookie", cookie.as_str()),
        ("content-type", "application/x-www-form-urlencoded"),
    ];
    let p = parts("POST", "/bar", &form);
    let f = facts(false);
    assert_eq!(
        with_body(&c, &p, &f, format!("_csrf_token={token}").as_bytes()),
        Ok(())
    );
    assert_eq!(
        with_body(&c, &p, &f, "_csrf_token=🥳".as_bytes()),
        Err(RejectReason::BadToken)
    );
    assert_eq!(
        with_body(&c, &p, &f, b"a=b"),
        Err(RejectReason::MissingToken)
    );
    assert_eq!(
        with_body(
            &c,
            &p,
            &f,
            format!("_csrf_token={token}&_csrf_token={token}").as_bytes()
        ),
        Err(RejectReason::DuplicateToken)
    );
    assert_eq!(
        with_body(&c, &p, &f, b"_csrf_token=%C3"),
        Err(RejectReason::MalformedBody)
    );
}

#[test]
fn json_token() {
    // X15, S12
    let c = csrf();
    let (cookie, token) = issue(&c, false, "");
    let f = facts(false);
    let json = parts(
        "POST",
        "/bar",
        &[("cookie", &cookie), ("content-type", "application/json")],
    );
    let body = format!(r#"{{"_csrf_token":"{token}"}}"#);
    assert_eq!(with_body(&c, &json, &f, body.as_bytes()), Ok(()));
    assert_eq!(
        with_body(&c, &json, &f, b"{]]{"),
        Err(RejectReason::MalformedBody)
    );
    assert_eq!(
        with_body(&c, &json, &f, b"[1]"),
        Err(RejectReason::MissingToken)
    );
    let plain = parts(
        "POST",
        "/bar",
        &[("cookie", &cookie), ("content-type", "text/plain")],
    );
    assert_eq!(
        with_body(&c, &plain, &f, body.as_bytes()),
        Err(RejectReason::MissingToken)
    );
    // Invalid JSON (or an array) with a valid header token: the body is never read.
    let hdr = parts(
        "POST",
        "/bar",
        &[
            ("cookie", &cookie),
            ("content-type", "application/json"),
            ("x-csrftoken", &token),
        ],
    );
    assert_eq!(with_body(&c, &hdr, &f, b"{]]{"), Ok(()));
    assert_eq!(with_body(&c, &hdr, &f, b"[]"), Ok(()));
}

#[test]
fn header_is_the_only_source_once_present() {
    // Rule 4: a wrong header is not rescued by a right body. (SeaSurf's X16,
    // wrong form + right header → 403, is not reproduced: the header is checked
    // first and the body is then not read.)
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

#[cfg(feature = "multipart")]
#[test]
fn multipart_token() {
    let c = csrf();
    let (cookie, token) = issue(&c, false, "");
    let p = parts(
        "POST",
        "/upload",
        &[
            ("cookie", &cookie),
            ("content-type", "multipart/form-data; boundary=b0undary"),
        ],
    );
    let body = format!(
        "--b0undary\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nhello\r\n\
         --b0undary\r\nContent-Disposition: form-data; name=\"_csrf_token\"\r\n\r\n{token}\r\n\
         --b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\n\r\n\x00\x01\r\n--b0undary--\r\n"
    );
    assert_eq!(with_body(&c, &p, &facts(false), body.as_bytes()), Ok(()));
    // A second token field after the first is refused, not ignored.
    let twice = body.replace(
        "--b0undary--",
        &format!("--b0undary\r\nContent-Disposition: form-data; name=\"_csrf_token\"\r\n\r\n{token}\r\n--b0undary--"),
    );
    assert_eq!(
        with_body(&c, &p, &facts(false), twice.as_bytes()),
        Err(RejectReason::DuplicateToken)
    );
    let bad = parts(
        "POST",
        "/upload",
        &[("cookie", &cookie), ("content-type", "multipart/form-data")],
    );
    assert_eq!(
        with_body(&c, &bad, &facts(false), body.as_bytes()),
        Err(RejectReason::MalformedBody)
    );
}

#[test]
fn body_limit_is_reported_and_enforced() {
    let c = csrf();
    let (cookie, _) = issue(&c, false, "");
    let five_mib = (5 * 1024 * 1024).to_string();
    let p = parts(
        "POST",
        "/bar",
        &[
            ("cookie", &cookie),
            ("content-type", "application/x-www-form-urlencoded"),
            ("content-length", &five_mib),
        ],
    );
    let Decision::ReadBody { limit, request, .. } = c.check(&p, &facts(false), None) else {
        panic!()
    };
    assert_eq!(limit, 1024 * 1024);
    let big = Bytes::from(vec![b'a'; 5 * 1024 * 1024]);
    let r = c
        .check_body(request.clone(), &p.headers, &big)
        .now_or_never()
        .unwrap();
    assert_eq!(r.unwrap_err().reason, RejectReason::TooLarge);
    assert_eq!(c.body_too_large(request).unwrap_err().status(), 413);
    assert_eq!(Rejection::too_large().status(), 413);

    let small = Csrf::builder().key(&KEY).body_limit(10).build().unwrap();
    let Decision::ReadBody { limit, .. } = small.check(&p, &facts(false), None) else {
        panic!()
    };
    assert_eq!(limit, 10);
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
    let ring = KeyRing::new(&[2; 32])
        .unwrap()
        .with_older(&[1; 32])
        .unwrap();
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

#[test]
fn cookie_set_only_when_needed() {
    // S36: a GET that never asked for a token sets nothing.
    let c = csrf();
    let p = parts("GET", "/foo", &[]);
    let Decision::Pass(req) = c.check(&p, &facts(true), None) else {
        panic!()
    };
    let mut h = HeaderMap::new();
    c.finish(&req, &mut h);
    assert!(h.is_empty());
    // A page rendering a token to a cookie-less client: secure cookie + Vary.
    let Decision::Pass(req) = c.check(&p, &facts(true), None) else {
        panic!()
    };
    req.token().masked();
    let mut h = HeaderMap::new();
    h.insert("vary", HeaderValue::from_static("Accept-Encoding"));
    c.finish(&req, &mut h);
    let sc = h["set-cookie"].to_str().unwrap().to_string();
    for part in [
        "__Host-csrf=",
        "Path=/",
        "Secure",
        "HttpOnly",
        "SameSite=Lax",
        "Max-Age=31536000",
    ] {
        assert!(sc.contains(part), "{sc} lacks {part}");
    }
    let vary: Vec<_> = h.get_all("vary").iter().collect();
    assert_eq!(vary, ["Accept-Encoding", "Cookie"]);
    // finish is idempotent.
    c.finish(&req, &mut h);
    assert_eq!(h.get_all("set-cookie").iter().count(), 1);
    assert_eq!(h.get_all("vary").iter().count(), 2);
    // A client with a valid cookie: token rendered, no Set-Cookie, but Vary.
    let cookie = sc.split(';').next().unwrap();
    let p = parts("GET", "/baz", &[("cookie", cookie)]);
    let Decision::Pass(req) = c.check(&p, &facts(true), None) else {
        panic!()
    };
    req.token().masked();
    let mut h = HeaderMap::new();
    c.finish(&req, &mut h);
    assert!(!h.contains_key("set-cookie"));
    assert_eq!(h["vary"], "Cookie");
}

#[test]
fn cookie_name_follows_request_security() {
    let c = csrf();
    let (http_cookie, token) = issue(&c, false, "");
    assert!(http_cookie.starts_with("csrf="));
    // The plain-http cookie is not read on https (it could have been planted).
    let p = parts(
        "POST",
        "/bar",
        &[
            ("cookie", &http_cookie),
            ("x-csrftoken", &token),
            ("origin", "https://www.example.com"),
        ],
    );
    assert_eq!(
        reason(c.check(&p, &facts(true), None)),
        Some(RejectReason::MissingCookie)
    );
    let (https_cookie, token) = issue(&c, true, "");
    assert!(https_cookie.starts_with("__Host-csrf="));
    let p = parts(
        "POST",
        "/bar",
        &[
            ("cookie", &https_cookie),
            ("x-csrftoken", &token),
            ("origin", "https://www.example.com"),
        ],
    );
    assert_eq!(reason(c.check(&p, &facts(true), None)), None);
    // A domain switches to __Secure-.
    let d = Csrf::builder()
        .key(&KEY)
        .cookie_domain("example.com")
        .build()
        .unwrap();
    let (cookie, _) = issue(&d, true, "");
    assert!(cookie.starts_with("__Secure-csrf="));
    let s = Csrf::builder()
        .key(&KEY)
        .same_site(::cookie::SameSite::Strict)
        .build()
        .unwrap();
    let p = parts("GET", "/", &[]);
    let Decision::Pass(req) = s.check(&p, &facts(false), None) else {
        panic!()
    };
    req.token().masked();
    let mut h = HeaderMap::new();
    s.finish(&req, &mut h);
    assert!(h["set-cookie"]
        .to_str()
        .unwrap()
        .contains("SameSite=Strict")); // S38
}

#[test]
fn rotate_issues_new_secret() {
    // S39
    let c = csrf();
    let (cookie, token) = issue(&c, false, "");
    let p = parts(
        "POST",
        "/login",
        &[("cookie", &cookie), ("x-csrftoken", &token)],
    );
    let Decision::Pass(req) = c.check(&p, &facts(false), None) else {
        panic!()
    };
    req.token().rotate();
    let new_token = req.token().masked();
    let mut h = HeaderMap::new();
    c.finish(&req, &mut h);
    let new_cookie = h["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert_ne!(new_cookie, cookie);
    let ok = parts(
        "POST",
        "/x",
        &[("cookie", &new_cookie), ("x-csrftoken", &new_token)],
    );
    assert_eq!(reason(c.check(&ok, &facts(false), None)), None);
    let stale = parts(
        "POST",
        "/x",
        &[("cookie", &new_cookie), ("x-csrftoken", &token)],
    );
    assert_eq!(
        reason(c.check(&stale, &facts(false), None)),
        Some(RejectReason::BadToken)
    );
}

#[test]
fn referer_on_https() {
    // S14-S17, X18
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
    // S5, S18-S22
    let c = Csrf::builder()
        .key(&KEY)
        .exempt_path_prefix("/foo")
        .exempt_route("/hooks/{id}")
        .exempt_if(|p| p.headers.contains_key("x-internal"))
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
    // Exempt requests still get a token handle, but no cookie unless asked (S18).
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
fn js_readable_cookie_for_spas() {
    let c = Csrf::builder()
        .key(&KEY)
        .js_readable_cookie(true)
        .build()
        .unwrap();
    // First contact sets both cookies even without a masked() call.
    let p = parts("GET", "/", &[]);
    let Decision::Pass(req) = c.check(&p, &facts(true), None) else {
        panic!()
    };
    let mut h = HeaderMap::new();
    c.finish(&req, &mut h);
    let cookies: Vec<&str> = h
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert_eq!(cookies.len(), 2);
    assert!(cookies[0].starts_with("__Host-csrf=") && cookies[0].contains("HttpOnly"));
    assert!(cookies[1].starts_with("csrf-token=") && !cookies[1].contains("HttpOnly"));
    assert!(cookies[1].contains("SameSite=Strict") && cookies[1].contains("Secure"));
    let secret = cookies[0].split(';').next().unwrap();
    let token = cookies[1]
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1;
    let post = parts(
        "POST",
        "/api",
        &[
            ("cookie", secret),
            ("x-csrftoken", token),
            ("sec-fetch-site", "same-origin"),
        ],
    );
    assert_eq!(reason(c.check(&post, &facts(true), None)), None);
    // A client that already holds the secret gets nothing new.
    let p = parts("GET", "/", &[("cookie", secret)]);
    let Decision::Pass(req) = c.check(&p, &facts(true), None) else {
        panic!()
    };
    let mut h = HeaderMap::new();
    c.finish(&req, &mut h);
    assert!(h.is_empty());
    // A MissingCookie refusal carries both cookies, so the SPA can retry.
    let Decision::Reject(r) = c.check(
        &parts("POST", "/api", &[("sec-fetch-site", "same-origin")]),
        &facts(true),
        None,
    ) else {
        panic!()
    };
    assert_eq!(r.set_cookies().len(), 2);
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
fn check_body_on_passed_request_is_a_no_op() {
    let c = csrf();
    let p = parts("GET", "/", &[]);
    let Decision::Pass(req) = c.check(&p, &facts(false), None) else {
        panic!()
    };
    let r = c
        .check_body(req, &p.headers, &Bytes::from_static(b"garbage"))
        .now_or_never()
        .unwrap();
    assert!(r.is_ok());
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

/// What follows a body read, in report-only mode: a declared-too-large body
/// was never read, so it goes on untouched; a body that broke off or outgrew
/// the limit while read is lost in part, so even report-only mode refuses it.
#[test]
fn report_only_passes_only_bodies_it_still_has() {
    use crate::adapter::{BodyRead, PassBody};
    let c = Csrf::builder().key(&KEY).report_only(true).build().unwrap();
    let (cookie, _) = issue(&c, false, "");
    let p = parts(
        "POST",
        "/form",
        &[
            ("cookie", &cookie),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
    );
    let request = || match c.check(&p, &facts(false), None) {
        Decision::ReadBody { request, .. } => request,
        other => panic!("{other:?}"),
    };
    let read = |r: BodyRead<&'static str>| {
        c.check_body_read(request(), &p.headers, r)
            .now_or_never()
            .unwrap()
    };
    match read(BodyRead::DeclaredTooLarge("body")) {
        Ok((_, PassBody::Untouched(b))) => assert_eq!(b, "body"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        read(BodyRead::TooLarge).unwrap_err().reason,
        RejectReason::TooLarge
    );
    assert_eq!(
        read(BodyRead::Broken).unwrap_err().reason,
        RejectReason::MalformedBody
    );
}
