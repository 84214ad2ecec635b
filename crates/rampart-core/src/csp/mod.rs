//! Content Security Policy.
