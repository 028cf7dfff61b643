// The part of a scan that sees every match in order, whichever thread found it: counting, the
// postprocessor (incidents), correlation input, held findings, and the summary. Reading and
// matching happen in scan units (scan-units.ts), here or in worker threads.

import type { Event } from '../events/model.js';
import { TableSet } from '../events/normalize.js';
import { DEFAULT_TABLES } from '../events/tables/index.js';
import { RULE_LEVELS } from '../sigma/rule.js';
import type { ReadOptions } from '../sources/index.js';
import type { SourceDiagnostic, SourceSummary } from '../sources/types.js';
import type { CompiledRule } from './compile.js';
import { checkCorrelationReferences, CorrelationEngine, type RuleRef } from './correlate.js';
import { applyFilters } from './filters.js';
import { correlationFinding, levelRank, makeFinding } from './finding-make.js';
import type { Finding } from './finding.js';
import { RuleIndex } from './index-rules.js';
import { headerPrefilter } from './prefilter.js';
import { EventResolver } from './resolve-event.js';
import type { ScanOptions, ScanSummary } from './scan.js';

/** Base matches kept for correlations (each holds its event). */
const MAX_PENDING_CORRELATION_MATCHES = 1_000_000;

export function refOf(rule: CompiledRule): RuleRef {
  return { id: rule.rule.id, name: rule.rule.name, title: rule.rule.title };
}

export class ScanCore {
  readonly rules: readonly CompiledRule[];
  readonly index: RuleIndex;
  readonly tables: TableSet;
  /** Read options with the prefilter added. */
  readonly read: ReadOptions;
  readonly scope: ((e: Event) => boolean) | null;
  /** Categories the postprocessor observes (null: every event). */
  readonly wanted: ReadonlySet<string> | null;
  readonly summary: ScanSummary;
  private readonly options: ScanOptions;
  private readonly corr: CorrelationEngine | null;
  private readonly reports = new Map<CompiledRule, boolean>();
  private readonly corrWants = new Map<CompiledRule, boolean>();
  private readonly pending: { rule: CompiledRule; event: Event; seq: number }[] = [];
  private readonly held: Finding[] = [];
  private readonly min: number;
  private nextProgress = 4096;

  constructor(options: ScanOptions) {
    this.options = options;
    this.tables = options.tables ?? new TableSet(DEFAULT_TABLES);
    const filtered = applyFilters(options.rules, options.filters ?? []);
    this.rules = filtered.rules;
    this.index = new RuleIndex(this.rules);
    const correlations = options.correlations ?? [];
    this.corr = correlations.length > 0 ? new CorrelationEngine(correlations) : null;
    this.min = options.minLevel === undefined ? -1 : levelRank(options.minLevel);
    this.scope = eventScope(options);
    const post = options.postprocess;
    this.wanted = post === undefined ? new Set() : (post.categories ?? null);
    const accept = options.prefilter === false ? null : headerPrefilter(this.index, this.tables, this.wanted);
    this.read = accept === null ? (options.read ?? {}) : { ...options.read, evtx: { ...options.read?.evtx, accept } };
    this.summary = {
      inputs: 0,
      readable: 0,
      events: 0,
      prefiltered: 0,
      rejected: 0,
      readErrors: 0,
      outOfScope: 0,
      rulesLoaded: this.rules.length + correlations.length,
      rulesSkipped: [...(options.skipped ?? [])],
      filters: options.filters?.length ?? 0,
      filteredRules: filtered.applied.size,
      correlations: correlations.length,
      ruleIssues: [
        ...filtered.issues.map((i) => `${i.file}:${i.pos.line}:${i.pos.column}: [${i.code}] ${i.message}`),
        ...checkCorrelationReferences(correlations, this.rules.map((r) => refOf(r))).map((i) => `${i.file}:${i.pos.line}:${i.pos.column}: [${i.code}] ${i.message}`),
      ],
      findings: 0,
      findingsByLevel: Object.fromEntries([...RULE_LEVELS, 'none'].map((l) => [l, 0])),
      findingsByKind: { match: 0, correlation: 0, incident: 0 },
      absorbed: 0,
      correlationMatchesDropped: 0,
      threads: 1,
      elapsedMs: 0,
      sources: [],
    };
    // Per rule: whether its own matches are output (correlations without `generate` hide them).
    for (const r of this.rules) this.reports.set(r, this.corr === null || this.corr.reportsBaseMatches(refOf(r)));
    for (const r of this.rules) this.corrWants.set(r, this.corr !== null && this.corr.wants(refOf(r)));
  }

  /** The rules that match an event, in rule order. */
  matchesOf(event: Event): CompiledRule[] {
    const out: CompiledRule[] = [];
    for (const rule of this.index.candidates(event)) if (rule.matches(event)) out.push(rule);
    return out;
  }

  /** Whether the postprocessor wants to see this event (matched or not). */
  observes(event: Event): boolean {
    return this.wanted === null || (event.category !== null && this.wanted.has(event.category));
  }

  /** An in-scope event and the rules it matched; returns the findings to output now. */
  event(event: Event, matched: readonly CompiledRule[]): Finding[] {
    const post = this.options.postprocess;
    if (post !== undefined && this.observes(event)) post.observe(event);
    const out: Finding[] = [];
    for (const rule of matched) {
      const f = makeFinding(rule, event, this.options.raw === true);
      if (this.corr !== null && this.corrWants.get(rule) === true) {
        // Fed in time order at the end: inputs (Sysmon, Security, …) overlap in time.
        if (this.pending.length < MAX_PENDING_CORRELATION_MATCHES) this.pending.push({ rule, event, seq: this.pending.length });
        else this.summary.correlationMatchesDropped++;
      }
      if (this.reports.get(rule) !== true) continue;
      post?.addMatch(f, event);
      if (post !== undefined && (post.holds?.(f) ?? true)) this.held.push(f);
      else if (this.count(f)) out.push(f);
    }
    return out;
  }

  diagnostic(d: SourceDiagnostic): void {
    if (d.severity === 'error') this.summary.readErrors++;
    this.options.onDiagnostic?.(d);
  }

  /** Events read (and left out of scope) since the last call. */
  tally(events: number, outOfScope: number, input: number, inputs: number, path: string): void {
    this.summary.events += events;
    this.summary.outOfScope += outOfScope;
    if (this.summary.events >= this.nextProgress) {
      this.nextProgress = (Math.floor(this.summary.events / 4096) + 1) * 4096;
      this.progress(input, inputs, path);
    }
  }

  progress(input: number, inputs: number, path: string): void {
    this.options.onProgress?.({ input, inputs, path, events: this.summary.events, findings: this.summary.findings });
  }

  sourceDone(s: SourceSummary): void {
    this.summary.sources.push(s);
    this.summary.rejected += s.rejected;
    this.summary.prefiltered += s.prefiltered;
    this.summary.events += s.prefiltered;
    if (s.records + s.recovered + s.prefiltered > 0) this.summary.readable++;
  }

  /** Correlations over the base matches, then the postprocessor's verdicts on held findings. */
  *finish(): Generator<Finding> {
    const corr = this.corr;
    if (corr !== null) {
      this.pending.sort((a, b) => compareTime(a.event.time, b.event.time) || a.seq - b.seq);
      for (const p of this.pending) {
        for (const c of corr.push(refOf(p.rule), p.event)) {
          const cf = correlationFinding(c, this.options.raw === true);
          if (this.count(cf)) yield cf;
        }
      }
      const st = corr.stats();
      this.summary.correlationMatchesDropped += st.lateDropped + st.droppedWindowEvents;
    }
    const post = this.options.postprocess;
    if (post === undefined) return;
    const resolver = new EventResolver(this.tables);
    const result = post.finish((e) => resolver.resolve(e));
    const out: Finding[] = [];
    for (const f of this.held) {
      if (result.absorbed.has(f.id)) {
        this.summary.absorbed++;
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
    for (const f of out) if (this.count(f)) yield f;
  }

  private count(f: Finding): boolean {
    if (levelRank(f.level) < this.min) return false;
    const s = this.summary;
    s.findings++;
    s.findingsByLevel[f.level ?? 'none'] = (s.findingsByLevel[f.level ?? 'none'] ?? 0) + 1;
    s.findingsByKind[f.kind] = (s.findingsByKind[f.kind] ?? 0) + 1;
    return true;
  }
}

/** Orders ISO times; events without a time first. */
function compareTime(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

/** The --from/--to/--host test, or null when every event is in scope. */
export function eventScope(o: { from?: string | undefined; to?: string | undefined; hosts?: readonly string[] | undefined }): ((e: Event) => boolean) | null {
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
