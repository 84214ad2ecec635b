//! `rampart config check FILE` and `rampart config show [FILE]`.

use std::path::Path;

use rampart_core::config::Config;
use rampart_core::headers::SecureHeaders;
use rampart_core::ConfigError;

use crate::output::{plain, Out, Tone};
use crate::{Fatal, Outcome};

/// The headers a configuration sends on a secure response, as the seed app's
/// startup banner prints them.
fn headers(cfg: &Config) -> Result<SecureHeaders, ConfigError> {
    cfg.secure_headers()
}

fn problems_json(e: &ConfigError) -> serde_json::Value {
    e.problems()
        .map(|p| serde_json::json!({ "at": p.setting(), "problem": p.message() }))
        .collect()
}

pub(crate) fn check(out: &Out, file: &Path) -> Result<Outcome, Fatal> {
    let loaded = Config::from_file(file).and_then(Config::with_env);
    let (cfg, sh) = match loaded.and_then(|c| headers(&c).map(|h| (c, h))) {
        Ok(x) => x,
        Err(e) => {
            if out.json {
                out.json(&serde_json::json!({ "valid": false, "problems": problems_json(&e) }));
            } else {
                let rows: Vec<Vec<(String, Tone)>> = e
                    .problems()
                    .map(|p| vec![(p.setting().to_owned(), Tone::Bad), plain(p.message())])
                    .collect();
                out.table(&["at", "problem"], &rows);
            }
            return Ok(Outcome::Failed);
        }
    };
    let values: Vec<(String, String)> = sh
        .header_values()
        .into_iter()
        .map(|(n, v)| (n.as_str().to_owned(), v))
        .collect();
    let findings: Vec<String> = sh
        .csp()
        .map(|c| c.findings().iter().map(|f| f.to_string()).collect())
        .unwrap_or_default();
    if out.json {
        out.json(&serde_json::json!({
            "valid": true,
            "headers": values.iter().map(|(n, v)| serde_json::json!({"name": n, "value": v})).collect::<Vec<_>>(),
            "csp_findings": findings,
            "csp_report_uri": cfg.csp_report_uri(),
        }));
    } else {
        println!("{} {}", out.paint("valid:", Tone::Good), file.display());
        println!(
            "Headers sent on a secure response (a nonce is added per response that uses one):"
        );
        let rows: Vec<Vec<(String, Tone)>> = values
            .iter()
            .map(|(n, v)| vec![plain(n.clone()), plain(v.clone())])
            .collect();
        out.table(&["header", "value"], &rows);
        if !findings.is_empty() {
            println!("CSP linter findings:");
            for f in &findings {
                println!("  {f}");
            }
        }
    }
    Ok(Outcome::Ok)
}

pub(crate) fn show(out: &Out, file: Option<&Path>, preset: Option<&str>) -> Result<Outcome, Fatal> {
    let loaded = match (file, preset) {
        (Some(f), _) => Config::from_file(f),
        (None, Some(p)) => Config::preset(p),
        (None, None) => Config::preset("strict"),
    }
    .and_then(Config::with_env);
    let cfg = match loaded {
        Ok(c) => c,
        Err(e) => {
            if out.json {
                out.json(&serde_json::json!({ "valid": false, "problems": problems_json(&e) }));
            } else {
                eprintln!("{e}");
            }
            return Ok(Outcome::Failed);
        }
    };
    let toml = cfg.to_toml();
    let sh = headers(&cfg).map_err(|e| Fatal(e.to_string()))?;
    if out.json {
        out.json(&serde_json::json!({
            "toml": toml,
            "headers": sh.header_values().into_iter().map(|(n, v)| serde_json::json!({"name": n.as_str(), "value": v})).collect::<Vec<_>>(),
        }));
    } else {
        print!("{toml}");
        // Comments, so that the output still loads back as it is.
        println!("\n# Headers sent on a secure response:");
        for (n, v) in sh.header_values() {
            println!("#   {n}: {v}");
        }
    }
    Ok(Outcome::Ok)
}
