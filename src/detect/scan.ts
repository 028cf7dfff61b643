// Scanning inputs with compiled rules: every input read through `readSource`, every record
// normalised, tested against the rules the index says can match it, one finding per match.

import { createHash } from 'node:crypto';
import type { Fields, FieldValue } from '../events/fields.js';
import type { Finding, FindingEvent, FindingRule, RiskFactor, Triage } from './finding.js';
import type { Event } from '../events/model.js';
import { normalize, TableSet } from '../events/normalize.js';
import { DEFAULT_TABLES } from '../events/tables/index.js';
import { RULE_LEVELS, type SigmaCorrelation, type SigmaFilter, type SigmaLevel, type SigmaMetadata } from '../sigma/rule.js';
import { readSource, type ReadOptions } from '../sources/index.js';
import type { SourceDiagnostic, SourceSummary } from '../sources/types.js';
import type { CompiledRule } from './compile.js';
import { RuleIndex } from './index-rules.js';
import { applyFilters } from './filters.js';
import { checkCorrelationReferences, CorrelationEngine, type CorrelationFinding, type RuleRef } from './correlate.js';

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
  /** Events left out by --from/--to/--host (read, not matched). */
  outOfScope: number;
  rulesLoaded: number;
  rulesSkipped: SkippedRule[];
  /** Filter documents loaded, and the rules they changed. */
  filters: number;
  filteredRules: number;
  correlations: number;
  /** Problems with filters and correlations (unknown rules, logsource mismatches, …), located. */
  ruleIssues: string[];
  findings: number;
  findingsByLevel: Record<string, number>;
  /** Findings by kind: match, correlation, incident. */
  findingsByKind: Record<string, number>;
  /** Match findings folded into incidents (not output on their own). */
  absorbed: number;
  /** Base matches a correlation could not use: past the cap, or dropped from full windows. */
  correlationMatchesDropped: number;
  elapsedMs: number;
  sources: SourceSummary[];
}

/** Something that watches the whole scan and adds findings at its end (incidents). */
export interface ScanPostprocessor {
  /** Every event in scope, in read order. */
  observe(event: Event): void;
  /** Every match finding, with its event. */
  addMatch(finding: Finding, event: Event): void;
  /** Whether a match finding must wait for `finish` (it may be folded into an incident or re-rated); default: all. */
  holds?(finding: Finding): boolean;
  finish(): PostprocessResult;
}

export interface PostprocessResult {
  incidents: Finding[];
  /** Ids of held match findings folded into an incident. */
  absorbed: ReadonlySet<string>;
  /** New level, risk factors and triage for held findings that stay on their own. */
  enriched: ReadonlyMap<string, { level: SigmaLevel | null; factors: RiskFactor[]; triage?: Triage }>;
}

export interface ScanOptions {
  rules: readonly CompiledRule[];
  /** Sigma filter documents, applied to `rules` before the scan. */
  filters?: readonly SigmaFilter[];
  /** Sigma correlation rules over the base rules' matches. */
  correlations?: readonly SigmaCorrelation[];
  postprocess?: ScanPostprocessor;
  /** Load errors and unsupported rules, passed through to the summary. */
  skipped?: readonly SkippedRule[];
  read?: ReadOptions;
  tables?: TableSet;
  /** Include the original fields of each event. */
  raw?: boolean;
  /** Findings below this level are not yielded (nor counted). */
  minLevel?: SigmaLevel;
  /** Only events at or after / before this time (ISO 8601); events without a time are out of scope when either is set. */
  from?: string;
  to?: string;
  /** Only events of these hosts (case-insensitive; `*` wildcards). */
  hosts?: readonly string[];
  /** Called for every reader diagnostic (errors and warnings). */
  onDiagnostic?: (d: SourceDiagnostic) => void;
  /** Called when an input starts and every 4,096 events. */
  onProgress?: (p: ScanProgress) => void;
}

export interface ScanProgress {
  /** 1-based index of the current input, and how many there are. */
  input: number;
  inputs: number;
  path: string;
  /** Events read so far, in all inputs. */
  events: number;
  findings: number;
}

/** Base matches kept for correlations (each holds its event). */
const MAX_PENDING_CORRELATION_MATCHES = 1_000_000;

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
    rule: findingRule(rule.rule),
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

/** The rule (or correlation) metadata a finding carries. */
export function findingRule(r: SigmaMetadata): FindingRule {
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
  const filtered = applyFilters(options.rules, options.filters ?? []);
  const rules = filtered.rules;
  const index = new RuleIndex(rules);
  const correlations = options.correlations ?? [];
  const corr = correlations.length > 0 ? new CorrelationEngine(correlations) : null;
  const post = options.postprocess;
  const min = options.minLevel === undefined ? -1 : levelRank(options.minLevel);
  const scope = eventScope(options);
  const summary: ScanSummary = {
    inputs: 0,
    readable: 0,
    events: 0,
    rejected: 0,
    readErrors: 0,
    outOfScope: 0,
    rulesLoaded: rules.length + correlations.length,
    rulesSkipped: [...(options.skipped ?? [])],
    filters: options.filters?.length ?? 0,
    filteredRules: filtered.applied.size,
    correlations: correlations.length,
    ruleIssues: [
      ...filtered.issues.map((i) => `${i.file}:${i.pos.line}:${i.pos.column}: [${i.code}] ${i.message}`),
      ...checkCorrelationReferences(correlations, rules.map((r) => refOf(r))).map((i) => `${i.file}:${i.pos.line}:${i.pos.column}: [${i.code}] ${i.message}`),
    ],
    findings: 0,
    findingsByLevel: Object.fromEntries([...RULE_LEVELS, 'none'].map((l) => [l, 0])),
    findingsByKind: { match: 0, correlation: 0, incident: 0 },
    absorbed: 0,
    correlationMatchesDropped: 0,
    elapsedMs: 0,
    sources: [],
  };
  // Per rule: whether its own matches are output (correlations without `generate` hide them).
  const reports = new Map<CompiledRule, boolean>();
  for (const r of rules) reports.set(r, corr === null || corr.reportsBaseMatches(refOf(r)));
  const corrWants = new Map<CompiledRule, boolean>();
  for (const r of rules) corrWants.set(r, corr !== null && corr.wants(refOf(r)));
  const pending: { rule: CompiledRule; event: Event; seq: number }[] = [];
  const held: Finding[] = [];
  const count = (f: Finding): boolean => {
    if (levelRank(f.level) < min) return false;
    summary.findings++;
    summary.findingsByLevel[f.level ?? 'none'] = (summary.findingsByLevel[f.level ?? 'none'] ?? 0) + 1;
    summary.findingsByKind[f.kind] = (summary.findingsByKind[f.kind] ?? 0) + 1;
    return true;
  };
  let input = 0;
  for (const path of paths) {
    summary.inputs++;
    input++;
    options.onProgress?.({ input, inputs: paths.length, path, events: summary.events, findings: summary.findings });
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
      if ((summary.events & 4095) === 0) options.onProgress?.({ input, inputs: paths.length, path, events: summary.events, findings: summary.findings });
      const event = normalize(item.record, tables);
      if (scope !== null && !scope(event)) {
        summary.outOfScope++;
        continue;
      }
      post?.observe(event);
      for (const rule of index.candidates(event)) {
        if (!rule.matches(event)) continue;
        const f = makeFinding(rule, event, options.raw === true);
        if (corr !== null && corrWants.get(rule) === true) {
          // Fed in time order at the end: inputs (Sysmon, Security, …) overlap in time.
          if (pending.length < MAX_PENDING_CORRELATION_MATCHES) pending.push({ rule, event, seq: pending.length });
          else summary.correlationMatchesDropped++;
        }
        if (reports.get(rule) !== true) continue;
        post?.addMatch(f, event);
        if (post !== undefined && (post.holds?.(f) ?? true)) held.push(f);
        else if (count(f)) yield f;
      }
    }
    if (records > 0) summary.readable++;
  }
  if (corr !== null) {
    pending.sort((a, b) => compareTime(a.event.time, b.event.time) || a.seq - b.seq);
    for (const p of pending) {
      for (const c of corr.push(refOf(p.rule), p.event)) {
        const cf = correlationFinding(c, options.raw === true);
        if (count(cf)) yield cf;
      }
    }
    const st = corr.stats();
    summary.correlationMatchesDropped += st.lateDropped + st.droppedWindowEvents;
  }
  if (post !== undefined) {
    const result = post.finish();
    const out: Finding[] = [];
    for (const f of held) {
      if (result.absorbed.has(f.id)) {
        summary.absorbed++;
        continue;
      }
      const e = result.enriched.get(f.id);
      if (e !== undefined) {
        f.level = e.level;
        f.factors = e.factors;
        if (e.triage !== undefined) f.triage = e.triage;
      }
      out.push(f);
    }
    out.push(...result.incidents);
    out.sort((a, b) => (a.timestamp ?? '').localeCompare(b.timestamp ?? ''));
    for (const f of out) if (count(f)) yield f;
  }
  summary.elapsedMs = Math.round(performance.now() - start);
  return summary;
}

/** Orders ISO times; events without a time first. */
function compareTime(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

function refOf(rule: CompiledRule): RuleRef {
  return { id: rule.rule.id, name: rule.rule.name, title: rule.rule.title };
}

/** The --from/--to/--host test, or null when every event is in scope. */
function eventScope(o: ScanOptions): ((e: Event) => boolean) | null {
  const from = o.from === undefined ? null : Date.parse(o.from);
  const to = o.to === undefined ? null : Date.parse(o.to);
  const hosts = o.hosts === undefined || o.hosts.length === 0 ? null : o.hosts.map(hostPattern);
  if (from === null && to === null && hosts === null) return null;
  return (e) => {
    if (from !== null || to !== null) {
      const t = e.time === null ? NaN : Date.parse(e.time);
      if (!Number.isFinite(t)) return false;
      if (from !== null && t < from) return false;
      if (to !== null && t > to) return false;
    }
    if (hosts !== null) {
      const h = e.host ?? '';
      if (!hosts.some((re) => re.test(h))) return false;
    }
    return true;
  };
}

function hostPattern(glob: string): RegExp {
  const body = glob
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 'i');
}

function correlationFinding(c: CorrelationFinding, withRaw: boolean): Finding {
  const r = c.correlation;
  const group = Object.create(null) as Record<string, string | null>;
  for (const [k, v] of c.group) group[k] = v;
  const events: FindingEvent[] = c.events.map(({ rule, event }) => {
    const ev: FindingEvent = { source: event.origin, fields: plain(event.fields), role: rule };
    if (withRaw) ev.raw = plain(event.raw);
    return ev;
  });
  const host = c.events.find((e) => e.event.host !== null)?.event.host ?? null;
  const rule = findingRule(r);
  return {
    id: createHash('sha256')
      .update(`${r.id ?? r.file + '#' + r.document}\u0000${c.firstTime}\u0000${[...c.group.values()].join('\u0001')}`)
      .digest('hex')
      .slice(0, 32),
    kind: 'correlation',
    rule,
    level: r.level ?? null,
    timestamp: c.firstTime,
    host,
    events,
    techniques: techniquesOf(r.tags),
    group,
    value: c.value,
    eventCount: c.eventCount,
  };
}
