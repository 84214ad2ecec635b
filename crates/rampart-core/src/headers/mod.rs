//! Secure headers.
