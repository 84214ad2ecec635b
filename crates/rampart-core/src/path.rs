//! Path prefix rules shared by every exemption list (CSRF, HTTPS redirect), so
//! the two can never drift apart.

use crate::ConfigError;

/// Whether a request path can be trusted for an exemption's prefix match: it
/// starts with `/`, has no `.`/`..` or empty segments (a trailing `/` is
/// fine), no backslash, and no escape that is malformed or stands for `.`, `/`,
/// `\` or `%` (a stack that decodes twice would turn `%252e` into `.`). Such a
/// path stays under a prefix it matches however a framework decodes it before
/// routing (actix decodes `%61` to `a`, axum does not): other escapes can only
/// make a raw path miss a prefix, never leave one.
pub(crate) fn plain_path(path: &str) -> bool {
    if path.contains('\\')
        || escapes(path).any(|e| matches!(e, None | Some(b'.' | b'/' | b'\\' | b'%')))
    {
        return false;
    }
    let Some(rest) = path.strip_prefix('/') else {
        return false;
    };
    let mut segments = rest.split('/').peekable();
    while let Some(s) = segments.next() {
        let last = segments.peek().is_none();
        if s == "." || s == ".." || (s.is_empty() && !last) {
            return false;
        }
    }
    true
}

/// Whether `path` spells an ASCII byte in an escape (or has a malformed one):
/// a framework that decodes before routing may then route it under a prefix
/// its raw form does not match, so include-only protection counts it in.
/// Escaped non-ASCII bytes (`%C3%B8` for `ø`) cannot spell an ASCII prefix.
pub(crate) fn escapes_ascii(path: &str) -> bool {
    escapes(path).any(|e| e.is_none_or(|b| b.is_ascii()))
}

/// The byte each `%` escape in `path` stands for; `None` when malformed.
fn escapes(path: &str) -> impl Iterator<Item = Option<u8>> + '_ {
    let b = path.as_bytes();
    b.iter()
        .enumerate()
        .filter(|(_, c)| **c == b'%')
        .map(move |(i, _)| {
            let hex = |j: usize| b.get(j).and_then(|c| (*c as char).to_digit(16));
            Some(hex(i + 1)? * 16 + hex(i + 2)?).map(|v| v as u8)
        })
}

/// Segment-boundary prefix match: `/api` covers `/api` and `/api/x`, not `/apix`.
pub(crate) fn prefix_matches(path: &str, prefix: &str) -> bool {
    if prefix == "/" {
        return true;
    }
    path == prefix
        || path
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// A plain path under `prefix`.
pub(crate) fn within(path: &str, prefix: &str) -> bool {
    plain_path(path) && prefix_matches(path, prefix)
}

/// Which escapes a configured prefix may hold.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum PrefixEscapes {
    /// None (include-only prefixes: a router that decodes could route a path
    /// the raw prefix misses, so what is included must be spelled plainly).
    Refused,
    /// Escapes of non-ASCII bytes (`/caf%C3%A9`), as browsers send them;
    /// stored with upper-case hex. Exemptions and redirect exemptions: a
    /// request spelled otherwise misses the prefix, which fails closed.
    NonAscii,
}

/// A configured prefix, checked and normalised (no trailing `/`, the root as
/// `/`) for [`prefix_matches`]: it must start with `/` and be itself a plain
/// ASCII path without query, fragment or (beyond what `escapes` allows)
/// escapes, since no request path an exemption trusts could match anything else.
pub(crate) fn config_prefix(
    setting: &str,
    prefix: &str,
    allowed: PrefixEscapes,
) -> Result<String, ConfigError> {
    if !prefix.starts_with('/') {
        return Err(ConfigError::new(
            setting,
            format!(
                "`{prefix}` must start with '/', e.g. \"/{}\"",
                prefix.trim_start_matches('/')
            ),
        ));
    }
    let trimmed = prefix.trim_end_matches('/');
    let escapes_ok = match allowed {
        PrefixEscapes::Refused => !prefix.contains('%'),
        PrefixEscapes::NonAscii => escapes(prefix).all(|e| e.is_some_and(|b| !b.is_ascii())),
    };
    if !prefix.is_ascii()
        || prefix.contains(['?', '#'])
        || !escapes_ok
        || !(trimmed.is_empty() || plain_path(trimmed))
    {
        let escapes = match allowed {
            PrefixEscapes::Refused => "escapes",
            PrefixEscapes::NonAscii => "escapes other than of non-ASCII bytes (`%C3%A9`)",
        };
        return Err(ConfigError::new(
            setting,
            format!(
                "`{prefix}` must be a plain ASCII path: no query, fragment, {escapes}, \
                 backslashes, or dot or empty segments"
            ),
        ));
    }
    if trimmed.is_empty() {
        return Ok("/".into());
    }
    // Upper-case hex, as browsers send escapes (RFC 3986 section 2.1).
    let mut out = String::with_capacity(trimmed.len());
    let mut hex_left = 0;
    for c in trimmed.chars() {
        if hex_left > 0 {
            out.push(c.to_ascii_uppercase());
            hex_left -= 1;
        } else {
            hex_left = if c == '%' { 2 } else { 0 };
            out.push(c);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_fail_closed_on_ambiguous_paths() {
        assert!(within("/api", "/api"));
        assert!(within("/api/x/", "/api"));
        assert!(!within("/apix", "/api"));
        for p in [
            "/api/../admin",
            "/api//x",
            "/api/./x",
            "/%61pi/x",
            "/api%2fx",
            "/api\\x",
            "api/x",
        ] {
            assert!(!within(p, "/api"), "{p}");
        }
        assert!(within("/anything", "/"));
        assert!(within("/api/%C3%B8", "/api"));
        assert!(!within("/", "/api"));
        // Escapes after the prefix cannot leave it, unless they spell a
        // separator or a dot, or cannot be read.
        assert!(within("/api/hook/a%40b", "/api"));
        assert!(within("/api/x%20y%7e", "/api"));
        for p in [
            "/api/%",
            "/api/%zz",
            "/api/%2e%2e/admin",
            "/api/%2E%2E/admin",
            "/api%2Fx",
            "/api/a%2fb",
            "/api/a%5cb",
            "/api/..\\admin",
            "/api/%252e%252e/admin",
        ] {
            assert!(!within(p, "/api"), "{p}");
        }
        assert!(plain_path("/") && plain_path("/api/x/"));
    }

    #[test]
    fn ascii_escapes_are_told_apart() {
        assert!(escapes_ascii("/%61pi/x"));
        assert!(escapes_ascii("/api/%"));
        assert!(!escapes_ascii("/api/%C3%B8"));
        assert!(!escapes_ascii("/api/x"));
    }

    #[test]
    fn configured_prefixes_are_checked_and_normalised() {
        use PrefixEscapes::*;
        let config_prefix = |s, p| config_prefix(s, p, NonAscii);
        assert_eq!(config_prefix("s", "/api/").unwrap(), "/api");
        assert_eq!(config_prefix("s", "/").unwrap(), "/");
        assert_eq!(config_prefix("s", "//").unwrap(), "/");
        // Non-ASCII escapes where allowed, stored as browsers send them.
        assert_eq!(config_prefix("s", "/caf%c3%a9/").unwrap(), "/caf%C3%A9");
        assert!(within("/caf%C3%A9/order", "/caf%C3%A9"));
        assert!(super::config_prefix("s", "/caf%C3%A9", Refused).is_err());
        for bad in [
            "/a%41",
            "/a%2e%2e",
            "/a%25",
            "/a%zz",
            "/a%C3%",
            "api",
            "/a/../b",
            "/a/./b",
            "/a?x=1",
            "/a#f",
            "/a//b",
            "/caf\u{e9}",
            "/a%2fb",
            "/a\\b",
        ] {
            let e = config_prefix("s", bad).unwrap_err();
            assert_eq!(e.setting(), "s", "{bad}");
        }
    }
}
