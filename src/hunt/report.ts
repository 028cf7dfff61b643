// The CMSTP hunt report: stack counts (rarest first) of cmstp.exe runs by shape, parent, INF
// location, user, host and integrity; modules loaded by cmstp.exe and CMSTPLUA hosts; children
// of cmstp.exe and of elevated COM hosts; bursts per host and window; scored outliers. Every
// count comes from the database; only the scoring runs here, on those counts.

import {
  BASELINE_DIMENSIONS,
  INVOCATION_DIMENSIONS,
  STACK_DIMENSIONS,
  burstQuery,
  cmstpHostsQuery,
  combinationQuery,
  overviewQuery,
  populationQuery,
  stackQuery,
  stackTotalQuery,
  type Baseline,
  type QueryContext,
  type StackDimension,
} from './queries.js';
import { scoreOutliers, type Combination, type DimensionPopulation, type Outlier } from './outliers.js';
import { num, str, type HuntStore } from './store.js';

export const STACK_TITLES: Readonly<Record<StackDimension, string>> = {
  'cmstp.shape': 'cmstp.exe by command-line shape',
  'cmstp.parent': 'cmstp.exe by parent',
  'cmstp.inf_class': 'cmstp.exe by INF location',
  'cmstp.user': 'cmstp.exe by user',
  'cmstp.host': 'cmstp.exe by host',
  'cmstp.integrity': 'cmstp.exe by integrity level',
  'modules.cmstp': 'modules loaded by cmstp.exe',
  'modules.cmstplua': 'modules loaded by CMSTPLUA DllHost processes',
  'children.cmstp': 'children of cmstp.exe',
  'children.elevated_com': 'children of elevated COM DllHost processes',
};

export interface StackRow {
  key: string;
  count: number;
  hosts: number;
  firstSeen: string | null;
  lastSeen: string | null;
  example: string;
}

export interface Stack {
  dim: StackDimension;
  title: string;
  /** Events in the stack and distinct keys (all of them, not only the rows shown). */
  events: number;
  distinct: number;
  rows: StackRow[];
}

export interface Burst {
  host: string;
  windowStart: string | null;
  count: number;
  shapes: number;
  example: string;
}

export interface HuntOverview {
  events: number;
  hosts: number;
  firstSeen: string | null;
  lastSeen: string | null;
  cmstpRuns: number;
}

export interface OutlierView extends Omit<Outlier, 'firstSeen' | 'lastSeen'> {
  firstSeen: string | null;
  lastSeen: string | null;
  /** The combination's values by dimension id. */
  dimensions: Record<string, string>;
}

export interface HuntReport {
  engine: 'duckdb' | 'clickhouse';
  overview: HuntOverview;
  baseline: boolean;
  windowSeconds: number;
  stacks: Stack[];
  bursts: Burst[];
  outliers: OutlierView[];
}

export interface HuntOptions {
  /** Rows per stack (rarest first). */
  limit?: number;
  /** Known-good values: only what is outside them is reported. */
  baseline?: Baseline;
  /** Burst window, and the runs per host and window that make a burst. */
  windowSeconds?: number;
  burstMin?: number;
  outlierLimit?: number;
  /** Cap on distinct values fetched per dimension for scoring. */
  populationCap?: number;
}

/** ISO text of epoch seconds; null for 0 (no time in the source). */
export function isoSeconds(sec: number): string | null {
  if (!Number.isFinite(sec) || sec <= 0) return null;
  return new Date(sec * 1000).toISOString().replace('.000Z', 'Z');
}

export async function runHunt(store: HuntStore, options: HuntOptions = {}): Promise<HuntReport> {
  const limit = options.limit ?? 20;
  const ctx: QueryContext = { dialect: store.dialect, table: store.table };
  if (options.baseline !== undefined) ctx.baseline = options.baseline;
  const o = (await store.query(overviewQuery(ctx)))[0] ?? {};
  const overview: HuntOverview = {
    events: num(o['n']),
    hosts: num(o['hosts']),
    firstSeen: isoSeconds(num(o['first_seen'])),
    lastSeen: isoSeconds(num(o['last_seen'])),
    cmstpRuns: num(o['cmstp']),
  };

  const stacks: Stack[] = [];
  for (const dim of STACK_DIMENSIONS) {
    const total = (await store.query(stackTotalQuery(ctx, dim)))[0] ?? {};
    const rows = await store.query(stackQuery(ctx, dim, limit));
    stacks.push({
      dim,
      title: STACK_TITLES[dim],
      events: num(total['n']),
      distinct: num(total['distinct_keys']),
      rows: rows.map((r) => ({
        key: str(r['k']),
        count: num(r['n']),
        hosts: num(r['hosts']),
        firstSeen: isoSeconds(num(r['first_seen'])),
        lastSeen: isoSeconds(num(r['last_seen'])),
        example: str(r['example']),
      })),
    });
  }

  const windowSeconds = options.windowSeconds ?? 600;
  const bursts: Burst[] = (await store.query(burstQuery(ctx, windowSeconds, options.burstMin ?? 3, limit))).map((r) => ({
    host: str(r['host']),
    windowStart: isoSeconds(num(r['window_start'])),
    count: num(r['n']),
    shapes: num(r['shapes']),
    example: str(r['example']),
  }));

  // Scoring: value counts over every run (not only the new ones), then each combination.
  const cap = options.populationCap ?? 100_000;
  const populations: DimensionPopulation[] = [];
  for (const d of INVOCATION_DIMENSIONS) {
    const values = new Map<string, { n: number; hosts: number }>();
    for (const r of await store.query(populationQuery(ctx, d.column, cap))) values.set(str(r['k']), { n: num(r['n']), hosts: num(r['hosts']) });
    populations.push({ dim: d.dim, label: d.label, values });
  }
  const hostRows = await store.query(cmstpHostsQuery(ctx));
  const combos: Combination[] = (await store.query(combinationQuery(ctx, cap))).map((r) => ({
    values: INVOCATION_DIMENSIONS.map((_d, i) => str(r[`d${i}`])),
    n: num(r['n']),
    hosts: num(r['hosts']),
    exampleHost: str(r['example_host']),
    firstSeen: num(r['first_seen']),
    lastSeen: num(r['last_seen']),
    example: str(r['example']),
  }));
  const scoreOpts: Parameters<typeof scoreOutliers>[2] = { total: overview.cmstpRuns, totalHosts: num(hostRows[0]?.['hosts']) };
  if (options.baseline !== undefined) scoreOpts.baseline = options.baseline;
  const outliers: OutlierView[] = scoreOutliers(populations, combos, scoreOpts)
    .slice(0, options.outlierLimit ?? limit)
    .map((x) => ({
      ...x,
      firstSeen: isoSeconds(x.firstSeen),
      lastSeen: isoSeconds(x.lastSeen),
      dimensions: Object.fromEntries(INVOCATION_DIMENSIONS.map((d, i) => [d.dim, x.values[i] ?? ''])),
    }));

  return { engine: store.dialect.name, overview, baseline: options.baseline !== undefined, windowSeconds, stacks, bursts, outliers };
}

// ---- Baselines ---------------------------------------------------------------------------

export const BASELINE_FORMAT = 'cmstp-hunt-baseline';
/** Caps on a baseline file read back: values per dimension and characters per value. */
export const MAX_BASELINE_VALUES = 100_000;
export const MAX_BASELINE_VALUE_LENGTH = 8192;

export interface BaselineFile {
  format: typeof BASELINE_FORMAT;
  version: 1;
  savedAt: string;
  engine: string;
  events: number;
  cmstpRuns: number;
  firstSeen: string | null;
  lastSeen: string | null;
  values: Baseline;
}

/** Every value of every baselined dimension, as the known-good set. */
export async function collectBaseline(store: HuntStore, now: Date = new Date()): Promise<BaselineFile> {
  const ctx: QueryContext = { dialect: store.dialect, table: store.table };
  const o = (await store.query(overviewQuery(ctx)))[0] ?? {};
  const values: Record<string, string[]> = {};
  for (const dim of BASELINE_DIMENSIONS) {
    // A baseline cut to the rarest values would drop the common ones: refuse instead.
    const distinct = num((await store.query(stackTotalQuery(ctx, dim)))[0]?.['distinct_keys']);
    if (distinct > MAX_BASELINE_VALUES) throw new Error(`${dim} has ${distinct} distinct values, over the baseline cap of ${MAX_BASELINE_VALUES}`);
    const rows = await store.query(stackQuery(ctx, dim, MAX_BASELINE_VALUES));
    values[dim] = rows.map((r) => str(r['k'])).sort();
  }
  return {
    format: BASELINE_FORMAT,
    version: 1,
    savedAt: now.toISOString(),
    engine: store.dialect.name,
    events: num(o['n']),
    cmstpRuns: num(o['cmstp']),
    firstSeen: isoSeconds(num(o['first_seen'])),
    lastSeen: isoSeconds(num(o['last_seen'])),
    values: values,
  };
}

export type BaselineParse = { ok: true; baseline: Baseline } | { ok: false; error: string };

/** Reads a baseline file's text: shape-checked and capped, errors as data. */
export function parseBaseline(text: string): BaselineParse {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `not JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (doc === null || typeof doc !== 'object' || (doc as { format?: unknown }).format !== BASELINE_FORMAT) {
    return { ok: false, error: `not a baseline file (format must be "${BASELINE_FORMAT}")` };
  }
  const v = (doc as { version?: unknown }).version;
  if (v !== 1) return { ok: false, error: `unsupported baseline version ${JSON.stringify(v)}` };
  const values = (doc as { values?: unknown }).values;
  if (values === null || typeof values !== 'object' || Array.isArray(values)) return { ok: false, error: '"values" must be an object' };
  const out: Partial<Record<StackDimension, string[]>> = {};
  for (const dim of BASELINE_DIMENSIONS) {
    const list = (values as Record<string, unknown>)[dim];
    if (list === undefined) continue;
    if (!Array.isArray(list) || !list.every((x): x is string => typeof x === 'string')) return { ok: false, error: `values.${dim} must be a list of strings` };
    if (list.length > MAX_BASELINE_VALUES) return { ok: false, error: `values.${dim} has ${list.length} values, over the cap of ${MAX_BASELINE_VALUES}` };
    if (list.some((x) => x.length > MAX_BASELINE_VALUE_LENGTH)) return { ok: false, error: `values.${dim} has a value longer than ${MAX_BASELINE_VALUE_LENGTH} characters` };
    out[dim] = list;
  }
  return { ok: true, baseline: out };
}
