// The common compiler: one walk over a rule's condition AST and detection items for every target.
// Per binding (table / source the logsource maps to) it names fields, then asks the dialect for
// each value; a rule compiles when at least one binding can express it. Bindings that cannot
// (a field the table lacks) are left out and named in the notes.

import { resolveSelector, type ConditionNode } from '../sigma/condition.js';
import type { SigmaDetectionItem, SigmaDetectionNode, SigmaRule } from '../sigma/rule.js';
import { plainString, plainText, type SigmaValue } from '../sigma/values.js';
import type { Binding, Dialect, TargetField } from './dialect.js';
import { UnsupportedFeatureError, unsupported } from './errors.js';
import { shapeOf } from './strings.js';

export interface CompiledQuery {
  query: string;
  /** Bindings left out, with the reason (`SecurityEvent 4688: field ParentUser …`). */
  notes: string[];
}

class Walker {
  constructor(
    private readonly d: Dialect,
    private readonly b: Binding,
    private readonly rule: SigmaRule,
  ) {}

  private field(name: string): TargetField {
    const f = this.b.field(name);
    if (f === null) unsupported('field', `field '${name}' has no column in ${this.b.label}`);
    return f;
  }

  private value(field: TargetField, v: SigmaValue): string {
    const d = this.d;
    switch (v.type) {
      case 'string':
        return d.string(field, shapeOf(v), v.cased);
      case 'number':
        return d.number(field, v.value);
      case 'bool':
        return d.bool(field, v.value);
      case 'null':
        return d.isNull(field);
      case 'regex':
        return d.regex(field, v);
      case 'cidr':
        return d.cidr(field, v);
      case 'exists':
        return d.exists(field, v.value);
      case 'compare':
        return d.compare(field, v.op, v.value);
      case 'fieldref':
        return d.fieldref(field, this.field(v.field), v);
      case 'expansion':
        return d.or(v.values.map((x) => this.value(field, x)));
      case 'timestamp-part':
        return unsupported('modifier', `timestamp modifier '${v.unit}'`);
    }
  }

  private keyword(v: SigmaValue): string {
    switch (v.type) {
      case 'string':
        return this.d.keyword(shapeOf(wrapStars(v)), v.cased);
      case 'number':
        return this.d.keyword(shapeOf(wrapStars(plainString(String(v.value)))), false);
      case 'expansion':
        return this.d.or(v.values.map((x) => this.keyword(x)));
      default:
        return unsupported('keyword', `keyword search with a ${v.type} value`);
    }
  }

  item(item: SigmaDetectionItem): string {
    let parts: string[];
    if (item.field === null) {
      parts = item.values.map((v) => this.keyword(v));
    } else {
      const field = this.field(item.field);
      const list = item.linking === 'or' && item.values.length > 1 && this.d.list !== undefined ? plainList(item.values) : null;
      parts = list !== null && this.d.list !== undefined ? [this.d.list(field, list.values, list.cased)] : item.values.map((v) => this.value(field, v));
    }
    const expr = item.linking === 'and' ? this.d.and(parts) : this.d.or(parts);
    return item.negated ? this.d.not(expr) : expr;
  }

  node(node: SigmaDetectionNode): string {
    switch (node.kind) {
      case 'item':
        return this.item(node.item);
      case 'all':
        return this.d.and(node.children.map((c) => this.node(c)));
      case 'any':
        return this.d.or(node.children.map((c) => this.node(c)));
    }
  }

  condition(node: ConditionNode): string {
    const sel = this.rule.detection.selections;
    switch (node.kind) {
      case 'identifier': {
        const s = sel.get(node.name);
        if (s === undefined) return unsupported('condition', `condition names undefined identifier '${node.name}'`);
        return this.node(s);
      }
      case 'not':
        return this.d.not(this.condition(node.operand));
      case 'and':
        return this.d.and(node.operands.map((o) => this.condition(o)));
      case 'or':
        return this.d.or(node.operands.map((o) => this.condition(o)));
      case 'selector': {
        const names = resolveSelector(node.pattern, [...sel.keys()]);
        if (names.length === 0) return unsupported('condition', `'${node.pattern ?? 'them'}' matches no detection identifier`);
        const parts = names.map((n) => this.node(sel.get(n) as SigmaDetectionNode));
        return node.quantifier === 'all' ? this.d.and(parts) : this.d.or(parts);
      }
    }
  }

  rule_(): string {
    const conds = this.rule.detection.conditions;
    if (conds.length === 0) unsupported('condition', 'the rule has no condition');
    const body = this.d.or(conds.map((c) => this.condition(c.ast)));
    const filters = this.b.filters.map((f) => this.d.filter(f));
    return filters.length === 0 ? body : this.d.and([...filters, body]);
  }
}

/** The values as plain strings of one case mode, when every one is a string without wildcards. */
function plainList(values: readonly SigmaValue[]): { values: string[]; cased: boolean } | null {
  const out: string[] = [];
  const cased = values[0]?.type === 'string' && values[0].cased;
  for (const v of values) {
    if (v.type !== 'string' || v.cased !== cased) return null;
    const t = plainText(v);
    if (t === null) return null;
    out.push(t);
  }
  return { values: out, cased };
}

/** Keywords are unanchored: `*value*` (the matcher's semantics). */
function wrapStars(s: SigmaValue & { type: 'string' }): typeof s {
  const parts = [...s.parts];
  if (parts[0]?.kind !== 'wildcard-multi') parts.unshift({ kind: 'wildcard-multi' });
  if (parts[parts.length - 1]?.kind !== 'wildcard-multi') parts.push({ kind: 'wildcard-multi' });
  return { ...s, parts };
}

/** Compiles one rule for a dialect; throws UnsupportedFeatureError when no binding can express it. */
export function compileQuery(dialect: Dialect, rule: SigmaRule): CompiledQuery {
  const bindings = dialect.bindings(rule.logsource);
  const parts: { binding: Binding; condition: string }[] = [];
  const notes: string[] = [];
  let first: UnsupportedFeatureError | null = null;
  for (const binding of bindings) {
    try {
      parts.push({ binding, condition: new Walker(dialect, binding, rule).rule_() });
    } catch (e) {
      if (!(e instanceof UnsupportedFeatureError)) throw e;
      first ??= e;
      notes.push(`not searched in ${binding.label}: ${e.message}`);
    }
  }
  if (parts.length === 0) throw first ?? new UnsupportedFeatureError('logsource', 'the logsource maps to no source in this target');
  return { query: dialect.query(parts), notes };
}
