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
    // Two rolls, so that no replica ever meets a token signed with a key it
    // does not hold: first every replica learns the new key, then signs with it.
    let steps = [
        format!(
            "1. Add the new key after the current one and restart the replicas one at a time: \
             {var}=<current>,<new> (they still sign with <current> and now also accept <new>)."
        ),
        format!(
            "2. Move it first and restart them one at a time again: {var}=<new>,<current> (they sign \
             with <new>; every replica already accepts both, so no form in flight breaks)."
        ),
        format!(
            "3. Once no page rendered before step 2 is still open, drop <current>: {var}=<new>. A \
             visitor whose cookie predates it gets a new one with the next page that renders a token."
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
