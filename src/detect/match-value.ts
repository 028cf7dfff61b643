// Value matchers: one typed Sigma value compiled into a predicate over one event field value.
//
// Choices (see /work/shared/reference/sigma-and-evtx-notes.md A2–A4):
// - Strings compare case-insensitively (lowercased both sides) unless `cased`.
// - Numbers in events compare by their decimal text (`4688` equals `'4688'`).
// - `*` matches any run of characters, newlines included; `?` exactly one UTF-16 code unit.
//   Wildcards never become a regex: plain equality / prefix / suffix / contains fast paths, and a
//   segment matcher otherwise (leftmost search of each `*`-separated segment: no backtracking,
//   worst case O(value length × pattern length)).
// - A multi-valued field (array) matches when any element matches.
// - `null` matches a field that is absent, null, or the empty string.
// - `re` is an unanchored search on a linear-time engine (regex.ts: V8's linear engine, or our
//   NFA), so no event value can make a pattern backtrack; patterns are also capped at the
//   loader's length limit (MAX_REGEX_LENGTH).

import type { FieldValue, FieldScalar } from '../events/fields.js';
import type { SigmaCidr, SigmaString, SigmaValue, StringPart } from '../sigma/values.js';
import { PlaceholderMissing, substitutePlaceholders, type Placeholders } from './placeholders.js';
import { compileSigmaRegex, RegexUnsupported, type CompiledRegex } from './regex.js';

/** What compiling a value may need beyond the value itself. */
export interface CompileContext {
  /** Values for `expand` placeholders; without them a placeholder makes the rule unsupported. */
  placeholders?: Placeholders;
}

/** The strings a possibly placeholder-bearing string stands for (UnsupportedError when one is undefined). */
function resolveStrings(v: SigmaString, ctx: CompileContext): SigmaString[] {
  try {
    return substitutePlaceholders(v, ctx.placeholders);
  } catch (e) {
    if (e instanceof PlaceholderMissing) throw new UnsupportedError(e.message);
    throw e;
  }
}

function anyOf<A extends unknown[]>(ms: readonly ((...a: A) => boolean)[]): (...a: A) => boolean {
  if (ms.length === 1) return ms[0]!;
  return (...a) => {
    for (const m of ms) if (m(...a)) return true;
    return false;
  };
}

/** Same default as the loader's `maxRegexLength`. */
export const MAX_REGEX_LENGTH = 4096;

/** The event being matched: field access (for `fieldref`) and case folding cached per event. */
export interface EventAccess {
  get(name: string): FieldValue | undefined;
  /** `s.toLowerCase()`, memoised for the current event (many rules fold the same values). */
  lower(s: string): string;
}

/** A predicate over one field's value (undefined when the field is absent). */
export type ValueMatcher = (value: FieldValue | undefined, ev: EventAccess) => boolean;

export class UnsupportedError extends Error {}

/** The text of a scalar event value, or null when it has none (null). */
export function scalarText(v: FieldScalar): string | null {
  if (v === null) return null;
  if (typeof v === 'string') return v;
  return String(v);
}

/** Applies a scalar predicate to a value, any element of an array. */
function anyScalar(v: FieldValue | undefined, f: (s: FieldScalar) => boolean): boolean {
  if (v === undefined) return false;
  if (Array.isArray(v)) return (v as readonly FieldScalar[]).some(f);
  return f(v as FieldScalar);
}

type Seg = { text: string; single: boolean[] };

/** Compiles wildcard parts into a string predicate (the string is already case-folded when needed). */
export function globMatcher(parts: readonly StringPart[], fold: boolean): (s: string) => boolean {
  // Segments separated by `*`; each segment is text with `?` positions.
  const segs: Seg[] = [];
  let cur: Seg = { text: '', single: [] };
  let leadingStar = false;
  let trailingStar = false;
  parts.forEach((p, i) => {
    if (p.kind === 'wildcard-multi') {
      if (i === 0) leadingStar = true;
      if (i === parts.length - 1) trailingStar = true;
      segs.push(cur);
      cur = { text: '', single: [] };
    } else if (p.kind === 'wildcard-single') {
      cur.text += '?';
      cur.single.push(true);
    } else if (p.kind === 'text') {
      const t = fold ? p.text.toLowerCase() : p.text;
      cur.text += t;
      for (let k = 0; k < t.length; k++) cur.single.push(false);
    } else {
      throw new UnsupportedError(`placeholder %${p.name}% (expand) has no values: give a placeholders file`);
    }
  });
  segs.push(cur);
  const hasSingle = segs.some((s) => s.single.includes(true));
  if (!hasSingle) {
    // Fast paths.
    if (segs.length === 1) {
      const t = segs[0]!.text;
      return (s) => s === t;
    }
    if (segs.length === 2 && !leadingStar && trailingStar) {
      const t = segs[0]!.text;
      return (s) => s.startsWith(t);
    }
    if (segs.length === 2 && leadingStar && !trailingStar) {
      const t = segs[1]!.text;
      return (s) => s.endsWith(t);
    }
    if (segs.length === 3 && leadingStar && trailingStar) {
      const t = segs[1]!.text;
      return (s) => s.includes(t);
    }
  }
  return (s) => segmentMatch(segs, s);
}

function segAt(seg: Seg, s: string, at: number): boolean {
  if (at + seg.text.length > s.length) return false;
  for (let k = 0; k < seg.text.length; k++) {
    if (!seg.single[k] && s.charCodeAt(at + k) !== seg.text.charCodeAt(k)) return false;
  }
  return true;
}

function segFind(seg: Seg, s: string, from: number): number {
  if (!seg.single.includes(true)) return s.indexOf(seg.text, from);
  for (let at = from; at + seg.text.length <= s.length; at++) if (segAt(seg, s, at)) return at;
  return -1;
}

/** segs[0] anchored at the start, the last anchored at the end, the middle ones found leftmost. */
function segmentMatch(segs: readonly Seg[], s: string): boolean {
  const first = segs[0]!;
  if (segs.length === 1) return first.text.length === s.length && segAt(first, s, 0);
  const last = segs[segs.length - 1]!;
  if (first.text.length + last.text.length > s.length) return false;
  if (!segAt(first, s, 0)) return false;
  const end = s.length - last.text.length;
  if (!segAt(last, s, end)) return false;
  let pos = first.text.length;
  for (let i = 1; i < segs.length - 1; i++) {
    const seg = segs[i]!;
    if (seg.text.length === 0) continue;
    const at = segFind(seg, s, pos);
    if (at < 0 || at + seg.text.length > end) return false;
    pos = at + seg.text.length;
  }
  return true;
}

function stringMatcher(v: SigmaString, ctx: CompileContext): ValueMatcher {
  const strings = resolveStrings(v, ctx);
  if (strings.length !== 1 || strings[0] !== v) return anyOf(strings.map((x) => stringMatcher(x, ctx)));
  const fold = !v.cased;
  const glob = globMatcher(v.parts, fold);
  // The hot path of every scan: no closure or array allocated per call.
  const one = (x: FieldScalar, ev: EventAccess): boolean => {
    if (x === null) return false;
    const t = typeof x === 'string' ? x : String(x);
    return glob(fold ? ev.lower(t) : t);
  };
  return (value, ev) => {
    if (value === undefined || value === null) return false;
    if (typeof value === 'string') return glob(fold ? ev.lower(value) : value);
    if (Array.isArray(value)) {
      for (const x of value as readonly FieldScalar[]) if (one(x, ev)) return true;
      return false;
    }
    return one(value as FieldScalar, ev);
  };
}

/** Compiles a Sigma regex (flags from the `i`/`m`/`s` sub-modifiers and a leading `(?ims)`) to a linear-time search. */
export function compileRegex(pattern: string, flags: { ignoreCase: boolean; multiline: boolean; dotAll: boolean }): CompiledRegex {
  if (pattern.length > MAX_REGEX_LENGTH) throw new UnsupportedError(`regular expression longer than ${MAX_REGEX_LENGTH} characters`);
  try {
    return compileSigmaRegex(pattern, flags);
  } catch (e) {
    if (e instanceof RegexUnsupported) throw new UnsupportedError(`regular expression not supported: ${e.message}`);
    throw e;
  }
}

/**
 * Many `contains` needles searched in one pass: an Aho-Corasick automaton compiled to a dense
 * table over character classes (each character occurring in a needle is a class, every other
 * character class 0). A rule listing 50 command-line fragments then costs one walk over the
 * value instead of 50 substring searches.
 */
export class MultiContains {
  private readonly ascii = new Uint16Array(128);
  private readonly other = new Map<number, number>();

  /** Null when the table would exceed `maxCells` cells (then plain searches are used). */
  static build(needles: readonly string[], maxCells = 1 << 21): MultiContains | null {
    const m = new MultiContains(needles, false);
    return m.fill(maxCells) ? m : null;
  }

  /**
   * For lower-case ASCII needles searched in text that is not folded: upper-case ASCII letters
   * (and U+212A KELVIN SIGN, U+0130, which lower-case to ASCII) share their lower-case class, so a
   * hit in the lower-cased text is never missed (a superset: fit for prefilters).
   */
  static buildFolding(needles: readonly string[], maxCells = 1 << 21): MultiContains | null {
    if (needles.some((n) => [...n].some((c) => c.charCodeAt(0) > 0x7f) || n !== n.toLowerCase())) return null;
    const m = new MultiContains(needles, true);
    return m.fill(maxCells) ? m : null;
  }

  private readonly go: Map<number, number>[] = [new Map<number, number>()];
  private readonly end: boolean[] = [false];
  private delta: Uint16Array | Int32Array = new Uint16Array(0);
  private out: Uint8Array = new Uint8Array(0);
  private classes = 0;

  private constructor(needles: readonly string[], foldAscii: boolean) {
    const alphabet = new Set<number>();
    for (const n of needles) for (let i = 0; i < n.length; i++) alphabet.add(n.charCodeAt(i));
    let k = 1;
    for (const c of [...alphabet].sort((a, b) => a - b)) {
      if (c < 128) this.ascii[c] = k++;
      else this.other.set(c, k++);
    }
    this.classes = k;
    if (foldAscii) {
      for (let c = 0x41; c <= 0x5a; c++) this.ascii[c] = this.ascii[c + 0x20]!;
      if (this.ascii[0x6b]! > 0) this.other.set(0x212a, this.ascii[0x6b]!);
      if (this.ascii[0x69]! > 0) this.other.set(0x130, this.ascii[0x69]!);
    }
    // The trie.
    const { go, end } = this;
    for (const n of needles) {
      let s = 0;
      for (let i = 0; i < n.length; i++) {
        const c = this.cls(n.charCodeAt(i));
        let t = go[s]!.get(c);
        if (t === undefined) {
          t = go.length;
          go.push(new Map());
          end.push(false);
          go[s]!.set(c, t);
        }
        s = t;
      }
      end[s] = true;
    }
  }

  /** Completes the automaton into the dense table; false when it is too large. */
  private fill(maxCells: number): boolean {
    const { go, end } = this;
    const K = this.classes;
    const S = go.length;
    if (S * K > maxCells) return false;
    const delta = S < 0xffff ? new Uint16Array(S * K) : new Int32Array(S * K);
    const out = new Uint8Array(S);
    const fail = new Int32Array(S);
    // Breadth-first: a state's failure target is complete before the state.
    const queue: number[] = [];
    for (let c = 0; c < K; c++) {
      const t = go[0]!.get(c);
      delta[c] = t ?? 0;
      if (t !== undefined) queue.push(t);
    }
    out[0] = end[0] ? 1 : 0;
    for (let q = 0; q < queue.length; q++) {
      const s = queue[q]!;
      const f = fail[s]!;
      out[s] = end[s] || out[f] === 1 ? 1 : 0;
      for (let c = 0; c < K; c++) {
        const t = go[s]!.get(c);
        if (t === undefined) delta[s * K + c] = delta[f * K + c]!;
        else {
          fail[t] = delta[f * K + c]!;
          delta[s * K + c] = t;
          queue.push(t);
        }
      }
    }
    this.delta = delta;
    this.out = out;
    go.length = 0;
    return true;
  }

  private cls(c: number): number {
    return c < 128 ? this.ascii[c]! : (this.other.get(c) ?? 0);
  }

  /** Whether any needle occurs in `s`. */
  test(s: string): boolean {
    const { delta, out, ascii, other, classes: K } = this;
    if (out[0] === 1) return true;
    let st = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      st = delta[st * K + (c < 128 ? ascii[c]! : (other.get(c) ?? 0))]!;
      if (out[st] === 1) return true;
    }
    return false;
  }
}

/** The needle of a `*text*` string (no `?`, no other `*`), or null. */
function containsNeedle(v: SigmaValue): string | null {
  if (v.type !== 'string' || v.parts.length !== 3) return null;
  const [a, b, c] = v.parts as [StringPart, StringPart, StringPart];
  return a.kind === 'wildcard-multi' && c.kind === 'wildcard-multi' && b.kind === 'text' ? b.text : null;
}

/** Fewer `contains` values than this are searched one by one. */
const MULTI_CONTAINS_MIN = 3;

/**
 * The values of one item, ORed: `contains` values of the same case mode share one automaton,
 * the others are compiled one by one.
 */
export function compileValueList(values: readonly SigmaValue[], ctx: CompileContext = {}): ValueMatcher {
  const needles: Record<'fold' | 'cased', string[]> = { fold: [], cased: [] };
  const rest: SigmaValue[] = [];
  const flat: SigmaValue[] = [];
  const flatten = (v: SigmaValue): void => {
    if (v.type === 'expansion') v.values.forEach(flatten);
    else if (v.type === 'string' && v.parts.some((p) => p.kind === 'placeholder')) resolveStrings(v, ctx).forEach(flatten);
    else flat.push(v);
  };
  values.forEach(flatten);
  for (const v of flat) {
    const n = containsNeedle(v);
    if (n === null) rest.push(v);
    else if ((v as SigmaString).cased) needles.cased.push(n);
    else needles.fold.push(n.toLowerCase());
  }
  const ms: ValueMatcher[] = [];
  for (const mode of ['fold', 'cased'] as const) {
    const list = needles[mode];
    const ac = list.length >= MULTI_CONTAINS_MIN ? MultiContains.build(list) : null;
    if (ac === null) {
      for (const n of list) ms.push(compileValue({ type: 'string', parts: [{ kind: 'wildcard-multi' }, { kind: 'text', text: n }, { kind: 'wildcard-multi' }], cased: mode === 'cased', encoding: 'text' }, ctx));
      continue;
    }
    const fold = mode === 'fold';
    const one = (x: FieldScalar, ev: EventAccess): boolean => {
      if (x === null) return false;
      const t = typeof x === 'string' ? x : String(x);
      return ac.test(fold ? ev.lower(t) : t);
    };
    ms.push((value, ev) => {
      if (value === undefined || value === null) return false;
      if (typeof value === 'string') return ac.test(fold ? ev.lower(value) : value);
      if (Array.isArray(value)) {
        for (const x of value as readonly FieldScalar[]) if (one(x, ev)) return true;
        return false;
      }
      return one(value as FieldScalar, ev);
    });
  }
  for (const v of rest) ms.push(compileValue(v, ctx));
  return anyOf(ms);
}

/** IPv4 or IPv6 text → [version, 32- or 128-bit integer], or null. */
export function parseIp(text: string): [4 | 6, bigint] | null {
  const t = text.trim();
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(t)) {
    let n = 0n;
    for (const o of t.split('.')) {
      const v = Number(o);
      if (v > 255) return null;
      n = (n << 8n) | BigInt(v);
    }
    return [4, n];
  }
  if (!t.includes(':') || !/^[0-9A-Fa-f:.]+$/.test(t)) return null;
  let addr = t;
  // Embedded IPv4 tail (::ffff:1.2.3.4).
  const v4 = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(addr);
  if (v4) {
    const ip = parseIp(v4[1]!);
    if (ip === null) return null;
    const hi = Number(ip[1] >> 16n).toString(16);
    const lo = Number(ip[1] & 0xffffn).toString(16);
    addr = addr.slice(0, addr.length - v4[1]!.length) + `${hi}:${lo}`;
  }
  const halves = addr.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] === '' ? [] : halves[0]!.split(':');
  const tail = halves.length === 2 ? (halves[1] === '' ? [] : halves[1]!.split(':')) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  let n = 0n;
  for (const g of groups) {
    if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return null;
    n = (n << 16n) | BigInt(parseInt(g, 16));
  }
  return [6, n];
}

function cidrMatcher(c: SigmaCidr): ValueMatcher {
  const net = parseIp(c.address);
  if (net === null) throw new UnsupportedError(`cidr network '${c.address}' not parsed`);
  const bits = BigInt(c.version === 4 ? 32 : 128);
  const shift = bits - BigInt(c.prefix);
  const want = net[1] >> shift;
  const pred = (x: FieldScalar): boolean => {
    const t = scalarText(x);
    const ip = t === null ? null : parseIp(t);
    return ip !== null && ip[0] === c.version && ip[1] >> shift === want;
  };
  return (value) => anyScalar(value, pred);
}

function toNumber(x: FieldScalar): number | null {
  if (typeof x === 'number') return x;
  if (typeof x === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(x)) return Number(x);
  return null;
}

/** Compiles one typed value into a matcher. Throws UnsupportedError for values this engine cannot evaluate. */
export function compileValue(v: SigmaValue, ctx: CompileContext = {}): ValueMatcher {
  switch (v.type) {
    case 'string':
      return stringMatcher(v, ctx);
    case 'number': {
      const text = String(v.value);
      const pred = (x: FieldScalar): boolean => (typeof x === 'number' ? x === v.value : scalarText(x) === text);
      return (value) => anyScalar(value, pred);
    }
    case 'bool': {
      const text = String(v.value);
      const pred = (x: FieldScalar): boolean => (typeof x === 'boolean' ? x === v.value : scalarText(x)?.toLowerCase() === text);
      return (value) => anyScalar(value, pred);
    }
    case 'null':
      return (value) => value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
    case 'regex': {
      const re = compileRegex(v.pattern, v.flags);
      const one = (x: FieldScalar, ev: EventAccess): boolean => {
        if (x === null) return false;
        const t = typeof x === 'string' ? x : String(x);
        return re.test(t, re.required.length > 0 ? ev.lower(t) : undefined);
      };
      return (value, ev) => {
        if (value === undefined) return false;
        if (Array.isArray(value)) {
          for (const x of value as readonly FieldScalar[]) if (one(x, ev)) return true;
          return false;
        }
        return one(value as FieldScalar, ev);
      };
    }
    case 'cidr':
      return cidrMatcher(v);
    case 'exists':
      return (value) => (value !== undefined) === v.value;
    case 'compare': {
      const { op, value: n } = v;
      const cmp = op === 'gt' ? (a: number) => a > n : op === 'gte' ? (a: number) => a >= n : op === 'lt' ? (a: number) => a < n : (a: number) => a <= n;
      const pred = (x: FieldScalar): boolean => {
        const a = toNumber(x);
        return a !== null && cmp(a);
      };
      return (value) => anyScalar(value, pred);
    }
    case 'fieldref': {
      // Case-insensitive like the default string match; false when either field is missing or null.
      const { field, startsWith, endsWith } = v;
      return (value, ev) => {
        const other = ev.get(field);
        if (other === undefined || other === null || Array.isArray(other)) return false;
        const o = scalarText(other as FieldScalar)?.toLowerCase();
        if (o === undefined) return false;
        return anyScalar(value, (x) => {
          const t = scalarText(x)?.toLowerCase();
          if (t === undefined) return false;
          if (startsWith && endsWith) return t.includes(o);
          if (startsWith) return t.startsWith(o);
          if (endsWith) return t.endsWith(o);
          return t === o;
        });
      };
    }
    case 'expansion': {
      return anyOf(v.values.map((x) => compileValue(x, ctx)));
    }
    case 'timestamp-part': {
      const { unit, value: want } = v;
      const pred = (x: FieldScalar): boolean => {
        const parts = timestampParts(x);
        return parts !== null && parts[unit] === want;
      };
      return (value) => anyScalar(value, pred);
    }
  }
}

export interface TimestampParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** ISO 8601 week of the (ISO week-numbering) year, 1–53. */
  week: number;
}

const ISO_TIME = /^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::\d\d(?:[.,]\d+)?)?)?\s*(?:Z|[+-]\d\d:?\d\d)?$/i;
const US_TIME = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:,?\s+(\d{1,2}):(\d\d)(?::\d\d(?:\.\d+)?)?\s*(AM|PM)?)?$/i;
/** 100-ns ticks between 1601-01-01 and 1970-01-01 (FILETIME epoch). */
const FILETIME_EPOCH_MS = 11_644_473_600_000;

function isoWeek(year: number, month: number, day: number): number {
  const t = Date.UTC(year, month - 1, day);
  const dow = (new Date(t).getUTCDay() + 6) % 7; // Monday = 0
  const thursday = new Date(t + (3 - dow) * 86_400_000);
  const jan1 = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  return Math.floor((thursday.getTime() - jan1) / 86_400_000 / 7) + 1;
}

function partsOf(year: number, month: number, day: number, hour: number, minute: number): TimestampParts | null {
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59) return null;
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCDate() !== day || d.getUTCMonth() !== month - 1) return null;
  return { year, month, day, hour, minute, week: isoWeek(year, month, day) };
}

/**
 * The calendar parts of a timestamp field value, as written (the spec: no timezone conversion;
 * an offset is ignored, so `…T23:30:00-05:00` is hour 23). Accepted forms: ISO 8601 (`T` or a
 * space, optional seconds, fraction and zone; a date alone is 00:00), the US form Windows
 * message strings use (`3/5/2024 1:02:03 PM`, with the U+200E/U+200F marks Windows inserts
 * removed), and FILETIME (an integer of 100-ns ticks since 1601, as a 17–18 digit number or
 * decimal text, or 0x + 16 hex digits), read as UTC; smaller numbers are not times. Null for anything else.
 */
export function timestampParts(x: FieldScalar): TimestampParts | null {
  if (x === null || typeof x === 'boolean') return null;
  let ticks: number | null = null;
  if (typeof x === 'number') ticks = Number.isInteger(x) && x >= 1e16 && x < 1e19 ? x : null;
  else {
    const t = x.replace(/[\u200e\u200f]/g, '').trim();
    if (t.length > 64) return null;
    let m = ISO_TIME.exec(t);
    if (m !== null) return partsOf(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0));
    m = US_TIME.exec(t);
    if (m !== null) {
      let hour = Number(m[4] ?? 0);
      const ampm = m[6]?.toUpperCase();
      if (ampm !== undefined) {
        if (hour < 1 || hour > 12) return null;
        hour = (hour % 12) + (ampm === 'PM' ? 12 : 0);
      }
      return partsOf(Number(m[3]), Number(m[1]), Number(m[2]), hour, Number(m[5] ?? 0));
    }
    if (/^\d{17,18}$/.test(t)) ticks = Number(t);
    else if (/^0x[0-9a-f]{16}$/i.test(t)) ticks = Number(BigInt(t));
  }
  if (ticks === null) return null;
  const ms = Math.floor(ticks / 10_000) - FILETIME_EPOCH_MS;
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return null;
  return partsOf(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes());
}

/** A predicate over one text of the event (keyword search). */
export type KeywordMatcher = (text: string, ev: EventAccess) => boolean;

/** For keyword search: the value wrapped in `*…*` (unanchored), compiled against one text. */
export function compileKeyword(v: SigmaValue, ctx: CompileContext = {}): KeywordMatcher {
  if (v.type === 'expansion') return anyOf(v.values.map((x) => compileKeyword(x, ctx)));
  if (v.type === 'number') return compileKeyword({ type: 'string', parts: [{ kind: 'text', text: String(v.value) }], cased: false, encoding: 'text' });
  if (v.type === 'string') {
    const strings = resolveStrings(v, ctx);
    if (strings.length !== 1 || strings[0] !== v) return anyOf(strings.map((x) => compileKeyword(x, ctx)));
  }
  if (v.type === 'regex') {
    const re = compileRegex(v.pattern, v.flags);
    return re.required.length > 0 ? (t, ev) => re.test(t, ev.lower(t)) : (t) => re.test(t);
  }
  if (v.type !== 'string') throw new UnsupportedError(`keyword search with a ${v.type} value`);
  const parts: StringPart[] = [...v.parts];
  if (parts[0]?.kind !== 'wildcard-multi') parts.unshift({ kind: 'wildcard-multi' });
  if (parts[parts.length - 1]?.kind !== 'wildcard-multi') parts.push({ kind: 'wildcard-multi' });
  const fold = !v.cased;
  const glob = globMatcher(parts, fold);
  return fold ? (t, ev) => glob(ev.lower(t)) : (t) => glob(t);
}
