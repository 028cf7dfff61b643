// Compiles a typed Sigma rule into an in-process matcher over the event model.
//
// Field lookup: category rules read the canonical `event.fields` first and fall back to the
// original `event.raw`; service rules (and product-only rules) read `raw` first, then `fields`.
// Keyword (field-less) values search every value of `fields` and `raw`, unanchored.
// `neq` negates the whole item, so a missing field matches it.

import type { Event } from '../events/model.js';
import type { FieldScalar, FieldValue, Fields } from '../events/fields.js';
import { resolveSelector, type ConditionNode } from '../sigma/condition.js';
import type { SigmaDetectionItem, SigmaDetectionNode, SigmaRule } from '../sigma/rule.js';
import { compileLogsource } from './logsource.js';
import { compileKeyword, compileValue, compileValueList, scalarText, UnsupportedError, type CompileContext, type EventAccess, type KeywordMatcher } from './match-value.js';
import type { Placeholders } from './placeholders.js';

export interface CompileOptions {
  /** Values for `expand` placeholders (loadPlaceholders); a rule using one without values is unsupported. */
  placeholders?: Placeholders;
}

export interface CompiledRule {
  rule: SigmaRule;
  /** What it was compiled with, so that a worker thread can compile the same rule again. */
  options?: CompileOptions;
  /** Whether the rule's logsource covers the event. */
  applies(event: Event): boolean;
  /** Logsource applies and the detection condition holds. */
  matches(event: Event): boolean;
}

type Pred = (v: EventView) => boolean;

/**
 * The event being matched, shared by every compiled rule (matching is synchronous and never
 * nested). Lower-cased values and the keyword texts are cached for the current event only, keyed
 * by its identity, so rules tried on the same event fold each value once: events must not be
 * mutated between calls.
 */
class EventView implements EventAccess {
  private event: Event | null = null;
  private first: Fields | null = null;
  private second: Fields | null = null;
  private readonly folded = new Map<string, string>();
  private spaceless: Map<string, FieldValue> | null = null;
  private allTexts: string[] | null = null;

  bind(event: Event, fieldsFirst: boolean): this {
    if (event !== this.event) {
      this.event = event;
      if (this.folded.size > 0) this.folded.clear();
      this.spaceless = null;
      this.allTexts = null;
    }
    this.first = fieldsFirst ? event.fields : event.raw;
    this.second = fieldsFirst ? event.raw : event.fields;
    return this;
  }

  get(name: string): FieldValue | undefined {
    const v = this.first!.get(name);
    if (v !== undefined) return v;
    const w = this.second!.get(name);
    return w !== undefined ? w : this.spacelessIndex().get(name);
  }

  lower(s: string): string {
    // Short strings fold faster than a hash lookup.
    if (s.length < 16) return s.toLowerCase();
    let l = this.folded.get(s);
    if (l === undefined) {
      l = s.toLowerCase();
      this.folded.set(s, l);
    }
    return l;
  }

  /**
   * Sigma names drop the spaces of event field names (`Threat Name` → `ThreatName`, spec field
   * naming): the raw fields indexed by their space-less names, built on the first miss.
   */
  private spacelessIndex(): Map<string, FieldValue> {
    if (this.spaceless === null) {
      this.spaceless = new Map();
      for (const [k, v] of this.event!.raw.entries()) if (k.includes(' ')) this.spaceless.set(k.replace(/ /g, ''), v);
    }
    return this.spaceless;
  }

  /** Every text value of `fields`, then of `raw` (keyword search space). */
  texts(): readonly string[] {
    if (this.allTexts === null) {
      const out: string[] = [];
      const e = this.event!;
      pushTexts(e.fields, out);
      if (e.raw !== e.fields) pushTexts(e.raw, out);
      this.allTexts = out;
    }
    return this.allTexts;
  }
}

function pushTexts(fields: Fields, out: string[]): void {
  for (const [, v] of fields.entries()) {
    if (Array.isArray(v)) {
      for (const x of v as readonly FieldScalar[]) {
        const t = scalarText(x);
        if (t !== null) out.push(t);
      }
    } else {
      const t = scalarText(v as FieldScalar);
      if (t !== null) out.push(t);
    }
  }
}

const VIEW = new EventView();

/**
 * Every text value of the event's `fields`, then of `raw` (the keyword search space), computed
 * once per event and shared with the keyword matchers.
 */
export function eventTexts(event: Event): readonly string[] {
  return VIEW.bind(event, true).texts();
}

function someOf(ps: readonly Pred[]): Pred {
  if (ps.length === 1) return ps[0]!;
  if (ps.length === 2) {
    const [a, b] = ps as [Pred, Pred];
    return (v) => a(v) || b(v);
  }
  return (v) => {
    for (let i = 0; i < ps.length; i++) if (ps[i]!(v)) return true;
    return false;
  };
}

function everyOf(ps: readonly Pred[]): Pred {
  if (ps.length === 1) return ps[0]!;
  if (ps.length === 2) {
    const [a, b] = ps as [Pred, Pred];
    return (v) => a(v) && b(v);
  }
  return (v) => {
    for (let i = 0; i < ps.length; i++) if (!ps[i]!(v)) return false;
    return true;
  };
}

function compileItem(item: SigmaDetectionItem, ctx: CompileContext): Pred {
  let pred: Pred;
  if (item.field === null) {
    const ms = item.values.map((v) => compileKeyword(v, ctx));
    const one = (m: KeywordMatcher): Pred => (v) => {
      const ts = v.texts();
      for (let i = 0; i < ts.length; i++) if (m(ts[i]!, v)) return true;
      return false;
    };
    pred = item.linking === 'and' ? everyOf(ms.map(one)) : someOf(ms.map(one));
  } else {
    const field = item.field;
    if (item.linking === 'and' && item.values.length > 1) {
      const ms = item.values.map((v) => compileValue(v, ctx));
      pred = (v) => {
        const x = v.get(field);
        for (let i = 0; i < ms.length; i++) if (!ms[i]!(x, v)) return false;
        return true;
      };
    } else {
      const m = compileValueList(item.values, ctx);
      pred = (v) => m(v.get(field), v);
    }
  }
  if (item.negated) {
    const inner = pred;
    pred = (v) => !inner(v);
  }
  return pred;
}

function compileNode(node: SigmaDetectionNode, ctx: CompileContext): Pred {
  switch (node.kind) {
    case 'item':
      return compileItem(node.item, ctx);
    case 'all':
      return node.children.length === 0 ? () => true : everyOf(node.children.map((c) => compileNode(c, ctx)));
    case 'any':
      return node.children.length === 0 ? () => false : someOf(node.children.map((c) => compileNode(c, ctx)));
  }
}

function compileCondition(node: ConditionNode, selections: ReadonlyMap<string, Pred>, names: readonly string[]): Pred {
  switch (node.kind) {
    case 'identifier': {
      const p = selections.get(node.name);
      if (p === undefined) throw new UnsupportedError(`condition names undefined identifier '${node.name}'`);
      return p;
    }
    case 'not': {
      const p = compileCondition(node.operand, selections, names);
      return (v) => !p(v);
    }
    case 'and':
      return everyOf(node.operands.map((o) => compileCondition(o, selections, names)));
    case 'or':
      return someOf(node.operands.map((o) => compileCondition(o, selections, names)));
    case 'selector': {
      const ps = resolveSelector(node.pattern, names).map((n) => selections.get(n)!);
      if (ps.length === 0) throw new UnsupportedError(`'${node.pattern ?? 'them'}' matches no detection identifier`);
      return node.quantifier === 'all' ? everyOf(ps) : someOf(ps);
    }
  }
}

/** Compiles a rule, or says which feature this engine does not support. */
export function compileRule(rule: SigmaRule): CompiledRule | { unsupported: string };
export function compileRule(rule: SigmaRule, options: CompileOptions): CompiledRule | { unsupported: string };
export function compileRule(rule: SigmaRule, options: CompileOptions = {}): CompiledRule | { unsupported: string } {
  try {
    const ctx: CompileContext = options.placeholders === undefined ? {} : { placeholders: options.placeholders };
    const { applies, kind } = compileLogsource(rule.logsource);
    const fieldsFirst = kind === 'category';
    const selections = new Map<string, Pred>();
    for (const [name, node] of rule.detection.selections) selections.set(name, compileNode(node, ctx));
    const names = [...rule.detection.selections.keys()];
    if (rule.detection.conditions.length === 0) return { unsupported: 'no condition' };
    const conds = rule.detection.conditions.map((c) => compileCondition(c.ast, selections, names));
    const condition = someOf(conds);
    return {
      rule,
      options,
      applies,
      matches: (event) => applies(event) && condition(VIEW.bind(event, fieldsFirst)),
    };
  } catch (e) {
    if (e instanceof UnsupportedError) return { unsupported: e.message };
    throw e;
  }
}

export function isCompiled(r: CompiledRule | { unsupported: string }): r is CompiledRule {
  return !('unsupported' in r);
}
