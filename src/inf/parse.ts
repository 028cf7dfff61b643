// INF text → sections of entries, the way setupapi reads them: `[section]` headers (names are
// case-insensitive and repeated sections merge), `key = field, field` or key-less lines, `;`
// comments outside quotes, `"…"` quoting with `""` for a quote, a trailing `\` joining the next
// line, and `%name%` replaced from [Strings] (or a locale [Strings.NNNN]), `%NN%` DIRIDs
// replaced by the folder they stand for, and `%%` by `%`. Problems are data with line numbers.

import { decodeInf, type InfEncoding } from './decode.js';

export interface InfLimits {
  /** Bytes read at most (the rest is ignored and reported). */
  maxBytes: number;
  maxLines: number;
  /** Characters of one logical line (after joining continuations) kept at most. */
  maxLineLength: number;
}

export const DEFAULT_INF_LIMITS: Readonly<InfLimits> = { maxBytes: 8 * 1024 * 1024, maxLines: 200_000, maxLineLength: 64 * 1024 };

export type InfProblemCode =
  | 'input-truncated'
  | 'too-many-lines'
  | 'line-too-long'
  | 'unterminated-quote'
  | 'unclosed-section-header'
  | 'entry-outside-section'
  | 'continuation-at-end'
  | 'undefined-string'
  | 'nul-characters';

export interface InfProblem {
  code: InfProblemCode;
  message: string;
  /** 1-based line of the physical line where the problem is. */
  line: number;
}

export interface InfEntry {
  /** 1-based physical line where the entry starts. */
  line: number;
  /** The key as written (before substitution), or null for a key-less line. */
  key: string | null;
  /** The key after substitution, lower-cased for lookups (null for key-less lines). */
  keyLower: string | null;
  /** Fields after unquoting and substitution. */
  fields: string[];
  /** Fields after unquoting, before substitution. */
  rawFields: string[];
  /** The logical line as written (continuations joined, comment removed). */
  text: string;
}

export interface InfSection {
  /** The name as first written. */
  name: string;
  line: number;
  entries: InfEntry[];
}

export interface ParsedInf {
  encoding: InfEncoding;
  bom: boolean;
  /** Sections by lower-cased name. */
  sections: Map<string, InfSection>;
  /** The [Strings] values used for substitution, by lower-cased name. */
  strings: Map<string, string>;
  /** `%name%` references with no [Strings] value and no DIRID (kept as written). */
  unresolved: string[];
  problems: InfProblem[];
}

/** Folders behind the DIRIDs that matter for commands and OCX paths (Microsoft's DIRID list). */
export const DIRIDS: ReadonlyMap<string, string> = new Map([
  ['10', 'C:\\Windows'],
  ['11', 'C:\\Windows\\System32'],
  ['12', 'C:\\Windows\\System32\\drivers'],
  ['17', 'C:\\Windows\\INF'],
  ['18', 'C:\\Windows\\Help'],
  ['20', 'C:\\Windows\\Fonts'],
  ['24', 'C:\\'],
  ['25', 'C:\\Windows'],
  ['30', 'C:\\'],
  ['50', 'C:\\Windows\\System'],
  ['53', 'C:\\Users\\<user>'],
  ['54', 'C:\\'],
  ['55', 'C:\\Windows\\System32\\spool\\prtprocs'],
  ['16406', 'C:\\ProgramData\\Microsoft\\Windows\\Start Menu'],
  ['16407', 'C:\\ProgramData\\Microsoft\\Windows\\Start Menu\\Programs'],
  ['16409', 'C:\\Users\\Public\\Desktop'],
  ['16419', 'C:\\ProgramData'],
  ['16420', 'C:\\Windows'],
  ['16421', 'C:\\Windows\\System32'],
  ['16422', 'C:\\Program Files'],
  ['16425', 'C:\\Windows\\SysWOW64'],
  ['16426', 'C:\\Program Files (x86)'],
  ['16427', 'C:\\Program Files\\Common Files'],
]);

interface Logical {
  text: string;
  line: number;
}

/** Physical lines → logical lines: comments cut, `\` continuations joined, caps applied. */
function logicalLines(text: string, limits: InfLimits, problems: InfProblem[]): Logical[] {
  const physical = text.split(/\r\n|\r|\n/);
  if (physical.length > limits.maxLines) {
    problems.push({ code: 'too-many-lines', message: `${physical.length} lines; the first ${limits.maxLines} are read`, line: limits.maxLines + 1 });
    physical.length = limits.maxLines;
  }
  const out: Logical[] = [];
  let pending: Logical | null = null;
  for (let i = 0; i < physical.length; i++) {
    const raw = physical[i]!;
    // Comment removal: `;` outside quotes ends the line.
    let inQuote = false;
    let end = raw.length;
    for (let k = 0; k < raw.length; k++) {
      const c = raw[k];
      if (c === '"') inQuote = !inQuote;
      else if (c === ';' && !inQuote) {
        end = k;
        break;
      }
    }
    let body = raw.slice(0, end).trimEnd();
    const continues = body.endsWith('\\') && !/^\s*\[/.test(body);
    if (continues) body = body.slice(0, -1);
    if (pending === null) pending = { text: body, line: i + 1 };
    else if (pending.text.length < limits.maxLineLength) pending.text += body;
    // Once cut, a line takes no more continuations: appending and cutting again per physical
    // line would copy the whole line each time (quadratic in a run of continuations).
    if (pending.text.length > limits.maxLineLength) {
      problems.push({ code: 'line-too-long', message: `a logical line of more than ${limits.maxLineLength} characters; the first ${limits.maxLineLength} are kept`, line: pending.line });
      pending.text = pending.text.slice(0, limits.maxLineLength);
    }
    if (!continues) {
      out.push(pending);
      pending = null;
    }
  }
  if (pending !== null) {
    problems.push({ code: 'continuation-at-end', message: 'the last line ends with a continuation backslash', line: pending.line });
    out.push(pending);
  }
  return out;
}

/** Splits at unquoted `sep` (first occurrence only when `once`), unquoting fields. */
function splitFields(text: string, line: number, problems: InfProblem[]): string[] {
  const fields: string[] = [];
  let cur = '';
  let inQuote = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      if (inQuote && text[i + 1] === '"') {
        cur += '"';
        i++;
      } else inQuote = !inQuote;
    } else if (c === ',' && !inQuote) {
      fields.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  if (inQuote) problems.push({ code: 'unterminated-quote', message: 'a quoted field is not closed', line });
  fields.push(cur.trim());
  return fields;
}

/** The index of the first `=` outside quotes, or -1. */
function unquotedEquals(text: string): number {
  let inQuote = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') inQuote = !inQuote;
    else if (c === '=' && !inQuote) return i;
  }
  return -1;
}

function unquote(s: string): string {
  const t = s.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).replace(/""/g, '"') : t;
}

/** Parses INF bytes; never throws. */
export function parseInf(bytes: Uint8Array, limits: InfLimits = DEFAULT_INF_LIMITS): ParsedInf {
  const problems: InfProblem[] = [];
  let input = bytes;
  if (input.length > limits.maxBytes) {
    problems.push({ code: 'input-truncated', message: `${input.length} bytes; the first ${limits.maxBytes} are read`, line: 0 });
    input = input.subarray(0, limits.maxBytes);
  }
  const decoded = decodeInf(input);
  let text = decoded.text;
  if (text.includes('\u0000')) {
    const at = text.slice(0, text.indexOf('\u0000')).split(/\r\n|\r|\n/).length;
    problems.push({ code: 'nul-characters', message: 'NUL characters in the text (removed)', line: at });
    text = text.replaceAll('\u0000', '');
  }
  const sections = new Map<string, InfSection>();
  let current: InfSection | null = null;
  const pendingEntries: Array<{ section: InfSection; line: number; keyText: string | null; valueText: string; text: string }> = [];
  for (const { text: lt, line } of logicalLines(text, limits, problems)) {
    const t = lt.trim();
    if (t === '') continue;
    if (t.startsWith('[')) {
      const close = t.indexOf(']');
      if (close < 0) problems.push({ code: 'unclosed-section-header', message: 'a section header without `]`', line });
      const name = (close < 0 ? t.slice(1) : t.slice(1, close)).trim();
      const key = name.toLowerCase();
      current = sections.get(key) ?? { name, line, entries: [] };
      sections.set(key, current);
      continue;
    }
    if (current === null) {
      problems.push({ code: 'entry-outside-section', message: 'a line before any section header (ignored)', line });
      continue;
    }
    const eq = unquotedEquals(t);
    pendingEntries.push({ section: current, line, keyText: eq < 0 ? null : t.slice(0, eq).trim(), valueText: eq < 0 ? t : t.slice(eq + 1), text: t });
  }

  // [Strings] first (a locale section fills only names [Strings] lacks), then substitute.
  const strings = new Map<string, string>();
  const stringSections = [...sections.entries()].filter(([k]) => k === 'strings' || k.startsWith('strings.')).sort(([a], [b]) => (a === 'strings' ? -1 : b === 'strings' ? 1 : a.localeCompare(b)));
  for (const [, s] of stringSections) {
    for (const e of pendingEntries) {
      if (e.section !== s || e.keyText === null) continue;
      const k = unquote(e.keyText).toLowerCase();
      if (!strings.has(k)) strings.set(k, unquote(e.valueText));
    }
  }
  // Unresolved names and the line each first appears on.
  const unresolved = new Map<string, number>();
  // Substitution multiplies: a 64 KiB string referenced 20,000 times on one line is gigabytes.
  // Each field may grow to the line cap, and all fields together to a multiple of the input;
  // past that, references stay as written and the entry says so.
  let budget = Math.max(4 * 1024 * 1024, 16 * text.length);
  let cut = false;
  const substitute = (s: string, line: number): string => {
    let length = s.length;
    return s.replace(/%([^%\r\n]*)%/g, (whole, name: string) => {
      if (name === '') return '%';
      const v = strings.get(name.toLowerCase()) ?? DIRIDS.get(name.replace(/^0+(?=\d)/, ''));
      if (v === undefined) {
        if (!unresolved.has(name)) unresolved.set(name, line);
        return whole;
      }
      const grow = v.length - whole.length;
      if (length + grow > limits.maxLineLength || grow > budget) {
        cut = true;
        return whole;
      }
      length += grow;
      budget -= Math.max(0, grow);
      return v;
    });
  };
  for (const e of pendingEntries) {
    const rawFields = splitFields(e.valueText, e.line, problems);
    const key = e.keyText === null ? null : unquote(e.keyText);
    cut = false;
    e.section.entries.push({
      line: e.line,
      key,
      keyLower: key === null ? null : substitute(key, e.line).toLowerCase(),
      fields: rawFields.map((f) => substitute(f, e.line)),
      rawFields,
      text: e.text,
    });
    if (cut) problems.push({ code: 'line-too-long', message: `[Strings] substitution would make a field longer than ${limits.maxLineLength} characters (or the file's total too large); those references are kept as written`, line: e.line });
  }
  for (const [name, line] of unresolved) {
    problems.push({ code: 'undefined-string', message: `%${name}% is not in [Strings] and is not a DIRID (kept as written)`, line });
  }
  return { encoding: decoded.encoding, bom: decoded.bom, sections, strings, unresolved: [...unresolved.keys()], problems };
}

/** The section named `name` (case-insensitive), if present. */
export function section(inf: ParsedInf, name: string): InfSection | undefined {
  return inf.sections.get(name.trim().toLowerCase());
}

/** The fields of the first `key` entry of a section (case-insensitive), if any. */
export function valueOf(s: InfSection | undefined, key: string): InfEntry | undefined {
  const k = key.toLowerCase();
  return s?.entries.find((e) => e.keyLower === k);
}
