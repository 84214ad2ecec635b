//! # rampart-core
//!
//! The framework-neutral core of [rampart](https://docs.rs/rampart): every rule
//! about security headers, Content Security Policy and CSRF lives here, over the
//! types of the `http` crate. The Tower/axum adapter (`rampart`) and the actix-web
//! adapter (`rampart-actix`) only translate their framework's request and response
//! into these calls, so both produce the same output.
//!
//! | module | concern |
//! |---|---|
//! | [`adapter`] | the steps adapters share: inbound/outbound, body limits, report answers |
//! | [`request`] | proxy trust and request facts (secure? which host and origin?) |
//! | [`RequestScope`] | one request's shared state: its facts and lazy nonce cells |
//! | [`origin`] | normalised web origins |
//! | [`headers`] | the secure header set, HTTPS redirect, cookie hardening, overrides |
//! | [`csp`] | typed Content Security Policy, nonces, hashes, linter, reports |
//! | [`csrf`] | Fetch-Metadata/Origin checks, signed masked tokens, body token extraction |
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod adapter;
pub mod csp;
pub mod csrf;
pub mod error;
pub mod headers;
mod intern;
pub mod origin;
mod path;
mod random;
pub mod request;
mod scope;

pub use error::ConfigError;
pub use origin::{Origin, Scheme};
pub use request::{ConnectionInfo, ProxyHeaders, ProxyTrust, RequestFacts};
pub use scope::RequestScope;
