// Every fuzz target by name, in the order the runner reports them.

import { evtxTarget } from './evtx-target.js';
import { infTarget } from './inf-target.js';
import { sigmaTarget } from './sigma-target.js';
import { csvTarget, jsonTarget, xmlTarget } from './sources-target.js';
import type { FuzzTarget } from './target.js';

/** Each target keeps its own corpus type; the runner only hands a target back what it loaded. */
export const TARGETS: ReadonlyArray<FuzzTarget<unknown>> = [evtxTarget, jsonTarget, xmlTarget, csvTarget, infTarget, sigmaTarget];

export const TARGET_NAMES: readonly string[] = TARGETS.map((t) => t.name);

export function targetNamed(name: string): FuzzTarget<unknown> | undefined {
  return TARGETS.find((t) => t.name === name);
}
