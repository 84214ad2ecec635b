//! Reading both report formats (CSP2 `application/csp-report` and Reporting
//! API batches) into [`CspReport`]s.

use serde_json::Value;

use super::CspReport;

#[derive(Clone, Copy)]
pub(super) enum Kind {
    Csp2,
    Reporting,
    Either,
}

pub(super) fn parse(kind: Kind, body: &[u8]) -> Result<(Vec<CspReport>, u64), String> {
    let v: Value = serde_json::from_slice(body).map_err(|e| format!("invalid JSON: {e}"))?;
    match (kind, &v) {
        (Kind::Csp2 | Kind::Either, Value::Object(o)) if o.contains_key("csp-report") => {
            Ok((vec![from_csp2(&v["csp-report"])?], 0))
        }
        (Kind::Reporting | Kind::Either, Value::Array(items)) => {
            let mut out = Vec::new();
            let mut ignored = 0;
            for item in items {
                if item.get("type").and_then(Value::as_str) == Some("csp-violation") {
                    out.push(from_reporting(item.get("body").unwrap_or(&Value::Null))?);
                } else {
                    ignored += 1;
                }
            }
            Ok((out, ignored))
        }
        (Kind::Csp2, _) => Err("expected an object with a \"csp-report\" member".into()),
        (Kind::Reporting, _) => Err("expected an array of reports".into()),
        (Kind::Either, _) => Err("expected {\"csp-report\": {...}} or an array of reports".into()),
    }
}

fn text(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn line(v: &Value, key: &str) -> Option<u32> {
    v.get(key)?.as_u64().and_then(|n| u32::try_from(n).ok())
}

fn from_csp2(r: &Value) -> Result<CspReport, String> {
    if !r.is_object() {
        return Err("\"csp-report\" must be an object".into());
    }
    let directive = text(r, "effective-directive")
        .or_else(|| text(r, "violated-directive"))
        .ok_or("missing \"violated-directive\"")?;
    Ok(CspReport {
        document_uri: text(r, "document-uri").unwrap_or_default(),
        blocked_uri: text(r, "blocked-uri").unwrap_or_default(),
        violated_directive: directive,
        disposition: text(r, "disposition").unwrap_or_else(|| "enforce".into()),
        source_file: text(r, "source-file"),
        line: line(r, "line-number"),
        sample: text(r, "script-sample"),
        original_policy: text(r, "original-policy"),
        count: 1,
    })
}

fn from_reporting(b: &Value) -> Result<CspReport, String> {
    if !b.is_object() {
        return Err("a csp-violation report needs a \"body\" object".into());
    }
    let directive = text(b, "effectiveDirective")
        .or_else(|| text(b, "violatedDirective"))
        .ok_or("missing \"effectiveDirective\"")?;
    Ok(CspReport {
        document_uri: text(b, "documentURL").unwrap_or_default(),
        blocked_uri: text(b, "blockedURL").unwrap_or_default(),
        violated_directive: directive,
        disposition: text(b, "disposition").unwrap_or_else(|| "enforce".into()),
        source_file: text(b, "sourceFile"),
        line: line(b, "lineNumber"),
        sample: text(b, "sample"),
        original_policy: text(b, "originalPolicy"),
        count: 1,
    })
}
