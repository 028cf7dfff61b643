// The scan pipeline around the matcher: filter documents, correlation rules (with `generate`),
// a postprocessor that folds and re-rates findings, and the --from/--to/--host scope. Over the
// example EVTX files the project ships (40 Sysmon events, two hosts' worth of times).

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { compileRule, isCompiled, type CompiledRule } from '../src/detect/compile.js';
import type { Finding, FindingEvent } from '../src/detect/finding.js';
import { scan, type ScanOptions, type ScanPostprocessor, type ScanSummary } from '../src/detect/scan.js';
import type { Event } from '../src/events/model.js';
import { loadRules } from '../src/sigma/load.js';
import { projectRoot } from './support/shared-data.js';

const ATTACK = path.join(projectRoot(), 'examples', 'cmstp-uac-bypass.evtx');
const BENIGN = path.join(projectRoot(), 'examples', 'benign-vpn-profile.evtx');

const PROC = `title: Process start
id: 22222222-0000-4000-8000-000000000001
name: proc_start
level: low
tags: [attack.execution]
logsource:
  product: windows
  category: process_creation
detection:
  selection:
    Image|startswith: 'C:\\Windows\\System32\\'
  condition: selection
`;

const CMSTP = `title: Cmstp start
id: 22222222-0000-4000-8000-000000000002
name: cmstp_start
level: informational
tags: [attack.defense-evasion, attack.t1218.003]
logsource:
  product: windows
  category: process_creation
detection:
  selection:
    Image|endswith: '\\cmstp.exe'
  condition: selection
`;

const NOT_CMD = `title: Not cmd or whoami
logsource:
  product: windows
  category: process_creation
filter:
  rules: [proc_start]
  selection:
    Image|endswith: ['\\cmd.exe', '\\whoami.exe']
  condition: selection
`;

function burst(generate: boolean): string {
  return `title: Process burst
id: 22222222-0000-4000-8000-000000000003
level: high
tags: [attack.t1059]
correlation:
  type: event_count
  rules: [proc_start]
  group-by: [Computer]
  timespan: 10s
  condition:
    gte: 4
  generate: ${generate}
`;
}

function load(text: string): ReturnType<typeof loadRules> {
  const r = loadRules(text, 'inline.yml');
  assert.deepEqual(r.diagnostics, []);
  return r;
}

function compiled(...texts: string[]): CompiledRule[] {
  return texts.flatMap((t) =>
    load(t).rules.map((r) => {
      const c = compileRule(r);
      assert.ok(isCompiled(c));
      return c;
    }),
  );
}

async function run(paths: string[], options: ScanOptions): Promise<{ findings: Finding[]; summary: ScanSummary }> {
  const it = scan(paths, options);
  const findings: Finding[] = [];
  for (;;) {
    const r = await it.next();
    if (r.done === true) return { findings, summary: r.value };
    findings.push(r.value);
  }
}

const image = (e: FindingEvent): string => String(e.fields['Image']).split('\\').pop()!;
const images = (fs: Finding[]): string[] => fs.map((f) => image(f.events[0]!));

test('scan pipeline: a filter document removes what it names from its target rule only', async () => {
  const rules = compiled(PROC, CMSTP);
  const plain = await run([ATTACK], { rules });
  const filtered = await run([ATTACK], { rules, filters: load(NOT_CMD).filters });
  const procOf = (fs: Finding[]): string[] => images(fs.filter((f) => f.rule.id?.endsWith('01') === true));
  assert.ok(procOf(plain.findings).includes('cmd.exe'));
  assert.ok(procOf(plain.findings).includes('whoami.exe'));
  assert.deepEqual(
    procOf(filtered.findings).filter((i) => i === 'cmd.exe' || i === 'whoami.exe'),
    [],
  );
  assert.equal(procOf(filtered.findings).length, procOf(plain.findings).length - 2);
  // The cmstp rule is not targeted by the filter.
  assert.equal(filtered.findings.filter((f) => f.rule.id?.endsWith('02') === true).length, 1);
  assert.equal(filtered.summary.filters, 1);
  assert.equal(filtered.summary.filteredRules, 1);
  assert.deepEqual(filtered.summary.ruleIssues, []);
});

test('scan pipeline: a correlation fires once per burst; generate decides whether base matches are output', async () => {
  const rules = compiled(PROC);
  const hidden = await run([ATTACK], { rules, correlations: load(burst(false)).correlations });
  // powershell, cmstp, DllHost, cmd, whoami start within 4 s (09:14:09–09:14:12): one burst of
  // System32 images reaching 4 (powershell is under System32\WindowsPowerShell, so it counts too).
  const corr = hidden.findings.filter((f) => f.kind === 'correlation');
  assert.equal(corr.length, 1);
  assert.equal(corr[0]!.level, 'high');
  assert.deepEqual(corr[0]!.techniques, ['T1059']);
  assert.deepEqual({ ...corr[0]!.group }, { Computer: 'WKS-FIN-042.corp.example' });
  assert.equal(corr[0]!.value, 4);
  assert.deepEqual(corr[0]!.events.map(image), ['powershell.exe', 'cmstp.exe', 'DllHost.exe', 'cmd.exe']);
  assert.equal(hidden.findings.filter((f) => f.kind === 'match').length, 0);
  assert.deepEqual(hidden.summary.findingsByKind, { match: 0, correlation: 1, incident: 0 });
  const shown = await run([ATTACK], { rules, correlations: load(burst(true)).correlations });
  assert.equal(shown.findings.filter((f) => f.kind === 'correlation').length, 1);
  assert.ok(shown.findings.filter((f) => f.kind === 'match').length >= 5);
});

test('scan pipeline: a correlation naming a rule that is not loaded is reported', async () => {
  const r = await run([ATTACK], { rules: compiled(CMSTP), correlations: load(burst(false)).correlations });
  assert.equal(r.summary.ruleIssues.length, 1);
  assert.match(r.summary.ruleIssues[0]!, /^inline\.yml:1:1: .*proc_start/);
});

test('scan pipeline: a postprocessor sees every event and match, folds and re-rates held findings', async () => {
  const rules = compiled(PROC, CMSTP);
  const observed: Event[] = [];
  const matched: string[] = [];
  const held: Finding[] = [];
  const post: ScanPostprocessor = {
    observe: (e) => observed.push(e),
    addMatch: (f) => {
      matched.push(f.id);
      if (f.techniques.includes('T1218.003')) held.push(f);
    },
    // Only the cmstp rule's findings wait; the others stream at once.
    holds: (f) => f.techniques.includes('T1218.003'),
    finish: () => {
      // The attack file is read first: its cmstp run is the first held finding.
      const cmstp = held[0]!;
      return {
        incidents: [{ ...cmstp, id: 'incident-1', kind: 'incident', level: 'critical', timestamp: '2026-03-17T09:14:11.0000000Z' }],
        absorbed: new Set<string>(),
        enriched: new Map([[cmstp.id, { level: 'high' as const, factors: [{ code: 'silent-install', description: '/s', weight: 2 }] }]]),
      };
    },
  };
  const rulesFindings: Finding[] = [];
  const it = scan([ATTACK, BENIGN], { rules, postprocess: post });
  let summary: ScanSummary;
  for (;;) {
    const r = await it.next();
    if (r.done === true) {
      summary = r.value;
      break;
    }
    rulesFindings.push(r.value);
  }
  assert.equal(observed.length, 40);
  assert.equal(matched.length, rulesFindings.filter((f) => f.kind === 'match').length);
  // Held findings come after the streamed ones, re-rated, sorted by time with the incident.
  const tail = rulesFindings.slice(-3);
  assert.deepEqual(
    tail.map((f) => [f.kind, f.level]),
    [
      ['match', 'informational'],
      ['incident', 'critical'],
      ['match', 'high'],
    ],
  );
  assert.deepEqual(tail[2]!.factors?.map((f) => f.code), ['silent-install']);
  assert.equal(summary.findingsByKind['incident'], 1);
  assert.equal(summary.findings, rulesFindings.length);
});

test('scan pipeline: absorbed findings are not output, and are counted', async () => {
  const rules = compiled(CMSTP);
  const post: ScanPostprocessor = {
    observe: () => undefined,
    addMatch: () => undefined,
    finish: () => ({ incidents: [], absorbed: new Set(ids), enriched: new Map() }),
  };
  const ids: string[] = (await run([ATTACK], { rules })).findings.map((f) => f.id);
  assert.equal(ids.length, 1);
  const r = await run([ATTACK], { rules, postprocess: post });
  assert.deepEqual(r.findings, []);
  assert.equal(r.summary.absorbed, 1);
  assert.equal(r.summary.findings, 0);
});

test('scan pipeline: --from/--to/--host scope events before matching', async () => {
  const rules = compiled(CMSTP);
  const all = await run([ATTACK, BENIGN], { rules });
  assert.equal(all.findings.length, 2);
  // Without the prefilter every event is decoded and scoped; with it, only the events some rule
  // could match are, and the others are counted as prefiltered instead. Findings are the same.
  const march = await run([ATTACK, BENIGN], { rules, from: '2026-03-01T00:00:00Z', prefilter: false });
  assert.deepEqual(
    march.findings.map((f) => f.events[0]!.source.recordId),
    [48227],
  );
  assert.equal(march.summary.outOfScope, 10);
  assert.equal(march.summary.events, 40);
  const prefiltered = await run([ATTACK, BENIGN], { rules, from: '2026-03-01T00:00:00Z' });
  assert.deepEqual(prefiltered.findings, march.findings);
  assert.equal(prefiltered.summary.events, 40);
  assert.ok(prefiltered.summary.prefiltered > 0 && prefiltered.summary.outOfScope < 10, JSON.stringify(prefiltered.summary));
  const feb = await run([ATTACK, BENIGN], { rules, to: '2026-02-28T23:59:59Z' });
  assert.deepEqual(
    feb.findings.map((f) => f.events[0]!.source.recordId),
    [31882],
  );
  assert.equal((await run([ATTACK], { rules, hosts: ['wks-fin-*'] })).findings.length, 1);
  const other = await run([ATTACK], { rules, hosts: ['srv-*', 'WKS-FIN-042'], prefilter: false });
  assert.equal(other.findings.length, 0);
  assert.equal(other.summary.outOfScope, 30);
});

test('scan pipeline: correlations see matches in time order whatever the order of the inputs', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cmstp-hunt-corr-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const line = (id: number, time: string, image: string): string =>
    JSON.stringify({
      Event: {
        System: {
          Provider: { '#attributes': { Name: 'Microsoft-Windows-Sysmon' } },
          EventID: 1,
          TimeCreated: { '#attributes': { SystemTime: time } },
          EventRecordID: id,
          Channel: 'Microsoft-Windows-Sysmon/Operational',
          Computer: 'host-a',
        },
        EventData: { Image: image, CommandLine: image },
      },
    }) + '\n';
  // The input read first holds a later event: fed in read order, the engine's clock would be an
  // hour past the pair in the second input, and both would be dropped as late.
  const later = path.join(dir, '1-later.json');
  const earlier = path.join(dir, '2-earlier.json');
  writeFileSync(later, line(3, '2026-01-01T11:00:00.0000000Z', 'C:\\Windows\\System32\\cmd.exe'));
  writeFileSync(
    earlier,
    line(1, '2026-01-01T10:00:00.0000000Z', 'C:\\Windows\\System32\\cmstp.exe') + line(2, '2026-01-01T10:00:20.0000000Z', 'C:\\Windows\\System32\\cmd.exe'),
  );
  const CMD = CMSTP.replace('000000000002', '000000000004').replace('cmstp_start', 'cmd_start').replace('Cmstp start', 'Cmd start').replace('cmstp.exe', 'cmd.exe');
  const ordered = `title: Cmstp then cmd
id: 22222222-0000-4000-8000-000000000005
level: high
correlation:
  type: temporal_ordered
  rules: [cmstp_start, cmd_start]
  group-by: [Computer]
  timespan: 1m
`;
  const r = await run([later, earlier], { rules: compiled(CMSTP, CMD), correlations: load(ordered).correlations });
  const corr = r.findings.filter((f) => f.kind === 'correlation');
  assert.equal(corr.length, 1);
  assert.deepEqual(corr[0]!.events.map(image), ['cmstp.exe', 'cmd.exe']);
  assert.equal(corr[0]!.timestamp, '2026-01-01T10:00:00.0000000Z');
  assert.equal(r.summary.correlationMatchesDropped, 0);
});
