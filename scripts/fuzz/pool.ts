// The parent side: cases go to worker processes in batches; each worker announces the case it
// starts, and a watchdog kills a worker whose case runs past its budget (a `timeout`); a worker
// that dies on its heap limit is a `memory` failure. The worker is replaced and the rest of its
// batch runs again (cases are pure functions of their number, so re-running is exact).

import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
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

const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));

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
      const setup: WorkerSetup = { target, seed: options.seed, dataDir: options.dataDir, root: options.root, timeLimitMs: options.timeLimitMs };
      const worker: ChildProcess = fork(WORKER, [], {
        execArgv: [`--max-old-space-size=${options.memoryMb}`],
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        serialization: 'advanced',
      });
      live++;
      let current: number[] | null = null;
      let at = -1;
      let since = 0;
      let ended = false;
      let stderr = '';
      worker.stderr?.setEncoding('utf8');
      worker.stderr?.on('data', (d: string) => {
        stderr = (stderr + d).slice(-4000);
      });
      const send = (m: ToWorker): void => {
        worker.send(m);
      };
      const stop = (): void => {
        worker.kill('SIGKILL');
      };
      const finish = (): void => {
        if (ended) return;
        ended = true;
        clearInterval(watchdog);
        live--;
      };
      const next = (): void => {
        current = queue.shift() ?? null;
        at = -1;
        since = 0;
        if (current === null) {
          finish();
          worker.disconnect();
          done(null);
        } else {
          send({ type: 'batch', indices: current });
        }
      };
      /** The worker died on case `at`: record it, requeue the rest of the batch, replace the worker. */
      const lost = (outcome: Outcome, detail: string): void => {
        if (ended) return;
        const batch: number[] = current ?? [];
        const ms = since > 0 ? Date.now() - since : 0;
        finish();
        stop();
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
      const watchdog = setInterval(() => {
        if (since > 0 && Date.now() - since > killAfter) lost('timeout', `no answer after ${killAfter} ms: killed`);
      }, 50);
      worker.on('message', (msg: FromWorker) => {
        if (msg.type === 'ready') next();
        else if (msg.type === 'at') {
          at = msg.index;
          since = Date.now();
        } else if (msg.type === 'results') {
          for (const r of msg.results) record(r);
          next();
        } else if (at < 0) {
          finish();
          stop();
          done(new Error(`fuzz worker for ${target}: ${msg.error}`));
        } else {
          lost('exception', msg.error.split('\n')[0] ?? msg.error);
        }
      });
      worker.on('error', (err: Error) => lost('exception', err.message));
      worker.on('exit', (code, signal) => {
        if (ended) return;
        const oom = /heap out of memory|Reached heap limit/.test(stderr);
        lost(oom ? 'memory' : 'exception', oom ? `heap limit of ${options.memoryMb} MB reached` : `worker exited (code ${code}, signal ${signal}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
      });
      send({ type: 'setup', setup });
    };
    const workers = Math.max(1, Math.min(options.workers, queue.length));
    if (queue.length === 0) done(null);
    for (let i = 0; i < workers; i++) spawn();
  });
}
