//! One compiled CSP header: its nonce-free value, and the template a
//! per-request nonce is spliced into.

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};

use super::policy::Policy;
use super::source::Keyword;
use crate::ConfigError;

/// Length of `" 'nonce-"` + 24 characters + `"'"`.
const NONCE_PIECE_LEN: usize = 8 + 24 + 1;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Piece {
    Lit(usize, usize),
    ScriptNonce,
    StyleNonce,
}

/// One header: its nonce-free value and a template to splice nonces into.
#[derive(Debug)]
pub(super) struct CompiledHeader {
    pub(super) name: HeaderName,
    pub(super) value: HeaderValue,
    pub(super) text: String,
    /// Literal pieces point into `template_text`.
    pub(super) template_text: String,
    pub(super) pieces: Vec<Piece>,
    pub(super) has_script: bool,
    pub(super) has_style: bool,
}

impl CompiledHeader {
    pub(super) fn plain(name: HeaderName, text: String) -> Result<Self, ConfigError> {
        let value = HeaderValue::from_str(&text).map_err(|_| {
            ConfigError::new("csp", format!("{text:?} is not a valid header value"))
        })?;
        Ok(CompiledHeader {
            name,
            value,
            template_text: String::new(),
            text,
            pieces: Vec::new(),
            has_script: false,
            has_style: false,
        })
    }

    pub(super) fn new(
        name: HeaderName,
        policy: &Policy,
        script: &[&str],
        style: &[&str],
    ) -> Result<Self, ConfigError> {
        let mut h = CompiledHeader::plain(name, policy.to_string())?;
        let mut text = String::new();
        let mut pieces = Vec::new();
        let mut lit_start = 0;
        for (i, d) in policy.directives().iter().enumerate() {
            if i > 0 {
                text.push_str("; ");
            }
            text.push_str(d.name());
            let in_script = script.contains(&d.name());
            let in_style = style.contains(&d.name());
            for s in d.sources() {
                // 'none' next to a nonce would be ignored by browsers; the nonce alone says it.
                if (in_script || in_style) && s.is_keyword(Keyword::None) {
                    continue;
                }
                text.push(' ');
                text.push_str(&s.to_string());
            }
            for (flag, piece) in [
                (in_script, Piece::ScriptNonce),
                (in_style, Piece::StyleNonce),
            ] {
                if flag {
                    pieces.push(Piece::Lit(lit_start, text.len()));
                    lit_start = text.len();
                    pieces.push(piece);
                }
            }
        }
        pieces.push(Piece::Lit(lit_start, text.len()));
        pieces.retain(|p| !matches!(p, Piece::Lit(a, b) if a == b));
        h.has_script = pieces.contains(&Piece::ScriptNonce);
        h.has_style = pieces.contains(&Piece::StyleNonce);
        h.template_text = text;
        h.pieces = pieces;
        Ok(h)
    }

    /// The value with the generated nonces spliced in.
    pub(super) fn render(&self, script: Option<&str>, style: Option<&str>) -> Option<HeaderValue> {
        let nonce_for = |p: &Piece| match p {
            Piece::ScriptNonce => script,
            Piece::StyleNonce => style,
            Piece::Lit(..) => None,
        };
        let len: usize = self
            .pieces
            .iter()
            .map(|p| match p {
                Piece::Lit(a, b) => b - a,
                other => nonce_for(other).map_or(0, |n| NONCE_PIECE_LEN - 24 + n.len()),
            })
            .sum();
        let mut s = String::with_capacity(len);
        for p in &self.pieces {
            match p {
                Piece::Lit(a, b) => s.push_str(self.template_text.get(*a..*b)?),
                other => {
                    if let Some(n) = nonce_for(other) {
                        s.push_str(" 'nonce-");
                        s.push_str(n);
                        s.push('\'');
                    }
                }
            }
        }
        HeaderValue::from_maybe_shared(Bytes::from(s)).ok()
    }
}
