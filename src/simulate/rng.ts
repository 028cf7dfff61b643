// A small seeded generator (mulberry32 over an FNV-1a seed), so simulated telemetry is the
// same bytes on every run for the same procedure, host and seed.

import { createHash } from 'node:crypto';

export class Rng {
  private state: number;

  constructor(seed: string) {
    let h = 0x811c9dc5;
    for (let i = 0; i < seed.length; i++) {
      h ^= seed.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    this.state = h;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** A Windows process id: a multiple of 4. */
  pid(): number {
    return this.int(0x200, 0x3fff) * 4;
  }

  hex(digits: number): string {
    let s = '';
    for (let i = 0; i < digits; i++) s += this.int(0, 15).toString(16);
    return s.toUpperCase();
  }
}

/** Upper-case hex digest of a text (stable file hashes for a path and version). */
export function digest(algo: 'md5' | 'sha1' | 'sha256', text: string): string {
  return createHash(algo).update(text).digest('hex').toUpperCase();
}
