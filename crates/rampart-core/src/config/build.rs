//! From the effective configuration to the layers' builders; every value is
//! parsed by the same rule the builders use, and every problem is reported
//! with its key.

use std::time::Duration;

use super::schema::{CsrfSection, Headers, Https, Proxy};
use super::Config;
use crate::csp::{Csp, CspBuilder, CspReport, Policy, ReportCollector};
use crate::csrf::{Csrf, CsrfBuilder};
use crate::headers::{
    CookieHardening, CrossOriginEmbedderPolicy, CrossOriginOpenerPolicy, CrossOriginResourcePolicy,
    FrameOptions, Hsts, HttpsRedirect, PermissionsPolicy, PermittedCrossDomainPolicies,
    ReferrerPolicy, SecureHeaders, SecureHeadersBuilder,
};
use crate::{ConfigError, Exemptions, ProxyHeaders, ProxyTrust};

/// Collects every problem, each at its key.
struct Check<'a> {
    config: &'a Config,
    problems: Vec<ConfigError>,
}

impl<'a> Check<'a> {
    fn new(config: &'a Config) -> Self {
        Check {
            config,
            problems: Vec::new(),
        }
    }

    fn at(&mut self, key: &str, e: ConfigError) {
        // A more precise key from the rule itself (`proxy.headers` under `proxy`).
        let key = if e.setting().starts_with(key) && e.setting().contains('.') {
            e.setting().to_owned()
        } else {
            key.to_owned()
        };
        let key = key.as_str();
        let message = if e.setting().is_empty() || key.ends_with(e.setting()) {
            e.message().to_owned()
        } else {
            format!("{} (`{}`)", e.message(), e.setting())
        };
        self.problems.push(self.config.source.error(key, message));
        for more in e.problems().skip(1) {
            self.problems
                .push(self.config.source.error(key, more.message().to_owned()));
        }
    }

    fn value<T>(&mut self, key: &str, r: Result<T, ConfigError>) -> Option<T> {
        r.map_err(|e| self.at(key, e)).ok()
    }

    fn finish(mut self) -> Result<(), ConfigError> {
        // The proxy trust is read by three builders: say each problem once.
        let mut seen = std::collections::HashSet::new();
        self.problems
            .retain(|p| seen.insert((p.setting().to_owned(), p.message().to_owned())));
        match ConfigError::all(self.problems) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// A keyword header's value: `""` is no header.
fn keyword<T: std::str::FromStr<Err = ConfigError>>(
    v: &Option<String>,
) -> Result<Option<T>, ConfigError> {
    match v.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => s.parse().map(Some),
    }
}

fn proxy_trust(p: &Proxy) -> Result<ProxyTrust, ConfigError> {
    let mut headers = ProxyHeaders::default();
    for h in p.headers.iter().flatten() {
        headers = headers
            | match h.trim().to_ascii_lowercase().as_str() {
                "x-forwarded-proto" => ProxyHeaders::X_FORWARDED_PROTO,
                "x-forwarded-host" => ProxyHeaders::X_FORWARDED_HOST,
                "x-forwarded-for" => ProxyHeaders::X_FORWARDED_FOR,
                "forwarded" => ProxyHeaders::FORWARDED,
                other => {
                    return Err(ConfigError::new(
                        "proxy.headers",
                        format!(
                        "`{other}` is no forwarded header rampart reads; use x-forwarded-proto, \
                             x-forwarded-host, x-forwarded-for, or forwarded"
                    ),
                    ))
                }
            };
    }
    let trust = p.trust.as_deref().unwrap_or("none").trim();
    if !matches!(trust, "none" | "loopback" | "peers" | "all") {
        return Err(ConfigError::new(
            "proxy.trust",
            format!("`{trust}` is not a trust; use none, loopback, peers or all"),
        ));
    }
    if trust != "none" && headers == ProxyHeaders::default() {
        return Err(ConfigError::new(
            "proxy.headers",
            "a trusted proxy must name the headers it writes: proxy.headers = \
             [\"x-forwarded-proto\", \"x-forwarded-host\", \"x-forwarded-for\"] (nginx's usual set, \
             or fewer), or [\"forwarded\"]",
        ));
    }
    Ok(match trust {
        "none" => ProxyTrust::nobody(),
        "loopback" => ProxyTrust::loopback(headers),
        "peers" => ProxyTrust::peers(p.peers.iter().flatten(), headers),
        "all" => ProxyTrust::all_traffic_via_proxy(headers),
        other => {
            return Err(ConfigError::new(
                "proxy.trust",
                format!("`{other}` is not a trust; use none, loopback, peers or all"),
            ))
        }
    })
}

/// Talisman's dict form: each directive's sources as a list (or one string).
fn directives(table: &toml::Table) -> Result<Policy, ConfigError> {
    let mut pairs = Vec::new();
    for (name, v) in table {
        let sources: Vec<String> = match v {
            toml::Value::String(s) => vec![s.clone()],
            toml::Value::Array(a) => a
                .iter()
                .map(|x| match x {
                    toml::Value::String(s) => Ok(s.clone()),
                    other => Err(ConfigError::new(
                        "",
                        format!("`{name}`: sources are strings, not `{other}`"),
                    )),
                })
                .collect::<Result<_, _>>()?,
            other => {
                return Err(ConfigError::new(
                    "",
                    format!("`{name}`: write its sources as a list of strings, not `{other}`"),
                ))
            }
        };
        pairs.push((name.clone(), sources));
    }
    Policy::from_pairs(pairs)
}

fn redirect(h: &Https) -> HttpsRedirect {
    if h.redirect == Some(false) {
        return HttpsRedirect::disabled();
    }
    let mut r = HttpsRedirect::default();
    if let Some(port) = h.port {
        r = r.https_port(port);
    }
    let hosts = h.allowed_hosts.clone().unwrap_or_default();
    if !hosts.is_empty() {
        r = r.allowed_hosts(hosts);
    }
    let mut ex = Exemptions::new();
    for p in h.exempt_paths.iter().flatten() {
        ex = ex.path_prefix(p);
    }
    r.exempt(ex)
}

impl Config {
    /// Every value checked, each problem at its key.
    pub(super) fn check(&self) -> Result<(), ConfigError> {
        let mut c = Check::new(self);
        if let Err(e) = self.headers_builder(&mut c).build() {
            c.at(section_of(e.setting()), e);
        }
        if let Some(b) = self.csrf_builder(&mut c, true) {
            if let Err(e) = b.build() {
                c.at(section_of(e.setting()), e);
            }
        }
        if let Some(Err(e)) = self.collector_builder(&mut c, |_: &CspReport| {}) {
            c.at(section_of(e.setting()), e);
        }
        c.finish()
    }

    /// The secure header set, the CSP included.
    ///
    /// ```
    /// # use rampart_core::config::Config;
    /// let headers = Config::preset("talisman").unwrap().secure_headers().unwrap();
    /// let csp = headers.header_values().into_iter().find(|(n, _)| n == "content-security-policy").unwrap().1;
    /// assert_eq!(csp, "default-src 'self'; object-src 'none'");
    /// ```
    pub fn secure_headers(&self) -> Result<SecureHeaders, ConfigError> {
        let mut c = Check::new(self);
        let b = self.headers_builder(&mut c);
        c.finish()?;
        b.build().map_err(|e| self.keyed(e))
    }

    /// The CSRF protection, or `None` when `csrf.enabled = false`. The key ring
    /// is read from the variable `csrf.key_env` names; with the default
    /// (`RAMPART_CSRF_KEY`) unset, a key is generated and a warning logged.
    /// It reads the request facts the header layer (from
    /// [`secure_headers`](Self::secure_headers)) shares, under `[proxy]`; used
    /// without that layer, give it the trust with [`csrf_with`](Self::csrf_with).
    pub fn csrf(&self) -> Result<Option<Csrf>, ConfigError> {
        self.csrf_with(|b| b)
    }

    /// [`csrf`](Self::csrf) with code-only settings added to the builder (a
    /// key from elsewhere, an `on_reject` hook, a predicate exemption).
    ///
    /// ```
    /// # use rampart_core::config::Config;
    /// let csrf = Config::preset("strict").unwrap().csrf_with(|b| b.key(&[7; 32])).unwrap();
    /// assert!(csrf.is_some());
    /// ```
    pub fn csrf_with(
        &self,
        more: impl FnOnce(CsrfBuilder) -> CsrfBuilder,
    ) -> Result<Option<Csrf>, ConfigError> {
        let mut c = Check::new(self);
        let b = self.csrf_builder(&mut c, false);
        c.finish()?;
        match b {
            None => Ok(None),
            Some(b) => more(b).build().map(Some).map_err(|e| self.keyed(e)),
        }
    }

    /// The CSP report collector for [`csp_report_uri`](Self::csp_report_uri),
    /// with the `[reporting]` limits and the proxy trust; `None` without a
    /// report URI.
    pub fn report_collector(
        &self,
        sink: impl Fn(&CspReport) + Send + Sync + 'static,
    ) -> Result<Option<ReportCollector>, ConfigError> {
        let mut c = Check::new(self);
        let r = self.collector_builder(&mut c, sink);
        c.finish()?;
        r.transpose().map_err(|e| self.keyed(e))
    }

    /// A builder's own refusal, put at the configuration key it concerns.
    fn keyed(&self, e: ConfigError) -> ConfigError {
        let mut c = Check::new(self);
        c.at(section_of(e.setting()), e);
        c.finish().expect_err("one problem was noted")
    }

    fn headers_builder(&self, c: &mut Check<'_>) -> SecureHeadersBuilder {
        let e = &self.effective;
        let h: Headers = e.headers.clone().unwrap_or_default();
        let mut b = SecureHeaders::builder();
        if let Some(t) = c.value("proxy", proxy_trust(&e.proxy.clone().unwrap_or_default())) {
            b = b.proxy_trust(t);
        }
        b = b.https_redirect(redirect(&e.https.clone().unwrap_or_default()));
        let hsts = h.hsts.clone().unwrap_or_default();
        b = b.hsts((hsts.enabled != Some(false)).then(|| {
            let d = Hsts::default();
            let mut x = d;
            if let Some(m) = hsts.max_age {
                x = x.max_age(m);
            }
            if let Some(s) = hsts.include_subdomains {
                x = x.include_subdomains(s);
            }
            if let Some(p) = hsts.preload {
                x = x.preload(p);
            }
            x
        }));
        match h.frame_options.as_deref().map(str::trim) {
            None | Some("") => b = b.frame_options(FrameOptions::Off),
            Some(v) => {
                if let Some(f) = c.value("headers.frame_options", FrameOptions::parse(v)) {
                    b = b.frame_options(f);
                }
            }
        }
        b = b.content_type_options(h.content_type_options != Some(false));
        if let Some(r) = c.value(
            "headers.referrer_policy",
            keyword::<ReferrerPolicy>(&h.referrer_policy),
        ) {
            b = b.referrer_policy(r);
        }
        let pp = h.permissions_policy.as_deref().unwrap_or("").trim();
        let pp = if pp.is_empty() {
            Ok(PermissionsPolicy::new())
        } else {
            PermissionsPolicy::parse(pp)
        };
        if let Some(p) = c.value("headers.permissions_policy", pp) {
            b = b.permissions_policy(p);
        }
        b = b.document_policy(
            h.document_policy
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty()),
        );
        if let Some(v) = c.value(
            "headers.cross_origin_opener_policy",
            keyword::<CrossOriginOpenerPolicy>(&h.cross_origin_opener_policy),
        ) {
            b = b.cross_origin_opener_policy(v);
        }
        if let Some(v) = c.value(
            "headers.cross_origin_embedder_policy",
            keyword::<CrossOriginEmbedderPolicy>(&h.cross_origin_embedder_policy),
        ) {
            b = b.cross_origin_embedder_policy(v);
        }
        if let Some(v) = c.value(
            "headers.cross_origin_resource_policy",
            keyword::<CrossOriginResourcePolicy>(&h.cross_origin_resource_policy),
        ) {
            b = b.cross_origin_resource_policy(v);
        }
        if let Some(v) = c.value(
            "headers.permitted_cross_domain_policies",
            keyword::<PermittedCrossDomainPolicies>(&h.permitted_cross_domain_policies),
        ) {
            b = b.permitted_cross_domain_policies(v);
        }
        match h.dns_prefetch_control.as_deref().map(str::trim) {
            None | Some("") => b = b.dns_prefetch_control(None),
            Some(v) if v.eq_ignore_ascii_case("on") => b = b.dns_prefetch_control(Some(true)),
            Some(v) if v.eq_ignore_ascii_case("off") => b = b.dns_prefetch_control(Some(false)),
            Some(v) => c.at(
                "headers.dns_prefetch_control",
                ConfigError::new(
                    "",
                    format!("`{v}` is not allowed; use on, off, or \"\" for no header"),
                ),
            ),
        }
        b = b
            .origin_agent_cluster(h.origin_agent_cluster != Some(false))
            .xss_protection(h.xss_protection != Some(false))
            .force_file_save(h.force_file_save == Some(true))
            .override_existing(h.override_existing == Some(true));
        if h.harden_cookies == Some(false) {
            b = b.cookies(CookieHardening::disabled());
        }
        for (name, value) in h.extra.iter().flatten() {
            b = b.header(name, value);
        }
        match self.csp_builder(c) {
            Some(Some(csp)) => b = b.csp(Some(csp)),
            Some(None) => b = b.csp(None),
            None => {}
        }
        b
    }

    /// `Some(None)`: no CSP; `None`: the CSP section has a problem (noted).
    fn csp_builder(&self, c: &mut Check<'_>) -> Option<Option<CspBuilder>> {
        let s = self.effective.csp.clone().unwrap_or_default();
        let text = s.policy.as_deref().unwrap_or("").trim();
        let pairs = s.directives.clone().unwrap_or_default();
        let policy = match (text.is_empty(), pairs.is_empty()) {
            (true, true) => return Some(None),
            (false, true) => c.value("csp.policy", Policy::parse(text))?,
            (true, false) => c.value("csp.directives", directives(&pairs))?,
            (false, false) => {
                c.at(
                    "csp.directives",
                    ConfigError::new(
                        "",
                        "give the policy once: as `policy` (a string) or as `directives` (a table), \
                         and set the other to empty",
                    ),
                );
                return None;
            }
        };
        let mut b = Csp::builder(policy).nonce_in(s.nonce_in.clone().unwrap_or_default());
        if s.report_only == Some(true) {
            b = b.report_only_mode();
        }
        if let Some(uri) = self.csp_report_uri() {
            b = b.report_uri(uri);
        }
        Some(Some(b))
    }

    /// The CSRF builder, or `None` when CSRF is off. `checking`: a stand-in key,
    /// so that loading a file does not need the deploy's secret.
    fn csrf_builder(&self, c: &mut Check<'_>, checking: bool) -> Option<CsrfBuilder> {
        let e = &self.effective;
        let s: CsrfSection = e.csrf.clone().unwrap_or_default();
        if s.enabled == Some(false) {
            return None;
        }
        // The proxy trust is the header set's (one place): the CSRF layer reads
        // the facts the header layer shares. Alone, add it with `csrf_with`.
        let mut b = Csrf::builder();
        let key_env = s.key_env.as_deref().unwrap_or(crate::csrf::DEFAULT_KEY_ENV);
        if checking {
            b = b.key(&[0x5a; 32]);
        } else if key_env != crate::csrf::DEFAULT_KEY_ENV {
            b = b.key_from_env(key_env);
        }
        b = b
            .tokens(s.tokens != Some(false))
            .allow_same_site(s.allow_same_site == Some(true))
            .check_referer(s.check_referer != Some(false))
            .check_websockets(s.check_websockets != Some(false))
            .check_event_streams(s.check_event_streams == Some(true))
            .report_only(s.report_only == Some(true));
        for o in s.trusted_origins.iter().flatten() {
            b = b.trusted_origin(o);
        }
        if let Some(n) = &s.cookie_name {
            b = b.cookie_name(n);
        }
        if let Some(n) = &s.header_name {
            b = b.header_name(n);
        }
        if let Some(n) = &s.field_name {
            b = b.field_name(n);
        }
        if let Some(n) = &s.json_key {
            b = b.json_key(n);
        }
        if let Some(n) = s.body_limit {
            b = b.body_limit(n);
        }
        if let Some(n) = s.body_timeout_secs {
            b = b.body_timeout(Duration::from_secs(n));
        }
        match s
            .same_site
            .as_deref()
            .map(|v| v.trim().to_ascii_lowercase())
        {
            None => {}
            Some(v) => match v.as_str() {
                "lax" => b = b.same_site(cookie::SameSite::Lax),
                "strict" => b = b.same_site(cookie::SameSite::Strict),
                "none" => b = b.same_site(cookie::SameSite::None),
                other => c.at(
                    "csrf.same_site",
                    ConfigError::new(
                        "",
                        format!("`{other}` is not allowed; use lax, strict or none"),
                    ),
                ),
            },
        }
        let mut ex = Exemptions::new();
        for p in s.exempt_paths.iter().flatten() {
            ex = ex.path_prefix(p);
        }
        for r in s.exempt_routes.iter().flatten() {
            ex = ex.route(r);
        }
        // The report endpoint takes browsers' POSTs, which carry no token.
        if let Some(uri) = self.csp_report_uri() {
            ex = ex.route(uri);
        }
        Some(b.exempt(ex))
    }

    fn collector_builder(
        &self,
        c: &mut Check<'_>,
        sink: impl Fn(&CspReport) + Send + Sync + 'static,
    ) -> Option<Result<ReportCollector, ConfigError>> {
        self.csp_report_uri()?;
        let r = self.effective.reporting.clone().unwrap_or_default();
        let mut b = ReportCollector::builder(sink);
        if let Some(t) = c.value(
            "proxy",
            proxy_trust(&self.effective.proxy.clone().unwrap_or_default()),
        ) {
            b = b.proxy_trust(t);
        }
        if let Some(n) = r.max_body {
            b = b.max_body(n);
        }
        if let Some(n) = r.per_minute {
            b = b.rate_limit(n, Duration::from_secs(60));
        }
        if let Some(n) = r.max_reports_per_body {
            b = b.max_reports_per_body(n);
        }
        if let Some(n) = r.collapse_window_secs {
            b = b.collapse_window(Duration::from_secs(n));
        }
        Some(b.build())
    }
}

/// The configuration key a builder's setting name belongs to.
fn section_of(setting: &str) -> &'static str {
    let s = setting.to_ascii_lowercase();
    let pick = [
        ("trusted_origin", "csrf.trusted_origins"),
        ("trusted_prox", "proxy.peers"),
        ("body_timeout", "csrf.body_timeout_secs"),
        ("body_limit", "csrf.body_limit"),
        ("cookie_name", "csrf.cookie_name"),
        ("header_name", "csrf.header_name"),
        ("key", "csrf.key_env"),
        ("csrf", "csrf"),
        ("report_uri", "csp.report_uri"),
        ("report_only", "csp.report_only"),
        ("nonce", "csp.nonce_in"),
        ("csp", "csp.policy"),
        ("hsts", "headers.hsts"),
        ("frame", "headers.frame_options"),
        ("permissions", "headers.permissions_policy"),
        ("dns", "headers.dns_prefetch_control"),
        ("allowed_hosts", "https.allowed_hosts"),
        ("redirect", "https"),
        ("proxy", "proxy"),
        ("report", "reporting"),
        ("header", "headers.extra"),
    ];
    pick.iter()
        .find(|(needle, _)| s.contains(needle))
        .map_or("", |(_, key)| key)
}
