//! Secrets, signed tokens and their per-render masking.
//!
//! * secret: 32 random bytes, kept by the client in an HttpOnly cookie
//!   (base64url, no padding: 43 characters);
//! * token: `HMAC-SHA256(key, "rampart-csrf-v1" 0x00 secret 0x00 session_value)`;
//! * masked token (what pages and clients see): `base64url(mask || token XOR mask)`
//!   with a fresh 32-byte mask per render, 86 characters.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::Mac;
use subtle::ConstantTimeEq;

use super::keys::{HmacSha256, KeyRing};

/// Length of the secret and of the unmasked token.
pub(crate) const LEN: usize = 32;
/// Length of a masked token in characters.
pub(crate) const MASKED_LEN: usize = 86;
/// Length of an encoded secret in characters.
pub(crate) const SECRET_LEN: usize = 43;

const DOMAIN: &[u8] = b"rampart-csrf-v1";

pub(crate) type Secret = [u8; LEN];

pub(crate) fn new_secret() -> Secret {
    crate::random::bytes()
}

pub(crate) fn encode_secret(secret: &Secret) -> String {
    URL_SAFE_NO_PAD.encode(secret)
}

/// Decodes a secret cookie value; `None` unless it is exactly 43 base64url characters.
pub(crate) fn decode_secret(value: &[u8]) -> Option<Secret> {
    if value.len() != SECRET_LEN || !value.is_ascii() {
        return None;
    }
    // 43 characters decode to 32 bytes; the decoder wants room for its estimate (33).
    let mut buf = [0u8; LEN + 3];
    match URL_SAFE_NO_PAD.decode_slice(value, &mut buf) {
        Ok(n) if n == LEN => buf[..LEN].try_into().ok(),
        _ => None,
    }
}

fn sign(mac: &HmacSha256, secret: &Secret, session: &[u8]) -> [u8; LEN] {
    let mut mac = mac.clone();
    mac.update(DOMAIN);
    mac.update(&[0]);
    mac.update(secret);
    mac.update(&[0]);
    mac.update(session);
    mac.finalize().into_bytes().into()
}

/// A freshly masked token for `secret` bound to `session`, signed with the newest key.
pub(crate) fn masked(keys: &KeyRing, secret: &Secret, session: &[u8]) -> String {
    let mut out = String::with_capacity(MASKED_LEN);
    masked_into(keys, secret, session, &mut out);
    out
}

/// As [`masked`], appended to `out` (base64url needs no HTML escaping).
pub(crate) fn masked_into(keys: &KeyRing, secret: &Secret, session: &[u8], out: &mut String) {
    let token = sign(keys.signer(), secret, session);
    let mask: [u8; LEN] = crate::random::bytes();
    let mut buf = [0u8; 2 * LEN];
    buf[..LEN].copy_from_slice(&mask);
    for i in 0..LEN {
        buf[LEN + i] = token[i] ^ mask[i];
    }
    URL_SAFE_NO_PAD.encode_string(buf, out);
}

/// Unmasks a submitted token; `None` when it is not 86 base64url characters.
fn unmask(submitted: &str) -> Option<[u8; LEN]> {
    let submitted = submitted.trim();
    if submitted.len() != MASKED_LEN || !submitted.is_ascii() {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(submitted).ok()?;
    if bytes.len() != 2 * LEN {
        return None;
    }
    let mut token = [0u8; LEN];
    for i in 0..LEN {
        token[i] = bytes[i] ^ bytes[LEN + i];
    }
    Some(token)
}

/// Whether `submitted` is a masked token for one of `secrets` and `session`
/// under any key of the ring. Comparisons are constant-time.
/// Whether `submitted` has a masked token's shape (86 base64url characters):
/// one that has it and does not verify was signed with another key or for
/// another secret, which the refusal's log line says.
pub(crate) fn well_formed(submitted: &str) -> bool {
    unmask(submitted).is_some()
}

pub(crate) fn verify(keys: &KeyRing, secrets: &[Secret], session: &[u8], submitted: &str) -> bool {
    let Some(token) = unmask(submitted) else {
        return false;
    };
    let mut ok = subtle::Choice::from(0u8);
    for secret in secrets {
        for mac in keys.all() {
            ok |= sign(mac, secret, session).ct_eq(&token);
        }
    }
    ok.into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ring() -> KeyRing {
        KeyRing::new(&[42u8; 32])
    }

    #[test]
    fn masked_tokens_differ_and_all_verify() {
        let keys = ring();
        let secret = new_secret();
        let a = masked(&keys, &secret, b"");
        let b = masked(&keys, &secret, b"");
        assert_ne!(a, b);
        assert_eq!(a.len(), MASKED_LEN);
        assert!(verify(&keys, &[secret], b"", &a));
        assert!(verify(&keys, &[secret], b"", &b));
    }

    #[test]
    fn other_secret_session_or_key_fails() {
        let keys = ring();
        let secret = new_secret();
        let t = masked(&keys, &secret, b"sess-1");
        assert!(!verify(&keys, &[new_secret()], b"sess-1", &t));
        assert!(!verify(&keys, &[secret], b"sess-2", &t));
        assert!(!verify(&keys, &[secret], b"", &t));
        assert!(!verify(&KeyRing::new(&[1u8; 32]), &[secret], b"sess-1", &t));
    }

    #[test]
    fn tampered_tokens_fail() {
        let keys = ring();
        let secret = new_secret();
        let t = masked(&keys, &secret, b"");
        let mut bytes = t.clone().into_bytes();
        bytes[50] = if bytes[50] == b'A' { b'B' } else { b'A' };
        assert!(!verify(
            &keys,
            &[secret],
            b"",
            std::str::from_utf8(&bytes).unwrap()
        ));
        assert!(!verify(&keys, &[secret], b"", &t[..85]));
        assert!(!verify(&keys, &[secret], b"", "🥳"));
        assert!(!verify(&keys, &[secret], b"", &"🥳".repeat(22)));
        assert!(!verify(&keys, &[secret], b"", ""));
        // The unmasked secret or the raw cookie value is not a token.
        assert!(!verify(&keys, &[secret], b"", &encode_secret(&secret)));
    }

    #[test]
    fn secret_round_trip() {
        let s = new_secret();
        let e = encode_secret(&s);
        assert_eq!(e.len(), SECRET_LEN);
        assert_eq!(decode_secret(e.as_bytes()), Some(s));
        assert_eq!(decode_secret(b"short"), None);
        assert_eq!(decode_secret("é".repeat(22).as_bytes()), None);
        assert_ne!(new_secret(), new_secret());
    }

    proptest! {
        #[test]
        fn verify_never_panics(s in ".{0,200}") {
            let keys = ring();
            let _ = verify(&keys, &[[0u8; 32]], b"", &s);
        }

        // Cookie values reach it as raw bytes, valid UTF-8 or not.
        #[test]
        fn decode_secret_never_panics(b in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = decode_secret(&b);
        }
    }
}
