// `cmstp-hunt query`: ad-hoc SQL over the events table (DuckDB or ClickHouse), as a table,
// JSON lines, CSV or HTML.

import type { Command } from 'commander';
import { OUTPUT_FORMATS, renderRows, type OutputFormat } from '../../hunt/render.js';
import type { HuntStore } from '../../hunt/store.js';
import { Output } from '../output.js';
import { safeText } from '../safe-text.js';
import { addStoreOptions, openStore, storeOptions, usageError } from './load.js';

/** Longest SQL text accepted. */
const MAX_SQL = 1 << 20;
/** Rows printed at most; more are cut with a note on stderr. */
const DEFAULT_MAX_ROWS = 100_000;

export function parseFormat(v: unknown): OutputFormat | null {
  return typeof v === 'string' && (OUTPUT_FORMATS as readonly string[]).includes(v) ? (v as OutputFormat) : null;
}

export function registerQuery(program: Command, setExit: (code: number) => void): void {
  const cmd = program
    .command('query')
    .description('run SQL over the events table (see docs/hunt.md for its columns)')
    .argument('<sql>', 'the query, e.g. "SELECT cmd_shape, count(*) AS n FROM events GROUP BY 1 ORDER BY n"')
    .option('-f, --format <format>', `output: ${OUTPUT_FORMATS.join(', ')}`, 'table')
    .option('-o, --output <file>', 'write here instead of stdout')
    .option('--max-rows <n>', 'print at most this many rows', String(DEFAULT_MAX_ROWS));
  addStoreOptions(cmd).action(async (sql: string, raw: Record<string, unknown>) => {
    const so = storeOptions(raw);
    if (!so.ok) return usageError(so.error, setExit);
    if (so.options.db === undefined && so.options.clickhouse === undefined) return usageError('query needs --db <file> or --clickhouse <url>', setExit);
    const format = parseFormat(raw['format']);
    if (format === null) return usageError(`unknown format ${safeText(String(raw['format']))} (${OUTPUT_FORMATS.join(', ')})`, setExit);
    if (sql.length > MAX_SQL) return usageError(`the query is ${sql.length} characters; at most ${MAX_SQL}`, setExit);
    const maxRows = Number(raw['maxRows']);
    if (!Number.isInteger(maxRows) || maxRows < 1 || maxRows > 100_000_000) return usageError('--max-rows must be a whole number from 1 to 100000000', setExit);
    let store: HuntStore | null = null;
    try {
      store = await openStore(so.options);
      const { columns, rows, truncated } = await store.queryWithColumns(sql, maxRows);
      if (truncated) process.stderr.write(`query: output cut at ${maxRows} rows (--max-rows)\n`);
      const out = new Output(typeof raw['output'] === 'string' ? raw['output'] : undefined);
      await out.write(renderRows(columns, rows, format, safeText));
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
