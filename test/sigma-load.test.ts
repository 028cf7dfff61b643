import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import type { SigmaDiagnostic } from '../src/sigma/errors.js';
import { loadRules, loadRulesStrict, SigmaLoadError } from '../src/sigma/load.js';
import type { SigmaDetectionNode, SigmaRule } from '../src/sigma/rule.js';
import { formatSigmaString } from '../src/sigma/values.js';
import { projectRoot } from './support/shared-data.js';

const RULE = `title: Suspicious CMSTP
id: 6fc9b2a1-0a5e-4b2e-9a5e-1c2d3e4f5a6b
status: experimental
level: high
description: CMSTP with an INF
author: me
date: 2024-01-02
modified: 2024-02-03
tags:
  - attack.t1218.003
references: [https://example.com]
falsepositives:
  - Unknown
fields: [CommandLine]
custom_key: {a: 1}
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    Image|endswith: '\\cmstp.exe'
    CommandLine|contains|all:
      - '/s'
      - '.inf'
  filter_empty:
    ParentImage: null
  filter_list:
    - User: SYSTEM
    - User: []
  keywords:
    - 'evil'
    - 42
  condition: selection and not 1 of filter_* or keywords
`;

function only(text: string): SigmaRule {
  const r = loadRules(text, 'x.yml');
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
  assert.equal(r.rules.length, 1);
  return r.rules[0] as SigmaRule;
}

function diag(text: string, code: SigmaDiagnostic['code'], options = {}): SigmaDiagnostic {
  const r = loadRules(text, 'bad.yml', options);
  const d = r.diagnostics.find((x) => x.code === code);
  assert.ok(d, `expected ${code}, got ${JSON.stringify(r.diagnostics)}`);
  return d;
}

function item(node: SigmaDetectionNode | undefined, index: number): SigmaDetectionNode {
  assert.ok(node && node.kind !== 'item');
  return node.children[index] as SigmaDetectionNode;
}

test('a full rule: metadata, logsource, detection shapes and condition', () => {
  const rule = only(RULE);
  assert.equal(rule.title, 'Suspicious CMSTP');
  assert.equal(rule.status, 'experimental');
  assert.equal(rule.level, 'high');
  assert.equal(rule.date, '2024-01-02');
  assert.deepEqual(rule.tags, ['attack.t1218.003']);
  assert.deepEqual(rule.references, ['https://example.com']);
  assert.deepEqual(rule.fields, ['CommandLine']);
  assert.deepEqual(rule.custom, new Map([['custom_key', { a: 1 }]]));
  assert.deepEqual(rule.logsource, { category: 'process_creation', product: 'windows' });
  assert.deepEqual(rule.pos, { line: 1, column: 1 });
  const sel = rule.detection.selections;
  assert.deepEqual([...sel.keys()], ['selection', 'filter_empty', 'filter_list', 'keywords']);
  const image = item(sel.get('selection'), 0);
  assert.ok(image.kind === 'item');
  assert.equal(image.item.field, 'Image');
  assert.deepEqual(image.item.pos, { line: 21, column: 5 });
  assert.equal(formatSigmaString(image.item.values[0] as never), '*\\\\cmstp.exe');
  const cmd = item(sel.get('selection'), 1);
  assert.ok(cmd.kind === 'item');
  assert.equal(cmd.item.linking, 'and');
  assert.deepEqual(cmd.item.modifiers, ['contains', 'all']);
  const nul = item(sel.get('filter_empty'), 0);
  assert.ok(nul.kind === 'item');
  assert.deepEqual(nul.item.values, [{ type: 'null' }]);
  const list = sel.get('filter_list');
  assert.ok(list?.kind === 'any');
  assert.equal(list.children.length, 2);
  const empty = item(list.children[1], 0);
  assert.ok(empty.kind === 'item');
  assert.deepEqual(empty.item.values, [{ type: 'null' }]);
  const kw = sel.get('keywords');
  assert.ok(kw?.kind === 'item');
  assert.equal(kw.item.field, null);
  assert.deepEqual(kw.item.values[1], { type: 'number', value: 42 });
  assert.equal(rule.detection.conditions.length, 1);
  assert.equal(rule.detection.conditions[0]?.ast.kind, 'or');
  assert.deepEqual(rule.detection.conditions[0]?.pos, { line: 33, column: 14 });
});

test('condition lists, neq, field-less |all keywords, and aliases', () => {
  const rule = only(`title: t
logsource: {product: windows}
detection:
  base: &b
    EventID: 1
  again: *b
  sel:
    User|neq: [a, b]
  kw:
    '|all': [x, y]
  condition:
    - base and sel
    - again or kw
`);
  assert.equal(rule.detection.conditions.length, 2);
  const neq = rule.detection.selections.get('sel');
  assert.ok(neq?.kind === 'all' && neq.children[0]?.kind === 'item');
  assert.equal(neq.children[0].item.negated, true);
  const kw = rule.detection.selections.get('kw');
  assert.ok(kw?.kind === 'all' && kw.children[0]?.kind === 'item');
  assert.equal(kw.children[0].item.field, null);
  assert.equal(kw.children[0].item.linking, 'and');
  assert.ok(rule.detection.selections.get('again'));
});

test('action: global is merged into the following rules; reset clears it', () => {
  const r = loadRules(`action: global
title: Shared
logsource:
  product: windows
detection:
  common:
    EventID: 1
  condition: common and sel
---
logsource:
  category: process_creation
detection:
  sel:
    Image: a.exe
---
title: Second
detection:
  sel:
    Image: b.exe
---
action: reset
---
title: Third
logsource: {product: linux}
detection:
  sel: {Image: c}
  condition: sel
`, 'c.yml');
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.rules.length, 3);
  const [a, b, c] = r.rules as [SigmaRule, SigmaRule, SigmaRule];
  assert.equal(a.title, 'Shared');
  assert.deepEqual(a.logsource, { product: 'windows', category: 'process_creation' });
  assert.deepEqual([...a.detection.selections.keys()], ['common', 'sel']);
  assert.equal(b.title, 'Second');
  assert.deepEqual(b.logsource, { product: 'windows' });
  assert.equal(b.document, 2);
  assert.equal(c.title, 'Third');
  assert.deepEqual([...c.detection.selections.keys()], ['sel']);
  // positions survive the merge: `Image: b.exe` is on line 19
  const sel = b.detection.selections.get('sel');
  assert.ok(sel?.kind === 'all' && sel.children[0]?.kind === 'item');
  assert.deepEqual(sel.children[0].item.pos, { line: 19, column: 5 });
});

test('action: repeat merges into the previous rule; repeat with nothing before is an error', () => {
  const r = loadRules(`title: First
logsource: {product: windows, service: security}
detection:
  sel: {EventID: 4688}
  condition: sel
---
action: repeat
title: Repeated
logsource: {service: system}
`, 'r.yml');
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.rules.length, 2);
  assert.equal(r.rules[1]?.title, 'Repeated');
  assert.deepEqual(r.rules[1]?.logsource, { product: 'windows', service: 'system' });
  const d = diag(`action: repeat\ntitle: x\n`, 'invalid-action');
  assert.deepEqual([d.line, d.column], [1, 9]);
});

test('located errors: unknown modifier, condition syntax, undefined identifier', () => {
  const text = `title: t
logsource: {product: windows}
detection:
  sel:
    CommandLine|contains|bogus: x
  condition: sel
`;
  const d = diag(text, 'unsupported-modifier');
  assert.equal(d.severity, 'error');
  assert.equal(d.file, 'bad.yml');
  assert.deepEqual([d.line, d.column], [5, 26]);
  assert.match(d.message, /bogus/);
  const r = loadRules(text, 'bad.yml');
  assert.equal(r.rules.length, 0);

  const c = diag(`title: t
logsource: {product: windows}
detection:
  sel: {a: 1}
  condition: sel AND sel
`, 'condition-syntax');
  assert.deepEqual([c.line, c.column], [5, 18]);
  assert.match(c.message, /column 5 of the condition/);
  const q = diag(`title: t
logsource: {product: windows}
detection:
  sel: {a: 1}
  condition: "sel and (sel"
`, 'condition-syntax');
  assert.deepEqual([q.line, q.column], [5, 27]);
  const u = diag(`title: t
logsource: {product: windows}
detection:
  sel: {a: 1}
  condition: sel or other
`, 'undefined-identifier');
  assert.deepEqual([u.line, u.column], [5, 21]);
});

test('located errors: invalid values, missing fields, YAML syntax', () => {
  const b = diag(`title: t
logsource: {product: windows}
detection:
  sel:
    Payload|base64offset|contains: 'a*b'
  condition: sel
`, 'invalid-modifier');
  assert.deepEqual([b.line, b.column], [5, 36]);
  const n = diag(`title: t
logsource: {product: windows}
detection:
  kw:
    - null
  condition: kw
`, 'invalid-value');
  assert.deepEqual([n.line, n.column], [5, 7]);
  const m = diag(`logsource: {product: windows}
detection:
  sel: {a: 1}
  condition: sel
`, 'missing-field');
  assert.deepEqual([m.line, m.column], [1, 1]);
  assert.match(m.message, /title/);
  const c = diag(`title: t
logsource: {product: windows}
detection:
  sel: {a: 1}
`, 'missing-field');
  assert.deepEqual([c.line, c.column], [4, 3]);
  const s = diag(`title: t
logsource: {product: windows
detection: x
`, 'yaml-syntax');
  assert.equal(s.line >= 2, true);
  const dup = diag(`title: t\ntitle: u\n`, 'yaml-syntax');
  assert.deepEqual([dup.line, dup.column], [2, 1]);
  const st = diag(`title: t\nstatus: bogus\nlogsource: {}\ndetection: {s: {a: 1}, condition: s}\n`, 'invalid-value');
  assert.deepEqual([st.line, st.column], [2, 9]);
});

test('input caps are reported as diagnostics', () => {
  const big = diag(`title: ${'x'.repeat(200)}\n`, 'input-too-large', { maxInputLength: 100 });
  assert.deepEqual([big.line, big.column], [1, 1]);
  const aliases = diag(`a: &a [1]\nb: [*a, *a, *a]\n`, 'too-many-aliases', { maxAliasCount: 2 });
  assert.deepEqual([aliases.line, aliases.column], [2, 13]);
  const deep = diag(`a: [[[[1]]]]\n`, 'too-deep', { maxDepth: 3 });
  assert.equal(deep.line, 1);
  const long = diag(`a: [1, 2, 3, 4]\n`, 'list-too-long', { maxListLength: 3 });
  assert.deepEqual([long.line, long.column], [1, 4]);
});

test('filter documents', () => {
  const r = loadRules(`title: Filter admins
logsource:
  product: windows
filter:
  rules:
    - 6fc9b2a1-0a5e-4b2e-9a5e-1c2d3e4f5a6b
  sel:
    User|startswith: adm_
  condition: not sel
`, 'f.yml');
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.filters.length, 1);
  const f = r.filters[0];
  assert.deepEqual(f?.rules, ['6fc9b2a1-0a5e-4b2e-9a5e-1c2d3e4f5a6b']);
  assert.deepEqual([...(f?.detection.selections.keys() ?? [])], ['sel']);
  assert.equal(f?.detection.conditions[0]?.ast.kind, 'not');
  const bad = diag(`title: f\nlogsource: {product: windows}\nfilter: [1]\n`, 'invalid-filter');
  assert.deepEqual([bad.line, bad.column], [3, 9]);
});

test('correlation documents: types, timespan, condition, aliases, generate', () => {
  const r = loadRules(`title: Many failed logons
id: 0e95725d-7320-415d-80f7-004da920fc11
level: high
correlation:
  type: value_count
  rules:
    - failed_logon
  group-by:
    - ip
  timespan: 5m
  condition:
    gte: 10
    field: TargetUserName
  aliases:
    ip:
      failed_logon: IpAddress
  generate: true
---
title: Ordered
correlation:
  type: temporal_ordered
  rules: [a, b]
  group-by: [host]
  timespan: 1h
  condition: a and b
`, 'corr.yml');
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.correlations.length, 2);
  const [c, t] = r.correlations;
  assert.equal(c?.type, 'value_count');
  assert.equal(c?.timespanSeconds, 300);
  assert.deepEqual(c?.groupBy, ['ip']);
  assert.deepEqual(c?.condition, { kind: 'threshold', tests: [{ op: 'gte', value: 10 }], fields: ['TargetUserName'] });
  assert.equal(c?.aliases.get('ip')?.get('failed_logon'), 'IpAddress');
  assert.equal(c?.generate, true);
  assert.equal(c?.level, 'high');
  assert.equal(t?.timespanSeconds, 3600);
  assert.equal(t?.condition?.kind, 'expression');
  const bad = loadRules(`title: x
correlation:
  type: event_sum
  rules: [a]
  timespan: 5 minutes
  condition: {gte: many}
`, 'bad.yml');
  assert.equal(bad.correlations.length, 0);
  const at = bad.diagnostics.map((d) => [d.code, d.line, d.column]);
  assert.deepEqual(at, [
    ['invalid-correlation', 3, 9],
    ['invalid-correlation', 5, 13],
    ['invalid-correlation', 6, 20],
    ['invalid-correlation', 6, 14],
  ]);
  const v = diag(`title: x\ncorrelation:\n  type: value_sum\n  rules: [a]\n  timespan: 1d\n  condition: {gt: 1}\n`, 'invalid-correlation');
  assert.match(v.message, /field/);
});

const SIGMAHQ_SETS = ['rules', 'rules-emerging-threats', 'rules-threat-hunting', 'rules-compliance', 'rules-placeholder'];

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile() && /\.ya?ml$/.test(e.name)) out.push(full);
    }
  };
  walk(dir);
  return out.sort();
}

function sigmahqDir(t: TestContext): string | null {
  const dir = path.resolve(projectRoot(), '..', 'shared', 'conformance', 'sigmahq');
  try {
    if (statSync(dir).isDirectory()) return dir;
  } catch {
    // absent
  }
  const message = `../shared/conformance/sigmahq not found: expected ${dir} (SigmaHQ rules beside the project)`;
  if (process.env.CI) assert.fail(`${message}; CI must have it`);
  t.skip(message);
  t.diagnostic(`SKIPPED: ${message}`);
  return null;
}

test('every SigmaHQ rule loads; at least 99% without errors (issue 4)', (t) => {
  const dir = sigmahqDir(t);
  if (dir === null) return;
  const started = Date.now();
  let files = 0;
  let clean = 0;
  let rules = 0;
  let withDiagnostics = 0;
  const byCode = new Map<string, number>();
  const failures: string[] = [];
  for (const set of SIGMAHQ_SETS) {
    const setDir = path.join(dir, set);
    let present = true;
    try {
      statSync(setDir);
    } catch {
      present = false;
    }
    if (!present) {
      t.diagnostic(`MISSING: ${setDir}`);
      continue;
    }
    for (const file of yamlFiles(setDir)) {
      files++;
      const r = loadRules(readFileSync(file, 'utf8'), path.relative(dir, file));
      rules += r.rules.length + r.correlations.length + r.filters.length;
      const errors = r.diagnostics.filter((d) => d.severity === 'error');
      if (r.diagnostics.length > 0) withDiagnostics++;
      if (errors.length === 0) clean++;
      else if (failures.length < 10) failures.push(`${errors[0]?.file}:${errors[0]?.line}:${errors[0]?.column} ${errors[0]?.message}`);
      for (const d of r.diagnostics) byCode.set(`${d.severity}:${d.code}`, (byCode.get(`${d.severity}:${d.code}`) ?? 0) + 1);
    }
  }
  const ms = Date.now() - started;
  t.diagnostic(`SigmaHQ: ${files} files, ${rules} rules, ${clean} without errors (${((100 * clean) / Math.max(files, 1)).toFixed(2)}%), ${withDiagnostics} with any diagnostic, ${ms} ms`);
  t.diagnostic(`diagnostics by code: ${JSON.stringify(Object.fromEntries(byCode))}`);
  for (const f of failures) t.diagnostic(`error: ${f}`);
  assert.ok(files > 1000, `expected thousands of rule files, found ${files}`);
  assert.ok(clean / files >= 0.99, `${clean}/${files} load without errors; need 99%`);
});

test('the spec repository example documents (rules, filters, correlations) load cleanly', (t) => {
  const dir = path.resolve(projectRoot(), '..', 'shared', 'reference', 'sigma-specification', 'tests', 'schema');
  let present = false;
  try {
    present = statSync(dir).isDirectory();
  } catch {
    // absent
  }
  if (!present) {
    const message = `../shared/reference/sigma-specification/tests/schema not found: expected ${dir}`;
    if (process.env.CI) assert.fail(`${message}; CI must have it`);
    t.skip(message);
    t.diagnostic(`SKIPPED: ${message}`);
    return;
  }
  const counts = { rules: 0, filters: 0, correlations: 0 };
  for (const file of yamlFiles(dir)) {
    const r = loadRules(readFileSync(file, 'utf8'), path.relative(dir, file));
    assert.deepEqual(r.diagnostics, [], file);
    counts.rules += r.rules.length;
    counts.filters += r.filters.length;
    counts.correlations += r.correlations.length;
  }
  t.diagnostic(`spec examples: ${JSON.stringify(counts)}`);
  assert.ok(counts.rules > 0 && counts.filters > 0 && counts.correlations >= 7);
});

test('empty documents are skipped; a broken selection does not cascade into the condition', () => {
  assert.deepEqual(loadRules('---\n---\n', 'e.yml').diagnostics, []);
  assert.deepEqual(loadRules('', 'e.yml'), { rules: [], filters: [], correlations: [], diagnostics: [] });
  const r = loadRules(`title: t
logsource: {}
detection:
  sel:
    a: {b: 1}
  condition: sel
`, 'b.yml');
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.line, d.column]), [['invalid-value', 5, 8]]);
  const top = diag('- a\n- b\n', 'not-a-map');
  assert.deepEqual([top.line, top.column], [1, 1]);
});

test('regex length cap, __proto__ keys stay data, and the strict wrapper', () => {
  const re = diag(`title: t\nlogsource: {}\ndetection:\n  sel:\n    a|re: '${'a'.repeat(50)}'\n  condition: sel\n`, 'value-too-large', { maxRegexLength: 10 });
  assert.deepEqual([re.line, re.column], [5, 11]);
  const rule = only(`title: t\n__proto__: {polluted: 1}\nlogsource: {}\ndetection: {sel: {a: 1}, condition: sel}\n`);
  assert.deepEqual(rule.custom.get('__proto__'), { polluted: 1 });
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.throws(() => loadRulesStrict('title: t\n', 'strict.yml'), (e: unknown) => e instanceof SigmaLoadError && e.diagnostic.code === 'missing-field' && /^strict\.yml:1:1: /.test(e.message));
  assert.equal(loadRulesStrict(`title: t\nlogsource: {}\ndetection: {sel: {a: 1}, condition: sel}\n`, 'ok.yml').rules.length, 1);
});
