// The targets by `--target` name. SQL dialects (DuckDB, ClickHouse) join here as further tables
// once the `load` command defines the tables they query.

import type { Dialect } from './dialect.js';
import { Eql } from './targets/eql.js';
import { Esql } from './targets/esql.js';
import { KqlMde, KqlSentinel } from './targets/kql.js';
import { LogPoint } from './targets/logpoint.js';
import { Lucene } from './targets/lucene.js';
import { Spl } from './targets/spl.js';

export const TEXT_TARGETS: ReadonlyMap<string, () => Dialect> = new Map<string, () => Dialect>([
  ['kql-sentinel', () => new KqlSentinel()],
  ['kql-mde', () => new KqlMde()],
  ['spl', () => new Spl()],
  ['esql', () => new Esql()],
  ['eql', () => new Eql()],
  ['lucene', () => new Lucene()],
  ['logpoint', () => new LogPoint()],
]);

/** Every `--target` name, `sigma` included. */
export function targetNames(): string[] {
  return [...TEXT_TARGETS.keys(), 'sigma'];
}

export function dialectFor(target: string): Dialect | null {
  const make = TEXT_TARGETS.get(target);
  return make === undefined ? null : make();
}
