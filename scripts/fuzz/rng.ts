// A small seeded generator (mulberry32 over a 32-bit state mixed from the run seed, the target
// name and the case number), so that a case is a pure function of (seed, target, case): any
// failure printed by the runner can be replayed alone with `--replay target:case`.

export class Rng {
  private s: number;

  constructor(seed: number) {
    this.s = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** Index in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.below(items.length)]!;
  }

  /** One of `common`, or now and then (probability `p`) one of `rare`: the big, slow inputs. */
  sized<T>(common: readonly T[], rare: readonly T[], p = 0.1): T {
    return this.chance(p) ? this.pick(rare) : this.pick(common);
  }

  /** Small sizes often, large ones sometimes: 2^k for a uniform k in [0, maxLog2], then jittered. */
  size(maxLog2: number): number {
    const k = this.int(0, maxLog2);
    return Math.max(0, (1 << k) + this.int(-1, 1));
  }
}

/** FNV-1a over a string: mixes the target name into the case seed. */
function fnv(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** The generator for one case. */
export function caseRng(seed: number, target: string, index: number): Rng {
  let h = fnv(`${target}:${seed}`) ^ Math.imul(index + 1, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return new Rng((h ^ (h >>> 16)) >>> 0);
}
