// `cmstp-hunt scan` through the built CLI (fixture rules over the example EVTX files and the
// mixed-format source fixtures), and the rule index it uses: its buckets on inline rules, and
// that it never drops a rule that matches (brute force over the SigmaHQ regression samples).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { parse } from 'csv-parse/sync';
import { loadRulePaths } from '../src/cli/commands/scan.js';
import { compileRule, isCompiled, type CompiledRule } from '../src/detect/compile.js';
import { RuleIndex } from '../src/detect/index-rules.js';
import { normalize, TableSet } from '../src/events/normalize.js';
import { DEFAULT_TABLES } from '../src/events/tables/index.js';
import { loadRules } from '../src/sigma/load.js';
import { readSource } from '../src/sources/index.js';
import { projectRoot } from './support/shared-data.js';

const ROOT = projectRoot();
const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
const RULES = path.join('test', 'fixtures', 'scan');
const ATTACK = path.join('examples', 'cmstp-uac-bypass.evtx');
const BENIGN = path.join('examples', 'benign-vpn-profile.evtx');
const CMSTP_RULE = '6b1a7c2e-4d35-4a0b-9d9e-2f6f1b0c5a01';
const REG_RULE = '0f2d9a4c-8b1e-4c7a-a3d5-5e6f7a8b9c02';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `scan` without the built-in pack or incidents (these tests pin the fixture rules' own findings). */
function run(args: string[]): Run {
  const r = spawnSync(process.execPath, [CLI, 'scan', '--no-builtin', '--no-incidents', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.error, undefined, `cannot run the CLI: ${String(r.error)}`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface FindingJson {
  id: string;
  rule: { id: string | null; title: string; level: string | null; tags: string[] };
  level: string | null;
  timestamp: string | null;
  host: string | null;
  events: { source: { path: string; format: string; shape: string; recordId: number | null }; fields: Record<string, unknown> }[];
}

const findings = (text: string): FindingJson[] =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as FindingJson);

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cmstp-hunt-scan-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('scan: fixture rules over the example EVTX files: exact findings, fields, summary, stats', (t) => {
  const stats = path.join(tempDir(t), 'stats.json');
  const r = run([ATTACK, BENIGN, '--rules', RULES, '--stats', stats]);
  assert.equal(r.code, 0, r.stderr);
  const fs = findings(r.stdout);
  assert.equal(fs.length, 2, r.stdout);
  const cmstp = fs.find((f) => f.rule.id === CMSTP_RULE);
  const reg = fs.find((f) => f.rule.id === REG_RULE);
  assert.ok(cmstp !== undefined && reg !== undefined);
  assert.equal(cmstp.rule.title, 'CMSTP Profile Install With /au');
  assert.equal(cmstp.rule.level, 'high');
  assert.equal(cmstp.level, 'high');
  assert.deepEqual(cmstp.rule.tags, ['attack.defense-evasion', 'attack.t1218.003']);
  assert.match(cmstp.timestamp ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/);
  assert.equal(cmstp.host, 'WKS-FIN-042.corp.example');
  assert.equal(cmstp.events.length, 1);
  assert.equal(cmstp.events[0]!.source.path, ATTACK);
  assert.equal(cmstp.events[0]!.source.recordId, 48227);
  assert.match(String(cmstp.events[0]!.fields['Image']), /\\cmstp\.exe$/i);
  assert.match(String(cmstp.events[0]!.fields['CommandLine']), /\/au/);
  // The registry rule matched the lower-case key the event carries (case-insensitive).
  assert.equal(reg.level, 'medium');
  assert.equal(reg.events[0]!.source.path, ATTACK);
  assert.match(String(reg.events[0]!.fields['TargetObject']), /App Paths\\cmmgr32\.exe\\ProfileInstallPath$/);
  assert.ok(typeof reg.events[0]!.fields['Image'] === 'string');
  assert.notEqual(cmstp.id, reg.id);
  // The benign file alone has none.
  const benign = run([BENIGN, '--rules', RULES]);
  assert.equal(benign.code, 0, benign.stderr);
  assert.equal(benign.stdout, '');
  // Summary line and the skipped rule's reason.
  assert.match(r.stderr, /skipped: test\/fixtures\/scan\/bad-modifier\.yml:\d+:\d+: load error: \[unsupported-modifier\] unknown modifier 'endswithh'/);
  assert.match(
    r.stderr,
    /^scan: 2 inputs, 40 events, 0 rejected, 0 read errors, 2 rules loaded, 1 skipped, 2 findings \(0 critical, 1 high, 1 medium, 0 low, 0 informational\), \d+ ms$/m,
  );
  const s = JSON.parse(readFileSync(stats, 'utf8')) as Record<string, unknown>;
  assert.equal(s['inputs'], 2);
  assert.equal(s['events'], 40);
  assert.equal(s['rulesLoaded'], 2);
  assert.equal(s['findings'], 2);
  assert.deepEqual(s['findingsByLevel'], { informational: 0, low: 0, medium: 1, high: 1, critical: 0, none: 0 });
  const skipped = s['rulesSkipped'] as { file: string; reason: string }[];
  assert.equal(skipped.length, 1);
  assert.match(skipped[0]!.reason, /unsupported-modifier/);
  assert.equal(typeof s['elapsedMs'], 'number');
  assert.equal((s['sources'] as unknown[]).length, 2);
});

test('scan: --fail-on and --min-level', () => {
  assert.equal(run([ATTACK, '--rules', RULES, '--fail-on', 'high']).code, 1);
  assert.equal(run([ATTACK, '--rules', RULES, '--fail-on', 'critical']).code, 0);
  assert.equal(run([BENIGN, '--rules', RULES, '--fail-on', 'high']).code, 0);
  const high = run([ATTACK, '--rules', RULES, '--min-level', 'high']);
  assert.equal(high.code, 0, high.stderr);
  assert.deepEqual(
    findings(high.stdout).map((f) => f.rule.id),
    [CMSTP_RULE],
  );
});

test('scan: usage errors and unreadable inputs exit 2', () => {
  const none = run([ATTACK]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no rules: --no-builtin needs --rules/);
  assert.equal(run([ATTACK, '--rules', RULES]).code, 0);
  const fmt = run([ATTACK, '--rules', RULES, '--format', 'xlsx']);
  assert.equal(fmt.code, 2);
  assert.match(fmt.stderr, /unknown format xlsx \(table, json, jsonl, csv, html, navigator, timesketch, timesketch-csv\)/);
  assert.equal(run([ATTACK, '--rules', RULES, '--color', 'sometimes']).code, 2);
  assert.equal(run([ATTACK, '--rules', RULES, '--fail-on', 'severe']).code, 2);
  assert.equal(run(['no/such/file.evtx', '--rules', RULES]).code, 2);
  assert.equal(run([ATTACK, '--rules', 'no/such/rules']).code, 2);
});

test('scan: one rule matches Sysmon XML, Security 4688, ECS and Defender CSV alike', () => {
  const r = run([path.join('test', 'fixtures', 'sources'), '--rules', RULES]);
  // 4: the folder holds a CSV with an unknown header, skipped and named.
  assert.equal(r.code, 4, r.stderr);
  assert.match(r.stderr, /skipped: .*bad-unknown-header\.csv: \[unknown-shape\]/);
  const fs = findings(r.stdout).filter((f) => f.rule.id === CMSTP_RULE);
  const kinds = new Set(fs.map((f) => `${f.events[0]!.source.format}/${f.events[0]!.source.shape}/${JSON.stringify(f.events[0]!.fields['EventID'] ?? '-').replace(/"/g, '')}`));
  for (const k of ['xml/windows-xml/1', 'xml/windows-xml/4688', 'ndjson/ecs/1', 'ndjson/ecs/4688', 'json/ecs/-', 'ndjson/ecs/-', 'csv/mde:DeviceProcessEvents/-', 'csv/splunk-csv/4688'])
    assert.ok(kinds.has(k), `${k} not among ${[...kinds].join(', ')}`);
  for (const f of fs) assert.match(String(f.events[0]!.fields['Image']), /\\cmstp\.exe$/i);
  const formats = new Set(fs.map((f) => f.events[0]!.source.format));
  assert.deepEqual([...formats].sort(), ['csv', 'json', 'ndjson', 'xml']);
});

function compileAll(text: string): CompiledRule[] {
  const loaded = loadRules(text, 'inline.yml');
  assert.deepEqual(
    loaded.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  return loaded.rules.map(compileRule).filter(isCompiled);
}

test('rule index: buckets by category, channel, EventID; product-only rules in "anything"', () => {
  const rules = compileAll(`
title: pc
logsource: {product: windows, category: process_creation}
detection: {sel: {Image|endswith: '\\cmstp.exe'}, condition: sel}
---
title: reg
logsource: {product: windows, category: registry_event}
detection: {sel: {TargetObject|contains: 'CMMGR32'}, condition: sel}
---
title: sec
logsource: {product: windows, service: security}
detection:
  a: {EventID: 4688, NewProcessName|endswith: '\\cmstp.exe'}
  b: {EventID: [4624, '4625']}
  condition: a or b
---
title: sec-any
logsource: {product: windows, service: security}
detection:
  a: {EventID: 4688}
  b: {SubjectUserName: x}
  condition: a or b
---
title: sec-not
logsource: {product: windows, service: security}
detection:
  a: {EventID: 4688}
  condition: not a
---
title: sec-and
logsource: {product: windows, service: security}
detection:
  a: {EventID: [4688, 4689]}
  b: {EventID: 4689}
  condition: a and b
---
title: anything
logsource: {product: windows}
detection: {kw: [cmstp], condition: kw}
---
title: linux
logsource: {product: linux, category: process_creation}
detection: {sel: {Image: x}, condition: sel}
---
title: ps
logsource: {product: windows, category: ps_script}
detection: {sel: {ScriptBlockText|contains: x}, condition: sel}
`);
  assert.equal(rules.length, 9);
  const index = new RuleIndex(rules);
  const by = (title: string): CompiledRule => rules.find((r) => r.rule.title === title)!;
  assert.deepEqual(index.placement(by('pc')), { categories: ['process_creation'], channels: [], unmappedChannels: [], anything: false, eventIds: null, keywords: null });
  assert.deepEqual(index.placement(by('reg'))?.categories, ['registry_add', 'registry_set', 'registry_delete', 'registry_rename']);
  assert.deepEqual(index.placement(by('sec')), { categories: [], channels: ['security'], unmappedChannels: [], anything: false, eventIds: ['4624', '4625', '4688'], keywords: null });
  assert.equal(index.placement(by('sec-any'))?.eventIds, null);
  assert.equal(index.placement(by('sec-not'))?.eventIds, null);
  assert.deepEqual(index.placement(by('sec-and'))?.eventIds, ['4689']);
  assert.equal(index.placement(by('anything'))?.anything, true);
  assert.deepEqual(index.placement(by('anything'))?.keywords, ['cmstp']);
  assert.equal(index.placement(by('linux')), undefined);
  assert.deepEqual(index.never, [by('linux')]);
  assert.deepEqual(index.placement(by('ps'))?.unmappedChannels, ['microsoft-windows-powershell/operational', 'powershellcore/operational']);
});

async function eventsOf(file: string, tables: TableSet): Promise<ReturnType<typeof normalize>[]> {
  const out: ReturnType<typeof normalize>[] = [];
  for await (const item of readSource(file)) if (item.ok) out.push(normalize(item.record, tables));
  return out;
}

test('rule index: candidates by event; a superset of the matching rules', async () => {
  const { rules } = loadRulePaths([RULES]);
  const index = new RuleIndex(rules);
  const tables = new TableSet(DEFAULT_TABLES);
  let matched = 0;
  for (const file of [ATTACK, BENIGN]) {
    for (const e of await eventsOf(path.join(ROOT, file), tables)) {
      const c = index.candidates(e);
      for (const r of rules) {
        if (!r.matches(e)) continue;
        matched++;
        assert.ok(c.includes(r));
      }
      if (e.category === 'process_creation') assert.deepEqual(c.map((r) => r.rule.id), [CMSTP_RULE]);
      if (e.category === 'registry_set') assert.deepEqual(c.map((r) => r.rule.id), [REG_RULE]);
      if (e.category !== 'process_creation' && e.category !== 'registry_set') assert.deepEqual(c, []);
    }
  }
  assert.equal(matched, 2);
});

function walk(dir: string, want: (n: string) => boolean, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, want, out);
    else if (want(e.name)) out.push(p);
  }
  return out;
}

test('rule index: never drops a matching rule (SigmaHQ Windows rules over the regression samples)', async (t) => {
  const root = path.resolve(ROOT, '..', 'shared', 'conformance', 'sigmahq');
  if (!existsSync(path.join(root, 'regression_data')) || !existsSync(path.join(root, 'rules', 'windows'))) {
    t.skip(`SKIPPED: SigmaHQ corpus not found at ${root}`);
    return;
  }
  const { rules } = loadRulePaths([path.join(root, 'rules', 'windows')]);
  assert.ok(rules.length > 1000, `only ${rules.length} rules compiled`);
  const index = new RuleIndex(rules);
  const tables = new TableSet(DEFAULT_TABLES);
  let events = 0;
  let matches = 0;
  let candidates = 0;
  for (const file of walk(path.join(root, 'regression_data'), (n) => n.endsWith('.evtx')).sort()) {
    for (const e of await eventsOf(file, tables)) {
      events++;
      const c = new Set(index.candidates(e));
      candidates += c.size;
      for (const r of rules) {
        if (!r.matches(e)) continue;
        matches++;
        assert.ok(c.has(r), `${r.rule.title} matches an event of ${file} but is not a candidate`);
      }
    }
  }
  t.diagnostic(`index: ${rules.length} rules, ${events} events, ${matches} matches, ${(candidates / Math.max(events, 1)).toFixed(1)} candidates per event`);
  assert.ok(events > 100 && matches > 100, `${events} events, ${matches} matches`);
});

test('scan --placeholders: an |expand rule is skipped without values and matches with them; a bad file exits 2', (t) => {
  const dir = tempDir(t);
  const rule = path.join(dir, 'expand.yml');
  writeFileSync(
    rule,
    `title: Installer from a watched folder
id: 7c1d2e3f-0a1b-4c2d-8e3f-4a5b6c7d8e90
level: high
logsource:
  product: windows
  category: process_creation
detection:
  selection:
    CommandLine|expand|contains: '%watched_folders%'
  condition: selection
`,
  );
  const without = run([ATTACK, '--rules', rule]);
  assert.equal(without.code, 2, 'no usable rule');
  assert.match(without.stderr, /unsupported: .*watched_folders/);
  const values = path.join(dir, 'placeholders.yml');
  writeFileSync(values, 'watched_folders:\n  - \\AppData\\Local\\Temp\\\n  - \\Downloads\\\n');
  const withValues = run([ATTACK, '--rules', rule, '--placeholders', values]);
  assert.equal(withValues.code, 0, withValues.stderr);
  const fs = findings(withValues.stdout);
  // WINWORD opens a document from Downloads (48222); cmstp.exe runs an INF from Temp (48227).
  assert.deepEqual(
    fs.map((f) => f.events[0]!.source.recordId),
    [48222, 48227],
  );
  const bad = path.join(dir, 'bad.yml');
  writeFileSync(bad, 'watched_folders: [unclosed\n');
  const r = run([ATTACK, '--rules', rule, '--placeholders', bad]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^placeholders: .*bad\.yml:\d+:\d+: error/m);
});

test('scan --format: every format through the built CLI parses back; the built-in pack and incidents are on by default', (t) => {
  const dir = tempDir(t);
  const runAll = (args: string[]): Run => {
    const r = spawnSync(process.execPath, [CLI, 'scan', ATTACK, BENIGN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const jsonl = runAll(['--format', 'jsonl']);
  assert.equal(jsonl.code, 0, jsonl.stderr);
  const fs = findings(jsonl.stdout) as (FindingJson & { kind: string })[];
  assert.equal(fs.filter((f) => f.kind === 'incident').length, 1);
  assert.equal(fs.find((f) => f.kind === 'incident')!.level, 'critical');
  const json = JSON.parse(runAll(['--format', 'json']).stdout) as { findings: unknown[]; summary: { events: number } };
  assert.equal(json.findings.length, fs.length);
  assert.equal(json.summary.events, 40);
  const csv = parse<Record<string, string>>(runAll(['--format', 'csv']).stdout, { columns: true });
  assert.equal(csv.length, fs.length);
  const layer = JSON.parse(runAll(['--format', 'navigator']).stdout) as { domain: string; techniques: { techniqueID: string }[] };
  assert.equal(layer.domain, 'enterprise-attack');
  assert.ok(layer.techniques.some((x) => x.techniqueID === 'T1218.003'));
  const ts = runAll(['--format', 'timesketch']).stdout.trim().split('\n').map((l) => JSON.parse(l) as { message: string; datetime: string });
  assert.equal(ts.length, fs.length);
  assert.ok(ts.every((e) => typeof e.message === 'string' && e.datetime.length > 0));
  const html = path.join(dir, 'report.html');
  const h = runAll(['--format', 'html', '-o', html, '-q']);
  assert.equal(h.code, 0, h.stderr);
  assert.equal(h.stderr, '', 'quiet');
  assert.match(readFileSync(html, 'utf8'), /^<!doctype html>/i);
  const table = runAll(['--format', 'table', '--color', 'always']);
  const ESC = String.fromCharCode(0x1b);
  assert.ok(table.stdout.includes(`${ESC}[`) && table.stdout.includes('CRITICAL'), 'colour asked for');
  assert.ok(!runAll(['--format', 'table']).stdout.includes(ESC), 'no colour when stdout is not a terminal');
});
