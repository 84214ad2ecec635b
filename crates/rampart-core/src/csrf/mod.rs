//! CSRF protection.
