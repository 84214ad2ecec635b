//! The HTTPS redirect: when to send it and where to.

use http::{HeaderValue, Method, StatusCode, Uri};

use crate::{ConfigError, Exemptions, RequestFacts};

/// HTTPS redirect settings.
///
/// ```
/// use rampart_core::headers::HttpsRedirect;
/// # use rampart_core::headers::{RedirectDecision, SecureHeaders};
/// # use rampart_core::ConnectionInfo;
/// let r = HttpsRedirect::default().https_port(8443).allowed_hosts(["shop.example"]);
/// let sh = SecureHeaders::builder().https_redirect(r).build().unwrap();
/// # let decide = |uri: &str| {
/// #     let req = http::Request::get(uri).body(()).unwrap();
/// #     sh.redirect(req.method(), req.uri(), &sh.facts(ConnectionInfo::default(), req.uri(), req.headers()), None)
/// # };
/// let RedirectDecision::Redirect { status, location } = decide("http://shop.example/cart") else { panic!() };
/// assert_eq!(status, 301);
/// assert_eq!(location, "https://shop.example:8443/cart");
/// assert!(matches!(decide("http://evil.example/"), RedirectDecision::BadHost(_)));
/// ```
#[derive(Debug, Clone)]
pub struct HttpsRedirect {
    pub(crate) enabled: bool,
    pub(crate) https_port: Option<u16>,
    pub(crate) allowed_hosts: Option<Vec<String>>,
    pub(crate) exempt: Exemptions,
    problems: Vec<ConfigError>,
}

impl Default for HttpsRedirect {
    fn default() -> Self {
        Self {
            enabled: true,
            https_port: None,
            allowed_hosts: None,
            exempt: Exemptions::default(),
            problems: Vec::new(),
        }
    }
}

impl HttpsRedirect {
    /// No redirect at all (TLS is enforced elsewhere, or never).
    ///
    /// ```
    /// # use rampart_core::headers::{HttpsRedirect, RedirectDecision, SecureHeaders};
    /// # use rampart_core::ConnectionInfo;
    /// let sh = SecureHeaders::builder().https_redirect(HttpsRedirect::disabled()).build().unwrap();
    /// let req = http::Request::get("http://shop.example/").body(()).unwrap();
    /// let facts = sh.facts(ConnectionInfo::default(), req.uri(), req.headers());
    /// assert_eq!(sh.redirect(req.method(), req.uri(), &facts, None), RedirectDecision::Continue);
    /// ```
    pub fn disabled() -> Self {
        Self {
            enabled: false,
            ..Self::default()
        }
    }

    /// The port of the HTTPS listener, when it is not 443. The `Location` uses it
    /// instead of the port of the plain-HTTP request.
    ///
    /// ```
    /// # use rampart_core::headers::{HttpsRedirect, RedirectDecision, SecureHeaders};
    /// # use rampart_core::ConnectionInfo;
    /// let sh = SecureHeaders::builder().https_redirect(HttpsRedirect::default().https_port(8443)).build().unwrap();
    /// let req = http::Request::post("http://shop.example:8080/pay").body(()).unwrap();
    /// let facts = sh.facts(ConnectionInfo::default(), req.uri(), req.headers());
    /// let RedirectDecision::Redirect { status, location } = sh.redirect(req.method(), req.uri(), &facts, None)
    ///     else { panic!() };
    /// assert_eq!(status, 308);
    /// assert_eq!(location, "https://shop.example:8443/pay");
    /// ```
    pub fn https_port(mut self, port: u16) -> Self {
        self.https_port = Some(port);
        self
    }

    /// Only redirect requests for these host names (no port); a request naming
    /// another host (in `Host`, or in a trusted proxy's `X-Forwarded-Host`) gets
    /// `400 Bad Request` and no `Location`, so a forged host cannot send the
    /// client elsewhere. Without this list the redirect goes to whatever valid
    /// host the request names, and building the set logs a warning.
    ///
    /// ```
    /// # use rampart_core::headers::{HttpsRedirect, SecureHeaders};
    /// assert!(SecureHeaders::builder().https_redirect(HttpsRedirect::default().allowed_hosts(["Shop.example", "[::1]"])).build().is_ok());
    /// assert!(SecureHeaders::builder().https_redirect(HttpsRedirect::default().allowed_hosts(["bad host"])).build().is_err());
    /// assert!(SecureHeaders::builder().https_redirect(HttpsRedirect::default().allowed_hosts(["shop.example:443"])).build().is_err());
    /// assert!(SecureHeaders::builder().https_redirect(HttpsRedirect::default().allowed_hosts(["evil.example;"])).build().is_err());
    /// ```
    pub fn allowed_hosts<I, S>(mut self, hosts: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        // Given again, the new list replaces the old one, mistakes included.
        self.problems.clear();
        let mut list = Vec::new();
        for h in hosts {
            let h = h.as_ref().trim().to_ascii_lowercase();
            let bare = h.starts_with('[') && h.ends_with(']') || !h.contains(':');
            if !bare || !crate::request::valid_host(&h) {
                self.problems.push(ConfigError::new(
                    "https_redirect.allowed_hosts",
                    format!("`{h}` is not a host name; list bare names such as shop.example or [2001:db8::1] (no scheme, port or path)"),
                ));
                continue;
            }
            list.push(h);
        }
        self.allowed_hosts = Some(list);
        self
    }

    /// Requests that are never redirected (path prefixes or a predicate: the
    /// redirect runs before routing, so a route exemption is a build error).
    ///
    /// ```
    /// # use rampart_core::headers::{HttpsRedirect, RedirectDecision, SecureHeaders};
    /// # use rampart_core::{ConnectionInfo, Exemptions};
    /// let r = HttpsRedirect::default().exempt(Exemptions::new().path_prefix("/health"));
    /// let sh = SecureHeaders::builder().https_redirect(r).build().unwrap();
    /// let req = http::Request::get("http://shop.example/health/live").body(()).unwrap();
    /// let facts = sh.facts(ConnectionInfo::default(), req.uri(), req.headers());
    /// assert_eq!(sh.redirect(req.method(), req.uri(), &facts, None), RedirectDecision::Continue);
    /// ```
    pub fn exempt(mut self, exempt: Exemptions) -> Self {
        self.exempt = exempt;
        self
    }

    /// Every mistake in these settings, for the header set's `build()`.
    pub(crate) fn problems(&self) -> Vec<ConfigError> {
        let mut out = self.problems.clone();
        out.extend(self.exempt.problems(false, "https_redirect.exempt"));
        out
    }
}

/// What to do with a plain-HTTP request before the application sees it.
///
/// ```
/// use rampart_core::headers::RedirectDecision;
/// let d = RedirectDecision::Continue;
/// assert!(matches!(d, RedirectDecision::Continue));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedirectDecision {
    /// Serve the request.
    Continue,
    /// Redirect: 301 for GET/HEAD, 308 for other methods (keeps method and body).
    Redirect {
        /// 301 or 308.
        status: StatusCode,
        /// The https URL.
        location: HeaderValue,
    },
    /// The host is missing, invalid or not allowed: answer 400 with this reason.
    BadHost(&'static str),
}

impl HttpsRedirect {
    /// Logs, when a set is built, that a redirect without an allowed-host list
    /// sends clients to any host a request names.
    pub(crate) fn warn_if_open(&self) {
        if self.enabled && self.allowed_hosts.is_none() {
            tracing::warn!(
                "rampart: the HTTPS redirect is on and no allowed hosts are set, so a request \
                 naming any host (its Host header, or an X-Forwarded-Host a proxy passes through) \
                 is redirected to that host: a cache can store such a redirect and send visitors \
                 elsewhere. Set HttpsRedirect::allowed_hosts([\"your.host\"]) (the seed apps: \
                 --allowed-host HOST)"
            );
        }
    }

    /// Decides for one request. `parts` is needed only when a predicate is set.
    pub(crate) fn decide(
        &self,
        method: &Method,
        uri: &Uri,
        facts: &RequestFacts,
        parts: Option<&http::request::Parts>,
    ) -> RedirectDecision {
        // Loopback hosts are served over http for local development, but not
        // through a proxy: behind one, `Host` is often the proxy's upstream
        // address (nginx's default), which would exempt every request.
        if !self.enabled
            || facts.secure()
            || facts.is_loopback_host() && !facts.from_trusted_proxy()
        {
            return RedirectDecision::Continue;
        }
        if self.exempt.matches_path(uri.path()) {
            return RedirectDecision::Continue;
        }
        if self.exempt.has_predicate() && parts.is_some_and(|p| self.exempt.matches_parts(p)) {
            return RedirectDecision::Continue;
        }
        // `facts.host` holds only hosts that pass `request::valid_host`, so
        // nothing but a DNS name or IP literal is written into `Location`.
        let Some(hostname) = facts.hostname() else {
            return RedirectDecision::BadHost(
                "the request has no valid Host header, so it cannot be redirected to https",
            );
        };
        if let Some(allowed) = &self.allowed_hosts {
            if !allowed.iter().any(|h| h == hostname) {
                return RedirectDecision::BadHost(
                    "the Host header names a host this server does not serve",
                );
            }
        }
        let mut location = String::with_capacity(16 + hostname.len() + uri.path().len());
        location.push_str("https://");
        location.push_str(hostname);
        if let Some(port) = self.https_port.filter(|p| *p != 443) {
            location.push(':');
            location.push_str(&port.to_string());
        }
        // `OPTIONS *` and other targets that are no path redirect to the root.
        location.push_str(
            uri.path_and_query()
                .map(|pq| pq.as_str())
                .filter(|pq| pq.starts_with('/'))
                .unwrap_or("/"),
        );
        let status = if method == Method::GET || method == Method::HEAD {
            StatusCode::MOVED_PERMANENTLY
        } else {
            StatusCode::PERMANENT_REDIRECT
        };
        match HeaderValue::try_from(location) {
            Ok(location) => RedirectDecision::Redirect { status, location },
            Err(_) => {
                RedirectDecision::BadHost("the request target cannot be turned into an https URL")
            }
        }
    }
}
