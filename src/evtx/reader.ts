// Reading whole files: header checks, chunk discovery from the file size, and a generator of
// records and diagnostics. Memory stays bounded: chunks are read in fixed-size batches into one
// reusable buffer, and records keep no reference to it.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { EvtxDiagnostic, EvtxErrorCode } from './errors.js';
import { CHUNK_SIZE, FILE_HEADER_SIZE, readFileHeader } from './file-header.js';
import { hasChunkMagic, isAllZero, readChunk } from './chunk.js';
import type { ChunkItem } from './chunk.js';
import type { RecordHeader } from './binxml/peek.js';
import { DEFAULT_LIMITS } from './limits.js';
import type { EvtxLimits } from './limits.js';
import { TemplateCache } from './binxml/template-cache.js';

export type EvtxItem = ChunkItem;
export type { RecordHeader } from './binxml/peek.js';

export interface EvtxReadOptions {
  /** Recover records from chunk slack space; they are marked `origin.recovered`. */
  carve?: boolean;
  limits?: Partial<EvtxLimits>;
  /** Chunks read per I/O call. */
  batchChunks?: number;
  /**
   * Only these chunk slots (0-based, counted from the file size): a unit of parallel work. The
   * file header is checked only by the part that starts at slot 0, and the file-level verdicts
   * (no chunk at all, stale chunk count) are left to whoever assembles the parts.
   */
  slots?: { first: number; count: number };
  /** A prefilter on EventID, Channel and Provider (see chunk.ts); rejected records are `skipped`. */
  accept?: (header: RecordHeader) => boolean;
}

export interface EvtxFileSummary {
  file: string;
  bytes: number;
  /** Chunk slots in the file, counted from its size. */
  chunks: number;
  emptyChunks: number;
  /** Slots that are neither empty nor a chunk. */
  foreignChunks: number;
  /** Live records decoded. */
  records: number;
  /** Live records the prefilter turned away: framed and counted, not decoded. */
  skipped: number;
  /** Record candidates: live frames the walk handed on plus carved records accepted (see chunk.ts). */
  frames: number;
  /** Records carved from slack space. */
  recovered: number;
  /** Diagnostics by severity; each failed record is one error. */
  errors: number;
  warnings: number;
  /** The header's own idea of the chunk count and next record id, for comparison. */
  headerChunkCount: number | null;
  headerNextRecordId: number | null;
}

function newSummary(file: string): EvtxFileSummary {
  return {
    file,
    bytes: 0,
    chunks: 0,
    emptyChunks: 0,
    foreignChunks: 0,
    records: 0,
    skipped: 0,
    frames: 0,
    recovered: 0,
    errors: 0,
    warnings: 0,
    headerChunkCount: null,
    headerNextRecordId: null,
  };
}

/** Reads an EVTX file lazily. Never throws on bad input; I/O failures become diagnostics too. */
export function* readEvtxFile(path: string, options: EvtxReadOptions = {}): Generator<EvtxItem, EvtxFileSummary> {
  const summary = newSummary(path);
  const diag = diagnosticsFor(summary);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    yield diag('io-error', 'error', `cannot open: ${(err as Error).message}`, 0);
    return summary;
  }
  try {
    const size = fstatSync(fd).size;
    summary.bytes = size;
    const source: ByteSource = {
      size,
      read: (buf, position) => readSync(fd, buf, 0, buf.length, position),
    };
    return yield* readSource(source, path, options, summary, diag);
  } catch (err) {
    yield diag('io-error', 'error', `read failed: ${(err as Error).message}`, 0);
    return summary;
  } finally {
    closeSync(fd);
  }
}

/** Reads EVTX bytes already in memory (tests, stdin, archives). */
export function* readEvtxBytes(bytes: Uint8Array, name: string, options: EvtxReadOptions = {}): Generator<EvtxItem, EvtxFileSummary> {
  const summary = newSummary(name);
  summary.bytes = bytes.length;
  const diag = diagnosticsFor(summary);
  const source: ByteSource = {
    size: bytes.length,
    read: (buf, position) => {
      const n = Math.max(0, Math.min(buf.length, bytes.length - position));
      buf.set(bytes.subarray(position, position + n));
      return n;
    },
  };
  return yield* readSource(source, name, options, summary, diag);
}

interface ByteSource {
  size: number;
  /** Fills `buf` from `position`; returns the number of bytes read. */
  read(buf: Buffer, position: number): number;
}

type Diag = (code: EvtxErrorCode, severity: 'error' | 'warning', message: string, offset: number, chunk?: number | null) => EvtxItem;

/** File-level diagnostics, counted into the summary as they are made. */
function diagnosticsFor(summary: EvtxFileSummary): Diag {
  return (code, severity, message, offset, chunk = null) => {
    if (severity === 'error') summary.errors++;
    else summary.warnings++;
    const diagnostic: EvtxDiagnostic = { code, severity, message, file: summary.file, offset, chunk, recordId: null };
    return { ok: false, diagnostic };
  };
}

function* readSource(
  source: ByteSource,
  file: string,
  options: EvtxReadOptions,
  summary: EvtxFileSummary,
  diag: Diag,
): Generator<EvtxItem, EvtxFileSummary> {
  const limits: EvtxLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const size = source.size;
  if (size === 0) {
    yield diag('empty-file', 'error', 'file is empty', 0);
    return summary;
  }
  const headerBuf = Buffer.alloc(Math.min(FILE_HEADER_SIZE, size));
  source.read(headerBuf, 0);
  const header = readFileHeader(headerBuf);
  const headerPart = options.slots === undefined || options.slots.first <= 0;
  if (!headerPart) {
    if (size < FILE_HEADER_SIZE) return summary;
  } else if (size < FILE_HEADER_SIZE && (header === null || !header.signatureOk)) {
    yield diag('not-evtx', 'error', `file has ${size} bytes and no ElfFile signature`, 0);
    return summary;
  }
  if (!headerPart) {
    // Another part of the file reports on its header.
  } else if (header === null || !header.signatureOk) {
    // Not necessarily fatal: a damaged header in front of intact chunks still yields records.
    yield diag('bad-file-header', 'warning', 'file header has no ElfFile signature', 0);
  } else {
    summary.headerChunkCount = header.chunkCount;
    summary.headerNextRecordId = header.nextRecordId;
    if ((header.flags & 0x4) === 0 && header.checksum !== header.computedChecksum) {
      yield diag('file-header-checksum', 'warning', 'file header checksum does not match', 124);
    }
  }
  if (size < FILE_HEADER_SIZE) {
    yield diag('truncated-chunk', 'error', `file has ${size} bytes, less than its 4096-byte header`, 0);
    return summary;
  }

  const slots = Math.ceil((size - FILE_HEADER_SIZE) / CHUNK_SIZE);
  const part = options.slots;
  const from = part === undefined ? 0 : Math.max(0, Math.min(slots, part.first));
  const to = part === undefined ? slots : Math.max(from, Math.min(slots, part.first + part.count));
  summary.chunks = to - from;
  const batch = Math.max(1, Math.min(options.batchChunks ?? 16, to - from));
  const base = takeBuffer(batch * CHUNK_SIZE);
  try {
    return yield* readSlots(source, file, options, summary, diag, { from, to, slots, batch, buf: base.subarray(0, batch * CHUNK_SIZE), limits });
  } finally {
    spare = base;
  }
}

/**
 * One read buffer kept for the next file: scans open hundreds of files, and a fresh megabyte
 * for each is garbage the collector must chase. A reader that finds it taken allocates its own.
 */
let spare: Buffer | null = null;

function takeBuffer(size: number): Buffer {
  const b = spare;
  if (b !== null && b.length >= size) {
    spare = null;
    return b;
  }
  return Buffer.allocUnsafe(Math.max(size, 16 * CHUNK_SIZE));
}

interface SlotRange {
  from: number;
  to: number;
  slots: number;
  batch: number;
  buf: Buffer;
  limits: EvtxLimits;
}

function* readSlots(
  source: ByteSource,
  file: string,
  options: EvtxReadOptions,
  summary: EvtxFileSummary,
  diag: Diag,
  r: SlotRange,
): Generator<EvtxItem, EvtxFileSummary> {
  const { from, to, slots, batch, buf, limits } = r;
  const part = options.slots;
  const seenIds = options.carve === true ? new Set<number>() : null;
  const templates = new TemplateCache();
  let foundChunk = false;
  for (let first = from; first < to; first += batch) {
    const position = FILE_HEADER_SIZE + first * CHUNK_SIZE;
    const got = source.read(buf, position);
    const count = Math.min(batch, to - first);
    for (let k = 0; k < count; k++) {
      const index = first + k;
      const start = k * CHUNK_SIZE;
      const avail = Math.min(CHUNK_SIZE, got - start);
      const offset = position + start;
      if (avail <= 0) break;
      let chunk = buf.subarray(start, start + avail);
      const magic = hasChunkMagic(chunk);
      if (!magic && isAllZero(chunk)) {
        summary.emptyChunks++;
        continue;
      }
      if (!magic) {
        summary.foreignChunks++;
        yield diag('bad-chunk-magic', 'warning', `chunk slot ${index} has no ElfChnk signature; skipped`, offset, index);
        continue;
      }
      foundChunk = true;
      if (avail < CHUNK_SIZE) {
        yield diag('truncated-chunk', 'warning', `last chunk has ${avail} of 65536 bytes; reading what is there`, offset, index);
        // A zero-filled copy lets the record walker treat the missing tail as empty space.
        const padded = Buffer.alloc(CHUNK_SIZE);
        chunk.copy(padded);
        chunk = padded;
      }
      const result = readChunk(chunk, { file, index, fileOffset: offset, limits, carve: options.carve === true, seenIds, templates, accept: options.accept });
      if (avail < CHUNK_SIZE) {
        // Problems met in the zero-filled tail are located where the file's data stops.
        for (const item of result.items) if (!item.ok && item.diagnostic.offset > source.size) item.diagnostic.offset = source.size;
      }
      summary.records += result.records;
      summary.skipped += result.skipped;
      summary.frames += result.frames;
      summary.recovered += result.recovered;
      summary.errors += result.errors;
      summary.warnings += result.warnings;
      yield* result.items;
    }
  }
  if (part !== undefined) return summary;
  const held = foundChunk ? slots - summary.emptyChunks - summary.foreignChunks : 0;
  for (const v of fileVerdicts(slots, held, summary.headerChunkCount)) yield diag(v.code, v.severity, v.message, v.offset);
  return summary;
}

export interface FileVerdict {
  code: EvtxErrorCode;
  severity: 'error' | 'warning';
  message: string;
  offset: number;
}

/**
 * What is said of a whole file once all its chunk slots are read: `held` of its `slots` hold a
 * chunk; `headerChunkCount` is the header's claim (null when the header is unreadable). Whoever
 * reads a file in parts says it after the last part.
 */
export function fileVerdicts(slots: number, held: number, headerChunkCount: number | null): FileVerdict[] {
  if (held === 0) return [{ code: 'not-evtx', severity: 'error', message: 'no EVTX chunk found in the file', offset: FILE_HEADER_SIZE }];
  // Informational: the header is routinely stale, which is why we count from the size.
  if (headerChunkCount !== null && headerChunkCount !== held) {
    return [{ code: 'header-chunk-count', severity: 'warning', message: `header declares ${headerChunkCount} chunks; ${held} of the file's ${slots} chunk slots hold one`, offset: 42 }];
  }
  return [];
}

/**
 * The items of one chunk, read on its own (no template cache, no carving): for reading a record
 * again by its offset. An unreadable file or slot gives no items.
 */
export function readEvtxChunkRecords(path: string, index: number, options: EvtxReadOptions = {}): EvtxItem[] {
  if (!Number.isInteger(index) || index < 0) return [];
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return [];
  }
  try {
    const buf = Buffer.alloc(CHUNK_SIZE);
    const offset = FILE_HEADER_SIZE + index * CHUNK_SIZE;
    const got = readSync(fd, buf, 0, CHUNK_SIZE, offset);
    if (got < 512 || !hasChunkMagic(buf)) return [];
    const limits: EvtxLimits = { ...DEFAULT_LIMITS, ...options.limits };
    return readChunk(buf, { file: path, index, fileOffset: offset, limits, carve: false, seenIds: null, templates: null }).items;
  } catch {
    return [];
  } finally {
    closeSync(fd);
  }
}
