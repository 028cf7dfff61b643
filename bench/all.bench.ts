// The benchmark suite: one table, measured in one run on the same data, every measured program
// in its own process (pinned with taskset, peak RSS from GNU time):
//
//   - EVTX decode (MB/s, records/s) of our reader, 1 process and N processes over shares of the
//     chunk ranges, against libevtx's evtxexport (-f xml to /dev/null; 1 process, and N
//     processes over shares of the files) and python-evtx (on a subset of the corpus);
//   - `cmstp-hunt scan` events/s and MB/s with the built-in pack and with every SigmaHQ Windows
//     rule, 1 thread and N threads (`--threads`, when the CLI has it);
//   - peak RSS of the built-in scan at 100 MiB and 1 GiB of input;
//   - the four performance targets of issue 10, each PASS or FAIL.
//
// Data: ../shared/data/corpus and two generated sets (support/generate.ts; about 100 MiB and
// 1 GiB, written once into --data-dir and reused while their manifest matches).
//
//   npm run bench [-- --quick] [-- --data-dir DIR] [-- --threads N] [-- --skip-python]
//
// Progress goes to stderr, the table to stdout and, as JSON, to bench/results/bench-latest.json.
// Exits 2, loudly, when ../shared/data is missing.

import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultCorpusDir, isDirectory, listCorpus, pickSubset, projectRoot } from './support/corpus.js';
import type { CorpusFile } from './support/corpus.js';
import { DEFAULT_SEED, SETS, defaultDataDir, describeMix, ensureSet } from './support/generate.js';
import type { EnsureResult } from './support/generate.js';
import { runJobs } from './support/jobs.js';
import type { Job, JobsResult } from './support/jobs.js';
import { describeMachine, findPythonEvtx } from './support/machine.js';
import { cleanupScratch, describeFailure, findTools, scratchFile, which } from './support/proc.js';
import type { RunResult, Tools } from './support/proc.js';
import type { WorkerResult } from './support/protocol.js';
import type { ListItem } from './support/worker.js';
import { MB, median, mib, ratio, renderTable, sig, thousands } from './support/stats.js';

const SLOW_RUN_MS = 30_000;
const TIMEOUT_MS = 30 * 60_000;
const PART_SLOTS = 128; // 8 MiB of chunks: the unit of work of the parallel decode
const SUBSET_FILES = 10;
const SUBSET_MIN_RECORDS = 100;
const TARGETS = { scanMBps: 150, speedup: 1.7, rssBytes: 300e6, decodeRatio: 20 } as const;

interface Args {
  quick: boolean;
  dataDir: string;
  threads: number;
  skipPython: boolean;
  seed: string;
}

function usage(message?: string): never {
  if (message !== undefined) process.stderr.write(`bench: ${message}\n`);
  process.stderr.write('usage: npm run bench [-- --quick] [-- --data-dir DIR] [-- --threads N] [-- --skip-python] [-- --seed S]\n');
  process.exit(2);
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { quick: false, dataDir: defaultDataDir(), threads: os.availableParallelism(), skipPython: false, seed: DEFAULT_SEED };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === '--quick') args.quick = true;
    else if (a === '--skip-python') args.skipPython = true;
    else if (a === '--data-dir' && v !== undefined) {
      args.dataDir = path.resolve(v);
      i++;
    } else if (a === '--seed' && v !== undefined) {
      args.seed = v;
      i++;
    } else if (a === '--threads' && v !== undefined) {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 2 || n > 256) usage('--threads must be an integer from 2 to 256 (the 1-thread rows always run)');
      args.threads = n;
      i++;
    } else usage(`unknown argument ${String(a)}`);
  }
  return args;
}

const progress = (text: string): void => {
  process.stderr.write(`[bench] ${text}\n`);
};

function fail(text: string): never {
  process.stderr.write(`\n[bench] ERROR: ${text}\n`);
  cleanupScratch();
  process.exit(1);
}

function missingData(what: string, p: string): never {
  const bar = '!'.repeat(78);
  process.stderr.write(
    `\n${bar}\n!! ${what} NOT FOUND: ${p}\n!! The benchmark needs ../shared/data (the EVTX corpus) and ../shared/conformance (SigmaHQ rules)\n` +
      `!! beside the project (${projectRoot()}). Nothing was measured.\n${bar}\n\n`,
  );
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// Data sets

interface DataSet {
  label: string;
  dir: string;
  files: CorpusFile[];
  bytes: number;
}

function dataSet(label: string, dir: string): DataSet {
  const files = listCorpus(dir);
  return { label, dir, files, bytes: files.reduce((s, f) => s + f.bytes, 0) };
}

/** Splits files into `n` shares of about equal bytes; big files are cut into chunk-slot parts. */
function splitParts(files: readonly CorpusFile[], n: number): ListItem[][] {
  const items: Array<{ item: ListItem; bytes: number }> = [];
  for (const f of files) {
    const slots = Math.ceil(Math.max(0, f.bytes - 4096) / 0x10000);
    if (slots <= PART_SLOTS) {
      items.push({ item: f.file, bytes: f.bytes });
      continue;
    }
    for (let first = 0; first < slots; first += PART_SLOTS) {
      const count = Math.min(PART_SLOTS, slots - first);
      items.push({ item: { file: f.file, first, count }, bytes: count * 0x10000 });
    }
  }
  return balance(items, n);
}

/** Whole files into `n` shares of about equal bytes (for programs that cannot read a part). */
function splitFiles(files: readonly CorpusFile[], n: number): string[][] {
  return balance(
    files.map((f) => ({ item: f.file, bytes: f.bytes })),
    n,
  );
}

/** Greedy: biggest item first, into the lightest share; each share keeps its items in input order. */
function balance<T>(items: ReadonlyArray<{ item: T; bytes: number }>, n: number): T[][] {
  const order = items.map((x, i) => ({ ...x, i })).sort((a, b) => b.bytes - a.bytes || a.i - b.i);
  const shares = Array.from({ length: n }, () => ({ bytes: 0, members: [] as Array<{ item: T; i: number }> }));
  for (const x of order) {
    const lightest = shares.reduce((m, s) => (s.bytes < m.bytes ? s : m), shares[0]!);
    lightest.bytes += x.bytes;
    lightest.members.push(x);
  }
  return shares.filter((s) => s.members.length > 0).map((s) => s.members.sort((a, b) => a.i - b.i).map((m) => m.item));
}

// ---------------------------------------------------------------------------------------------
// Rows

type Section = 'decode' | 'scan';

interface Row {
  section: Section;
  program: string;
  data: string;
  threads: string;
  bytes: number;
  /** Records (decode) or events (scan) per run. */
  records: number | null;
  /** Wall seconds of each run; null when the row was not measured. */
  seconds: number[] | null;
  medianS: number | null;
  /** CPU seconds (user + system, summed over the processes) of the median run, from GNU time. */
  cpuS: number | null;
  mbPerS: number | null;
  perS: number | null;
  /** scan only: events per second of scan time proper (the summary's elapsedMs). */
  scanPerS: number | null;
  vsEvtxexport: number | null;
  /** The same ratio by CPU time: less disturbed by other load on a shared machine. */
  vsEvtxexportCpu: number | null;
  peakRssKiB: number | null;
  findings: number | null;
  /** Why the row holds no numbers, or a short qualifier. */
  note: string;
}

function row(section: Section, program: string, data: string, threads: string, bytes: number, runs: readonly JobsResult[], records: number | null, extra: Partial<Row> = {}): Row {
  const seconds = wall(runs);
  const m = median(seconds);
  const cpu = runs.map((r) => r.results.reduce((s: number | null, p) => (s === null || p.cpuS === null ? null : s + p.cpuS), 0));
  return {
    section,
    program,
    data,
    threads,
    bytes,
    records,
    seconds,
    medianS: m,
    cpuS: cpu.some((c) => c === null) ? null : median(cpu as number[]),
    mbPerS: bytes / MB / m,
    perS: records === null ? null : records / m,
    scanPerS: null,
    vsEvtxexport: null,
    vsEvtxexportCpu: null,
    peakRssKiB: peakRss(runs),
    findings: null,
    note: '',
    ...extra,
  };
}

function naRow(section: Section, program: string, data: string, threads: string, bytes: number, note: string): Row {
  return { section, program, data, threads, bytes, records: null, seconds: null, medianS: null, cpuS: null, mbPerS: null, perS: null, scanPerS: null, vsEvtxexport: null, vsEvtxexportCpu: null, peakRssKiB: null, findings: null, note };
}

/** Sets `a`'s ratios against the evtxexport row `e` (same files). */
function compare(a: Row, e: Row): void {
  if (a.mbPerS !== null && e.mbPerS !== null) a.vsEvtxexport = a.mbPerS / e.mbPerS;
  if (a.cpuS !== null && e.cpuS !== null && a.cpuS > 0) a.vsEvtxexportCpu = e.cpuS / a.cpuS;
}

/** Runs the jobs `reps` times (once when the first run is slow) and checks every process. */
async function measure(tools: Tools, what: string, reps: number, makeJobs: () => Job[]): Promise<JobsResult[]> {
  const runs: JobsResult[] = [];
  for (let i = 0; i < reps; i++) {
    const r = await runJobs(tools, makeJobs(), TIMEOUT_MS);
    for (const p of r.results) if (p.status !== 0 || p.error !== null) fail(describeFailure(what, p));
    runs.push(r);
    progress(`  ${what}: run ${i + 1}: ${(r.wallMs / 1000).toFixed(2)} s`);
    if (i === 0 && r.wallMs > SLOW_RUN_MS && reps > 1) {
      progress(`  ${what}: slower than ${SLOW_RUN_MS / 1000} s, measured once`);
      break;
    }
  }
  return runs;
}

const wall = (runs: readonly JobsResult[]): number[] => runs.map((r) => r.wallMs / 1000);

/** Peak RSS of a run: the sum over its processes (they run at the same time), the largest run. */
function peakRss(runs: readonly JobsResult[]): number | null {
  let peak: number | null = null;
  for (const r of runs) {
    const xs = r.results.map((p) => p.maxRssKiB);
    if (xs.some((x) => x === null)) return null;
    const sum = xs.reduce((s: number, x) => s + x!, 0);
    peak = peak === null ? sum : Math.max(peak, sum);
  }
  return peak;
}

const workerPath = fileURLToPath(new URL('./support/worker.js', import.meta.url));

function workerJob(list: readonly ListItem[], core: string): Job {
  const file = scratchFile(`list-${process.hrtime.bigint()}.json`);
  writeFileSync(file, JSON.stringify(list));
  return { cmd: process.execPath, args: [workerPath, '--mode', 'decode', '--list', file, '--warmup', '0', '--runs', '1'], cores: core, stdout: 'pipe' };
}

function parseWorker(r: RunResult): WorkerResult {
  try {
    return JSON.parse(r.stdout) as WorkerResult;
  } catch {
    return fail(`decode worker printed no result: ${r.stdout.slice(0, 200)}`);
  }
}

// One process per file, as a user runs it; /bin/sh only loops (its children inherit the pinning).
const EVTXEXPORT_LOOP = 'for f in "$@"; do "$0" -f xml "$f" || echo "evtxexport failed: $f" >&2; done';

const PYTHON_SCRIPT = `
import json, sys
import Evtx.Evtx as evtx
records = 0
failed = []
for path in sys.argv[1:]:
    try:
        with evtx.Evtx(path) as log:
            for record in log.records():
                record.xml()
                records += 1
    except Exception as e:
        failed.append("%s: %s" % (path, e))
print(json.dumps({"records": records, "failed": failed}))
`;

interface Scan {
  events: number;
  elapsedMs: number;
  findings: number;
}

function readStats(file: string): Scan {
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as Partial<Scan>;
    if (typeof s.events !== 'number' || typeof s.elapsedMs !== 'number' || typeof s.findings !== 'number') throw new Error('missing fields');
    return { events: s.events, elapsedMs: s.elapsedMs, findings: s.findings };
  } catch (e) {
    return fail(`scan --stats ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Output

function tableText(rows: readonly Row[]): string {
  const head = ['What', 'Program', 'Data', 'Threads', 'Runs', 'MB', 'Records/events', 'Wall s', 'CPU s', 'MB/s', 'Records/s', 'vs evtxexport', '(by CPU)', 'Peak RSS', 'Findings'];
  const body = rows.map((r) => [
    r.section,
    r.program,
    r.data,
    r.threads,
    r.seconds === null ? '—' : String(r.seconds.length),
    (r.bytes / MB).toFixed(0),
    thousands(r.records),
    r.medianS === null ? r.note : r.medianS.toFixed(2),
    r.cpuS === null ? '—' : r.cpuS.toFixed(2),
    sig(r.mbPerS),
    thousands(r.perS),
    ratio(r.vsEvtxexport),
    ratio(r.vsEvtxexportCpu),
    mib(r.peakRssKiB),
    r.findings === null ? '' : thousands(r.findings),
  ]);
  return renderTable(head, body, new Set([4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]));
}

interface Target {
  name: string;
  goal: string;
  measured: string;
  basis: string;
  status: 'PASS' | 'FAIL' | 'N/A';
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const root = projectRoot();
  const corpusDir = defaultCorpusDir();
  const sharedData = path.dirname(corpusDir);
  if (!isDirectory(sharedData)) missingData('../shared/data', sharedData);
  if (!isDirectory(corpusDir)) missingData('EVTX corpus', corpusDir);
  const sigmaDir = path.resolve(root, '..', 'shared', 'conformance', 'sigmahq', 'rules', 'windows');
  if (!isDirectory(sigmaDir)) missingData('SigmaHQ Windows rules', sigmaDir);
  const placeholders = path.join(root, 'config', 'placeholders.example.yml');
  const cli = path.join(root, 'dist', 'src', 'cli', 'main.js');
  const started = performance.now();
  const N = args.threads;
  const reps = args.quick ? 1 : 3;

  const tools = findTools();
  const python = args.skipPython ? null : findPythonEvtx();
  const machine = describeMachine(tools, python);
  const evtxexport = which('evtxexport');
  const help = spawnSync(process.execPath, [cli, 'scan', '--help'], { encoding: 'utf8' });
  if (help.status !== 0) fail(`cmstp-hunt scan --help failed: ${help.stderr.slice(0, 300)}`);
  const cliThreads = help.stdout.includes('--threads');
  progress(`machine: ${machine.cores} CPUs (${machine.usableCores} usable); N = ${N}; scan --threads ${cliThreads ? 'supported' : 'NOT supported by this CLI: N-thread scan rows are n/a'}`);

  // Data: the corpus and the generated sets (generated once, then reused).
  const corpus = dataSet('corpus', corpusDir);
  if (corpus.files.length === 0) missingData('EVTX files in the corpus', corpusDir);
  const generation: Array<{ name: string; result: EnsureResult }> = [];
  const setNames = args.quick ? (['100MB'] as const) : (['100MB', '1GB'] as const);
  for (const name of setNames) {
    const r = await ensureSet(path.join(args.dataDir, `set-${name}`), SETS[name], args.seed, os.availableParallelism(), progress);
    progress(`set ${name}: ${r.generated ? `generated in ${r.manifest.generationS.toFixed(1)} s` : `reused (generated earlier in ${r.manifest.generationS.toFixed(1)} s)`}, ${r.dir}`);
    generation.push({ name, result: r });
  }
  const set100 = dataSet('100 MiB set', path.join(args.dataDir, 'set-100MB'));
  const set1g = args.quick ? null : dataSet('1 GiB set', path.join(args.dataDir, 'set-1GB'));
  const big = set1g ?? set100;

  const rows: Row[] = [];
  const warnings: string[] = [];
  const allCores = `0-${N - 1}`;

  // 1. Decode.
  const decodeSets = [corpus, big];
  let corpusPerFile: WorkerResult['perFile'] = [];
  for (const d of decodeSets) {
    const one = await measure(tools, `our decode, 1 process, ${d.label}`, reps, () => [workerJob(d.files.map((f) => f.file), '0')]);
    const w1 = parseWorker(one[0]!.results[0]!);
    if (d === corpus) corpusPerFile = w1.perFile;
    if (w1.errors > 0) warnings.push(`our decoder reported ${w1.errors} record errors on the ${d.label}`);
    const ours1 = row('decode', 'cmstp-hunt reader', d.label, '1', d.bytes, one, w1.records);
    rows.push(ours1);

    const shares = splitParts(d.files, N);
    const many = await measure(tools, `our decode, ${shares.length} processes, ${d.label}`, reps, () => shares.map((s, i) => workerJob(s, String(i % os.availableParallelism()))));
    const recordsN = many[0]!.results.map(parseWorker).reduce((s, w) => s + w.records, 0);
    if (recordsN !== w1.records) warnings.push(`parallel decode of the ${d.label} found ${recordsN} records, one process ${w1.records}`);
    const oursN = row('decode', 'cmstp-hunt reader', d.label, `${shares.length} (processes)`, d.bytes, many, recordsN);
    rows.push(oursN);

    if (evtxexport === null) {
      rows.push(naRow('decode', 'evtxexport -f xml', d.label, '1', d.bytes, 'not installed'));
      continue;
    }
    const ex1 = await measure(tools, `evtxexport, 1 process, ${d.label}`, reps, () => [{ cmd: '/bin/sh', args: ['-c', EVTXEXPORT_LOOP, evtxexport, ...d.files.map((f) => f.file)], cores: '0', stdout: 'null' }]);
    const failures = (ex1[0]!.results[0]!.stderr.match(/^evtxexport failed: /gm) ?? []).length;
    if (failures > 0) warnings.push(`evtxexport failed on ${failures} file(s) of the ${d.label}; their time still counts`);
    const e1 = row('decode', 'evtxexport -f xml', d.label, '1', d.bytes, ex1, w1.records, { note: 'records: our count' });
    rows.push(e1);
    compare(ours1, e1);
    compare(e1, e1);
    if (d.bytes > 500e6) {
      // evtxexport is single-threaded; its N-process row on the big set would cost another
      // quarter of an hour and show what the corpus row shows. Our N-thread row is compared
      // with its one process.
      compare(oursN, e1);
      continue;
    }
    const fileShares = splitFiles(d.files, N);
    const exN = await measure(tools, `evtxexport, ${fileShares.length} processes, ${d.label}`, reps, () =>
      fileShares.map((s, i) => ({ cmd: '/bin/sh', args: ['-c', EVTXEXPORT_LOOP, evtxexport, ...s], cores: String(i % os.availableParallelism()), stdout: 'null' as const })),
    );
    const eN = row('decode', 'evtxexport -f xml', d.label, `${fileShares.length} (processes)`, d.bytes, exN, w1.records);
    rows.push(eN);
    compare(oursN, eN);
    compare(eN, eN);
  }

  // python-evtx: a subset of the corpus, with ours and evtxexport on the same files.
  const subset = pickSubset(corpusPerFile, SUBSET_FILES, SUBSET_MIN_RECORDS);
  const subsetBytes = subset.reduce((s, f) => s + f.bytes, 0);
  const subsetRecords = subset.reduce((s, f) => s + f.records, 0);
  const subsetLabel = `corpus subset (${subset.length} files)`;
  if (python === null) {
    rows.push(naRow('decode', 'python-evtx', subsetLabel, '1', subsetBytes, args.skipPython ? 'skipped (--skip-python)' : 'not installed'));
  } else if (subset.length > 0) {
    const files = subset.map((f) => f.file);
    let ex: Row | null = null;
    if (evtxexport !== null) {
      const sEx = await measure(tools, 'evtxexport, corpus subset', reps, () => [{ cmd: '/bin/sh', args: ['-c', EVTXEXPORT_LOOP, evtxexport, ...files], cores: '0', stdout: 'null' }]);
      ex = row('decode', 'evtxexport -f xml', subsetLabel, '1', subsetBytes, sEx, subsetRecords);
      compare(ex, ex);
      rows.push(ex);
    }
    progress(`python-evtx: ${subset.length} files, ${(subsetBytes / MB).toFixed(1)} MB, once`);
    const py = await measure(tools, 'python-evtx, corpus subset', 1, () => [{ cmd: python, args: ['-c', PYTHON_SCRIPT, ...files], cores: '0', stdout: 'pipe' }]);
    const pyOut = JSON.parse(py[0]!.results[0]!.stdout) as { records: number; failed: string[] };
    if (pyOut.failed.length > 0) warnings.push(`python-evtx failed on ${pyOut.failed.length} file(s): ${pyOut.failed.join('; ').slice(0, 300)}`);
    const pyRow = row('decode', 'python-evtx', subsetLabel, '1', subsetBytes, py, pyOut.records);
    rows.push(pyRow);
    if (ex !== null) compare(pyRow, ex);
  }

  // 2. Scan.
  const scanRuns: Array<{ rules: 'built-in pack' | 'SigmaHQ windows'; sets: DataSet[] }> = [
    { rules: 'built-in pack', sets: [corpus, set100, ...(set1g === null ? [] : [set1g])] },
    { rules: 'SigmaHQ windows', sets: [corpus, set100] },
  ];
  const scanRows = new Map<string, Row>();
  for (const { rules, sets } of scanRuns) {
    for (const d of sets) {
      for (const t of [1, N]) {
        const label = `cmstp-hunt scan (${rules})`;
        const threads = t === 1 ? '1' : String(t);
        if (t > 1 && !cliThreads) {
          rows.push(naRow('scan', label, d.label, threads, d.bytes, 'n/a (no --threads)'));
          continue;
        }
        const stats: string[] = [];
        const runs = await measure(tools, `scan, ${rules}, ${t} thread(s), ${d.label}`, reps, () => {
          const statsFile = scratchFile(`stats-${stats.length}-${process.hrtime.bigint()}.json`);
          stats.push(statsFile);
          const a = [cli, 'scan', d.dir, '--format', 'jsonl', '-q', '--stats', statsFile];
          if (rules === 'SigmaHQ windows') a.push('--rules', sigmaDir, '--no-builtin', '--placeholders', placeholders);
          if (cliThreads) a.push('--threads', String(t));
          return [{ cmd: process.execPath, args: a, cores: t === 1 ? '0' : allCores, stdout: 'null' }];
        });
        const s = stats.map(readStats);
        const first = s[0]!;
        if (s.some((x) => x.events !== first.events || x.findings !== first.findings)) warnings.push(`${label} on the ${d.label}: events or findings differ between runs`);
        const r = row('scan', label, d.label, threads, d.bytes, runs, first.events, {
          findings: first.findings,
          scanPerS: first.events / (median(s.map((x) => x.elapsedMs)) / 1000),
        });
        rows.push(r);
        scanRows.set(`${rules}|${d.label}|${t}`, r);
      }
    }
  }
  for (const rules of ['built-in pack', 'SigmaHQ windows']) {
    for (const d of [corpus, set100, ...(set1g === null ? [] : [set1g])]) {
      const a = scanRows.get(`${rules}|${d.label}|1`);
      const b = scanRows.get(`${rules}|${d.label}|${N}`);
      if (a !== undefined && b !== undefined && a.findings !== b.findings) warnings.push(`${rules} on the ${d.label}: ${a.findings} findings with 1 thread, ${b.findings} with ${N}`);
    }
  }

  // 3. Targets.
  const targets: Target[] = [];
  const bigScan1 = scanRows.get(`built-in pack|${big.label}|1`);
  const bigScanN = scanRows.get(`built-in pack|${big.label}|${N}`);
  const bestScan = bigScanN ?? bigScan1;
  targets.push({
    name: 'scan throughput (built-in pack)',
    goal: `≥ ${TARGETS.scanMBps} MB/s`,
    measured: `${sig(bestScan?.mbPerS)} MB/s (per CPU-second: ${sig(bestScan?.cpuS == null ? null : bestScan.bytes / MB / bestScan.cpuS)} MB)`,
    basis: `${big.label}, ${bigScanN === undefined ? '1 thread (no --threads)' : `${N} threads`}, wall time`,
    status: bestScan?.mbPerS == null ? 'N/A' : bestScan.mbPerS >= TARGETS.scanMBps ? 'PASS' : 'FAIL',
  });
  const speedup = bigScan1?.mbPerS != null && bigScanN?.mbPerS != null ? bigScanN.mbPerS / bigScan1.mbPerS : null;
  targets.push({
    name: `all-cores speed-up (${N} cores)`,
    goal: `≥ ${TARGETS.speedup}×`,
    measured: speedup === null ? 'n/a (no --threads)' : `${sig(speedup)}×`,
    basis: `built-in scan, ${big.label}, ${N} threads vs 1 thread pinned to one core`,
    status: speedup === null ? 'N/A' : speedup >= TARGETS.speedup ? 'PASS' : 'FAIL',
  });
  const rss1g = set1g === null ? [] : [scanRows.get(`built-in pack|${set1g.label}|1`), scanRows.get(`built-in pack|${set1g.label}|${N}`)].filter((r): r is Row => r !== undefined && r.peakRssKiB !== null);
  const rssMax = rss1g.length === 0 ? null : Math.max(...rss1g.map((r) => r.peakRssKiB!));
  targets.push({
    name: 'peak RSS at 1 GiB of input',
    goal: `< ${TARGETS.rssBytes / 1e6} MB`,
    measured: rssMax === null ? (set1g === null ? 'not measured (--quick)' : 'no GNU time') : `${((rssMax * 1024) / 1e6).toFixed(0)} MB (${mib(rssMax)})`,
    basis: `built-in scan, largest of ${rss1g.map((r) => `${r.threads} thread${r.threads === '1' ? '' : 's'}`).join(' and ') || '—'}`,
    status: rssMax === null ? 'N/A' : rssMax * 1024 < TARGETS.rssBytes ? 'PASS' : 'FAIL',
  });
  const decBig = rows.find((r) => r.section === 'decode' && r.program === 'cmstp-hunt reader' && r.data === big.label && r.threads === '1');
  const decCorpus = rows.find((r) => r.section === 'decode' && r.program === 'cmstp-hunt reader' && r.data === corpus.label && r.threads === '1');
  targets.push({
    name: 'decode vs evtxexport',
    goal: `≥ ${TARGETS.decodeRatio}×`,
    measured: decBig?.vsEvtxexport == null ? 'n/a' : `${sig(decBig.vsEvtxexport)}× (by CPU ${ratio(decBig.vsEvtxexportCpu)}; corpus ${ratio(decCorpus?.vsEvtxexport)}, by CPU ${ratio(decCorpus?.vsEvtxexportCpu)})`,
    basis: `${big.label}, 1 process each, wall-time MB/s`,
    status: decBig?.vsEvtxexport == null ? 'N/A' : decBig.vsEvtxexport >= TARGETS.decodeRatio ? 'PASS' : 'FAIL',
  });

  // 4. Print.
  const totalS = (performance.now() - started) / 1000;
  const gen = generation.map(({ name, result }) => `${name}: ${result.generated ? `generated now in ${result.manifest.generationS.toFixed(1)} s` : `reused (generated in ${result.manifest.generationS.toFixed(1)} s on ${result.manifest.generatedAt})`}`);
  const m = machine;
  const out: string[] = [
    'cmstp-hunt benchmark',
    `Machine   ${m.cpuModel}${m.cpuMHz === null ? '' : ` @ ${m.cpuMHz.toFixed(0)} MHz`}, ${m.cores} logical CPUs (${m.usableCores} usable), ${m.memoryGiB.toFixed(1)} GiB RAM, ${m.kernel}; load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} at the end`,
    `Software  Node ${m.node}; ${m.evtxexport ?? 'evtxexport: not installed'}; ${m.pythonEvtx === null ? (args.skipPython ? 'python-evtx: skipped' : 'python-evtx: not installed') : `${m.pythonEvtx} on ${m.python ?? 'python3'}`}`,
    `Data      corpus ${corpusDir}: ${corpus.files.length} files, ${(corpus.bytes / MB).toFixed(1)} MB`,
    ...[set100, ...(set1g === null ? [] : [set1g])].map((d, i) => `          ${d.label} ${d.dir}: ${d.files.length} files, ${(d.bytes / MB).toFixed(1)} MB (seed ${JSON.stringify(args.seed)}; ${gen[i] ?? ''})`),
    ...describeMix(generation[generation.length - 1]!.result.manifest).map((l) => `            ${l}`),
    `Method    each program in its own process; "1" rows pinned to core 0 (taskset -c 0), N rows to cores ${allCores}; wall time of the process(es), start-up included;`,
    `          median of ${reps} run(s) (a row slower than ${SLOW_RUN_MS / 1000} s runs once); MB = 10^6 bytes of EVTX input; peak RSS by GNU time %M (summed over parallel processes);
          CPU s = user + system seconds by GNU time (summed over processes): on a busy machine the CPU-time ratio is the steadier one.`,
    `          decode "N (processes)": our reader in N processes over ~equal shares of 8 MiB chunk ranges (readEvtxFile slots); evtxexport in N processes over ~equal shares of whole files.`,
    `          evtxexport runs -f xml (one process per file, output to /dev/null) and its records/s uses our record count; our decode row decodes every record without rendering.`,
    `          python-evtx (record.xml() for every record) runs once on the ${subset.length} smallest corpus files with ≥ ${SUBSET_MIN_RECORDS} records; its ratio is against evtxexport on the same files.`,
    `          scan: node dist/src/cli/main.js scan <dir> --format jsonl -q --stats F > /dev/null${cliThreads ? ' --threads 1|N' : ' (this CLI has no --threads: N-thread rows are n/a)'}; SigmaHQ adds --rules ${path.relative(root, sigmaDir)} --no-builtin --placeholders config/placeholders.example.yml;`,
    `          SigmaHQ runs on the corpus and the 100 MiB set only (on 1 GiB it would take minutes per run). Events/s of scan time proper (elapsedMs) is in the JSON.`,
    `          The machine is shared (other jobs ran during this run), so expect ±20% between runs.`,
    '',
    tableText(rows),
    '',
    'Targets (issue 10)',
    renderTable(
      ['Target', 'Goal', 'Measured', 'On', 'Status'],
      targets.map((t) => [t.name, t.goal, t.measured, t.basis, t.status]),
      new Set<number>(),
    ),
  ];
  for (const w of warnings) out.push(`Warning   ${w}`);
  if (machine.taskset === null) out.push('Warning   taskset not found: nothing was pinned');
  out.push(`Elapsed   ${totalS.toFixed(0)} s`);
  process.stdout.write(out.join('\n') + '\n');

  const resultsDir = path.join(root, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const json = {
    benchmark: 'all',
    generatedAt: new Date().toISOString(),
    elapsedS: totalS,
    machine,
    loadAverage: os.loadavg(),
    args,
    cliThreads,
    data: {
      corpus: { dir: corpusDir, files: corpus.files.length, bytes: corpus.bytes },
      sets: generation.map(({ name, result }) => ({ name, dir: result.dir, generatedNow: result.generated, manifest: { ...result.manifest, files: result.manifest.files.length } })),
    },
    subset: subset.map((f) => ({ ...f, file: path.relative(corpusDir, f.file) })),
    rows,
    targets,
    warnings,
  };
  const jsonPath = path.join(resultsDir, 'bench-latest.json');
  writeFileSync(jsonPath, JSON.stringify(json, null, 2) + '\n');
  progress(`results written to ${path.relative(process.cwd(), jsonPath) || jsonPath}`);
  cleanupScratch();
}

main().catch((e: unknown) => fail(e instanceof Error ? (e.stack ?? e.message) : String(e)));
