//! Reading served header values as a browser does, for linting (CSP Level 3,
//! "parse a serialized CSP list"). Configuration stays strict
//! ([`Policy::parse`] refuses what it cannot vouch for); a header met in the
//! wild is read the way it is enforced: a comma starts another policy, each
//! enforced; a repeated directive is ignored after its first occurrence; an
//! invalid source is ignored; an empty source list means `'none'`; an unknown
//! directive is ignored. Each oddity is a finding with its fix, and the lint
//! goes on over what the browser enforces.
//!
//! Several enforced policies are judged together: a resource loads, and a
//! script runs, only if every one of them allows it, so a weakness in one
//! policy that another blocks is not a hole.

use super::directive::Directive;
use super::directives::{directive_info, ValueKind};
use super::lint::{lint_policy, Finding, Severity};
use super::policy::Policy;
use super::source::{parse_source, Keyword, Source};

/// Lints the `Content-Security-Policy` values a page is served with, as one
/// page: every header given (and every comma-separated policy in each) is
/// enforced together. Returns one list per value, in order; each finding's
/// [`policy_index`](Finding::policy_index) counts policies across all values.
/// Syntax findings come first in each policy.
///
/// Lint `Content-Security-Policy-Report-Only` values with a separate call:
/// they enforce nothing, so they neither cover nor weaken the others.
///
/// `nonce_in` names directives the server adds a nonce to; a literal
/// `'nonce-…'` in a value counts as one. Never refuses and never panics,
/// whatever the text.
///
/// ```
/// use rampart_core::csp::{lint_headers, Severity};
/// // The browser keeps the first script-src, with its 'unsafe-inline'.
/// let one = lint_headers(&["script-src 'self' 'unsafe-inline'; object-src 'none'; script-src 'self'"], &[]);
/// assert!(one[0].iter().any(|f| f.check == "duplicate-directive" && f.severity == Severity::Syntax));
/// assert!(one[0].iter().any(|f| f.check == "unsafe-inline" && f.severity == Severity::High));
/// // A second header without 'unsafe-inline' blocks inline scripts: no longer high.
/// let two = lint_headers(&["script-src 'unsafe-inline'", "script-src 'self'"], &[]);
/// let f = two[0].iter().find(|f| f.check == "unsafe-inline").unwrap();
/// assert_eq!((f.policy_index, f.severity), (0, Severity::Info));
/// ```
pub fn lint_headers(values: &[&str], nonce_in: &[&str]) -> Vec<Vec<Finding>> {
    let mut read: Vec<(usize, Policy, Vec<Finding>)> = Vec::new();
    for (value, text) in values.iter().enumerate() {
        for part in text.split(',') {
            let (policy, mut found) = read_policy(part);
            found.extend(lint_policy(&policy, nonce_in));
            read.push((value, policy, found));
        }
    }
    // Judging policies together compares every finding with every other
    // policy; past a handful (more than browsers meet from real servers) each
    // is judged alone, which only keeps findings as serious as they are.
    let covered = if read.len() <= MAX_COMBINED {
        combine(&read)
    } else {
        let n = read.len();
        if let Some((_, _, first)) = read.first_mut() {
            first.push(Finding::new(
                Severity::Info,
                "content-security-policy",
                None,
                "not-combined",
                format!("{n} policies: more than {MAX_COMBINED}, so each is judged alone, as if no other one blocked anything"),
                "serve one policy (or a few) instead of many comma-separated ones",
            ));
        }
        read.iter().map(|(_, _, f)| vec![None; f.len()]).collect()
    };
    let mut out: Vec<Vec<Finding>> = vec![Vec::new(); values.len()];
    for (index, ((value, _, found), covered)) in read.into_iter().zip(covered).enumerate() {
        for (mut f, cover) in found.into_iter().zip(covered) {
            f.policy_index = index;
            if let Some((other, severity)) = cover {
                f.message = if severity == Severity::Info {
                    format!(
                        "{} (policy {other} blocks this, so the browser does not allow it)",
                        f.message
                    )
                } else {
                    format!("{} (policy {other} narrows this to {severity})", f.message)
                };
                f.severity = severity;
            }
            out[value].push(f);
        }
    }
    out
}

/// Most policies judged together (see `lint_headers`).
const MAX_COMBINED: usize = 16;

/// The group of directives a finding is about, for comparing policies: the
/// script directives stand for each other (each falls back to the next).
fn group(directive: &str) -> &str {
    if super::directives::governs_scripts(directive) {
        "script-src"
    } else {
        directive
    }
}

/// What a finding says a policy lets through, for comparing policies:
/// inline code, eval, hashed event handlers, or which URLs may load. `None`
/// for findings that belong to their own policy alone (syntax, nonces,
/// reporting, advice).
fn axis(check: &str) -> Option<&'static str> {
    Some(match check {
        "unsafe-inline" => "inline",
        "unsafe-eval" => "eval",
        "unsafe-hashes" => "hashes",
        "wildcard"
        | "plain-scheme"
        | "allowlist-bypass"
        | "arbitrary-code-host"
        | "host-allowlist"
        | "self"
        | "insecure-source"
        | "missing-script-src"
        | "missing-object-src"
        | "object-src-not-none"
        | "missing-base-uri" => "urls",
        _ => return None,
    })
}

/// The directive of `policy` that governs what `directive` governs: the
/// directive itself or what it falls back to (`None`: it restricts nothing
/// there, so it cannot block anything).
fn governing<'p>(policy: &'p Policy, directive: &str) -> Option<&'p str> {
    match group(directive) {
        "base-uri" => policy.directive("base-uri").map(|d| d.name()),
        g => policy.effective(g).map(|d| d.name()),
    }
}

/// Whether finding `o` of another policy, whose `directive` governs what
/// `f`'s directive governs there, is about the same resources as `f`.
fn same_place(f: &Finding, o: &Finding, governing: &str) -> bool {
    match group(&f.directive) {
        // Script findings sit on whichever script directive applies.
        "script-src" => group(&o.directive) == "script-src",
        // Plugin and <base> findings are named for their directive even when
        // it falls back.
        "object-src" | "base-uri" => o.directive == f.directive,
        _ => o.directive == governing,
    }
}

/// For each finding of each policy: `Some((other policy, severity))` when
/// another enforced policy makes it less serious. What the policies allow
/// together is within what each allows alone, so a weakness is at most as
/// serious as the least serious rating any policy that restricts the same
/// directives gives it on the same axis (`Info` when that policy has no
/// such finding: it blocks it).
fn combine(read: &[(usize, Policy, Vec<Finding>)]) -> Vec<Vec<Option<(usize, Severity)>>> {
    read.iter()
        .enumerate()
        .map(|(i, (_, _, found))| {
            found
                .iter()
                .map(|f| {
                    let a = axis(f.check)?;
                    if f.severity > Severity::Possible {
                        return None;
                    }
                    let mut best: Option<(usize, Severity)> = None;
                    for (j, (_, policy, other)) in read.iter().enumerate() {
                        if j == i {
                            continue;
                        }
                        let Some(gov) = governing(policy, &f.directive) else {
                            continue;
                        };
                        let mut level = other
                            .iter()
                            .filter(|o| axis(o.check) == Some(a) && same_place(f, o, gov))
                            .map(|o| o.severity)
                            .min()
                            .unwrap_or(Severity::Info);
                        // A guessable nonce lets an injected inline script through.
                        if a == "inline"
                            && other.iter().any(|o| {
                                o.check == "short-nonce" && group(&o.directive) == "script-src"
                            })
                        {
                            level = level.min(Severity::Medium);
                        }
                        if level > f.severity && best.is_none_or(|(_, b)| level > b) {
                            best = Some((j, level));
                        }
                    }
                    best
                })
                .collect()
        })
        .collect()
}

/// Characters of base64 that carry 128 bits, the least CSP asks of a nonce.
const MIN_NONCE_CHARS: usize = 22;

/// A served nonce too short to be unguessable.
fn weak_nonce(directive: &str, nonce: &str, found: &mut Vec<Finding>) {
    let chars = nonce.trim_end_matches('=').len();
    if chars < MIN_NONCE_CHARS {
        found.push(Finding::new(
            Severity::Medium,
            directive,
            Some(&format!("'nonce-{nonce}'")),
            "short-nonce",
            format!(
                "the nonce has {chars} base64 characters (about {} bits); one that short can be guessed",
                chars * 6
            ),
            "draw at least 16 random bytes per response (rampart's nonces have 18)",
        ));
    }
}

/// Why a browser would ignore a value of a token directive, if it would.
/// (Relative report URLs are resolved against the page, so they stand.)
fn served_token_problem(directive: &str, t: &str) -> Option<String> {
    match directive {
        "sandbox" => {
            (!super::directives::is_sandbox_flag(t)).then(|| format!("{t} is not a sandbox flag"))
        }
        "report-uri" => (t.starts_with('\'') || t.starts_with('"'))
            .then(|| format!("{t} is quoted, so it is not a URL")),
        "report-to" => {
            (!super::policy::is_group_name(t)).then(|| format!("{t} is not a reporting group name"))
        }
        "require-trusted-types-for" => (t != "'script'")
            .then(|| format!("{t}: the only value is 'script' (with single quotes)")),
        _ => None,
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
        if !part.is_ascii() {
            // CSP3 skips a directive with any non-ASCII character (curly
            // quotes pasted from a document, say) as a whole.
            found.push(Finding::new(
                Severity::Syntax,
                &raw_name.to_ascii_lowercase(),
                None,
                "non-ascii",
                format!(
                    "{} has a character that is not ASCII, so browsers ignore the whole directive",
                    raw_name.escape_debug()
                ),
                "retype it in plain ASCII (straight quotes ' rather than ’)",
            ));
            continue;
        }
        let name = raw_name.to_ascii_lowercase();
        if policy.directive(&name).is_some() {
            found.push(Finding::new(
                Severity::Syntax,
                &name,
                None,
                "duplicate-directive",
                format!(
                    "{name} is given again; browsers enforce only the first one and ignore this"
                ),
                "merge the two into the first, or remove the second",
            ));
            continue;
        }
        let Some(info) = directive_info(&name) else {
            found.push(Finding::new(
                Severity::Syntax,
                &name,
                None,
                "unknown-directive",
                format!("{raw_name} is not a directive browsers know, so it is ignored"),
                "check its spelling, or remove it",
            ));
            continue;
        };
        let mut sources: Vec<Source> = Vec::new();
        // Repeated sources are read once; a set keeps that linear for long lists.
        let mut seen: std::collections::HashSet<Source> = std::collections::HashSet::new();
        for t in tokens {
            if info.kind != ValueKind::NoValue && directive_info(&t.to_ascii_lowercase()).is_some()
            {
                // `default-src 'self' script-src x`: the second directive is
                // read as more sources of the first, and enforces nothing.
                found.push(Finding::new(
                    Severity::Syntax,
                    &name,
                    Some(t),
                    "missing-semicolon",
                    format!("{t} looks like a directive, but without a ';' before it browsers read it (and what follows) as values of {name}"),
                    "put a ';' between the two directives",
                ));
            }
            match info.kind {
                ValueKind::SourceList => match parse_source(t, &name) {
                    Ok(s) => {
                        if let Source::Nonce(n) = &s {
                            weak_nonce(&name, n, &mut found);
                        }
                        if seen.insert(s.clone()) {
                            sources.push(s);
                        }
                    }
                    Err(e) => found.push(Finding::new(
                        Severity::Syntax,
                        &name,
                        Some(t),
                        "invalid-source",
                        format!("{}; browsers do not read it as intended", e.message()),
                        "write keywords, nonces and hashes in single quotes ('self'), hosts as host[:port][/path], schemes as scheme:",
                    )),
                },
                ValueKind::NoValue => found.push(Finding::new(
                    Severity::Syntax,
                    &name,
                    Some(t),
                    "ignored-value",
                    format!("{name} takes no value; browsers ignore {t}"),
                    "write the directive alone",
                )),
                ValueKind::Tokens { .. } => match served_token_problem(&name, t) {
                    Some(why) => found.push(Finding::new(
                        Severity::Syntax,
                        &name,
                        Some(t),
                        "invalid-value",
                        format!("{why}; browsers ignore it"),
                        "write the value without quotes, as the directive defines it",
                    )),
                    None => sources.push(Source::Token(t.to_owned())),
                },
            }
        }
        if let ValueKind::Tokens { min, .. } = info.kind {
            if sources.len() < min {
                // `report-to` with no group, `report-uri` with no URL: the
                // browser drops the directive.
                found.push(Finding::new(
                    Severity::Syntax,
                    &name,
                    None,
                    "missing-value",
                    format!("{name} has no valid value, so browsers ignore it"),
                    "give it its value (report-uri takes URLs, report-to a group name), or remove it",
                ));
                continue;
            }
        }
        if info.kind == ValueKind::SourceList {
            if sources.is_empty() {
                found.push(Finding::new(
                    Severity::Syntax,
                    &name,
                    None,
                    "empty-source-list",
                    format!("{name} has no sources, which browsers read as 'none'"),
                    "write 'none' if that is meant",
                ));
                sources.push(Source::Keyword(Keyword::None));
            } else if sources.len() > 1 && sources.iter().any(|s| s.is_keyword(Keyword::None)) {
                // CSP3: 'none' among other sources is ignored.
                sources.retain(|s| !s.is_keyword(Keyword::None));
                found.push(Finding::new(
                    Severity::Syntax,
                    &name,
                    Some("'none'"),
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
mod tests;
