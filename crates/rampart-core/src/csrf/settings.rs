//! The compiled CSRF settings every clone of [`Csrf`](super::Csrf) and every
//! token handle share, and which requests they cover.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::HeaderName;

use super::cookie::CookieSettings;
use super::keys::KeyRing;
use super::origin_check::OriginPolicy;
use super::reject::Rejection;
use crate::path::{escapes_ascii, plain_path, prefix_matches};
use crate::{Exemptions, ProxyTrust};

pub(crate) type RejectHook = Arc<dyn Fn(&Rejection) -> http::Response<Bytes> + Send + Sync>;

/// Compiled settings shared by every clone of `Csrf` and every token handle.
pub(crate) struct Inner {
    pub(crate) keys: KeyRing,
    pub(crate) origin: OriginPolicy,
    pub(crate) tokens: bool,
    pub(crate) session_cookie: Option<String>,
    pub(crate) header_name: HeaderName,
    pub(crate) header_name_str: String,
    pub(crate) field_name: String,
    pub(crate) json_key: String,
    pub(crate) cookie: CookieSettings,
    pub(crate) body_limit: usize,
    pub(crate) body_timeout: Duration,
    pub(crate) cache_control: Option<http::HeaderValue>,
    pub(crate) exempt: Exemptions,
    pub(crate) include_only: bool,
    pub(crate) include_prefixes: Vec<String>,
    pub(crate) include_routes: Vec<String>,
    pub(crate) report_only: bool,
    pub(crate) on_reject: Option<RejectHook>,
    pub(crate) proxy_trust: ProxyTrust,
    /// Check the origin of WebSocket handshakes (GET with `Upgrade: websocket`).
    pub(crate) websockets: bool,
    /// Check the origin of `Accept: text/event-stream` requests.
    pub(crate) event_streams: bool,
}

impl Inner {
    /// Whether the request is subject to the checks (exemptions and include mode).
    pub(crate) fn protects(
        &self,
        parts: &http::request::Parts,
        matched_route: Option<&str>,
    ) -> bool {
        let path = parts.uri.path();
        let plain = plain_path(path);
        let route_in = |list: &[String]| matched_route.is_some_and(|r| list.iter().any(|p| p == r));
        let exempt = (plain && self.exempt.matches_prefix(path))
            || self.exempt.matches_route(matched_route)
            || self.exempt.matches_parts(parts);
        if exempt {
            return false;
        }
        if self.include_only {
            // Ambiguous paths, and paths a decoding router may read otherwise,
            // count as included: fail closed.
            return !plain
                || escapes_ascii(path)
                || self
                    .include_prefixes
                    .iter()
                    .any(|p| prefix_matches(path, p))
                || route_in(&self.include_routes);
        }
        true
    }

    /// Whether a safe-method request is a handshake whose origin is checked:
    /// a WebSocket upgrade, or an event stream when those are checked too.
    pub(crate) fn checks_handshake(&self, parts: &http::request::Parts) -> bool {
        let has_token = |name: http::header::HeaderName, token: &str| {
            parts.headers.get_all(name).iter().any(|v| {
                v.to_str().is_ok_and(|v| {
                    v.split(',').any(|t| {
                        t.trim()
                            .split(';')
                            .next()
                            .unwrap_or("")
                            .trim()
                            .eq_ignore_ascii_case(token)
                    })
                })
            })
        };
        (self.websockets && has_token(http::header::UPGRADE, "websocket"))
            || (self.event_streams && has_token(http::header::ACCEPT, "text/event-stream"))
    }
}
