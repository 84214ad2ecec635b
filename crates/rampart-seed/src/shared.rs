//! What the axum seed app (`seed_app`) and the actix-web seed app
//! (`seed_app_actix`) share: options, command line, security configuration,
//! templates and page text, so the two cannot drift apart.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rampart_core::config::Config;
use rampart_core::csp::{Csp, CspReport, Policy, ReportCollector};
use rampart_core::csrf::Csrf;
use rampart_core::headers::SecureHeaders;
use rampart_core::ConfigError;

/// The configuration the seed apps embed, used without `--config`:
/// `examples/seed.toml`.
pub const SEED_TOML: &str = include_str!("../../../examples/seed.toml");

/// The home page template (nonce and CSRF token placeholders).
pub const INDEX_HTML: &str = include_str!("templates/index.html");
/// The login form template.
pub const LOGIN_HTML: &str = include_str!("templates/login.html");
/// The page's own script, served at /static/js/script.js.
pub const SCRIPT_JS: &str = include_str!("static/script.js");

/// Options of the seed app.
#[derive(Debug, Clone, Default)]
pub struct SeedConfig {
    /// Send violation reports to this path (served by the app itself).
    pub csp_report_uri: Option<String>,
    /// CSRF key; `None` reads RAMPART_CSRF_KEY or generates one (with a warning).
    pub csrf_key: Option<Vec<u8>>,
    /// Hosts the HTTPS redirect may send clients to (`--allowed-host`, repeatable);
    /// empty: the configuration's (any valid host, with a warning at startup).
    pub allowed_hosts: Vec<String>,
    /// `--config FILE`; `None`: the embedded [`SEED_TOML`].
    pub config_file: Option<std::path::PathBuf>,
}

/// What a seed app observed, for tests and the startup banner (the same in
/// both apps).
#[derive(Clone, Default)]
pub struct SeedState {
    /// How many times the POST /login handler ran.
    pub logins: Arc<std::sync::atomic::AtomicUsize>,
    /// How many times PUT/DELETE /items ran.
    pub item_writes: Arc<std::sync::atomic::AtomicUsize>,
    /// CSP reports received (the newest, bounded).
    pub reports: ReportLog,
    pub(crate) templates: Arc<minijinja::Environment<'static>>,
}

impl SeedState {
    /// Empty counters and the parsed templates.
    pub fn new() -> Self {
        SeedState {
            templates: Arc::new(templates()),
            ..SeedState::default()
        }
    }
}

/// How long a client may take to send a request's head: the servers' own
/// header-read timeouts (hyper's `header_read_timeout`, actix-web's
/// `client_request_timeout`). rampart's CSRF layer bounds the body read.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Most CSP reports the seed apps keep (the newest); older ones are dropped.
pub const KEPT_REPORTS: usize = 1000;

/// The CSP reports the app received, newest last, at most [`KEPT_REPORTS`].
#[derive(Clone, Default)]
pub struct ReportLog(Arc<Mutex<VecDeque<CspReport>>>);

impl ReportLog {
    /// The kept reports.
    pub fn lock(&self) -> std::sync::LockResult<std::sync::MutexGuard<'_, VecDeque<CspReport>>> {
        self.0.lock()
    }

    fn push(&self, r: &CspReport) {
        if let Ok(mut v) = self.0.lock() {
            if v.len() == KEPT_REPORTS {
                v.pop_front();
            }
            v.push_back(r.clone());
        }
    }
}

/// The effective configuration: the file (or the embedded one), the
/// environment's `RAMPART_*` values, then the command line's options.
pub fn seed_config(cfg: &SeedConfig) -> Result<Config, ConfigError> {
    let base = match &cfg.config_file {
        Some(path) => Config::from_file(path)?,
        None => Config::from_toml(SEED_TOML)?,
    }
    .with_env()?;
    let mut over = toml::Table::new();
    if let Some(uri) = &cfg.csp_report_uri {
        let mut csp = toml::Table::new();
        csp.insert("report_uri".into(), uri.clone().into());
        over.insert("csp".into(), csp.into());
    }
    if !cfg.allowed_hosts.is_empty() {
        let mut https = toml::Table::new();
        https.insert("allowed_hosts".into(), cfg.allowed_hosts.clone().into());
        over.insert("https".into(), https.into());
    }
    if over.is_empty() {
        return Ok(base);
    }
    base.overlay(&over.to_string())
}

/// The report endpoint's collector, when the configuration collects reports:
/// its limits and proxy trust, reports kept in `log`.
pub fn seed_collector(
    config: &Config,
    log: &ReportLog,
) -> Result<Option<ReportCollector>, ConfigError> {
    let log = log.clone();
    config.report_collector(move |r: &CspReport| log.push(r))
}

/// The post's CSP as the seed apps compile it (nonce in script-src and script-src-elem).
pub fn seed_csp(cfg: &SeedConfig) -> Result<Csp, ConfigError> {
    seed_headers(cfg)?
        .csp()
        .cloned()
        .ok_or_else(|| ConfigError::new("csp.policy", "the seed app's configuration has no CSP"))
}

/// The post's CSP policy, in the post's dict form (stray leading spaces included).
pub fn seed_policy() -> Result<Policy, ConfigError> {
    Ok(seed_csp(&SeedConfig::default())?.policy().clone())
}

/// Secure headers: rampart's defaults, the post's CSP, a TLS proxy on loopback.
pub fn seed_headers(cfg: &SeedConfig) -> Result<SecureHeaders, ConfigError> {
    seed_config(cfg)?.secure_headers()
}

/// CSRF on, /api/echo and the CSP report endpoint exempt (browsers POST reports
/// without a token), keys from `cfg`, else the environment.
pub fn seed_csrf(cfg: &SeedConfig) -> Result<Csrf, ConfigError> {
    seed_config(cfg)?
        .csrf_with(|b| match &cfg.csrf_key {
            Some(k) => b.key(k),
            None => b,
        })?
        .ok_or_else(|| ConfigError::new("csrf.enabled", "the seed app needs CSRF protection on"))
}

/// The templates, parsed once.
pub fn templates() -> minijinja::Environment<'static> {
    let mut env = minijinja::Environment::new();
    env.add_template("index.html", INDEX_HTML)
        .expect("index template parses");
    env.add_template("login.html", LOGIN_HTML)
        .expect("login template parses");
    env
}

/// The login form's fields (the same in both seed apps).
pub struct Login {
    /// Shown back on the welcome page, escaped.
    pub username: String,
    /// Accepted and ignored: the seed app has no user store.
    pub password: String,
}

/// Why a login body was not read: the status (400, 415 or 422) and a reason.
pub type FormError = (u16, &'static str);

/// Longest field the login form takes.
const MAX_FIELD: usize = 64 * 1024;

impl Login {
    /// Reads the login form from a urlencoded or a multipart body, as Flask's
    /// `request.form` does: `415` for another content type, `400` for a broken
    /// multipart body, `422` for a missing field. One reader for both seed apps.
    pub async fn from_body(
        content_type: Option<&str>,
        body: bytes::Bytes,
    ) -> Result<Login, FormError> {
        let ct = content_type.unwrap_or("");
        let essence = ct.split(';').next().unwrap_or("").trim();
        let mut username = None;
        let mut password = None;
        let mut take = |name: &str, value: std::borrow::Cow<'_, str>| match name {
            "username" => username = Some(value.into_owned()),
            "password" => password = Some(value.into_owned()),
            _ => {}
        };
        let is = |mime: &str| essence.eq_ignore_ascii_case(mime);
        if is("application/x-www-form-urlencoded") {
            for (k, v) in form_urlencoded::parse(&body) {
                take(&k, v);
            }
        } else if is("multipart/form-data") {
            let boundary =
                multer::parse_boundary(ct).map_err(|_| (400, "no multipart boundary"))?;
            let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(body) });
            let mut form = multer::Multipart::with_constraints(
                stream,
                boundary,
                multer::Constraints::new()
                    .size_limit(multer::SizeLimit::new().per_field(MAX_FIELD as u64)),
            );
            while let Some(field) = form
                .next_field()
                .await
                .map_err(|_| (400, "not a multipart form"))?
            {
                let name = field.name().unwrap_or("").to_string();
                let text = field
                    .text()
                    .await
                    .map_err(|_| (400, "not a multipart form"))?;
                take(&name, text.into());
            }
        } else {
            return Err((415, "expected a form (urlencoded or multipart)"));
        }
        match (username, password) {
            (Some(username), Some(password)) => Ok(Login { username, password }),
            _ => Err((422, "username and password are required")),
        }
    }
}

/// The page after a successful login, the user name HTML-escaped.
pub fn welcome_page(username: &str) -> String {
    const HEAD: &str = "<!doctype html><title>Welcome</title><p id=\"welcome\">welcome ";
    let mut page = String::with_capacity(HEAD.len() + username.len() + 8);
    page.push_str(HEAD);
    for c in username.chars() {
        match c {
            '<' => page.push_str("&lt;"),
            '>' => page.push_str("&gt;"),
            '&' => page.push_str("&amp;"),
            '"' => page.push_str("&quot;"),
            '\'' => page.push_str("&#39;"),
            c => page.push(c),
        }
    }
    page.push_str("</p>");
    page
}

/// Parses `--addr HOST:PORT`, `--config FILE`, `--csp-report-uri PATH` and
/// `--allowed-host HOST` (repeatable); `None` after `--help`.
pub fn parse_args(
    program: &str,
) -> Result<Option<(SocketAddr, SeedConfig)>, Box<dyn std::error::Error>> {
    let mut addr: SocketAddr = "127.0.0.1:8000".parse()?;
    let mut cfg = SeedConfig::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--addr" => addr = args.next().ok_or("--addr needs HOST:PORT")?.parse()?,
            "--config" => {
                cfg.config_file = Some(args.next().ok_or("--config needs a file")?.into())
            }
            "--csp-report-uri" => {
                cfg.csp_report_uri = Some(args.next().ok_or("--csp-report-uri needs a path")?)
            }
            "--allowed-host" => cfg
                .allowed_hosts
                .push(args.next().ok_or("--allowed-host needs a host name")?),
            "-h" | "--help" => {
                println!("usage: {program} [--addr HOST:PORT] [--config FILE] [--csp-report-uri /csp-report] [--allowed-host HOST]...");
                return Ok(None);
            }
            other => return Err(format!("unknown argument `{other}` (try --help)").into()),
        }
    }
    Ok(Some((addr, cfg)))
}

/// Prints what the app sends and what the linter thinks of the policy.
pub fn print_banner(framework: &str, addr: SocketAddr, headers: &SecureHeaders) {
    println!("rampart seed app ({framework}) on http://{addr}/  (login form: http://{addr}/login)");
    println!("\nSecurity headers sent on a secure response (the nonce is added per response when a page uses it):");
    for (name, value) in headers.header_values() {
        println!("  {name}: {value}");
    }
    println!("  plus, per response that renders a form: the CSRF secret cookie, Vary: Cookie and Cache-Control: private, no-store");
    if let Some(csp) = headers.csp() {
        println!("\nCSP linter findings for this policy:");
        for f in csp.findings() {
            println!("  {f}");
        }
    }
    println!();
}

/// Installs the process-wide `metrics` recorder that `/metrics` renders, once;
/// both apps' `build` call it, so nothing is counted before it exists. If the
/// embedding program installed another recorder first, `/metrics` says so
/// instead of showing counters it cannot see.
pub fn install_metrics() -> Option<&'static metrics_exporter_prometheus::PrometheusHandle> {
    static HANDLE: std::sync::OnceLock<Option<metrics_exporter_prometheus::PrometheusHandle>> =
        std::sync::OnceLock::new();
    HANDLE
        .get_or_init(|| {
            match metrics_exporter_prometheus::PrometheusBuilder::new().install_recorder() {
                Ok(h) => {
                    rampart_core::describe_metrics();
                    Some(h)
                }
                Err(e) => {
                    tracing::warn!("no /metrics: another metrics recorder is installed ({e})");
                    None
                }
            }
        })
        .as_ref()
}

/// The Prometheus text of every counter recorded in this process (rampart's
/// CSRF decisions and CSP reports), served on `/metrics`.
pub fn metrics_text() -> String {
    match install_metrics() {
        Some(h) => h.render(),
        None => "# another metrics recorder is installed in this process\n".into(),
    }
}

/// Whether `/metrics` answers this request: only a client on this machine,
/// straight (not through the proxy, which would make any client look local),
/// under a loopback host name (a page on another site cannot read it through
/// DNS rebinding).
pub fn metrics_allowed(
    peer: Option<std::net::IpAddr>,
    host: Option<&str>,
    forwarded: bool,
) -> bool {
    let loopback_host = host.is_some_and(|h| {
        let name = match h.rsplit_once(':') {
            Some((n, port))
                if !n.is_empty()
                    && port.bytes().all(|b| b.is_ascii_digit())
                    && !h.ends_with(']') =>
            {
                n
            }
            _ => h,
        };
        matches!(
            name.to_ascii_lowercase().as_str(),
            "localhost" | "127.0.0.1" | "[::1]"
        )
    });
    peer.is_some_and(|ip| ip.is_loopback()) && !forwarded && loopback_host
}

/// The content type of [`metrics_text`]: Prometheus's text exposition format.
pub const METRICS_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

#[cfg(test)]
mod tests {
    use super::metrics_allowed;

    #[test]
    fn metrics_answer_only_local_clients_straight_and_under_a_loopback_name() {
        let local = Some("127.0.0.1".parse().unwrap());
        let v6 = Some("::1".parse().unwrap());
        assert!(metrics_allowed(local, Some("127.0.0.1:8000"), false));
        assert!(metrics_allowed(local, Some("localhost"), false));
        assert!(metrics_allowed(v6, Some("[::1]:8000"), false));
        assert!(!metrics_allowed(local, Some("evil.example"), false));
        assert!(!metrics_allowed(
            local,
            Some("localhost.evil.example:8000"),
            false
        ));
        assert!(!metrics_allowed(local, Some("localhost:8000"), true));
        assert!(!metrics_allowed(local, None, false));
        assert!(!metrics_allowed(
            Some("192.0.2.7".parse().unwrap()),
            Some("localhost"),
            false
        ));
        assert!(!metrics_allowed(None, Some("localhost"), false));
    }
}
