// One conformance suite for every target (hono's runTest with stated skips): each case is one
// Sigma feature in a small rule; a target either compiles it or answers with the typed
// "unsupported" code its table below states, never anything else.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { UnsupportedCode } from '../src/backends/errors.js';
import { exportRule } from '../src/backends/export.js';
import { targetFor, targetNames } from '../src/backends/registry.js';
import { loadRules } from '../src/sigma/load.js';
import type { SigmaRule } from '../src/sigma/rule.js';

const PROC = 'logsource: {product: windows, category: process_creation}';
const NET = 'logsource: {product: windows, category: network_connection}';
const SEC = 'logsource: {product: windows, service: security}';

/** feature → rule body (logsource line and detection). */
const CASES: Record<string, string> = {
  exact: `${PROC}\ndetection: {s: {Image: 'C:\\Windows\\System32\\cmstp.exe'}, condition: s}`,
  contains: `${PROC}\ndetection: {s: {CommandLine|contains: '.inf'}, condition: s}`,
  startswith: `${PROC}\ndetection: {s: {CommandLine|startswith: 'cmstp'}, condition: s}`,
  endswith: `${PROC}\ndetection: {s: {Image|endswith: '\\cmstp.exe'}, condition: s}`,
  'inner wildcard': `${PROC}\ndetection: {s: {CommandLine: '*/s*.inf'}, condition: s}`,
  'single wildcard': `${PROC}\ndetection: {s: {Image: '*cmst?.exe'}, condition: s}`,
  'literal star': `${PROC}\ndetection: {s: {CommandLine|contains: 'a\\*b'}, condition: s}`,
  'value list': `${PROC}\ndetection: {s: {Image: ['a.exe', 'b.exe']}, condition: s}`,
  cased: `${PROC}\ndetection: {s: {Image|endswith|cased: '\\CMSTP.exe'}, condition: s}`,
  all: `${PROC}\ndetection: {s: {CommandLine|contains|all: ['/s', '.inf']}, condition: s}`,
  re: `${PROC}\ndetection: {s: {CommandLine|re: 'cmstp(\\.exe)? +/s'}, t: {Image|endswith: '.exe'}, condition: s or t}`,
  're|i': `${PROC}\ndetection: {s: {CommandLine|re|i: '\\.INF$'}, t: {Image|endswith: '.exe'}, condition: s or t}`,
  're under and': `${PROC}\ndetection: {s: {CommandLine|re: 'cmstp(\\.exe)? +/s'}, t: {Image|endswith: '.exe'}, condition: s and t}`,
  're lookahead': `${PROC}\ndetection: {s: {CommandLine|re: 'a(?=b)'}, condition: s}`,
  cidr: `${NET}\ndetection: {s: {DestinationIp|cidr: '10.0.0.0/8'}, condition: s}`,
  'cidr v6': `${NET}\ndetection: {s: {DestinationIp|cidr: 'fe80::/10'}, condition: s}`,
  exists: `${PROC}\ndetection: {s: {ParentImage|exists: true}, condition: s}`,
  null: `${PROC}\ndetection: {s: {ParentImage: null}, condition: s}`,
  number: `${NET}\ndetection: {s: {DestinationPort: 443}, condition: s}`,
  gte: `${NET}\ndetection: {s: {DestinationPort|gte: 1024}, condition: s}`,
  fieldref: `${PROC}\ndetection: {s: {Image|fieldref: ParentImage}, t: {CommandLine|contains: x}, condition: s and t}`,
  'fieldref under or': `${PROC}\ndetection: {s: {Image|fieldref: ParentImage}, t: {CommandLine|contains: x}, condition: s or t}`,
  base64: `${PROC}\ndetection: {s: {CommandLine|base64|contains: 'cmstp'}, condition: s}`,
  base64offset: `${PROC}\ndetection: {s: {CommandLine|base64offset|contains: 'cmstp'}, condition: s}`,
  windash: `${PROC}\ndetection: {s: {CommandLine|windash|contains: '-au'}, condition: s}`,
  'utf16le base64offset': `${PROC}\ndetection: {s: {CommandLine|wide|base64offset|contains: 'cmstp'}, condition: s}`,
  'utf16le alone': `${PROC}\ndetection: {s: {CommandLine|wide|contains: 'cmstp'}, condition: s}`,
  neq: `${PROC}\ndetection: {s: {Image|endswith: '.exe', User|neq: 'SYSTEM'}, condition: s}`,
  not: `${PROC}\ndetection: {s: {Image|endswith: '.exe'}, f: {ParentImage|endswith: '\\explorer.exe'}, condition: s and not f}`,
  '1 of': `${PROC}\ndetection: {s_a: {Image|endswith: 'a.exe'}, s_b: {Image|endswith: 'b.exe'}, condition: 1 of s_*}`,
  'all of them': `${PROC}\ndetection: {s_a: {Image|endswith: 'a.exe'}, s_b: {CommandLine|contains: 'b'}, condition: all of them}`,
  keywords: `${SEC}\ndetection: {k: ['cmstp.exe', 'cmmgr32'], condition: k}`,
  'security fields': `${SEC}\ndetection: {s: {EventID: 4688, NewProcessName|endswith: '\\cmstp.exe'}, condition: s}`,
  expand: `${PROC}\ndetection: {s: {Image|expand: '%programfiles%\\x.exe'}, condition: s}`,
  'timestamp part': `${PROC}\ndetection: {s: {UtcTime|hour: 3}, condition: s}`,
  'unknown product': `logsource: {product: linux, category: process_creation}\ndetection: {s: {Image: x}, condition: s}`,
};

type Skips = Readonly<Record<string, UnsupportedCode>>;

/** What each target cannot state, and why (the codes are the reasons; see each table file). */
const SKIPS: Readonly<Record<string, Skips>> = {
  'kql-sentinel': { 're lookahead': 'regex', 'utf16le alone': 'character', expand: 'placeholder', 'timestamp part': 'modifier', 'unknown product': 'logsource' },
  'kql-mde': { 're lookahead': 'regex', 'utf16le alone': 'character', neq: 'field', keywords: 'logsource', 'security fields': 'logsource', expand: 'placeholder', 'timestamp part': 'field', 'unknown product': 'logsource' },
  spl: { 'single wildcard': 'wildcard', 'literal star': 'wildcard', cased: 'cased', re: 'regex', 're|i': 'regex', 'fieldref under or': 'modifier', 'utf16le alone': 'character', expand: 'placeholder', 'timestamp part': 'modifier', 'unknown product': 'logsource' },
  esql: { 're|i': 'regex', 're lookahead': 'regex', 'utf16le alone': 'character', neq: 'field', keywords: 'keyword', expand: 'placeholder', 'timestamp part': 'field', 'unknown product': 'logsource' },
  eql: { 'literal star': 'wildcard', 're lookahead': 'regex', fieldref: 'modifier', 'fieldref under or': 'modifier', 'utf16le alone': 'character', neq: 'field', keywords: 'keyword', expand: 'placeholder', 'timestamp part': 'field', 'unknown product': 'logsource' },
  lucene: { 're|i': 'regex', 're lookahead': 'regex', fieldref: 'modifier', 'fieldref under or': 'modifier', 'utf16le alone': 'character', neq: 'field', keywords: 'keyword', expand: 'placeholder', 'timestamp part': 'field', 'unknown product': 'logsource' },
  logpoint: { 'single wildcard': 'wildcard', 'literal star': 'wildcard', cased: 'cased', re: 'regex', 're|i': 'regex', 're under and': 'regex', 're lookahead': 'regex', cidr: 'modifier', 'cidr v6': 'modifier', fieldref: 'modifier', 'fieldref under or': 'modifier', 'utf16le alone': 'character', expand: 'placeholder', 'timestamp part': 'modifier', 'unknown product': 'logsource' },
  'sql-duckdb': { 're lookahead': 'regex', 'utf16le alone': 'character', expand: 'placeholder', 'timestamp part': 'modifier', 'unknown product': 'logsource', keywords: 'keyword' },
  'sql-clickhouse': { 're lookahead': 'regex', 'utf16le alone': 'character', expand: 'placeholder', 'timestamp part': 'modifier', 'unknown product': 'logsource', keywords: 'keyword' },
  // Plain Sigma says everything the model holds.
  sigma: {},
};

function ruleOf(feature: string, body: string): SigmaRule {
  const r = loadRules(`title: ${JSON.stringify(feature)}\n${body}\n`, `${feature}.yml`);
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), [], feature);
  assert.equal(r.rules.length, 1);
  return r.rules[0] as SigmaRule;
}

function runBackendSuite(target: string, skips: Skips): void {
  test(`${target}: conformance over ${Object.keys(CASES).length} features`, () => {
    const t = targetFor(target);
    assert.ok(t);
    const got: Record<string, string> = {};
    for (const [feature, body] of Object.entries(CASES)) {
      const r = exportRule(t, ruleOf(feature, body));
      if (!r.ok) got[feature] = r.code;
      else {
        assert.doesNotMatch(r.text, /undefined|\[object |NaN/, `${target} ${feature}`);
        assert.doesNotMatch(r.text, /\n\s*\n/);
      }
    }
    assert.deepEqual(got, { ...skips });
  });
}

for (const target of targetNames()) runBackendSuite(target, SKIPS[target] ?? {});

test('every target has a skip table', () => {
  assert.deepEqual(Object.keys(SKIPS).sort(), targetNames().sort());
});
