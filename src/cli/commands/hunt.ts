// `cmstp-hunt hunt`: the CMSTP hunt report over inputs (loaded into a throwaway DuckDB, or into
// --db / --clickhouse first) or over what a database already holds; baselines saved and applied.

import { readFileSync, statSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { collectBaseline, parseBaseline, runHunt, type HuntOptions } from '../../hunt/report.js';
import { OUTPUT_FORMATS, renderHunt } from '../../hunt/render.js';
import type { HuntStore } from '../../hunt/store.js';
import { Output } from '../output.js';
import { safeText } from '../safe-text.js';
import { addInputOptions, addStoreOptions, loadCliOptions, loadPaths, openStore, storeOptions, usageError } from './load.js';
import { parseFormat } from './query.js';

/** Largest baseline file read. */
const MAX_BASELINE_FILE = 64 << 20;

/** `90`, `90s`, `10m`, `2h`, `1d` as seconds. */
export function parseDuration(v: string): number | null {
  const m = /^(\d{1,7})([smhd]?)$/.exec(v.trim());
  if (m === null) return null;
  const n = Number(m[1]);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  return n > 0 ? n * unit : null;
}

function positive(v: unknown, name: string): { ok: true; n: number } | { ok: false; error: string } {
  const n = Number(v);
  return Number.isInteger(n) && n > 0 && n <= 1_000_000 ? { ok: true, n } : { ok: false, error: `${name} must be a whole number from 1 to 1000000` };
}

export function registerHunt(program: Command, setExit: (code: number) => void): void {
  const cmd = program
    .command('hunt')
    .description('CMSTP hunt report: stack counts rarest first, modules, children, bursts, scored outliers; baselines')
    .argument('[paths...]', 'inputs to load first (without --db/--clickhouse: into a throwaway in-memory DuckDB)')
    .option('-f, --format <format>', `output: ${OUTPUT_FORMATS.join(', ')}`, 'table')
    .option('-o, --output <file>', 'write the report here instead of stdout')
    .option('--limit <n>', 'rows per stack, rarest first', '20')
    .option('--window <duration>', 'burst window (90s, 10m, 1h)', '10m')
    .option('--burst-min <n>', 'cmstp.exe runs per host and window that make a burst', '3')
    .option('--save-baseline <file>', 'record every value seen (a clean period) as known good')
    .option('--baseline <file>', 'report only what the baseline has never seen');
  addInputOptions(addStoreOptions(cmd)).action(async (paths: string[], raw: Record<string, unknown>) => {
    const so = storeOptions(raw);
    if (!so.ok) return usageError(so.error, setExit);
    if (paths.length === 0 && so.options.db === undefined && so.options.clickhouse === undefined) return usageError('hunt needs inputs, or --db <file> or --clickhouse <url>', setExit);
    const lo = loadCliOptions(raw);
    if (!lo.ok) return usageError(lo.error, setExit);
    const format = parseFormat(raw['format']);
    if (format === null) return usageError(`unknown format ${safeText(String(raw['format']))} (${OUTPUT_FORMATS.join(', ')})`, setExit);
    const limit = positive(raw['limit'], '--limit');
    if (!limit.ok) return usageError(limit.error, setExit);
    const burstMin = positive(raw['burstMin'], '--burst-min');
    if (!burstMin.ok) return usageError(burstMin.error, setExit);
    const window = parseDuration(String(raw['window']));
    if (window === null) return usageError(`--window must be a duration such as 90s, 10m or 1h, not ${safeText(String(raw['window']))}`, setExit);
    const options: HuntOptions = { limit: limit.n, windowSeconds: window, burstMin: burstMin.n };
    if (typeof raw['baseline'] === 'string') {
      const file = raw['baseline'];
      let text: string;
      try {
        const size = statSync(file).size;
        if (size > MAX_BASELINE_FILE) return usageError(`${safeText(file)}: ${size} bytes; a baseline is at most ${MAX_BASELINE_FILE}`, setExit);
        text = readFileSync(file, 'utf8');
      } catch (err) {
        return usageError(`${safeText(file)}: ${safeText((err as Error).message)}`, setExit);
      }
      const b = parseBaseline(text);
      if (!b.ok) return usageError(`${safeText(file)}: ${safeText(b.error)}`, setExit);
      options.baseline = b.baseline;
    }
    let store: HuntStore | null = null;
    try {
      store = await openStore(so.options);
      if (paths.length > 0) {
        const summary = await loadPaths(store, paths, lo.options);
        if (summary === null) return setExit(2);
      } else {
        await store.init();
      }
      if (typeof raw['saveBaseline'] === 'string') {
        const baseline = await collectBaseline(store);
        writeFileSync(raw['saveBaseline'], JSON.stringify(baseline, null, 2) + '\n');
        const n = Object.values(baseline.values).reduce((s, v) => s + (v?.length ?? 0), 0);
        process.stderr.write(`hunt: baseline of ${n} known-good values from ${baseline.cmstpRuns} cmstp.exe runs written to ${safeText(raw['saveBaseline'])}\n`);
      }
      const report = await runHunt(store, options);
      const out = new Output(typeof raw['output'] === 'string' ? raw['output'] : undefined);
      await out.write(renderHunt(report, format, safeText));
      await out.end();
      setExit(0);
    } catch (err) {
      process.stderr.write(`error: ${safeText(err instanceof Error ? err.message : String(err))}\n`);
      setExit(2);
    } finally {
      await store?.close();
    }
  });
}
