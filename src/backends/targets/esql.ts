// Elasticsearch ES|QL over ECS (`FROM logs-*`).
//
// Case: ES|QL compares case-sensitively; Sigma's default folding is `TO_LOWER(field)` against
// the lower-cased value (`==`, `LIKE`, `IN`), `cased` leaves both as written. Wildcards: LIKE's
// own `*` and `?`, literal ones escaped. Nulls: a comparison with a missing field is null, and
// `NOT null` is null too, so every negation is `NOT COALESCE(x, FALSE)` to keep Sigma's "a
// missing field does not match, so its negation does". Regexes: RLIKE (Lucene syntax, rewritten),
// case-sensitive only.

import type { SigmaLogsource } from '../../sigma/rule.js';
import type { Binding, BindingFilter, CompareOp, Dialect, QueryPart, StringShape, TargetField } from '../dialect.js';
import { unsupported } from '../errors.js';
import { hasControl, partsOf } from '../strings.js';
import { elasticBindings } from './elastic-bindings.js';
import { toLuceneRegex } from './lucene-regex.js';

export function esqlString(text: string): string {
  if (hasControl(text)) unsupported('character', 'a control character in a value');
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function name(f: TargetField): string {
  if (/^[A-Za-z_@][A-Za-z0-9_.@]*$/.test(f.name)) return f.name;
  return `\`${f.name.replace(/`/g, '``')}\``;
}

/** A LIKE pattern: `*`/`?` wildcards, literal `*`, `?` and `\` escaped. */
function likePattern(v: StringShape, fold: boolean): string {
  let out = '';
  for (const p of partsOf(v)) {
    if (p.kind === 'wildcard-multi') out += '*';
    else if (p.kind === 'wildcard-single') out += '?';
    else if (p.kind === 'text') out += (fold ? p.text.toLowerCase() : p.text).replace(/[\\*?]/g, (c) => `\\${c}`);
  }
  return esqlString(out);
}

const CMP: Record<CompareOp, string> = { gt: '>', gte: '>=', lt: '<', lte: '<=' };

export class Esql implements Dialect {
  readonly id = 'esql';
  readonly extension = 'esql';
  constructor(readonly index = 'logs-*') {}
  comment(line: string): string {
    return `// ${line}`;
  }
  and(xs: readonly string[]): string {
    return xs.join(' AND ');
  }
  or(xs: readonly string[]): string {
    return xs.length === 1 ? (xs[0] as string) : `(${xs.join(' OR ')})`;
  }
  not(x: string): string {
    return `NOT COALESCE(${x}, FALSE)`;
  }
  private lhs(f: TargetField, cased: boolean): string {
    const n = f.type === 'string' ? name(f) : `TO_STRING(${name(f)})`;
    return cased ? n : `TO_LOWER(${n})`;
  }
  string(f: TargetField, v: StringShape, cased: boolean): string {
    if (v.kind === 'exact') return `${this.lhs(f, cased)} == ${esqlString(cased ? v.text : v.text.toLowerCase())}`;
    if (v.kind === 'contains' && v.text === '') return `${name(f)} IS NOT NULL`;
    return `${this.lhs(f, cased)} LIKE ${likePattern(v, !cased)}`;
  }
  list(f: TargetField, values: readonly string[], cased: boolean): string {
    return `${this.lhs(f, cased)} IN (${values.map((v) => esqlString(cased ? v : v.toLowerCase())).join(', ')})`;
  }
  number(f: TargetField, n: number): string {
    return f.type === 'number' ? `${name(f)} == ${n}` : `${name(f)} == ${esqlString(String(n))}`;
  }
  bool(f: TargetField, b: boolean): string {
    return f.type === 'bool' ? `${name(f)} == ${b}` : `TO_LOWER(${name(f)}) == ${esqlString(String(b))}`;
  }
  isNull(f: TargetField): string {
    return f.type === 'string' ? `(${name(f)} IS NULL OR ${name(f)} == "")` : `${name(f)} IS NULL`;
  }
  exists(f: TargetField, present: boolean): string {
    return `${name(f)} ${present ? 'IS NOT NULL' : 'IS NULL'}`;
  }
  regex(f: TargetField, r: { pattern: string; flags: { ignoreCase: boolean; multiline: boolean; dotAll: boolean } }): string {
    if (r.flags.ignoreCase) unsupported('regex', 'ES|QL RLIKE has no case-insensitive mode');
    return `${name(f)} RLIKE ${esqlString(toLuceneRegex(r.pattern, r.flags))}`;
  }
  cidr(f: TargetField, c: { address: string; prefix: number }): string {
    const ip = f.type === 'ip' ? name(f) : `TO_IP(${name(f)})`;
    return `CIDR_MATCH(${ip}, ${esqlString(`${c.address}/${c.prefix}`)})`;
  }
  compare(f: TargetField, op: CompareOp, n: number): string {
    return `${f.type === 'number' ? name(f) : `TO_DOUBLE(${name(f)})`} ${CMP[op]} ${n}`;
  }
  fieldref(f: TargetField, other: TargetField, r: { startsWith: boolean; endsWith: boolean }): string {
    const a = this.lhs(f, false);
    const b = this.lhs(other, false);
    if (r.startsWith && r.endsWith) return `LOCATE(${a}, ${b}) > 0`;
    if (r.startsWith) return `STARTS_WITH(${a}, ${b})`;
    if (r.endsWith) return `ENDS_WITH(${a}, ${b})`;
    return `${a} == ${b}`;
  }
  keyword(): string {
    return unsupported('keyword', 'ES|QL has no search across every field');
  }
  filter(b: BindingFilter): string {
    const lit = (x: string | number): string => (typeof x === 'number' && b.field.type === 'number' ? String(x) : esqlString(String(x)));
    if (b.values.length === 1) return `${name(b.field)} == ${lit(b.values[0] as string | number)}`;
    return `${name(b.field)} IN (${b.values.map(lit).join(', ')})`;
  }
  bindings(ls: SigmaLogsource): Binding[] {
    return elasticBindings(ls);
  }
  query(parts: readonly QueryPart[]): string {
    const where = parts.length === 1 ? (parts[0] as { condition: string }).condition : parts.map((p) => `(${p.condition})`).join(' OR ');
    return `FROM ${this.index}\n| WHERE ${where}`;
  }
}
