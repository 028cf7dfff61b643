// Per-file comparison of our EVTX reader with libevtx's evtxexport over ../shared/data, as a
// table: the same comparison as test/evtx-differential.test.ts, for looking rather than asserting.
//
//   npm run build && node dist/scripts/evtx-diff-report.js [options] [path-filter …]
//
//   --examples N   print up to N differences for each file that has some (default 3)
//   --recovered    also compare records we carve from slack space (carve: true) with
//                  `evtxexport -m recovered` (their ids repeat; cut-off ones are not compared)
//   --problems     list only files with differences, missing records or fewer records
//   path-filter    only files whose path (relative to ../shared/data) contains one of these

import { readEvtxFile } from '../src/evtx/reader.js';
import type { ExportMode, ExportResult } from '../test/support/evtxexport.js';
import { exportWithLibevtx, hasEvtxexport } from '../test/support/evtxexport.js';
import type { FileComparison, OurRecord } from '../test/support/compare.js';
import { KNOWN_DIFFERENCES, compareFile, describeDifference, fromOurRecord } from '../test/support/compare.js';
import { hasSharedData, listEvtxFiles, relativeToSharedData, sharedDataDir } from '../test/support/shared-data.js';

interface Options {
  examples: number;
  recovered: boolean;
  problems: boolean;
  filters: string[];
}

function parseArgs(argv: readonly string[]): Options {
  const o: Options = { examples: 3, recovered: false, problems: false, filters: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--examples') o.examples = Number(argv[++i] ?? '3');
    else if (a === '--recovered') o.recovered = true;
    else if (a === '--problems') o.problems = true;
    else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: evtx-diff-report [--examples N] [--recovered] [--problems] [path-filter …]\n');
      process.exit(0);
    } else if (a.startsWith('--')) {
      process.stderr.write(`unknown option ${a}\n`);
      process.exit(2);
    } else o.filters.push(a);
  }
  if (!Number.isInteger(o.examples) || o.examples < 0) o.examples = 3;
  return o;
}

interface Row {
  file: string;
  exitCode: number;
  ours: number;
  errors: number;
  cmp: FileComparison;
}

function readOurs(file: string, carve: boolean): { live: OurRecord[]; recovered: OurRecord[]; errors: number } {
  const live: OurRecord[] = [];
  const recovered: OurRecord[] = [];
  let errors = 0;
  for (const item of readEvtxFile(file, { carve })) {
    if (item.ok) (item.record.origin.recovered ? recovered : live).push(fromOurRecord(item.record));
    else if (item.diagnostic.severity === 'error') errors++;
  }
  return { live, recovered, errors };
}

function table(title: string, rows: readonly Row[], opts: Options): void {
  const header = ['file', 'evtxexport', 'ours', 'agree', 'differ', 'only-ours', 'only-theirs'];
  const cells = rows.map((r) => [
    r.file,
    `${r.cmp.theirs}${r.exitCode !== 0 ? ` (exit ${r.exitCode})` : ''}${r.cmp.theirsTruncated > 0 ? ` +${r.cmp.theirsTruncated} cut` : ''}`,
    String(r.ours),
    String(r.cmp.agree) + (r.cmp.allowed > 0 ? ` (${r.cmp.allowed} allowed)` : ''),
    String(r.cmp.differ),
    String(r.cmp.onlyOurs),
    String(r.cmp.onlyTheirs),
  ]);
  const sum = (f: (r: Row) => number): number => rows.reduce((s, r) => s + f(r), 0);
  const totals = [
    `TOTAL (${rows.length} files)`,
    String(sum((r) => r.cmp.theirs)) + (sum((r) => r.cmp.theirsTruncated) > 0 ? ` +${sum((r) => r.cmp.theirsTruncated)} cut` : ''),
    String(sum((r) => r.ours)),
    String(sum((r) => r.cmp.agree)) + (sum((r) => r.cmp.allowed) > 0 ? ` (${sum((r) => r.cmp.allowed)} allowed)` : ''),
    String(sum((r) => r.cmp.differ)),
    String(sum((r) => r.cmp.onlyOurs)),
    String(sum((r) => r.cmp.onlyTheirs)),
  ];
  const shown = opts.problems ? cells.filter((_, i) => isProblem(rows[i]!)) : cells;
  const all = [header, ...shown, totals];
  const widths = header.map((_, c) => Math.max(...all.map((row) => row[c]!.length)));
  const fmt = (row: readonly string[]): string =>
    row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  process.stdout.write(`\n${title}\n${fmt(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const row of shown) process.stdout.write(fmt(row) + '\n');
  process.stdout.write(`${widths.map((w) => '-'.repeat(w)).join('  ')}\n${fmt(totals)}\n`);
  const allowed: Record<string, number> = {};
  for (const r of rows) for (const [id, n] of Object.entries(r.cmp.allowedBy)) allowed[id] = (allowed[id] ?? 0) + n;
  if (Object.keys(allowed).length > 0) process.stdout.write(`allowed differences by rule: ${JSON.stringify(allowed)}\n`);
  if (opts.examples > 0) {
    for (const r of rows) {
      if (r.cmp.examples.length === 0 && r.cmp.onlyTheirs === 0) continue;
      process.stdout.write(`\n${r.file}:\n`);
      for (const d of r.cmp.examples.slice(0, opts.examples)) process.stdout.write(`  ${describeDifference(d)}\n`);
      if (r.cmp.onlyTheirs > 0) process.stdout.write(`  only in evtxexport: ids ${r.cmp.onlyTheirsIds.join(', ')}\n`);
    }
  }
}

function isProblem(r: Row): boolean {
  return r.cmp.differ > 0 || r.cmp.onlyTheirs > 0 || r.ours < r.cmp.theirs;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  if (!hasSharedData()) {
    process.stderr.write(`../shared/data not found: expected ${sharedDataDir()}\n`);
    process.exit(2);
  }
  if (!hasEvtxexport()) {
    process.stderr.write('evtxexport not found: install the Debian package libevtx-utils\n');
    process.exit(2);
  }
  const dir = sharedDataDir();
  const files = listEvtxFiles(dir).filter((f) => {
    const rel = relativeToSharedData(f, dir);
    return opts.filters.length === 0 || opts.filters.some((s) => rel.includes(s));
  });
  const modes: ExportMode[] = opts.recovered ? ['items', 'recovered'] : ['items'];
  // evtxexport for the next file runs while we read this one; at most two processes at once.
  const pending = new Map<string, Promise<ExportResult>>();
  const prefetch = (i: number): void => {
    const file = files[i];
    if (file === undefined) return;
    for (const mode of modes) {
      const key = `${mode}:${i}`;
      if (pending.has(key)) continue;
      const p = exportWithLibevtx(file, mode);
      p.catch(() => undefined);
      pending.set(key, p);
    }
  };
  const take = async (i: number, mode: ExportMode): Promise<ExportResult> => {
    const key = `${mode}:${i}`;
    const p = pending.get(key)!;
    pending.delete(key);
    return p;
  };

  const live: Row[] = [];
  const carved: Row[] = [];
  const started = Date.now();
  let ourMs = 0;
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    const rel = relativeToSharedData(file, dir);
    prefetch(i);
    const items = await take(i, 'items');
    const recovered = opts.recovered ? await take(i, 'recovered') : null;
    prefetch(i + 1);
    const t0 = Date.now();
    const ours = readOurs(file, opts.recovered);
    ourMs += Date.now() - t0;
    const cmpOpts = { allow: KNOWN_DIFFERENCES, file: rel, maxExamples: Math.max(opts.examples, 10) };
    live.push({ file: rel, exitCode: items.exitCode, ours: ours.live.length, errors: ours.errors, cmp: compareFile(ours.live, items.records, cmpOpts) });
    if (recovered !== null) {
      carved.push({
        file: rel,
        exitCode: recovered.exitCode,
        ours: ours.recovered.length,
        errors: 0,
        cmp: compareFile(ours.recovered, recovered.records, cmpOpts),
      });
    }
  }
  table('Live records: our reader vs evtxexport -m items', live, opts);
  if (opts.recovered) table('Recovered records: our reader (carve) vs evtxexport -m recovered', carved, opts);
  process.stdout.write(`\n${files.length} files in ${((Date.now() - started) / 1000).toFixed(1)} s (our reader ${(ourMs / 1000).toFixed(1)} s)\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
