//! Configuration errors, reported when a policy or layer is built.

use std::fmt;

/// A configuration mistake found while building a policy or a layer.
///
/// Every error names the setting at fault and says what to write instead, so the
/// message alone is enough to fix the configuration. Nothing in rampart panics on
/// bad configuration; builders return this error instead.
///
/// ```
/// use rampart_core::ConfigError;
/// let err = ConfigError::new("hsts.max_age", "preload needs a max-age of at least 31536000 (one year)");
/// assert!(err.to_string().contains("hsts.max_age"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    setting: String,
    message: String,
}

impl ConfigError {
    /// Creates an error for `setting` with a message that says what to change.
    ///
    /// ```
    /// # use rampart_core::ConfigError;
    /// let e = ConfigError::new("csp.script-src", "write 'self' with single quotes");
    /// assert_eq!(e.setting(), "csp.script-src");
    /// ```
    pub fn new(setting: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            setting: setting.into(),
            message: message.into(),
        }
    }

    /// The setting at fault, e.g. `"csp.script-src"` or `"hsts.max_age"`.
    ///
    /// ```
    /// # use rampart_core::ConfigError;
    /// assert_eq!(ConfigError::new("a", "b").setting(), "a");
    /// ```
    pub fn setting(&self) -> &str {
        &self.setting
    }

    /// What is wrong and what to write instead.
    ///
    /// ```
    /// # use rampart_core::ConfigError;
    /// assert_eq!(ConfigError::new("a", "b").message(), "b");
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid rampart configuration `{}`: {}",
            self.setting, self.message
        )
    }
}

impl std::error::Error for ConfigError {}
