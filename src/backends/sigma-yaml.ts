// The `sigma` target: rules written back as plain Sigma YAML from the rule model, one document
// per rule (an `action: global` collection comes out as its separate rules). Values are the
// model's, after modifiers: `contains` is written as `*…*`, `base64offset` as its three encodings,
// `windash` as its variants, so what loads back matches the same events. What the model cannot
// say in plain YAML (an expanded value under `|all`) is unsupported, as for every target.

import { stringify } from 'yaml';
import type { SigmaCorrelation, SigmaDetectionItem, SigmaDetectionNode, SigmaRule } from '../sigma/rule.js';
import type { SigmaString, SigmaValue } from '../sigma/values.js';
import { unsupported } from './errors.js';

/** Sigma's escaping, minimal: a backslash is doubled only where it would escape what follows. */
export function formatValueString(s: SigmaString): string {
  let out = '';
  const parts = s.parts;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p === undefined) continue;
    if (p.kind === 'wildcard-multi') out += '*';
    else if (p.kind === 'wildcard-single') out += '?';
    else if (p.kind === 'placeholder') out += `%${p.name}%`;
    else {
      const next = parts[i + 1];
      for (let k = 0; k < p.text.length; k++) {
        const c = p.text[k] as string;
        if (c === '*' || c === '?') out += `\\${c}`;
        else if (c === '\\') {
          const after = k + 1 < p.text.length ? p.text[k + 1] : next === undefined ? undefined : next.kind === 'wildcard-multi' ? '*' : next.kind === 'wildcard-single' ? '?' : next.kind === 'placeholder' ? '%' : next.text[0];
          out += after === '*' || after === '?' || after === '\\' || after === '%' ? '\\\\' : '\\';
        } else out += c;
      }
    }
  }
  return out;
}

type Plain = string | number | boolean | null;

/** One value in YAML, with the modifiers it needs. */
function valueOf(v: SigmaValue, under: 'and' | 'or'): { mods: string[]; values: Plain[] } {
  switch (v.type) {
    case 'string':
      return { mods: [...(v.parts.some((p) => p.kind === 'placeholder') ? ['expand'] : []), ...(v.cased ? ['cased'] : [])], values: [formatValueString(v)] };
    case 'number':
      return { mods: [], values: [v.value] };
    case 'bool':
      return { mods: [], values: [v.value] };
    case 'null':
      return { mods: [], values: [null] };
    case 'regex':
      return { mods: ['re', ...(v.flags.ignoreCase ? ['i'] : []), ...(v.flags.multiline ? ['m'] : []), ...(v.flags.dotAll ? ['s'] : [])], values: [v.pattern] };
    case 'cidr':
      return { mods: ['cidr'], values: [`${v.address}/${v.prefix}`] };
    case 'exists':
      return { mods: ['exists'], values: [v.value] };
    case 'compare':
      return { mods: [v.op], values: [v.value] };
    case 'fieldref':
      return { mods: ['fieldref', ...(v.startsWith && v.endsWith ? ['contains'] : v.startsWith ? ['startswith'] : v.endsWith ? ['endswith'] : [])], values: [v.field] };
    case 'timestamp-part':
      return { mods: [v.unit], values: [v.value] };
    case 'expansion': {
      if (under === 'and' && v.values.length > 1) unsupported('modifier', 'an expanded value (base64offset, windash) under |all has no plain form');
      const inner = v.values.map((x) => valueOf(x, 'or'));
      const mods = inner[0]?.mods ?? [];
      if (inner.some((x) => x.mods.join('|') !== mods.join('|'))) unsupported('modifier', 'expanded values that need different modifiers');
      return { mods, values: inner.flatMap((x) => x.values) };
    }
  }
}

/** `contains` / `startswith` / `endswith` when every value has that shape: the modifier and the inner text. */
function shaped(item: SigmaDetectionItem): { mod: string; values: SigmaValue[] } | null {
  let mod: string | null = null;
  const values: SigmaValue[] = [];
  // Under OR an expansion's alternatives are just more values.
  const flat = item.linking === 'or' ? item.values.flatMap((v) => (v.type === 'expansion' ? v.values : [v])) : item.values;
  for (const v of flat) {
    if (v.type !== 'string') return null;
    const lead = v.parts[0]?.kind === 'wildcard-multi';
    const trail = v.parts.length > 1 && v.parts[v.parts.length - 1]?.kind === 'wildcard-multi';
    const m = lead && trail ? 'contains' : lead ? 'endswith' : trail ? 'startswith' : null;
    if (m === null || (mod !== null && m !== mod)) return null;
    mod = m;
    values.push({ ...v, parts: v.parts.slice(lead ? 1 : 0, trail ? -1 : undefined) });
  }
  return mod === null ? null : { mod, values };
}

/** The item's key and value; `taken` keys of the same map force the plain wildcard form. */
function itemOf(item: SigmaDetectionItem, taken: ReadonlySet<string> = new Set()): { key: string; value: Plain | Plain[] } {
  const s = shaped(item);
  if (s !== null) {
    const r = plainItem({ ...item, values: s.values }, [s.mod]);
    if (!taken.has(r.key)) return r;
  }
  return plainItem(item, []);
}

function plainItem(item: SigmaDetectionItem, shape: readonly string[]): { key: string; value: Plain | Plain[] } {
  const each = item.values.map((v) => valueOf(v, item.linking));
  const mods = each[0]?.mods ?? [];
  if (each.some((x) => x.mods.join('|') !== mods.join('|'))) unsupported('modifier', `values of '${item.field ?? 'keywords'}' need different modifiers`);
  const values = each.flatMap((x) => x.values);
  const list = [...mods, ...shape, ...(item.linking === 'and' && values.length > 1 ? ['all'] : []), ...(item.negated ? ['neq'] : [])];
  const key = `${item.field ?? ''}${list.map((m) => `|${m}`).join('')}`;
  return { key, value: values.length === 1 ? (values[0] as Plain) : values };
}

function nodeOf(node: SigmaDetectionNode): unknown {
  switch (node.kind) {
    case 'item': {
      // A keyword list on its own.
      if (node.item.field === null && node.item.linking === 'or' && !node.item.negated && valueOf(node.item.values[0] ?? { type: 'null' }, 'or').mods.length === 0) {
        const { value } = itemOf(node.item);
        return Array.isArray(value) ? value : [value];
      }
      return mapOf([node]);
    }
    case 'all':
      return mapOf(node.children);
    case 'any':
      return node.children.map(nodeOf);
  }
}

function mapOf(children: readonly SigmaDetectionNode[]): Record<string, unknown> {
  const m = Object.create(null) as Record<string, unknown>;
  for (const c of children) {
    if (c.kind !== 'item') unsupported('condition', 'a nested list inside a map has no plain form');
    const { key, value } = itemOf(c.item, new Set(Object.keys(m)));
    if (key in m) unsupported('condition', `two items '${key}' in one map`);
    m[key] = value;
  }
  return m;
}

/** The rule as a plain object in Sigma's key order. */
export function ruleObject(rule: SigmaRule): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const put = (k: string, v: unknown): void => {
    if (v === undefined || (Array.isArray(v) && v.length === 0)) return;
    o[k] = v;
  };
  put('title', rule.title);
  put('id', rule.id);
  put('name', rule.name);
  put('related', rule.related.map((r) => ({ id: r.id, type: r.type })));
  put('taxonomy', rule.taxonomy);
  put('status', rule.status);
  put('description', rule.description);
  put('license', rule.license);
  put('references', rule.references);
  put('author', rule.author);
  put('date', rule.date);
  put('modified', rule.modified);
  put('tags', rule.tags);
  const ls: Record<string, string> = {};
  for (const k of ['product', 'category', 'service', 'definition'] as const) if (rule.logsource[k] !== undefined) ls[k] = rule.logsource[k];
  o.logsource = ls;
  const detection: Record<string, unknown> = {};
  for (const [name, node] of rule.detection.selections) {
    if (name === 'condition' || name === 'timeframe') unsupported('condition', `a selection named '${name}'`);
    detection[name] = nodeOf(node);
  }
  const conds = rule.detection.conditions.map((c) => c.text);
  detection.condition = conds.length === 1 ? conds[0] : conds;
  if (rule.detection.timeframe !== undefined) detection.timeframe = rule.detection.timeframe;
  o.detection = detection;
  put('fields', rule.fields);
  put('falsepositives', rule.falsepositives);
  put('level', rule.level);
  for (const [k, v] of rule.custom) if (!(k in o) && k !== 'action') o[k] = v;
  return o;
}

/** A correlation rule as a plain object. */
export function correlationObject(c: SigmaCorrelation): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const put = (k: string, v: unknown): void => {
    if (v === undefined || (Array.isArray(v) && v.length === 0)) return;
    o[k] = v;
  };
  put('title', c.title);
  put('id', c.id);
  put('name', c.name);
  put('status', c.status);
  put('description', c.description);
  put('references', c.references);
  put('author', c.author);
  put('date', c.date);
  put('modified', c.modified);
  put('tags', c.tags);
  const corr: Record<string, unknown> = { type: c.type, rules: [...c.rules] };
  if (c.groupBy.length > 0) corr['group-by'] = [...c.groupBy];
  corr.timespan = c.timespan;
  if (c.condition?.kind === 'threshold') {
    const cond: Record<string, unknown> = {};
    for (const t of c.condition.tests) cond[t.op] = t.value;
    if (c.condition.fields.length > 0) cond.field = c.condition.fields.length === 1 ? c.condition.fields[0] : [...c.condition.fields];
    if (c.condition.percentile !== undefined) cond.percentile = c.condition.percentile;
    corr.condition = cond;
  } else if (c.condition?.kind === 'expression') corr.condition = c.condition.text;
  if (c.aliases.size > 0) {
    const aliases: Record<string, Record<string, string>> = {};
    for (const [alias, m] of c.aliases) aliases[alias] = Object.fromEntries(m);
    corr.aliases = aliases;
  }
  if (c.generate) corr.generate = true;
  o.correlation = corr;
  put('falsepositives', c.falsepositives);
  put('level', c.level);
  return o;
}

export function renderSigmaCorrelation(c: SigmaCorrelation): string {
  return `---\n${stringify(correlationObject(c), OPTIONS).trimEnd()}`;
}

const OPTIONS = { lineWidth: 0, blockQuote: false, singleQuote: false, doubleQuotedAsJSON: true, aliasDuplicateObjects: false } as const;

/** The rule as one YAML document (`---` first), without blank lines. */
export function renderSigmaRule(rule: SigmaRule): string {
  // Flow-quoted multi-line strings: a block scalar could hold a blank line.
  const text = stringify(ruleObject(rule), OPTIONS);
  return `---\n${text.trimEnd()}`;
}
