//! The secret cookie (and the optional JavaScript-readable token cookie):
//! names by request security, reading from `Cookie`, building `Set-Cookie`.

use cookie::{Cookie, SameSite};
use http::HeaderValue;

use super::token::{decode_secret, Secret};

/// Cookie settings, fixed at build time.
#[derive(Debug, Clone)]
pub(crate) struct CookieSettings {
    pub(crate) name: String,
    pub(crate) path: String,
    pub(crate) domain: Option<String>,
    pub(crate) max_age_secs: i64,
    pub(crate) same_site: SameSite,
    pub(crate) js_readable: bool,
    pub(crate) js_name: String,
    /// The secret's `Set-Cookie` text before and after its value, for plain
    /// http (`[0]`) and https (`[1]`), from [`split_secret_cookie`](Self::split_secret_cookie)
    /// when the layer is built; empty: the `cookie` crate writes each one.
    pub(crate) secret_parts: [(String, String); 2],
}

/// Stands for the secret while the `Set-Cookie` text is split around it.
const PLACEHOLDER: &str = "rampart0secret0placeholder";

/// At most this many same-named secret cookies are considered (cookie tossing
/// can add extra ones with longer paths).
const MAX_CANDIDATES: usize = 4;

impl CookieSettings {
    /// The secret cookie's name for a request of the given security:
    /// `__Host-` on https with Path=/ and no Domain, `__Secure-` on https
    /// otherwise, the bare name on plain http.
    pub(crate) fn secret_name(&self, secure: bool) -> String {
        if !secure {
            self.name.clone()
        } else if self.domain.is_none() && self.path == "/" {
            format!("__Host-{}", self.name)
        } else {
            format!("__Secure-{}", self.name)
        }
    }

    /// Whether `candidate` is the secret cookie's name for a request of the
    /// given security (as [`secret_name`](Self::secret_name), without allocating).
    fn is_secret_name(&self, candidate: &str, secure: bool) -> bool {
        let prefix = if !secure {
            ""
        } else if self.domain.is_none() && self.path == "/" {
            "__Host-"
        } else {
            "__Secure-"
        };
        candidate.len() == prefix.len() + self.name.len()
            && candidate.starts_with(prefix)
            && candidate.ends_with(self.name.as_str())
    }

    /// Valid secrets from the request's `Cookie` headers, in order.
    ///
    /// Read on every checked request; only a secret that is found is copied.
    pub(crate) fn read_secrets<'a>(
        &self,
        cookie_headers: impl IntoIterator<Item = &'a HeaderValue>,
        secure: bool,
    ) -> Vec<Secret> {
        let mut out = Vec::new();
        for (name, value) in cookie_pairs(cookie_headers) {
            if !self.is_secret_name(name, secure) {
                continue;
            }
            if let Some(s) = decode_secret(value) {
                if !out.contains(&s) {
                    out.push(s);
                }
            }
            if out.len() >= MAX_CANDIDATES {
                break;
            }
        }
        out
    }

    fn base<'c>(&self, name: String, value: String, secure: bool) -> cookie::CookieBuilder<'c> {
        let mut b = Cookie::build((name, value))
            .path(self.path.clone())
            .secure(secure)
            .max_age(cookie::time::Duration::seconds(self.max_age_secs));
        if let Some(d) = &self.domain {
            b = b.domain(d.clone());
        }
        b
    }

    /// `Set-Cookie` for the secret.
    pub(crate) fn secret_set_cookie(
        &self,
        secret_b64: String,
        secure: bool,
    ) -> Option<HeaderValue> {
        let (before, after) = &self.secret_parts[usize::from(secure)];
        if before.is_empty() {
            return header_value(self.secret_cookie(secret_b64, secure));
        }
        let mut text = String::with_capacity(before.len() + secret_b64.len() + after.len());
        text.push_str(before);
        text.push_str(&secret_b64);
        text.push_str(after);
        match HeaderValue::from_str(&text) {
            Ok(v) => Some(v),
            Err(_) => header_value(self.secret_cookie(secret_b64, secure)),
        }
    }

    /// The secret's `Set-Cookie` text split around its value, serialised once
    /// by the `cookie` crate with a placeholder for the value. Empty where the
    /// placeholder does not stand exactly once (a cookie name could hold it).
    pub(crate) fn split_secret_cookie(&self) -> [(String, String); 2] {
        [false, true].map(|secure| {
            let text = self
                .secret_cookie(PLACEHOLDER.to_owned(), secure)
                .to_string();
            match text.split_once(PLACEHOLDER) {
                Some((before, after)) if !after.contains(PLACEHOLDER) => {
                    (before.to_owned(), after.to_owned())
                }
                _ => (String::new(), String::new()),
            }
        })
    }

    fn secret_cookie(&self, secret_b64: String, secure: bool) -> Cookie<'static> {
        self.base(self.secret_name(secure), secret_b64, secure)
            .http_only(true)
            .same_site(self.same_site)
            .build()
    }

    /// `Set-Cookie` for the JavaScript-readable masked token.
    pub(crate) fn js_set_cookie(&self, masked: String, secure: bool) -> Option<HeaderValue> {
        let c = self
            .base(self.js_name.clone(), masked, secure)
            .http_only(false)
            .same_site(SameSite::Strict)
            .build();
        header_value(c)
    }
}

fn header_value(c: Cookie<'_>) -> Option<HeaderValue> {
    match HeaderValue::from_str(&c.to_string()) {
        Ok(v) => Some(v),
        Err(_) => {
            tracing::warn!(
                cookie = c.name(),
                "rampart csrf: could not encode a Set-Cookie header"
            );
            None
        }
    }
}

/// Every `(name, value)` pair in the request's `Cookie` headers, in order,
/// borrowed from the headers. Splits and trims as `cookie::Cookie::split_parse`
/// does (pieces without `=` or with an empty name are skipped), without
/// allocating; separators are found with `memchr`. Names must be ASCII (a
/// pair whose name is not is skipped); values are raw bytes, checked only by
/// whoever reads one (a secret must be 43 base64url characters).
pub(crate) fn cookie_pairs<'a>(
    cookie_headers: impl IntoIterator<Item = &'a HeaderValue>,
) -> impl Iterator<Item = (&'a str, &'a [u8])> {
    cookie_headers.into_iter().flat_map(|h| {
        let bytes = h.as_bytes();
        let mut start = 0;
        memchr::memchr_iter(b';', bytes)
            .chain(std::iter::once(bytes.len()))
            .filter_map(move |end| {
                let piece = bytes[start..end].trim_ascii();
                start = end + 1;
                let eq = memchr::memchr(b'=', piece)?;
                let name = piece[..eq].trim_ascii();
                let value = piece[eq + 1..].trim_ascii();
                if name.is_empty() || !name.is_ascii() {
                    return None;
                }
                Some((std::str::from_utf8(name).ok()?, value))
            })
    })
}

/// Whether `name` can be used as a cookie name.
pub(crate) fn valid_cookie_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csrf::token::{encode_secret, new_secret};

    /// `cookie_pairs` against `Cookie::split_parse` on one header value.
    fn same_split(input: &str) {
        let h = HeaderValue::from_str(input).unwrap();
        let ours: Vec<(String, String)> = cookie_pairs([&h])
            .map(|(n, v)| (n.to_string(), String::from_utf8(v.to_vec()).unwrap()))
            .collect();
        let theirs: Vec<(String, String)> = Cookie::split_parse(input)
            .filter_map(Result::ok)
            .map(|c| (c.name().to_string(), c.value().to_string()))
            .collect();
        assert_eq!(ours, theirs, "{input:?}");
    }

    proptest::proptest! {
        #[test]
        fn cookie_pairs_split_like_the_cookie_crate_on_any_ascii(input in "[ a-z=;\t\"]{0,40}") {
            same_split(&input);
        }
    }

    #[test]
    fn cookie_pairs_split_like_the_cookie_crate() {
        let inputs = [
            "a=1; b = 2 ;c=3=4; =x; novalue; d=",
            "  csrf=abc  ;;; ;x=\"q\"",
            "",
            "only",
            "k=v;",
        ];
        for input in inputs {
            same_split(input);
        }
        // Across headers, in order; a name that is not ASCII is skipped alone,
        // values come as they are.
        let one = HeaderValue::from_static("a=1");
        let two = HeaderValue::from_bytes(b"\xc3\xa9=x; b=\xc3\xa9; c=3").unwrap();
        let pairs: Vec<_> = cookie_pairs([&one, &two]).collect();
        assert_eq!(
            pairs,
            [("a", &b"1"[..]), ("b", &b"\xc3\xa9"[..]), ("c", &b"3"[..])]
        );
    }

    fn settings() -> CookieSettings {
        CookieSettings {
            name: "csrf".into(),
            path: "/".into(),
            domain: None,
            max_age_secs: 3600,
            same_site: SameSite::Lax,
            js_readable: false,
            js_name: crate::csrf::JS_COOKIE_NAME.into(),
            secret_parts: Default::default(),
        }
    }

    #[test]
    fn names_follow_security_and_scope() {
        let mut s = settings();
        assert_eq!(s.secret_name(true), "__Host-csrf");
        assert_eq!(s.secret_name(false), "csrf");
        s.domain = Some("example.com".into());
        assert_eq!(s.secret_name(true), "__Secure-csrf");
        s.domain = None;
        s.path = "/app".into();
        assert_eq!(s.secret_name(true), "__Secure-csrf");
    }

    #[test]
    fn the_secret_cookie_is_the_cookie_crates_text() {
        for domain in [None, Some("example.com".to_owned())] {
            let mut s = CookieSettings {
                domain,
                ..settings()
            };
            s.secret_parts = s.split_secret_cookie();
            assert!(s.secret_parts.iter().all(|(before, _)| !before.is_empty()));
            for secure in [false, true] {
                let secret = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ".to_owned();
                let want = s.secret_cookie(secret.clone(), secure).to_string();
                let got = s.secret_set_cookie(secret, secure).unwrap();
                assert_eq!(got.to_str().unwrap(), want);
            }
        }
    }

    #[test]
    fn a_name_holding_the_placeholder_still_gets_the_crates_text() {
        let mut s = CookieSettings {
            name: format!("x{PLACEHOLDER}"),
            ..settings()
        };
        s.secret_parts = s.split_secret_cookie();
        assert_eq!(s.secret_parts[0], Default::default());
        let want = s.secret_cookie("abc".into(), false).to_string();
        assert_eq!(
            s.secret_set_cookie("abc".into(), false)
                .unwrap()
                .to_str()
                .unwrap(),
            want
        );
    }

    #[test]
    fn set_cookie_attributes() {
        let s = settings();
        let v = s.secret_set_cookie("abc".into(), true).unwrap();
        let v = v.to_str().unwrap();
        assert!(v.starts_with("__Host-csrf=abc"), "{v}");
        for part in [
            "Path=/",
            "Secure",
            "HttpOnly",
            "SameSite=Lax",
            "Max-Age=3600",
        ] {
            assert!(v.contains(part), "{v} lacks {part}");
        }
        let v = s.secret_set_cookie("abc".into(), false).unwrap();
        let v = v.to_str().unwrap();
        assert!(
            v.starts_with("csrf=abc") && !v.contains("Secure") && v.contains("HttpOnly"),
            "{v}"
        );
        let v = s.js_set_cookie("tok".into(), true).unwrap();
        let v = v.to_str().unwrap();
        assert!(
            v.starts_with("csrf-token=tok")
                && v.contains("SameSite=Strict")
                && v.contains("Secure")
        );
        assert!(!v.contains("HttpOnly"));
    }

    #[test]
    fn reads_secret_matching_security() {
        let s = settings();
        let secret = new_secret();
        let enc = encode_secret(&secret);
        let mut h = http::HeaderMap::new();
        h.insert(
            http::header::COOKIE,
            format!("a=b; __Host-csrf={enc}").parse().unwrap(),
        );
        assert_eq!(
            s.read_secrets(h.get_all(http::header::COOKIE), true),
            vec![secret]
        );
        assert!(s
            .read_secrets(h.get_all(http::header::COOKIE), false)
            .is_empty());
        let mut h = http::HeaderMap::new();
        h.append(http::header::COOKIE, "csrf=garbage".parse().unwrap());
        h.append(http::header::COOKIE, format!("csrf={enc}").parse().unwrap());
        assert_eq!(
            s.read_secrets(h.get_all(http::header::COOKIE), false),
            vec![secret]
        );
    }

    #[test]
    fn cookie_names() {
        assert!(valid_cookie_name("csrf"));
        assert!(valid_cookie_name("my_session-1"));
        assert!(!valid_cookie_name(""));
        assert!(!valid_cookie_name("a b"));
        assert!(!valid_cookie_name("a=b"));
        assert!(!valid_cookie_name("a;b"));
    }
}
