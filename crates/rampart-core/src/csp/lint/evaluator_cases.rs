//! CSP Evaluator's own test cases (`evaluator/cases.tsv`, ported as data),
//! checked against rampart's linter through the check mapping
//! (`evaluator/checks.tsv`). Where rampart rates a case differently on
//! purpose, `evaluator/differences.tsv` says what it does and why (and
//! `docs/csp-lint.md` lists them); every other case must agree.

use crate::csp::{lint_headers, Finding, Severity};

const CASES: &str = include_str!("evaluator/cases.tsv");
const CHECKS: &str = include_str!("evaluator/checks.tsv");
const DIFFERENCES: &str = include_str!("evaluator/differences.tsv");

fn rows(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1) // the header line
        .map(|l| l.split('\t').collect())
}

/// rampart's severity for an Evaluator severity.
fn severity(evaluator: &str) -> Severity {
    match evaluator {
        "HIGH" => Severity::High,
        "SYNTAX" => Severity::Syntax,
        "MEDIUM" => Severity::Medium,
        "HIGH_MAYBE" | "MEDIUM_MAYBE" => Severity::Possible,
        "STRICT_CSP" => Severity::StrictCsp,
        "INFO" => Severity::Info,
        other => panic!("unknown Evaluator severity {other}"),
    }
}

/// The rampart checks that raise what Evaluator's `ty` raises on `directive`
/// at `sev`: the most specific row of checks.tsv (`TYPE:directive@SEV`).
fn mapped(ty: &str, directive: Option<&str>, sev: &str) -> Vec<&'static str> {
    let mut best: Option<(usize, Vec<&'static str>)> = None;
    for r in rows(CHECKS) {
        let key = r[0];
        let (rest, want_sev) = key
            .split_once('@')
            .map_or((key, None), |(a, b)| (a, Some(b)));
        let (want_ty, want_dir) = rest
            .split_once(':')
            .map_or((rest, None), |(a, b)| (a, Some(b)));
        if want_ty != ty
            || want_sev.is_some_and(|s| s != sev)
            || want_dir.is_some_and(|d| Some(d) != directive)
        {
            continue;
        }
        let rank = usize::from(want_sev.is_some()) + usize::from(want_dir.is_some());
        if best.as_ref().is_none_or(|(b, _)| rank > *b) {
            let checks = if r[1] == "-" {
                Vec::new()
            } else {
                r[1].split('|').collect()
            };
            best = Some((rank, checks));
        }
    }
    best.map(|(_, c)| c).unwrap_or_default()
}

/// Every rampart check any row maps Evaluator's `ty` to.
fn all_mapped(ty: &str) -> Vec<&'static str> {
    rows(CHECKS)
        .filter(|r| r[0].split([':', '@']).next() == Some(ty) && r[1] != "-")
        .flat_map(|r| r[1].split('|'))
        .collect()
}

/// The Evaluator types one of its check functions can raise (for the cases
/// that assert it raises nothing).
fn types_of(function: &str) -> &'static [&'static str] {
    match function {
        "checkScriptUnsafeInline" => &["SCRIPT_UNSAFE_INLINE"],
        "checkPlainUrlSchemes" => &["PLAIN_URL_SCHEMES"],
        "checkWildcards" => &["PLAIN_WILDCARD"],
        "checkMissingDirectives" => &["MISSING_DIRECTIVES"],
        "checkScriptAllowlistBypass" => &["SCRIPT_ALLOWLIST_BYPASS"],
        "checkDeprecatedDirective" => &["DEPRECATED_DIRECTIVE"],
        "checkNonceLength" => &["NONCE_LENGTH"],
        "checkHasConfiguredReporting" => &["REPORTING_DESTINATION_MISSING", "REPORT_TO_ONLY"],
        "checkInvalidKeyword" => &["INVALID_KEYWORD"],
        "checkStrictDynamicNotStandalone" => &["STRICT_DYNAMIC_NOT_STANDALONE"],
        "checkUnsafeInlineFallback" => &["UNSAFE_INLINE_FALLBACK"],
        "checkAllowlistFallback" => &["ALLOWLIST_FALLBACK"],
        "evaluateForWarnings" => &["UNSAFE_INLINE_FALLBACK", "ALLOWLIST_FALLBACK"],
        // Lighthouse's failures: anything high; its syntax check: any syntax finding.
        "evaluateForFailure" | "evaluateForSyntaxErrors" => &[],
        other => panic!("no type list for Evaluator check {other}"),
    }
}

/// The check function a case's test column names (`file:test(function;…)`).
fn function(test: &str) -> &str {
    let inner = test.split_once('(').map_or("", |(_, r)| r);
    inner.split([';', ')']).next().unwrap_or("")
}

fn lint(policy: &str) -> Vec<Finding> {
    lint_headers(&[policy], &[]).remove(0)
}

#[test]
fn evaluator_test_cases_agree_or_differ_on_purpose() {
    let differences: Vec<Vec<&str>> = rows(DIFFERENCES).collect();
    let mut used = vec![false; differences.len()];
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in rows(CASES) {
        let (policy, ty, sev, test) = (case[0], case[1], case[2], case[3]);
        let findings = lint(policy);
        if let Some(i) = differences
            .iter()
            .position(|d| d[0] == policy && d[1] == ty)
        {
            // Differs on purpose: rampart does what the row says.
            used[i] = true;
            let (check, want) = (differences[i][2], differences[i][3]);
            let ok = if check == "-" {
                true
            } else if want == "absent" {
                !findings.iter().any(|f| f.check == check)
            } else {
                findings
                    .iter()
                    .any(|f| f.check == check && f.severity.to_string() == want)
            };
            if !ok {
                failures.push(format!(
                    "{policy:?} ({ty}): expected {check} {want} as documented; got {findings:?}"
                ));
            }
            checked += 1;
            continue;
        }
        if ty == "NONE" {
            let f = function(test);
            let raised: Vec<&Finding> = match f {
                "evaluateForFailure" => findings
                    .iter()
                    .filter(|x| x.severity == Severity::High)
                    .collect(),
                "evaluateForSyntaxErrors" => findings
                    .iter()
                    .filter(|x| x.severity == Severity::Syntax)
                    .collect(),
                _ => {
                    let checks: Vec<&str> =
                        types_of(f).iter().flat_map(|t| all_mapped(t)).collect();
                    // rampart's info-level advice (e.g. base-uri where
                    // nothing gates scripts by nonce) is its own extra.
                    findings
                        .iter()
                        .filter(|x| checks.contains(&x.check) && x.severity < Severity::Info)
                        .collect()
                }
            };
            if !raised.is_empty() {
                failures.push(format!(
                    "{policy:?} ({test}): Evaluator raises nothing; rampart raises {:?}",
                    raised
                        .iter()
                        .map(|f| (f.check, f.severity, f.directive.as_str()))
                        .collect::<Vec<_>>()
                ));
            }
        } else {
            let want = severity(sev);
            assert!(
                rows(CHECKS).any(|r| r[0].split([':', '@']).next() == Some(ty)),
                "checks.tsv has no row for {ty}"
            );
            let checks = findings
                .iter()
                .filter(|f| mapped(ty, Some(&f.directive), sev).contains(&f.check))
                .collect::<Vec<_>>();
            if !checks.iter().any(|f| f.severity == want) {
                failures.push(format!(
                    "{policy:?} ({ty} {sev}, {test}): rampart raises {checks:?}; all: {:?}",
                    findings
                        .iter()
                        .map(|f| (f.check, f.severity, f.directive.as_str()))
                        .collect::<Vec<_>>()
                ));
            }
        }
        checked += 1;
    }
    let stale: Vec<&Vec<&str>> = differences
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(d, _)| d)
        .collect();
    assert!(
        stale.is_empty(),
        "differences.tsv rows that match no case: {stale:?}"
    );
    assert!(checked > 140, "only {checked} cases read");
    assert!(
        failures.is_empty(),
        "{} of {checked} cases disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
