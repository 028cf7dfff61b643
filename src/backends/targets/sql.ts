// SQL over the `events` table that `cmstp-hunt load` fills (docs/hunt.md), for DuckDB and
// ClickHouse 18.16 (Debian 12's server).
//
// The table already holds normalised events, so a rule is searched the way the in-process scanner
// searches it: the logsource is a test on `category` (or `channel` for services, as
// src/detect/logsource.ts decides), and a field is read the way the scanner reads it. Category
// rules read the canonical field first (its typed string column when there is one, else the
// `fields` JSON) and fall back to the original `raw` JSON; service and product-only rules read
// `raw` first. Sigma's semantics in SQL:
// - Case: lower() on both sides (DuckDB's `lower`, ClickHouse's `lowerUTF8`), `cased` as written.
// - Wildcards: LIKE, with `%`, `_` and `\` of the value escaped by `\`.
// - A missing field is NULL, and SQL's NOT NULL is NULL: every negation is `NOT coalesce(x, false)`
//   so that "a missing field does not match, so its negation does" holds.
// - Regexes: RE2 in both engines (regexp_matches, match); what RE2 reads differently is
//   unsupported. ClickHouse's `.` matches a line break unless told `(?-s)`; DuckDB's does not.
// - cidr: IPv4 as a regex over the dotted quad (no inet extension offline, none in ClickHouse 18);
//   IPv6 is unsupported.
// - Keywords (field-less values) are unsupported: the JSON text is escaped, so a substring search
//   over it would differ from the scanner's per-value search.

import { SERVICE_CHANNELS } from '../../detect/logsource.js';
import { REGISTRY_CATEGORIES } from '../../events/model.js';
import type { SigmaLogsource } from '../../sigma/rule.js';
import { COLUMNS } from '../../hunt/schema.js';
import type { Binding, BindingFilter, CompareOp, Dialect, QueryPart, StringShape, TargetField } from '../dialect.js';
import { unsupported } from '../errors.js';
import { checkRe2, hasControl, partsOf, regexFlags } from '../strings.js';

/** Canonical field → its typed string column in `events` (integer columns are read from JSON as text). */
const STRING_COLUMNS: ReadonlyMap<string, string> = new Map(COLUMNS.filter((c) => c.field !== undefined && c.kind === 'string').map((c) => [c.field as string, c.name]));

const PS_CHANNELS = ['Microsoft-Windows-PowerShell/Operational', 'PowerShellCore/Operational'];
const PS_CLASSIC = ['Windows PowerShell'];
/** Categories the scanner also recognises by channel + EventID when no mapping table assigned them. */
const FALLBACK: ReadonlyMap<string, { channels: string[]; eventIds: number[] }> = new Map([
  ['ps_module', { channels: PS_CHANNELS, eventIds: [4103] }],
  ['ps_script', { channels: PS_CHANNELS, eventIds: [4104] }],
  ['ps_classic_start', { channels: PS_CLASSIC, eventIds: [400] }],
  ['ps_classic_provider_start', { channels: PS_CLASSIC, eventIds: [600] }],
  ['ps_classic_script', { channels: PS_CLASSIC, eventIds: [800] }],
]);

/** The columns each query returns: enough to find the event again and to read it. */
const SELECTED = 'time, host, category, event_id, channel, image, command_line, source_path, record_id, line, event_key';

/** A binding that remembers the field expressions it named (for `WITH … AS alias`). */
interface SqlBinding extends Binding {
  named?: ReadonlyMap<string, string>;
}

const CMP: Record<CompareOp, string> = { gt: '>', gte: '>=', lt: '<', lte: '<=' };

/** An octet of the scanner's IPv4 form (1-3 digits, leading zeros allowed, at most 255). */
const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|0?[1-9][0-9]|0{0,2}[0-9])';
const octet = (v: number): string => `0{0,${3 - String(v).length}}${v}`;

/** An IPv4 range as a regex over the dotted quad, as src/detect/match-value.ts parseIp reads it. */
function cidr4(address: string, prefix: number): string {
  const octets = address.split('.').map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255) || prefix < 0 || prefix > 32) {
    return unsupported('modifier', `cidr ${address}/${prefix} is not an IPv4 range`);
  }
  const whole = Math.floor(prefix / 8);
  const rest = prefix % 8;
  const parts: string[] = [];
  for (let i = 0; i < 4; i++) {
    const o = octets[i] as number;
    if (i < whole) parts.push(octet(o));
    else if (i === whole && rest > 0) {
      const size = 1 << (8 - rest);
      const lo = o & ~(size - 1) & 255;
      const values: string[] = [];
      for (let v = lo; v < lo + size; v++) values.push(octet(v));
      parts.push(`(${values.join('|')})`);
    } else parts.push(OCTET);
  }
  return `^\\s*${parts.join('\\.')}\\s*$`;
}

/**
 * The IPv6 ranges rules use: `::1/128` (its zero groups written or compressed), and ranges of at
 * most 16 bits whose first group is 0x1000 or more (fe80::/10, fc00::/7, 2000::/3), which no
 * writer shortens. Other ranges would need the address parsed: unsupported.
 */
function cidr6(address: string, prefix: number): string {
  const a = address.toLowerCase();
  if (prefix === 128 && /^(0{1,4}:){7}0{0,3}1$|^(0{1,4}(:0{1,4}){0,5})?::((0{1,4}:){0,5}0{0,3})?1$/.test(a)) {
    return '^\\s*((0{1,4}:){7}0{0,3}1|(0{1,4}(:0{1,4}){0,5})?::(0{1,4}:){0,5}0{0,3}1)\\s*$';
  }
  const m = /^([0-9a-f]{1,4})(::|:)/.exec(a);
  const first = m === null ? NaN : parseInt(m[1] as string, 16);
  if (prefix > 16 || prefix < 1 || !(first >= 0x1000)) return unsupported('modifier', `cidr ${address}/${prefix}: only ::1 and IPv6 ranges on the first group are written in SQL`);
  const size = 1 << (16 - prefix);
  const lo = first & ~(size - 1) & 0xffff;
  if (lo < 0x1000) return unsupported('modifier', `cidr ${address}/${prefix}: the range's addresses may be written shortened`);
  const values: string[] = [];
  for (let v = lo; v < lo + size; v++) values.push(v.toString(16));
  // Grouped by their first three digits so a /7 stays short: fc[0-9a-f][0-9a-f] rather than 512 names.
  return `(?i)^\\s*(${compressHex(values)}):[0-9a-f:.]*\\s*$`;
}

/** Four-digit hex values as a regex alternation, each complete run of 16 last digits as a class. */
function compressHex(values: readonly string[]): string {
  const byHead = new Map<string, string[]>();
  for (const v of values) {
    const head = v.slice(0, 3);
    let l = byHead.get(head);
    if (l === undefined) byHead.set(head, (l = []));
    l.push(v.slice(3));
  }
  return [...byHead].map(([head, tails]) => (tails.length === 16 ? `${head}[0-9a-f]` : `${head}[${tails.join('')}]`)).join('|');
}

abstract class SqlDialect implements Dialect {
  abstract readonly id: string;
  readonly extension = 'sql';
  protected abstract readonly falseValue: string;
  /** A string literal. */
  abstract lit(text: string): string;
  /** Text of a JSON member of column `col`, NULL when absent. */
  protected abstract json(col: 'fields' | 'raw', name: string): string;
  protected abstract lower(x: string): string;
  protected abstract like(x: string, pattern: string): string;
  protected abstract regexMatch(x: string, pattern: string): string;
  protected abstract toNumber(x: string): string;

  constructor(readonly table = 'events') {}

  comment(line: string): string {
    return `-- ${line}`;
  }
  and(xs: readonly string[]): string {
    return xs.join(' AND ');
  }
  or(xs: readonly string[]): string {
    return xs.length === 1 ? (xs[0] as string) : `(${xs.join(' OR ')})`;
  }
  not(x: string): string {
    return `NOT coalesce(${x}, ${this.falseValue})`;
  }
  protected checked(text: string): string {
    if (hasControl(text)) unsupported('character', 'a control character in a value');
    return text;
  }
  private side(f: TargetField, cased: boolean): string {
    return cased ? f.name : this.lower(f.name);
  }
  private fold(text: string, cased: boolean): string {
    return this.lit(cased ? text : text.toLowerCase());
  }
  string(f: TargetField, v: StringShape, cased: boolean): string {
    if (v.kind === 'exact') return `${this.side(f, cased)} = ${this.fold(v.text, cased)}`;
    if (v.kind === 'contains' && v.text === '') return `${f.name} IS NOT NULL`;
    let pattern = '';
    for (const p of partsOf(v)) {
      if (p.kind === 'wildcard-multi') pattern += '%';
      else if (p.kind === 'wildcard-single') pattern += '_';
      else if (p.kind === 'text') pattern += (cased ? p.text : p.text.toLowerCase()).replace(/[\\%_]/g, (c) => `\\${c}`);
    }
    return this.like(this.side(f, cased), pattern);
  }
  list(f: TargetField, values: readonly string[], cased: boolean): string {
    return `${this.side(f, cased)} IN (${values.map((v) => this.fold(v, cased)).join(', ')})`;
  }
  number(f: TargetField, n: number): string {
    return `${f.name} = ${this.lit(String(n))}`;
  }
  bool(f: TargetField, b: boolean): string {
    return `${this.lower(f.name)} = ${this.lit(String(b))}`;
  }
  isNull(f: TargetField): string {
    return `(${f.name} IS NULL OR ${f.name} = '')`;
  }
  exists(f: TargetField, present: boolean): string {
    return `${f.name} ${present ? 'IS NOT NULL' : 'IS NULL'}`;
  }
  regex(f: TargetField, r: { pattern: string; flags: { ignoreCase: boolean; multiline: boolean; dotAll: boolean } }): string {
    checkRe2(r.pattern);
    // Python's \Z and the `{,m}` quantifier are not RE2's.
    if (/(^|[^\\])(\\\\)*\\Z/.test(r.pattern)) unsupported('regex', '\\Z is not in RE2');
    if (/\{,\d/.test(r.pattern)) unsupported('regex', 'the {,m} quantifier is not in RE2');
    if (/\\[pP]/.test(r.pattern)) unsupported('regex', 'Unicode classes \\p{…} are not matched like the scanner does');
    return this.regexMatch(f.name, this.regexPrefix(r.flags) + r.pattern);
  }
  protected regexPrefix(flags: { ignoreCase: boolean; multiline: boolean; dotAll: boolean }): string {
    return regexFlags(flags);
  }
  cidr(f: TargetField, c: { address: string; prefix: number; version: 4 | 6 }): string {
    return this.regexMatch(f.name, c.version === 4 ? cidr4(c.address, c.prefix) : cidr6(c.address, c.prefix));
  }
  compare(f: TargetField, op: CompareOp, n: number): string {
    return `${this.toNumber(f.name)} ${CMP[op]} ${n}`;
  }
  /** `fieldref`, case-folded like the scanner's; NULL (no match) when either field is missing. */
  fieldref(f: TargetField, other: TargetField, r: { startsWith: boolean; endsWith: boolean }): string {
    const kind = r.startsWith && r.endsWith ? 'contains' : r.startsWith ? 'startswith' : r.endsWith ? 'endswith' : 'equals';
    return this.fieldTest(kind, this.lower(f.name), this.lower(other.name));
  }
  protected abstract fieldTest(kind: 'contains' | 'startswith' | 'endswith' | 'equals', a: string, b: string): string;
  keyword(): string {
    return unsupported('keyword', 'keyword search over the JSON text would not match values the way the scanner does');
  }
  filter(b: BindingFilter): string {
    return `${b.field.name} IN (${b.values.map((v) => (typeof v === 'number' ? String(v) : this.lit(v))).join(', ')})`;
  }

  /** The SQL expression for a canonical field, read in the scanner's order. */
  private fieldExpr(name: string, fieldsFirst: boolean): string {
    if (name === '' || /["\\]/.test(name) || hasControl(name) || name.length > 256) unsupported('field-name', 'a field name SQL JSON paths cannot carry');
    const column = STRING_COLUMNS.get(name);
    const canonical = column ?? this.json('fields', name);
    const original = this.json('raw', name);
    return fieldsFirst ? `coalesce(${canonical}, ${original})` : `coalesce(${original}, ${canonical})`;
  }

  /** The logsource as a condition on `events`, and whether the canonical fields are read first. */
  private logsource(ls: SigmaLogsource): { where: string[]; fieldsFirst: boolean } {
    const product = ls.product?.toLowerCase();
    if (product !== undefined && product !== 'windows') unsupported('logsource', `product '${ls.product}' is not in the events table`);
    const category = ls.category?.toLowerCase();
    const service = ls.service?.toLowerCase();
    if (product === undefined && category === undefined && service === undefined) unsupported('logsource', 'the rule has no logsource');
    const where: string[] = [];
    const channelIn = (channels: readonly string[]): string => `lower(channel) IN (${[...new Set(channels.map((c) => c.toLowerCase()))].map((c) => this.lit(c)).join(', ')})`;
    if (category !== undefined) {
      const fb = FALLBACK.get(category);
      if (category === 'registry_event') where.push(`category IN (${[...REGISTRY_CATEGORIES].sort().map((c) => this.lit(c)).join(', ')})`);
      else if (fb !== undefined) where.push(`(category = ${this.lit(category)} OR (category IS NULL AND ${channelIn(fb.channels)} AND event_id IN (${fb.eventIds.join(', ')})))`);
      else where.push(`category = ${this.lit(this.checked(category))}`);
    }
    if (service !== undefined) {
      const channels = SERVICE_CHANNELS.get(service);
      if (channels === undefined) unsupported('logsource', `service '${ls.service}' has no channel`);
      where.push(channelIn(channels));
    }
    return { where, fieldsFirst: category !== undefined };
  }

  /**
   * Whether each field expression is named once in a `WITH expr AS alias` list and the condition
   * uses the alias (ClickHouse: its expressions are long, and a query over 256 KiB is refused).
   */
  protected readonly aliases: boolean = false;

  bindings(ls: SigmaLogsource): Binding[] {
    const { where, fieldsFirst } = this.logsource(ls);
    const named = new Map<string, string>();
    const binding: SqlBinding = {
      label: this.table,
      source: where.join(' AND '),
      filters: [],
      named,
      field: (n) => {
        const expr = this.fieldExpr(n, fieldsFirst);
        if (!this.aliases) return { name: expr, type: 'string' };
        let alias = named.get(expr);
        if (alias === undefined) named.set(expr, (alias = `sigma_f${named.size + 1}`));
        return { name: alias, type: 'string' };
      },
    };
    return [binding];
  }
  query(parts: readonly QueryPart[]): string {
    const conds = parts.map((p) => (p.binding.source === '' ? p.condition : `${p.binding.source} AND ${p.condition}`));
    const where = conds.length === 1 ? (conds[0] as string) : conds.map((c) => `(${c})`).join(' OR ');
    const withs = parts.flatMap((p) => [...((p.binding as SqlBinding).named?.entries() ?? [])].map(([expr, alias]) => `  ${expr} AS ${alias}`));
    const head = withs.length === 0 ? '' : `WITH\n${withs.join(',\n')}\n`;
    return `${head}SELECT ${SELECTED}\nFROM ${this.table}\nWHERE ${where}`;
  }
}

/** DuckDB: standard string literals (no backslash escapes), LIKE … ESCAPE, RE2 regexp_matches. */
export class SqlDuckDb extends SqlDialect {
  readonly id = 'sql-duckdb';
  protected readonly falseValue = 'false';
  lit(text: string): string {
    return `'${this.checked(text).replace(/'/g, "''")}'`;
  }
  protected json(col: 'fields' | 'raw', name: string): string {
    // try(): a JSON value cut at its cap (docs/hunt.md) is malformed, and must not fail the query.
    return `try(json_extract_string(${col}, ${this.lit(`$."${name}"`)}))`;
  }
  protected lower(x: string): string {
    return `lower(${x})`;
  }
  protected like(x: string, pattern: string): string {
    return `${x} LIKE ${this.lit(pattern)} ESCAPE '\\'`;
  }
  protected regexMatch(x: string, pattern: string): string {
    return `regexp_matches(${x}, ${this.lit(pattern)})`;
  }
  protected toNumber(x: string): string {
    return `TRY_CAST(${x} AS DOUBLE)`;
  }
  protected fieldTest(kind: 'contains' | 'startswith' | 'endswith' | 'equals', a: string, b: string): string {
    return kind === 'equals' ? `${a} = ${b}` : `${kind === 'contains' ? 'contains' : kind === 'startswith' ? 'starts_with' : 'ends_with'}(${a}, ${b})`;
  }
}

/** ClickHouse 18.16 on: backslash-escaped literals, visitParam* JSON functions, RE2 match(). */
export class SqlClickHouse extends SqlDialect {
  readonly id = 'sql-clickhouse';
  protected readonly falseValue = '0';
  protected override readonly aliases = true;
  lit(text: string): string {
    return `'${this.checked(text).replace(/[\\']/g, (c) => `\\${c}`)}'`;
  }
  protected json(col: 'fields' | 'raw', name: string): string {
    // visitParamExtractString gives '' for numbers and absent members: the raw text stands in
    // for non-strings, visitParamHas for presence. Nullable columns are not accepted by if().
    const c = `ifNull(${col}, '')`;
    const n = this.lit(name);
    return `if(visitParamHas(${c}, ${n}), if(startsWith(visitParamExtractRaw(${c}, ${n}), '"'), visitParamExtractString(${c}, ${n}), nullIf(visitParamExtractRaw(${c}, ${n}), 'null')), NULL)`;
  }
  protected lower(x: string): string {
    return `lowerUTF8(${x})`;
  }
  protected like(x: string, pattern: string): string {
    return `${x} LIKE ${this.lit(pattern)}`;
  }
  protected regexMatch(x: string, pattern: string): string {
    return `match(${x}, ${this.lit(pattern)})`;
  }
  /** `contains` tests written by string(), by their SQL: the side and the text, for or(). */
  private readonly contains = new Map<string, { side: string; text: string }>();
  override string(f: TargetField, v: StringShape, cased: boolean): string {
    const sql = super.string(f, v, cased);
    if (v.kind === 'contains' && v.text !== '') this.contains.set(sql, { side: cased ? f.name : this.lower(f.name), text: cased ? v.text : v.text.toLowerCase() });
    return sql;
  }
  /**
   * A long OR of `contains` tests on one field (a list of hashes, of driver names) becomes one
   * arrayExists(position) over an array: ClickHouse 18 spends seconds analysing thousands of
   * LIKEs (20 s for 4,432), and it has no multiSearchAny yet. A missing field gives '' and no match.
   */
  override or(xs: readonly string[]): string {
    const bySide = new Map<string, { sql: string; text: string }[]>();
    const rest: string[] = [];
    for (const x of xs) {
      const c = this.contains.get(x);
      if (c === undefined) rest.push(x);
      else {
        let list = bySide.get(c.side);
        if (list === undefined) bySide.set(c.side, (list = []));
        list.push({ sql: x, text: c.text });
      }
    }
    for (const [side, list] of bySide) {
      if (list.length < 16) rest.push(...list.map((l) => l.sql));
      else rest.push(`arrayExists(x -> position(ifNull(${side}, ''), x) > 0, [${list.map((l) => this.lit(l.text)).join(', ')}])`);
    }
    return super.or(rest);
  }
  override bindings(ls: SigmaLogsource): Binding[] {
    this.contains.clear();
    return super.bindings(ls);
  }
  protected override regexPrefix(flags: { ignoreCase: boolean; multiline: boolean; dotAll: boolean }): string {
    // ClickHouse compiles with dot-matches-newline on; Sigma (and DuckDB) do not unless `s`.
    return regexFlags(flags, flags.dotAll ? '' : '-s');
  }
  protected toNumber(x: string): string {
    return `toFloat64OrNull(${x})`;
  }
  protected fieldTest(kind: 'contains' | 'startswith' | 'endswith' | 'equals', a: string, b: string): string {
    if (kind === 'contains') return `position(${a}, ${b}) > 0`;
    return kind === 'equals' ? `${a} = ${b}` : `${kind === 'startswith' ? 'startsWith' : 'endsWith'}(${a}, ${b})`;
  }
}
