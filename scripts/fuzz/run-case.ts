// Running one case in the current thread: build it from (seed, target, index), time it, classify.

import { classify, describeError, type CaseResult } from './outcome.js';
import { caseRng } from './rng.js';
import type { FuzzTarget } from './target.js';

export async function runCase(target: FuzzTarget<unknown>, corpus: unknown, seed: number, index: number, timeLimitMs: number): Promise<CaseResult> {
  const started = performance.now();
  let result: CaseResult;
  try {
    const report = await target.run(corpus, caseRng(seed, target.name, index), index);
    const ms = performance.now() - started;
    let outcome = classify(report);
    let detail = report.problems[0]?.detail ?? '';
    if (ms > timeLimitMs && outcome !== 'exception') {
      // Finished, but past its budget: as much a failure as a hang.
      detail = `took ${Math.round(ms)} ms (budget ${timeLimitMs} ms)`;
      outcome = 'timeout';
    }
    result = { target: target.name, index, outcome, ms, detail, mutations: report.mutations };
  } catch (e) {
    // The target's own checks threw: count it against the reader, with the stack.
    result = { target: target.name, index, outcome: 'exception', ms: performance.now() - started, detail: describeError(e), mutations: [] };
  }
  return result;
}
