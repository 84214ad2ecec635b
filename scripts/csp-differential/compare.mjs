#!/usr/bin/env node
// Compares rampart's CSP lint with Google's CSP Evaluator over one corpus.
//
// node compare.mjs --corpus corpus.txt --rampart rampart.json --evaluator evaluator.jsonl \
//                  --map checks.tsv [--json report.json] [--rampart-bin PATH]
//
// rampart.json is `rampart csp lint --json --file` over the corpus' policies (JSON Lines),
// evaluator.jsonl is evaluator.mjs over the same file; both list the policies
// in corpus order (blank and `#` lines dropped), which is how they are matched.
//
// Rule: an Evaluator finding (severity other than NONE) agrees when rampart
// raises, on the same header value, one of the checks checks.tsv maps its type
// to; it agrees "at the same severity" when one of those findings also has the
// corresponding rampart severity (HIGH~high, SYNTAX~syntax, MEDIUM~medium,
// HIGH_MAYBE/MEDIUM_MAYBE~possible or low, STRICT_CSP~strict-csp, INFO~info).
// Also listed: rampart findings rated high that no Evaluator HIGH finding on
// the same value maps to. The report goes to stdout; --json writes the same
// data, with full policy texts, as JSON. Exit status is 0 whatever disagrees.

import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename } from 'node:path';

const args = parseArgs(process.argv.slice(2));
for (const need of ['corpus', 'rampart', 'evaluator', 'map']) {
  if (!args[need]) die(`missing --${need}`);
}

const EQUIV = {
  HIGH: ['high'],
  SYNTAX: ['syntax'],
  MEDIUM: ['medium'],
  HIGH_MAYBE: ['possible', 'low'],
  MEDIUM_MAYBE: ['possible', 'low'],
  STRICT_CSP: ['strict-csp'],
  INFO: ['info'],
};
const TIER = {
  HIGH: 'high',
  SYNTAX: 'syntax',
  MEDIUM: 'medium',
  HIGH_MAYBE: 'advice',
  MEDIUM_MAYBE: 'advice',
  STRICT_CSP: 'advice',
  INFO: 'advice',
};
const SEVERITIES = Object.keys(EQUIV);
const RAMPART_RANK = ['high', 'syntax', 'medium', 'possible', 'low', 'strict-csp', 'info'];

const map = readMap(args.map);
const corpus = readCorpus(args.corpus);
// `rampart csp lint --json` prints one object per value, a line each (JSON
// Lines); binaries before that printed one object with a "policies" array.
const rampartText = readFileSync(args.rampart, 'utf8').trim();
const rampart = rampartText.startsWith('{"policies"') || rampartText.startsWith('{\n')
  ? JSON.parse(rampartText).policies
  : rampartText.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
const evaluator = readFileSync(args.evaluator, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l));

if (rampart.length !== corpus.length || evaluator.length !== corpus.length) {
  die(`policy counts differ: corpus ${corpus.length}, rampart ${rampart.length}, evaluator ${evaluator.length}`);
}
corpus.forEach((c, i) => {
  if (rampart[i].policy !== c.policy || evaluator[i].policy !== c.policy) {
    die(`policy ${i + 1} (corpus line ${c.line}) differs between the inputs`);
  }
});

let evaluatorVersion = 'unknown';
try {
  const require = createRequire(import.meta.url);
  evaluatorVersion = require('csp_evaluator/package.json').version;
} catch (_) {
  /* reported as unknown */
}

// ---- compare ---------------------------------------------------------------

const records = []; // one per Evaluator finding
const highOnlyRampart = [];
const evaluatorErrors = [];

corpus.forEach((c, i) => {
  const rf = rampart[i].findings;
  const ef = evaluator[i].findings.filter((f) => f.severity !== 'NONE');
  const rampartSummary = summarize(rf);
  if (evaluator[i].errors) {
    evaluatorErrors.push({ line: c.line, section: c.section, policy: c.policy, errors: evaluator[i].errors });
  }
  const mappedOf = (f) => {
    const row = lookup(f);
    return { row, checks: row && row.checks ? row.checks : [] };
  };
  for (const f of ef) {
    const { row, checks } = mappedOf(f);
    const hits = rf.filter((r) => checks.includes(r.check));
    records.push({
      line: c.line,
      section: c.section,
      policy: c.policy,
      type: f.type,
      severity: f.severity,
      tier: TIER[f.severity] ?? 'advice',
      directive: f.directive,
      value: f.value,
      description: f.description,
      map_key: row ? row.key : null,
      mapped: row ? (row.checks ?? '-') : 'not in checks.tsv',
      map_note: row ? row.note : '',
      agree: hits.length > 0,
      same_severity: hits.some((r) => (EQUIV[f.severity] ?? []).includes(r.severity)),
      rampart_hits: uniq(hits.map((r) => `${r.check}(${r.severity})`)),
      rampart: rampartSummary,
    });
  }
  const seen = new Set();
  const nPolicies = 1 + Math.max(0, ...rf.map((r) => r.policy_index ?? 0));
  for (const r of rf.filter((x) => x.severity === 'high')) {
    const key = `${r.policy_index}\u0000${r.check}\u0000${r.directive}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const related = ef.filter((f) => mappedOf(f).checks.includes(r.check));
    if (related.some((f) => f.severity === 'HIGH')) continue;
    highOnlyRampart.push({
      line: c.line,
      section: c.section,
      policy: c.policy,
      check: r.check,
      directive: r.directive,
      policy_index: r.policy_index,
      policies_in_value: nPolicies,
      message: r.message,
      evaluator_related: uniq(related.map((f) => `${f.type}@${f.severity}${f.directive ? ':' + f.directive : ''}`)),
      evaluator_high: uniq(ef.filter((f) => f.severity === 'HIGH').map((f) => `${f.type}:${f.directive}${f.value ? ' ' + f.value : ''}`)),
    });
  }
});

const stats = {};
for (const tier of ['high', 'syntax', 'medium', 'advice']) stats[tier] = count(records.filter((r) => r.tier === tier));
const bySeverity = {};
for (const s of SEVERITIES) bySeverity[s] = count(records.filter((r) => r.severity === s));
const byType = {};
for (const r of records) {
  const k = `${r.type}@${r.severity}`;
  byType[k] ??= { findings: 0, agree: 0, same_severity: 0 };
  byType[k].findings += 1;
  byType[k].agree += r.agree ? 1 : 0;
  byType[k].same_severity += r.same_severity ? 1 : 0;
}
const disagreements = records.filter((r) => !r.agree);
const mismatches = records.filter((r) => r.agree && !r.same_severity);

// ---- text report -----------------------------------------------------------

const out = [];
const p = (s = '') => out.push(s);
const pct = (a, n) => (n ? `${((100 * a) / n).toFixed(1)}%` : '-');
const short = (s, n = 160) => (s.length > n ? s.slice(0, n - 1) + '…' : s);
const where = (r) => `${basename(args.corpus)}:${r.line}`;

p('rampart CSP lint vs Google CSP Evaluator: differential report');
p('='.repeat(62));
p(`rampart binary: ${args['rampart-bin'] ?? '(not given)'}`);
p(`CSP Evaluator:  csp_evaluator ${evaluatorVersion} (CspEvaluator.evaluate(STRICTCSP_CHECKS) + checkHasConfiguredReporting)`);
p(`corpus:         ${args.corpus} (${corpus.length} header values, ${uniq(corpus.map((c) => c.section)).length} sections)`);
p(`mapping:        ${args.map}`);
p(`Evaluator findings compared: ${records.length} (severity NONE / IGNORED left out)`);
p();
p('Rule: an Evaluator finding agrees when rampart raises a mapped check (checks.tsv) on the');
p('same header value; "same severity" also needs rampart\'s severity to correspond');
p('(HIGH~high, SYNTAX~syntax, MEDIUM~medium, *_MAYBE~possible|low, STRICT_CSP~strict-csp, INFO~info).');
p();
p('Summary');
p('-------');
p(table(
  ['Evaluator severity', 'findings', 'rampart raises mapped check', 'at same severity'],
  [
    ...['high', 'syntax', 'medium'].map((t) => [t.toUpperCase(), stats[t].n, `${stats[t].agree} (${pct(stats[t].agree, stats[t].n)})`, `${stats[t].same} (${pct(stats[t].same, stats[t].n)})`]),
    ['advice (all below)', stats.advice.n, `${stats.advice.agree} (${pct(stats.advice.agree, stats.advice.n)})`, `${stats.advice.same} (${pct(stats.advice.same, stats.advice.n)})`],
    ...['HIGH_MAYBE', 'MEDIUM_MAYBE', 'STRICT_CSP', 'INFO'].map((s) => [`  ${s}`, bySeverity[s].n, `${bySeverity[s].agree} (${pct(bySeverity[s].agree, bySeverity[s].n)})`, `${bySeverity[s].same} (${pct(bySeverity[s].same, bySeverity[s].n)})`]),
  ],
));
p();
p('By Evaluator type');
p('-----------------');
p(table(
  ['type@severity', 'findings', 'agree', 'same severity', 'mapped to'],
  Object.entries(byType)
    .sort((a, b) => SEVERITIES.indexOf(a[0].split('@')[1]) - SEVERITIES.indexOf(b[0].split('@')[1]) || a[0].localeCompare(b[0]))
    .map(([k, v]) => [k, v.findings, v.agree, v.same_severity, mappedFor(k)]),
  true,
));
p();

for (const tier of ['high', 'syntax', 'medium', 'advice']) {
  const list = disagreements.filter((r) => r.tier === tier);
  const title = `Disagreements: Evaluator ${tier === 'advice' ? 'advice (HIGH_MAYBE, MEDIUM_MAYBE, STRICT_CSP, INFO)' : tier.toUpperCase()}, rampart raises no mapped check (${list.length})`;
  p(title);
  p('-'.repeat(title.length));
  if (!list.length) p('none');
  for (const [key, group] of groupBy(list, (r) => `${r.type}@${r.severity}`)) {
    p(`* ${key}: ${group.length} (mapped to: ${mappedFor(key)})`);
    for (const r of group) {
      p(`  - ${where(r)} [${r.section}] on ${r.directive}${r.value ? `, value ${r.value}` : ''}`);
      p(`    policy:  ${short(r.policy)}`);
      p(`    rampart: ${r.rampart.join(', ') || '(no findings)'}`);
    }
  }
  p();
}

{
  const title = `Severity mismatches: mapped check raised at another severity (${mismatches.length})`;
  p(title);
  p('-'.repeat(title.length));
  if (!mismatches.length) p('none');
  for (const [key, group] of groupBy(mismatches, (r) => `${r.type}@${r.severity} -> rampart ${r.rampart_hits.join(', ')}`)) {
    p(`* ${key}: ${group.length}`);
    p(`  at ${group.map(where).join(' ')}`);
    p(`  e.g. ${short(group[0].policy)}`);
  }
  p();
}

{
  const title = `rampart high that the Evaluator does not raise at HIGH (${highOnlyRampart.length})`;
  p(title);
  p('-'.repeat(title.length));
  if (!highOnlyRampart.length) p('none');
  for (const [key, group] of groupBy(highOnlyRampart, (h) => `${h.check} on ${h.directive}`)) {
    p(`* ${key}: ${group.length}`);
    for (const h of group) {
      p(`  - ${where(h)} [${h.section}]${h.policies_in_value > 1 ? ` (in policy ${h.policy_index + 1} of the ${h.policies_in_value} comma-separated ones)` : ''}`);
      p(`    policy:    ${short(h.policy)}`);
      p(`    rampart:   ${h.message}`);
      p(`    Evaluator: ${h.evaluator_related.length ? 'raises ' + h.evaluator_related.join(', ') : 'no finding of a type mapped to ' + h.check}`);
      p(`    Evaluator HIGH on this value: ${h.evaluator_high.join(', ') || 'none'}`);
    }
  }
  p();
}

{
  const title = `Evaluator checks that threw (${evaluatorErrors.length})`;
  p(title);
  p('-'.repeat(title.length));
  if (!evaluatorErrors.length) p('none');
  for (const e of evaluatorErrors) p(`- ${where(e)}: ${e.errors.join('; ')}  policy: ${short(e.policy)}`);
}

process.stdout.write(out.join('\n') + '\n');

if (args.json) {
  const strip = ({ rampart: r, ...rest }) => ({ ...rest, rampart_checks: r });
  writeFileSync(
    args.json,
    JSON.stringify(
      {
        rampart_bin: args['rampart-bin'] ?? null,
        evaluator: `csp_evaluator ${evaluatorVersion}`,
        corpus: args.corpus,
        mapping: args.map,
        policies: corpus.length,
        evaluator_findings: records.length,
        summary: stats,
        by_severity: bySeverity,
        by_type: byType,
        disagreements: disagreements.map(strip),
        severity_mismatches: mismatches.map(strip),
        rampart_high_not_evaluator_high: highOnlyRampart,
        evaluator_errors: evaluatorErrors,
      },
      null,
      2,
    ) + '\n',
  );
}

// ---- helpers ---------------------------------------------------------------

function parseArgs(argv) {
  const a = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) die(`unexpected argument ${argv[i]}`);
    a[m[1]] = m[2] !== undefined ? m[2] : argv[++i];
    if (a[m[1]] === undefined) die(`--${m[1]} needs a value`);
  }
  return a;
}

function die(msg) {
  process.stderr.write(`compare.mjs: ${msg}\n`);
  process.exit(2);
}

/** checks.tsv: key -> {key, checks (array, or null for -), note}. */
function readMap(file) {
  const rows = new Map();
  let header = false;
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    if (raw.trim() === '' || raw.startsWith('#')) continue;
    const cols = raw.split('\t');
    if (!header) {
      if (cols[0] !== 'evaluator_type' || cols[1] !== 'rampart_check') die(`${file}: header must be evaluator_type<TAB>rampart_check<TAB>note`);
      header = true;
      continue;
    }
    const [key, checks = '-', note = ''] = cols.map((s) => s.trim());
    if (key === '-') continue; // documents a rampart-only check
    rows.set(key, { key, checks: checks === '-' ? null : checks.split('|').map((s) => s.trim()), note });
  }
  return rows;
}

function lookup(f) {
  for (const k of [`${f.type}:${f.directive}@${f.severity}`, `${f.type}@${f.severity}`, `${f.type}:${f.directive}`, f.type]) {
    if (map.has(k)) return map.get(k);
  }
  return undefined;
}

/** What checks.tsv maps a type@severity to, per directive when rows narrow it ("other" = the rest). */
function mappedFor(typeAtSeverity) {
  const [type, severity] = typeAtSeverity.split('@');
  const byDirective = new Map();
  for (const k of map.keys()) {
    const m = /^([A-Z_]+)(?::([^@]+))?(?:@([A-Z_]+))?$/.exec(k);
    if (!m || m[1] !== type || (m[3] && m[3] !== severity)) continue;
    const d = m[2] ?? '';
    const prev = byDirective.get(d);
    if (!prev || (m[3] && !prev.includes('@'))) byDirective.set(d, k);
  }
  if (!byDirective.size) return 'not in checks.tsv';
  return [...byDirective.entries()]
    .sort(([a], [b]) => (a === '') - (b === '') || a.localeCompare(b))
    .map(([d, k]) => (byDirective.size > 1 ? `${d || 'other'}: ` : '') + (map.get(k).checks?.join('|') ?? '-'))
    .join('; ');
}

/** Corpus policies in order, each with its line number and section (the last `## ` line). */
function readCorpus(file) {
  const list = [];
  let section = '(no section)';
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((raw, i) => {
      const t = raw.trim();
      if (t.startsWith('## ')) section = t.slice(3).trim();
      if (t === '' || t.startsWith('#')) return;
      list.push({ line: i + 1, section, policy: t });
    });
  return list;
}

function summarize(findings) {
  const best = new Map();
  for (const f of findings) {
    const prev = best.get(f.check);
    if (prev === undefined || RAMPART_RANK.indexOf(f.severity) < RAMPART_RANK.indexOf(prev)) best.set(f.check, f.severity);
  }
  return [...best.entries()]
    .sort((a, b) => RAMPART_RANK.indexOf(a[1]) - RAMPART_RANK.indexOf(b[1]) || a[0].localeCompare(b[0]))
    .map(([c, s]) => `${c}(${s})`);
}

function count(list) {
  return { n: list.length, agree: list.filter((r) => r.agree).length, same: list.filter((r) => r.same_severity).length };
}

function uniq(a) {
  return [...new Set(a)];
}

function groupBy(list, keyOf) {
  const m = new Map();
  for (const x of list) {
    const k = keyOf(x);
    if (!m.has(k)) m.set(k, []);
    m.get(k).push(x);
  }
  return [...m.entries()].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
}

function table(head, rows, leftLast = false) {
  const all = [head, ...rows].map((r) => r.map(String));
  const w = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const left = (i) => i === 0 || (leftLast && i === head.length - 1);
  const line = (r) => r.map((c, i) => (left(i) ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ').trimEnd();
  return [line(all[0]), w.map((n) => '-'.repeat(n)).join('  '), ...all.slice(1).map(line)].join('\n');
}
