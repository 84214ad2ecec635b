//! [`RequestFacts`]: what rampart concluded about one request, known or
//! worked out on first use ([`Facts`]).

use std::cell::OnceCell;

use http::{HeaderMap, Uri};

use super::host::{host_name, is_loopback_hostname};
use super::{ConnectionInfo, ProxyTrust};
use crate::{Origin, Scheme};

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
    /// The scheme the client used (TLS seen by the server, or what a trusted proxy reported).
    scheme: Scheme,
    /// The authority the client asked for (`host[:port]`, lower-cased), when valid.
    host: Option<String>,
    /// Forwarded headers were present and believed.
    from_trusted_proxy: bool,
}

impl RequestFacts {
    /// Facts for `scheme` and `host` (lower-cased; `None` when not a valid host),
    /// as a request without forwarded headers would give them.
    ///
    /// ```
    /// use rampart_core::{RequestFacts, Scheme};
    /// let f = RequestFacts::new(Scheme::Https, Some("Shop.example"));
    /// assert!(f.secure());
    /// assert_eq!(f.host(), Some("shop.example"));
    /// assert_eq!(RequestFacts::new(Scheme::Http, Some("a;b")).host(), None);
    /// ```
    pub fn new(scheme: Scheme, host: Option<&str>) -> Self {
        Self::from_parts(
            scheme,
            host.map(str::to_ascii_lowercase)
                .filter(|h| super::valid_host(h)),
            false,
        )
    }

    /// Facts worked out by the crate (the host already checked and lower-cased).
    pub(crate) const fn from_parts(
        scheme: Scheme,
        host: Option<String>,
        from_trusted_proxy: bool,
    ) -> Self {
        Self {
            scheme,
            host,
            from_trusted_proxy,
        }
    }

    /// Whether the request is secure: TLS seen by the server or reported by a trusted proxy.
    pub fn secure(&self) -> bool {
        self.scheme == Scheme::Https
    }

    /// The scheme the client used.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The authority the client asked for (`host[:port]`, lower-cased), when valid.
    pub fn host(&self) -> Option<&str> {
        self.host.as_deref()
    }

    /// Whether forwarded headers were present and believed.
    pub fn from_trusted_proxy(&self) -> bool {
        self.from_trusted_proxy
    }

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
        let scheme = if secure { Scheme::Https } else { Scheme::Http };
        RequestFacts::new(scheme, Some(host))
    }
}

#[doc(hidden)]
/// A request's facts, known already or worked out on first use (see
/// [`ProxyTrust::lazy_facts`]). `&RequestFacts` converts into it.
///
/// ```
/// use rampart_core::Facts;
/// use rampart_core::{RequestFacts, Scheme};
/// let f = RequestFacts::new(Scheme::Https, None);
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
            Facts::Known(f) => f.secure(),
            Facts::Lazy {
                full: cell,
                trust,
                conn,
                headers,
                ..
            } => match cell.get() {
                Some(f) => f.secure(),
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
    /// assert_eq!(f.get().host(), Some("a.example"));
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
