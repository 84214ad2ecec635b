//! Conversions between actix-web's `http` 0.2 types and the `http` 1.x types
//! the core works with. Nothing here decides anything: it only copies method,
//! URI, version and headers across.
//!
//! Cost per call: one `HeaderName` lookup per header (standard names are not
//! allocated) and one copy of all header values into a single shared buffer
//! (one allocation, each value a slice of it). Writing a response's headers
//! back touches only the names whose values changed, and values the service
//! knows in advance (its configured header set) are taken from a
//! [`ValueCache`] instead of being copied.

use actix_web::http::header as ax;
use actix_web::http::{Method as AxMethod, Uri as AxUri, Version as AxVersion};
use bytes::{Bytes, BytesMut};

/// The request line and headers as `http` 1.x [`Parts`](http::request::Parts)
/// (empty extensions). `None` only if the URI or method cannot be expressed in
/// `http` 1.x, which actix's own parser makes practically impossible.
pub(crate) fn request_parts(
    method: &AxMethod,
    uri: &AxUri,
    version: AxVersion,
    headers: &ax::HeaderMap,
) -> Option<http::request::Parts> {
    let method = match *method {
        AxMethod::GET => http::Method::GET,
        AxMethod::POST => http::Method::POST,
        AxMethod::HEAD => http::Method::HEAD,
        ref m => http::Method::from_bytes(m.as_str().as_bytes()).ok()?,
    };
    // The path and query (origin form, what servers almost always receive)
    // share one buffer with the header values.
    let pq = (uri.scheme().is_none() && uri.authority().is_none())
        .then(|| uri.path_and_query().map_or("/", |pq| pq.as_str()));
    let (buf, ends) = value_buffer(headers, pq.map_or(&[][..], str::as_bytes));
    let uri = match pq {
        Some(_) => http::Uri::from_maybe_shared(buf.slice(..ends[0])).ok()?,
        None => http::Uri::try_from(uri.to_string()).ok()?,
    };
    let mut req = http::Request::new(());
    *req.method_mut() = method;
    *req.uri_mut() = uri;
    *req.version_mut() = convert_version(version);
    *req.headers_mut() = headers_from(headers, &buf, &ends);
    Some(req.into_parts().0)
}

/// One buffer holding `prefix` and then every header value of `src`, in
/// iteration order, and the end offset of each piece (`prefix` first).
fn value_buffer(src: &ax::HeaderMap, prefix: &[u8]) -> (Bytes, Vec<usize>) {
    let total = prefix.len() + src.iter().map(|(_, v)| v.len()).sum::<usize>();
    let mut buf = BytesMut::with_capacity(total);
    buf.extend_from_slice(prefix);
    let mut ends = Vec::with_capacity(src.len() + 1);
    ends.push(buf.len());
    for (_, v) in src.iter() {
        buf.extend_from_slice(v.as_bytes());
        ends.push(buf.len());
    }
    (buf.freeze(), ends)
}

/// The headers of `src` as an `http` 1.x map, values sliced from `buf`
/// (filled by [`value_buffer`], whose `ends` locate each value).
fn headers_from(src: &ax::HeaderMap, buf: &Bytes, ends: &[usize]) -> http::HeaderMap {
    let mut out = http::HeaderMap::with_capacity(src.len());
    for ((name, value), w) in src.iter().zip(ends.windows(2)) {
        let Ok(name) = http::HeaderName::from_bytes(name.as_str().as_bytes()) else {
            continue;
        };
        let Ok(mut v) = http::HeaderValue::from_maybe_shared(buf.slice(w[0]..w[1])) else {
            continue;
        };
        v.set_sensitive(value.is_sensitive());
        out.append(name, v);
    }
    out
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
    to_http_tracked(src).0
}

/// Where the values of an `http` 1.x copy of an actix map came from, so that
/// [`write_back`] can tell unchanged names (their original values, in order)
/// from changed ones without comparing bytes or looking names up.
#[derive(Default)]
pub(crate) struct Copied {
    /// Every original value, back to back.
    buf: Bytes,
    /// `ends[i]..ends[i + 1]` is original value `i`.
    ends: Vec<usize>,
    /// Each original name, its first value's index and its number of values.
    runs: Vec<(ax::HeaderName, usize, usize)>,
}

impl Copied {
    /// The index of the original value `v` is, if it is one (a slice of `buf`).
    fn origin(&self, v: &http::HeaderValue) -> Option<usize> {
        let base = self.buf.as_ptr() as usize;
        let p = v.as_bytes().as_ptr() as usize;
        if self.buf.is_empty() || p < base || p >= base + self.buf.len() {
            return None;
        }
        let start = p - base;
        let i = self.ends.partition_point(|&e| e <= start).checked_sub(1)?;
        (self.ends.get(i + 1) == Some(&(start + v.len()))).then_some(i)
    }

    /// The run (original name) value `i` belongs to.
    fn run_of(&self, i: usize) -> usize {
        self.runs.partition_point(|r| r.1 <= i) - 1
    }
}

/// Copies an actix header map into an `http` 1.x map, remembering the origin
/// of each value (see [`Copied`]).
pub(crate) fn to_http_tracked(src: &ax::HeaderMap) -> (http::HeaderMap, Copied) {
    let (buf, ends) = value_buffer(src, &[]);
    let mut runs: Vec<(ax::HeaderName, usize, usize)> = Vec::with_capacity(src.len_keys());
    for (i, (name, _)) in src.iter().enumerate() {
        match runs.last_mut() {
            Some(r) if r.0 == *name => r.2 += 1,
            _ => runs.push((name.clone(), i, 1)),
        }
    }
    let h = headers_from(src, &buf, &ends);
    (h, Copied { buf, ends, runs })
}

/// actix copies of header values known in advance (a middleware's configured
/// header set), so that writing them into a response clones them instead of
/// copying their bytes. Looked up by name and exact value; anything else (a
/// nonce-bearing CSP, a cookie) is converted as usual.
#[derive(Debug, Default, Clone)]
pub(crate) struct ValueCache {
    entries: Vec<(http::HeaderName, ax::HeaderName, ax::HeaderValue)>,
}

impl ValueCache {
    /// A cache of these (name, value) pairs; pairs actix cannot represent are skipped.
    pub(crate) fn new(pairs: impl IntoIterator<Item = (http::HeaderName, String)>) -> Self {
        let entries = pairs
            .into_iter()
            .filter_map(|(n, v)| {
                let an = ax::HeaderName::from_bytes(n.as_str().as_bytes()).ok()?;
                let av = ax::HeaderValue::from_str(&v).ok()?;
                Some((n, an, av))
            })
            .collect();
        Self { entries }
    }

    /// The cached entry for this name and value, scanning from `hint` (the
    /// core writes the set in configuration order, so the next entry is
    /// usually the one after the last hit).
    fn lookup(
        &self,
        name: &http::HeaderName,
        value: &http::HeaderValue,
        hint: &mut usize,
    ) -> Option<(&ax::HeaderName, &ax::HeaderValue)> {
        let len = self.entries.len();
        for k in 0..len {
            let i = (*hint + k) % len;
            let (n, an, av) = &self.entries[i];
            if n == name && av.as_bytes() == value.as_bytes() {
                *hint = i + 1;
                return Some((an, av));
            }
        }
        None
    }
}

/// Makes `dst` hold exactly the headers of `src`, where `src` was made from
/// `dst` by [`to_http_tracked`] (giving `copied`) and then changed. Names still
/// holding exactly their original values are left alone; changed names are
/// replaced whole (values from `cache` where possible, else copied); names
/// gone from `src` are removed.
pub(crate) fn write_back(
    dst: &mut ax::HeaderMap,
    src: &http::HeaderMap,
    copied: &Copied,
    cache: &ValueCache,
) {
    if copied.runs.len() > 128 {
        // Not worth tracking: start over.
        dst.clear();
        return write_back(dst, src, &Copied::default(), cache);
    }
    // Bit r: original name r is accounted for (unchanged, or replaced).
    let mut seen: u128 = 0;
    let mut hint = 0;
    let mut iter = src.iter().peekable();
    while let Some((name, first)) = iter.next() {
        // The group of `name`'s values (consecutive in `src.iter()`).
        let mut unchanged = copied.origin(first).and_then(|i| {
            let r = copied.run_of(i);
            let run = &copied.runs[r];
            (run.1 == i && run.0.as_str() == name.as_str()).then_some((r, i))
        });
        let mut count = 1;
        while let Some((_, v)) = iter.next_if(|(n, _)| *n == name) {
            if let Some((_, i)) = unchanged {
                if copied.origin(v) != Some(i + count) {
                    unchanged = None;
                }
            }
            count += 1;
        }
        if let Some((r, _)) = unchanged {
            if copied.runs[r].2 == count {
                seen |= 1 << r;
                continue;
            }
        }
        // Changed or new: replace the name whole.
        let mut ax_name: Option<ax::HeaderName> = None;
        let mut removed = false;
        let mut put = |value: &http::HeaderValue, dst: &mut ax::HeaderMap, seen: &mut u128| {
            let (n, v) = match cache.lookup(name, value, &mut hint) {
                Some((n, v)) => (
                    ax_name.get_or_insert_with(|| n.clone()).clone(),
                    Ok(v.clone()),
                ),
                None => {
                    if ax_name.is_none() {
                        ax_name = ax::HeaderName::from_bytes(name.as_str().as_bytes()).ok();
                    }
                    let Some(n) = &ax_name else {
                        tracing::debug!(
                            header = name.as_str(),
                            "rampart: header not representable in actix-web; dropped"
                        );
                        return;
                    };
                    (n.clone(), ax::HeaderValue::from_bytes(value.as_bytes()))
                }
            };
            if !removed {
                removed = true;
                if let Some(r) = copied.runs.iter().position(|run| run.0 == n) {
                    dst.remove(&n);
                    *seen |= 1 << r;
                }
            }
            let Ok(mut v) = v else {
                tracing::debug!(
                    header = name.as_str(),
                    "rampart: header value not representable in actix-web; dropped"
                );
                return;
            };
            v.set_sensitive(value.is_sensitive());
            dst.append(n, v);
        };
        if count == 1 {
            put(first, dst, &mut seen);
        } else {
            for value in src.get_all(name) {
                put(value, dst, &mut seen);
            }
        }
    }
    // Original names no longer in `src`.
    for (r, run) in copied.runs.iter().enumerate() {
        if seen & (1 << r) == 0 {
            dst.remove(&run.0);
        }
    }
}

/// Replaces every header of `dst` with those of `src`.
pub(crate) fn replace_from_http(dst: &mut ax::HeaderMap, src: &http::HeaderMap) {
    dst.clear();
    write_back(dst, src, &Copied::default(), &ValueCache::default());
}

/// Runs `f` on an `http` 1.x copy of `headers` and writes the changes back.
pub(crate) fn with_http_headers(
    headers: &mut ax::HeaderMap,
    cache: &ValueCache,
    f: impl FnOnce(&mut http::HeaderMap),
) {
    let (mut h, copied) = to_http_tracked(headers);
    f(&mut h);
    write_back(headers, &h, &copied, cache);
}

/// An actix response from a core response (status, headers, body).
pub(crate) fn response_from_http(res: http::Response<Bytes>) -> actix_web::HttpResponse {
    let (parts, body) = res.into_parts();
    let status = actix_web::http::StatusCode::from_u16(parts.status.as_u16())
        .unwrap_or(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR);
    let mut out = actix_web::HttpResponse::with_body(status, body).map_into_boxed_body();
    replace_from_http(out.headers_mut(), &parts.headers);
    // A refusal's reason travels in actix's response extensions too.
    if let Some(reason) = parts.extensions.get::<rampart_core::csrf::RejectReason>() {
        out.extensions_mut().insert(*reason);
    }
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
    fn request_headers_share_one_buffer_with_the_path() {
        let mut ax_map = ax::HeaderMap::new();
        ax_map.append(ax::COOKIE, ax::HeaderValue::from_static("a=1"));
        ax_map.append(ax::COOKIE, ax::HeaderValue::from_static("b=2"));
        ax_map.insert(ax::HOST, ax::HeaderValue::from_static("localhost"));
        let uri: AxUri = "/p?q=1".parse().unwrap();
        let p = request_parts(&AxMethod::POST, &uri, AxVersion::HTTP_11, &ax_map).unwrap();
        assert_eq!(p.uri, "/p?q=1");
        let cookies: Vec<_> = p.headers.get_all("cookie").iter().collect();
        assert_eq!(cookies, ["a=1", "b=2"]);
        assert_eq!(p.headers["host"], "localhost");
        assert_eq!(p.headers.len(), 3);
    }

    #[test]
    fn write_back_touches_changed_names_and_uses_the_cache() {
        let cache = ValueCache::new([(
            http::HeaderName::from_static("permissions-policy"),
            "camera=()".to_string(),
        )]);
        let mut ax_map = ax::HeaderMap::new();
        ax_map.insert(ax::CONTENT_TYPE, ax::HeaderValue::from_static("text/plain"));
        ax_map.insert(ax::SERVER, ax::HeaderValue::from_static("x"));
        ax_map.append(ax::VARY, ax::HeaderValue::from_static("Accept"));
        ax_map.append(ax::SET_COOKIE, ax::HeaderValue::from_static("a=1"));
        ax_map.append(ax::SET_COOKIE, ax::HeaderValue::from_static("b=2"));
        ax_map.append(ax::ETAG, ax::HeaderValue::from_static("\"1\""));
        ax_map.append(ax::ETAG, ax::HeaderValue::from_static("\"2\""));
        with_http_headers(&mut ax_map, &cache, |h| {
            // Same values, other order: a change.
            let etags: Vec<_> = h.get_all("etag").iter().cloned().collect();
            h.remove("etag");
            h.append("etag", etags[1].clone());
            h.append("etag", etags[0].clone());
            // One cookie rewritten, the other kept.
            let cookies: Vec<_> = h.get_all("set-cookie").iter().cloned().collect();
            h.insert("set-cookie", cookies[0].clone());
            h.append("set-cookie", http::HeaderValue::from_static("b=2; Secure"));
            h.remove("server");
            h.append("vary", http::HeaderValue::from_static("Cookie"));
            h.insert(
                "permissions-policy",
                http::HeaderValue::from_static("camera=()"),
            );
            h.insert("x-frame-options", http::HeaderValue::from_static("DENY"));
        });
        assert!(!ax_map.contains_key(ax::SERVER));
        assert_eq!(ax_map.get(ax::CONTENT_TYPE).unwrap(), "text/plain");
        let vary: Vec<_> = ax_map.get_all(ax::VARY).collect();
        assert_eq!(vary, ["Accept", "Cookie"]);
        assert_eq!(ax_map.get("permissions-policy").unwrap(), "camera=()");
        assert_eq!(ax_map.get("x-frame-options").unwrap(), "DENY");
        let cookies: Vec<_> = ax_map.get_all(ax::SET_COOKIE).collect();
        assert_eq!(cookies, ["a=1", "b=2; Secure"]);
        let etags: Vec<_> = ax_map.get_all(ax::ETAG).collect();
        assert_eq!(etags, ["\"2\"", "\"1\""]);
        assert_eq!(ax_map.len(), 9);
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
