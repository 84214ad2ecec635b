//! The [`CsrfConfig`] builder and the compiled settings behind [`Csrf`].

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
use super::state::Csrf;
use crate::error::Problems;
use crate::{ConfigError, Origin};

/// Environment variable read when no key is configured.
///
/// ```
/// assert_eq!(rampart_core::csrf::DEFAULT_KEY_ENV, "RAMPART_CSRF_KEY");
/// ```
pub const DEFAULT_KEY_ENV: &str = "RAMPART_CSRF_KEY";
/// Default lifetime of the secret cookie: 365 days.
///
/// ```
/// assert_eq!(rampart_core::csrf::DEFAULT_COOKIE_MAX_AGE.as_secs(), 31_536_000);
/// ```
pub const DEFAULT_COOKIE_MAX_AGE: Duration = Duration::from_secs(365 * 24 * 60 * 60);
/// Default body limit when looking for a token in the body: 1 MiB.
///
/// ```
/// assert_eq!(rampart_core::csrf::DEFAULT_BODY_LIMIT, 1 << 20);
/// ```
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;
/// Default deadline for a body the token must be read from.
const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(10);

type Predicate = Arc<dyn Fn(&http::request::Parts) -> bool + Send + Sync>;
type RejectHook = Arc<dyn Fn(&Rejection) -> http::Response<Bytes> + Send + Sync>;

/// Builder for [`Csrf`]; start with [`Csrf::builder`].
///
/// Setters never fail; mistakes are collected and reported by
/// [`build`](CsrfConfig::build) as a [`ConfigError`] naming the setting.
///
/// ```
/// use rampart_core::csrf::{Csrf, Decision};
/// # use rampart_core::{RequestFacts, Scheme};
/// let csrf = Csrf::builder()
///     .key(&[0x5a; 32])
///     .trusted_origin("https://admin.example.com")
///     .session_cookie("session")
///     .exempt_path_prefix("/webhooks")
///     .build()
///     .unwrap();
/// # let facts = RequestFacts { secure: true, scheme: Scheme::Https, host: Some("app.example".into()), from_trusted_proxy: false };
/// let (hook, _) = http::Request::post("/webhooks/github").header("sec-fetch-site", "cross-site")
///     .body(()).unwrap().into_parts();
/// assert!(matches!(csrf.check(&hook, &facts, None), Decision::Pass(_))); // exempt
/// assert_eq!(Csrf::builder().key(b"short").build().unwrap_err().setting(), "csrf.key");
/// ```
#[must_use]
pub struct CsrfConfig {
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
    exempt_prefixes: Vec<String>,
    exempt_routes: Vec<String>,
    exempt_if: Vec<Predicate>,
    include_only: bool,
    include_prefixes: Vec<String>,
    include_routes: Vec<String>,
    report_only: bool,
    on_reject: Option<RejectHook>,
    errors: Vec<ConfigError>,
}

/// Compiled settings shared by every clone of [`Csrf`] and every token handle.
pub(crate) struct Inner {
    pub(crate) keys: KeyRing,
    pub(crate) origin: OriginPolicy,
    pub(crate) tokens: bool,
    pub(crate) session_cookie: Option<String>,
    pub(crate) header_name: HeaderName,
    pub(crate) header_name_str: String,
    pub(crate) field_name: String,
    pub(crate) json_key: String,
    pub(crate) cookie: CookieSettings,
    pub(crate) body_limit: usize,
    pub(crate) body_timeout: Duration,
    pub(crate) cache_control: Option<http::HeaderValue>,
    pub(crate) exempt_prefixes: Vec<String>,
    pub(crate) exempt_routes: Vec<String>,
    pub(crate) exempt_if: Vec<Predicate>,
    pub(crate) include_only: bool,
    pub(crate) include_prefixes: Vec<String>,
    pub(crate) include_routes: Vec<String>,
    pub(crate) report_only: bool,
    pub(crate) on_reject: Option<RejectHook>,
}

impl Default for CsrfConfig {
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
            exempt_prefixes: Vec::new(),
            exempt_routes: Vec::new(),
            exempt_if: Vec::new(),
            include_only: false,
            include_prefixes: Vec::new(),
            include_routes: Vec::new(),
            report_only: false,
            on_reject: None,
            errors: Vec::new(),
        }
    }
}

impl fmt::Debug for CsrfConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CsrfConfig")
            .field("keys", &self.ring)
            .field("key_env", &self.key_env)
            .field("trusted", &self.trusted)
            .field("tokens", &self.tokens)
            .field("report_only", &self.report_only)
            .finish_non_exhaustive()
    }
}

impl CsrfConfig {
    fn error(&mut self, e: ConfigError) {
        self.errors.push(e);
    }

    /// Adds a signing key (at least 32 bytes). The first key added is the newest
    /// and signs; later ones only verify (rotation).
    ///
    /// ```
    /// # use rampart_core::csrf::Csrf;
    /// assert!(Csrf::builder().key(&[1; 32]).key(&[2; 32]).build().is_ok());
    /// ```
    pub fn key(mut self, key: &[u8]) -> Self {
        let next = match self.ring.take() {
            None => KeyRing::new(key),
            Some(r) => r.with_older(key),
        };
        match next {
            Ok(r) => self.ring = Some(r),
            Err(e) => self.error(e),
        }
        self
    }

    /// Replaces the key ring.
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, KeyRing};
    /// let ring = KeyRing::new(&[3; 32]).unwrap();
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

    /// Trusts cross-origin requests from `origin` (`scheme://host[:port]`).
    ///
    /// ```
    /// # use rampart_core::csrf::Csrf;
    /// assert!(Csrf::builder().key(&[1; 32]).trusted_origin("https://a.example").build().is_ok());
    /// let e = Csrf::builder().key(&[1; 32]).trusted_origin("a.example").build().unwrap_err();
    /// assert!(e.message().contains("https://a.example"));
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
    /// # let facts = RequestFacts { secure: true, scheme: Scheme::Https, host: Some("app.example".into()), from_trusted_proxy: false };
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
    /// # let facts = RequestFacts { secure: true, scheme: Scheme::Https, host: Some("app.example".into()), from_trusted_proxy: false };
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
    /// # let facts = RequestFacts { secure: true, scheme: Scheme::Https, host: Some("app.example".into()), from_trusted_proxy: false };
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
    /// # let facts = RequestFacts { secure: true, scheme: Scheme::Https, host: None, from_trusted_proxy: false };
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
    /// # let facts = RequestFacts { secure: true, scheme: Scheme::Https, host: None, from_trusted_proxy: false };
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
    /// # let facts = RequestFacts { secure: false, scheme: Scheme::Http, host: Some("localhost".into()), from_trusted_proxy: false };
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

    /// Base name of the secret cookie (default `csrf`). Secure requests use
    /// `__Host-<name>` (or `__Secure-<name>` with a domain or a path other than
    /// `/`); plain http uses the bare name without `Secure`, so local
    /// development over `http://localhost` works.
    ///
    /// ```
    /// # use rampart_core::csrf::Csrf;
    /// assert!(Csrf::builder().key(&[1; 32]).cookie_name("x;y").build().is_err());
    /// ```
    pub fn cookie_name(mut self, name: &str) -> Self {
        self.cookie_name = name.to_string();
        self
    }

    /// Cookie `Path` (default `/`; anything else drops the `__Host-` prefix).
    ///
    /// ```
    /// # use rampart_core::csrf::Csrf;
    /// assert!(Csrf::builder().key(&[1; 32]).cookie_path("app").build().is_err());
    /// ```
    pub fn cookie_path(mut self, p: &str) -> Self {
        self.cookie_path = p.to_string();
        self
    }

    /// Cookie `Domain` (default none; setting one drops the `__Host-` prefix and
    /// exposes the cookie to subdomains, which weakens it against cookie tossing).
    ///
    /// ```
    /// # use rampart_core::csrf::Csrf;
    /// assert!(Csrf::builder().key(&[1; 32]).cookie_domain("example.com").build().is_ok());
    /// ```
    pub fn cookie_domain(mut self, d: &str) -> Self {
        self.cookie_domain = Some(d.to_string());
        self
    }

    /// Lifetime of the secret cookie (default 365 days, like Django and nosurf).
    ///
    /// The cookie is only re-sent when missing, so a short lifetime makes forms
    /// left open across the expiry fail; the secret is HttpOnly and, with
    /// [`session_cookie`](Self::session_cookie), only usable for one session.
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Decision};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// let csrf = Csrf::builder().key(&[1; 32]).cookie_max_age(std::time::Duration::from_secs(12 * 3600))
    ///     .build().unwrap();
    /// # let facts = RequestFacts { secure: true, scheme: Scheme::Https, host: None, from_trusted_proxy: false };
    /// # let (get, _) = http::Request::get("/").body(()).unwrap().into_parts();
    /// # let Decision::Pass(req) = csrf.check(&get, &facts, None) else { panic!() };
    /// req.token().masked();
    /// let mut h = http::HeaderMap::new();
    /// req.finish(&mut h);
    /// assert!(h["set-cookie"].to_str().unwrap().contains("; Max-Age=43200"));
    /// ```
    pub fn cookie_max_age(mut self, d: Duration) -> Self {
        self.cookie_max_age = d;
        self
    }

    /// `SameSite` of the secret cookie (default `Lax`).
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Decision};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// let csrf = Csrf::builder().key(&[1; 32]).same_site(cookie::SameSite::Strict).build().unwrap();
    /// # let facts = RequestFacts { secure: true, scheme: Scheme::Https, host: None, from_trusted_proxy: false };
    /// # let (get, _) = http::Request::get("/").body(()).unwrap().into_parts();
    /// # let Decision::Pass(req) = csrf.check(&get, &facts, None) else { panic!() };
    /// req.token().masked();
    /// let mut h = http::HeaderMap::new();
    /// req.finish(&mut h);
    /// assert!(h["set-cookie"].to_str().unwrap().contains("SameSite=Strict"));
    /// ```
    pub fn same_site(mut self, s: SameSite) -> Self {
        self.same_site = s;
        self
    }

    /// Also sets a JavaScript-readable cookie `csrf-token` holding a masked
    /// token (SameSite=Strict, Secure on https) whenever the secret cookie is
    /// set, for single-page apps that send it back in the header. The secret
    /// cookie stays HttpOnly.
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Decision};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// let csrf = Csrf::builder().key(&[1; 32]).js_readable_cookie(true).build().unwrap();
    /// # let facts = RequestFacts { secure: true, scheme: Scheme::Https, host: None, from_trusted_proxy: false };
    /// # let (get, _) = http::Request::get("/").body(()).unwrap().into_parts();
    /// # let Decision::Pass(req) = csrf.check(&get, &facts, None) else { panic!() };
    /// req.token().masked();
    /// let mut h = http::HeaderMap::new();
    /// req.finish(&mut h);
    /// let cookies: Vec<&str> = h.get_all("set-cookie").iter().map(|v| v.to_str().unwrap()).collect();
    /// assert!(cookies.iter().any(|c| c.starts_with("__Host-csrf=") && c.contains("HttpOnly")));
    /// assert!(cookies.iter().any(|c| c.starts_with("csrf-token=") && !c.contains("HttpOnly")));
    /// ```
    pub fn js_readable_cookie(mut self, yes: bool) -> Self {
        self.js_readable = yes;
        self
    }

    /// Most bytes buffered when the token must come from the body (default 1 MiB).
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Decision};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// let csrf = Csrf::builder().key(&[1; 32]).body_limit(64 * 1024).build().unwrap();
    /// # let facts = RequestFacts { secure: false, scheme: Scheme::Http, host: Some("localhost".into()), from_trusted_proxy: false };
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
    /// # let facts = RequestFacts { secure: false, scheme: Scheme::Http, host: Some("localhost".into()), from_trusted_proxy: false };
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
    /// # let facts = RequestFacts { secure: true, scheme: Scheme::Https, host: None, from_trusted_proxy: false };
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
    /// # let facts = RequestFacts { secure: true, scheme: Scheme::Https, host: Some("app.example".into()), from_trusted_proxy: false };
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
    /// # let facts = RequestFacts { secure: true, scheme: Scheme::Https, host: Some("app.example".into()), from_trusted_proxy: false };
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
    /// # let facts = RequestFacts { secure: true, scheme: Scheme::Https, host: Some("app.example".into()), from_trusted_proxy: false };
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
    /// # let facts = RequestFacts { secure: true, scheme: Scheme::Https, host: Some("app.example".into()), from_trusted_proxy: false };
    /// let (post, _) = http::Request::post("/transfer").header("sec-fetch-site", "cross-site")
    ///     .body(()).unwrap().into_parts();
    /// assert!(matches!(csrf.check(&post, &facts, Some("/transfer")), Decision::Reject(_)));
    /// assert!(matches!(csrf.check(&post, &facts, Some("/search")), Decision::Pass(_)));
    /// ```
    pub fn include_route(mut self, pattern: &str) -> Self {
        self.include_routes.push(pattern.to_string());
        self
    }

    /// Logs what would be rejected (`tracing::warn!`) and lets it through.
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Decision};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// let csrf = Csrf::builder().key(&[1; 32]).report_only(true).build().unwrap();
    /// # let facts = RequestFacts { secure: true, scheme: Scheme::Https, host: Some("app.example".into()), from_trusted_proxy: false };
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

    /// Validates the settings and compiles them.
    ///
    /// Without any key (none given, `RAMPART_CSRF_KEY` unset) a random key is
    /// generated and a warning is logged: tokens then do not survive a restart
    /// or work across replicas.
    ///
    /// ```
    /// # use rampart_core::csrf::Csrf;
    /// let e = Csrf::builder().key(&[1; 32]).exempt_path_prefix("api").build().unwrap_err();
    /// assert_eq!(e.setting(), "csrf.exempt_path_prefix");
    /// ```
    pub fn build(mut self) -> Result<Csrf, ConfigError> {
        let mut problems = Problems::default();
        for e in self.errors.drain(..) {
            problems.push(e);
        }
        let keys = problems.check(self.resolve_keys());

        let mut trusted = Vec::new();
        for t in &self.trusted {
            let o = problems.check(Origin::parse(t).map_err(|_| {
                let hint = if t.contains("://") {
                    format!("`{t}` is not an origin; write scheme://host[:port] with nothing after the port")
                } else {
                    format!(
                        "`{t}` lacks a scheme; write the full origin, e.g. https://{}",
                        t.trim_end_matches('/')
                    )
                };
                ConfigError::new("csrf.trusted_origin", hint)
            }));
            trusted.extend(o);
        }

        let header_name = problems.check(
            HeaderName::from_bytes(self.header_name.as_bytes()).map_err(|_| {
                ConfigError::new(
                    "csrf.header_name",
                    format!("`{}` is not a valid HTTP header name", self.header_name),
                )
            }),
        );
        for (setting, v) in [
            ("csrf.field_name", &self.field_name),
            ("csrf.json_key", &self.json_key),
        ] {
            if v.is_empty() {
                problems.push(ConfigError::new(setting, "must not be empty"));
            }
        }
        if !valid_cookie_name(&self.cookie_name) {
            problems.push(ConfigError::new(
                "csrf.cookie_name",
                format!(
                    "`{}` is not a valid cookie name (use letters, digits, '-' and '_')",
                    self.cookie_name
                ),
            ));
        }
        if self.cookie_name.starts_with("__") {
            problems.push(ConfigError::new(
                "csrf.cookie_name",
                "give the base name only; rampart adds __Host-/__Secure- itself on secure requests",
            ));
        }
        if let Some(s) = &self.session_cookie {
            if !valid_cookie_name(s) {
                problems.push(ConfigError::new(
                    "csrf.session_cookie",
                    format!("`{s}` is not a valid cookie name"),
                ));
            }
        }
        if !self.cookie_path.starts_with('/') || self.cookie_path.contains([';', ' ', ',']) {
            problems.push(ConfigError::new(
                "csrf.cookie_path",
                format!(
                    "`{}` must be a path starting with '/', e.g. \"/\"",
                    self.cookie_path
                ),
            ));
        }
        if let Some(d) = &self.cookie_domain {
            if d.is_empty() || d.contains([';', ' ', ',', '/', ':']) {
                problems.push(ConfigError::new(
                    "csrf.cookie_domain",
                    format!("`{d}` must be a bare domain such as example.com"),
                ));
            }
        }
        if self.body_limit == 0 {
            problems.push(ConfigError::new(
                "csrf.body_limit",
                "must be at least 1 byte (1 MiB is the default)",
            ));
        }
        if self.body_timeout.is_zero() {
            problems.push(ConfigError::new(
                "csrf.body_timeout",
                "must be longer than zero (10 s is the default)",
            ));
        }
        let cache_control = problems.check(crate::headers::cache_control_value(
            "csrf.token_cache_control",
            self.cache_control.as_deref(),
        ));
        if self.include_only && self.include_prefixes.is_empty() && self.include_routes.is_empty() {
            tracing::warn!("rampart csrf: include_only() without include_path_prefix/include_route protects nothing");
        }
        problems.finish()?;
        let (Some(keys), Some(header_name), Some(cache_control)) =
            (keys, header_name, cache_control)
        else {
            // Each `None` above noted a problem, so `finish` returned it.
            return Err(ConfigError::new("csrf", "invalid configuration"));
        };
        let max_age_secs = i64::try_from(self.cookie_max_age.as_secs()).unwrap_or(i64::MAX);

        Ok(Csrf::from_inner(Inner {
            keys,
            origin: OriginPolicy {
                trusted,
                allow_same_site: self.allow_same_site,
                check_referer: self.check_referer,
            },
            tokens: self.tokens,
            session_cookie: self.session_cookie,
            header_name,
            header_name_str: self.header_name,
            field_name: self.field_name,
            json_key: self.json_key,
            cookie: CookieSettings {
                name: self.cookie_name,
                path: self.cookie_path,
                domain: self.cookie_domain,
                max_age_secs,
                same_site: self.same_site,
                js_readable: self.js_readable,
                js_name: crate::csrf::JS_COOKIE_NAME.into(),
            },
            body_limit: self.body_limit,
            body_timeout: self.body_timeout,
            cache_control,
            exempt_prefixes: self.exempt_prefixes,
            exempt_routes: self.exempt_routes,
            exempt_if: self.exempt_if,
            include_only: self.include_only,
            include_prefixes: self.include_prefixes,
            include_routes: self.include_routes,
            report_only: self.report_only,
            on_reject: self.on_reject,
        }))
    }

    fn resolve_keys(&mut self) -> Result<KeyRing, ConfigError> {
        let mut ring = self.ring.take();
        if let Some(var) = self.key_env.take() {
            let value = std::env::var(&var).map_err(|_| {
                ConfigError::new(
                    "csrf.key_from_env",
                    format!(
                        "environment variable {var} is not set (or not UTF-8); set it to a base64 or hex key of at \
                         least 32 bytes, e.g. the output of `openssl rand -base64 32`"
                    ),
                )
            })?;
            let from_env = KeyRing::parse_list(&value, "csrf.key_from_env")?;
            match &mut ring {
                Some(r) => r.extend(from_env),
                None => ring = Some(from_env),
            }
        }
        if let Some(r) = ring {
            return Ok(r);
        }
        if let Ok(value) = std::env::var(DEFAULT_KEY_ENV) {
            if !value.trim().is_empty() {
                return KeyRing::parse_list(&value, DEFAULT_KEY_ENV);
            }
        }
        tracing::warn!(
            "no CSRF key configured: generated a random one; tokens will not survive a restart or work across \
             replicas; set RAMPART_CSRF_KEY (e.g. `openssl rand -base64 32`) or call CsrfConfig::key"
        );
        Ok(KeyRing::generate())
    }
}

use crate::path::{escapes_ascii, plain_path, prefix_matches};

impl Inner {
    /// Whether the request is subject to the checks (exemptions and include mode).
    pub(crate) fn protects(
        &self,
        parts: &http::request::Parts,
        matched_route: Option<&str>,
    ) -> bool {
        let path = parts.uri.path();
        let plain = plain_path(path);
        let route_in = |list: &[String]| matched_route.is_some_and(|r| list.iter().any(|p| p == r));
        let exempt = (plain && self.exempt_prefixes.iter().any(|p| prefix_matches(path, p)))
            || route_in(&self.exempt_routes)
            || self.exempt_if.iter().any(|f| f(parts));
        if exempt {
            return false;
        }
        if self.include_only {
            // Ambiguous paths, and paths a decoding router may read otherwise,
            // count as included: fail closed.
            return !plain
                || escapes_ascii(path)
                || self
                    .include_prefixes
                    .iter()
                    .any(|p| prefix_matches(path, p))
                || route_in(&self.include_routes);
        }
        true
    }
}

#[cfg(test)]
mod tests;
