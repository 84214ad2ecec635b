//! Hardening of the `Set-Cookie` headers an application emits.

use std::sync::{Arc, OnceLock};

use http::header::SET_COOKIE;
use http::{HeaderMap, HeaderValue};

/// How `Set-Cookie` headers from the application are hardened.
///
/// Each cookie gets `HttpOnly`, `SameSite=Lax` and, on secure requests only,
/// `Secure`, unless it already carries that attribute or its name is excluded.
/// A cookie named `csrf-token` (rampart's JavaScript-readable CSRF cookie) gets
/// no `HttpOnly`, since script must read it, but the rest as any other.
/// Attributes are appended to the original header text, so nothing else in the
/// cookie changes. `Secure` is never added on plain-HTTP responses, where a
/// browser would drop the cookie (Talisman's bug that breaks logins over http).
///
/// ```
/// use rampart_core::headers::CookieHardening;
/// let c = CookieHardening::default().exclude("js_prefs");
/// let mut h = http::HeaderMap::new();
/// h.append("set-cookie", "sid=1; Path=/".parse().unwrap());
/// h.append("set-cookie", "js_prefs=dark".parse().unwrap());
/// c.apply(&mut h, true); // an https response
/// let out: Vec<_> = h.get_all("set-cookie").iter().map(|v| v.to_str().unwrap()).collect();
/// assert_eq!(out, ["sid=1; Path=/; HttpOnly; SameSite=Lax; Secure", "js_prefs=dark"]);
/// ```
#[derive(Debug, Clone)]
pub struct CookieHardening {
    pub(crate) enabled: bool,
    pub(crate) http_only: bool,
    pub(crate) secure: bool,
    pub(crate) same_site: Option<&'static str>,
    pub(crate) exclude: Vec<String>,
    /// Names that get no `HttpOnly` (script must read them); other attributes apply.
    pub(crate) script_readable: Vec<String>,
    /// What hardening adds to a cookie, by its name and attributes.
    verdicts: Verdicts,
}

/// Hardening's verdicts by a cookie's name and attribute text: the value never
/// changes a verdict, so a cookie an app sets on every response (rampart's own
/// CSRF cookie, a session cookie) is parsed once, not per response. Write-once
/// slots, so reading them takes no lock that the server's threads would contend
/// for; bounded, and never refilled: attributes that change per response
/// (`Expires`) or are long (an app echoing request data into `Path`) are not
/// kept, so they cannot fill the slots and leave the steady cookies unkept.
#[derive(Clone, Default)]
struct Verdicts(Arc<[OnceLock<Verdict>; MAX_VERDICTS]>);

struct Verdict {
    name: Box<str>,
    attributes: Box<str>,
    secure_request: bool,
    /// The attributes to append; `None`: leave the cookie as it is.
    extra: Option<Box<str>>,
}

impl Verdict {
    fn is_for(&self, name: &str, attributes: &str, secure_request: bool) -> bool {
        self.secure_request == secure_request
            && *self.name == *name
            && *self.attributes == *attributes
    }
}

/// Most verdicts kept per configuration.
const MAX_VERDICTS: usize = 16;

/// Longest attribute text whose verdict is kept.
const MAX_KEPT_ATTRIBUTES: usize = 256;

impl std::fmt::Debug for Verdicts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Verdicts({} kept)", self.kept().count())
    }
}

impl Verdicts {
    fn kept(&self) -> impl Iterator<Item = &Verdict> {
        self.0.iter().map_while(OnceLock::get)
    }

    fn get(&self, name: &str, attributes: &str, secure_request: bool) -> Option<Option<&str>> {
        self.kept()
            .find(|v| v.is_for(name, attributes, secure_request))
            .map(|v| v.extra.as_deref())
    }

    fn keep(&self, name: &str, attributes: &str, secure_request: bool, extra: Option<&str>) {
        if attributes.len() > MAX_KEPT_ATTRIBUTES
            || attributes
                .as_bytes()
                .windows(b"expires".len())
                .any(|w| w.eq_ignore_ascii_case(b"expires"))
        {
            return;
        }
        let mut verdict = Verdict {
            name: name.into(),
            attributes: attributes.into(),
            secure_request,
            extra: extra.map(Into::into),
        };
        for slot in self.0.iter() {
            if let Some(kept) = slot.get() {
                // Another thread kept the same one first: one copy is enough.
                if kept.is_for(name, attributes, secure_request) {
                    return;
                }
                continue;
            }
            match slot.set(verdict) {
                Ok(()) => return,
                // Taken just now by another thread: try the next one.
                Err(v) => verdict = v,
            }
        }
    }
}

/// The cookie with `extra` attributes after its own.
fn appended(text: &str, extra: &str) -> Option<HeaderValue> {
    let mut s = String::with_capacity(text.len() + extra.len());
    s.push_str(text.trim_end_matches([';', ' ']));
    s.push_str(extra);
    HeaderValue::try_from(s).ok()
}

/// A `Set-Cookie` text's name and its attributes (from the first `;`), the
/// two parts a hardening verdict depends on; `None` when there is no `=`
/// before the attributes (the cookie crate decides what that means).
fn name_and_attributes(text: &str) -> Option<(&str, &str)> {
    let end = text.find(';').unwrap_or(text.len());
    let eq = text[..end].find('=')?;
    Some((&text[..eq], &text[end..]))
}

impl Default for CookieHardening {
    fn default() -> Self {
        Self {
            enabled: true,
            http_only: true,
            secure: true,
            same_site: Some("Lax"),
            exclude: Vec::new(),
            // The CSRF token cookie for single-page apps must stay readable by script.
            script_readable: vec![crate::csrf::JS_COOKIE_NAME.to_string()],
            verdicts: Verdicts::default(),
        }
    }
}

impl CookieHardening {
    /// Leave every `Set-Cookie` alone.
    ///
    /// ```
    /// # use rampart_core::headers::CookieHardening;
    /// let mut h = http::HeaderMap::new();
    /// h.append("set-cookie", "sid=1".parse().unwrap());
    /// CookieHardening::disabled().apply(&mut h, true);
    /// assert_eq!(h["set-cookie"], "sid=1");
    /// ```
    pub fn disabled() -> Self {
        Self {
            enabled: false,
            ..Self::default()
        }
    }

    /// A cookie that script must read, so it gets no `HttpOnly` (its other
    /// attributes still apply): the CSRF layer's JS-readable token cookie
    /// when you rename it with `CsrfBuilder::js_cookie_name` (`csrf-token`,
    /// the default name, is listed already).
    ///
    /// ```
    /// # use rampart_core::headers::CookieHardening;
    /// let mut h = http::HeaderMap::new();
    /// h.insert("set-cookie", "xsrf=abc".parse().unwrap());
    /// CookieHardening::default().script_readable("xsrf").apply(&mut h, false);
    /// assert_eq!(h["set-cookie"], "xsrf=abc; SameSite=Lax");
    /// ```
    pub fn script_readable(self, name: &str) -> Self {
        self.changed(|c| c.script_readable.push(name.to_string()))
    }

    /// Whether to add `HttpOnly` (default true).
    ///
    /// ```
    /// # use rampart_core::headers::CookieHardening;
    /// let mut h = http::HeaderMap::new();
    /// h.append("set-cookie", "sid=1".parse().unwrap());
    /// CookieHardening::default().http_only(false).apply(&mut h, true);
    /// assert_eq!(h["set-cookie"], "sid=1; SameSite=Lax; Secure");
    /// ```
    pub fn http_only(self, yes: bool) -> Self {
        self.changed(|c| c.http_only = yes)
    }

    /// Whether to add `Secure` on secure requests (default true).
    ///
    /// ```
    /// # use rampart_core::headers::CookieHardening;
    /// let mut h = http::HeaderMap::new();
    /// h.append("set-cookie", "sid=1".parse().unwrap());
    /// CookieHardening::default().secure(false).apply(&mut h, true); // even on https
    /// assert_eq!(h["set-cookie"], "sid=1; HttpOnly; SameSite=Lax");
    /// ```
    pub fn secure(self, yes: bool) -> Self {
        self.changed(|c| c.secure = yes)
    }

    /// The `SameSite` value to add to cookies that have none: `Lax` (default),
    /// `Strict`, `None`, or no attribute.
    ///
    /// ```
    /// # use rampart_core::headers::CookieHardening;
    /// use cookie::SameSite;
    /// let mut h = http::HeaderMap::new();
    /// h.insert("set-cookie", "sid=1".parse().unwrap());
    /// CookieHardening::default().same_site(Some(SameSite::Strict)).apply(&mut h, false);
    /// assert_eq!(h["set-cookie"], "sid=1; HttpOnly; SameSite=Strict");
    /// ```
    pub fn same_site(self, value: Option<cookie::SameSite>) -> Self {
        self.changed(|c| {
            c.same_site = value.map(|s| match s {
                cookie::SameSite::Lax => "Lax",
                cookie::SameSite::Strict => "Strict",
                cookie::SameSite::None => "None",
            })
        })
    }

    /// Leaves the cookie with this name untouched.
    ///
    /// ```
    /// # use rampart_core::headers::CookieHardening;
    /// let mut h = http::HeaderMap::new();
    /// h.append("set-cookie", "theme=dark".parse().unwrap());
    /// CookieHardening::default().exclude("theme").apply(&mut h, true);
    /// assert_eq!(h["set-cookie"], "theme=dark");
    /// ```
    pub fn exclude(self, name: &str) -> Self {
        self.changed(|c| c.exclude.push(name.to_string()))
    }

    /// A setting changed: the verdicts of the old settings no longer hold (and
    /// a clone made before keeps its own).
    fn changed(mut self, set: impl FnOnce(&mut Self)) -> Self {
        set(&mut self);
        self.verdicts = Verdicts::default();
        self
    }

    #[doc(hidden)]
    /// Rewrites every `Set-Cookie` in `headers`.
    ///
    /// ```
    /// use rampart_core::headers::CookieHardening;
    /// let mut h = http::HeaderMap::new();
    /// h.append("set-cookie", "sid=1; Path=/".parse().unwrap());
    /// CookieHardening::default().apply(&mut h, false);
    /// assert_eq!(h["set-cookie"], "sid=1; Path=/; HttpOnly; SameSite=Lax");
    /// ```
    pub fn apply(&self, headers: &mut HeaderMap, secure_request: bool) {
        if !self.enabled {
            return;
        }
        let http::header::Entry::Occupied(mut entry) = headers.entry(SET_COOKIE) else {
            return;
        };
        for value in entry.iter_mut() {
            if let Some(new) = self.harden(value, secure_request) {
                *value = new;
            }
        }
    }

    fn harden(&self, value: &HeaderValue, secure_request: bool) -> Option<HeaderValue> {
        let text = value.to_str().ok()?;
        let key = name_and_attributes(text);
        let extra = match key.and_then(|(n, a)| self.verdicts.get(n, a, secure_request)) {
            Some(extra) => extra?,
            None => {
                let extra = self.verdict(text, secure_request)?;
                if let Some((name, attributes)) = key {
                    self.verdicts
                        .keep(name, attributes, secure_request, extra.as_deref());
                }
                return extra.and_then(|extra| appended(text, &extra));
            }
        };
        appended(text, extra)
    }

    /// What to append to this cookie, read by the `cookie` crate: `Some(None)`
    /// when it has every attribute already or is excluded; `None` when the
    /// crate cannot read it (left alone, uncached).
    fn verdict(&self, text: &str, secure_request: bool) -> Option<Option<String>> {
        let parsed = cookie::Cookie::parse(text).ok()?;
        if self.exclude.iter().any(|n| n == parsed.name()) {
            return Some(None);
        }
        let mut extra = String::new();
        if self.http_only
            && parsed.http_only().is_none()
            && !self.script_readable.iter().any(|n| n == parsed.name())
        {
            extra.push_str("; HttpOnly");
        }
        let mut same_site_none = matches!(parsed.same_site(), Some(cookie::SameSite::None));
        if parsed.same_site().is_none() {
            if let Some(ss) = self.same_site {
                extra.push_str("; SameSite=");
                extra.push_str(ss);
                same_site_none = ss == "None";
            }
        }
        // Browsers reject SameSite=None without Secure, so it needs Secure too; but
        // only a secure response can carry it.
        if secure_request && (self.secure || same_site_none) && parsed.secure().is_none() {
            extra.push_str("; Secure");
        }
        Some((!extra.is_empty()).then_some(extra))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(h: &CookieHardening, v: &str, secure: bool) -> String {
        let mut m = HeaderMap::new();
        m.append(SET_COOKIE, v.parse().unwrap());
        h.apply(&mut m, secure);
        m[SET_COOKIE].to_str().unwrap().to_string()
    }

    #[test]
    fn adds_missing_attributes_only() {
        let h = CookieHardening::default();
        assert_eq!(run(&h, "a=1", true), "a=1; HttpOnly; SameSite=Lax; Secure");
        assert_eq!(run(&h, "a=1", false), "a=1; HttpOnly; SameSite=Lax");
        assert_eq!(
            run(&h, "a=1; SameSite=Strict; HttpOnly; Secure", true),
            "a=1; SameSite=Strict; HttpOnly; Secure"
        );
        assert_eq!(
            run(&h, "a=1; Priority=High", false),
            "a=1; Priority=High; HttpOnly; SameSite=Lax"
        );
    }

    #[test]
    fn the_js_token_cookie_stays_readable_but_is_otherwise_hardened() {
        let h = CookieHardening::default();
        assert_eq!(
            run(&h, "csrf-token=t", true),
            "csrf-token=t; SameSite=Lax; Secure"
        );
        assert_eq!(
            run(&h, "csrf-token=t; Secure; SameSite=Strict", true),
            "csrf-token=t; Secure; SameSite=Strict"
        );
    }

    #[test]
    fn excluded_and_unparsable_cookies_are_untouched() {
        let h = CookieHardening::default().exclude("js");
        assert_eq!(run(&h, "js=1", true), "js=1");
        assert_eq!(run(&h, "garbage", true), "garbage");
    }

    #[test]
    fn samesite_none_gets_secure_on_https() {
        let h = CookieHardening::default().secure(false);
        assert_eq!(
            run(&h, "a=1; SameSite=None", true),
            "a=1; SameSite=None; HttpOnly; Secure"
        );
    }

    #[test]
    fn a_remembered_verdict_gives_what_parsing_gives() {
        let h = CookieHardening::default();
        // Same name and attributes, other values: the second is served from
        // the verdicts and hardened alike; the request's security is part of
        // the key.
        assert_eq!(
            run(&h, "sid=1; Path=/", true),
            "sid=1; Path=/; HttpOnly; SameSite=Lax; Secure"
        );
        assert_eq!(
            run(&h, "sid=2; Path=/", true),
            "sid=2; Path=/; HttpOnly; SameSite=Lax; Secure"
        );
        assert_eq!(
            run(&h, "sid=3; Path=/", false),
            "sid=3; Path=/; HttpOnly; SameSite=Lax"
        );
        assert_eq!(
            run(&h, "sid=4; Path=/; HttpOnly; SameSite=Lax", false),
            "sid=4; Path=/; HttpOnly; SameSite=Lax"
        );
        // Another name with the same attributes has its own verdict.
        assert_eq!(
            run(&h, "csrf-token=5; Path=/", false),
            "csrf-token=5; Path=/; SameSite=Lax"
        );
        // A setter on a clone never reuses the verdicts of the old settings.
        let h2 = h.clone().exclude("sid");
        assert_eq!(run(&h2, "sid=6; Path=/", true), "sid=6; Path=/");
        assert_eq!(
            run(&h, "sid=7; Path=/", true),
            "sid=7; Path=/; HttpOnly; SameSite=Lax; Secure"
        );
        // Nor does a setter on the used value itself.
        let h = h.secure(false);
        assert_eq!(
            run(&h, "sid=8; Path=/", true),
            "sid=8; Path=/; HttpOnly; SameSite=Lax"
        );
    }

    #[test]
    fn attributes_that_change_per_response_are_hardened_and_not_kept() {
        let h = CookieHardening::default();
        for i in 0..(MAX_VERDICTS * 2) {
            let v = format!(
                "sid=1; Expires=Wed, 0{} Jan 2031 00:00:{i:02} GMT",
                i % 9 + 1
            );
            assert_eq!(run(&h, &v, false), format!("{v}; HttpOnly; SameSite=Lax"));
            let long = format!("p=1; Path=/{}", "a".repeat(MAX_KEPT_ATTRIBUTES + i));
            assert_eq!(
                run(&h, &long, false),
                format!("{long}; HttpOnly; SameSite=Lax")
            );
        }
        assert_eq!(h.verdicts.kept().count(), 0);
        // The steady cookie is still kept after them, once however often it comes.
        for _ in 0..3 {
            assert_eq!(
                run(&h, "csrf=x; Path=/", false),
                "csrf=x; Path=/; HttpOnly; SameSite=Lax"
            );
        }
        assert_eq!(h.verdicts.kept().count(), 1);
    }

    #[test]
    fn past_the_bound_cookies_are_still_hardened() {
        let h = CookieHardening::default();
        for i in 0..(MAX_VERDICTS * 2) {
            let v = format!("c{i}=1; Path=/");
            assert_eq!(
                run(&h, &v, true),
                format!("{v}; HttpOnly; SameSite=Lax; Secure")
            );
        }
        assert_eq!(h.verdicts.kept().count(), MAX_VERDICTS);
    }
}
