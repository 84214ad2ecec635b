//! Lazy per-request CSP nonces.

use std::fmt;
use std::sync::{Arc, OnceLock};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// Random bytes per nonce: 144 bits, comfortably above CSP's 128-bit recommendation.
const NONCE_BYTES: usize = 18;
/// 18 bytes encode to exactly 24 base64 characters, so there is never padding.
const NONCE_CHARS: usize = 24;

/// A per-request nonce that is generated only when first used.
///
/// A nonce handle points into its request's shared state
/// ([`RequestScope`](crate::RequestScope)), so the layers hand it out without
/// allocating; `CspNonce::default()` makes a standalone one (one small allocation).
/// The value is drawn (18 bytes from a CSPRNG seeded by the operating system)
/// the first time [`value`](CspNonce::value) or `Display` is used, typically when
/// a template renders `nonce="…"`. Responses that never asked for the nonce (JSON,
/// redirects, static files) then carry no nonce in their header at all, which is
/// both cheaper and safer: an unused nonce could only help an attacker.
///
/// The value is base64url without padding (24 characters from `A-Z a-z 0-9 - _`),
/// which is valid in the CSP nonce grammar and needs no escaping in HTML attributes.
/// Clones share the same value.
///
/// ```
/// use rampart_core::csp::CspNonce;
/// let n = CspNonce::default();
/// assert!(n.generated().is_none());
/// let v = n.value().to_string();
/// assert_eq!(v.len(), 24);
/// assert_eq!(n.clone().generated(), Some(v.as_str()));
/// ```
#[derive(Clone, Debug, Default)]
pub struct CspNonce {
    cells: Arc<NonceCells>,
    /// Which of the two cells: the style cell when styles have their own nonce.
    style: bool,
}

/// The two nonce cells of one request, stored inline in its shared state.
#[derive(Debug, Default)]
pub(crate) struct NonceCells {
    script: OnceLock<[u8; NONCE_CHARS]>,
    style: OnceLock<[u8; NONCE_CHARS]>,
    /// The request's facts, when the cells belong to a
    /// [`RequestScope`](crate::RequestScope) (standalone nonces have none).
    pub(crate) facts: Option<crate::RequestFacts>,
}

impl NonceCells {
    /// Empty cells belonging to a request with these facts.
    pub(crate) fn for_request(facts: crate::RequestFacts) -> Self {
        Self {
            facts: Some(facts),
            ..Self::default()
        }
    }
}

impl CspNonce {
    fn cell(&self) -> &OnceLock<[u8; NONCE_CHARS]> {
        if self.style {
            &self.cells.style
        } else {
            &self.cells.script
        }
    }

    /// The nonce, generating it on first call.
    ///
    /// ```
    /// # use rampart_core::csp::CspNonce;
    /// let n = CspNonce::default();
    /// assert_eq!(n.value(), n.value());
    /// assert!(n.value().bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    /// ```
    pub fn value(&self) -> &str {
        as_str(self.cell().get_or_init(generate))
    }

    /// The nonce if it has been generated, without generating it.
    #[doc(hidden)]
    pub fn generated(&self) -> Option<&str> {
        self.cell().get().map(as_str)
    }

    /// True when both handles share one cell (the same request's nonce).
    #[cfg(test)]
    pub(crate) fn same_cell(&self, other: &CspNonce) -> bool {
        Arc::ptr_eq(&self.cells, &other.cells) && self.style == other.style
    }
}

impl fmt::Display for CspNonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.value())
    }
}

fn as_str(bytes: &[u8; NONCE_CHARS]) -> &str {
    // Always ASCII (base64url output); the fallback only exists to avoid a panic path.
    std::str::from_utf8(bytes).unwrap_or("")
}

fn generate() -> [u8; NONCE_CHARS] {
    encode(&crate::random::bytes::<NONCE_BYTES>())
}

fn encode(raw: &[u8; NONCE_BYTES]) -> [u8; NONCE_CHARS] {
    let mut out = [b'A'; NONCE_CHARS];
    // 18 bytes always encode to exactly 24 characters, so this cannot fail.
    let _ = URL_SAFE_NO_PAD.encode_slice(raw, &mut out);
    out
}

/// The nonces of one request: one for scripts and one for styles.
///
/// Unless the configuration asks for separate style nonces
/// (`CspBuilder::style_nonce_in`), both share one cell, so `script()` and `style()`
/// return the same value. The layers take them from the request's
/// [`RequestScope`](crate::RequestScope); `Csp::new_request_nonces`
/// makes standalone ones.
///
/// ```
/// use rampart_core::csp::{Csp, Policy};
/// let csp = Csp::builder(Policy::default()).nonce_in(["script-src"]).build().unwrap();
/// let nonces = csp.new_request_nonces().unwrap();
/// assert_eq!(nonces.script().value(), nonces.style().value());
/// ```
#[derive(Clone, Debug)]
pub struct RequestNonces {
    script: CspNonce,
    style: CspNonce,
}

impl RequestNonces {
    pub(crate) fn new(separate_style: bool) -> Self {
        Self::on(&Arc::default(), separate_style)
    }

    /// Handles to `cells`: the style handle is the script cell unless styles
    /// have their own nonce.
    pub(crate) fn on(cells: &Arc<NonceCells>, separate_style: bool) -> Self {
        RequestNonces {
            script: CspNonce {
                cells: cells.clone(),
                style: false,
            },
            style: CspNonce {
                cells: cells.clone(),
                style: separate_style,
            },
        }
    }

    /// Nonce cells not tied to any policy (one nonce for scripts and styles).
    /// Adapters use it when a nonce is asked for on a route no nonce policy
    /// covers: the page still renders, and the missing header shows the mistake.
    ///
    /// ```
    /// use rampart_core::csp::RequestNonces;
    /// let n = RequestNonces::standalone();
    /// assert!(n.script().generated().is_none());
    /// ```
    pub fn standalone() -> Self {
        Self::new(false)
    }

    /// Whether the page used any of these nonces.
    pub(crate) fn any_generated(&self) -> bool {
        self.script().generated().is_some() || self.style().generated().is_some()
    }

    /// The script nonce (for `<script nonce="…">`).
    ///
    /// ```
    /// # use rampart_core::csp::{Csp, Policy};
    /// let csp = Csp::builder(Policy::default()).nonce_in(["script-src"]).build().unwrap();
    /// let n = csp.new_request_nonces().unwrap();
    /// assert_eq!(n.script().value().len(), 24);
    /// ```
    pub fn script(&self) -> &CspNonce {
        &self.script
    }

    /// The style nonce (for `<style nonce="…">`); the script nonce unless configured separately.
    ///
    /// ```
    /// # use rampart_core::csp::{Csp, Policy};
    /// let csp = Csp::builder(Policy::default())
    ///     .nonce_in(["script-src"])
    ///     .style_nonce_in(["style-src"])
    ///     .build()
    ///     .unwrap();
    /// let n = csp.new_request_nonces().unwrap();
    /// assert_ne!(n.script().value(), n.style().value());
    /// ```
    pub fn style(&self) -> &CspNonce {
        &self.style
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lazy_and_shared() {
        let n = CspNonce::default();
        let c = n.clone();
        assert!(c.generated().is_none());
        let v = n.value().to_string();
        assert_eq!(c.generated(), Some(v.as_str()));
        assert_eq!(format!("{c}"), v);
        assert_ne!(CspNonce::default().value(), v);
    }

    #[test]
    fn alphabet_and_length() {
        for _ in 0..200 {
            let n = CspNonce::default();
            let v = n.value();
            assert_eq!(v.len(), 24);
            assert!(v
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        }
    }

    #[test]
    fn values_are_unique() {
        let seen: std::collections::HashSet<String> = (0..1000)
            .map(|_| CspNonce::default().value().to_string())
            .collect();
        assert_eq!(seen.len(), 1000);
    }

    #[test]
    fn request_nonces_sharing() {
        let shared = RequestNonces::new(false);
        assert!(shared.script().same_cell(shared.style()));
        let sep = RequestNonces::new(true);
        assert!(!sep.script().same_cell(sep.style()));
    }
}
