// Per-chunk decoding state: the chunk's bytes and the caches that make a chunk cheap to decode.
// Name and template offsets are chunk-relative, so nothing here outlives its chunk.

import type { EvtxLimits } from '../limits.js';
import type { BxTemplate } from './nodes.js';
import { truncated } from '../errors.js';
import type { EvtxErrorCode } from '../errors.js';
import type { NameRef, TemplateCache } from './template-cache.js';

/**
 * Buffer's own UTF-16 slicer, called directly: `toString('utf16le', …)` reaches the same native
 * function through an encoding switch that costs as much as decoding a short string.
 */
const UCS2 = (Buffer.prototype as unknown as { ucs2Slice?: (this: Buffer, start: number, end: number) => string }).ucs2Slice;

/** Scratch arrays of each short length, reused for every short string. */
const SHORT: number[][] = Array.from({ length: 17 }, (_, n) => new Array<number>(n).fill(0));

export class ChunkContext {
  readonly buf: Buffer;
  readonly dv: DataView;
  readonly limits: EvtxLimits;
  readonly names = new Map<number, string>();
  readonly templates = new Map<number, BxTemplate>();
  /** Definitions already parsed in earlier chunks of the file (see template-cache.ts). */
  readonly shared: TemplateCache | null;
  /** While a definition is parsed: where its name references are, for the shared cache. */
  nameRefs: NameRef[] | null = null;
  /** Chunk offset of the data of the definition being recorded. */
  nameRefsBase = 0;
  /** False once the definition being recorded turns out not to be shareable. */
  sharable = true;
  /** Template definitions being parsed, to refuse a definition that refers to itself. */
  readonly parsing = new Set<number>();
  /** Nodes decoded for the current record; reset per record, capped by limits. */
  nodeBudget = 0;
  /** Problems in the current record that did not stop it (e.g. a value that does not fit its type). */
  readonly warnings: Array<{ code: EvtxErrorCode; message: string; offset: number }> = [];

  constructor(buf: Buffer, limits: EvtxLimits, shared: TemplateCache | null = null) {
    this.buf = buf;
    this.shared = shared;
    this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.limits = limits;
  }

  need(what: string, offset: number, size: number, end: number = this.buf.length): void {
    if (offset < 0 || offset + size > end) throw truncated(what, offset, size, end - offset);
  }

  u8(offset: number): number {
    return this.buf[offset] ?? 0;
  }

  u16(offset: number): number {
    return this.dv.getUint16(offset, true);
  }

  u32(offset: number): number {
    return this.dv.getUint32(offset, true);
  }

  /** UTF-16LE text of `count` code units; stops at the first NUL as Windows renderers do. */
  utf16(offset: number, count: number): string {
    const buf = this.buf;
    // Windows counts the terminating NUL in most value sizes: drop it before decoding.
    while (count > 0 && buf[offset + count * 2 - 2] === 0 && buf[offset + count * 2 - 1] === 0) count--;
    // Short strings (most names and values) are cheaper to build from char codes than through
    // Buffer#toString, whose call overhead dominates below ~20 characters.
    if (count <= 16) {
      const codes = SHORT[count]!;
      let n = 0;
      for (let p = offset; n < count; p += 2) {
        const code = buf[p]! | (buf[p + 1]! << 8);
        if (code === 0) return String.fromCharCode.apply(null, codes.slice(0, n));
        codes[n++] = code;
      }
      return String.fromCharCode.apply(null, codes);
    }
    const s = UCS2 !== undefined ? UCS2.call(buf, offset, offset + count * 2) : buf.toString('utf16le', offset, offset + count * 2);
    const nul = s.indexOf('\0');
    return nul < 0 ? s : s.slice(0, nul);
  }
}
