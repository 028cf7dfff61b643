// Outlier scoring of cmstp.exe invocations. Each distinct combination of (command-line shape,
// parent, INF location, integrity) is scored by how surprising each of its values is among all
// runs: the sum over dimensions of log2(total runs / runs with that value), as if the dimensions
// were independent. The explanation names every value rarer than `rareShare` (or the rarest one),
// with its count, share and spread over hosts. Pure: the counts come from either database.

export interface ValueCount {
  n: number;
  hosts: number;
}

export interface DimensionPopulation {
  /** Stack dimension id (`cmstp.shape`, …). */
  dim: string;
  /** Human label (`command-line shape`). */
  label: string;
  values: ReadonlyMap<string, ValueCount>;
}

export interface Combination {
  /** One value per population dimension, in the same order. */
  values: readonly string[];
  n: number;
  hosts: number;
  exampleHost: string;
  firstSeen: number;
  lastSeen: number;
  example: string;
}

export interface Reason {
  dim: string;
  label: string;
  value: string;
  /** Runs with this value, and all runs. */
  count: number;
  total: number;
  /** Hosts with this value, and all hosts that ran cmstp.exe. */
  hosts: number;
  totalHosts: number;
  /** Bits of surprise this value adds to the score. */
  bits: number;
  /** Set when a baseline is in use and the value is not in it. */
  isNew: boolean;
}

export interface Outlier extends Combination {
  score: number;
  reasons: Reason[];
  /** One line: why this one is rare. */
  why: string;
}

export interface ScoreOptions {
  /** Total cmstp.exe runs and hosts that ran it. */
  total: number;
  totalHosts: number;
  /** Values at or below this share of runs are named as reasons (default 1%). */
  rareShare?: number;
  /** Known-good values per dimension; values outside are marked new. */
  baseline?: Readonly<Record<string, readonly string[]>>;
}

export function surprisal(count: number, total: number): number {
  if (count <= 0 || total <= 0) return 0;
  return Math.log2(total / Math.min(count, total));
}

function percent(count: number, total: number): string {
  const p = (100 * count) / total;
  return p >= 10 ? `${p.toFixed(0)}%` : p >= 0.01 ? `${p.toFixed(2)}%` : `${p.toExponential(1)}%`;
}

function describe(r: Reason): string {
  const shown = r.value === '' ? '(none)' : r.value;
  const fresh = r.isNew ? 'never seen in the baseline; ' : '';
  return `${r.label} ${shown}: ${fresh}${r.count} of ${r.total} cmstp.exe runs (${percent(r.count, r.total)}) on ${r.hosts} of ${r.totalHosts} hosts`;
}

/** Scores and explains every combination, most surprising first (ties: fewer runs, then values). */
export function scoreOutliers(populations: readonly DimensionPopulation[], combinations: readonly Combination[], options: ScoreOptions): Outlier[] {
  const rare = options.rareShare ?? 0.01;
  const total = Math.max(options.total, 1);
  const out: Outlier[] = combinations.map((combo) => {
    const reasons: Reason[] = populations.map((pop, i) => {
      const value = combo.values[i] ?? '';
      const vc = pop.values.get(value) ?? { n: combo.n, hosts: combo.hosts };
      const known = options.baseline?.[pop.dim];
      return {
        dim: pop.dim,
        label: pop.label,
        value,
        count: vc.n,
        total,
        hosts: vc.hosts,
        totalHosts: options.totalHosts,
        bits: surprisal(vc.n, total),
        isNew: known !== undefined && !known.includes(value),
      };
    });
    const score = reasons.reduce((s, r) => s + r.bits, 0);
    let named = reasons.filter((r) => r.isNew || r.count / total <= rare);
    if (named.length === 0) {
      const top = reasons.reduce<Reason | null>((best, r) => (best === null || r.bits > best.bits ? r : best), null);
      named = top === null ? [] : [top];
    }
    named.sort((a, b) => b.bits - a.bits || a.dim.localeCompare(b.dim));
    return { ...combo, score: Math.round(score * 100) / 100, reasons: named, why: named.map(describe).join('; ') };
  });
  out.sort((a, b) => b.score - a.score || a.n - b.n || compareValues(a.values, b.values));
  return out;
}

function compareValues(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
