//! The policy model: parsing, validation, serialization and editing.

use std::fmt;
use std::str::FromStr;

use super::directive::{Directive, Sources};
use super::directives::{
    check_directive_name, directive_info, fallback_chain, DirectiveInfo, ValueKind,
};
use super::source::{check_chars, parse_source, Keyword, Source};
use crate::ConfigError;

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
                                 remove it and call CspBuilder::nonce_in([\"{name}\"]) to get a fresh nonce per request"
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
        "sandbox" => (!super::directives::is_sandbox_flag(t))
            .then(|| {
                format!("{t:?} is not a sandbox flag browsers know (allow-scripts, allow-forms, allow-same-origin, …)")
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
    /// Creates every directive in `dirs` that `policy` lacks, from what it fell back to.
    ///
    /// This is what the browser would have applied anyway, so adding a nonce to the new
    /// directive does not loosen or tighten anything else (Flask-Talisman instead
    /// silently skipped such directives, issue #30). With nothing to inherit the new
    /// directive is `'none'`, which becomes just the nonce when one is added.
    pub(crate) fn with_nonce_directives(&self, dirs: &[&str]) -> Policy {
        let mut p = self.clone();
        for name in dirs {
            let name = name.to_ascii_lowercase();
            if p.directive(&name).is_some() || super::directives::directive_info(&name).is_none() {
                continue;
            }
            let sources = p
                .effective(&name)
                .map(|d| d.sources().to_vec())
                .unwrap_or_else(|| vec![Source::Keyword(Keyword::None)]);
            p.push_unchecked(Directive::new_unchecked(&name, sources));
        }
        p
    }

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
                "`,` separates whole policies in a header; send one policy per Policy value (use CspBuilder::report_only for a second one)",
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
    /// Use it with `CspBuilder::nonce_in(["script-src"])`: modern browsers then run only
    /// scripts carrying the per-request nonce (and scripts those load), ignoring
    /// `'unsafe-inline'` and the `https: http:` allow-list, which only serve as
    /// fallbacks for browsers without CSP2/CSP3 support.
    ///
    /// ```
    /// use rampart_core::csp::{Policy, Severity};
    /// let p = Policy::strict();
    /// assert!(p.lint(&["script-src"])
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

    /// A directive rampart does not know yet (a browser's new feature), its
    /// value tokens kept as written, so a policy can use it without giving up
    /// rampart's CSP (and its nonces). The name is a directive name (letters,
    /// digits, `-`) rampart does not know (known ones take
    /// [`with_sources`](Self::with_sources), which checks them); each token is
    /// visible ASCII without `;` or `,`. Given again, it replaces the earlier
    /// value.
    ///
    /// ```
    /// use rampart_core::csp::{Csp, Policy};
    /// let p = Policy::strict().with_unknown_directive("future-feature-src", "'self' https://ads.example").unwrap();
    /// let csp = Csp::builder(p).nonce_in(["script-src"]).build().unwrap();
    /// let nonces = csp.new_request_nonces().unwrap();
    /// let n = nonces.script().value().to_string(); // a page used it
    /// let mut h = http::HeaderMap::new();
    /// csp.write_headers(&mut h, Some(&nonces), true);
    /// let v = h["content-security-policy"].to_str().unwrap();
    /// assert!(v.contains("future-feature-src 'self' https://ads.example") && v.contains(&n));
    /// assert!(Policy::strict().with_unknown_directive("script-src", "'self'").is_err());
    /// assert!(Policy::strict().with_unknown_directive("new-src", "a;b").is_err());
    /// ```
    pub fn with_unknown_directive(&self, name: &str, value: &str) -> Result<Policy, ConfigError> {
        let name = name.trim().to_ascii_lowercase();
        let setting = format!("csp.{name}");
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(ConfigError::new(
                setting,
                "a directive name is letters, digits and '-'",
            ));
        }
        if directive_info(&name).is_some() {
            return Err(ConfigError::new(
                setting,
                "rampart knows this directive: set it with Policy::with_sources, which checks its sources",
            ));
        }
        let mut tokens = Vec::new();
        for t in value.split_ascii_whitespace() {
            check_chars(t, &setting)?;
            tokens.push(Source::Token(t.to_string()));
        }
        let mut p = self.clone();
        p.directives.retain(|d| d.name != name);
        p.push_unchecked(Directive::new_unchecked(&name, tokens));
        Ok(p)
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

    /// A policy with no directive, to be filled by a reader.
    pub(crate) fn empty() -> Policy {
        Policy {
            directives: Vec::new(),
        }
    }

    pub(crate) fn push_unchecked(&mut self, d: Directive) {
        self.directives.push(d);
    }

    pub(crate) fn directive_mut(&mut self, name: &str) -> Option<&mut Directive> {
        self.directives.iter_mut().find(|d| d.name == name)
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
pub(crate) mod tests;
