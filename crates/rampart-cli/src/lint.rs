//! `rampart csp lint`: the linter's findings, each with its severity and fix.

use std::path::PathBuf;

use std::io::Read as _;

use rampart_core::csp::{lint_headers, Finding, Severity};

use crate::check::meta_csp;

use crate::output::{plain, Out, Tone};
use crate::{Fatal, Outcome};

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Header values, each as served (`default-src 'self'; script-src ...`; a comma
    /// separates policies), judged together as the enforced headers of one page;
    /// `-` reads one value per line from stdin, each linted as a page of its own.
    #[arg(conflicts_with_all = ["file", "url"], required_unless_present_any = ["file", "url", "report_only"])]
    policies: Vec<String>,
    /// A `Content-Security-Policy-Report-Only` value (repeatable): linted as its
    /// own page, since it enforces nothing.
    #[arg(long = "report-only", value_name = "VALUE", conflicts_with = "url")]
    report_only: Vec<String>,
    /// Read one header value per line from a file, each linted as a page of its own.
    #[arg(long, conflicts_with = "url")]
    file: Option<PathBuf>,
    /// Fetch a page (redirects followed) and lint what it is served with: its
    /// Content-Security-Policy headers together; its `<meta>` policies and its
    /// report-only headers each apart (a `<meta>` policy applies only below
    /// where it appears, so it does not lower a header's findings).
    #[arg(long)]
    url: Option<String>,
    /// Directives the server adds a fresh nonce to (as `CspBuilder::nonce_in`).
    #[arg(long, value_delimiter = ',')]
    nonce_in: Vec<String>,
}

/// Where a value came from, and whether it is enforced.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Kind {
    Header,
    Meta,
    ReportOnly,
}

impl Kind {
    fn disposition(self) -> &'static str {
        if self == Kind::ReportOnly {
            "report-only"
        } else {
            "enforce"
        }
    }
}

/// One value as the browser reads it, with its findings.
struct Read {
    text: String,
    kind: Kind,
    findings: Vec<Finding>,
}

/// Lints the headers as one page; the `<meta>` policies and the report-only
/// values each as a page of their own.
fn lint_all(values: Vec<(String, Kind)>, nonce_in: &[String]) -> Vec<Read> {
    let refs: Vec<&str> = nonce_in.iter().map(String::as_str).collect();
    let of = |kind: Kind| -> Vec<(String, Kind)> {
        values.iter().filter(|(_, k)| *k == kind).cloned().collect()
    };
    let mut out = Vec::new();
    for group in [of(Kind::Header), of(Kind::Meta), of(Kind::ReportOnly)] {
        let texts: Vec<&str> = group.iter().map(|(t, _)| t.as_str()).collect();
        for ((text, kind), findings) in group.iter().zip(lint_headers(&texts, &refs)) {
            out.push(Read {
                text: text.trim().to_owned(),
                kind: *kind,
                findings,
            });
        }
    }
    out
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The page's CSP values: headers, `<meta>` policies, report-only headers.
fn fetch_csp(url: &str) -> Result<Vec<(String, Kind)>, Fatal> {
    let client = reqwest::blocking::Client::builder()
        .timeout(std::time::Duration::from_secs(15))
        .build()?;
    let res = client
        .get(url)
        .send()
        .map_err(|e| Fatal(format!("cannot fetch {url}: {e}")))?;
    let header = |name: &str, kind: Kind| -> Vec<(String, Kind)> {
        res.headers()
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .map(|s| (s, kind))
            .collect()
    };
    let mut found = header("content-security-policy", Kind::Header);
    let report = header("content-security-policy-report-only", Kind::ReportOnly);
    let html = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.trim_start().to_ascii_lowercase().starts_with("text/html"));
    if html {
        let body = res
            .text()
            .map_err(|e| Fatal(format!("cannot read {url}: {e}")))?;
        found.extend(meta_csp(&body).into_iter().map(|m| (m, Kind::Meta)));
    }
    found.extend(report);
    Ok(found)
}

pub(crate) fn run(out: &Out, args: Args) -> Result<Outcome, Fatal> {
    // A list of values (a file, stdin): each its own page.
    // Any bytes are linted: a byte that is not UTF-8 reads as U+FFFD, which is
    // not ASCII, so its directive is skipped, as a browser skips it.
    let list = if let Some(f) = &args.file {
        let bytes =
            std::fs::read(f).map_err(|e| Fatal(format!("cannot read {}: {e}", f.display())))?;
        Some(lines(&String::from_utf8_lossy(&bytes)))
    } else if args.policies == ["-"] {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| Fatal(format!("cannot read stdin: {e}")))?;
        Some(lines(&String::from_utf8_lossy(&bytes)))
    } else {
        None
    };
    let reads: Vec<Read> = if let Some(list) = list {
        if !args.report_only.is_empty() {
            return Err(Fatal(
                "--report-only goes with header values given on the command line, not with --file or stdin".into(),
            ));
        }
        if list.is_empty() {
            return Err(Fatal(
                "no header values to lint (the input is empty)".into(),
            ));
        }
        list.into_iter()
            .flat_map(|l| lint_all(vec![(l, Kind::Header)], &args.nonce_in))
            .collect()
    } else {
        page(&args)?
    };
    report(out, &reads)
}

/// The values of one page: positional ones or a fetched page's, and the
/// report-only ones.
fn page(args: &Args) -> Result<Vec<Read>, Fatal> {
    let mut values: Vec<(String, Kind)> = if let Some(u) = &args.url {
        let found = fetch_csp(u)?;
        if found.is_empty() {
            return Err(Fatal(format!(
                "{u} sends no Content-Security-Policy header or <meta> policy"
            )));
        }
        found
    } else {
        args.policies
            .iter()
            .map(|p| (p.clone(), Kind::Header))
            .collect()
    };
    values.extend(
        args.report_only
            .iter()
            .map(|p| (p.clone(), Kind::ReportOnly)),
    );
    Ok(lint_all(values, &args.nonce_in))
}

fn report(out: &Out, reads: &[Read]) -> Result<Outcome, Fatal> {
    let high = reads
        .iter()
        .flat_map(|r| &r.findings)
        .any(|f| f.severity == Severity::High);
    if out.json {
        // One object per value, a line each (JSON Lines).
        for r in reads {
            let mut value = serde_json::json!({
                "policy": r.text,
                "disposition": r.kind.disposition(),
                "findings": r.findings.iter().map(|f| serde_json::json!({
                    "check": f.check,
                    "severity": f.severity.to_string(),
                    "policy_index": f.policy_index,
                    "directive": f.directive,
                    "source": f.source,
                    "message": f.message,
                    "fix": f.fix,
                })).collect::<Vec<_>>(),
            });
            if r.kind == Kind::Meta {
                value["from"] = "meta".into();
            }
            println!("{value}");
        }
    } else {
        for r in reads {
            let from = match r.kind {
                Kind::Header => "",
                Kind::Meta => " (<meta>)",
                Kind::ReportOnly => " (report-only)",
            };
            println!("policy{from}: {}", r.text);
            if r.findings.is_empty() {
                println!("{}", out.paint("no findings", Tone::Good));
                continue;
            }
            let rows: Vec<Vec<(String, Tone)>> = r
                .findings
                .iter()
                .map(|f| {
                    let tone = match f.severity {
                        Severity::High => Tone::Bad,
                        Severity::Syntax | Severity::Medium => Tone::Warn,
                        _ => Tone::Plain,
                    };
                    vec![
                        (f.severity.to_string(), tone),
                        plain(f.policy_index.to_string()),
                        plain(f.directive.clone()),
                        plain(f.source.clone().unwrap_or_default()),
                        plain(f.message.clone()),
                        plain(f.fix.clone()),
                    ]
                })
                .collect();
            out.table(
                &[
                    "severity",
                    "policy",
                    "directive",
                    "source",
                    "finding",
                    "fix",
                ],
                &rows,
            );
        }
    }
    Ok(if high { Outcome::Failed } else { Outcome::Ok })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(v: &[&str]) -> Vec<Read> {
        lint_all(
            v.iter().map(|s| (s.to_string(), Kind::Header)).collect(),
            &[],
        )
    }

    #[test]
    fn a_served_nonce_gates_inline_scripts_and_commas_start_policies() {
        let served = headers(&[
            "script-src 'nonce-r4nd0mr4nd0mr4nd0m' 'strict-dynamic'; object-src 'none'; base-uri 'none'",
        ]);
        assert!(served[0]
            .findings
            .iter()
            .all(|f| f.severity != Severity::High));
        let two = headers(&["default-src 'self', script-src 'unsafe-inline'"]);
        // Policy 0's default-src 'self' blocks inline scripts.
        let ui = two[0]
            .findings
            .iter()
            .find(|f| f.check == "unsafe-inline")
            .unwrap();
        assert_eq!((ui.policy_index, ui.severity), (1, Severity::Info));
    }

    #[test]
    fn meta_and_report_only_values_neither_cover_nor_are_covered() {
        // A `<meta>` policy applies only below where it stands, a report-only one
        // blocks nothing: neither lowers a header's finding, and each is its own page.
        for other in [Kind::Meta, Kind::ReportOnly] {
            let reads = lint_all(
                vec![
                    ("script-src 'unsafe-inline'".into(), Kind::Header),
                    ("script-src 'none'".into(), other),
                ],
                &[],
            );
            let ui = reads[0]
                .findings
                .iter()
                .find(|f| f.check == "unsafe-inline")
                .unwrap();
            assert_eq!(ui.severity, Severity::High, "{other:?}");
            assert_eq!(reads[1].kind, other);
            assert!(reads[1].findings.iter().all(|f| f.policy_index == 0));
        }
    }
}
