// The fuzz worker: a child process (not a worker thread: a worker thread whose heap limit is hit
// by one large allocation aborts the whole process, runner included). It loads one target's
// seeds once, then runs the batches of case numbers the parent sends, announcing each case before
// it starts so that the parent knows which one hangs or runs out of memory, and sending the
// results of a batch in one message.

import { isFailure, type CaseResult } from './outcome.js';
import { runCase } from './run-case.js';
import { targetNamed } from './targets.js';

export interface WorkerSetup {
  target: string;
  seed: number;
  dataDir: string;
  root: string;
  timeLimitMs: number;
}

export type ToWorker = { type: 'setup'; setup: WorkerSetup } | { type: 'batch'; indices: number[] };
export type FromWorker = { type: 'ready' } | { type: 'at'; index: number } | { type: 'results'; results: CaseResult[] } | { type: 'fatal'; error: string };

const send = (m: FromWorker): void => {
  process.send?.(m);
};

const stack = (e: unknown): string => String(e instanceof Error ? e.stack : e);

let handle: ((indices: number[]) => Promise<void>) | null = null;

process.on('message', (msg: ToWorker) => {
  if (msg.type === 'setup') {
    const { setup } = msg;
    try {
      const target = targetNamed(setup.target);
      if (target === undefined) throw new Error(`unknown target ${setup.target}`);
      const corpus = target.load(setup.dataDir, setup.root);
      handle = async (indices) => {
        const results: CaseResult[] = [];
        for (const index of indices) {
          send({ type: 'at', index });
          const r = await runCase(target, corpus, setup.seed, index, setup.timeLimitMs);
          // Mutation lists only travel for failures; the counts need none.
          results.push(isFailure(r.outcome) ? r : { ...r, mutations: [], detail: '' });
        }
        send({ type: 'results', results });
      };
      send({ type: 'ready' });
    } catch (e) {
      send({ type: 'fatal', error: stack(e) });
    }
  } else if (handle !== null) {
    handle(msg.indices).catch((e: unknown) => send({ type: 'fatal', error: stack(e) }));
  }
});
// The parent going away ends this process too.
process.on('disconnect', () => process.exit(0));
