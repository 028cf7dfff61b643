// The targets by `--target` name. SQL dialects (DuckDB, ClickHouse) join here as further tables
// once the `load` command defines the tables they query.

import type { Dialect } from './dialect.js';
import { KqlMde, KqlSentinel } from './targets/kql.js';

export const TEXT_TARGETS: ReadonlyMap<string, () => Dialect> = new Map<string, () => Dialect>([
  ['kql-sentinel', () => new KqlSentinel()],
  ['kql-mde', () => new KqlMde()],
]);

/** Every `--target` name, `sigma` included. */
export function targetNames(): string[] {
  return [...TEXT_TARGETS.keys(), 'sigma'];
}

export function dialectFor(target: string): Dialect | null {
  const make = TEXT_TARGETS.get(target);
  return make === undefined ? null : make();
}
