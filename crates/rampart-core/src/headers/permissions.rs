//! `Permissions-Policy`, serialized as an RFC 8941 structured-field dictionary.

use std::fmt::Write as _;

use crate::{ConfigError, Origin};

/// One entry of a feature's allow-list.
///
/// ```
/// use rampart_core::headers::Allow;
/// let a = Allow::origin("https://maps.example").unwrap();
/// assert!(matches!(a, Allow::Origin(_)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Allow {
    /// `*`: every origin.
    All,
    /// `self`: the document's own origin.
    SelfOrigin,
    /// `src`: the origin of an iframe's `src` (for `allow=` attributes).
    Src,
    /// A specific origin, written as a quoted string.
    Origin(Origin),
}

impl Allow {
    /// A specific origin (`https://host[:port]`).
    ///
    /// ```
    /// # use rampart_core::headers::Allow;
    /// assert!(Allow::origin("maps.example").is_err());
    /// ```
    pub fn origin(origin: &str) -> Result<Self, ConfigError> {
        Origin::parse(origin)
            .map(Allow::Origin)
            .map_err(|e| ConfigError::new("permissions_policy", e.message().to_string()))
    }
}

/// A `Permissions-Policy` header value, built feature by feature.
///
/// Serialization follows structured fields: `feature=()` denies,
/// `feature=*` allows all, `feature=(self "https://a.example")` allows a list.
/// (Talisman printed Python lists verbatim, which browsers ignore.)
///
/// ```
/// use rampart_core::headers::{Allow, PermissionsPolicy};
/// let p = PermissionsPolicy::new()
///     .deny("geolocation")
///     .allow("fullscreen", [Allow::SelfOrigin, Allow::origin("https://example.com").unwrap()]);
/// assert_eq!(p.to_string(), r#"geolocation=(), fullscreen=(self "https://example.com")"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PermissionsPolicy {
    features: Vec<(String, Vec<Allow>)>,
    /// Feature names that are no structured-field key, for the header set's `build()`.
    problems: Vec<ConfigError>,
}

impl PermissionsPolicy {
    /// An empty policy (no header is sent for an empty policy).
    ///
    /// ```
    /// # use rampart_core::headers::PermissionsPolicy;
    /// assert!(PermissionsPolicy::new().is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// rampart's default: `browsing-topics=()` (opt out of the Topics API).
    ///
    /// ```
    /// # use rampart_core::headers::PermissionsPolicy;
    /// assert_eq!(PermissionsPolicy::recommended().to_string(), "browsing-topics=()");
    /// ```
    pub fn recommended() -> Self {
        Self::new().deny("browsing-topics")
    }

    /// Whether no feature is listed.
    ///
    /// ```
    /// # use rampart_core::headers::PermissionsPolicy;
    /// assert!(!PermissionsPolicy::recommended().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }

    /// Denies a feature everywhere: `feature=()`.
    ///
    /// ```
    /// # use rampart_core::headers::PermissionsPolicy;
    /// assert_eq!(PermissionsPolicy::new().deny("camera").to_string(), "camera=()");
    /// ```
    pub fn deny(self, feature: &str) -> Self {
        self.allow(feature, [])
    }

    /// Allows a feature for the given origins (replacing an earlier entry for it).
    /// A feature name that is no structured-field key is reported by the
    /// header set's `build()`.
    ///
    /// ```
    /// # use rampart_core::headers::{Allow, PermissionsPolicy, SecureHeaders};
    /// let p = PermissionsPolicy::new().allow("autoplay", [Allow::All]);
    /// assert_eq!(p.to_string(), "autoplay=*");
    /// let bad = PermissionsPolicy::new().allow("Bad Name", [Allow::All]);
    /// assert!(SecureHeaders::builder().permissions_policy(bad).build().is_err());
    /// ```
    pub fn allow(mut self, feature: &str, allow: impl IntoIterator<Item = Allow>) -> Self {
        if let Err(e) = validate_key(feature, "permissions_policy") {
            self.problems.push(e);
            return self;
        }
        let allow: Vec<Allow> = allow.into_iter().collect();
        if let Some(slot) = self.features.iter_mut().find(|(f, _)| f == feature) {
            slot.1 = allow;
        } else {
            self.features.push((feature.to_string(), allow));
        }
        self
    }

    /// The mistakes the policy was made with.
    pub(crate) fn problems(&self) -> impl Iterator<Item = &ConfigError> {
        self.problems.iter()
    }

    /// Parses a header string such as `geolocation=(), fullscreen=(self "https://a.example")`.
    ///
    /// ```
    /// # use rampart_core::headers::PermissionsPolicy;
    /// let p = PermissionsPolicy::parse("vibrate=(), geolocation=()").unwrap();
    /// assert_eq!(p.to_string(), "vibrate=(), geolocation=()");
    /// assert!(PermissionsPolicy::parse("geolocation=['self']").is_err());
    /// ```
    pub fn parse(s: &str) -> Result<Self, ConfigError> {
        let mut p = Self::new();
        for member in s.split(',').map(str::trim).filter(|m| !m.is_empty()) {
            let (key, value) = member.split_once('=').ok_or_else(|| {
                ConfigError::new(
                    "permissions_policy",
                    format!("`{member}` has no value; write feature=() to deny or feature=(self) to allow"),
                )
            })?;
            let value = value.trim();
            let allow = if value == "*" {
                vec![Allow::All]
            } else if let Some(inner) = value.strip_prefix('(').and_then(|v| v.strip_suffix(')')) {
                let mut list = Vec::new();
                for item in inner.split_ascii_whitespace() {
                    list.push(match item {
                        "self" => Allow::SelfOrigin,
                        "src" => Allow::Src,
                        "*" => Allow::All,
                        quoted if quoted.len() > 1 && quoted.starts_with('"') && quoted.ends_with('"') => {
                            Allow::origin(&quoted[1..quoted.len() - 1])?
                        }
                        other => {
                            return Err(ConfigError::new(
                                "permissions_policy",
                                format!("`{other}` in `{member}` is not self, src, * or a quoted origin like \"https://a.example\""),
                            ))
                        }
                    });
                }
                list
            } else if value == "self" {
                vec![Allow::SelfOrigin]
            } else {
                return Err(ConfigError::new(
                    "permissions_policy",
                    format!("`{member}`: the value must be *, self or an inner list such as () or (self \"https://a.example\")"),
                ));
            };
            validate_key(key.trim(), "permissions_policy")?;
            p = p.allow(key.trim(), allow);
        }
        Ok(p)
    }
}

pub(crate) fn validate_key(key: &str, setting: &str) -> Result<(), ConfigError> {
    let ok = key
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_lowercase() || b == b'*')
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_-.*".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(ConfigError::new(
            setting,
            format!("`{key}` is not a valid feature name; use lower-case letters, digits, '-' or '_' (e.g. geolocation)"),
        ))
    }
}

impl std::fmt::Display for PermissionsPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, (feature, allow)) in self.features.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(feature)?;
            f.write_char('=')?;
            if allow.len() == 1 && allow[0] == Allow::All {
                f.write_char('*')?;
                continue;
            }
            f.write_char('(')?;
            for (j, a) in allow.iter().enumerate() {
                if j > 0 {
                    f.write_char(' ')?;
                }
                match a {
                    Allow::All => f.write_char('*')?,
                    Allow::SelfOrigin => f.write_str("self")?,
                    Allow::Src => f.write_str("src")?,
                    Allow::Origin(o) => write!(f, "\"{o}\"")?,
                }
            }
            f.write_char(')')?;
        }
        Ok(())
    }
}
