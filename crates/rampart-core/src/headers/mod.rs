//! The secure response header set: HTTPS redirect, HSTS, framing, sniffing,
//! referrer, permissions, cross-origin isolation, CSP and cookie hardening.
//!
//! [`SecureHeaders`] is built once (all values validated and encoded then) and
//! consulted twice per request by an adapter:
//!
//! 1. before the application runs: plain-HTTP requests for non-loopback hosts
//!    are redirected to https ([`HttpsRedirect`]);
//! 2. on every response: the prebuilt values are inserted where the
//!    application did not set its own (unless `override_existing`).
//!
//! ```
//! use rampart_core::headers::SecureHeaders;
//! use rampart_core::{ConnectionInfo, ProxyTrust};
//!
//! let sh = SecureHeaders::default();
//! let req = http::Request::get("https://shop.example/").body(()).unwrap();
//! let facts = sh.facts(ConnectionInfo::default().with_tls(true), req.uri(), req.headers());
//! let mut headers = http::HeaderMap::new();
//! sh.apply(&facts, None, None, &mut headers);
//! assert_eq!(headers["strict-transport-security"], "max-age=31536000; includeSubDomains");
//! assert_eq!(headers["x-frame-options"], "SAMEORIGIN");
//! ```
//!
//! ## Flask-Talisman options and their rampart equivalents
//!
//! | Talisman option | rampart | note |
//! |---|---|---|
//! | `force_https=True` | [`SecureHeadersBuilder::https_redirect`] (on by default) | never for loopback hosts; exempt paths/predicate; allowed hosts |
//! | `force_https_permanent` | always permanent | 301 for GET/HEAD, 308 for other methods (302 loses POST bodies) |
//! | `frame_options`, `frame_options_allow_from` | [`SecureHeadersBuilder::frame_options`] | `ALLOW-FROM` is refused: use CSP `frame-ancestors` |
//! | `strict_transport_security*` | [`SecureHeadersBuilder::hsts`] / [`Hsts`] | max-age 31536000; preload needs >= 1 year and includeSubDomains |
//! | `content_security_policy` | [`SecureHeadersBuilder::csp`] with [`crate::csp::CspBuilder`] | dict form via `Policy::from_pairs` |
//! | `content_security_policy_report_uri` | `CspBuilder::report_uri` | also `report_to` + `Reporting-Endpoints` |
//! | `content_security_policy_report_only` | `CspBuilder::report_only_mode` / `CspBuilder::report_only` | both headers at once possible |
//! | `content_security_policy_nonce_in` | `CspBuilder::nonce_in` | lazy nonce; missing directives inherit default-src |
//! | `referrer_policy` | [`SecureHeadersBuilder::referrer_policy`] | validated tokens |
//! | `feature_policy` | [`SecureHeadersBuilder::header`] | obsolete header; set it by hand if needed |
//! | `permissions_policy` | [`SecureHeadersBuilder::permissions_policy`] | structured-field serialization |
//! | `document_policy` | [`SecureHeadersBuilder::document_policy`] | |
//! | `session_cookie_secure/http_only/samesite` | [`SecureHeadersBuilder::cookies`] / [`CookieHardening`] | every app cookie; `Secure` only on secure requests |
//! | `force_file_save` | [`SecureHeadersBuilder::force_file_save`] | `X-Download-Options: noopen` |
//! | `x_content_type_options` | [`SecureHeadersBuilder::content_type_options`] | |
//! | `x_xss_protection` | [`SecureHeadersBuilder::xss_protection`] | rampart sends `0` (the auditor is gone and was exploitable) |
//! | `@talisman(...)` per view | [`Overrides`] via a route layer or a handler's response | no freezing on first request |
mod builder;
mod cookies;
mod cross_domain_policies;
mod cross_origin;
mod frame_options;
mod hsts;
mod keyword;
mod overrides;
mod permissions;
mod redirect;
mod referrer_policy;
mod set;
#[cfg(test)]
mod tests;

use http::header::{self, HeaderName};
use http::{HeaderMap, HeaderValue};

pub use builder::SecureHeadersBuilder;
pub use cookies::CookieHardening;
pub use cross_domain_policies::PermittedCrossDomainPolicies;
pub use cross_origin::{
    CrossOriginEmbedderPolicy, CrossOriginOpenerPolicy, CrossOriginResourcePolicy,
};
pub use frame_options::FrameOptions;
pub use hsts::Hsts;
#[doc(hidden)]
pub use overrides::CspOverride;
pub use overrides::Overrides;
pub use permissions::{Allow, PermissionsPolicy};
pub use redirect::HttpsRedirect;
#[doc(hidden)]
pub use redirect::RedirectDecision;
pub use referrer_policy::ReferrerPolicy;
pub use set::SecureHeaders;

use crate::ConfigError;

/// Checks a header name and value for injection (CR, LF, other control bytes).
pub(crate) fn checked_header(
    name: &str,
    value: &str,
) -> Result<(HeaderName, HeaderValue), ConfigError> {
    let hn = HeaderName::try_from(name)
        .map_err(|_| ConfigError::new(name, format!("`{name}` is not a valid header name")))?;
    if value.bytes().any(|b| b.is_ascii_control() && b != b'\t') {
        return Err(ConfigError::new(
            name,
            "the value contains CR, LF or another control character (header injection); remove it",
        )
        .of_kind(crate::ConfigErrorKind::Unsafe));
    }
    let hv = HeaderValue::try_from(value).map_err(|_| {
        ConfigError::new(
            name,
            "the value is not a valid header value; use visible ASCII",
        )
    })?;
    Ok((hn, hv))
}

/// The default `Cache-Control` of a response carrying a per-visitor secret
/// (a nonce, a masked CSRF token).
pub(crate) const PRIVATE_CACHE_CONTROL: &str = "private, no-store";

/// A configured `Cache-Control` for responses carrying a per-visitor secret.
pub(crate) fn cache_control_value(
    setting: &str,
    value: Option<&str>,
) -> Result<Option<HeaderValue>, ConfigError> {
    let Some(v) = value else { return Ok(None) };
    checked_header("cache-control", v.trim())
        .ok()
        .map(|(_, hv)| hv)
        .filter(|hv| !hv.is_empty())
        .map(Some)
        .ok_or_else(|| {
            ConfigError::new(
                setting,
                format!("`{}` is not a header value; write e.g. `{PRIVATE_CACHE_CONTROL}`, or None to add none", v.escape_debug()),
            )
        })
}

/// Marks a response that carries a per-visitor secret as not for shared
/// caches, unless its handler chose its own `Cache-Control`.
pub(crate) fn keep_private(headers: &mut HeaderMap, value: &HeaderValue) {
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, value.clone());
    }
}
