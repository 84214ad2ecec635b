//! Reading what a trusted proxy wrote: RFC 7239 `Forwarded` (with its quoted
//! strings) and the last value of `X-Forwarded-*` lists.

use std::net::IpAddr;

use http::{HeaderMap, HeaderName};

use super::host::canonical;
use super::ConnectionInfo;
use crate::Scheme;

// Prebuilt names: a `&str` key would be parsed and validated on every lookup.
pub(super) const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
pub(super) const X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
pub(super) const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

/// What a trusted proxy's headers said.
#[derive(Default)]
pub(super) struct Forwarded {
    /// A header the proxy writes was present.
    pub(super) trusted: bool,
    pub(super) proto: Option<Scheme>,
    pub(super) host: Option<String>,
    pub(super) client: Option<IpAddr>,
}
/// What a caller of `ProxyTrust::forwarded` needs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Want {
    /// The scheme only, silently (`scheme`: `Facts::secure` on every request).
    Scheme,
    /// The scheme, logging (once) forwarded headers from an untrusted peer.
    SchemeNotingUntrusted,
    /// Scheme and host, logging as above.
    Facts,
    /// The client's address, logging as above.
    Client,
}

/// TLS seen by the server wins; otherwise what a trusted proxy reported.
pub(super) fn scheme_of(conn: ConnectionInfo, forwarded: Option<Scheme>) -> Scheme {
    if conn.tls {
        Scheme::Https
    } else {
        forwarded.unwrap_or(Scheme::Http)
    }
}

/// Last value of a comma-separated header: the one our immediate (trusted) peer added.
pub(super) fn last_list_value(headers: &HeaderMap, name: HeaderName) -> Option<&str> {
    let last = headers.get_all(name).iter().next_back()?;
    let s = last.to_str().ok()?;
    let v = s.rsplit(',').next()?.trim();
    (!v.is_empty()).then_some(v)
}

/// The parameters of the last element of the RFC 7239 `Forwarded` header (the
/// one our immediate, trusted peer added), values unquoted. `None` when it
/// cannot be read: not text, bad syntax, or a parameter given twice. Commas
/// and semicolons inside quoted strings belong to the value (a `host="a;for=b"`
/// the proxy quoted from a client's `Host` stays one value).
pub(super) fn last_forwarded_element(headers: &HeaderMap) -> Option<Vec<(String, String)>> {
    let last = headers
        .get_all(http::header::FORWARDED)
        .iter()
        .next_back()?
        .to_str()
        .ok()?;
    let mut elements = vec![Vec::new()];
    let mut chars = last.chars().peekable();
    loop {
        // One `name=value` pair.
        while chars.next_if(|c| *c == ' ' || *c == '\t').is_some() {}
        let mut name = String::new();
        while let Some(c) =
            chars.next_if(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(*c))
        {
            name.push(c.to_ascii_lowercase());
        }
        if name.is_empty() || chars.next() != Some('=') {
            return None;
        }
        let mut value = String::new();
        if chars.next_if_eq(&'"').is_some() {
            loop {
                match chars.next()? {
                    '"' => break,
                    '\\' => value.push(chars.next()?),
                    c => value.push(c),
                }
            }
        } else {
            while let Some(c) = chars.next_if(|c| !matches!(c, ';' | ',' | ' ' | '\t')) {
                value.push(c);
            }
        }
        let element = elements.last_mut()?;
        if element.iter().any(|(n, _): &(String, String)| *n == name) {
            return None;
        }
        element.push((name, value));
        while chars.next_if(|c| *c == ' ' || *c == '\t').is_some() {}
        match chars.next() {
            None => break,
            Some(';') => {}
            Some(',') => elements.push(Vec::new()),
            Some(_) => return None,
        }
    }
    elements.pop()
}

/// A client address as proxies write it: `203.0.113.9`, `203.0.113.9:5678`,
/// `2001:db8::1`, `[2001:db8::1]:5678`. Obfuscated or `unknown` nodes give `None`.
pub(super) fn parse_node(v: &str) -> Option<IpAddr> {
    let v = v.trim().trim_matches('"');
    if let Ok(ip) = v.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    if let Some(rest) = v.strip_prefix('[') {
        return rest
            .split_once(']')?
            .0
            .parse::<IpAddr>()
            .ok()
            .map(canonical);
    }
    v.parse::<std::net::SocketAddr>()
        .ok()
        .map(|s| canonical(s.ip()))
}
