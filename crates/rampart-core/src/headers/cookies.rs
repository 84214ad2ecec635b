//! Hardening of the `Set-Cookie` headers an application emits.

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
    pub fn script_readable(mut self, name: &str) -> Self {
        self.script_readable.push(name.to_string());
        self
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
    pub fn http_only(mut self, yes: bool) -> Self {
        self.http_only = yes;
        self
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
    pub fn secure(mut self, yes: bool) -> Self {
        self.secure = yes;
        self
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
    pub fn same_site(mut self, value: Option<cookie::SameSite>) -> Self {
        self.same_site = value.map(|s| match s {
            cookie::SameSite::Lax => "Lax",
            cookie::SameSite::Strict => "Strict",
            cookie::SameSite::None => "None",
        });
        self
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
    pub fn exclude(mut self, name: &str) -> Self {
        self.exclude.push(name.to_string());
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
        let parsed = cookie::Cookie::parse(text).ok()?;
        if self.exclude.iter().any(|n| n == parsed.name()) {
            return None;
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
        if extra.is_empty() {
            return None;
        }
        let mut s = String::with_capacity(text.len() + extra.len());
        s.push_str(text.trim_end_matches([';', ' ']));
        s.push_str(&extra);
        HeaderValue::try_from(s).ok()
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
}
