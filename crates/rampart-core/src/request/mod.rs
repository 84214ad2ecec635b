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
//! let trust = ProxyTrust::loopback(nginx);
//! let req = Request::get("/").header("host", "app.example")
//!     .header("x-forwarded-proto", "https").body(()).unwrap();
//! let (parts, _) = req.into_parts();
//!
//! let via_proxy = trust.facts(ConnectionInfo::peer("127.0.0.1".parse().unwrap()), &parts.uri, &parts.headers);
//! assert!(via_proxy.secure());
//! let direct = trust.facts(ConnectionInfo::peer("203.0.113.9".parse().unwrap()), &parts.uri, &parts.headers);
//! assert!(!direct.secure());
//! ```

use std::net::IpAddr;

mod facts;
mod forwarded;
mod host;
#[cfg(test)]
mod tests;
mod trust;

pub use facts::{Facts, RequestFacts};
pub(crate) use host::valid_host;
pub use trust::{ProxyHeaders, ProxyTrust};

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
