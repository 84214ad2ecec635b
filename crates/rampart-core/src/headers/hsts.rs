//! `Strict-Transport-Security`: options, default, the preload list's rules, serialization.

use crate::ConfigError;

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
