//! The secret cookie's settings, and what a token page's response carries.

use std::time::Duration;

use cookie::SameSite;

use super::CsrfBuilder;

impl CsrfBuilder {
    /// Base name of the secret cookie (default `csrf`). Secure requests use
    /// `__Host-<name>` (or `__Secure-<name>` with a domain or a path other than
    /// `/`); plain http uses the bare name without `Secure`, so local
    /// development over `http://localhost` works.
    ///
    /// ```
    /// # use rampart_core::csrf::Csrf;
    /// assert!(Csrf::builder().key(&[1; 32]).cookie_name("x;y").build().is_err());
    /// ```
    pub fn cookie_name(mut self, name: &str) -> Self {
        self.cookie_name = name.to_string();
        self
    }

    /// Cookie `Path` (default `/`; anything else drops the `__Host-` prefix).
    ///
    /// ```
    /// # use rampart_core::csrf::Csrf;
    /// assert!(Csrf::builder().key(&[1; 32]).cookie_path("app").build().is_err());
    /// ```
    pub fn cookie_path(mut self, p: &str) -> Self {
        self.cookie_path = p.to_string();
        self
    }

    /// Cookie `Domain` (default none; setting one drops the `__Host-` prefix and
    /// exposes the cookie to subdomains, which weakens it against cookie tossing).
    ///
    /// ```
    /// # use rampart_core::csrf::Csrf;
    /// assert!(Csrf::builder().key(&[1; 32]).cookie_domain("example.com").build().is_ok());
    /// ```
    pub fn cookie_domain(mut self, d: &str) -> Self {
        self.cookie_domain = Some(d.to_string());
        self
    }

    /// Lifetime of the secret cookie (default 365 days, like Django and nosurf).
    ///
    /// The cookie is only re-sent when missing, so a short lifetime makes forms
    /// left open across the expiry fail; the secret is HttpOnly and, with
    /// [`session_cookie`](Self::session_cookie), only usable for one session.
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Decision};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// let csrf = Csrf::builder().key(&[1; 32]).cookie_max_age(std::time::Duration::from_secs(12 * 3600))
    ///     .build().unwrap();
    /// # let facts = RequestFacts::new(Scheme::Https, None);
    /// # let (get, _) = http::Request::get("/").body(()).unwrap().into_parts();
    /// # let Decision::Pass(req) = csrf.check(&get, &facts, None) else { panic!() };
    /// req.token().masked();
    /// let mut h = http::HeaderMap::new();
    /// req.finish(&mut h);
    /// assert!(h["set-cookie"].to_str().unwrap().contains("; Max-Age=43200"));
    /// ```
    pub fn cookie_max_age(mut self, d: Duration) -> Self {
        self.cookie_max_age = d;
        self
    }

    /// `SameSite` of the secret cookie (default `Lax`).
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Decision};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// let csrf = Csrf::builder().key(&[1; 32]).same_site(cookie::SameSite::Strict).build().unwrap();
    /// # let facts = RequestFacts::new(Scheme::Https, None);
    /// # let (get, _) = http::Request::get("/").body(()).unwrap().into_parts();
    /// # let Decision::Pass(req) = csrf.check(&get, &facts, None) else { panic!() };
    /// req.token().masked();
    /// let mut h = http::HeaderMap::new();
    /// req.finish(&mut h);
    /// assert!(h["set-cookie"].to_str().unwrap().contains("SameSite=Strict"));
    /// ```
    pub fn same_site(mut self, s: SameSite) -> Self {
        self.same_site = s;
        self
    }

    /// Also sets a JavaScript-readable cookie `csrf-token` holding a masked
    /// token (SameSite=Strict, Secure on https) whenever the secret cookie is
    /// set, for single-page apps that send it back in the header. The secret
    /// cookie stays HttpOnly.
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Decision};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// let csrf = Csrf::builder().key(&[1; 32]).js_readable_cookie(true).build().unwrap();
    /// # let facts = RequestFacts::new(Scheme::Https, None);
    /// # let (get, _) = http::Request::get("/").body(()).unwrap().into_parts();
    /// # let Decision::Pass(req) = csrf.check(&get, &facts, None) else { panic!() };
    /// req.token().masked();
    /// let mut h = http::HeaderMap::new();
    /// req.finish(&mut h);
    /// let cookies: Vec<&str> = h.get_all("set-cookie").iter().map(|v| v.to_str().unwrap()).collect();
    /// assert!(cookies.iter().any(|c| c.starts_with("__Host-csrf=") && c.contains("HttpOnly")));
    /// assert!(cookies.iter().any(|c| c.starts_with("csrf-token=") && !c.contains("HttpOnly")));
    /// ```
    pub fn js_readable_cookie(mut self, yes: bool) -> Self {
        self.js_readable = yes;
        self
    }

    /// The name of the JS-readable token cookie (default `csrf-token`). A
    /// secure headers layer adds `HttpOnly` to every other cookie: list the
    /// new name there too, with
    /// [`CookieHardening::script_readable`](crate::headers::CookieHardening::script_readable).
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Decision};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// let csrf = Csrf::builder().key(&[1; 32]).js_readable_cookie(true).js_cookie_name("XSRF-TOKEN").build().unwrap();
    /// # let facts = RequestFacts::new(Scheme::Http, Some("localhost"));
    /// # let (parts, _) = http::Request::get("/").body(()).unwrap().into_parts();
    /// # let Decision::Pass(req) = csrf.check(&parts, &facts, None) else { panic!() };
    /// let mut h = http::HeaderMap::new();
    /// csrf.finish(&req, &mut h);
    /// assert!(h.get_all("set-cookie").iter().any(|c| c.to_str().unwrap().starts_with("XSRF-TOKEN=")));
    /// assert!(Csrf::builder().key(&[1; 32]).js_cookie_name("bad name").build().is_err());
    /// ```
    pub fn js_cookie_name(mut self, name: &str) -> Self {
        self.js_cookie_name = name.to_string();
        self
    }
}
