//! The [`CsrfBuilder`] builder and the compiled settings behind [`Csrf`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use cookie::SameSite;
use http::header::HeaderName;

use super::cookie::{valid_cookie_name, CookieSettings};
use super::keys::KeyRing;
use super::origin_check::OriginPolicy;
use super::reject::Rejection;
use super::settings::{Inner, RejectHook};
use super::state::Csrf;
use crate::error::Problems;
use crate::{ConfigError, Exemptions, Origin, ProxyTrust};

/// Environment variable read when no key is configured.
///
/// ```
/// assert_eq!(rampart_core::csrf::DEFAULT_KEY_ENV, "RAMPART_CSRF_KEY");
/// ```
pub const DEFAULT_KEY_ENV: &str = "RAMPART_CSRF_KEY";
/// Default lifetime of the secret cookie: 365 days.
pub(crate) const DEFAULT_COOKIE_MAX_AGE: Duration = Duration::from_secs(365 * 24 * 60 * 60);
/// Default body limit when looking for a token in the body: 1 MiB.
pub(crate) const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;
/// Default deadline for a body the token must be read from.
const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// Builder for [`Csrf`]; start with [`Csrf::builder`].
///
/// Setters never fail; mistakes are collected and reported by
/// [`build`](CsrfBuilder::build) as a [`ConfigError`] naming the setting.
///
/// ```
/// use rampart_core::csrf::{Csrf, Decision};
/// # use rampart_core::{RequestFacts, Scheme};
/// let csrf = Csrf::builder()
///     .key(&[0x5a; 32])
///     .trusted_origin("https://admin.example.com")
///     .session_cookie("session")
///     .exempt(rampart_core::Exemptions::new().path_prefix("/webhooks"))
///     .build()
///     .unwrap();
/// # let facts = RequestFacts::new(Scheme::Https, Some("app.example"));
/// let (hook, _) = http::Request::post("/webhooks/github").header("sec-fetch-site", "cross-site")
///     .body(()).unwrap().into_parts();
/// assert!(matches!(csrf.check(&hook, &facts, None), Decision::Pass(_))); // exempt
/// assert_eq!(Csrf::builder().key(b"short").build().unwrap_err().setting(), "csrf.key");
/// ```
#[must_use]
pub struct CsrfBuilder {
    ring: Option<KeyRing>,
    key_env: Option<String>,
    trusted: Vec<String>,
    allow_same_site: bool,
    check_referer: bool,
    tokens: bool,
    session_cookie: Option<String>,
    header_name: String,
    field_name: String,
    json_key: String,
    cookie_name: String,
    cookie_path: String,
    cookie_domain: Option<String>,
    cookie_max_age: Duration,
    same_site: SameSite,
    js_readable: bool,
    body_limit: usize,
    body_timeout: Duration,
    cache_control: Option<String>,
    exempt: Exemptions,
    include_only: bool,
    include_prefixes: Vec<String>,
    include_routes: Vec<String>,
    report_only: bool,
    on_reject: Option<RejectHook>,
    proxy_trust: ProxyTrust,
    websockets: bool,
    event_streams: bool,
    js_cookie_name: String,
    errors: Vec<ConfigError>,
}

impl Default for CsrfBuilder {
    fn default() -> Self {
        Self {
            ring: None,
            key_env: None,
            trusted: Vec::new(),
            allow_same_site: false,
            check_referer: true,
            tokens: true,
            session_cookie: None,
            header_name: "X-CSRFToken".into(),
            field_name: "_csrf_token".into(),
            json_key: "_csrf_token".into(),
            cookie_name: "csrf".into(),
            cookie_path: "/".into(),
            cookie_domain: None,
            cookie_max_age: DEFAULT_COOKIE_MAX_AGE,
            same_site: SameSite::Lax,
            js_readable: false,
            body_limit: DEFAULT_BODY_LIMIT,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            cache_control: Some(crate::headers::PRIVATE_CACHE_CONTROL.into()),
            exempt: Exemptions::new(),
            include_only: false,
            include_prefixes: Vec::new(),
            include_routes: Vec::new(),
            report_only: false,
            on_reject: None,
            proxy_trust: ProxyTrust::nobody(),
            websockets: true,
            event_streams: false,
            js_cookie_name: crate::csrf::JS_COOKIE_NAME.to_string(),
            errors: Vec::new(),
        }
    }
}

impl fmt::Debug for CsrfBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CsrfBuilder")
            .field("keys", &self.ring)
            .field("key_env", &self.key_env)
            .field("trusted", &self.trusted)
            .field("tokens", &self.tokens)
            .field("report_only", &self.report_only)
            .finish_non_exhaustive()
    }
}

impl CsrfBuilder {
    fn error(&mut self, e: ConfigError) {
        self.errors.push(e);
    }

    /// Whose forwarded headers tell the request's own origin, for a CSRF layer
    /// used without a secure headers layer. Under one, set it on the header set
    /// ([`SecureHeadersBuilder::proxy_trust`](crate::headers::SecureHeadersBuilder::proxy_trust)):
    /// a header set that trusts a proxy shares its facts with this layer, and a
    /// trust set here as well is then unused (logged once).
    ///
    /// ```
    /// use rampart_core::csrf::Csrf;
    /// use rampart_core::{ProxyHeaders, ProxyTrust};
    /// let nginx = ProxyTrust::loopback(ProxyHeaders::X_FORWARDED);
    /// assert!(Csrf::builder().key(&[1; 32]).proxy_trust(nginx).build().is_ok());
    /// let wrong = ProxyTrust::loopback(ProxyHeaders::default());
    /// let e = Csrf::builder().key(&[1; 32]).proxy_trust(wrong).build().unwrap_err();
    /// assert_eq!(e.setting(), "proxy_headers");
    /// ```
    pub fn proxy_trust(mut self, trust: ProxyTrust) -> Self {
        self.proxy_trust = trust;
        self
    }

    /// Adds a signing key (at least 32 bytes). The first key added is the newest
    /// and signs; later ones only verify (rotation).
    ///
    /// ```
    /// # use rampart_core::csrf::Csrf;
    /// assert!(Csrf::builder().key(&[1; 32]).key(&[2; 32]).build().is_ok());
    /// ```
    pub fn key(mut self, key: &[u8]) -> Self {
        self.ring = Some(match self.ring.take() {
            None => KeyRing::new(key),
            Some(r) => r.with_older(key),
        });
        self
    }

    /// Replaces the key ring.
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, KeyRing};
    /// let ring = KeyRing::new(&[3; 32]);
    /// assert!(Csrf::builder().keys(ring).build().is_ok());
    /// ```
    pub fn keys(mut self, ring: KeyRing) -> Self {
        self.ring = Some(ring);
        self
    }

    /// Reads keys from environment variable `var` at [`build`](Self::build):
    /// hex or base64, comma-separated for a ring, newest first. A missing
    /// variable is a build error. Keys added with [`key`](Self::key) stay newest.
    /// Without any key, `RAMPART_CSRF_KEY` is read if set.
    ///
    /// ```
    /// # use rampart_core::csrf::Csrf;
    /// let r = Csrf::builder().key_from_env("SURELY_UNSET_RAMPART_TEST_VAR").build();
    /// assert!(r.is_err());
    /// ```
    pub fn key_from_env(mut self, var: &str) -> Self {
        self.key_env = Some(var.to_string());
        self
    }

    /// Trusts cross-origin requests from `origin` (`scheme://host[:port]`), or
    /// from every origin one label below a host: `https://*.example.com` trusts
    /// `https://a.example.com`, not `https://example.com`, `https://a.b.example.com`,
    /// another scheme or another port. The wildcard is only the leftmost label,
    /// never `*` alone or over a top-level name; a pattern is checked at build.
    ///
    /// ```
    /// # use rampart_core::csrf::Csrf;
    /// assert!(Csrf::builder().key(&[1; 32]).trusted_origin("https://a.example").build().is_ok());
    /// assert!(Csrf::builder().key(&[1; 32]).trusted_origin("https://*.example.com").build().is_ok());
    /// let e = Csrf::builder().key(&[1; 32]).trusted_origin("a.example").build().unwrap_err();
    /// assert!(e.message().contains("https://a.example"));
    /// for too_broad in ["https://*", "*://a.example", "https://a.*.example", "https://*.com", "https://*.com.", "https://*.2.3.4", "https://*.example.com:*"] {
    ///     assert!(Csrf::builder().key(&[1; 32]).trusted_origin(too_broad).build().is_err(), "{too_broad}");
    /// }
    /// ```
    pub fn trusted_origin(mut self, origin: &str) -> Self {
        self.trusted.push(origin.to_string());
        self
    }

    /// Lets `Sec-Fetch-Site: same-site` requests through (sibling subdomains).
    /// Off by default, as in Go: subdomains are not trusted.
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Decision, RejectReason};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// # let facts = RequestFacts::new(Scheme::Https, Some("app.example"));
    /// let (sibling, _) = http::Request::post("/x").header("sec-fetch-site", "same-site")
    ///     .body(()).unwrap().into_parts();
    /// let strict = Csrf::builder().key(&[1; 32]).tokens(false).build().unwrap();
    /// let Decision::Reject(r) = strict.check(&sibling, &facts, None) else { panic!() };
    /// assert_eq!(r.reason, RejectReason::CrossOrigin);
    /// let relaxed = Csrf::builder().key(&[1; 32]).tokens(false).allow_same_site(true).build().unwrap();
    /// assert!(matches!(relaxed.check(&sibling, &facts, None), Decision::Pass(_)));
    /// ```
    pub fn allow_same_site(mut self, yes: bool) -> Self {
        self.allow_same_site = yes;
        self
    }

    /// Requires a same-origin `Referer` on secure requests that carry neither
    /// `Sec-Fetch-Site` nor `Origin` (default on).
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Decision, RejectReason};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// # let facts = RequestFacts::new(Scheme::Https, Some("app.example"));
    /// // An https POST with no Sec-Fetch-Site, Origin or Referer.
    /// let (bare, _) = http::Request::post("/x").body(()).unwrap().into_parts();
    /// let checked = Csrf::builder().key(&[1; 32]).tokens(false).build().unwrap();
    /// let Decision::Reject(r) = checked.check(&bare, &facts, None) else { panic!() };
    /// assert_eq!(r.reason, RejectReason::RefererMissing);
    /// let unchecked = Csrf::builder().key(&[1; 32]).tokens(false).check_referer(false).build().unwrap();
    /// assert!(matches!(unchecked.check(&bare, &facts, None), Decision::Pass(_)));
    /// ```
    pub fn check_referer(mut self, yes: bool) -> Self {
        self.check_referer = yes;
        self
    }

    /// Whether unsafe requests also need a token (default true). With `false`
    /// only the Fetch-Metadata/Origin/Referer check runs (Go-style).
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Decision, RejectReason};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// # let facts = RequestFacts::new(Scheme::Https, Some("app.example"));
    /// // Same-origin, but no cookie and no token.
    /// let (post, _) = http::Request::post("/x").header("sec-fetch-site", "same-origin")
    ///     .body(()).unwrap().into_parts();
    /// let with_tokens = Csrf::builder().key(&[1; 32]).build().unwrap();
    /// let Decision::Reject(r) = with_tokens.check(&post, &facts, None) else { panic!() };
    /// assert_eq!(r.reason, RejectReason::MissingCookie);
    /// let origin_only = Csrf::builder().key(&[1; 32]).tokens(false).build().unwrap();
    /// assert!(matches!(origin_only.check(&post, &facts, None), Decision::Pass(_)));
    /// ```
    pub fn tokens(mut self, required: bool) -> Self {
        self.tokens = required;
        self
    }

    /// Binds tokens to the value of this cookie (the application's session
    /// cookie), so a token planted by an attacker for another session fails.
    /// Call [`CsrfToken::rotate`](crate::csrf::CsrfToken::rotate) at login and logout.
    ///
    /// ```
    /// # use rampart_core::csrf::Csrf;
    /// assert!(Csrf::builder().key(&[1; 32]).session_cookie("id").build().is_ok());
    /// assert!(Csrf::builder().key(&[1; 32]).session_cookie("a b").build().is_err());
    /// ```
    pub fn session_cookie(mut self, name: &str) -> Self {
        self.session_cookie = Some(name.to_string());
        self
    }

    /// Request header carrying the token (default `X-CSRFToken`).
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Decision};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// let c = Csrf::builder().key(&[1; 32]).header_name("X-CSRF-Token").build().unwrap();
    /// # let facts = RequestFacts::new(Scheme::Https, None);
    /// # let (get, _) = http::Request::get("/").body(()).unwrap().into_parts();
    /// # let Decision::Pass(req) = c.check(&get, &facts, None) else { panic!() };
    /// assert_eq!(req.token().header_name(), "X-CSRF-Token");
    /// let e = Csrf::builder().key(&[1; 32]).header_name("X CSRF").build().unwrap_err();
    /// assert_eq!(e.setting(), "csrf.header_name");
    /// ```
    pub fn header_name(mut self, name: &str) -> Self {
        self.header_name = name.to_string();
        self
    }

    /// Form (urlencoded or multipart) field carrying the token (default `_csrf_token`).
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Decision};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// let c = Csrf::builder().key(&[1; 32]).field_name("authenticity_token").build().unwrap();
    /// # let facts = RequestFacts::new(Scheme::Https, None);
    /// # let (get, _) = http::Request::get("/").body(()).unwrap().into_parts();
    /// # let Decision::Pass(req) = c.check(&get, &facts, None) else { panic!() };
    /// assert_eq!(req.token().field_name(), "authenticity_token");
    /// let e = Csrf::builder().key(&[1; 32]).field_name("").build().unwrap_err();
    /// assert_eq!(e.setting(), "csrf.field_name");
    /// ```
    pub fn field_name(mut self, name: &str) -> Self {
        self.field_name = name.to_string();
        self
    }

    /// Top-level JSON key carrying the token (default `_csrf_token`).
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Decision};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// let csrf = Csrf::builder().key(&[1; 32]).json_key("csrf").build().unwrap();
    /// # let facts = RequestFacts::new(Scheme::Http, Some("localhost"));
    /// # let (get, _) = http::Request::get("/").body(()).unwrap().into_parts();
    /// # let Decision::Pass(r) = csrf.check(&get, &facts, None) else { panic!() };
    /// # let token = r.token().masked();
    /// # let mut h = http::HeaderMap::new(); r.finish(&mut h);
    /// # let cookie = h["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    /// let (post, _) = http::Request::post("/").header("cookie", cookie)
    ///     .header("content-type", "application/json").body(()).unwrap().into_parts();
    /// let Decision::ReadBody { request, .. } = csrf.check(&post, &facts, None) else { panic!() };
    /// let body = bytes::Bytes::from(format!(r#"{{"csrf":"{token}"}}"#));
    /// let checked = futures_util::FutureExt::now_or_never(csrf.check_body(request, &post.headers, &body)).unwrap();
    /// assert!(checked.is_ok());
    /// ```
    pub fn json_key(mut self, name: &str) -> Self {
        self.json_key = name.to_string();
        self
    }

    /// Most bytes buffered when the token must come from the body (default 1 MiB).
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Decision};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// let csrf = Csrf::builder().key(&[1; 32]).body_limit(64 * 1024).build().unwrap();
    /// # let facts = RequestFacts::new(Scheme::Http, Some("localhost"));
    /// # let (get, _) = http::Request::get("/").body(()).unwrap().into_parts();
    /// # let Decision::Pass(r) = csrf.check(&get, &facts, None) else { panic!() };
    /// # r.token().masked();
    /// # let mut h = http::HeaderMap::new(); r.finish(&mut h);
    /// # let cookie = h["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    /// // A form POST without the header token: the adapter buffers at most `limit` bytes.
    /// let (post, _) = http::Request::post("/").header("cookie", cookie)
    ///     .header("content-type", "application/x-www-form-urlencoded").body(()).unwrap().into_parts();
    /// let Decision::ReadBody { limit, .. } = csrf.check(&post, &facts, None) else { panic!() };
    /// assert_eq!(limit, 64 * 1024);
    /// assert_eq!(Csrf::builder().key(&[1; 32]).body_limit(0).build().unwrap_err().setting(), "csrf.body_limit");
    /// ```
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// How long a body the token must be read from may take to arrive, from
    /// the first byte awaited to the last (default 10 s). A client that stops
    /// sending mid-body gets `408 Request Timeout` (logged as `body-timeout`)
    /// instead of holding the connection, and a buffer, forever.
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Decision};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// use std::time::Duration;
    /// let csrf = Csrf::builder().key(&[1; 32]).body_timeout(Duration::from_secs(30)).build().unwrap();
    /// # let facts = RequestFacts::new(Scheme::Http, Some("localhost"));
    /// # let (get, _) = http::Request::get("/").body(()).unwrap().into_parts();
    /// # let Decision::Pass(r) = csrf.check(&get, &facts, None) else { panic!() };
    /// # r.token().masked();
    /// # let mut h = http::HeaderMap::new(); r.finish(&mut h);
    /// # let cookie = h["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    /// let (post, _) = http::Request::post("/").header("cookie", cookie)
    ///     .header("content-type", "application/json").body(()).unwrap().into_parts();
    /// let Decision::ReadBody { timeout, .. } = csrf.check(&post, &facts, None) else { panic!() };
    /// assert_eq!(timeout, Duration::from_secs(30));
    /// let e = Csrf::builder().key(&[1; 32]).body_timeout(Duration::ZERO).build().unwrap_err();
    /// assert_eq!(e.setting(), "csrf.body_timeout");
    /// ```
    pub fn body_timeout(mut self, timeout: Duration) -> Self {
        self.body_timeout = timeout;
        self
    }

    /// The `Cache-Control` of a response that rendered a token (or set the
    /// JS-readable token cookie) when its handler set none: `private, no-store`
    /// by default, `None` to leave such responses as they are. The masked token
    /// is one visitor's; a shared cache that ignores `Vary: Cookie` would
    /// otherwise serve it to everyone.
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Decision};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// let csrf = Csrf::builder().key(&[1; 32]).token_cache_control(Some("private, max-age=0")).build().unwrap();
    /// # let facts = RequestFacts::new(Scheme::Https, None);
    /// # let (get, _) = http::Request::get("/form").body(()).unwrap().into_parts();
    /// # let Decision::Pass(req) = csrf.check(&get, &facts, None) else { panic!() };
    /// req.token().masked(); // the page renders a token
    /// let mut h = http::HeaderMap::new();
    /// req.finish(&mut h);
    /// assert_eq!(h["cache-control"], "private, max-age=0");
    /// let e = Csrf::builder().key(&[1; 32]).token_cache_control(Some("bad\nvalue")).build().unwrap_err();
    /// assert_eq!(e.setting(), "csrf.token_cache_control");
    /// ```
    pub fn token_cache_control(mut self, value: Option<&str>) -> Self {
        self.cache_control = value.map(str::to_owned);
        self
    }

    /// Logs what would be rejected (`tracing::warn!`) and lets it through.
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Decision};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// let csrf = Csrf::builder().key(&[1; 32]).report_only(true).build().unwrap();
    /// # let facts = RequestFacts::new(Scheme::Https, Some("app.example"));
    /// let (forged, _) = http::Request::post("/x").header("sec-fetch-site", "cross-site")
    ///     .body(()).unwrap().into_parts();
    /// assert!(matches!(csrf.check(&forged, &facts, None), Decision::Pass(_))); // logged, let through
    /// ```
    pub fn report_only(mut self, yes: bool) -> Self {
        self.report_only = yes;
        self
    }

    /// Replaces the default refusal response (used by
    /// [`Csrf::render_rejection`]).
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Rejection};
    /// let csrf = Csrf::builder().key(&[1; 32]).on_reject(|r| {
    ///     http::Response::builder().status(r.status()).body(bytes::Bytes::from("no")).unwrap()
    /// }).build().unwrap();
    /// let resp = csrf.render_rejection(&Rejection::too_large(), None);
    /// assert_eq!(resp.status().as_u16(), 413);
    /// assert_eq!(&resp.body()[..], b"no");
    /// ```
    pub fn on_reject(
        mut self,
        f: impl Fn(&Rejection) -> http::Response<Bytes> + Send + Sync + 'static,
    ) -> Self {
        self.on_reject = Some(Arc::new(f));
        self
    }
}

impl Csrf {
    /// Starts a configuration with the defaults.
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Decision, RejectReason};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// let csrf = Csrf::builder().key(&[1; 32]).build().unwrap();
    /// # let facts = RequestFacts::new(Scheme::Https, Some("app.example"));
    /// // By default every unsafe method is checked, and cross-site ones are refused.
    /// let (forged, _) = http::Request::post("/x").header("sec-fetch-site", "cross-site")
    ///     .body(()).unwrap().into_parts();
    /// let Decision::Reject(r) = csrf.check(&forged, &facts, None) else { panic!() };
    /// assert_eq!(r.reason, RejectReason::CrossOrigin);
    /// ```
    pub fn builder() -> CsrfBuilder {
        CsrfBuilder::default()
    }
}

mod build;
mod cookies;
mod scope;
#[cfg(test)]
mod tests;
