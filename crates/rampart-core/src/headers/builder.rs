//! [`SecureHeadersBuilder`]: collects every setting, checks them all at
//! [`build`](SecureHeadersBuilder::build), and prebuilds the set.

use std::sync::Arc;

use http::header::{self, HeaderName};
use http::HeaderValue;

use super::cross_origin::report_only_value;
use super::set::{Inner, SecureHeaders, Template};
use super::{
    cache_control_value, checked_header, permissions, CookieHardening, CrossOriginEmbedderPolicy,
    CrossOriginOpenerPolicy, CrossOriginResourcePolicy, FrameOptions, Hsts, HttpsRedirect,
    PermissionsPolicy, PermittedCrossDomainPolicies, ReferrerPolicy, PRIVATE_CACHE_CONTROL,
};
use crate::csp::{Csp, CspBuilder, Policy};
use crate::{ConfigError, ProxyTrust};

/// Builder for [`SecureHeaders`]; start from [`SecureHeaders::builder`].
///
/// ```
/// use rampart_core::headers::{FrameOptions, Hsts, SecureHeaders};
/// let sh = SecureHeaders::builder()
///     .frame_options(FrameOptions::Deny)
///     .hsts(Some(Hsts::default().preload(true)))
///     .build()
///     .unwrap();
/// let hsts = sh.header_values().into_iter().find(|(n, _)| n == "strict-transport-security").unwrap().1;
/// assert_eq!(hsts, "max-age=31536000; includeSubDomains; preload");
/// ```
#[derive(Debug, Clone)]
pub struct SecureHeadersBuilder {
    redirect: HttpsRedirect,
    proxy_trust: ProxyTrust,
    hsts: Option<Hsts>,
    frame_options: FrameOptions,
    content_type_options: bool,
    referrer_policy: Option<ReferrerPolicy>,
    permissions_policy: PermissionsPolicy,
    document_policy: Option<String>,
    pub(super) coop: Option<CrossOriginOpenerPolicy>,
    pub(super) corp: Option<CrossOriginResourcePolicy>,
    pub(super) coep: Option<CrossOriginEmbedderPolicy>,
    pub(super) coop_report_only: Option<(CrossOriginOpenerPolicy, Option<String>)>,
    pub(super) coep_report_only: Option<(CrossOriginEmbedderPolicy, Option<String>)>,
    origin_agent_cluster: bool,
    cross_domain_policies: Option<PermittedCrossDomainPolicies>,
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
    Config(Box<CspBuilder>),
    Compiled(Csp),
}

impl Default for SecureHeadersBuilder {
    fn default() -> Self {
        Self {
            redirect: HttpsRedirect::default(),
            proxy_trust: ProxyTrust::nobody(),
            hsts: Some(Hsts::default()),
            frame_options: FrameOptions::SameOrigin,
            content_type_options: true,
            referrer_policy: Some(ReferrerPolicy::default()),
            permissions_policy: PermissionsPolicy::recommended(),
            document_policy: None,
            coop: Some(CrossOriginOpenerPolicy::default()),
            corp: Some(CrossOriginResourcePolicy::default()),
            coep: None,
            coop_report_only: None,
            coep_report_only: None,
            origin_agent_cluster: true,
            cross_domain_policies: Some(PermittedCrossDomainPolicies::default()),
            dns_prefetch_control: Some(false),
            xss_protection: true,
            force_file_save: false,
            csp: Some(CspSetting::Config(Box::new(
                Csp::builder(Policy::default()),
            ))),
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
    /// use rampart_core::headers::{HttpsRedirect, SecureHeaders};
    /// use rampart_core::Exemptions;
    /// let sh = SecureHeaders::builder()
    ///     .https_redirect(HttpsRedirect::default().exempt(Exemptions::new().path_prefix("/health")))
    ///     .build().unwrap();
    /// # use rampart_core::{adapter::Inbound, ConnectionInfo};
    /// let (health, _) = http::Request::get("/health").header("host", "shop.example").body(()).unwrap().into_parts();
    /// assert!(matches!(sh.inbound(ConnectionInfo::default(), &health), Inbound::Continue(_)));
    /// let (page, _) = http::Request::get("/").header("host", "shop.example").body(()).unwrap().into_parts();
    /// assert!(matches!(sh.inbound(ConnectionInfo::default(), &page), Inbound::Respond(r) if r.status() == 301));
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
    /// let sh = SecureHeaders::builder().proxy_trust(ProxyTrust::loopback(ProxyHeaders::X_FORWARDED));
    /// assert!(sh.build().is_ok());
    /// ```
    pub fn proxy_trust(mut self, t: ProxyTrust) -> Self {
        self.proxy_trust = t;
        self
    }

    /// HSTS settings, or `None` for no header.
    ///
    /// ```
    /// # use rampart_core::headers::SecureHeaders;
    /// # fn value(sh: &SecureHeaders, name: &str) -> Option<String> { sh.header_values().into_iter().find(|(n, _)| n == name).map(|(_, v)| v) }
    /// let sh = SecureHeaders::builder().hsts(None).build().unwrap();
    /// assert_eq!(value(&sh, "strict-transport-security"), None);
    /// ```
    pub fn hsts(mut self, h: Option<Hsts>) -> Self {
        self.hsts = h;
        self
    }

    /// `X-Frame-Options`.
    ///
    /// ```
    /// # use rampart_core::headers::{FrameOptions, SecureHeaders};
    /// # fn value(sh: &SecureHeaders, name: &str) -> Option<String> { sh.header_values().into_iter().find(|(n, _)| n == name).map(|(_, v)| v) }
    /// let sh = SecureHeaders::builder().frame_options(FrameOptions::Deny).build().unwrap();
    /// assert_eq!(value(&sh, "x-frame-options").as_deref(), Some("DENY"));
    /// let sh = SecureHeaders::builder().frame_options(FrameOptions::Off).build().unwrap();
    /// assert_eq!(value(&sh, "x-frame-options"), None);
    /// ```
    pub fn frame_options(mut self, f: FrameOptions) -> Self {
        self.frame_options = f;
        self
    }

    /// `X-Content-Type-Options: nosniff` on or off.
    ///
    /// ```
    /// # use rampart_core::headers::SecureHeaders;
    /// # fn value(sh: &SecureHeaders, name: &str) -> Option<String> { sh.header_values().into_iter().find(|(n, _)| n == name).map(|(_, v)| v) }
    /// assert_eq!(value(&SecureHeaders::default(), "x-content-type-options").as_deref(), Some("nosniff"));
    /// let sh = SecureHeaders::builder().content_type_options(false).build().unwrap();
    /// assert_eq!(value(&sh, "x-content-type-options"), None);
    /// ```
    pub fn content_type_options(mut self, on: bool) -> Self {
        self.content_type_options = on;
        self
    }

    /// `Referrer-Policy`, or `None` for no header.
    ///
    /// ```
    /// # use rampart_core::headers::{ReferrerPolicy, SecureHeaders};
    /// # use rampart_core::ConnectionInfo;
    /// let sh = SecureHeaders::builder().referrer_policy(Some(ReferrerPolicy::NoReferrer)).build().unwrap();
    /// # let req = http::Request::get("http://localhost/").body(()).unwrap();
    /// # let facts = sh.facts(ConnectionInfo::default(), req.uri(), req.headers());
    /// let mut h = http::HeaderMap::new();
    /// sh.apply(&facts, None, None, &mut h);
    /// assert_eq!(h["referrer-policy"], "no-referrer");
    /// ```
    pub fn referrer_policy(mut self, p: Option<ReferrerPolicy>) -> Self {
        self.referrer_policy = p;
        self
    }

    /// `Permissions-Policy` (an empty policy sends no header).
    ///
    /// ```
    /// use rampart_core::headers::{PermissionsPolicy, SecureHeaders};
    /// # use rampart_core::headers::SecureHeaders as _S;
    /// # fn value(sh: &SecureHeaders, name: &str) -> Option<String> { sh.header_values().into_iter().find(|(n, _)| n == name).map(|(_, v)| v) }
    /// let policy = PermissionsPolicy::recommended().deny("camera");
    /// let sh = SecureHeaders::builder().permissions_policy(policy).build().unwrap();
    /// assert_eq!(value(&sh, "permissions-policy").as_deref(), Some("browsing-topics=(), camera=()"));
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

    /// `Origin-Agent-Cluster: ?1` on or off.
    ///
    /// ```
    /// # use rampart_core::headers::SecureHeaders;
    /// # fn value(sh: &SecureHeaders, name: &str) -> Option<String> { sh.header_values().into_iter().find(|(n, _)| n == name).map(|(_, v)| v) }
    /// assert_eq!(value(&SecureHeaders::default(), "origin-agent-cluster").as_deref(), Some("?1"));
    /// let sh = SecureHeaders::builder().origin_agent_cluster(false).build().unwrap();
    /// assert_eq!(value(&sh, "origin-agent-cluster"), None);
    /// ```
    pub fn origin_agent_cluster(mut self, on: bool) -> Self {
        self.origin_agent_cluster = on;
        self
    }

    /// `X-Permitted-Cross-Domain-Policies` (default `none`), or `None`.
    ///
    /// ```
    /// # use rampart_core::headers::{PermittedCrossDomainPolicies, SecureHeaders};
    /// let master = Some(PermittedCrossDomainPolicies::MasterOnly);
    /// assert!(SecureHeaders::builder().permitted_cross_domain_policies(master).build().is_ok());
    /// ```
    pub fn permitted_cross_domain_policies(
        mut self,
        v: Option<PermittedCrossDomainPolicies>,
    ) -> Self {
        self.cross_domain_policies = v;
        self
    }

    /// `X-DNS-Prefetch-Control`: `Some(false)` sends `off` (default), `Some(true)` `on`, `None` nothing.
    ///
    /// ```
    /// # use rampart_core::headers::SecureHeaders;
    /// # fn value(sh: &SecureHeaders, name: &str) -> Option<String> { sh.header_values().into_iter().find(|(n, _)| n == name).map(|(_, v)| v) }
    /// let sh = SecureHeaders::builder().dns_prefetch_control(Some(true)).build().unwrap();
    /// assert_eq!(value(&sh, "x-dns-prefetch-control").as_deref(), Some("on"));
    /// let sh = SecureHeaders::builder().dns_prefetch_control(None).build().unwrap();
    /// assert_eq!(value(&sh, "x-dns-prefetch-control"), None);
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
    /// # fn value(sh: &SecureHeaders, name: &str) -> Option<String> { sh.header_values().into_iter().find(|(n, _)| n == name).map(|(_, v)| v) }
    /// assert_eq!(value(&SecureHeaders::default(), "x-xss-protection").as_deref(), Some("0"));
    /// let sh = SecureHeaders::builder().xss_protection(false).build().unwrap();
    /// assert_eq!(value(&sh, "x-xss-protection"), None);
    /// ```
    pub fn xss_protection(mut self, on: bool) -> Self {
        self.xss_protection = on;
        self
    }

    /// Talisman's `force_file_save`: `X-Download-Options: noopen` (default off).
    ///
    /// ```
    /// # use rampart_core::headers::SecureHeaders;
    /// # fn value(sh: &SecureHeaders, name: &str) -> Option<String> { sh.header_values().into_iter().find(|(n, _)| n == name).map(|(_, v)| v) }
    /// let sh = SecureHeaders::builder().force_file_save(true).build().unwrap();
    /// assert_eq!(value(&sh, "x-download-options").as_deref(), Some("noopen"));
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
    /// let csp = Csp::builder(Policy::strict()).nonce_in(["script-src"]);
    /// # fn value(sh: &SecureHeaders, name: &str) -> Option<String> { sh.header_values().into_iter().find(|(n, _)| n == name).map(|(_, v)| v) }
    /// let sh = SecureHeaders::builder().csp(Some(csp)).build().unwrap();
    /// assert!(value(&sh, "content-security-policy").unwrap().starts_with("script-src"));
    /// let none = SecureHeaders::builder().csp(None).build().unwrap();
    /// assert_eq!(value(&none, "content-security-policy"), None);
    /// ```
    pub fn csp(mut self, csp: Option<CspBuilder>) -> Self {
        self.csp = csp.map(|c| CspSetting::Config(Box::new(c)));
        self
    }

    /// An already compiled CSP.
    ///
    /// ```
    /// use rampart_core::csp::{Csp, Policy};
    /// # use rampart_core::headers::SecureHeaders;
    /// let compiled = Csp::builder(Policy::default()).build().unwrap();
    /// # fn value(sh: &SecureHeaders, name: &str) -> Option<String> { sh.header_values().into_iter().find(|(n, _)| n == name).map(|(_, v)| v) }
    /// let sh = SecureHeaders::builder().compiled_csp(compiled).build().unwrap();
    /// assert_eq!(value(&sh, "content-security-policy").as_deref(), Some("default-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'self'; form-action 'self'"));
    /// ```
    pub fn compiled_csp(mut self, csp: Csp) -> Self {
        self.csp = Some(CspSetting::Compiled(csp));
        self
    }

    /// How application cookies are hardened.
    ///
    /// ```
    /// use rampart_core::headers::{CookieHardening, SecureHeaders};
    /// # use rampart_core::ConnectionInfo;
    /// let sh = SecureHeaders::builder().cookies(CookieHardening::default().exclude("theme")).build().unwrap();
    /// # let req = http::Request::get("https://shop.example/").body(()).unwrap();
    /// # let facts = sh.facts(ConnectionInfo::default().with_tls(true), req.uri(), req.headers());
    /// let mut h = http::HeaderMap::new();
    /// h.append("set-cookie", "theme=dark".parse().unwrap());
    /// h.append("set-cookie", "sid=1".parse().unwrap());
    /// sh.apply(&facts, None, None, &mut h);
    /// let cookies: Vec<_> = h.get_all("set-cookie").iter().map(|v| v.to_str().unwrap()).collect();
    /// assert_eq!(cookies[0], "theme=dark");
    /// assert!(cookies[1].starts_with("sid=1") && cookies[1].contains("Secure"));
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
    /// # use rampart_core::ConnectionInfo;
    /// let sh = SecureHeaders::builder().override_existing(true).build().unwrap();
    /// # let req = http::Request::get("http://localhost/").body(()).unwrap();
    /// # let facts = sh.facts(ConnectionInfo::default(), req.uri(), req.headers());
    /// let mut h = http::HeaderMap::new();
    /// h.insert("x-frame-options", "ALLOWALL".parse().unwrap());
    /// sh.apply(&facts, None, None, &mut h);
    /// assert_eq!(h["x-frame-options"], "SAMEORIGIN");
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
    /// let sh = SecureHeaders::builder().nonce_cache_control(Some("private, max-age=0")).build();
    /// assert!(sh.is_ok());
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
    /// Per-response [`Overrides`](super::Overrides) are not kept this way.
    ///
    /// ```
    /// # use rampart_core::headers::SecureHeaders;
    /// let sh = SecureHeaders::builder().build().unwrap();
    /// assert!(sh.header_values().iter().any(|(n, _)| n == "x-content-type-options"));
    /// ```
    pub fn build(self) -> Result<SecureHeaders, ConfigError> {
        let mut errors = self.errors;
        errors.extend(self.proxy_trust.problems().cloned());
        errors.extend(self.redirect.problems());
        errors.extend(self.permissions_policy.problems().cloned());
        if let Some(e) = ConfigError::all(errors) {
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
        if let Some(r) = self.referrer_policy {
            push(&mut always, "referrer-policy", r.as_str())?;
        }
        if let Some(v) = self.coop {
            push(&mut always, "cross-origin-opener-policy", v.as_str())?;
        }
        if let Some(v) = self.corp {
            push(&mut always, "cross-origin-resource-policy", v.as_str())?;
        }
        if let Some(v) = self.coep {
            push(&mut always, "cross-origin-embedder-policy", v.as_str())?;
        }
        for (name, value) in [
            (
                "cross-origin-opener-policy-report-only",
                self.coop_report_only.as_ref().map(|(v, g)| (v.as_str(), g)),
            ),
            (
                "cross-origin-embedder-policy-report-only",
                self.coep_report_only.as_ref().map(|(v, g)| (v.as_str(), g)),
            ),
        ] {
            if let Some((keyword, group)) = value {
                push(
                    &mut always,
                    name,
                    &report_only_value(name, keyword, group.as_deref())?,
                )?;
            }
        }
        if self.origin_agent_cluster {
            push(&mut always, "origin-agent-cluster", "?1")?;
        }
        if let Some(v) = self.cross_domain_policies {
            push(&mut always, "x-permitted-cross-domain-policies", v.as_str())?;
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
                    .flat_map(Csp::plain_headers)
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
                    || csp.as_ref().is_some_and(Csp::takes_nonces),
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
