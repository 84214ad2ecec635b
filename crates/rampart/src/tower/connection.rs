//! Finding the connection info a framework attached to a request.

use http::Extensions;
use rampart_core::ConnectionInfo;

/// Reads the peer address and TLS flag from request extensions.
///
/// Looks for, in order: a [`ConnectionInfo`] the server inserted itself (e.g. a
/// TLS acceptor that knows the connection is encrypted), then axum's
/// `ConnectInfo<SocketAddr>` (present when the app is served with
/// `into_make_service_with_connect_info::<SocketAddr>()`). With neither, the peer
/// is unknown: forwarded headers are then believed only under
/// `ProxyTrust::all_traffic_via_proxy(..)`.
pub(crate) fn connection_info(ext: &Extensions) -> ConnectionInfo {
    if let Some(ci) = ext.get::<ConnectionInfo>() {
        return *ci;
    }
    #[cfg(feature = "axum")]
    if let Some(axum::extract::ConnectInfo(addr)) =
        ext.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
    {
        return ConnectionInfo::peer(addr.ip());
    }
    ConnectionInfo::default()
}
