// `cmstp-hunt dump`: every record of every EVTX file, as JSON lines or XML, and an account of
// what was read on stderr: for each file, records + recovered + failed, and why.

import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { readEvtxBytes, readEvtxFile } from '../../evtx/reader.js';
import type { EvtxFileSummary, EvtxItem } from '../../evtx/reader.js';
import type { EvtxRecord } from '../../evtx/model.js';
import type { EvtxDiagnostic } from '../../evtx/errors.js';
import { renderJson } from '../../evtx/render/json.js';
import { renderXml } from '../../evtx/render/xml.js';
import { expandPaths } from '../../io/walk.js';
import { Output } from '../output.js';
import { safeText } from '../safe-text.js';

export interface DumpOptions {
  format: 'jsonl' | 'xml';
  carve: boolean;
  output?: string;
  verbose: boolean;
  stats?: string;
}

interface Totals {
  files: number;
  unreadable: number;
  records: number;
  recovered: number;
  errors: number;
  warnings: number;
}

function formatRecord(record: EvtxRecord, format: DumpOptions['format']): string {
  if (format === 'xml') return renderXml(record.document);
  const o = record.origin;
  const source = { file: o.file, chunk: o.chunk, offset: o.offset, recordId: record.recordId, recovered: o.recovered };
  return JSON.stringify({ _source: source, ...renderJson(record.document) }) + '\n';
}

function describe(d: EvtxDiagnostic): string {
  const where = [`offset ${d.offset}`];
  if (d.chunk !== null) where.unshift(`chunk ${d.chunk}`);
  if (d.recordId !== null) where.push(`record ${d.recordId}`);
  return `${d.severity}: ${safeText(d.file)}: ${where.join(', ')}: [${d.code}] ${safeText(d.message)}`;
}

export async function runDump(paths: string[], opts: DumpOptions): Promise<number> {
  const { files, problems } = expandPaths(paths, { accept: (name) => name.toLowerCase().endsWith('.evtx') });
  const totals: Totals = { files: 0, unreadable: problems.length, records: 0, recovered: 0, errors: 0, warnings: 0 };
  for (const p of problems) process.stderr.write(`error: ${safeText(p.path)}: ${safeText(p.reason)}\n`);
  const out = new Output(opts.output);
  const perFile: EvtxFileSummary[] = [];
  if (opts.format === 'xml') await out.write('<?xml version="1.0" encoding="utf-8"?>\n<Events>\n');
  for (const file of files) {
    const items = file === '-' ? readEvtxBytes(readFileSync(0), '<stdin>', { carve: opts.carve }) : readEvtxFile(file, { carve: opts.carve });
    let summary: EvtxFileSummary | undefined;
    while (!out.closed) {
      const next: IteratorResult<EvtxItem, EvtxFileSummary> = items.next();
      if (next.done === true) {
        summary = next.value;
        break;
      }
      const item = next.value;
      if (item.ok) await out.write(formatRecord(item.record, opts.format));
      else if (item.diagnostic.severity === 'error' || opts.verbose) process.stderr.write(describe(item.diagnostic) + '\n');
    }
    if (summary === undefined) break; // the reader of our output went away
    perFile.push(summary);
    totals.files++;
    totals.records += summary.records;
    totals.recovered += summary.recovered;
    totals.errors += summary.errors;
    totals.warnings += summary.warnings;
    if (summary.records + summary.recovered === 0 && summary.errors > 0) totals.unreadable++;
  }
  if (opts.format === 'xml') await out.write('</Events>\n');
  await out.end();
  process.stderr.write(
    `dump: ${totals.files} files, ${totals.records} records, ${totals.recovered} recovered, ` +
      `${totals.errors} errors, ${totals.warnings} warnings${totals.unreadable > 0 ? `, ${totals.unreadable} unreadable` : ''}` +
      `${opts.verbose ? '' : totals.warnings > 0 ? ' (--verbose lists warnings)' : ''}\n`,
  );
  if (opts.stats !== undefined) {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(opts.stats, JSON.stringify({ totals, files: perFile }, null, 2) + '\n');
  }
  if (totals.files === 0 || totals.records + totals.recovered === 0) return 2;
  return 0;
}

export function registerDump(program: Command, setExit: (code: number) => void): void {
  program
    .command('dump')
    .description('print every record of EVTX files (files, directories, or - for stdin)')
    .argument('<paths...>', 'EVTX files or directories (searched recursively for *.evtx)')
    .option('-f, --format <format>', 'jsonl (evtx_dump-style JSON per line) or xml', 'jsonl')
    .option('--carve', 'also recover records from chunk slack space (marked recovered)', false)
    .option('-o, --output <file>', 'write records here instead of stdout')
    .option('-v, --verbose', 'list warnings too (checksums, stale headers), not only errors', false)
    .option('--stats <file>', 'write per-file counts as JSON')
    .action(async (paths: string[], raw: Record<string, unknown>) => {
      const format = raw['format'];
      if (format !== 'jsonl' && format !== 'xml') {
        process.stderr.write(`dump: unknown format ${safeText(String(format))} (jsonl or xml)\n`);
        setExit(2);
        return;
      }
      const opts: DumpOptions = { format, carve: raw['carve'] === true, verbose: raw['verbose'] === true };
      if (typeof raw['output'] === 'string') opts.output = raw['output'];
      if (typeof raw['stats'] === 'string') opts.stats = raw['stats'];
      setExit(await runDump(paths, opts));
    });
}
