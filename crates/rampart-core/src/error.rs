//! Configuration errors, reported when a policy or layer is built.

use std::fmt;

/// What kind of mistake a [`ConfigError`] reports, for callers that react to
/// some differently (a missing key in development, say).
///
/// ```
/// use rampart_core::{ConfigErrorKind, ProxyHeaders, ProxyTrust};
/// use rampart_core::headers::SecureHeaders;
/// let names_no_header = ProxyTrust::loopback(ProxyHeaders::default());
/// let e = SecureHeaders::builder().proxy_trust(names_no_header).build().unwrap_err();
/// assert_eq!(e.kind(), ConfigErrorKind::Missing);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConfigErrorKind {
    /// A value that does not parse or is out of range (a header value, a
    /// host, a CIDR range, a directive name).
    InvalidValue,
    /// Settings that contradict each other (HSTS preload with a short max-age,
    /// `Forwarded` together with X-Forwarded-*, an extra header the set writes).
    Conflict,
    /// Something required was not given (which headers a proxy writes).
    Missing,
    /// A value that would weaken the protection it configures (a short key, a
    /// literal nonce, a control character that would inject a header).
    Unsafe,
}

/// A configuration mistake found while building a policy or a layer.
///
/// Every error names the setting at fault and says what to write instead, so the
/// message alone is enough to fix the configuration. Nothing in rampart panics on
/// bad configuration; builders return this error instead, with every problem
/// they found ([`problems`](Self::problems)), not only the first.
///
/// ```
/// use rampart_core::csrf::Csrf;
/// let err = Csrf::builder().key(&[1; 32]).cookie_name("a b").body_limit(0).build().unwrap_err();
/// let settings: Vec<_> = err.problems().map(|p| p.setting()).collect();
/// assert_eq!(settings, ["csrf.cookie_name", "csrf.body_limit"]);
/// assert!(err.to_string().contains("csrf.body_limit"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    kind: ConfigErrorKind,
    setting: String,
    message: String,
    more: Vec<ConfigError>,
}

impl ConfigError {
    /// Creates an error for `setting` with a message that says what to change
    /// (kind [`ConfigErrorKind::InvalidValue`]).
    ///
    /// ```
    /// # use rampart_core::ConfigError;
    /// let e = ConfigError::new("csp.script-src", "write 'self' with single quotes");
    /// assert_eq!(e.setting(), "csp.script-src");
    /// assert_eq!(e.message(), "write 'self' with single quotes");
    /// ```
    pub fn new(setting: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            kind: ConfigErrorKind::InvalidValue,
            setting: setting.into(),
            message: message.into(),
            more: Vec::new(),
        }
    }

    /// The same error, of another kind.
    pub(crate) fn of_kind(mut self, kind: ConfigErrorKind) -> Self {
        self.kind = kind;
        self
    }

    /// What kind of mistake this is (the first problem's).
    pub fn kind(&self) -> ConfigErrorKind {
        self.kind
    }

    /// The setting at fault, e.g. `"csp.script-src"` or `"hsts.max_age"` (the first problem's).
    pub fn setting(&self) -> &str {
        &self.setting
    }

    /// What is wrong and what to write instead (the first problem's).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Every problem found, this one first; each has its own kind, setting
    /// and message.
    pub fn problems(&self) -> impl Iterator<Item = &ConfigError> {
        std::iter::once(self).chain(self.more.iter())
    }

    /// One error holding all of `problems` (at least one).
    pub(crate) fn all(mut problems: Vec<ConfigError>) -> Option<Self> {
        if problems.is_empty() {
            return None;
        }
        let mut first = problems.remove(0);
        for p in problems {
            first.more.extend(p.problems().map(ConfigError::single));
        }
        Some(first)
    }

    fn single(&self) -> ConfigError {
        ConfigError {
            more: Vec::new(),
            ..self.clone()
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid rampart configuration `{}`: {}",
            self.setting, self.message
        )?;
        for p in &self.more {
            write!(f, "\n  and `{}`: {}", p.setting, p.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// Collects the problems a builder finds, so that `build()` reports them all.
#[derive(Default)]
pub(crate) struct Problems(Vec<ConfigError>);

impl Problems {
    pub(crate) fn push(&mut self, e: ConfigError) {
        self.0.push(e);
    }

    /// The value, or `None` with its error noted.
    pub(crate) fn check<T>(&mut self, r: Result<T, ConfigError>) -> Option<T> {
        r.map_err(|e| self.push(e)).ok()
    }

    /// `Err` with every problem noted, if any.
    pub(crate) fn finish(self) -> Result<(), ConfigError> {
        match ConfigError::all(self.0) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::headers::{Hsts, SecureHeaders};

    /// Every setter mistake is reported, with its kind, not only the first.
    #[test]
    fn builders_report_every_problem_with_its_kind() {
        let e = SecureHeaders::builder()
            .document_policy(Some("bad key!"))
            .document_policy(Some("Also Bad"))
            .build()
            .unwrap_err();
        let found: Vec<_> = e
            .problems()
            .map(|p| (p.setting().to_owned(), p.kind()))
            .collect();
        assert_eq!(found.len(), 2, "{e}");
        assert_eq!(found[0].0, "document_policy");
        assert!(e.to_string().lines().count() == 2, "{e}");
        let e = SecureHeaders::builder()
            .hsts(Some(Hsts::default().max_age(5).preload(true)))
            .build()
            .unwrap_err();
        assert_eq!(e.kind(), ConfigErrorKind::Conflict);
        let e = crate::csrf::Csrf::builder()
            .key(&[1; 8])
            .build()
            .unwrap_err();
        assert_eq!(e.kind(), ConfigErrorKind::Unsafe);
        assert_eq!(e.problems().count(), 1);
    }
}
