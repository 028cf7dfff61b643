// One 64 KiB chunk: header, checksums, and the records in it. A chunk is decoded on its own
// (names and templates are chunk-relative), which makes it the unit of parallel work later.

import { crc32 } from './crc32.js';
import { u64 } from './file-header.js';
import type { EvtxDiagnostic, EvtxErrorCode } from './errors.js';
import { EvtxFormatError } from './errors.js';
import { extractFields } from './extract.js';
import type { EvtxLimits } from './limits.js';
import type { EvtxRecord } from './model.js';
import { ChunkContext } from './binxml/context.js';
import type { TemplateCache } from './binxml/template-cache.js';
import { parseRecordXml } from './binxml/parser.js';
import { peekRecordHeader, type RecordHeader } from './binxml/peek.js';
import { DEFAULT_WALK_BUDGET } from './binxml/walk.js';
import { filetimeToIso } from './time.js';

export const CHUNK_HEADER_SIZE = 512;
const CHUNK_FLAG_NO_CRC32 = 0x4;
const RECORD_MAGIC = 0x00002a2a;
const RECORD_HEADER_SIZE = 24;
/** Header, an empty Binary XML stream (fragment header + EOF) and the trailing size copy. */
const MIN_RECORD_SIZE = 28;

export interface ChunkHeader {
  firstRecordNumber: number;
  lastRecordNumber: number;
  firstRecordId: number;
  lastRecordId: number;
  headerSize: number;
  lastRecordOffset: number;
  freeSpaceOffset: number;
  dataChecksum: number;
  flags: number;
  headerChecksum: number;
}

export type ChunkItem = { ok: true; record: EvtxRecord } | { ok: false; diagnostic: EvtxDiagnostic };

export interface ChunkOptions {
  file: string;
  /** Chunk index in the file. */
  index: number;
  /** Absolute file offset of the chunk's first byte. */
  fileOffset: number;
  limits: EvtxLimits;
  /** Recover records from the slack space after the live records. */
  carve: boolean;
  /** Record ids already seen in this file; carved copies of them are not yielded again. */
  seenIds: Set<number> | null;
  /** Template definitions parsed in earlier chunks of the file. */
  templates: TemplateCache | null;
  /**
   * A prefilter: live records whose header it rejects are counted in `skipped` and not decoded
   * further. Records whose header cannot be read cheaply are always decoded.
   */
  accept?: ((header: RecordHeader) => boolean) | undefined;
}

export interface ChunkResult {
  items: ChunkItem[];
  records: number;
  /** Live records the prefilter turned away (read, header parsed, not decoded). */
  skipped: number;
  /**
   * Record frames the walk reached and handed on (decoded, failed or turned away), plus carved
   * records accepted: the count of record candidates, taken before decoding.
   */
  frames: number;
  recovered: number;
  errors: number;
  warnings: number;
}

export function readChunkHeader(buf: Uint8Array): ChunkHeader {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  return {
    firstRecordNumber: u64(dv, 8),
    lastRecordNumber: u64(dv, 16),
    firstRecordId: u64(dv, 24),
    lastRecordId: u64(dv, 32),
    headerSize: dv.getUint32(40, true),
    lastRecordOffset: dv.getUint32(44, true),
    freeSpaceOffset: dv.getUint32(48, true),
    dataChecksum: dv.getUint32(52, true),
    flags: dv.getUint32(120, true),
    headerChecksum: dv.getUint32(124, true),
  };
}

export function hasChunkMagic(buf: Uint8Array): boolean {
  // "ElfChnk\0"
  return (
    buf[0] === 0x45 && buf[1] === 0x6c && buf[2] === 0x66 && buf[3] === 0x43 &&
    buf[4] === 0x68 && buf[5] === 0x6e && buf[6] === 0x6b && buf[7] === 0x00
  );
}

const ZERO_CHUNK = Buffer.alloc(65536);

export function isAllZero(buf: Uint8Array): boolean {
  // Whole empty chunk slots are common (preallocated logs): a native compare is much faster.
  if (buf.length === ZERO_CHUNK.length) return ZERO_CHUNK.equals(buf);
  // Word-wise where the view is 4-byte aligned (whole chunks), byte-wise for the rest.
  let i = 0;
  while (i < buf.length && ((buf.byteOffset + i) & 3) !== 0) if (buf[i++] !== 0) return false;
  const words = (buf.length - i) >>> 2;
  const view = new Uint32Array(buf.buffer, buf.byteOffset + i, words);
  for (let w = 0; w < words; w++) if (view[w] !== 0) return false;
  for (i += words << 2; i < buf.length; i++) if (buf[i] !== 0) return false;
  return true;
}

export function chunkHeaderChecksum(buf: Uint8Array): number {
  return crc32(buf, 128, 512, crc32(buf, 0, 120));
}

/**
 * Decodes the records of one chunk. `buf` is the chunk's bytes (64 KiB, or fewer for a truncated
 * final chunk) and must carry the `ElfChnk` magic; the caller handles empty and foreign slots.
 */
export function readChunk(buf: Buffer, opts: ChunkOptions): ChunkResult {
  const result: ChunkResult = { items: [], records: 0, skipped: 0, frames: 0, recovered: 0, errors: 0, warnings: 0 };
  const report = (code: EvtxErrorCode, severity: 'error' | 'warning', message: string, rel: number, recordId: number | null): void => {
    if (severity === 'error') result.errors++;
    else result.warnings++;
    result.items.push({
      ok: false,
      diagnostic: { code, severity, message, file: opts.file, offset: opts.fileOffset + rel, chunk: opts.index, recordId },
    });
  };
  if (buf.length < CHUNK_HEADER_SIZE) {
    report('truncated-chunk', 'error', `chunk has ${buf.length} bytes, its header alone needs 512`, 0, null);
    return result;
  }
  const header = readChunkHeader(buf);
  const checked = (header.flags & CHUNK_FLAG_NO_CRC32) === 0;
  if (checked && chunkHeaderChecksum(buf) !== header.headerChecksum) {
    report('chunk-header-checksum', 'warning', 'chunk header checksum does not match; reading it anyway', 124, null);
  }
  let dataEnd = header.freeSpaceOffset;
  if (dataEnd < CHUNK_HEADER_SIZE || dataEnd > buf.length) {
    report('bad-chunk-header', 'warning', `free space offset ${dataEnd} is outside the chunk; reading records by structure`, 48, null);
    dataEnd = buf.length;
  } else if (checked && crc32(buf, CHUNK_HEADER_SIZE, dataEnd) !== header.dataChecksum) {
    report('chunk-data-checksum', 'warning', 'record data checksum does not match; reading it anyway', 52, null);
  }

  const ctx = new ChunkContext(buf, opts.limits, opts.templates);
  // Ids this chunk's header claims, widened by sequence: dirty chunks have stale headers.
  let lastId = -1;
  const live = (id: number): boolean =>
    (id >= header.firstRecordId && id <= header.lastRecordId) || id === lastId + 1 || lastId === -1;
  /** Byte ranges the live walk skipped; carving looks there as well as in the slack. */
  const gaps: Array<[number, number]> = [];
  let pos = CHUNK_HEADER_SIZE;
  while (pos + RECORD_HEADER_SIZE <= buf.length) {
    const size = ctx.u32(pos + 4);
    const recordId = u64(ctx.dv, pos + 8);
    const framed = ctx.u32(pos) === RECORD_MAGIC && size >= MIN_RECORD_SIZE && pos + size <= buf.length;
    const sizeCopy = framed ? ctx.u32(pos + size - 4) : -1;
    if (pos >= dataEnd) {
      // Past the free-space offset only a well-framed record continuing the sequence is live;
      // anything else there is an older copy, left to carving.
      if (!framed || sizeCopy !== size || recordId !== lastId + 1) break;
    } else if (!framed) {
      if (isAllZero(buf.subarray(pos, Math.min(dataEnd, pos + 8)))) break;
      // Garbage where a record should be. A well-framed record reached in sequence is decoded
      // whatever its id (shadow copies splice newer records into old chunks), but after garbage
      // only a record of this chunk's own sequence is trusted as the place to resume.
      const next = resync(ctx, pos + 8, dataEnd, live);
      const skipped = (next < 0 ? dataEnd : next) - pos;
      const why = ctx.u32(pos) === RECORD_MAGIC ? `record ${recordId} has an impossible size ${size}` : 'no record signature';
      report('bad-record-header', 'error', `${why}; skipped ${skipped} bytes of live data`, pos, null);
      gaps.push([pos, pos + skipped]);
      if (next < 0) {
        pos = dataEnd;
        break;
      }
      pos = next;
      continue;
    }
    const accept = opts.accept;
    result.frames++;
    if (accept !== undefined && sizeCopy === size && isSkipped(ctx, pos, size, accept)) result.skipped++;
    else decodeRecord(ctx, pos, size, recordId, false, opts, result, report);
    opts.seenIds?.add(recordId);
    lastId = recordId;
    if (sizeCopy !== size) {
      // The size is suspect (a torn write): the next record may start inside the declared span,
      // so resume at the next well-framed record after this header.
      report('record-size-mismatch', 'warning', `record size ${size} differs from its trailing copy ${sizeCopy}`, pos + size - 4, recordId);
      const next = resync(ctx, pos + 8, Math.max(dataEnd, pos + size), live);
      gaps.push([pos + 8, next < 0 ? dataEnd : next]);
      if (next < 0) {
        pos = Math.max(dataEnd, pos + size);
        break;
      }
      pos = next;
      continue;
    }
    pos += size;
  }
  if (opts.carve) {
    for (const [from, to] of gaps) carve(ctx, from, to, opts, result, report);
    carve(ctx, Math.max(pos, CHUNK_HEADER_SIZE), buf.length, opts, result, report);
  }
  return result;
}

/** Whether the prefilter turns the record away; a header it cannot read is never turned away. */
function isSkipped(ctx: ChunkContext, pos: number, size: number, accept: (header: RecordHeader) => boolean): boolean {
  const header = peekRecordHeader(ctx, pos + RECORD_HEADER_SIZE, pos + size - 4);
  return header !== null && !accept(header);
}

type Reporter = (code: EvtxErrorCode, severity: 'error' | 'warning', message: string, rel: number, recordId: number | null) => void;

function decodeRecord(
  ctx: ChunkContext,
  pos: number,
  size: number,
  recordId: number,
  recovered: boolean,
  opts: ChunkOptions,
  result: ChunkResult,
  report: Reporter,
): boolean {
  try {
    const nodes = parseRecordXml(ctx, pos + RECORD_HEADER_SIZE, pos + size - 4);
    const fields = extractFields(nodes, DEFAULT_WALK_BUDGET);
    for (const w of ctx.warnings) report(w.code, 'warning', w.message, w.offset, recordId);
    if (fields.truncated) report('limit-exceeded', 'warning', 'record tree too large; fields may be incomplete', pos, recordId);
    const record: EvtxRecord = {
      recordId,
      writtenTime: filetimeToIso(ctx.u32(pos + 16), ctx.u32(pos + 20)),
      system: fields.system,
      data: fields.data,
      dataSection: fields.dataSection,
      origin: { file: opts.file, chunk: opts.index, offset: opts.fileOffset + pos, recovered },
      document: { nodes },
    };
    result.items.push({ ok: true, record });
    if (recovered) result.recovered++;
    else result.records++;
    return true;
  } catch (err) {
    // A carved candidate that does not decode is a partly overwritten copy: worth a warning only.
    const severity = recovered ? 'warning' : 'error';
    const what = recovered ? `carved record ${recordId}` : `record ${recordId}`;
    if (err instanceof EvtxFormatError) {
      report(err.code, severity, `${what}: ${err.message}`, err.offset, recordId);
    } else if (err instanceof RangeError && /call stack/i.test(err.message)) {
      report('limit-exceeded', severity, `${what}: nested too deeply to decode`, pos, recordId);
    } else if (err instanceof RangeError) {
      report('truncated', severity, `${what}: read past the chunk (${err.message})`, pos, recordId);
    } else {
      throw err;
    }
    return false;
  }
}

/** The next offset in `[from, end)` (8-byte steps) holding a plausible live record, or -1. */
function resync(ctx: ChunkContext, from: number, end: number, live: (id: number) => boolean): number {
  for (let p = (from + 7) & ~7; p + RECORD_HEADER_SIZE <= end; p += 8) {
    if (plausibleRecord(ctx, p) && live(u64(ctx.dv, p + 8))) return p;
  }
  return -1;
}

function plausibleRecord(ctx: ChunkContext, p: number): boolean {
  if (ctx.u32(p) !== RECORD_MAGIC) return false;
  const size = ctx.u32(p + 4);
  if (size < MIN_RECORD_SIZE || p + size > ctx.buf.length) return false;
  if (ctx.u32(p + size - 4) !== size) return false;
  // Binary XML starts with a fragment header (0F 01 01 00) or a processing instruction.
  const first = ctx.u8(p + RECORD_HEADER_SIZE);
  return (first === 0x0f && ctx.u8(p + 25) === 1 && ctx.u8(p + 26) === 1) || first === 0x0a;
}

/** Records in `[from, to)` outside the live sequence: older copies, or records after a torn write. */
function carve(ctx: ChunkContext, from: number, to: number, opts: ChunkOptions, result: ChunkResult, report: Reporter): void {
  let p = (from + 7) & ~7;
  while (p + RECORD_HEADER_SIZE <= to) {
    if (!plausibleRecord(ctx, p)) {
      p += 8;
      continue;
    }
    const size = ctx.u32(p + 4);
    const recordId = u64(ctx.dv, p + 8);
    if (opts.seenIds?.has(recordId) === true) {
      p += size;
      continue;
    }
    if (decodeRecord(ctx, p, size, recordId, true, opts, result, report)) {
      result.frames++;
      opts.seenIds?.add(recordId);
      p += size;
    } else {
      p += 8;
    }
  }
}
