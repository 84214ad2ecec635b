//! `rampart keygen`: a new CSRF key and how to roll it into a key ring.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::output::Out;
use crate::{Fatal, Outcome};

/// 256 bits: HMAC-SHA256's block-size-independent full strength.
const KEY_BYTES: usize = 32;

pub(crate) fn run(out: &Out) -> Result<Outcome, Fatal> {
    let mut key = [0u8; KEY_BYTES];
    getrandom::fill(&mut key)
        .map_err(|e| Fatal(format!("the operating system gave no randomness: {e}")))?;
    let key = URL_SAFE_NO_PAD.encode(key);
    let var = rampart_core::csrf::DEFAULT_KEY_ENV;
    let steps = [
        format!("1. Put the new key first and keep the current one after it: {var}=<new>,<current>"),
        "2. Restart the replicas one at a time: every replica now signs with <new> and still accepts tokens made with <current>, so forms already in flight keep working.".to_owned(),
        format!(
            "3. Once no page rendered before the change is still open, drop <current>: {var}=<new>. A visitor \
             whose cookie was signed with <current> gets a new one with the next page that renders a token."
        ),
    ];
    if out.json {
        out.json(&serde_json::json!({
            "key": key,
            "env": var,
            "bytes": KEY_BYTES,
            "rotation": steps,
        }));
    } else {
        println!("{key}");
        eprintln!("\nA new {KEY_BYTES}-byte CSRF key. To rotate without breaking forms in flight:");
        for s in &steps {
            eprintln!("  {s}");
        }
        eprintln!("Keep it out of files and logs: pass it in the environment ({var}).");
    }
    Ok(Outcome::Ok)
}
