//! The CSP configuration, compiled once into header templates.

use std::sync::Arc;

use http::header::{HeaderMap, HeaderName, HeaderValue};

use super::directive::Sources;
use super::directives::check_directive_name;
use super::header::CompiledHeader;
use super::lint::{Finding, Severity};
use super::nonce::{NonceCells, RequestNonces};
use super::policy::{is_group_name, Policy};
use super::source::check_chars;
use crate::ConfigError;

/// `Content-Security-Policy-Report-Only`.
const CSP_REPORT_ONLY: &str = "content-security-policy-report-only";
/// `Reporting-Endpoints` (Reporting API v1).
const REPORTING_ENDPOINTS: &str = "reporting-endpoints";

/// Directives in which a nonce has an effect.
const NONCE_DIRECTIVES: [&str; 7] = [
    "default-src",
    "script-src",
    "script-src-elem",
    "script-src-attr",
    "style-src",
    "style-src-elem",
    "style-src-attr",
];

/// Content Security Policy configuration; [`build`](CspBuilder::build) compiles it.
///
/// ```
/// use rampart_core::csp::{Csp, Policy};
/// let csp = Csp::builder(Policy::strict())
///     .nonce_in(["script-src"])
///     .report_uri("/csp-report")
///     .build()
///     .unwrap();
/// assert!(csp.findings().iter().all(|f| f.severity > rampart_core::csp::Severity::Medium));
/// ```
#[derive(Clone, Debug)]
pub struct CspBuilder {
    policy: Policy,
    nonce_in: Vec<String>,
    style_nonce_in: Vec<String>,
    report_only: Option<Policy>,
    report_only_mode: bool,
    report_uri: Option<String>,
    report_to: Option<(String, String)>,
}

impl CspBuilder {
    /// Starts a configuration enforcing `policy` ([`Csp::builder`]).
    pub(crate) fn new(policy: Policy) -> Self {
        CspBuilder {
            policy,
            nonce_in: Vec::new(),
            style_nonce_in: Vec::new(),
            report_only: None,
            report_only_mode: false,
            report_uri: None,
            report_to: None,
        }
    }

    /// Adds the per-request script nonce to these directives.
    ///
    /// A listed directive the policy lacks is created with the sources it would
    /// have fallen back to (`default-src` for `script-src`) plus the nonce.
    ///
    /// ```
    /// # use rampart_core::csp::{Csp, Policy};
    /// let csp = Csp::builder(Policy::default()).nonce_in(["script-src"]).build().unwrap();
    /// assert!(csp.policy().to_string().contains("script-src 'self'"));
    /// ```
    pub fn nonce_in<I: IntoIterator<Item = S>, S: AsRef<str>>(mut self, directives: I) -> Self {
        self.nonce_in = directives
            .into_iter()
            .map(|s| s.as_ref().trim().to_ascii_lowercase())
            .collect();
        self
    }

    /// Adds a separate per-request style nonce to these directives.
    ///
    /// Without this call, [`RequestNonces::style`] is the script nonce.
    ///
    /// ```
    /// # use rampart_core::csp::{Csp, Policy};
    /// let csp = Csp::builder(Policy::default()).style_nonce_in(["style-src"]).build().unwrap();
    /// assert!(csp.new_request_nonces().is_some());
    /// ```
    pub fn style_nonce_in<I: IntoIterator<Item = S>, S: AsRef<str>>(
        mut self,
        directives: I,
    ) -> Self {
        self.style_nonce_in = directives
            .into_iter()
            .map(|s| s.as_ref().trim().to_ascii_lowercase())
            .collect();
        self
    }

    /// Also sends `policy` as `Content-Security-Policy-Report-Only`, to trial a
    /// stricter policy next to the enforced one. It gets nonces in the same directives.
    ///
    /// ```
    /// # use rampart_core::csp::{Csp, Policy};
    /// let csp = Csp::builder(Policy::default())
    ///     .report_only(Policy::strict())
    ///     .report_uri("https://reports.example/csp")
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(csp.header_values().len(), 2);
    /// ```
    pub fn report_only(mut self, policy: Policy) -> Self {
        self.report_only = Some(policy);
        self
    }

    /// Sends the main policy as `Content-Security-Policy-Report-Only` instead of
    /// enforcing it (Flask-Talisman's `content_security_policy_report_only`).
    ///
    /// ```
    /// # use rampart_core::csp::{Csp, Policy};
    /// let csp = Csp::builder(Policy::default()).report_only_mode().report_uri("/csp").build().unwrap();
    /// assert_eq!(csp.header_values()[0].0, "content-security-policy-report-only");
    /// ```
    pub fn report_only_mode(mut self) -> Self {
        self.report_only_mode = true;
        self
    }

    /// Adds `report-uri uri` to the enforced and report-only policies, unless a
    /// policy already has a `report-uri` directive (which is then kept as is).
    ///
    /// ```
    /// # use rampart_core::csp::{Csp, Policy};
    /// let csp = Csp::builder(Policy::default()).report_uri("/csp-report").build().unwrap();
    /// assert!(csp.header_values()[0].1.ends_with("; report-uri /csp-report"));
    /// ```
    pub fn report_uri(mut self, uri: &str) -> Self {
        self.report_uri = Some(uri.trim().to_string());
        self
    }

    /// Adds `report-to group` to the policies and sends
    /// `Reporting-Endpoints: group="endpoint_url"`.
    ///
    /// ```
    /// # use rampart_core::csp::{Csp, Policy};
    /// let csp = Csp::builder(Policy::default())
    ///     .report_to("csp", "https://reports.example/csp")
    ///     .build()
    ///     .unwrap();
    /// let values = csp.header_values();
    /// assert!(values.iter().any(|(n, v)| n == "reporting-endpoints" && v == "csp=\"https://reports.example/csp\""));
    /// ```
    pub fn report_to(mut self, group: &str, endpoint_url: &str) -> Self {
        self.report_to = Some((group.trim().to_string(), endpoint_url.trim().to_string()));
        self
    }

    /// Validates and compiles the configuration; logs lint findings once.
    ///
    /// ```
    /// # use rampart_core::csp::{Csp, Policy};
    /// let err = Csp::builder(Policy::default()).report_only_mode().build().unwrap_err();
    /// assert!(err.message().contains("report-only needs a report URI"));
    /// assert!(Csp::builder(Policy::default()).nonce_in(["img-src"]).build().is_err());
    /// ```
    pub fn build(self) -> Result<Csp, ConfigError> {
        let check_list = |list: &[String], setting: &str| -> Result<(), ConfigError> {
            for n in list {
                let name =
                    check_directive_name(n).map_err(|e| ConfigError::new(setting, e.message()))?;
                if !NONCE_DIRECTIVES.contains(&name.as_str()) {
                    return Err(ConfigError::new(
                        setting,
                        format!("nonces only take effect in script and style directives, not {name}; use one of {}", NONCE_DIRECTIVES.join(", ")),
                    ));
                }
            }
            Ok(())
        };
        check_list(&self.nonce_in, "csp.nonce_in")?;
        check_list(&self.style_nonce_in, "csp.style_nonce_in")?;
        if let Some(both) = self
            .nonce_in
            .iter()
            .find(|n| self.style_nonce_in.contains(n))
        {
            return Err(ConfigError::new(
                "csp.style_nonce_in",
                format!("{both} is listed in both nonce_in and style_nonce_in; list each directive once"),
            ));
        }
        if self.report_only_mode && self.report_only.is_some() {
            return Err(ConfigError::new(
                "csp.report_only",
                "report_only_mode() already sends the main policy as report-only; use either .report_only(policy) or .report_only_mode(), not both",
            ));
        }
        if let Some(uri) = &self.report_uri {
            Policy::from_pairs([("report-uri", uri.as_str())])
                .map_err(|e| ConfigError::new("csp.report_uri", e.message()))?;
        }
        let endpoints = match &self.report_to {
            None => None,
            Some((group, url)) => Some(reporting_endpoints_value(group, url)?),
        };

        let all_nonce: Vec<&str> = self
            .nonce_in
            .iter()
            .chain(&self.style_nonce_in)
            .map(String::as_str)
            .collect();
        let prepare = |p: &Policy| -> Result<Policy, ConfigError> {
            let mut p = p.with_nonce_directives(&all_nonce);
            if let (Some(uri), None) = (&self.report_uri, p.directive("report-uri")) {
                p = p.with_sources("report-uri", uri.as_str())?;
            }
            if let (Some((group, _)), None) = (&self.report_to, p.directive("report-to")) {
                p = p.with_sources("report-to", group.as_str())?;
            }
            Ok(p)
        };
        let main = prepare(&self.policy)?;
        let extra = self.report_only.as_ref().map(prepare).transpose()?;
        let needs_reporting =
            |p: &Policy| p.directive("report-uri").is_none() && p.directive("report-to").is_none();
        if (self.report_only_mode && needs_reporting(&main))
            || extra.as_ref().is_some_and(needs_reporting)
        {
            return Err(ConfigError::new(
                "csp.report_only",
                "report-only needs a report URI: call .report_uri(..) or .report_to(..)",
            ));
        }

        let script: Vec<&str> = self.nonce_in.iter().map(String::as_str).collect();
        let style: Vec<&str> = self.style_nonce_in.iter().map(String::as_str).collect();
        let main_name = if self.report_only_mode {
            HeaderName::from_static(CSP_REPORT_ONLY)
        } else {
            http::header::CONTENT_SECURITY_POLICY
        };
        let mut headers = vec![CompiledHeader::new(main_name, &main, &script, &style)?];
        if let Some(ro) = &extra {
            headers.push(CompiledHeader::new(
                HeaderName::from_static(CSP_REPORT_ONLY),
                ro,
                &script,
                &style,
            )?);
        }
        if let Some(v) = endpoints {
            headers.push(CompiledHeader::plain(
                HeaderName::from_static(REPORTING_ENDPOINTS),
                v,
            )?);
        }

        let findings = main.lint(&all_nonce);
        log_findings(
            &findings,
            if self.report_only_mode {
                "report-only"
            } else {
                "enforced"
            },
        );
        if let Some(ro) = &extra {
            log_findings(&ro.lint(&all_nonce), "report-only");
        }
        Ok(Csp(Arc::new(Inner {
            config: self.clone(),
            policy: main,
            headers,
            findings,
            any_nonce: !all_nonce.is_empty(),
            separate_style: !self.style_nonce_in.is_empty(),
        })))
    }
}

fn reporting_endpoints_value(group: &str, url: &str) -> Result<String, ConfigError> {
    if !is_group_name(group) {
        return Err(ConfigError::new(
            "csp.report_to",
            format!("{group:?} is not a reporting group name; use letters, digits, `-` and `_` (e.g. csp-endpoint)"),
        ));
    }
    check_chars(url, "csp.report_to")?;
    let ok = !url.contains(['"', '\\'])
        && url::Url::parse(url)
            .is_ok_and(|u| matches!(u.scheme(), "https" | "http") && u.host().is_some());
    if !ok {
        return Err(ConfigError::new(
            "csp.report_to",
            format!("{url:?} is not an absolute URL; Reporting-Endpoints needs one such as https://example.com/csp-report"),
        ));
    }
    Ok(format!("{group}=\"{url}\""))
}

fn log_findings(findings: &[Finding], which: &str) {
    for f in findings {
        match f.severity {
            Severity::High => {
                tracing::warn!(policy = which, check = f.check, directive = %f.directive, fix = %f.fix, "CSP: {}", f.message)
            }
            Severity::Syntax | Severity::Medium => {
                tracing::info!(policy = which, check = f.check, directive = %f.directive, fix = %f.fix, "CSP: {}", f.message)
            }
            Severity::Possible | Severity::StrictCsp | Severity::Info => {
                tracing::debug!(policy = which, check = f.check, directive = %f.directive, fix = %f.fix, "CSP: {}", f.message)
            }
        }
    }
}

#[derive(Debug)]
struct Inner {
    config: CspBuilder,
    policy: Policy,
    headers: Vec<CompiledHeader>,
    findings: Vec<Finding>,
    any_nonce: bool,
    separate_style: bool,
}

/// A compiled CSP configuration: header values are prepared once, and per request
/// only the nonce (if one was used) is spliced in. Cheap to clone.
///
/// ```
/// use http::HeaderMap;
/// use rampart_core::csp::{Csp, Policy};
/// let csp = Csp::builder(Policy::default()).nonce_in(["script-src"]).build().unwrap();
/// let nonces = csp.new_request_nonces();
/// let n = nonces.as_ref().unwrap().script().value().to_string(); // a template used it
/// let mut headers = HeaderMap::new();
/// csp.write_headers(&mut headers, nonces.as_ref(), true);
/// assert!(headers["content-security-policy"].to_str().unwrap().contains(&format!("'nonce-{n}'")));
/// ```
#[derive(Clone, Debug)]
pub struct Csp(Arc<Inner>);

impl Csp {
    /// Starts a configuration for `policy`; see [`CspBuilder`].
    ///
    /// ```
    /// use rampart_core::csp::{Csp, Policy};
    /// let csp = Csp::builder(Policy::strict()).nonce_in(["script-src"]).build().unwrap();
    /// assert!(csp.header_values()[0].1.starts_with("script-src 'strict-dynamic'"));
    /// ```
    pub fn builder(policy: Policy) -> CspBuilder {
        CspBuilder::new(policy)
    }

    #[doc(hidden)]
    /// Fresh (not yet generated) nonces for one request, or `None` when no
    /// directive takes a nonce.
    ///
    /// ```
    /// # use rampart_core::csp::{Csp, Policy};
    /// assert!(Csp::builder(Policy::default()).build().unwrap().new_request_nonces().is_none());
    /// ```
    pub fn new_request_nonces(&self) -> Option<RequestNonces> {
        self.0
            .any_nonce
            .then(|| RequestNonces::new(self.0.separate_style))
    }

    /// Whether any directive takes a nonce.
    pub(crate) fn takes_nonces(&self) -> bool {
        self.0.any_nonce
    }

    /// Handles to `cells` shaped for this policy (a separate style nonce or
    /// not), or `None` when no directive takes a nonce.
    pub(crate) fn nonces_on(&self, cells: &Arc<NonceCells>) -> Option<RequestNonces> {
        self.0
            .any_nonce
            .then(|| RequestNonces::on(cells, self.0.separate_style))
    }

    #[doc(hidden)]
    /// Writes `Content-Security-Policy` and/or `Content-Security-Policy-Report-Only`
    /// (and `Reporting-Endpoints`) into `headers`.
    ///
    /// With `overwrite == false` a header the handler already set is left alone.
    /// A nonce is included only if it was generated during the request; otherwise
    /// the precomputed value is written as it is.
    ///
    /// ```
    /// # use http::{HeaderMap, HeaderValue};
    /// # use rampart_core::csp::{Csp, Policy};
    /// let csp = Csp::builder(Policy::default()).build().unwrap();
    /// let mut headers = HeaderMap::new();
    /// headers.insert("content-security-policy", HeaderValue::from_static("default-src 'none'"));
    /// csp.write_headers(&mut headers, None, false);
    /// assert_eq!(headers["content-security-policy"], "default-src 'none'");
    /// ```
    pub fn write_headers(
        &self,
        headers: &mut HeaderMap,
        nonces: Option<&RequestNonces>,
        overwrite: bool,
    ) {
        let keep = if overwrite {
            0
        } else {
            self.0
                .headers
                .iter()
                .enumerate()
                .filter(|(_, h)| headers.contains_key(&h.name))
                .fold(0, |bits, (i, _)| bits | 1 << i)
        };
        self.write_headers_except(headers, nonces, keep);
    }

    /// The headers exactly as [`write_headers`](Self::write_headers) writes
    /// them when no nonce was generated (prebuilt values).
    pub(crate) fn plain_headers(&self) -> impl Iterator<Item = (&HeaderName, &HeaderValue)> {
        self.0.headers.iter().map(|h| (&h.name, &h.value))
    }

    /// Whether a header of this policy would differ from its plain value:
    /// a nonce it carries was generated during the request.
    pub(crate) fn nonce_used(&self, nonces: Option<&RequestNonces>) -> bool {
        let Some(n) = nonces else { return false };
        let script = n.script().generated().is_some();
        let style = n.style().generated().is_some();
        self.0
            .headers
            .iter()
            .any(|h| (h.has_script && script) || (h.has_style && style))
    }

    /// Bit `i` set for the `i`-th header this policy writes, when it is `name`.
    pub(crate) fn header_bit(&self, name: &HeaderName) -> u32 {
        self.0
            .headers
            .iter()
            .position(|h| h.name == name)
            .map_or(0, |i| 1 << i)
    }

    /// Writes every header of this policy, nonces spliced in, except those
    /// whose bit (see [`header_bit`](Self::header_bit)) is set in `keep`.
    pub(crate) fn write_headers_except(
        &self,
        headers: &mut HeaderMap,
        nonces: Option<&RequestNonces>,
        keep: u32,
    ) {
        let script = nonces.and_then(|n| n.script().generated());
        let style = nonces.and_then(|n| n.style().generated());
        for (i, h) in self.0.headers.iter().enumerate() {
            if keep & (1 << i) != 0 {
                continue;
            }
            let spliced = if (h.has_script && script.is_some()) || (h.has_style && style.is_some())
            {
                h.render(script, style)
            } else {
                None
            };
            headers.insert(h.name.clone(), spliced.unwrap_or_else(|| h.value.clone()));
        }
    }

    /// The header names and values without nonces, e.g. for printing at startup.
    ///
    /// ```
    /// # use rampart_core::csp::{Csp, Policy};
    /// let v = Csp::builder(Policy::default()).build().unwrap().header_values();
    /// assert_eq!(v[0].1, Policy::default().to_string());
    /// ```
    pub fn header_values(&self) -> Vec<(HeaderName, String)> {
        self.0
            .headers
            .iter()
            .map(|h| (h.name.clone(), h.text.clone()))
            .collect()
    }

    /// Lint findings for the main policy as sent (logged once by `build`).
    ///
    /// ```
    /// # use rampart_core::csp::{Csp, Policy};
    /// let csp = Csp::builder(Policy::parse("script-src *").unwrap()).build().unwrap();
    /// assert!(csp.findings().iter().any(|f| f.check == "wildcard"));
    /// ```
    pub fn findings(&self) -> &[Finding] {
        &self.0.findings
    }

    /// The main policy as sent, including directives created by `nonce_in` and
    /// the `report-uri`/`report-to` added by the builder (nonces not included).
    ///
    /// ```
    /// # use rampart_core::csp::{Csp, Policy};
    /// let csp = Csp::builder(Policy::default()).report_uri("/csp").build().unwrap();
    /// assert!(csp.policy().directive("report-uri").is_some());
    /// ```
    pub fn policy(&self) -> &Policy {
        &self.0.policy
    }

    /// A recompiled copy with `sources` added to `directive`, for per-route overrides.
    ///
    /// ```
    /// # use rampart_core::csp::{Csp, Policy};
    /// let csp = Csp::builder(Policy::default()).build().unwrap();
    /// let maps = csp.with_sources("script-src", "maps.example").unwrap();
    /// assert!(maps.header_values()[0].1.contains("script-src 'self' maps.example"));
    /// ```
    pub fn with_sources<V: Into<Sources>>(
        &self,
        directive: &str,
        sources: V,
    ) -> Result<Csp, ConfigError> {
        let mut config = self.0.config.clone();
        config.policy = config.policy.with_sources(directive, sources)?;
        config.build()
    }
}

#[cfg(test)]
mod tests;
