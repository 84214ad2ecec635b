//! `X-Frame-Options`: the default, the values and their validation.

use http::HeaderValue;

use crate::ConfigError;

/// `X-Frame-Options`.
///
/// `ALLOW-FROM` is obsolete (no current browser honours it): [`FrameOptions::parse`]
/// refuses it and points to CSP `frame-ancestors`.
///
/// ```
/// use rampart_core::headers::FrameOptions;
/// assert_eq!(FrameOptions::parse("deny").unwrap(), FrameOptions::Deny);
/// let err = FrameOptions::parse("ALLOW-FROM https://a.example").unwrap_err();
/// assert!(err.message().contains("frame-ancestors"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FrameOptions {
    /// `SAMEORIGIN` (default).
    #[default]
    SameOrigin,
    /// `DENY`.
    Deny,
    /// No header.
    Off,
}

impl FrameOptions {
    /// Parses `DENY` or `SAMEORIGIN` (any case).
    ///
    /// ```
    /// # use rampart_core::headers::FrameOptions;
    /// assert!(FrameOptions::parse("sameorigin").is_ok());
    /// ```
    pub fn parse(s: &str) -> Result<Self, ConfigError> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("deny") {
            Ok(Self::Deny)
        } else if t.eq_ignore_ascii_case("sameorigin") {
            Ok(Self::SameOrigin)
        } else if t.to_ascii_uppercase().starts_with("ALLOW-FROM") {
            Err(ConfigError::new(
                "frame_options",
                "ALLOW-FROM is obsolete and ignored by browsers; turn X-Frame-Options off for that route and \
                 allow the partner with CSP instead: frame-ancestors 'self' https://partner.example",
            ))
        } else {
            Err(ConfigError::new(
                "frame_options",
                format!("`{s}` is not DENY or SAMEORIGIN; use FrameOptions::Off for no header"),
            ))
        }
    }

    pub(crate) fn value(self) -> Option<HeaderValue> {
        match self {
            Self::SameOrigin => Some(HeaderValue::from_static("SAMEORIGIN")),
            Self::Deny => Some(HeaderValue::from_static("DENY")),
            Self::Off => None,
        }
    }
}
