//! Which requests the CSRF checks cover: exemptions and include-only mode.

use super::CsrfBuilder;
use crate::Exemptions;

impl CsrfBuilder {
    /// Requests the checks leave alone (webhooks, API clients with their own
    /// credentials): path prefixes, matched routes or predicates; see
    /// [`Exemptions`](crate::Exemptions). Given again, replaces the earlier ones.
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Decision};
    /// # use rampart_core::{Exemptions, RequestFacts, Scheme};
    /// let hooks = Exemptions::new().path_prefix("/hooks").route("/webhooks/{provider}");
    /// let csrf = Csrf::builder().key(&[1; 32]).exempt(hooks).build().unwrap();
    /// # let facts = RequestFacts::new(Scheme::Https, Some("app.example"));
    /// # let cross_site = |path: &str| http::Request::post(path).header("sec-fetch-site", "cross-site").body(()).unwrap().into_parts().0;
    /// assert!(matches!(csrf.check(&cross_site("/hooks/a"), &facts, None), Decision::Pass(_)));
    /// assert!(matches!(csrf.check(&cross_site("/w/github"), &facts, Some("/webhooks/{provider}")), Decision::Pass(_)));
    /// assert!(matches!(csrf.check(&cross_site("/account"), &facts, None), Decision::Reject(_)));
    /// ```
    pub fn exempt(mut self, exempt: Exemptions) -> Self {
        self.exempt = exempt;
        self
    }

    /// Checks the origin of WebSocket handshakes (on by default). A handshake
    /// is a GET, so without this an attacker's page could open a socket to
    /// the app with the visitor's cookies (cross-site WebSocket hijacking).
    /// A handshake from another site (`Sec-Fetch-Site`, else `Origin`, against
    /// the request's own origin and the trusted origins) gets `403` before the
    /// handler runs; one with neither header is no browser's and passes.
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Decision, RejectReason};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// let csrf = Csrf::builder().key(&[1; 32]).build().unwrap();
    /// # let facts = RequestFacts::new(Scheme::Https, Some("app.example"));
    /// let ws = |origin: &str| http::Request::get("/ws").header("upgrade", "websocket")
    ///     .header("connection", "upgrade").header("origin", origin).body(()).unwrap().into_parts().0;
    /// assert!(matches!(csrf.check(&ws("https://app.example"), &facts, None), Decision::Pass(_)));
    /// let Decision::Reject(r) = csrf.check(&ws("https://evil.example"), &facts, None) else { panic!() };
    /// assert_eq!(r.reason, RejectReason::OriginMismatch);
    /// let off = Csrf::builder().key(&[1; 32]).check_websockets(false).build().unwrap();
    /// assert!(matches!(off.check(&ws("https://evil.example"), &facts, None), Decision::Pass(_)));
    /// ```
    pub fn check_websockets(mut self, yes: bool) -> Self {
        self.websockets = yes;
        self
    }

    /// Checks the origin of `Accept: text/event-stream` requests as WebSocket
    /// handshakes are checked (off by default: an event stream is read-only,
    /// but one that carries a visitor's private data should not be readable
    /// by another site's `EventSource`).
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Decision};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// let csrf = Csrf::builder().key(&[1; 32]).check_event_streams(true).build().unwrap();
    /// # let facts = RequestFacts::new(Scheme::Https, Some("app.example"));
    /// let (sse, _) = http::Request::get("/events").header("accept", "text/event-stream")
    ///     .header("sec-fetch-site", "cross-site").body(()).unwrap().into_parts();
    /// assert!(matches!(csrf.check(&sse, &facts, None), Decision::Reject(_)));
    /// ```
    pub fn check_event_streams(mut self, yes: bool) -> Self {
        self.event_streams = yes;
        self
    }

    /// Protects only requests matching [`include_path_prefix`](Self::include_path_prefix)
    /// or [`include_route`](Self::include_route); everything else passes.
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Decision};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// let csrf = Csrf::builder().key(&[1; 32]).include_only().include_path_prefix("/account").build().unwrap();
    /// # let facts = RequestFacts::new(Scheme::Https, Some("app.example"));
    /// # let cross_site = |path: &str| http::Request::post(path).header("sec-fetch-site", "cross-site").body(()).unwrap().into_parts().0;
    /// assert!(matches!(csrf.check(&cross_site("/account/email"), &facts, None), Decision::Reject(_)));
    /// assert!(matches!(csrf.check(&cross_site("/blog/comment"), &facts, None), Decision::Pass(_)));
    /// ```
    pub fn include_only(mut self) -> Self {
        self.include_only = true;
        self
    }

    /// A protected path prefix in [`include_only`](Self::include_only) mode
    /// (segment boundaries; ambiguous paths count as included). Plain ASCII
    /// without escapes: a router that decodes could route a differently
    /// spelled path there; name such routes with
    /// [`include_route`](Self::include_route).
    ///
    /// ```
    /// # use rampart_core::csrf::Csrf;
    /// assert!(Csrf::builder().key(&[1; 32]).include_only().include_path_prefix("x").build().is_err());
    /// ```
    pub fn include_path_prefix(mut self, p: &str) -> Self {
        match crate::path::config_prefix(
            "csrf.include_path_prefix",
            p,
            crate::path::PrefixEscapes::Refused,
        ) {
            Ok(p) => self.include_prefixes.push(p),
            Err(e) => self.error(e),
        }
        self
    }

    /// A protected route pattern in [`include_only`](Self::include_only) mode.
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Decision};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// let csrf = Csrf::builder().key(&[1; 32]).include_only().include_route("/transfer").build().unwrap();
    /// # let facts = RequestFacts::new(Scheme::Https, Some("app.example"));
    /// let (post, _) = http::Request::post("/transfer").header("sec-fetch-site", "cross-site")
    ///     .body(()).unwrap().into_parts();
    /// assert!(matches!(csrf.check(&post, &facts, Some("/transfer")), Decision::Reject(_)));
    /// assert!(matches!(csrf.check(&post, &facts, Some("/search")), Decision::Pass(_)));
    /// ```
    pub fn include_route(mut self, pattern: &str) -> Self {
        self.include_routes.push(pattern.to_string());
        self
    }
}
