// Reading any input: sniff its format (or take the one forced), hand it to the reader for that
// format, and account for it. Every path ends in records and diagnostics; nothing is thrown.

import type { EvtxReadOptions } from '../evtx/reader.js';
import { readCsvSource } from './csv.js';
import { readEvtxSource, readEvtxSourceBytes } from './evtx.js';
import { openInput } from './input.js';
import type { Input } from './input.js';
import { readJsonSource } from './json.js';
import { sniffFormat } from './sniff.js';
import type { InputFormat, SourceDiagnostic, SourceItem, SourceSummary } from './types.js';
import { readXmlSource } from './xml.js';

export interface ReadOptions {
  /** Force a format instead of sniffing (`--input-format`). */
  format?: InputFormat;
  /** EVTX: recover records from slack space. */
  carve?: boolean;
  evtx?: EvtxReadOptions;
  /** Largest EVTX read into memory when it arrives compressed or on stdin. */
  maxEvtxBytes?: number;
}

const TEXT_READERS: Readonly<Record<Exclude<InputFormat, 'evtx'>, (input: Input) => AsyncGenerator<SourceItem>>> = {
  xml: readXmlSource,
  json: readJsonSource,
  ndjson: readJsonSource,
  csv: readCsvSource,
};

function problem(path: string, code: SourceDiagnostic['code'], message: string): SourceItem {
  return { ok: false, diagnostic: { code, severity: 'error', message, path, line: null, column: null, offset: null, recordId: null, rejected: false } };
}

/** Reads one input (a path or `-`), yielding records and diagnostics; returns its summary. */
export async function* readSource(path: string, options: ReadOptions = {}): AsyncGenerator<SourceItem, SourceSummary> {
  const summary: SourceSummary = { path, format: null, shape: null, records: 0, skipped: 0, recovered: 0, rejected: 0, errors: 0, warnings: 0, bytes: 0 };
  const count = (item: SourceItem): SourceItem => {
    if (item.ok) {
      if (item.record.origin.recovered) summary.recovered++;
      else summary.records++;
      summary.shape ??= item.record.origin.shape;
    } else {
      if (item.diagnostic.severity === 'error') summary.errors++;
      else summary.warnings++;
      if (item.diagnostic.rejected) summary.rejected++;
    }
    return item;
  };
  const evtxOptions: EvtxReadOptions = { ...options.evtx, ...(options.carve === true ? { carve: true } : {}) };
  if (options.evtx?.slots !== undefined) {
    // A part of a file already known to be EVTX (parallel scans): no sniffing, no stream.
    summary.format = 'evtx';
    summary.skipped = (yield* counted(readEvtxSource(path, evtxOptions), count)).skipped;
    return summary;
  }
  let input: Input;
  try {
    input = await openInput(path);
  } catch (err) {
    yield count(problem(path, (err as Error).message.includes('incorrect header') ? 'bad-gzip' : 'io-error', (err as Error).message));
    return summary;
  }
  const format = options.format ?? sniffFormat(input.head);
  summary.format = format;
  if (input.head.length === 0) {
    yield count(problem(path, 'empty-file', 'the input is empty'));
    return summary;
  }
  if (format === null) {
    yield count(problem(path, 'unknown-format', 'not EVTX, XML, JSON, NDJSON or CSV (use --input-format to force one)'));
    return summary;
  }
  try {
    if (format === 'evtx') {
      if (path !== '-' && !input.gzip) {
        summary.skipped = (yield* counted(readEvtxSource(path, evtxOptions), count)).skipped;
      } else {
        // Compressed or piped EVTX is read whole: the format needs random access to its chunks.
        const bytes = await collect(input, options.maxEvtxBytes ?? 4 * 1024 ** 3);
        summary.bytes = bytes.length;
        summary.skipped = (yield* counted(readEvtxSourceBytes(bytes, path, evtxOptions), count)).skipped;
      }
    } else {
      for await (const item of TEXT_READERS[format](input)) yield count(item);
    }
  } catch (err) {
    yield count(problem(path, 'io-error', `reading stopped: ${(err as Error).message}`));
  }
  return summary;
}

/** Yields a generator's items through `count` and returns what it returns. */
function* counted<R>(items: Generator<SourceItem, R>, count: (item: SourceItem) => SourceItem): Generator<SourceItem, R> {
  for (;;) {
    const next = items.next();
    if (next.done === true) return next.value;
    yield count(next.value);
  }
}

async function collect(input: Input, max: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of input.chunks()) {
    size += chunk.length;
    if (size > max) throw new Error(`EVTX input larger than ${max} bytes; decompress it to a file first`);
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}

