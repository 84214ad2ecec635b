//! `rampart check URL`: fetch a deployed page the way Mozilla's HTTP
//! Observatory does (the plain-http entry, its redirects, then the page) and
//! grade it by the Observatory's published tests and modifiers
//! (`observatory.rs`), then say which rampart setting changes each result.

mod observatory;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use reqwest::blocking::{Client, Response};
use url::Url;

use crate::output::{plain, Out, Tone};
use crate::{Fatal, Outcome};
pub(crate) use observatory::meta_csp;
use observatory::{grade, Grade, Page, TestResult};

#[derive(clap::Args)]
pub(crate) struct Args {
    /// The page to grade (`https://…`, or `http://…` to grade its redirect too).
    url: String,
    /// Connect HOST:PORT to ADDR instead of resolving it, as curl's `--resolve` (repeatable).
    #[arg(long, value_name = "HOST:PORT:ADDR")]
    resolve: Vec<String>,
    /// Trust this CA (PEM) besides the system's.
    #[arg(long, value_name = "FILE")]
    ca: Option<PathBuf>,
    /// Send this header with every request (`Name: value`, repeatable).
    #[arg(long = "header", short = 'H', value_name = "NAME: VALUE")]
    headers: Vec<String>,
    /// Exit 1 when the grade is below this one (A+, A, A-, B+, … F). A nonce served twice exits 1 too.
    #[arg(long, value_name = "GRADE")]
    min_grade: Option<String>,
}

/// Most redirects followed, as browsers cap them.
const MAX_REDIRECTS: usize = 10;

struct Fetcher {
    client: Client,
}

/// One response as the grader reads it.
pub(crate) struct Fetched {
    pub(crate) url: Url,
    pub(crate) status: u16,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) body: String,
}

impl Fetcher {
    fn new(args: &Args) -> Result<Self, Fatal> {
        let mut b = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(15))
            .user_agent(concat!("rampart-check/", env!("CARGO_PKG_VERSION")));
        for r in &args.resolve {
            let mut parts = r.splitn(3, ':');
            let (Some(host), Some(port), Some(addr)) = (parts.next(), parts.next(), parts.next())
            else {
                return Err(Fatal(format!("--resolve {r}: write HOST:PORT:ADDR")));
            };
            let port: u16 = port
                .parse()
                .map_err(|_| Fatal(format!("--resolve {r}: `{port}` is not a port")))?;
            let ip: std::net::IpAddr = addr
                .trim_matches(|c| c == '[' || c == ']')
                .parse()
                .map_err(|_| Fatal(format!("--resolve {r}: `{addr}` is not an IP address")))?;
            b = b.resolve(host, SocketAddr::new(ip, port));
        }
        if let Some(ca) = &args.ca {
            let pem = std::fs::read(ca)
                .map_err(|e| Fatal(format!("cannot read --ca {}: {e}", ca.display())))?;
            let cert = reqwest::Certificate::from_pem(&pem)
                .map_err(|e| Fatal(format!("--ca {}: not a PEM certificate: {e}", ca.display())))?;
            b = b.add_root_certificate(cert);
        }
        let mut default = reqwest::header::HeaderMap::new();
        for h in &args.headers {
            let Some((name, value)) = h.split_once(':') else {
                return Err(Fatal(format!("--header {h}: write `Name: value`")));
            };
            let name = reqwest::header::HeaderName::from_bytes(name.trim().as_bytes())
                .map_err(|_| Fatal(format!("--header {h}: `{name}` is not a header name")))?;
            let value = reqwest::header::HeaderValue::from_str(value.trim())
                .map_err(|_| Fatal(format!("--header {h}: the value is not a header value")))?;
            default.append(name, value);
        }
        Ok(Fetcher {
            client: b.default_headers(default).build()?,
        })
    }

    /// The CORS preflight the Observatory sends; `None` unless it answers 2xx.
    fn preflight(&self, url: &Url) -> Option<reqwest::header::HeaderMap> {
        let res = self
            .client
            .request(reqwest::Method::OPTIONS, url.clone())
            .header("origin", observatory::PROBE_ORIGIN)
            .header("access-control-request-method", "GET")
            .send()
            .ok()?;
        res.status().is_success().then(|| res.headers().clone())
    }

    fn get(&self, url: &Url) -> Result<Response, reqwest::Error> {
        self.client.get(url.clone()).send()
    }

    /// Follows redirects from `start`; every hop, the last one read whole.
    fn chain(&self, start: &Url) -> Result<Vec<Fetched>, String> {
        let mut hops = Vec::new();
        let mut url = start.clone();
        for _ in 0..=MAX_REDIRECTS {
            let res = self.get(&url).map_err(|e| describe(&url, &e))?;
            let status = res.status().as_u16();
            let headers = res.headers().clone();
            let next = (300..400)
                .contains(&status)
                .then(|| headers.get("location").and_then(|l| l.to_str().ok()))
                .flatten()
                .and_then(|l| url.join(l).ok());
            let body = if next.is_none() {
                res.text().unwrap_or_default()
            } else {
                String::new()
            };
            hops.push(Fetched {
                url: url.clone(),
                status,
                headers,
                body,
            });
            match next {
                Some(n) => url = n,
                None => return Ok(hops),
            }
        }
        Err(format!("more than {MAX_REDIRECTS} redirects from {start}"))
    }
}

/// The `'nonce-…'` sources of a response's CSP headers.
fn nonces(h: &reqwest::header::HeaderMap) -> Vec<String> {
    h.get_all("content-security-policy")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split([' ', ';', ',']))
        .filter(|t| t.len() > 8 && t[..7].eq_ignore_ascii_case("'nonce-"))
        .map(str::to_owned)
        .collect()
}

/// An error with its causes (reqwest's own message names only the top one).
fn describe(url: &Url, e: &reqwest::Error) -> String {
    let mut msg = format!("cannot fetch {url}: {e}");
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        msg.push_str(&format!(": {s}"));
        src = s.source();
    }
    msg
}

pub(crate) fn run(out: &Out, args: Args) -> Result<Outcome, Fatal> {
    let min = match &args.min_grade {
        Some(g) => Some(Grade::parse(g).ok_or_else(|| {
            Fatal(format!(
                "--min-grade {g}: use A+, A, A-, B+, B, B-, C+, C, C-, D+, D, D- or F"
            ))
        })?),
        None => None,
    };
    let start = Url::parse(&args.url).map_err(|e| Fatal(format!("{}: {e}", args.url)))?;
    if !matches!(start.scheme(), "http" | "https") {
        return Err(Fatal(format!(
            "{}: give an http:// or https:// URL",
            args.url
        )));
    }
    let fetcher = Fetcher::new(&args)?;
    // The redirection test starts from plain http, as the Observatory's does.
    let http_start = if start.scheme() == "http" {
        start.clone()
    } else {
        let mut u = start.clone();
        u.set_scheme("http").expect("http is a valid scheme here");
        u.set_port(None).expect("an http URL takes a port");
        u
    };
    let http_chain = fetcher.chain(&http_start);
    let page_chain = if start.scheme() == "https" {
        fetcher.chain(&start).map_err(Fatal)?
    } else {
        match &http_chain {
            Ok(c) if c.last().is_some_and(|l| l.url.scheme() == "https") => fetcher
                .chain(&c.last().expect("non-empty").url)
                .map_err(Fatal)?,
            Ok(_) => Vec::new(),
            Err(e) => return Err(Fatal(e.clone())),
        }
    };
    let final_page = match page_chain.last() {
        Some(p) => p,
        None => http_chain
            .as_ref()
            .ok()
            .and_then(|c| c.last())
            .ok_or_else(|| Fatal(format!("{} gave no page", args.url)))?,
    };
    let cors = fetcher.preflight(&final_page.url);
    let page = Page {
        http_chain: http_chain.as_deref().ok(),
        page_chain: &page_chain,
        page: final_page,
        cors,
    };
    let report = grade(&page);
    // A nonce is worth something only if each response gets its own: fetch
    // the page once more and compare (the Observatory does not look).
    let reused = match fetcher.chain(&final_page.url) {
        Ok(again) => again.last().is_some_and(|p| {
            let first = nonces(&final_page.headers);
            !first.is_empty() && nonces(&p.headers).iter().any(|n| first.contains(n))
        }),
        Err(_) => false,
    };
    let failed = min.is_some_and(|m| report.grade < m) || reused;
    if out.json {
        let mut json = report.to_json(&final_page.url);
        let hops = |c: &[Fetched]| -> Vec<serde_json::Value> {
            c.iter()
                .map(|f| serde_json::json!({ "url": f.url.as_str(), "status": f.status }))
                .collect()
        };
        json["http_redirects"] = http_chain.as_deref().map(hops).unwrap_or_default().into();
        json["https_redirects"] = hops(&page_chain).into();
        json["nonce_reused"] = reused.into();
        out.json(&json);
    } else {
        println!(
            "{}  score {}  {}",
            out.paint(
                &format!("grade {}", report.grade),
                if report.grade >= Grade::A {
                    Tone::Good
                } else if report.grade >= Grade::C {
                    Tone::Warn
                } else {
                    Tone::Bad
                }
            ),
            report.score,
            final_page.url
        );
        let rows: Vec<Vec<(String, Tone)>> = report
            .results
            .iter()
            .map(|r: &TestResult| {
                let tone = if r.modifier > 0 {
                    Tone::Good
                } else if r.modifier < 0 {
                    Tone::Bad
                } else {
                    Tone::Plain
                };
                vec![
                    plain(r.test),
                    (format!("{:+}", r.modifier), tone),
                    plain(r.result),
                    plain(r.fix.unwrap_or("")),
                ]
            })
            .collect();
        out.table(
            &["test", "score", "result", "what to change in rampart"],
            &rows,
        );
    }
    Ok(if failed { Outcome::Failed } else { Outcome::Ok })
}
