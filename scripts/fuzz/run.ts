// Running a fuzz campaign over several targets and printing its table: one row per target with
// the count of cases, of each outcome, the slowest case, and the failures with their replay keys.

import { availableParallelism } from 'node:os';
import { FAILURE_OUTCOMES, OK_OUTCOMES, printable, type CaseResult } from './outcome.js';
import { runTarget, type RunOptions, type TargetSummary } from './pool.js';

export interface Campaign extends RunOptions {
  /** Cases per target. */
  cases: Readonly<Record<string, number>>;
}

export function defaultWorkers(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

export async function runCampaign(c: Campaign): Promise<TargetSummary[]> {
  const out: TargetSummary[] = [];
  for (const [target, n] of Object.entries(c.cases)) {
    out.push(await runTarget(target, Array.from({ length: n }, (_, i) => i), c));
  }
  return out;
}

export function failureCount(s: TargetSummary): number {
  return FAILURE_OUTCOMES.reduce((n, o) => n + s.counts[o], 0);
}

/** The table, as fixed-width text. */
export function formatTable(rows: readonly TargetSummary[], seed: number): string {
  const head = ['target', 'cases', ...OK_OUTCOMES, ...FAILURE_OUTCOMES, 'slowest ms', 'wall s', 'failures'];
  const body = rows.map((r) => [
    r.target,
    String(r.cases),
    ...OK_OUTCOMES.map((o) => String(r.counts[o])),
    ...FAILURE_OUTCOMES.map((o) => String(r.counts[o])),
    `${Math.round(r.slowest.ms)} (#${r.slowest.index})`,
    (r.wallMs / 1000).toFixed(1),
    String(failureCount(r)),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const total = rows.reduce((n, r) => n + r.cases, 0);
  const failures = rows.reduce((n, r) => n + failureCount(r), 0);
  return [`fuzz seed ${seed}: ${total} cases, ${failures} failures`, line(head), ...body.map(line)].join('\n');
}

/** One line per failure, with what replays it. */
export function formatFailures(rows: readonly TargetSummary[], seed: number, max = 50): string[] {
  const all: CaseResult[] = rows.flatMap((r) => r.failures);
  const lines = all.slice(0, max).map((f) => `FAIL ${f.outcome} ${f.target}:${f.index} (replay: npm run fuzz -- --seed ${seed} --replay ${f.target}:${f.index}) [${printable(f.mutations.join(' '), 160)}] ${printable(f.detail, 400)}`);
  if (all.length > max) lines.push(`… and ${all.length - max} more failures`);
  return lines;
}
