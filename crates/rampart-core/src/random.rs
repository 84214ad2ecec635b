//! The one place rampart draws randomness.
//!
//! Per-request values (CSP nonces, CSRF masks and secrets) come from the
//! thread-local CSPRNG of the `rand` crate (ChaCha12, seeded from the operating
//! system and reseeded periodically). A system call per value costs about half a
//! microsecond on a VM, more than everything else rampart does per request; the
//! thread-local generator gives the same unpredictability for a few nanoseconds.
//! Long-lived keys are drawn from the operating system directly.

use rand::RngCore;

/// Fills `buf` from the thread-local CSPRNG.
///
/// Panics only if the operating system cannot seed the generator, which leaves
/// no secure way to go on.
pub(crate) fn fill(buf: &mut [u8]) {
    rand::rng().fill_bytes(buf);
}

/// `N` bytes from the thread-local CSPRNG.
pub(crate) fn bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    fill(&mut buf);
    buf
}

/// `N` bytes straight from the operating system, for long-lived keys.
///
/// Panics only if the operating system's random source fails.
pub(crate) fn os_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    if let Err(e) = getrandom::fill(&mut buf) {
        panic!("rampart: the operating system's random number generator failed: {e}");
    }
    buf
}
