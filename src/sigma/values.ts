// Typed Sigma values. Strings are lists of parts; escapes are settled at parse time
// (spec "Escape Character"; pySigma SigmaString): `\*`, `\?`, `\\` give the literal character,
// a backslash before anything else (or at the end) stays a literal backslash.

export type StringPart =
  | { kind: 'text'; text: string }
  | { kind: 'wildcard-multi' }
  | { kind: 'wildcard-single' }
  | { kind: 'placeholder'; name: string };

export interface SigmaString {
  type: 'string';
  parts: StringPart[];
  /** Case-sensitive match (`cased`). */
  cased: boolean;
  /**
   * `bytes` after an encoding modifier (utf16, utf16le, utf16be, wide): each text character is one byte (U+0000..U+00FF),
   * so base64 encodes them as latin1 instead of UTF-8.
   */
  encoding: 'text' | 'bytes';
}

export interface SigmaNumber { type: 'number'; value: number }
export interface SigmaBool { type: 'bool'; value: boolean }
export interface SigmaNull { type: 'null' }
export interface SigmaRegex {
  type: 'regex';
  pattern: string;
  flags: { ignoreCase: boolean; multiline: boolean; dotAll: boolean };
}
export interface SigmaCidr { type: 'cidr'; version: 4 | 6; address: string; prefix: number }
export interface SigmaFieldRef { type: 'fieldref'; field: string; startsWith: boolean; endsWith: boolean }
export interface SigmaCompare { type: 'compare'; op: 'gt' | 'gte' | 'lt' | 'lte'; value: number }
export interface SigmaExists { type: 'exists'; value: boolean }
export interface SigmaTimestampPart {
  type: 'timestamp-part';
  unit: 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';
  value: number;
}
/** Alternatives produced by one value (base64offset, windash): always ORed, even under `all`. */
export interface SigmaExpansion { type: 'expansion'; values: SigmaValue[] }

export type SigmaValue =
  | SigmaString
  | SigmaNumber
  | SigmaBool
  | SigmaNull
  | SigmaRegex
  | SigmaCidr
  | SigmaFieldRef
  | SigmaCompare
  | SigmaExists
  | SigmaTimestampPart
  | SigmaExpansion;

function pushText(parts: StringPart[], text: string): void {
  if (text === '') return;
  const last = parts[parts.length - 1];
  if (last?.kind === 'text') last.text += text;
  else parts.push({ kind: 'text', text });
}

/**
 * Parses a Sigma string value. With `placeholders` (the `expand` modifier), `%name%` becomes a
 * placeholder part and `\%` a literal `%`; otherwise `%` is plain text.
 */
export function parseSigmaString(raw: string, options: { placeholders?: boolean } = {}): SigmaString {
  const parts: StringPart[] = [];
  let text = '';
  const flush = (): void => {
    pushText(parts, text);
    text = '';
  };
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c === '\\') {
      const next = raw[i + 1];
      if (next === '*' || next === '?' || next === '\\' || (options.placeholders === true && next === '%')) {
        text += next;
        i++;
      } else {
        text += '\\';
      }
    } else if (c === '*') {
      flush();
      parts.push({ kind: 'wildcard-multi' });
    } else if (c === '?') {
      flush();
      parts.push({ kind: 'wildcard-single' });
    } else if (c === '%' && options.placeholders === true) {
      const m = /^%([A-Za-z0-9_.-]+)%/.exec(raw.slice(i));
      if (m) {
        flush();
        parts.push({ kind: 'placeholder', name: m[1] as string });
        i += m[0].length - 1;
      } else {
        text += c;
      }
    } else {
      text += c;
    }
  }
  flush();
  return { type: 'string', parts, cased: false, encoding: 'text' };
}

/** A string of literal text only. */
export function plainString(text: string): SigmaString {
  const parts: StringPart[] = [];
  pushText(parts, text);
  return { type: 'string', parts, cased: false, encoding: 'text' };
}

export function hasWildcards(s: SigmaString): boolean {
  return s.parts.some((p) => p.kind === 'wildcard-multi' || p.kind === 'wildcard-single');
}

export function hasPlaceholders(s: SigmaString): boolean {
  return s.parts.some((p) => p.kind === 'placeholder');
}

/** The literal text when the string has only text parts, else null. */
export function plainText(s: SigmaString): string | null {
  let out = '';
  for (const p of s.parts) {
    if (p.kind !== 'text') return null;
    out += p.text;
  }
  return out;
}

/** Re-serializes a string in Sigma syntax (wildcards bare, literal `*?\` escaped). */
export function formatSigmaString(s: SigmaString): string {
  return s.parts
    .map((p) => {
      switch (p.kind) {
        case 'text':
          return p.text.replace(/[*?\\]/g, (m) => `\\${m}`);
        case 'wildcard-multi':
          return '*';
        case 'wildcard-single':
          return '?';
        case 'placeholder':
          return `%${p.name}%`;
      }
      return '';
    })
    .join('');
}

/** Maps every text part of a string, keeping wildcards and placeholders. */
export function mapText(s: SigmaString, f: (text: string) => string, encoding: SigmaString['encoding'] = s.encoding): SigmaString {
  const parts: StringPart[] = [];
  for (const p of s.parts) {
    if (p.kind === 'text') pushText(parts, f(p.text));
    else parts.push(p);
  }
  return { ...s, parts, encoding };
}

/** Parses `a.b.c.d/n` or an IPv6 `x:y::z/n`; a bare address gets the full prefix. Null when invalid. */
export function parseCidr(text: string): SigmaCidr | null {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const prefixText = slash < 0 ? null : text.slice(slash + 1);
  if (prefixText !== null && !/^\d{1,3}$/.test(prefixText)) return null;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(address)) {
    if (address.split('.').some((o) => Number(o) > 255)) return null;
    const prefix = prefixText === null ? 32 : Number(prefixText);
    return prefix <= 32 ? { type: 'cidr', version: 4, address, prefix } : null;
  }
  if (address.includes(':') && /^[0-9A-Fa-f:.]+$/.test(address)) {
    const doubles = address.split('::').length - 1;
    if (doubles > 1) return null;
    const groups = address.split(':').filter((g) => g !== '');
    if (groups.length > 8 || (doubles === 0 && groups.length !== 8)) return null;
    if (groups.some((g) => !/^[0-9A-Fa-f]{1,4}$/.test(g))) return null;
    const prefix = prefixText === null ? 128 : Number(prefixText);
    return prefix <= 128 ? { type: 'cidr', version: 6, address, prefix } : null;
  }
  return null;
}
