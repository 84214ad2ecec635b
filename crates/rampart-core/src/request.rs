//! Facts about a request that every rule needs: is it secure, which host and
//! origin did the client ask for, and may forwarded headers be believed.
//!
//! Forwarded headers (`X-Forwarded-Proto`, `X-Forwarded-Host`, `Forwarded`) are
//! believed only when the connection comes from a proxy the application trusts
//! ([`ProxyTrust`]). A client talking to the server directly can otherwise claim
//! `X-Forwarded-Proto: https`, skip the HTTPS redirect and get HSTS over plain
//! HTTP (Flask-Talisman trusts any client's header).
//!
//! ```
//! use rampart_core::{ConnectionInfo, ProxyTrust};
//! use http::Request;
//!
//! let trust = ProxyTrust::loopback();
//! let req = Request::get("/").header("host", "app.example")
//!     .header("x-forwarded-proto", "https").body(()).unwrap();
//! let (parts, _) = req.into_parts();
//!
//! let via_proxy = trust.facts(ConnectionInfo::peer("127.0.0.1".parse().unwrap()), &parts.uri, &parts.headers);
//! assert!(via_proxy.secure);
//! let direct = trust.facts(ConnectionInfo::peer("203.0.113.9".parse().unwrap()), &parts.uri, &parts.headers);
//! assert!(!direct.secure);
//! ```

use std::cell::OnceCell;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};

use http::{HeaderMap, HeaderName, Uri};

// Prebuilt names: a `&str` key would be parsed and validated on every lookup.
const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
const X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
use ipnet::IpNet;

use crate::{ConfigError, Origin, Scheme};

/// What the server knows about the connection a request came on.
///
/// Adapters fill this from their framework's connection info (axum's
/// `ConnectInfo`, actix's `peer_addr`, or a TLS acceptor's marker).
///
/// ```
/// use rampart_core::ConnectionInfo;
/// let c = ConnectionInfo::peer("10.0.0.1".parse().unwrap()).with_tls(true);
/// assert!(c.tls);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConnectionInfo {
    /// Address of the immediate peer, when the server exposes it.
    pub peer: Option<std::net::IpAddr>,
    /// Whether the server itself terminated TLS on this connection.
    pub tls: bool,
}

impl ConnectionInfo {
    /// A plain connection from `peer`.
    ///
    /// ```
    /// # use rampart_core::ConnectionInfo;
    /// assert!(!ConnectionInfo::peer("::1".parse().unwrap()).tls);
    /// ```
    pub fn peer(peer: IpAddr) -> Self {
        Self {
            peer: Some(peer),
            tls: false,
        }
    }

    /// Marks whether the server terminated TLS.
    ///
    /// ```
    /// # use rampart_core::ConnectionInfo;
    /// assert!(ConnectionInfo::default().with_tls(true).tls);
    /// ```
    pub fn with_tls(mut self, tls: bool) -> Self {
        self.tls = tls;
        self
    }
}

/// Which peers may tell rampart the original scheme and host through forwarded headers.
///
/// The default trusts nobody: only TLS seen by the server makes a request secure.
///
/// When the peer address is unknown (the framework did not expose it, e.g. axum
/// served without `into_make_service_with_connect_info`), only
/// [`ProxyTrust::all_traffic_via_proxy`] believes forwarded headers; address-based
/// trust treats an unknown peer as untrusted, which fails safe (requests look like
/// plain HTTP and are redirected) rather than open.
///
/// ```
/// use rampart_core::ProxyTrust;
/// let t = ProxyTrust::peers(["10.0.0.0/8", "192.168.1.7"]).unwrap();
/// assert!(t.trusts(Some("10.1.2.3".parse().unwrap())));
/// assert!(!t.trusts(None));
/// assert!(ProxyTrust::peers(["10.0.0.0/33"]).is_err());
/// ```
#[derive(Debug, Clone, Default)]
pub struct ProxyTrust {
    mode: TrustMode,
}

#[derive(Debug, Clone, Default)]
enum TrustMode {
    #[default]
    Nobody,
    Peers(Vec<IpNet>),
    Everyone,
}

static UNTRUSTED_FORWARDED_LOGGED: AtomicBool = AtomicBool::new(false);

impl ProxyTrust {
    /// Trust no forwarded header (the default).
    ///
    /// ```
    /// # use rampart_core::ProxyTrust;
    /// assert!(!ProxyTrust::nobody().trusts(Some("127.0.0.1".parse().unwrap())));
    /// ```
    pub fn nobody() -> Self {
        Self::default()
    }

    /// Trust peers on loopback (127.0.0.0/8 and ::1): a TLS-terminating proxy on the same host.
    ///
    /// ```
    /// # use rampart_core::ProxyTrust;
    /// assert!(ProxyTrust::loopback().trusts(Some("127.0.0.2".parse().unwrap())));
    /// ```
    pub fn loopback() -> Self {
        Self {
            mode: TrustMode::Peers(vec![
                "127.0.0.0/8".parse().expect("valid CIDR"),
                "::1/128".parse().expect("valid CIDR"),
            ]),
        }
    }

    /// Trust the given peer addresses or CIDR ranges (`"10.0.0.0/8"`, `"192.0.2.1"`, `"::1"`).
    ///
    /// ```
    /// # use rampart_core::ProxyTrust;
    /// assert!(ProxyTrust::peers(["::1"]).unwrap().trusts(Some("::1".parse().unwrap())));
    /// ```
    pub fn peers<I, S>(peers: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut nets = Vec::new();
        for p in peers {
            let p = p.as_ref().trim();
            let net = if p.contains('/') {
                p.parse::<IpNet>().ok()
            } else {
                p.parse::<IpAddr>().ok().map(IpNet::from)
            };
            nets.push(net.ok_or_else(|| {
                ConfigError::new(
                    "trusted_proxies",
                    format!("`{p}` is not an IP address or CIDR range; write e.g. 10.0.0.0/8 or 192.0.2.1"),
                )
            })?);
        }
        // An empty list trusts nobody: say so, so that the layers treat it as
        // the default (see `trusts_nobody`).
        Ok(Self {
            mode: if nets.is_empty() {
                TrustMode::Nobody
            } else {
                TrustMode::Peers(nets)
            },
        })
    }

    /// Believe forwarded headers from every peer: only correct when the server is
    /// unreachable except through a proxy that overwrites those headers.
    ///
    /// ```
    /// # use rampart_core::ProxyTrust;
    /// assert!(ProxyTrust::all_traffic_via_proxy().trusts(None));
    /// ```
    pub fn all_traffic_via_proxy() -> Self {
        Self {
            mode: TrustMode::Everyone,
        }
    }

    /// Whether forwarded headers from `peer` are believed.
    ///
    /// ```
    /// # use rampart_core::ProxyTrust;
    /// assert!(!ProxyTrust::loopback().trusts(None));
    /// ```
    pub fn trusts(&self, peer: Option<IpAddr>) -> bool {
        match &self.mode {
            TrustMode::Nobody => false,
            TrustMode::Everyone => true,
            TrustMode::Peers(nets) => match peer {
                Some(ip) => {
                    let ip = canonical(ip);
                    nets.iter().any(|n| n.contains(&ip))
                }
                None => false,
            },
        }
    }

    /// The facts of a request, worked out only as far as they are asked for:
    /// those of its [`RequestScope`](crate::RequestScope) when an outer secure
    /// headers layer shared one and this trust is the default (nobody), else
    /// computed here under this trust on first use. So a layer's own proxy
    /// trust, once configured, always applies, whatever the outer layer's
    /// policy. Whether the request is secure costs no allocation; the host is
    /// copied only when the full facts are needed (an unsafe method's origin check).
    ///
    /// ```
    /// use rampart_core::{ConnectionInfo, ProxyTrust, RequestFacts, RequestScope, Scheme};
    /// let req = http::Request::get("/").header("host", "a.example").body(()).unwrap();
    /// let known = RequestScope::new(RequestFacts { secure: true, scheme: Scheme::Https, host: None, from_trusted_proxy: true }, None);
    /// let t = ProxyTrust::nobody();
    /// assert!(t.lazy_facts(Some(&known), ConnectionInfo::default(), req.uri(), req.headers()).secure());
    /// let lazy = t.lazy_facts(None, ConnectionInfo::default(), req.uri(), req.headers());
    /// assert!(!lazy.secure());
    /// assert_eq!(lazy.get().host.as_deref(), Some("a.example"));
    /// // A trust of its own is used even with a scope at hand.
    /// let proxy = ProxyTrust::loopback();
    /// let own = proxy.lazy_facts(Some(&known), ConnectionInfo::default(), req.uri(), req.headers());
    /// assert!(!own.secure());
    /// ```
    pub fn lazy_facts<'a>(
        &'a self,
        scope: Option<&'a crate::RequestScope>,
        conn: ConnectionInfo,
        uri: &'a Uri,
        headers: &'a HeaderMap,
    ) -> Facts<'a> {
        match scope {
            Some(s) if self.trusts_nobody() => Facts::Known(s.facts()),
            _ => Facts::Lazy {
                trust: self,
                conn,
                uri,
                headers,
                full: OnceCell::new(),
            },
        }
    }

    /// Whether the request came over TLS (seen by the server or reported by a
    /// trusted proxy), without working out the host.
    ///
    /// ```
    /// use rampart_core::{ConnectionInfo, ProxyTrust};
    /// let req = http::Request::get("/").header("x-forwarded-proto", "https").body(()).unwrap();
    /// let proxy = ConnectionInfo::peer("127.0.0.1".parse().unwrap());
    /// assert!(ProxyTrust::loopback().scheme(proxy, req.headers()).0 == rampart_core::Scheme::Https);
    /// assert!(ProxyTrust::nobody().scheme(proxy, req.headers()).0 == rampart_core::Scheme::Http);
    /// ```
    ///
    /// Headers from a peer that is not trusted are not even looked at here:
    /// [`facts`](Self::facts), which every redirect decision and origin
    /// comparison uses, is where ignoring them is logged.
    pub fn scheme(&self, conn: ConnectionInfo, headers: &HeaderMap) -> (Scheme, bool) {
        let (trusted, proto, _) = self.forwarded(conn, headers, Want::Scheme);
        (scheme_of(conn, proto), trusted)
    }

    /// Trusts no peer at all (the default).
    pub(crate) fn trusts_nobody(&self) -> bool {
        matches!(self.mode, TrustMode::Nobody)
    }

    /// Whether the request is secure, without the host; unlike
    /// [`scheme`](Self::scheme) it logs (once) forwarded headers that an
    /// untrusted peer sent, as [`facts`](Self::facts) does.
    pub(crate) fn secure_noting_untrusted(
        &self,
        conn: ConnectionInfo,
        headers: &HeaderMap,
    ) -> bool {
        let (_, proto, _) = self.forwarded(conn, headers, Want::SchemeNotingUntrusted);
        scheme_of(conn, proto) == Scheme::Https
    }

    /// Whether forwarded headers are present and believed, and what they say
    /// (the host only for [`Want::Facts`], as copying it allocates). The peer's
    /// trust is looked up once here, whoever asks.
    fn forwarded(
        &self,
        conn: ConnectionInfo,
        headers: &HeaderMap,
        want: Want,
    ) -> (bool, Option<Scheme>, Option<String>) {
        let want_host = want == Want::Facts;
        // One pass over the (few) names instead of three hashed lookups: a
        // server without a proxy asks this on every request and finds nothing.
        let has_forwarded = || {
            headers.keys().any(|k| {
                *k == http::header::FORWARDED || *k == X_FORWARDED_PROTO || *k == X_FORWARDED_HOST
            })
        };
        if !self.trusts(conn.peer) {
            // Only looked for until the warning is out: nothing else depends on it.
            if want != Want::Scheme
                && !UNTRUSTED_FORWARDED_LOGGED.load(Ordering::Relaxed)
                && has_forwarded()
                && !UNTRUSTED_FORWARDED_LOGGED.swap(true, Ordering::Relaxed)
            {
                tracing::warn!(
                    peer = ?conn.peer,
                    "rampart: ignoring X-Forwarded-*/Forwarded headers from an untrusted peer; if a proxy you run \
                     terminates TLS in front of this server, trust it with ProxyTrust::peers([\"<proxy address or CIDR>\"]) \
                     (or ProxyTrust::loopback() for a proxy on the same host), otherwise every request looks like plain \
                     http and the HTTPS redirect can loop (this is logged once)"
                );
            }
            return (false, None, None);
        }
        if !has_forwarded() {
            return (false, None, None);
        }
        // A proxy speaking RFC 7239 is believed alone, even when its header
        // cannot be read (a client-supplied byte in a value it appended to):
        // falling back to X-Forwarded-* it may pass through from the client
        // would let the client choose the scheme or host.
        if headers.contains_key(http::header::FORWARDED) {
            let (proto, host) = last_forwarded_element(headers, want_host);
            return (true, proto, host);
        }
        let proto = last_list_value(headers, X_FORWARDED_PROTO).and_then(Scheme::parse);
        let host = if want_host {
            last_list_value(headers, X_FORWARDED_HOST).map(str::to_owned)
        } else {
            None
        };
        (true, proto, host)
    }

    /// Works out the facts of one request.
    ///
    /// ```
    /// use rampart_core::{ConnectionInfo, ProxyTrust};
    /// let req = http::Request::get("http://Example.com:8080/x").body(()).unwrap();
    /// let f = ProxyTrust::nobody().facts(ConnectionInfo::default(), req.uri(), req.headers());
    /// assert_eq!(f.host.as_deref(), Some("example.com:8080"));
    /// assert!(!f.secure);
    /// ```
    pub fn facts(&self, conn: ConnectionInfo, uri: &Uri, headers: &HeaderMap) -> RequestFacts {
        let (trusted, forwarded_proto, forwarded_host) = self.forwarded(conn, headers, Want::Facts);
        let scheme = scheme_of(conn, forwarded_proto);
        // One copy of the host, lower-cased in place.
        let host = forwarded_host
            .or_else(|| uri.authority().map(|a| a.as_str().to_owned()))
            .or_else(|| {
                headers
                    .get(http::header::HOST)
                    .and_then(|h| h.to_str().ok())
                    .map(str::to_owned)
            })
            .map(|mut h| {
                h.make_ascii_lowercase();
                h
            })
            .filter(|h| valid_authority(h));
        RequestFacts {
            secure: scheme == Scheme::Https,
            scheme,
            host,
            from_trusted_proxy: trusted,
        }
    }
}

/// What a caller of `ProxyTrust::forwarded` needs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Want {
    /// The scheme only, silently (`scheme`: `Facts::secure` on every request).
    Scheme,
    /// The scheme, logging (once) forwarded headers from an untrusted peer.
    SchemeNotingUntrusted,
    /// Scheme and host, logging as above.
    Facts,
}

/// TLS seen by the server wins; otherwise what a trusted proxy reported.
fn scheme_of(conn: ConnectionInfo, forwarded: Option<Scheme>) -> Scheme {
    if conn.tls {
        Scheme::Https
    } else {
        forwarded.unwrap_or(Scheme::Http)
    }
}

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

fn valid_authority(h: &str) -> bool {
    !h.is_empty() && !h.contains('@') && h.parse::<http::uri::Authority>().is_ok()
}

/// Last value of a comma-separated header: the one our immediate (trusted) peer added.
fn last_list_value(headers: &HeaderMap, name: HeaderName) -> Option<&str> {
    let last = headers.get_all(name).iter().next_back()?;
    let s = last.to_str().ok()?;
    let v = s.rsplit(',').next()?.trim();
    (!v.is_empty()).then_some(v)
}

/// `proto` and `host` of the last element of the RFC 7239 `Forwarded` header.
fn last_forwarded_element(
    headers: &HeaderMap,
    want_host: bool,
) -> (Option<Scheme>, Option<String>) {
    let mut proto = None;
    let mut host = None;
    let element = headers
        .get_all(http::header::FORWARDED)
        .iter()
        .next_back()
        .and_then(|last| last.to_str().ok())
        .and_then(|s| s.rsplit(',').next());
    let Some(element) = element else {
        return (proto, host);
    };
    for pair in element.split(';') {
        let Some((k, v)) = pair.split_once('=') else {
            continue;
        };
        let v = v.trim().trim_matches('"');
        match k.trim().to_ascii_lowercase().as_str() {
            "proto" => proto = Scheme::parse(v),
            "host" if want_host && !v.is_empty() => host = Some(v.to_string()),
            _ => {}
        }
    }
    (proto, host)
}

/// What rampart concluded about one request.
///
/// ```
/// use rampart_core::{ConnectionInfo, ProxyTrust};
/// let req = http::Request::get("/").header("host", "localhost:8000").body(()).unwrap();
/// let f = ProxyTrust::nobody().facts(ConnectionInfo::default(), req.uri(), req.headers());
/// assert!(f.is_loopback_host());
/// assert_eq!(f.origin().unwrap().to_string(), "http://localhost:8000");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestFacts {
    /// TLS was seen by the server or reported by a trusted proxy.
    pub secure: bool,
    /// The scheme the client used.
    pub scheme: Scheme,
    /// The authority the client asked for (`host[:port]`, lower-cased), when valid.
    pub host: Option<String>,
    /// Forwarded headers were present and believed.
    pub from_trusted_proxy: bool,
}

impl RequestFacts {
    /// The request's own origin, from scheme and host.
    ///
    /// ```
    /// # use rampart_core::{ConnectionInfo, ProxyTrust};
    /// let req = http::Request::get("/").body(()).unwrap();
    /// let f = ProxyTrust::nobody().facts(ConnectionInfo::default(), req.uri(), req.headers());
    /// assert!(f.origin().is_none()); // no Host header
    /// ```
    pub fn origin(&self) -> Option<Origin> {
        Origin::from_authority(self.scheme, self.host.as_deref()?)
    }

    /// The host without its port (`[::1]` keeps its brackets).
    ///
    /// ```
    /// # use rampart_core::{ConnectionInfo, ProxyTrust};
    /// let req = http::Request::get("/").header("host", "a.example:81").body(()).unwrap();
    /// let f = ProxyTrust::nobody().facts(ConnectionInfo::default(), req.uri(), req.headers());
    /// assert_eq!(f.hostname(), Some("a.example"));
    /// ```
    pub fn hostname(&self) -> Option<&str> {
        let h = self.host.as_deref()?;
        if h.starts_with('[') {
            return h.find(']').map(|i| &h[..=i]);
        }
        Some(h.rsplit_once(':').map(|(n, _)| n).unwrap_or(h))
    }

    /// The client asked for a loopback host: `localhost`, 127.0.0.0/8 or `[::1]`.
    ///
    /// ```
    /// # use rampart_core::{ConnectionInfo, ProxyTrust};
    /// let req = http::Request::get("/").header("host", "127.0.0.5").body(()).unwrap();
    /// let f = ProxyTrust::nobody().facts(ConnectionInfo::default(), req.uri(), req.headers());
    /// assert!(f.is_loopback_host());
    /// ```
    pub fn is_loopback_host(&self) -> bool {
        match self.hostname() {
            Some(h) => is_loopback_hostname(h),
            None => false,
        }
    }
}

#[cfg(test)]
impl RequestFacts {
    /// Facts for unit tests: `host` on http or https, no proxy.
    pub(crate) fn test(secure: bool, host: &str) -> Self {
        RequestFacts {
            secure,
            scheme: if secure { Scheme::Https } else { Scheme::Http },
            host: Some(host.to_string()),
            from_trusted_proxy: false,
        }
    }
}

/// A request's facts, known already or worked out on first use (see
/// [`ProxyTrust::lazy_facts`]). `&RequestFacts` converts into it.
///
/// ```
/// use rampart_core::request::Facts;
/// use rampart_core::{RequestFacts, Scheme};
/// let f = RequestFacts { secure: true, scheme: Scheme::Https, host: None, from_trusted_proxy: false };
/// let facts: Facts = (&f).into();
/// assert!(facts.secure() && facts.get() == &f);
/// ```
#[derive(Debug)]
pub enum Facts<'a> {
    /// Already worked out (by the secure headers layer, or by the caller).
    Known(&'a RequestFacts),
    /// To be worked out from the request when needed.
    Lazy {
        /// Whose forwarded headers to believe.
        trust: &'a ProxyTrust,
        /// The connection the request came on.
        conn: ConnectionInfo,
        /// The request target.
        uri: &'a Uri,
        /// The request headers.
        headers: &'a HeaderMap,
        /// The full facts, once asked for.
        full: OnceCell<RequestFacts>,
    },
}

impl<'a> From<&'a RequestFacts> for Facts<'a> {
    fn from(f: &'a RequestFacts) -> Self {
        Facts::Known(f)
    }
}

impl Facts<'_> {
    /// Whether the request is secure, without working out the host.
    ///
    /// ```
    /// # use rampart_core::{ConnectionInfo, ProxyTrust};
    /// let req = http::Request::get("/").body(()).unwrap();
    /// let t = ProxyTrust::nobody();
    /// assert!(!t.lazy_facts(None, ConnectionInfo::default(), req.uri(), req.headers()).secure());
    /// ```
    pub fn secure(&self) -> bool {
        match self {
            Facts::Known(f) => f.secure,
            Facts::Lazy {
                full: cell,
                trust,
                conn,
                headers,
                ..
            } => match cell.get() {
                Some(f) => f.secure,
                None => trust.scheme(*conn, headers).0 == Scheme::Https,
            },
        }
    }

    /// The full facts, worked out on the first call.
    ///
    /// ```
    /// # use rampart_core::{ConnectionInfo, ProxyTrust};
    /// let req = http::Request::get("/").header("host", "A.example").body(()).unwrap();
    /// let t = ProxyTrust::nobody();
    /// let f = t.lazy_facts(None, ConnectionInfo::default(), req.uri(), req.headers());
    /// assert_eq!(f.get().host.as_deref(), Some("a.example"));
    /// ```
    pub fn get(&self) -> &RequestFacts {
        match self {
            Facts::Known(f) => f,
            Facts::Lazy {
                trust,
                conn,
                uri,
                headers,
                full,
            } => full.get_or_init(|| trust.facts(*conn, uri, headers)),
        }
    }
}

/// Whether a host name (no port) names this machine: `localhost`, 127.0.0.0/8 or `[::1]`.
///
/// ```
/// assert!(rampart_core::request::is_loopback_hostname("[::1]"));
/// assert!(!rampart_core::request::is_loopback_hostname("localhost.example"));
/// ```
pub fn is_loopback_hostname(h: &str) -> bool {
    if h.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let bare = h.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<IpAddr>()
        .map(|ip| canonical(ip).is_loopback())
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(trust: &ProxyTrust, peer: &str, hdrs: &[(&str, &str)]) -> RequestFacts {
        let mut b = http::Request::get("/");
        for (k, v) in hdrs {
            b = b.header(*k, *v);
        }
        let r = b.body(()).unwrap();
        trust.facts(
            ConnectionInfo::peer(peer.parse().unwrap()),
            r.uri(),
            r.headers(),
        )
    }

    #[test]
    fn forwarded_proto_only_from_trusted_peer() {
        let t = ProxyTrust::peers(["10.0.0.0/8"]).unwrap();
        let h = [("host", "a.example"), ("x-forwarded-proto", "https")];
        assert!(facts(&t, "10.2.3.4", &h).secure);
        assert!(!facts(&t, "11.2.3.4", &h).secure);
        assert!(!facts(&ProxyTrust::nobody(), "10.2.3.4", &h).secure);
    }

    #[test]
    fn last_hop_wins_and_case_is_ignored() {
        let t = ProxyTrust::loopback();
        let f = facts(&t, "127.0.0.1", &[("x-forwarded-proto", "http, HTTPS")]);
        assert!(f.secure);
        let f = facts(&t, "127.0.0.1", &[("x-forwarded-proto", "https, http")]);
        assert!(!f.secure);
    }

    #[test]
    fn rfc7239_forwarded() {
        let t = ProxyTrust::loopback();
        let f = facts(
            &t,
            "::1",
            &[
                ("host", "internal:8080"),
                ("forwarded", "for=1.2.3.4;proto=https;host=\"Shop.example\""),
            ],
        );
        assert!(f.secure);
        assert_eq!(f.host.as_deref(), Some("shop.example"));
        assert_eq!(f.origin().unwrap().to_string(), "https://shop.example");
    }

    #[test]
    fn unreadable_forwarded_header_does_not_fall_back_to_x_forwarded() {
        let t = ProxyTrust::loopback();
        let mut h = HeaderMap::new();
        h.insert("host", "shop.example".parse().unwrap());
        h.insert(
            "forwarded",
            http::HeaderValue::from_bytes(b"for=1.2.3.4;host=\xff").unwrap(),
        );
        h.insert("x-forwarded-proto", "https".parse().unwrap());
        h.insert("x-forwarded-host", "evil.example".parse().unwrap());
        let uri: Uri = "/".parse().unwrap();
        let f = t.facts(ConnectionInfo::peer("127.0.0.1".parse().unwrap()), &uri, &h);
        assert!(!f.secure && f.from_trusted_proxy);
        assert_eq!(f.host.as_deref(), Some("shop.example"));
    }

    #[test]
    fn empty_peer_list_trusts_nobody() {
        let t = ProxyTrust::peers(Vec::<&str>::new()).unwrap();
        assert!(t.trusts_nobody() && !t.trusts(Some("127.0.0.1".parse().unwrap())));
    }

    #[test]
    fn forwarded_header_is_not_mixed_with_x_forwarded() {
        let t = ProxyTrust::loopback();
        let f = facts(
            &t,
            "127.0.0.1",
            &[
                ("host", "shop.example"),
                ("forwarded", "for=1.2.3.4"),
                ("x-forwarded-proto", "https"),
                ("x-forwarded-host", "evil.example"),
            ],
        );
        assert!(!f.secure);
        assert_eq!(f.host.as_deref(), Some("shop.example"));
    }

    #[test]
    fn ipv4_mapped_peer_is_canonicalised() {
        let t = ProxyTrust::loopback();
        assert!(t.trusts(Some("::ffff:127.0.0.1".parse().unwrap())));
    }

    #[test]
    fn bad_host_header_gives_no_host() {
        let f = facts(
            &ProxyTrust::nobody(),
            "1.1.1.1",
            &[("host", "evil.example@good")],
        );
        assert_eq!(f.host, None);
        let f = facts(&ProxyTrust::nobody(), "1.1.1.1", &[("host", "a b")]);
        assert_eq!(f.host, None);
    }

    #[test]
    fn loopback_hosts() {
        for h in [
            "localhost",
            "LOCALHOST:8000",
            "127.0.0.1:3000",
            "127.9.9.9",
            "[::1]:8000",
        ] {
            assert!(
                facts(&ProxyTrust::nobody(), "1.1.1.1", &[("host", h)]).is_loopback_host(),
                "{h}"
            );
        }
        for h in ["example.com", "localhost.evil.com", "10.0.0.1", "[::2]"] {
            assert!(
                !facts(&ProxyTrust::nobody(), "1.1.1.1", &[("host", h)]).is_loopback_host(),
                "{h}"
            );
        }
    }
}
