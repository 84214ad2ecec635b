//! [`CsrfRequest`]: one request's CSRF state between the check and the
//! response, and the request line its refusals are logged with.

use std::fmt;

use http::{HeaderMap, HeaderValue, Method};

use super::body::BodyKind;
use super::handle::CsrfToken;

/// Per-request CSRF state, produced by [`Csrf::check`](super::Csrf::check).
///
/// Adapters put [`CsrfRequest::token`] into the request extensions so handlers
/// and templates can render tokens, and pass the request to [`Csrf::finish`](super::Csrf::finish).
///
/// ```
/// # use rampart_core::csrf::{Csrf, Decision};
/// # use rampart_core::{RequestFacts, Scheme};
/// # let csrf = Csrf::builder().key(&[9; 32]).build().unwrap();
/// # let facts = RequestFacts::new(Scheme::Https, Some("a.example"));
/// let (parts, _) = http::Request::get("/").body(()).unwrap().into_parts();
/// if let Decision::Pass(req) = csrf.check(&parts, &facts, None) {
///     assert_eq!(req.token().field_name(), "_csrf_token");
/// }
/// ```
#[derive(Clone)]
pub struct CsrfRequest {
    pub(super) token: CsrfToken,
    /// Only while the token is awaited from the body: a request that passes
    /// at once (every safe method) carries nothing else, so what an adapter's
    /// future keeps for it is two words.
    pub(super) pending: Option<Box<Pending>>,
}

/// A request waiting for its body: what to look for, and the request line
/// for the log line if the body check fails.
#[derive(Clone)]
pub(super) struct Pending {
    pub(super) kind: BodyKind,
    pub(super) method: Method,
    pub(super) uri: http::Uri,
    /// Whether Fetch Metadata, `Origin` or `Referer` vouched for the request
    /// (a failing body token is then a disagreement worth counting).
    pub(super) vouched: bool,
}

/// The request line a refusal is logged with.
#[derive(Clone, Copy)]
pub(super) struct Line<'a> {
    pub(super) method: &'a str,
    pub(super) path: &'a str,
}

impl Line<'_> {
    /// For a refusal that comes with no pending body (an adapter calling
    /// [`Csrf::body_too_large`] or [`Csrf::body_unreadable`] out of turn):
    /// nothing better to log.
    const UNKNOWN: Line<'static> = Line {
        method: "-",
        path: "-",
    };
}

/// The saved request line of a request taken off its body wait.
pub(super) fn pending_line(pending: &Option<Box<Pending>>) -> Line<'_> {
    pending.as_deref().map_or(Line::UNKNOWN, Line::from)
}

impl<'a> From<&'a Pending> for Line<'a> {
    fn from(p: &'a Pending) -> Self {
        Line {
            method: p.method.as_str(),
            path: p.uri.path(),
        }
    }
}

impl fmt::Debug for CsrfRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("CsrfRequest");
        if let Some(p) = &self.pending {
            d.field("method", &p.method).field("path", &p.uri.path());
        }
        d.field("token", &self.token)
            .field("awaiting_body", &self.pending.is_some())
            .finish()
    }
}

impl CsrfRequest {
    /// The token handle for this request (a clone of the handle the response side keeps).
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Decision};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// # let csrf = Csrf::builder().key(&[9; 32]).build().unwrap();
    /// # let facts = RequestFacts::new(Scheme::Https, None);
    /// # let (parts, _) = http::Request::get("/").body(()).unwrap().into_parts();
    /// # let Decision::Pass(req) = csrf.check(&parts, &facts, None) else { panic!() };
    /// let t = req.token();
    /// t.masked();
    /// let mut h = http::HeaderMap::new();
    /// csrf.finish(&req, &mut h); // sees the masked() call made through the clone
    /// assert!(h.contains_key("set-cookie"));
    /// ```
    pub fn token(&self) -> CsrfToken {
        self.token.clone()
    }

    /// Whether [`finish`](Self::finish) may add anything to the response: false
    /// for the usual response, where nobody asked for a token (and the
    /// JavaScript-readable cookie is off). One flag load; an adapter whose
    /// response headers need converting skips the conversion when false.
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Decision};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// # let csrf = Csrf::builder().key(&[9; 32]).build().unwrap();
    /// # let facts = RequestFacts::new(Scheme::Https, None);
    /// # let (parts, _) = http::Request::get("/").body(()).unwrap().into_parts();
    /// let Decision::Pass(req) = csrf.check(&parts, &facts, None) else { panic!() };
    /// assert!(!req.may_owe_headers());
    /// req.token().masked();
    /// assert!(req.may_owe_headers());
    /// ```
    pub fn may_owe_headers(&self) -> bool {
        self.token.may_owe(true)
    }

    /// [`Csrf::finish`](super::Csrf::finish) without the `Csrf`: the request's state knows its
    /// configuration, so an adapter's response future need not hold both.
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Decision};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// # let csrf = Csrf::builder().key(&[9; 32]).build().unwrap();
    /// # let facts = RequestFacts::new(Scheme::Https, None);
    /// # let (parts, _) = http::Request::get("/").body(()).unwrap().into_parts();
    /// let Decision::Pass(req) = csrf.check(&parts, &facts, None) else { panic!() };
    /// req.token().masked();
    /// let mut h = http::HeaderMap::new();
    /// req.finish(&mut h);
    /// assert!(h["set-cookie"].to_str().unwrap().starts_with("__Host-"));
    /// assert_eq!(h["vary"], "Cookie");
    /// ```
    pub fn finish(&self, response_headers: &mut HeaderMap) {
        if self.token.may_owe(true) && self.token.0.with(|st| st.clear_site_data) {
            // The browser drops the site's cookies and storage; one that does
            // not (plain http, an old browser) still gets the new secret below,
            // so tokens rendered before the log-out no longer verify.
            response_headers.append(
                http::header::HeaderName::from_static("clear-site-data"),
                HeaderValue::from_static("\"cookies\", \"storage\""),
            );
        }
        let (vary, cookies) = self.token.take_cookies(true);
        for c in cookies {
            response_headers.append(http::header::SET_COOKIE, c);
        }
        if vary {
            if !varies_on_cookie(response_headers) {
                response_headers.append(http::header::VARY, HeaderValue::from_static("Cookie"));
            }
            // A masked token is this visitor's: a shared cache that ignores
            // `Vary` must not hand it to the next one.
            if let Some(cc) = &self.token.0.inner.cache_control {
                crate::headers::keep_private(response_headers, cc);
            }
        }
    }
}

/// Whether the response already varies on `Cookie` (or on everything).
fn varies_on_cookie(headers: &HeaderMap) -> bool {
    headers.get_all(http::header::VARY).iter().any(|v| {
        v.to_str()
            .map(|s| {
                s.split(',')
                    .any(|t| matches!(t.trim(), "*") || t.trim().eq_ignore_ascii_case("cookie"))
            })
            .unwrap_or(false)
    })
}
