//! Facts about a request that every rule needs: is it secure, which host and
//! origin did the client ask for, and may forwarded headers be believed.
//!
//! Forwarded headers (`X-Forwarded-Proto`, `X-Forwarded-Host`, `X-Forwarded-For`,
//! `Forwarded`) are believed only when the connection comes from a proxy the
//! application trusts ([`ProxyTrust`]), and only those the application says that
//! proxy writes ([`ProxyHeaders`]). A client talking to the server directly can
//! otherwise claim `X-Forwarded-Proto: https`, skip the HTTPS redirect and get
//! HSTS over plain HTTP (Flask-Talisman trusts any client's header); and a
//! client behind the proxy can add a header the proxy passes through untouched
//! (nginx forwards a client's own `Forwarded` header when it only sets
//! `X-Forwarded-Proto`), so a header the proxy does not write is never read.
//!
//! ```
//! use rampart_core::{ConnectionInfo, ProxyHeaders, ProxyTrust};
//! use http::Request;
//!
//! // nginx on the same host, with `proxy_set_header X-Forwarded-Proto $scheme;`
//! // and `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;`
//! let nginx = ProxyHeaders::X_FORWARDED_PROTO | ProxyHeaders::X_FORWARDED_FOR;
//! let trust = ProxyTrust::loopback(nginx).unwrap();
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
const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
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

/// Which forwarded headers the trusted proxy writes: rampart reads those and no
/// other. A proxy passes through every header it does not set itself, so a
/// header it does not write is the client's word.
///
/// Either RFC 7239's `Forwarded` or any of `X-Forwarded-Proto`, `-Host` and
/// `-For`, combined with `|`; never both kinds (a proxy writes one of them, and
/// reading the other would let a client's copy decide).
///
/// ```
/// use rampart_core::ProxyHeaders;
/// // nginx: proxy_set_header X-Forwarded-Proto $scheme; ... X-Forwarded-For $proxy_add_x_forwarded_for;
/// let nginx = ProxyHeaders::X_FORWARDED_PROTO | ProxyHeaders::X_FORWARDED_FOR;
/// assert_ne!(nginx, ProxyHeaders::X_FORWARDED);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ProxyHeaders(u8);

impl ProxyHeaders {
    /// RFC 7239 `Forwarded`: `proto`, `host` and `for` of its last element.
    pub const FORWARDED: Self = Self(1);
    /// `X-Forwarded-Proto`: the scheme the client used (last value).
    pub const X_FORWARDED_PROTO: Self = Self(2);
    /// `X-Forwarded-Host`: the host the client asked for (last value).
    pub const X_FORWARDED_HOST: Self = Self(4);
    /// `X-Forwarded-For`: the client's address (last value, the one the proxy appended).
    pub const X_FORWARDED_FOR: Self = Self(8);
    /// `X-Forwarded-Proto`, `-Host` and `-For`: only for a proxy that writes all
    /// three, replacing a client's copies. nginx writes none of them unless told
    /// to (`proxy_set_header X-Forwarded-Proto $scheme;`,
    /// `X-Forwarded-Host $host;`, `X-Forwarded-For $proxy_add_x_forwarded_for;`);
    /// name only those your proxy sets, or a client's copy is believed.
    pub const X_FORWARDED: Self = Self(2 | 4 | 8);

    fn has(self, h: Self) -> bool {
        self.0 & h.0 == h.0
    }

    fn check(self) -> Result<Self, ConfigError> {
        if self.0 == 0 {
            return Err(ConfigError::new(
                "proxy_headers",
                "a trusted proxy must name the headers it writes: ProxyHeaders::X_FORWARDED \
                 (X-Forwarded-Proto/-Host/-For, nginx's usual set), a selection of them joined \
                 with `|`, or ProxyHeaders::FORWARDED (RFC 7239)",
            )
            .of_kind(crate::ConfigErrorKind::Missing));
        }
        if self.has(Self::FORWARDED) && self.0 != Self::FORWARDED.0 {
            return Err(ConfigError::new(
                "proxy_headers",
                "name either ProxyHeaders::FORWARDED or X-Forwarded-* headers, not both: list \
                 only the kind your proxy writes, or a client's copy of the other one would be \
                 believed",
            )
            .of_kind(crate::ConfigErrorKind::Conflict));
        }
        Ok(self)
    }
}

impl std::ops::BitOr for ProxyHeaders {
    type Output = Self;
    fn bitor(self, rhs: Self) -> Self {
        Self(self.0 | rhs.0)
    }
}

/// Which peers may tell rampart the original scheme, host and client address
/// through forwarded headers, and which headers those peers write.
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
/// use rampart_core::{ProxyHeaders, ProxyTrust};
/// let t = ProxyTrust::peers(["10.0.0.0/8", "192.168.1.7"], ProxyHeaders::FORWARDED).unwrap();
/// assert!(t.trusts(Some("10.1.2.3".parse().unwrap())));
/// assert!(!t.trusts(None));
/// assert!(ProxyTrust::peers(["10.0.0.0/33"], ProxyHeaders::FORWARDED).is_err());
/// ```
#[derive(Debug, Clone, Default)]
pub struct ProxyTrust {
    mode: TrustMode,
    headers: ProxyHeaders,
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

    /// Trust peers on loopback (127.0.0.0/8 and ::1): a TLS-terminating proxy on
    /// the same host, writing `headers`.
    ///
    /// ```
    /// # use rampart_core::{ProxyHeaders, ProxyTrust};
    /// let t = ProxyTrust::loopback(ProxyHeaders::X_FORWARDED).unwrap();
    /// assert!(t.trusts(Some("127.0.0.2".parse().unwrap())));
    /// assert!(ProxyTrust::loopback(ProxyHeaders::FORWARDED | ProxyHeaders::X_FORWARDED_FOR).is_err());
    /// ```
    pub fn loopback(headers: ProxyHeaders) -> Result<Self, ConfigError> {
        Self::peers(["127.0.0.0/8", "::1"], headers)
    }

    /// Trust the given peer addresses or CIDR ranges (`"10.0.0.0/8"`,
    /// `"192.0.2.1"`, `"::1"`), which write `headers`. An empty list trusts nobody.
    ///
    /// ```
    /// # use rampart_core::{ProxyHeaders, ProxyTrust};
    /// let t = ProxyTrust::peers(["::1"], ProxyHeaders::X_FORWARDED_PROTO).unwrap();
    /// assert!(t.trusts(Some("::1".parse().unwrap())));
    /// assert!(ProxyTrust::peers(["::1"], ProxyHeaders::default()).is_err()); // names no header
    /// ```
    pub fn peers<I, S>(peers: I, headers: ProxyHeaders) -> Result<Self, ConfigError>
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
        if nets.is_empty() {
            return Ok(Self::nobody());
        }
        Ok(Self {
            mode: TrustMode::Peers(nets),
            headers: headers.check()?,
        })
    }

    /// Believe `headers` from every peer: only correct when the server is
    /// unreachable except through a proxy that overwrites those headers.
    ///
    /// ```
    /// # use rampart_core::{ProxyHeaders, ProxyTrust};
    /// assert!(ProxyTrust::all_traffic_via_proxy(ProxyHeaders::FORWARDED).unwrap().trusts(None));
    /// ```
    pub fn all_traffic_via_proxy(headers: ProxyHeaders) -> Result<Self, ConfigError> {
        Ok(Self {
            mode: TrustMode::Everyone,
            headers: headers.check()?,
        })
    }

    #[doc(hidden)]
    /// Whether forwarded headers from `peer` are believed.
    ///
    /// ```
    /// # use rampart_core::{ProxyHeaders, ProxyTrust};
    /// assert!(!ProxyTrust::loopback(ProxyHeaders::X_FORWARDED).unwrap().trusts(None));
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

    #[doc(hidden)]
    /// The facts of a request, worked out only as far as they are asked for:
    /// those of its [`RequestScope`](crate::RequestScope) when an outer secure
    /// headers layer shared one and this trust is the default (nobody), else
    /// computed here under this trust on first use. So a layer's own proxy
    /// trust, once configured, always applies, whatever the outer layer's
    /// policy. Whether the request is secure costs no allocation; the host is
    /// copied only when the full facts are needed (an unsafe method's origin check).
    ///
    /// ```
    /// use rampart_core::{ConnectionInfo, ProxyHeaders, ProxyTrust, RequestFacts, RequestScope, Scheme};
    /// let req = http::Request::get("/").header("host", "a.example").body(()).unwrap();
    /// let known = RequestScope::new(RequestFacts { secure: true, scheme: Scheme::Https, host: None, from_trusted_proxy: true }, None);
    /// let t = ProxyTrust::nobody();
    /// assert!(t.lazy_facts(Some(&known), ConnectionInfo::default(), req.uri(), req.headers()).secure());
    /// let lazy = t.lazy_facts(None, ConnectionInfo::default(), req.uri(), req.headers());
    /// assert!(!lazy.secure());
    /// assert_eq!(lazy.get().host.as_deref(), Some("a.example"));
    /// // A trust of its own is used even with a scope at hand.
    /// let proxy = ProxyTrust::loopback(ProxyHeaders::X_FORWARDED).unwrap();
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

    #[doc(hidden)]
    /// Whether the request came over TLS (seen by the server or reported by a
    /// trusted proxy), without working out the host.
    ///
    /// ```
    /// use rampart_core::{ConnectionInfo, ProxyHeaders, ProxyTrust, Scheme};
    /// let req = http::Request::get("/").header("x-forwarded-proto", "https").body(()).unwrap();
    /// let proxy = ConnectionInfo::peer("127.0.0.1".parse().unwrap());
    /// let nginx = ProxyTrust::loopback(ProxyHeaders::X_FORWARDED).unwrap();
    /// assert_eq!(nginx.scheme(proxy, req.headers()).0, Scheme::Https);
    /// assert_eq!(ProxyTrust::nobody().scheme(proxy, req.headers()).0, Scheme::Http);
    /// // A proxy said to write `Forwarded` never has its X-Forwarded-Proto read.
    /// let rfc = ProxyTrust::loopback(ProxyHeaders::FORWARDED).unwrap();
    /// assert_eq!(rfc.scheme(proxy, req.headers()).0, Scheme::Http);
    /// ```
    ///
    /// Headers from a peer that is not trusted are not even looked at here:
    /// [`facts`](Self::facts), which every redirect decision and origin
    /// comparison uses, is where ignoring them is logged.
    pub fn scheme(&self, conn: ConnectionInfo, headers: &HeaderMap) -> (Scheme, bool) {
        let f = self.forwarded(conn, headers, Want::Scheme);
        (scheme_of(conn, f.proto), f.trusted)
    }

    /// The client's address: what the trusted proxy reports in the header it
    /// writes (`X-Forwarded-For` or `Forwarded: for=`, last value), else the
    /// peer's own. Rate limits keyed on it count clients, not the proxy.
    pub(crate) fn client_addr(&self, conn: ConnectionInfo, headers: &HeaderMap) -> Option<IpAddr> {
        self.forwarded(conn, headers, Want::Client)
            .client
            .or(conn.peer)
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
        let f = self.forwarded(conn, headers, Want::SchemeNotingUntrusted);
        scheme_of(conn, f.proto) == Scheme::Https
    }

    /// What the trusted peer's own headers say: only those it is configured to
    /// write are read (a header it does not write came from the client). The
    /// host and client only when asked for, as copying the host allocates. The
    /// peer's trust is looked up once here, whoever asks.
    fn forwarded(&self, conn: ConnectionInfo, headers: &HeaderMap, want: Want) -> Forwarded {
        let mut out = Forwarded::default();
        if !self.trusts(conn.peer) {
            // Only looked for until the warning is out: nothing else depends on it.
            if want != Want::Scheme
                && !UNTRUSTED_FORWARDED_LOGGED.load(Ordering::Relaxed)
                && headers.keys().any(|k| {
                    *k == http::header::FORWARDED
                        || *k == X_FORWARDED_PROTO
                        || *k == X_FORWARDED_HOST
                        || *k == X_FORWARDED_FOR
                })
                && !UNTRUSTED_FORWARDED_LOGGED.swap(true, Ordering::Relaxed)
            {
                tracing::warn!(
                    peer = ?conn.peer,
                    "rampart: ignoring X-Forwarded-*/Forwarded headers from an untrusted peer; if a proxy you run \
                     terminates TLS in front of this server, trust it with ProxyTrust::peers([\"<proxy address or CIDR>\"], \
                     ProxyHeaders::X_FORWARDED) (or ProxyTrust::loopback(..) for a proxy on the same host, and \
                     ProxyHeaders::FORWARDED if it writes RFC 7239's header), otherwise every request looks like plain \
                     http and the HTTPS redirect can loop (this is logged once)"
                );
            }
            return out;
        }
        let h = self.headers;
        let want_host = want == Want::Facts;
        let want_client = want == Want::Client;
        if h.has(ProxyHeaders::FORWARDED) {
            // Believed alone, even when it cannot be read (a client-supplied
            // byte in a value the proxy appended to, a repeated parameter): the
            // proxy writes nothing else.
            if !headers.contains_key(http::header::FORWARDED) {
                return out;
            }
            out.trusted = true;
            let Some(pairs) = last_forwarded_element(headers) else {
                return out;
            };
            for (k, v) in pairs {
                if k.eq_ignore_ascii_case("proto") {
                    out.proto = Scheme::parse(&v);
                } else if want_host && k.eq_ignore_ascii_case("host") && !v.is_empty() {
                    out.host = Some(v);
                } else if want_client && k.eq_ignore_ascii_case("for") {
                    out.client = parse_node(&v);
                }
            }
            return out;
        }
        if h.has(ProxyHeaders::X_FORWARDED_PROTO) {
            if let Some(v) = last_list_value(headers, X_FORWARDED_PROTO) {
                out.trusted = true;
                out.proto = Scheme::parse(v);
            }
        }
        if want_host && h.has(ProxyHeaders::X_FORWARDED_HOST) {
            if let Some(v) = last_list_value(headers, X_FORWARDED_HOST) {
                out.trusted = true;
                out.host = Some(v.to_owned());
            }
        }
        if want_client && h.has(ProxyHeaders::X_FORWARDED_FOR) {
            if let Some(v) = last_list_value(headers, X_FORWARDED_FOR) {
                out.trusted = true;
                out.client = parse_node(v);
            }
        }
        out
    }

    #[doc(hidden)]
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
        let fwd = self.forwarded(conn, headers, Want::Facts);
        let scheme = scheme_of(conn, fwd.proto);
        // A forwarded host naming this machine is not believed: no proxy
        // forwards a public client's request for `localhost`, and believing it
        // would serve that client over plain http (the loopback exemption).
        let forwarded_host = fwd.host.map(|mut h| {
            h.make_ascii_lowercase();
            h
        });
        let forwarded_host =
            forwarded_host.filter(|h| !(valid_host(h) && is_loopback_hostname(host_name(h))));
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
            .filter(|h| valid_host(h));
        RequestFacts {
            secure: scheme == Scheme::Https,
            scheme,
            host,
            from_trusted_proxy: fwd.trusted,
        }
    }
}

/// What a trusted proxy's headers said.
#[derive(Default)]
struct Forwarded {
    /// A header the proxy writes was present.
    trusted: bool,
    proto: Option<Scheme>,
    host: Option<String>,
    client: Option<IpAddr>,
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
    /// The client's address, logging as above.
    Client,
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

/// Last value of a comma-separated header: the one our immediate (trusted) peer added.
fn last_list_value(headers: &HeaderMap, name: HeaderName) -> Option<&str> {
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
fn last_forwarded_element(headers: &HeaderMap) -> Option<Vec<(String, String)>> {
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
fn parse_node(v: &str) -> Option<IpAddr> {
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
        self.host.as_deref().map(host_name)
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

#[doc(hidden)]
/// A request's facts, known already or worked out on first use (see
/// [`ProxyTrust::lazy_facts`]). `&RequestFacts` converts into it.
///
/// ```
/// use rampart_core::Facts;
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

/// The name part of a valid `host[:port]` (`[::1]` keeps its brackets).
fn host_name(h: &str) -> &str {
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
        let t = ProxyTrust::peers(["10.0.0.0/8"], ProxyHeaders::X_FORWARDED).unwrap();
        let h = [("host", "a.example"), ("x-forwarded-proto", "https")];
        assert!(facts(&t, "10.2.3.4", &h).secure);
        assert!(!facts(&t, "11.2.3.4", &h).secure);
        assert!(!facts(&ProxyTrust::nobody(), "10.2.3.4", &h).secure);
    }

    #[test]
    fn last_hop_wins_and_case_is_ignored() {
        let t = ProxyTrust::loopback(ProxyHeaders::X_FORWARDED).unwrap();
        let f = facts(&t, "127.0.0.1", &[("x-forwarded-proto", "http, HTTPS")]);
        assert!(f.secure);
        let f = facts(&t, "127.0.0.1", &[("x-forwarded-proto", "https, http")]);
        assert!(!f.secure);
    }

    #[test]
    fn rfc7239_forwarded() {
        let t = ProxyTrust::loopback(ProxyHeaders::FORWARDED).unwrap();
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
        let t = ProxyTrust::loopback(ProxyHeaders::FORWARDED).unwrap();
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
        let t = ProxyTrust::peers(Vec::<&str>::new(), ProxyHeaders::X_FORWARDED).unwrap();
        assert!(t.trusts_nobody() && !t.trusts(Some("127.0.0.1".parse().unwrap())));
    }

    /// The attack probe's three requests: nginx sets X-Forwarded-Proto and
    /// passes the client's own `Forwarded` header through. Only the headers the
    /// proxy is said to write are read.
    #[test]
    fn a_client_forwarded_header_is_ignored_when_the_proxy_writes_x_forwarded() {
        let t = ProxyTrust::loopback(ProxyHeaders::X_FORWARDED).unwrap();
        for client in [
            "for=198.51.100.7",
            "proto=http;host=evil.example",
            "host=localhost;proto=http",
        ] {
            let f = facts(
                &t,
                "127.0.0.1",
                &[
                    ("host", "shop.example"),
                    ("forwarded", client),
                    ("x-forwarded-proto", "https"),
                ],
            );
            assert!(f.secure, "{client}");
            assert_eq!(f.host.as_deref(), Some("shop.example"), "{client}");
        }
    }

    #[test]
    fn x_forwarded_headers_are_read_only_when_named() {
        let proto_only = ProxyTrust::loopback(ProxyHeaders::X_FORWARDED_PROTO).unwrap();
        let h = [
            ("host", "shop.example"),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "evil.example"),
            ("x-forwarded-for", "198.51.100.7"),
        ];
        let f = facts(&proto_only, "127.0.0.1", &h);
        assert!(f.secure);
        assert_eq!(f.host.as_deref(), Some("shop.example"));
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "198.51.100.7".parse().unwrap());
        let proxy = ConnectionInfo::peer("127.0.0.1".parse().unwrap());
        assert_eq!(
            proto_only.client_addr(proxy, &headers),
            Some("127.0.0.1".parse().unwrap())
        );
        let all = ProxyTrust::loopback(ProxyHeaders::X_FORWARDED).unwrap();
        assert_eq!(
            facts(&all, "127.0.0.1", &h).host.as_deref(),
            Some("evil.example")
        );
        assert_eq!(
            all.client_addr(proxy, &headers),
            Some("198.51.100.7".parse().unwrap())
        );
        // A proxy said to write `Forwarded` has none of X-Forwarded-* read.
        let rfc = ProxyTrust::loopback(ProxyHeaders::FORWARDED).unwrap();
        let f = facts(&rfc, "127.0.0.1", &h);
        assert!(!f.secure && !f.from_trusted_proxy);
        assert_eq!(
            rfc.client_addr(proxy, &headers),
            Some("127.0.0.1".parse().unwrap())
        );
    }

    #[test]
    fn header_sets_must_be_named_and_not_mixed() {
        assert!(ProxyTrust::loopback(ProxyHeaders::default()).is_err());
        let e = ProxyTrust::all_traffic_via_proxy(
            ProxyHeaders::FORWARDED | ProxyHeaders::X_FORWARDED_PROTO,
        )
        .unwrap_err();
        assert!(e.to_string().contains("not both"), "{e}");
    }

    #[test]
    fn client_nodes() {
        for (v, ip) in [
            ("203.0.113.9", Some("203.0.113.9")),
            ("203.0.113.9:5678", Some("203.0.113.9")),
            ("\"[2001:db8::1]:4711\"", Some("2001:db8::1")),
            ("2001:db8::1", Some("2001:db8::1")),
            ("::ffff:192.0.2.1", Some("192.0.2.1")),
            ("unknown", None),
            ("_hidden", None),
        ] {
            assert_eq!(parse_node(v), ip.map(|i| i.parse().unwrap()), "{v}");
        }
        let rfc = ProxyTrust::loopback(ProxyHeaders::FORWARDED).unwrap();
        let mut h = HeaderMap::new();
        h.insert(
            "forwarded",
            "for=1.1.1.1, for=\"[2001:db8::7]:99\";proto=https"
                .parse()
                .unwrap(),
        );
        let proxy = ConnectionInfo::peer("::1".parse().unwrap());
        assert_eq!(
            rfc.client_addr(proxy, &h),
            Some("2001:db8::7".parse().unwrap())
        );
    }

    #[test]
    fn forwarded_values_are_read_with_their_quotes() {
        let rfc = ProxyTrust::loopback(ProxyHeaders::FORWARDED).unwrap();
        let proxy = ConnectionInfo::peer("127.0.0.1".parse().unwrap());
        let read = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert("host", "shop.example".parse().unwrap());
            h.insert("forwarded", v.parse().unwrap());
            let uri: Uri = "/".parse().unwrap();
            (rfc.facts(proxy, &uri, &h), rfc.client_addr(proxy, &h))
        };
        // A client's `Host: x;for=1.2.3.4;proto=https` quoted by the proxy stays one value.
        let (f, client) = read(r#"for=203.0.113.9;host="x;for=1.2.3.4;proto=https";proto=http"#);
        assert!(!f.secure);
        assert_eq!(f.host, None); // the proxy named no valid host: none at all
        assert_eq!(client, Some("203.0.113.9".parse().unwrap()));
        // A comma inside quotes does not start an element.
        let (f, _) = read(r#"for=1.1.1.1;proto=https, for="a,b";proto=http"#);
        assert!(!f.secure);
        // A repeated parameter or broken syntax makes the element unreadable.
        for bad in [
            "for=1.1.1.1;proto=http;proto=https",
            "proto=https;host=\"open",
            "proto",
        ] {
            let (f, client) = read(bad);
            assert!(!f.secure && f.from_trusted_proxy, "{bad}");
            assert_eq!(client, Some("127.0.0.1".parse().unwrap()), "{bad}");
        }
        let (f, _) = read(r#"For="[2001:db8::1]:4711" ; Proto=HTTPS ; Host=Shop.example"#);
        assert!(f.secure);
        assert_eq!(f.host.as_deref(), Some("shop.example"));
    }

    #[test]
    fn a_forwarded_loopback_host_is_not_believed() {
        let t = ProxyTrust::loopback(ProxyHeaders::X_FORWARDED).unwrap();
        let f = facts(
            &t,
            "127.0.0.1",
            &[("host", "shop.example"), ("x-forwarded-host", "localhost")],
        );
        assert_eq!(f.host.as_deref(), Some("shop.example"));
        assert!(!f.is_loopback_host());
        let f = facts(
            &t,
            "127.0.0.1",
            &[("host", "shop.example"), ("x-forwarded-host", "[::1]:80")],
        );
        assert_eq!(f.host.as_deref(), Some("shop.example"));
    }

    #[test]
    fn hosts() {
        for ok in [
            "shop.example",
            "shop.example:8443",
            "a-b_c.example",
            "127.0.0.1:80",
            "[::1]",
            "[2001:db8::1]:443",
            "localhost",
        ] {
            assert!(valid_host(ok), "{ok}");
        }
        for bad in [
            "",
            "evil.example;",
            "evil.example'",
            "a@b",
            "a b",
            "a%2eb",
            "shop.example:",
            "shop.example:99999",
            "shop.example:8x",
            "[::1",
            "[nope]",
            "[::1]x",
            "127.1",
            "2130706433",
            "0x7f.1",
            "a.0x7f",
            "1.2.3.4.5",
            ".shop",
            "-shop",
            "Shop.example",
        ] {
            assert!(!valid_host(bad), "{bad}");
        }
    }

    #[test]
    fn ipv4_mapped_peer_is_canonicalised() {
        let t = ProxyTrust::loopback(ProxyHeaders::X_FORWARDED).unwrap();
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
