//! `rampart hash FILE...`: the CSP hash source and the SRI integrity value.

use std::io::Read;
use std::path::PathBuf;

use rampart_core::csp::{hash_source, sri, HashAlgorithm};

use crate::output::{plain, Out};
use crate::{Fatal, Outcome};

pub(crate) fn run(out: &Out, files: &[PathBuf]) -> Result<Outcome, Fatal> {
    let mut rows = Vec::new();
    let mut json = Vec::new();
    for f in files {
        let bytes = if f.as_os_str() == "-" {
            let mut b = Vec::new();
            std::io::stdin()
                .read_to_end(&mut b)
                .map_err(|e| Fatal(format!("cannot read stdin: {e}")))?;
            b
        } else {
            std::fs::read(f).map_err(|e| Fatal(format!("cannot read {}: {e}", f.display())))?
        };
        // CSP hashes inline content with SHA-256 by custom; SRI's usual choice is SHA-384.
        let csp = hash_source(HashAlgorithm::Sha256, &bytes).to_string();
        let integrity = sri(HashAlgorithm::Sha384, &bytes);
        let name = f.display().to_string();
        json.push(serde_json::json!({ "file": name, "csp": csp, "sri": integrity }));
        rows.push(vec![plain(name), plain(csp), plain(integrity)]);
    }
    if out.json {
        out.json(&serde_json::json!({ "files": json }));
    } else {
        out.table(&["file", "csp source", "sri integrity"], &rows);
    }
    Ok(Outcome::Ok)
}
