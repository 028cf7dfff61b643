// Lucene query-string syntax (Kibana's Lucene mode, `query_string`) over ECS.
//
// Case: ECS keyword and wildcard fields compare case-sensitively, and query strings have no
// case-insensitive operator, so Sigma's default folding is a regexp query whose letters are
// `[aA]` classes (`/.*\\[cC][mM][sS][tT][pP]\.[eE][xX][eE]/`); `cased` values and values without
// letters use plain terms with `*`/`?` wildcards. Regexes: `/…/` (Lucene syntax, rewritten),
// case-sensitive only. Nulls: `NOT _exists_:field`. No comment syntax exists: the `//` lines
// that head each query are for the reader and must be dropped before the query is pasted.

import type { SigmaLogsource } from '../../sigma/rule.js';
import type { Binding, BindingFilter, CompareOp, Dialect, QueryPart, StringShape, TargetField } from '../dialect.js';
import { unsupported } from '../errors.js';
import { hasControl, partsOf } from '../strings.js';
import { elasticBindings } from './elastic-bindings.js';
import { toLuceneRegex } from './lucene-regex.js';

/** Characters query_string treats specially outside quotes. */
const SPECIAL = /[+\-=&|><!(){}[\]^"~*?:\\/ ]/g;

function term(text: string): string {
  if (hasControl(text)) unsupported('character', 'a control character in a value');
  return text.replace(SPECIAL, (c) => `\\${c}`);
}

function name(f: TargetField): string {
  if (!/^[A-Za-z_@][A-Za-z0-9_.@]*$/.test(f.name)) unsupported('field-name', `field name ${JSON.stringify(f.name)}`);
  return f.name;
}

/** Lucene regex reserved characters, escaped for a literal. */
function regexLiteral(text: string, fold: boolean): string {
  let out = '';
  for (const c of text) {
    const lo = c.toLowerCase();
    const up = c.toUpperCase();
    if (fold && lo !== up && lo.length === 1 && up.length === 1) out += `[${lo}${up}]`;
    else if (/[.?+*|{}[\]()"\\#@&<>~/]/.test(c)) out += `\\${c}`;
    else out += c;
  }
  return out;
}

const CMP: Record<CompareOp, string> = { gt: '>', gte: '>=', lt: '<', lte: '<=' };

export class Lucene implements Dialect {
  readonly id = 'lucene';
  readonly extension = 'lucene';
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
    return `(NOT ${x.startsWith('(') && x.endsWith(')') && balancedGroup(x) ? x : `(${x})`})`;
  }
  string(f: TargetField, v: StringShape, cased: boolean): string {
    const parts = partsOf(v);
    if (hasControl(parts.map((p) => (p.kind === 'text' ? p.text : '')).join(''))) unsupported('character', 'a control character in a value');
    if (v.kind === 'contains' && v.text === '') return `_exists_:${name(f)}`;
    const letters = parts.some((p) => p.kind === 'text' && p.text.toLowerCase() !== p.text.toUpperCase());
    if (cased || !letters) {
      if (v.kind === 'exact') return `${name(f)}:"${v.text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
      return `${name(f)}:${parts.map((p) => (p.kind === 'text' ? term(p.text) : p.kind === 'wildcard-multi' ? '*' : '?')).join('')}`;
    }
    const re = parts.map((p) => (p.kind === 'text' ? regexLiteral(p.text, true) : p.kind === 'wildcard-multi' ? '.*' : '.')).join('');
    return `${name(f)}:/${re}/`;
  }
  number(f: TargetField, n: number): string {
    return `${name(f)}:${n < 0 ? `\\${n}` : n}`;
  }
  bool(f: TargetField, b: boolean): string {
    return `${name(f)}:${b}`;
  }
  isNull(f: TargetField): string {
    // Sigma's null also matches an empty value.
    return f.type === 'string' ? `(NOT _exists_:${name(f)} OR ${name(f)}:"")` : `(NOT _exists_:${name(f)})`;
  }
  exists(f: TargetField, present: boolean): string {
    return present ? `_exists_:${name(f)}` : `(NOT _exists_:${name(f)})`;
  }
  regex(f: TargetField, r: { pattern: string; flags: { ignoreCase: boolean; multiline: boolean; dotAll: boolean } }): string {
    if (r.flags.ignoreCase) unsupported('regex', 'Lucene regexp queries in a query string have no case-insensitive mode');
    return `${name(f)}:/${toLuceneRegex(r.pattern, r.flags).replace(/(^|[^\\])((?:\\\\)*)\//g, '$1$2\\/')}/`;
  }
  cidr(f: TargetField, c: { address: string; prefix: number }): string {
    return `${name(f)}:"${c.address}/${c.prefix}"`;
  }
  compare(f: TargetField, op: CompareOp, n: number): string {
    return `${name(f)}:${CMP[op]}${n}`;
  }
  fieldref(): string {
    return unsupported('modifier', 'Lucene cannot compare two fields');
  }
  keyword(): string {
    return unsupported('keyword', 'a Lucene keyword search depends on the default field and analyzer');
  }
  filter(b: BindingFilter): string {
    const one = (x: string | number): string => `${name(b.field)}:${typeof x === 'number' ? x : term(x)}`;
    return b.values.length === 1 ? one(b.values[0] as string | number) : `(${b.values.map(one).join(' OR ')})`;
  }
  bindings(ls: SigmaLogsource): Binding[] {
    return elasticBindings(ls);
  }
  query(parts: readonly QueryPart[]): string {
    return parts.length === 1 ? (parts[0] as { condition: string }).condition : parts.map((p) => `(${p.condition})`).join(' OR ');
  }
}

/** Whether `(…)` is one group (its first parenthesis closes at the end), ignoring quoted and escaped text. */
function balancedGroup(x: string): boolean {
  let depth = 0;
  let quoted = false;
  let regex = false;
  for (let i = 0; i < x.length; i++) {
    const c = x[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (!regex && c === '"') quoted = !quoted;
    else if (!quoted && c === '/') regex = !regex;
    else if (!quoted && !regex) {
      if (c === '(') depth++;
      else if (c === ')') {
        depth--;
        if (depth === 0 && i < x.length - 1) return false;
      }
    }
  }
  return true;
}
