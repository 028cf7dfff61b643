// Substitution values, decoded from their descriptor (size, type) into typed JS values that
// render the way Windows renders them (hex ints as `0x…`, GUIDs in braces, times with 7 digits).

import type { EvtxScalar } from '../model.js';
import { EvtxFormatError } from '../errors.js';
import { filetimeToIso, systemtimeToIso } from '../time.js';
import type { ChunkContext } from './context.js';
import * as T from './tokens.js';

const ANSI = new TextDecoder('windows-1252');
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, '0'));

/** Keyword masks (high bits set, low word zero) repeat in every record: format each once. */
const HIGH_HEX = new Map<number, string>();

export function hex64(lo: number, hi: number): string {
  if (hi === 0) return '0x' + lo.toString(16);
  if (lo === 0) {
    let text = HIGH_HEX.get(hi);
    if (text === undefined) {
      text = '0x' + hi.toString(16) + '00000000';
      if (HIGH_HEX.size < 4096) HIGH_HEX.set(hi, text);
    }
    return text;
  }
  return '0x' + hi.toString(16) + lo.toString(16).padStart(8, '0');
}

function uint64(lo: number, hi: number): number | string {
  if (hi < 0x200000) return hi * 4294967296 + lo;
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}

function int64(lo: number, hi: number): number | string {
  if (hi < 0x200000) return hi * 4294967296 + lo;
  if (hi >= 0xffe00000) return (hi - 4294967296) * 4294967296 + lo;
  return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)).toString();
}

function bytesHex(buf: Buffer, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += HEX[buf[i]!];
  return s;
}

/**
 * A few GUIDs (providers, activity ids of a burst) recur in most records. A direct-mapped cache
 * keyed by the first word, verified against all 16 bytes, avoids rebuilding their text.
 */
const GUID_CACHE_SIZE = 256;
const guidBytes = new Uint8Array(GUID_CACHE_SIZE * 16);
const guidText: Array<string | undefined> = new Array<string | undefined>(GUID_CACHE_SIZE);

export function readGuid(ctx: ChunkContext, o: number): string {
  const b = ctx.buf;
  const slot = (b[o]! ^ b[o + 5]! ^ b[o + 10]! ^ b[o + 15]!) & (GUID_CACHE_SIZE - 1);
  const cached = guidText[slot];
  const base = slot * 16;
  if (cached !== undefined) {
    let same = true;
    for (let i = 0; i < 16; i++) {
      if (guidBytes[base + i] !== b[o + i]) {
        same = false;
        break;
      }
    }
    if (same) return cached;
  }
  const text = formatGuid(b, o);
  guidBytes.set(b.subarray(o, o + 16), base);
  guidText[slot] = text;
  return text;
}

function formatGuid(b: Buffer, o: number): string {
  return (
    '{' +
    HEX[b[o + 3]!]! + HEX[b[o + 2]!]! + HEX[b[o + 1]!]! + HEX[b[o]!]! + '-' +
    HEX[b[o + 5]!]! + HEX[b[o + 4]!]! + '-' +
    HEX[b[o + 7]!]! + HEX[b[o + 6]!]! + '-' +
    HEX[b[o + 8]!]! + HEX[b[o + 9]!]! + '-' +
    bytesHex(b, o + 10, o + 16) +
    '}'
  );
}

/** A SID at `o`; returns its text and byte length, or null if `size` cannot hold it. */
function readSid(ctx: ChunkContext, o: number, size: number): { text: string; length: number } | null {
  if (size < 8) return null;
  const length = 8 + ctx.u8(o + 1) * 4;
  if (length > size) return null;
  return { text: sidText(ctx, o), length };
}

/** The text of the SID at `o`; the caller has checked that its sub-authorities are there. */
export function sidText(ctx: ChunkContext, o: number): string {
  const count = ctx.u8(o + 1);
  // The 48-bit authority is big-endian.
  let authority = 0;
  for (let i = 2; i < 8; i++) authority = authority * 256 + ctx.u8(o + i);
  let text = 'S-' + ctx.u8(o) + '-' + authority;
  for (let i = 0; i < count; i++) text += '-' + ctx.u32(o + 8 + i * 4);
  return text;
}

function readFiletime(ctx: ChunkContext, o: number): string {
  return filetimeToIso(ctx.u32(o), ctx.u32(o + 4));
}

function readSystemtime(ctx: ChunkContext, o: number): string {
  const u = (i: number): number => ctx.u16(o + i * 2);
  return systemtimeToIso(u(0), u(1), u(3), u(4), u(5), u(6), u(7));
}

function fixedSize(type: number, size: number): number {
  switch (type) {
    case T.TYPE_INT8:
    case T.TYPE_UINT8:
      return 1;
    case T.TYPE_INT16:
    case T.TYPE_UINT16:
      return 2;
    case T.TYPE_INT32:
    case T.TYPE_UINT32:
    case T.TYPE_REAL32:
    case T.TYPE_HEX_INT32:
    case T.TYPE_BOOL:
      return 4;
    case T.TYPE_INT64:
    case T.TYPE_UINT64:
    case T.TYPE_REAL64:
    case T.TYPE_FILETIME:
    case T.TYPE_HEX_INT64:
      return 8;
    case T.TYPE_GUID:
    case T.TYPE_SYSTEMTIME:
      return 16;
    case T.TYPE_SIZE_T:
      return size === 4 ? 4 : 8;
    default:
      return 0;
  }
}

/** One scalar of a fixed-size type at `o` (caller checked that `width` bytes are there). */
function readFixed(ctx: ChunkContext, type: number, o: number, width: number): EvtxScalar {
  switch (type) {
    case T.TYPE_INT8:
      return ctx.dv.getInt8(o);
    case T.TYPE_UINT8:
      return ctx.u8(o);
    case T.TYPE_INT16:
      return ctx.dv.getInt16(o, true);
    case T.TYPE_UINT16:
      return ctx.u16(o);
    case T.TYPE_INT32:
      return ctx.dv.getInt32(o, true);
    case T.TYPE_UINT32:
      return ctx.u32(o);
    case T.TYPE_INT64:
      return int64(ctx.u32(o), ctx.u32(o + 4));
    case T.TYPE_UINT64:
      return uint64(ctx.u32(o), ctx.u32(o + 4));
    case T.TYPE_REAL32:
      return ctx.dv.getFloat32(o, true);
    case T.TYPE_REAL64:
      return ctx.dv.getFloat64(o, true);
    case T.TYPE_BOOL:
      // Windows writes a 32-bit BOOL; any non-zero value is true (some files hold 2 or 0xFF…).
      return width === 1 ? ctx.u8(o) !== 0 : width === 2 ? ctx.u16(o) !== 0 : ctx.u32(o) !== 0;
    case T.TYPE_GUID:
      return readGuid(ctx, o);
    case T.TYPE_SIZE_T:
      return width === 4 ? '0x' + ctx.u32(o).toString(16) : hex64(ctx.u32(o), ctx.u32(o + 4));
    case T.TYPE_FILETIME:
      return readFiletime(ctx, o);
    case T.TYPE_SYSTEMTIME:
      return readSystemtime(ctx, o);
    case T.TYPE_HEX_INT32:
      return '0x' + ctx.u32(o).toString(16);
    case T.TYPE_HEX_INT64:
      return hex64(ctx.u32(o), ctx.u32(o + 4));
    default:
      return null;
  }
}

/**
 * Decodes a non-BinXml value of `type` occupying `[o, o + size)`. Sizes that do not fit the type
 * are an error for the value, not for the record: the caller reports and renders it as hex.
 */
export function readValue(ctx: ChunkContext, type: number, o: number, size: number): EvtxScalar | EvtxScalar[] {
  if (type & T.TYPE_ARRAY_BIT) return readArray(ctx, type & 0x7f, o, size);
  switch (type) {
    case T.TYPE_NULL:
      return null;
    case T.TYPE_STRING:
      return ctx.utf16(o, size >>> 1);
    case T.TYPE_ANSI_STRING: {
      const s = ANSI.decode(ctx.buf.subarray(o, o + size));
      const nul = s.indexOf('\0');
      return nul < 0 ? s : s.slice(0, nul);
    }
    case T.TYPE_BINARY:
    case T.TYPE_EVT_HANDLE:
    case T.TYPE_EVT_XML:
      return bytesHex(ctx.buf, o, o + size);
    case T.TYPE_SID: {
      const sid = readSid(ctx, o, size);
      if (sid === null) throw new EvtxFormatError('bad-value', `SID of ${size} bytes is incomplete`, o);
      return sid.text;
    }
    default: {
      const width = type === T.TYPE_BOOL && size < 4 && size > 0 ? size : fixedSize(type, size);
      if (width === 0) throw new EvtxFormatError('bad-value', `unknown value type 0x${type.toString(16)}`, o);
      if (size < width) {
        throw new EvtxFormatError('bad-value', `value type 0x${type.toString(16)} needs ${width} bytes, has ${size}`, o);
      }
      return readFixed(ctx, type, o, width);
    }
  }
}

function readArray(ctx: ChunkContext, base: number, o: number, size: number): EvtxScalar[] {
  const out: EvtxScalar[] = [];
  const max = ctx.limits.maxArrayItems;
  const end = o + size;
  if (base === T.TYPE_STRING || base === T.TYPE_ANSI_STRING) {
    // NUL-terminated items back to back; a missing final terminator still ends an item.
    const unit = base === T.TYPE_STRING ? 2 : 1;
    let start = o;
    for (let p = o; p + unit <= end && out.length < max; p += unit) {
      const zero = unit === 2 ? ctx.u16(p) === 0 : ctx.u8(p) === 0;
      if (zero) {
        out.push(readValue(ctx, base, start, p - start) as string);
        start = p + unit;
      }
    }
    if (start < end && out.length < max) out.push(readValue(ctx, base, start, end - start) as string);
    return out;
  }
  if (base === T.TYPE_SID) {
    let p = o;
    while (p < end && out.length < max) {
      const sid = readSid(ctx, p, end - p);
      if (sid === null) throw new EvtxFormatError('bad-value', 'SID array ends inside a SID', p);
      out.push(sid.text);
      p += sid.length;
    }
    return out;
  }
  const width = fixedSize(base, 8);
  if (width === 0) throw new EvtxFormatError('bad-value', `unknown array type 0x${(base | 0x80).toString(16)}`, o);
  for (let p = o; p + width <= end && out.length < max; p += width) out.push(readFixed(ctx, base, p, width));
  return out;
}
