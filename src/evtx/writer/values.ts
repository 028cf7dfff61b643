// Binary encodings of substitution values (MS-EVEN6 2.2.12, value types).

import type { ByteWriter } from './bytes.js';
import type { WriteValue } from './types.js';
import { filetimeFromDate } from './filetime.js';

/** BinXML value type codes. */
export const ValueType = {
  Null: 0x00,
  String: 0x01,
  AnsiString: 0x02,
  Int8: 0x03,
  UInt8: 0x04,
  Int16: 0x05,
  UInt16: 0x06,
  Int32: 0x07,
  UInt32: 0x08,
  Int64: 0x09,
  UInt64: 0x0a,
  Real64: 0x0c,
  Bool: 0x0d,
  Binary: 0x0e,
  Guid: 0x0f,
  SizeT: 0x10,
  FileTime: 0x11,
  SystemTime: 0x12,
  Sid: 0x13,
  HexInt32: 0x14,
  HexInt64: 0x15,
  BinXml: 0x21,
  StringArray: 0x81,
} as const;

const TYPE_CODES: Record<WriteValue['type'], number> = {
  null: ValueType.Null,
  string: ValueType.String,
  ansi: ValueType.AnsiString,
  int8: ValueType.Int8,
  uint8: ValueType.UInt8,
  int16: ValueType.Int16,
  uint16: ValueType.UInt16,
  int32: ValueType.Int32,
  uint32: ValueType.UInt32,
  int64: ValueType.Int64,
  uint64: ValueType.UInt64,
  real64: ValueType.Real64,
  bool: ValueType.Bool,
  binary: ValueType.Binary,
  guid: ValueType.Guid,
  sizet: ValueType.SizeT,
  filetime: ValueType.FileTime,
  systemtime: ValueType.SystemTime,
  sid: ValueType.Sid,
  hex32: ValueType.HexInt32,
  hex64: ValueType.HexInt64,
  stringArray: ValueType.StringArray,
};

/** The type code a value is written with (0x00 for null). */
export function valueTypeOf(v: WriteValue): number {
  return TYPE_CODES[v.type];
}

function checkInt(v: number, min: number, max: number, what: string): number {
  if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`${what} out of range: ${v}`);
  return v;
}

function checkBig(v: bigint, signed: boolean, what: string): bigint {
  const ok = signed ? v >= -(1n << 63n) && v < 1n << 63n : v >= 0n && v < 1n << 64n;
  if (!ok) throw new RangeError(`${what} out of range: ${v}`);
  return v;
}

/** Writes the value bytes (no descriptor). The descriptor size is the number of bytes written. */
export function writeValue(w: ByteWriter, v: WriteValue): void {
  switch (v.type) {
    case 'null':
      return;
    case 'string':
      w.utf16(v.value);
      return;
    case 'ansi':
      for (let i = 0; i < v.value.length; i++) {
        const c = v.value.charCodeAt(i);
        w.u8(c <= 0xff ? c : 0x3f);
      }
      return;
    case 'int8':
      w.i8(checkInt(v.value, -0x80, 0x7f, 'int8'));
      return;
    case 'uint8':
      w.u8(checkInt(v.value, 0, 0xff, 'uint8'));
      return;
    case 'int16':
      w.i16(checkInt(v.value, -0x8000, 0x7fff, 'int16'));
      return;
    case 'uint16':
      w.u16(checkInt(v.value, 0, 0xffff, 'uint16'));
      return;
    case 'int32':
      w.i32(checkInt(v.value, -0x80000000, 0x7fffffff, 'int32'));
      return;
    case 'uint32':
    case 'hex32':
      w.u32(checkInt(v.value, 0, 0xffffffff, v.type));
      return;
    case 'int64':
      w.i64(checkBig(v.value, true, 'int64'));
      return;
    case 'uint64':
    case 'hex64':
    case 'filetime':
    case 'sizet':
      w.u64(checkBig(v.value, false, v.type));
      return;
    case 'real64':
      w.f64(v.value);
      return;
    case 'bool':
      w.u32(v.value ? 1 : 0);
      return;
    case 'binary':
      w.bytes(v.value);
      return;
    case 'guid':
      w.bytes(encodeGuid(v.value));
      return;
    case 'sid':
      w.bytes(encodeSid(v.value));
      return;
    case 'systemtime':
      writeSystemTime(w, v.value);
      return;
    case 'stringArray':
      for (const item of v.value) {
        w.utf16(item);
        w.u16(0);
      }
      return;
  }
}

const GUID_RE = /^\{?([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\}?$/i;

/** GUID text to its 16-byte layout: Data1 u32 LE, Data2 u16 LE, Data3 u16 LE, Data4 as written. */
export function encodeGuid(text: string): Uint8Array {
  const m = GUID_RE.exec(text);
  if (!m) throw new RangeError(`not a GUID: ${text}`);
  const hex = (m[4] ?? '') + (m[5] ?? '');
  const out = new Uint8Array(16);
  const view = new DataView(out.buffer);
  view.setUint32(0, parseInt(m[1] ?? '', 16), true);
  view.setUint16(4, parseInt(m[2] ?? '', 16), true);
  view.setUint16(6, parseInt(m[3] ?? '', 16), true);
  for (let i = 0; i < 8; i++) out[8 + i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** SID text to its binary form: revision, sub-authority count, 48-bit big-endian authority, u32 LE sub-authorities. */
export function encodeSid(text: string): Uint8Array {
  const parts = text.split('-');
  if (parts.length < 3 || parts[0]?.toUpperCase() !== 'S') throw new RangeError(`not a SID: ${text}`);
  const num = (s: string | undefined): bigint => {
    if (s === undefined || !/^(0x[0-9a-f]+|\d+)$/i.test(s)) throw new RangeError(`not a SID: ${text}`);
    return BigInt(s);
  };
  const revision = num(parts[1]);
  const authority = num(parts[2]);
  const subs = parts.slice(3).map(num);
  if (revision > 0xffn || authority >= 1n << 48n || subs.length > 15 || subs.some((s) => s > 0xffffffffn)) {
    throw new RangeError(`not a SID: ${text}`);
  }
  const out = new Uint8Array(8 + subs.length * 4);
  const view = new DataView(out.buffer);
  out[0] = Number(revision);
  out[1] = subs.length;
  for (let i = 0; i < 6; i++) out[2 + i] = Number((authority >> BigInt(8 * (5 - i))) & 0xffn);
  subs.forEach((s, i) => {
    view.setUint32(8 + i * 4, Number(s), true);
  });
  return out;
}

/** SYSTEMTIME: eight u16 fields in UTC: year, month, day of week, day, hour, minute, second, ms. */
function writeSystemTime(w: ByteWriter, d: Date): void {
  filetimeFromDate(d); // validates the Date
  w.u16(d.getUTCFullYear());
  w.u16(d.getUTCMonth() + 1);
  w.u16(d.getUTCDay());
  w.u16(d.getUTCDate());
  w.u16(d.getUTCHours());
  w.u16(d.getUTCMinutes());
  w.u16(d.getUTCSeconds());
  w.u16(d.getUTCMilliseconds());
}
