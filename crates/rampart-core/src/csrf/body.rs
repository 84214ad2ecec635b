//! Finding the token in a buffered request body (urlencoded form, multipart
//! form, JSON object). The body is only read, never modified.

use bytes::Bytes;
use http::HeaderMap;

use super::reject::RejectReason;

/// Longest token value read from a multipart field.
#[cfg(feature = "multipart")]
const MAX_FIELD_LEN: usize = 1024;

/// Body formats that can carry a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyKind {
    UrlEncoded,
    #[cfg(feature = "multipart")]
    Multipart,
    Json,
}

fn content_type(headers: &HeaderMap) -> Option<mime::Mime> {
    headers
        .get(http::header::CONTENT_TYPE)?
        .to_str()
        .ok()?
        .parse::<mime::Mime>()
        .ok()
}

/// The body format, when its content type can carry a token.
pub(crate) fn kind(headers: &HeaderMap) -> Option<BodyKind> {
    // What browsers send for a plain form, matched before the general parser.
    if headers.get(http::header::CONTENT_TYPE).is_some_and(|v| {
        v.as_bytes()
            .eq_ignore_ascii_case(b"application/x-www-form-urlencoded")
    }) {
        return Some(BodyKind::UrlEncoded);
    }
    let ct = content_type(headers)?;
    if ct.type_() == mime::APPLICATION && ct.subtype() == mime::WWW_FORM_URLENCODED {
        Some(BodyKind::UrlEncoded)
    } else if cfg!(feature = "multipart")
        && ct.type_() == mime::MULTIPART
        && ct.subtype() == mime::FORM_DATA
    {
        // Without the feature a multipart form carries its token in the header.
        #[cfg(feature = "multipart")]
        return Some(BodyKind::Multipart);
        #[cfg(not(feature = "multipart"))]
        return None;
    } else if ct.type_() == mime::APPLICATION
        && (ct.subtype() == mime::JSON || ct.suffix() == Some(mime::JSON))
    {
        Some(BodyKind::Json)
    } else {
        None
    }
}

/// The token in the body: `Ok(None)` when absent.
pub(crate) async fn extract(
    kind: BodyKind,
    headers: &HeaderMap,
    body: &Bytes,
    field: &str,
    json_key: &str,
) -> Result<Option<String>, RejectReason> {
    #[cfg(not(feature = "multipart"))]
    let _ = headers;
    match kind {
        BodyKind::UrlEncoded => urlencoded(body, field),
        #[cfg(feature = "multipart")]
        BodyKind::Multipart => multipart(headers, body, field).await,
        BodyKind::Json => json(body, json_key),
    }
}

fn urlencoded(body: &[u8], field: &str) -> Result<Option<String>, RejectReason> {
    let mut found = None;
    // Every field is looked at (a second token field is refused); only the
    // token field is decoded.
    let mut start = 0;
    let ends = memchr::memchr_iter(b'&', body).chain(std::iter::once(body.len()));
    for end in ends {
        let pair = &body[start..end];
        start = end + 1;
        if pair.is_empty() {
            continue;
        }
        let (name, value) = match memchr::memchr(b'=', pair) {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &[][..]),
        };
        if !name_is(name, field) {
            continue;
        }
        if found.is_some() {
            return Err(RejectReason::DuplicateToken);
        }
        found = Some(percent_decode_strict(value).ok_or(RejectReason::MalformedBody)?);
    }
    Ok(found)
}

/// Whether a raw form field name decodes to `field`. Names without escapes
/// (nearly all) are compared in place; only escaped ones are decoded, and a
/// name that does not decode cannot be our (valid) field name.
fn name_is(raw: &[u8], field: &str) -> bool {
    if memchr::memchr2(b'%', b'+', raw).is_none() {
        return raw == field.as_bytes();
    }
    percent_decode_strict(raw).as_deref() == Some(field)
}

/// `application/x-www-form-urlencoded` decoding that refuses bad escapes and
/// non-UTF-8 results instead of replacing them.
fn percent_decode_strict(raw: &[u8]) -> Option<String> {
    if memchr::memchr2(b'%', b'+', raw).is_none() {
        // Nothing to decode (a base64url token never needs escaping).
        return std::str::from_utf8(raw).ok().map(str::to_owned);
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hi = hex(*raw.get(i + 1)?)?;
                let lo = hex(*raw.get(i + 2)?)?;
                out.push((hi << 4) | lo);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

#[cfg(feature = "multipart")]
async fn multipart(
    headers: &HeaderMap,
    body: &Bytes,
    field: &str,
) -> Result<Option<String>, RejectReason> {
    let ct = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .ok_or(RejectReason::MalformedBody)?;
    let boundary = multer::parse_boundary(ct).map_err(|_| RejectReason::MalformedBody)?;
    let chunk = body.clone();
    let stream = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(chunk) });
    let mut form = multer::Multipart::new(stream, boundary);
    let mut found = None;
    // The whole form is read: a second token field is refused, as in the other
    // body kinds, instead of one of the two silently winning.
    while let Some(mut f) = form
        .next_field()
        .await
        .map_err(|_| RejectReason::MalformedBody)?
    {
        if f.name() != Some(field) {
            continue;
        }
        if found.is_some() {
            return Err(RejectReason::DuplicateToken);
        }
        let mut value = Vec::new();
        while let Some(chunk) = f.chunk().await.map_err(|_| RejectReason::MalformedBody)? {
            if value.len() + chunk.len() > MAX_FIELD_LEN {
                return Err(RejectReason::MalformedBody);
            }
            value.extend_from_slice(&chunk);
        }
        found = Some(String::from_utf8(value).map_err(|_| RejectReason::MalformedBody)?);
    }
    Ok(found)
}

/// The token under `key` in a JSON object. serde_json's own map would keep the
/// last of two equal keys; the object is walked instead so that a repeated key
/// (escaped spellings included) is refused, as a repeated form field is.
fn json(body: &[u8], key: &str) -> Result<Option<String>, RejectReason> {
    use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
    use std::borrow::Cow;

    /// What the walk found: a token, a duplicate, or a key with a non-string value.
    enum Found {
        Token(Option<String>),
        Duplicate,
        NotAString,
    }
    struct Walk<'k>(&'k str);
    impl<'de> DeserializeSeed<'de> for Walk<'_> {
        type Value = Found;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Found, D::Error> {
            d.deserialize_any(self)
        }
    }
    impl<'de> Visitor<'de> for Walk<'_> {
        type Value = Found;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a JSON value")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Found, A::Error> {
            let mut token = None;
            let mut outcome = None;
            while let Some(k) = map.next_key::<Cow<'de, str>>()? {
                if k != self.0 || outcome.is_some() {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
                if token.is_some() {
                    outcome = Some(Found::Duplicate);
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
                match map.next_value::<serde_json::Value>()? {
                    serde_json::Value::String(s) => token = Some(s),
                    _ => outcome = Some(Found::NotAString),
                }
            }
            Ok(outcome.unwrap_or(Found::Token(token)))
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Found, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(Found::Token(None))
        }
        fn visit_bool<E>(self, _: bool) -> Result<Found, E> {
            Ok(Found::Token(None))
        }
        fn visit_i64<E>(self, _: i64) -> Result<Found, E> {
            Ok(Found::Token(None))
        }
        fn visit_u64<E>(self, _: u64) -> Result<Found, E> {
            Ok(Found::Token(None))
        }
        fn visit_f64<E>(self, _: f64) -> Result<Found, E> {
            Ok(Found::Token(None))
        }
        fn visit_str<E>(self, _: &str) -> Result<Found, E> {
            Ok(Found::Token(None))
        }
        fn visit_unit<E>(self) -> Result<Found, E> {
            Ok(Found::Token(None))
        }
    }

    let mut de = serde_json::Deserializer::from_slice(body);
    let found = Walk(key)
        .deserialize(&mut de)
        .and_then(|f| de.end().map(|()| f))
        .map_err(|_| RejectReason::MalformedBody)?;
    match found {
        Found::Token(t) => Ok(t),
        Found::Duplicate => Err(RejectReason::DuplicateToken),
        Found::NotAString => Err(RejectReason::BadToken),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ct(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(http::header::CONTENT_TYPE, v.parse().unwrap());
        h
    }

    fn run(ctype: &str, body: &[u8]) -> Result<Option<String>, RejectReason> {
        let h = ct(ctype);
        let k = kind(&h).expect("kind");
        let body = Bytes::copy_from_slice(body);
        futures_util::FutureExt::now_or_never(extract(k, &h, &body, "_csrf_token", "_csrf_token"))
            .expect("completes without waiting")
    }

    #[test]
    fn kinds() {
        assert_eq!(
            kind(&ct("application/x-www-form-urlencoded; charset=utf-8")),
            Some(BodyKind::UrlEncoded)
        );
        // The plain spelling, matched before the MIME parser, in any case; a
        // near miss still goes to the parser and is refused as it refuses it.
        for plain in [
            "application/x-www-form-urlencoded",
            "Application/X-WWW-Form-URLEncoded",
        ] {
            assert_eq!(kind(&ct(plain)), Some(BodyKind::UrlEncoded), "{plain}");
        }
        assert_eq!(kind(&ct("application/x-www-form-urlencodedx")), None);
        assert_eq!(kind(&ct("application/x-www-form-urlencoded/x")), None);
        #[cfg(feature = "multipart")]
        assert_eq!(
            kind(&ct("multipart/form-data; boundary=x")),
            Some(BodyKind::Multipart)
        );
        #[cfg(not(feature = "multipart"))]
        assert_eq!(kind(&ct("multipart/form-data; boundary=x")), None);
        assert_eq!(kind(&ct("application/json")), Some(BodyKind::Json));
        assert_eq!(kind(&ct("application/vnd.api+json")), Some(BodyKind::Json));
        assert_eq!(kind(&ct("text/plain")), None);
        assert_eq!(kind(&ct("nonsense")), None);
        assert_eq!(kind(&HeaderMap::new()), None);
    }

    #[test]
    fn urlencoded_names_compare_decoded() {
        assert!(name_is(b"_csrf_token", "_csrf_token"));
        assert!(!name_is(b"_csrf_tokens", "_csrf_token"));
        assert!(!name_is(b"_csrf+token", "_csrf_token"));
        assert!(name_is(b"csrf+token", "csrf token"));
        assert!(name_is(b"%5fcsrf_token", "_csrf_token"));
        assert!(!name_is(b"%5_csrf_token", "_csrf_token"));
        assert_eq!(
            urlencoded(b"x=1&csrf+token=A", "csrf token"),
            Ok(Some("A".into()))
        );
    }

    #[test]
    fn urlencoded_fields() {
        let ctype = "application/x-www-form-urlencoded";
        assert_eq!(
            run(ctype, b"a=1&_csrf_token=T%2Bx+y&b=2"),
            Ok(Some("T+x y".into()))
        );
        assert_eq!(run(ctype, b"a=1&b=2"), Ok(None));
        assert_eq!(run(ctype, b""), Ok(None));
        assert_eq!(
            run(ctype, b"_csrf_token=A&_csrf_token=A"),
            Err(RejectReason::DuplicateToken)
        );
        assert_eq!(
            run(ctype, b"%5Fcsrf%5Ftoken=A&_csrf_token=B"),
            Err(RejectReason::DuplicateToken)
        );
        assert_eq!(
            run(ctype, b"_csrf_token=%ZZ"),
            Err(RejectReason::MalformedBody)
        );
        assert_eq!(
            run(ctype, b"_csrf_token=%FF"),
            Err(RejectReason::MalformedBody)
        );
        assert_eq!(
            run(ctype, b"_csrf_token=abc%"),
            Err(RejectReason::MalformedBody)
        );
        // Unrelated malformed fields are the application's business.
        assert_eq!(run(ctype, b"x=%ZZ&_csrf_token=ok"), Ok(Some("ok".into())));
        assert_eq!(
            run(ctype, "_csrf_token=🥳".as_bytes()),
            Ok(Some("🥳".into()))
        );
    }

    #[test]
    fn json_bodies() {
        let j = "application/json";
        assert_eq!(
            run(j, br#"{"_csrf_token":"T","a":1}"#),
            Ok(Some("T".into()))
        );
        assert_eq!(run(j, br#"{"a":1}"#), Ok(None));
        assert_eq!(run(j, br#"["_csrf_token"]"#), Ok(None));
        assert_eq!(run(j, br#"{]]{"#), Err(RejectReason::MalformedBody));
        assert_eq!(run(j, br#"{"_csrf_token":5}"#), Err(RejectReason::BadToken));
        // A repeated key is refused, whichever spelling, not the last one taken.
        assert_eq!(
            run(j, br#"{"_csrf_token":"A","_csrf_token":"B"}"#),
            Err(RejectReason::DuplicateToken)
        );
        assert_eq!(
            run(
                j,
                br#"{"\u005fcsrf_token":"A","x":{"_csrf_token":1},"_csrf_token":"B"}"#
            ),
            Err(RejectReason::DuplicateToken)
        );
        // Nested keys are the application's business; trailing garbage is not JSON.
        assert_eq!(
            run(j, br#"{"x":{"_csrf_token":"A"},"_csrf_token":"B"}"#),
            Ok(Some("B".into()))
        );
        assert_eq!(
            run(j, br#"{"_csrf_token":"T"} x"#),
            Err(RejectReason::MalformedBody)
        );
        assert_eq!(run(j, br#""_csrf_token""#), Ok(None));
    }

    #[cfg(feature = "multipart")]
    fn multipart_body(parts: &[(&str, &str)], close: bool) -> Vec<u8> {
        let mut b = String::new();
        for (name, value) in parts {
            b.push_str(&format!(
                "--XyZ\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            ));
        }
        if close {
            b.push_str("--XyZ--\r\n");
        }
        b.into_bytes()
    }

    #[cfg(feature = "multipart")]
    #[test]
    fn multipart_fields() {
        let m = "multipart/form-data; boundary=XyZ";
        let body = multipart_body(&[("a", "1"), ("_csrf_token", "TOKEN"), ("b", "2")], true);
        assert_eq!(run(m, &body), Ok(Some("TOKEN".into())));
        let body = multipart_body(&[("a", "1")], true);
        assert_eq!(run(m, &body), Ok(None));
        // The whole form is read: a second token field is refused, whichever
        // comes first, and a truncated form is a broken body.
        let body = multipart_body(
            &[("_csrf_token", "A"), ("b", "2"), ("_csrf_token", "B")],
            true,
        );
        assert_eq!(run(m, &body), Err(RejectReason::DuplicateToken));
        let mut body = multipart_body(&[("_csrf_token", "TOKEN")], false);
        body.extend_from_slice(
            b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nunterminated...",
        );
        assert_eq!(run(m, &body), Err(RejectReason::MalformedBody));
        // Oversized token field.
        let long = "A".repeat(2000);
        let body = multipart_body(&[("_csrf_token", &long)], true);
        assert_eq!(run(m, &body), Err(RejectReason::MalformedBody));
        // Missing boundary.
        let body = multipart_body(&[("_csrf_token", "T")], true);
        assert_eq!(
            run("multipart/form-data", &body),
            Err(RejectReason::MalformedBody)
        );
        // Garbage.
        assert_eq!(
            run(m, b"not multipart at all"),
            Err(RejectReason::MalformedBody)
        );
    }
}
