//! Reading a served header value as a browser does, for linting (CSP Level 3,
//! "parse a serialized CSP list"). Configuration stays strict
//! ([`Policy::parse`] refuses what it cannot vouch for); a header met in the
//! wild is read the way it is enforced: a comma starts another policy, each
//! enforced; a repeated directive is ignored after its first occurrence; an
//! invalid source is ignored; an empty source list means `'none'`; an unknown
//! directive is ignored. Each oddity is a finding with its fix, and the lint
//! goes on over what the browser enforces.

use super::directive::Directive;
use super::directives::{directive_info, ValueKind};
use super::lint::{lint_policy, Finding, Severity};
use super::policy::Policy;
use super::source::{parse_source, Keyword, Source};

fn finding(
    severity: Severity,
    directive: &str,
    check: &'static str,
    message: String,
    fix: &str,
) -> Finding {
    Finding {
        severity,
        directive: directive.to_owned(),
        check,
        message,
        fix: fix.to_owned(),
    }
}

/// Lints a served `Content-Security-Policy` value: one list of findings per
/// policy in it (the value's comma-separated parts, in order), the syntax
/// findings first. Never refuses and never panics, whatever the text.
/// `nonce_in` names directives the server adds a nonce to; a literal
/// `'nonce-…'` in the value counts as one.
///
/// ```
/// use rampart_core::csp::{lint_header, Severity};
/// let lints = lint_header("script-src 'self' 'unsafe-inline'; object-src 'none'; script-src 'self'", &[]);
/// assert_eq!(lints.len(), 1);
/// let checks: Vec<&str> = lints[0].iter().map(|f| f.check).collect();
/// assert!(checks.contains(&"duplicate-directive"));
/// // What the browser enforces is the first script-src.
/// assert!(lints[0].iter().any(|f| f.check == "unsafe-inline" && f.severity == Severity::High));
/// ```
pub fn lint_header(value: &str, nonce_in: &[&str]) -> Vec<Vec<Finding>> {
    value
        .split(',')
        .map(|text| {
            let (policy, mut found) = read_policy(text);
            found.extend(lint_policy(&policy, nonce_in));
            found
        })
        .collect()
}

/// Characters of base64 that carry 128 bits, the least CSP asks of a nonce.
const MIN_NONCE_CHARS: usize = 22;

/// A served nonce too short to be unguessable.
fn weak_nonce(directive: &str, nonce: &str, found: &mut Vec<Finding>) {
    let chars = nonce.trim_end_matches('=').len();
    if chars < MIN_NONCE_CHARS {
        found.push(finding(
            Severity::Medium,
            directive,
            "short-nonce",
            format!(
                "the nonce has {chars} base64 characters (about {} bits); one that short can be guessed",
                chars * 6
            ),
            "draw at least 16 random bytes per response (rampart's nonces have 18)",
        ));
    }
}

/// One serialized policy as the browser enforces it, and what it ignored.
fn read_policy(text: &str) -> (Policy, Vec<Finding>) {
    let mut policy = Policy::empty();
    let mut found = Vec::new();
    for part in text.split(';') {
        let mut tokens = part.split_ascii_whitespace();
        let Some(raw_name) = tokens.next() else {
            continue;
        };
        let name = raw_name.to_ascii_lowercase();
        if policy.directive(&name).is_some() {
            found.push(finding(
                Severity::Medium,
                &name,
                "duplicate-directive",
                format!(
                    "{name} is given again; browsers enforce only the first one and ignore this"
                ),
                "merge the two into the first, or remove the second",
            ));
            continue;
        }
        let Some(info) = directive_info(&name) else {
            found.push(finding(
                Severity::Info,
                &name,
                "unknown-directive",
                format!("{raw_name} is not a directive browsers know, so it is ignored"),
                "check its spelling, or remove it",
            ));
            continue;
        };
        let mut sources: Vec<Source> = Vec::new();
        for t in tokens {
            match info.kind {
                ValueKind::SourceList => match parse_source(t, &name) {
                    Ok(s) => {
                        if let Source::Nonce(n) = &s {
                            weak_nonce(&name, n, &mut found);
                        }
                        if !sources.contains(&s) {
                            sources.push(s);
                        }
                    }
                    Err(_) => found.push(finding(
                        Severity::Info,
                        &name,
                        "invalid-source",
                        format!("{t} is not a valid source expression, so browsers ignore it"),
                        "write keywords in single quotes ('self'), hosts as host[:port][/path], schemes as scheme:",
                    )),
                },
                ValueKind::NoValue => found.push(finding(
                    Severity::Info,
                    &name,
                    "ignored-value",
                    format!("{name} takes no value; browsers ignore {t}"),
                    "write the directive alone",
                )),
                ValueKind::Tokens { .. } => sources.push(Source::Token(t.to_owned())),
            }
        }
        if info.kind == ValueKind::SourceList {
            if sources.is_empty() {
                found.push(finding(
                    Severity::Info,
                    &name,
                    "empty-source-list",
                    format!("{name} has no sources, which browsers read as 'none'"),
                    "write 'none' if that is meant",
                ));
                sources.push(Source::Keyword(Keyword::None));
            } else if sources.len() > 1 && sources.iter().any(|s| s.is_keyword(Keyword::None)) {
                // CSP3: 'none' among other sources is ignored.
                sources.retain(|s| !s.is_keyword(Keyword::None));
                found.push(finding(
                    Severity::Info,
                    &name,
                    "none-with-sources",
                    format!("'none' next to other sources in {name} is ignored by browsers"),
                    "remove 'none' or the other sources",
                ));
            }
        }
        policy.push_unchecked(Directive::new_unchecked(&name, sources));
    }
    (policy, found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn checks(v: &str) -> Vec<Vec<&'static str>> {
        lint_header(v, &[])
            .iter()
            .map(|p| p.iter().map(|f| f.check).collect())
            .collect()
    }

    #[test]
    fn each_oddity_is_a_finding_and_the_rest_is_linted() {
        // A comma: two policies, each linted.
        let c = checks("default-src 'self'; object-src 'none', script-src 'unsafe-inline'");
        assert_eq!(c.len(), 2);
        assert!(c[1].contains(&"unsafe-inline"));
        // Unknown directive, invalid source, empty list, value on a valueless directive.
        let c = checks("script-srcc 'self'; script-src 'self' 'sefl' 'nonce-abcdefghijklmnop'; object-src; upgrade-insecure-requests 1; base-uri 'none'");
        for want in [
            "unknown-directive",
            "invalid-source",
            "empty-source-list",
            "ignored-value",
        ] {
            assert!(c[0].contains(&want), "{want} in {c:?}");
        }
        // The empty object-src is 'none': no missing-object-src.
        assert!(!c[0].contains(&"missing-object-src"), "{c:?}");
    }

    #[test]
    fn a_short_served_nonce_is_named() {
        let c = checks("script-src 'nonce-abc123'; object-src 'none'; base-uri 'none'");
        assert!(c[0].contains(&"short-nonce"), "{c:?}");
        let c = checks(
            "script-src 'nonce-r4nd0mr4nd0mr4nd0mr4nd0m'; object-src 'none'; base-uri 'none'",
        );
        assert!(!c[0].contains(&"short-nonce"), "{c:?}");
    }

    #[test]
    fn a_served_nonce_gates_inline_scripts() {
        let c = checks("script-src 'nonce-r4nd0mr4nd0mr4nd0m' 'unsafe-inline' 'strict-dynamic'; object-src 'none'; base-uri 'none'");
        assert!(!c[0].contains(&"unsafe-inline"), "{c:?}");
    }

    #[test]
    fn an_any_host_wildcard_is_named_as_such() {
        for w in ["*", "https://*", "http://*:*", "*:*", "https://*:443"] {
            let f = lint_header(&format!("script-src {w}; object-src 'none'"), &[]);
            assert!(
                f[0].iter()
                    .any(|f| f.check == "wildcard" && f.severity == Severity::High),
                "{w}: {:?}",
                f[0].iter().map(|f| f.check).collect::<Vec<_>>()
            );
            assert!(!f[0].iter().any(|f| f.check == "allowlist-bypass"), "{w}");
        }
    }

    proptest! {
        #[test]
        fn any_text_is_read_without_panicking(s in ".{0,200}") {
            let _ = lint_header(&s, &["script-src"]);
        }

        #[test]
        fn enforced_unsafe_inline_without_nonce_is_always_found(
            junk in "[a-z\\-' ]{0,20}",
            dup in proptest::bool::ANY,
        ) {
            let mut v = format!("script-src 'self' 'unsafe-inline' {junk}");
            if dup { v.push_str("; script-src 'self'"); }
            v.push_str(", img-src *");
            let f = lint_header(&v, &[]);
            let junk_has_nonce = junk.contains("'nonce-") || junk.contains("'sha") || junk.contains("'strict-dynamic'");
            prop_assert!(junk_has_nonce || f[0].iter().any(|x| x.check == "unsafe-inline" && x.severity == Severity::High));
        }
    }
}
