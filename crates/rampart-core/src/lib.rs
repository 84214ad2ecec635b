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
//! | [`ProxyTrust`], [`ProxyHeaders`], [`ConnectionInfo`] | which proxy may report the scheme, host and client, through which headers |
//! | [`ConfigError`] | every build-time error names the setting and the fix |
//! | [`headers`] | the secure header set, HTTPS redirect, cookie hardening, overrides |
//! | [`csp`] | typed Content Security Policy, nonces, hashes, linter, reports |
//! | [`csrf`] | Fetch-Metadata/Origin checks, signed masked tokens, body token extraction |
//!
//! Framework adapters (rampart's own, or yours) call the hidden `adapter`
//! module and a few hidden methods of these types; an application needs none of them.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[doc(hidden)]
pub mod adapter;
#[cfg(feature = "config")]
pub mod config;
pub mod csp;
pub mod csrf;
mod error;
mod exempt;
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzz;
pub mod headers;
mod intern;
mod origin;
mod path;
mod random;
mod request;
mod scope;
mod telemetry;
pub mod templates;

pub use error::{ConfigError, ConfigErrorKind};
pub use exempt::Exemptions;
pub use request::{ConnectionInfo, ProxyHeaders, ProxyTrust};
pub use telemetry::describe_metrics;
// For adapter authors (see `adapter`): a request's facts and normalised origins.
#[doc(hidden)]
pub use origin::{Origin, Scheme};
#[doc(hidden)]
pub use request::{Facts, RequestFacts};
#[doc(hidden)]
pub use scope::RequestScope;
