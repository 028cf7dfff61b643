import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileRule, isCompiled, type CompiledRule } from '../src/detect/compile.js';
import { applyFilters, logsourceContains } from '../src/detect/filters.js';
import { loadRules } from '../src/sigma/load.js';
import { testEvent as event } from './support/events.js';


const RULES = `title: Cmstp run
id: 11111111-0000-4000-8000-000000000001
name: cmstp_run
logsource:
  product: windows
  category: process_creation
detection:
  selection:
    Image|endswith: '\\cmstp.exe'
  condition: selection
---
title: Cmstp other
id: 11111111-0000-4000-8000-000000000002
logsource:
  product: windows
  category: process_creation
detection:
  selection:
    CommandLine|contains: '/s'
  condition: selection
---
title: Registry rule
id: 11111111-0000-4000-8000-000000000003
logsource:
  product: windows
  category: registry_set
detection:
  selection:
    TargetObject|contains: 'cmmgr32'
  condition: selection
`;

function load(text: string) {
  const loaded = loadRules(text, 'f.yml');
  assert.deepEqual(loaded.diagnostics.filter((d) => d.severity === 'error'), []);
  const compiled: CompiledRule[] = loaded.rules.map(compileRule).filter(isCompiled);
  return { compiled, filters: loaded.filters };
}

function filterDoc(rules: string, logsource = 'product: windows\n  category: process_creation'): string {
  return `---
title: Filter admins
id: 22222222-0000-4000-8000-000000000001
logsource:
  ${logsource}
filter:
  rules:
${rules}
  selection:
    User|startswith: 'adm_'
  condition: selection
`;
}

test('a filter suppresses matching events of the targeted rule only (by name)', () => {
  const { compiled, filters } = load(RULES + filterDoc('    - cmstp_run'));
  assert.equal(filters.length, 1);
  const res = applyFilters(compiled, filters);
  assert.deepEqual(res.issues, []);
  const [run, other] = res.rules;
  assert.ok(run && other);
  const admin = event({ Image: 'C:\\Windows\\System32\\cmstp.exe', CommandLine: 'cmstp /s x.inf', User: 'adm_bob' });
  const user = event({ Image: 'C:\\Windows\\System32\\cmstp.exe', CommandLine: 'cmstp /s x.inf', User: 'alice' });
  assert.equal(run.matches(admin), false, 'filtered out');
  assert.equal(run.matches(user), true, 'still detected');
  assert.equal(other.matches(admin), true, 'untargeted rule unchanged');
  assert.deepEqual(res.applied.get('11111111-0000-4000-8000-000000000001'), ['Filter admins']);
  // The input matchers are untouched.
  assert.equal(compiled[0]!.matches(admin), true);
});

test('a filter targets rules by id; combine "and" follows pySigma (filter condition ANDed as written)', () => {
  const { compiled, filters } = load(RULES + filterDoc('    - 11111111-0000-4000-8000-000000000002'));
  const admin = event({ CommandLine: 'x /s', User: 'adm_bob' });
  const user = event({ CommandLine: 'x /s', User: 'alice' });
  const spec = applyFilters(compiled, filters).rules[1]!;
  assert.equal(spec.matches(admin), false);
  assert.equal(spec.matches(user), true);
  const py = applyFilters(compiled, filters, { combine: 'and' }).rules[1]!;
  assert.equal(py.matches(admin), true);
  assert.equal(py.matches(user), false);
});

test('a logsource mismatch is reported, located, and the rule is left unchanged', () => {
  const { compiled, filters } = load(RULES + filterDoc('    - 11111111-0000-4000-8000-000000000003'));
  const res = applyFilters(compiled, filters);
  assert.equal(res.issues.length, 1);
  const iss = res.issues[0]!;
  assert.equal(iss.code, 'logsource-mismatch');
  assert.equal(iss.file, 'f.yml');
  assert.ok(iss.pos.line > 1);
  assert.match(iss.message, /registry_set/);
  assert.equal(res.rules[2], compiled[2]);
});

test('an unknown rule reference is reported', () => {
  const { compiled, filters } = load(RULES + filterDoc('    - no_such_rule\n    - cmstp_run'));
  const res = applyFilters(compiled, filters);
  assert.deepEqual(res.issues.map((i) => i.code), ['unknown-rule']);
  assert.match(res.issues[0]!.message, /no_such_rule/);
  assert.equal(res.applied.size, 1);
});

test('rules: any targets every rule whose logsource the filter contains, silently skipping others', () => {
  const { compiled, filters } = load(RULES + filterDoc('').replace('  rules:\n\n', '  rules: any\n'));
  const res = applyFilters(compiled, filters);
  assert.deepEqual(res.issues, []);
  assert.equal(res.applied.size, 2);
  assert.equal(res.rules[2], compiled[2]);
});

test('logsource containment: unset filter keys match anything, set keys must be equal', () => {
  assert.equal(logsourceContains({ product: 'windows' }, { product: 'windows', category: 'process_creation' }), true);
  assert.equal(logsourceContains({ product: 'windows', service: 'security' }, { product: 'windows', category: 'process_creation' }), false);
  assert.equal(logsourceContains({}, { product: 'linux' }), true);
});
