//! [`Exemptions`]: which requests skip a protection. One type for the HTTPS
//! redirect and the CSRF checks, with one path rule (`path.rs`).

use std::fmt;
use std::sync::Arc;

use crate::ConfigError;

type Predicate = Arc<dyn Fn(&http::request::Parts) -> bool + Send + Sync>;

/// Requests a protection leaves alone: health checks, webhooks, internal
/// probes. A request is exempt when any rule matches.
///
/// * [`path_prefix`](Self::path_prefix): on segment boundaries (`/health`
///   exempts `/health` and `/health/live`, not `/healthz`). Ambiguous paths (dot
///   or empty segments, a backslash, escapes of `.`, `/`, `\` or `%`) are never
///   exempt: a router may normalise them to another path.
/// * [`route`](Self::route): the framework's matched route pattern, exactly
///   (CSRF only: the redirect runs before routing, so building a redirect with
///   a route exemption is an error).
/// * [`when`](Self::when): any predicate over the request head.
///
/// Setters never fail; the `build()` of the layer given these reports every
/// mistake.
///
/// ```
/// use rampart_core::csrf::{Csrf, Decision};
/// use rampart_core::headers::{HttpsRedirect, SecureHeaders};
/// use rampart_core::{Exemptions, RequestFacts, Scheme};
/// let health = Exemptions::new().path_prefix("/health");
/// let sh = SecureHeaders::builder().https_redirect(HttpsRedirect::default().exempt(health.clone()));
/// assert!(sh.build().is_ok());
/// let csrf = Csrf::builder().key(&[1; 32]).exempt(health.route("/hooks/{id}")).build().unwrap();
/// let facts = RequestFacts::new(Scheme::Https, Some("app.example"));
/// let (hook, _) = http::Request::post("/hooks/7").header("sec-fetch-site", "cross-site").body(()).unwrap().into_parts();
/// assert!(matches!(csrf.check(&hook, &facts, Some("/hooks/{id}")), Decision::Pass(_)));
/// ```
#[derive(Clone, Default)]
#[must_use]
pub struct Exemptions {
    prefixes: Vec<String>,
    routes: Vec<String>,
    predicates: Vec<Predicate>,
    problems: Vec<ConfigError>,
}

impl fmt::Debug for Exemptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Exemptions")
            .field("path_prefixes", &self.prefixes)
            .field("routes", &self.routes)
            .field("predicates", &self.predicates.len())
            .finish()
    }
}

impl Exemptions {
    /// No exemptions.
    pub fn new() -> Self {
        Self::default()
    }

    /// Exempts a path prefix. The prefix is plain ASCII, starting with `/`; a
    /// non-ASCII segment is written escaped, as browsers send it
    /// (`/caf%C3%A9`, either hex case). Other escapes below the prefix
    /// (`/api/a%40b`) still match.
    ///
    /// ```
    /// use rampart_core::csrf::Csrf;
    /// use rampart_core::Exemptions;
    /// let ok = Exemptions::new().path_prefix("/hooks").path_prefix("/caf%C3%A9");
    /// assert!(Csrf::builder().key(&[1; 32]).exempt(ok).build().is_ok());
    /// let bad = Exemptions::new().path_prefix("hooks").path_prefix("/%68ooks");
    /// let e = Csrf::builder().key(&[1; 32]).exempt(bad).build().unwrap_err();
    /// assert_eq!(e.problems().count(), 2);
    /// assert_eq!(e.setting(), "exempt.path_prefix");
    /// ```
    pub fn path_prefix(mut self, prefix: &str) -> Self {
        match crate::path::config_prefix(
            "exempt.path_prefix",
            prefix,
            crate::path::PrefixEscapes::NonAscii,
        ) {
            Ok(p) => self.prefixes.push(p),
            Err(e) => self.problems.push(e),
        }
        self
    }

    /// Exempts a route pattern, compared exactly with the framework's matched
    /// route (axum `MatchedPath`, actix `match_pattern`).
    ///
    /// ```
    /// use rampart_core::headers::{HttpsRedirect, SecureHeaders};
    /// use rampart_core::Exemptions;
    /// let by_route = HttpsRedirect::default().exempt(Exemptions::new().route("/health"));
    /// let e = SecureHeaders::builder().https_redirect(by_route).build().unwrap_err();
    /// assert_eq!(e.setting(), "https_redirect.exempt");
    /// ```
    pub fn route(mut self, pattern: &str) -> Self {
        self.routes.push(pattern.to_string());
        self
    }

    /// Exempts requests for which `f` returns true.
    ///
    /// ```
    /// use rampart_core::csrf::{Csrf, Decision};
    /// use rampart_core::{Exemptions, RequestFacts, Scheme};
    /// let api_keys = Exemptions::new().when(|p| p.headers.contains_key("x-api-key"));
    /// let csrf = Csrf::builder().key(&[1; 32]).exempt(api_keys).build().unwrap();
    /// let facts = RequestFacts::new(Scheme::Https, Some("app.example"));
    /// let (api, _) = http::Request::post("/x").header("x-api-key", "k").header("sec-fetch-site", "cross-site")
    ///     .body(()).unwrap().into_parts();
    /// assert!(matches!(csrf.check(&api, &facts, None), Decision::Pass(_)));
    /// ```
    pub fn when(
        mut self,
        f: impl Fn(&http::request::Parts) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.predicates.push(Arc::new(f));
        self
    }

    /// Every mistake in these exemptions, for the `build()` of the layer
    /// given them; `routing` says whether that layer sees matched routes.
    pub(crate) fn problems(&self, routing: bool, setting: &str) -> Vec<ConfigError> {
        let mut out = self.problems.clone();
        if !routing && !self.routes.is_empty() {
            out.push(ConfigError::new(
                setting,
                "the HTTPS redirect runs before routing, so it cannot match route patterns; \
                 exempt the path prefix instead (Exemptions::path_prefix), or use a predicate",
            ));
        }
        out
    }

    /// Whether a plain path (see `path::plain_path`) is under an exempt prefix.
    pub(crate) fn matches_prefix(&self, path: &str) -> bool {
        self.prefixes
            .iter()
            .any(|p| crate::path::prefix_matches(path, p))
    }

    /// Whether `path` is exempt by the path rules (ambiguous paths never are).
    pub(crate) fn matches_path(&self, path: &str) -> bool {
        self.prefixes.iter().any(|p| crate::path::within(path, p))
    }

    /// Whether the matched route is exempt.
    pub(crate) fn matches_route(&self, route: Option<&str>) -> bool {
        route.is_some_and(|r| self.routes.iter().any(|p| p == r))
    }

    pub(crate) fn has_routes(&self) -> bool {
        !self.routes.is_empty()
    }

    pub(crate) fn has_predicate(&self) -> bool {
        !self.predicates.is_empty()
    }

    /// Whether a predicate exempts the request.
    pub(crate) fn matches_parts(&self, parts: &http::request::Parts) -> bool {
        self.predicates.iter().any(|f| f(parts))
    }
}
