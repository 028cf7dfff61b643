// Sigma: mutated rule files (the shipped pack and the test fixtures) through `loadRules`, every
// loaded rule through `compileRule`, and every compiled rule run against events holding long
// hostile strings. Checked: no throw, every diagnostic has a known code and a 1-based line and
// column, and matching stays fast on inputs built to make a backtracking regex engine explode
// (the case's time budget is the check: the matcher is linear-time).

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { compileRule, isCompiled } from '../../src/detect/compile.js';
import { Fields, type FieldValue } from '../../src/events/fields.js';
import type { Event } from '../../src/events/model.js';
import type { SigmaDiagnosticCode } from '../../src/sigma/errors.js';
import { loadRules } from '../../src/sigma/load.js';
import type { CaseReport } from './outcome.js';
import { describeError, printable, prototypeProblem } from './outcome.js';
import type { Rng } from './rng.js';
import type { FuzzTarget } from './target.js';
import { GENERIC, MAX_INPUT, insertAt, mutateText, type TextMutation } from './text-mutate.js';

const CODES: ReadonlySet<SigmaDiagnosticCode> = new Set<SigmaDiagnosticCode>([
  'yaml-syntax', 'yaml-warning', 'input-too-large', 'too-many-aliases', 'too-deep', 'list-too-long', 'not-a-map', 'missing-field', 'invalid-field', 'invalid-value',
  'value-too-large', 'invalid-action', 'unsupported-modifier', 'invalid-modifier', 'unsupported-regex', 'condition-syntax', 'undefined-identifier', 'invalid-correlation', 'invalid-filter',
]);

const enc = (s: string): Buffer => Buffer.from(s, 'utf8');

/** A syntactically fine rule around a detection block. */
const rule = (detection: string, condition = 'selection'): Buffer =>
  enc(`title: fuzz\nlogsource:\n  product: windows\n  category: process_creation\ndetection:\n${detection}\n  condition: ${condition}\nlevel: high\n`);

const CATASTROPHIC = [
  '(a+)+$', '(a|aa)+$', '(a|a?)+b', '(.*a){25}', '(a*)*b', '(?:a?){40}a{40}', 'a{1000}{1000}', '(a{1,1000}){1,1000}', '((a+)+)+$', '^(\\w+\\s?)*$', '(x+x+)+y',
  '(a)\\1', '(?=a)a', '(?<=a)b', '[\\s\\S]{0,100000}x', '(?:(?:(?:(?:a*)*)*)*)*b', `${'('.repeat(500)}a${')'.repeat(500)}`, 'a'.repeat(5000), '[', '(?<n>a)\\k<n>', '\\p{L}+', '(?i)A+$',
];

const ALIAS_BOMB =
  'a: &a ["x","x","x","x","x","x","x","x","x"]\n' +
  Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`).join('\n') +
  '\n';

const SIGMA_MUTATIONS: ReadonlyArray<[string, TextMutation]> = [
  ['catastrophic-regex', (_b, rng) => rule(`  selection:\n    CommandLine|re: '${rng.pick(CATASTROPHIC).replace(/'/g, "''")}'`)],
  ['regex-list', (_b, rng) => rule(`  selection:\n    Image|re|all:\n${CATASTROPHIC.slice(0, rng.int(1, CATASTROPHIC.length)).map((r) => `      - '${r.replace(/'/g, "''")}'`).join('\n')}`)],
  ['alias-bomb', (b, rng) => (rng.chance(0.5) ? enc(ALIAS_BOMB) : Buffer.concat([enc(ALIAS_BOMB.replace(/^/gm, '# ').replace(/^# /, '')), b]))],
  ['alias-bomb-detection', () => enc(`${ALIAS_BOMB}title: t\nlogsource: {product: windows}\ndetection:\n  selection:\n    CommandLine|contains: *j\n  condition: selection\n`)],
  ['huge-list', (_b, rng) => rule(`  selection:\n    CommandLine|contains:\n${Array.from({ length: rng.sized([100, 1000], [10_001, 30_000]) }, (_, i) => `      - 'v${i}'`).join('\n')}`)],
  ['deep-nesting', (_b, rng) => {
    const n = rng.sized([33, 1000], [100_000]);
    return rng.chance(0.5) ? enc(`detection:\n  selection: ${'['.repeat(n)}${']'.repeat(n)}\n`) : enc(`title: t\ndetection: ${'{a: '.repeat(Math.min(n, 5000))}1${'}'.repeat(Math.min(n, 5000))}\n`);
  }],
  ['many-detections', (_b, rng) => {
    const n = rng.sized([100, 300], [3000]);
    return rule(Array.from({ length: n }, (_, i) => `  selection${i}:\n    CommandLine|contains: 'x${i}'`).join('\n'), rng.pick(['1 of selection*', 'all of them', Array.from({ length: n }, (_, i) => `selection${i}`).join(' and ')]));
  }],
  ['long-condition', (_b, rng) => {
    const n = rng.sized([100], [10_000]);
    const det = '  selection:\n    Image|endswith: cmstp.exe';
    return rule(det, rng.pick([`${'('.repeat(n)}selection${')'.repeat(n)}`, `${'not '.repeat(n)}selection`, Array(n).fill('selection').join(' and '), `${'('.repeat(n)}selection`, 'selection and ) or (']));
  }],
  ['modifiers', (_b, rng) => rule(`  selection:\n    CommandLine|${rng.pick(['base64offset|contains', 'windash|contains|all', 'cidr', 'expand', 'utf16le|base64', 'wide|base64offset|endswith', 'lt', 'gte', 'fieldref', 'exists', 're|i|m|s', 'nonexistent', '', '|||', 'contains|contains|re'])}: ${rng.pick(["'x'", '1', 'null', '[]', '{}', "'%p%'", "'10.0.0.0/33'", "'::/200'", "'*?\\\\*'", 'true'])}`)],
  ['yaml-tags', (b, rng) => insertAt(b, enc(rng.pick(['!!js/function "x"', '!!binary AAAA', '!!timestamp 2020-99-99', '<<: *missing', '? [a, b]\n: c', '!custom x', '&anchor', '*undefined', '%YAML 9.9\n---\n', '@', '`'])), rng)],
  ['many-documents', (b, rng) => {
    const copies = Math.max(1, Math.min(rng.sized([2, 20], [300]), Math.floor(MAX_INPUT / (b.length + 5))));
    return Buffer.concat(Array.from({ length: copies }, () => Buffer.concat([b, enc('\n---\n')])));
  }],
  ['actions', (b, rng) => Buffer.concat([enc(rng.pick(['action: repeat\n---\n', 'action: global\ndetection: {x: 1}\n---\n', 'action: reset\n---\n', 'action: bogus\n---\n'])), b])],
  ['correlation', (_b, rng) =>
    enc(`title: c\ncorrelation:\n  type: ${rng.pick(['event_count', 'value_count', 'temporal', 'bogus'])}\n  rules: ${rng.pick(['[a, b]', '[]', '[x]', 'a'])}\n  group-by: ${rng.pick(['[Image]', '[]', '[__proto__]'])}\n  timespan: ${rng.pick(['5m', '99999999999999y', '0s', '-1h', 'x'])}\n  condition: {gte: ${rng.pick(['1', '-1', '1e308', 'x'])}}\n`)],
  ['proto-keys', (_b, rng) => rule(`  selection:\n    ${rng.pick(['__proto__', 'constructor', 'prototype', 'hasOwnProperty'])}: x`, rng.pick(['selection', '1 of __proto__*']))],
];

function ymlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...ymlFiles(p));
    else if (/\.ya?ml$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

/** Events whose every field the rules look at holds a long hostile string. */
function hostileEvents(): Event[] {
  const strings = ['a'.repeat(10_000) + '!', `${'\\'.repeat(5000)}cmstp.exe`, 'ab'.repeat(5000) + 'c', '\u0000\ud800 '.repeat(3000)];
  const names = ['Image', 'CommandLine', 'ParentImage', 'ParentCommandLine', 'OriginalFileName', 'TargetObject', 'QueryName', 'ImageLoaded', 'TargetFilename', 'Details', 'EventID'];
  return strings.map((s, i) => {
    const f = Fields.from(names.map((n): [string, FieldValue] => [n, n === 'EventID' ? i : s]));
    return {
      category: 'process_creation',
      fields: f,
      raw: f,
      mapping: null,
      kind: 'windows',
      table: null,
      host: null,
      time: null,
      eventId: 1,
      channel: null,
      provider: null,
      origin: { path: 'fuzz', format: 'evtx', shape: 'evtx', recordId: null, line: null, offset: null, recovered: false },
    };
  });
}

interface SigmaCorpus {
  seeds: Buffer[];
  events: Event[];
}

export const sigmaTarget: FuzzTarget<SigmaCorpus> = {
  name: 'sigma',
  load(_dataDir, root) {
    const dirs = [path.join(root, 'rules'), path.join(root, 'test', 'fixtures', 'rules'), path.join(root, 'test', 'fixtures', 'report'), path.join(root, 'test', 'fixtures', 'scan')];
    const seeds = dirs.flatMap(ymlFiles).map((f) => readFileSync(f));
    if (seeds.length === 0) throw new Error(`no Sigma rules under ${root}`);
    return { seeds, events: hostileEvents() };
  },
  run(corpus, rng: Rng) {
    const { bytes, names } = mutateText(rng.pick(corpus.seeds), rng, [...GENERIC, ...SIGMA_MUTATIONS, ...SIGMA_MUTATIONS, ...SIGMA_MUTATIONS]);
    const report: CaseReport = { records: 0, diagnostics: 0, problems: [], mutations: names, inputSize: bytes.length };
    try {
      const loaded = loadRules(bytes.toString('utf8'), 'fuzz.yml');
      report.diagnostics = loaded.diagnostics.length;
      for (const d of loaded.diagnostics) {
        if (!CODES.has(d.code)) report.problems.push({ outcome: 'untyped-error', detail: `unknown code ${printable(String(d.code))}` });
        if (!(Number.isSafeInteger(d.line) && d.line >= 1 && Number.isSafeInteger(d.column) && d.column >= 1)) {
          report.problems.push({ outcome: 'untyped-error', detail: `${d.code} at ${d.line}:${d.column}: ${printable(d.message)}` });
        }
      }
      report.records = loaded.rules.length + loaded.filters.length + loaded.correlations.length;
      const compiled = [];
      for (const r of loaded.rules) {
        const c = compileRule(r);
        if (isCompiled(c)) compiled.push(c);
        else report.diagnostics++;
      }
      // Events outer, rules inner, as the scanner does (the matcher folds each value once per
      // event); a file of thousands of copies of one rule proves nothing more after the first 50.
      for (const e of corpus.events) for (const c of compiled.slice(0, 50)) c.matches(e);
    } catch (e) {
      report.problems.unshift({ outcome: 'exception', detail: describeError(e) });
    }
    const polluted = prototypeProblem();
    if (polluted !== null) report.problems.push({ outcome: 'injection', detail: polluted });
    return report;
  },
};
