// The targets by `--target` name. The SQL dialects (DuckDB, ClickHouse) query the `events` table
// that `cmstp-hunt load` fills (targets/sql.ts, docs/hunt.md).

import { loadRules } from '../sigma/load.js';
import type { SigmaRule } from '../sigma/rule.js';
import { compileQuery } from './compile.js';
import { compileCorrelation } from './correlate.js';
import type { Dialect } from './dialect.js';
import { unsupported } from './errors.js';
import type { Target } from './export.js';
import { renderSigmaCorrelation, renderSigmaRule } from './sigma-yaml.js';
import { Eql } from './targets/eql.js';
import { Esql } from './targets/esql.js';
import { KqlMde, KqlSentinel } from './targets/kql.js';
import { LogPoint } from './targets/logpoint.js';
import { Lucene } from './targets/lucene.js';
import { Spl } from './targets/spl.js';
import { SqlClickHouse, SqlDuckDb } from './targets/sql.js';

export const TEXT_TARGETS: ReadonlyMap<string, () => Dialect> = new Map<string, () => Dialect>([
  ['kql-sentinel', () => new KqlSentinel()],
  ['kql-mde', () => new KqlMde()],
  ['spl', () => new Spl()],
  ['esql', () => new Esql()],
  ['eql', () => new Eql()],
  ['lucene', () => new Lucene()],
  ['logpoint', () => new LogPoint()],
  ['sql-duckdb', () => new SqlDuckDb()],
  ['sql-clickhouse', () => new SqlClickHouse()],
]);

/** Every `--target` name, `sigma` included. */
export function targetNames(): string[] {
  return [...TEXT_TARGETS.keys(), 'sigma'];
}

export function dialectFor(target: string): Dialect | null {
  const make = TEXT_TARGETS.get(target);
  return make === undefined ? null : make();
}

/** A text dialect as an export target. */
export function dialectTarget(d: Dialect): Target {
  const t: Target = { id: d.id, extension: d.extension, comment: (l) => d.comment(l), compile: (rule) => compileQuery(d, rule) };
  if (d.correlate !== undefined) t.correlate = (c, rules) => compileCorrelation(d, c, rules);
  return t;
}

/** Plain Sigma YAML; each document is loaded back before it is given out, so it always reads. */
export const SIGMA_TARGET: Target = {
  id: 'sigma',
  extension: 'yml',
  comment: (line) => `# ${line}`,
  compile(rule: SigmaRule) {
    const query = renderSigmaRule(rule);
    const back = loadRules(query, rule.file);
    const error = back.diagnostics.find((d) => d.severity === 'error');
    if (error !== undefined) unsupported('condition', `the written rule does not load back: ${error.message}`);
    if (back.rules.length !== 1) unsupported('condition', `the written rule loads back as ${back.rules.length} rules`);
    return { query, notes: [] };
  },
  correlate(c) {
    const query = renderSigmaCorrelation(c);
    const back = loadRules(query, c.file);
    const error = back.diagnostics.find((d) => d.severity === 'error');
    if (error !== undefined) unsupported('correlation', `the written correlation does not load back: ${error.message}`);
    if (back.correlations.length !== 1) unsupported('correlation', 'the written correlation does not load back as one');
    return { query, notes: [] };
  },
};

export function targetFor(name: string): Target | null {
  if (name === 'sigma') return SIGMA_TARGET;
  const d = dialectFor(name);
  return d === null ? null : dialectTarget(d);
}
