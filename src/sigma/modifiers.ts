// The Sigma modifier registry (spec appendix "Sigma Modifiers"). Each modifier declares its kind;
// value transformations are applied at parse time, left to right, by `applyModifiers`.

import {
  hasWildcards,
  mapText,
  parseCidr,
  parseSigmaString,
  plainString,
  plainText,
  type SigmaString,
  type SigmaValue,
} from './values.js';

export type ModifierKind =
  /** Changes how the item's values combine (`all`) or negates the item (`neq`). */
  | 'list'
  /** Transforms each string value. */
  | 'string'
  /** Flag of a preceding `re`. */
  | 'regex-flag'
  /** Turns the raw YAML value into a special typed value; must come first. */
  | 'type';

export interface ModifierSpec {
  name: string;
  kind: ModifierKind;
  /** Canonical name when this is an alias (`wide` → `utf16le`). */
  aliasOf?: string;
  description: string;
}

const specs: ModifierSpec[] = [
  { name: 'all', kind: 'list', description: 'values are ANDed instead of ORed' },
  { name: 'neq', kind: 'list', description: 'the field differs from every value (negated item)' },
  { name: 'contains', kind: 'string', description: 'wrap the value in * wildcards' },
  { name: 'startswith', kind: 'string', description: 'append a * wildcard' },
  { name: 'endswith', kind: 'string', description: 'prepend a * wildcard' },
  { name: 'cased', kind: 'string', description: 'case-sensitive match' },
  { name: 'windash', kind: 'string', description: 'all permutations of - / – — ― at option starts' },
  { name: 'base64', kind: 'string', description: 'Base64-encode the value' },
  { name: 'base64offset', kind: 'string', description: 'the three Base64 offsets of the value' },
  { name: 'utf16le', kind: 'string', description: 'UTF-16LE encoding' },
  { name: 'wide', kind: 'string', aliasOf: 'utf16le', description: 'alias of utf16le' },
  { name: 'utf16be', kind: 'string', description: 'UTF-16BE encoding' },
  { name: 'utf16', kind: 'string', description: 'BOM FF FE + UTF-16LE (the spec, not pySigma)' },
  { name: 're', kind: 'type', description: 'regular expression' },
  { name: 'i', kind: 'regex-flag', description: 're: case-insensitive' },
  { name: 'ignorecase', kind: 'regex-flag', aliasOf: 'i', description: 'alias of i' },
  { name: 'm', kind: 'regex-flag', description: 're: ^ and $ per line' },
  { name: 'multiline', kind: 'regex-flag', aliasOf: 'm', description: 'alias of m' },
  { name: 's', kind: 'regex-flag', description: 're: . matches newline' },
  { name: 'dotall', kind: 'regex-flag', aliasOf: 's', description: 'alias of s' },
  { name: 'cidr', kind: 'type', description: 'IPv4/IPv6 network range' },
  { name: 'exists', kind: 'type', description: 'field present (true) or absent (false)' },
  { name: 'expand', kind: 'string', description: '%placeholder% expansion by the pipeline' },
  { name: 'fieldref', kind: 'type', description: 'compare with another field of the event' },
  { name: 'gt', kind: 'type', description: 'numeric >' },
  { name: 'gte', kind: 'type', description: 'numeric >=' },
  { name: 'lt', kind: 'type', description: 'numeric <' },
  { name: 'lte', kind: 'type', description: 'numeric <=' },
  { name: 'minute', kind: 'type', description: 'minute of a date field' },
  { name: 'hour', kind: 'type', description: 'hour of a date field' },
  { name: 'day', kind: 'type', description: 'day of a date field' },
  { name: 'week', kind: 'type', description: 'week of a date field' },
  { name: 'month', kind: 'type', description: 'month of a date field' },
  { name: 'year', kind: 'type', description: 'year of a date field' },
];

export const MODIFIERS: ReadonlyMap<string, ModifierSpec> = new Map(specs.map((s) => [s.name, s]));

/** The canonical name of a registered modifier, or null when unknown. */
export function canonicalModifier(name: string): string | null {
  const spec = MODIFIERS.get(name);
  return spec ? (spec.aliasOf ?? spec.name) : null;
}

/** The result of applying a modifier chain to one YAML value: a typed value or an error message. */
export type ModifierResult = { ok: true; value: SigmaValue } | { ok: false; message: string };

/** Upper bound on the values one windash expansion may produce (5^n grows fast). */
export const MAX_WINDASH_VARIANTS = 5 ** 5;

const WINDASH_CHARS = ['-', '/', '\u2013', '\u2014', '\u2015'];

function toBytes(s: SigmaString, text: string): Buffer {
  return s.encoding === 'bytes' ? Buffer.from(text, 'latin1') : Buffer.from(text, 'utf8');
}

export function base64Of(s: SigmaString): string | null {
  const text = plainText(s);
  return text === null ? null : toBytes(s, text).toString('base64');
}

/** The three Base64 encodings of `bytes` at offsets 0, 1, 2, trimmed to their stable part (pySigma). */
export function base64Offsets(bytes: Buffer): string[] {
  const start = [0, 2, 3];
  const end = [0, 3, 2];
  const out: string[] = [];
  for (let i = 0; i < 3; i++) {
    const b64 = Buffer.concat([Buffer.alloc(i, 0x20), bytes]).toString('base64');
    const cut = end[(bytes.length + i) % 3] as number;
    out.push(b64.slice(start[i], b64.length - cut));
  }
  return out;
}

function encodeUtf16(text: string, endian: 'le' | 'be', bom: boolean): string {
  const le = Buffer.from(text, 'utf16le');
  if (endian === 'be') le.swap16();
  const body = le.toString('latin1');
  return bom ? '\xff\xfe' + body : body;
}

/** All windash variants of a string (pySigma: `\B[-/]\b` sites, cartesian product). */
export function windashVariants(s: SigmaString): SigmaString[] | null {
  // Work on the text parts only; sites never span a wildcard.
  let variants: SigmaString['parts'][] = [[]];
  for (const part of s.parts) {
    if (part.kind !== 'text') {
      variants = variants.map((v) => [...v, part]);
      continue;
    }
    const pieces = part.text.split(/\B[-/]\b/);
    let texts = [pieces[0] as string];
    for (let k = 1; k < pieces.length; k++) {
      texts = texts.flatMap((t) => WINDASH_CHARS.map((c) => t + c + (pieces[k] as string)));
      if (texts.length * variants.length > MAX_WINDASH_VARIANTS) return null;
    }
    variants = variants.flatMap((v) => texts.map((t) => [...v, { kind: 'text' as const, text: t }]));
  }
  return variants.map((parts) => ({ ...s, parts }));
}

function wrap(s: SigmaString, before: boolean, after: boolean): SigmaString {
  const parts = [...s.parts];
  if (before && parts[0]?.kind !== 'wildcard-multi') parts.unshift({ kind: 'wildcard-multi' });
  if (after && parts[parts.length - 1]?.kind !== 'wildcard-multi') parts.push({ kind: 'wildcard-multi' });
  return { ...s, parts };
}

function applyString(name: string, value: SigmaValue): ModifierResult {
  if (value.type === 'expansion') {
    const values: SigmaValue[] = [];
    for (const v of value.values) {
      const r = applyString(name, v);
      if (!r.ok) return r;
      values.push(r.value);
    }
    return { ok: true, value: { type: 'expansion', values } };
  }
  if (value.type === 'number') value = plainString(String(value.value));
  if (value.type === 'regex') {
    let p = value.pattern;
    const lead = name === 'contains' || name === 'endswith';
    const trail = name === 'contains' || name === 'startswith';
    if (lead && !p.startsWith('.*') && !p.startsWith('^')) p = '.*' + p;
    if (trail && !p.endsWith('.*') && !p.endsWith('$')) p = p + '.*';
    if (lead || trail) return { ok: true, value: { ...value, pattern: p } };
    return { ok: false, message: `modifier '${name}' cannot apply to a regular expression` };
  }
  if (value.type === 'fieldref') {
    if (name === 'contains') return { ok: true, value: { ...value, startsWith: true, endsWith: true } };
    if (name === 'startswith') return { ok: true, value: { ...value, startsWith: true } };
    if (name === 'endswith') return { ok: true, value: { ...value, endsWith: true } };
    return { ok: false, message: `modifier '${name}' cannot apply to a field reference` };
  }
  if (value.type !== 'string') return { ok: false, message: `modifier '${name}' needs a string value, got ${value.type}` };
  const s = value;
  switch (name) {
    case 'expand':
      // Placeholders were recognised when the raw value was parsed (see applyModifiers).
      return { ok: true, value: s };
    case 'contains':
      return { ok: true, value: wrap(s, true, true) };
    case 'startswith':
      return { ok: true, value: wrap(s, false, true) };
    case 'endswith':
      return { ok: true, value: wrap(s, true, false) };
    case 'cased':
      return { ok: true, value: { ...s, cased: true } };
    case 'utf16le':
      return { ok: true, value: mapText(s, (t) => encodeUtf16(t, 'le', false), 'bytes') };
    case 'utf16be':
      return { ok: true, value: mapText(s, (t) => encodeUtf16(t, 'be', false), 'bytes') };
    case 'utf16': {
      if (hasWildcards(s)) return { ok: false, message: `modifier 'utf16' does not allow wildcards (the BOM must lead the value)` };
      return { ok: true, value: mapText(s, (t) => encodeUtf16(t, 'le', true), 'bytes') };
    }
    case 'base64': {
      const b64 = base64Of(s);
      if (b64 === null) return { ok: false, message: `modifier 'base64' does not allow wildcards or placeholders` };
      return { ok: true, value: plainString(b64) };
    }
    case 'base64offset': {
      const text = plainText(s);
      if (text === null) return { ok: false, message: `modifier 'base64offset' does not allow wildcards or placeholders` };
      const values = base64Offsets(toBytes(s, text)).map((t) => plainString(t));
      return { ok: true, value: { type: 'expansion', values } };
    }
    case 'windash': {
      const variants = windashVariants(s);
      if (variants === null) return { ok: false, message: `modifier 'windash' would produce more than ${MAX_WINDASH_VARIANTS} values` };
      return { ok: true, value: variants.length === 1 ? (variants[0] as SigmaString) : { type: 'expansion', values: variants } };
    }
  }
  return { ok: false, message: `modifier '${name}' is not a string modifier` };
}

/** Spec ranges of the time modifiers; week allows 53 (ISO 8601 weeks, which the matcher uses). */
const TIMESTAMP_RANGES: Partial<Record<string, readonly [number, number]>> = {
  minute: [0, 59],
  hour: [0, 23],
  day: [1, 31],
  week: [1, 53],
  month: [1, 12],
};

/** Converts a plain YAML scalar to its Sigma type (pySigma `sigma_type`). */
export function sigmaTypeOf(raw: unknown): SigmaValue | null {
  if (raw === null || raw === undefined) return { type: 'null' };
  if (typeof raw === 'string') return parseSigmaString(raw);
  if (typeof raw === 'number') return { type: 'number', value: raw };
  if (typeof raw === 'bigint') return { type: 'number', value: Number(raw) };
  if (typeof raw === 'boolean') return { type: 'bool', value: raw };
  return null;
}

/**
 * Applies a modifier chain (aliases allowed) to one raw YAML scalar. `all` and `neq` are item
 * flags and are skipped here. Regex flags must follow `re`; type modifiers must come first.
 */
export function applyModifiers(chain: readonly string[], raw: unknown): ModifierResult {
  const { canonical, unknown } = checkChain(chain);
  if (unknown.length > 0) return { ok: false, message: `unknown modifier '${unknown.join("', '")}'` };
  const mods = canonical.filter((m) => m !== 'all' && m !== 'neq');
  const first = mods[0];
  let value: SigmaValue;
  let rest = mods;
  const typeName = first !== undefined && MODIFIERS.get(first)?.kind === 'type' ? first : null;
  for (const m of mods.slice(1)) {
    if (MODIFIERS.get(m)?.kind === 'type' && m !== 'fieldref') return { ok: false, message: `modifier '${m}' must be the first modifier` };
  }
  if (typeName !== null) {
    rest = mods.slice(1);
    switch (typeName) {
      case 're': {
        if (typeof raw !== 'string') return { ok: false, message: `modifier 're' needs a string value` };
        const flags = { ignoreCase: false, multiline: false, dotAll: false };
        while (rest[0] !== undefined && MODIFIERS.get(rest[0])?.kind === 'regex-flag') {
          const f = rest[0];
          if (f === 'i') flags.ignoreCase = true;
          else if (f === 'm') flags.multiline = true;
          else flags.dotAll = true;
          rest = rest.slice(1);
        }
        value = { type: 'regex', pattern: raw, flags };
        break;
      }
      case 'cidr': {
        const c = typeof raw === 'string' ? parseCidr(raw) : null;
        if (c === null) return { ok: false, message: `modifier 'cidr' needs an IPv4 or IPv6 network, got ${JSON.stringify(raw)}` };
        value = c;
        break;
      }
      case 'exists':
        if (typeof raw !== 'boolean') return { ok: false, message: `modifier 'exists' needs true or false` };
        value = { type: 'exists', value: raw };
        break;
      case 'fieldref': {
        if (typeof raw !== 'string') return { ok: false, message: `modifier 'fieldref' needs a field name` };
        if (/[*?]/.test(raw)) return { ok: false, message: `modifier 'fieldref' does not allow wildcards` };
        value = { type: 'fieldref', field: raw, startsWith: false, endsWith: false };
        break;
      }
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte': {
        const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : null;
        if (n === null) return { ok: false, message: `modifier '${typeName}' needs a number` };
        value = { type: 'compare', op: typeName, value: n };
        break;
      }
      default: {
        const unit = typeName as 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';
        if (typeof raw !== 'number' || !Number.isInteger(raw)) return { ok: false, message: `modifier '${unit}' needs an integer` };
        const range = TIMESTAMP_RANGES[unit];
        if (range !== undefined && (raw < range[0] || raw > range[1])) return { ok: false, message: `modifier '${unit}' needs a number from ${range[0]} to ${range[1]}, got ${raw}` };
        value = { type: 'timestamp-part', unit, value: raw };
      }
    }
  } else {
    if (mods.includes('expand') && typeof raw !== 'string') return { ok: false, message: `modifier 'expand' needs a string value` };
    const v = mods.includes('expand') && typeof raw === 'string' ? parseSigmaString(raw, { placeholders: true }) : sigmaTypeOf(raw);
    if (v === null) return { ok: false, message: `a value must be a scalar (string, number, boolean or null)` };
    value = v;
  }
  for (const m of rest) {
    const kind = MODIFIERS.get(m)?.kind;
    if (kind === 'regex-flag') return { ok: false, message: `modifier '${m}' is only valid right after 're'` };
    if (kind === 'type') {
      // fieldref after another type modifier
      return { ok: false, message: `modifier '${m}' must be the first modifier` };
    }
    if (value.type === 'null' && mods.length > 0) return { ok: false, message: `modifier '${m}' cannot apply to null` };
    const r = applyString(m, value);
    if (!r.ok) return r;
    value = r.value;
  }
  return { ok: true, value };
}

/** Validates a modifier chain's names: unknown names, and checks independent of the values. */
export function checkChain(chain: readonly string[]): { canonical: string[]; unknown: string[] } {
  const canonical: string[] = [];
  const unknown: string[] = [];
  for (const m of chain) {
    const c = canonicalModifier(m);
    if (c === null) unknown.push(m);
    else canonical.push(c);
  }
  return { canonical, unknown };
}
