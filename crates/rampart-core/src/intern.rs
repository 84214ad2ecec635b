//! Process-lifetime copies of the header names and values a compiled set sends.
//!
//! Why: a `HeaderValue` or custom `HeaderName` built at runtime owns shared heap
//! bytes, so every clone into a response is an atomic refcount increment and
//! every drop a decrement: about fifty atomic operations per response for the
//! default set. Bytes with a `'static` lifetime clone as a plain copy. Each
//! distinct name or value is leaked once (a repeated configuration reuses the
//! same copy), so the memory is bounded by the distinct configured values, not
//! by how many layers are built.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock, PoisonError};

use bytes::Bytes;
use http::{HeaderName, HeaderValue};

fn leak(bytes: &[u8]) -> &'static [u8] {
    static POOL: OnceLock<Mutex<HashSet<&'static [u8]>>> = OnceLock::new();
    let mut pool = POOL
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(kept) = pool.get(bytes) {
        return kept;
    }
    let kept: &'static [u8] = Box::leak(bytes.to_vec().into_boxed_slice());
    pool.insert(kept);
    kept
}

/// `value` with `'static` bytes (same bytes, same sensitivity).
pub(crate) fn value(value: &HeaderValue) -> HeaderValue {
    match HeaderValue::from_maybe_shared(Bytes::from_static(leak(value.as_bytes()))) {
        Ok(mut v) => {
            v.set_sensitive(value.is_sensitive());
            v
        }
        // Unreachable (the bytes were a valid value); keep the original.
        Err(_) => value.clone(),
    }
}

/// `name` with `'static` bytes. Standard names are already plain copies.
pub(crate) fn name(name: &HeaderName) -> HeaderName {
    let s = name.as_str();
    // `from_static` panics on anything but a lowercase token; a parsed name is
    // one, but check rather than trust that.
    if !s
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return name.clone();
    }
    match std::str::from_utf8(leak(s.as_bytes())) {
        Ok(kept) => HeaderName::from_static(kept),
        Err(_) => name.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_bytes_and_one_copy_per_distinct_value() {
        let v = HeaderValue::from_str("max-age=31536000; includeSubDomains").unwrap();
        let a = value(&v);
        let b = value(&v);
        assert_eq!(a, v);
        assert_eq!(a.as_bytes().as_ptr(), b.as_bytes().as_ptr());
        let n = HeaderName::from_bytes(b"Cross-Origin-Opener-Policy").unwrap();
        assert_eq!(name(&n), n);
        assert_eq!(name(&n).as_str(), "cross-origin-opener-policy");
        let odd = HeaderName::from_bytes(b"x_under+score").unwrap();
        assert_eq!(name(&odd), odd);
        let mut secret = HeaderValue::from_static("s");
        secret.set_sensitive(true);
        assert!(value(&secret).is_sensitive());
    }
}
