// The deterministic fuzz suite (scripts/fuzz) at CI size: 5,000 mutated EVTX files built from
// real chunks under ../shared/data, and 1,000 hostile inputs each for the JSON, XML, CSV and INF
// readers and the Sigma loader, with a fixed seed. Every case must end in records or typed,
// located diagnostics: no exception, no hang, no heap exhaustion, no unaccounted item, nothing
// reaching a prototype. The per-case budget below only turns a hang into a failure; it is far
// above what any case takes. `npm run fuzz -- --cases N` runs more on demand.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FAILURE_OUTCOMES } from '../scripts/fuzz/outcome.js';
import type { TargetSummary } from '../scripts/fuzz/pool.js';
import { defaultWorkers, failureCount, formatFailures, formatTable, runCampaign } from '../scripts/fuzz/run.js';
import { projectRoot, requireSharedData, sharedDataDir } from './support/shared-data.js';

const SEED = 20261122;
const CASES: Readonly<Record<string, number>> = { evtx: 5000, json: 1000, xml: 1000, csv: 1000, inf: 1000, sigma: 1000 };
/** A hang detector, not a speed requirement: the slowest case takes a small fraction of it. */
const CASE_BUDGET_MS = 30_000;

test('fuzz suite: EVTX, JSON, XML, CSV, INF and Sigma inputs end in records or typed diagnostics', { timeout: 30 * 60_000 }, async (t) => {
  const data = requireSharedData(t);
  const cases = Object.fromEntries(Object.entries(CASES).filter(([target]) => target !== 'evtx' || data !== null));
  const started = Date.now();
  const rows = await runCampaign({ cases, seed: SEED, timeLimitMs: CASE_BUDGET_MS, workers: defaultWorkers(), dataDir: data ?? sharedDataDir(), root: projectRoot(), memoryMb: 512 });
  const table = formatTable(rows, SEED);
  console.log(table);
  for (const line of table.split('\n')) t.diagnostic(line);
  t.diagnostic(`wall time ${((Date.now() - started) / 1000).toFixed(1)} s with ${defaultWorkers()} workers`);
  const failures = formatFailures(rows, SEED);
  for (const line of failures) t.diagnostic(line);

  const row = (target: string): TargetSummary => {
    const r = rows.find((x) => x.target === target);
    assert.ok(r !== undefined, `no row for ${target}`);
    return r;
  };
  for (const [target, n] of Object.entries(cases)) {
    await t.test(`${target}: ${n} cases, no failure, a non-trivial mix of outcomes`, () => {
      const r = row(target);
      assert.equal(r.cases, n, 'every case ran and was counted once');
      assert.equal(failureCount(r), 0, failures.filter((f) => f.includes(` ${target}:`)).join('\n'));
      for (const o of FAILURE_OUTCOMES) assert.equal(r.counts[o], 0, o);
      // A mutator that only produced garbage (or only intact inputs) would fail one of these.
      const withRecords = r.counts.records + r.counts.mixed;
      const withDiagnostics = r.counts.diagnostics + r.counts.mixed;
      assert.ok(withRecords >= n / 20, `${withRecords} of ${n} cases yielded records`);
      assert.ok(withDiagnostics >= n / 10, `${withDiagnostics} of ${n} cases yielded diagnostics`);
      assert.ok(r.counts.records >= 1 && r.counts.diagnostics >= 1, 'some cases are clean, some are only errors');
    });
  }
});
