//! Which requests the CSRF checks cover: exemptions and include-only mode.

use std::sync::Arc;

use super::CsrfBuilder;

impl CsrfBuilder {
    /// Exempts a path prefix, matched on segment boundaries: `/api` exempts
    /// `/api` and `/api/x`, not `/apix`. Paths with dot segments, empty
    /// segments, a backslash, or an escape of `.`, `/`, `\` or `%` (or a
    /// malformed one) are never exempt: routers may normalise them to another
    /// path. Other escapes below the prefix (`/api/a%40b`) are fine. The prefix
    /// itself is plain ASCII; a non-ASCII segment is written escaped, as
    /// browsers send it (`/caf%C3%A9`, either hex case).
    ///
    /// ```
    /// # use rampart_core::csrf::Csrf;
    /// assert!(Csrf::builder().key(&[1; 32]).exempt_path_prefix("/hooks").build().is_ok());
    /// assert!(Csrf::builder().key(&[1; 32]).exempt_path_prefix("/caf%C3%A9").build().is_ok());
    /// assert!(Csrf::builder().key(&[1; 32]).exempt_path_prefix("hooks").build().is_err());
    /// assert!(Csrf::builder().key(&[1; 32]).exempt_path_prefix("/%68ooks").build().is_err());
    /// ```
    pub fn exempt_path_prefix(mut self, prefix: &str) -> Self {
        match crate::path::config_prefix(
            "csrf.exempt_path_prefix",
            prefix,
            crate::path::PrefixEscapes::NonAscii,
        ) {
            Ok(p) => self.exempt_prefixes.push(p),
            Err(e) => self.error(e),
        }
        self
    }

    /// Exempts a route pattern, compared exactly with the framework's matched
    /// route (axum `MatchedPath`, actix `match_pattern`) that adapters pass.
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Decision};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// let csrf = Csrf::builder().key(&[1; 32]).exempt_route("/webhooks/{provider}").build().unwrap();
    /// # let facts = RequestFacts::new(Scheme::Https, Some("app.example"));
    /// let (hook, _) = http::Request::post("/webhooks/github").header("sec-fetch-site", "cross-site")
    ///     .body(()).unwrap().into_parts();
    /// assert!(matches!(csrf.check(&hook, &facts, Some("/webhooks/{provider}")), Decision::Pass(_)));
    /// assert!(matches!(csrf.check(&hook, &facts, Some("/other")), Decision::Reject(_)));
    /// ```
    pub fn exempt_route(mut self, pattern: &str) -> Self {
        self.exempt_routes.push(pattern.to_string());
        self
    }

    /// Exempts requests for which `f` returns true (several predicates: any).
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Decision};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// let csrf = Csrf::builder().key(&[1; 32]).exempt_if(|p| p.headers.contains_key("x-api-key")).build().unwrap();
    /// # let facts = RequestFacts::new(Scheme::Https, Some("app.example"));
    /// let (api, _) = http::Request::post("/x").header("x-api-key", "k").header("sec-fetch-site", "cross-site")
    ///     .body(()).unwrap().into_parts();
    /// assert!(matches!(csrf.check(&api, &facts, None), Decision::Pass(_)));
    /// let (browser, _) = http::Request::post("/x").header("sec-fetch-site", "cross-site")
    ///     .body(()).unwrap().into_parts();
    /// assert!(matches!(csrf.check(&browser, &facts, None), Decision::Reject(_)));
    /// ```
    pub fn exempt_if(
        mut self,
        f: impl Fn(&http::request::Parts) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.exempt_if.push(Arc::new(f));
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
