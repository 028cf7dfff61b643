// Sigma regexes (PCRE-like, unanchored) rewritten into Lucene's regular-expression syntax, which
// Elasticsearch uses for `regexp` queries, ES|QL RLIKE and EQL `regex`: always anchored at both
// ends, no `\d`-style classes, `#@&<>~"` reserved. What has no equivalent is unsupported.

import { unsupported } from '../errors.js';

const RESERVED = new Set(['#', '@', '&', '<', '>', '~', '"']);
const CLASSES: Record<string, string> = { d: '0-9', w: 'A-Za-z0-9_', s: ' \t\n\r\f\v' };
const CONTROL: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v' };

/** Lucene regex for a Sigma `re` value (flags other than `s` are the caller's concern). */
export function toLuceneRegex(pattern: string, flags: { multiline: boolean }): string {
  if (flags.multiline) unsupported('regex', 'Lucene regexes have no multi-line mode');
  let src = pattern;
  let start = true;
  let end = true;
  if (src.startsWith('^')) src = src.slice(1);
  else start = false;
  if (/(^|[^\\])(\\\\)*\$$/.test(src)) src = src.slice(0, -1);
  else end = false;
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i] as string;
    if (c === '\\') {
      const n = src[i + 1];
      if (n === undefined) unsupported('regex', 'a trailing backslash');
      i++;
      if (CLASSES[n] !== undefined) out += inClass ? CLASSES[n] : `[${CLASSES[n]}]`;
      else if (CONTROL[n] !== undefined) out += CONTROL[n];
      else if (/[A-Za-z0-9]/.test(n)) unsupported('regex', `the escape \\${n} has no Lucene form`);
      else out += `\\${n}`;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      if (RESERVED.has(c) || c === '[') out += `\\${c}`;
      else out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (src[i + 1] === '^') {
        out += '^';
        i++;
      }
      if (src[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && src[i + 1] === '?') {
      if (src[i + 2] === ':') {
        out += '(';
        i += 2;
        continue;
      }
      unsupported('regex', 'lookaround, inline flags and named groups have no Lucene form');
    }
    if (c === '^' || c === '$') unsupported('regex', 'anchors inside a Lucene regex');
    // Lazy quantifiers match the same strings as greedy ones.
    if (c === '?' && /[*+?}]/.test(src[i - 1] ?? '') && src[i - 2] !== '\\') continue;
    if (RESERVED.has(c)) out += `\\${c}`;
    else out += c;
  }
  if (inClass) unsupported('regex', 'an unterminated character class');
  return `${start ? '' : '.*'}${out}${end ? '' : '.*'}`;
}
