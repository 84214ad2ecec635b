//! Signing keys: a ring whose newest key signs and whose every key verifies.

use std::fmt;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::ConfigError;

pub(crate) type HmacSha256 = Hmac<Sha256>;

/// Minimum key length in bytes.
pub(crate) const MIN_KEY_LEN: usize = 32;

/// The CSRF signing keys: the newest signs new tokens, every key in the ring
/// verifies submitted ones, so keys can be rotated without breaking forms that
/// are already open.
///
/// Rotate by putting the new key first and keeping the old one until the
/// cookies and pages issued under it are gone, then drop it.
/// `Debug` never prints key material.
///
/// ```
/// use rampart_core::csrf::KeyRing;
/// let ring = KeyRing::new(&[7u8; 32]).with_older(&[8u8; 32]);
/// assert_eq!(ring.len(), 2);
/// assert!(KeyRing::new(b"too short").is_empty());
/// assert!(!format!("{ring:?}").contains('7'));
/// ```
#[derive(Clone)]
pub struct KeyRing {
    macs: Vec<HmacSha256>,
    /// Keys that were refused, for `CsrfBuilder::build`.
    problems: Vec<ConfigError>,
}

fn keyed(key: &[u8], setting: &str) -> Result<HmacSha256, ConfigError> {
    if key.len() < MIN_KEY_LEN {
        return Err(ConfigError::new(
            setting,
            format!(
                "a CSRF key must be at least {MIN_KEY_LEN} random bytes, this one has {}; \
                 generate one with e.g. `openssl rand -base64 32`",
                key.len()
            ),
        )
        .of_kind(crate::ConfigErrorKind::Unsafe));
    }
    HmacSha256::new_from_slice(key)
        .map_err(|_| ConfigError::new(setting, "the key cannot be used for HMAC-SHA256"))
}

impl KeyRing {
    /// A ring holding one key, which signs. The key must be at least 32
    /// bytes; a shorter one is reported by the CSRF builder's `build()`.
    ///
    /// ```
    /// use rampart_core::csrf::{Csrf, KeyRing};
    /// assert!(Csrf::builder().keys(KeyRing::new(&[1u8; 32])).build().is_ok());
    /// let e = Csrf::builder().keys(KeyRing::new(&[1u8; 31])).build().unwrap_err();
    /// assert_eq!(e.setting(), "csrf.key");
    /// ```
    pub fn new(newest: &[u8]) -> Self {
        Self {
            macs: Vec::new(),
            problems: Vec::new(),
        }
        .with_older(newest)
    }

    /// Adds an older key, still accepted when verifying but never used to sign.
    ///
    /// ```
    /// # use rampart_core::csrf::KeyRing;
    /// let r = KeyRing::new(&[1u8; 32]).with_older(&[2u8; 40]);
    /// assert_eq!(r.len(), 2);
    /// ```
    pub fn with_older(mut self, key: &[u8]) -> Self {
        match keyed(key, "csrf.key") {
            Ok(mac) => self.macs.push(mac),
            Err(e) => self.problems.push(e),
        }
        self
    }

    /// The keys that were refused.
    pub(crate) fn problems(&self) -> &[ConfigError] {
        &self.problems
    }

    /// A ring with one fresh random 32-byte key (tokens then die with the process).
    ///
    /// # Panics
    ///
    /// Only if the operating system's random number generator fails.
    pub(crate) fn generate() -> Self {
        let key: [u8; 32] = crate::random::os_bytes();
        Self {
            macs: vec![HmacSha256::new_from_slice(&key).expect("HMAC accepts any key length")],
            problems: Vec::new(),
        }
    }

    /// Number of keys in the ring.
    ///
    /// ```
    /// # use rampart_core::csrf::KeyRing;
    /// assert_eq!(KeyRing::new(&[1u8; 32]).len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.macs.len()
    }

    /// Whether the ring holds no usable key (every key given was refused).
    ///
    /// ```
    /// # use rampart_core::csrf::KeyRing;
    /// assert!(!KeyRing::new(&[7; 32]).is_empty());
    /// assert!(KeyRing::new(b"short").is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.macs.is_empty()
    }

    /// Parses a key list as found in an environment variable: comma-separated,
    /// newest first, each hex or base64 (standard or URL-safe, padded or not).
    pub(crate) fn parse_list(value: &str, setting: &str) -> Result<Self, ConfigError> {
        let mut macs = Vec::new();
        for (i, item) in value.split(',').map(str::trim).enumerate() {
            if item.is_empty() {
                continue;
            }
            let bytes = decode_key(item).ok_or_else(|| {
                ConfigError::new(
                    setting,
                    format!("key number {} is neither hex nor base64; generate one with `openssl rand -base64 32`", i + 1),
                )
            })?;
            macs.push(keyed(&bytes, setting)?);
        }
        if macs.is_empty() {
            return Err(ConfigError::new(
                setting,
                "the variable is empty; set it to a base64 or hex key of at least 32 bytes (comma-separated for a ring, newest first)",
            ));
        }
        Ok(Self {
            macs,
            problems: Vec::new(),
        })
    }

    /// Appends the keys of `other` as older keys.
    pub(crate) fn extend(&mut self, other: KeyRing) {
        self.macs.extend(other.macs);
        self.problems.extend(other.problems);
    }

    /// The signing (newest) key.
    pub(crate) fn signer(&self) -> &HmacSha256 {
        &self.macs[0]
    }

    /// Every key, newest first.
    pub(crate) fn all(&self) -> &[HmacSha256] {
        &self.macs
    }
}

fn decode_key(s: &str) -> Option<Vec<u8>> {
    let pairs = s.as_bytes().chunks(2);
    if pairs
        .clone()
        .all(|c| c.len() == 2 && c.iter().all(u8::is_ascii_hexdigit))
    {
        return pairs
            .map(|c| {
                std::str::from_utf8(c)
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            })
            .collect();
    }
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|e| e.decode(s).ok())
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRing")
            .field("keys", &self.macs.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hex_and_base64_lists() {
        let hex = "00".repeat(32);
        let b64 = base64::engine::general_purpose::STANDARD.encode([9u8; 32]);
        let url = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([0xfbu8; 33]);
        let ring = KeyRing::parse_list(&format!("{hex}, {b64},{url}"), "x").unwrap();
        assert_eq!(ring.len(), 3);
        assert!(KeyRing::parse_list("", "x").is_err());
        assert!(KeyRing::parse_list("abcd", "x").is_err()); // 2 bytes
        assert!(KeyRing::parse_list("!!!not-a-key!!!", "x").is_err());
    }

    #[test]
    fn short_key_error_names_setting_and_fix() {
        let ring = KeyRing::new(&[0u8; 16]);
        assert!(ring.is_empty());
        let e = &ring.problems()[0];
        assert_eq!(e.setting(), "csrf.key");
        assert!(e.message().contains("32"));
    }
}
