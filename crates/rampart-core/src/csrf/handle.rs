//! [`CsrfToken`]: the request's token handle, shared by the handler (which
//! renders masked tokens) and the response side (which sets the cookie only
//! if a token was rendered).

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use http::HeaderValue;
use smallvec::SmallVec;

use super::cookie::cookie_pairs;
use super::settings::Inner;
use super::token::{self, Secret};

/// Handle to the request's CSRF token, shared between the request extensions
/// and the adapter. Every [`masked`](CsrfToken::masked) call returns a
/// different string (BREACH mitigation); all of them verify.
///
/// `Display` writes a fresh masked token; `Debug` never prints secrets.
///
/// ```
/// # use rampart_core::csrf::{Csrf, Decision};
/// # use rampart_core::{RequestFacts, Scheme};
/// # let csrf = Csrf::builder().key(&[9; 32]).build().unwrap();
/// # let facts = RequestFacts::new(Scheme::Https, Some("a.example"));
/// # let (parts, _) = http::Request::get("/").body(()).unwrap().into_parts();
/// # let Decision::Pass(req) = csrf.check(&parts, &facts, None) else { panic!() };
/// let token = req.token();
/// let html = format!(r#"<input type="hidden" name="{}" value="{}">"#, token.field_name(), token);
/// assert!(html.contains("_csrf_token"));
/// assert_ne!(token.masked(), token.masked());
/// ```
#[derive(Clone)]
pub struct CsrfToken(pub(super) Arc<TokenShared>);

pub(super) struct TokenShared {
    pub(super) inner: Arc<Inner>,
    pub(super) secure: bool,
    /// The request's `Cookie` headers (reference-counted clones), parsed only
    /// when the token is first used: a GET that never renders a token never
    /// parses them.
    pub(super) cookie_headers: SmallVec<[HeaderValue; 1]>,
    pub(super) state: Mutex<Option<TokenState>>,
    /// Set (under the lock) as `state` is first filled: lets [`Csrf::finish`](super::Csrf::finish)
    /// see that no token was asked for without taking the lock (the common
    /// case). A `true` is always followed by taking the lock, which is what
    /// makes the state's contents visible.
    pub(super) touched: AtomicBool,
}

pub(super) struct TokenState {
    /// Valid secrets from the client's cookies (first = preferred).
    pub(super) from_cookie: Vec<Secret>,
    /// Value of the configured session cookie (empty when absent or not configured).
    pub(super) session: Vec<u8>,
    /// The secret new tokens are issued for; created lazily when the client has none.
    pub(super) current: Option<Secret>,
    /// Whether the client's cookie already holds `current`.
    pub(super) cookie_current: bool,
    /// A token was rendered or the secret rotated during this request.
    pub(super) issued: bool,
    /// The handler logged the visitor out and asked to clear the site's data.
    pub(super) clear_site_data: bool,
}

impl TokenShared {
    /// Runs `f` on the state, parsing the cookies on first use.
    pub(super) fn with<R>(&self, f: impl FnOnce(&mut TokenState) -> R) -> R {
        let mut guard = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let st = guard.get_or_insert_with(|| {
            self.touched.store(true, Ordering::Release);
            self.parse()
        });
        f(st)
    }

    /// Whether the state was ever needed (nothing to do in `finish` otherwise).
    /// A handler that used the token did so before its response reached the
    /// adapter, and handing the response over orders that use before this load.
    pub(super) fn touched(&self) -> bool {
        self.touched.load(Ordering::Acquire)
    }

    pub(super) fn parse(&self) -> TokenState {
        let from_cookie = self
            .inner
            .cookie
            .read_secrets(&self.cookie_headers, self.secure);
        let session = self
            .inner
            .session_cookie
            .as_deref()
            .and_then(|name| {
                cookie_pairs(&self.cookie_headers)
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.to_vec())
            })
            .unwrap_or_default();
        TokenState {
            current: from_cookie.first().copied(),
            cookie_current: !from_cookie.is_empty(),
            from_cookie,
            session,
            issued: false,
            clear_site_data: false,
        }
    }
}

impl TokenState {
    pub(super) fn secret(&mut self) -> Secret {
        *self.current.get_or_insert_with(token::new_secret)
    }
}

impl CsrfToken {
    /// A freshly masked token (86 characters); marks the token as issued so
    /// [`Csrf::finish`](super::Csrf::finish) sets the secret cookie when the client lacks it.
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Decision};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// # let csrf = Csrf::builder().key(&[9; 32]).build().unwrap();
    /// # let facts = RequestFacts::new(Scheme::Https, Some("a.example"));
    /// # let (parts, _) = http::Request::get("/").body(()).unwrap().into_parts();
    /// # let Decision::Pass(req) = csrf.check(&parts, &facts, None) else { panic!() };
    /// assert_eq!(req.token().masked().len(), 86);
    /// ```
    pub fn masked(&self) -> String {
        let mut out = String::with_capacity(token::MASKED_LEN);
        self.masked_into(&mut out);
        out
    }

    /// Appends a freshly masked token to `out` (it needs no HTML escaping).
    fn masked_into(&self, out: &mut String) {
        self.0.with(|st| {
            st.issued = true;
            let secret = st.secret();
            token::masked_into(&self.0.inner.keys, &secret, &st.session, out);
        })
    }

    /// Replaces the secret (call after login and logout); later
    /// [`masked`](Self::masked) calls use the new one and [`Csrf::finish`](super::Csrf::finish)
    /// sets the new cookie. Tokens issued before stop verifying.
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Decision};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// # let csrf = Csrf::builder().key(&[9; 32]).build().unwrap();
    /// # let facts = RequestFacts::new(Scheme::Https, Some("a.example"));
    /// # let (parts, _) = http::Request::get("/").body(()).unwrap().into_parts();
    /// # let Decision::Pass(req) = csrf.check(&parts, &facts, None) else { panic!() };
    /// req.token().rotate();
    /// let mut headers = http::HeaderMap::new();
    /// csrf.finish(&req, &mut headers);
    /// assert!(headers.contains_key("set-cookie"));
    /// ```
    pub fn rotate(&self) {
        self.0.with(|st| {
            st.current = Some(token::new_secret());
            st.cookie_current = false;
            st.issued = true;
        })
    }

    /// Logs the visitor out: a new secret (tokens rendered before no longer
    /// verify), and with `clear_site_data` the response also carries
    /// `Clear-Site-Data: "cookies", "storage"`, which makes the browser drop
    /// this site's cookies (the session's and the CSRF secret alike) and
    /// storage. The new secret's cookie is sent as well, for browsers that do
    /// not honour the header (it needs a secure context).
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Decision};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// # let csrf = Csrf::builder().key(&[9; 32]).build().unwrap();
    /// # let facts = RequestFacts::new(Scheme::Https, Some("a.example"));
    /// # let (parts, _) = http::Request::post("/logout").body(()).unwrap().into_parts();
    /// # let req = match csrf.check(&parts, &facts, Some("/logout")) { Decision::Pass(r) => r, _ => {
    /// #     let (get, _) = http::Request::get("/").body(()).unwrap().into_parts();
    /// #     let Decision::Pass(r) = csrf.check(&get, &facts, None) else { panic!() }; r } };
    /// req.token().log_out(true);
    /// let mut headers = http::HeaderMap::new();
    /// csrf.finish(&req, &mut headers);
    /// assert_eq!(headers["clear-site-data"], "\"cookies\", \"storage\"");
    /// assert!(headers.contains_key("set-cookie")); // the new secret, for browsers that keep cookies
    /// ```
    pub fn log_out(&self, clear_site_data: bool) {
        self.0.with(|st| {
            st.current = Some(token::new_secret());
            st.cookie_current = false;
            st.issued = true;
            st.clear_site_data = clear_site_data;
        })
    }

    /// A hidden form field carrying a masked token, HTML-escaped:
    /// `<input type="hidden" name="_csrf_token" value="…">`.
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Decision};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// # let csrf = Csrf::builder().key(&[9; 32]).build().unwrap();
    /// # let facts = RequestFacts::new(Scheme::Https, None);
    /// # let (parts, _) = http::Request::get("/").body(()).unwrap().into_parts();
    /// # let Decision::Pass(req) = csrf.check(&parts, &facts, None) else { panic!() };
    /// let input = req.token().hidden_input();
    /// assert!(input.starts_with(r#"<input type="hidden" name="_csrf_token" value=""#));
    /// ```
    pub fn hidden_input(&self) -> String {
        let mut out = String::with_capacity(160);
        out.push_str(r#"<input type="hidden" name=""#);
        push_escaped(&mut out, self.field_name());
        out.push_str(r#"" value=""#);
        self.masked_into(&mut out);
        out.push_str(r#"">"#);
        out
    }

    /// A `<meta name="csrf-token" content="…">` tag for scripts to read and
    /// send back in the [`header_name`](Self::header_name) header, HTML-escaped.
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Decision};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// # let csrf = Csrf::builder().key(&[9; 32]).build().unwrap();
    /// # let facts = RequestFacts::new(Scheme::Https, None);
    /// # let (parts, _) = http::Request::get("/").body(()).unwrap().into_parts();
    /// # let Decision::Pass(req) = csrf.check(&parts, &facts, None) else { panic!() };
    /// assert!(req.token().meta_tag().starts_with(r#"<meta name="csrf-token" content=""#));
    /// ```
    pub fn meta_tag(&self) -> String {
        let mut out = String::with_capacity(128);
        out.push_str(r#"<meta name="csrf-token" content=""#);
        self.masked_into(&mut out);
        out.push_str(r#"">"#);
        out
    }

    /// htmx's `hx-headers` attribute sending a masked token in the
    /// [`header_name`](Self::header_name) header with every htmx request below
    /// the element: `hx-headers='{"X-CSRFToken":"…"}'` (JSON, HTML-escaped).
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Decision};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// # let csrf = Csrf::builder().key(&[9; 32]).build().unwrap();
    /// # let facts = RequestFacts::new(Scheme::Https, None);
    /// # let (parts, _) = http::Request::get("/").body(()).unwrap().into_parts();
    /// # let Decision::Pass(req) = csrf.check(&parts, &facts, None) else { panic!() };
    /// let attr = req.token().hx_headers();
    /// assert!(attr.starts_with(r#"hx-headers='{"X-CSRFToken":""#) && attr.ends_with(r#""}'"#));
    /// ```
    pub fn hx_headers(&self) -> String {
        let mut map = serde_json::Map::new();
        map.insert(self.header_name().to_string(), self.masked().into());
        let json = serde_json::Value::Object(map).to_string();
        format!("hx-headers='{}'", html_escape_single_quoted(&json))
    }

    /// Name of the form field the token is expected in.
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Decision};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// # let csrf = Csrf::builder().key(&[9; 32]).field_name("csrf").build().unwrap();
    /// # let facts = RequestFacts::new(Scheme::Https, None);
    /// # let (parts, _) = http::Request::get("/").body(()).unwrap().into_parts();
    /// # let Decision::Pass(req) = csrf.check(&parts, &facts, None) else { panic!() };
    /// assert_eq!(req.token().field_name(), "csrf");
    /// ```
    pub fn field_name(&self) -> &str {
        &self.0.inner.field_name
    }

    /// Name of the request header the token is expected in.
    ///
    /// ```
    /// # use rampart_core::csrf::{Csrf, Decision};
    /// # use rampart_core::{RequestFacts, Scheme};
    /// # let csrf = Csrf::builder().key(&[9; 32]).build().unwrap();
    /// # let facts = RequestFacts::new(Scheme::Https, None);
    /// # let (parts, _) = http::Request::get("/").body(()).unwrap().into_parts();
    /// # let Decision::Pass(req) = csrf.check(&parts, &facts, None) else { panic!() };
    /// assert_eq!(req.token().header_name(), "X-CSRFToken");
    /// ```
    pub fn header_name(&self) -> &str {
        &self.0.inner.header_name_str
    }

    /// Whether anything filled the token's state (tests of the fast path).
    #[cfg(test)]
    pub(super) fn used(&self) -> bool {
        self.0.touched()
    }

    /// Whether the response may owe the client cookies: a token was asked for
    /// during the request, or (on a response, `force`) the JS-readable cookie
    /// is kept set. One flag load when neither.
    pub(super) fn may_owe(&self, force: bool) -> bool {
        self.0.touched() || (force && self.0.inner.cookie.js_readable)
    }

    pub(super) fn has_cookie(&self) -> bool {
        self.0.with(|st| !st.from_cookie.is_empty())
    }

    pub(super) fn verify(&self, submitted: &str) -> bool {
        self.0
            .with(|st| token::verify(&self.0.inner.keys, &st.from_cookie, &st.session, submitted))
    }

    /// Marks the token issued (a response should set a fresh cookie).
    pub(super) fn mark_issued(&self) {
        self.0.with(|st| {
            st.issued = true;
            st.secret();
        });
    }

    /// `Set-Cookie` values owed to the client, if any; marks them as sent.
    pub(super) fn take_cookies(&self, force: bool) -> (bool, Vec<HeaderValue>) {
        if !self.may_owe(force) {
            return (false, Vec::new());
        }
        let js = force && self.0.inner.cookie.js_readable;
        let settings = &self.0.inner.cookie;
        self.0.with(|st| {
            let wanted = st.issued || js;
            if !wanted || st.cookie_current {
                return (st.issued, Vec::new());
            }
            let secret = st.secret();
            st.cookie_current = true;
            let mut out = Vec::new();
            out.extend(settings.secret_set_cookie(token::encode_secret(&secret), self.0.secure));
            if settings.js_readable {
                let masked = token::masked(&self.0.inner.keys, &secret, &st.session);
                out.extend(settings.js_set_cookie(masked, self.0.secure));
            }
            (st.issued || !out.is_empty(), out)
        })
    }
}

impl fmt::Display for CsrfToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl fmt::Debug for CsrfToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.0.touched() {
            // Formatting must not parse the cookies (and so turn off `finish`'s
            // fast path) for a token nobody used.
            return f
                .debug_struct("CsrfToken")
                .field("used", &false)
                .finish_non_exhaustive();
        }
        let (has_cookie, issued) = self.0.with(|st| (!st.from_cookie.is_empty(), st.issued));
        f.debug_struct("CsrfToken")
            .field("used", &true)
            .field("has_cookie", &has_cookie)
            .field("issued", &issued)
            .finish_non_exhaustive()
    }
}

/// Text for an HTML attribute or element: `&`, `<`, `>`, `"` and `'` escaped.
fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_escaped(&mut out, s);
    out
}

/// Appends `s` to `out` with `&`, `<`, `>`, `"` and `'` escaped for HTML text
/// and attribute values.
fn push_escaped(out: &mut String, s: &str) {
    if !s
        .bytes()
        .any(|b| matches!(b, b'&' | b'<' | b'>' | b'"' | b'\''))
    {
        out.push_str(s);
        return;
    }
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// Text for a single-quoted attribute whose value is JSON: as `html_escape`,
/// but the JSON's double quotes stay readable.
fn html_escape_single_quoted(s: &str) -> String {
    html_escape(s).replace("&quot;", "\"")
}
