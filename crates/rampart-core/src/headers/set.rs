//! [`SecureHeaders`]: the built set, and how it writes a response's headers.

use std::sync::Arc;

use http::header::{self, HeaderName};
use http::{HeaderMap, HeaderValue, Method, Uri};

use super::{
    overrides, CookieHardening, CspOverride, HttpsRedirect, Overrides, RedirectDecision,
    SecureHeadersBuilder,
};
use crate::csp::{Csp, RequestNonces};
use crate::{ConnectionInfo, ProxyTrust, RequestFacts};

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) redirect: HttpsRedirect,
    pub(crate) proxy_trust: ProxyTrust,
    pub(crate) always: Vec<(HeaderName, HeaderValue)>,
    /// `always` (plus HSTS in `[1]`, for secure requests) as ready-made maps:
    /// cloning one copies the stored hashes instead of hashing every name again.
    pub(crate) templates: [Template; 2],
    pub(crate) hsts: Option<HeaderValue>,
    pub(crate) csp: Option<Csp>,
    pub(crate) cookies: CookieHardening,
    pub(crate) override_existing: bool,
    pub(crate) nonce_cache_control: Option<HeaderValue>,
    /// Requests get a shared [`RequestScope`](crate::RequestScope): the policy
    /// takes nonces (the handler's must reach the header) or a proxy is trusted
    /// (a CSRF layer inside reuses facts its own trust could not work out).
    pub(crate) share_scope: bool,
}

/// The compiled secure header set. Cheap to clone (one `Arc`).
///
/// ```
/// use rampart_core::headers::SecureHeaders;
/// let sh = SecureHeaders::default();
/// let names: Vec<_> = sh.header_values().into_iter().map(|(n, _)| n.to_string()).collect();
/// assert!(names.contains(&"content-security-policy".to_string()));
/// ```
#[derive(Debug, Clone)]
pub struct SecureHeaders {
    pub(crate) inner: Arc<Inner>,
}

impl Default for SecureHeaders {
    /// The safe choice: every default listed in the module docs.
    fn default() -> Self {
        SecureHeadersBuilder::default()
            .build()
            .expect("rampart's default configuration is valid (covered by tests)")
    }
}

impl SecureHeaders {
    /// Starts from the secure defaults.
    ///
    /// ```
    /// # use rampart_core::headers::SecureHeaders;
    /// let sh = SecureHeaders::builder().build().unwrap();
    /// assert_eq!(sh.header_values(), SecureHeaders::default().header_values());
    /// ```
    pub fn builder() -> SecureHeadersBuilder {
        SecureHeadersBuilder::default()
    }

    #[doc(hidden)]
    /// Whether [`inbound`](Self::inbound) hands out shared scopes: the policy
    /// takes nonces or a proxy is trusted (see [`RequestScope`](crate::RequestScope)).
    ///
    /// ```
    /// use rampart_core::csp::{Csp, Policy};
    /// use rampart_core::headers::SecureHeaders;
    /// use rampart_core::{ProxyHeaders, ProxyTrust};
    /// assert!(!SecureHeaders::default().shares_scope());
    /// let nonce = Csp::builder(Policy::strict()).nonce_in(["script-src"]);
    /// assert!(SecureHeaders::builder().csp(Some(nonce)).build().unwrap().shares_scope());
    /// let proxied = SecureHeaders::builder().proxy_trust(ProxyTrust::loopback(ProxyHeaders::X_FORWARDED)).build().unwrap();
    /// assert!(proxied.shares_scope());
    /// ```
    pub fn shares_scope(&self) -> bool {
        self.inner.share_scope
    }

    #[doc(hidden)]
    /// Facts about a request under this layer's proxy trust.
    ///
    /// ```
    /// # use rampart_core::headers::SecureHeaders;
    /// # use rampart_core::ConnectionInfo;
    /// let req = http::Request::get("http://a.example/").body(()).unwrap();
    /// assert!(!SecureHeaders::default().facts(ConnectionInfo::default(), req.uri(), req.headers()).secure());
    /// ```
    pub fn facts(&self, conn: ConnectionInfo, uri: &Uri, headers: &HeaderMap) -> RequestFacts {
        self.inner.proxy_trust.facts(conn, uri, headers)
    }

    #[doc(hidden)]
    /// The proxy trust this set was built with.
    ///
    /// ```
    /// # use rampart_core::headers::SecureHeaders;
    /// assert!(!SecureHeaders::default().proxy_trust().trusts(None));
    /// ```
    pub fn proxy_trust(&self) -> &ProxyTrust {
        &self.inner.proxy_trust
    }

    #[doc(hidden)]
    /// Whether the redirect decision needs the request parts (a predicate is set).
    ///
    /// ```
    /// # use rampart_core::headers::SecureHeaders;
    /// assert!(!SecureHeaders::default().redirect_needs_parts());
    /// ```
    pub fn redirect_needs_parts(&self) -> bool {
        self.inner.redirect.exempt.has_predicate()
    }

    #[doc(hidden)]
    /// Decides whether to redirect a request to https before the app sees it.
    ///
    /// ```
    /// use rampart_core::headers::{RedirectDecision, SecureHeaders};
    /// use rampart_core::ConnectionInfo;
    /// let sh = SecureHeaders::default();
    /// let req = http::Request::post("http://a.example/login?x=1").body(()).unwrap();
    /// let facts = sh.facts(ConnectionInfo::default(), req.uri(), req.headers());
    /// match sh.redirect(req.method(), req.uri(), &facts, None) {
    ///     RedirectDecision::Redirect { status, location } => {
    ///         assert_eq!(status, 308);
    ///         assert_eq!(location, "https://a.example/login?x=1");
    ///     }
    ///     other => panic!("{other:?}"),
    /// }
    /// ```
    pub fn redirect(
        &self,
        method: &Method,
        uri: &Uri,
        facts: &RequestFacts,
        parts: Option<&http::request::Parts>,
    ) -> RedirectDecision {
        self.inner.redirect.decide(method, uri, facts, parts)
    }

    /// The compiled CSP, if any.
    ///
    /// ```
    /// # use rampart_core::headers::SecureHeaders;
    /// assert!(SecureHeaders::default().csp().is_some());
    /// ```
    pub fn csp(&self) -> Option<&Csp> {
        self.inner.csp.as_ref()
    }

    #[doc(hidden)]
    /// Writes the header set into a response's headers.
    ///
    /// `nonces` are the cells handed to the app for this request; a nonce appears
    /// in the CSP only if the app generated it. `overrides` come from a route
    /// layer or the handler's response.
    ///
    /// ```
    /// use rampart_core::headers::{Overrides, SecureHeaders};
    /// # use rampart_core::ConnectionInfo;
    /// let sh = SecureHeaders::default();
    /// let req = http::Request::get("http://localhost/").body(()).unwrap();
    /// let facts = sh.facts(ConnectionInfo::default(), req.uri(), req.headers());
    /// let mut h = http::HeaderMap::new();
    /// h.insert("x-frame-options", "DENY".parse().unwrap());
    /// sh.apply(&facts, None, Some(&Overrides::new().csp_off()), &mut h);
    /// assert_eq!(h["x-frame-options"], "DENY"); // the handler's own value wins
    /// assert!(!h.contains_key("content-security-policy"));
    /// assert!(!h.contains_key("strict-transport-security")); // plain http
    /// ```
    pub fn apply(
        &self,
        facts: &RequestFacts,
        nonces: Option<&RequestNonces>,
        overrides: Option<&Overrides>,
        headers: &mut HeaderMap,
    ) {
        let inner = &*self.inner;
        let overwrite = inner.override_existing;
        if overrides.is_none() && headers.len() <= FEW_HEADERS {
            self.apply_from_template(facts, nonces, headers);
            return;
        }
        let nonces = overrides.and_then(|o| o.nonces.as_ref()).or(nonces);
        let private = self.owes_private(nonces, headers);
        // One growth of the map instead of several while inserting (+2: HSTS, CSP).
        // A failed reservation only means the inserts grow the map themselves.
        let _ = headers.try_reserve(inner.always.len() + 2);
        for (name, value) in &inner.always {
            insert(headers, name, value, overwrite);
        }
        if facts.secure() {
            if let Some(hsts) = &inner.hsts {
                insert(headers, &header::STRICT_TRANSPORT_SECURITY, hsts, overwrite);
            }
        }
        if let Some(cc) = private {
            headers.insert(header::CACHE_CONTROL, cc.clone());
        }
        match overrides.and_then(|o| o.csp.as_ref()) {
            Some(CspOverride::Off) => {}
            Some(CspOverride::Replace(csp)) => csp.write_headers(headers, nonces, true),
            None => {
                if let Some(csp) = &inner.csp {
                    csp.write_headers(headers, nonces, overwrite);
                }
            }
        }
        if let Some(o) = overrides {
            for op in &o.ops {
                match op {
                    overrides::HeaderOp::Set(n, v) => {
                        headers.insert(n.clone(), v.clone());
                    }
                    overrides::HeaderOp::Remove(n) => {
                        headers.remove(n);
                    }
                }
            }
        }
        inner.cookies.apply(headers, facts.secure());
    }

    /// `apply` without overrides, for a response with few headers of its own
    /// (the usual case): start from a clone of the prebuilt map and move the
    /// handler's headers into it, so only the handler's few names are hashed.
    /// The result equals inserting the set into the handler's map: handler
    /// values win (all of them, in order) unless `override_existing` is on.
    fn apply_from_template(
        &self,
        facts: &RequestFacts,
        nonces: Option<&RequestNonces>,
        headers: &mut HeaderMap,
    ) {
        let inner = &*self.inner;
        let overwrite = inner.override_existing;
        let template = &inner.templates[usize::from(facts.secure())];
        let private = self.owes_private(nonces, headers);
        let mut out = template.map.clone();
        let mut current: Option<HeaderName> = None;
        // CSP headers the handler set itself (bit per header of the policy).
        let mut handler_csp = 0u32;
        for (name, value) in std::mem::take(headers) {
            match name {
                // The first value of a name (later values come with `None`)
                // replaces ours, unless ours are configured to win.
                Some(name) if overwrite && out.contains_key(&name) => current = None,
                Some(name) => {
                    handler_csp |= inner.csp.as_ref().map_or(0, |c| c.header_bit(&name));
                    out.insert(name.clone(), value);
                    current = Some(name);
                }
                None => {
                    if let Some(name) = &current {
                        out.append(name.clone(), value);
                    }
                }
            }
        }
        // The template holds the CSP without a nonce; splice one in only if the
        // page used it, and never over a CSP header the handler set itself.
        if let Some(csp) = &inner.csp {
            if csp.nonce_used(nonces) {
                csp.write_headers_except(&mut out, nonces, handler_csp);
            }
        }
        if let Some(cc) = private {
            out.insert(header::CACHE_CONTROL, cc.clone());
        }
        *headers = out;
        inner.cookies.apply(headers, facts.secure());
    }

    /// The headers this set sends on a secure response without nonces, for
    /// printing at startup.
    ///
    /// ```
    /// # use rampart_core::headers::SecureHeaders;
    /// for (name, value) in SecureHeaders::default().header_values() {
    ///     println!("{name}: {value}");
    /// }
    /// ```
    pub fn header_values(&self) -> Vec<(HeaderName, String)> {
        let mut out: Vec<(HeaderName, String)> = self
            .inner
            .always
            .iter()
            .map(|(n, v)| (n.clone(), v.to_str().unwrap_or_default().to_string()))
            .collect();
        if let Some(h) = &self.inner.hsts {
            out.push((
                header::STRICT_TRANSPORT_SECURITY,
                h.to_str().unwrap_or_default().to_string(),
            ));
        }
        if let Some(csp) = &self.inner.csp {
            out.extend(csp.header_values());
        }
        out
    }
}

impl SecureHeaders {
    /// The `Cache-Control` a response owes: when the page used its nonce and
    /// the handler chose none (decided on the handler's own headers, before
    /// the set's: an extra header is not the handler's choice).
    fn owes_private(
        &self,
        nonces: Option<&RequestNonces>,
        handler: &HeaderMap,
    ) -> Option<&HeaderValue> {
        let cc = self.inner.nonce_cache_control.as_ref()?;
        (nonces.is_some_and(RequestNonces::any_generated)
            && !handler.contains_key(header::CACHE_CONTROL))
        .then_some(cc)
    }
}

/// Responses with at most this many headers of their own take the template path.
const FEW_HEADERS: usize = 8;

/// The fixed part of the set as a map, CSP without nonces included, built as
/// inserting one by one into an empty map would (first value of a repeated name
/// wins, or the last with `override_existing`). Its hash table has room for a
/// handler's few headers, so moving them in never rehashes.
#[derive(Debug)]
pub(crate) struct Template {
    map: HeaderMap,
}

impl Template {
    pub(crate) fn new(
        always: &[(HeaderName, HeaderValue)],
        hsts: Option<&HeaderValue>,
        csp: Option<&Csp>,
        overwrite: bool,
    ) -> Self {
        let mut map = HeaderMap::with_capacity(always.len() + 3 + FEW_HEADERS);
        for (name, value) in always {
            insert(&mut map, name, value, overwrite);
        }
        if let Some(hsts) = hsts {
            insert(
                &mut map,
                &header::STRICT_TRANSPORT_SECURITY,
                hsts,
                overwrite,
            );
        }
        // No extra header shares a CSP header's name (refused at build).
        for (name, value) in csp.into_iter().flat_map(Csp::plain_headers) {
            map.insert(name.clone(), crate::intern::value(value));
        }
        Template { map }
    }
}

#[inline]
fn insert(headers: &mut HeaderMap, name: &HeaderName, value: &HeaderValue, overwrite: bool) {
    if overwrite {
        headers.insert(name.clone(), value.clone());
    } else if let Ok(header::Entry::Vacant(slot)) = headers.try_entry(name.clone()) {
        // One hash lookup for "set if absent"; a full map (32k headers) is left as is.
        let _ = slot.try_insert(value.clone());
    }
}
