//! The cross-origin isolation headers: `Cross-Origin-Opener-Policy`,
//! `Cross-Origin-Resource-Policy` and `Cross-Origin-Embedder-Policy`, each its
//! keywords and default.

use super::keyword::keyword_header;
use super::SecureHeadersBuilder;
use crate::ConfigError;

keyword_header! {
    /// `Cross-Origin-Opener-Policy` (default `same-origin`): a cross-origin
    /// window that opens this page, or that it opens, gets no handle to it
    /// (stops XS-Leaks through `window.opener`).
    ///
    /// ```
    /// use rampart_core::headers::CrossOriginOpenerPolicy as Coop;
    /// assert_eq!(Coop::default(), Coop::SameOrigin);
    /// assert_eq!("same-origin-allow-popups".parse::<Coop>().unwrap().to_string(), "same-origin-allow-popups");
    /// ```
    CrossOriginOpenerPolicy, setting = "cross_origin_opener_policy", default = SameOrigin, {
        /// `same-origin` (default).
        SameOrigin => "same-origin",
        /// `same-origin-allow-popups`: popups this page opens keep their opener.
        SameOriginAllowPopups => "same-origin-allow-popups",
        /// `noopener-allow-popups`.
        NoopenerAllowPopups => "noopener-allow-popups",
        /// `unsafe-none`: no isolation.
        UnsafeNone => "unsafe-none",
    }
}

keyword_header! {
    /// `Cross-Origin-Resource-Policy` (default `same-origin`): which sites may
    /// embed this response (stops Spectre-style reads of it by other sites).
    ///
    /// ```
    /// use rampart_core::headers::CrossOriginResourcePolicy as Corp;
    /// assert_eq!("cross-origin".parse::<Corp>().unwrap(), Corp::CrossOrigin);
    /// ```
    CrossOriginResourcePolicy, setting = "cross_origin_resource_policy", default = SameOrigin, {
        /// `same-origin` (default).
        SameOrigin => "same-origin",
        /// `same-site`.
        SameSite => "same-site",
        /// `cross-origin`: any site (public assets, CDNs).
        CrossOrigin => "cross-origin",
    }
}

keyword_header! {
    /// `Cross-Origin-Embedder-Policy`: not sent by default, because it blocks
    /// every cross-origin resource that does not opt in.
    ///
    /// ```
    /// use rampart_core::headers::CrossOriginEmbedderPolicy as Coep;
    /// assert!("require_corp".parse::<Coep>().is_err());
    /// assert_eq!("require-corp".parse::<Coep>().unwrap(), Coep::RequireCorp);
    /// ```
    CrossOriginEmbedderPolicy, setting = "cross_origin_embedder_policy", default = RequireCorp, {
        /// `require-corp`: embedded resources must opt in (CORP or CORS).
        RequireCorp => "require-corp",
        /// `credentialless`: cross-origin resources load without credentials.
        Credentialless => "credentialless",
        /// `unsafe-none`.
        UnsafeNone => "unsafe-none",
    }
}

impl SecureHeadersBuilder {
    /// `Cross-Origin-Opener-Policy` (default `same-origin`), or `None`.
    ///
    /// ```
    /// # use rampart_core::headers::{CrossOriginOpenerPolicy, SecureHeaders};
    /// let allow_popups = Some(CrossOriginOpenerPolicy::SameOriginAllowPopups);
    /// assert!(SecureHeaders::builder().cross_origin_opener_policy(allow_popups).build().is_ok());
    /// ```
    pub fn cross_origin_opener_policy(mut self, v: Option<CrossOriginOpenerPolicy>) -> Self {
        self.coop = v;
        self
    }

    /// `Cross-Origin-Resource-Policy` (default `same-origin`), or `None`.
    ///
    /// ```
    /// # use rampart_core::headers::{CrossOriginResourcePolicy, SecureHeaders};
    /// let public = Some(CrossOriginResourcePolicy::CrossOrigin);
    /// assert!(SecureHeaders::builder().cross_origin_resource_policy(public).build().is_ok());
    /// ```
    pub fn cross_origin_resource_policy(mut self, v: Option<CrossOriginResourcePolicy>) -> Self {
        self.corp = v;
        self
    }

    /// `Cross-Origin-Embedder-Policy`: off by default because it blocks every
    /// cross-origin resource that does not opt in.
    ///
    /// ```
    /// # use rampart_core::headers::{CrossOriginEmbedderPolicy, SecureHeaders};
    /// let isolated = Some(CrossOriginEmbedderPolicy::Credentialless);
    /// assert!(SecureHeaders::builder().cross_origin_embedder_policy(isolated).build().is_ok());
    /// ```
    pub fn cross_origin_embedder_policy(mut self, v: Option<CrossOriginEmbedderPolicy>) -> Self {
        self.coep = v;
        self
    }

    /// `Cross-Origin-Opener-Policy-Report-Only`: what the policy would break,
    /// reported (to the `report_to` group of `Reporting-Endpoints`) without
    /// enforcing it; for trying a stricter COOP before sending it.
    ///
    /// ```
    /// # use rampart_core::headers::{CrossOriginOpenerPolicy, SecureHeaders};
    /// # fn value(sh: &SecureHeaders, name: &str) -> Option<String> { sh.header_values().into_iter().find(|(n, _)| n == name).map(|(_, v)| v) }
    /// let sh = SecureHeaders::builder()
    ///     .cross_origin_opener_policy_report_only(Some(CrossOriginOpenerPolicy::SameOrigin), Some("coop"))
    ///     .build().unwrap();
    /// assert_eq!(value(&sh, "cross-origin-opener-policy-report-only").as_deref(), Some(r#"same-origin; report-to="coop""#));
    /// ```
    pub fn cross_origin_opener_policy_report_only(
        mut self,
        v: Option<CrossOriginOpenerPolicy>,
        report_to: Option<&str>,
    ) -> Self {
        self.coop_report_only = v.map(|v| (v, report_to.map(str::to_owned)));
        self
    }

    /// `Cross-Origin-Embedder-Policy-Report-Only`: which cross-origin resources
    /// `require-corp` (or `credentialless`) would block, reported without
    /// blocking them.
    ///
    /// ```
    /// # use rampart_core::headers::{CrossOriginEmbedderPolicy, SecureHeaders};
    /// # fn value(sh: &SecureHeaders, name: &str) -> Option<String> { sh.header_values().into_iter().find(|(n, _)| n == name).map(|(_, v)| v) }
    /// let sh = SecureHeaders::builder()
    ///     .cross_origin_embedder_policy_report_only(Some(CrossOriginEmbedderPolicy::RequireCorp), None)
    ///     .build().unwrap();
    /// assert_eq!(value(&sh, "cross-origin-embedder-policy-report-only").as_deref(), Some("require-corp"));
    /// let bad = SecureHeaders::builder()
    ///     .cross_origin_embedder_policy_report_only(Some(CrossOriginEmbedderPolicy::RequireCorp), Some("a b"));
    /// assert!(bad.build().is_err());
    /// ```
    pub fn cross_origin_embedder_policy_report_only(
        mut self,
        v: Option<CrossOriginEmbedderPolicy>,
        report_to: Option<&str>,
    ) -> Self {
        self.coep_report_only = v.map(|v| (v, report_to.map(str::to_owned)));
        self
    }
}

/// A report-only isolation header's value: the keyword and, when given, the
/// `report-to` group (a token, as in `Reporting-Endpoints`).
pub(super) fn report_only_value(
    name: &str,
    keyword: &str,
    group: Option<&str>,
) -> Result<String, ConfigError> {
    match group {
        None => Ok(keyword.to_string()),
        Some(g) if !g.is_empty() && g.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') => {
            Ok(format!("{keyword}; report-to=\"{g}\""))
        }
        Some(g) => Err(ConfigError::new(
            name,
            format!("`{g}` is not a reporting group name; use letters, digits, '-' and '_' (the name in Reporting-Endpoints)"),
        )),
    }
}
