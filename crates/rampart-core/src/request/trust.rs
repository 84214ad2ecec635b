//! [`ProxyTrust`]: which peers may report the scheme, host and client, and
//! through which of the headers they write ([`ProxyHeaders`]).

use std::cell::OnceCell;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};

use http::{HeaderMap, Uri};
use ipnet::IpNet;

use super::facts::{Facts, RequestFacts};
use super::forwarded::{
    last_forwarded_element, last_list_value, parse_node, scheme_of, Forwarded, Want,
    X_FORWARDED_FOR, X_FORWARDED_HOST, X_FORWARDED_PROTO,
};
use super::host::{canonical, host_name, is_loopback_hostname, valid_host};
use super::ConnectionInfo;
use crate::{ConfigError, Scheme};

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
/// let t = ProxyTrust::peers(["10.0.0.0/8", "192.168.1.7"], ProxyHeaders::FORWARDED);
/// assert!(t.trusts(Some("10.1.2.3".parse().unwrap())));
/// assert!(!t.trusts(None));
/// ```
#[derive(Debug, Clone, Default)]
pub struct ProxyTrust {
    mode: TrustMode,
    headers: ProxyHeaders,
    /// Mistakes found when it was made, reported by the layer's `build()`.
    problems: Vec<ConfigError>,
}

#[derive(Debug, Clone, Default)]
enum TrustMode {
    #[default]
    Nobody,
    Peers(Vec<IpNet>),
    Everyone,
}

static UNTRUSTED_FORWARDED_LOGGED: AtomicBool = AtomicBool::new(false);
static OWN_TRUST_IGNORED_LOGGED: AtomicBool = AtomicBool::new(false);

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
    /// Mistakes (no header named, `Forwarded` mixed with X-Forwarded-*, a bad
    /// address) are reported by the `build()` of the layer it is given to;
    /// until then such a trust believes nobody.
    ///
    /// ```
    /// use rampart_core::headers::SecureHeaders;
    /// use rampart_core::{ProxyHeaders, ProxyTrust};
    /// let nginx = ProxyTrust::loopback(ProxyHeaders::X_FORWARDED);
    /// assert!(SecureHeaders::builder().proxy_trust(nginx).build().is_ok());
    /// let mixed = ProxyTrust::loopback(ProxyHeaders::FORWARDED | ProxyHeaders::X_FORWARDED_FOR);
    /// let e = SecureHeaders::builder().proxy_trust(mixed).build().unwrap_err();
    /// assert_eq!(e.setting(), "proxy_headers");
    /// ```
    pub fn loopback(headers: ProxyHeaders) -> Self {
        Self::peers(["127.0.0.0/8", "::1"], headers)
    }

    /// Trust the given peer addresses or CIDR ranges (`"10.0.0.0/8"`,
    /// `"192.0.2.1"`, `"::1"`), which write `headers`. An empty list trusts nobody.
    ///
    /// ```
    /// use rampart_core::headers::SecureHeaders;
    /// use rampart_core::{ProxyHeaders, ProxyTrust};
    /// let lb = ProxyTrust::peers(["10.0.0.0/8"], ProxyHeaders::X_FORWARDED_PROTO);
    /// assert!(SecureHeaders::builder().proxy_trust(lb).build().is_ok());
    /// let typo = ProxyTrust::peers(["10.0.0.0/33"], ProxyHeaders::X_FORWARDED_PROTO);
    /// let e = SecureHeaders::builder().proxy_trust(typo).build().unwrap_err();
    /// assert_eq!(e.setting(), "trusted_proxies");
    /// ```
    pub fn peers<I, S>(peers: I, headers: ProxyHeaders) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut nets = Vec::new();
        let mut problems = Vec::new();
        for p in peers {
            let p = p.as_ref().trim();
            let net = if p.contains('/') {
                p.parse::<IpNet>().ok()
            } else {
                p.parse::<IpAddr>().ok().map(IpNet::from)
            };
            match net {
                Some(n) => nets.push(n),
                None => problems.push(ConfigError::new(
                    "trusted_proxies",
                    format!("`{p}` is not an IP address or CIDR range; write e.g. 10.0.0.0/8 or 192.0.2.1"),
                )),
            }
        }
        if nets.is_empty() && problems.is_empty() {
            return Self::nobody();
        }
        Self::checked(TrustMode::Peers(nets), headers, problems)
    }

    /// Believe `headers` from every peer: only correct when the server is
    /// unreachable except through a proxy that overwrites those headers.
    ///
    /// ```
    /// use rampart_core::csrf::Csrf;
    /// use rampart_core::{ProxyHeaders, ProxyTrust};
    /// let behind_lb = ProxyTrust::all_traffic_via_proxy(ProxyHeaders::FORWARDED);
    /// assert!(Csrf::builder().key(&[1; 32]).proxy_trust(behind_lb).build().is_ok());
    /// ```
    pub fn all_traffic_via_proxy(headers: ProxyHeaders) -> Self {
        Self::checked(TrustMode::Everyone, headers, Vec::new())
    }

    /// A trust with its header set checked; with any problem it believes
    /// nobody (fail closed) and reports them at the layer's `build()`.
    fn checked(mode: TrustMode, headers: ProxyHeaders, mut problems: Vec<ConfigError>) -> Self {
        if let Err(e) = headers.check() {
            problems.push(e);
        }
        if problems.is_empty() {
            Self {
                mode,
                headers,
                problems,
            }
        } else {
            Self {
                mode: TrustMode::Nobody,
                headers,
                problems,
            }
        }
    }

    /// The mistakes this trust was made with, for a layer's `build()`.
    pub(crate) fn problems(&self) -> impl Iterator<Item = &ConfigError> {
        self.problems.iter()
    }

    #[doc(hidden)]
    /// Whether forwarded headers from `peer` are believed.
    ///
    /// ```
    /// # use rampart_core::{ProxyHeaders, ProxyTrust};
    /// assert!(!ProxyTrust::loopback(ProxyHeaders::X_FORWARDED).trusts(None));
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
    /// headers layer shared one (the header set's proxy trust decides; this
    /// one, if set, is unused and that is logged once), else computed here
    /// under this trust on first use: whether the request is secure is answered
    /// alone, the host only when the full facts are asked for (an unsafe
    /// method's origin check).
    ///
    /// ```
    /// use rampart_core::{ConnectionInfo, ProxyHeaders, ProxyTrust, RequestFacts, RequestScope, Scheme};
    /// let req = http::Request::get("/").header("host", "a.example").body(()).unwrap();
    /// let known = RequestScope::new(RequestFacts::new(Scheme::Https, None), None);
    /// let t = ProxyTrust::nobody();
    /// assert!(t.lazy_facts(Some(&known), ConnectionInfo::default(), req.uri(), req.headers()).secure());
    /// let lazy = t.lazy_facts(None, ConnectionInfo::default(), req.uri(), req.headers());
    /// assert!(!lazy.secure());
    /// assert_eq!(lazy.get().host(), Some("a.example"));
    /// // With a scope at hand, the header set's facts are the answer.
    /// let proxy = ProxyTrust::loopback(ProxyHeaders::X_FORWARDED);
    /// let under_headers = proxy.lazy_facts(Some(&known), ConnectionInfo::default(), req.uri(), req.headers());
    /// assert!(under_headers.secure());
    /// ```
    pub fn lazy_facts<'a>(
        &'a self,
        scope: Option<&'a crate::RequestScope>,
        conn: ConnectionInfo,
        uri: &'a Uri,
        headers: &'a HeaderMap,
    ) -> Facts<'a> {
        match scope {
            Some(s) => {
                if !self.trusts_nobody() && !OWN_TRUST_IGNORED_LOGGED.swap(true, Ordering::Relaxed)
                {
                    tracing::warn!(
                        "rampart: the CSRF layer's proxy trust is not used under a secure headers \
                         layer, whose facts about the request it reads: set the proxy trust on the \
                         header set (SecureHeadersBuilder::proxy_trust) and remove it from the CSRF \
                         builder (this is logged once)"
                    );
                }
                Facts::Known(s.facts())
            }
            None => Facts::Lazy {
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
    /// let nginx = ProxyTrust::loopback(ProxyHeaders::X_FORWARDED);
    /// assert_eq!(nginx.scheme(proxy, req.headers()).0, Scheme::Https);
    /// assert_eq!(ProxyTrust::nobody().scheme(proxy, req.headers()).0, Scheme::Http);
    /// // A proxy said to write `Forwarded` never has its X-Forwarded-Proto read.
    /// let rfc = ProxyTrust::loopback(ProxyHeaders::FORWARDED);
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
    /// host and client only when asked for. The
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
    /// assert_eq!(f.host(), Some("example.com:8080"));
    /// assert!(!f.secure());
    /// ```
    pub fn facts(&self, conn: ConnectionInfo, uri: &Uri, headers: &HeaderMap) -> RequestFacts {
        let fwd = self.forwarded(conn, headers, Want::Facts);
        let scheme = scheme_of(conn, fwd.proto);
        // A host the proxy reports is the host; when it is no valid host, or
        // names this machine (no proxy forwards a public client's request for
        // `localhost`), the request has none: it is refused, never served on
        // the request's own `Host` (the proxy's upstream address).
        if let Some(mut h) = fwd.host {
            h.make_ascii_lowercase();
            let host = (valid_host(&h) && !is_loopback_hostname(host_name(&h))).then_some(h);
            return RequestFacts::from_parts(scheme, host, fwd.trusted);
        }
        // One copy of the host, lower-cased in place.
        let host = uri
            .authority()
            .map(|a| a.as_str().to_owned())
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
        RequestFacts::from_parts(scheme, host, fwd.trusted)
    }
}
