// Sigma matching benchmark: every SigmaHQ Windows rule (../shared/conformance/sigmahq/rules/windows)
// loaded and compiled, the EVTX corpus (../shared/data/corpus) read and normalised once into
// memory (timed apart), then matching timed: (a) all rules through the RuleIndex, (b) brute force
// (every rule on every event; on a subset of events when the corpus is large), (c) a single rule.
// Prints events/s and findings for each. Target: ≥ 30,000 events/s for (a). For (a) it also prints
// the median over `--repeat` runs and the rate by this process's CPU time (user + system), which
// other processes sharing the machine disturb less than wall-clock time.
//
//   npm run bench:sigma [-- --brute-events N] [-- --repeat N]

import { readdirSync } from 'node:fs';
import path from 'node:path';
import { loadRulePaths } from '../src/cli/commands/scan.js';
import type { CompiledRule } from '../src/detect/compile.js';
import { RuleIndex } from '../src/detect/index-rules.js';
import type { Event } from '../src/events/model.js';
import { normalize, TableSet } from '../src/events/normalize.js';
import { DEFAULT_TABLES } from '../src/events/tables/index.js';
import { readSource } from '../src/sources/index.js';
import { projectRoot } from './support/corpus.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.name.toLowerCase().endsWith('.evtx')) out.push(p);
  }
  return out.sort();
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

function time<T>(f: () => T): { value: T; ms: number; cpuMs: number } {
  const c = process.cpuUsage();
  const t = performance.now();
  const value = f();
  const ms = performance.now() - t;
  const u = process.cpuUsage(c);
  return { value, ms, cpuMs: (u.user + u.system) / 1000 };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function line(label: string, events: number, ms: number, findings: number): void {
  process.stdout.write(`${label.padEnd(34)} ${fmt(events).padStart(9)} events ${ms.toFixed(0).padStart(7)} ms ${fmt((events / ms) * 1000).padStart(10)} events/s ${fmt(findings).padStart(7)} findings\n`);
}

async function main(): Promise<void> {
  const root = projectRoot();
  const rulesDir = path.resolve(root, '..', 'shared', 'conformance', 'sigmahq', 'rules', 'windows');
  const corpus = path.resolve(root, '..', 'shared', 'data', 'corpus');
  const repeat = arg('--repeat', 3);

  const loadT = time(() => loadRulePaths([rulesDir]));
  const loaded = loadT.value;
  const loadErrors = loaded.skipped.filter((s) => !s.reason.startsWith('unsupported')).length;
  process.stdout.write(
    `rules: ${loaded.files} files, ${loaded.rules.length} compiled, ${loaded.skipped.length} skipped ` +
      `(${loadErrors} load errors, ${loaded.skipped.length - loadErrors} unsupported), ${loadT.ms.toFixed(0)} ms\n`,
  );

  const tables = new TableSet(DEFAULT_TABLES);
  const events: Event[] = [];
  const files = walk(corpus);
  const t0 = performance.now();
  for (const f of files) for await (const item of readSource(f)) if (item.ok) events.push(normalize(item.record, tables));
  const readMs = performance.now() - t0;
  process.stdout.write(`corpus: ${files.length} files, ${fmt(events.length)} events read and normalised in ${readMs.toFixed(0)} ms (${fmt((events.length / readMs) * 1000)} events/s)\n`);

  const indexT = time(() => new RuleIndex(loaded.rules));
  const index = indexT.value;
  process.stdout.write(`index: ${index.size} rules placed, ${index.never.length} never apply, built in ${indexT.ms.toFixed(1)} ms\n\n`);

  const viaIndex = (evs: readonly Event[]): number => {
    let n = 0;
    for (const e of evs) for (const r of index.candidates(e)) if (r.matches(e)) n++;
    return n;
  };
  const brute = (evs: readonly Event[], rules: readonly CompiledRule[]): number => {
    let n = 0;
    for (const e of evs) for (const r of rules) if (r.matches(e)) n++;
    return n;
  };

  // (a) all Windows rules through the index; the best of `repeat` runs (the first warms the caches).
  let best = Infinity;
  let found = 0;
  let candidates = 0;
  const walls: number[] = [];
  const cpus: number[] = [];
  for (const e of events) candidates += index.candidates(e).length;
  for (let i = 0; i < repeat; i++) {
    const r = time(() => viaIndex(events));
    best = Math.min(best, r.ms);
    walls.push(r.ms);
    cpus.push(r.cpuMs);
    found = r.value;
  }
  line('(a) all rules, index', events.length, best, found);
  const perS = (ms: number): string => fmt((events.length / ms) * 1000);
  process.stdout.write(`    runs (events/s, wall): ${walls.map(perS).join(', ')}; median ${perS(median(walls))}\n`);
  process.stdout.write(`    runs (events/s, CPU time): ${cpus.map(perS).join(', ')}; median ${perS(median(cpus))}\n`);
  process.stdout.write(`    ${(candidates / Math.max(events.length, 1)).toFixed(1)} candidate rules per event on average\n`);

  // (b) brute force on an evenly spread subset.
  const want = Math.min(events.length, arg('--brute-events', 20_000));
  const step = events.length / want;
  const subset: Event[] = [];
  for (let i = 0; i < want; i++) subset.push(events[Math.floor(i * step)]!);
  const b = time(() => brute(subset, loaded.rules));
  const bi = time(() => viaIndex(subset));
  line(`(b) all rules, brute force (${want === events.length ? 'all' : 'subset'})`, subset.length, b.ms, b.value);
  line('    same subset, index', subset.length, bi.ms, bi.value);
  if (b.value !== bi.value) process.stdout.write(`    MISMATCH: brute force ${b.value} vs index ${bi.value}\n`);

  // (c) a single rule: the first process_creation rule mentioning cmstp, else the first rule.
  const single = loaded.rules.find((r) => /cmstp/i.test(r.rule.title) && r.rule.logsource.category === 'process_creation') ?? loaded.rules[0];
  if (single !== undefined) {
    let bestSingle = Infinity;
    let n = 0;
    for (let i = 0; i < repeat; i++) {
      const r = time(() => brute(events, [single]));
      bestSingle = Math.min(bestSingle, r.ms);
      n = r.value;
    }
    line(`(c) one rule: ${single.rule.title.slice(0, 20)}`, events.length, bestSingle, n);
  }
  const rate = (events.length / best) * 1000;
  process.stdout.write(`\ntarget ≥ 30,000 events/s with all Windows rules (index): ${fmt(rate)} events/s, ${rate >= 30_000 ? 'met' : 'NOT met'}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
