// `expand` placeholders from a YAML file (src/detect/placeholders.ts) and their substitution.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { compileRule, isCompiled, type CompiledRule } from '../src/detect/compile.js';
import { loadPlaceholders, type Placeholders } from '../src/detect/placeholders.js';
import { loadRules } from '../src/sigma/load.js';
import { projectRoot } from './support/shared-data.js';
import { compileDetection, detectionRule, testEvent as event, ymlFiles } from './support/events.js';

const compile = (detection: string, placeholders?: Placeholders): ReturnType<typeof compileDetection> =>
  compileDetection(detection, placeholders === undefined ? {} : { placeholders });
const rule = (detection: string, placeholders: Placeholders): CompiledRule => detectionRule(detection, { placeholders });




test('loadPlaceholders: names to lists of values; one value, numbers, the vars: wrapper', () => {
  const r = loadPlaceholders("admins:\n  - alice\n  - 'bob*'\nport: 445\nflag: [true]\n", 'p.yml');
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual([...r.placeholders], [
    ['admins', ['alice', 'bob*']],
    ['port', ['445']],
    ['flag', ['true']],
  ]);
  const v = loadPlaceholders('vars:\n  hosts: [a, b]\n', 'p.yml');
  assert.deepEqual([...v.placeholders], [['hosts', ['a', 'b']]]);
  assert.deepEqual(loadPlaceholders('', 'p.yml'), { placeholders: new Map(), diagnostics: [] });
});

test('loadPlaceholders: problems are located diagnostics; good entries are kept', () => {
  const r = loadPlaceholders('good: [x]\nbad:\n  - ok\n  - null\nnested:\n  - {a: 1}\n"sp ace": [y]\nempty: []\n', 'p.yml');
  assert.deepEqual([...r.placeholders.keys()], ['good', 'empty']);
  const d = r.diagnostics.map((x) => `${x.severity} ${x.file}:${x.line}:${x.column} ${x.code}`);
  assert.deepEqual(d, [
    'error p.yml:4:5 invalid-value',
    'error p.yml:6:5 invalid-value',
    'error p.yml:7:1 invalid-field',
    'warning p.yml:8:1 invalid-value',
  ]);
  assert.match(r.diagnostics[0]!.message, /%bad%.*not null/);
  const dup = loadPlaceholders('a: [x]\na: [y]\n', 'p.yml');
  assert.equal(dup.diagnostics[0]?.code, 'yaml-syntax');
  assert.equal(dup.diagnostics[0]?.line, 2);
  assert.equal(dup.placeholders.size, 0);
  const list = loadPlaceholders('- a\n- b\n', 'p.yml');
  assert.equal(list.diagnostics[0]?.code, 'not-a-map');
  const syntax = loadPlaceholders('a: [x\n', 'p.yml');
  assert.equal(syntax.diagnostics[0]?.code, 'yaml-syntax');
  const big = loadPlaceholders('a: x\n'.padEnd(1_000_001, ' '), 'p.yml');
  assert.equal(big.diagnostics[0]?.code, 'input-too-large');
});

test('substitution: a placeholder value becomes the OR of its values; wildcards in values work', () => {
  const ph = new Map([['admins', ['alice', 'bob*']]]);
  const r = rule("  sel:\n    User|expand: '%admins%'\n  condition: sel", ph);
  assert.equal(r.matches(event({ User: 'ALICE' })), true, 'case-insensitive like any string');
  assert.equal(r.matches(event({ User: 'bobby' })), true);
  assert.equal(r.matches(event({ User: 'carol' })), false);
  assert.equal(r.matches(event({ User: 'xalice' })), false, 'whole-value match');
});

test('substitution keeps modifiers applied before expand, and text around the placeholder', () => {
  const ph = new Map([['userdomain', ['CORP', 'LAB']]]);
  const r = rule("  sel:\n    CommandLine|contains|expand: 'echo %userdomain%\\'\n  condition: sel", ph);
  assert.equal(r.matches(event({ CommandLine: 'cmd /c echo lab\\x' })), true);
  assert.equal(r.matches(event({ CommandLine: 'cmd /c echo other\\x' })), false);
});

test('several placeholders in one value: every combination', () => {
  const ph = new Map([
    ['a', ['x', 'y']],
    ['b', ['1', '2']],
  ]);
  const r = rule("  sel:\n    F|expand: '%a%-%b%'\n  condition: sel", ph);
  for (const v of ['x-1', 'x-2', 'y-1', 'y-2']) assert.equal(r.matches(event({ F: v })), true, v);
  assert.equal(r.matches(event({ F: 'x-3' })), false);
});

test('a value list with expand, and keywords with placeholders', () => {
  const ph = new Map([
    ['servers', ['SRV1']],
    ['dcs', ['DC1', 'DC2']],
  ]);
  const r = rule("  sel:\n    ComputerName|expand:\n      - '%servers%'\n      - '%dcs%'\n  condition: sel", ph);
  assert.equal(r.matches(event({ ComputerName: 'dc2' })), true);
  assert.equal(r.matches(event({ ComputerName: 'ws1' })), false);
  const k = rule("  kw:\n    '|expand':\n      - 'token %dcs%'\n  condition: kw", ph);
  assert.equal(k.matches(event({ Any: 'a token DC1 here' })), true, 'keywords search unanchored');
  assert.equal(k.matches(event({ Any: 'a token DC3 here' })), false);
});

test('a placeholder with no values: unsupported, naming it; an empty list matches nothing', () => {
  const noFile = compile("  sel:\n    User|expand: '%admins%'\n  condition: sel");
  assert.ok(!isCompiled(noFile));
  assert.match(noFile.unsupported, /%admins%.*placeholders file/);
  const missing = compile("  sel:\n    User|expand: '%admins%'\n  condition: sel", new Map([['other', ['x']]]));
  assert.ok(!isCompiled(missing));
  assert.match(missing.unsupported, /%admins% \(expand\) is not defined/);
  const empty = rule("  sel:\n    User|expand: '%admins%'\n  condition: sel", new Map([['admins', []]]));
  assert.equal(empty.matches(event({ User: '' })), false);
  const notEmpty = rule("  sel:\n    User|expand: '%admins%'\n  condition: not sel", new Map([['admins', []]]));
  assert.equal(notEmpty.matches(event({ User: 'x' })), true);
  // Without `expand`, %name% is plain text.
  const plain = rule("  sel:\n    User: '%admins%'\n  condition: sel", new Map([['admins', ['x']]]));
  assert.equal(plain.matches(event({ User: '%ADMINS%' })), true);
});


test('config/placeholders.example.yml loads cleanly and covers every SigmaHQ Windows placeholder rule', (t) => {
  const example = path.join(projectRoot(), 'config', 'placeholders.example.yml');
  const loaded = loadPlaceholders(readFileSync(example, 'utf8'), example);
  assert.deepEqual(loaded.diagnostics, []);
  const dir = path.resolve(projectRoot(), '..', 'shared', 'conformance', 'sigmahq', 'rules-placeholder', 'windows');
  if (!existsSync(dir)) {
    assert.ok(process.env.CI === undefined, `SigmaHQ placeholder rules missing under CI: ${dir}`);
    t.skip(`SKIPPED: SigmaHQ placeholder rules not found at ${dir}`);
    return;
  }
  let withFile = 0;
  let without = 0;
  for (const file of ymlFiles(dir)) {
    for (const r of loadRules(readFileSync(file, 'utf8'), file).rules) {
      const bare = compileRule(r);
      const c = compileRule(r, { placeholders: loaded.placeholders });
      assert.ok(isCompiled(c), `${path.basename(file)}: ${isCompiled(c) ? '' : c.unsupported}`);
      withFile++;
      if (!isCompiled(bare)) {
        assert.match(bare.unsupported, /placeholder %[^%]+%/);
        without++;
      }
    }
  }
  t.diagnostic(`${withFile} Windows placeholder rules compile with the example file; ${without} are unsupported without it`);
  assert.ok(withFile >= 10 && without >= 10, `${withFile} / ${without}`);
});
