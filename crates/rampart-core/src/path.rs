//! Path prefix rules shared by every exemption list (CSRF, HTTPS redirect), so
//! the two can never drift apart.

/// Whether a request path can be trusted for prefix matching: it starts with
/// `/`, has no `.`/`..` or empty segments (a trailing `/` is fine), no
/// backslash and no percent-encoded ASCII. Frameworks differ in what they
/// decode before routing (actix decodes `%61` to `a`, axum does not), so a path
/// spelling ASCII in escapes is never matched: exemptions fail closed. Escaped
/// non-ASCII bytes (`%C3%B8` for `ø`) cannot spell an ASCII prefix and are fine.
pub(crate) fn plain_path(path: &str) -> bool {
    if path.contains('\\') || !escapes_are_non_ascii(path) {
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

/// Every `%` starts an escape of a byte >= 0x80.
fn escapes_are_non_ascii(path: &str) -> bool {
    let b = path.as_bytes();
    b.iter().enumerate().all(|(i, &c)| {
        c != b'%'
            || matches!(
                (b.get(i + 1), b.get(i + 2)),
                (Some(h), Some(l)) if matches!(h, b'8'..=b'9' | b'a'..=b'f' | b'A'..=b'F') && l.is_ascii_hexdigit()
            )
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
        assert!(!within("/api/%", "/api"));
        assert!(!within("/api/%7e", "/api"));
    }
}
