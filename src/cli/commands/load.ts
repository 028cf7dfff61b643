// `cmstp-hunt load`: normalised events into an embedded DuckDB file or a ClickHouse server, in
// bulk, without duplicating events already stored. Also the store opening and loading the hunt
// and query commands share.

import type { Command } from 'commander';
import { expandPaths } from '../../io/walk.js';
import { ClickHouseStore } from '../../hunt/clickhouse.js';
import { ingest, type IngestSummary } from '../../hunt/ingest.js';
import type { HuntStore } from '../../hunt/store.js';
import type { InputFormat, SourceDiagnostic } from '../../sources/types.js';
import { safeText } from '../safe-text.js';

const INPUT_EXTENSIONS = /\.(evtx|xml|json|jsonl|ndjson|csv|log|txt)(\.gz)?$/i;
const INPUT_FORMATS: readonly InputFormat[] = ['evtx', 'xml', 'json', 'ndjson', 'csv'];

export interface StoreOptions {
  db?: string;
  clickhouse?: string;
  table: string;
}

/** Reads --db / --clickhouse / --table; null db and clickhouse means an in-memory DuckDB. */
export function storeOptions(raw: Record<string, unknown>): { ok: true; options: StoreOptions } | { ok: false; error: string } {
  const table = typeof raw['table'] === 'string' ? raw['table'] : 'events';
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(table)) return { ok: false, error: `--table must be a plain identifier, not ${safeText(table)}` };
  const o: StoreOptions = { table };
  if (typeof raw['db'] === 'string') o.db = raw['db'];
  if (typeof raw['clickhouse'] === 'string') o.clickhouse = raw['clickhouse'];
  if (o.db !== undefined && o.clickhouse !== undefined) return { ok: false, error: '--db and --clickhouse are exclusive' };
  return { ok: true, options: o };
}

export async function openStore(o: StoreOptions): Promise<HuntStore> {
  if (o.clickhouse !== undefined) return new ClickHouseStore(o.clickhouse, o.table);
  // Loaded on use: DuckDB is a native optional dependency, and the rest of the CLI works without it.
  let open: (path: string, table: string) => Promise<HuntStore>;
  try {
    const { DuckDbStore } = await import('../../hunt/duckdb.js');
    open = (path, table) => DuckDbStore.open(path, table);
  } catch (err) {
    throw new Error(`DuckDB is not available (npm install @duckdb/node-api), or use --clickhouse: ${err instanceof Error ? err.message : String(err)}`);
  }
  return open(o.db ?? ':memory:', o.table);
}

function describe(d: SourceDiagnostic): string {
  const where: string[] = [];
  if (d.line !== null) where.push(`line ${d.line}`);
  else if (d.offset !== null) where.push(`offset ${d.offset}`);
  if (d.recordId !== null) where.push(`record ${d.recordId}`);
  return `${d.severity}: ${safeText(d.path)}${where.length > 0 ? `: ${where.join(', ')}` : ''}: [${d.code}] ${safeText(d.message)}`;
}

export interface LoadCliOptions {
  inputFormat?: InputFormat;
  carve: boolean;
  verbose: boolean;
}

/** Expands and loads `paths`, reporting problems on stderr; null when nothing could be read. */
export async function loadPaths(store: HuntStore, paths: readonly string[], opts: LoadCliOptions): Promise<IngestSummary | null> {
  const { files, problems } = expandPaths(paths, { accept: (name) => INPUT_EXTENSIONS.test(name) });
  for (const p of problems) process.stderr.write(`error: ${safeText(p.path)}: ${safeText(p.reason)}\n`);
  const read: { format?: InputFormat; carve?: boolean } = { carve: opts.carve };
  if (opts.inputFormat !== undefined) read.format = opts.inputFormat;
  const summary = await ingest(store, files, {
    read,
    onDiagnostic: (d) => {
      if (d.severity === 'error' || opts.verbose) process.stderr.write(describe(d) + '\n');
    },
  });
  const rate = summary.elapsedMs > 0 ? Math.round((summary.rows * 1000) / summary.elapsedMs) : summary.rows;
  process.stderr.write(
    `load: ${summary.inputs} inputs, ${summary.rows} events, ${summary.inserted} new, ${summary.duplicates} already stored, ` +
      `${summary.rejected} rejected, ${summary.readErrors} read errors, ${summary.elapsedMs} ms (${rate} events/s) into ${store.dialect.name}\n`,
  );
  return files.length === 0 || (summary.rows === 0 && summary.readErrors > 0) ? null : summary;
}

export function loadCliOptions(raw: Record<string, unknown>): { ok: true; options: LoadCliOptions } | { ok: false; error: string } {
  const o: LoadCliOptions = { carve: raw['carve'] === true, verbose: raw['verbose'] === true };
  const f = raw['inputFormat'];
  if (f !== undefined) {
    if (typeof f !== 'string' || !(INPUT_FORMATS as readonly string[]).includes(f)) return { ok: false, error: `unknown input format ${safeText(typeof f === 'string' ? f : JSON.stringify(f))} (${INPUT_FORMATS.join(', ')})` };
    o.inputFormat = f as InputFormat;
  }
  return { ok: true, options: o };
}

/** Options every store-using command takes. */
export function addStoreOptions(cmd: Command): Command {
  return cmd
    .option('--db <file>', 'DuckDB database file (created when missing)')
    .option('--clickhouse <url>', 'ClickHouse HTTP URL instead, e.g. http://127.0.0.1:8123/?database=hunt')
    .option('--table <name>', 'events table name', 'events');
}

export function addInputOptions(cmd: Command): Command {
  return cmd
    .option('--input-format <format>', `force the input format: ${INPUT_FORMATS.join(', ')}`)
    .option('--carve', 'EVTX: also recover records from slack space', false)
    .option('-v, --verbose', 'print reader warnings too, not only errors', false);
}

export function usageError(message: string, setExit: (code: number) => void): void {
  process.stderr.write(`error: ${message}\n`);
  setExit(2);
}

export function registerLoad(program: Command, setExit: (code: number) => void): void {
  const cmd = program
    .command('load')
    .description('load normalised events into a DuckDB file (--db) or ClickHouse (--clickhouse) for hunting; reloading adds nothing')
    .argument('<paths...>', 'inputs, or directories searched recursively, or - for stdin');
  addInputOptions(addStoreOptions(cmd)).action(async (paths: string[], raw: Record<string, unknown>) => {
    const so = storeOptions(raw);
    if (!so.ok) return usageError(so.error, setExit);
    if (so.options.db === undefined && so.options.clickhouse === undefined) return usageError('load needs --db <file> or --clickhouse <url>', setExit);
    const lo = loadCliOptions(raw);
    if (!lo.ok) return usageError(lo.error, setExit);
    let store: HuntStore | null = null;
    try {
      store = await openStore(so.options);
      const summary = await loadPaths(store, paths, lo.options);
      setExit(summary === null ? 2 : 0);
    } catch (err) {
      process.stderr.write(`error: ${safeText(err instanceof Error ? err.message : String(err))}\n`);
      setExit(2);
    } finally {
      await store?.close();
    }
  });
}
