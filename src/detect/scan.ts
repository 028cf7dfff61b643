// Scanning inputs with compiled rules: every input read through `readSource`, every record
// normalised, tested against the rules the index says can match it, one finding per match.

import { createHash } from 'node:crypto';
import type { Fields, FieldValue } from '../events/fields.js';
import type { Finding, FindingEvent, FindingRule, Triage } from './finding.js';
import type { Event } from '../events/model.js';
import { normalize, TableSet } from '../events/normalize.js';
import type { Origin } from '../events/origin.js';
import { DEFAULT_TABLES } from '../events/tables/index.js';
import { RULE_LEVELS, type SigmaLevel } from '../sigma/rule.js';
import { readSource, type ReadOptions } from '../sources/index.js';
import type { SourceDiagnostic, SourceSummary } from '../sources/types.js';
import type { CompiledRule } from './compile.js';
import { RuleIndex } from './index-rules.js';

export type { Finding, FindingEvent } from './finding.js';

export interface SkippedRule {
  file: string;
  id: string | null;
  title: string | null;
  reason: string;
}

export interface ScanSummary {
  inputs: number;
  /** Inputs that yielded at least one record. */
  readable: number;
  events: number;
  rejected: number;
  readErrors: number;
  rulesLoaded: number;
  rulesSkipped: SkippedRule[];
  findings: number;
  findingsByLevel: Record<string, number>;
  elapsedMs: number;
  sources: SourceSummary[];
}

export interface ScanOptions {
  rules: readonly CompiledRule[];
  /** Load errors and unsupported rules, passed through to the summary. */
  skipped?: readonly SkippedRule[];
  read?: ReadOptions;
  tables?: TableSet;
  /** Include the original fields of each event. */
  raw?: boolean;
  /** Findings below this level are not yielded (nor counted). */
  minLevel?: SigmaLevel;
  /** Called for every reader diagnostic (errors and warnings). */
  onDiagnostic?: (d: SourceDiagnostic) => void;
}

function plain(f: Fields): Record<string, FieldValue> {
  // A null-prototype object: names come from logs.
  const o = Object.create(null) as Record<string, FieldValue>;
  for (const [k, v] of f.entries()) o[k] = v;
  return o;
}

export function levelRank(level: SigmaLevel | null | undefined): number {
  return level == null ? -1 : RULE_LEVELS.indexOf(level);
}

function findingId(rule: CompiledRule, event: Event): string {
  const o = event.origin;
  return createHash('sha256')
    .update(`${rule.rule.id ?? rule.rule.file + '#' + rule.rule.document}\u0000${o.path}\u0000${o.recordId ?? ''}\u0000${o.line ?? ''}\u0000${o.offset ?? ''}`)
    .digest('hex')
    .slice(0, 32);
}

export function makeFinding(rule: CompiledRule, event: Event, withRaw: boolean): Finding {
  const r = rule.rule;
  const ev: FindingEvent = { source: event.origin, fields: plain(event.fields) };
  if (withRaw) ev.raw = plain(event.raw);
  const f: Finding = {
    id: findingId(rule, event),
    kind: 'match',
    rule: findingRule(rule),
    level: r.level ?? null,
    timestamp: event.time,
    host: event.host,
    events: [ev],
    techniques: techniquesOf(r.tags),
  };
  const triage = triageOf(rule);
  if (triage !== null) f.triage = triage;
  return f;
}

/** ATT&CK technique ids from Sigma tags (`attack.t1218.003` → `T1218.003`), in tag order. */
export function techniquesOf(tags: readonly string[]): string[] {
  const out: string[] = [];
  for (const t of tags) {
    const m = /^attack\.(t\d{4}(?:\.\d{3})?)$/i.exec(t);
    if (m !== null && !out.includes(m[1]!.toUpperCase())) out.push(m[1]!.toUpperCase());
  }
  return out;
}

export function findingRule(rule: CompiledRule): FindingRule {
  const r = rule.rule;
  const out: FindingRule = { id: r.id ?? null, title: r.title, level: r.level ?? null, tags: [...r.tags] };
  if (r.description !== undefined) out.description = r.description;
  if (r.falsepositives.length > 0) out.falsepositives = [...r.falsepositives];
  if (r.references.length > 0) out.references = [...r.references];
  return out;
}

/** A rule's custom `triage` attribute (`next`, `tuning`: lists of strings), when well formed. */
export function triageOf(rule: CompiledRule): Triage | null {
  const t = rule.rule.custom.get('triage');
  if (t === null || typeof t !== 'object' || Array.isArray(t)) return null;
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const o = t as Record<string, unknown>;
  const next = strings(o['next']);
  const tuning = strings(o['tuning']);
  return next.length + tuning.length === 0 ? null : { next, tuning };
}

/** Scans `paths` (files or `-`), yielding findings; returns the summary. */
export async function* scan(paths: readonly string[], options: ScanOptions): AsyncGenerator<Finding, ScanSummary> {
  const start = performance.now();
  const tables = options.tables ?? new TableSet(DEFAULT_TABLES);
  const index = new RuleIndex(options.rules);
  const min = options.minLevel === undefined ? -1 : levelRank(options.minLevel);
  const summary: ScanSummary = {
    inputs: 0,
    readable: 0,
    events: 0,
    rejected: 0,
    readErrors: 0,
    rulesLoaded: options.rules.length,
    rulesSkipped: [...(options.skipped ?? [])],
    findings: 0,
    findingsByLevel: Object.fromEntries([...RULE_LEVELS, 'none'].map((l) => [l, 0])),
    elapsedMs: 0,
    sources: [],
  };
  for (const path of paths) {
    summary.inputs++;
    const it = readSource(path, options.read ?? {});
    let records = 0;
    for (;;) {
      const r = await it.next();
      if (r.done === true) {
        summary.sources.push(r.value);
        summary.rejected += r.value.rejected;
        break;
      }
      const item = r.value;
      if (!item.ok) {
        if (item.diagnostic.severity === 'error') summary.readErrors++;
        options.onDiagnostic?.(item.diagnostic);
        continue;
      }
      records++;
      summary.events++;
      const event = normalize(item.record, tables);
      for (const rule of index.candidates(event)) {
        if (levelRank(rule.rule.level) < min) continue;
        if (!rule.matches(event)) continue;
        const f = makeFinding(rule, event, options.raw === true);
        summary.findings++;
        summary.findingsByLevel[f.level ?? 'none'] = (summary.findingsByLevel[f.level ?? 'none'] ?? 0) + 1;
        yield f;
      }
    }
    if (records > 0) summary.readable++;
  }
  summary.elapsedMs = Math.round(performance.now() - start);
  return summary;
}
