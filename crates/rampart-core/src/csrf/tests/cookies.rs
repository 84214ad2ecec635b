//! When the secret cookie is set, its name and rotation.

use super::*;

#[test]
fn cookie_set_only_when_needed() {
    // a GET that never asked for a token sets nothing.
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
        .contains("SameSite=Strict"));
}

#[test]
fn rotate_issues_new_secret() {
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
