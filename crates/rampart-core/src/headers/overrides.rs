//! Per-route and per-response overrides of the secure header set.

use http::{HeaderName, HeaderValue};

use crate::csp::{Csp, RequestNonces};
use crate::ConfigError;

/// Changes to the header set for one route or one response.
///
/// Adapters read an `Overrides` value from the response extensions (put there
/// by a route layer or returned by the handler) and apply it while writing the
/// headers, so one layer serves the whole app and nothing is re-serialized per
/// request: replacement policies are compiled when the override is built.
///
/// ```
/// use rampart_core::headers::{FrameOptions, Overrides};
/// use rampart_core::csp::{Csp, Policy};
/// # use rampart_core::headers::SecureHeaders;
/// # use rampart_core::{RequestFacts, Scheme};
/// # let sh = SecureHeaders::default();
/// # let facts = RequestFacts::new(Scheme::Https, Some("a.example"));
///
/// // Let one partner frame this page.
/// let csp = Csp::builder(Policy::default()).build().unwrap()
///     .with_sources("frame-ancestors", "https://partner.example").unwrap();
/// let o = Overrides::new().frame_options(FrameOptions::Off).csp(csp);
/// let mut h = http::HeaderMap::new();
/// sh.apply(&facts, None, Some(&o), &mut h);
/// assert!(!h.contains_key("x-frame-options"));
/// assert!(h["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'self' https://partner.example"));
/// // Turn CSP off on a legacy page.
/// let legacy = Overrides::new().csp_off();
/// let mut h = http::HeaderMap::new();
/// sh.apply(&facts, None, Some(&legacy), &mut h);
/// assert!(!h.contains_key("content-security-policy"));
/// assert_eq!(h["x-frame-options"], "SAMEORIGIN");
/// ```
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub(crate) ops: Vec<HeaderOp>,
    pub(crate) csp: Option<CspOverride>,
    pub(crate) nonces: Option<RequestNonces>,
}

#[derive(Debug, Clone)]
pub(crate) enum HeaderOp {
    Set(HeaderName, HeaderValue),
    Remove(HeaderName),
}

/// What happens to the Content-Security-Policy of one response.
///
/// ```
/// use rampart_core::headers::{CspOverride, Overrides};
/// let o = Overrides::new().csp_off();
/// assert!(matches!(o.csp_override(), Some(CspOverride::Off)));
/// ```
#[derive(Debug, Clone)]
pub enum CspOverride {
    /// No CSP headers at all.
    Off,
    /// Use this compiled policy instead.
    Replace(Csp),
}

impl Overrides {
    /// No changes.
    ///
    /// ```
    /// # use rampart_core::headers::Overrides;
    /// assert!(Overrides::new().is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether this override changes nothing.
    ///
    /// ```
    /// # use rampart_core::headers::Overrides;
    /// assert!(!Overrides::new().csp_off().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty() && self.csp.is_none()
    }

    /// Sets (overwrites) a header with a value checked now.
    ///
    /// ```
    /// # use rampart_core::headers::Overrides;
    /// assert!(Overrides::new().header("x-frame-options", "DENY").is_ok());
    /// assert!(Overrides::new().header("x-frame-options", "DENY\r\nx: y").is_err());
    /// ```
    pub fn header(mut self, name: &str, value: &str) -> Result<Self, ConfigError> {
        let (name, value) = super::checked_header(name, value)?;
        self.ops.push(HeaderOp::Set(name, value));
        Ok(self)
    }

    /// Removes a header that rampart would otherwise set.
    ///
    /// ```
    /// # use rampart_core::headers::{Overrides, SecureHeaders};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// # let sh = SecureHeaders::default();
    /// # let facts = RequestFacts::new(Scheme::Https, Some("a.example"));
    /// let o = Overrides::new().remove(http::header::STRICT_TRANSPORT_SECURITY);
    /// let mut h = http::HeaderMap::new();
    /// sh.apply(&facts, None, Some(&o), &mut h);
    /// assert!(!h.contains_key("strict-transport-security"));
    /// let mut plain = http::HeaderMap::new();
    /// sh.apply(&facts, None, None, &mut plain);
    /// assert_eq!(plain["strict-transport-security"], "max-age=31536000; includeSubDomains");
    /// ```
    pub fn remove(mut self, name: HeaderName) -> Self {
        self.ops.push(HeaderOp::Remove(name));
        self
    }

    /// Changes `X-Frame-Options` for this route.
    ///
    /// ```
    /// # use rampart_core::headers::{FrameOptions, Overrides, SecureHeaders};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// # let sh = SecureHeaders::default();
    /// # let facts = RequestFacts::new(Scheme::Https, Some("a.example"));
    /// let o = Overrides::new().frame_options(FrameOptions::Deny);
    /// let mut h = http::HeaderMap::new();
    /// sh.apply(&facts, None, Some(&o), &mut h);
    /// assert_eq!(h["x-frame-options"], "DENY");
    /// ```
    pub fn frame_options(mut self, fo: super::FrameOptions) -> Self {
        match fo.value() {
            Some(v) => self
                .ops
                .push(HeaderOp::Set(http::header::X_FRAME_OPTIONS, v)),
            None => self
                .ops
                .push(HeaderOp::Remove(http::header::X_FRAME_OPTIONS)),
        }
        self
    }

    /// Sends no CSP on this route.
    ///
    /// ```
    /// # use rampart_core::headers::{Overrides, SecureHeaders};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// # let sh = SecureHeaders::default();
    /// # let facts = RequestFacts::new(Scheme::Https, Some("a.example"));
    /// let mut h = http::HeaderMap::new();
    /// sh.apply(&facts, None, Some(&Overrides::new().csp_off()), &mut h);
    /// assert!(!h.contains_key("content-security-policy"));
    /// assert!(h.contains_key("x-content-type-options")); // the rest of the set stays
    /// ```
    pub fn csp_off(mut self) -> Self {
        self.csp = Some(CspOverride::Off);
        self
    }

    /// Replaces the CSP on this route with a policy compiled once.
    ///
    /// ```
    /// # use rampart_core::headers::{Overrides, SecureHeaders};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// use rampart_core::csp::{Csp, Policy};
    /// # let sh = SecureHeaders::default();
    /// # let facts = RequestFacts::new(Scheme::Https, Some("a.example"));
    /// let strict = Csp::builder(Policy::strict()).nonce_in(["script-src"]).build().unwrap();
    /// let mut h = http::HeaderMap::new();
    /// sh.apply(&facts, None, Some(&Overrides::new().csp(strict)), &mut h);
    /// assert!(h["content-security-policy"].to_str().unwrap().starts_with("script-src 'strict-dynamic'"));
    /// ```
    pub fn csp(mut self, csp: Csp) -> Self {
        self.csp = Some(CspOverride::Replace(csp));
        self
    }

    #[doc(hidden)]
    /// The CSP override, if any.
    ///
    /// ```
    /// # use rampart_core::headers::Overrides;
    /// assert!(Overrides::new().csp_override().is_none());
    /// ```
    pub fn csp_override(&self) -> Option<&CspOverride> {
        self.csp.as_ref()
    }

    #[doc(hidden)]
    /// Attaches the nonce cells a replacement policy renders with, when the
    /// app-wide policy has none (adapters' route layers do this).
    ///
    /// ```
    /// # use rampart_core::headers::Overrides;
    /// let o = Overrides::new();
    /// assert!(o.nonces().is_none());
    /// ```
    pub fn with_nonces(mut self, nonces: RequestNonces) -> Self {
        self.nonces = Some(nonces);
        self
    }

    #[doc(hidden)]
    /// Nonce cells carried by this override.
    ///
    /// ```
    /// # use rampart_core::headers::Overrides;
    /// assert!(Overrides::new().nonces().is_none());
    /// ```
    pub fn nonces(&self) -> Option<&RequestNonces> {
        self.nonces.as_ref()
    }

    /// Adds `later`'s changes after this one's (later wins).
    ///
    /// ```
    /// # use rampart_core::headers::Overrides;
    /// let o = Overrides::new().merge(Overrides::new().csp_off());
    /// assert!(!o.is_empty());
    /// ```
    pub fn merge(mut self, later: Overrides) -> Self {
        self.ops.extend(later.ops);
        if later.csp.is_some() {
            self.csp = later.csp;
        }
        if later.nonces.is_some() {
            self.nonces = later.nonces;
        }
        self
    }
}
