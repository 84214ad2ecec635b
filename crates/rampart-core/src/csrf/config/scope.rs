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
