// One fuzz target: a reader (or loader) and the seeded generator of its hostile inputs.

import type { CaseReport } from './outcome.js';
import type { Rng } from './rng.js';

export interface FuzzTarget<Corpus = unknown> {
  name: string;
  /** The seeds, loaded once per worker. Throws when they cannot be found. */
  load(dataDir: string, root: string): Corpus;
  /** Builds case `index` from `rng`, runs the reader on it and checks what came out. */
  run(corpus: Corpus, rng: Rng, index: number): Promise<CaseReport> | CaseReport;
}
