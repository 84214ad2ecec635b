//! Mozilla's HTTP Observatory (the MDN version): its ten tests, each result's
//! score modifier and the conditions that select it, in the order its
//! scanner checks them; the score (penalties, then bonuses only from 90 up)
//! and the grade. Each result that costs points names the rampart setting
//! that changes it.
//!
//! Known differences, each because the Observatory needs data this tool does
//! not carry: no HSTS preload list (`hsts-preloaded` and
//! `redirection-all-redirects-preloaded` never happen), and "same site" for
//! subresource integrity compares the last two host labels instead of the
//! public-suffix list's registrable domain.

use std::collections::BTreeMap;

use super::Fetched;

/// What was fetched: the plain-http session (for the redirect test), the
/// https session, the page graded, and the CORS preflight's answer.
pub(crate) struct Page<'a> {
    pub(crate) http_chain: Option<&'a [Fetched]>,
    pub(crate) page_chain: &'a [Fetched],
    pub(crate) page: &'a Fetched,
    pub(crate) cors: Option<reqwest::header::HeaderMap>,
}

/// One test's result.
pub(crate) struct TestResult {
    pub(crate) test: &'static str,
    pub(crate) result: &'static str,
    pub(crate) modifier: i32,
    pub(crate) fix: Option<&'static str>,
}

/// Grades, worst first (so `<` means worse).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Grade {
    F,
    DMinus,
    D,
    DPlus,
    CMinus,
    C,
    CPlus,
    BMinus,
    B,
    BPlus,
    AMinus,
    A,
    APlus,
}

const GRADES: [(Grade, &str, i32); 13] = [
    (Grade::APlus, "A+", 100),
    (Grade::A, "A", 90),
    (Grade::AMinus, "A-", 85),
    (Grade::BPlus, "B+", 80),
    (Grade::B, "B", 70),
    (Grade::BMinus, "B-", 65),
    (Grade::CPlus, "C+", 60),
    (Grade::C, "C", 50),
    (Grade::CMinus, "C-", 45),
    (Grade::DPlus, "D+", 40),
    (Grade::D, "D", 30),
    (Grade::DMinus, "D-", 25),
    (Grade::F, "F", 0),
];

impl Grade {
    fn of(score: i32) -> Grade {
        GRADES
            .iter()
            .find(|(_, _, min)| score >= *min)
            .map_or(Grade::F, |(g, _, _)| *g)
    }

    pub(crate) fn parse(s: &str) -> Option<Grade> {
        GRADES
            .iter()
            .find(|(_, n, _)| n.eq_ignore_ascii_case(s.trim()))
            .map(|(g, _, _)| *g)
    }
}

impl std::fmt::Display for Grade {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = GRADES
            .iter()
            .find(|(g, _, _)| g == self)
            .map_or("F", |x| x.1);
        f.write_str(name)
    }
}

pub(crate) struct Report {
    pub(crate) score: i32,
    pub(crate) grade: Grade,
    pub(crate) results: Vec<TestResult>,
}

impl Report {
    pub(crate) fn to_json(&self, url: &url::Url) -> serde_json::Value {
        serde_json::json!({
            "url": url.as_str(),
            "score": self.score,
            "grade": self.grade.to_string(),
            "tests": self.results.iter().map(|r| serde_json::json!({
                "test": r.test,
                "result": r.result,
                "modifier": r.modifier,
                "fix": r.fix,
            })).collect::<Vec<_>>(),
        })
    }
}

/// Scores as the Observatory does: penalties from 100; bonuses only when
/// the penalised score is 90 or more; never below 0.
pub(crate) fn grade(page: &Page<'_>) -> Report {
    let meta = Meta::read(page.page);
    let csp = csp(page, &meta);
    let hsts = hsts(page);
    let results = vec![
        csp.result,
        cookies(page, hsts.passes),
        cors(page),
        redirection(page),
        referrer(page, &meta),
        hsts.result,
        sri(page),
        nosniff(page),
        frame_options(page, csp.has_frame_ancestors),
        corp(page),
    ];
    let penalties: i32 = results.iter().map(|r| r.modifier.min(0)).sum();
    let all: i32 = results.iter().map(|r| r.modifier).sum();
    let score = if 100 + penalties >= 90 {
        100 + all
    } else {
        100 + penalties
    }
    .max(0);
    Report {
        score,
        grade: Grade::of(score),
        results,
    }
}

fn result(
    test: &'static str,
    result: &'static str,
    modifier: i32,
    fix: Option<&'static str>,
) -> TestResult {
    TestResult {
        test,
        result,
        modifier,
        fix: if modifier < 0 { fix } else { None },
    }
}

/// A header's values joined with ", " as Node does for repeated fields.
fn joined(h: &reqwest::header::HeaderMap, name: &str) -> Option<String> {
    let v: Vec<&str> = h
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    (!v.is_empty()).then(|| v.join(", "))
}

fn first_cut(h: &reqwest::header::HeaderMap, name: &str, max: usize) -> Option<String> {
    joined(h, name).map(|v| {
        let mut v = v;
        v.truncate(max.min(v.len()));
        v.trim().to_ascii_lowercase()
    })
}

fn site_is_https(page: &Page<'_>) -> bool {
    page.page.url.scheme() == "https"
}

// ---------------------------------------------------------------- HTML

/// What the page's `<meta>` tags say, and its `<script>` tags.
struct Meta {
    csp: Vec<String>,
    referrer: Option<String>,
    scripts: Vec<BTreeMap<String, String>>,
}

impl Meta {
    fn read(page: &Fetched) -> Meta {
        let mime = page
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or("").to_owned())
            .unwrap_or_default();
        let html = mime.is_empty() || mime == "text/html" || mime == "application/xhtml+xml";
        let mut m = Meta {
            csp: Vec::new(),
            referrer: None,
            scripts: Vec::new(),
        };
        if !html || page.body.is_empty() {
            return m;
        }
        for (tag, attrs) in tags(&page.body) {
            match tag.as_str() {
                "meta" => {
                    let content = attrs.get("content").map(|c| c.trim()).unwrap_or("");
                    if let Some(eq) = attrs.get("http-equiv") {
                        if eq.trim().eq_ignore_ascii_case("content-security-policy")
                            && !content.is_empty()
                        {
                            m.csp.push(content.to_owned());
                        }
                    } else if attrs
                        .get("name")
                        .is_some_and(|n| n.trim().eq_ignore_ascii_case("referrer"))
                        && !content.is_empty()
                    {
                        m.referrer = Some(content.to_owned());
                    }
                }
                "script" => m.scripts.push(attrs),
                _ => {}
            }
        }
        m
    }
}

/// The `<meta http-equiv="Content-Security-Policy">` policies of a document,
/// in order (`rampart csp lint --url` judges them with the headers).
pub(crate) fn meta_csp(html: &str) -> Vec<String> {
    tags(html)
        .into_iter()
        .filter(|(tag, attrs)| {
            tag == "meta"
                && attrs
                    .get("http-equiv")
                    .is_some_and(|e| e.trim().eq_ignore_ascii_case("content-security-policy"))
        })
        .filter_map(|(_, attrs)| attrs.get("content").map(|c| c.trim().to_owned()))
        .filter(|c| !c.is_empty())
        .collect()
}

/// The `<meta>` and `<script>` start tags of a document, with their
/// attributes (names lowercased). Comments are skipped; a script's content is
/// not searched for tags.
fn tags(html: &str) -> Vec<(String, BTreeMap<String, String>)> {
    let lower = html.to_ascii_lowercase();
    let bytes = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(off) = lower[i..].find('<') {
        let start = i + off;
        if lower[start..].starts_with("<!--") {
            i = lower[start..]
                .find("-->")
                .map_or(lower.len(), |e| start + e + 3);
            continue;
        }
        let name_end = lower[start + 1..]
            .find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
            .map_or(lower.len(), |e| start + 1 + e);
        let name = &lower[start + 1..name_end];
        if name != "meta" && name != "script" {
            i = start + 1;
            continue;
        }
        // Attributes up to the tag's end, minding quotes. Names and values are
        // cut from the bytes (lossily decoded), so no cut can split a character.
        let text = |a: usize, b: usize| {
            String::from_utf8_lossy(&bytes[a..b.min(bytes.len())]).into_owned()
        };
        let mut attrs = BTreeMap::new();
        let mut j = name_end;
        loop {
            while j < bytes.len() && (bytes[j].is_ascii_whitespace() || bytes[j] == b'/') {
                j += 1;
            }
            if j >= bytes.len() || bytes[j] == b'>' {
                break;
            }
            let k = j;
            while j < bytes.len()
                && !bytes[j].is_ascii_whitespace()
                && !matches!(bytes[j], b'=' | b'>' | b'/')
            {
                j += 1;
            }
            let attr = text(k, j).to_ascii_lowercase();
            let mut value = String::new();
            while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            if j < bytes.len() && bytes[j] == b'=' {
                j += 1;
                while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                    j += 1;
                }
                if j < bytes.len() && (bytes[j] == b'"' || bytes[j] == b'\'') {
                    let q = bytes[j];
                    let v0 = j + 1;
                    j = v0;
                    while j < bytes.len() && bytes[j] != q {
                        j += 1;
                    }
                    value = unescape(&text(v0, j));
                    j += 1;
                } else {
                    let v0 = j;
                    while j < bytes.len() && !bytes[j].is_ascii_whitespace() && bytes[j] != b'>' {
                        j += 1;
                    }
                    value = unescape(&text(v0, j));
                }
            }
            if !attr.is_empty() {
                attrs.entry(attr).or_insert(value);
            }
            if j == k {
                // Nothing read (a stray `=` alone is read above): step over one byte.
                j += 1;
            }
        }
        out.push((name.to_owned(), attrs));
        // Back to a character boundary for the string searches.
        i = j.min(lower.len());
        while !lower.is_char_boundary(i) {
            i += 1;
        }
        if name == "script" {
            // Skip the script's text.
            i = lower[i..].find("</script").map_or(lower.len(), |e| i + e);
        }
    }
    out
}

fn unescape(s: &str) -> String {
    html_escape::decode_html_entities(s).into_owned()
}

// ---------------------------------------------------------------- CSP

struct CspOutcome {
    result: TestResult,
    has_frame_ancestors: bool,
}

type Directives = BTreeMap<String, Vec<String>>;

/// One serialized policy: directives (lowercased) to sources (lowercased);
/// `Err` for what the Observatory refuses (a short policy, a directive repeated).
fn parse_policy(p: &str, duplicate_reporting: &mut bool) -> Result<Directives, ()> {
    let p = p.replace(['\r', '\n'], "");
    let p = p.trim();
    if p.len() < 6 {
        return Err(());
    }
    let mut out = Directives::new();
    for entry in p.split(';') {
        let mut words = entry.split_whitespace();
        let Some(name) = words.next() else { continue };
        let name = name.to_ascii_lowercase();
        let mut sources: Vec<String> = words.map(str::to_ascii_lowercase).collect();
        if out.contains_key(&name) {
            if name == "report-uri" || name == "report-to" {
                *duplicate_reporting = true;
                continue;
            }
            return Err(());
        }
        if sources.is_empty() && name.ends_with("-src") {
            sources.push("'none'".into());
        }
        out.insert(name, sources);
    }
    Ok(out)
}

/// Several policies: a directive keeps the sources every policy that names it allows.
fn parse_all(policies: &[String], duplicate: &mut bool) -> Result<Directives, ()> {
    let mut combined: Option<Directives> = None;
    for p in policies {
        let d = parse_policy(p, duplicate)?;
        combined = Some(match combined {
            None => d,
            Some(mut c) => {
                for (name, sources) in d {
                    match c.get_mut(&name) {
                        Some(have) => have.retain(|s| sources.contains(s)),
                        None => {
                            c.insert(name, Vec::new());
                        }
                    }
                }
                c
            }
        });
    }
    let mut c = combined.unwrap_or_default();
    for v in c.values_mut() {
        if v.is_empty() {
            v.push("'none'".into());
        }
    }
    Ok(c)
}

fn split_policies(values: impl Iterator<Item = String>) -> Vec<String> {
    values
        .flat_map(|v| {
            v.split(',')
                .map(|p| p.trim().to_owned())
                .collect::<Vec<_>>()
        })
        .collect()
}

const BROAD: [&str; 8] = [
    "ftp:",
    "http:",
    "https:",
    "*",
    "http://*",
    "http://*.*",
    "https://*",
    "https://*.*",
];

fn csp(page: &Page<'_>, meta: &Meta) -> CspOutcome {
    const T: &str = "content-security-policy";
    const FIX: Option<&str> = Some(
        "CSP: a policy without 'unsafe-inline', 'unsafe-eval' or wildcard script sources, nonces for inline scripts (CspBuilder::nonce_in, [csp] policy/nonce_in; `rampart csp lint` says why)",
    );
    let h = &page.page.headers;
    let header: Vec<String> = split_policies(
        h.get_all("content-security-policy")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned)),
    );
    let metas = split_policies(meta.csp.iter().cloned());
    let none = |has_fa| CspOutcome {
        result: result(T, "csp-not-implemented", -25, FIX),
        has_frame_ancestors: has_fa,
    };
    let mut duplicate = false;
    let all: Vec<String> = header.iter().chain(metas.iter()).cloned().collect();
    let Ok(mut csp) = parse_all(&all, &mut duplicate) else {
        return CspOutcome {
            result: result(T, "csp-header-invalid", -25, FIX),
            has_frame_ancestors: false,
        };
    };
    let mut ignored = false;
    let hdr = parse_all(&header, &mut ignored).unwrap_or_default();
    let mut meta_only = parse_all(&metas, &mut ignored).unwrap_or_default();
    for d in ["frame-ancestors", "report-uri", "sandbox"] {
        meta_only.remove(d);
    }
    if hdr.is_empty() && meta_only.is_empty() {
        let reporting = h
            .get("content-security-policy-report-only")
            .is_some_and(|v| !v.as_bytes().trim_ascii().is_empty());
        let mut o = none(false);
        if reporting {
            o.result = result(T, "csp-not-implemented-but-reporting-enabled", -25, FIX);
        }
        return o;
    }
    let has_frame_ancestors = csp.contains_key("frame-ancestors");
    let star = || vec!["*".to_owned()];
    let fallback = |csp: &Directives, d: &str| {
        csp.get(d)
            .or_else(|| csp.get("default-src"))
            .cloned()
            .unwrap_or_else(star)
    };
    let mut script = fallback(&csp, "script-src");
    let mut style = fallback(&csp, "style-src");
    let object = fallback(&csp, "object-src");
    let is_nonce_or_hash = |s: &String| {
        ["'sha256-", "'sha384-", "'sha512-", "'nonce-"]
            .iter()
            .any(|p| s.starts_with(p))
    };
    for set in [&mut script, &mut style] {
        if set.iter().any(is_nonce_or_hash) {
            set.retain(|s| s != "'unsafe-inline'");
        }
    }
    let mut invalid = false;
    if script.iter().any(|s| s == "'strict-dynamic'") {
        if script.iter().any(is_nonce_or_hash) {
            script.retain(|s| {
                !(["ftp:", "http:", "https:", "*"]
                    .iter()
                    .any(|p| s.starts_with(p))
                    || s == "'self'"
                    || s == "'unsafe-inline'")
            });
        } else {
            invalid = true;
        }
    }
    // What the checks below read, with script-src and style-src as reduced.
    if csp.contains_key("script-src") {
        csp.insert("script-src".into(), script.clone());
    }
    let https = site_is_https(page);
    let broad_or_inline = |set: &[String]| {
        set.iter()
            .any(|s| BROAD.contains(&s.as_str()) || s == "'unsafe-inline'" || s == "data:")
    };
    let insecure = |s: &String| s.starts_with("http:") || s.starts_with("ftp:");
    let active: Vec<&String> = csp
        .iter()
        .filter(|(d, _)| !matches!(d.as_str(), "img-src" | "media-src" | "script-src"))
        .flat_map(|(_, v)| v)
        .chain(script.iter())
        .collect();
    let passive: Vec<String> = ["img-src", "media-src"]
        .iter()
        .flat_map(|d| {
            csp.get(*d)
                .or_else(|| csp.get("default-src"))
                .cloned()
                .unwrap_or_default()
        })
        .collect();
    let r = if invalid {
        result(T, "csp-header-invalid", -25, FIX)
    } else if broad_or_inline(&script) || object.iter().any(|s| BROAD.contains(&s.as_str())) {
        result(T, "csp-implemented-with-unsafe-inline", -20, FIX)
    } else if https && active.iter().any(|s| insecure(s)) {
        result(T, "csp-implemented-with-insecure-scheme", -20, FIX)
    } else if script
        .iter()
        .chain(style.iter())
        .any(|s| s == "'unsafe-eval'")
    {
        result(T, "csp-implemented-with-unsafe-eval", -10, FIX)
    } else if https && passive.iter().any(insecure) {
        result(
            T,
            "csp-implemented-with-insecure-scheme-in-passive-content-only",
            -10,
            FIX,
        )
    } else if broad_or_inline(&style) {
        result(
            T,
            "csp-implemented-with-unsafe-inline-in-style-src-only",
            0,
            None,
        )
    } else if csp.get("default-src").is_some_and(|d| d == &["'none'"]) {
        result(
            T,
            "csp-implemented-with-no-unsafe-default-src-none",
            10,
            None,
        )
    } else {
        result(T, "csp-implemented-with-no-unsafe", 5, None)
    };
    let r = if duplicate
        && matches!(
            r.result,
            "csp-implemented-with-no-unsafe"
                | "csp-implemented-with-no-unsafe-default-src-none"
                | "csp-implemented-with-unsafe-inline-in-style-src-only"
                | "csp-implemented-with-insecure-scheme-in-passive-content-only"
        ) {
        result(T, "csp-implemented-but-duplicate-directives", 0, None)
    } else {
        r
    };
    CspOutcome {
        result: r,
        has_frame_ancestors,
    }
}

// ---------------------------------------------------------------- cookies

fn cookies(page: &Page<'_>, hsts: bool) -> TestResult {
    const T: &str = "cookies";
    const FIX: Option<&str> = Some(
        "cookie hardening: keep SecureHeadersBuilder::cookies on (default; [headers] harden_cookies = true), serve over https",
    );
    // Rank of each bad result, as the Observatory keeps the worst (by this order, not by points).
    const BAD: [(&str, i32); 7] = [
        ("cookies-without-secure-flag-but-protected-by-hsts", -5),
        ("cookies-without-secure-flag", -20),
        (
            "cookies-session-without-secure-flag-but-protected-by-hsts",
            -10,
        ),
        ("cookies-samesite-flag-invalid", -20),
        ("cookies-anticsrf-without-samesite-flag", -20),
        ("cookies-session-without-httponly-flag", -30),
        ("cookies-session-without-secure-flag", -40),
    ];
    let mut worst: Option<usize> = None;
    let mut flag = |name: &str| {
        let rank = BAD.iter().position(|(n, _)| *n == name).expect("listed");
        worst = Some(worst.map_or(rank, |w| w.max(rank)));
    };
    let raw: Vec<&str> = page
        .page
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    for c in &raw {
        for attr in c.split(';').skip(1) {
            let (k, v) = attr
                .split_once('=')
                .map_or((attr, None), |(k, v)| (k, Some(v)));
            if k.trim().eq_ignore_ascii_case("samesite")
                && !v.is_some_and(|v| {
                    matches!(
                        v.trim().to_ascii_lowercase().as_str(),
                        "lax" | "strict" | "none"
                    )
                })
            {
                flag("cookies-samesite-flag-invalid");
            }
        }
    }
    // Every cookie the session was sent, on any hop.
    let jar: Vec<cookie::Cookie<'static>> = page
        .page_chain
        .iter()
        .chain(std::iter::once(page.page))
        .flat_map(|f| f.headers.get_all("set-cookie").iter())
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| cookie::Cookie::parse(v.to_owned()).ok())
        .filter(|c| c.name() != "heroku-session-affinity")
        .collect();
    if jar.is_empty() {
        return result(T, "cookies-not-found", 0, None);
    }
    let mut lacks_samesite = false;
    for c in &jar {
        let name = c.name().to_ascii_lowercase();
        let session = name.contains("login") || name.contains("sess");
        let anticsrf = name.contains("csrf");
        let secure = c.secure() == Some(true);
        if !secure && c.same_site() == Some(cookie::SameSite::None) {
            flag("cookies-samesite-flag-invalid");
        }
        if !secure {
            flag(if hsts {
                "cookies-without-secure-flag-but-protected-by-hsts"
            } else {
                "cookies-without-secure-flag"
            });
        }
        if anticsrf && c.same_site().is_none() {
            flag("cookies-anticsrf-without-samesite-flag");
        }
        if session && !secure {
            flag(if hsts {
                "cookies-session-without-secure-flag-but-protected-by-hsts"
            } else {
                "cookies-session-without-secure-flag"
            });
        }
        if session && c.http_only() != Some(true) {
            flag("cookies-session-without-httponly-flag");
        }
        lacks_samesite |= c.same_site().is_none();
    }
    match worst {
        Some(w) => result(T, BAD[w].0, BAD[w].1, FIX),
        None if lacks_samesite => result(T, "cookies-secure-with-httponly-sessions", 0, None),
        None => result(
            T,
            "cookies-secure-with-httponly-sessions-and-samesite",
            5,
            None,
        ),
    }
}

// ---------------------------------------------------------------- CORS

/// The Origin the preflight sends, as the Observatory's does.
pub(crate) const PROBE_ORIGIN: &str = "https://http-observatory.security.mozilla.org";

fn cors(page: &Page<'_>) -> TestResult {
    const T: &str = "cross-origin-resource-sharing";
    let Some(h) = &page.cors else {
        return result(T, "cross-origin-resource-sharing-not-implemented", 0, None);
    };
    let Some(acao) = h
        .get("access-control-allow-origin")
        .and_then(|v| v.to_str().ok())
    else {
        return result(T, "cross-origin-resource-sharing-not-implemented", 0, None);
    };
    if acao.trim().eq_ignore_ascii_case("*") {
        return result(
            T,
            "cross-origin-resource-sharing-implemented-with-public-access",
            0,
            None,
        );
    }
    let credentials = h
        .get("access-control-allow-credentials")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    if acao == PROBE_ORIGIN && credentials {
        return result(
            T,
            "cross-origin-resource-sharing-implemented-with-universal-access",
            -50,
            Some("CORS: answer only the origins you trust (rampart adds no CORS headers; check the app's CORS layer)"),
        );
    }
    result(
        T,
        "cross-origin-resource-sharing-implemented-with-restricted-access",
        0,
        None,
    )
}

// ---------------------------------------------------------------- redirection

fn redirection(page: &Page<'_>) -> TestResult {
    const T: &str = "redirection";
    const FIX: Option<&str> = Some(
        "HTTPS redirect: keep HttpsRedirect on ([https] redirect = true), trust the TLS proxy ([proxy] trust/headers), name the host ([https] allowed_hosts)",
    );
    let Some(route) = page.http_chain else {
        return result(T, "redirection-not-needed-no-http", 0, None);
    };
    if route.len() == 1 {
        return result(T, "redirection-missing", -20, FIX);
    }
    let last = route.last().expect("non-empty");
    if last.url.scheme() != "https" {
        return result(T, "redirection-not-to-https", -20, FIX);
    }
    if route[1].url.scheme() == "http" {
        return result(
            T,
            "redirection-not-to-https-on-initial-redirection",
            -10,
            FIX,
        );
    }
    if route[0].url.host_str() != route[1].url.host_str() {
        return result(T, "redirection-off-host-from-http", -5, FIX);
    }
    result(T, "redirection-to-https", 0, None)
}

// ---------------------------------------------------------------- referrer

fn referrer(page: &Page<'_>, meta: &Meta) -> TestResult {
    const T: &str = "referrer-policy";
    const FIX: Option<&str> = Some(
        "Referrer-Policy: SecureHeadersBuilder::referrer_policy (default strict-origin-when-cross-origin; [headers] referrer_policy)",
    );
    let mut values: Vec<String> = page
        .page
        .headers
        .get_all("referrer-policy")
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect();
    values.extend(meta.referrer.clone());
    if values.is_empty() {
        return result(T, "referrer-policy-not-implemented", 0, None);
    }
    const PRIVATE: [&str; 4] = [
        "no-referrer",
        "same-origin",
        "strict-origin",
        "strict-origin-when-cross-origin",
    ];
    const UNSAFE: [&str; 4] = [
        "origin",
        "origin-when-cross-origin",
        "unsafe-url",
        "no-referrer-when-downgrade",
    ];
    let last = values
        .join(", ")
        .split(',')
        .map(|t| t.trim().to_ascii_lowercase())
        .rfind(|t| PRIVATE.contains(&t.as_str()) || UNSAFE.contains(&t.as_str()));
    match last {
        Some(t) if PRIVATE.contains(&t.as_str()) => result(T, "referrer-policy-private", 5, None),
        Some(_) => result(T, "referrer-policy-unsafe", -5, FIX),
        None => result(T, "referrer-policy-header-invalid", -5, FIX),
    }
}

// ---------------------------------------------------------------- HSTS

struct HstsOutcome {
    result: TestResult,
    passes: bool,
}

/// 180 days, the Observatory's "six months".
const SIX_MONTHS: u64 = 15_552_000;

fn hsts(page: &Page<'_>) -> HstsOutcome {
    const T: &str = "strict-transport-security";
    const FIX: Option<&str> = Some(
        "HSTS: serve over https and keep Hsts on with max-age >= 15552000 (default 31536000; [headers.hsts]); behind a proxy, trust it so requests are seen as secure ([proxy])",
    );
    let https = page.page_chain.last().filter(|p| p.url.scheme() == "https");
    let Some(p) = https else {
        return HstsOutcome {
            result: result(T, "hsts-not-implemented-no-https", -20, FIX),
            passes: false,
        };
    };
    let Some(v) = first_cut(&p.headers, "strict-transport-security", 1024) else {
        return HstsOutcome {
            result: result(T, "hsts-not-implemented", -20, FIX),
            passes: false,
        };
    };
    let invalid = || HstsOutcome {
        result: result(T, "hsts-header-invalid", -20, FIX),
        passes: false,
    };
    if v.contains(',') {
        return invalid();
    }
    let Some(age) = v
        .split(';')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("max-age="))
    else {
        return invalid();
    };
    // parseInt: leading digits; none at all is NaN, which is "not less than".
    let digits: String = age.chars().take_while(char::is_ascii_digit).collect();
    let short = digits.parse::<u64>().is_ok_and(|n| n < SIX_MONTHS);
    if short {
        HstsOutcome {
            result: result(T, "hsts-implemented-max-age-less-than-six-months", -10, FIX),
            passes: false,
        }
    } else {
        HstsOutcome {
            result: result(T, "hsts-implemented-max-age-at-least-six-months", 0, None),
            passes: true,
        }
    }
}

// ---------------------------------------------------------------- SRI

fn registrable(host: &str) -> String {
    let labels: Vec<&str> = host.trim_end_matches('.').split('.').collect();
    labels[labels.len().saturating_sub(2)..]
        .join(".")
        .to_ascii_lowercase()
}

fn sri(page: &Page<'_>) -> TestResult {
    const T: &str = "subresource-integrity";
    const FIX: Option<&str> = Some(
        "SRI: load other sites' scripts over https with integrity=\"…\" (`rampart hash FILE` prints the value)",
    );
    const BAD: [(&str, i32); 5] = [
        ("sri-implemented-and-all-scripts-loaded-securely", 5),
        ("sri-implemented-and-external-scripts-loaded-securely", 5),
        (
            "sri-implemented-but-external-scripts-not-loaded-securely",
            -20,
        ),
        (
            "sri-not-implemented-but-external-scripts-loaded-securely",
            -5,
        ),
        (
            "sri-not-implemented-and-external-scripts-not-loaded-securely",
            -50,
        ),
    ];
    let mime = page
        .page
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").to_owned())
        .unwrap_or_default();
    if !mime.is_empty() && mime != "text/html" && mime != "application/xhtml+xml" {
        return result(T, "sri-not-implemented-response-not-html", 0, None);
    }
    let meta = Meta::read(page.page);
    if meta.scripts.is_empty() {
        return result(T, "sri-not-implemented-but-no-scripts-loaded", 0, None);
    }
    let own = registrable(page.page.url.host_str().unwrap_or(""));
    let https = site_is_https(page);
    let mut worst: Option<usize> = None;
    let mut note = |rank: usize, only_if_unset: bool| {
        if only_if_unset {
            if worst.is_none() {
                worst = Some(rank);
            }
        } else {
            worst = Some(worst.map_or(rank, |w| w.max(rank)));
        }
    };
    let mut foreign_seen = false;
    for s in &meta.scripts {
        let Some(src) = s.get("src").filter(|v| !v.is_empty()) else {
            continue;
        };
        let integrity = s.get("integrity").is_some_and(|v| !v.is_empty());
        let (same, secure) = if src.starts_with("//") && !src.starts_with("///") {
            (false, false)
        } else if src.starts_with("http://") || src.starts_with("https://") {
            let host = url::Url::parse(src)
                .ok()
                .and_then(|u| u.host_str().map(str::to_owned))
                .unwrap_or_default();
            (registrable(&host) == own, src.starts_with("https://"))
        } else {
            (true, https)
        };
        if !same {
            foreign_seen = true;
            match (integrity, secure) {
                (true, false) => note(2, false),
                (false, true) => note(3, false),
                (false, false) => note(4, false),
                (true, true) => {}
            }
        } else if integrity && secure {
            note(0, true);
        }
    }
    match worst {
        Some(w) => result(T, BAD[w].0, BAD[w].1, FIX),
        None if foreign_seen => result(T, BAD[1].0, BAD[1].1, None),
        None => result(
            T,
            "sri-not-implemented-but-all-scripts-loaded-from-secure-origin",
            0,
            None,
        ),
    }
}

// ---------------------------------------------------------------- simple headers

fn nosniff(page: &Page<'_>) -> TestResult {
    const T: &str = "x-content-type-options";
    const FIX: Option<&str> = Some("X-Content-Type-Options: keep content_type_options on (default; [headers] content_type_options = true)");
    match first_cut(&page.page.headers, "x-content-type-options", 256) {
        Some(v) if v == "nosniff" => result(T, "x-content-type-options-nosniff", 0, None),
        Some(_) => result(T, "x-content-type-options-header-invalid", -5, FIX),
        None => result(T, "x-content-type-options-not-implemented", -5, FIX),
    }
}

fn frame_options(page: &Page<'_>, csp_frame_ancestors: bool) -> TestResult {
    const T: &str = "x-frame-options";
    const FIX: Option<&str> = Some(
        "framing: X-Frame-Options (FrameOptions::SameOrigin, default; [headers] frame_options) or CSP frame-ancestors",
    );
    if csp_frame_ancestors {
        return result(T, "x-frame-options-implemented-via-csp", 5, None);
    }
    match first_cut(&page.page.headers, "x-frame-options", 1024) {
        Some(v) if v == "deny" || v == "sameorigin" => {
            result(T, "x-frame-options-sameorigin-or-deny", 0, None)
        }
        Some(v) if v.starts_with("allow-from") => {
            result(T, "x-frame-options-allow-from-origin", 0, None)
        }
        Some(_) => result(T, "x-frame-options-header-invalid", -20, FIX),
        None => result(T, "x-frame-options-not-implemented", -20, FIX),
    }
}

fn corp(page: &Page<'_>) -> TestResult {
    const T: &str = "cross-origin-resource-policy";
    const FIX: Option<&str> = Some("Cross-Origin-Resource-Policy: same-origin (default; [headers] cross_origin_resource_policy)");
    match first_cut(&page.page.headers, "cross-origin-resource-policy", 256).as_deref() {
        Some("same-origin") => result(T, "corp-implemented-with-same-origin", 10, None),
        Some("same-site") => result(T, "corp-implemented-with-same-site", 10, None),
        Some("cross-origin") => result(T, "corp-implemented-with-cross-origin", 0, None),
        None | Some("") => result(T, "corp-not-implemented", 0, None),
        Some(_) => result(T, "corp-header-invalid", -5, FIX),
    }
}

#[cfg(test)]
mod tests;
