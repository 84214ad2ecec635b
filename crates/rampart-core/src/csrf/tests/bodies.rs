//! Tokens in form, JSON and multipart bodies, and body limits.

use super::*;

#[test]
fn form_token() {
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
