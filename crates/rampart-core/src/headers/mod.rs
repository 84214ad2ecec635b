//! The secure response header set: HTTPS redirect, HSTS, framing, sniffing,
//! referrer, permissions, cross-origin isolation, CSP and cookie hardening.
//!
//! [`SecureHeaders`] is built once (all values validated and encoded then) and
//! consulted twice per request by an adapter:
//!
//! 1. [`SecureHeaders::redirect`] before the application runs: plain-HTTP
//!    requests for non-loopback hosts are redirected to https.
//! 2. [`SecureHeaders::apply`] on every response: the prebuilt values are inserted
//!    where the application did not set its own (unless `override_existing`).
//!
//! ```
//! use rampart_core::headers::SecureHeaders;
//! use rampart_core::{ConnectionInfo, ProxyTrust};
//!
//! let sh = SecureHeaders::default();
//! let req = http::Request::get("https://shop.example/").body(()).unwrap();
//! let facts = sh.facts(ConnectionInfo::default().with_tls(true), req.uri(), req.headers());
//! let mut headers = http::HeaderMap::new();
//! sh.apply(&facts, None, None, &mut headers);
//! assert_eq!(headers["strict-transport-security"], "max-age=31536000; includeSubDomains");
//! assert_eq!(headers["x-frame-options"], "SAMEORIGIN");
//! ```
//!
//! ## Flask-Talisman options and their rampart equivalents
//!
//! | Talisman option | rampart | note |
//! |---|---|---|
//! | `force_https=True` | [`SecureHeadersBuilder::https_redirect`] (on by default) | never for loopback hosts; exempt paths/predicate; allowed hosts |
//! | `force_https_permanent` | always permanent | 301 for GET/HEAD, 308 for other methods (302 loses POST bodies) |
//! | `frame_options`, `frame_options_allow_from` | [`SecureHeadersBuilder::frame_options`] | `ALLOW-FROM` is refused: use CSP `frame-ancestors` |
//! | `strict_transport_security*` | [`SecureHeadersBuilder::hsts`] / [`Hsts`] | max-age 31536000; preload needs >= 1 year and includeSubDomains |
//! | `content_security_policy` | [`SecureHeadersBuilder::csp`] with [`crate::csp::Csp`] | dict form via `Policy::from_pairs` |
//! | `content_security_policy_report_uri` | `Csp::report_uri` | also `report_to` + `Reporting-Endpoints` |
//! | `content_security_policy_report_only` | `Csp::report_only_mode` / `Csp::report_only` | both headers at once possible |
//! | `content_security_policy_nonce_in` | `Csp::nonce_in` | lazy nonce; missing directives inherit default-src |
//! | `referrer_policy` | [`SecureHeadersBuilder::referrer_policy`] | validated tokens |
//! | `feature_policy` | [`SecureHeadersBuilder::header`] | obsolete header; set it by hand if needed |
//! | `permissions_policy` | [`SecureHeadersBuilder::permissions_policy`] | structured-field serialization |
//! | `document_policy` | [`SecureHeadersBuilder::document_policy`] | |
//! | `session_cookie_secure/http_only/samesite` | [`SecureHeadersBuilder::cookies`] / [`CookieHardening`] | every app cookie; `Secure` only on secure requests |
//! | `force_file_save` | [`SecureHeadersBuilder::force_file_save`] | `X-Download-Options: noopen` |
//! | `x_content_type_options` | [`SecureHeadersBuilder::content_type_options`] | |
//! | `x_xss_protection` | [`SecureHeadersBuilder::xss_protection`] | rampart sends `0` (the auditor is gone and was exploitable) |
//! | `@talisman(...)` per view | [`Overrides`] via a route layer or a handler's response | no freezing on first request |

mod cookies;
mod overrides;
mod permissions;
mod redirect;

use std::sync::Arc;

use http::header::{self, HeaderName};
use http::{HeaderMap, HeaderValue, Method, Uri};

pub use cookies::CookieHardening;
#[doc(hidden)]
pub use overrides::CspOverride;
pub use overrides::Overrides;
pub use permissions::{Allow, PermissionsPolicy};
#[doc(hidden)]
pub use redirect::RedirectDecision;
pub use redirect::{HttpsRedirect, RedirectExemptions};

use crate::csp::{CompiledCsp, Csp, Policy, RequestNonces};
use crate::{ConfigError, ConnectionInfo, ProxyTrust, RequestFacts};

/// `X-Frame-Options`.
///
/// `ALLOW-FROM` is obsolete (no current browser honours it): [`FrameOptions::parse`]
/// refuses it and points to CSP `frame-ancestors`.
///
/// ```
/// use rampart_core::headers::FrameOptions;
/// assert_eq!(FrameOptions::parse("deny").unwrap(), FrameOptions::Deny);
/// let err = FrameOptions::parse("ALLOW-FROM https://a.example").unwrap_err();
/// assert!(err.message().contains("frame-ancestors"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FrameOptions {
    /// `SAMEORIGIN` (default).
    #[default]
    SameOrigin,
    /// `DENY`.
    Deny,
    /// No header.
    Off,
}

impl FrameOptions {
    /// Parses `DENY` or `SAMEORIGIN` (any case).
    ///
    /// ```
    /// # use rampart_core::headers::FrameOptions;
    /// assert!(FrameOptions::parse("sameorigin").is_ok());
    /// ```
    pub fn parse(s: &str) -> Result<Self, ConfigError> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("deny") {
            Ok(Self::Deny)
        } else if t.eq_ignore_ascii_case("sameorigin") {
            Ok(Self::SameOrigin)
        } else if t.to_ascii_uppercase().starts_with("ALLOW-FROM") {
            Err(ConfigError::new(
                "frame_options",
                "ALLOW-FROM is obsolete and ignored by browsers; turn X-Frame-Options off for that route and \
                 allow the partner with CSP instead: frame-ancestors 'self' https://partner.example",
            ))
        } else {
            Err(ConfigError::new(
                "frame_options",
                format!("`{s}` is not DENY or SAMEORIGIN; use FrameOptions::Off for no header"),
            ))
        }
    }

    pub(crate) fn value(self) -> Option<HeaderValue> {
        match self {
            Self::SameOrigin => Some(HeaderValue::from_static("SAMEORIGIN")),
            Self::Deny => Some(HeaderValue::from_static("DENY")),
            Self::Off => None,
        }
    }
}

/// `Strict-Transport-Security` settings; sent only on secure requests.
///
/// ```
/// use rampart_core::headers::Hsts;
/// assert_eq!(Hsts::default().to_string(), "max-age=31536000; includeSubDomains");
/// use rampart_core::headers::SecureHeaders;
/// let preload_too_short = Hsts::default().max_age(300).preload(true);
/// assert!(SecureHeaders::builder().hsts(Some(preload_too_short)).build().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hsts {
    max_age: u64,
    include_subdomains: bool,
    preload: bool,
}

impl Default for Hsts {
    fn default() -> Self {
        Self {
            max_age: 31_536_000,
            include_subdomains: true,
            preload: false,
        }
    }
}

impl Hsts {
    /// `max-age` in seconds (default one year).
    ///
    /// ```
    /// # use rampart_core::headers::Hsts;
    /// assert_eq!(Hsts::default().max_age(60).to_string(), "max-age=60; includeSubDomains");
    /// ```
    pub fn max_age(mut self, secs: u64) -> Self {
        self.max_age = secs;
        self
    }

    /// Whether to add `includeSubDomains` (default true).
    ///
    /// ```
    /// # use rampart_core::headers::Hsts;
    /// assert_eq!(Hsts::default().include_subdomains(false).to_string(), "max-age=31536000");
    /// ```
    pub fn include_subdomains(mut self, yes: bool) -> Self {
        self.include_subdomains = yes;
        self
    }

    /// Whether to add `preload` (default false: preloading is hard to undo).
    ///
    /// ```
    /// # use rampart_core::headers::Hsts;
    /// assert!(Hsts::default().preload(true).to_string().ends_with("; preload"));
    /// ```
    pub fn preload(mut self, yes: bool) -> Self {
        self.preload = yes;
        self
    }

    /// Checks the preload list's requirements.
    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        if self.preload && self.max_age < 31_536_000 {
            return Err(ConfigError::new(
                "hsts.max_age",
                format!(
                    "preload needs a max-age of at least 31536000 (one year), not {}; raise max_age or drop preload",
                    self.max_age
                ),
            )
            .of_kind(crate::ConfigErrorKind::Conflict));
        }
        if self.preload && !self.include_subdomains {
            return Err(ConfigError::new(
                "hsts.include_subdomains",
                "preload needs includeSubDomains; enable include_subdomains or drop preload",
            )
            .of_kind(crate::ConfigErrorKind::Conflict));
        }
        Ok(())
    }
}

impl std::fmt::Display for Hsts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "max-age={}", self.max_age)?;
        if self.include_subdomains {
            f.write_str("; includeSubDomains")?;
        }
        if self.preload {
            f.write_str("; preload")?;
        }
        Ok(())
    }
}

const REFERRER_TOKENS: &[&str] = &[
    "no-referrer",
    "no-referrer-when-downgrade",
    "origin",
    "origin-when-cross-origin",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
    "unsafe-url",
];

/// Checks a header name and value for injection (CR, LF, other control bytes).
pub(crate) fn checked_header(
    name: &str,
    value: &str,
) -> Result<(HeaderName, HeaderValue), ConfigError> {
    let hn = HeaderName::try_from(name)
        .map_err(|_| ConfigError::new(name, format!("`{name}` is not a valid header name")))?;
    if value.bytes().any(|b| b.is_ascii_control() && b != b'\t') {
        return Err(ConfigError::new(
            name,
            "the value contains CR, LF or another control character (header injection); remove it",
        )
        .of_kind(crate::ConfigErrorKind::Unsafe));
    }
    let hv = HeaderValue::try_from(value).map_err(|_| {
        ConfigError::new(
            name,
            "the value is not a valid header value; use visible ASCII",
        )
    })?;
    Ok((hn, hv))
}

/// Builder for [`SecureHeaders`]; start from [`SecureHeaders::builder`].
///
/// ```
/// use rampart_core::headers::{FrameOptions, Hsts, SecureHeaders};
/// let sh = SecureHeaders::builder()
///     .frame_options(FrameOptions::Deny)
///     .hsts(Some(Hsts::default().preload(true)))
///     .build()
///     .unwrap();
/// # let _ = sh;
/// ```
#[derive(Debug, Clone)]
pub struct SecureHeadersBuilder {
    redirect: HttpsRedirect,
    proxy_trust: ProxyTrust,
    hsts: Option<Hsts>,
    frame_options: FrameOptions,
    content_type_options: bool,
    referrer_policy: Option<String>,
    permissions_policy: PermissionsPolicy,
    document_policy: Option<String>,
    coop: Option<String>,
    corp: Option<String>,
    coep: Option<String>,
    origin_agent_cluster: bool,
    cross_domain_policies: Option<String>,
    dns_prefetch_control: Option<bool>,
    xss_protection: bool,
    force_file_save: bool,
    csp: Option<CspSetting>,
    cookies: CookieHardening,
    extra: Vec<(String, String)>,
    override_existing: bool,
    nonce_cache_control: Option<String>,
    errors: Vec<ConfigError>,
}

#[derive(Debug, Clone)]
enum CspSetting {
    Config(Box<Csp>),
    Compiled(CompiledCsp),
}

impl Default for SecureHeadersBuilder {
    fn default() -> Self {
        Self {
            redirect: HttpsRedirect::default(),
            proxy_trust: ProxyTrust::nobody(),
            hsts: Some(Hsts::default()),
            frame_options: FrameOptions::SameOrigin,
            content_type_options: true,
            referrer_policy: Some("strict-origin-when-cross-origin".into()),
            permissions_policy: PermissionsPolicy::recommended(),
            document_policy: None,
            coop: Some("same-origin".into()),
            corp: Some("same-origin".into()),
            coep: None,
            origin_agent_cluster: true,
            cross_domain_policies: Some("none".into()),
            dns_prefetch_control: Some(false),
            xss_protection: true,
            force_file_save: false,
            csp: Some(CspSetting::Config(Box::new(Csp::new(Policy::default())))),
            cookies: CookieHardening::default(),
            extra: Vec::new(),
            override_existing: false,
            nonce_cache_control: Some(PRIVATE_CACHE_CONTROL.into()),
            errors: Vec::new(),
        }
    }
}

impl SecureHeadersBuilder {
    /// HTTPS redirect settings (on by default; [`HttpsRedirect::disabled`] turns it off).
    ///
    /// ```
    /// use rampart_core::headers::{HttpsRedirect, RedirectExemptions, SecureHeaders};
    /// let sh = SecureHeaders::builder()
    ///     .https_redirect(HttpsRedirect::default().exempt(RedirectExemptions::default().path("/health").unwrap()))
    ///     .build().unwrap();
    /// # let _ = sh;
    /// ```
    pub fn https_redirect(mut self, r: HttpsRedirect) -> Self {
        self.redirect = r;
        self
    }

    /// Which peers may report the original scheme and host (default: nobody).
    ///
    /// ```
    /// # use rampart_core::headers::SecureHeaders;
    /// use rampart_core::{ProxyHeaders, ProxyTrust};
    /// let _ = SecureHeaders::builder().proxy_trust(ProxyTrust::loopback(ProxyHeaders::X_FORWARDED).unwrap());
    /// ```
    pub fn proxy_trust(mut self, t: ProxyTrust) -> Self {
        self.proxy_trust = t;
        self
    }

    /// HSTS settings, or `None` for no header.
    ///
    /// ```
    /// # use rampart_core::headers::SecureHeaders;
    /// let _ = SecureHeaders::builder().hsts(None);
    /// ```
    pub fn hsts(mut self, h: Option<Hsts>) -> Self {
        self.hsts = h;
        self
    }

    /// `X-Frame-Options`.
    ///
    /// ```
    /// # use rampart_core::headers::{FrameOptions, SecureHeaders};
    /// let _ = SecureHeaders::builder().frame_options(FrameOptions::Off);
    /// ```
    pub fn frame_options(mut self, f: FrameOptions) -> Self {
        self.frame_options = f;
        self
    }

    /// `X-Content-Type-Options: nosniff` on or off.
    ///
    /// ```
    /// # use rampart_core::headers::SecureHeaders;
    /// let _ = SecureHeaders::builder().content_type_options(false);
    /// ```
    pub fn content_type_options(mut self, on: bool) -> Self {
        self.content_type_options = on;
        self
    }

    /// `Referrer-Policy` (a token or a comma-separated fallback list), or `None`.
    ///
    /// ```
    /// # use rampart_core::headers::SecureHeaders;
    /// assert!(SecureHeaders::builder().referrer_policy(Some("no-referrer")).build().is_ok());
    /// assert!(SecureHeaders::builder().referrer_policy(Some("None")).build().is_err());
    /// ```
    pub fn referrer_policy(mut self, p: Option<&str>) -> Self {
        if let Some(p) = p {
            if let Some(bad) = p
                .split(',')
                .map(str::trim)
                .find(|t| !REFERRER_TOKENS.contains(t))
            {
                self.errors.push(ConfigError::new(
                    "referrer_policy",
                    format!(
                        "`{bad}` is not a referrer policy; use one of {}, or None for no header",
                        REFERRER_TOKENS.join(", ")
                    ),
                ));
            }
        }
        self.referrer_policy = p.map(str::to_string);
        self
    }

    /// `Permissions-Policy` (an empty policy sends no header).
    ///
    /// ```
    /// use rampart_core::headers::{PermissionsPolicy, SecureHeaders};
    /// let _ = SecureHeaders::builder().permissions_policy(PermissionsPolicy::recommended().deny("camera").unwrap());
    /// ```
    pub fn permissions_policy(mut self, p: PermissionsPolicy) -> Self {
        self.permissions_policy = p;
        self
    }

    /// `Document-Policy` as a structured-field dictionary, e.g. `oversized-images=?0`.
    ///
    /// ```
    /// # use rampart_core::headers::SecureHeaders;
    /// assert!(SecureHeaders::builder().document_policy(Some("oversized-images=?0, document-write=?0")).build().is_ok());
    /// ```
    pub fn document_policy(mut self, p: Option<&str>) -> Self {
        if let Some(p) = p {
            for member in p.split(',').map(str::trim) {
                let key = member
                    .split_once('=')
                    .map(|(k, _)| k)
                    .unwrap_or(member)
                    .trim();
                if let Err(e) = permissions::validate_key(key, "document_policy") {
                    self.errors.push(e);
                }
            }
        }
        self.document_policy = p.map(str::to_string);
        self
    }

    /// `Cross-Origin-Opener-Policy` (`same-origin` default, `same-origin-allow-popups`, `unsafe-none`, or `None`).
    ///
    /// ```
    /// # use rampart_core::headers::SecureHeaders;
    /// assert!(SecureHeaders::builder().cross_origin_opener_policy(Some("noopener-please")).build().is_err());
    /// ```
    pub fn cross_origin_opener_policy(mut self, v: Option<&str>) -> Self {
        self.coop = self.checked_enum(
            "cross_origin_opener_policy",
            v,
            &[
                "same-origin",
                "same-origin-allow-popups",
                "noopener-allow-popups",
                "unsafe-none",
            ],
        );
        self
    }

    /// `Cross-Origin-Resource-Policy` (`same-origin` default, `same-site`, `cross-origin`, or `None`).
    ///
    /// ```
    /// # use rampart_core::headers::SecureHeaders;
    /// let _ = SecureHeaders::builder().cross_origin_resource_policy(Some("cross-origin"));
    /// ```
    pub fn cross_origin_resource_policy(mut self, v: Option<&str>) -> Self {
        self.corp = self.checked_enum(
            "cross_origin_resource_policy",
            v,
            &["same-origin", "same-site", "cross-origin"],
        );
        self
    }

    /// `Cross-Origin-Embedder-Policy`: off by default because it blocks every
    /// cross-origin resource that does not opt in; `require-corp` or `credentialless`.
    ///
    /// ```
    /// # use rampart_core::headers::SecureHeaders;
    /// let _ = SecureHeaders::builder().cross_origin_embedder_policy(Some("credentialless"));
    /// ```
    pub fn cross_origin_embedder_policy(mut self, v: Option<&str>) -> Self {
        self.coep = self.checked_enum(
            "cross_origin_embedder_policy",
            v,
            &["require-corp", "credentialless", "unsafe-none"],
        );
        self
    }

    fn checked_enum(&mut self, setting: &str, v: Option<&str>, allowed: &[&str]) -> Option<String> {
        let v = v?;
        if !allowed.contains(&v) {
            self.errors.push(ConfigError::new(
                setting,
                format!(
                    "`{v}` is not allowed; use one of {} (or None for no header)",
                    allowed.join(", ")
                ),
            ));
        }
        Some(v.to_string())
    }

    /// `Origin-Agent-Cluster: ?1` on or off.
    ///
    /// ```
    /// # use rampart_core::headers::SecureHeaders;
    /// let _ = SecureHeaders::builder().origin_agent_cluster(false);
    /// ```
    pub fn origin_agent_cluster(mut self, on: bool) -> Self {
        self.origin_agent_cluster = on;
        self
    }

    /// `X-Permitted-Cross-Domain-Policies` (`none` default), or `None`.
    ///
    /// ```
    /// # use rampart_core::headers::SecureHeaders;
    /// let _ = SecureHeaders::builder().permitted_cross_domain_policies(Some("master-only"));
    /// ```
    pub fn permitted_cross_domain_policies(mut self, v: Option<&str>) -> Self {
        self.cross_domain_policies = self.checked_enum(
            "permitted_cross_domain_policies",
            v,
            &["none", "master-only", "by-content-type", "all"],
        );
        self
    }

    /// `X-DNS-Prefetch-Control`: `Some(false)` sends `off` (default), `Some(true)` `on`, `None` nothing.
    ///
    /// ```
    /// # use rampart_core::headers::SecureHeaders;
    /// let _ = SecureHeaders::builder().dns_prefetch_control(None);
    /// ```
    pub fn dns_prefetch_control(mut self, v: Option<bool>) -> Self {
        self.dns_prefetch_control = v;
        self
    }

    /// `X-XSS-Protection: 0` on or off. rampart sends `0` (disable the legacy
    /// auditor, which could be abused to leak data) rather than Talisman's opt-in `1; mode=block`.
    ///
    /// ```
    /// # use rampart_core::headers::SecureHeaders;
    /// let _ = SecureHeaders::builder().xss_protection(false);
    /// ```
    pub fn xss_protection(mut self, on: bool) -> Self {
        self.xss_protection = on;
        self
    }

    /// Talisman's `force_file_save`: `X-Download-Options: noopen` (default off).
    ///
    /// ```
    /// # use rampart_core::headers::SecureHeaders;
    /// let _ = SecureHeaders::builder().force_file_save(true);
    /// ```
    pub fn force_file_save(mut self, on: bool) -> Self {
        self.force_file_save = on;
        self
    }

    /// The Content Security Policy, or `None` for no CSP header.
    /// The default is `Policy::default()` without nonces.
    ///
    /// ```
    /// use rampart_core::csp::{Csp, Policy};
    /// # use rampart_core::headers::SecureHeaders;
    /// let csp = Csp::new(Policy::strict()).nonce_in(["script-src"]);
    /// let _ = SecureHeaders::builder().csp(Some(csp));
    /// ```
    pub fn csp(mut self, csp: Option<Csp>) -> Self {
        self.csp = csp.map(|c| CspSetting::Config(Box::new(c)));
        self
    }

    /// An already compiled CSP.
    ///
    /// ```
    /// use rampart_core::csp::{Csp, Policy};
    /// # use rampart_core::headers::SecureHeaders;
    /// let compiled = Csp::new(Policy::default()).build().unwrap();
    /// let _ = SecureHeaders::builder().compiled_csp(compiled);
    /// ```
    pub fn compiled_csp(mut self, csp: CompiledCsp) -> Self {
        self.csp = Some(CspSetting::Compiled(csp));
        self
    }

    /// How application cookies are hardened.
    ///
    /// ```
    /// use rampart_core::headers::{CookieHardening, SecureHeaders};
    /// let _ = SecureHeaders::builder().cookies(CookieHardening::default().exclude("theme"));
    /// ```
    pub fn cookies(mut self, c: CookieHardening) -> Self {
        self.cookies = c;
        self
    }

    /// Any other header to add to every response (validated now). A header
    /// the set writes itself (`X-Frame-Options`, HSTS, the CSP headers, ...)
    /// is refused at build: change it with its own setting, or turn that off
    /// first. Given twice, the first value wins (the last with
    /// [`override_existing`](Self::override_existing)).
    ///
    /// ```
    /// # use rampart_core::headers::{FrameOptions, SecureHeaders};
    /// assert!(SecureHeaders::builder().header("feature-policy", "vibrate 'none'").build().is_ok());
    /// assert!(SecureHeaders::builder().header("x-a", "1\r\nSet-Cookie: a=b").build().is_err());
    /// assert!(SecureHeaders::builder().header("x-frame-options", "DENY").build().is_err());
    /// assert!(SecureHeaders::builder()
    ///     .frame_options(FrameOptions::Off)
    ///     .header("x-frame-options", "DENY")
    ///     .build()
    ///     .is_ok());
    /// ```
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.extra.push((name.to_string(), value.to_string()));
        self
    }

    /// Replace headers the handler set itself (default false: the handler wins).
    ///
    /// ```
    /// # use rampart_core::headers::SecureHeaders;
    /// let _ = SecureHeaders::builder().override_existing(true);
    /// ```
    pub fn override_existing(mut self, yes: bool) -> Self {
        self.override_existing = yes;
        self
    }

    /// The `Cache-Control` of a response whose page used its CSP nonce when
    /// the handler set none: `private, no-store` by default, `None` to leave
    /// such responses as they are. A nonce is one response's secret; a shared
    /// cache (one that ignores `Vary`, too) serving the page again would hand
    /// every visitor the same nonce, and with it a way past the policy.
    /// Responses without a nonce (static files) keep what they had.
    ///
    /// ```
    /// use rampart_core::headers::SecureHeaders;
    /// let sh = SecureHeaders::builder().nonce_cache_control(Some("private, max-age=0")).build().unwrap();
    /// # let _ = sh;
    /// assert!(SecureHeaders::builder().nonce_cache_control(Some("a\nb")).build().is_err());
    /// ```
    pub fn nonce_cache_control(mut self, value: Option<&str>) -> Self {
        self.nonce_cache_control = value.map(str::to_owned);
        self
    }

    /// Validates everything and encodes every header value once.
    ///
    /// The set's names and values are kept for the life of the process, each
    /// distinct one once, so that responses copy them without atomic reference
    /// counting: build sets at startup (or once per route), not per request.
    /// Per-response [`Overrides`] are not kept this way.
    ///
    /// ```
    /// # use rampart_core::headers::SecureHeaders;
    /// let sh = SecureHeaders::builder().build().unwrap();
    /// assert!(sh.header_values().iter().any(|(n, _)| n == "x-content-type-options"));
    /// ```
    pub fn build(self) -> Result<SecureHeaders, ConfigError> {
        if let Some(e) = ConfigError::all(self.errors) {
            return Err(e);
        }
        let mut always: Vec<(HeaderName, HeaderValue)> = Vec::new();
        let push = |always: &mut Vec<_>, name: &str, value: &str| -> Result<(), ConfigError> {
            // Built once per layer: kept as process-lifetime bytes (see `intern`).
            // Overrides, which a handler may build per response, are not.
            let (name, value) = checked_header(name, value)?;
            always.push((crate::intern::name(&name), crate::intern::value(&value)));
            Ok(())
        };
        if !self.permissions_policy.is_empty() {
            push(
                &mut always,
                "permissions-policy",
                &self.permissions_policy.to_string(),
            )?;
        }
        if let Some(d) = &self.document_policy {
            push(&mut always, "document-policy", d)?;
        }
        if let Some(v) = self.frame_options.value() {
            push(
                &mut always,
                "x-frame-options",
                v.to_str().unwrap_or("SAMEORIGIN"),
            )?;
        }
        if self.content_type_options {
            push(&mut always, "x-content-type-options", "nosniff")?;
        }
        if let Some(r) = &self.referrer_policy {
            push(&mut always, "referrer-policy", r)?;
        }
        if let Some(v) = &self.coop {
            push(&mut always, "cross-origin-opener-policy", v)?;
        }
        if let Some(v) = &self.corp {
            push(&mut always, "cross-origin-resource-policy", v)?;
        }
        if let Some(v) = &self.coep {
            push(&mut always, "cross-origin-embedder-policy", v)?;
        }
        if self.origin_agent_cluster {
            push(&mut always, "origin-agent-cluster", "?1")?;
        }
        if let Some(v) = &self.cross_domain_policies {
            push(&mut always, "x-permitted-cross-domain-policies", v)?;
        }
        if let Some(on) = self.dns_prefetch_control {
            push(
                &mut always,
                "x-dns-prefetch-control",
                if on { "on" } else { "off" },
            )?;
        }
        if self.xss_protection {
            push(&mut always, "x-xss-protection", "0")?;
        }
        if self.force_file_save {
            push(&mut always, "x-download-options", "noopen")?;
        }
        let own = always.len();
        for (n, v) in &self.extra {
            push(&mut always, n, v)?;
        }
        let hsts = match self.hsts {
            Some(h) => {
                h.validate()?;
                Some(crate::intern::value(
                    &HeaderValue::try_from(h.to_string())
                        .map_err(|_| ConfigError::new("hsts", "unencodable"))?,
                ))
            }
            None => None,
        };
        let csp = match self.csp {
            Some(CspSetting::Config(c)) => Some(c.build()?),
            Some(CspSetting::Compiled(c)) => Some(c),
            None => None,
        };
        // An extra header that names one the set writes itself would make one of
        // the two values disappear depending on `override_existing`: refuse it,
        // pointing at the setting that owns the header.
        for (name, _) in &always[own..] {
            let owned = always[..own].iter().any(|(n, _)| n == name)
                || (hsts.is_some() && *name == header::STRICT_TRANSPORT_SECURITY)
                || csp
                    .iter()
                    .flat_map(CompiledCsp::plain_headers)
                    .any(|(n, _)| n == name);
            if owned {
                return Err(ConfigError::new(
                    "header",
                    format!(
                        "`{name}` is already written by this header set: change it with its own \
                         setting (see the module docs' table; CSP headers through `csp`), or turn \
                         that setting off before adding it as an extra header"
                    ),
                )
                .of_kind(crate::ConfigErrorKind::Conflict));
            }
        }
        let nonce_cache_control =
            cache_control_value("nonce_cache_control", self.nonce_cache_control.as_deref())?;
        self.redirect.warn_if_open();
        let overwrite = self.override_existing;
        let templates = [
            Template::new(&always, None, csp.as_ref(), overwrite),
            Template::new(&always, hsts.as_ref(), csp.as_ref(), overwrite),
        ];
        Ok(SecureHeaders {
            inner: Arc::new(Inner {
                redirect: self.redirect,
                share_scope: !self.proxy_trust.trusts_nobody()
                    || csp.as_ref().is_some_and(CompiledCsp::takes_nonces),
                proxy_trust: self.proxy_trust,
                always,
                templates,
                hsts,
                csp,
                cookies: self.cookies,
                override_existing: self.override_existing,
                nonce_cache_control,
            }),
        })
    }
}

#[derive(Debug)]
struct Inner {
    redirect: HttpsRedirect,
    proxy_trust: ProxyTrust,
    always: Vec<(HeaderName, HeaderValue)>,
    /// `always` (plus HSTS in `[1]`, for secure requests) as ready-made maps:
    /// cloning one copies the stored hashes instead of hashing every name again.
    templates: [Template; 2],
    hsts: Option<HeaderValue>,
    csp: Option<CompiledCsp>,
    cookies: CookieHardening,
    override_existing: bool,
    nonce_cache_control: Option<HeaderValue>,
    /// Requests get a shared [`RequestScope`](crate::RequestScope): the policy
    /// takes nonces (the handler's must reach the header) or a proxy is trusted
    /// (a CSRF layer inside reuses facts its own trust could not work out).
    share_scope: bool,
}

/// The compiled secure header set. Cheap to clone (one `Arc`).
///
/// ```
/// use rampart_core::headers::SecureHeaders;
/// let sh = SecureHeaders::default();
/// let names: Vec<_> = sh.header_values().into_iter().map(|(n, _)| n.to_string()).collect();
/// assert!(names.contains(&"content-security-policy".to_string()));
/// ```
#[derive(Debug, Clone)]
pub struct SecureHeaders {
    inner: Arc<Inner>,
}

impl Default for SecureHeaders {
    /// The safe choice: every default listed in the module docs.
    fn default() -> Self {
        SecureHeadersBuilder::default()
            .build()
            .expect("rampart's default configuration is valid (covered by tests)")
    }
}

impl SecureHeaders {
    /// Starts from the secure defaults.
    ///
    /// ```
    /// # use rampart_core::headers::SecureHeaders;
    /// let _ = SecureHeaders::builder().build().unwrap();
    /// ```
    pub fn builder() -> SecureHeadersBuilder {
        SecureHeadersBuilder::default()
    }

    #[doc(hidden)]
    /// Whether [`inbound`](Self::inbound) hands out shared scopes: the policy
    /// takes nonces or a proxy is trusted (see [`RequestScope`](crate::RequestScope)).
    ///
    /// ```
    /// use rampart_core::csp::{Csp, Policy};
    /// use rampart_core::headers::SecureHeaders;
    /// use rampart_core::{ProxyHeaders, ProxyTrust};
    /// assert!(!SecureHeaders::default().shares_scope());
    /// let nonce = Csp::new(Policy::strict()).nonce_in(["script-src"]);
    /// assert!(SecureHeaders::builder().csp(Some(nonce)).build().unwrap().shares_scope());
    /// let proxied = SecureHeaders::builder().proxy_trust(ProxyTrust::loopback(ProxyHeaders::X_FORWARDED).unwrap()).build().unwrap();
    /// assert!(proxied.shares_scope());
    /// ```
    pub fn shares_scope(&self) -> bool {
        self.inner.share_scope
    }

    #[doc(hidden)]
    /// Facts about a request under this layer's proxy trust.
    ///
    /// ```
    /// # use rampart_core::headers::SecureHeaders;
    /// # use rampart_core::ConnectionInfo;
    /// let req = http::Request::get("http://a.example/").body(()).unwrap();
    /// assert!(!SecureHeaders::default().facts(ConnectionInfo::default(), req.uri(), req.headers()).secure);
    /// ```
    pub fn facts(&self, conn: ConnectionInfo, uri: &Uri, headers: &HeaderMap) -> RequestFacts {
        self.inner.proxy_trust.facts(conn, uri, headers)
    }

    #[doc(hidden)]
    /// The proxy trust this set was built with.
    ///
    /// ```
    /// # use rampart_core::headers::SecureHeaders;
    /// assert!(!SecureHeaders::default().proxy_trust().trusts(None));
    /// ```
    pub fn proxy_trust(&self) -> &ProxyTrust {
        &self.inner.proxy_trust
    }

    #[doc(hidden)]
    /// Whether the redirect decision needs the request parts (a predicate is set).
    ///
    /// ```
    /// # use rampart_core::headers::SecureHeaders;
    /// assert!(!SecureHeaders::default().redirect_needs_parts());
    /// ```
    pub fn redirect_needs_parts(&self) -> bool {
        self.inner.redirect.exempt.has_predicate()
    }

    #[doc(hidden)]
    /// Decides whether to redirect a request to https before the app sees it.
    ///
    /// ```
    /// use rampart_core::headers::{RedirectDecision, SecureHeaders};
    /// use rampart_core::ConnectionInfo;
    /// let sh = SecureHeaders::default();
    /// let req = http::Request::post("http://a.example/login?x=1").body(()).unwrap();
    /// let facts = sh.facts(ConnectionInfo::default(), req.uri(), req.headers());
    /// match sh.redirect(req.method(), req.uri(), &facts, None) {
    ///     RedirectDecision::Redirect { status, location } => {
    ///         assert_eq!(status, 308);
    ///         assert_eq!(location, "https://a.example/login?x=1");
    ///     }
    ///     other => panic!("{other:?}"),
    /// }
    /// ```
    pub fn redirect(
        &self,
        method: &Method,
        uri: &Uri,
        facts: &RequestFacts,
        parts: Option<&http::request::Parts>,
    ) -> RedirectDecision {
        self.inner.redirect.decide(method, uri, facts, parts)
    }

    /// The compiled CSP, if any.
    ///
    /// ```
    /// # use rampart_core::headers::SecureHeaders;
    /// assert!(SecureHeaders::default().csp().is_some());
    /// ```
    pub fn csp(&self) -> Option<&CompiledCsp> {
        self.inner.csp.as_ref()
    }

    #[doc(hidden)]
    /// Writes the header set into a response's headers.
    ///
    /// `nonces` are the cells handed to the app for this request; a nonce appears
    /// in the CSP only if the app generated it. `overrides` come from a route
    /// layer or the handler's response.
    ///
    /// ```
    /// use rampart_core::headers::{Overrides, SecureHeaders};
    /// # use rampart_core::ConnectionInfo;
    /// let sh = SecureHeaders::default();
    /// let req = http::Request::get("http://localhost/").body(()).unwrap();
    /// let facts = sh.facts(ConnectionInfo::default(), req.uri(), req.headers());
    /// let mut h = http::HeaderMap::new();
    /// h.insert("x-frame-options", "DENY".parse().unwrap());
    /// sh.apply(&facts, None, Some(&Overrides::new().csp_off()), &mut h);
    /// assert_eq!(h["x-frame-options"], "DENY"); // the handler's own value wins
    /// assert!(!h.contains_key("content-security-policy"));
    /// assert!(!h.contains_key("strict-transport-security")); // plain http
    /// ```
    pub fn apply(
        &self,
        facts: &RequestFacts,
        nonces: Option<&RequestNonces>,
        overrides: Option<&Overrides>,
        headers: &mut HeaderMap,
    ) {
        let inner = &*self.inner;
        let overwrite = inner.override_existing;
        if overrides.is_none() && headers.len() <= FEW_HEADERS {
            self.apply_from_template(facts, nonces, headers);
            return;
        }
        let handler_cache_control = headers.contains_key(header::CACHE_CONTROL);
        // One growth of the map instead of several while inserting (+2: HSTS, CSP).
        // A failed reservation only means the inserts grow the map themselves.
        let _ = headers.try_reserve(inner.always.len() + 2);
        for (name, value) in &inner.always {
            insert(headers, name, value, overwrite);
        }
        if facts.secure {
            if let Some(hsts) = &inner.hsts {
                insert(headers, &header::STRICT_TRANSPORT_SECURITY, hsts, overwrite);
            }
        }
        let nonces = overrides.and_then(|o| o.nonces.as_ref()).or(nonces);
        if !handler_cache_control && nonces.is_some_and(RequestNonces::any_generated) {
            self.keep_private(headers);
        }
        match overrides.and_then(|o| o.csp.as_ref()) {
            Some(CspOverride::Off) => {}
            Some(CspOverride::Replace(csp)) => csp.write_headers(headers, nonces, true),
            None => {
                if let Some(csp) = &inner.csp {
                    csp.write_headers(headers, nonces, overwrite);
                }
            }
        }
        if let Some(o) = overrides {
            for op in &o.ops {
                match op {
                    overrides::HeaderOp::Set(n, v) => {
                        headers.insert(n.clone(), v.clone());
                    }
                    overrides::HeaderOp::Remove(n) => {
                        headers.remove(n);
                    }
                }
            }
        }
        inner.cookies.apply(headers, facts.secure);
    }

    /// `apply` without overrides, for a response with few headers of its own
    /// (the usual case): start from a clone of the prebuilt map and move the
    /// handler's headers into it, so only the handler's few names are hashed.
    /// The result equals inserting the set into the handler's map: handler
    /// values win (all of them, in order) unless `override_existing` is on.
    fn apply_from_template(
        &self,
        facts: &RequestFacts,
        nonces: Option<&RequestNonces>,
        headers: &mut HeaderMap,
    ) {
        let inner = &*self.inner;
        let overwrite = inner.override_existing;
        let template = &inner.templates[usize::from(facts.secure)];
        let handler_cache_control = headers.contains_key(header::CACHE_CONTROL);
        let mut out = template.map.clone();
        let mut current: Option<HeaderName> = None;
        // CSP headers the handler set itself (bit per header of the policy).
        let mut handler_csp = 0u32;
        for (name, value) in std::mem::take(headers) {
            match name {
                // The first value of a name (later values come with `None`)
                // replaces ours, unless ours are configured to win.
                Some(name) if overwrite && out.contains_key(&name) => current = None,
                Some(name) => {
                    handler_csp |= inner.csp.as_ref().map_or(0, |c| c.header_bit(&name));
                    out.insert(name.clone(), value);
                    current = Some(name);
                }
                None => {
                    if let Some(name) = &current {
                        out.append(name.clone(), value);
                    }
                }
            }
        }
        // The template holds the CSP without a nonce; splice one in only if the
        // page used it, and never over a CSP header the handler set itself.
        if let Some(csp) = &inner.csp {
            if csp.nonce_used(nonces) {
                csp.write_headers_except(&mut out, nonces, handler_csp);
            }
        }
        if !handler_cache_control && nonces.is_some_and(RequestNonces::any_generated) {
            self.keep_private(&mut out);
        }
        *headers = out;
        inner.cookies.apply(headers, facts.secure);
    }

    /// The headers this set sends on a secure response without nonces, for
    /// printing at startup.
    ///
    /// ```
    /// # use rampart_core::headers::SecureHeaders;
    /// for (name, value) in SecureHeaders::default().header_values() {
    ///     println!("{name}: {value}");
    /// }
    /// ```
    pub fn header_values(&self) -> Vec<(HeaderName, String)> {
        let mut out: Vec<(HeaderName, String)> = self
            .inner
            .always
            .iter()
            .map(|(n, v)| (n.clone(), v.to_str().unwrap_or_default().to_string()))
            .collect();
        if let Some(h) = &self.inner.hsts {
            out.push((
                header::STRICT_TRANSPORT_SECURITY,
                h.to_str().unwrap_or_default().to_string(),
            ));
        }
        if let Some(csp) = &self.inner.csp {
            out.extend(csp.header_values());
        }
        out
    }
}

impl SecureHeaders {
    /// Called when the handler chose no `Cache-Control`: the configured one
    /// replaces any the set itself carries (an extra header is not the
    /// handler's choice, and would make nonce pages cacheable).
    fn keep_private(&self, headers: &mut HeaderMap) {
        if let Some(cc) = &self.inner.nonce_cache_control {
            headers.insert(header::CACHE_CONTROL, cc.clone());
        }
    }
}

/// The default `Cache-Control` of a response carrying a per-visitor secret
/// (a nonce, a masked CSRF token).
pub(crate) const PRIVATE_CACHE_CONTROL: &str = "private, no-store";

/// A configured `Cache-Control` for responses carrying a per-visitor secret.
pub(crate) fn cache_control_value(
    setting: &str,
    value: Option<&str>,
) -> Result<Option<HeaderValue>, ConfigError> {
    let Some(v) = value else { return Ok(None) };
    checked_header("cache-control", v.trim())
        .ok()
        .map(|(_, hv)| hv)
        .filter(|hv| !hv.is_empty())
        .map(Some)
        .ok_or_else(|| {
            ConfigError::new(
                setting,
                format!("`{}` is not a header value; write e.g. `{PRIVATE_CACHE_CONTROL}`, or None to add none", v.escape_debug()),
            )
        })
}

/// Marks a response that carries a per-visitor secret as not for shared
/// caches, unless its handler chose its own `Cache-Control`.
pub(crate) fn keep_private(headers: &mut HeaderMap, value: &HeaderValue) {
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, value.clone());
    }
}

/// Responses with at most this many headers of their own take the template path.
const FEW_HEADERS: usize = 8;

/// The fixed part of the set as a map, CSP without nonces included, built as
/// inserting one by one into an empty map would (first value of a repeated name
/// wins, or the last with `override_existing`). Its hash table has room for a
/// handler's few headers, so moving them in never rehashes.
#[derive(Debug)]
struct Template {
    map: HeaderMap,
}

impl Template {
    fn new(
        always: &[(HeaderName, HeaderValue)],
        hsts: Option<&HeaderValue>,
        csp: Option<&CompiledCsp>,
        overwrite: bool,
    ) -> Self {
        let mut map = HeaderMap::with_capacity(always.len() + 3 + FEW_HEADERS);
        for (name, value) in always {
            insert(&mut map, name, value, overwrite);
        }
        if let Some(hsts) = hsts {
            insert(
                &mut map,
                &header::STRICT_TRANSPORT_SECURITY,
                hsts,
                overwrite,
            );
        }
        // No extra header shares a CSP header's name (refused at build).
        for (name, value) in csp.into_iter().flat_map(CompiledCsp::plain_headers) {
            map.insert(name.clone(), crate::intern::value(value));
        }
        Template { map }
    }
}

#[inline]
fn insert(headers: &mut HeaderMap, name: &HeaderName, value: &HeaderValue, overwrite: bool) {
    if overwrite {
        headers.insert(name.clone(), value.clone());
    } else if let Ok(header::Entry::Vacant(slot)) = headers.try_entry(name.clone()) {
        // One hash lookup for "set if absent"; a full map (32k headers) is left as is.
        let _ = slot.try_insert(value.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csp::{Csp, Policy};

    fn facts(secure: bool) -> RequestFacts {
        RequestFacts::test(secure, "shop.example")
    }

    /// Every (name, value) in map order, values of one name in their order.
    fn listed(h: &HeaderMap) -> Vec<(String, String)> {
        let mut names: Vec<&HeaderName> = h.keys().collect();
        names.sort_by_key(|n| n.as_str());
        names
            .into_iter()
            .flat_map(|n| {
                h.get_all(n)
                    .iter()
                    .map(move |v| (n.to_string(), v.to_str().unwrap().to_string()))
            })
            .collect()
    }

    /// The template path must give exactly what inserting one by one gives
    /// (forced here with empty overrides, which change nothing).
    #[test]
    fn template_path_equals_insert_path() {
        let nonce_csp = Csp::new(Policy::strict())
            .nonce_in(["script-src"])
            .build()
            .unwrap();
        // Enforced and report-only policies, both with the nonce.
        let two_csp = Csp::new(Policy::strict())
            .nonce_in(["script-src"])
            .report_only(Policy::strict())
            .report_uri("https://reports.example/csp")
            .build()
            .unwrap();
        let sets = [
            SecureHeaders::default(),
            SecureHeaders::builder()
                .override_existing(true)
                .build()
                .unwrap(),
            SecureHeaders::builder()
                .compiled_csp(nonce_csp.clone())
                .build()
                .unwrap(),
            SecureHeaders::builder()
                .compiled_csp(two_csp.clone())
                .build()
                .unwrap(),
            // An extra header given twice: which value wins must not depend
            // on the path.
            SecureHeaders::builder()
                .compiled_csp(two_csp.clone())
                .header("x-extra", "1")
                .header("x-extra", "2")
                .build()
                .unwrap(),
            SecureHeaders::builder()
                .compiled_csp(two_csp.clone())
                .override_existing(true)
                .header("x-extra", "1")
                .header("x-extra", "2")
                .build()
                .unwrap(),
        ];
        let handler_maps: Vec<Vec<(&str, &str)>> = vec![
            vec![],
            vec![("content-type", "text/html")],
            vec![
                ("content-type", "application/json"),
                ("x-frame-options", "DENY"),
                ("set-cookie", "a=1; Path=/"),
                ("set-cookie", "b=2"),
                ("content-security-policy", "default-src 'none'"),
                ("vary", "accept"),
                ("vary", "origin"),
            ],
        ];
        for sh in &sets {
            for secure in [false, true] {
                for hm in &handler_maps {
                    let mut base = HeaderMap::new();
                    for (k, v) in hm {
                        base.append(
                            HeaderName::from_static(k),
                            HeaderValue::from_str(v).unwrap(),
                        );
                    }
                    let nonces = sh.csp().and_then(|c| c.new_request_nonces());
                    if let Some(n) = &nonces {
                        let _ = n.script().value();
                    }
                    let (mut fast, mut slow) = (base.clone(), base.clone());
                    sh.apply(&facts(secure), nonces.as_ref(), None, &mut fast);
                    let none = Overrides::new();
                    sh.apply(&facts(secure), nonces.as_ref(), Some(&none), &mut slow);
                    assert_eq!(
                        listed(&fast),
                        listed(&slow),
                        "secure={secure} handler={hm:?}"
                    );
                    // A handler's own enforced CSP leaves the report-only one ours,
                    // nonce included.
                    if let Some(ro) = fast.get("content-security-policy-report-only") {
                        assert!(ro.to_str().unwrap().contains("'nonce-"), "{ro:?}");
                    }
                    // Handler values win by default, ours with override_existing.
                    if hm.len() > 2 {
                        let xfo = if sh.inner.override_existing {
                            "SAMEORIGIN"
                        } else {
                            "DENY"
                        };
                        assert_eq!(fast["x-frame-options"], xfo);
                        assert_eq!(fast.get_all("set-cookie").iter().count(), 2);
                    }
                    if let Some(x) = fast.get("x-extra") {
                        let last = if sh.inner.override_existing { "2" } else { "1" };
                        assert_eq!(x, last);
                    }
                }
            }
        }
    }

    /// An extra header may not name one the set writes itself (one of the two
    /// values would vanish, which one depending on `override_existing`); it may
    /// once that setting is off.
    #[test]
    fn extra_headers_cannot_shadow_the_set() {
        use crate::csp::{Csp, Policy};
        let with_ro = || {
            Csp::new(Policy::strict())
                .report_only(Policy::strict())
                .report_uri("https://reports.example/csp")
        };
        let refused = [
            SecureHeaders::builder().header("X-Frame-Options", "DENY"),
            SecureHeaders::builder().header("strict-transport-security", "max-age=1"),
            SecureHeaders::builder().header("content-security-policy", "default-src 'self'"),
            SecureHeaders::builder()
                .csp(Some(with_ro()))
                .header("content-security-policy-report-only", "default-src 'self'"),
        ];
        for b in refused {
            let e = b.build().unwrap_err();
            assert_eq!(e.setting(), "header");
            assert!(
                e.to_string().contains("already written by this header set"),
                "{e}"
            );
        }
        let sh = SecureHeaders::builder()
            .frame_options(FrameOptions::Off)
            .hsts(None)
            .csp(None)
            .header("x-frame-options", "DENY")
            .header("strict-transport-security", "max-age=60")
            .header("content-security-policy", "default-src 'self'")
            .build()
            .unwrap();
        let mut h = HeaderMap::new();
        sh.apply(&facts(true), None, None, &mut h);
        assert_eq!(h["x-frame-options"], "DENY");
        assert_eq!(h["strict-transport-security"], "max-age=60");
        assert_eq!(h["content-security-policy"], "default-src 'self'");
    }
}
