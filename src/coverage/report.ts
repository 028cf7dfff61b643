// `coverage()`: read the inputs once, inventory them, profile their fields, count the telemetry
// facts CMSTP detections depend on, then judge every rule and list the gaps. The report is plain
// data; the JSON form of it is documented in docs/telemetry.md.

import type { CompiledRule } from '../detect/compile.js';
import type { Event } from '../events/model.js';
import { normalize, TableSet } from '../events/normalize.js';
import { DEFAULT_TABLES } from '../events/tables/index.js';
import { readSource, type ReadOptions } from '../sources/index.js';
import type { InputFormat, SourceDiagnostic } from '../sources/types.js';
import { assessRule, type RuleCoverage } from './assess.js';
import { findGaps, mergeHostGaps, type Gap, type SourceTotals } from './gaps.js';
import { Inventory, type HostInventory, type SourceInventory } from './inventory.js';
import { Profiles, sourceOf } from './profile.js';
import { emptyTelemetry, observeTelemetry, type Telemetry } from './telemetry.js';

export const REPORT_FORMAT = 'cmstp-hunt/coverage';
export const REPORT_VERSION = 1;

/** A rule that was not loaded or compiled (same shape as the scanner's). */
export interface CoverageSkippedRule {
  file: string;
  id: string | null;
  title: string | null;
  reason: string;
}

export interface CoverageOptions {
  rules: readonly CompiledRule[];
  skipped?: readonly CoverageSkippedRule[];
  read?: ReadOptions;
  tables?: TableSet;
  onDiagnostic?: (d: SourceDiagnostic) => void;
}

export interface InputCoverage {
  path: string;
  format: InputFormat | null;
  shape: string | null;
  /** Records met: parsed + rejected. */
  read: number;
  /** Records turned into events (recovered EVTX records included). */
  parsed: number;
  /** Records that could not be read, each reported as a diagnostic. */
  rejected: number;
  errors: number;
  warnings: number;
}

export interface CoverageReport {
  format: typeof REPORT_FORMAT;
  version: typeof REPORT_VERSION;
  totals: {
    inputs: number;
    /** Inputs that gave at least one event. */
    readable: number;
    read: number;
    parsed: number;
    rejected: number;
    errors: number;
    warnings: number;
    hosts: number;
    first: string | null;
    last: string | null;
    /** Events past the profile cap: in the inventory, not in the rule judgement. */
    unprofiled: number;
    /** Events whose host was folded into `(other hosts)`. */
    hostsMerged: number;
  };
  inputs: InputCoverage[];
  hosts: HostInventory[];
  sources: SourceInventory[];
  telemetry: Telemetry;
  rules: {
    loaded: number;
    canFire: number;
    partial: number;
    cannotFire: number;
    results: RuleCoverage[];
    skipped: CoverageSkippedRule[];
  };
  gaps: Gap[];
}

function ruleCategory(r: RuleCoverage): string | null {
  return r.logsource.category?.toLowerCase() ?? null;
}

/** Which loaded rules a gap stops (rules that cannot fire, or fire only partly, because of it). */
function blockedBy(gap: Gap, r: RuleCoverage): boolean {
  if (r.status === 'can-fire' || gap.category === null) return false;
  const c = ruleCategory(r);
  const sameCategory = c === gap.category || (gap.category === 'registry_event' && c !== null && c.startsWith('registry_'));
  if (!sameCategory) return false;
  if (gap.fields.length === 0) return gap.source === null ? r.sources.length === 0 : r.sources.every((s) => s.source !== gap.source);
  return r.sources.some((s) => s.hostsBlocked > 0 && (gap.source === null || s.source === gap.source) && s.missingFields.some((f) => gap.fields.includes(f)));
}

function count(t: SourceTotals, e: Event): void {
  if (e.kind === 'windows') t.windows++;
  else if (e.kind === 'mde') t.mde++;
  else t.ecs++;
  const s = sourceOf(e);
  if (s === 'sysmon') t.sysmon++;
  else if (s === 'security') t.security++;
}

export async function coverage(paths: readonly string[], options: CoverageOptions): Promise<CoverageReport> {
  const tables = options.tables ?? new TableSet(DEFAULT_TABLES);
  const inventory = new Inventory();
  const profiles = new Profiles();
  const telemetry = emptyTelemetry();
  const inputs: InputCoverage[] = [];
  const sourceTotals: SourceTotals = { windows: 0, sysmon: 0, security: 0, mde: 0, ecs: 0 };
  const perHost = new Map<string, { telemetry: Telemetry; totals: SourceTotals }>();
  for (const path of paths) {
    const input: InputCoverage = { path, format: null, shape: null, read: 0, parsed: 0, rejected: 0, errors: 0, warnings: 0 };
    const it = readSource(path, options.read ?? {});
    for (;;) {
      const r = await it.next();
      if (r.done === true) {
        input.format = r.value.format;
        input.shape = r.value.shape;
        break;
      }
      const item = r.value;
      if (!item.ok) {
        if (item.diagnostic.severity === 'error') input.errors++;
        else input.warnings++;
        if (item.diagnostic.rejected) {
          input.rejected++;
          input.read++;
        }
        options.onDiagnostic?.(item.diagnostic);
        continue;
      }
      input.read++;
      input.parsed++;
      const event = normalize(item.record, tables);
      const host = inventory.observe(event);
      profiles.add(event);
      let h = perHost.get(host);
      if (h === undefined) perHost.set(host, (h = { telemetry: emptyTelemetry(), totals: { windows: 0, sysmon: 0, security: 0, mde: 0, ecs: 0 } }));
      for (const [tm, totals] of [[telemetry, sourceTotals], [h.telemetry, h.totals]] as const) {
        observeTelemetry(tm, event);
        count(totals, event);
      }
    }
    inputs.push(input);
  }
  const sources = inventory.sourceList();
  const all = profiles.all();
  const results = options.rules.map((rule) => assessRule(rule, all));
  const hostGaps = [...perHost].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([host, h]) => [host, findGaps(h.telemetry, h.totals)] as const);
  const gaps = mergeHostGaps(findGaps(telemetry, sourceTotals), hostGaps);
  for (const g of gaps) g.rules = results.filter((r) => blockedBy(g, r)).map((r) => r.title);
  const hosts = inventory.hostList();
  const times = hosts.flatMap((h) => [h.first, h.last]).filter((x): x is string => x !== null).sort();
  const sum = (k: 'read' | 'parsed' | 'rejected' | 'errors' | 'warnings'): number => inputs.reduce((a, i) => a + i[k], 0);
  return {
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    totals: {
      inputs: inputs.length,
      readable: inputs.filter((i) => i.parsed > 0).length,
      read: sum('read'),
      parsed: sum('parsed'),
      rejected: sum('rejected'),
      errors: sum('errors'),
      warnings: sum('warnings'),
      hosts: hosts.length,
      first: times[0] ?? null,
      last: times[times.length - 1] ?? null,
      unprofiled: profiles.eventsUnprofiled,
      hostsMerged: inventory.hostsMergedEvents,
    },
    inputs,
    hosts,
    sources,
    telemetry,
    rules: {
      loaded: results.length,
      canFire: results.filter((r) => r.status === 'can-fire').length,
      partial: results.filter((r) => r.status === 'partial').length,
      cannotFire: results.filter((r) => r.status === 'cannot-fire').length,
      results,
      skipped: [...(options.skipped ?? [])],
    },
    gaps,
  };
}
