//! The compiled [`Csrf`] protector and the per-request state it hands out.

use std::fmt;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use smallvec::SmallVec;

use super::body::{self};
use super::handle::{CsrfToken, TokenShared};
use super::reject::{default_parts, RejectReason, Rejection};
use super::request::{pending_line, CsrfRequest, Line, Pending};
use super::settings::Inner;
use crate::request::Facts;
use crate::telemetry::{self, Disagreement, Via};

/// CSRF protection, compiled from a [`CsrfBuilder`](super::CsrfBuilder): cheap to clone, `Send + Sync`.
///
/// Adapters call [`check`](Csrf::check) before the handler, then
/// [`check_body`](Csrf::check_body) if asked to, and [`finish`](Csrf::finish)
/// on the response.
///
/// ```
/// use rampart_core::csrf::{Csrf, Decision};
/// use rampart_core::{RequestFacts, Scheme};
///
/// let csrf = Csrf::builder().key(&[9; 32]).build().unwrap();
/// let facts = RequestFacts::new(Scheme::Http, Some("localhost:3000"));
///
/// // A GET renders a form: the page asks for a token, the response sets the cookie.
/// let (get, _) = http::Request::get("/form").body(()).unwrap().into_parts();
/// let Decision::Pass(req) = csrf.check(&get, &facts, None) else { panic!() };
/// let token = req.token().masked();
/// let mut response_headers = http::HeaderMap::new();
/// csrf.finish(&req, &mut response_headers);
/// let set_cookie = response_headers["set-cookie"].to_str().unwrap();
/// let cookie = set_cookie.split(';').next().unwrap().to_string();
///
/// // The POST sends the cookie back and the token in the header.
/// let (post, _) = http::Request::post("/form")
///     .header("cookie", cookie).header("x-csrftoken", token)
///     .body(()).unwrap().into_parts();
/// assert!(matches!(csrf.check(&post, &facts, None), Decision::Pass(_)));
/// ```
#[derive(Clone)]
pub struct Csrf(Arc<Inner>);

/// What the adapter must do with a request.
#[derive(Debug)]
pub enum Decision {
    /// Let the request through now (safe method, exempt, token-less mode passed, or header token valid).
    Pass(CsrfRequest),
    /// Reject before the handler runs.
    Reject(Rejection),
    /// The token must come from the body: adapter buffers up to `limit` bytes (more → Rejection::too_large()), then calls `check_body`.
    ReadBody {
        /// Most bytes to buffer.
        limit: usize,
        /// How long the whole body may take to arrive.
        timeout: std::time::Duration,
        /// The request state to pass to [`Csrf::check_body`].
        request: CsrfRequest,
    },
}

/// The request's `Cookie` values (reference-counted clones), pushed one by one:
/// there is usually exactly one.
fn cookie_values(headers: &HeaderMap) -> SmallVec<[HeaderValue; 1]> {
    let mut out = SmallVec::new();
    for v in headers.get_all(http::header::COOKIE) {
        out.push(v.clone());
    }
    out
}

fn is_safe(m: &Method) -> bool {
    matches!(
        *m,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

impl fmt::Debug for Csrf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Csrf")
            .field("keys", &self.0.keys)
            .field("tokens", &self.0.tokens)
            .field("report_only", &self.0.report_only)
            .finish_non_exhaustive()
    }
}

impl Csrf {
    #[doc(hidden)]
    /// The proxy trust an adapter works out this layer's facts under, when no
    /// header layer shared a scope.
    pub fn proxy_trust(&self) -> &crate::ProxyTrust {
        &self.0.proxy_trust
    }

    pub(crate) fn from_inner(inner: Inner) -> Self {
        Self(Arc::new(inner))
    }

    #[doc(hidden)]
    /// Whether [`check`](Self::check) reads the matched route of this request:
    /// only for one it checks (an unsafe method, or a handshake), and only when
    /// routes are exempted or included by pattern. An adapter whose route
    /// lookup costs (actix-web's `match_pattern` allocates) passes `None`
    /// otherwise.
    ///
    /// ```
    /// # use rampart_core::csrf::Csrf;
    /// let parts = |m: &str, ws: bool| {
    ///     let b = http::Request::builder().method(m).uri("/ws");
    ///     let b = if ws { b.header("upgrade", "websocket") } else { b };
    ///     b.body(()).unwrap().into_parts().0
    /// };
    /// let plain = Csrf::builder().key(&[9; 32]).build().unwrap();
    /// assert!(!plain.wants_route(&parts("POST", false)));
    /// let by_route = Csrf::builder().key(&[9; 32]).exempt(rampart_core::Exemptions::new().route("/hook")).build().unwrap();
    /// assert!(by_route.wants_route(&parts("POST", false)));
    /// assert!(!by_route.wants_route(&parts("GET", false)));
    /// assert!(by_route.wants_route(&parts("GET", true)));
    /// ```
    pub fn wants_route(&self, parts: &http::request::Parts) -> bool {
        let inner = &self.0;
        (inner.exempt.has_routes() || !inner.include_routes.is_empty())
            && (!is_safe(&parts.method) || inner.checks_handshake(parts))
    }

    #[doc(hidden)]
    /// Decides what to do with a request, before its body is read.
    ///
    /// Safe methods (GET, HEAD, OPTIONS, TRACE) and exempt requests pass; others
    /// get the cross-origin check, then (with tokens on) the cookie and the
    /// header token, or [`Decision::ReadBody`] when the token can only be in
    /// the body. The query string is never searched.
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Decision, RejectReason};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// let csrf = Csrf::builder().key(&[9; 32]).build().unwrap();
    /// let facts = RequestFacts::new(Scheme::Https, Some("a.example"));
    /// let (parts, _) = http::Request::post("/x").header("sec-fetch-site", "cross-site")
    ///     .body(()).unwrap().into_parts();
    /// let Decision::Reject(r) = csrf.check(&parts, &facts, None) else { panic!() };
    /// assert_eq!(r.reason, RejectReason::CrossOrigin);
    /// ```
    pub fn check<'a>(
        &self,
        parts: &http::request::Parts,
        facts: impl Into<Facts<'a>>,
        matched_route: Option<&str>,
    ) -> Decision {
        // Debug level: free unless a subscriber asks for it; the refusal log
        // line below carries the request line itself.
        let _span = crate::telemetry::debug_span!(
            "rampart.csrf",
            method = parts.method.as_str(),
            path = parts.uri.path()
        )
        .entered();
        let facts = facts.into();
        let inner = &self.0;
        let token = CsrfToken(Arc::new(TokenShared {
            inner: inner.clone(),
            secure: facts.secure(),
            cookie_headers: cookie_values(&parts.headers),
            state: Mutex::new(None),
            touched: AtomicBool::new(false),
        }));
        let request = CsrfRequest {
            token,
            pending: None,
        };
        let line = Line {
            method: parts.method.as_str(),
            path: parts.uri.path(),
        };

        if is_safe(&parts.method) {
            // A WebSocket handshake or event stream is a GET that another
            // site's page can open with the visitor's cookies: its origin is
            // checked (no token: the browser APIs cannot send one).
            if inner.checks_handshake(parts) && inner.protects(parts, matched_route) {
                match inner.origin.check_handshake(&parts.headers, &facts) {
                    Ok(via) => telemetry::csrf_passed(via),
                    Err((reason, detail)) => {
                        return self.refuse_decision(request, line, reason, detail)
                    }
                }
            }
            return Decision::Pass(request);
        }
        if !inner.protects(parts, matched_route) {
            return Decision::Pass(request);
        }
        // A WebSocket over HTTP/2 opens with an extended CONNECT (RFC 8441):
        // the same handshake check, no token (the browser API cannot send one).
        if parts.method == Method::CONNECT && inner.websockets {
            return match inner.origin.check_handshake(&parts.headers, &facts) {
                Ok(via) => {
                    telemetry::csrf_passed(via);
                    Decision::Pass(request)
                }
                Err((reason, detail)) => self.refuse_decision(request, line, reason, detail),
            };
        }
        let via = match inner.origin.check(&parts.headers, &facts) {
            Ok(via) => via,
            Err((reason, detail)) => {
                if inner.tokens && self.header_token_valid(&request, parts) {
                    telemetry::csrf_disagreement(Disagreement::HeadersRefusedTokenValid, reason);
                }
                return self.refuse_decision(request, line, reason, detail);
            }
        };
        if !inner.tokens {
            telemetry::csrf_passed(via);
            return Decision::Pass(request);
        }
        // From here on the token decides; a refusal of a request the headers
        // vouched for is a disagreement worth counting.
        let vouched = via != Via::Nothing;
        let token_refused = |reason, detail: Option<String>, request| {
            if vouched {
                telemetry::csrf_disagreement(Disagreement::HeadersPassedTokenRefused, reason);
            }
            self.refuse_decision(request, line, reason, detail)
        };
        if !request.token.has_cookie() {
            request.token.mark_issued();
            return token_refused(RejectReason::MissingCookie, None, request);
        }
        let mut values = parts
            .headers
            .get_all(&inner.header_name)
            .iter()
            .filter(|v| !v.as_bytes().iter().all(u8::is_ascii_whitespace));
        if let Some(first) = values.next() {
            if values.next().is_some() {
                return token_refused(RejectReason::DuplicateToken, None, request);
            }
            // A header was given: no fallback to the body.
            return match first.to_str() {
                Ok(t) if request.token.verify(t) => {
                    telemetry::csrf_passed_by_token();
                    Decision::Pass(request)
                }
                Ok(t) => token_refused(
                    RejectReason::BadToken,
                    Some(bad_token_detail("header", t)),
                    request,
                ),
                Err(_) => token_refused(
                    RejectReason::BadToken,
                    Some("header token: not text".into()),
                    request,
                ),
            };
        }
        match body::kind(&parts.headers) {
            Some(kind) => Decision::ReadBody {
                limit: inner.body_limit,
                timeout: inner.body_timeout,
                request: CsrfRequest {
                    pending: Some(Box::new(Pending {
                        kind,
                        method: parts.method.clone(),
                        uri: parts.uri.clone(),
                        vouched,
                    })),
                    ..request
                },
            },
            None => token_refused(RejectReason::MissingToken, None, request),
        }
    }

    /// Whether the request carries exactly one header token and it verifies:
    /// asked only of a request the header check refuses, to count the
    /// disagreement (the body is never read for it).
    fn header_token_valid(&self, request: &CsrfRequest, parts: &http::request::Parts) -> bool {
        let mut values = parts
            .headers
            .get_all(&self.0.header_name)
            .iter()
            .filter(|v| !v.as_bytes().iter().all(u8::is_ascii_whitespace));
        match (values.next(), values.next()) {
            (Some(v), None) => {
                request.token.has_cookie() && v.to_str().is_ok_and(|t| request.token.verify(t))
            }
            _ => false,
        }
    }

    #[doc(hidden)]
    /// Looks for the token in the buffered body after [`Decision::ReadBody`].
    ///
    /// Reads urlencoded and multipart forms (field [`field_name`](CsrfBuilder::field_name))
    /// and JSON objects (key [`json_key`](CsrfBuilder::json_key)); the body is
    /// never modified. A request that was not waiting for its body passes through.
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Decision, RejectReason};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// # let csrf = Csrf::builder().key(&[9; 32]).build().unwrap();
    /// # let facts = RequestFacts::new(Scheme::Http, Some("localhost"));
    /// # let (get, _) = http::Request::get("/").body(()).unwrap().into_parts();
    /// # let Decision::Pass(r) = csrf.check(&get, &facts, None) else { panic!() };
    /// # let token = r.token().masked();
    /// # let mut h = http::HeaderMap::new(); csrf.finish(&r, &mut h);
    /// # let cookie = h["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    /// let (post, _) = http::Request::post("/")
    ///     .header("cookie", cookie)
    ///     .header("content-type", "application/x-www-form-urlencoded")
    ///     .body(()).unwrap().into_parts();
    /// let Decision::ReadBody { request, limit, .. } = csrf.check(&post, &facts, None) else { panic!() };
    /// assert_eq!(limit, 1024 * 1024);
    /// let body = bytes::Bytes::from(format!("name=x&_csrf_token={token}"));
    /// let checked = futures_util::FutureExt::now_or_never(csrf.check_body(request, &post.headers, &body)).unwrap();
    /// assert!(checked.is_ok());
    /// ```
    pub async fn check_body(
        &self,
        mut request: CsrfRequest,
        headers: &HeaderMap,
        body: &Bytes,
    ) -> Result<CsrfRequest, Rejection> {
        let Some(pending) = request.pending.take() else {
            return Ok(request);
        };
        let span = crate::telemetry::debug_span!(
            "rampart.csrf.body",
            method = pending.method.as_str(),
            path = pending.uri.path(),
            bytes = body.len()
        );
        tracing::Instrument::instrument(self.check_pending(request, pending, headers, body), span)
            .await
    }

    async fn check_pending(
        &self,
        request: CsrfRequest,
        pending: Box<Pending>,
        headers: &HeaderMap,
        body: &Bytes,
    ) -> Result<CsrfRequest, Rejection> {
        let line = Line::from(&*pending);
        let inner = &self.0;
        if body.len() > inner.body_limit {
            return self.refuse(request, line, RejectReason::TooLarge, None);
        }
        let (reason, detail) = match body::extract(
            pending.kind,
            headers,
            body,
            &inner.field_name,
            &inner.json_key,
        )
        .await
        {
            Ok(Some(t)) if request.token.verify(&t) => {
                telemetry::csrf_passed_by_token();
                return Ok(request);
            }
            Ok(Some(t)) => (RejectReason::BadToken, Some(bad_token_detail("body", &t))),
            Ok(None) => (RejectReason::MissingToken, None),
            // A body that cannot be read says nothing about the token.
            Err(reason) => return self.refuse(request, line, reason, None),
        };
        if pending.vouched {
            telemetry::csrf_disagreement(Disagreement::HeadersPassedTokenRefused, reason);
        }
        self.refuse(request, line, reason, detail.as_deref())
    }

    #[doc(hidden)]
    /// For adapters whose body *declared* a length over the
    /// [`Decision::ReadBody`] limit, so that nothing was read: logs the
    /// refusal and returns it, or in report-only mode lets the request (and its
    /// untouched body) through. A body that outgrew the limit while it was
    /// read is lost in part: see [`body_unreadable`](Self::body_unreadable).
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Decision, RejectReason};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// # let csrf = Csrf::builder().key(&[9; 32]).build().unwrap();
    /// # let facts = RequestFacts::new(Scheme::Http, None);
    /// # let (get, _) = http::Request::get("/").body(()).unwrap().into_parts();
    /// # let Decision::Pass(r) = csrf.check(&get, &facts, None) else { panic!() };
    /// assert_eq!(csrf.body_too_large(r).unwrap_err().reason, RejectReason::TooLarge);
    /// ```
    pub fn body_too_large(&self, mut request: CsrfRequest) -> Result<CsrfRequest, Rejection> {
        let pending = request.pending.take();
        self.refuse(
            request,
            pending_line(&pending),
            RejectReason::TooLarge,
            None,
        )
    }

    #[doc(hidden)]
    /// For adapters: the body cannot go on to the handler whole (the client
    /// broke off, sent a malformed chunked stream, or `reason` is
    /// [`TooLarge`](RejectReason::TooLarge) for a body that outgrew the limit
    /// while it was read). Refused in every mode, report-only included, as
    /// there is no intact request left to let through; logged as rejected.
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Decision, RejectReason};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// let csrf = Csrf::builder().key(&[9; 32]).report_only(true).build().unwrap();
    /// # let facts = RequestFacts::new(Scheme::Http, None);
    /// # let (get, _) = http::Request::get("/").body(()).unwrap().into_parts();
    /// # let Decision::Pass(r) = csrf.check(&get, &facts, None) else { panic!() };
    /// let rejection = csrf.body_unreadable(r, RejectReason::MalformedBody);
    /// assert_eq!(rejection.status(), 400);
    /// ```
    pub fn body_unreadable(&self, mut request: CsrfRequest, reason: RejectReason) -> Rejection {
        let pending = request.pending.take();
        self.reject(
            request,
            pending_line(&pending),
            reason,
            Some("the body could not be read whole"),
        )
    }

    fn refuse_decision(
        &self,
        request: CsrfRequest,
        line: Line<'_>,
        reason: RejectReason,
        detail: Option<String>,
    ) -> Decision {
        match self.refuse(request, line, reason, detail.as_deref()) {
            Ok(r) => Decision::Pass(r),
            Err(rej) => Decision::Reject(rej),
        }
    }

    /// A failed check: in report-only mode logged and let through, otherwise
    /// [`reject`](Self::reject)ed. The request must no longer be waiting for
    /// its body.
    fn refuse(
        &self,
        request: CsrfRequest,
        line: Line<'_>,
        reason: RejectReason,
        detail: Option<&str>,
    ) -> Result<CsrfRequest, Rejection> {
        debug_assert!(request.pending.is_none());
        if self.0.report_only {
            telemetry::csrf_refused(reason, true);
            log_refusal(line, reason, detail, true);
            return Ok(request);
        }
        Err(self.reject(request, line, reason, detail))
    }

    /// Logs a refusal and builds it (with the secret cookie a client without
    /// one is owed, so that its next try can succeed).
    fn reject(
        &self,
        request: CsrfRequest,
        line: Line<'_>,
        reason: RejectReason,
        detail: Option<&str>,
    ) -> Rejection {
        telemetry::csrf_refused(reason, false);
        log_refusal(line, reason, detail, false);
        let mut rejection = Rejection::new(reason);
        if reason == RejectReason::MissingCookie {
            rejection.set_cookies = request.token.take_cookies(false).1;
        }
        rejection
    }

    #[doc(hidden)]
    /// Adds what the response owes the client: the secret cookie (when a token
    /// was issued and the client lacked a valid secret, or after
    /// [`rotate`](CsrfToken::rotate)) and `Vary: Cookie` on responses that
    /// issued a token. Existing headers are kept.
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Decision};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// # let csrf = Csrf::builder().key(&[9; 32]).build().unwrap();
    /// # let facts = RequestFacts::new(Scheme::Https, None);
    /// # let (parts, _) = http::Request::get("/").body(()).unwrap().into_parts();
    /// # let Decision::Pass(req) = csrf.check(&parts, &facts, None) else { panic!() };
    /// let mut h = http::HeaderMap::new();
    /// csrf.finish(&req, &mut h);
    /// assert!(h.is_empty()); // no token asked for: nothing to set
    /// ```
    pub fn finish(&self, request: &CsrfRequest, response_headers: &mut HeaderMap) {
        request.finish(response_headers);
    }

    #[doc(hidden)]
    /// The default refusal: status, content type and body; JSON
    /// (`{"error":"csrf","reason":..,"message":..}`) when `Accept` asks for JSON
    /// and not HTML, else a small HTML page. Never contains request data.
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Rejection};
    /// # let csrf = Csrf::builder().key(&[9; 32]).build().unwrap();
    /// let accept = http::HeaderValue::from_static("application/json");
    /// let (status, ct, body) = csrf.reject_response_parts(&Rejection::too_large(), Some(&accept));
    /// assert_eq!(status.as_u16(), 413);
    /// assert_eq!(ct, "application/json");
    /// assert!(std::str::from_utf8(&body).unwrap().contains("\"too-large\""));
    /// ```
    pub fn reject_response_parts(
        &self,
        rejection: &Rejection,
        accept: Option<&HeaderValue>,
    ) -> (StatusCode, HeaderValue, Bytes) {
        default_parts(rejection, accept)
    }

    #[doc(hidden)]
    /// The refusal response: the [`on_reject`](CsrfBuilder::on_reject) hook's
    /// or the default, plus the rejection's `Set-Cookie` values.
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Rejection};
    /// # let csrf = Csrf::builder().key(&[9; 32]).build().unwrap();
    /// let resp = csrf.render_rejection(&Rejection::too_large(), None);
    /// assert_eq!(resp.status().as_u16(), 413);
    /// assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    /// ```
    pub fn render_rejection(
        &self,
        rejection: &Rejection,
        accept: Option<&HeaderValue>,
    ) -> http::Response<Bytes> {
        let mut resp = match &self.0.on_reject {
            Some(hook) => hook(rejection),
            None => {
                let (status, ct, body) = self.reject_response_parts(rejection, accept);
                let mut r = http::Response::new(body);
                *r.status_mut() = status;
                r.headers_mut().insert(http::header::CONTENT_TYPE, ct);
                r.headers_mut().insert(
                    http::header::CACHE_CONTROL,
                    HeaderValue::from_static("no-store"),
                );
                r
            }
        };
        for c in rejection.set_cookies() {
            resp.headers_mut()
                .append(http::header::SET_COOKIE, c.clone());
        }
        // The reason travels with the refusal, so outer middleware and error
        // pages can tell why (as tower-http's CSRF layer does).
        resp.extensions_mut().insert(rejection.reason);
        resp
    }
}

/// Why a token did not verify, for the log (never the token): a well-formed
/// one was signed with a key this server does not hold (replicas on different
/// key rings) or for another visitor's cookie.
fn bad_token_detail(place: &str, token: &str) -> String {
    if super::token::well_formed(token) {
        format!(
            "{place} token: well-formed, but not signed by any key in this server's ring for this \
             cookie's secret (replicas must share RAMPART_CSRF_KEY; or the token belongs to another cookie)"
        )
    } else {
        format!("{place} token: not a token (86 base64url characters expected)")
    }
}

/// The one log line of a failed check: the reason, the request line (path
/// without the query) and a fixed detail; never a token, secret or cookie.
fn log_refusal(line: Line<'_>, reason: RejectReason, detail: Option<&str>, allowed: bool) {
    let verdict = if allowed {
        " (report-only: request allowed)"
    } else {
        ": request rejected"
    };
    tracing::warn!(
        reason = reason.code(),
        method = line.method,
        path = line.path,
        detail = detail.unwrap_or_default(),
        "CSRF check failed{verdict}"
    );
}
