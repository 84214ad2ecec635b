//! The one rule for a host a client names, and what counts as this machine.

use std::net::IpAddr;

pub(super) fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// The one rule for a host a client names (`Host`, an absolute URI, or a
/// trusted proxy's header), lower-cased: a DNS name (letters, digits, `-`,
/// `_` and `.`), an IPv4 address or a bracketed IPv6 literal, with an
/// optional port. Anything else (`;`, `'`, `@`, spaces, escapes: characters
/// RFC 3986 allows in a reg-name but no real host has) would be copied into
/// `Location` headers and origins, so it is no host at all.
pub(crate) fn valid_host(h: &str) -> bool {
    fn port_ok(p: Option<&str>) -> bool {
        match p {
            None => true,
            Some(p) => {
                p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u16>().is_ok()
            }
        }
    }
    if let Some(rest) = h.strip_prefix('[') {
        let Some((v6, after)) = rest.split_once(']') else {
            return false;
        };
        let port = match after {
            "" => None,
            a => match a.strip_prefix(':') {
                Some(p) => Some(p),
                None => return false,
            },
        };
        return v6.parse::<std::net::Ipv6Addr>().is_ok() && port_ok(port);
    }
    let (name, port) = match h.split_once(':') {
        Some((n, p)) => (n, Some(p)),
        None => (h, None),
    };
    // A name whose last label is a number is an IPv4 address to a browser
    // (`127.1`, `2130706433`, `0x7f.1`): only the dotted-quad form is one here.
    let last = name.rsplit('.').next().unwrap_or(name);
    if last.bytes().all(|b| b.is_ascii_digit()) || last.starts_with("0x") {
        return name.parse::<std::net::Ipv4Addr>().is_ok() && port_ok(port);
    }
    !name.is_empty()
        && name.len() <= 253
        && !name.starts_with(['.', '-'])
        && name.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.')
        })
        && port_ok(port)
}

/// The name part of a valid `host[:port]` (`[::1]` keeps its brackets).
pub(crate) fn host_name(h: &str) -> &str {
    if h.starts_with('[') {
        return h.find(']').map_or(h, |i| &h[..=i]);
    }
    h.rsplit_once(':').map_or(h, |(n, _)| n)
}

/// Whether a host name (no port) names this machine: `localhost`, 127.0.0.0/8 or `[::1]`.
pub(crate) fn is_loopback_hostname(h: &str) -> bool {
    if h.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let bare = h.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<IpAddr>()
        .map(|ip| canonical(ip).is_loopback())
        .unwrap_or(false)
}
