//! [`Directive`]: one name and its sources; [`Sources`]: what a setter accepts.

use std::fmt;

use super::source::{Keyword, Source};

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
    pub(crate) name: String,
    pub(crate) sources: Vec<Source>,
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
/// use rampart_core::csp::Policy;
/// let p = Policy::builder().directive("script-src", "'self'  cdn.example").build().unwrap();
/// assert_eq!(p.to_string(), "script-src 'self' cdn.example");
/// let p = Policy::builder().directive("img-src", [" 'self'", "*.example.com"]).build().unwrap();
/// assert_eq!(p.to_string(), "img-src 'self' *.example.com");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sources(pub(crate) Vec<String>);

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

impl Directive {
    pub(crate) fn sources_mut(&mut self) -> &mut Vec<Source> {
        &mut self.sources
    }
}
