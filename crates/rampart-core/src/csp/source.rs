//! Typed CSP sources: keywords, schemes, hosts, nonces, hashes and plain tokens.

use std::fmt;

use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use base64::Engine;

use crate::ConfigError;

/// A quoted CSP keyword such as `'self'` or `'strict-dynamic'`.
///
/// ```
/// use rampart_core::csp::Keyword;
/// assert_eq!(Keyword::SelfOrigin.to_string(), "'self'");
/// assert_eq!(Keyword::StrictDynamic.as_str(), "'strict-dynamic'");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Keyword {
    /// `'self'`: the document's own origin (`Self` is reserved in Rust, hence the name).
    SelfOrigin,
    /// `'none'`: nothing is allowed; must be the only source.
    None,
    /// `'unsafe-inline'`: inline scripts/styles and event handlers.
    UnsafeInline,
    /// `'unsafe-eval'`: `eval()` and friends.
    UnsafeEval,
    /// `'strict-dynamic'`: trust propagates from nonced/hashed scripts; allow-lists are ignored.
    StrictDynamic,
    /// `'report-sample'`: include a sample of the blocked code in reports.
    ReportSample,
    /// `'unsafe-hashes'`: hashes may also match event handlers and `style` attributes.
    UnsafeHashes,
    /// `'wasm-unsafe-eval'`: WebAssembly compilation without allowing JavaScript `eval`.
    WasmUnsafeEval,
    /// `'inline-speculation-rules'`: inline `<script type="speculationrules">`.
    InlineSpeculationRules,
}

impl Keyword {
    /// Every keyword, in declaration order.
    pub(crate) const ALL: [Keyword; 9] = [
        Keyword::SelfOrigin,
        Keyword::None,
        Keyword::UnsafeInline,
        Keyword::UnsafeEval,
        Keyword::StrictDynamic,
        Keyword::ReportSample,
        Keyword::UnsafeHashes,
        Keyword::WasmUnsafeEval,
        Keyword::InlineSpeculationRules,
    ];

    /// The keyword without quotes, e.g. `"unsafe-inline"`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Keyword::SelfOrigin => "self",
            Keyword::None => "none",
            Keyword::UnsafeInline => "unsafe-inline",
            Keyword::UnsafeEval => "unsafe-eval",
            Keyword::StrictDynamic => "strict-dynamic",
            Keyword::ReportSample => "report-sample",
            Keyword::UnsafeHashes => "unsafe-hashes",
            Keyword::WasmUnsafeEval => "wasm-unsafe-eval",
            Keyword::InlineSpeculationRules => "inline-speculation-rules",
        }
    }

    /// The keyword as written in a policy, with single quotes, e.g. `"'self'"`.
    ///
    /// ```
    /// # use rampart_core::csp::Keyword;
    /// assert_eq!(Keyword::None.as_str(), "'none'");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Keyword::SelfOrigin => "'self'",
            Keyword::None => "'none'",
            Keyword::UnsafeInline => "'unsafe-inline'",
            Keyword::UnsafeEval => "'unsafe-eval'",
            Keyword::StrictDynamic => "'strict-dynamic'",
            Keyword::ReportSample => "'report-sample'",
            Keyword::UnsafeHashes => "'unsafe-hashes'",
            Keyword::WasmUnsafeEval => "'wasm-unsafe-eval'",
            Keyword::InlineSpeculationRules => "'inline-speculation-rules'",
        }
    }

    /// Looks a keyword up by its unquoted name (ASCII case-insensitive, as browsers do).
    pub(crate) fn from_name(name: &str) -> Option<Keyword> {
        Keyword::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for Keyword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A hash algorithm allowed in CSP hash sources and Subresource Integrity.
///
/// ```
/// use rampart_core::csp::{sri, HashAlgorithm};
/// assert!(sri(HashAlgorithm::Sha384, b"alert(1)").starts_with("sha384-"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HashAlgorithm {
    /// SHA-256 (32-byte digest).
    Sha256,
    /// SHA-384 (48-byte digest); the usual choice for SRI.
    Sha384,
    /// SHA-512 (64-byte digest).
    Sha512,
}

impl HashAlgorithm {
    /// The prefix used in policies and `integrity` attributes, e.g. `"sha256"`.
    pub(crate) fn prefix(self) -> &'static str {
        match self {
            HashAlgorithm::Sha256 => "sha256",
            HashAlgorithm::Sha384 => "sha384",
            HashAlgorithm::Sha512 => "sha512",
        }
    }

    /// Length of the raw digest in bytes.
    pub(crate) fn digest_len(self) -> usize {
        match self {
            HashAlgorithm::Sha256 => 32,
            HashAlgorithm::Sha384 => 48,
            HashAlgorithm::Sha512 => 64,
        }
    }

    /// Looks an algorithm up by prefix (ASCII case-insensitive).
    pub(crate) fn from_prefix(prefix: &str) -> Option<HashAlgorithm> {
        [
            HashAlgorithm::Sha256,
            HashAlgorithm::Sha384,
            HashAlgorithm::Sha512,
        ]
        .into_iter()
        .find(|a| a.prefix().eq_ignore_ascii_case(prefix))
    }
}

/// One entry of a directive's value.
///
/// Source-list directives (`script-src`, `img-src`, `base-uri`, …) hold keywords,
/// schemes, hosts, nonces and hashes; the other directives (`sandbox`, `report-uri`,
/// `report-to`, `require-trusted-types-for`, …) hold [`Source::Token`]s.
/// `Display` gives the form written in the header (keywords, nonces and hashes quoted).
///
/// ```
/// use rampart_core::csp::{HashAlgorithm, Keyword, Source};
/// assert_eq!(Source::Keyword(Keyword::SelfOrigin).to_string(), "'self'");
/// assert_eq!(Source::Nonce("abc".into()).to_string(), "'nonce-abc'");
/// let h = Source::Hash(HashAlgorithm::Sha256, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=".into());
/// assert_eq!(h.to_string(), "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='");
/// assert_eq!(Source::parse("https:").unwrap(), Source::Scheme("https:".into()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    /// A quoted keyword such as `'self'`.
    Keyword(Keyword),
    /// A scheme source including the colon, lower-cased, e.g. `"https:"`.
    Scheme(String),
    /// A host source as written: `"*.example.com"`, `"https://cdn.example:443/path"`, `"*"`.
    Host(String),
    /// A nonce value without the `'nonce-…'` wrapper.
    Nonce(String),
    /// A hash source: algorithm and base64 digest.
    Hash(HashAlgorithm, String),
    /// A value of a non-source directive, e.g. a sandbox flag or a report URL.
    Token(String),
}

impl Source {
    /// Parses one source-list entry (as it appears in a header, quotes included).
    ///
    /// Unquoted keywords (`self`, `nonce-…`) are rejected with a message saying to
    /// quote them; hashes are checked for valid base64 and the right digest length.
    ///
    /// ```
    /// use rampart_core::csp::{Keyword, Source};
    /// assert_eq!(Source::parse("'self'").unwrap(), Source::Keyword(Keyword::SelfOrigin));
    /// assert!(Source::parse("self").unwrap_err().message().contains("'self'"));
    /// ```
    pub fn parse(raw: &str) -> Result<Source, ConfigError> {
        parse_source(raw, "csp")
    }

    /// True for `Source::Keyword(k)`.
    pub(crate) fn is_keyword(&self, k: Keyword) -> bool {
        matches!(self, Source::Keyword(x) if *x == k)
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Keyword(k) => f.write_str(k.as_str()),
            Source::Scheme(s) | Source::Host(s) | Source::Token(s) => f.write_str(s),
            Source::Nonce(n) => write!(f, "'nonce-{n}'"),
            Source::Hash(a, d) => write!(f, "'{}-{d}'", a.prefix()),
        }
    }
}

/// Rejects characters that would break the header or the directive list.
pub(crate) fn check_chars(raw: &str, setting: &str) -> Result<(), ConfigError> {
    for c in raw.chars() {
        let bad = match c {
            ';' => Some("`;` ends a directive; put each directive in its own entry"),
            ',' => Some("`,` separates whole policies in a header; remove it or percent-encode it"),
            '\r' | '\n' => Some("line breaks are not allowed in a header value; remove them"),
            c if c.is_ascii_control() => {
                Some("control characters are not allowed in a header value; remove them")
            }
            c if !c.is_ascii() => {
                Some("non-ASCII characters are not allowed; write hosts in punycode (xn--…) and percent-encode paths")
            }
            ' ' | '\t' => Some("a source cannot contain whitespace; split it into separate sources"),
            _ => None,
        };
        if let Some(msg) = bad {
            return Err(ConfigError::new(
                setting,
                format!("invalid character in {raw:?}: {msg}"),
            ));
        }
    }
    Ok(())
}

fn is_scheme(s: &str) -> bool {
    let Some(body) = s.strip_suffix(':') else {
        return false;
    };
    let mut chars = body.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

fn is_base64ish(s: &str) -> bool {
    !s.is_empty()
        && s.trim_end_matches('=')
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '-' | '_'))
}

/// Parses one source-list entry; `setting` names the directive for error messages.
pub(crate) fn parse_source(raw: &str, setting: &str) -> Result<Source, ConfigError> {
    check_chars(raw, setting)?;
    if raw.is_empty() {
        return Err(ConfigError::new(setting, "empty source; remove it"));
    }
    if let Some(rest) = raw.strip_prefix('\'') {
        let Some(inner) = rest.strip_suffix('\'') else {
            return Err(ConfigError::new(
                setting,
                format!(
                    "{raw} is missing its closing quote; write '{}'",
                    rest.trim_matches('\'')
                ),
            ));
        };
        if let Some(k) = Keyword::from_name(inner) {
            return Ok(Source::Keyword(k));
        }
        if let Some(n) = strip_prefix_ci(inner, "nonce-") {
            if !is_base64ish(n) {
                return Err(ConfigError::new(
                    setting,
                    format!("{raw}: a nonce must be base64 or base64url characters"),
                ));
            }
            return Ok(Source::Nonce(n.to_string()));
        }
        if let Some((alg, digest)) = inner.split_once('-') {
            if let Some(a) = HashAlgorithm::from_prefix(alg) {
                check_hash(a, digest, raw, setting)?;
                return Ok(Source::Hash(a, digest.to_string()));
            }
        }
        return Err(ConfigError::new(
            setting,
            format!(
                "{raw} is not a CSP keyword; use one of 'self', 'none', 'unsafe-inline', 'unsafe-eval', \
                 'strict-dynamic', 'report-sample', 'unsafe-hashes', 'wasm-unsafe-eval', \
                 'inline-speculation-rules', 'nonce-…' or 'sha256-…'"
            ),
        ));
    }
    if raw.ends_with('\'') {
        return Err(ConfigError::new(
            setting,
            format!(
                "{raw} is missing its opening quote; write '{}'",
                raw.trim_matches('\'')
            ),
        ));
    }
    if Keyword::from_name(raw).is_some()
        || strip_prefix_ci(raw, "nonce-").is_some()
        || ["sha256-", "sha384-", "sha512-"]
            .iter()
            .any(|p| strip_prefix_ci(raw, p).is_some())
    {
        return Err(ConfigError::new(
            setting,
            format!(
                "write '{raw}' with single quotes; unquoted, browsers read {raw} as a host name"
            ),
        ));
    }
    if raw.contains('\'') || raw.contains('"') || raw.contains('\\') {
        return Err(ConfigError::new(
            setting,
            format!("invalid character in {raw:?}: quotes and backslashes are only allowed around keywords"),
        ));
    }
    if is_scheme(raw) {
        return Ok(Source::Scheme(raw.to_ascii_lowercase()));
    }
    if raw.starts_with(':') || raw.starts_with('/') && !raw.starts_with("//") {
        return Err(ConfigError::new(
            setting,
            format!("{raw} is not a host source; write a host such as cdn.example.com or https://cdn.example.com/path/"),
        ));
    }
    Ok(Source::Host(raw.to_string()))
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    if s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix)
    {
        Some(&s[prefix.len()..])
    } else {
        None
    }
}

fn check_hash(a: HashAlgorithm, digest: &str, raw: &str, setting: &str) -> Result<(), ConfigError> {
    // CSP accepts both base64 alphabets; try the standard one first.
    let decoded = STANDARD
        .decode(digest)
        .or_else(|_| URL_SAFE.decode(digest))
        .map_err(|_| {
            ConfigError::new(
                setting,
                format!("{raw}: the digest is not valid base64; compute it with rampart_core::csp::hash_source"),
            )
        })?;
    if decoded.len() != a.digest_len() {
        return Err(ConfigError::new(
            setting,
            format!(
                "{raw}: a {} digest is {} bytes but this one is {}; compute it with rampart_core::csp::hash_source",
                a.prefix(),
                a.digest_len(),
                decoded.len()
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_kind() {
        assert_eq!(
            parse_source("'self'", "x").unwrap(),
            Source::Keyword(Keyword::SelfOrigin)
        );
        assert_eq!(
            parse_source("'NONE'", "x").unwrap(),
            Source::Keyword(Keyword::None)
        );
        assert_eq!(
            parse_source("HTTPS:", "x").unwrap(),
            Source::Scheme("https:".into())
        );
        assert_eq!(
            parse_source("data:", "x").unwrap(),
            Source::Scheme("data:".into())
        );
        assert_eq!(parse_source("*", "x").unwrap(), Source::Host("*".into()));
        assert_eq!(
            parse_source("https://cdn.example:443/p/", "x").unwrap(),
            Source::Host("https://cdn.example:443/p/".into())
        );
        assert_eq!(
            parse_source("'nonce-abc_-'", "x").unwrap(),
            Source::Nonce("abc_-".into())
        );
        let h = "'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='";
        assert_eq!(parse_source(h, "x").unwrap().to_string(), h);
    }

    #[test]
    fn rejects_bad_sources() {
        for (raw, needle) in [
            ("self", "'self'"),
            ("unsafe-inline", "'unsafe-inline'"),
            ("nonce-abc", "single quotes"),
            ("sha256-abc", "single quotes"),
            ("'self", "closing quote"),
            ("self'", "opening quote"),
            ("'unsafe'", "not a CSP keyword"),
            ("'sha256-abc'", "base64"),
            ("'sha256-YWJj'", "32 bytes"),
            ("'sha256-!!!'", "base64"),
            (
                "'sha384-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='",
                "48 bytes",
            ),
            ("a;b", ";"),
            ("a,b", ","),
            ("a\r\nb", "line breaks"),
            ("a\u{7}", "control"),
            ("bücher.de", "punycode"),
            ("a\"b", "quotes"),
            ("/path", "not a host"),
            ("", "empty"),
        ] {
            let e = parse_source(raw, "csp.script-src").unwrap_err();
            assert!(e.message().contains(needle), "{raw:?}: {}", e.message());
            assert_eq!(e.setting(), "csp.script-src");
        }
    }
}
