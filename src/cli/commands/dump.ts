// `cmstp-hunt dump`: every record of every input, as JSON lines (or XML for EVTX), optionally
// normalised into the event model, and an account of what was read on stderr: per input,
// read = parsed + recovered + reported, and why each problem happened. Exit status as `scan`'s:
// 4 when some input was skipped or cut short, 2 alone when nothing was readable or on usage errors.

import { openSync, readSync, closeSync } from 'node:fs';
import type { Command } from 'commander';
import { readEvtxFile } from '../../evtx/reader.js';
import type { EvtxFileSummary, EvtxItem } from '../../evtx/reader.js';
import type { EvtxRecord } from '../../evtx/model.js';
import type { EvtxDiagnostic } from '../../evtx/errors.js';
import { renderJson } from '../../evtx/render/json.js';
import { renderXml } from '../../evtx/render/xml.js';
import { normalize, TableSet } from '../../events/normalize.js';
import type { Event } from '../../events/model.js';
import { DEFAULT_TABLES } from '../../events/tables/index.js';
import { fileKind, readSource, SourceAccount } from '../../sources/index.js';
import { evtxFrames, evtxDiagnostic } from '../../sources/evtx.js';
import type { InputFormat, SourceDiagnostic, SourceRecord, SourceSummary } from '../../sources/types.js';
import { expandPaths } from '../../io/walk.js';
import { Output } from '../output.js';
import { safeText } from '../safe-text.js';
import { safeJson } from '../../report/json.js';
import { addLimitOptions, parseLimits, readOptionsFor, type LimitOptions } from './limits.js';
import { accountLine, accountTotals, EXIT_FATAL, EXIT_SKIPPED, skippedInputs } from './scan.js';

export const INPUT_FORMATS: readonly InputFormat[] = ['evtx', 'xml', 'json', 'ndjson', 'csv'];

/** Files taken from directories; files named explicitly are always read (and sniffed). */
const INPUT_EXTENSIONS = /\.(evtx|xml|json|jsonl|ndjson|csv|log|txt)(\.gz)?$/i;

export interface DumpOptions {
  format: 'jsonl' | 'xml';
  inputFormat?: InputFormat;
  normalized: boolean;
  carve: boolean;
  output?: string;
  verbose: boolean;
  stats?: string;
  limits?: LimitOptions;
}

interface Totals {
  inputs: number;
  unreadable: number;
  records: number;
  recovered: number;
  rejected: number;
  errors: number;
  warnings: number;
}

/** Adds one input's counts to the run's. */
function addUp(totals: Totals, s: SourceSummary): void {
  totals.records += s.records;
  totals.recovered += s.recovered;
  totals.rejected += s.rejected;
  totals.errors += s.errors;
  totals.warnings += s.warnings;
  if (s.skipped !== null) totals.unreadable++;
}

/**
 * The renderer escapes C0 and C1 controls; a carriage return (which overwrites the line on a
 * terminal) and the bidi controls become character references too: the same XML, inert on screen.
 * (Belongs in src/evtx/render/xml.ts's escaping; done here until it moves there.)
 */
function safeXml(text: string): string {
  return text.replace(/[\r\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`);
}

function evtxRecordText(record: EvtxRecord, format: DumpOptions['format']): string {
  if (format === 'xml') return safeXml(renderXml(record.document));
  const o = record.origin;
  const source = { file: o.file, chunk: o.chunk, offset: o.offset, recordId: record.recordId, recovered: o.recovered };
  return safeJson({ _source: source, ...renderJson(record.document) }) + '\n';
}

function eventText(e: Event): string {
  return (
    safeJson({
      _source: e.origin,
      category: e.category,
      mapping: e.mapping,
      host: e.host,
      time: e.time,
      eventId: e.eventId,
      channel: e.channel,
      provider: e.provider,
      fields: e.fields,
      raw: e.raw === e.fields ? undefined : e.raw,
    }) + '\n'
  );
}

function sourceText(r: SourceRecord): string {
  return safeJson({ _source: r.origin, kind: r.kind, table: r.table ?? undefined, fields: r.raw }) + '\n';
}

function describeEvtx(d: EvtxDiagnostic): string {
  const where = [`offset ${d.offset}`];
  if (d.chunk !== null) where.unshift(`chunk ${d.chunk}`);
  if (d.recordId !== null) where.push(`record ${d.recordId}`);
  return `${d.severity}: ${safeText(d.file)}: ${where.join(', ')}: [${d.code}] ${safeText(d.message)}`;
}

function describeSource(d: SourceDiagnostic): string {
  const where: string[] = [];
  if (d.line !== null) where.push(`line ${d.line}${d.column !== null ? `, column ${d.column}` : ''}`);
  else if (d.offset !== null) where.push(`offset ${d.offset}`);
  if (d.recordId !== null) where.push(`record ${d.recordId}`);
  const code = d.detail !== undefined ? `${d.code}/${d.detail}` : d.code;
  return `${d.severity}: ${safeText(d.path)}${where.length > 0 ? `: ${where.join(', ')}` : ''}: [${code}] ${safeText(d.message)}`;
}

function looksLikeEvtx(path: string): boolean {
  let fd: number | null = null;
  try {
    fd = openSync(path, 'r');
    const b = Buffer.alloc(8);
    return readSync(fd, b, 0, 8, 0) === 8 && b.toString('latin1', 0, 7) === 'ElfFile';
  } catch {
    return false;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

export async function runDump(paths: string[], opts: DumpOptions): Promise<number> {
  const limits = opts.limits ?? {};
  const readOptions = readOptionsFor(limits);
  const { files, problems } = expandPaths(paths, { accept: (name) => INPUT_EXTENSIONS.test(name), ...(limits.maxFiles !== undefined ? { maxFiles: limits.maxFiles } : {}) });
  const totals: Totals = { inputs: 0, unreadable: problems.length, records: 0, recovered: 0, rejected: 0, errors: problems.length, warnings: 0 };
  for (const p of problems) process.stderr.write(`error: ${safeText(p.path)}: ${safeText(p.reason)}\n`);
  const out = new Output(opts.output);
  const tables = new TableSet(DEFAULT_TABLES);
  const perInput: SourceSummary[] = [];
  const report = (line: string, severity: 'error' | 'warning'): void => {
    if (severity === 'error' || opts.verbose) process.stderr.write(line + '\n');
  };
  if (opts.format === 'xml') await out.write('<?xml version="1.0" encoding="utf-8"?>\n<Events>\n');
  for (const file of files) {
    if (out.closed) break;
    totals.inputs++;
    // Pipes and devices go through readSource, which reads them as streams.
    const evtxRendering = !opts.normalized && file !== '-' && fileKind(file) === null && (opts.inputFormat ?? (looksLikeEvtx(file) ? 'evtx' : null)) === 'evtx';
    if (evtxRendering) {
      // EVTX keeps its faithful rendering (evtx_dump JSON or XML) unless normalised.
      const items = readEvtxFile(file, { ...readOptions.evtx, carve: opts.carve });
      const account = new SourceAccount(file);
      account.summary.format = 'evtx';
      let summary: EvtxFileSummary | undefined;
      while (!out.closed) {
        const next: IteratorResult<EvtxItem, EvtxFileSummary> = items.next();
        if (next.done === true) {
          summary = next.value;
          break;
        }
        const item = next.value;
        if (item.ok) {
          account.record(item.record.origin.recovered, 'evtx');
          await out.write(evtxRecordText(item.record, opts.format));
        } else {
          account.diagnostic(evtxDiagnostic(item.diagnostic));
          report(describeEvtx(item.diagnostic), item.diagnostic.severity);
        }
      }
      if (summary === undefined) break;
      account.summary.bytes = summary.bytes;
      const done = account.finish({ read: evtxFrames(summary), ignored: 0 });
      perInput.push(done);
      addUp(totals, done);
      continue;
    }
    const items = readSource(file, { ...readOptions, ...(opts.inputFormat !== undefined ? { format: opts.inputFormat } : {}), carve: opts.carve });
    let summary: SourceSummary | undefined;
    while (!out.closed) {
      const next = await items.next();
      if (next.done === true) {
        summary = next.value;
        break;
      }
      const item = next.value;
      if (!item.ok) {
        report(describeSource(item.diagnostic), item.diagnostic.severity);
        continue;
      }
      if (opts.format === 'xml') {
        report(`error: ${safeText(file)}: XML output is for EVTX input; use --format jsonl`, 'error');
        break;
      }
      await out.write(opts.normalized ? eventText(normalize(item.record, tables)) : sourceText(item.record));
    }
    if (summary === undefined) continue;
    perInput.push(summary);
    addUp(totals, summary);
  }
  if (opts.format === 'xml') await out.write('</Events>\n');
  await out.end();
  if (out.closed) {
    // The reader of our output went away (`| head`): the counts would be partial, so say that.
    process.stderr.write('dump: stopped early: the output was closed\n');
    return 0;
  }
  const skipped = skippedInputs(problems, perInput);
  for (const s of skipped) process.stderr.write(`${s.kind === 'cut' ? 'cut short' : 'skipped'}: ${safeText(s.path)}: ${safeText(s.reason)}\n`);
  for (const s of perInput) {
    if (!s.balanced) process.stderr.write(`dump: internal: the records of ${safeText(s.path)} do not add up: ${accountLine(s)}\n`);
    else if (opts.verbose) process.stderr.write(`input: ${accountLine(s)}\n`);
  }
  const t = accountTotals(perInput);
  process.stderr.write(
    `dump: ${totals.inputs} inputs, ${totals.records} records, ${totals.recovered} recovered, ${totals.rejected} rejected, ` +
      `${totals.errors} errors, ${totals.warnings} warnings${skipped.length > 0 ? `, ${skipped.length} skipped or cut short` : ''}` +
      `${opts.verbose || totals.warnings === 0 ? '' : ' (--verbose lists warnings)'}\n` +
      `dump: records: ${t.read} read = ${t.parsed} parsed + ${t.recovered} recovered + ${t.reported} reported${t.unbalanced.length > 0 ? ` (UNBALANCED in ${t.unbalanced.length})` : ''}\n`,
  );
  if (opts.stats !== undefined) {
    const { writeFileSync } = await import('node:fs');
    const records = { read: t.read, parsed: t.parsed, recovered: t.recovered, reported: t.reported, ignored: t.ignored, balanced: t.unbalanced.length === 0 };
    writeFileSync(opts.stats, JSON.stringify({ totals, records, skipped, inputs: perInput }, null, 2) + '\n');
  }
  if (totals.inputs === 0 || totals.records + totals.recovered === 0) return EXIT_FATAL;
  return skipped.length > 0 ? EXIT_SKIPPED : 0;
}

export function registerDump(program: Command, setExit: (code: number) => void): void {
  addLimitOptions(program.command('dump'), 'dump')
    .description('print every record of event-log inputs: EVTX, Windows XML, JSON/NDJSON (OTRF, ECS, Splunk, evtx_dump), CSV (Defender, Splunk); files, directories, or - for stdin; plain or gzip')
    .argument('<paths...>', 'inputs, or directories searched recursively')
    .option('-f, --format <format>', 'jsonl, or xml (EVTX input only: Event Viewer XML)', 'jsonl')
    .option('--input-format <format>', `force the input format instead of sniffing it: ${INPUT_FORMATS.join(', ')}`)
    .option('-n, --normalized', 'print events of the event model: category, canonical Sigma fields, original fields', false)
    .option('--carve', 'EVTX: also recover records from chunk slack space (marked recovered)', false)
    .option('-o, --output <file>', 'write records here instead of stdout')
    .option('-v, --verbose', 'list warnings too (checksums, stale headers), not only errors', false)
    .option('--stats <file>', 'write per-input counts as JSON')
    .addHelpText('after', '\nExit status: 0 clean; 4 some input skipped or cut short (named on stderr and in --stats "skipped"); 2 alone: usage error or nothing readable.\n')
    .action(async (paths: string[], raw: Record<string, unknown>) => {
      const format = raw['format'];
      if (format !== 'jsonl' && format !== 'xml') {
        process.stderr.write(`dump: unknown format ${safeText(String(format))} (jsonl or xml)\n`);
        setExit(2);
        return;
      }
      const inputFormat = raw['inputFormat'];
      if (inputFormat !== undefined && (typeof inputFormat !== 'string' || !INPUT_FORMATS.includes(inputFormat as InputFormat))) {
        process.stderr.write(`dump: unknown input format ${safeText(JSON.stringify(inputFormat))} (${INPUT_FORMATS.join(', ')})\n`);
        setExit(2);
        return;
      }
      const limits = parseLimits(raw);
      if (!limits.ok) {
        process.stderr.write(`dump: ${limits.error}\n`);
        setExit(2);
        return;
      }
      const opts: DumpOptions = { format, normalized: raw['normalized'] === true, carve: raw['carve'] === true, verbose: raw['verbose'] === true, limits: limits.limits };
      if (inputFormat !== undefined) opts.inputFormat = inputFormat as InputFormat;
      if (typeof raw['output'] === 'string') opts.output = raw['output'];
      if (typeof raw['stats'] === 'string') opts.stats = raw['stats'];
      setExit(await runDump(paths, opts));
    });
}
