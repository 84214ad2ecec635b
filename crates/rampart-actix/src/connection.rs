//! What the server knows about a request's connection and request line, in
//! the core's types.

use actix_web::dev::ServiceRequest;
use actix_web::{HttpMessage, HttpRequest};
use rampart_core::ConnectionInfo;

use crate::convert;

/// The peer address and TLS flag of a request.
///
/// Looks for, in order: a [`ConnectionInfo`] the server attached itself
/// (connection data set with `HttpServer::on_connect`, or a request extension
/// inserted by an earlier middleware), then actix's own facts: the peer
/// address and whether the listener was bound with TLS
/// (`AppConfig::secure`).
pub(crate) fn connection_info(req: &HttpRequest) -> ConnectionInfo {
    if let Some(ci) = req.conn_data::<ConnectionInfo>() {
        return *ci;
    }
    if let Some(ci) = req.extensions().get::<ConnectionInfo>() {
        return *ci;
    }
    ConnectionInfo {
        peer: req.peer_addr().map(|a| a.ip()),
        tls: req.app_config().secure(),
    }
}

/// The request line and headers as `http` 1.x parts.
pub(crate) fn parts(req: &ServiceRequest) -> Option<http::request::Parts> {
    let head = req.head();
    convert::request_parts(&head.method, &head.uri, head.version, &head.headers)
}

/// The `400` for a request whose request line cannot be converted (does not
/// happen with requests actix itself parsed).
pub(crate) fn unconvertible() -> actix_web::HttpResponse {
    tracing::warn!("rampart: request line could not be converted to http 1.x types; answered 400");
    actix_web::HttpResponse::BadRequest()
        .content_type("text/plain; charset=utf-8")
        .body("400 Bad Request: malformed request line\n")
}
