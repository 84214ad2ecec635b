//! The directives rampart knows: how each is written, which fall back to
//! which, and the name check that suggests the closest known one.

use crate::ConfigError;

/// How a directive's value is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ValueKind {
    /// A source list (`'self' https://cdn.example`); must not be empty.
    SourceList,
    /// Free tokens (sandbox flags, report URLs, …); `min` is the least number allowed.
    Tokens { min: usize, max: usize },
    /// No value at all (`upgrade-insecure-requests`).
    NoValue,
}

/// Static facts about one known directive.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DirectiveInfo {
    pub name: &'static str,
    pub kind: ValueKind,
    pub fetch: bool,
    pub deprecated: bool,
}

const fn d(name: &'static str, kind: ValueKind, fetch: bool, deprecated: bool) -> DirectiveInfo {
    DirectiveInfo {
        name,
        kind,
        fetch,
        deprecated,
    }
}

const SL: ValueKind = ValueKind::SourceList;
const NV: ValueKind = ValueKind::NoValue;
const fn tok(min: usize, max: usize) -> ValueKind {
    ValueKind::Tokens { min, max }
}

/// Every directive rampart accepts (CSP Level 3 plus deprecated ones it still recognises).
pub(crate) const KNOWN_DIRECTIVES: &[DirectiveInfo] = &[
    d("default-src", SL, true, false),
    d("script-src", SL, true, false),
    d("script-src-elem", SL, true, false),
    d("script-src-attr", SL, true, false),
    d("style-src", SL, true, false),
    d("style-src-elem", SL, true, false),
    d("style-src-attr", SL, true, false),
    d("img-src", SL, true, false),
    d("font-src", SL, true, false),
    d("connect-src", SL, true, false),
    d("media-src", SL, true, false),
    d("object-src", SL, true, false),
    d("frame-src", SL, true, false),
    d("child-src", SL, true, false),
    d("worker-src", SL, true, false),
    d("manifest-src", SL, true, false),
    d("prefetch-src", SL, true, true),
    d("fenced-frame-src", SL, true, false),
    d("base-uri", SL, false, false),
    d("sandbox", tok(0, usize::MAX), false, false),
    d("form-action", SL, false, false),
    d("frame-ancestors", SL, false, false),
    d("report-uri", tok(1, usize::MAX), false, false),
    d("report-to", tok(1, 1), false, false),
    d("upgrade-insecure-requests", NV, false, false),
    d("block-all-mixed-content", NV, false, true),
    d(
        "require-trusted-types-for",
        tok(1, usize::MAX),
        false,
        false,
    ),
    d("trusted-types", tok(0, usize::MAX), false, false),
    d("reflected-xss", tok(1, 1), false, true),
    d("referrer", tok(1, 1), false, true),
    d("disown-opener", NV, false, true),
    d("plugin-types", tok(0, usize::MAX), false, true),
];

/// Sandbox flags browsers know (HTML's sandboxing flag set); others are ignored.
const SANDBOX_FLAGS: &[&str] = &[
    "allow-downloads",
    "allow-forms",
    "allow-modals",
    "allow-orientation-lock",
    "allow-pointer-lock",
    "allow-popups",
    "allow-popups-to-escape-sandbox",
    "allow-presentation",
    "allow-same-origin",
    "allow-scripts",
    "allow-storage-access-by-user-activation",
    "allow-top-navigation",
    "allow-top-navigation-by-user-activation",
    "allow-top-navigation-to-custom-protocols",
];

/// Whether `directive` can decide which scripts run: a script directive, or
/// `default-src`, which they fall back to.
pub(crate) fn governs_scripts(directive: &str) -> bool {
    matches!(
        directive,
        "script-src" | "script-src-elem" | "script-src-attr" | "default-src"
    )
}

/// Whether browsers know `flag` as a sandbox flag (ASCII case-insensitive).
pub(crate) fn is_sandbox_flag(flag: &str) -> bool {
    SANDBOX_FLAGS.iter().any(|f| f.eq_ignore_ascii_case(flag))
}

pub(crate) fn directive_info(name: &str) -> Option<&'static DirectiveInfo> {
    KNOWN_DIRECTIVES.iter().find(|i| i.name == name)
}

/// The directives a browser consults, in order, when `name` itself is absent.
pub(crate) fn fallback_chain(name: &str) -> &'static [&'static str] {
    match name {
        "script-src-elem" | "script-src-attr" => &["script-src", "default-src"],
        "style-src-elem" | "style-src-attr" => &["style-src", "default-src"],
        "frame-src" => &["child-src", "default-src"],
        "worker-src" => &["child-src", "script-src", "default-src"],
        "default-src" => &[],
        n if directive_info(n).is_some_and(|i| i.fetch) => &["default-src"],
        _ => &[],
    }
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Checks a directive name and returns it lower-cased, or an error naming the closest known one.
pub(crate) fn check_directive_name(raw: &str) -> Result<String, ConfigError> {
    let name = raw.trim().to_ascii_lowercase();
    if directive_info(&name).is_some() {
        return Ok(name);
    }
    let setting = format!("csp.{}", name.escape_debug());
    if name.is_empty() {
        return Err(ConfigError::new(
            "csp",
            "empty directive name; write a name such as script-src",
        ));
    }
    let closest = KNOWN_DIRECTIVES
        .iter()
        .map(|i| (levenshtein(&name, i.name), i.name))
        .min();
    let hint = match closest {
        Some((dist, known)) if dist <= 3 => format!("; did you mean {known}?"),
        _ => String::from("; see the CSP Level 3 directive list"),
    };
    Err(ConfigError::new(
        setting,
        format!("unknown CSP directive {:?}{hint}", name),
    ))
}
