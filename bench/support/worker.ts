// The measured work, run in a child process of the benchmark (pinned to one core by the parent),
// so that every phase starts from a fresh heap and its peak RSS is its own.
//
//   node dist/bench/support/worker.js --mode decode|jsonl|xml --list FILES.json
//        [--warmup N] [--runs N]
//
// FILES.json is an array of paths or of { file, first, count } parts (a range of chunk slots of
// one file, read with readEvtxFile's `slots`; the parallel decode splits big files this way).
//
// Prints one WorkerResult as JSON on stdout. Rendered output goes to /dev/null through a 1 MiB
// string buffer, the way `cmstp-hunt dump` buffers it before handing it to stdout.

import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { readEvtxFile } from '../../src/evtx/reader.js';
import type { EvtxRecord } from '../../src/evtx/model.js';
import { renderJson } from '../../src/evtx/render/json.js';
import { renderXml } from '../../src/evtx/render/xml.js';
import { FOLD_SEED, foldRecord, foldText, hex32 } from './checksum.js';
import type { WorkerFile, WorkerMode, WorkerResult } from './protocol.js';

const FLUSH_AT = 1 << 20;
const CHUNK_BYTES = 0x10000;
const HEADER_BYTES = 4096;

/** A whole file, or the chunk slots [first, first + count) of one. */
export type ListItem = string | { file: string; first: number; count: number };

const isPart = (x: unknown): x is { file: string; first: number; count: number } =>
  typeof x === 'object' && x !== null && typeof (x as { file?: unknown }).file === 'string' && Number.isInteger((x as { first?: unknown }).first) && Number.isInteger((x as { count?: unknown }).count);

interface Args {
  mode: WorkerMode;
  files: ListItem[];
  warmup: number;
  runs: number;
}

function parseArgs(argv: readonly string[]): Args {
  let mode: WorkerMode | undefined;
  let list: string | undefined;
  let warmup = 1;
  let runs = 5;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === '--mode' && (v === 'decode' || v === 'jsonl' || v === 'xml')) mode = v;
    else if (a === '--list' && v !== undefined) list = v;
    else if (a === '--warmup' && v !== undefined) warmup = Number(v);
    else if (a === '--runs' && v !== undefined) runs = Number(v);
    else throw new Error(`worker: bad argument ${String(a)} ${String(v)}`);
    i++;
  }
  if (mode === undefined || list === undefined) throw new Error('worker: --mode and --list are required');
  if (!Number.isInteger(warmup) || warmup < 0 || !Number.isInteger(runs) || runs < 1) throw new Error('worker: bad --warmup/--runs');
  const files = JSON.parse(readFileSync(list, 'utf8')) as unknown;
  if (!Array.isArray(files) || !files.every((f) => typeof f === 'string' || isPart(f))) throw new Error('worker: the list must be a JSON array of paths or parts');
  return { mode, files, warmup, runs };
}

/** A string buffer flushed to /dev/null with writeSync, counting the UTF-8 bytes written. */
class NullSink {
  private readonly fd = openSync('/dev/null', 'w');
  private buffer = '';
  bytes = 0;

  write(text: string): void {
    this.buffer += text;
    if (this.buffer.length >= FLUSH_AT) this.flush();
  }

  flush(): void {
    if (this.buffer === '') return;
    this.bytes += writeSync(this.fd, this.buffer);
    this.buffer = '';
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** Exactly what `cmstp-hunt dump` (src/cli/commands/dump.ts formatRecord) writes per record. */
function jsonLine(record: EvtxRecord): string {
  const o = record.origin;
  const source = { file: o.file, chunk: o.chunk, offset: o.offset, recordId: record.recordId, recovered: o.recovered };
  return JSON.stringify({ _source: source, ...renderJson(record.document) }) + '\n';
}

interface PassResult {
  ms: number;
  bytes: number;
  records: number;
  errors: number;
  warnings: number;
  checksum: number;
  valuesFolded: number;
  outBytes: number;
  perFile: WorkerFile[];
}

function pass(mode: WorkerMode, files: readonly ListItem[]): PassResult {
  const r: PassResult = { ms: 0, bytes: 0, records: 0, errors: 0, warnings: 0, checksum: FOLD_SEED, valuesFolded: 0, outBytes: 0, perFile: [] };
  const sink = mode === 'decode' ? null : new NullSink();
  let h = FOLD_SEED;
  const start = performance.now();
  if (sink !== null && mode === 'xml') sink.write('<?xml version="1.0" encoding="utf-8"?>\n<Events>\n');
  for (const entry of files) {
    const file = typeof entry === 'string' ? entry : entry.file;
    const items = typeof entry === 'string' ? readEvtxFile(file) : readEvtxFile(file, { slots: { first: entry.first, count: entry.count } });
    for (let next = items.next(); ; next = items.next()) {
      if (next.done === true) {
        const s = next.value;
        // A part's summary still names the whole file's size: count the part's own bytes.
        const bytes = typeof entry === 'string' ? s.bytes : s.chunks * CHUNK_BYTES + (entry.first === 0 ? Math.min(s.bytes, HEADER_BYTES) : 0);
        r.bytes += bytes;
        r.records += s.records;
        r.errors += s.errors;
        r.warnings += s.warnings;
        r.perFile.push({ file, bytes, records: s.records });
        break;
      }
      const item = next.value;
      if (!item.ok) continue;
      const record = item.record;
      if (sink === null) {
        h = foldRecord(h, record);
        r.valuesFolded += record.data.values.length;
      } else {
        const text = mode === 'xml' ? renderXml(record.document) : jsonLine(record);
        h = foldText(h, text);
        sink.write(text);
      }
    }
  }
  if (sink !== null) {
    if (mode === 'xml') sink.write('</Events>\n');
    sink.close();
    r.outBytes = sink.bytes;
  }
  r.ms = performance.now() - start;
  r.checksum = h;
  return r;
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const warmupMs: number[] = [];
  const passMs: number[] = [];
  let first: PassResult | undefined;
  for (let i = 0; i < args.warmup + args.runs; i++) {
    // No forced gc() between passes: here it made every following decode pass ~60% slower
    // (0.45 s → 0.70 s, with about as many scavenges, so not a GC cost as such), and the CLI
    // never runs that way. The warm-up pass has already grown the heap and compiled the hot code.
    const p = pass(args.mode, args.files);
    if (first === undefined) first = p;
    else if (p.checksum !== first.checksum || p.records !== first.records) {
      throw new Error(`worker: pass ${i} differs from the first (checksum ${hex32(p.checksum)} vs ${hex32(first.checksum)})`);
    }
    (i < args.warmup ? warmupMs : passMs).push(p.ms);
  }
  if (first === undefined) throw new Error('worker: no pass ran');
  const result: WorkerResult = {
    mode: args.mode,
    files: args.files.length,
    bytes: first.bytes,
    records: first.records,
    errors: first.errors,
    warnings: first.warnings,
    checksum: hex32(first.checksum),
    valuesFolded: first.valuesFolded,
    outBytes: first.outBytes,
    warmupMs,
    passMs,
    maxRssKiB: process.resourceUsage().maxRSS,
    perFile: first.perFile,
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

main();
