// Exact output of every target over the fixture rules (test/fixtures/backends/rules: the CMSTP
// rules of the source documents and one rule per modifier and condition form), checked against
// reviewed golden files, plus inline checks of each target's case semantics, escaping and typed
// "unsupported" answers. Regenerate the golden files with UPDATE_GOLDEN=1 and review the diff.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { exportCorrelation, exportRule, type ExportResult } from '../src/backends/export.js';
import { targetFor, targetNames } from '../src/backends/registry.js';
import { loadRules } from '../src/sigma/load.js';
import type { SigmaCorrelation, SigmaRule } from '../src/sigma/rule.js';
import { projectRoot } from './support/shared-data.js';

const FIXTURES = path.join(projectRoot(), 'test', 'fixtures', 'backends');

function fixtureFiles(): { rules: SigmaRule[]; correlations: SigmaCorrelation[] } {
  const dir = path.join(FIXTURES, 'rules');
  const out = { rules: [] as SigmaRule[], correlations: [] as SigmaCorrelation[] };
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.yml')).sort()) {
    const r = loadRules(readFileSync(path.join(dir, f), 'utf8'), `rules/${f}`);
    assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), [], f);
    out.rules.push(...r.rules);
    out.correlations.push(...r.correlations);
  }
  return out;
}

function one(yaml: string): SigmaRule {
  const r = loadRules(yaml, 'inline.yml');
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
  assert.equal(r.rules.length, 1);
  return r.rules[0] as SigmaRule;
}

/** The query without its comment header. */
function queryOf(target: string, rule: SigmaRule): string {
  const t = targetFor(target);
  assert.ok(t);
  const r = exportRule(t, rule);
  assert.ok(r.ok, r.ok ? '' : `${r.code}: ${r.message}`);
  const prefix = t.comment('\u0001').split('\u0001')[0] as string;
  return r.text
    .split('\n')
    .filter((l) => !l.startsWith(prefix))
    .join('\n');
}

function unsupportedOf(target: string, rule: SigmaRule): ExportResult & { ok: false } {
  const t = targetFor(target);
  assert.ok(t);
  const r = exportRule(t, rule);
  assert.ok(!r.ok, `expected unsupported, got ${r.ok ? r.text : ''}`);
  return r;
}

const { rules, correlations } = fixtureFiles();

for (const target of targetNames()) {
  test(`${target}: exact output over the fixture rules`, () => {
    const t = targetFor(target);
    assert.ok(t);
    const out = [...rules.map((r) => exportRule(t, r)), ...correlations.map((c) => exportCorrelation(t, c, rules))]
      .map((r) => (r.ok ? r.text : `${t.comment(`UNSUPPORTED ${r.rule.title}: [${r.code}] ${r.message}`)}`))
      .join('\n\n');
    const file = path.join(FIXTURES, 'expected', `${target}.txt`);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, `${out}\n`);
    assert.equal(`${out}\n`, readFileSync(file, 'utf8'));
    // Queries hold no blank line, so a blank line can separate them.
    for (const r of rules.map((x) => exportRule(t, x))) if (r.ok) assert.doesNotMatch(r.text, /\n\s*\n/);
  });
}

const ENDS = `
title: t
logsource: {product: windows, category: process_creation}
detection:
    sel: {Image|endswith: '\\cmstp.exe'}
    condition: sel
`;
const ENDS_CASED = ENDS.replace('Image|endswith', 'Image|endswith|cased');

test('case: Sigma folds case by default; each target states it its own way', () => {
  const r = one(ENDS);
  const c = one(ENDS_CASED);
  assert.equal(queryOf('kql-mde', r), 'DeviceProcessEvents\n| where FolderPath endswith @"\\cmstp.exe"');
  assert.equal(queryOf('kql-mde', c), 'DeviceProcessEvents\n| where FolderPath endswith_cs @"\\cmstp.exe"');
  assert.equal(queryOf('esql', r), 'FROM logs-*\n| WHERE event.category == "process" AND event.type == "start" AND TO_LOWER(process.executable) LIKE "*\\\\\\\\cmstp.exe"');
  assert.equal(queryOf('esql', c), 'FROM logs-*\n| WHERE event.category == "process" AND event.type == "start" AND process.executable LIKE "*\\\\\\\\cmstp.exe"');
  assert.equal(queryOf('eql', r), 'process where event.type == "start" and process.executable : "*\\\\cmstp.exe"');
  assert.equal(queryOf('eql', c), 'process where event.type == "start" and process.executable like "*\\\\cmstp.exe"');
  assert.equal(
    queryOf('lucene', r),
    'event.category:process AND event.type:start AND process.executable:/.*\\\\[cC][mM][sS][tT][pP]\\.[eE][xX][eE]/',
  );
  assert.equal(queryOf('lucene', c), 'event.category:process AND event.type:start AND process.executable:*\\\\cmstp.exe');
  // Splunk and LogPoint only fold: a cased value is unsupported, not silently folded.
  assert.match(queryOf('spl', r), /Image="\*\\\\cmstp\.exe"/);
  assert.equal(unsupportedOf('spl', c).code, 'cased');
  assert.equal(unsupportedOf('logpoint', c).code, 'cased');
});

test('CAR-2020-11-010 external connection search, generated', () => {
  const car = rules.find((r) => r.title === 'CMSTP External Network Connection');
  assert.ok(car);
  assert.equal(
    queryOf('spl', car),
    // Sysmon 3, and the Security log's 5156 (Filtering Platform connection) under Splunk's names.
    '(source="XmlWinEventLog:Microsoft-Windows-Sysmon/Operational" EventCode=3 Image="*\\\\cmstp.exe" NOT ((DestinationIp="10.0.0.0/8" OR DestinationIp="172.16.0.0/12" OR DestinationIp="192.168.0.0/16")))' +
      ' OR (source="WinEventLog:Security" EventCode=5156 Application_Name="*\\\\cmstp.exe" NOT ((Destination_Address="10.0.0.0/8" OR Destination_Address="172.16.0.0/12" OR Destination_Address="192.168.0.0/16")))',
  );
  // LogPoint has no CIDR literal (CAR's own query uses a HOMENET list): typed unsupported.
  const lp = unsupportedOf('logpoint', car);
  assert.equal(lp.code, 'modifier');
  assert.equal(
    queryOf('kql-mde', car).split('\n')[1],
    '| where ActionType in ("ConnectionSuccess", "ConnectionAttempt", "ConnectionFailed", "ConnectionRequest", "ConnectionAcknowledged", "ConnectionFound", "ConnectionSuccessAggregatedReport", "ConnectionFailedAggregatedReport", "InboundConnectionAccepted", "ListeningConnectionCreated") and InitiatingProcessFolderPath endswith @"\\cmstp.exe" and not((coalesce(ipv4_is_in_range(RemoteIP, "10.0.0.0/8"), false) or coalesce(ipv4_is_in_range(RemoteIP, "172.16.0.0/12"), false) or coalesce(ipv4_is_in_range(RemoteIP, "192.168.0.0/16"), false)))',
  );
});

test('the Sentinel flag query, generated for Defender', () => {
  const flags = rules.find((r) => r.title === 'CMSTP Silent INF Install');
  assert.ok(flags);
  const q = queryOf('kql-mde', flags);
  assert.ok(q.startsWith('DeviceProcessEvents\n| where (FolderPath endswith @"\\cmstp.exe" or ProcessVersionInfoOriginalFileName =~ "CMSTP.EXE")'));
  for (const piece of ['ProcessCommandLine contains " /s"', 'ProcessCommandLine contains " -ns"', 'ProcessCommandLine contains ".inf"', 'ProcessCommandLine contains @"\\AppData\\"', 'ProcessCommandLine contains "https://"', 'InitiatingProcessFolderPath endswith @"\\mshta.exe"']) {
    assert.ok(q.includes(piece), piece);
  }
});

test('unsupported is typed and per rule, never a wrong query', () => {
  const re = one(`
title: t
logsource: {product: windows, category: process_creation}
detection:
    a: {CommandLine|re: 'x(?=y)'}
    b: {Image|endswith: '\\a.exe'}
    condition: a or b
`);
  assert.equal(unsupportedOf('kql-mde', re).code, 'regex'); // RE2 has no lookahead
  assert.equal(unsupportedOf('spl', re).code, 'regex'); // a | regex stage cannot sit under OR
  assert.equal(unsupportedOf('esql', re).code, 'regex');
  // Under AND alone a regex becomes a | regex stage in SPL.
  const top = one(`
title: t
logsource: {product: windows, service: sysmon}
detection:
    a: {CommandLine|re: 'cmstp(\\.exe)? /s'}
    b: {EventID: 1}
    condition: a and b
`);
  assert.equal(queryOf('spl', top), 'source="XmlWinEventLog:Microsoft-Windows-Sysmon/Operational" EventCode=1\n| regex CommandLine="cmstp(\\.exe)? /s"');
  const linux = one(`
title: t
logsource: {product: linux, category: process_creation}
detection:
    a: {Image: x}
    condition: a
`);
  for (const target of targetNames().filter((t) => t !== 'sigma')) assert.equal(unsupportedOf(target, linux).code, 'logsource', target);
});

test('comments cannot break out of their line, values cannot break out of their literal', () => {
  const r = one(`
title: "evil\\n| take 1000000\\ncomment"
logsource: {product: windows, category: process_creation}
detection:
    a: {CommandLine: 'a"b\\\\'}
    condition: a
`);
  for (const target of targetNames()) {
    const t = targetFor(target);
    assert.ok(t);
    const x = exportRule(t, r);
    if (!x.ok) continue;
    const lines = x.text.split('\n');
    assert.ok(lines.some((l) => l.includes('evil | take 1000000 comment')), target);
    assert.ok(!lines.some((l) => l.startsWith('| take')), target);
  }
  // Kusto verbatim strings double a quote and keep backslashes; SPL escapes both.
  assert.ok(queryOf('kql-mde', r).endsWith('ProcessCommandLine =~ @"a""b\\"'));
  assert.ok(queryOf('spl', r).includes(' CommandLine="a\\"b\\\\")'));
  assert.equal(unsupportedOf('logpoint', r).code, 'character');
});

test('a value with a terminal control sequence is refused by every target', () => {
  const r = one(`
title: t
logsource: {product: windows, category: process_creation}
detection:
    a: {CommandLine: "x\\e[31my\\u0085z"}
    condition: a
`);
  for (const target of targetNames()) assert.equal(unsupportedOf(target, r).code, 'character', target);
});
