#!/usr/bin/env node
// Runs Google's CSP Evaluator (npm `csp_evaluator`, pinned in package.json)
// over header values, one per line, and prints one JSON line per value:
//   {"policy": "...", "findings": [{type, severity, directive, value, description}]}
// with `type` and `severity` as the Evaluator's enum names (SCRIPT_UNSAFE_INLINE, HIGH_MAYBE).
//
// Usage: node evaluator.mjs [FILE]      (no FILE or `-`: stdin)
// Blank lines and lines starting with `#` are skipped, and each line is trimmed,
// as `rampart csp lint --file` does, so the two outputs line up one to one.
//
// What runs, per value (the value is given whole to CspParser, as the
// Evaluator's README and web UI do; the Evaluator does not split on commas):
//   1. new CspEvaluator(new CspParser(value).csp).evaluate(STRICTCSP_CHECKS)
//      = the README's evaluate() (DEFAULT_CHECKS on the effective CSP3 policy)
//      + the strict-CSP checks on the parsed policy (strict-dynamic, its
//      'unsafe-inline' / https: fallbacks, Trusted Types), as the web UI runs them;
//   2. checkHasConfiguredReporting on the parsed policy (REPORTING_DESTINATION_MISSING,
//      REPORT_TO_ONLY), the check Lighthouse adds.
// The lighthouse/lighthouse_checks helpers (evaluateForFailure, ...) only
// regroup these same checks, so they add no finding type and are not run.
// IGNORED findings (severity NONE: what CSP3 drops next to a nonce or
// 'strict-dynamic') are printed too; the compare step leaves them out.
// Some values make a check throw (1.1.8's checkIpSource calls new URL() on
// a bare `https://`); then each check is run on its own, the ones that throw
// are named in `errors`, and the findings of the others are kept.

import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const { CspEvaluator, DEFAULT_CHECKS, STRICTCSP_CHECKS } = require('csp_evaluator/dist/evaluator.js');
const { Version } = require('csp_evaluator/dist/csp.js');
const { CspParser } = require('csp_evaluator/dist/parser.js');
const { Type, Severity } = require('csp_evaluator/dist/finding.js');
const { checkHasConfiguredReporting } = require('csp_evaluator/dist/checks/security_checks.js');

const arg = process.argv[2];
const text = readFileSync(arg && arg !== '-' ? arg : 0, 'utf8');

for (const raw of text.split('\n')) {
  const policy = raw.trim();
  if (policy === '' || policy.startsWith('#')) continue;
  const parsed = new CspParser(policy).csp;
  const errors = [];
  let found;
  try {
    found = [
      ...new CspEvaluator(parsed).evaluate(STRICTCSP_CHECKS),
      ...checkHasConfiguredReporting(parsed),
    ];
  } catch (_) {
    found = checkOneByOne(parsed, errors);
  }
  const seen = new Set();
  const findings = [];
  for (const f of found) {
    const item = {
      type: Type[f.type] ?? String(f.type),
      severity: Severity[f.severity] ?? String(f.severity),
      directive: f.directive,
      value: f.value ?? null,
      description: f.description,
    };
    const key = JSON.stringify([item.type, item.severity, item.directive, item.value]);
    if (seen.has(key)) continue;
    seen.add(key);
    findings.push(item);
  }
  const line = { policy, findings };
  if (errors.length) line.errors = errors;
  process.stdout.write(JSON.stringify(line) + '\n');
}

/** The same checks as above, each on its own, so one that throws loses only its findings. */
function checkOneByOne(parsed, errors) {
  const found = [];
  const run = (check, csp) => {
    try {
      found.push(...check(csp));
    } catch (e) {
      errors.push(`${check.name}: ${e.message}`);
    }
  };
  const effective = parsed.getEffectiveCsp(Version.CSP3, found);
  for (const check of STRICTCSP_CHECKS) run(check, parsed);
  for (const check of DEFAULT_CHECKS) run(check, effective);
  run(checkHasConfiguredReporting, parsed);
  return found;
}
