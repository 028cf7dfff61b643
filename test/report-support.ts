// Findings for the report tests: the fixture rules in test/fixtures/report/ run with `scan()` over
// the OTRF CMSTP dataset and a hostile fixture (markup and terminal escapes in command lines), plus
// a synthetic incident whose chain is built from the dataset's own process events.

import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { compileRule, isCompiled, type CompiledRule } from '../src/detect/compile.js';
import type { ChainProcess, Finding, FindingEvent } from '../src/detect/finding.js';
import { scan, type ScanSummary } from '../src/detect/scan.js';
import { normalize, TableSet } from '../src/events/normalize.js';
import { DEFAULT_TABLES } from '../src/events/tables/index.js';
import type { FieldValue } from '../src/events/fields.js';
import { loadRules } from '../src/sigma/load.js';
import { readSource } from '../src/sources/index.js';
import { projectRoot } from './support/shared-data.js';

export const FIXTURES = path.join(projectRoot(), 'test', 'fixtures', 'report');
export const HOSTILE = path.join(FIXTURES, 'hostile.jsonl');
export const OTRF_FILE = 'otrf/psh_cmstp_execution_bypassuac_2020-10-2201543213.json';

export function fixtureRules(): CompiledRule[] {
  const out: CompiledRule[] = [];
  for (const name of readdirSync(FIXTURES).filter((n) => n.endsWith('.yml')).sort()) {
    const file = path.join(FIXTURES, name);
    const r = loadRules(readFileSync(file, 'utf8'), file);
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) throw new Error(`${file}: ${errors.map((d) => d.message).join('; ')}`);
    for (const rule of r.rules) {
      const c = compileRule(rule);
      if (!isCompiled(c)) throw new Error(`${file}: unsupported: ${c.unsupported}`);
      out.push(c);
    }
  }
  return out;
}

export async function scanPaths(paths: readonly string[]): Promise<{ findings: Finding[]; summary: ScanSummary }> {
  const findings: Finding[] = [];
  const it = scan(paths, { rules: fixtureRules(), skipped: [{ file: 'rules/broken<script>.yml', id: null, title: null, reason: 'load error: \x1b[31m<img src=x onerror=alert(1)>' }] });
  for (;;) {
    const r = await it.next();
    if (r.done === true) return { findings, summary: r.value };
    findings.push(r.value);
  }
}

function plainFields(entries: Iterable<[string, FieldValue]>): Record<string, FieldValue> {
  const o = Object.create(null) as Record<string, FieldValue>;
  for (const [k, v] of entries) o[k] = v;
  return o;
}

const str = (v: FieldValue | undefined): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);

/** The Sysmon process-creation events of a file, as finding events, keyed by ProcessGuid. */
async function processEvents(file: string): Promise<Map<string, { ev: FindingEvent; time: string | null }>> {
  const tables = new TableSet(DEFAULT_TABLES);
  const out = new Map<string, { ev: FindingEvent; time: string | null }>();
  for await (const item of readSource(file, {})) {
    if (!item.ok) continue;
    const e = normalize(item.record, tables);
    if (e.category !== 'process_creation') continue;
    const guid = str(e.fields.get('ProcessGuid'));
    if (guid === null) continue;
    out.set(guid.toLowerCase(), { ev: { source: e.origin, fields: plainFields(e.fields.entries()) }, time: e.time });
  }
  return out;
}

/**
 * An incident as the incident builder would make one: powershell.exe › cmstp.exe › dllhost.exe
 * (CMSTPLUA) › cmd.exe › whoami.exe, from the dataset's events, with factors and triage.
 */
export async function syntheticIncident(otrfFile: string, members: readonly Finding[]): Promise<Finding> {
  const byGuid = await processEvents(otrfFile);
  const find = (image: string): [string, { ev: FindingEvent; time: string | null }] => {
    for (const [g, v] of byGuid) if (String(v.ev.fields['Image']).toLowerCase().endsWith(`\\${image}`)) return [g, v];
    throw new Error(`no ${image} process event in ${otrfFile}`);
  };
  const roles: [string, string][] = [
    ['cmstp.exe', 'cmstp launch'],
    ['dllhost.exe', 'COM elevation'],
    ['cmd.exe', 'elevated child'],
    ['whoami.exe', 'elevated child'],
  ];
  const events: FindingEvent[] = [];
  const chain: ChainProcess[] = [];
  for (const [image, role] of roles) {
    const [, v] = find(image);
    const f = v.ev.fields;
    events.push({ ...v.ev, role });
    if (chain.length === 0)
      chain.push({ image: str(f['ParentImage']), commandLine: str(f['ParentCommandLine']), pid: Number(f['ParentProcessId']) || null, guid: str(f['ParentProcessGuid']), integrity: 'Medium', user: str(f['User']), time: null, event: null });
    chain.push({ image: str(f['Image']), commandLine: str(f['CommandLine']), pid: Number(f['ProcessId']) || null, guid: str(f['ProcessGuid']), integrity: str(f['IntegrityLevel']), user: str(f['User']), time: v.time, event: events.length - 1 });
  }
  const first = events[0]!;
  return {
    id: 'incident-0000000000000000000000001',
    kind: 'incident',
    rule: { id: 'cmstp-hunt-incident-uac-bypass', title: 'CMSTP UAC bypass through the CMSTPLUA COM interface', level: 'critical', tags: ['attack.t1218.003', 'attack.t1548.002', 'attack.t1559.001'], description: 'cmstp.exe installed a profile and an auto-elevated COM surrogate started a shell at high integrity' },
    level: 'critical',
    timestamp: chain[1]!.time,
    host: typeof first.fields['Computer'] === 'string' ? first.fields['Computer'] : 'WORKSTATION5',
    events,
    techniques: ['T1218.003', 'T1548.002', 'T1559.001'],
    members: members.map((m) => m.rule),
    chain,
    clsid: '{3E5FC7F9-9A51-4367-9063-A120244FBEC7}',
    factors: [
      { code: 'silent-install', description: 'cmstp.exe ran silently (/s) for all users (/au)', weight: 30 },
      { code: 'auto-elevate', description: 'dllhost.exe hosted the auto-elevated CMSTPLUA class', weight: 40 },
      { code: 'elevated-child', description: 'a shell started at high integrity under the COM surrogate', weight: 30 },
    ],
    triage: {
      next: ['Read C:\\ProgramData\\T1218.003_uacbypass.inf and its RunPreSetupCommandsSection', 'List what cmd.exe (high integrity) started after 05:54:24'],
      tuning: ['None: this chain has no benign explanation'],
    },
  };
}
