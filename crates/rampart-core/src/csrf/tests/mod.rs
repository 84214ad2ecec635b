//! Request-level tests on plain `http` types: Flask-SeaSurf's tested behaviours
//! where they apply at this level, plus rampart's own rules.

pub(super) use bytes::Bytes;
pub(super) use futures_util::FutureExt as _;
pub(super) use http::request::Parts;
pub(super) use http::{HeaderMap, HeaderValue, Method};

pub(super) use super::*;
pub(super) use crate::RequestFacts;

pub(super) const KEY: [u8; 32] = [0x11; 32];

pub(super) fn csrf() -> Csrf {
    Csrf::builder().key(&KEY).build().unwrap()
}

pub(super) fn facts(secure: bool) -> RequestFacts {
    RequestFacts::test(secure, "www.example.com")
}

pub(super) fn parts(method: &str, uri: &str, headers: &[(&str, &str)]) -> Parts {
    let mut b = http::Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(()).unwrap().into_parts().0
}

/// A GET that renders a token: returns the `name=value` cookie pair and the token.
pub(super) fn issue(c: &Csrf, secure: bool, cookies: &str) -> (String, String) {
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

pub(super) fn reason(d: Decision) -> Option<RejectReason> {
    match d {
        Decision::Reject(r) => Some(r.reason),
        Decision::Pass(_) => None,
        Decision::ReadBody { .. } => panic!("unexpected ReadBody"),
    }
}

pub(super) fn with_body(
    c: &Csrf,
    p: &Parts,
    f: &RequestFacts,
    body: &[u8],
) -> Result<(), RejectReason> {
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

mod bodies;
mod cookies;
#[cfg(feature = "metrics")]
mod counters;
mod modes;
mod tokens;
