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
import { compileKeyword, compileValue, scalarText, UnsupportedError, type CompileContext, type FieldLookup } from './match-value.js';
import type { Placeholders } from './placeholders.js';

export interface CompileOptions {
  /** Values for `expand` placeholders (loadPlaceholders); a rule using one without values is unsupported. */
  placeholders?: Placeholders;
}

export interface CompiledRule {
  rule: SigmaRule;
  /** Whether the rule's logsource covers the event. */
  applies(event: Event): boolean;
  /** Logsource applies and the detection condition holds. */
  matches(event: Event): boolean;
}

type Pred = (event: Event, lookup: FieldLookup) => boolean;

function lookupFor(order: 'fields-first' | 'raw-first', event: Event): FieldLookup {
  const [a, b] = order === 'fields-first' ? [event.fields, event.raw] : [event.raw, event.fields];
  return (name) => {
    const v = a.get(name);
    if (v !== undefined) return v;
    const w = b.get(name);
    return w !== undefined ? w : spacelessIndex(event.raw).get(name);
  };
}

const spaceless = new WeakMap<Fields, Map<string, FieldValue>>();

/**
 * Sigma names drop the spaces of event field names (`Threat Name` → `ThreatName`, spec field
 * naming): the raw fields indexed by their space-less names, built once per event on first miss.
 */
function spacelessIndex(raw: Fields): Map<string, FieldValue> {
  let m = spaceless.get(raw);
  if (m === undefined) {
    m = new Map();
    for (const [k, v] of raw.entries()) if (k.includes(' ')) m.set(k.replace(/ /g, ''), v);
    spaceless.set(raw, m);
  }
  return m;
}

function allTexts(fields: Fields, f: (t: string) => boolean): boolean {
  for (const [, v] of fields.entries()) {
    if (Array.isArray(v)) {
      for (const x of v as readonly FieldScalar[]) {
        const t = scalarText(x);
        if (t !== null && f(t)) return true;
      }
    } else {
      const t = scalarText(v as FieldScalar);
      if (t !== null && f(t)) return true;
    }
  }
  return false;
}

function compileItem(item: SigmaDetectionItem, ctx: CompileContext): Pred {
  let pred: Pred;
  if (item.field === null) {
    const ms = item.values.map((v) => compileKeyword(v, ctx));
    const one = (e: Event, m: (t: string) => boolean): boolean => allTexts(e.fields, m) || (e.raw !== e.fields && allTexts(e.raw, m));
    pred = item.linking === 'and' ? (e) => ms.every((m) => one(e, m)) : (e) => ms.some((m) => one(e, m));
  } else {
    const field = item.field;
    const ms = item.values.map((v) => compileValue(v, ctx));
    pred =
      item.linking === 'and'
        ? (_e, lookup) => {
            const v: FieldValue | undefined = lookup(field);
            return ms.every((m) => m(v, lookup));
          }
        : (_e, lookup) => {
            const v: FieldValue | undefined = lookup(field);
            return ms.some((m) => m(v, lookup));
          };
  }
  if (item.negated) {
    const inner = pred;
    pred = (e, l) => !inner(e, l);
  }
  return pred;
}

function compileNode(node: SigmaDetectionNode, ctx: CompileContext): Pred {
  switch (node.kind) {
    case 'item':
      return compileItem(node.item, ctx);
    case 'all': {
      const cs = node.children.map((c) => compileNode(c, ctx));
      return (e, l) => cs.every((c) => c(e, l));
    }
    case 'any': {
      const cs = node.children.map((c) => compileNode(c, ctx));
      return (e, l) => cs.some((c) => c(e, l));
    }
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
      return (e, l) => !p(e, l);
    }
    case 'and': {
      const ps = node.operands.map((o) => compileCondition(o, selections, names));
      return (e, l) => ps.every((p) => p(e, l));
    }
    case 'or': {
      const ps = node.operands.map((o) => compileCondition(o, selections, names));
      return (e, l) => ps.some((p) => p(e, l));
    }
    case 'selector': {
      const ps = resolveSelector(node.pattern, names).map((n) => selections.get(n)!);
      if (ps.length === 0) throw new UnsupportedError(`'${node.pattern ?? 'them'}' matches no detection identifier`);
      return node.quantifier === 'all' ? (e, l) => ps.every((p) => p(e, l)) : (e, l) => ps.some((p) => p(e, l));
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
    const order = kind === 'category' ? 'fields-first' : 'raw-first';
    const selections = new Map<string, Pred>();
    for (const [name, node] of rule.detection.selections) selections.set(name, compileNode(node, ctx));
    const names = [...rule.detection.selections.keys()];
    if (rule.detection.conditions.length === 0) return { unsupported: 'no condition' };
    const conds = rule.detection.conditions.map((c) => compileCondition(c.ast, selections, names));
    const condition: Pred = conds.length === 1 ? conds[0]! : (e, l) => conds.some((c) => c(e, l));
    return {
      rule,
      applies,
      matches: (event) => applies(event) && condition(event, lookupFor(order, event)),
    };
  } catch (e) {
    if (e instanceof UnsupportedError) return { unsupported: e.message };
    throw e;
  }
}

export function isCompiled(r: CompiledRule | { unsupported: string }): r is CompiledRule {
  return !('unsupported' in r);
}
