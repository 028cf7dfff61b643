// The worker thread: loads one target's seeds once, then runs the batches of case numbers the
// parent sends. Before each case it publishes the case number and its start time in shared
// memory, so that the parent can tell which case hangs without a message per case.

import { parentPort, workerData } from 'node:worker_threads';
import { isFailure, type CaseResult } from './outcome.js';
import { runCase } from './run-case.js';
import { targetNamed } from './targets.js';

export interface WorkerSetup {
  target: string;
  seed: number;
  dataDir: string;
  root: string;
  timeLimitMs: number;
  /** [case number, start time in ms since the epoch] as two float64s. */
  progress: SharedArrayBuffer;
}

export type ToWorker = { type: 'batch'; indices: number[] };
export type FromWorker = { type: 'ready' } | { type: 'results'; results: CaseResult[] } | { type: 'fatal'; error: string };

const setup = workerData as WorkerSetup;
const port = parentPort!;
const progress = new Float64Array(setup.progress);

async function main(): Promise<void> {
  const target = targetNamed(setup.target);
  if (target === undefined) throw new Error(`unknown target ${setup.target}`);
  const corpus = target.load(setup.dataDir, setup.root);
  port.on('message', (msg: ToWorker) => {
    void (async () => {
      const results: CaseResult[] = [];
      for (const index of msg.indices) {
        progress[0] = index;
        progress[1] = Date.now();
        const r = await runCase(target, corpus, setup.seed, index, setup.timeLimitMs);
        // Mutation lists only travel for failures; the counts need none.
        results.push(isFailure(r.outcome) ? r : { ...r, mutations: [], detail: '' });
      }
      progress[1] = 0;
      port.postMessage({ type: 'results', results } satisfies FromWorker);
    })().catch((e: unknown) => port.postMessage({ type: 'fatal', error: String(e instanceof Error ? e.stack : e) } satisfies FromWorker));
  });
  port.postMessage({ type: 'ready' } satisfies FromWorker);
}

main().catch((e: unknown) => port.postMessage({ type: 'fatal', error: String(e instanceof Error ? e.stack : e) } satisfies FromWorker));
