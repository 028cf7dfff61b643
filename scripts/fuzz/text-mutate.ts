// Byte- and token-level mutations shared by the text formats (JSON, XML, CSV, INF, Sigma YAML),
// plus the hostile constructs each format is known for. Sizes are drawn so that some cases cross
// the readers' caps (16 MiB lines and documents, 4 MiB CSV fields) and most stay small and fast.

import type { Rng } from './rng.js';

export type TextMutation = (b: Buffer, rng: Rng) => Buffer;

/** Largest input a text case is cut to: above every reader's cap (16 MiB lines and documents). */
export const MAX_INPUT = 20 * 1024 * 1024;

const enc = (s: string): Buffer => Buffer.from(s, 'utf8');

/** Inserts `piece` at a random position (or replaces a random range by it). */
export function insertAt(b: Buffer, piece: Buffer, rng: Rng, replace = false): Buffer {
  const at = rng.int(0, b.length);
  const end = replace ? Math.min(b.length, at + rng.size(6)) : at;
  return Buffer.concat([b.subarray(0, at), piece, b.subarray(end)]);
}

/** A large size, now and then past a reader's cap. */
export function bigSize(rng: Rng): number {
  return rng.chance(0.05) ? rng.pick([4 * 1024 * 1024 + 1, 17 * 1024 * 1024]) : rng.size(16);
}

const INVALID_UTF8 = [[0xff], [0xfe, 0xff], [0xc0, 0x80], [0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0xef, 0xbb, 0xbf], [0x00], [0x00, 0x00]];
const TOKENS = ['"', "'", '\\', '\\u', '\\ud800', '<', '>', '&', '&amp;', ']]>', '<!--', ',', ';', '=', '%', '%%', '\r', '\n', '\r\n', '{', '}', '[', ']', ':', '\t', '\u2028', '\u202e', '\u0000', '=cmd|" /C calc"!A0', '@SUM(1)', '+1', '-1'];

export const GENERIC: ReadonlyArray<[string, TextMutation]> = [
  ['truncate', (b, rng) => b.subarray(0, rng.int(0, b.length))],
  ['bit-flips', (b, rng) => {
    const c = Buffer.from(b);
    for (let n = rng.int(1, 8); n > 0 && c.length > 0; n--) c[rng.below(c.length)]! ^= 1 << rng.below(8);
    return c;
  }],
  ['delete-range', (b, rng) => {
    const at = rng.int(0, b.length);
    return Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + rng.size(9)))]);
  }],
  ['duplicate-range', (b, rng) => {
    const at = rng.int(0, b.length);
    const piece = b.subarray(at, Math.min(b.length, at + rng.size(10)));
    return insertAt(b, Buffer.concat(Array.from({ length: rng.int(1, 50) }, () => piece)), rng);
  }],
  ['token', (b, rng) => insertAt(b, enc(rng.pick(TOKENS)), rng, rng.chance(0.3))],
  ['invalid-utf8', (b, rng) => insertAt(b, Buffer.from(rng.pick(INVALID_UTF8)), rng)],
  ['nuls', (b, rng) => insertAt(b, Buffer.alloc(rng.size(8)), rng)],
  ['bom', (b, rng) => (rng.chance(0.5) ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), b]) : insertAt(b, Buffer.from([0xef, 0xbb, 0xbf]), rng))],
  ['utf16', (b, rng) => {
    const le = Buffer.from(b.toString('utf8'), 'utf16le');
    const bom = rng.chance(0.8);
    const body = rng.chance(0.5) ? le : swap16(le);
    const out = Buffer.concat([bom ? Buffer.from(body === le ? [0xff, 0xfe] : [0xfe, 0xff]) : Buffer.alloc(0), body]);
    // An odd length now and then: the last code unit is cut in half.
    return rng.chance(0.3) && out.length > 0 ? out.subarray(0, out.length - 1) : out;
  }],
  ['huge-run', (b, rng) => insertAt(b, Buffer.alloc(bigSize(rng), rng.pick([0x41, 0x20, 0x0a, 0x22, 0x2c, 0x3c]) ), rng)],
  ['line-shuffle', (b, rng) => {
    const lines = b.toString('latin1').split('\n');
    for (let n = rng.int(1, 5); n > 0 && lines.length > 1; n--) {
      const i = rng.below(lines.length);
      const j = rng.below(lines.length);
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
    }
    return Buffer.from(lines.join('\n'), 'latin1');
  }],
  ['line-endings', (b, rng) => Buffer.from(b.toString('latin1').replace(/\r?\n/g, rng.pick(['\r', '\r\r\n', '\n\n', '\u0085', ''])), 'latin1')],
];

function swap16(b: Buffer): Buffer {
  const c = Buffer.from(b);
  for (let i = 0; i + 1 < c.length; i += 2) [c[i], c[i + 1]] = [c[i + 1]!, c[i]!];
  return c;
}

/** Applies 1..max mutations drawn from `families` (format-specific ones weighted in). */
export function mutateText(seed: Buffer, rng: Rng, families: ReadonlyArray<[string, TextMutation]>, max = 3): { bytes: Buffer; names: string[] } {
  let b = seed;
  const names: string[] = [];
  if (rng.chance(0.03)) return { bytes: b, names: ['unmodified'] };
  for (let n = rng.int(1, max); n > 0; n--) {
    const [name, m] = rng.pick(families);
    b = m(b, rng);
    names.push(name);
    // Mutations compound (a 30,000-item list copied into 1,000 documents): past every reader's
    // cap there is nothing more to learn, only the fuzzer's own memory to exhaust.
    if (b.length > MAX_INPUT) {
      b = b.subarray(0, MAX_INPUT);
      names.push('capped');
    }
  }
  return { bytes: b, names };
}

export const repeat = (s: string, n: number): Buffer => enc(s.repeat(n));
