// `npm run fuzz -- --cases N [--seed S] [--target evtx,json,…] [--time-limit-ms T] [--workers W]
//  [--replay target:case]`: runs the deterministic fuzz suite and prints its table; exit 1 on any
// failure. `--cases` is per target (EVTX gets five times as many: it is the main attack surface).

import { Command, InvalidArgumentError } from 'commander';
import { projectRoot, sharedDataDir } from '../../test/support/shared-data.js';
import { printable } from './outcome.js';
import { runCase } from './run-case.js';
import { defaultWorkers, failureCount, formatFailures, formatTable, runCampaign } from './run.js';
import { TARGET_NAMES, targetNamed } from './targets.js';

const int = (v: string): number => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('not a non-negative integer');
  return n;
};

const program = new Command('fuzz')
  .description('deterministic fuzzing of the EVTX, JSON, XML, CSV and INF readers and the Sigma loader')
  .option('--cases <n>', 'cases per target (EVTX: 5 times as many)', int, 1000)
  .option('--seed <s>', 'run seed', int, 1)
  .option('--target <list>', `comma-separated targets (${TARGET_NAMES.join(', ')})`, TARGET_NAMES.join(','))
  .option('--time-limit-ms <t>', 'per-case time budget', int, 10_000)
  .option('--workers <w>', 'worker threads', int, defaultWorkers())
  .option('--memory-mb <m>', 'heap limit of each worker', int, 512)
  .option('--data <dir>', 'folder of real EVTX files', sharedDataDir())
  .option('--replay <target:case>', 'run one case in this thread and print everything about it');

interface Opts {
  cases: number;
  seed: number;
  target: string;
  timeLimitMs: number;
  workers: number;
  memoryMb: number;
  data: string;
  replay?: string;
}

async function main(): Promise<number> {
  program.parse();
  const o = program.opts<Opts>();
  const root = projectRoot();
  if (o.replay !== undefined) {
    const [name, index] = o.replay.split(':');
    const target = name === undefined ? undefined : targetNamed(name);
    if (target === undefined || index === undefined) throw new InvalidArgumentError(`--replay wants target:case with a target among ${TARGET_NAMES.join(', ')}`);
    const corpus = target.load(o.data, root);
    const r = await runCase(target, corpus, o.seed, int(index), o.timeLimitMs);
    console.log(`${r.target}:${r.index} seed ${o.seed}: ${r.outcome} in ${r.ms.toFixed(1)} ms`);
    console.log(`mutations: ${printable(r.mutations.join(' '), 2000)}`);
    if (r.detail !== '') console.log(`detail: ${printable(r.detail, 4000)}`);
    return r.outcome === 'exception' || r.outcome === 'timeout' || r.outcome === 'untyped-error' || r.outcome === 'accounting' || r.outcome === 'memory' || r.outcome === 'injection' ? 1 : 0;
  }
  const names = o.target.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const n of names) if (targetNamed(n) === undefined) throw new InvalidArgumentError(`unknown target ${printable(n)} (${TARGET_NAMES.join(', ')})`);
  const cases = Object.fromEntries(names.map((n) => [n, n === 'evtx' ? o.cases * 5 : o.cases]));
  const rows = await runCampaign({ cases, seed: o.seed, timeLimitMs: o.timeLimitMs, workers: o.workers, dataDir: o.data, root, memoryMb: o.memoryMb });
  console.log(formatTable(rows, o.seed));
  for (const line of formatFailures(rows, o.seed)) console.log(line);
  return rows.some((r) => failureCount(r) > 0) ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(`fuzz: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 2;
  },
);
