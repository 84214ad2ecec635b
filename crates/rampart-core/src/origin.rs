//! Web origins (scheme, host, port), normalised so that equal origins compare equal.

use std::fmt;

use crate::ConfigError;

/// A web origin: scheme, host and port, normalised.
///
/// Scheme and host are lower-cased and the port is always explicit (443 for https,
/// 80 for http), so `https://EXAMPLE.com:443` and `https://example.com` are the same
/// origin. This fixes the brittleness of byte-for-byte `Origin` comparison.
///
/// ```
/// use rampart_core::Origin;
/// let a = Origin::parse("https://EXAMPLE.com:443").unwrap();
/// let b = Origin::parse("https://example.com").unwrap();
/// assert_eq!(a, b);
/// assert_eq!(a.to_string(), "https://example.com");
/// assert!(Origin::parse("example.com").is_err()); // a scheme is required
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    scheme: Scheme,
    host: String,
    port: u16,
}

/// The two schemes rampart reasons about.
///
/// ```
/// use rampart_core::Scheme;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Plain HTTP.
    Http,
    /// HTTP over TLS.
    Https,
}

impl Scheme {
    /// The port used when a URL names none.
    pub(crate) fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }

    /// `"http"` or `"https"`.
    ///
    /// ```
    /// # use rampart_core::Scheme;
    /// assert_eq!(Scheme::Https.as_str(), "https");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }

    /// Parses `http`/`https` in any case.
    ///
    /// ```
    /// # use rampart_core::Scheme;
    /// assert_eq!(Scheme::parse("HTTPS"), Some(Scheme::Https));
    /// assert_eq!(Scheme::parse("ftp"), None);
    /// ```
    pub fn parse(s: &str) -> Option<Scheme> {
        if s.eq_ignore_ascii_case("https") {
            Some(Scheme::Https)
        } else if s.eq_ignore_ascii_case("http") {
            Some(Scheme::Http)
        } else {
            None
        }
    }
}

impl Origin {
    /// Builds an origin from parts; the host is lower-cased.
    ///
    /// ```
    /// # use rampart_core::{Origin, Scheme};
    /// let o = Origin::new(Scheme::Http, "LocalHost", 8000);
    /// assert_eq!(o.to_string(), "http://localhost:8000");
    /// ```
    pub fn new(scheme: Scheme, host: &str, port: u16) -> Self {
        Self {
            scheme,
            host: host.to_ascii_lowercase(),
            port,
        }
    }

    /// Parses a serialized origin such as an `Origin` header or a trusted-origin
    /// setting: `scheme://host[:port]`, nothing after the authority but an optional `/`.
    ///
    /// ```
    /// # use rampart_core::Origin;
    /// assert!(Origin::parse("https://a.example/path").is_err());
    /// assert_eq!(Origin::parse("http://[::1]:8080").unwrap().port(), 8080);
    /// ```
    pub fn parse(s: &str) -> Result<Self, ConfigError> {
        let bad = |why: &str| {
            ConfigError::new(
                "origin",
                format!("`{s}` is not an origin ({why}); write it as scheme://host[:port], e.g. https://app.example.com"),
            )
        };
        let (scheme, rest) = s
            .split_once("://")
            .ok_or_else(|| bad("the scheme is missing"))?;
        let scheme = Scheme::parse(scheme).ok_or_else(|| bad("only http and https are allowed"))?;
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.is_empty() || rest.contains(['/', '?', '#', '@', ' ']) {
            return Err(bad("only scheme, host and port are allowed"));
        }
        let url = url::Url::parse(&format!("{}://{}/", scheme.as_str(), rest))
            .map_err(|_| bad("the host or port is malformed"))?;
        let host = url.host_str().ok_or_else(|| bad("the host is missing"))?;
        Ok(Self::new(
            scheme,
            host,
            url.port().unwrap_or(scheme.default_port()),
        ))
    }

    /// Origin of an absolute URL such as a `Referer` header; `None` when the URL is
    /// not http(s) or cannot be parsed.
    ///
    /// ```
    /// # use rampart_core::Origin;
    /// let o = Origin::from_url("https://Example.com:443/a?b").unwrap();
    /// assert_eq!(o, Origin::parse("https://example.com").unwrap());
    /// assert!(Origin::from_url("https://foobar:abc").is_none());
    /// ```
    pub fn from_url(s: &str) -> Option<Self> {
        let url = url::Url::parse(s).ok()?;
        let scheme = Scheme::parse(url.scheme())?;
        let host = url.host_str()?;
        Some(Self::new(
            scheme,
            host,
            url.port().unwrap_or(scheme.default_port()),
        ))
    }

    /// Origin from a scheme and an HTTP authority (`Host` header value).
    ///
    /// ```
    /// # use rampart_core::{Origin, Scheme};
    /// let o = Origin::from_authority(Scheme::Https, "Example.com").unwrap();
    /// assert_eq!(o.port(), 443);
    /// ```
    pub fn from_authority(scheme: Scheme, authority: &str) -> Option<Self> {
        let auth: http::uri::Authority = authority.parse().ok()?;
        if authority.contains('@') {
            return None;
        }
        let host = auth.host();
        if host.is_empty() {
            return None;
        }
        Some(Self::new(
            scheme,
            host,
            auth.port_u16().unwrap_or(scheme.default_port()),
        ))
    }

    /// The scheme.
    ///
    /// ```
    /// # use rampart_core::{Origin, Scheme};
    /// assert_eq!(Origin::parse("https://a.example").unwrap().scheme(), Scheme::Https);
    /// ```
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The lower-cased host (IPv6 addresses keep their brackets).
    ///
    /// ```
    /// # use rampart_core::Origin;
    /// assert_eq!(Origin::parse("https://A.example").unwrap().host(), "a.example");
    /// ```
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The effective port.
    ///
    /// ```
    /// # use rampart_core::Origin;
    /// assert_eq!(Origin::parse("https://a.example").unwrap().port(), 443);
    /// ```
    pub fn port(&self) -> u16 {
        self.port
    }
}

/// A trusted origin with one wildcard leftmost label: `https://*.example.com`
/// matches `https://a.example.com`, never `https://example.com`,
/// `https://a.b.example.com`, another scheme or another port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OriginPattern {
    scheme: Scheme,
    /// The host after `*.`, lower-cased, with at least one dot.
    suffix: String,
    port: u16,
}

impl OriginPattern {
    /// Parses `scheme://*.host[:port]`; `None` when `s` has no `*` (an
    /// ordinary origin), an error when the wildcard is anywhere else or too broad.
    pub(crate) fn parse(s: &str) -> Option<Result<Self, ConfigError>> {
        if !s.contains('*') {
            return None;
        }
        let bad = |why: &str| {
            Some(Err(ConfigError::new(
                "csrf.trusted_origin",
                format!("`{s}` {why}; write one wildcard as the leftmost label, e.g. https://*.example.com"),
            )))
        };
        let Some((scheme, rest)) = s.trim().split_once("://") else {
            return bad("has no scheme");
        };
        let Some(scheme) = Scheme::parse(scheme) else {
            return bad("is not an http or https origin");
        };
        let Some(rest) = rest.strip_prefix("*.") else {
            return bad("has its wildcard elsewhere than the leftmost label");
        };
        if rest.contains('*') || rest.contains('/') {
            return bad("has more than one wildcard or a path");
        }
        // The rest is an ordinary origin's authority: its host and port.
        let Some(o) = Origin::from_authority(scheme, rest) else {
            return bad("does not name a host after `*.`");
        };
        // Two labels at least below the wildcard (`*.com.` is a top-level
        // name with a trailing dot), and no address (`*.2.3.4`).
        let host = o.host().trim_end_matches('.');
        let last = host.rsplit('.').next().unwrap_or("");
        if !host.contains('.')
            || o.host().starts_with('[')
            || last.bytes().all(|b| b.is_ascii_digit())
        {
            return bad("is too broad (a wildcard over a top-level name or an address)");
        }
        Some(Ok(Self {
            scheme,
            suffix: host.to_string(),
            port: o.port(),
        }))
    }

    /// Whether `origin` is one label below the pattern's host, same scheme and port.
    pub(crate) fn matches(&self, origin: &Origin) -> bool {
        origin.scheme() == self.scheme
            && origin.port() == self.port
            && origin
                .host()
                .strip_suffix(self.suffix.as_str())
                .and_then(|label| label.strip_suffix('.'))
                .is_some_and(|label| !label.is_empty() && !label.contains('.'))
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}", self.scheme.as_str(), self.host)?;
        if self.port != self.scheme.default_port() {
            write!(f, ":{}", self.port)?;
        }
        Ok(())
    }
}
