//! A policy linter modelled on the checks of Google's CSP Evaluator.

use std::fmt;

use super::bypass::{arbitrary_code_hosts, bypasses_for, open_wildcard, BypassKind};
use super::directive::Directive;
use super::directives::{directive_info, governs_scripts, ValueKind};
use super::policy::Policy;
use super::source::{Keyword, Source};

/// How serious a [`Finding`] is, on CSP Evaluator's scale and in its order
/// (most serious first, so `Severity::High < Severity::Syntax`).
///
/// | rampart | CSP Evaluator |
/// |---|---|
/// | `High` | `HIGH` |
/// | `Syntax` | `SYNTAX` |
/// | `Medium` | `MEDIUM` |
/// | `Possible` | `HIGH_MAYBE`, `MEDIUM_MAYBE` |
/// | `StrictCsp` | `STRICT_CSP` |
/// | `Info` | `INFO` |
///
/// ```
/// use rampart_core::csp::Severity;
/// assert!(Severity::High < Severity::Syntax && Severity::Syntax < Severity::Medium);
/// assert_eq!(Severity::StrictCsp.to_string(), "strict-csp");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The policy does not stop script injection as written.
    High,
    /// The browser ignores part of the policy as written (a typo, a missing
    /// `;`, a repeated directive), so it enforces less than it seems to.
    Syntax,
    /// A weakness that often matters (plain-HTTP sources, a guessable nonce).
    Medium,
    /// Might be a problem depending on what the allowed hosts serve or what
    /// the page evaluates (`'self'`, host lists, `'unsafe-eval'`).
    Possible,
    /// Advice towards a strict (nonce- or hash-based) policy and its
    /// fallbacks for older browsers.
    StrictCsp,
    /// Advice: deprecated directives, reporting, hardening ideas.
    Info,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::High => "high",
            Severity::Syntax => "syntax",
            Severity::Medium => "medium",
            Severity::Possible => "possible",
            Severity::StrictCsp => "strict-csp",
            Severity::Info => "info",
        })
    }
}

/// One linter result: what is wrong, where, and how to fix it.
///
/// `check` is a stable identifier (`"unsafe-inline"`, `"allowlist-bypass"`,
/// `"missing-object-src"`, …) suitable for filtering; `docs/csp-lint.md`
/// lists them with CSP Evaluator's equivalents.
///
/// ```
/// use rampart_core::csp::{Policy, Severity};
/// let findings = Policy::parse("script-src 'self' 'unsafe-inline'").unwrap().lint(&[]);
/// let f = findings.iter().find(|f| f.check == "unsafe-inline").unwrap();
/// assert_eq!((f.severity, f.directive.as_str()), (Severity::High, "script-src"));
/// assert_eq!(f.source.as_deref(), Some("'unsafe-inline'"));
/// assert!(f.to_string().starts_with("[high] script-src:"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Finding {
    /// Stable check identifier.
    pub check: &'static str,
    /// How serious it is.
    pub severity: Severity,
    /// Which policy it belongs to: its position among the policies linted
    /// together (0 for a single policy; a comma or another header starts the next).
    pub policy_index: usize,
    /// The directive concerned (e.g. `"script-src"`), lowercased.
    pub directive: String,
    /// The source expression or value concerned, as written, when there is one.
    pub source: Option<String>,
    /// What is wrong.
    pub message: String,
    /// What to write instead.
    pub fix: String,
}

impl Finding {
    pub(crate) fn new(
        severity: Severity,
        directive: &str,
        source: Option<&str>,
        check: &'static str,
        message: String,
        fix: &str,
    ) -> Finding {
        Finding {
            check,
            severity,
            policy_index: 0,
            directive: directive.to_owned(),
            source: source.map(str::to_owned),
            message,
            fix: fix.to_owned(),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "[{}] {}: {} (fix: {}) [{}]",
            self.severity, self.directive, self.message, self.fix, self.check
        )
    }
}

struct Out(Vec<Finding>);

impl Out {
    fn push(
        &mut self,
        severity: Severity,
        directive: &str,
        check: &'static str,
        message: String,
        fix: &str,
    ) {
        self.0
            .push(Finding::new(severity, directive, None, check, message, fix));
    }

    /// A finding about one source expression (or value) of the directive.
    fn push_at(
        &mut self,
        severity: Severity,
        directive: &str,
        source: &str,
        check: &'static str,
        message: String,
        fix: &str,
    ) {
        self.0.push(Finding::new(
            severity,
            directive,
            Some(source),
            check,
            message,
            fix,
        ));
    }
}

/// Placeholder nonce used while linting: its value never appears in findings.
const LINT_NONCE: &str = "per-request";

/// The policy as the browser sees it once a nonce is added to `nonce_dirs`
/// (missing directives are created from their fallback, as `CspBuilder::nonce_in` does).
fn with_placeholder_nonces(policy: &Policy, nonce_dirs: &[&str]) -> Policy {
    let mut p = policy.with_nonce_directives(nonce_dirs);
    for name in nonce_dirs {
        let name = name.to_ascii_lowercase();
        if let Some(d) = p.directive_mut(&name) {
            let srcs = d.sources_mut();
            srcs.retain(|s| !s.is_keyword(Keyword::None));
            srcs.push(Source::Nonce(LINT_NONCE.to_string()));
        }
    }
    p
}

fn is_ip(host_source: &str) -> bool {
    super::bypass::split_host_source(host_source).is_some_and(|(h, _)| {
        h.trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok()
    })
}

const PLAIN_SCHEMES: [&str; 3] = ["https:", "http:", "data:"];

pub(crate) fn lint_policy(policy: &Policy, nonce_dirs: &[&str]) -> Vec<Finding> {
    let p = with_placeholder_nonces(policy, nonce_dirs);
    let mut out = Out(Vec::new());
    let mut checked: Vec<&str> = Vec::new();

    for d in p.directives() {
        if directive_info(d.name()).is_some_and(|i| i.deprecated) {
            out.push(
                Severity::Info,
                d.name(),
                "deprecated",
                format!("{} is deprecated and ignored by current browsers", d.name()),
                "remove it (use upgrade-insecure-requests instead of block-all-mixed-content, the Referrer-Policy header instead of referrer)",
            );
        }
    }

    // Scripts: script-src (or its default-src fallback), plus the -elem/-attr variants when written out.
    let mut script_dirs: Vec<&Directive> = Vec::new();
    match p.effective("script-src") {
        Some(d) => script_dirs.push(d),
        None => out.push(
            Severity::High,
            "script-src",
            "missing-script-src",
            "neither script-src nor default-src is set, so any script may run".into(),
            "set script-src (ideally Policy::strict() with CspBuilder::nonce_in([\"script-src\"]))",
        ),
    }
    for n in ["script-src-elem", "script-src-attr"] {
        if let Some(d) = p.directive(n) {
            script_dirs.push(d);
        }
    }
    // <base> matters where scripts are let in by nonce (a nonced
    // `<script src="/app.js">` follows the page's base), or by hash with
    // 'strict-dynamic' (a hashed loader's relative URLs do). (CSP Evaluator's rule.)
    let base_matters = script_dirs.iter().any(|d| {
        let srcs = d.sources();
        srcs.iter().any(|s| matches!(s, Source::Nonce(_)))
            || (d.has_keyword(Keyword::StrictDynamic)
                && srcs.iter().any(|s| matches!(s, Source::Hash(..))))
    });
    for d in &script_dirs {
        checked.push(d.name());
        lint_script(d, &mut out);
    }
    // Strict-CSP advice (CSP Evaluator's): a policy that lets scripts in by
    // URL is only as strong as every allowed host.
    if let Some(d) = p.effective("script-src") {
        let by_url = d
            .sources()
            .iter()
            .any(|s| matches!(s, Source::Host(_) | Source::Scheme(_)));
        if by_url && !d.has_keyword(Keyword::StrictDynamic) {
            out.push(
                Severity::StrictCsp,
                d.name(),
                "no-strict-dynamic",
                format!("{} lets scripts in by host or scheme; host allow-lists can frequently be bypassed", d.name()),
                "use per-request nonces (or hashes) with 'strict-dynamic' (Policy::strict() with CspBuilder::nonce_in)",
            );
        }
    }

    // Plugins.
    checked.push("object-src");
    match p.effective("object-src") {
        None => out.push(
            Severity::High,
            "object-src",
            "missing-object-src",
            "object-src is not set and there is no default-src, so plugins (<object>, <embed>) may load script from anywhere".into(),
            "set object-src 'none'",
        ),
        Some(d) if d.name() == "default-src" && !d.is_none() => {
            // High only when the fallback lets plugins come from anywhere or
            // from a host that serves them; else advice-level (CSP Evaluator).
            let permissive = d.sources().iter().any(|s| match s {
                Source::Host(h) => {
                    any_host(h)
                        || bypasses_for(h).iter().any(|b| b.kind == BypassKind::Flash)
                }
                Source::Scheme(sc) => PLAIN_SCHEMES.contains(&sc.as_str()),
                _ => false,
            });
            out.push(
                if permissive { Severity::High } else { Severity::Medium },
                "object-src",
                "missing-object-src",
                format!("object-src is not set, so it falls back to default-src ({}) and plugins can load from those sources", sources_text(d)),
                "set object-src 'none'",
            )
        }
        Some(d) if d.name() == "object-src" => {
            let before = out.0.len();
            for s in d.sources() {
                dangerous_scheme_or_wildcard(d, s, &mut out);
                if let Source::Host(h) = s {
                    if any_host(h) {
                        continue; // the wildcard finding says it all
                    }
                    if let Some(b) = bypasses_for(h).into_iter().find(|b| b.kind == BypassKind::Flash) {
                        out.push_at(
                            Severity::High,
                            d.name(),
                            h,
                            "allowlist-bypass",
                            format!("{h} allows {}, which {}", b.host, b.reason),
                            "set object-src 'none'",
                        );
                    }
                }
            }
            // Anything but 'none' still loads plugins from the allowed places
            // (CSP Evaluator's advice), unless a worse finding already says so.
            if !d.is_none() && out.0[before..].iter().all(|f| f.severity > Severity::Possible) {
                out.push_at(
                    Severity::Possible,
                    "object-src",
                    &sources_text(d),
                    "object-src-not-none",
                    format!("object-src {} lets plugins load from those sources; plugin content can run script", sources_text(d)),
                    "set object-src 'none' unless the page really embeds plugins",
                );
            }
        }
        Some(_) => {}
    }

    // <base>.
    checked.push("base-uri");
    match p.directive("base-uri") {
        None => {
            let (sev, why) = if base_matters {
                (Severity::High, "an injected <base> tag can re-point relative script URLs, which defeats nonces and hashes")
            } else {
                // Without nonces or hashes, scripts are gated by their URL, which
                // <base> cannot turn into another origin's: advice (as CSP Evaluator).
                (
                    Severity::Info,
                    "an injected <base> tag can re-point relative URLs on the page",
                )
            };
            out.push(
                sev,
                "base-uri",
                "missing-base-uri",
                format!("base-uri is not set: {why}"),
                "set base-uri 'none' (or 'self' if the page uses <base>)",
            );
        }
        Some(d) => {
            for s in d.sources() {
                dangerous_scheme_or_wildcard(d, s, &mut out);
            }
        }
    }

    // Everything else.
    for d in p.directives() {
        let is_source_list =
            directive_info(d.name()).is_some_and(|i| i.kind == ValueKind::SourceList);
        if checked.contains(&d.name()) || !is_source_list {
            continue;
        }
        for s in d.sources() {
            match s {
                Source::Host(h) if any_host(h) => out.push_at(
                    Severity::Possible,
                    d.name(),
                    h,
                    "wildcard",
                    format!("{} {h} allows content from any host", d.name()),
                    "list the hosts you need (and data: if required) instead of the wildcard",
                ),
                Source::Scheme(sc) if sc == "http:" => insecure(d, sc, &mut out),
                Source::Host(h) => host_hygiene(d, h, &mut out),
                _ => {}
            }
        }
    }

    // Reporting.
    if let Some(d) = p.directive("report-uri") {
        for s in d.sources() {
            if let Source::Token(t) = s {
                if t.to_ascii_lowercase().starts_with("http://") {
                    out.push_at(
                        Severity::Medium,
                        "report-uri",
                        t,
                        "insecure-report-uri",
                        format!("report-uri {t} sends reports (with page URLs) over plain HTTP"),
                        "use an https:// report URL",
                    );
                }
            }
        }
    } else if p.directive("report-to").is_some() {
        out.push(
            Severity::Info,
            "report-to",
            "report-to-only",
            "report-to is only understood by Chromium-based browsers".into(),
            "also set report-uri (CspBuilder::report_uri) for other browsers",
        );
    }

    if p.directive("report-uri").is_none() && p.directive("report-to").is_none() {
        out.push(
            Severity::Info,
            "report-uri",
            "no-reporting",
            "no reporting destination, so violations (attacks, and the policy breaking the site) go unseen".into(),
            "add report-uri (CspBuilder::report_uri, served by ReportCollector)",
        );
    }

    if p.directive("require-trusted-types-for").is_none() {
        out.push(
            Severity::Info,
            "require-trusted-types-for",
            "trusted-types",
            "Trusted Types are not required, so DOM XSS sinks accept plain strings".into(),
            "consider require-trusted-types-for 'script' once the front-end code supports it",
        );
    }
    out.0
}

fn sources_text(d: &Directive) -> String {
    d.sources()
        .iter()
        .map(Source::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

fn insecure(d: &Directive, s: &str, out: &mut Out) {
    out.push_at(
        Severity::Medium,
        d.name(),
        s,
        "insecure-source",
        format!("{s} allows loading over plain HTTP, which a network attacker can tamper with"),
        "use https:// sources",
    );
}

fn host_hygiene(d: &Directive, h: &str, out: &mut Out) {
    if h.to_ascii_lowercase().starts_with("http://") {
        insecure(d, h, out);
    }
    if is_ip(h) {
        out.push_at(
            Severity::Info,
            d.name(),
            h,
            "ip-source",
            format!(
                "{h} is an IP address; IP sources are ignored for some requests and hard to audit"
            ),
            "use a host name",
        );
    }
}

/// A host source that matches every host, in any spelling: `*`,
/// `https://*`, `*:*`, `http://*:*`, `https://*:443/`. Not `*.example.com`.
pub(crate) fn any_host(h: &str) -> bool {
    let rest = h.split_once("://").map_or(h, |(_, r)| r);
    rest.split(['/', ':']).next() == Some("*")
}

/// `*`, `https:`, `http:` and `data:` in script, object and base directives.
fn dangerous_scheme_or_wildcard(d: &Directive, s: &Source, out: &mut Out) {
    match s {
        Source::Host(h) if any_host(h) => out.push_at(
            Severity::High,
            d.name(),
            h,
            "wildcard",
            format!(
                "{} {h} allows any host, so an attacker can load code from their own server",
                d.name()
            ),
            "remove the wildcard and use nonces ('strict-dynamic') or list exact hosts",
        ),
        Source::Scheme(sc) if PLAIN_SCHEMES.contains(&sc.as_str()) => out.push_at(
            Severity::High,
            d.name(),
            sc,
            "plain-scheme",
            format!(
                "{} {sc} allows any URL with that scheme, so an attacker can load their own code",
                d.name()
            ),
            "remove the scheme source and use nonces ('strict-dynamic') or list exact hosts",
        ),
        Source::Host(h) => {
            if let Some(why) = open_wildcard(h) {
                out.push_at(
                    Severity::High,
                    d.name(),
                    h,
                    "wildcard",
                    format!("{} {h} is as good as any host: {why}", d.name()),
                    "list the exact hosts you need, or use nonces ('strict-dynamic')",
                );
            } else if !governs_scripts(d.name()) {
                // In object-src and base-uri a host that serves anyone's files
                // serves the attacker's (a <base> there re-points nonced
                // relative scripts to it). Script directives name these below.
                for (host, reason, checked) in &arbitrary_code_hosts(h) {
                    out.push_at(
                        Severity::High,
                        d.name(),
                        h,
                        "arbitrary-code-host",
                        format!("{h} allows {host}, which {reason} (checked {checked})"),
                        "remove it; allow only hosts whose every file you trust",
                    );
                }
            }
            host_hygiene(d, h, out)
        }
        _ => {}
    }
}

fn lint_script(d: &Directive, out: &mut Out) {
    let srcs = d.sources();
    let has = |k| d.has_keyword(k);
    let nonce = srcs.iter().any(|s| matches!(s, Source::Nonce(_)));
    let hash = srcs.iter().any(|s| matches!(s, Source::Hash(..)));
    let sd = has(Keyword::StrictDynamic);
    let ui = has(Keyword::UnsafeInline);
    let ue = has(Keyword::UnsafeEval);
    let name = d.name();

    if ui && !(nonce || hash || sd) {
        out.push_at(Severity::High, name, "'unsafe-inline'", "unsafe-inline", format!("'unsafe-inline' in {name} lets any injected inline script run"), "remove 'unsafe-inline' and mark inline scripts with the per-request nonce (CspBuilder::nonce_in) or a hash");
    }
    if ue {
        out.push_at(
            Severity::Possible,
            name,
            "'unsafe-eval'",
            "unsafe-eval",
            format!(
                "'unsafe-eval' in {name} lets injected strings reach eval() and new Function()"
            ),
            "remove 'unsafe-eval' (use 'wasm-unsafe-eval' if only WebAssembly needs it)",
        );
    }
    if has(Keyword::UnsafeHashes) {
        out.push_at(
            Severity::Possible,
            name,
            "'unsafe-hashes'",
            "unsafe-hashes",
            "'unsafe-hashes' lets hashed event handlers run, which an attacker can reuse".into(),
            "move event handlers into nonced scripts and remove 'unsafe-hashes'",
        );
    }
    if (nonce || hash) && !ui {
        out.push(Severity::StrictCsp, name, "csp1-fallback", "browsers without nonce/hash support (CSP1) will block inline scripts".into(), "add 'unsafe-inline' as a fallback; CSP2+ browsers ignore it when a nonce or hash is present");
    }
    if sd {
        // CSP3 browsers ignore hosts, schemes, 'self' and 'unsafe-inline'
        // next to 'strict-dynamic'; older ones need a URL-based fallback.
        let url_fallback = srcs.iter().any(|s| {
            matches!(s, Source::Scheme(sc) if sc == "https:" || sc == "http:")
                || matches!(s, Source::Host(_))
        });
        if !url_fallback {
            out.push(
                Severity::StrictCsp,
                name,
                "strict-dynamic-fallback",
                format!("browsers without 'strict-dynamic' read {name} without it: they run the nonced or hashed scripts but none of the scripts those load, unless a host or https: is beside it"),
                "add https: next to 'strict-dynamic' (Policy::strict() does); newer browsers ignore it there",
            );
        }
        if !(nonce || hash) {
            out.push(
                Severity::Info,
                name,
                "strict-dynamic-without-nonce",
                format!("'strict-dynamic' without a nonce or hash in {name} blocks every script"),
                "add the per-request nonce (CspBuilder::nonce_in) or hashes of your inline scripts",
            );
        }
        return;
    }
    // Hosts with no known bypass: only their owners know what they serve.
    let mut unvetted: Vec<&str> = Vec::new();
    for s in srcs {
        dangerous_scheme_or_wildcard(d, s, out);
        match s {
            Source::Keyword(Keyword::SelfOrigin) => out.push_at(
                Severity::Possible,
                name,
                "'self'",
                "self",
                "'self' can be a problem if this origin serves JSONP, AngularJS or user uploads"
                    .into(),
                "prefer nonces with 'strict-dynamic' over 'self'",
            ),
            // ftp:, blob:, ws: … : what the scheme serves is the owner's guess too.
            Source::Scheme(sc) if !PLAIN_SCHEMES.contains(&sc.as_str()) => unvetted.push(sc),
            Source::Host(h) if !any_host(h) => {
                let code_hosts = arbitrary_code_hosts(h);
                for (host, reason, checked) in &code_hosts {
                    out.push_at(
                        Severity::High,
                        name,
                        h,
                        "arbitrary-code-host",
                        format!("{h} allows {host}, which {reason} (checked {checked})"),
                        "remove it; self-host the files you need, or pin them with hashes / SRI",
                    );
                }
                let hits: Vec<_> = bypasses_for(h)
                    .into_iter()
                    .filter(|b| match b.kind {
                        BypassKind::Jsonp | BypassKind::AngularJs => true,
                        BypassKind::JsonpNeedsEval => ue,
                        BypassKind::Flash => false,
                    })
                    .collect();
                if hits.is_empty() && code_hosts.is_empty() && open_wildcard(h).is_none() {
                    unvetted.push(h);
                }
                if let Some(first) = hits.first() {
                    let mut hosts: Vec<&str> = hits.iter().map(|b| b.host).collect();
                    hosts.dedup();
                    let more = if hosts.len() > 3 {
                        format!(" and {} more", hosts.len() - 3)
                    } else {
                        String::new()
                    };
                    hosts.truncate(3);
                    out.push_at(
                        Severity::High,
                        name,
                        h,
                        "allowlist-bypass",
                        format!("{h} allows {}{more}; {} {}", hosts.join(", "), first.host, first.reason),
                        "allow only the exact script URLs you need, or use nonces with 'strict-dynamic' instead of a host allow-list",
                    );
                }
            }
            _ => {}
        }
    }
    if !unvetted.is_empty() {
        out.push_at(Severity::Possible, name, &unvetted.join(" "), "host-allowlist", format!("no known bypass on {}, but host allow-lists are often bypassed: make sure no allowed host serves JSONP, AngularJS or open redirects", unvetted.join(" ")), "use a per-request nonce with 'strict-dynamic' (see Policy::strict()) instead of a host allow-list");
    }
}

impl Policy {
    /// Lints the policy as the app configures it. `nonce_in` names the
    /// directives that get a per-request nonce (as `CspBuilder::nonce_in`);
    /// pass `&[]` when none does.
    ///
    /// ```
    /// # use rampart_core::csp::{Policy, Severity};
    /// let f = Policy::parse("script-src 'unsafe-inline'").unwrap().lint(&[]);
    /// assert!(f.iter().any(|f| f.check == "unsafe-inline" && f.severity == Severity::High));
    /// let p = Policy::parse("script-src 'strict-dynamic'; object-src 'none'; base-uri 'none'").unwrap();
    /// assert!(p.lint(&["script-src"]).iter().all(|f| f.severity > Severity::Medium));
    /// ```
    pub fn lint(&self, nonce_in: &[&str]) -> Vec<Finding> {
        lint_policy(self, nonce_in)
    }
}

#[cfg(test)]
mod evaluator_cases;
#[cfg(test)]
mod tests;
