// Sigma `re` values compiled so that no pattern and no event value can hang the engine.
//
// Decision (measured on the 217 regex values of the 3,957 SigmaHQ rule files in
// ../shared/conformance/sigmahq, Node 20.20):
// - Every pattern is parsed here first (the spec's PCRE subset plus what SigmaHQ uses: escapes
//   `\d\w\s\b\xHH\uHHHH…`, `(?:…)`, named groups, lazy quantifiers, `{,m}`, a leading inline
//   `(?i)`/`(?s)`/`(?m)` and scoped `(?i:…)`, Python's `\A`/`\Z`). Backreferences, lookarounds,
//   possessive quantifiers, atomic groups, `\p{…}` and other PCRE extras make the rule
//   unsupported (with the reason): none of the SigmaHQ patterns uses them.
// - `i` and `s` are compiled into the pattern (letters become case classes with JavaScript's
//   non-Unicode case folding, `.` a character class), because V8's linear engine refuses the `i`
//   flag. `m` stays a flag.
// - Path 1, V8's linear-time engine (`--enable-experimental-regexp-engine`, the `l` flag):
//   195 of 217 SigmaHQ values. It runs in C++ and never backtracks.
// - Path 2, this file's own linear-time NFA simulation (Thompson construction, one pass over
//   the input holding a set of states; O(input × pattern) with no backtracking): the 22 values
//   V8's linear engine refuses because a counted repetition (`.{150}`, `[^\\]{1,256}`,
//   `.{1000,}`) replicates too much bytecode for it, and every pattern when the linear engine is
//   unavailable (a runtime without `v8.setFlagsFromString` or without the flag). The program is
//   capped at MAX_NFA_STATES states; a larger expansion is reported unsupported.
// - JavaScript's backtracking engine is never used for rule patterns, so a hostile event value
//   cannot trigger catastrophic backtracking (`(a+)+$` over 50k characters is linear on both
//   paths), and no input-length cap is needed.
// Semantics (spec-silent, fixed by tests): unanchored search (like Hayabusa's `is_match`);
// `\w`, `\d`, `\b` and case folding are JavaScript's non-Unicode ones (ASCII word characters);
// `$` without `m` matches only at the very end (not before a final newline as in PCRE/Python);
// `.` without `s` excludes \n, \r, U+2028 and U+2029.

import * as v8 from 'node:v8';

/** A pattern this engine does not evaluate (the rule becomes unsupported with this reason). */
export class RegexUnsupported extends Error {}

export interface RegexFlags {
  ignoreCase: boolean;
  multiline: boolean;
  dotAll: boolean;
}

export interface CompiledRegex {
  /**
   * Unanchored search. `folded` is `text.toLowerCase()` when the caller has it at hand (it is
   * computed otherwise): a quick literal prefilter runs on it before the regex engine.
   */
  test(text: string, folded?: string): boolean;
  /** ASCII literals (lower-case) one of which every match contains; empty when none is known. */
  required: readonly string[];
  /** Which linear-time path evaluates the pattern. */
  engine: 'v8-linear' | 'nfa';
  /** The JavaScript source given to V8's linear engine (for diagnostics), or null on the NFA path. */
  source: string | null;
}

/** Upper bound on NFA program size after expanding counted repetitions. */
export const MAX_NFA_STATES = 20_000;
const MAX_DEPTH = 200;

function enableLinearEngine(): boolean {
  try {
    if (typeof v8.setFlagsFromString !== 'function') return false;
    v8.setFlagsFromString('--enable-experimental-regexp-engine');
    const linearFlag = 'l';
    return new RegExp('a', linearFlag).test('a');
  } catch {
    return false;
  }
}

/** Whether V8's linear-time engine is available in this process (decided once, at load). */
export const LINEAR_ENGINE_AVAILABLE: boolean = enableLinearEngine();

// ---------------------------------------------------------------------------------------------
// Character sets: sorted, merged, inclusive UTF-16 code-unit ranges [lo0, hi0, lo1, hi1, …].

type Ranges = number[];
const MAX_CU = 0xffff;

function normalizeRanges(r: Ranges): Ranges {
  const pairs: [number, number][] = [];
  for (let i = 0; i < r.length; i += 2) pairs.push([r[i]!, r[i + 1]!]);
  pairs.sort((a, b) => a[0] - b[0]);
  const out: Ranges = [];
  for (const [lo, hi] of pairs) {
    const n = out.length;
    if (n > 0 && lo <= out[n - 1]! + 1) out[n - 1] = Math.max(out[n - 1]!, hi);
    else out.push(lo, hi);
  }
  return out;
}

function complement(r: Ranges): Ranges {
  const n = normalizeRanges(r);
  const out: Ranges = [];
  let next = 0;
  for (let i = 0; i < n.length; i += 2) {
    if (n[i]! > next) out.push(next, n[i]! - 1);
    next = n[i + 1]! + 1;
  }
  if (next <= MAX_CU) out.push(next, MAX_CU);
  return out;
}

const DIGIT: Ranges = [0x30, 0x39];
const WORD: Ranges = [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a];
const SPACE: Ranges = normalizeRanges([9, 13, 0x20, 0x20, 0xa0, 0xa0, 0x1680, 0x1680, 0x2000, 0x200a, 0x2028, 0x2029, 0x202f, 0x202f, 0x205f, 0x205f, 0x3000, 0x3000, 0xfeff, 0xfeff]);
const LINE_TERMINATORS: Ranges = [0x0a, 0x0a, 0x0d, 0x0d, 0x2028, 0x2029];
const ANY: Ranges = [0, MAX_CU];

function isLineTerminator(c: number): boolean {
  return c === 0x0a || c === 0x0d || c === 0x2028 || c === 0x2029;
}

function isWordChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || (c >= 0x61 && c <= 0x7a);
}

/** JavaScript's non-Unicode `i` canonicalisation (ECMA-262 Canonicalize, non-unicode branch). */
function canonicalize(c: number): number {
  const u = String.fromCharCode(c).toUpperCase();
  if (u.length !== 1) return c;
  const cu = u.charCodeAt(0);
  return c >= 128 && cu < 128 ? c : cu;
}

let caseClasses: Map<number, number[]> | null = null;

/** The code units equivalent to `c` under case-insensitive matching (itself included). */
function caseVariants(c: number): readonly number[] {
  if (caseClasses === null) {
    const byCanon = new Map<number, number[]>();
    for (let x = 0; x <= MAX_CU; x++) {
      const k = canonicalize(x);
      let l = byCanon.get(k);
      if (l === undefined) byCanon.set(k, (l = []));
      l.push(x);
    }
    caseClasses = new Map();
    for (const l of byCanon.values()) {
      if (l.length < 2) continue;
      for (const x of l) caseClasses.set(x, l);
    }
  }
  return caseClasses.get(c) ?? [c];
}

/** Adds every case variant of the set's members (the set then matches case-insensitively). */
function caseClose(r: Ranges): Ranges {
  const out = [...r];
  for (let i = 0; i < r.length; i += 2) {
    for (let c = r[i]!; c <= r[i + 1]!; c++) {
      const v = caseVariants(c);
      if (v.length > 1) for (const x of v) if (x !== c) out.push(x, x);
    }
  }
  return normalizeRanges(out);
}

// ---------------------------------------------------------------------------------------------
// Syntax tree.

type AssertKind = 'input-start' | 'input-end' | 'line-start' | 'line-end' | 'word' | 'not-word';

type Node =
  | { t: 'set'; ranges: Ranges }
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; alts: Node[] }
  | { t: 'repeat'; body: Node; min: number; max: number }
  | { t: 'assert'; kind: AssertKind };

interface Mode {
  i: boolean;
  m: boolean;
  s: boolean;
}

const MAX_COUNT = 100_000;

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(private readonly src: string) {}

  fail(message: string): never {
    throw new RegexUnsupported(`${message} at offset ${this.pos}`);
  }

  parse(mode: Mode): Node {
    const n = this.alternation(mode);
    if (this.pos < this.src.length) this.fail(`unbalanced ')'`);
    return n;
  }

  private peek(k = 0): string | undefined {
    return this.src[this.pos + k];
  }

  private alternation(mode: Mode): Node {
    if (++this.depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH}`);
    const alts: Node[] = [this.sequence(mode)];
    while (this.peek() === '|') {
      this.pos++;
      alts.push(this.sequence(mode));
    }
    this.depth--;
    return alts.length === 1 ? alts[0]! : { t: 'alt', alts };
  }

  private sequence(mode: Mode): Node {
    const items: Node[] = [];
    while (this.pos < this.src.length && this.peek() !== '|' && this.peek() !== ')') {
      const atom = this.atom(mode);
      if (atom === null) continue;
      items.push(this.quantified(atom));
    }
    return items.length === 1 ? items[0]! : { t: 'seq', items };
  }

  /** `{n}`, `{n,}`, `{n,m}`, `{,m}` at the current position, or null when the brace is literal. */
  private braces(): { min: number; max: number; length: number } | null {
    const m = /^\{(\d*)(?:(,)(\d*))?\}/.exec(this.src.slice(this.pos, this.pos + 24));
    if (m === null || (m[1] === '' && m[2] === undefined) || (m[1] === '' && m[3] === '')) return null;
    const min = m[1] === '' ? 0 : Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    if (min > MAX_COUNT || (max !== Infinity && max > MAX_COUNT)) this.fail(`repetition count above ${MAX_COUNT}`);
    if (max < min) this.fail(`repetition {${min},${max}} has max below min`);
    return { min, max, length: m[0].length };
  }

  private quantified(node: Node): Node {
    const c = this.peek();
    let min: number;
    let max: number;
    if (c === '*' || c === '+' || c === '?') {
      this.pos++;
      [min, max] = c === '*' ? [0, Infinity] : c === '+' ? [1, Infinity] : [0, 1];
    } else if (c === '{') {
      const b = this.braces();
      if (b === null) return node;
      this.pos += b.length;
      ({ min, max } = b);
    } else {
      return node;
    }
    if (node.t === 'assert') this.fail(`quantifier after an assertion`);
    // Lazy `?` changes which match is found, not whether one exists: the same for a search.
    if (this.peek() === '?') this.pos++;
    else if (this.peek() === '+') this.fail(`possessive quantifier`);
    // A second quantifier directly after (`a**`) is an error in PCRE and Python.
    const n = this.peek();
    if (n === '*' || n === '+' || n === '?' || (n === '{' && this.braces() !== null)) this.fail(`multiple repeat`);
    return { t: 'repeat', body: node, min, max };
  }

  private literal(c: number, mode: Mode): Node {
    return { t: 'set', ranges: mode.i ? caseClose([c, c]) : [c, c] };
  }

  private set(r: Ranges, mode: Mode): Node {
    return { t: 'set', ranges: mode.i ? caseClose(normalizeRanges(r)) : normalizeRanges(r) };
  }

  /** Parses one atom; null for constructs that match nothing (an inline flag group). */
  private atom(mode: Mode): Node | null {
    const c = this.src[this.pos]!;
    switch (c) {
      case '(':
        return this.group(mode);
      case '[':
        return this.charClass(mode);
      case '.':
        this.pos++;
        return { t: 'set', ranges: mode.s ? ANY : complement(LINE_TERMINATORS) };
      case '^':
        this.pos++;
        return { t: 'assert', kind: mode.m ? 'line-start' : 'input-start' };
      case '$':
        this.pos++;
        return { t: 'assert', kind: mode.m ? 'line-end' : 'input-end' };
      case '*':
      case '+':
      case '?':
        this.fail(`nothing to repeat`);
        break;
      case '{':
        if (this.braces() !== null) this.fail(`nothing to repeat`);
        this.pos++;
        return this.literal(0x7b, mode);
      case '\\':
        return this.escape(mode);
    }
    this.pos++;
    return this.literal(c.charCodeAt(0), mode);
  }

  private group(mode: Mode): Node | null {
    this.pos++; // (
    let inner = mode;
    if (this.peek() === '?') {
      const rest = this.src.slice(this.pos, this.pos + 64);
      const named = /^\?P?<[A-Za-z_][A-Za-z0-9_]*>/.exec(rest);
      const flags = /^\?([ims]*)(?:-([ims]*))?(:|\))/.exec(rest);
      if (rest.startsWith('?:')) {
        this.pos += 2;
      } else if (named !== null) {
        this.pos += named[0].length;
      } else if (flags !== null && (flags[1] !== '' || flags[2] !== undefined || flags[3] === ':')) {
        inner = { ...mode };
        for (const f of flags[1]!) inner[f as keyof Mode] = true;
        for (const f of flags[2] ?? '') inner[f as keyof Mode] = false;
        this.pos += flags[0].length;
        if (flags[3] === ')') {
          // Global inline flags: only at the very start of the pattern (Python 3.11+ requires it).
          this.fail(`inline flags '(${flags[0]}' not at the start of the pattern`);
        }
      } else if (/^\?(=|!|<=|<!)/.test(rest)) {
        this.fail(`lookaround assertion`);
      } else if (rest.startsWith('?>')) {
        this.fail(`atomic group`);
      } else if (rest.startsWith('?P=') || rest.startsWith('?P>') || rest.startsWith('?#') || rest.startsWith('?(')) {
        this.fail(`unsupported group '(${rest.slice(0, 3)}'`);
      } else {
        this.fail(`unknown group '(${rest.slice(0, 3)}'`);
      }
    }
    const body = this.alternation(inner);
    if (this.peek() !== ')') this.fail(`missing ')'`);
    this.pos++;
    // A group may be repeated even when it holds only an assertion (`(^)*`); a bare assertion may not.
    return body.t === 'assert' ? { t: 'seq', items: [body] } : body;
  }

  /** An escape outside a class: a set, an assertion, or a literal. */
  private escape(mode: Mode): Node {
    const e = this.src[this.pos + 1];
    if (e === undefined) this.fail(`trailing backslash`);
    switch (e) {
      case 'b':
        this.pos += 2;
        return { t: 'assert', kind: 'word' };
      case 'B':
        this.pos += 2;
        return { t: 'assert', kind: 'not-word' };
      case 'A':
        this.pos += 2;
        return { t: 'assert', kind: 'input-start' };
      case 'Z':
      case 'z':
        this.pos += 2;
        return { t: 'assert', kind: 'input-end' };
    }
    if (/[1-9]/.test(e)) this.fail(`backreference`);
    const r = this.classEscape();
    return this.set(r, mode);
  }

  /** An escape valid inside and outside classes, as ranges; advances past it. */
  private classEscape(inClass = false): Ranges {
    const e = this.src[this.pos + 1]!;
    this.pos += 2;
    switch (e) {
      case 'd':
        return DIGIT;
      case 'D':
        return complement(DIGIT);
      case 'w':
        return WORD;
      case 'W':
        return complement(WORD);
      case 's':
        return SPACE;
      case 'S':
        return complement(SPACE);
      case 'n':
        return [10, 10];
      case 'r':
        return [13, 13];
      case 't':
        return [9, 9];
      case 'f':
        return [12, 12];
      case 'v':
        return [11, 11];
      case 'a':
        return [7, 7];
      case 'b':
        if (inClass) return [8, 8];
        break;
      case '0': {
        // \0 and up to two more octal digits (Python).
        const m = /^[0-7]{0,2}/.exec(this.src.slice(this.pos, this.pos + 2))![0];
        this.pos += m.length;
        const v = parseInt('0' + m, 8);
        return [v, v];
      }
      case 'x': {
        const h = this.src.slice(this.pos, this.pos + 2);
        if (!/^[0-9A-Fa-f]{2}$/.test(h)) this.fail(`bad \\x escape`);
        this.pos += 2;
        const v = parseInt(h, 16);
        return [v, v];
      }
      case 'u': {
        const h = this.src.slice(this.pos, this.pos + 4);
        if (!/^[0-9A-Fa-f]{4}$/.test(h)) this.fail(`bad \\u escape`);
        this.pos += 4;
        const v = parseInt(h, 16);
        return [v, v];
      }
    }
    if (/[A-Za-z0-9]/.test(e)) {
      this.pos -= 2;
      this.fail(`unsupported escape '\\${e}'`);
    }
    const code = e.charCodeAt(0);
    if (code >= 0xd800 && code <= 0xdbff) this.fail(`escaped surrogate`);
    return [code, code];
  }

  private charClass(mode: Mode): Node {
    const start = this.pos;
    this.pos++; // [
    let negate = false;
    if (this.peek() === '^') {
      negate = true;
      this.pos++;
    }
    const ranges: Ranges = [];
    let first = true;
    for (;;) {
      const c = this.peek();
      if (c === undefined) {
        this.pos = start;
        this.fail(`unterminated character class`);
      }
      // Python and PCRE: a `]` right after `[` or `[^` is literal.
      if (c === ']' && !first) {
        this.pos++;
        break;
      }
      first = false;
      if (c === '[' && /^\[:[a-z]+:\]/.test(this.src.slice(this.pos, this.pos + 12))) this.fail(`POSIX class`);
      const lo = this.classAtom();
      if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== undefined) {
        if (lo.length !== 2 || lo[0] !== lo[1]) this.fail(`range with a class escape`);
        this.pos++;
        const hi = this.classAtom();
        if (hi.length !== 2 || hi[0] !== hi[1]) this.fail(`range with a class escape`);
        if (hi[0]! < lo[0]!) this.fail(`bad character range`);
        ranges.push(lo[0]!, hi[0]!);
      } else {
        ranges.push(...lo);
      }
    }
    let r = normalizeRanges(ranges);
    if (mode.i) r = caseClose(r);
    return { t: 'set', ranges: negate ? complement(r) : r };
  }

  private classAtom(): Ranges {
    const c = this.src[this.pos]!;
    if (c === '\\') {
      const e = this.src[this.pos + 1];
      if (e === undefined) this.fail(`trailing backslash`);
      if (/[1-9]/.test(e)) this.fail(`backreference in a class`);
      return this.classEscape(true);
    }
    this.pos++;
    const code = c.charCodeAt(0);
    return [code, code];
  }
}

/** Splits leading global inline flag groups (`(?i)`, `(?is)`) off a pattern. */
function leadingFlags(pattern: string, mode: Mode): { rest: string; mode: Mode } {
  let p = pattern;
  const m = { ...mode };
  for (;;) {
    const g = /^\(\?([imsx]+)\)/.exec(p);
    if (g === null) break;
    for (const f of g[1]!) {
      if (f === 'x') throw new RegexUnsupported(`verbose flag (?x)`);
      m[f as keyof Mode] = true;
    }
    p = p.slice(g[0].length);
  }
  return { rest: p, mode: m };
}

/** Parses a Sigma regular expression into a tree with `i` and `s` compiled in. */
function parseSigmaRegex(pattern: string, flags: RegexFlags): Node {
  const { rest, mode } = leadingFlags(pattern, { i: flags.ignoreCase, m: flags.multiline, s: flags.dotAll });
  return new Parser(rest).parse(mode);
}

// ---------------------------------------------------------------------------------------------
// Path 1: JavaScript source for V8's linear engine.

function hex4(c: number): string {
  return `\\u${c.toString(16).padStart(4, '0')}`;
}

function emitSet(r: Ranges): string {
  if (r.length === 2 && r[0] === r[1]) return hex4(r[0]!);
  if (r.length === 2 && r[0] === 0 && r[1] === MAX_CU) return '[^]';
  // Shorter when most code units are in the set.
  const c = complement(r);
  const [neg, rs] = c.length < r.length ? ['^', c] : ['', r];
  let out = '';
  for (let i = 0; i < rs.length; i += 2) out += rs[i] === rs[i + 1] ? hex4(rs[i]!) : `${hex4(rs[i]!)}-${hex4(rs[i + 1]!)}`;
  return `[${neg}${out}]`;
}

/** JavaScript source for the tree, with the `m` flag when line anchors are used; null when inexpressible. */
function emitJs(root: Node): { source: string; multiline: boolean } | null {
  let line = false;
  let input = false;
  const go = (n: Node): string => {
    switch (n.t) {
      case 'set':
        return emitSet(n.ranges);
      case 'seq':
        return n.items.map((x) => (x.t === 'alt' ? `(?:${go(x)})` : go(x))).join('');
      case 'alt':
        return n.alts.map(go).join('|');
      case 'repeat': {
        const body = n.body.t === 'set' ? go(n.body) : `(?:${go(n.body)})`;
        const q = n.max === Infinity ? (n.min === 0 ? '*' : n.min === 1 ? '+' : `{${n.min},}`) : n.min === 0 && n.max === 1 ? '?' : n.min === n.max ? `{${n.min}}` : `{${n.min},${n.max}}`;
        return body + q;
      }
      case 'assert':
        switch (n.kind) {
          case 'input-start':
            input = true;
            return '^';
          case 'input-end':
            input = true;
            return '$';
          case 'line-start':
            line = true;
            return '^';
          case 'line-end':
            line = true;
            return '$';
          case 'word':
            return '\\b';
          case 'not-word':
            return '\\B';
        }
    }
  };
  const source = go(root);
  if (line && input) return null;
  return { source, multiline: line };
}

// ---------------------------------------------------------------------------------------------
// Path 2: a Thompson NFA simulated one input position at a time.

const OP_SET = 0;
const OP_SPLIT = 1;
const OP_ASSERT = 2;
const OP_MATCH = 3;

const ASSERT_CODES: Record<AssertKind, number> = { 'input-start': 0, 'input-end': 1, 'line-start': 2, 'line-end': 3, word: 4, 'not-word': 5 };

class CharSet {
  private readonly ascii = new Uint8Array(128);
  private readonly high: Ranges;

  constructor(r: Ranges) {
    const high: Ranges = [];
    for (let i = 0; i < r.length; i += 2) {
      for (let c = r[i]!; c <= Math.min(r[i + 1]!, 127); c++) this.ascii[c] = 1;
      if (r[i + 1]! >= 128) high.push(Math.max(r[i]!, 128), r[i + 1]!);
    }
    this.high = high;
  }

  has(c: number): boolean {
    if (c < 128) return this.ascii[c] === 1;
    const h = this.high;
    let lo = 0;
    let hi = h.length / 2 - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (c < h[mid * 2]!) hi = mid - 1;
      else if (c > h[mid * 2 + 1]!) lo = mid + 1;
      else return true;
    }
    return false;
  }
}

class NfaBuilder {
  op: number[] = [];
  a: number[] = [];
  b: number[] = [];
  sets: (CharSet | null)[] = [];
  private readonly setCache = new Map<string, CharSet>();

  push(op: number, a: number, b: number, set: CharSet | null): number {
    if (this.op.length >= MAX_NFA_STATES) throw new RegexUnsupported(`pattern expands to more than ${MAX_NFA_STATES} states`);
    this.op.push(op);
    this.a.push(a);
    this.b.push(b);
    this.sets.push(set);
    return this.op.length - 1;
  }

  /** Emits `n` followed by the program at `next`; returns the entry state. */
  emit(n: Node, next: number): number {
    switch (n.t) {
      case 'set': {
        const key = n.ranges.join(',');
        let cs = this.setCache.get(key);
        if (cs === undefined) this.setCache.set(key, (cs = new CharSet(n.ranges)));
        return this.push(OP_SET, next, 0, cs);
      }
      case 'seq': {
        let cur = next;
        for (let i = n.items.length - 1; i >= 0; i--) cur = this.emit(n.items[i]!, cur);
        return cur;
      }
      case 'alt': {
        let cur = this.emit(n.alts[n.alts.length - 1]!, next);
        for (let i = n.alts.length - 2; i >= 0; i--) cur = this.push(OP_SPLIT, this.emit(n.alts[i]!, next), cur, null);
        return cur;
      }
      case 'assert':
        return this.push(OP_ASSERT, next, ASSERT_CODES[n.kind], null);
      case 'repeat': {
        let cur = next;
        if (n.max === Infinity) {
          const loop = this.push(OP_SPLIT, 0, next, null);
          this.a[loop] = this.emit(n.body, loop);
          cur = loop;
        } else {
          for (let k = n.min; k < n.max; k++) cur = this.push(OP_SPLIT, this.emit(n.body, cur), next, null);
        }
        for (let k = 0; k < n.min; k++) cur = this.emit(n.body, cur);
        return cur;
      }
    }
  }
}

class Nfa {
  private readonly op: Uint8Array;
  private readonly a: Int32Array;
  private readonly b: Int32Array;
  private readonly sets: (CharSet | null)[];
  private readonly start: number;
  private readonly marks: Uint32Array;
  private readonly lists: [Int32Array, Int32Array];
  private readonly stack: Int32Array;
  private gen = 0;

  constructor(root: Node) {
    const bld = new NfaBuilder();
    this.start = bld.emit(root, bld.push(OP_MATCH, 0, 0, null));
    const n = bld.op.length;
    this.op = Uint8Array.from(bld.op);
    this.a = Int32Array.from(bld.a);
    this.b = Int32Array.from(bld.b);
    this.sets = bld.sets;
    this.marks = new Uint32Array(n);
    this.lists = [new Int32Array(n), new Int32Array(n)];
    this.stack = new Int32Array(n + 1);
  }

  private assertHolds(kind: number, s: string, pos: number): boolean {
    const prev = pos > 0 ? s.charCodeAt(pos - 1) : -1;
    const next = pos < s.length ? s.charCodeAt(pos) : -1;
    switch (kind) {
      case 0:
        return pos === 0;
      case 1:
        return pos === s.length;
      case 2:
        return pos === 0 || isLineTerminator(prev);
      case 3:
        return pos === s.length || isLineTerminator(next);
      default: {
        const w = (prev >= 0 && isWordChar(prev)) !== (next >= 0 && isWordChar(next));
        return kind === 4 ? w : !w;
      }
    }
  }

  /** Adds the epsilon closure of `pc` to `list` (length `n`); true when it reaches MATCH. */
  private add(pc: number, list: Int32Array, n: { len: number }, s: string, pos: number): boolean {
    const { op, a, b, marks, stack } = this;
    const gen = this.gen;
    let sp = 0;
    stack[sp++] = pc;
    while (sp > 0) {
      const p = stack[--sp]!;
      if (marks[p] === gen) continue;
      marks[p] = gen;
      switch (op[p]) {
        case OP_MATCH:
          return true;
        case OP_SET:
          list[n.len++] = p;
          break;
        case OP_SPLIT:
          stack[sp++] = b[p]!;
          stack[sp++] = a[p]!;
          break;
        case OP_ASSERT:
          if (this.assertHolds(b[p]!, s, pos)) stack[sp++] = a[p]!;
          break;
      }
    }
    return false;
  }

  test(s: string): boolean {
    let [cur, nxt] = this.lists;
    const cn = { len: 0 };
    const nn = { len: 0 };
    this.nextGen();
    for (let pos = 0; ; pos++) {
      // Unanchored search: a new thread starts at every position.
      if (this.add(this.start, cur, cn, s, pos)) return true;
      if (pos === s.length) return false;
      const c = s.charCodeAt(pos);
      this.nextGen();
      nn.len = 0;
      for (let i = 0; i < cn.len; i++) {
        const p = cur[i]!;
        if (this.sets[p]!.has(c) && this.add(this.a[p]!, nxt, nn, s, pos + 1)) return true;
      }
      [cur, nxt] = [nxt, cur];
      cn.len = nn.len;
    }
  }

  private nextGen(): void {
    if (++this.gen === 0xffffffff) {
      this.marks.fill(0);
      this.gen = 1;
    }
  }
}

// ---------------------------------------------------------------------------------------------

/**
 * Compiles a Sigma `re` value (with its `i`/`m`/`s` sub-modifiers) to a linear-time unanchored
 * search. Throws RegexUnsupported for patterns outside the supported syntax.
 */
export function compileSigmaRegex(pattern: string, flags: RegexFlags, options: { forceNfa?: boolean } = {}): CompiledRegex {
  const tree = parseSigmaRegex(pattern, flags);
  const required = requiredLiterals(tree) ?? [];
  let run: (t: string) => boolean;
  let engine: CompiledRegex['engine'] = 'nfa';
  let source: string | null = null;
  const js = LINEAR_ENGINE_AVAILABLE && options.forceNfa !== true ? emitJs(tree) : null;
  let re: RegExp | null = null;
  if (js !== null) {
    try {
      re = new RegExp(js.source, js.multiline ? 'lm' : 'l');
    } catch {
      // Refused by the linear engine (too much replication): the NFA path below.
    }
  }
  if (re !== null) {
    const r = re;
    run = (t) => r.test(t);
    engine = 'v8-linear';
    source = js!.source;
  } else {
    const nfa = new Nfa(tree);
    run = (t) => nfa.test(t);
  }
  if (required.length === 0) return { test: run, required, engine, source };
  const test = (t: string, folded?: string): boolean => {
    const f = folded ?? t.toLowerCase();
    for (let i = 0; i < required.length; i++) if (f.includes(required[i]!)) return run(t);
    return false;
  };
  return { test, required, engine, source };
}

// ---------------------------------------------------------------------------------------------
// Literal prefilter: both engines interpret (V8's linear engine is a bytecode NFA), so a
// substring search that rules most values out first is much cheaper.

const MIN_LITERAL = 3;
const MAX_ALTERNATIVES = 32;

/** The lower-case ASCII character a set stands for (`a`, or `a`/`A` under `i`), or null. */
function literalChar(n: Node): string | null {
  if (n.t !== 'set') return null;
  const r = n.ranges;
  if (r.length === 2 && r[0] === r[1] && r[0]! < 128) return String.fromCharCode(r[0]!).toLowerCase();
  if (r.length === 4 && r[0] === r[1] && r[2] === r[3] && r[2]! < 128) {
    const a = String.fromCharCode(r[0]!);
    const b = String.fromCharCode(r[2]!);
    if (a.toLowerCase() === b.toLowerCase() && a !== b) return a.toLowerCase();
  }
  return null;
}

const score = (req: string[] | null): number => (req === null ? 0 : Math.min(...req.map((x) => x.length)));

/**
 * Literals (lower-case ASCII, at least MIN_LITERAL long) one of which occurs in every match,
 * or null when the tree has no such set. Sound for the folded text: a literal character stands
 * for itself or its ASCII case pair only, so lower-casing the text keeps it.
 */
function requiredLiterals(n: Node): string[] | null {
  switch (n.t) {
    case 'set': {
      const c = literalChar(n);
      return c === null ? null : [c];
    }
    case 'assert':
      return null;
    case 'repeat':
      return n.min >= 1 ? requiredLiterals(n.body) : null;
    case 'alt': {
      const out: string[] = [];
      for (const a of n.alts) {
        const r = requiredLiterals(a);
        if (r === null || score(r) < MIN_LITERAL) return null;
        out.push(...r);
        if (out.length > MAX_ALTERNATIVES) return null;
      }
      return [...new Set(out)];
    }
    case 'seq': {
      let best: string[] | null = null;
      let runText = '';
      const consider = (r: string[] | null): void => {
        if (r !== null && score(r) > score(best)) best = r;
      };
      for (const item of n.items) {
        const c = literalChar(item);
        if (c !== null) {
          runText += c;
          continue;
        }
        if (runText !== '') consider([runText]);
        runText = '';
        consider(requiredLiterals(item));
      }
      if (runText !== '') consider([runText]);
      return score(best) >= MIN_LITERAL ? best : null;
    }
  }
}
