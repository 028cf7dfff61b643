// Elastic EQL over ECS: `<event.category> where <condition>`.
//
// Case: `:` compares case-insensitively and takes `*`/`?` wildcards, which is Sigma's default;
// `cased` uses `==` and `like` (case-sensitive). EQL has no escape for a literal `*` or `?` in a
// wildcard string, so those are unsupported. Regexes: `regex` / `regex~` (Lucene syntax,
// rewritten). Nulls: `field == null`. Field-less keywords and field references have no form.

import type { SigmaLogsource } from '../../sigma/rule.js';
import type { Binding, BindingFilter, CompareOp, Dialect, QueryPart, StringShape, TargetField } from '../dialect.js';
import { unsupported } from '../errors.js';
import { hasControl, partsOf } from '../strings.js';
import { elasticBindings, type ElasticBinding } from './elastic-bindings.js';
import { toLuceneRegex } from './lucene-regex.js';

export function eqlString(text: string): string {
  if (hasControl(text)) unsupported('character', 'a control character in a value');
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function name(f: TargetField): string {
  if (/^[A-Za-z_@][A-Za-z0-9_.@]*$/.test(f.name)) return f.name;
  return `\`${f.name.replace(/`/g, '``')}\``;
}

function wildcard(v: StringShape): string {
  let out = '';
  for (const p of partsOf(v)) {
    if (p.kind === 'wildcard-multi') out += '*';
    else if (p.kind === 'wildcard-single') out += '?';
    else if (p.kind === 'text') {
      if (/[*?]/.test(p.text)) unsupported('wildcard', 'EQL cannot match a literal * or ? in a wildcard string');
      out += p.text;
    }
  }
  return eqlString(out);
}

const CMP: Record<CompareOp, string> = { gt: '>', gte: '>=', lt: '<', lte: '<=' };

export class Eql implements Dialect {
  readonly id = 'eql';
  readonly extension = 'eql';
  comment(line: string): string {
    return `// ${line}`;
  }
  and(xs: readonly string[]): string {
    return xs.join(' and ');
  }
  or(xs: readonly string[]): string {
    return xs.length === 1 ? (xs[0] as string) : `(${xs.join(' or ')})`;
  }
  not(x: string): string {
    return `not (${x})`;
  }
  string(f: TargetField, v: StringShape, cased: boolean): string {
    if (v.kind === 'contains' && v.text === '') return `${name(f)} != null`;
    if (cased) return v.kind === 'exact' ? `${name(f)} == ${eqlString(v.text)}` : `${name(f)} like ${wildcard(v)}`;
    return `${name(f)} : ${wildcard(v)}`;
  }
  list(f: TargetField, values: readonly string[], cased: boolean): string {
    if (!cased && values.some((v) => /[*?]/.test(v))) unsupported('wildcard', 'EQL cannot match a literal * or ? with :');
    return `${name(f)} ${cased ? 'in' : ':'} (${values.map(eqlString).join(', ')})`;
  }
  number(f: TargetField, n: number): string {
    return f.type === 'number' ? `${name(f)} == ${n}` : `${name(f)} : ${eqlString(String(n))}`;
  }
  bool(f: TargetField, b: boolean): string {
    return f.type === 'bool' ? `${name(f)} == ${b}` : `${name(f)} : ${eqlString(String(b))}`;
  }
  isNull(f: TargetField): string {
    return f.type === 'string' ? `(${name(f)} == null or ${name(f)} == "")` : `${name(f)} == null`;
  }
  exists(f: TargetField, present: boolean): string {
    return `${name(f)} ${present ? '!=' : '=='} null`;
  }
  regex(f: TargetField, r: { pattern: string; flags: { ignoreCase: boolean; multiline: boolean; dotAll: boolean } }): string {
    return `${name(f)} ${r.flags.ignoreCase ? 'regex~' : 'regex'} ${eqlString(toLuceneRegex(r.pattern, r.flags))}`;
  }
  cidr(f: TargetField, c: { address: string; prefix: number }): string {
    return `cidrMatch(${name(f)}, ${eqlString(`${c.address}/${c.prefix}`)})`;
  }
  compare(f: TargetField, op: CompareOp, n: number): string {
    return `${name(f)} ${CMP[op]} ${n}`;
  }
  fieldref(): string {
    return unsupported('modifier', 'EQL has no case-insensitive comparison of two fields');
  }
  keyword(): string {
    return unsupported('keyword', 'EQL has no search across every field');
  }
  filter(b: BindingFilter): string {
    const lit = (x: string | number): string => (typeof x === 'number' && b.field.type === 'number' ? String(x) : eqlString(String(x)));
    if (b.values.length === 1) return `${name(b.field)} == ${lit(b.values[0] as string | number)}`;
    return `${name(b.field)} in (${b.values.map(lit).join(', ')})`;
  }
  bindings(ls: SigmaLogsource): Binding[] {
    // The event category is the query's head, not a filter.
    return elasticBindings(ls).map((b) => ({ ...b, filters: b.filters.filter((f) => f.field.name !== 'event.category' || b.ecsCategory === null) }));
  }
  query(parts: readonly QueryPart[]): string {
    const cats = new Set(parts.map((p) => (p.binding as ElasticBinding).ecsCategory ?? 'any'));
    if (cats.size === 1 && parts.length === 1) return `${[...cats][0] as string} where ${(parts[0] as { condition: string }).condition}`;
    return `any where ${parts.map((p) => {
      const cat = (p.binding as ElasticBinding).ecsCategory;
      return `(${cat === null ? '' : `event.category == ${eqlString(cat)} and `}${p.condition})`;
    }).join(' or ')}`;
  }
}
