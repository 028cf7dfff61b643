// Issue 5 end to end: the built-in pack and the incident builder together, as `scan` runs them,
// over the real samples in ../shared/data and the project's fixtures. One incident per chain
// with its evidence; nothing at medium or above on benign data.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { builtinRulesDir } from '../src/cli/builtin.js';
import { loadRulePaths } from '../src/cli/commands/scan.js';
import type { Finding } from '../src/detect/finding.js';
import { levelRank, scan, type ScanSummary } from '../src/detect/scan.js';
import { IncidentBuilder } from '../src/incidents/index.js';
import { expandPaths } from '../src/io/walk.js';
import { projectRoot, requireSharedData } from './support/shared-data.js';

const PACK = loadRulePaths([builtinRulesDir()]);
const CMSTPLUA = '{3E5FC7F9-9A51-4367-9063-A120244FBEC7}';
const FIXTURES = path.join(projectRoot(), 'test', 'fixtures', 'cmstp');

async function run(inputs: string[]): Promise<{ findings: Finding[]; summary: ScanSummary }> {
  const { files: paths } = expandPaths(inputs, { accept: (name) => /\.(evtx|xml|json|ndjson|csv)$/i.test(name) });
  const it = scan(paths, { rules: PACK.rules, postprocess: new IncidentBuilder(), raw: true });
  const findings: Finding[] = [];
  for (;;) {
    const r = await it.next();
    if (r.done === true) return { findings, summary: r.value };
    findings.push(r.value);
  }
}

const incidents = (fs: Finding[]): Finding[] => fs.filter((f) => f.kind === 'incident');
const base = (p: string | null): string => (p ?? '').split('\\').pop()!.toLowerCase();
const atLeast = (fs: Finding[], level: 'medium' | 'high'): Finding[] => fs.filter((f) => levelRank(f.level) >= levelRank(level));

function privilegeEscalation(data: string, name: string): string {
  return path.join(data, 'evtx-attack-samples', 'Privilege Escalation', name);
}

test('pack + incidents: the pack loads whole', () => {
  assert.deepEqual(PACK.skipped, []);
  assert.ok(PACK.rules.length >= 30, `${PACK.rules.length} rules`);
});

test('WinPwnage INF bypass: one incident joins the /au cmstp.exe, the cmmgr32.exe write and the High cmd.exe', async (t) => {
  const data = requireSharedData(t);
  if (data === null) return;
  const { findings, summary } = await run([privilegeEscalation(data, 'sysmon_1_13_11_cmstp_ini_uacbypass.evtx')]);
  const inc = incidents(findings);
  assert.equal(inc.length, 1);
  const i = inc[0]!;
  assert.equal(i.clsid, CMSTPLUA);
  assert.equal(i.level, 'critical');
  const cmstp = i.events.find((e) => e.role === 'cmstp launch');
  assert.ok(cmstp !== undefined);
  assert.match(String(cmstp.fields['CommandLine']), /\/au/i);
  const reg = i.events.find((e) => e.role === 'profile registry write');
  assert.ok(reg !== undefined);
  assert.match(String(reg.fields['TargetObject']), /App Paths\\cmmgr32\.exe/i);
  const child = i.events.find((e) => e.role === 'elevated child');
  assert.ok(child !== undefined);
  assert.equal(base(String(child.fields['Image'])), 'cmd.exe');
  assert.equal(child.fields['IntegrityLevel'], 'High');
  assert.deepEqual(
    i.chain?.map((p) => base(p.image)),
    ['python.exe', 'cmstp.exe', 'dllhost.exe', 'cmd.exe'],
  );
  assert.ok(i.techniques.includes('T1218.003') && i.techniques.includes('T1548.002'));
  assert.ok((i.members ?? []).length >= 5);
  assert.ok((i.factors ?? []).some((f) => f.code === 'auto-elevate'));
  assert.ok((i.triage?.next.length ?? 0) > 0 && (i.triage?.tuning.length ?? 0) > 0);
  // The pack's matches on the chain's events are folded in, not a pile of separate alerts.
  assert.ok(summary.absorbed >= 5);
  assert.deepEqual(
    findings.filter((f) => f.kind === 'match'),
    [],
  );
});

test('UACME 41: the elevated cmd.exe under CMSTPLUA is an incident although cmstp.exe never ran', async (t) => {
  const data = requireSharedData(t);
  if (data === null) return;
  const { findings } = await run([privilegeEscalation(data, 'Sysmon_UACME_41.evtx')]);
  const inc = incidents(findings);
  assert.equal(inc.length, 1);
  const i = inc[0]!;
  assert.equal(i.clsid, CMSTPLUA);
  assert.ok(levelRank(i.level) >= levelRank('high'));
  assert.ok(!(i.chain ?? []).some((p) => base(p.image) === 'cmstp.exe'));
  const child = i.events.find((e) => e.role === 'elevated child');
  assert.equal(base(String(child?.fields['Image'])), 'cmd.exe');
});

/** The OTRF export filtered to one channel, written as NDJSON to a temporary folder. */
function otrfOnly(t: TestContext, data: string, keep: (channel: string) => boolean, name: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cmstp-hunt-otrf-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const otrf = path.join(data, 'otrf');
  const file = readdirSync(otrf).find((f) => f.endsWith('.json'));
  assert.ok(file !== undefined, 'the OTRF export');
  const lines = readFileSync(path.join(otrf, file), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && keep(String((JSON.parse(l) as { Channel?: unknown }).Channel)));
  assert.ok(lines.length > 100);
  const out = path.join(dir, name);
  writeFileSync(out, lines.join('\n') + '\n');
  return out;
}

for (const [label, keep] of [
  ['Sysmon', (c: string) => c === 'Microsoft-Windows-Sysmon/Operational'],
  ['Security', (c: string) => c === 'Security'],
] as const) {
  test(`OTRF atomic test, ${label} events alone: the chain with the CLSID behind the elevated cmd.exe`, async (t) => {
    const data = requireSharedData(t);
    if (data === null) return;
    const { findings } = await run([otrfOnly(t, data, keep, `${label}.json`)]);
    const inc = incidents(findings);
    assert.equal(inc.length, 1, JSON.stringify(inc.map((i) => i.rule.title)));
    const i = inc[0]!;
    assert.equal(i.clsid, CMSTPLUA);
    assert.ok(levelRank(i.level) >= levelRank('high'));
    const images = (i.chain ?? []).map((p) => base(p.image));
    assert.ok(images.includes('cmstp.exe'), images.join(' > '));
    assert.equal(images[images.indexOf('cmstp.exe') + 1], 'dllhost.exe');
    const child = i.events.find((e) => e.role === 'elevated child');
    assert.ok(child !== undefined);
    assert.equal(base(String(child.fields['Image'] ?? child.fields['NewProcessName'])), 'cmd.exe');
    if (label === 'Sysmon') {
      // PowerShell wrote the INF before cmstp.exe ran: that write is evidence of the same incident.
      const inf = i.events.find((e) => e.role === 'INF written');
      assert.match(String(inf?.fields['TargetFilename']), /\.inf$/i);
      assert.equal(i.events[0], inf, 'the staging write is the earliest evidence');
    }
    const host = i.events.find((e) => e.role === 'COM elevation host');
    assert.match(String(host?.fields['CommandLine']), /3E5FC7F9-9A51-4367-9063-A120244FBEC7/i);
  });
}

const RELATED = new Set(['sysmon_1_13_11_cmstp_ini_uacbypass.evtx', 'Sysmon_UACME_41.evtx', 'Sysmon_uacme_58.evtx']);

test('no finding at medium or above on the corpus, nor on attack samples unrelated to CMSTP or elevated COM', async (t) => {
  const data = requireSharedData(t);
  if (data === null) return;
  const corpus = await run([path.join(data, 'corpus')]);
  assert.ok(corpus.summary.events > 100_000);
  assert.deepEqual(
    atLeast(corpus.findings, 'medium').map((f) => `${f.rule.title} @ ${f.events[0]?.source.path}`),
    [],
  );
  const samples = await run([path.join(data, 'evtx-attack-samples')]);
  const unrelated = atLeast(samples.findings, 'medium').filter((f) => !f.events.some((e) => RELATED.has(path.basename(e.source.path))));
  assert.deepEqual(
    unrelated.map((f) => `${f.rule.title} @ ${f.events[0]?.source.path}`),
    [],
  );
  const low = [...corpus.findings, ...samples.findings].filter((f) => levelRank(f.level) < levelRank('medium'));
  t.diagnostic(`low/informational: ${low.length === 0 ? 'none' : low.map((f) => `${f.level} ${f.rule.title} @ ${path.basename(f.events[0]!.source.path)}`).join('; ')}`);
  t.diagnostic(`incidents over the attack samples: ${incidents(samples.findings).map((i) => `${i.level} ${path.basename(i.events[0]!.source.path)}`).join('; ')}`);
});

test('fixtures with incidents on: the 4688-only export shows the chain and its CLSID; legitimate installs stay at most low', async () => {
  const xml = await run([path.join(FIXTURES, 'security-4688.xml')]);
  const inc = incidents(xml.findings);
  const chain = inc.find((i) => i.clsid === CMSTPLUA);
  assert.ok(chain !== undefined, 'an incident with the CMSTPLUA CLSID');
  assert.deepEqual(
    chain.events.map((e) => e.source.recordId).filter((id) => id !== null && id >= 1001 && id <= 1003).sort(),
    [1001, 1002, 1003],
  );
  // Every finding that holds a legitimate event (record ids 2001–2004) is at most low.
  for (const f of xml.findings) {
    if (f.events.some((e) => (e.source.recordId ?? 0) >= 2000)) assert.ok(levelRank(f.level) <= levelRank('low'), `${f.rule.title}: ${f.level}`);
  }
  const mde = await run([path.join(FIXTURES, 'mde-DeviceProcessEvents.csv')]);
  for (const f of mde.findings) {
    const legit = f.events.some((e) => String(e.raw?.['ReportId'] ?? '').startsWith('2'));
    if (legit) assert.ok(levelRank(f.level) <= levelRank('low'), `${f.rule.title}: ${f.level}`);
  }
  assert.ok(atLeast(mde.findings, 'high').length >= 3);
  const ecs = await run([path.join(FIXTURES, 'ecs-endpoint.ndjson')]);
  for (const f of ecs.findings) {
    const legit = f.events.some((e) => String(e.raw?.['event.id'] ?? '').startsWith('legit-'));
    if (legit) assert.ok(levelRank(f.level) <= levelRank('low'), `${f.rule.title}: ${f.level}`);
  }
  assert.ok(atLeast(ecs.findings, 'high').length >= 3);
});
