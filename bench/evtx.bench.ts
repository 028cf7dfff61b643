// EVTX decoding benchmark: our reader against libevtx's evtxexport (and python-evtx on a subset)
// over the shared corpus, every measured program in its own process pinned to one core.
//
//   npm run bench:evtx [-- --corpus DIR] [-- --runs N]
//
// Prints one table (and progress on stderr), and writes it as JSON to bench/results/evtx-latest.json.
// Exits 2, loudly, when the corpus is missing.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultCorpusDir, isDirectory, listCorpus, pickSubset, projectRoot } from './support/corpus.js';
import { describeMachine, findPythonEvtx } from './support/machine.js';
import type { Machine } from './support/machine.js';
import { cleanupScratch, describeFailure, findTools, runMeasured, scratchFile, which } from './support/proc.js';
import type { RunResult, Tools } from './support/proc.js';
import type { WorkerFile, WorkerMode, WorkerResult } from './support/protocol.js';
import { MB, best, fixed, median, mib, ratio, renderTable, sig, thousands } from './support/stats.js';

const TARGET_RATIO = 20;
const WARMUP = 1;
/** Repeats of the in-process passes and of the external programs. */
const DEFAULT_RUNS = 5;
const EXTERNAL_RUNS = 3;
/** An external program slower than this is run once only. */
const SLOW_RUN_MS = 30_000;
const EXTERNAL_TIMEOUT_MS = 180_000;
const SUBSET_FILES = 10;
const SUBSET_MIN_RECORDS = 100;

interface Args {
  corpus: string;
  runs: number;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { corpus: defaultCorpusDir(), runs: DEFAULT_RUNS };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--corpus' && argv[i + 1] !== undefined) args.corpus = path.resolve(argv[++i]!);
    else if (a === '--runs' && argv[i + 1] !== undefined) args.runs = Number(argv[++i]);
    else {
      process.stderr.write(`usage: node dist/bench/evtx.bench.js [--corpus DIR] [--runs N]\n`);
      process.exit(2);
    }
  }
  if (!Number.isInteger(args.runs) || args.runs < 1) {
    process.stderr.write('--runs must be a positive integer\n');
    process.exit(2);
  }
  return args;
}

function progress(text: string): void {
  process.stderr.write(`[bench] ${text}\n`);
}

function fail(text: string): never {
  process.stderr.write(`\n[bench] ERROR: ${text}\n`);
  cleanupScratch();
  process.exit(1);
}

/** One line of the table (and of the JSON). Times are seconds. */
interface Row {
  phase: string;
  scope: string;
  runs: number;
  /** How the runs were taken, e.g. `3×5` for 3 processes of 5 passes. */
  runsLabel: string;
  files: number;
  bytes: number;
  records: number | null;
  seconds: number[];
  medianS: number;
  bestS: number;
  recordsPerS: number | null;
  mbPerS: number;
  mbPerSBest: number;
  /** MB/s of this row over evtxexport's MB/s on the same files. */
  vsEvtxexport: number | null;
  peakRssKiB: number | null;
  /** Rendered output per pass, when known. */
  outBytes: number | null;
  estimated: boolean;
}

function makeRow(
  phase: string,
  scope: string,
  files: number,
  bytes: number,
  records: number | null,
  seconds: readonly number[],
  peakRssKiB: number | null,
  outBytes: number | null = null,
): Row {
  const medianS = median(seconds);
  const bestS = best(seconds);
  return {
    phase,
    scope,
    runs: seconds.length,
    runsLabel: String(seconds.length),
    files,
    bytes,
    records,
    seconds: [...seconds],
    medianS,
    bestS,
    recordsPerS: records === null ? null : records / medianS,
    mbPerS: bytes / MB / medianS,
    mbPerSBest: bytes / MB / bestS,
    vsEvtxexport: null,
    peakRssKiB,
    outBytes,
    estimated: false,
  };
}

// ---------------------------------------------------------------------------------------------
// Our reader, in a child process

const workerPath = fileURLToPath(new URL('./support/worker.js', import.meta.url));

function runWorker(tools: Tools, mode: WorkerMode, listFile: string, warmup: number, runs: number): WorkerResult {
  const r = runMeasured(tools, process.execPath, [workerPath, '--mode', mode, '--list', listFile, '--warmup', String(warmup), '--runs', String(runs)], {
    stdout: 'pipe',
    rss: false,
  });
  if (r.status !== 0) fail(describeFailure(`worker --mode ${mode}`, r));
  try {
    return JSON.parse(r.stdout) as WorkerResult;
  } catch {
    return fail(`worker --mode ${mode} printed no result: ${r.stdout.slice(0, 200)}`);
  }
}

function workerRow(phase: string, scope: string, w: WorkerResult): Row {
  return makeRow(
    phase,
    scope,
    w.files,
    w.bytes,
    w.records,
    w.passMs.map((ms) => ms / 1000),
    w.maxRssKiB,
    w.mode === 'decode' ? null : w.outBytes,
  );
}

// ---------------------------------------------------------------------------------------------
// External programs

/** Runs `run` up to `runs` times, once only if the first run is slower than SLOW_RUN_MS. */
function repeat(what: string, runs: number, run: () => RunResult, ok: (r: RunResult) => boolean): RunResult[] {
  const results: RunResult[] = [];
  for (let i = 0; i < runs; i++) {
    const r = run();
    if (!ok(r)) fail(describeFailure(what, r));
    results.push(r);
    progress(`  ${what}: run ${i + 1}: ${(r.wallMs / 1000).toFixed(2)} s`);
    if (i === 0 && r.wallMs > SLOW_RUN_MS) {
      progress(`  ${what}: slower than ${SLOW_RUN_MS / 1000} s, measured once`);
      break;
    }
  }
  return results;
}

function peakOf(results: readonly RunResult[]): number | null {
  const xs = results.map((r) => r.maxRssKiB).filter((x): x is number => x !== null);
  return xs.length === 0 ? null : Math.max(...xs);
}

// One process per file, as a user runs it; /bin/sh only loops (its children inherit the pinning).
// The script's $0 is the evtxexport path.
const EVTXEXPORT_LOOP = 'for f in "$@"; do "$0" -f xml "$f" || echo "evtxexport failed: $f" >&2; done';

function evtxexportOnce(tools: Tools, evtxexport: string, files: readonly string[]): RunResult {
  return runMeasured(tools, '/bin/sh', ['-c', EVTXEXPORT_LOOP, evtxexport, ...files], { stdout: 'null', rss: true, timeoutMs: EXTERNAL_TIMEOUT_MS });
}

const evtxexportOk = (r: RunResult): boolean => r.status === 0 && r.error === null;

function evtxexportFailures(r: RunResult | undefined): number {
  return (r?.stderr.match(/^evtxexport failed: /gm) ?? []).length;
}

const PYTHON_SCRIPT = `
import json, sys
import Evtx.Evtx as evtx
records = 0
chars = 0
failed = []
for path in sys.argv[1:]:
    try:
        with evtx.Evtx(path) as log:
            for record in log.records():
                chars += len(record.xml())
                records += 1
    except Exception as e:
        failed.append("%s: %s" % (path, e))
print(json.dumps({"records": records, "chars": chars, "failed": failed}))
`;

interface PythonResult {
  records: number;
  chars: number;
  failed: string[];
}

// ---------------------------------------------------------------------------------------------

function header(m: Machine, corpus: string, files: number, bytes: number, records: number | null): string {
  const lines = [
    'EVTX decoding benchmark (cmstp-hunt)',
    `Machine   ${m.cpuModel}${m.cpuMHz === null ? '' : ` @ ${m.cpuMHz.toFixed(0)} MHz`}, ${m.cores} logical CPUs (${m.usableCores} usable), ${m.memoryGiB.toFixed(1)} GiB RAM, ${m.kernel}`,
    `Software  Node ${m.node} (V8 ${m.v8}); ${m.evtxexport ?? 'evtxexport: not installed'}; ${m.pythonEvtx === null ? 'python-evtx: not installed' : `${m.pythonEvtx} on ${m.python ?? 'python3'}`}`,
    `Pinning   ${m.taskset === null ? 'NOT pinned: taskset not found (install util-linux); the OS may spread threads over cores' : 'every measured process runs under `taskset -c 0` (one core, helper threads included)'}`,
    `RSS       ${m.gnuTime === null ? 'GNU time not found: no RSS for external programs' : 'external programs: GNU time %M (largest single process); ours: process.resourceUsage().maxRSS'}`,
    `Corpus    ${corpus}: ${files} files, ${(bytes / MB).toFixed(1)} MB (${(bytes / 2 ** 20).toFixed(1)} MiB)${records === null ? '' : `, ${thousands(records)} records`}`,
  ];
  return lines.join('\n');
}

function tableText(rows: readonly Row[]): string {
  const head = ['Phase', 'Scope', 'Runs', 'Records', 'Median s', 'Best s', 'Records/s', 'MB/s med', 'MB/s best', 'vs evtxexport', 'Peak RSS'];
  const body = rows.map((r) => [
    r.phase,
    r.scope,
    r.estimated ? 'est.' : r.runsLabel,
    thousands(r.records),
    (r.estimated ? '~' : '') + fixed(r.medianS, 3),
    r.estimated ? '—' : fixed(r.bestS, 3),
    (r.estimated ? '~' : '') + thousands(r.recordsPerS),
    (r.estimated ? '~' : '') + sig(r.mbPerS),
    r.estimated ? '—' : sig(r.mbPerSBest),
    ratio(r.vsEvtxexport),
    mib(r.peakRssKiB),
  ]);
  return renderTable(head, body, new Set([2, 3, 4, 5, 6, 7, 8, 9, 10]));
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const root = projectRoot();
  if (!isDirectory(args.corpus)) {
    const bar = '!'.repeat(78);
    process.stderr.write(
      `\n${bar}\n!! EVTX benchmark corpus NOT FOUND: ${args.corpus}\n` +
        `!! Expected ../shared/data/corpus beside the project (${root}): about 93 MiB in 196 .evtx files.\n` +
        `!! Nothing was measured.\n${bar}\n\n`,
    );
    process.exit(2);
  }
  const corpus = listCorpus(args.corpus);
  if (corpus.length === 0) {
    process.stderr.write(`\n!! EVTX benchmark corpus ${args.corpus} holds no .evtx files. Nothing was measured.\n\n`);
    process.exit(2);
  }
  const corpusBytes = corpus.reduce((s, f) => s + f.bytes, 0);
  const tools = findTools();
  const python = findPythonEvtx();
  const machine = describeMachine(tools, python);
  const evtxexport = which('evtxexport');
  const cli = path.join(root, 'dist', 'src', 'cli', 'main.js');
  const started = performance.now();

  const listFile = scratchFile('corpus.json');
  writeFileSync(listFile, JSON.stringify(corpus.map((f) => f.file)));

  // 1. Decode against evtxexport, in paired rounds: the target is a ratio of the two, and on a
  //    shared machine the speed drifts over a minute by more than the difference being judged.
  //    Each round runs our decode (a child process: warm-up, then the measured passes) and then
  //    evtxexport over the whole corpus; the ratio is taken per round.
  const rounds: Array<{ decode: WorkerResult; evtx: RunResult | null }> = [];
  for (let i = 0; i < EXTERNAL_RUNS; i++) {
    progress(`round ${i + 1}/${EXTERNAL_RUNS}: our decode (${WARMUP} warm-up + ${args.runs} passes over ${corpus.length} files)${evtxexport === null ? '' : ', then evtxexport -f xml (one process per file)'}`);
    const d = runWorker(tools, 'decode', listFile, WARMUP, args.runs);
    const d0 = rounds[0]?.decode;
    if (d0 !== undefined && d.checksum !== d0.checksum) fail(`decode checksums differ between processes: ${d0.checksum} vs ${d.checksum}`);
    let e: RunResult | null = null;
    if (evtxexport !== null) {
      e = evtxexportOnce(tools, evtxexport, corpus.map((f) => f.file));
      if (!evtxexportOk(e)) fail(describeFailure('evtxexport loop', e));
    }
    rounds.push({ decode: d, evtx: e });
    const dMs = median(d.passMs);
    progress(`  decode median ${(dMs / 1000).toFixed(3)} s${e === null ? '' : `; evtxexport ${(e.wallMs / 1000).toFixed(2)} s; ratio ${sig(e.wallMs / dMs)}×`}`);
    if (e !== null && e.wallMs > SLOW_RUN_MS) {
      progress(`  evtxexport slower than ${SLOW_RUN_MS / 1000} s: one round only`);
      break;
    }
  }
  const decode = rounds[0]!.decode;
  const evtxRuns = rounds.map((r) => r.evtx).filter((r): r is RunResult => r !== null);
  // 2. Peak RSS of one cold decode pass, in a fresh process.
  progress('our decode: one cold pass in a fresh process, for peak RSS');
  const decodeRss = runWorker(tools, 'decode', listFile, 0, 1);
  if (decodeRss.checksum !== decode.checksum) fail(`decode checksums differ between processes: ${decode.checksum} vs ${decodeRss.checksum}`);
  // 3, 4. Rendering as `dump` does, into /dev/null.
  progress(`our JSONL: ${WARMUP} warm-up + ${args.runs} passes`);
  const jsonl = runWorker(tools, 'jsonl', listFile, WARMUP, args.runs);
  progress(`our XML: ${WARMUP} warm-up + ${args.runs} passes`);
  const xml = runWorker(tools, 'xml', listFile, WARMUP, args.runs);

  // 5. The CLI end to end, as a user runs it.
  const cliRuns = (format: 'jsonl' | 'xml'): RunResult[] => {
    progress(`CLI dump -f ${format}: up to ${EXTERNAL_RUNS} runs`);
    return repeat(
      `cmstp-hunt dump -f ${format}`,
      EXTERNAL_RUNS,
      () => runMeasured(tools, process.execPath, [cli, 'dump', '-f', format, args.corpus], { stdout: 'null', rss: true, timeoutMs: EXTERNAL_TIMEOUT_MS }),
      (r) => r.status === 0 && r.error === null,
    );
  };
  const cliJsonl = cliRuns('jsonl');
  const cliXml = cliRuns('xml');
  const cliRecords = (rs: readonly RunResult[]): number | null => {
    const m = /dump: \d+ files, (\d+) records/.exec(rs[0]?.stderr ?? '');
    return m?.[1] === undefined ? null : Number(m[1]);
  };
  const cliNoise = (rs: readonly RunResult[]): string[] => [
    ...new Set(
      (rs[0]?.stderr ?? '')
        .split('\n')
        .filter((l) => l.trim() !== '' && !l.startsWith('dump: ') && !l.startsWith('(Use `node --trace-warnings'))
        .map((l) => l.replace(/^\(node:\d+\) /, '')),
    ),
  ];

  if (evtxexport === null) progress('evtxexport not installed: skipped');

  // 7. The subset for python-evtx, with ours and evtxexport on the same files.
  const subset = pickSubset(decode.perFile, SUBSET_FILES, SUBSET_MIN_RECORDS);
  const subsetBytes = subset.reduce((s, f) => s + f.bytes, 0);
  const subsetRecords = subset.reduce((s, f) => s + f.records, 0);
  const subsetList = scratchFile('subset.json');
  writeFileSync(subsetList, JSON.stringify(subset.map((f) => f.file)));
  let py: { result: PythonResult; run: RunResult } | null = null;
  let subsetRows: Row[] = [];
  let evtxSubset: RunResult[] | null = null;
  if (python !== null && subset.length > 0) {
    progress(`python-evtx: ${subset.length} files, ${(subsetBytes / MB).toFixed(1)} MB, ${subsetRecords} records (1 run)`);
    const run = runMeasured(tools, python, ['-c', PYTHON_SCRIPT, ...subset.map((f) => f.file)], { stdout: 'pipe', rss: true, timeoutMs: EXTERNAL_TIMEOUT_MS });
    if (run.status !== 0) fail(describeFailure('python-evtx', run));
    py = { result: JSON.parse(run.stdout) as PythonResult, run };
    progress(`  python-evtx: ${(run.wallMs / 1000).toFixed(2)} s`);
    progress('ours and evtxexport on the same subset');
    const sd = runWorker(tools, 'decode', subsetList, WARMUP, args.runs);
    const sx = runWorker(tools, 'xml', subsetList, WARMUP, args.runs);
    if (evtxexport !== null) {
      const files = subset.map((f) => f.file);
      evtxSubset = repeat('evtxexport -f xml (subset)', EXTERNAL_RUNS, () => evtxexportOnce(tools, evtxexport, files), evtxexportOk);
    }
    subsetRows = [workerRow('ours: decode', 'subset', sd), workerRow('ours: XML → /dev/null', 'subset', sx)];
  } else progress(python === null ? 'python-evtx not installed: skipped' : 'no file qualifies for the python subset: skipped');

  // The table.
  const rows: Row[] = [];
  const decodeRow = makeRow(
    'ours: decode (every field, checksummed)',
    'corpus',
    corpus.length,
    corpusBytes,
    decode.records,
    rounds.flatMap((r) => r.decode.passMs.map((ms) => ms / 1000)),
    decodeRss.maxRssKiB,
  );
  decodeRow.runsLabel = `${rounds.length}×${args.runs}`;
  rows.push(decodeRow);
  const jsonlRow = workerRow('ours: JSONL → /dev/null', 'corpus', jsonl);
  const xmlRow = workerRow('ours: XML → /dev/null', 'corpus', xml);
  rows.push(jsonlRow, xmlRow);
  const cliJsonlRow = makeRow('cmstp-hunt dump (JSONL) > /dev/null', 'corpus', corpus.length, corpusBytes, cliRecords(cliJsonl), cliJsonl.map((r) => r.wallMs / 1000), peakOf(cliJsonl));
  const cliXmlRow = makeRow('cmstp-hunt dump -f xml > /dev/null', 'corpus', corpus.length, corpusBytes, cliRecords(cliXml), cliXml.map((r) => r.wallMs / 1000), peakOf(cliXml));
  rows.push(cliJsonlRow, cliXmlRow);
  let evtxRow: Row | null = null;
  if (evtxRuns.length > 0) {
    evtxRow = makeRow('evtxexport -f xml > /dev/null (1 proc/file)', 'corpus', corpus.length, corpusBytes, null, evtxRuns.map((r) => r.wallMs / 1000), peakOf(evtxRuns));
    rows.push(evtxRow);
    for (const r of [decodeRow, jsonlRow, xmlRow, cliJsonlRow, cliXmlRow]) r.vsEvtxexport = r.mbPerS / evtxRow.mbPerS;
    evtxRow.vsEvtxexport = 1;
  }
  let evtxSubsetRow: Row | null = null;
  if (py !== null) {
    const pyRow = makeRow('python-evtx: records() + .xml()', 'subset', subset.length, subsetBytes, py.result.records, [py.run.wallMs / 1000], py.run.maxRssKiB);
    rows.push(pyRow, ...subsetRows);
    if (evtxSubset !== null) {
      evtxSubsetRow = makeRow('evtxexport -f xml > /dev/null (1 proc/file)', 'subset', subset.length, subsetBytes, null, evtxSubset.map((r) => r.wallMs / 1000), peakOf(evtxSubset));
      rows.push(evtxSubsetRow);
      for (const r of [pyRow, ...subsetRows]) r.vsEvtxexport = r.mbPerS / evtxSubsetRow.mbPerS;
      evtxSubsetRow.vsEvtxexport = 1;
    }
    // Whole-corpus estimate from the subset's records/s (file bytes would flatter it: much of a
    // log file is empty chunks).
    const estS = (py.run.wallMs / 1000) * (decode.records / Math.max(1, py.result.records));
    const est = makeRow('python-evtx: records() + .xml()', 'corpus (est.)', corpus.length, corpusBytes, decode.records, [estS], null);
    est.estimated = true;
    if (evtxRow !== null) est.vsEvtxexport = est.mbPerS / evtxRow.mbPerS;
    rows.push(est);
  }

  // Per round: evtxexport's time over our median pass time in the same round.
  const pairedRatios = rounds.flatMap((r) => (r.evtx === null ? [] : [r.evtx.wallMs / median(r.decode.passMs)]));
  const decodeRatio = pairedRatios.length === 0 ? null : median(pairedRatios);
  const pooledRatio = evtxRow === null ? null : decodeRow.mbPerS / evtxRow.mbPerS;
  const decodeRatioBest = evtxRow === null ? null : decodeRow.mbPerSBest / evtxRow.mbPerSBest;
  const met = decodeRatio !== null && decodeRatio >= TARGET_RATIO;
  const allMet = pairedRatios.length > 0 && pairedRatios.every((x) => x >= TARGET_RATIO);

  const out: string[] = [];
  out.push(header(machine, args.corpus, corpus.length, corpusBytes, decode.records), '');
  out.push(tableText(rows), '');
  out.push(
    evtxRow === null
      ? `Target    decode ≥ ${TARGET_RATIO}× evtxexport on one core: UNKNOWN (evtxexport not installed)`
      : `Target    decode ≥ ${TARGET_RATIO}× evtxexport on one core: ${sig(decodeRatio)}× (median of ${pairedRatios.length} paired rounds: ` +
          `${pairedRatios.map((x) => `${sig(x)}×`).join(', ')}; pooled ${sig(decodeRow.mbPerS)} / ${sig(evtxRow.mbPerS)} MB/s = ${sig(pooledRatio)}×, ` +
          `best vs best ${sig(decodeRatioBest)}×) → ${met ? (allMet ? 'MET' : 'MET (median only; not in every round)') : 'NOT MET'}`,
  );
  out.push(
    `Checksum  ${decode.checksum} over ${thousands(decode.records)} records: header + 19 System fields + ${thousands(decode.valuesFolded)} data values` +
      ` (same in the cold RSS process); ${decode.errors} errors, ${decode.warnings} warnings from the reader`,
  );
  out.push(`Output    JSONL ${(jsonl.outBytes / MB).toFixed(1)} MB, XML ${(xml.outBytes / MB).toFixed(1)} MB per pass (checksums ${jsonl.checksum}, ${xml.checksum})`);
  out.push(
    `Notes     MB = 10^6 bytes of .evtx input (file sizes, empty chunks included); records/s counts live records.\n` +
      `          ours: in a child process, ${WARMUP} warm-up pass then ${args.runs} measured passes (median, best); decode: ${rounds.length} such processes,\n` +
      `          each paired with one evtxexport run (the target ratio is per round); decode row RSS is one cold pass in a fresh process.\n` +
      `          external programs: wall time of the whole command, median of up to ${EXTERNAL_RUNS} runs (1 if a run exceeds ${SLOW_RUN_MS / 1000} s); evtxexport is one process per file via /bin/sh.\n` +
      `          "vs evtxexport" compares MB/s with evtxexport -f xml on the same files; our decode row does no rendering, evtxexport always renders XML.`,
  );
  if (py !== null) {
    out.push(
      `Subset    python-evtx is slow, so it ran once on the ${subset.length} smallest files holding ≥ ${SUBSET_MIN_RECORDS} records ` +
        `(${(subsetBytes / MB).toFixed(1)} MB, ${thousands(subsetRecords)} records by our count, ${thousands(py.result.records)} by python-evtx), in one python3 process;\n` +
        `          the "corpus (est.)" row scales its time by records (${thousands(decode.records)} / ${thousands(py.result.records)}), not measured.` +
        (py.result.failed.length > 0 ? `\n          python-evtx failed on ${py.result.failed.length} file(s): ${py.result.failed.join('; ')}` : ''),
    );
  }
  const warnings: string[] = [];
  const evtxFailures = evtxexportFailures(evtxRuns[0]);
  if (evtxFailures > 0) warnings.push(`evtxexport failed on ${evtxFailures} file(s) (exit code ≠ 0); their time still counts`);
  if (cliRecords(cliJsonl) !== null && cliRecords(cliJsonl) !== decode.records) warnings.push(`dump reported ${cliRecords(cliJsonl)} records, the reader ${decode.records}`);
  for (const l of cliNoise(cliJsonl)) warnings.push(`dump (JSONL) stderr: ${l}`);
  for (const l of cliNoise(cliXml)) warnings.push(`dump (XML) stderr: ${l}`);
  if (machine.taskset === null) warnings.push('not pinned to one core: taskset is missing');
  for (const w of warnings) out.push(`Warning   ${w}`);
  const totalS = (performance.now() - started) / 1000;
  out.push(`Elapsed   ${totalS.toFixed(0)} s`);
  process.stdout.write(out.join('\n') + '\n');

  const resultsDir = path.join(root, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const json = {
    benchmark: 'evtx',
    generatedAt: new Date().toISOString(),
    elapsedS: totalS,
    machine,
    corpus: { dir: args.corpus, files: corpus.length, bytes: corpusBytes, records: decode.records, errors: decode.errors, warnings: decode.warnings },
    config: { warmup: WARMUP, runs: args.runs, externalRuns: EXTERNAL_RUNS, slowRunMs: SLOW_RUN_MS, pinned: machine.taskset !== null, mb: MB },
    target: { ratio: TARGET_RATIO, measured: decodeRatio, pairedRatios, pooled: pooledRatio, bestVsBest: decodeRatioBest, met, metInEveryRound: allMet },
    checksum: { decode: decode.checksum, valuesFolded: decode.valuesFolded, jsonl: jsonl.checksum, xml: xml.checksum },
    output: { jsonlBytes: jsonl.outBytes, xmlBytes: xml.outBytes },
    rounds: rounds.map((r) => ({ decodeMs: r.decode.passMs, decodeWarmupMs: r.decode.warmupMs, evtxexportMs: r.evtx?.wallMs ?? null })),
    rss: { decodeColdKiB: decodeRss.maxRssKiB, decodeRepeatedKiB: decode.maxRssKiB, jsonlKiB: jsonl.maxRssKiB, xmlKiB: xml.maxRssKiB },
    subset: py === null ? null : { files: subset.map((f: WorkerFile) => ({ ...f, file: path.relative(args.corpus, f.file) })), bytes: subsetBytes, records: subsetRecords, python: py.result },
    rows,
    warnings,
  };
  const jsonPath = path.join(resultsDir, 'evtx-latest.json');
  writeFileSync(jsonPath, JSON.stringify(json, null, 2) + '\n');
  progress(`results written to ${path.relative(process.cwd(), jsonPath) || jsonPath}`);
  cleanupScratch();
}

main();
