// Loading Sigma rule files: multi-document YAML → typed rules, filters and correlations, with
// every problem reported as a located diagnostic (never thrown). Works on yaml's node tree so that
// positions survive `action: global` / `repeat` merges.

import { isAlias, isMap, isScalar, isSeq, LineCounter, Pair, parseAllDocuments, YAMLMap, type Alias, type Document, type Node } from 'yaml';
import { conditionIdentifiers, parseCondition, resolveSelector, type ConditionNode } from './condition.js';
import { DiagnosticSink, type SigmaDiagnostic, type SourcePos } from './errors.js';
import { applyModifiers, checkChain } from './modifiers.js';
import {
  CORRELATION_OPERATORS,
  CORRELATION_TYPES,
  RULE_LEVELS,
  RULE_STATUSES,
  type SigmaCondition,
  type SigmaCorrelation,
  type SigmaCorrelationCondition,
  type SigmaCorrelationOperator,
  type SigmaCorrelationType,
  type SigmaDetection,
  type SigmaDetectionItem,
  type SigmaDetectionNode,
  type SigmaFilter,
  type SigmaLevel,
  type SigmaLogsource,
  type SigmaMetadata,
  type SigmaRelated,
  type SigmaRule,
  type SigmaStatus,
} from './rule.js';
import type { SigmaValue } from './values.js';

export interface LoadOptions {
  /** Largest accepted file, in UTF-16 code units (default 1,000,000). */
  maxInputLength?: number;
  /** Most aliases per document (yaml's `maxAliasCount`; default 100). */
  maxAliasCount?: number;
  /** Deepest accepted nesting of maps and lists (default 32). */
  maxDepth?: number;
  /** Longest accepted list (default 10,000). */
  maxListLength?: number;
  /** Longest accepted regular expression, in characters (default 4,096). */
  maxRegexLength?: number;
}

export interface LoadResult {
  rules: SigmaRule[];
  filters: SigmaFilter[];
  correlations: SigmaCorrelation[];
  diagnostics: SigmaDiagnostic[];
}

const DEFAULTS = { maxInputLength: 1_000_000, maxAliasCount: 100, maxDepth: 32, maxListLength: 10_000, maxRegexLength: 4096 };

const METADATA_KEYS = new Set([
  'title', 'id', 'name', 'status', 'level', 'description', 'license', 'author', 'date', 'modified', 'taxonomy',
  'tags', 'references', 'falsepositives', 'fields', 'related', 'logsource', 'detection', 'correlation', 'filter', 'action',
]);

const TIMESPAN_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800, M: 2629746, y: 31556952 };

class Loader {
  readonly sink: DiagnosticSink;
  private readonly aliases = new Map<Alias, Node | undefined>();
  readonly result: LoadResult;

  constructor(
    readonly file: string,
    lineCounter: LineCounter,
    readonly opts: Required<LoadOptions>,
  ) {
    this.sink = new DiagnosticSink(file, lineCounter);
    this.result = { rules: [], filters: [], correlations: [], diagnostics: this.sink.diagnostics };
  }

  pos(node: unknown): SourcePos {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    return this.sink.pos(range?.[0]);
  }

  deref(node: unknown): unknown {
    return isAlias(node) ? this.aliases.get(node) : node;
  }

  /** Depth, list length and alias caps; resolves aliases. False when the document is rejected. */
  checkCaps(doc: Document): boolean {
    let aliasCount = 0;
    let ok = true;
    const walk = (node: unknown, depth: number): void => {
      if (!ok) return;
      if (isAlias(node)) {
        aliasCount++;
        if (aliasCount > this.opts.maxAliasCount) {
          this.sink.add('too-many-aliases', `more than ${this.opts.maxAliasCount} aliases in one document`, this.pos(node));
          ok = false;
          return;
        }
        this.aliases.set(node, node.resolve(doc));
        return;
      }
      if (isMap(node) || isSeq(node)) {
        if (depth > this.opts.maxDepth) {
          this.sink.add('too-deep', `nesting deeper than ${this.opts.maxDepth} levels`, this.pos(node));
          ok = false;
          return;
        }
        if (node.items.length > this.opts.maxListLength) {
          this.sink.add('list-too-long', `${node.items.length} entries; at most ${this.opts.maxListLength} are accepted`, this.pos(node));
          ok = false;
          return;
        }
        // Duplicate keys, found here in linear time: yaml's own uniqueKeys check compares every
        // key with every other, which a map of 100,000 keys turns into a hang.
        const seen = isMap(node) ? new Set<string>() : null;
        for (const item of node.items as unknown[]) {
          if (seen !== null && item instanceof Pair && isScalar(item.key)) {
            const v: unknown = item.key.value;
            const k = `${typeof v}:${String(v)}`;
            if (seen.has(k)) {
              this.sink.add('yaml-syntax', 'Map keys must be unique', this.pos(item.key));
              ok = false;
              return;
            }
            seen.add(k);
          }
          if (item instanceof Pair) {
            walk(item.key, depth + 1);
            walk(item.value, depth + 1);
          } else walk(item, depth + 1);
        }
      }
    };
    walk(doc.contents, 0);
    return ok;
  }

  entries(map: YAMLMap): { key: string; keyNode: unknown; value: unknown }[] {
    const out: { key: string; keyNode: unknown; value: unknown }[] = [];
    for (const pair of map.items) {
      const k = this.deref(pair.key);
      const key = isScalar(k) ? String(k.value) : null;
      if (key === null) {
        this.sink.add('invalid-field', 'a key must be a scalar', this.pos(pair.key));
        continue;
      }
      out.push({ key, keyNode: pair.key, value: this.deref(pair.value) });
    }
    return out;
  }

  get(map: YAMLMap, key: string): unknown {
    return this.entries(map).find((e) => e.key === key)?.value;
  }

  /** Deep merge (pySigma `deep_dict_update`): maps merge key by key, anything else is replaced. */
  merge(base: unknown, over: unknown): unknown {
    base = this.deref(base);
    over = this.deref(over);
    if (!isMap(base) || !isMap(over)) return over;
    const out = new YAMLMap();
    out.range = over.range ?? base.range ?? null;
    const overEntries = this.entries(over);
    const baseEntries = this.entries(base);
    for (const b of baseEntries) {
      const o = overEntries.find((e) => e.key === b.key);
      out.items.push(new Pair(b.keyNode, o ? this.merge(b.value, o.value) : b.value));
    }
    for (const o of overEntries) {
      if (!baseEntries.some((b) => b.key === o.key)) out.items.push(new Pair(o.keyNode, o.value));
    }
    return out;
  }

  withoutAction(map: YAMLMap): YAMLMap {
    const out = new YAMLMap();
    out.range = map.range ?? null;
    for (const pair of map.items) {
      const k = this.deref(pair.key);
      if (!(isScalar(k) && k.value === 'action')) out.items.push(pair);
    }
    return out;
  }

  string(node: unknown, what: string): string | undefined {
    const n = this.deref(node);
    if (n === undefined) return undefined;
    if (isScalar(n)) {
      const v = n.value;
      if (typeof v === 'string') return v;
      if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
    }
    this.sink.add('invalid-value', `${what} must be a string`, this.pos(n));
    return undefined;
  }

  stringList(node: unknown, what: string): string[] {
    const n = this.deref(node);
    if (n === undefined || (isScalar(n) && n.value === null)) return [];
    if (isScalar(n)) return [String(n.value)];
    if (isSeq(n)) {
      const out: string[] = [];
      for (const item of n.items) {
        const s = this.string(item, `each entry of ${what}`);
        if (s !== undefined) out.push(s);
      }
      return out;
    }
    this.sink.add('invalid-value', `${what} must be a list of strings`, this.pos(n));
    return [];
  }

  metadata(map: YAMLMap, requireTitle: boolean): SigmaMetadata | null {
    const e = new Map(this.entries(map).map((x) => [x.key, x.value]));
    const title = this.string(e.get('title'), 'title');
    if (title === undefined && requireTitle) {
      this.sink.add('missing-field', `'title' is required`, this.pos(map));
      return null;
    }
    const meta: SigmaMetadata = {
      title: title ?? '',
      tags: this.stringList(e.get('tags'), 'tags'),
      references: this.stringList(e.get('references'), 'references'),
      falsepositives: this.stringList(e.get('falsepositives'), 'falsepositives'),
      fields: this.stringList(e.get('fields'), 'fields'),
      related: [],
      custom: new Map(),
    };
    for (const key of ['id', 'name', 'description', 'license', 'author', 'date', 'modified', 'taxonomy'] as const) {
      const v = this.string(e.get(key), key);
      if (v !== undefined) meta[key] = v;
    }
    const status = this.string(e.get('status'), 'status');
    if (status !== undefined) {
      if ((RULE_STATUSES as readonly string[]).includes(status)) meta.status = status as SigmaStatus;
      else this.sink.add('invalid-value', `status '${status}' is not one of ${RULE_STATUSES.join(', ')}`, this.pos(e.get('status')));
    }
    const level = this.string(e.get('level'), 'level');
    if (level !== undefined) {
      if ((RULE_LEVELS as readonly string[]).includes(level)) meta.level = level as SigmaLevel;
      else this.sink.add('invalid-value', `level '${level}' is not one of ${RULE_LEVELS.join(', ')}`, this.pos(e.get('level')));
    }
    const related = e.get('related');
    if (isSeq(related)) {
      for (const item of related.items) {
        const r = this.deref(item);
        if (!isMap(r)) {
          this.sink.add('invalid-value', 'each related entry must be a map with id and type', this.pos(r));
          continue;
        }
        const id = this.string(this.get(r, 'id'), 'related id');
        const type = this.string(this.get(r, 'type'), 'related type');
        if (id !== undefined && type !== undefined) meta.related.push({ id, type } satisfies SigmaRelated);
        else this.sink.add('invalid-value', 'a related entry needs id and type', this.pos(r));
      }
    } else if (related !== undefined) this.sink.add('invalid-value', 'related must be a list', this.pos(related));
    for (const [key, value] of e) {
      if (METADATA_KEYS.has(key)) continue;
      let plain: unknown;
      try {
        plain = isScalar(value) ? value.value : (value as { toJSON(): unknown } | undefined)?.toJSON();
      } catch {
        plain = undefined;
      }
      meta.custom.set(key, plain);
    }
    return meta;
  }

  logsource(node: unknown, owner: YAMLMap): SigmaLogsource | null {
    const n = this.deref(node);
    if (n === undefined) {
      this.sink.add('missing-field', `'logsource' is required`, this.pos(owner));
      return null;
    }
    if (!isMap(n)) {
      this.sink.add('not-a-map', 'logsource must be a map', this.pos(n));
      return null;
    }
    const out: SigmaLogsource = {};
    for (const { key, value } of this.entries(n)) {
      if (key === 'product' || key === 'category' || key === 'service' || key === 'definition') {
        const v = this.string(value, `logsource ${key}`);
        if (v !== undefined) out[key] = v;
      }
    }
    return out;
  }

  /** The raw scalars of a detection value (a scalar or a list of scalars); null after a diagnostic. */
  rawValues(key: string, keyNode: unknown, valueNode: unknown): { raw: unknown; node: unknown }[] | null {
    const raws: { raw: unknown; node: unknown }[] = [];
    if (isSeq(valueNode)) {
      for (const item of valueNode.items) {
        const v = this.deref(item);
        if (!isScalar(v)) {
          this.sink.add('invalid-value', `values of '${key}' must be scalars`, this.pos(v));
          return null;
        }
        raws.push({ raw: v.value, node: v });
      }
      if (raws.length === 0) raws.push({ raw: null, node: valueNode });
      return raws;
    }
    if (isScalar(valueNode)) return [{ raw: valueNode.value, node: valueNode }];
    this.sink.add('invalid-value', `the value of '${key}' must be a scalar or a list of scalars`, this.pos(valueNode ?? keyNode));
    return null;
  }

  detectionItem(key: string, keyNode: unknown, raws: { raw: unknown; node: unknown }[] | null): SigmaDetectionItem | null {
    const [fieldPart, ...mods] = key.split('|');
    const field = fieldPart === '' || fieldPart === undefined ? null : fieldPart;
    const { canonical, unknown } = checkChain(mods);
    const keyPos = this.pos(keyNode);
    if (unknown.length > 0) {
      for (const u of unknown) {
        let at = keyPos;
        const k = this.deref(keyNode);
        if (isScalar(k) && k.type === 'PLAIN' && k.range) {
          const idx = key.split('|').findIndex((p, i) => i > 0 && p === u);
          const offset = key.split('|').slice(0, idx).join('|').length + 1;
          at = this.sink.pos(k.range[0] + offset);
        }
        this.sink.add('unsupported-modifier', `unknown modifier '${u}' in '${key}'`, at);
      }
      return null;
    }
    if (raws === null) return null;
    const values: SigmaValue[] = [];
    for (const { raw, node } of raws) {
      if (raw === null && field === null) {
        this.sink.add('invalid-value', 'a null value must be bound to a field', this.pos(node));
        return null;
      }
      const r = applyModifiers(canonical, raw);
      if (!r.ok) {
        this.sink.add('invalid-modifier', `${key}: ${r.message}`, this.pos(node));
        return null;
      }
      if (r.value.type === 'regex') {
        if (r.value.pattern.length > this.opts.maxRegexLength) {
          this.sink.add('value-too-large', `${key}: a ${r.value.pattern.length}-character regular expression; at most ${this.opts.maxRegexLength} are accepted`, this.pos(node));
          return null;
        }
        try {
          // A leading PCRE inline-flag group like `(?i)` is common in rules; JavaScript lacks it.
          new RegExp(r.value.pattern.replace(/^\(\?[imsx]+\)/, ''));
        } catch (e) {
          this.sink.add('unsupported-regex', `${key}: the regular expression does not compile in JavaScript: ${(e as Error).message}`, this.pos(node), 'warning');
        }
      }
      values.push(r.value);
    }
    if (canonical.includes('all') && raws.length === 1 && raws[0]?.raw !== null) {
      this.sink.add('invalid-modifier', `'all' on a single value is not allowed by the spec (${key})`, keyPos, 'warning');
    }
    return {
      field,
      modifiers: canonical,
      values,
      linking: canonical.includes('all') ? 'and' : 'or',
      negated: canonical.includes('neq'),
      pos: keyPos,
    };
  }

  selection(node: unknown, name: string): SigmaDetectionNode | null {
    const n = this.deref(node);
    if (isMap(n)) {
      const children: SigmaDetectionNode[] = [];
      let ok = true;
      for (const { key, keyNode, value } of this.entries(n)) {
        const item = this.detectionItem(key, keyNode, this.rawValues(key, keyNode, value));
        if (item) children.push({ kind: 'item', item });
        else ok = false;
      }
      return ok ? { kind: 'all', children, pos: this.pos(n) } : null;
    }
    if (isSeq(n)) {
      const children: SigmaDetectionNode[] = [];
      const keywords: unknown[] = [];
      let ok = true;
      for (const raw of n.items) {
        const item = this.deref(raw);
        if (isMap(item)) {
          const child = this.selection(item, name);
          if (child) children.push(child);
          else ok = false;
        } else if (isScalar(item)) keywords.push(item);
        else {
          this.sink.add('invalid-value', `selection '${name}': a list entry must be a map or a keyword`, this.pos(item));
          ok = false;
        }
      }
      if (!ok) return null;
      if (keywords.length > 0) {
        const kw = this.detectionItem('', n, keywords.map((k) => ({ raw: isScalar(k) ? k.value : null, node: k })));
        if (!kw) return null;
        children.push({ kind: 'item', item: kw });
      }
      if (children.length === 0) {
        this.sink.add('invalid-value', `selection '${name}' is an empty list`, this.pos(n));
        return null;
      }
      return children.length === 1 && keywords.length > 0 ? (children[0] as SigmaDetectionNode) : { kind: 'any', children, pos: this.pos(n) };
    }
    if (isScalar(n) && n.value !== null) {
      const kw = this.detectionItem('', n, [{ raw: n.value, node: n }]);
      return kw ? { kind: 'item', item: kw } : null;
    }
    this.sink.add('invalid-value', `selection '${name}' must be a map, a list of maps or a list of keywords`, this.pos(n));
    return null;
  }

  conditionFrom(node: unknown, identifiers: readonly string[], what: string): SigmaCondition | null {
    const n = this.deref(node);
    const text = isScalar(n) && typeof n.value === 'string' ? n.value : null;
    if (text === null) {
      this.sink.add('invalid-value', `${what} must be a string`, this.pos(n));
      return null;
    }
    const nodePos = this.pos(n);
    const parsed = parseCondition(text);
    const locate = (offset: number): SourcePos => {
      if (isScalar(n) && n.range && !text.includes('\n')) {
        if (n.type === 'PLAIN') return this.sink.pos(n.range[0] + offset);
        if (n.type === 'QUOTE_SINGLE' && !text.includes("'")) return this.sink.pos(n.range[0] + 1 + offset);
        if (n.type === 'QUOTE_DOUBLE' && !/["\\]/.test(text)) return this.sink.pos(n.range[0] + 1 + offset);
      }
      return nodePos;
    };
    if (!parsed.ok) {
      this.sink.add('condition-syntax', `${what}: ${parsed.error.message} (column ${parsed.error.offset + 1} of the condition)`, locate(parsed.error.offset));
      return null;
    }
    let ok = true;
    for (const { name, start } of conditionIdentifiers(parsed.ast)) {
      if (!identifiers.includes(name)) {
        this.sink.add('undefined-identifier', `${what}: '${name}' is not defined (column ${start + 1} of the condition)`, locate(start));
        ok = false;
      }
    }
    return ok ? { text, ast: parsed.ast, pos: nodePos } : null;
  }

  detection(node: unknown, owner: YAMLMap, skipKeys: readonly string[] = []): SigmaDetection | null {
    const n = this.deref(node);
    if (n === undefined) {
      this.sink.add('missing-field', `'detection' is required`, this.pos(owner));
      return null;
    }
    if (!isMap(n)) {
      this.sink.add('not-a-map', 'detection must be a map', this.pos(n));
      return null;
    }
    const selections = new Map<string, SigmaDetectionNode>();
    let conditionNode: unknown;
    let timeframe: string | undefined;
    let ok = true;
    // Names whose selection failed (already reported): the condition may still use them.
    const failed: string[] = [];
    for (const { key, value } of this.entries(n)) {
      if (skipKeys.includes(key)) continue;
      if (key === 'condition') conditionNode = value;
      else if (key === 'timeframe') timeframe = this.string(value, 'timeframe');
      else {
        const sel = this.selection(value, key);
        if (sel) selections.set(key, sel);
        else {
          failed.push(key);
          ok = false;
        }
      }
    }
    if (conditionNode === undefined) {
      this.sink.add('missing-field', `'condition' is required in detection`, this.pos(n));
      return null;
    }
    const identifiers = [...selections.keys(), ...failed];
    const conditions: SigmaCondition[] = [];
    const c = this.deref(conditionNode);
    const list = isSeq(c) ? c.items : [c];
    if (list.length === 0) {
      this.sink.add('missing-field', 'the condition list is empty', this.pos(c));
      return null;
    }
    for (const item of list) {
      const cond = this.conditionFrom(item, identifiers, 'condition');
      if (cond) conditions.push(cond);
      else ok = false;
    }
    if (!ok) return null;
    const out: SigmaDetection = { selections, conditions };
    if (timeframe !== undefined) out.timeframe = timeframe;
    return out;
  }

  rule(map: YAMLMap, document: number): void {
    const meta = this.metadata(map, true);
    const logsource = this.logsource(this.get(map, 'logsource'), map);
    const detection = this.detection(this.get(map, 'detection'), map);
    if (!meta || !logsource || !detection) return;
    this.result.rules.push({ ...meta, kind: 'rule', file: this.file, document, pos: this.pos(map), logsource, detection });
  }

  filter(map: YAMLMap, document: number): void {
    const meta = this.metadata(map, true);
    const logsource = this.logsource(this.get(map, 'logsource'), map);
    const f = this.deref(this.get(map, 'filter'));
    if (!isMap(f)) {
      this.sink.add('invalid-filter', 'filter must be a map with rules, selections and condition', this.pos(f ?? map));
      return;
    }
    const rulesNode = this.deref(this.get(f, 'rules'));
    let rules: string[] | 'any' = [];
    if (isScalar(rulesNode) && rulesNode.value === 'any') rules = 'any';
    else if (rulesNode !== undefined) rules = this.stringList(rulesNode, 'filter rules');
    if (Array.isArray(rules) && rules.length === 0) rules = 'any';
    const detection = this.detection(f, map, ['rules']);
    if (!meta || !logsource || !detection) return;
    const out: SigmaFilter = { kind: 'filter', file: this.file, document, pos: this.pos(map), title: meta.title, logsource, rules, detection };
    for (const key of ['id', 'name', 'description', 'date', 'modified', 'taxonomy'] as const) {
      const v = meta[key];
      if (v !== undefined) out[key] = v;
    }
    this.result.filters.push(out);
  }

  correlation(map: YAMLMap, document: number): void {
    const meta = this.metadata(map, true);
    const c = this.deref(this.get(map, 'correlation'));
    if (!isMap(c)) {
      this.sink.add('invalid-correlation', 'correlation must be a map', this.pos(c ?? map));
      return;
    }
    const e = new Map(this.entries(c).map((x) => [x.key, x.value]));
    let ok = meta !== null;
    const bad = (message: string, node: unknown): void => {
      this.sink.add('invalid-correlation', message, this.pos(node ?? c));
      ok = false;
    };
    const typeText = this.string(e.get('type'), 'correlation type');
    const type = (CORRELATION_TYPES as readonly string[]).includes(typeText ?? '') ? (typeText as SigmaCorrelationType) : null;
    if (type === null) bad(`correlation type must be one of ${CORRELATION_TYPES.join(', ')}`, e.get('type'));
    const rules = this.stringList(e.get('rules'), 'correlation rules');
    if (rules.length === 0) bad('correlation rules must list at least one rule id or name', e.get('rules'));
    const groupBy = this.stringList(e.get('group-by'), 'group-by');
    const timespan = this.string(e.get('timespan'), 'timespan');
    const m = timespan === undefined ? null : /^(\d+)([smhdwMy])$/.exec(timespan);
    if (!m) bad(`timespan must be a number followed by s, m, h, d, w, M or y`, e.get('timespan'));
    const timespanSeconds = m ? Number(m[1]) * (TIMESPAN_UNITS[m[2] as string] as number) : 0;
    let condition: SigmaCorrelationCondition | undefined;
    const condNode = this.deref(e.get('condition'));
    const temporal = type === 'temporal' || type === 'temporal_ordered';
    if (isMap(condNode)) {
      const tests: { op: SigmaCorrelationOperator; value: number }[] = [];
      let fields: string[] = [];
      let percentile: number | undefined;
      for (const { key, value } of this.entries(condNode)) {
        if (key === 'field') fields = this.stringList(value, 'condition field');
        else if (key === 'percentile' && isScalar(value) && typeof value.value === 'number') percentile = value.value;
        else if ((CORRELATION_OPERATORS as readonly string[]).includes(key) && isScalar(value) && typeof value.value === 'number') {
          tests.push({ op: key as SigmaCorrelationOperator, value: value.value });
        } else bad(`unexpected correlation condition entry '${key}' (operators: ${CORRELATION_OPERATORS.join(', ')} with a number)`, value);
      }
      if (tests.length === 0) bad('the correlation condition needs an operator (gt, gte, lt, lte, eq, neq) with a number', condNode);
      if (type !== null && type.startsWith('value_') && fields.length === 0) bad(`a ${type} condition needs 'field'`, condNode);
      condition = { kind: 'threshold', tests, fields };
      if (percentile !== undefined) condition.percentile = percentile;
    } else if (isScalar(condNode) && typeof condNode.value === 'string' && temporal) {
      const cond = this.conditionFrom(condNode, rules, 'correlation condition');
      if (cond) condition = { kind: 'expression', text: cond.text, ast: cond.ast };
      else ok = false;
    } else if (condNode !== undefined) bad('the correlation condition must be a map', condNode);
    else if (!temporal) bad(`a ${type ?? 'count'} correlation needs a condition`, c);
    const aliases = new Map<string, Map<string, string>>();
    const aliasNode = this.deref(e.get('aliases'));
    if (isMap(aliasNode)) {
      for (const { key, value } of this.entries(aliasNode)) {
        if (!isMap(value)) {
          bad(`alias '${key}' must map rule names to fields`, value);
          continue;
        }
        const perRule = new Map<string, string>();
        for (const r of this.entries(value)) {
          const f = this.string(r.value, `alias ${key} field`);
          if (f !== undefined) perRule.set(r.key, f);
        }
        aliases.set(key, perRule);
      }
    } else if (aliasNode !== undefined) bad('aliases must be a map', aliasNode);
    const genNode = this.deref(e.get('generate'));
    let generate = false;
    if (isScalar(genNode) && typeof genNode.value === 'boolean') generate = genNode.value;
    else if (genNode !== undefined) bad('generate must be true or false', genNode);
    if (!ok || !meta || type === null || !m) return;
    const out: SigmaCorrelation = {
      ...meta,
      kind: 'correlation',
      file: this.file,
      document,
      pos: this.pos(map),
      type,
      rules,
      groupBy,
      timespan: timespan as string,
      timespanSeconds,
      aliases,
      generate,
    };
    if (condition) out.condition = condition;
    this.result.correlations.push(out);
  }
}

function resolveOptions(options: LoadOptions): Required<LoadOptions> {
  return { ...DEFAULTS, ...options };
}

/** Loads every rule, filter and correlation of one Sigma YAML file; problems come back as diagnostics. */
export function loadRules(text: string, file: string, options: LoadOptions = {}): LoadResult {
  const opts = resolveOptions(options);
  const lineCounter = new LineCounter();
  const loader = new Loader(file, lineCounter, opts);
  if (text.length > opts.maxInputLength) {
    loader.sink.add('input-too-large', `${text.length} characters; at most ${opts.maxInputLength} are accepted`, { line: 1, column: 1 });
    return loader.result;
  }
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  if (!Array.isArray(docs)) return loader.result;
  let global: unknown;
  let previous: YAMLMap | undefined;
  docs.forEach((doc, index) => {
    for (const w of doc.warnings) loader.sink.add('yaml-warning', w.message, loader.sink.pos(w.pos[0]), 'warning');
    if (doc.errors.length > 0) {
      for (const err of doc.errors) loader.sink.add('yaml-syntax', err.message.split('\n')[0] ?? err.message, loader.sink.pos(err.pos[0]));
      return;
    }
    if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) return;
    if (!loader.checkCaps(doc)) return;
    const root = doc.contents;
    if (!isMap(root)) {
      loader.sink.add('not-a-map', 'a Sigma document must be a map', loader.pos(root));
      return;
    }
    const actionNode = loader.get(root, 'action');
    const action = actionNode === undefined ? undefined : loader.string(actionNode, 'action');
    if (action === 'global') {
      global = loader.withoutAction(root);
      return;
    }
    if (action === 'reset') {
      global = undefined;
      return;
    }
    if (action === 'repeat') {
      if (!previous) {
        loader.sink.add('invalid-action', `'action: repeat' needs a previous rule`, loader.pos(actionNode));
        return;
      }
      previous = loader.merge(previous, loader.withoutAction(root)) as YAMLMap;
      loader.rule(previous, index);
      return;
    }
    if (action !== undefined) {
      loader.sink.add('invalid-action', `unknown action '${action}' (global, reset, repeat)`, loader.pos(actionNode));
      return;
    }
    if (loader.get(root, 'correlation') !== undefined) return loader.correlation(root, index);
    if (loader.get(root, 'filter') !== undefined) return loader.filter(root, index);
    const merged = global === undefined ? root : (loader.merge(global, root) as YAMLMap);
    previous = merged;
    loader.rule(merged, index);
  });
  return loader.result;
}

/** The first error diagnostic of a strict load. */
export class SigmaLoadError extends Error {
  constructor(readonly diagnostic: SigmaDiagnostic) {
    super(`${diagnostic.file}:${diagnostic.line}:${diagnostic.column}: ${diagnostic.message} [${diagnostic.code}]`);
    this.name = 'SigmaLoadError';
  }
}

/** Strict form of `loadRules`: throws a `SigmaLoadError` for the first error (warnings are returned). */
export function loadRulesStrict(text: string, file: string, options: LoadOptions = {}): LoadResult {
  const result = loadRules(text, file, options);
  const first = result.diagnostics.find((d) => d.severity === 'error');
  if (first) throw new SigmaLoadError(first);
  return result;
}

/** Convenience: the detection identifiers a condition node's selectors and identifiers cover. */
export function identifiersOf(node: ConditionNode, identifiers: readonly string[]): string[] {
  switch (node.kind) {
    case 'identifier':
      return [node.name];
    case 'selector':
      return resolveSelector(node.pattern, identifiers);
    case 'not':
      return identifiersOf(node.operand, identifiers);
    case 'and':
    case 'or':
      return [...new Set(node.operands.flatMap((o) => identifiersOf(o, identifiers)))];
  }
}
