//! `rampart csp lint`: the linter's findings, each with its severity and fix.

use std::path::PathBuf;

use std::io::Read as _;

use rampart_core::csp::{lint_header, Finding, Severity};

use crate::output::{plain, Out, Tone};
use crate::{Fatal, Outcome};

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Header values, each as served (`default-src 'self'; script-src ...`; a comma
    /// separates policies); `-` reads one value per line from stdin.
    #[arg(conflicts_with_all = ["file", "url"], required_unless_present_any = ["file", "url"])]
    policies: Vec<String>,
    /// Read one header value per line from a file.
    #[arg(long, conflicts_with = "url")]
    file: Option<PathBuf>,
    /// Fetch a page (redirects followed) and lint its Content-Security-Policy header(s).
    #[arg(long)]
    url: Option<String>,
    /// Directives the server adds a fresh nonce to (as `CspBuilder::nonce_in`).
    #[arg(long, value_delimiter = ',')]
    nonce_in: Vec<String>,
}

/// One header value as the browser reads it: its policies' findings.
struct Read {
    text: String,
    /// (policy index, finding)
    findings: Vec<(usize, Finding)>,
}

fn lint_one(text: &str, nonce_in: &[String]) -> Read {
    let refs: Vec<&str> = nonce_in.iter().map(String::as_str).collect();
    let findings = lint_header(text, &refs)
        .into_iter()
        .enumerate()
        .flat_map(|(i, fs)| fs.into_iter().map(move |f| (i, f)))
        .collect();
    Read {
        text: text.trim().to_owned(),
        findings,
    }
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

pub(crate) fn fetch_csp(url: &str) -> Result<Vec<String>, Fatal> {
    let client = reqwest::blocking::Client::builder()
        .timeout(std::time::Duration::from_secs(15))
        .build()?;
    let res = client
        .get(url)
        .send()
        .map_err(|e| Fatal(format!("cannot fetch {url}: {e}")))?;
    Ok(res
        .headers()
        .get_all("content-security-policy")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect())
}

pub(crate) fn run(out: &Out, args: Args) -> Result<Outcome, Fatal> {
    let policies: Vec<String> = if let Some(f) = args.file {
        let text = std::fs::read_to_string(&f)
            .map_err(|e| Fatal(format!("cannot read {}: {e}", f.display())))?;
        lines(&text)
    } else if let Some(u) = args.url {
        let found = fetch_csp(&u)?;
        if found.is_empty() {
            return Err(Fatal(format!(
                "{u} sends no Content-Security-Policy header"
            )));
        }
        found
    } else if args.policies == ["-"] {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Fatal(format!("cannot read stdin: {e}")))?;
        lines(&text)
    } else {
        args.policies
    };
    let reads: Vec<Read> = policies
        .iter()
        .map(|p| lint_one(p, &args.nonce_in))
        .collect();
    let high = reads
        .iter()
        .flat_map(|r| &r.findings)
        .any(|(_, f)| f.severity == Severity::High);
    if out.json {
        let policies: Vec<serde_json::Value> = reads
            .iter()
            .map(|r| {
                serde_json::json!({
                    "policy": r.text,
                    "findings": r.findings.iter().map(|(i, f)| serde_json::json!({
                        "policy_index": i,
                        "severity": f.severity.to_string(),
                        "directive": f.directive,
                        "check": f.check,
                        "message": f.message,
                        "fix": f.fix,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        out.json(&serde_json::json!({ "policies": policies, "high": high }));
    } else {
        for r in &reads {
            println!("policy: {}", r.text);
            if r.findings.is_empty() {
                println!("{}", out.paint("no findings", Tone::Good));
                continue;
            }
            let rows: Vec<Vec<(String, Tone)>> = r
                .findings
                .iter()
                .map(|(i, f)| {
                    let tone = match f.severity {
                        Severity::High => Tone::Bad,
                        Severity::Medium => Tone::Warn,
                        _ => Tone::Plain,
                    };
                    vec![
                        (f.severity.to_string(), tone),
                        plain(i.to_string()),
                        plain(f.directive.clone()),
                        plain(f.message.clone()),
                        plain(f.fix.clone()),
                    ]
                })
                .collect();
            out.table(
                &["severity", "policy", "directive", "finding", "fix"],
                &rows,
            );
        }
    }
    Ok(if high { Outcome::Failed } else { Outcome::Ok })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_served_nonce_gates_inline_scripts_and_commas_start_policies() {
        let served = lint_one(
            "script-src 'nonce-r4nd0mr4nd0mr4nd0m' 'strict-dynamic'; object-src 'none'; base-uri 'none'",
            &[],
        );
        assert!(served
            .findings
            .iter()
            .all(|(_, f)| f.severity != Severity::High));
        let two = lint_one("default-src 'self', script-src 'unsafe-inline'", &[]);
        assert!(two
            .findings
            .iter()
            .any(|(i, f)| *i == 1 && f.check == "unsafe-inline"));
    }
}
