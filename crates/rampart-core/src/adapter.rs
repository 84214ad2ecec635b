//! **For framework adapter authors.** An application never needs this module;
//! it is hidden from the documentation, as are the hooks below on the
//! application-facing types. rampart's own adapters (Tower/axum in `rampart`,
//! actix-web in `rampart-actix`) use exactly these, so a new adapter can
//! produce the same output.
//!
//! An adapter converts its framework's request into `http` types and, per request:
//!
//! 1. header layer, inbound: [`SecureHeaders::inbound`] (redirect or serve; a
//!    [`RequestScope`](crate::RequestScope) to put on the request when shared);
//! 2. CSRF layer: `ProxyTrust::lazy_facts` (the request's facts), `Csrf::check`
//!    (`Decision::Pass`, `Reject` or `ReadBody`), [`read_limited`] with the
//!    runtime's sleep as deadline, [`Csrf::check_body_read`], then
//!    `CsrfRequest::token` into the request and `CsrfRequest::finish` on the
//!    response (`CsrfRequest::may_owe_headers` says whether it has anything to do);
//!    `Csrf::render_rejection` for a refusal, `Csrf::wants_route` before a costly
//!    route lookup;
//! 3. route overrides: [`Overrides::for_route`] and [`Overrides::merged_with`];
//! 4. nonce extractors: [`nonces_or_standalone`];
//! 5. header layer, outbound: [`SecureHeaders::outbound`];
//! 6. report endpoint: [`report_method_check`], [`read_limited`] under
//!    `ReportCollector::max_body_bytes` and `body_deadline`, [`report_response`].
//!
//! It decides nothing itself: every rule lives in the core, here or with its type.
//!
//! ```
//! use rampart_core::adapter::Inbound;
//! use rampart_core::headers::SecureHeaders;
//! use rampart_core::ConnectionInfo;
//!
//! let sh = SecureHeaders::default();
//! let (parts, _) = http::Request::get("/").header("host", "shop.example").body(()).unwrap().into_parts();
//! match sh.inbound(ConnectionInfo::peer("203.0.113.9".parse().unwrap()), &parts) {
//!     Inbound::Respond(res) => assert_eq!(res.status(), 301), // plain http for a public host
//!     Inbound::Continue(_) => unreachable!(),
//! }
//! ```

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};

use bytes::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt};
use http::{header, HeaderMap, HeaderValue, Method, Response, StatusCode};

use crate::csp::{ReportCollector, RequestNonces};
use crate::csrf::{Csrf, CsrfRequest, RejectReason, Rejection};
use crate::headers::{CspOverride, Overrides, RedirectDecision, SecureHeaders};
use crate::{ConnectionInfo, RequestFacts, RequestScope, Scheme};

/// What an adapter does with a request before the application sees it.
#[derive(Debug)]
pub enum Inbound {
    /// Serve it: when the scope [`is_shared`](RequestScope::is_shared), put a
    /// clone of it into the request extensions (the CSRF layer and the
    /// extractors find it there); keep the scope for [`SecureHeaders::outbound`].
    Continue(RequestScope),
    /// Answer at once with this response (an HTTPS redirect or a `400` for a
    /// bad host), security headers already applied.
    Respond(Response<Bytes>),
}

impl SecureHeaders {
    #[doc(hidden)]
    /// The inbound half of the header layer: request facts under this set's
    /// proxy trust, then the HTTPS redirect decision. A redirect (`301` for
    /// GET/HEAD, `308` otherwise) or a bad-host refusal (`400`, logged) is
    /// returned as a complete response carrying the header set.
    ///
    /// ```
    /// use rampart_core::adapter::Inbound;
    /// use rampart_core::headers::SecureHeaders;
    /// use rampart_core::ConnectionInfo;
    ///
    /// let sh = SecureHeaders::default();
    /// let (parts, _) = http::Request::post("/pay?x=1").header("host", "shop.example").body(()).unwrap().into_parts();
    /// let Inbound::Respond(res) = sh.inbound(ConnectionInfo::default(), &parts) else { panic!() };
    /// assert_eq!(res.status(), 308);
    /// assert_eq!(res.headers()["location"], "https://shop.example/pay?x=1");
    /// assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    /// ```
    pub fn inbound(&self, conn: ConnectionInfo, parts: &http::request::Parts) -> Inbound {
        let _span = crate::telemetry::debug_span!(
            "rampart.headers",
            method = parts.method.as_str(),
            path = parts.uri.path()
        )
        .entered();
        if !self.shares_scope()
            && self
                .proxy_trust()
                .secure_noting_untrusted(conn, &parts.headers)
        {
            // Secure, and nothing downstream reads a scope: the redirect and
            // the response side need no more than that.
            return Inbound::Continue(RequestScope::local(RequestFacts::new(Scheme::Https, None)));
        }
        let facts = self.facts(conn, &parts.uri, &parts.headers);
        let for_predicate = self.redirect_needs_parts().then_some(parts);
        match self.redirect(&parts.method, &parts.uri, &facts, for_predicate) {
            RedirectDecision::Continue if self.shares_scope() => {
                Inbound::Continue(RequestScope::new(facts, self.csp()))
            }
            RedirectDecision::Continue => Inbound::Continue(RequestScope::local(facts)),
            RedirectDecision::Redirect { status, location } => {
                let mut res = Response::new(Bytes::new());
                *res.status_mut() = status;
                res.headers_mut().insert(header::LOCATION, location);
                self.apply(&facts, None, None, res.headers_mut());
                Inbound::Respond(res)
            }
            RedirectDecision::BadHost(reason) => {
                tracing::warn!(
                    reason,
                    path = parts.uri.path(),
                    "rampart: refused to redirect to https"
                );
                let mut res = Response::new(Bytes::from(format!("400 Bad Request: {reason}\n")));
                *res.status_mut() = StatusCode::BAD_REQUEST;
                res.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/plain; charset=utf-8"),
                );
                self.apply(&facts, None, None, res.headers_mut());
                Inbound::Respond(res)
            }
        }
    }

    #[doc(hidden)]
    /// The outbound half: writes the header set into the response headers
    /// (see [`SecureHeaders::apply`]) with the scope's facts and nonces and the
    /// response's [`Overrides`].
    ///
    /// ```
    /// use rampart_core::adapter::Inbound;
    /// use rampart_core::headers::SecureHeaders;
    /// use rampart_core::ConnectionInfo;
    ///
    /// let sh = SecureHeaders::default();
    /// let (parts, _) = http::Request::get("/").header("host", "localhost").body(()).unwrap().into_parts();
    /// let Inbound::Continue(scope) = sh.inbound(ConnectionInfo::default(), &parts) else { panic!() };
    /// let mut h = http::HeaderMap::new();
    /// sh.outbound(&scope, None, &mut h);
    /// assert_eq!(h["x-frame-options"], "SAMEORIGIN");
    /// ```
    pub fn outbound(
        &self,
        scope: &RequestScope,
        overrides: Option<&Overrides>,
        headers: &mut HeaderMap,
    ) {
        let _span = crate::telemetry::debug_span!("rampart.headers.response").entered();
        self.apply(scope.facts(), scope.nonces(), overrides, headers);
    }
}

/// The outcome of reading a request body under a limit.
#[derive(Debug)]
pub enum BodyRead<B> {
    /// The whole body.
    Complete(Bytes),
    /// `Content-Length` announced more than the limit; nothing was read, so the
    /// body is handed back intact.
    DeclaredTooLarge(B),
    /// The body grew past the limit while being read (part of it is consumed).
    TooLarge,
    /// The client or connection failed while sending it.
    Broken,
    /// The body did not arrive before the deadline (part of it may be consumed).
    TimedOut,
}

/// The `Content-Length` of a request, when present and a valid number.
///
/// ```
/// let mut h = http::HeaderMap::new();
/// h.insert("content-length", "12".parse().unwrap());
/// assert_eq!(rampart_core::adapter::declared_length(&h), Some(12));
/// ```
pub fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
}

/// Reads a whole body of at most `limit` bytes, before `deadline` completes.
///
/// A `Content-Length` above the limit is refused without reading anything (the
/// body comes back in [`BodyRead::DeclaredTooLarge`]); otherwise `into_stream`
/// turns the body into a stream of byte chunks, which is read until it ends,
/// passes the limit, fails, or the deadline (the adapter's runtime's sleep)
/// fires: a client that stalls mid-body cannot hold the request open.
///
/// ```
/// use rampart_core::adapter::{read_limited, BodyRead};
/// let chunks = futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from_static(b"ab")), Ok(bytes::Bytes::from_static(b"cd"))]);
/// let read = futures_util::FutureExt::now_or_never(read_limited(&http::HeaderMap::new(), chunks, 3, |s| s, std::future::pending())).unwrap();
/// assert!(matches!(read, BodyRead::TooLarge));
/// let stalled = futures_util::stream::pending::<Result<bytes::Bytes, std::io::Error>>();
/// let read = futures_util::FutureExt::now_or_never(read_limited(&http::HeaderMap::new(), stalled, 3, |s| s, std::future::ready(()))).unwrap();
/// assert!(matches!(read, BodyRead::TimedOut));
/// ```
pub async fn read_limited<B, S, E>(
    headers: &HeaderMap,
    body: B,
    limit: usize,
    into_stream: impl FnOnce(B) -> S,
    deadline: impl Future<Output = ()>,
) -> BodyRead<B>
where
    S: Stream<Item = Result<Bytes, E>>,
{
    let declared = declared_length(headers);
    if declared.is_some_and(|n| n > limit as u64) {
        return BodyRead::DeclaredTooLarge(body);
    }
    let read = read_stream(into_stream(body), limit, declared);
    match futures_util::future::select(std::pin::pin!(read), std::pin::pin!(deadline)).await {
        futures_util::future::Either::Left((read, _)) => read,
        futures_util::future::Either::Right(((), _)) => BodyRead::TimedOut,
    }
}

async fn read_stream<B, S, E>(stream: S, limit: usize, declared: Option<u64>) -> BodyRead<B>
where
    S: Stream<Item = Result<Bytes, E>>,
{
    let mut stream = std::pin::pin!(stream);
    let mut first: Option<Bytes> = None;
    let mut buf: Option<BytesMut> = None;
    let mut len = 0usize;
    while let Some(chunk) = stream.next().await {
        let Ok(chunk) = chunk else {
            return BodyRead::Broken;
        };
        if chunk.is_empty() {
            continue;
        }
        len = len.saturating_add(chunk.len());
        if len > limit {
            return BodyRead::TooLarge;
        }
        // One chunk (the common case) is kept as is; more are joined.
        match (&mut first, &mut buf) {
            (None, None) => first = Some(chunk),
            (Some(f), None) => {
                let mut b = BytesMut::with_capacity(declared.map_or(len, |d| d as usize).max(len));
                b.extend_from_slice(f);
                b.extend_from_slice(&chunk);
                first = None;
                buf = Some(b);
            }
            (_, Some(b)) => b.extend_from_slice(&chunk),
        }
    }
    BodyRead::Complete(match (first, buf) {
        (_, Some(b)) => b.freeze(),
        (Some(f), None) => f,
        (None, None) => Bytes::new(),
    })
}

/// The body a request continues with after [`Csrf::check_body_read`].
#[derive(Debug)]
pub enum PassBody<B> {
    /// The original body, unread (report-only mode let an oversized body through).
    Untouched(B),
    /// The buffered bytes, exactly as received.
    Buffered(Bytes),
}

impl Csrf {
    #[doc(hidden)]
    /// What follows from reading the body after
    /// [`Decision::ReadBody`](crate::csrf::Decision::ReadBody):
    ///
    /// * complete → [`check_body`](Csrf::check_body) looks for the token;
    /// * declared too large (nothing read) → `413`, or in report-only mode the
    ///   untouched body goes on;
    /// * grew too large while read → `413` (even in report-only mode: part of the
    ///   body is gone);
    /// * broken → `400` (likewise);
    /// * not there before the deadline → `408` (likewise).
    ///
    /// ```
    /// use rampart_core::adapter::BodyRead;
    /// # use rampart_core::csrf::{Csrf, Decision};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// # let csrf = Csrf::builder().key(&[9; 32]).build().unwrap();
    /// # let facts = RequestFacts::new(Scheme::Http, None);
    /// # let (get, _) = http::Request::get("/").body(()).unwrap().into_parts();
    /// # let Decision::Pass(request) = csrf.check(&get, &facts, None) else { panic!() };
    /// let read: BodyRead<()> = BodyRead::TooLarge;
    /// let out = futures_util::FutureExt::now_or_never(csrf.check_body_read(request, &http::HeaderMap::new(), read)).unwrap();
    /// assert_eq!(out.unwrap_err().status(), 413);
    /// ```
    pub async fn check_body_read<B>(
        &self,
        request: CsrfRequest,
        headers: &HeaderMap,
        read: BodyRead<B>,
    ) -> Result<(CsrfRequest, PassBody<B>), Rejection> {
        match read {
            BodyRead::Complete(bytes) => {
                let request = self.check_body(request, headers, &bytes).await?;
                Ok((request, PassBody::Buffered(bytes)))
            }
            BodyRead::DeclaredTooLarge(body) => self
                .body_too_large(request)
                .map(|r| (r, PassBody::Untouched(body))),
            BodyRead::TooLarge => Err(self.body_unreadable(request, RejectReason::TooLarge)),
            BodyRead::Broken => Err(self.body_unreadable(request, RejectReason::MalformedBody)),
            BodyRead::TimedOut => Err(self.body_unreadable(request, RejectReason::BodyTimeout)),
        }
    }
}

/// The CSP report endpoint's answer to a request that is not a `POST`
/// (`405`), or `None` when the body should be read.
///
/// ```
/// let res = rampart_core::adapter::report_method_check(&http::Method::GET).unwrap();
/// assert_eq!(res.status(), 405);
/// assert!(rampart_core::adapter::report_method_check(&http::Method::POST).is_none());
/// ```
pub fn report_method_check(method: &Method) -> Option<Response<Bytes>> {
    (method != Method::POST)
        .then(|| plain_reply(StatusCode::METHOD_NOT_ALLOWED, "reports must be POSTed"))
}

/// The CSP report endpoint's answer once the body was read (under
/// [`ReportCollector::max_body_bytes`], before
/// [`ReportCollector::body_deadline`]): `204` when the reports were taken,
/// `413` for a body over the limit, `400` for a broken body, `408` for one
/// that did not arrive in time, and the collector's 4xx otherwise. Never a
/// 5xx. The client the rate limit counts is the one the collector's
/// [`proxy_trust`](crate::csp::ReportCollectorBuilder::proxy_trust) reports.
///
/// ```
/// use rampart_core::adapter::{report_response, BodyRead};
/// use rampart_core::csp::ReportCollector;
/// use rampart_core::ConnectionInfo;
/// let c = ReportCollector::new(|_: &rampart_core::csp::CspReport| {});
/// let mut h = http::HeaderMap::new();
/// h.insert("content-type", "text/plain".parse().unwrap());
/// let res = report_response(&c, ConnectionInfo::default(), &h, BodyRead::<()>::Complete(bytes::Bytes::from_static(b"{}")));
/// assert_eq!(res.status(), 415);
/// let res = report_response(&c, ConnectionInfo::default(), &h, BodyRead::<()>::TimedOut);
/// assert_eq!(res.status(), 408);
/// ```
pub fn report_response<B>(
    collector: &ReportCollector,
    conn: ConnectionInfo,
    headers: &HeaderMap,
    read: BodyRead<B>,
) -> Response<Bytes> {
    let bytes = match read {
        BodyRead::Complete(b) => b,
        BodyRead::DeclaredTooLarge(_) | BodyRead::TooLarge => {
            collector.record_too_large();
            return plain_reply(StatusCode::PAYLOAD_TOO_LARGE, "report body too large");
        }
        BodyRead::Broken => {
            crate::telemetry::csp_report_body("unreadable");
            return plain_reply(StatusCode::BAD_REQUEST, "report body could not be read");
        }
        BodyRead::TimedOut => {
            crate::telemetry::csp_report_body("timed-out");
            tracing::warn!("rampart: a CSP report body did not arrive in time");
            return plain_reply(
                StatusCode::REQUEST_TIMEOUT,
                "report body did not arrive in time",
            );
        }
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let client = collector.client(conn, headers);
    match collector.ingest(content_type, client, &bytes) {
        Ok(_) => plain_reply(StatusCode::NO_CONTENT, ""),
        Err(e) => plain_reply(e.status(), &e.to_string()),
    }
}

fn plain_reply(status: StatusCode, msg: &str) -> Response<Bytes> {
    let mut res = Response::new(Bytes::copy_from_slice(msg.as_bytes()));
    *res.status_mut() = status;
    if !msg.is_empty() {
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
    }
    res
}

impl Overrides {
    #[doc(hidden)]
    /// Prepares a route's overrides for one request. A replacement policy with
    /// nonces on a request whose scope has none (the app-wide policy takes no
    /// nonce) gets nonce handles of the replacement's shape, on the request's
    /// own cells when it has a scope: they are returned for the adapter to put
    /// into the request extensions, and carried by the returned overrides so
    /// the header shows the nonce the handler rendered.
    ///
    /// ```
    /// use rampart_core::csp::{Csp, Policy};
    /// use rampart_core::headers::Overrides;
    /// let strict = Csp::builder(Policy::strict()).nonce_in(["script-src"]).build().unwrap();
    /// let (o, cells) = Overrides::new().csp(strict).for_route(None);
    /// assert!(cells.is_some() && o.nonces().is_some());
    /// let (_, cells) = Overrides::new().csp_off().for_route(None);
    /// assert!(cells.is_none());
    /// ```
    pub fn for_route(&self, scope: Option<&RequestScope>) -> (Overrides, Option<RequestNonces>) {
        let mut overrides = self.clone();
        if scope.is_some_and(|s| s.nonces().is_some()) {
            return (overrides, None);
        }
        if let Some(CspOverride::Replace(csp)) = overrides.csp_override() {
            let cells = match scope {
                Some(s) => s.nonces_for(csp),
                None => csp.new_request_nonces(),
            };
            if let Some(n) = cells {
                overrides = overrides.with_nonces(n.clone());
                return (overrides, Some(n));
            }
        }
        (overrides, None)
    }

    #[doc(hidden)]
    /// Combines a route's overrides with those the handler returned (`later`,
    /// applied after, so the handler has the last word).
    ///
    /// ```
    /// use rampart_core::headers::Overrides;
    /// let o = Overrides::new().merged_with(Some(Overrides::new().csp_off()));
    /// assert!(!o.is_empty());
    /// ```
    pub fn merged_with(self, later: Option<Overrides>) -> Overrides {
        match later {
            Some(handler) => self.merge(handler),
            None => self,
        }
    }
}

static MISSING_NONCE_LOGGED: AtomicBool = AtomicBool::new(false);

/// The nonce cells a nonce extractor hands out: those a route override put on
/// the request (its replacement policy takes nonces), else the request scope's,
/// or, when no CSP with `nonce_in(..)` covers the route, standalone cells and a
/// warning (logged once per process) saying that no header will carry the nonce.
///
/// ```
/// let n = rampart_core::adapter::nonces_or_standalone(None, None, "/page");
/// assert_eq!(n.script().value().len(), 24);
/// ```
pub fn nonces_or_standalone(
    scope: Option<&RequestScope>,
    route_cells: Option<&RequestNonces>,
    path: &str,
) -> RequestNonces {
    match route_cells.or_else(|| scope.and_then(RequestScope::nonces)) {
        Some(n) => n.clone(),
        None => {
            if !MISSING_NONCE_LOGGED.swap(true, Ordering::Relaxed) {
                tracing::warn!(
                    path,
                    "rampart: a CSP nonce was requested but no CSP with nonce_in(..) covers this route; \
                     the nonce will not be in any header, so scripts using it will be blocked (logged once)"
                );
            }
            RequestNonces::standalone()
        }
    }
}

/// Body of the `500` a CSRF token extractor answers on a route no CSRF
/// middleware covers (a server misconfiguration, logged as an error).
///
/// ```
/// assert!(rampart_core::adapter::MISSING_CSRF_MESSAGE.contains("CSRF"));
/// ```
pub const MISSING_CSRF_MESSAGE: &str =
    "server misconfiguration: CSRF protection is not installed on this route";

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::FutureExt;

    fn read(
        chunks: Vec<Result<&'static [u8], ()>>,
        limit: usize,
        cl: Option<&str>,
    ) -> BodyRead<()> {
        let mut h = HeaderMap::new();
        if let Some(cl) = cl {
            h.insert(header::CONTENT_LENGTH, cl.parse().unwrap());
        }
        let s = futures_util::stream::iter(
            chunks
                .into_iter()
                .map(|c| c.map(Bytes::from_static))
                .collect::<Vec<_>>(),
        );
        read_limited(&h, (), limit, |_| s, std::future::pending())
            .now_or_never()
            .unwrap()
    }

    /// A set that shares no scope still redirects, serves loopback hosts over
    /// http, and keeps the host when it had to work it out.
    #[test]
    fn local_scopes_keep_every_decision() {
        let sh = SecureHeaders::default();
        let parts = |host: &str| {
            http::Request::get("/p?q=1")
                .header("host", host)
                .body(())
                .unwrap()
                .into_parts()
                .0
        };
        let tls = ConnectionInfo::default().with_tls(true);
        let Inbound::Continue(scope) = sh.inbound(tls, &parts("Shop.example")) else {
            panic!("a secure request is served")
        };
        assert!(!scope.is_shared() && scope.facts().secure());
        let Inbound::Continue(scope) =
            sh.inbound(ConnectionInfo::default(), &parts("localhost:8000"))
        else {
            panic!("loopback is served over http")
        };
        assert!(!scope.is_shared() && !scope.facts().secure());
        assert_eq!(scope.facts().host(), Some("localhost:8000"));
        let Inbound::Respond(res) = sh.inbound(ConnectionInfo::default(), &parts("Shop.example"))
        else {
            panic!("plain http elsewhere is redirected")
        };
        assert_eq!(res.headers()["location"], "https://shop.example/p?q=1");
    }

    #[test]
    fn limits_and_joins() {
        assert!(matches!(read(vec![Ok(b"abc")], 3, None), BodyRead::Complete(b) if b == "abc"));
        assert!(
            matches!(read(vec![Ok(b"ab"), Ok(b""), Ok(b"c"), Ok(b"d")], 4, Some("4")), BodyRead::Complete(b) if b == "abcd")
        );
        assert!(matches!(read(vec![], 4, None), BodyRead::Complete(b) if b.is_empty()));
        assert!(matches!(
            read(vec![Ok(b"ab"), Ok(b"cd")], 3, None),
            BodyRead::TooLarge
        ));
        assert!(matches!(
            read(vec![Ok(b"a")], 3, Some("4")),
            BodyRead::DeclaredTooLarge(())
        ));
        assert!(matches!(
            read(vec![Ok(b"a"), Err(())], 3, None),
            BodyRead::Broken
        ));
    }
}
