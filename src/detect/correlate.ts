// A streaming Sigma correlation engine: fed base-rule matches (rule, event), emits correlation
// findings.
//
// Semantics (each choice is pinned by a test in test/detect-correlate.test.ts):
// - Window: sliding, per group. When an event at time t arrives, the group's window holds its
//   events with time >= t - timespan (inclusive: an event exactly `timespan` seconds older still
//   counts). The condition is evaluated at every event that enters a group; when it holds a
//   finding is emitted and the group is reset, so one burst gives one finding and the next
//   finding needs a fresh qualifying set. Conditions are therefore "at some event, the window's
//   aggregate satisfied the test" (an `lt` condition holds from the first event).
// - group-by: values read from `event.fields`, then `event.raw`; an alias (see `aliases`) is
//   resolved per rule. A missing field is its own group value (null, distinct from ''), so
//   events lacking the field correlate with each other; SIEM `stats … by` backends drop them.
// - value_count counts distinct non-null values (as text) of the condition field(s); value_sum,
//   value_avg and value_percentile use values that parse as finite numbers, others are ignored;
//   with no numeric value the test is false. Several condition fields are ANDed (spec).
// - value_percentile: `condition.percentile` (default 50, the median) computed by linear
//   interpolation between closest ranks (numpy's default, R-7), then compared with the test.
// - temporal: the number of distinct referenced rules in the window (default test: all of them);
//   a string condition (pySigma extension) is evaluated over "rule matched in the window".
//   temporal_ordered: the length of the longest prefix of `rules` found in time order (ties in
//   arrival order) within the window; default test: all of them.
// - generate: `reportsBaseMatches(rule)` says whether a base rule's own matches are output: true
//   when no correlation references it, or one that references it has `generate: true`.
// - Order: events are processed in the order given and should come in time order (the scan
//   feeds the matches it keeps for correlations sorted by time, after all inputs). A late event (older than the newest time the engine has seen) is inserted
//   at its time position in its group when it is still inside that group's window, otherwise
//   dropped and counted (`stats().lateDropped`). Events without a parsable time are counted
//   (`untimed`) and ignored.
// - Bounds: windows are trimmed by time; groups idle for longer than the timespan are dropped;
//   at most `maxGroups` open groups per correlation (the least recently updated is evicted and
//   counted) and `maxEventsPerGroup` events per window (the oldest dropped and counted).
//   A finding keeps the first `maxFindingEvents` contributing events and the total count.
// - Chained correlations (a correlation referencing another correlation) are not evaluated;
//   `checkCorrelationReferences` reports them and references to rules that are not loaded.

import type { FieldScalar, FieldValue } from '../events/fields.js';
import type { Event } from '../events/model.js';
import { resolveSelector, type ConditionNode } from '../sigma/condition.js';
import type { SourcePos } from '../sigma/errors.js';
import type { SigmaCorrelation, SigmaCorrelationOperator } from '../sigma/rule.js';

/** The base rule a match came from: its id and/or name, as correlations reference them. */
export interface RuleRef {
  id?: string | undefined;
  name?: string | undefined;
  title?: string | undefined;
}

export interface CorrelationOptions {
  /** Open groups per correlation (default 10,000). */
  maxGroups?: number;
  /** Events kept in one group's window (default 10,000). */
  maxEventsPerGroup?: number;
  /** Contributing events kept in a finding (default 100). */
  maxFindingEvents?: number;
}

export interface ContributingEvent {
  /** The referenced name the rule matched under (the correlation's `rules` entry). */
  rule: string;
  event: Event;
}

export interface CorrelationFinding {
  correlation: SigmaCorrelation;
  /** group-by name → value (null when the event lacks the field), in group-by order. */
  group: Map<string, string | null>;
  /** The aggregate the condition tested (count, distinct count, sum, average, percentile, rules). */
  value: number;
  firstTime: string;
  lastTime: string;
  /** The first `maxFindingEvents` contributing events, in time order. */
  events: ContributingEvent[];
  /** How many events contributed in all. */
  eventCount: number;
}

/** A correlation `rules` entry the engine cannot feed, located in the correlation's file. */
export interface CorrelationIssue {
  code: 'unknown-rule' | 'chained-correlation';
  message: string;
  correlation: string;
  file: string;
  pos: SourcePos;
}

/**
 * Checks every correlation's `rules` entries against the loaded base rules (by id or name): an
 * entry naming another correlation is reported as `chained-correlation` (not evaluated), one
 * naming nothing as `unknown-rule`.
 */
export function checkCorrelationReferences(correlations: readonly SigmaCorrelation[], rules: readonly RuleRef[]): CorrelationIssue[] {
  const issues: CorrelationIssue[] = [];
  for (const c of correlations) {
    for (const ref of c.rules) {
      if (rules.some((r) => r.id === ref || r.name === ref)) continue;
      const chained = correlations.some((o) => o.id === ref || o.name === ref);
      issues.push({
        code: chained ? 'chained-correlation' : 'unknown-rule',
        message: chained
          ? `correlation '${c.title}' references correlation '${ref}': chained correlations are not evaluated`
          : `correlation '${c.title}' references rule '${ref}', which is not loaded`,
        correlation: c.title,
        file: c.file,
        pos: c.pos,
      });
    }
  }
  return issues;
}

export interface CorrelationStats {
  evictedGroups: number;
  droppedWindowEvents: number;
  lateDropped: number;
  untimed: number;
  openGroups: number;
}

interface Entry {
  ms: number;
  seq: number;
  ruleIndex: number;
  event: Event;
}

interface Group {
  key: Map<string, string | null>;
  entries: Entry[];
  newest: number;
}

interface CorrState {
  corr: SigmaCorrelation;
  spanMs: number;
  groups: Map<string, Group>;
}

function scalarText(v: FieldScalar): string | null {
  if (v === null) return null;
  return typeof v === 'string' ? v : String(v);
}

function valueText(v: FieldValue | undefined): string | null {
  if (v === undefined || v === null) return null;
  if (Array.isArray(v)) return JSON.stringify((v as readonly FieldScalar[]).map(scalarText));
  return scalarText(v as FieldScalar);
}

function fieldOf(event: Event, name: string): FieldValue | undefined {
  const v = event.fields.get(name);
  return v !== undefined ? v : event.raw.get(name);
}

function numbersOf(v: FieldValue | undefined): number[] {
  if (v === undefined || v === null) return [];
  const xs = Array.isArray(v) ? (v as readonly FieldScalar[]) : [v as FieldScalar];
  const out: number[] = [];
  for (const x of xs) {
    if (typeof x === 'number') {
      if (Number.isFinite(x)) out.push(x);
    } else if (typeof x === 'string' && x.trim() !== '') {
      const n = Number(x);
      if (Number.isFinite(n)) out.push(n);
    }
  }
  return out;
}

/** Linear interpolation between closest ranks (numpy default, R-7); p in [0, 100]. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const xs = [...values].sort((a, b) => a - b);
  const h = (xs.length - 1) * (Math.min(100, Math.max(0, p)) / 100);
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  const a = xs[lo]!;
  const b = xs[hi]!;
  return a + (b - a) * (h - lo);
}

export function testOp(op: SigmaCorrelationOperator, x: number, v: number): boolean {
  switch (op) {
    case 'gt':
      return x > v;
    case 'gte':
      return x >= v;
    case 'lt':
      return x < v;
    case 'lte':
      return x <= v;
    case 'eq':
      return x === v;
    case 'neq':
      return x !== v;
  }
}

function parseTime(t: string | null): number | null {
  if (t === null) return null;
  const ms = Date.parse(t);
  return Number.isFinite(ms) ? ms : null;
}

export class CorrelationEngine {
  private readonly states: CorrState[];
  private readonly maxGroups: number;
  private readonly maxEventsPerGroup: number;
  private readonly maxFindingEvents: number;
  private clock = -Infinity;
  private seq = 0;
  private readonly counters = { evictedGroups: 0, droppedWindowEvents: 0, lateDropped: 0, untimed: 0 };

  constructor(correlations: readonly SigmaCorrelation[], options: CorrelationOptions = {}) {
    this.states = correlations.map((corr) => ({ corr, spanMs: corr.timespanSeconds * 1000, groups: new Map() }));
    this.maxGroups = Math.max(1, options.maxGroups ?? 10_000);
    this.maxEventsPerGroup = Math.max(1, options.maxEventsPerGroup ?? 10_000);
    this.maxFindingEvents = Math.max(0, options.maxFindingEvents ?? 100);
  }

  /** Whether a base rule's own matches should be output (see `generate`). */
  reportsBaseMatches(rule: RuleRef): boolean {
    let referenced = false;
    for (const { corr } of this.states) {
      if (ruleIndex(corr, rule) < 0) continue;
      if (corr.generate) return true;
      referenced = true;
    }
    return !referenced;
  }

  /** Whether any correlation references the rule (the scan need only feed those matches). */
  wants(rule: RuleRef): boolean {
    return this.states.some((s) => ruleIndex(s.corr, rule) >= 0);
  }

  /** Feeds one base-rule match; returns the correlation findings it completes. */
  push(rule: RuleRef, event: Event): CorrelationFinding[] {
    const ms = parseTime(event.time);
    if (ms === null) {
      if (this.wants(rule)) this.counters.untimed++;
      return [];
    }
    if (ms > this.clock) this.clock = ms;
    const seq = this.seq++;
    const out: CorrelationFinding[] = [];
    for (const st of this.states) {
      const idx = ruleIndex(st.corr, rule);
      if (idx < 0) continue;
      this.sweep(st);
      const finding = this.add(st, idx, event, ms, seq);
      if (finding !== null) out.push(finding);
    }
    return out;
  }

  stats(): CorrelationStats {
    let openGroups = 0;
    for (const st of this.states) openGroups += st.groups.size;
    return { ...this.counters, openGroups };
  }

  /** Drops groups idle for longer than the timespan (the map is in least-recently-updated order). */
  private sweep(st: CorrState): void {
    for (const [k, g] of st.groups) {
      if (g.newest >= this.clock - st.spanMs) break;
      st.groups.delete(k);
    }
  }

  private add(st: CorrState, idx: number, event: Event, ms: number, seq: number): CorrelationFinding | null {
    const corr = st.corr;
    const refName = corr.rules[idx]!;
    const key = new Map<string, string | null>();
    for (const g of corr.groupBy) key.set(g, valueText(fieldOf(event, resolveField(corr, g, refName))));
    const keyText = JSON.stringify([...key.values()]);
    let group = st.groups.get(keyText);
    if (group === undefined) {
      if (ms < this.clock - st.spanMs) {
        this.counters.lateDropped++;
        return null;
      }
      group = { key, entries: [], newest: ms };
      if (st.groups.size >= this.maxGroups) {
        const oldest = st.groups.keys().next();
        if (oldest.done !== true) {
          st.groups.delete(oldest.value);
          this.counters.evictedGroups++;
        }
      }
    } else {
      st.groups.delete(keyText); // re-inserted below: most recently updated last
      if (ms < group.newest - st.spanMs) {
        st.groups.set(keyText, group);
        this.counters.lateDropped++;
        return null;
      }
    }
    st.groups.set(keyText, group);
    const entry: Entry = { ms, seq, ruleIndex: idx, event };
    const es = group.entries;
    if (es.length === 0 || es[es.length - 1]!.ms <= ms) es.push(entry);
    else {
      let i = es.length;
      while (i > 0 && es[i - 1]!.ms > ms) i--;
      es.splice(i, 0, entry);
    }
    if (ms > group.newest) group.newest = ms;
    // Trim by time, then by size.
    const from = group.newest - st.spanMs;
    let drop = 0;
    while (drop < es.length && es[drop]!.ms < from) drop++;
    if (es.length - drop > this.maxEventsPerGroup) {
      const extra = es.length - drop - this.maxEventsPerGroup;
      this.counters.droppedWindowEvents += extra;
      drop += extra;
    }
    if (drop > 0) es.splice(0, drop);
    const value = evaluate(corr, es);
    if (value === null) return null;
    const finding: CorrelationFinding = {
      correlation: corr,
      group: group.key,
      value,
      firstTime: es[0]!.event.time!,
      lastTime: es[es.length - 1]!.event.time!,
      events: es.slice(0, this.maxFindingEvents).map((e) => ({ rule: corr.rules[e.ruleIndex]!, event: e.event })),
      eventCount: es.length,
    };
    st.groups.delete(keyText);
    return finding;
  }
}

function ruleIndex(corr: SigmaCorrelation, rule: RuleRef): number {
  return corr.rules.findIndex((r) => r === rule.id || r === rule.name);
}

/** A group-by or condition field name, resolved through `aliases` for the rule referenced as `ref`. */
function resolveField(corr: SigmaCorrelation, name: string, ref: string): string {
  return corr.aliases.get(name)?.get(ref) ?? name;
}

/** The aggregate when the condition holds over the window, else null. */
function evaluate(corr: SigmaCorrelation, es: readonly Entry[]): number | null {
  const cond = corr.condition;
  if (corr.type === 'temporal' || corr.type === 'temporal_ordered') {
    const n = corr.type === 'temporal' ? distinctRules(es) : orderedPrefix(es, corr.rules.length);
    if (cond === undefined) return n >= corr.rules.length ? n : null;
    if (cond.kind === 'expression') {
      if (corr.type === 'temporal_ordered' && n < corr.rules.length) return null;
      const present = new Set(es.map((e) => corr.rules[e.ruleIndex]!));
      return evalExpression(cond.ast, present, corr.rules) ? n : null;
    }
    return cond.tests.every((t) => testOp(t.op, n, t.value)) ? n : null;
  }
  if (cond === undefined || cond.kind !== 'threshold') return null;
  const holds = (x: number): boolean => cond.tests.every((t) => testOp(t.op, x, t.value));
  if (corr.type === 'event_count') return holds(es.length) ? es.length : null;
  if (cond.fields.length === 0) return null;
  let last: number | null = null;
  for (const field of cond.fields) {
    const x = aggregate(corr, es, field, cond.percentile);
    if (x === undefined || !holds(x)) return null;
    last = x;
  }
  return last;
}

function aggregate(corr: SigmaCorrelation, es: readonly Entry[], field: string, p: number | undefined): number | undefined {
  const read = (e: Entry): FieldValue | undefined => fieldOf(e.event, resolveField(corr, field, corr.rules[e.ruleIndex]!));
  if (corr.type === 'value_count') {
    const seen = new Set<string>();
    for (const e of es) {
      const t = valueText(read(e));
      if (t !== null) seen.add(t);
    }
    return seen.size;
  }
  const nums: number[] = [];
  for (const e of es) nums.push(...numbersOf(read(e)));
  if (nums.length === 0) return undefined;
  switch (corr.type) {
    case 'value_sum':
      return nums.reduce((a, b) => a + b, 0);
    case 'value_avg':
      return nums.reduce((a, b) => a + b, 0) / nums.length;
    case 'value_percentile':
      return percentile(nums, p ?? 50);
    default:
      return undefined;
  }
}

function distinctRules(es: readonly Entry[]): number {
  return new Set(es.map((e) => e.ruleIndex)).size;
}

/** How many of rules[0..] appear in order (greedy, earliest first) in the time-ordered window. */
function orderedPrefix(es: readonly Entry[], n: number): number {
  let next = 0;
  for (const e of es) {
    if (next < n && e.ruleIndex === next) next++;
  }
  return next;
}

function evalExpression(node: ConditionNode, present: ReadonlySet<string>, names: readonly string[]): boolean {
  switch (node.kind) {
    case 'identifier':
      return present.has(node.name);
    case 'not':
      return !evalExpression(node.operand, present, names);
    case 'and':
      return node.operands.every((o) => evalExpression(o, present, names));
    case 'or':
      return node.operands.some((o) => evalExpression(o, present, names));
    case 'selector': {
      const ns = resolveSelector(node.pattern, names);
      return node.quantifier === 'all' ? ns.every((x) => present.has(x)) : ns.some((x) => present.has(x));
    }
  }
}
