// The parent side: cases go to worker threads in batches; a watchdog reads which case each worker
// is on (shared memory) and terminates a worker whose case runs past its budget (a `timeout`) or
// whose heap hits the resource limit (`memory`). The worker is replaced and the rest of its batch
// runs again (cases are pure functions of their number, so re-running is exact).

import { Worker } from 'node:worker_threads';
import { OUTCOMES, isFailure, type CaseResult, type Outcome } from './outcome.js';
import type { FromWorker, ToWorker, WorkerSetup } from './worker.js';

export interface RunOptions {
  seed: number;
  /** Per-case time budget. */
  timeLimitMs: number;
  workers: number;
  dataDir: string;
  root: string;
  /** Old-generation heap of each worker. */
  memoryMb: number;
  /** Cases per message to a worker. */
  batch?: number;
}

export interface TargetSummary {
  target: string;
  cases: number;
  counts: Record<Outcome, number>;
  slowest: { index: number; ms: number };
  failures: CaseResult[];
  wallMs: number;
  /** Workers replaced after a hang or an out-of-memory end. */
  restarts: number;
}

const WORKER_URL = new URL('./worker.js', import.meta.url);

export function emptyCounts(): Record<Outcome, number> {
  return Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
}

/** Runs cases `indices` of one target; never rejects for a failing case, only for a broken setup. */
export function runTarget(target: string, indices: readonly number[], options: RunOptions): Promise<TargetSummary> {
  const started = Date.now();
  const summary: TargetSummary = { target, cases: 0, counts: emptyCounts(), slowest: { index: -1, ms: 0 }, failures: [], wallMs: 0, restarts: 0 };
  const size = options.batch ?? Math.max(1, Math.min(50, Math.ceil(indices.length / (options.workers * 4))));
  const queue: number[][] = [];
  for (let i = 0; i < indices.length; i += size) queue.push(indices.slice(i, i + size));
  const record = (r: CaseResult): void => {
    summary.cases++;
    summary.counts[r.outcome]++;
    if (r.ms > summary.slowest.ms) summary.slowest = { index: r.index, ms: r.ms };
    if (isFailure(r.outcome)) summary.failures.push(r);
  };
  const killAfter = Math.round(options.timeLimitMs * 1.5 + 500);

  return new Promise((resolve, reject) => {
    let live = 0;
    let settled = false;
    const done = (err: Error | null): void => {
      if (settled) return;
      if (err !== null) {
        settled = true;
        reject(err);
      } else if (live === 0 && queue.length === 0) {
        settled = true;
        summary.failures.sort((a, b) => a.index - b.index);
        summary.wallMs = Date.now() - started;
        resolve(summary);
      }
    };

    const spawn = (): void => {
      const progress = new SharedArrayBuffer(16);
      const view = new Float64Array(progress);
      const setup: WorkerSetup = { target, seed: options.seed, dataDir: options.dataDir, root: options.root, timeLimitMs: options.timeLimitMs, progress };
      const worker = new Worker(WORKER_URL, { workerData: setup, resourceLimits: { maxOldGenerationSizeMb: options.memoryMb, maxYoungGenerationSizeMb: 64 } });
      live++;
      let current: number[] | null = null;
      let ended = false;
      const next = (): void => {
        current = queue.shift() ?? null;
        if (current === null) {
          finish();
          void worker.terminate();
          done(null);
        } else {
          worker.postMessage({ type: 'batch', indices: current } satisfies ToWorker);
        }
      };
      /** The worker died on case `view[0]`: record it, requeue the rest of the batch, replace the worker. */
      const lost = (outcome: Outcome, detail: string): void => {
        if (ended) return;
        const batch: number[] = current ?? [];
        const at = view[1]! > 0 ? view[0]! : -1;
        const ms = view[1]! > 0 ? Date.now() - view[1]! : 0;
        finish();
        void worker.terminate();
        if (at >= 0 && batch.includes(at)) {
          record({ target, index: at, outcome, ms, detail, mutations: [] });
          const rest = batch.filter((i) => i !== at);
          if (rest.length > 0) queue.unshift(rest);
          summary.restarts++;
          if (queue.length > 0) spawn();
          else done(null);
        } else {
          // Died outside a case (while loading its seeds): a setup problem, not a finding.
          done(new Error(`fuzz worker for ${target} failed outside a case: ${detail}`));
        }
      };
      const finish = (): void => {
        if (ended) return;
        ended = true;
        clearInterval(watchdog);
        live--;
      };
      const watchdog = setInterval(() => {
        const since = view[1]!;
        if (since > 0 && Date.now() - since > killAfter) lost('timeout', `no answer after ${killAfter} ms: terminated`);
      }, 50);
      worker.on('message', (msg: FromWorker) => {
        if (msg.type === 'ready') next();
        else if (msg.type === 'results') {
          for (const r of msg.results) record(r);
          next();
        } else if (current === null || view[1] === 0) {
          finish();
          void worker.terminate();
          done(new Error(`fuzz worker for ${target}: ${msg.error}`));
        } else {
          lost('exception', msg.error.split('\n')[0] ?? msg.error);
        }
      });
      worker.on('error', (err: Error & { code?: string }) => {
        lost(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : 'exception', `${err.code ?? err.name}: ${err.message}`);
      });
      worker.on('exit', () => {
        if (!ended) lost('exception', 'worker exited');
      });
    };
    const workers = Math.max(1, Math.min(options.workers, queue.length));
    if (queue.length === 0) done(null);
    for (let i = 0; i < workers; i++) spawn();
  });
}
