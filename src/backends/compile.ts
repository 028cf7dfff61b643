// The common compiler: one walk over a rule's condition AST and detection items for every target.
// Per binding (table / source the logsource maps to) it names fields, then asks the dialect for
// each value; a rule compiles when at least one binding can express it. Bindings that cannot
// (a field the table lacks) are left out and named in the notes.

import { resolveSelector, type ConditionNode } from '../sigma/condition.js';
import type { SigmaDetectionItem, SigmaDetectionNode, SigmaRule } from '../sigma/rule.js';
import { plainString, plainText, type SigmaValue } from '../sigma/values.js';
import type { Binding, Dialect, QueryPart, TargetField } from './dialect.js';
import { UnsupportedFeatureError, unsupported } from './errors.js';
import { shapeOf } from './strings.js';

export interface CompiledQuery {
  query: string;
  /** Bindings left out, with the reason (`SecurityEvent 4688: field ParentUser …`). */
  notes: string[];
}

/** Stands for a part moved to a pipeline stage: dropped from the ANDs around it. */
const STAGED = '\u0000staged\u0000';

class Walker {
  readonly stages: string[] = [];
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

  private and(parts: readonly string[]): string {
    const kept = parts.filter((p) => p !== STAGED);
    return kept.length === 0 ? STAGED : this.d.and(kept);
  }

  private value(field: TargetField, v: SigmaValue, top: boolean): string {
    const d = this.d;
    if (field.foldsCase === true && ((v.type === 'string' && v.cased) || (v.type === 'regex' && !v.flags.ignoreCase))) {
      unsupported('cased', `'${field.name}' is written in another case in ${this.b.label}, so a case-sensitive test cannot hold`);
    }
    if (top && d.stage !== undefined) {
      if (v.type === 'regex') {
        this.stages.push(d.stage(field, v));
        return STAGED;
      }
      if (v.type === 'fieldref') {
        this.stages.push(d.stage(field, { type: 'fieldref', other: this.field(v.field), ref: v }));
        return STAGED;
      }
    }
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
        return d.or(v.values.map((x) => this.value(field, x, false)));
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

  item(item: SigmaDetectionItem, top: boolean): string {
    let parts: string[];
    if (item.field === null) {
      parts = item.values.map((v) => this.keyword(v));
    } else {
      const field = this.field(item.field);
      const list = item.linking === 'or' && item.values.length > 1 && this.d.list !== undefined ? plainList(item.values) : null;
      const each = top && !item.negated && (item.linking === 'and' || item.values.length === 1);
      parts = list !== null && this.d.list !== undefined ? [this.d.list(field, list.values, list.cased)] : item.values.map((v) => this.value(field, v, each));
    }
    const expr = item.linking === 'and' ? this.and(parts) : this.d.or(parts);
    return item.negated ? this.d.not(expr) : expr;
  }

  node(node: SigmaDetectionNode, top: boolean): string {
    switch (node.kind) {
      case 'item':
        return this.item(node.item, top);
      case 'all':
        return this.and(node.children.map((c) => this.node(c, top)));
      case 'any':
        return node.children.length === 1 ? this.node(node.children[0] as SigmaDetectionNode, top) : this.d.or(node.children.map((c) => this.node(c, false)));
    }
  }

  /** `top`: every path from the root to here is ANDs only, so a part may move to a stage. */
  condition(node: ConditionNode, top: boolean): string {
    const sel = this.rule.detection.selections;
    switch (node.kind) {
      case 'identifier': {
        const s = sel.get(node.name);
        if (s === undefined) return unsupported('condition', `condition names undefined identifier '${node.name}'`);
        return this.node(s, top);
      }
      case 'not':
        return this.d.not(this.condition(node.operand, false));
      case 'and':
        return this.and(node.operands.map((o) => this.condition(o, top)));
      case 'or':
        return this.d.or(node.operands.map((o) => this.condition(o, false)));
      case 'selector': {
        const names = resolveSelector(node.pattern, [...sel.keys()]);
        if (names.length === 0) return unsupported('condition', `'${node.pattern ?? 'them'}' matches no detection identifier`);
        const one = names.length === 1 || node.quantifier === 'all';
        const parts = names.map((n) => this.node(sel.get(n) as SigmaDetectionNode, top && one));
        return node.quantifier === 'all' ? this.and(parts) : names.length === 1 ? (parts[0] as string) : this.d.or(parts);
      }
    }
  }

  rule_(): string {
    const conds = this.rule.detection.conditions;
    if (conds.length === 0) unsupported('condition', 'the rule has no condition');
    const body = conds.length === 1 ? this.condition((conds[0] as { ast: ConditionNode }).ast, true) : this.d.or(conds.map((c) => this.condition(c.ast, false)));
    const filters = this.b.filters.map((f) => this.d.filter(f));
    const all = this.and([...filters, body]);
    if (all === STAGED) unsupported('condition', 'nothing is left for the search once every part moved to a stage');
    return all;
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
  const { parts, notes } = compileParts(dialect, rule);
  return { query: dialect.query(parts), notes };
}

/** The per-binding parts of a rule's query (what `dialect.query` joins), with the notes. */
export function compileParts(dialect: Dialect, rule: SigmaRule): { parts: QueryPart[]; notes: string[] } {
  const bindings = dialect.bindings(rule.logsource);
  const parts: QueryPart[] = [];
  const notes: string[] = [];
  let first: UnsupportedFeatureError | null = null;
  for (const binding of bindings) {
    try {
      const w = new Walker(dialect, binding, rule);
      const condition = w.rule_();
      // Stages run after the whole search: bindings must agree on them (same field names).
      const first = parts[0];
      if (first !== undefined && first.stages.join('\n') !== w.stages.join('\n')) {
        notes.push(`not searched in ${binding.label}: its pipeline stages differ from ${first.binding.label}'s`);
        continue;
      }
      parts.push({ binding, condition, stages: w.stages });
    } catch (e) {
      if (!(e instanceof UnsupportedFeatureError)) throw e;
      first ??= e;
      notes.push(`not searched in ${binding.label}: ${e.message}`);
    }
  }
  if (parts.length === 0) throw first ?? new UnsupportedFeatureError('logsource', 'the logsource maps to no source in this target');
  return { parts, notes };
}
