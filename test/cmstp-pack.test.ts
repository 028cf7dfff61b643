// The built-in CMSTP rule pack (rules/cmstp): every file loads and compiles with its metadata;
// which rules fire on which events of the public CMSTP samples (and at which level); no alarm at
// medium or above on the benign corpus or on attack samples unrelated to CMSTP / elevated COM;
// and the project's own Defender, ECS and Security 4688 fixtures, malicious and legitimate.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { loadRulePaths } from '../src/cli/commands/scan.js';
import { compileRule, isCompiled, type CompiledRule } from '../src/detect/compile.js';
import { levelRank, scan, triageOf, type Finding } from '../src/detect/scan.js';
import { loadRules } from '../src/sigma/load.js';
import type { SigmaLevel, SigmaRule } from '../src/sigma/rule.js';
import { readSource } from '../src/sources/index.js';
import { listEvtxFiles, projectRoot, relativeToSharedData, requireSharedData } from './support/shared-data.js';

const ROOT = projectRoot();
const PACK_DIR = path.join(ROOT, 'rules', 'cmstp');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'cmstp');

/** The level each rule is meant to have: the tests below state expectations by these names. */
const INTENDED: Readonly<Record<string, SigmaLevel>> = {
  proc_creation_cmstp_execution: 'informational',
  proc_creation_cmstp_silent_flags: 'low',
  proc_creation_cmstp_all_users_au: 'medium',
  proc_creation_cmstp_inf_user_writable: 'medium',
  proc_creation_cmstp_au_user_writable: 'high',
  proc_creation_cmstp_remote_inf: 'high',
  proc_creation_cmstp_disguised_inf: 'medium',
  proc_creation_cmstp_renamed: 'high',
  proc_creation_cmstp_unusual_location: 'high',
  proc_creation_cmstp_suspicious_parent: 'high',
  proc_creation_cmstp_shell_parent: 'low',
  proc_creation_cmstp_child_process: 'high',
  proc_creation_cmstp_nf_switch: 'low',
  proc_creation_cmstplua_elevated_child: 'high',
  proc_creation_elevated_com_related_child: 'high',
  proc_creation_elevated_com_child_user_writable: 'critical',
  proc_creation_cmstplua_surrogate_start: 'medium',
  proc_creation_elevated_com_related_surrogate_start: 'low',
  proc_creation_dllhost_elevated_shell_child: 'medium',
  net_connection_cmstp_public: 'high',
  net_connection_cmstp_internal: 'medium',
  dns_query_cmstp: 'medium',
  proc_access_cmlua_calltrace: 'high',
  registry_cmmgr32_app_paths: 'low',
  registry_cmmgr32_app_paths_by_dllhost: 'medium',
  registry_cmstp_extension_dll: 'high',
  registry_cmstp_tracing: 'informational',
  image_load_cmlua_unexpected_process: 'high',
  image_load_cmstp_scrobj: 'high',
  image_load_cmstp_user_writable_dll: 'high',
  image_load_cmstp_clr: 'medium',
  file_event_cmstp_clr_usage_log: 'high',
  file_event_inf_sct_user_writable: 'low',
  file_event_inf_by_script_host: 'medium',
  file_event_cm_profile_folder: 'informational',
  file_event_cmstp_copy: 'medium',
};

interface PackRule {
  name: string;
  rule: SigmaRule;
  compiled: CompiledRule;
}

function loadPack(): PackRule[] {
  const out: PackRule[] = [];
  for (const file of readdirSync(PACK_DIR).filter((f) => f.endsWith('.yml')).sort()) {
    const full = path.join(PACK_DIR, file);
    const r = loadRules(readFileSync(full, 'utf8'), full);
    assert.deepEqual(r.diagnostics, [], `${file}: diagnostics`);
    assert.equal(r.rules.length, 1, `${file}: one rule per file`);
    const rule = r.rules[0]!;
    const compiled = compileRule(rule);
    assert.ok(isCompiled(compiled), `${file}: does not compile: ${'unsupported' in compiled ? compiled.unsupported : ''}`);
    out.push({ name: file.replace(/\.yml$/, ''), rule, compiled });
  }
  return out;
}

const PACK = loadPack();
const NAME_BY_ID = new Map(PACK.map((p) => [p.rule.id!, p.name]));
const COMPILED = PACK.map((p) => p.compiled);

const nameOf = (f: Finding): string => NAME_BY_ID.get(f.rule.id ?? '') ?? `?${f.rule.id}`;

async function findingsOf(paths: readonly string[]): Promise<Finding[]> {
  const out: Finding[] = [];
  const it = scan(paths, { rules: COMPILED, raw: true });
  for (;;) {
    const r = await it.next();
    if (r.done === true) {
      assert.equal(r.value.readErrors, 0, `read errors in ${paths.join(', ')}`);
      return out;
    }
    out.push(r.value);
  }
}

/** key → sorted rule names, for the findings whose event has that key. */
function byKey(findings: readonly Finding[], key: (f: Finding) => string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const f of findings) {
    const k = key(f);
    m.set(k, [...(m.get(k) ?? []), nameOf(f)].sort());
  }
  return m;
}

function expectRules(actual: Map<string, string[]>, expected: Readonly<Record<string, readonly string[]>>, where: string): void {
  const want = new Map(Object.entries(expected).map(([k, v]) => [k, [...v].sort()]));
  assert.deepEqual(Object.fromEntries(actual), Object.fromEntries(want), `${where}: rules fired per event`);
}

const maxLevel = (names: readonly string[]): number => Math.max(-1, ...names.map((n) => levelRank(INTENDED[n])));

const recordKey = (f: Finding): string => String(f.events[0]!.source.recordId);
const lineKey = (f: Finding): string => String(f.events[0]!.source.line);
const rawKey =
  (name: string) =>
  (f: Finding): string =>
    String(f.events[0]!.raw?.[name]);

// ---------------------------------------------------------------------------------------------
// The pack itself.

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('pack: every rule file loads without diagnostics, compiles, and has the level the tests expect', () => {
  assert.equal(PACK.length, Object.keys(INTENDED).length);
  for (const p of PACK) assert.equal(p.rule.level, INTENDED[p.name], `${p.name}: level`);
  // The scan command's loader takes the whole pack (rules/ is the default pack) with nothing skipped.
  const loaded = loadRulePaths([path.join(ROOT, 'rules')]);
  assert.deepEqual(loaded.skipped, []);
  assert.equal(loaded.rules.length, PACK.length);
});

test('pack: rule ids are fresh UUIDv4s and unique', () => {
  const ids = PACK.map((p) => p.rule.id);
  for (const [i, id] of ids.entries()) assert.match(id ?? '', UUID_V4, `${PACK[i]!.name}: id`);
  assert.equal(new Set(ids).size, ids.length, 'duplicate ids');
});

test('pack: required metadata on every rule', async (t) => {
  for (const p of PACK) {
    await t.test(p.name, () => {
      const r = p.rule;
      assert.ok(r.title.length > 10, 'title');
      assert.equal(r.author, 'cmstp-hunt');
      assert.ok((r.description ?? '').length > 40, 'description');
      assert.equal(r.status, 'experimental');
      assert.match(r.date ?? '', /^\d{4}-\d\d-\d\d$/);
      assert.equal(r.logsource.product, 'windows');
      assert.ok(r.logsource.category !== undefined, 'logsource category');
      assert.ok(r.falsepositives.length > 0, 'falsepositives');
      assert.ok(r.references.length > 0 && r.references.every((u) => u.startsWith('https://')), 'references');
      for (const tag of r.tags) assert.match(tag, /^attack\.(t\d{4}(\.\d{3})?|[a-z]+(-[a-z]+)*)$/, `tag ${tag}`);
      assert.ok(r.tags.includes('attack.t1218.003') || r.tags.includes('attack.t1548.002'), 'CMSTP or UAC-bypass technique');
      if (r.tags.includes('attack.t1218.003')) assert.ok(r.tags.includes('attack.defense-evasion'), 'T1218.003 without its tactic');
      if (r.tags.includes('attack.t1548.002')) assert.ok(r.tags.includes('attack.privilege-escalation'), 'T1548.002 without its tactic');
      const triage = triageOf(p.compiled);
      assert.ok(triage !== null, 'triage');
      assert.ok(triage.next.length > 0 && triage.tuning.length > 0, 'triage next and tuning');
      // Both lists must be lists of strings in the file, not something the reader dropped.
      const raw = r.custom.get('triage') as { next: unknown[]; tuning: unknown[] };
      assert.equal(triage.next.length, raw.next.length);
      assert.equal(triage.tuning.length, raw.tuning.length);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Public samples.

/** Attack samples that are CMSTP or elevated-COM related, by content, with why. */
const RELATED: Readonly<Record<string, string>> = {
  'Privilege Escalation/sysmon_1_13_11_cmstp_ini_uacbypass.evtx': 'WinPwnage INF UAC bypass: cmstp.exe /au with tmp.ini, CMSTPLUA DllHost child',
  'Privilege Escalation/Sysmon_UACME_41.evtx': 'UACME 41: ICMLuaUtil ShellExec through the CMSTPLUA DllHost, no cmstp.exe',
  'Privilege Escalation/Sysmon_uacme_58.evtx': 'UACME 58: elevated EditionUpgradeManager COM surrogate starts a fake clipup.exe from Temp',
};

/** What makes a record CMSTP or elevated-COM related: the binaries, DLLs, keys and CLSIDs of the catalogue. */
const RELATED_CONTENT =
  /cmstp|cmlua|cmstplua|cmmgr32|CmstpExtensionDll|3E5FC7F9-9A51-4367-9063-A120244FBEC7|3E000D72-A845-4CD9-BD83-80C07C3B881F|BA126F01-2166-11D1-B1D0-00805FC1270E|D2E7041B-2927-42FB-8E9F-7CE93B6DC937|BD54C901-076B-434E-B6C7-17C531F4AB41|E9495B87-D950-4AB5-87A5-FF6D70BF3E90/i;

async function mentionsCmstp(file: string): Promise<boolean> {
  for await (const item of readSource(file, {})) {
    if (!item.ok) continue;
    for (const [, v] of item.record.raw.entries()) if (typeof v === 'string' && RELATED_CONTENT.test(v)) return true;
  }
  return false;
}

test('samples: the related attack samples are exactly those whose records name CMSTP binaries, keys or CLSIDs', async (t) => {
  const data = requireSharedData(t);
  if (data === null) return;
  const dir = path.join(data, 'evtx-attack-samples');
  const found: string[] = [];
  for (const file of listEvtxFiles(dir)) if (await mentionsCmstp(file)) found.push(relativeToSharedData(file, dir));
  assert.deepEqual(found.sort(), Object.keys(RELATED).sort());
});

test('samples: WinPwnage INF UAC bypass (sysmon_1_13_11_cmstp_ini_uacbypass.evtx)', async (t) => {
  const data = requireSharedData(t);
  if (data === null) return;
  const file = path.join(data, 'evtx-attack-samples', 'Privilege Escalation', 'sysmon_1_13_11_cmstp_ini_uacbypass.evtx');
  const fs = await findingsOf([file]);
  expectRules(
    byKey(fs, recordKey),
    {
      // cmstp.exe /au c:\users\ieuser\appdata\local\temp\tmp.ini from python, Medium.
      '3': [
        'proc_creation_cmstp_execution',
        'proc_creation_cmstp_all_users_au',
        'proc_creation_cmstp_inf_user_writable',
        'proc_creation_cmstp_au_user_writable',
        'proc_creation_cmstp_disguised_inf',
        'proc_creation_cmstp_suspicious_parent',
      ],
      // DllHost.exe sets App Paths\cmmgr32.exe\ProfileInstallPath.
      '4': ['registry_cmmgr32_app_paths', 'registry_cmmgr32_app_paths_by_dllhost'],
      // cmd.exe at High under DllHost /Processid:{3E5FC7F9-…}.
      '5': ['proc_creation_cmstplua_elevated_child', 'proc_creation_dllhost_elevated_shell_child'],
    },
    'WinPwnage',
  );
  const child = fs.find((f) => nameOf(f) === 'proc_creation_cmstplua_elevated_child')!;
  assert.equal(child.level, 'high');
  assert.equal(child.events[0]!.fields['IntegrityLevel'], 'High');
  assert.deepEqual(child.techniques, ['T1548.002', 'T1218.003', 'T1559.001']);
  assert.ok(child.triage !== undefined && child.triage.next.length > 0);
});

test('samples: UACME 41 and 58 (elevated COM without cmstp.exe)', async (t) => {
  const data = requireSharedData(t);
  if (data === null) return;
  const dir = path.join(data, 'evtx-attack-samples', 'Privilege Escalation');
  const m41 = await findingsOf([path.join(dir, 'Sysmon_UACME_41.evtx')]);
  expectRules(byKey(m41, recordKey), { '3': ['proc_creation_cmstplua_elevated_child', 'proc_creation_dllhost_elevated_shell_child'] }, 'UACME 41');
  const m58 = await findingsOf([path.join(dir, 'Sysmon_uacme_58.evtx')]);
  expectRules(byKey(m58, recordKey), { '5': ['proc_creation_elevated_com_related_child', 'proc_creation_elevated_com_child_user_writable'] }, 'UACME 58');
  assert.equal(m58.find((f) => nameOf(f) === 'proc_creation_elevated_com_child_user_writable')!.level, 'critical');
});

test('samples: OTRF Atomic T1218.003 test 2 (Sysmon and Security 4688)', async (t) => {
  const data = requireSharedData(t);
  if (data === null) return;
  const otrf = readdirSync(path.join(data, 'otrf')).filter((f) => f.startsWith('psh_cmstp_execution_bypassuac_') && f.endsWith('.json'));
  assert.equal(otrf.length, 1);
  const fs = await findingsOf([path.join(data, 'otrf', otrf[0]!)]);
  const cmstpLaunchElevated = [
    'proc_creation_cmstp_execution',
    'proc_creation_cmstp_silent_flags',
    'proc_creation_cmstp_inf_user_writable',
    'proc_creation_cmstp_au_user_writable',
    'proc_creation_cmstp_shell_parent',
  ];
  expectRules(
    byKey(fs, lineKey),
    {
      // The Atomic test ran from an elevated PowerShell: cmstp.exe /au at High integrity needs no
      // bypass, so the plain /au rule leaves it out; the /au-with-user-writable-INF rule stays.
      '181': cmstpLaunchElevated, // 4688 cmstp.exe /s C:\ProgramData\T1218.003_uacbypass.inf /au
      '366': ['proc_creation_cmstplua_surrogate_start'], // 4688 DllHost /Processid:{3E5FC7F9-…}
      '372': ['proc_creation_dllhost_elevated_shell_child'], // 4688 cmd.exe under dllhost.exe: no parent command line
      '483': ['file_event_inf_sct_user_writable', 'file_event_inf_by_script_host'], // S11 powershell writes the INF
      '523': cmstpLaunchElevated, // S1 cmstp.exe (High)
      '559': ['registry_cmstp_tracing'], // S12 Tracing\CMSTP created
      '566': ['registry_cmstp_tracing'], // S13 Tracing\CMSTP\FileDirectory
      '600': ['proc_creation_cmstplua_surrogate_start'], // S1 DllHost
      '646': ['file_event_cm_profile_folder'], // S11 Connections\Cm\malcorp by DllHost
      '647': ['registry_cmmgr32_app_paths', 'registry_cmmgr32_app_paths_by_dllhost'], // S12 App Paths\cmmgr32.exe
      '648': ['registry_cmmgr32_app_paths', 'registry_cmmgr32_app_paths_by_dllhost'], // S13 ProfileInstallPath
      '655': ['proc_creation_cmstplua_elevated_child', 'proc_creation_dllhost_elevated_shell_child'], // S1 cmd.exe, High
      '656': ['proc_access_cmlua_calltrace'], // S10 DllHost → cmd.exe through advpack/cmlua
    },
    'OTRF',
  );
  const access = fs.find((f) => nameOf(f) === 'proc_access_cmlua_calltrace')!;
  assert.match(String(access.events[0]!.fields['SourceImage']), /\\DllHost\.exe$/i);
  assert.match(String(access.events[0]!.fields['CallTrace']), /advpack\.dll.*cmlua\.dll/i);
});

test('false alarms: nothing at medium or above in the corpus or in unrelated attack samples', async (t) => {
  const data = requireSharedData(t);
  if (data === null) return;
  const attackDir = path.join(data, 'evtx-attack-samples');
  const unrelated = listEvtxFiles(attackDir).filter((f) => !(relativeToSharedData(f, attackDir) in RELATED));
  assert.ok(unrelated.length > 250);
  const corpus = listEvtxFiles(path.join(data, 'corpus'));
  assert.ok(corpus.length > 150);
  const fs = await findingsOf([...unrelated, ...corpus]);
  const loud = fs.filter((f) => levelRank(f.level) >= levelRank('medium'));
  assert.deepEqual(
    loud.map((f) => `${f.events[0]!.source.path}#${f.events[0]!.source.recordId}: ${nameOf(f)}`),
    [],
  );
  const counts = new Map<string, number>();
  for (const f of fs) {
    const k = `${nameOf(f)} @ ${relativeToSharedData(f.events[0]!.source.path, data)}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  t.diagnostic(`low/informational findings: ${counts.size === 0 ? 'none' : [...counts].map(([k, n]) => `${n} ${k}`).join('; ')}`);
});

// ---------------------------------------------------------------------------------------------
// The project's fixtures: each key's rules, malicious at their level, legitimate at most low.

interface FixtureCase {
  file: string;
  key: (f: Finding) => string;
  /** Every event key that must produce findings, with the rules; keys not listed must produce none. */
  expected: Readonly<Record<string, readonly string[]>>;
  /** The highest level each malicious key reaches. */
  malicious: Readonly<Record<string, SigmaLevel>>;
  /** Keys of legitimate events (listed in `expected` when they fire at all). */
  legitimate: readonly string[];
}

const CMSTP_SHELL_AU_TEMP = [
  'proc_creation_cmstp_execution',
  'proc_creation_cmstp_silent_flags',
  'proc_creation_cmstp_all_users_au',
  'proc_creation_cmstp_inf_user_writable',
  'proc_creation_cmstp_au_user_writable',
  'proc_creation_cmstp_shell_parent',
];

const FIXTURE_CASES: readonly FixtureCase[] = [
  {
    file: 'mde-DeviceProcessEvents.csv',
    key: rawKey('ReportId'),
    expected: {
      '1001': ['proc_creation_cmstp_execution', 'proc_creation_cmstp_silent_flags', 'proc_creation_cmstp_inf_user_writable', 'proc_creation_cmstp_disguised_inf', 'proc_creation_cmstp_shell_parent'],
      '1002': ['proc_creation_cmstp_execution', 'proc_creation_cmstp_all_users_au', 'proc_creation_cmstp_inf_user_writable', 'proc_creation_cmstp_au_user_writable', 'proc_creation_cmstp_suspicious_parent'],
      '1003': ['proc_creation_cmstp_execution', 'proc_creation_cmstp_silent_flags', 'proc_creation_cmstp_remote_inf', 'proc_creation_cmstp_shell_parent'],
      '1004': ['proc_creation_cmstp_execution', 'proc_creation_cmstp_silent_flags', 'proc_creation_cmstp_inf_user_writable', 'proc_creation_cmstp_renamed', 'proc_creation_cmstp_shell_parent'],
      '1005': ['proc_creation_cmstplua_elevated_child', 'proc_creation_dllhost_elevated_shell_child'],
      '1006': ['proc_creation_cmstplua_elevated_child', 'proc_creation_elevated_com_child_user_writable'],
      '1007': ['proc_creation_cmstp_child_process'],
      '1008': ['proc_creation_cmstplua_surrogate_start'],
      '2001': ['proc_creation_cmstp_execution', 'proc_creation_cmstp_silent_flags'],
      '2002': ['proc_creation_cmstp_execution'],
      '2003': ['proc_creation_cmstp_execution', 'proc_creation_cmstp_silent_flags'],
    },
    malicious: { '1001': 'medium', '1002': 'high', '1003': 'high', '1004': 'high', '1005': 'high', '1006': 'critical', '1007': 'high', '1008': 'medium' },
    legitimate: ['2001', '2002', '2003', '2004', '2005'],
  },
  {
    file: 'mde-DeviceNetworkEvents.csv',
    key: rawKey('ReportId'),
    expected: { '1101': ['net_connection_cmstp_public'], '1102': ['net_connection_cmstp_internal'] },
    malicious: { '1101': 'high', '1102': 'medium' },
    legitimate: ['2101', '2102'],
  },
  {
    file: 'mde-DeviceRegistryEvents.csv',
    key: rawKey('ReportId'),
    expected: {
      '1201': ['registry_cmstp_extension_dll'],
      '1202': ['registry_cmmgr32_app_paths', 'registry_cmmgr32_app_paths_by_dllhost'],
      '2201': ['registry_cmmgr32_app_paths'],
    },
    malicious: { '1201': 'high', '1202': 'medium' },
    legitimate: ['2201'],
  },
  {
    file: 'mde-DeviceImageLoadEvents.csv',
    key: rawKey('ReportId'),
    expected: { '1301': ['image_load_cmstp_scrobj'], '1302': ['image_load_cmlua_unexpected_process'] },
    malicious: { '1301': 'high', '1302': 'high' },
    legitimate: ['2301', '2302'],
  },
  {
    file: 'mde-DeviceFileEvents.csv',
    key: rawKey('ReportId'),
    expected: { '1401': ['file_event_inf_sct_user_writable', 'file_event_inf_by_script_host'] },
    malicious: { '1401': 'medium' },
    legitimate: ['2401'],
  },
  {
    file: 'ecs-endpoint.ndjson',
    key: rawKey('event.id'),
    expected: {
      'mal-au-temp': CMSTP_SHELL_AU_TEMP,
      'mal-elevated-cmd': ['proc_creation_cmstplua_elevated_child', 'proc_creation_dllhost_elevated_shell_child'],
      'mal-net-public': ['net_connection_cmstp_public'],
      'mal-scrobj': ['image_load_cmstp_scrobj'],
      'mal-calltrace': ['proc_access_cmlua_calltrace'],
      'mal-registry': ['registry_cmmgr32_app_paths', 'registry_cmmgr32_app_paths_by_dllhost'],
      'mal-inf-write': ['file_event_inf_sct_user_writable', 'file_event_inf_by_script_host'],
      'mal-winlogbeat-renamed': [
        'proc_creation_cmstp_execution',
        'proc_creation_cmstp_silent_flags',
        'proc_creation_cmstp_remote_inf',
        'proc_creation_cmstp_renamed',
        'proc_creation_cmstp_suspicious_parent',
      ],
      'legit-vpn-install': ['proc_creation_cmstp_execution', 'proc_creation_cmstp_silent_flags'],
      'legit-cmak': ['proc_creation_cmstp_execution'],
      'legit-registry': ['registry_cmmgr32_app_paths'],
    },
    malicious: {
      'mal-au-temp': 'high',
      'mal-elevated-cmd': 'high',
      'mal-net-public': 'high',
      'mal-scrobj': 'high',
      'mal-calltrace': 'high',
      'mal-registry': 'medium',
      'mal-inf-write': 'medium',
      'mal-winlogbeat-renamed': 'high',
    },
    // legit-wireguard: WireGuard's installer under the ICMLuaUtil broker, excluded by the rule.
    legitimate: ['legit-vpn-install', 'legit-cmak', 'legit-dccw', 'legit-wireguard', 'legit-surrogate-load', 'legit-registry'],
  },
  {
    file: 'security-4688.xml',
    key: recordKey,
    expected: {
      '1001': CMSTP_SHELL_AU_TEMP,
      // Security 4688 has no parent command line: the CLSID is only on the DllHost's own event.
      '1002': ['proc_creation_cmstplua_surrogate_start'],
      '1003': ['proc_creation_dllhost_elevated_shell_child'],
      '1004': [
        'proc_creation_cmstp_execution',
        'proc_creation_cmstp_silent_flags',
        'proc_creation_cmstp_inf_user_writable',
        'proc_creation_cmstp_remote_inf',
        'proc_creation_cmstp_unusual_location',
        'proc_creation_cmstp_shell_parent',
      ],
      '1005': ['proc_creation_cmstp_child_process'],
      '1006': [
        'proc_creation_cmstp_execution',
        'proc_creation_cmstp_silent_flags',
        'proc_creation_cmstp_inf_user_writable',
        'proc_creation_cmstp_disguised_inf',
        'proc_creation_cmstp_suspicious_parent',
      ],
      // En-dash switches (–s –au): the rules' windash modifier covers them.
      '1007': CMSTP_SHELL_AU_TEMP,
      '2001': ['proc_creation_cmstp_execution', 'proc_creation_cmstp_silent_flags'],
      '2002': ['proc_creation_cmstp_execution'],
      '2004': ['proc_creation_cmstp_execution', 'proc_creation_cmstp_silent_flags'],
    },
    malicious: { '1001': 'high', '1002': 'medium', '1003': 'medium', '1004': 'high', '1005': 'high', '1006': 'high', '1007': 'high' },
    legitimate: ['2001', '2002', '2003', '2004'],
  },
  {
    // Windows Filtering Platform: Application is a \device\harddiskvolumeN\ path.
    file: 'security-5156.xml',
    key: recordKey,
    expected: { '1101': ['net_connection_cmstp_public'], '1102': ['net_connection_cmstp_internal'] },
    malicious: { '1101': 'high', '1102': 'medium' },
    legitimate: ['2101', '2102'],
  },
];

for (const c of FIXTURE_CASES) {
  test(`fixtures: ${c.file}`, async (t: TestContext) => {
    const fs = await findingsOf([path.join(FIXTURES, c.file)]);
    const got = byKey(fs, c.key);
    expectRules(got, c.expected, c.file);
    for (const f of fs) assert.equal(f.level, INTENDED[nameOf(f)], `${c.file}: ${nameOf(f)} level`);
    for (const [k, level] of Object.entries(c.malicious)) assert.equal(maxLevel(got.get(k) ?? []), levelRank(level), `${c.file} ${k}: highest level`);
    for (const k of c.legitimate) assert.ok(maxLevel(got.get(k) ?? []) <= levelRank('low'), `${c.file} ${k}: legitimate use above low`);
    // Every event in the fixture is either malicious or legitimate, so nothing goes untested.
    const keys = new Set([...Object.keys(c.malicious), ...c.legitimate]);
    let events = 0;
    for await (const item of readSource(path.join(FIXTURES, c.file), {})) if (item.ok) events++;
    assert.equal(events, keys.size, `${c.file}: every event is classified`);
    t.diagnostic(`${fs.length} findings`);
  });
}

test('examples: the shipped example logs (attack reaches high, benign VPN profile stays informational)', async () => {
  const attack = await findingsOf([path.join(ROOT, 'examples', 'cmstp-uac-bypass.evtx')]);
  assert.ok(attack.some((f) => f.level === 'high'));
  assert.ok(attack.some((f) => nameOf(f) === 'proc_creation_cmstplua_elevated_child'));
  const benign = await findingsOf([path.join(ROOT, 'examples', 'benign-vpn-profile.evtx')]);
  assert.ok(benign.length > 0);
  assert.deepEqual([...new Set(benign.map((f) => f.level))], ['informational']);
});
