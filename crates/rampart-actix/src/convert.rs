//! Conversions between actix-web's `http` 0.2 types and the `http` 1.x types
//! the core works with. Nothing here decides anything: it only copies method,
//! URI, version and headers across.
//!
//! Cost per call: one `HeaderName` lookup (standard names are not allocated)
//! and one `HeaderValue` copy per header, plus one URI copy and parse for a
//! request.

use actix_web::http::header as ax;
use actix_web::http::{Method as AxMethod, Uri as AxUri, Version as AxVersion};
use bytes::Bytes;

/// The request line and headers as `http` 1.x [`Parts`](http::request::Parts)
/// (empty extensions). `None` only if the URI or method cannot be expressed in
/// `http` 1.x, which actix's own parser makes practically impossible.
pub(crate) fn request_parts(
    method: &AxMethod,
    uri: &AxUri,
    version: AxVersion,
    headers: &ax::HeaderMap,
) -> Option<http::request::Parts> {
    let method = http::Method::from_bytes(method.as_str().as_bytes()).ok()?;
    let uri = convert_uri(uri)?;
    let mut req = http::Request::new(());
    *req.method_mut() = method;
    *req.uri_mut() = uri;
    *req.version_mut() = convert_version(version);
    *req.headers_mut() = to_http(headers);
    Some(req.into_parts().0)
}

fn convert_uri(uri: &AxUri) -> Option<http::Uri> {
    if uri.scheme().is_none() && uri.authority().is_none() {
        // Origin form (`/path?query`), what servers almost always receive.
        let pq = uri.path_and_query().map_or("/", |pq| pq.as_str());
        return http::Uri::try_from(pq).ok();
    }
    http::Uri::try_from(uri.to_string()).ok()
}

fn convert_version(v: AxVersion) -> http::Version {
    match v {
        AxVersion::HTTP_09 => http::Version::HTTP_09,
        AxVersion::HTTP_10 => http::Version::HTTP_10,
        AxVersion::HTTP_2 => http::Version::HTTP_2,
        AxVersion::HTTP_3 => http::Version::HTTP_3,
        _ => http::Version::HTTP_11,
    }
}

/// Copies an actix header map (every value of every name) into an `http` 1.x map.
pub(crate) fn to_http(src: &ax::HeaderMap) -> http::HeaderMap {
    let mut out = http::HeaderMap::with_capacity(src.len());
    for (name, value) in src.iter() {
        let Ok(name) = http::HeaderName::from_bytes(name.as_str().as_bytes()) else {
            continue;
        };
        let Ok(mut v) = http::HeaderValue::from_bytes(value.as_bytes()) else {
            continue;
        };
        v.set_sensitive(value.is_sensitive());
        out.append(name, v);
    }
    out
}

/// Replaces every header of `dst` with those of `src`.
pub(crate) fn replace_from_http(dst: &mut ax::HeaderMap, src: &http::HeaderMap) {
    dst.clear();
    let mut current: Option<ax::HeaderName> = None;
    for (name, value) in src.iter() {
        if current.as_ref().map(|c| c.as_str()) != Some(name.as_str()) {
            current = ax::HeaderName::from_bytes(name.as_str().as_bytes()).ok();
        }
        let (Some(n), Ok(mut v)) = (&current, ax::HeaderValue::from_bytes(value.as_bytes())) else {
            tracing::debug!(
                header = name.as_str(),
                "rampart: header not representable in actix-web; dropped"
            );
            continue;
        };
        v.set_sensitive(value.is_sensitive());
        dst.append(n.clone(), v);
    }
}

/// Runs `f` on an `http` 1.x copy of `headers` and writes the result back.
pub(crate) fn with_http_headers(headers: &mut ax::HeaderMap, f: impl FnOnce(&mut http::HeaderMap)) {
    let mut h = to_http(headers);
    f(&mut h);
    replace_from_http(headers, &h);
}

/// An actix response from a core response (status, headers, body).
pub(crate) fn response_from_http(res: http::Response<Bytes>) -> actix_web::HttpResponse {
    let (parts, body) = res.into_parts();
    let status = actix_web::http::StatusCode::from_u16(parts.status.as_u16())
        .unwrap_or(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR);
    let mut out = actix_web::HttpResponse::with_body(status, body).map_into_boxed_body();
    replace_from_http(out.headers_mut(), &parts.headers);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_round_trip_with_repeated_names() {
        let mut ax_map = ax::HeaderMap::new();
        ax_map.append(ax::SET_COOKIE, ax::HeaderValue::from_static("a=1"));
        ax_map.append(ax::SET_COOKIE, ax::HeaderValue::from_static("b=2"));
        ax_map.insert(
            ax::HeaderName::from_static("x-custom"),
            ax::HeaderValue::from_static("v"),
        );
        let h = to_http(&ax_map);
        assert_eq!(h.get_all("set-cookie").iter().count(), 2);
        assert_eq!(h["x-custom"], "v");
        let mut back = ax::HeaderMap::new();
        back.insert(ax::CONTENT_TYPE, ax::HeaderValue::from_static("text/plain"));
        replace_from_http(&mut back, &h);
        assert_eq!(back.get_all(ax::SET_COOKIE).count(), 2);
        assert!(!back.contains_key(ax::CONTENT_TYPE));
        assert_eq!(back.len(), 3);
    }

    #[test]
    fn request_line() {
        let uri: AxUri = "/a/b?x=%20".parse().unwrap();
        let p = request_parts(
            &AxMethod::PATCH,
            &uri,
            AxVersion::HTTP_2,
            &ax::HeaderMap::new(),
        )
        .unwrap();
        assert_eq!(p.method, http::Method::PATCH);
        assert_eq!(p.uri, "/a/b?x=%20");
        assert_eq!(p.version, http::Version::HTTP_2);
        let abs: AxUri = "http://Example.com:81/p".parse().unwrap();
        let p = request_parts(
            &AxMethod::GET,
            &abs,
            AxVersion::HTTP_11,
            &ax::HeaderMap::new(),
        )
        .unwrap();
        assert_eq!(p.uri.authority().unwrap().as_str(), "Example.com:81");
        let custom = AxMethod::from_bytes(b"PURGE").unwrap();
        assert_eq!(
            request_parts(&custom, &uri, AxVersion::HTTP_11, &ax::HeaderMap::new())
                .unwrap()
                .method,
            "PURGE"
        );
    }
}
