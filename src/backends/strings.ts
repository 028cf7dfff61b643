// Sigma strings reduced to the operators query languages have, and turned into regexes or globs
// for the targets that need them.

import type { SigmaString, StringPart } from '../sigma/values.js';
import type { StringShape } from './dialect.js';
import { unsupported } from './errors.js';

/** The operator shape of a string: exact, startswith, endswith, contains, or a general pattern. */
export function shapeOf(s: SigmaString): StringShape {
  const parts = s.parts;
  if (parts.some((p) => p.kind === 'placeholder')) unsupported('placeholder', 'placeholder values need a pipeline that fills them');
  const texts = parts.filter((p) => p.kind === 'text');
  const singles = parts.some((p) => p.kind === 'wildcard-single');
  if (!singles && texts.length <= 1) {
    const text = texts.length === 1 ? (texts[0] as { text: string }).text : '';
    const lead = parts[0]?.kind === 'wildcard-multi';
    const trail = parts.length > 0 && parts[parts.length - 1]?.kind === 'wildcard-multi';
    const multis = parts.filter((p) => p.kind === 'wildcard-multi').length;
    // `*` alone, or `**`: any value (contains "").
    if (text === '' && multis > 0) return { kind: 'contains', text: '' };
    if (multis === (lead ? 1 : 0) + (trail ? 1 : 0)) {
      if (lead && trail) return { kind: 'contains', text };
      if (lead) return { kind: 'endswith', text };
      if (trail) return { kind: 'startswith', text };
      return { kind: 'exact', text };
    }
  }
  return { kind: 'pattern', parts };
}

/** The parts of a shape, for targets that only have a pattern operator. */
export function partsOf(shape: StringShape): StringPart[] {
  if (shape.kind === 'pattern') return [...shape.parts];
  const text: StringPart[] = shape.text === '' ? [] : [{ kind: 'text', text: shape.text }];
  const star: StringPart = { kind: 'wildcard-multi' };
  switch (shape.kind) {
    case 'exact':
      return text;
    case 'startswith':
      return [...text, star];
    case 'endswith':
      return [star, ...text];
    case 'contains':
      return [star, ...text, star];
  }
}

/** Escapes regex metacharacters (RE2, JavaScript and PCRE agree on these). */
export function escapeRegex(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}]/g, (c) => `\\${c}`);
}

/** A whole-value regex for a wildcard pattern: `*` → `.*`, `?` → `.`, anchored both ends. */
export function globToRegex(parts: readonly StringPart[]): string {
  let out = '^';
  for (const p of parts) {
    if (p.kind === 'text') out += escapeRegex(p.text);
    else if (p.kind === 'wildcard-multi') out += '.*';
    else if (p.kind === 'wildcard-single') out += '.';
  }
  return out + '$';
}

/** Inline flags for a Sigma regex (`(?ims)`), empty when none. */
export function regexFlags(flags: { ignoreCase: boolean; multiline: boolean; dotAll: boolean }, extra = ''): string {
  const f = (flags.ignoreCase ? 'i' : '') + (flags.multiline ? 'm' : '') + (flags.dotAll ? 's' : '') + extra;
  return f === '' ? '' : `(?${f})`;
}

/**
 * RE2 (Kusto, Go) lacks lookaround and backreferences; Sigma regexes are PCRE-like. A regex using
 * them would be rejected or read differently, so it is unsupported rather than passed on.
 */
export function checkRe2(pattern: string): void {
  if (/\(\?<?[=!]/.test(pattern)) unsupported('regex', 'lookaround assertions are not in RE2');
  if (/(^|[^\\])(\\\\)*\\[1-9]/.test(pattern)) unsupported('regex', 'backreferences are not in RE2');
  if (/\(\?<[A-Za-z]/.test(pattern)) unsupported('regex', 'named groups (?<name>…) are written (?P<name>…) in RE2');
  if (/[*+?}]\+/.test(pattern) || /\(\?>/.test(pattern)) unsupported('regex', 'possessive or atomic groups are not in RE2');
}

/** Control characters other than tab cannot be written in several targets' literals. */
export function hasControl(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u0008\u000a-\u001f\u007f]/.test(text);
}
