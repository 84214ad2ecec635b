//! The request table both seed apps answer, and what their answers may differ in.

pub(crate) const FOREIGN: &str = "https://evil.example";
pub(crate) const PUBLIC_HOST: &str = "app.example";

/// Headers that differ between servers for reasons that have nothing to do with security.
pub(crate) const IGNORED: &[&str] = &[
    "date",
    "content-length",
    "server",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "allow",
];

/// Where a test request gets its CSRF credentials.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Creds {
    /// No cookie, no token.
    None,
    /// The plain-http cookie, no token.
    CookieOnly,
    /// Cookie and a token in the `X-CSRFToken` header.
    Header,
    /// Cookie and a wrong token in the header.
    BadHeader,
    /// Cookie; the body carries `{token}` placeholders.
    Body,
    /// The secure (`__Host-`) cookie and token, in the header.
    SecureHeader,
}

pub(crate) struct Case {
    pub(crate) name: &'static str,
    pub(crate) method: &'static str,
    pub(crate) path: &'static str,
    /// Extra headers; `{own}` is replaced by the app's own origin.
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) creds: Creds,
    pub(crate) body: Body,
}

pub(crate) enum Body {
    Empty,
    /// Text with `{token}` replaced by the app's token.
    Text(&'static str, String),
    /// Raw bytes of this length (content type given).
    Big(&'static str, usize),
}

pub(crate) fn case(name: &'static str, method: &'static str, path: &'static str) -> Case {
    Case {
        name,
        method,
        path,
        headers: Vec::new(),
        creds: Creds::None,
        body: Body::Empty,
    }
}

impl Case {
    pub(crate) fn h(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_string()));
        self
    }
    pub(crate) fn creds(mut self, c: Creds) -> Self {
        self.creds = c;
        self
    }
    pub(crate) fn form(mut self, body: &str) -> Self {
        self.body = Body::Text("application/x-www-form-urlencoded", body.to_string());
        self
    }
    pub(crate) fn json(mut self, body: &str) -> Self {
        self.body = Body::Text("application/json", body.to_string());
        self
    }
    pub(crate) fn text(mut self, ct: &'static str, body: &str) -> Self {
        self.body = Body::Text(ct, body.to_string());
        self
    }
    pub(crate) fn big(mut self, ct: &'static str, len: usize) -> Self {
        self.body = Body::Big(ct, len);
        self
    }
    pub(crate) fn public(self) -> Self {
        self.h("host", PUBLIC_HOST)
    }
    pub(crate) fn via_tls_proxy(self) -> Self {
        self.public().h("x-forwarded-proto", "https")
    }
}

pub(crate) fn table() -> Vec<Case> {
    let login_ok = "username=ann&password=pw&_csrf_token={token}";
    let mut t = vec![
        // Safe methods, routing, static files.
        case("GET /", "GET", "/"),
        case("HEAD /", "HEAD", "/"),
        case("GET /login", "GET", "/login"),
        case("GET /health", "GET", "/health"),
        case("GET /engines/minijinja", "GET", "/engines/minijinja"),
        case("GET /engines/tera", "GET", "/engines/tera"),
        case("GET /engines/askama", "GET", "/engines/askama"),
        case("GET /engines/maud", "GET", "/engines/maud"),
        case("GET /engines/unknown (404)", "GET", "/engines/handlebars"),
        case("GET script", "GET", "/static/js/script.js"),
        case("GET favicon", "GET", "/favicon.ico"),
        case("GET 404", "GET", "/nope"),
        case("GET 404 with cookie", "GET", "/nope").creds(Creds::CookieOnly),
        case("OPTIONS /", "OPTIONS", "/"),
        case("GET /api/echo (405)", "GET", "/api/echo"),
        case("GET /items/1 (405)", "GET", "/items/1"),
        case("PATCH /login with token (405)", "PATCH", "/login").creds(Creds::Header),
        case("POST 404 without token", "POST", "/nope"),
        case("POST 404 with token", "POST", "/nope").creds(Creds::Header),
        // Unsafe methods without a valid token.
        case("POST /login no cookie", "POST", "/login").form("username=a&password=b"),
        case("POST /login no cookie (json accept)", "POST", "/login")
            .h("accept", "application/json")
            .form("username=a&password=b"),
        case("POST /login cookie, no token", "POST", "/login")
            .creds(Creds::CookieOnly)
            .form("username=a&password=b"),
        case("POST /login cookie, no body type", "POST", "/login").creds(Creds::CookieOnly),
        case("POST /login bad header token", "POST", "/login")
            .creds(Creds::BadHeader)
            .form(login_ok),
        case("POST /login bad body token", "POST", "/login")
            .creds(Creds::Body)
            .form("username=a&password=b&_csrf_token=AAAA"),
        case("POST /login duplicate body token", "POST", "/login")
            .creds(Creds::Body)
            .form("_csrf_token={token}&_csrf_token={token}&username=a&password=b"),
        case("PUT /items/1 no token", "PUT", "/items/1"),
        case("DELETE /items/1 no token", "DELETE", "/items/1"),
        case("DELETE /items/1 token in query only", "DELETE", "/items/1?_csrf_token=x")
            .creds(Creds::CookieOnly),
        // With tokens.
        case("POST /login body token", "POST", "/login")
            .creds(Creds::Body)
            .form(login_ok),
        case("POST /login header token", "POST", "/login")
            .creds(Creds::Header)
            .form("username=bob&password=pw"),
        case("POST /login json body token (415)", "POST", "/login")
            .creds(Creds::Body)
            .json(r#"{"_csrf_token":"{token}","username":"a"}"#),
        case("POST /login multipart token, no fields (422)", "POST", "/login")
            .creds(Creds::Body)
            .text(
                "multipart/form-data; boundary=XyZ",
                "--XyZ\r\nContent-Disposition: form-data; name=\"_csrf_token\"\r\n\r\n{token}\r\n--XyZ--\r\n",
            ),
        case("POST /login multipart form", "POST", "/login")
            .creds(Creds::Body)
            .text(
                "multipart/form-data; boundary=XyZ",
                "--XyZ\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nmia\r\n\
                 --XyZ\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\npw\r\n\
                 --XyZ\r\nContent-Disposition: form-data; name=\"_csrf_token\"\r\n\r\n{token}\r\n--XyZ--\r\n",
            ),
        case("POST /login missing field (422)", "POST", "/login")
            .creds(Creds::Header)
            .form("username=bob"),
        case("PUT /items/7 header token", "PUT", "/items/7").creds(Creds::Header),
        case("DELETE /items/7 header token", "DELETE", "/items/7").creds(Creds::Header),
        case("PUT /items/abc (400)", "PUT", "/items/abc").creds(Creds::Header),
        // Cross-origin headers.
        case("SFS cross-site", "POST", "/login")
            .creds(Creds::Body)
            .h("sec-fetch-site", "cross-site")
            .form(login_ok),
        case("SFS same-site", "POST", "/login")
            .creds(Creds::Body)
            .h("sec-fetch-site", "same-site")
            .form(login_ok),
        case("SFS same-origin", "POST", "/login")
            .creds(Creds::Body)
            .h("sec-fetch-site", "same-origin")
            .form(login_ok),
        case("SFS none", "POST", "/login")
            .creds(Creds::Body)
            .h("sec-fetch-site", "none")
            .form(login_ok),
        case("SFS cross-site, no token", "POST", "/items/1").h("sec-fetch-site", "cross-site"),
        case("Origin foreign", "POST", "/login")
            .creds(Creds::Body)
            .h("origin", FOREIGN)
            .form(login_ok),
        case("Origin own", "POST", "/login")
            .creds(Creds::Body)
            .h("origin", "{own}")
            .form(login_ok),
        case("Origin null", "POST", "/login")
            .creds(Creds::Body)
            .h("origin", "null")
            .form(login_ok),
        case("Origin own over https scheme", "POST", "/login")
            .creds(Creds::Body)
            .h("origin", "https://127.0.0.1")
            .form(login_ok),
        case("Referer foreign on plain http", "POST", "/login")
            .creds(Creds::Body)
            .h("referer", "https://evil.example/page")
            .form(login_ok),
        case("exempt route cross-site", "POST", "/api/echo")
            .h("sec-fetch-site", "cross-site")
            .json(r#"{"a":1}"#),
        // Forwarded headers from the trusted loopback peer, public host.
        case("public GET redirects", "GET", "/?q=1").public(),
        case("public HEAD redirects", "HEAD", "/login").public(),
        case("public POST redirects 308", "POST", "/login")
            .public()
            .form("a=b"),
        case("public /health exempt from redirect", "GET", "/health").public(),
        case("bad host", "GET", "/").h("host", "app.example@evil"),
        case("TLS proxy GET / (HSTS)", "GET", "/").via_tls_proxy(),
        case("TLS proxy GET /login", "GET", "/login").via_tls_proxy(),
        case("TLS proxy 404", "GET", "/nope").via_tls_proxy(),
        case("Forwarded proto=https", "GET", "/")
            .h("host", "internal:8080")
            .h("forwarded", "for=1.2.3.4;proto=https;host=\"Shop.example\""),
        case("TLS proxy X-Forwarded-Host", "GET", "/login")
            .h("host", "internal:8080")
            .h("x-forwarded-proto", "https")
            .h("x-forwarded-host", "shop.example"),
        case("TLS proxy POST no Origin/Referer", "POST", "/login")
            .via_tls_proxy()
            .creds(Creds::SecureHeader)
            .form("username=a&password=b"),
        case("TLS proxy POST foreign Referer", "POST", "/login")
            .via_tls_proxy()
            .creds(Creds::SecureHeader)
            .h("referer", "https://evil.example/x")
            .form("username=a&password=b"),
        case("TLS proxy POST own Referer", "POST", "/login")
            .via_tls_proxy()
            .creds(Creds::SecureHeader)
            .h("referer", "https://app.example/login")
            .form("username=a&password=b"),
        case("TLS proxy POST own Origin", "POST", "/login")
            .via_tls_proxy()
            .creds(Creds::SecureHeader)
            .h("origin", "https://app.example")
            .form("username=a&password=b"),
        case("TLS proxy POST http Origin", "POST", "/login")
            .via_tls_proxy()
            .creds(Creds::SecureHeader)
            .h("origin", "http://app.example")
            .form("username=a&password=b"),
        case("TLS proxy POST plain cookie", "POST", "/login")
            .via_tls_proxy()
            .creds(Creds::Header)
            .h("origin", "https://app.example")
            .form("username=a&password=b"),
        // Bad bodies.
        case("bad percent-encoding in token", "POST", "/login")
            .creds(Creds::Body)
            .form("username=a&password=b&_csrf_token=%ZZ"),
        case("bad percent-encoding elsewhere", "POST", "/login")
            .creds(Creds::Body)
            .form("username=%ZZ&password=b&_csrf_token={token}"),
        case("invalid JSON to protected route", "POST", "/items/1")
            .creds(Creds::Body)
            .json(r#"{"_csrf_token": "#),
        case("JSON array to protected route", "POST", "/items/1")
            .creds(Creds::Body)
            .json("[1,2]"),
        case("invalid JSON to exempt echo", "POST", "/api/echo").json(r#"{"a": "#),
        case("JSON echo", "POST", "/api/echo").json(r#"{"a":[1,2,{"b":null}]}"#),
        case("echo wrong content type", "POST", "/api/echo").text("text/plain", "{}"),
        case("broken multipart", "POST", "/login")
            .creds(Creds::Body)
            .text("multipart/form-data; boundary=XyZ", "--XyZ\r\ngarbage"),
        case("2 MiB form to protected route", "POST", "/login")
            .creds(Creds::CookieOnly)
            .big("application/x-www-form-urlencoded", 2 * 1024 * 1024),
        case("2 MiB form, json accept", "POST", "/login")
            .creds(Creds::CookieOnly)
            .h("accept", "application/json")
            .big("application/x-www-form-urlencoded", 2 * 1024 * 1024),
        case("2 MiB + 1 JSON to exempt echo", "POST", "/api/echo")
            .big("application/json", 2 * 1024 * 1024 + 1),
        case("1 MiB + 1 JSON with header token", "PUT", "/items/3")
            .creds(Creds::Header)
            .big("application/json", 1024 * 1024 + 1),
    ];
    // Every unsafe method against a GET-only route, without credentials.
    for m in ["POST", "PUT", "PATCH", "DELETE"] {
        t.push(case("unsafe method, no credentials", m, "/health"));
    }
    t
}
