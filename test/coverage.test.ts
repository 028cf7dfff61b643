// `cmstp-hunt coverage`: which rules can fire on the data given and which telemetry gaps stop
// the others, through the library (`coverage()`) and through the built CLI. Inputs: a Sysmon-only
// EVTX sample and the OTRF Sysmon + Security capture (shared data), and two fixtures written
// for this test (Security 4688 without command lines; Sysmon without event 10). Rules: SigmaHQ's
// CMSTP rules (shared conformance copy) and fixture rules. Also: the Sysmon configuration we
// ship is well-formed XML with the rule groups the gaps point to.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { builtinRulesDir } from '../src/cli/builtin.js';
import { loadRulePaths } from '../src/cli/commands/scan.js';
import type { RuleCoverage } from '../src/coverage/assess.js';
import type { Gap } from '../src/coverage/gaps.js';
import { coverage, type CoverageReport } from '../src/coverage/report.js';
import { satisfiable } from '../src/coverage/rule-fields.js';
import { loadRules } from '../src/sigma/load.js';
import { readSource } from '../src/sources/index.js';
import { projectRoot, requireSharedData } from './support/shared-data.js';

const ROOT = projectRoot();
const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'coverage');
const NO_CMDLINE = path.join(FIXTURES, 'security-4688-no-cmdline.xml');
const NO_10 = path.join(FIXTURES, 'sysmon-no-10.xml');
const FIXTURE_RULES = path.join(FIXTURES, 'rules');

// SigmaHQ CMSTP rules (catalogue ids in docs/telemetry.md).
const SIG_01 = '7d4cdc5a-0076-40ca-aac8-f7e714570e47';
const SIG_02 = 'b6d235fc-1d38-4b12-adbe-325f06728f37';
const SIG_03 = '3b4b232a-af90-427c-a22f-30b0c0837b95';
const SIG_04 = 'e66779cc-383e-4224-a3a4-267eeb585c40';
const SIG_05 = '4b60e6f2-bf39-47b4-b4ea-398e33cfe253';
const SIG_07 = '75e508f7-932d-4ebc-af77-269237a84ce1';
const SIG_08 = 'efafe0bf-4238-479e-af8f-797bd3490d2d';
const SIGMA_FILES = [
  'process_creation/proc_creation_win_cmstp_execution_by_creation.yml',
  'registry/registry_event/registry_event_cmstp_execution_by_registry.yml',
  'process_access/proc_access_win_cmstp_execution_by_access.yml',
  'process_creation/proc_creation_win_uac_bypass_cmstp.yml',
  'process_creation/proc_creation_win_uac_bypass_cmstp_com_object_access.yml',
  'image_load/image_load_cmstp_load_dll_from_susp_location.yml',
  'network_connection/net_connection_win_cmstp_initiated_connection.yml',
];

// Fixture rules.
const FX_SWITCH = 'c0e1a001-0000-4000-8000-000000000001';
const FX_CHILD = 'c0e1a001-0000-4000-8000-000000000002';
const FX_CLSID = 'c0e1a001-0000-4000-8000-000000000003';
const FX_CALLTRACE = 'c0e1a001-0000-4000-8000-000000000004';
const FX_KEYWORD = 'c0e1a001-0000-4000-8000-000000000005';

/** SigmaHQ's CMSTP rules from the shared conformance copy (skipped loudly, failed under CI, when absent). */
function sigmaRules(t: TestContext): string[] | null {
  const dir = path.resolve(ROOT, '..', 'shared', 'conformance', 'sigmahq', 'rules', 'windows');
  if (!existsSync(dir)) {
    const message = `SigmaHQ rules not found: expected ${dir}`;
    if (process.env.CI) assert.fail(`${message}; CI must have it`);
    t.skip(message);
    t.diagnostic(`SKIPPED: ${message}`);
    return null;
  }
  return SIGMA_FILES.map((f) => path.join(dir, f));
}

async function report(inputs: string[], rulePaths: string[]): Promise<CoverageReport> {
  const loaded = loadRulePaths(rulePaths);
  assert.deepEqual(loaded.skipped, [], 'every test rule loads');
  return coverage(inputs, { rules: loaded.rules, skipped: loaded.skipped });
}

function rule(rep: CoverageReport, id: string): RuleCoverage {
  const r = rep.rules.results.find((x) => x.id === id);
  assert.ok(r !== undefined, `rule ${id} in the report`);
  return r;
}

function gap(rep: CoverageReport, id: string): Gap {
  const g = rep.gaps.find((x) => x.id === id);
  assert.ok(g !== undefined, `gap ${id} in the report; have ${rep.gaps.map((x) => x.id).join(', ')}`);
  return g;
}

/** Records and rejected records per input, counted straight from the reader. */
async function readerCounts(file: string): Promise<{ records: number; rejected: number }> {
  const it = readSource(file);
  for (;;) {
    const r = await it.next();
    if (r.done === true) return { records: r.value.records + r.value.recovered, rejected: r.value.rejected };
  }
}

function assertCountsAddUp(rep: CoverageReport): void {
  const t = rep.totals;
  assert.equal(t.read, t.parsed + t.rejected);
  for (const i of rep.inputs) assert.equal(i.read, i.parsed + i.rejected, i.path);
  const hostEvents = rep.hosts.reduce((a, h) => a + h.events, 0);
  const sourceEvents = rep.sources.reduce((a, s) => a + s.events, 0);
  assert.equal(hostEvents, t.parsed, 'every event is under one host');
  assert.equal(sourceEvents, t.parsed, 'every event is under one source');
  assert.equal(rep.rules.canFire + rep.rules.partial + rep.rules.cannotFire, rep.rules.loaded);
}

test('coverage: Sysmon-only EVTX sample (WinPwnage cmstp /au): registry present, no 4688, no Sysmon 10/7/3', async (t) => {
  const data = requireSharedData(t);
  const rules = sigmaRules(t);
  if (data === null || rules === null) return;
  const file = path.join(data, 'evtx-attack-samples', 'Privilege Escalation', 'sysmon_1_13_11_cmstp_ini_uacbypass.evtx');
  const rep = await report([file], rules);
  assertCountsAddUp(rep);
  const counted = await readerCounts(file);
  assert.equal(rep.totals.parsed, counted.records);
  assert.equal(rep.totals.rejected, counted.rejected);
  assert.equal(rep.totals.parsed, 5);

  assert.deepEqual(rep.hosts.map((h) => h.host), ['IEWIN7']);
  const sysmon = rep.hosts[0]!.sources;
  assert.deepEqual(sysmon.map((s) => s.source), ['sysmon']);
  assert.deepEqual(sysmon[0]!.eventIds, [{ value: '1', events: 3 }, { value: '11', events: 1 }, { value: '13', events: 1 }]);
  assert.equal(rep.totals.first, '2019-05-11T17:28:17.1764300Z');

  const tm = rep.telemetry;
  assert.equal(tm.security4688.events, 0);
  assert.equal(tm.sysmon1.events, 3);
  assert.equal(tm.sysmon1.withOriginalFileName, 0, 'this Sysmon predates OriginalFileName');
  assert.equal(tm.registry.sysmon, 1);
  assert.equal(tm.registry.cmstpKeys, 1);
  assert.equal(tm.sysmon10.events, 0);

  // 4688 gaps: missing, and reported as info because Sysmon 1 covers process creation.
  assert.equal(gap(rep, 'security-4688-missing').severity, 'info');
  assert.equal(rep.gaps.some((g) => g.id === 'security-4688-no-command-line'), false);
  const s10 = gap(rep, 'sysmon-10-missing');
  assert.equal(s10.severity, 'blocking');
  assert.match(s10.message, /^no Sysmon 10 in these logs: the CallTrace detection .* cannot fire/);
  assert.deepEqual(s10.rules, ['CMSTP Execution Process Access']);
  assert.ok(s10.remediation.some((f) => f.kind === 'sysmon' && f.text.includes('cmlua.dll')));
  assert.deepEqual(gap(rep, 'sysmon-7-missing').rules, ['DLL Loaded From Suspicious Location Via Cmspt.EXE']);
  assert.deepEqual(gap(rep, 'network-missing').rules, ['Outbound Network Connection Initiated By Cmstp.EXE']);
  gap(rep, 'sysmon-1-no-original-file-name');
  assert.equal(rep.gaps.some((g) => g.id === 'registry-missing'), false, 'registry events are present');
  assert.equal(rep.gaps.some((g) => g.id === 'file-missing'), false, 'a file event is present');

  assert.equal(rule(rep, SIG_01).status, 'can-fire');
  assert.equal(rule(rep, SIG_02).status, 'can-fire');
  assert.deepEqual(rule(rep, SIG_02).sources.map((s) => [s.source, s.eventIds]), [['sysmon', ['13']]]);
  assert.equal(rule(rep, SIG_04).status, 'can-fire', 'Image and CommandLine are there; OriginalFileName is one branch only');
  assert.equal(rule(rep, SIG_05).status, 'can-fire');
  const s3 = rule(rep, SIG_03);
  assert.equal(s3.status, 'cannot-fire');
  assert.match(s3.reason, /^no events for its logsource \(.*category process_access\): needs Sysmon 10/);
  assert.deepEqual(s3.fields, ['CallTrace']);
  assert.equal(rule(rep, SIG_07).status, 'cannot-fire');
  assert.equal(rule(rep, SIG_08).status, 'cannot-fire');
  assert.deepEqual([rep.rules.canFire, rep.rules.partial, rep.rules.cannotFire], [4, 0, 3]);
});

test('coverage: OTRF Sysmon + Security capture: what is present, and SIG-05 partial on 4688', async (t) => {
  const data = requireSharedData(t);
  const rules = sigmaRules(t);
  if (data === null || rules === null) return;
  const file = path.join(data, 'otrf', 'psh_cmstp_execution_bypassuac_2020-10-2201543213.json');
  const rep = await report([file], rules);
  assertCountsAddUp(rep);
  const counted = await readerCounts(file);
  assert.equal(rep.totals.parsed, counted.records);
  assert.equal(rep.totals.parsed, 1166);

  assert.deepEqual(rep.hosts.map((h) => h.host), ['WORKSTATION5']);
  assert.deepEqual(rep.sources.map((s) => s.source), ['channel:System', 'security', 'sysmon']);
  const ids = (source: string): Record<string, number> =>
    Object.fromEntries(rep.sources.find((s) => s.source === source)!.eventIds.map((c) => [c.value, c.events]));
  assert.equal(ids('security')['4688'], 5);
  assert.equal(ids('security')['5156'], 7);
  assert.equal(ids('sysmon')['10'], 271);
  assert.equal(ids('sysmon')['7'], 185);

  const tm = rep.telemetry;
  assert.deepEqual(tm.security4688, { events: 5, withCommandLine: 5, withParentProcessName: 5, withMandatoryLabel: 5, withTokenElevationType: 5 });
  assert.equal(tm.sysmon10.withCallTrace, 271);
  assert.equal(tm.sysmon10.cmluaCallTrace, 1);
  assert.equal(tm.sysmon7.cmstp, 44);
  assert.equal(tm.sysmon7.dllhost, 40);
  assert.equal(tm.network.sysmon3, 2);
  assert.equal(tm.network.security5156, 7);
  assert.equal(tm.network.cmstp, 0);
  assert.equal(tm.registry.cmstpKeys, 2);

  // Everything a CMSTP hunt needs is here; what is left is information.
  assert.deepEqual(rep.gaps.map((g) => [g.id, g.severity]), [
    ['security-4688-no-parent-command-line', 'info'],
    ['network-no-cmstp', 'info'],
  ]);
  assert.deepEqual(gap(rep, 'security-4688-no-parent-command-line').rules, ['CMSTP UAC Bypass via COM Object Access']);

  for (const id of [SIG_01, SIG_02, SIG_03, SIG_04, SIG_07, SIG_08]) assert.equal(rule(rep, id).status, 'can-fire', id);
  assert.deepEqual(rule(rep, SIG_01).sources.map((s) => s.source), ['security', 'sysmon']);
  assert.deepEqual(rule(rep, SIG_08).sources.map((s) => [s.source, s.eventIds]), [['security', ['5156']], ['sysmon', ['3']]]);
  const s5 = rule(rep, SIG_05);
  assert.equal(s5.status, 'partial');
  assert.deepEqual(
    s5.sources.map((s) => [s.source, s.canFire, s.missingFields]),
    [
      ['security', false, ['ParentCommandLine']],
      ['sysmon', true, []],
    ],
  );
});

test('coverage: Security 4688 without command lines (a Windows 10 and a Windows 7 host)', async () => {
  const rep = await report([NO_CMDLINE], [FIXTURE_RULES]);
  assertCountsAddUp(rep);
  assert.equal(rep.totals.parsed, 5);
  assert.deepEqual(
    rep.hosts.map((h) => [h.host, h.events, h.first, h.last, h.sources.map((s) => s.source)]),
    [
      ['WKS-10.corp.example', 3, '2024-02-06T10:15:01.1000000Z', '2024-02-06T10:15:03.3000000Z', ['security']],
      ['WKS-7.corp.example', 2, '2024-02-06T11:00:00.0000000Z', '2024-02-06T11:00:05.0000000Z', ['security']],
    ],
  );
  assert.deepEqual(rep.telemetry.security4688, { events: 5, withCommandLine: 0, withParentProcessName: 3, withMandatoryLabel: 3, withTokenElevationType: 5 });

  const cmd = gap(rep, 'security-4688-no-command-line');
  assert.equal(cmd.severity, 'blocking');
  assert.match(cmd.message, /^4688 without command-line auditing: 0 of 5 events carry CommandLine/);
  assert.deepEqual(cmd.rules, ['Coverage Fixture cmstp.exe With /au']);
  assert.ok(cmd.remediation.some((f) => f.kind === 'registry' && f.text.includes('ProcessCreationIncludeCmdLine_Enabled')));
  assert.ok(cmd.remediation.some((f) => f.kind === 'gpo' && f.text.includes('Include command line in process creation events')));
  const parent = gap(rep, 'security-4688-no-parent-name');
  assert.equal(parent.severity, 'blocking', 'the Windows 7 host has nothing else');
  assert.deepEqual([parent.hostCount, parent.hosts], [1, ['WKS-7.corp.example']]);
  assert.match(parent.message, /^4688 without ParentProcessName \(3 of 5 events have it/);
  assert.deepEqual(parent.rules, ['Coverage Fixture Child Of cmstp.exe']);
  assert.equal(gap(rep, 'security-4688-no-parent-command-line').severity, 'blocking');
  gap(rep, 'security-4688-no-mandatory-label');
  for (const id of ['sysmon-missing', 'sysmon-10-missing', 'sysmon-7-missing', 'network-missing', 'dns-missing', 'registry-missing', 'file-missing']) gap(rep, id);
  assert.equal(rep.gaps.some((g) => g.id === 'security-4688-missing'), false);

  const sw = rule(rep, FX_SWITCH);
  assert.equal(sw.status, 'cannot-fire');
  assert.equal(sw.reason, 'security 4688 (5 events) never carries CommandLine');
  const child = rule(rep, FX_CHILD);
  assert.equal(child.status, 'partial', 'the Windows 10 host has parent names, the Windows 7 one does not');
  assert.deepEqual(
    child.sources.map((s) => [s.source, s.hosts, s.hostsBlocked, s.blockedHosts, s.missingFields]),
    [['security', 2, 1, ['WKS-7.corp.example'], ['ParentImage']]],
  );
  const clsid = rule(rep, FX_CLSID);
  assert.equal(clsid.status, 'cannot-fire');
  assert.deepEqual(clsid.sources[0]!.missingFields, ['IntegrityLevel', 'ParentCommandLine']);
  assert.equal(rule(rep, FX_CALLTRACE).status, 'cannot-fire');
  assert.equal(rule(rep, FX_KEYWORD).status, 'can-fire');
});

test('coverage: Sysmon without event 10', async () => {
  const rep = await report([NO_10], [FIXTURE_RULES]);
  assertCountsAddUp(rep);
  assert.deepEqual(rep.sources.map((s) => [s.source, s.eventIds.map((c) => c.value)]), [['sysmon', ['1', '3', '7', '11', '13']]]);
  assert.deepEqual(
    rep.gaps.map((g) => [g.id, g.severity]),
    [
      ['security-4688-missing', 'info'],
      ['sysmon-10-missing', 'blocking'],
      ['dns-missing', 'degraded'],
    ],
  );
  assert.deepEqual(gap(rep, 'sysmon-10-missing').rules, ['Coverage Fixture cmlua.dll In CallTrace']);
  const tm = rep.telemetry;
  assert.equal(tm.sysmon7.cmstp, 1);
  assert.equal(tm.sysmon7.cmLibraries, 1);
  assert.equal(tm.network.cmstp, 1);
  assert.equal(tm.file.infOrSct, 1);
  assert.equal(tm.registry.cmstpKeys, 1);
  assert.equal(tm.cmstpRuns, 1);
  for (const id of [FX_SWITCH, FX_CHILD, FX_CLSID]) assert.equal(rule(rep, id).status, 'can-fire', id);
  assert.equal(rule(rep, FX_CALLTRACE).status, 'cannot-fire');
  assert.match(rule(rep, FX_KEYWORD).reason, /^no events for its logsource \(product windows, service security\)/);
});

test('coverage: Defender CSV, Elastic Defend and Winlogbeat fixtures: tables, ECS, and gaps per host', async () => {
  const src = path.join(ROOT, 'test', 'fixtures', 'sources');
  const mde = ['DeviceEvents', 'DeviceFileEvents', 'DeviceImageLoadEvents', 'DeviceNetworkEvents', 'DeviceProcessEvents', 'DeviceRegistryEvents'].map((t) => path.join(src, `mde-${t}.csv`));
  const rep = await report([...mde, path.join(src, 'elastic-defend.ndjson'), path.join(src, 'winlogbeat-sysmon.ndjson')], [FIXTURE_RULES]);
  assertCountsAddUp(rep);
  assert.deepEqual(rep.sources.map((s) => s.source), ['ecs', 'mde', 'security', 'sysmon']);
  const tables = Object.fromEntries(rep.sources.find((s) => s.source === 'mde')!.tables.map((c) => [c.value, c.events]));
  assert.deepEqual(tables, { DeviceEvents: 5, DeviceFileEvents: 3, DeviceImageLoadEvents: 2, DeviceNetworkEvents: 3, DeviceProcessEvents: 2, DeviceRegistryEvents: 3 });
  assert.equal(rep.telemetry.defender['DeviceProcessEvents'], 2);
  assert.equal(rep.telemetry.processCreation.mde, 2);
  assert.ok(rep.sources.find((s) => s.source === 'ecs')!.ecsCategories.some((c) => c.value === 'library'));
  const defender = gap(rep, 'defender-tables');
  assert.equal(defender.severity, 'info', 'every table is there');
  assert.deepEqual(defender.hosts, ['ws-0142.contoso.local']);
  assert.deepEqual(gap(rep, 'ecs-notes').hosts, ['fin-ws07']);
  // Judged over everything, image loads exist (Defender, ECS); the Windows host alone has none.
  assert.deepEqual([gap(rep, 'sysmon-7-missing').hostCount, gap(rep, 'sysmon-7-missing').hosts], [1, ['FIN-WS07.corp.example']]);
  // The ECS process-access event with a call trace stands in for Sysmon 10 on its host only.
  assert.deepEqual(rep.telemetry.processAccessOther, { events: 2, withCallTrace: 1 });
  assert.deepEqual(gap(rep, 'sysmon-10-missing').hosts, ['FIN-WS07.corp.example', 'ws-0142.contoso.local']);
  // The CMSTPLUA child rule can fire on Sysmon, Defender and ECS process events, not on the 4688.
  const clsid = rule(rep, FX_CLSID);
  assert.equal(clsid.status, 'partial');
  assert.deepEqual(clsid.sources.filter((s) => !s.canFire).map((s) => s.source), ['security']);
});

test('coverage: what a detection needs, from its condition', () => {
  const { rules } = loadRules(
    [
      'title: t',
      'logsource: {product: windows, category: process_creation}',
      'detection:',
      '  sel: {Image|endswith: \\cmstp.exe, CommandLine|contains: /au}',
      '  other: {ParentImage|endswith: \\cmstp.exe}',
      '  filter: {OriginalFileName: x.exe}',
      '  nulled: {ParentCommandLine: null}',
      '  ref: {ParentImage|fieldref: Image}',
      '  condition: (sel or other) and not filter',
    ].join('\n'),
    'inline.yml',
  );
  const r = rules[0]!;
  const has = (fields: string[]) => (f: string) => fields.includes(f);
  assert.deepEqual(satisfiable(r, has(['Image'])), { ok: false, missing: ['CommandLine', 'ParentImage'] });
  assert.deepEqual(satisfiable(r, has(['ParentImage'])), { ok: true, missing: [] }, 'one branch of the or is enough; the negated filter never blocks');
  assert.deepEqual(satisfiable(r, has(['Image', 'CommandLine'])), { ok: true, missing: [] });
  const small = (cond: string): typeof r =>
    loadRules(`title: t\nlogsource: {product: windows}\ndetection:\n  nulled: {X: null}\n  ref: {A|fieldref: B}\n  condition: ${cond}`, 'x.yml').rules[0]!;
  assert.equal(satisfiable(small('nulled'), has([])).ok, true, 'a null value matches a missing field');
  assert.deepEqual(satisfiable(small('ref'), has(['A'])), { ok: false, missing: ['B'] }, 'a field reference needs both fields');
});

// ---------------------------------------------------------------------------------------------
// Through the built CLI

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[]): Run {
  const r = spawnSync(process.execPath, [CLI, 'coverage', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.error, undefined, `cannot run the CLI: ${String(r.error)}`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cmstp-hunt-coverage-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('coverage CLI: text report names the gaps and the fixes', () => {
  const r = run([NO_CMDLINE, NO_10, '--no-builtin', '--rules', FIXTURE_RULES]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^coverage: 2 inputs \(2 readable\), 11 records read = 11 parsed \+ 0 rejected, 0 errors, 3 hosts/);
  assert.match(r.stdout, /\n {2}WKS-7\.corp\.example: 2 events/);
  // Judged per host: the two Security-only hosts have no Sysmon to stand in, so it is blocking there.
  assert.match(
    r.stdout,
    /\[blocking\] security-4688-no-command-line: 4688 without command-line auditing: 0 of 5 events carry CommandLine.*\n {6}on 2 of 3 hosts: WKS-10\.corp\.example, WKS-7\.corp\.example\n/,
  );
  assert.match(r.stdout, /\[blocking\] sysmon-missing: no Sysmon events.*\n {6}on 2 of 3 hosts: WKS-10\.corp\.example, WKS-7\.corp\.example\n/);
  assert.match(r.stdout, /\[info\] security-4688-missing: .*\n {6}on 1 of 3 hosts: LAB-SYS\.corp\.example\n/);
  assert.match(r.stdout, /fix \(registry\): reg add .*ProcessCreationIncludeCmdLine_Enabled/);
  assert.match(r.stdout, /\[blocking\] sysmon-10-missing: no Sysmon 10 in these logs: the CallTrace detection/);
  assert.match(r.stdout, /Rules: 5 loaded \(1 can fire, 3 partial, 1 cannot fire\), 0 skipped/);
  assert.match(r.stdout, /cannot-fire +high +Coverage Fixture cmlua\.dll In CallTrace/);
  assert.match(r.stdout, /config\/sysmon-cmstp\.xml/);
  assert.match(r.stderr, /coverage: 2 inputs, 11 read = 11 parsed \+ 0 rejected; 5 rules, 12 gaps/);
  // Sysmon alone: turn on 4688 too.
  const sysmon = run([NO_10, '--no-builtin', '--rules', FIXTURE_RULES]);
  assert.equal(sysmon.code, 0, sysmon.stderr);
  assert.match(sysmon.stdout, /\[info\] security-4688-missing: no Security 4688 in these logs/);
  assert.match(sysmon.stdout, /fix \(auditpol\): auditpol \/set \/subcategory:"Process Creation" \/success:enable/);
  // Why a rule can fire is printed only with --verbose.
  assert.match(sysmon.stdout, /can-fire +high +Coverage Fixture cmstp\.exe With \/au \[[^\]]+\]\n {2}\S/);
  const verbose = run([NO_10, '--no-builtin', '--rules', FIXTURE_RULES, '-v']);
  assert.match(verbose.stdout, /can-fire +high +Coverage Fixture cmstp\.exe With \/au \[[^\]]+\]\n {6}its fields are present in sysmon 1 \(2 events\)\n/);
});

test('coverage CLI: JSON report agrees with the library and adds up, with rejected records', async (t) => {
  const bad = path.join(ROOT, 'test', 'fixtures', 'sources', 'bad-lines.ndjson');
  const out = path.join(tempDir(t), 'coverage.json');
  const r = run([NO_10, bad, '--no-builtin', '-r', FIXTURE_RULES, '--format', 'json', '-o', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  const rep = JSON.parse(readFileSync(out, 'utf8')) as CoverageReport;
  assert.equal(rep.format, 'cmstp-hunt/coverage');
  assert.equal(rep.version, 1);
  assertCountsAddUp(rep);
  const badInput = rep.inputs.find((i) => i.path === bad)!;
  const counted = await readerCounts(bad);
  assert.ok(counted.rejected > 0, 'the fixture has bad lines');
  assert.equal(badInput.rejected, counted.rejected);
  assert.equal(badInput.parsed, counted.records);
  const lib = await report([NO_10, bad], [FIXTURE_RULES]);
  assert.deepEqual(
    rep.rules.results.map((x) => [x.id, x.status, x.reason]),
    lib.rules.results.map((x) => [x.id, x.status, x.reason]),
  );
  assert.deepEqual(rep.gaps.map((g) => g.id), lib.gaps.map((g) => g.id));
});

test('coverage CLI: host and field names from the logs are escaped in text', (t) => {
  const file = path.join(tempDir(t), 'evil.ndjson');
  const evil = 'WKS\u001b[31m-EVIL\u009b';
  const record = {
    EventID: 1,
    SourceName: 'Microsoft-Windows-Sysmon',
    Channel: 'Microsoft-Windows-Sysmon/Operational',
    Hostname: evil,
    TimeCreated: '2024-01-01T00:00:00.000Z',
    '@timestamp': '2024-01-01T00:00:00.000Z',
    Image: 'C:\\Windows\\System32\\cmstp.exe',
    CommandLine: 'cmstp.exe /s x.inf',
  };
  writeFileSync(file, JSON.stringify(record) + '\n');
  const r = run([file, '--no-builtin', '-r', FIXTURE_RULES]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.includes('\u001b') || r.stdout.includes('\u009b'), false, 'no raw escape characters');
  assert.match(r.stdout, /WKS\\x1b\[31m-EVIL\\x9b: 1 events/);
  const j = run([file, '--no-builtin', '-r', FIXTURE_RULES, '-f', 'json']);
  assert.equal(j.stdout.includes('\u001b') || j.stdout.includes('\u009b'), false, 'no raw escape characters in JSON');
  assert.equal((JSON.parse(j.stdout) as CoverageReport).hosts[0]!.host, evil);
});

test('coverage CLI: exit 2 for usage errors and for nothing readable', (t) => {
  const missing = run(['no-such-file.evtx', '--no-builtin', '-r', FIXTURE_RULES]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no-such-file\.evtx: no such file or directory/);
  const empty = path.join(tempDir(t), 'empty.json');
  writeFileSync(empty, '');
  assert.equal(run([empty, '--no-builtin', '-r', FIXTURE_RULES]).code, 2);
  const format = run([NO_10, '--format', 'yaml']);
  assert.equal(format.code, 2);
  assert.match(format.stderr, /unknown format yaml \(text or json\)/);
  const noRules = run([NO_10, '--no-builtin', '-r', path.join(ROOT, 'test', 'fixtures', 'coverage', 'sysmon-no-10.xml')]);
  assert.equal(noRules.code, 2);
  assert.match(noRules.stderr, /no usable rules in the --rules paths/);
});

test('coverage CLI: the built-in pack is used unless --no-builtin', () => {
  const none = run([NO_10, '--no-builtin', '-f', 'json']);
  assert.equal(none.code, 0, none.stderr);
  assert.equal((JSON.parse(none.stdout) as CoverageReport).rules.loaded, 0);
  const dir = builtinRulesDir();
  const expected = existsSync(dir) && statSync(dir).isDirectory() ? loadRulePaths([dir]).rules.length : 0;
  const withPack = run([NO_10, '-f', 'json']);
  assert.equal(withPack.code, 0, withPack.stderr);
  assert.equal((JSON.parse(withPack.stdout) as CoverageReport).rules.loaded, expected);
  const twice = run([NO_10, '--no-builtin', '-r', FIXTURE_RULES, '-r', path.join(FIXTURE_RULES, 'cmstp-switch.yml'), '-f', 'json']);
  assert.equal((JSON.parse(twice.stdout) as CoverageReport).rules.loaded, 5, 'a rule given twice is judged once');
});

// ---------------------------------------------------------------------------------------------
// The shipped Sysmon configuration

interface XNode {
  name: string;
  attrs: Map<string, string>;
  children: XNode[];
  text: string;
}

/** A strict little XML reader for the config: balanced tags, quoted attributes, known entities only. */
function parseXml(src: string): XNode {
  const decode = (s: string, at: number): string =>
    s.replace(/&([^;]*);/g, (_m, e: string) => {
      const map: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
      if (e in map) return map[e]!;
      if (/^#x[0-9a-f]+$/i.test(e)) return String.fromCodePoint(parseInt(e.slice(2), 16));
      if (/^#\d+$/.test(e)) return String.fromCodePoint(Number(e.slice(1)));
      throw new Error(`unknown entity &${e}; near ${at}`);
    });
  const root: XNode = { name: '#document', attrs: new Map(), children: [], text: '' };
  const stack: XNode[] = [root];
  let i = 0;
  while (i < src.length) {
    if (src.startsWith('<!--', i)) {
      const end = src.indexOf('-->', i + 4);
      if (end < 0) throw new Error(`unterminated comment at ${i}`);
      if (src.slice(i + 4, end).includes('--')) throw new Error(`'--' inside a comment at ${i}`);
      i = end + 3;
    } else if (src.startsWith('<?', i)) {
      const end = src.indexOf('?>', i);
      if (end < 0 || stack.length > 1) throw new Error(`bad processing instruction at ${i}`);
      i = end + 2;
    } else if (src.startsWith('</', i)) {
      const m = /^<\/([A-Za-z_][\w.-]*)\s*>/.exec(src.slice(i));
      const top = stack.pop();
      if (m === null || top === undefined || top.name !== m[1]) throw new Error(`mismatched end tag at ${i}`);
      i += m[0].length;
    } else if (src[i] === '<') {
      const m = /^<([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/.exec(src.slice(i));
      if (m === null) throw new Error(`bad start tag at ${i}`);
      const node: XNode = { name: m[1]!, attrs: new Map(), children: [], text: '' };
      for (const a of m[2]!.matchAll(/([A-Za-z_][\w.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
        if (node.attrs.has(a[1]!)) throw new Error(`duplicate attribute ${a[1]!} at ${i}`);
        node.attrs.set(a[1]!, decode(a[2] ?? a[3]!, i));
      }
      const parent = stack[stack.length - 1]!;
      if (parent === root && root.children.length > 0) throw new Error(`second root element at ${i}`);
      parent.children.push(node);
      if (m[3] !== '/') stack.push(node);
      i += m[0].length;
    } else {
      const end = src.indexOf('<', i);
      const text = src.slice(i, end < 0 ? src.length : end);
      if (text.includes('>') && stack.length > 1 && /]]>/.test(text)) throw new Error(`']]>' in text at ${i}`);
      const top = stack[stack.length - 1]!;
      if (top === root && text.trim() !== '') throw new Error(`text outside the root element at ${i}`);
      top.text += decode(text, i);
      i = end < 0 ? src.length : end;
    }
  }
  if (stack.length !== 1 || root.children.length !== 1) throw new Error('unclosed elements or no root element');
  return root.children[0]!;
}

test('config/sysmon-cmstp.xml: well-formed, schema-versioned, with the rule groups the gaps point to', () => {
  assert.throws(() => parseXml('<a><b></a>'), /mismatched/, 'the checker itself rejects bad XML');
  assert.throws(() => parseXml('<a>&nbsp;</a>'), /unknown entity/);
  const doc = parseXml(readFileSync(path.join(ROOT, 'config', 'sysmon-cmstp.xml'), 'utf8'));
  assert.equal(doc.name, 'Sysmon');
  assert.match(doc.attrs.get('schemaversion') ?? '', /^4\.\d+$/);
  const filtering = doc.children.find((c) => c.name === 'EventFiltering');
  assert.ok(filtering !== undefined);
  const groups = filtering.children;
  assert.ok(groups.every((g) => g.name === 'RuleGroup' && g.children.length === 1));
  const byType = new Map(groups.map((g) => [g.children[0]!.name, g.children[0]!]));
  assert.equal(byType.size, groups.length, 'one rule group per event type (Sysmon merges them otherwise)');
  assert.deepEqual([...byType.keys()].sort(), ['DnsQuery', 'FileCreate', 'ImageLoad', 'NetworkConnect', 'ProcessAccess', 'ProcessCreate', 'RegistryEvent']);
  assert.equal(byType.get('ProcessCreate')!.attrs.get('onmatch'), 'exclude');
  assert.equal(byType.get('ProcessCreate')!.children.length, 0, 'every process is logged');
  const values = (type: string, field: string): string[] => {
    const out: string[] = [];
    const walk = (n: XNode): void => {
      for (const c of n.children) {
        if (c.name === field) out.push(c.text.trim());
        walk(c);
      }
    };
    walk(byType.get(type)!);
    return out;
  };
  for (const [type, node] of byType) if (type !== 'ProcessCreate') assert.equal(node.attrs.get('onmatch'), 'include', type);
  assert.ok(values('ProcessAccess', 'CallTrace').includes('cmlua.dll'));
  assert.ok(values('ProcessAccess', 'SourceImage').includes('\\cmstp.exe'));
  for (const dll of ['\\cmlua.dll', '\\cmstplua.dll', '\\cmutil.dll']) assert.ok(values('ImageLoad', 'ImageLoaded').includes(dll), dll);
  assert.ok(values('RegistryEvent', 'TargetObject').includes('\\App Paths\\cmmgr32.exe'));
  assert.ok(values('RegistryEvent', 'TargetObject').includes('\\ProfileInstallPath'));
  assert.deepEqual(values('NetworkConnect', 'Image'), ['\\cmstp.exe']);
  const files = values('FileCreate', 'TargetFilename');
  assert.ok(files.includes('.inf') && files.includes('.sct') && files.includes('\\Users\\'));
  // Every condition attribute is one Sysmon knows.
  const known = new Set(['is', 'is not', 'contains', 'excludes', 'begin with', 'end with', 'not begin with', 'not end with', 'less than', 'more than', 'image', 'contains any', 'contains all', 'excludes any', 'excludes all', 'is any']);
  const walk = (n: XNode): void => {
    const c = n.attrs.get('condition');
    if (c !== undefined) assert.ok(known.has(c), `condition ${c}`);
    n.children.forEach(walk);
  };
  walk(doc);
});
