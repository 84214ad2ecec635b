//! The policy model: parsing, validation, serialization and editing.

use std::fmt;
use std::str::FromStr;

use super::lint::{lint_policy, Finding};
use super::source::{check_chars, parse_source, Keyword, Source};
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

/// A Content Security Policy: an ordered list of directives.
///
/// Build one from a header string ([`Policy::parse`]), from name/value pairs
/// ([`Policy::from_pairs`], the dict form Flask-Talisman users know) or with
/// [`Policy::builder`]. Every constructor validates: unknown directive names,
/// unquoted keywords, bad hashes, stray `;`/`,`/line breaks and `'none'` mixed
/// with other sources are errors that say what to write instead.
/// `Display` gives the canonical header value.
///
/// ```
/// use rampart_core::csp::Policy;
/// let p = Policy::parse("default-src 'self'; img-src *;").unwrap();
/// assert_eq!(p.to_string(), "default-src 'self'; img-src *");
/// assert!(Policy::parse("default-src self").is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    directives: Vec<Directive>,
}

/// One directive: a lower-case name and its sources (or tokens).
///
/// ```
/// use rampart_core::csp::{Keyword, Policy, Source};
/// let p = Policy::parse("script-src 'self' cdn.example").unwrap();
/// let d = p.directive("script-src").unwrap();
/// assert_eq!(d.name(), "script-src");
/// assert_eq!(d.sources()[0], Source::Keyword(Keyword::SelfOrigin));
/// assert_eq!(d.to_string(), "script-src 'self' cdn.example");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    name: String,
    sources: Vec<Source>,
}

impl Directive {
    /// The directive name, lower-case (e.g. `"script-src"`).
    ///
    /// ```
    /// # use rampart_core::csp::Policy;
    /// let p = Policy::parse("IMG-SRC *").unwrap();
    /// assert_eq!(p.directives()[0].name(), "img-src");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The sources (or tokens, for non-source directives), in order.
    ///
    /// ```
    /// # use rampart_core::csp::{Policy, Source};
    /// let p = Policy::parse("report-uri /csp").unwrap();
    /// assert_eq!(p.directives()[0].sources(), &[Source::Token("/csp".into())]);
    /// ```
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }

    pub(crate) fn new_unchecked(name: &str, sources: Vec<Source>) -> Directive {
        Directive {
            name: name.to_string(),
            sources,
        }
    }

    pub(crate) fn has_keyword(&self, k: Keyword) -> bool {
        self.sources.iter().any(|s| s.is_keyword(k))
    }

    /// True when the directive is exactly `'none'`.
    pub(crate) fn is_none(&self) -> bool {
        self.sources.len() == 1 && self.has_keyword(Keyword::None)
    }
}

impl fmt::Display for Directive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        for s in &self.sources {
            write!(f, " {s}")?;
        }
        Ok(())
    }
}

/// A list of source strings, accepted wherever a directive's value is expected.
///
/// Converts from a whitespace-separated string, a vector/slice/array of strings,
/// or typed [`Source`]s. Entries are trimmed when the policy is built.
///
/// ```
/// use rampart_core::csp::Sources;
/// let s: Sources = "'self'  cdn.example".into();
/// assert_eq!(s.0, vec!["'self'", "cdn.example"]);
/// let s: Sources = [" 'self'", "*.example.com"].into();
/// assert_eq!(s.0.len(), 2);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sources(pub Vec<String>);

impl From<&str> for Sources {
    fn from(s: &str) -> Self {
        Sources(s.split_ascii_whitespace().map(str::to_string).collect())
    }
}
impl From<String> for Sources {
    fn from(s: String) -> Self {
        Sources::from(s.as_str())
    }
}
impl From<&String> for Sources {
    fn from(s: &String) -> Self {
        Sources::from(s.as_str())
    }
}
impl From<Vec<&str>> for Sources {
    fn from(v: Vec<&str>) -> Self {
        Sources(v.into_iter().map(str::to_string).collect())
    }
}
impl From<Vec<String>> for Sources {
    fn from(v: Vec<String>) -> Self {
        Sources(v)
    }
}
impl From<&[&str]> for Sources {
    fn from(v: &[&str]) -> Self {
        Sources(v.iter().map(|s| s.to_string()).collect())
    }
}
impl<const N: usize> From<[&str; N]> for Sources {
    fn from(v: [&str; N]) -> Self {
        Sources(v.iter().map(|s| s.to_string()).collect())
    }
}
impl From<Source> for Sources {
    fn from(s: Source) -> Self {
        Sources(vec![s.to_string()])
    }
}
impl From<Vec<Source>> for Sources {
    fn from(v: Vec<Source>) -> Self {
        Sources(v.iter().map(Source::to_string).collect())
    }
}

/// Validates one directive's raw entries into typed sources (deduplicated, order kept).
fn build_sources<'a>(
    name: &str,
    entries: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<Source>, ConfigError> {
    let setting = format!("csp.{name}");
    let info =
        directive_info(name).ok_or_else(|| ConfigError::new(&setting, "unknown directive"))?;
    let mut out: Vec<Source> = Vec::new();
    for entry in entries {
        // Check the whole entry before splitting, so line breaks are reported
        // instead of silently acting as separators.
        let no_ws: String = entry.chars().filter(|c| *c != ' ' && *c != '\t').collect();
        check_chars(&no_ws, &setting)?;
        for raw in entry.split_ascii_whitespace() {
            let src = match info.kind {
                ValueKind::SourceList => {
                    if directive_info(&raw.to_ascii_lowercase()).is_some() {
                        return Err(ConfigError::new(
                            &setting,
                            format!("{raw:?} is a directive name; end the previous directive with `;` before it"),
                        ));
                    }
                    let s = parse_source(raw, &setting)?;
                    if let Source::Nonce(_) = s {
                        return Err(ConfigError::new(
                            &setting,
                            format!(
                                "{raw}: a nonce in a static policy is the same on every response, so it protects nothing; \
                                 remove it and call Csp::nonce_in([\"{name}\"]) to get a fresh nonce per request"
                            ),
                        ));
                    }
                    s
                }
                ValueKind::Tokens { .. } | ValueKind::NoValue => {
                    check_chars(raw, &setting)?;
                    Source::Token(raw.to_string())
                }
            };
            if !out.contains(&src) {
                out.push(src);
            }
        }
    }
    check_values(info, &out, &setting)?;
    Ok(out)
}

fn check_values(
    info: &DirectiveInfo,
    sources: &[Source],
    setting: &str,
) -> Result<(), ConfigError> {
    let name = info.name;
    match info.kind {
        ValueKind::SourceList => {
            if sources.is_empty() {
                return Err(ConfigError::new(
                    setting,
                    format!("{name} has no sources; write '{name} 'none'' to block everything, or list the allowed sources"),
                ));
            }
            if sources.len() > 1 && sources.iter().any(|s| s.is_keyword(Keyword::None)) {
                return Err(ConfigError::new(
                    setting,
                    format!("'none' cannot be combined with other sources in {name} (browsers then ignore it); remove 'none' or the other sources"),
                ));
            }
        }
        ValueKind::NoValue => {
            if !sources.is_empty() {
                return Err(ConfigError::new(
                    setting,
                    format!("{name} takes no value; write just `{name}`"),
                ));
            }
        }
        ValueKind::Tokens { min, max } => {
            if sources.len() < min || sources.len() > max {
                let want = if min == max {
                    format!("exactly {min} value")
                } else {
                    format!("at least {min} value")
                };
                return Err(ConfigError::new(
                    setting,
                    format!("{name} takes {want}, found {}", sources.len()),
                ));
            }
            for s in sources {
                let Source::Token(t) = s else { continue };
                check_token(name, t, setting)?;
            }
        }
    }
    Ok(())
}

fn check_token(name: &str, t: &str, setting: &str) -> Result<(), ConfigError> {
    let problem = match name {
        "report-uri" => {
            let absolute = url::Url::parse(t)
                .map(|u| matches!(u.scheme(), "https" | "http") && u.host().is_some())
                .unwrap_or(false);
            let path = t.starts_with('/') && !t.starts_with("//");
            (!(absolute || path)).then(|| {
                format!("{t:?} is not a report URL; write an absolute https:// URL or a path such as /csp-report")
            })
        }
        "report-to" => (!is_group_name(t)).then(|| {
            format!("{t:?} is not a reporting group name; use letters, digits, `-` and `_` (e.g. csp-endpoint)")
        }),
        "sandbox" => (!t.starts_with("allow-")).then(|| {
            format!("{t:?} is not a sandbox flag; flags look like allow-scripts or allow-forms")
        }),
        "require-trusted-types-for" => (t != "'script'")
            .then(|| format!("{t:?}: the only value is 'script' (with single quotes)")),
        _ => None,
    };
    match problem {
        Some(message) => Err(ConfigError::new(setting, message)),
        None => Ok(()),
    }
}

pub(crate) fn is_group_name(t: &str) -> bool {
    !t.is_empty()
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

impl Policy {
    /// Parses a header value such as `"default-src 'self'; img-src *"`.
    ///
    /// Directives are split on `;` (empty pieces, e.g. from a trailing `;`, are
    /// ignored), names are lower-cased and order is kept. A directive that
    /// appears twice is an error: browsers ignore the second occurrence.
    ///
    /// ```
    /// use rampart_core::csp::Policy;
    /// let p = Policy::parse("Script-Src 'self'  cdn.example;").unwrap();
    /// assert_eq!(p.to_string(), "script-src 'self' cdn.example");
    /// let e = Policy::parse("image-src *").unwrap_err();
    /// assert!(e.message().contains("did you mean img-src?"));
    /// ```
    pub fn parse(header: &str) -> Result<Policy, ConfigError> {
        if let Some(c) = header
            .chars()
            .find(|c| (c.is_ascii_control() && *c != '\t') || !c.is_ascii())
        {
            return Err(ConfigError::new(
                "csp",
                format!("the policy contains {c:?}; a header value allows only printable ASCII, so remove it"),
            ));
        }
        if header.contains(',') {
            return Err(ConfigError::new(
                "csp",
                "`,` separates whole policies in a header; send one policy per Policy value (use Csp::report_only for a second one)",
            ));
        }
        let mut directives: Vec<Directive> = Vec::new();
        for piece in header.split(';') {
            let mut words = piece.split_ascii_whitespace();
            let Some(raw_name) = words.next() else {
                continue;
            };
            let name = check_directive_name(raw_name)?;
            if directives.iter().any(|d| d.name == name) {
                return Err(ConfigError::new(
                    format!("csp.{name}"),
                    format!("{name} appears twice; browsers ignore the second occurrence, so merge its sources into the first"),
                ));
            }
            let sources = build_sources(&name, words)?;
            directives.push(Directive { name, sources });
        }
        Ok(Policy { directives })
    }

    /// Builds a policy from `(directive, sources)` pairs, the dict form of Flask-Talisman.
    ///
    /// Entries are trimmed (`" 'self'"` becomes `'self'`); a directive given twice is
    /// merged (sources appended, duplicates dropped).
    ///
    /// ```
    /// use rampart_core::csp::Policy;
    /// let p = Policy::from_pairs([
    ///     ("default-src", vec![" 'self'", "*.example.com"]),
    ///     ("img-src", vec!["*"]),
    ///     ("default-src", vec!["cdn.example"]),
    /// ]).unwrap();
    /// assert_eq!(p.to_string(), "default-src 'self' *.example.com cdn.example; img-src *");
    /// ```
    pub fn from_pairs<I, K, V>(pairs: I) -> Result<Policy, ConfigError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: Into<Sources>,
    {
        let mut p = Policy {
            directives: Vec::new(),
        };
        for (k, v) in pairs {
            let name = check_directive_name(k.as_ref())?;
            let sources: Sources = v.into();
            p.merge(&name, &sources, false)?;
        }
        Ok(p)
    }

    /// Starts a [`PolicyBuilder`].
    ///
    /// ```
    /// use rampart_core::csp::Policy;
    /// let p = Policy::builder()
    ///     .directive("script-src", ["'self'", "cdn.example"])
    ///     .directive("object-src", "'none'")
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(p.to_string(), "script-src 'self' cdn.example; object-src 'none'");
    /// ```
    pub fn builder() -> PolicyBuilder {
        PolicyBuilder { pairs: Vec::new() }
    }

    /// Google's "strict CSP": `script-src 'strict-dynamic' 'unsafe-inline' https: http:;
    /// object-src 'none'; base-uri 'none'`.
    ///
    /// Use it with `Csp::nonce_in(["script-src"])`: modern browsers then run only
    /// scripts carrying the per-request nonce (and scripts those load), ignoring
    /// `'unsafe-inline'` and the `https: http:` allow-list, which only serve as
    /// fallbacks for browsers without CSP2/CSP3 support.
    ///
    /// ```
    /// use rampart_core::csp::{Policy, Severity};
    /// let p = Policy::strict();
    /// assert!(p.lint_with_nonce_in(&["script-src"])
    ///     .iter()
    ///     .all(|f| f.severity > Severity::Medium));
    /// ```
    pub fn strict() -> Policy {
        let sd = |s: &str| Source::Scheme(s.to_string());
        Policy {
            directives: vec![
                Directive::new_unchecked(
                    "script-src",
                    vec![
                        Source::Keyword(Keyword::StrictDynamic),
                        Source::Keyword(Keyword::UnsafeInline),
                        sd("https:"),
                        sd("http:"),
                    ],
                ),
                Directive::new_unchecked("object-src", vec![Source::Keyword(Keyword::None)]),
                Directive::new_unchecked("base-uri", vec![Source::Keyword(Keyword::None)]),
            ],
        }
    }

    /// The directive named `name` (case-insensitive), if present.
    ///
    /// ```
    /// # use rampart_core::csp::Policy;
    /// assert!(Policy::default().directive("object-src").is_some());
    /// assert!(Policy::default().directive("script-src").is_none());
    /// ```
    pub fn directive(&self, name: &str) -> Option<&Directive> {
        self.directives
            .iter()
            .find(|d| d.name.eq_ignore_ascii_case(name))
    }

    /// All directives, in order.
    ///
    /// ```
    /// # use rampart_core::csp::Policy;
    /// assert_eq!(Policy::default().directives()[0].name(), "default-src");
    /// ```
    pub fn directives(&self) -> &[Directive] {
        &self.directives
    }

    /// Returns a copy with `sources` added to `directive`.
    ///
    /// A missing directive is created; a missing fetch directive first inherits the
    /// sources it fell back to (e.g. `default-src`), so adding a CDN to `script-src`
    /// does not silently drop `'self'`. `'none'` is dropped when real sources are added.
    ///
    /// ```
    /// use rampart_core::csp::Policy;
    /// let p = Policy::default().with_sources("script-src", "cdn.example").unwrap();
    /// assert_eq!(p.directive("script-src").unwrap().to_string(), "script-src 'self' cdn.example");
    /// ```
    pub fn with_sources<V: Into<Sources>>(
        &self,
        directive: &str,
        sources: V,
    ) -> Result<Policy, ConfigError> {
        let name = check_directive_name(directive)?;
        let mut p = self.clone();
        p.merge(&name, &sources.into(), true)?;
        Ok(p)
    }

    /// Returns a copy without the directive `name` (unchanged if absent).
    #[cfg(test)]
    pub(crate) fn without_directive(&self, name: &str) -> Policy {
        let mut p = self.clone();
        p.directives.retain(|d| !d.name.eq_ignore_ascii_case(name));
        p
    }

    /// Lints the policy as if no nonce were added per request.
    ///
    /// ```
    /// # use rampart_core::csp::{Policy, Severity};
    /// let f = Policy::parse("script-src 'unsafe-inline'").unwrap().lint();
    /// assert!(f.iter().any(|f| f.check == "unsafe-inline" && f.severity == Severity::High));
    /// ```
    pub fn lint(&self) -> Vec<Finding> {
        lint_policy(self, &[])
    }

    /// Lints the policy knowing which directives receive a per-request nonce.
    ///
    /// ```
    /// # use rampart_core::csp::{Policy, Severity};
    /// let p = Policy::parse("script-src 'strict-dynamic'; object-src 'none'; base-uri 'none'").unwrap();
    /// assert!(p.lint_with_nonce_in(&["script-src"]).iter().all(|f| f.severity > Severity::Medium));
    /// ```
    pub fn lint_with_nonce_in(&self, nonce_directives: &[&str]) -> Vec<Finding> {
        lint_policy(self, nonce_directives)
    }

    /// The directive a browser would apply for `name`: itself, else its fallbacks.
    pub(crate) fn effective(&self, name: &str) -> Option<&Directive> {
        self.directive(name)
            .or_else(|| fallback_chain(name).iter().find_map(|n| self.directive(n)))
    }

    /// Adds raw sources to `name` (validated), creating the directive if needed.
    fn merge(&mut self, name: &str, raw: &Sources, inherit: bool) -> Result<(), ConfigError> {
        let new = build_sources(name, raw.0.iter().map(String::as_str)).or_else(|e| {
            // An empty addition to a directive that already exists is fine.
            if raw.0.iter().all(|s| s.trim().is_empty()) {
                Ok(Vec::new())
            } else {
                Err(e)
            }
        })?;
        let idx = match self.directives.iter().position(|d| d.name == name) {
            Some(i) => i,
            None => {
                let base = if inherit {
                    self.effective(name)
                        .map(|d| d.sources.clone())
                        .unwrap_or_default()
                } else {
                    Vec::new()
                };
                self.directives.push(Directive {
                    name: name.to_string(),
                    sources: base,
                });
                self.directives.len() - 1
            }
        };
        let d = &mut self.directives[idx];
        if !new.is_empty() && d.is_none() && !new.iter().all(|s| s.is_keyword(Keyword::None)) {
            d.sources.clear();
        }
        for s in new {
            if !d.sources.contains(&s) {
                d.sources.push(s);
            }
        }
        let info = directive_info(name)
            .ok_or_else(|| ConfigError::new(format!("csp.{name}"), "unknown directive"))?;
        check_values(info, &d.sources, &format!("csp.{name}"))
    }

    pub(crate) fn push_unchecked(&mut self, d: Directive) {
        self.directives.push(d);
    }

    pub(crate) fn directive_mut(&mut self, name: &str) -> Option<&mut Directive> {
        self.directives.iter_mut().find(|d| d.name == name)
    }
}

impl Directive {
    pub(crate) fn sources_mut(&mut self) -> &mut Vec<Source> {
        &mut self.sources
    }
}

/// Rampart's default policy.
///
/// `default-src 'self'; object-src 'none'` is Flask-Talisman's default. Rampart adds
/// `base-uri 'self'` (an injected `<base>` could otherwise re-point relative script
/// URLs), `frame-ancestors 'self'` (clickjacking protection that, unlike
/// `X-Frame-Options`, CSP-aware browsers enforce across the whole ancestor chain) and
/// `form-action 'self'` (injected forms cannot post credentials elsewhere); none of
/// the three falls back to `default-src`, so they must be written out.
///
/// ```
/// use rampart_core::csp::Policy;
/// assert_eq!(
///     Policy::default().to_string(),
///     "default-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'self'; form-action 'self'"
/// );
/// ```
impl Default for Policy {
    fn default() -> Self {
        let one = |n: &str, k: Keyword| Directive::new_unchecked(n, vec![Source::Keyword(k)]);
        Policy {
            directives: vec![
                one("default-src", Keyword::SelfOrigin),
                one("object-src", Keyword::None),
                one("base-uri", Keyword::SelfOrigin),
                one("frame-ancestors", Keyword::SelfOrigin),
                one("form-action", Keyword::SelfOrigin),
            ],
        }
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.directives.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl FromStr for Policy {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Policy::parse(s)
    }
}

/// Builds a [`Policy`] directive by directive; see [`Policy::builder`].
///
/// ```
/// use rampart_core::csp::Policy;
/// let p = Policy::builder().directive("img-src", "*").build().unwrap();
/// assert_eq!(p.to_string(), "img-src *");
/// ```
#[derive(Clone, Debug, Default)]
pub struct PolicyBuilder {
    pairs: Vec<(String, Sources)>,
}

impl PolicyBuilder {
    /// Adds (or extends, if repeated) a directive.
    ///
    /// ```
    /// # use rampart_core::csp::Policy;
    /// let p = Policy::builder().directive("img-src", "a.example").directive("img-src", "b.example").build().unwrap();
    /// assert_eq!(p.to_string(), "img-src a.example b.example");
    /// ```
    pub fn directive<V: Into<Sources>>(mut self, name: &str, sources: V) -> Self {
        self.pairs.push((name.to_string(), sources.into()));
        self
    }

    /// Validates and returns the policy.
    ///
    /// ```
    /// # use rampart_core::csp::Policy;
    /// assert!(Policy::builder().directive("script-src", "self").build().is_err());
    /// ```
    pub fn build(self) -> Result<Policy, ConfigError> {
        Policy::from_pairs(self.pairs)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    pub(crate) fn seed_policy() -> Policy {
        let script = vec![
            " 'self'",
            "*.fontawesome.com",
            "*.herokuapp.com",
            "*.jquery.com",
            "*.jsdelivr.net",
        ];
        Policy::from_pairs([
            ("base-uri", Sources::from(vec![" 'self'"])),
            (
                "default-src",
                Sources::from(vec![
                    " 'self'",
                    "*.fontawesome.com",
                    "*.herokuapp.com",
                    "*.jsdelivr.net",
                ]),
            ),
            ("img-src", Sources::from("*")),
            ("script-src", Sources::from(script.clone())),
            ("script-src-elem", Sources::from(script)),
        ])
        .unwrap()
    }

    #[test]
    fn seed_serializes_canonically() {
        assert_eq!(
            seed_policy().to_string(),
            "base-uri 'self'; default-src 'self' *.fontawesome.com *.herokuapp.com *.jsdelivr.net; img-src *; \
             script-src 'self' *.fontawesome.com *.herokuapp.com *.jquery.com *.jsdelivr.net; \
             script-src-elem 'self' *.fontawesome.com *.herokuapp.com *.jquery.com *.jsdelivr.net"
        );
    }

    #[test]
    fn talisman_string_forms() {
        // T10c: a string policy round-trips unchanged (with valid sources).
        let p = Policy::parse("default-src 'self' spam.eggs").unwrap();
        assert_eq!(p.to_string(), "default-src 'self' spam.eggs");
        // X9: trailing `;` is ignored instead of producing an empty directive.
        assert_eq!(
            Policy::parse("img-src *;").unwrap().to_string(),
            "img-src *"
        );
        assert_eq!(
            Policy::parse(" ; ;img-src  * ; ").unwrap().to_string(),
            "img-src *"
        );
        // X9: duplicates are an error, not "last wins".
        let e = Policy::parse("default-src 'self'; default-src b.com").unwrap_err();
        assert!(e.message().contains("ignore the second"), "{e}");
    }

    #[test]
    fn validation_errors() {
        for (input, needle) in [
            ("image-src *", "did you mean img-src?"),
            ("scirpt-src 'self'", "did you mean script-src?"),
            ("totally-unknown-thing x", "unknown CSP directive"),
            ("default-src self", "write 'self' with single quotes"),
            ("default-src none", "'none'"),
            ("script-src strict-dynamic", "'strict-dynamic'"),
            ("script-src nonce-abc", "single quotes"),
            ("script-src 'nonce-abc'", "nonce_in"),
            ("script-src 'none' 'self'", "cannot be combined"),
            ("script-src 'sha256-abcd'", "bytes"),
            ("script-src a.com, b.com", "`,`"),
            ("script-src a.com\r\nX-Injected: 1", "printable ASCII"),
            (
                "script-src 'self' object-src 'none'",
                "end the previous directive",
            ),
            ("upgrade-insecure-requests 1", "takes no value"),
            ("report-to", "exactly 1"),
            ("report-to a b", "exactly 1"),
            ("report-uri javascript:alert(1)", "report URL"),
            ("sandbox scripts", "sandbox flag"),
            ("require-trusted-types-for script", "'script'"),
            ("img-src", "no sources"),
        ] {
            let e = Policy::parse(input).unwrap_err();
            assert!(e.message().contains(needle), "{input:?}: {e}");
        }
        let e = Policy::from_pairs([("script-src", vec!["a.com\nb.com"])]).unwrap_err();
        assert!(e.message().contains("line breaks"), "{e}");
        let e = Policy::from_pairs([("script-src", vec!["a;b"])]).unwrap_err();
        assert!(e.message().contains("`;`"), "{e}");
    }

    #[test]
    fn accepted_forms() {
        let p = Policy::parse(
            "sandbox allow-scripts allow-forms; upgrade-insecure-requests; report-uri /csp https://r.example/x; \
             report-to csp-endpoint; require-trusted-types-for 'script'; trusted-types default 'allow-duplicates'; \
             block-all-mixed-content; referrer no-referrer; worker-src blob:",
        )
        .unwrap();
        assert_eq!(p.directives().len(), 9);
        assert_eq!(Policy::parse(&p.to_string()).unwrap(), p);
        assert_eq!(
            "img-src *".parse::<Policy>().unwrap().to_string(),
            "img-src *"
        );
    }

    #[test]
    fn merging_and_editing() {
        let p = Policy::builder()
            .directive("script-src", ["'self'", "a.com"])
            .directive("SCRIPT-SRC", "a.com b.com")
            .build()
            .unwrap();
        assert_eq!(p.to_string(), "script-src 'self' a.com b.com");
        let p = Policy::default().with_sources("img-src", "data:").unwrap();
        assert_eq!(
            p.directive("img-src").unwrap().to_string(),
            "img-src 'self' data:"
        );
        // base-uri is not a fetch directive: nothing is inherited.
        let p = Policy::parse("default-src 'self'")
            .unwrap()
            .with_sources("form-action", "a.com")
            .unwrap();
        assert_eq!(
            p.directive("form-action").unwrap().to_string(),
            "form-action a.com"
        );
        // script-src-elem inherits from script-src first.
        let p = Policy::parse("default-src 'self'; script-src x.com").unwrap();
        let p = p.with_sources("script-src-elem", "y.com").unwrap();
        assert_eq!(
            p.directive("script-src-elem").unwrap().to_string(),
            "script-src-elem x.com y.com"
        );
        // 'none' is replaced by real sources.
        let p = Policy::default()
            .with_sources("object-src", "flash.example")
            .unwrap();
        assert_eq!(
            p.directive("object-src").unwrap().to_string(),
            "object-src flash.example"
        );
        assert!(Policy::default()
            .with_sources("script-src", "'nonce-abc'")
            .is_err());
        assert!(Policy::default().with_sources("image-src", "x").is_err());
        assert_eq!(
            Policy::default()
                .without_directive("OBJECT-SRC")
                .directives()
                .len(),
            4
        );
    }

    fn arb_source() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(vec![
                "'self'",
                "'unsafe-inline'",
                "'unsafe-eval'",
                "'strict-dynamic'",
                "'report-sample'",
                "'unsafe-hashes'",
                "'wasm-unsafe-eval'",
                "https:",
                "data:",
                "blob:",
                "*",
                "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
            ])
            .prop_map(str::to_string),
            "[a-z][a-z0-9-]{0,10}(\\.[a-z]{2,5}){1,2}",
            "(https://)?\\*\\.[a-z]{1,8}\\.com(:[0-9]{2,4})?(/[a-z]{0,6})?",
        ]
    }

    fn arb_policy() -> impl Strategy<Value = Policy> {
        let names: Vec<&str> = KNOWN_DIRECTIVES
            .iter()
            .filter(|i| i.kind == ValueKind::SourceList)
            .map(|i| i.name)
            .collect();
        (
            prop::collection::btree_map(
                prop::sample::select(names),
                prop::collection::vec(arb_source(), 1..5),
                0..8,
            ),
            any::<bool>(),
            prop::sample::select(vec!["allow-scripts", "allow-forms", "allow-popups"]),
        )
            .prop_map(|(map, with_extra, flag)| {
                let mut pairs: Vec<(String, Vec<String>)> =
                    map.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
                if with_extra {
                    pairs.push(("sandbox".into(), vec![flag.into()]));
                    pairs.push(("upgrade-insecure-requests".into(), vec![]));
                    pairs.push(("report-uri".into(), vec!["/csp-report".into()]));
                }
                Policy::from_pairs(pairs).expect("generated policies are valid")
            })
    }

    proptest! {
        #[test]
        fn display_parse_round_trip(p in arb_policy()) {
            prop_assert_eq!(Policy::parse(&p.to_string()), Ok(p));
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,80}") {
            let _ = Policy::parse(&s);
        }
    }
}
