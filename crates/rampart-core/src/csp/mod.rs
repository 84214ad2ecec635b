//! Content Security Policy: a typed policy, lazy per-request nonces, hashes,
//! a linter and violation-report ingestion.
//!
//! A CSP tells the browser which scripts, styles, frames and other resources a
//! page may use. Its main job here is to turn an HTML-injection bug into a
//! non-event: an injected `<script>` without the request's nonce does not run.
//!
//! # Pieces
//!
//! * [`Policy`] — an ordered list of [`Directive`]s holding typed [`Source`]s.
//!   Built from a header string, from `(directive, sources)` pairs (Flask-Talisman's
//!   dict form) or with a builder. Mistakes that browsers silently ignore —
//!   unquoted `self`, a misspelt `image-src`, a duplicated directive, a hash of the
//!   wrong length, `'none'` next to other sources — are [`ConfigError`]s that say
//!   what to write instead.
//! * [`CspBuilder`] → [`Csp`] — the configuration the header layer uses. The
//!   header values are computed once at start-up; per request only the nonce is
//!   spliced in.
//! * [`CspNonce`] / [`RequestNonces`] — **lazy** nonces. Each request gets an empty
//!   nonce cell; the random value is drawn only when something (a template) asks
//!   for it. If the response never used it (JSON, redirects, static files), the
//!   header is sent without a nonce and costs nothing beyond cloning a
//!   precomputed header value. When it was used, the header is built with one
//!   exact-size allocation. The cells live in the request's
//!   request scope, the extension the header layer puts on every request, where
//!   an adapter's nonce extractor finds them.
//! * [`hash_source`] and [`sri`] — hashes for inline code and `integrity=` attributes.
//! * [`Policy::lint`] — checks modelled on Google's CSP Evaluator, including
//!   rampart's own table of hosts known to bypass allow-lists.
//!   [`CspBuilder::build`] logs the findings once through `tracing`.
//! * [`ReportCollector`] — parses, rate-limits and forwards violation reports in
//!   both the CSP2 (`application/csp-report`) and Reporting API formats.
//!
//! # Example: the seed application's policy
//!
//! ```
//! use http::HeaderMap;
//! use rampart_core::csp::{Csp, Policy, Severity};
//!
//! let script = vec![" 'self'", "*.fontawesome.com", "*.herokuapp.com", "*.jquery.com", "*.jsdelivr.net"];
//! let policy = Policy::from_pairs([
//!     ("base-uri", vec![" 'self'"]),
//!     ("default-src", vec![" 'self'", "*.fontawesome.com", "*.herokuapp.com", "*.jsdelivr.net"]),
//!     ("img-src", vec!["*"]),
//!     ("script-src", script.clone()),
//!     ("script-src-elem", script),
//! ])?;
//! let csp = Csp::builder(policy).nonce_in(["script-src", "script-src-elem"]).build()?;
//!
//! // The linter spots that *.herokuapp.com and *.jsdelivr.net host code usable to bypass the policy.
//! assert!(csp.findings().iter().any(|f| f.check == "allowlist-bypass" && f.severity == Severity::High));
//!
//! // Per request: a template asks for the nonce, then the header is written.
//! let nonces = csp.new_request_nonces().expect("nonce_in was configured");
//! let html = format!("<script nonce=\"{}\">init()</script>", nonces.script());
//! let mut headers = HeaderMap::new();
//! csp.write_headers(&mut headers, Some(&nonces), true);
//! let value = headers["content-security-policy"].to_str()?;
//! assert!(value.starts_with("base-uri 'self'; default-src 'self' *.fontawesome.com"));
//! assert!(value.contains(&format!("'nonce-{}'", nonces.script().value())));
//! assert!(html.contains(nonces.script().value()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`ConfigError`]: crate::ConfigError

mod bypass;
mod compiled;
mod directive;
mod directives;
mod hash;
mod header;
mod lint;
mod nonce;
mod policy;
mod read;
mod report;
mod source;

pub use compiled::{Csp, CspBuilder};
pub use directive::{Directive, Sources};
pub use hash::{hash_source, sri};
pub use lint::{Finding, Severity};
pub use nonce::CspNonce;
pub(crate) use nonce::NonceCells;
#[doc(hidden)]
pub use nonce::RequestNonces;
pub use policy::{Policy, PolicyBuilder};
pub use read::lint_headers;
pub use report::{CspReport, ReportCollector, ReportCollectorBuilder, ReportError, ReportSink};
pub use source::{HashAlgorithm, Keyword, Source};
