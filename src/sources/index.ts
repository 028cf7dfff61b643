// Reading any input: sniff its format (or take the one forced), hand it to the reader for that
// format, and account for it. Every path ends in records and diagnostics; nothing is thrown.

import { createReadStream, statSync } from 'node:fs';
import type { EvtxFileSummary, EvtxReadOptions } from '../evtx/reader.js';
import type { EvtxLimits } from '../evtx/limits.js';
import { readCsvSource } from './csv.js';
import type { CsvOptions } from './csv-scanner.js';
import { evtxFrames, readEvtxSource, readEvtxSourceBytes } from './evtx.js';
import { openInput, openStream } from './input.js';
import type { Input } from './input.js';
import { readJsonSource } from './json.js';
import type { JsonLimits } from './json.js';
import { sniffFormat } from './sniff.js';
import type { InputFormat, ReadTally, SourceDiagnostic, SourceItem, SourceSummary } from './types.js';
import { readXmlSource } from './xml.js';
import { SourceAccount } from './account.js';
import type { XmlLimits } from './xml-element.js';

/** The caps a user may tune (`--max-…`); each defaults to the reader's own. */
export interface SourceLimits {
  /** Largest JSON document or line, XML `<Event>` element, or CSV row, in bytes. */
  maxRecordBytes?: number;
  /** Largest CSV field, in bytes. */
  maxFieldBytes?: number;
  /** Deepest nesting of a JSON document. */
  maxJsonDepth?: number;
  /** Deepest element nesting inside an XML event. */
  maxXmlDepth?: number;
}

export interface ReadOptions {
  /** Force a format instead of sniffing (`--input-format`). */
  format?: InputFormat;
  /** EVTX: recover records from slack space. */
  carve?: boolean;
  evtx?: EvtxReadOptions;
  /** Largest EVTX read into memory when it arrives compressed or on stdin (or from a pipe). */
  maxEvtxBytes?: number;
  /** Caps of the text readers. */
  limits?: SourceLimits;
}

/**
 * Whole-input EVTX reads (gzip, stdin, pipes) hold the file and, briefly, a copy: 2 GiB keeps that
 * under a fifth of a 24 GiB machine. Windows' own log size cap is usually far lower.
 */
export const DEFAULT_MAX_EVTX_BYTES = 2 * 1024 ** 3;

/** The EVTX limit a `--max-record-nodes` style option sets, re-exported for the CLI. */
export type { EvtxLimits };

function textReader(format: Exclude<InputFormat, 'evtx'>, limits: SourceLimits, tally: ReadTally): (input: Input) => AsyncGenerator<SourceItem> {
  switch (format) {
    case 'xml': {
      const l: Partial<XmlLimits> = {};
      if (limits.maxRecordBytes !== undefined) l.maxElement = limits.maxRecordBytes;
      if (limits.maxXmlDepth !== undefined) l.maxDepth = limits.maxXmlDepth;
      return (input) => readXmlSource(input, { limits: l, tally });
    }
    case 'json':
    case 'ndjson': {
      const l: Partial<JsonLimits> = {};
      if (limits.maxRecordBytes !== undefined) l.maxDocument = limits.maxRecordBytes;
      if (limits.maxJsonDepth !== undefined) l.maxDepth = limits.maxJsonDepth;
      return (input) => readJsonSource(input, { limits: l, tally });
    }
    case 'csv': {
      const o: CsvOptions & { tally: ReadTally } = { tally };
      if (limits.maxRecordBytes !== undefined) o.maxRow = limits.maxRecordBytes;
      if (limits.maxFieldBytes !== undefined) o.maxField = limits.maxFieldBytes;
      return (input) => readCsvSource(input, o);
    }
  }
}

function problem(path: string, code: SourceDiagnostic['code'], message: string): SourceItem {
  return { ok: false, diagnostic: { code, severity: 'error', message, path, line: null, column: null, offset: null, recordId: null, rejected: false } };
}

export { emptySummary, SourceAccount } from './account.js';

/** What a path names when it is not a regular file (`directory`, `fifo`, …), else null. */
export function fileKind(path: string): string | null {
  if (path === '-') return null;
  try {
    const st = statSync(path);
    if (st.isFile()) return null;
    if (st.isDirectory()) return 'directory';
    if (st.isFIFO()) return 'fifo';
    if (st.isCharacterDevice()) return 'character device';
    if (st.isBlockDevice()) return 'block device';
    if (st.isSocket()) return 'socket';
    return 'special file';
  } catch {
    return null; // openInput reports why
  }
}

/** Reads one input (a path or `-`), yielding records and diagnostics; returns its summary. */
export async function* readSource(path: string, options: ReadOptions = {}): AsyncGenerator<SourceItem, SourceSummary> {
  const account = new SourceAccount(path);
  const summary = account.summary;
  const tally: ReadTally = { read: 0, ignored: 0 };
  const count = (item: SourceItem): SourceItem => {
    if (item.ok) account.record(item.record.origin.recovered, item.record.origin.shape);
    else account.diagnostic(item.diagnostic);
    return item;
  };
  const finish = (): SourceSummary => account.finish(tally);
  const evtxOptions: EvtxReadOptions = { ...options.evtx, ...(options.carve === true ? { carve: true } : {}) };
  if (options.evtx?.slots !== undefined) {
    // A part of a file already known to be EVTX (parallel scans): no sniffing, no stream.
    summary.format = 'evtx';
    yield* countEvtx(readEvtxSource(path, evtxOptions), count, tally, summary);
    return finish();
  }
  // A pipe or device is read as a stream, like stdin: `open` on a FIFO waits for a writer, which
  // is what a user naming one (`<(zcat log.evtx.gz)`) wants; directory walks skip them instead.
  const kind = fileKind(path);
  let input: Input;
  try {
    // A pipe can be read once: no probing open before the real one.
    input = kind === null || kind === 'directory' ? await openInput(path) : await openStream(path, createReadStream(path, { highWaterMark: 1 << 20 }));
  } catch (err) {
    yield count(problem(path, (err as Error).message.includes('incorrect header') ? 'bad-gzip' : 'io-error', (err as Error).message));
    return finish();
  }
  const format = options.format ?? sniffFormat(input.head);
  summary.format = format;
  if (input.head.length === 0) {
    yield count(problem(path, 'empty-file', 'the input is empty'));
    return finish();
  }
  if (format === null) {
    const named = /\.evtx(\.gz)?$/i.test(path) ? 'named like EVTX but has no ElfFile signature; ' : '';
    yield count(problem(path, 'unknown-format', `${named}not EVTX, XML, JSON, NDJSON or CSV (use --input-format to force one)`));
    return finish();
  }
  try {
    if (format === 'evtx') {
      let items: Generator<SourceItem, EvtxFileSummary>;
      if (path !== '-' && !input.gzip && kind === null) {
        items = readEvtxSource(path, evtxOptions);
      } else {
        // Compressed or piped EVTX is read whole: the format needs random access to its chunks.
        const max = options.maxEvtxBytes ?? DEFAULT_MAX_EVTX_BYTES;
        const bytes = await collect(input, max);
        if (bytes === null) {
          yield count(problem(path, 'limit-exceeded', `EVTX input larger than ${max} bytes, the cap on reading a compressed or piped EVTX whole (--max-evtx-memory); decompress it to a file first`));
          return finish();
        }
        summary.bytes = bytes.length;
        items = readEvtxSourceBytes(bytes, path, evtxOptions);
      }
      yield* countEvtx(items, count, tally, summary);
    } else {
      for await (const item of textReader(format, options.limits ?? {}, tally)(input)) yield count(item);
    }
  } catch (err) {
    yield count(problem(path, 'io-error', `reading stopped: ${(err as Error).message}`));
  }
  return finish();
}

/** Yields an EVTX reader's items through `count`, then records what its walk framed and what the prefilter left undecoded. */
function* countEvtx(items: Generator<SourceItem, EvtxFileSummary>, count: (item: SourceItem) => SourceItem, tally: ReadTally, summary: SourceSummary): Generator<SourceItem> {
  for (;;) {
    const next = items.next();
    if (next.done === true) {
      tally.read = evtxFrames(next.value);
      summary.bytes = next.value.bytes;
      summary.prefiltered = next.value.skipped;
      return;
    }
    yield count(next.value);
  }
}

/** The whole input, or null when it is larger than `max` bytes (reading stops there). */
async function collect(input: Input, max: number): Promise<Buffer | null> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of input.chunks()) {
    size += chunk.length;
    if (size > max) return null;
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}
