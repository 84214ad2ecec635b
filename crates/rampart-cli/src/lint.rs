//! `rampart csp lint`: the linter's findings, each with its severity and fix.

use std::path::PathBuf;

use rampart_core::csp::{Finding, Policy, Severity};

use crate::output::{plain, Out, Tone};
use crate::{Fatal, Outcome};

#[derive(clap::Args)]
pub(crate) struct Args {
    /// The policy, as in the header (`default-src 'self'; script-src ...`).
    #[arg(conflicts_with_all = ["file", "url"], required_unless_present_any = ["file", "url"])]
    policy: Option<String>,
    /// Read the policy from a file.
    #[arg(long, conflicts_with = "url")]
    file: Option<PathBuf>,
    /// Fetch a page (redirects followed) and lint its Content-Security-Policy header(s).
    #[arg(long)]
    url: Option<String>,
    /// Directives the server adds a fresh nonce to (as `CspBuilder::nonce_in`).
    #[arg(long, value_delimiter = ',')]
    nonce_in: Vec<String>,
}

/// One policy read for linting: a header value is served with its nonce
/// already in it, so a `'nonce-…'` source stands for "a nonce is added here".
struct Read {
    text: String,
    findings: Vec<Finding>,
}

fn lint_one(text: &str, nonce_in: &[String]) -> Read {
    let mut nonce_dirs: Vec<String> = nonce_in.to_vec();
    let cleaned: Vec<String> = text
        .split(';')
        .map(|d| {
            let mut words = d.split_whitespace();
            let Some(name) = words.next() else {
                return String::new();
            };
            let mut kept = vec![name.to_owned()];
            for w in words {
                if w.len() > 8 && w[..7].eq_ignore_ascii_case("'nonce-") {
                    nonce_dirs.push(name.to_ascii_lowercase());
                } else {
                    kept.push(w.to_owned());
                }
            }
            kept.join(" ")
        })
        .filter(|d| !d.is_empty())
        .collect();
    let refs: Vec<&str> = nonce_dirs.iter().map(String::as_str).collect();
    let findings = match Policy::parse(&cleaned.join("; ")) {
        Ok(p) => p.lint_with_nonce_in(&refs),
        Err(e) => vec![Finding {
            severity: Severity::High,
            directive: e.setting().to_owned(),
            check: "unparseable",
            message: format!("the policy does not parse: {}", e.message()),
            fix: "write each directive as `name source ...`, separated by `;`".into(),
        }],
    };
    Read {
        text: text.trim().to_owned(),
        findings,
    }
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
        .flat_map(|v| v.split(','))
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect())
}

pub(crate) fn run(out: &Out, args: Args) -> Result<Outcome, Fatal> {
    let policies: Vec<String> = if let Some(p) = args.policy {
        vec![p]
    } else if let Some(f) = args.file {
        let text = std::fs::read_to_string(&f)
            .map_err(|e| Fatal(format!("cannot read {}: {e}", f.display())))?;
        vec![text.trim().to_owned()]
    } else if let Some(u) = args.url {
        let found = fetch_csp(&u)?;
        if found.is_empty() {
            return Err(Fatal(format!(
                "{u} sends no Content-Security-Policy header"
            )));
        }
        found
    } else {
        unreachable!("clap requires one input")
    };
    let reads: Vec<Read> = policies
        .iter()
        .map(|p| lint_one(p, &args.nonce_in))
        .collect();
    let high = reads
        .iter()
        .flat_map(|r| &r.findings)
        .any(|f| f.severity == Severity::High);
    if out.json {
        let policies: Vec<serde_json::Value> = reads
            .iter()
            .map(|r| {
                serde_json::json!({
                    "policy": r.text,
                    "findings": r.findings.iter().map(|f| serde_json::json!({
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
                .map(|f| {
                    let tone = match f.severity {
                        Severity::High => Tone::Bad,
                        Severity::Medium => Tone::Warn,
                        _ => Tone::Plain,
                    };
                    vec![
                        (f.severity.to_string(), tone),
                        plain(f.directive.clone()),
                        plain(f.message.clone()),
                        plain(f.fix.clone()),
                    ]
                })
                .collect();
            out.table(&["severity", "directive", "finding", "fix"], &rows);
        }
    }
    Ok(if high { Outcome::Failed } else { Outcome::Ok })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_served_nonce_stands_for_a_nonce_added_to_its_directive() {
        let served = lint_one(
            "script-src 'nonce-r4nd0mr4nd0mr4nd0m' 'strict-dynamic'; object-src 'none'; base-uri 'none'",
            &[],
        );
        assert!(
            served.findings.iter().all(|f| f.severity != Severity::High),
            "{:?}",
            served
                .findings
                .iter()
                .map(|f| f.to_string())
                .collect::<Vec<_>>()
        );
        let bad = lint_one("script-src 'unsafe-inline'", &[]);
        assert!(bad.findings.iter().any(|f| f.severity == Severity::High));
    }
}
