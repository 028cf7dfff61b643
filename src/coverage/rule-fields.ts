// What a rule's detection needs from an event: the fields it reads, and whether its condition
// can hold given which fields a set of events carries. A value can only match a field that is
// there, so a selection needing CommandLine cannot match 4688 events without command lines.
// What can match a missing field (null values, `exists: false`, negated items, `not …`) never
// blocks a rule; keyword searches need only some event.

import { resolveSelector, type ConditionNode } from '../sigma/condition.js';
import type { SigmaDetectionItem, SigmaDetectionNode, SigmaRule } from '../sigma/rule.js';
import type { SigmaValue } from '../sigma/values.js';

/** Whether the condition can hold; when not, the fields whose absence stops it (sorted). */
export interface Satisfiability {
  ok: boolean;
  missing: string[];
}

const OK: Satisfiability = { ok: true, missing: [] };

function fail(fields: Iterable<string>): Satisfiability {
  return { ok: false, missing: [...new Set(fields)].sort() };
}

function valueOk(field: string, v: SigmaValue, has: (f: string) => boolean): Satisfiability {
  switch (v.type) {
    case 'null':
      return OK;
    case 'exists':
      return v.value ? (has(field) ? OK : fail([field])) : OK;
    case 'fieldref': {
      const missing = [field, v.field].filter((f) => !has(f));
      return missing.length === 0 ? OK : fail(missing);
    }
    case 'expansion': {
      const rs = v.values.map((x) => valueOk(field, x, has));
      return rs.some((r) => r.ok) ? OK : fail(rs.flatMap((r) => r.missing));
    }
    default:
      return has(field) ? OK : fail([field]);
  }
}

function itemOk(item: SigmaDetectionItem, has: (f: string) => boolean): Satisfiability {
  // A negated item, or a keyword search, can hold on any event.
  if (item.negated || item.field === null) return OK;
  const field = item.field;
  const rs = item.values.map((v) => valueOk(field, v, has));
  if (rs.length === 0) return OK;
  const holds = item.linking === 'and' ? rs.every((r) => r.ok) : rs.some((r) => r.ok);
  return holds ? OK : fail(rs.flatMap((r) => r.missing));
}

function nodeOk(node: SigmaDetectionNode, has: (f: string) => boolean): Satisfiability {
  switch (node.kind) {
    case 'item':
      return itemOk(node.item, has);
    case 'all': {
      const rs = node.children.map((c) => nodeOk(c, has));
      return rs.every((r) => r.ok) ? OK : fail(rs.flatMap((r) => r.missing));
    }
    case 'any': {
      const rs = node.children.map((c) => nodeOk(c, has));
      return rs.length === 0 || rs.some((r) => r.ok) ? OK : fail(rs.flatMap((r) => r.missing));
    }
  }
}

function conditionOk(node: ConditionNode, rule: SigmaRule, names: readonly string[], has: (f: string) => boolean): Satisfiability {
  const sel = (name: string): Satisfiability => {
    const n = rule.detection.selections.get(name);
    return n === undefined ? fail([]) : nodeOk(n, has);
  };
  switch (node.kind) {
    case 'identifier':
      return sel(node.name);
    case 'not':
      // `not filter` holds whenever the filter does not, and a missing field never matches it.
      return OK;
    case 'and': {
      const rs = node.operands.map((o) => conditionOk(o, rule, names, has));
      return rs.every((r) => r.ok) ? OK : fail(rs.flatMap((r) => r.missing));
    }
    case 'or': {
      const rs = node.operands.map((o) => conditionOk(o, rule, names, has));
      return rs.some((r) => r.ok) ? OK : fail(rs.flatMap((r) => r.missing));
    }
    case 'selector': {
      const rs = resolveSelector(node.pattern, names).map(sel);
      if (rs.length === 0) return fail([]);
      const holds = node.quantifier === 'all' ? rs.every((r) => r.ok) : rs.some((r) => r.ok);
      return holds ? OK : fail(rs.flatMap((r) => r.missing));
    }
  }
}

/** Whether the rule's conditions (ORed) can hold on events carrying the fields `has` accepts. */
export function satisfiable(rule: SigmaRule, has: (field: string) => boolean): Satisfiability {
  const names = [...rule.detection.selections.keys()];
  const rs = rule.detection.conditions.map((c) => conditionOk(c.ast, rule, names, has));
  if (rs.length === 0) return fail([]);
  return rs.some((r) => r.ok) ? OK : fail(rs.flatMap((r) => r.missing));
}

/** Every field the detection reads (including field references), in first-use order. */
export function detectionFields(rule: SigmaRule): string[] {
  const out = new Set<string>();
  const walk = (n: SigmaDetectionNode): void => {
    if (n.kind !== 'item') {
      n.children.forEach(walk);
      return;
    }
    if (n.item.field !== null) out.add(n.item.field);
    const refs = (v: SigmaValue): void => {
      if (v.type === 'fieldref') out.add(v.field);
      else if (v.type === 'expansion') v.values.forEach(refs);
    };
    n.item.values.forEach(refs);
  };
  for (const n of rule.detection.selections.values()) walk(n);
  return [...out];
}
