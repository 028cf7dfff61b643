// The few places where DuckDB and ClickHouse SQL differ, as one table per dialect. Every hunt
// query is written once against this interface (src/hunt/queries.ts), so both engines run the
// same logical query.

import { COLUMNS, type ColumnKind } from './schema.js';

export interface Dialect {
  name: 'duckdb' | 'clickhouse';
  /** A string literal. */
  str(s: string): string;
  /** Epoch seconds of the `time` column, as an integer. */
  epoch(col: string): string;
  /** An integer column as text. */
  intText(col: string): string;
  /** The column type of a kind, nullable unless the column is part of the key. */
  type(kind: ColumnKind, nullable: boolean): string;
  /** Statements creating the events table (and nothing when it exists). */
  createTable(table: string): string[];
}

/** Columns that can never be null: the dedupe and ordering key. */
export const KEY_COLUMNS: ReadonlySet<string> = new Set(['event_key', 'time', 'host']);

function columnList(d: Dialect): string {
  return COLUMNS.map((c) => `  ${quoteIdent(c.name)} ${d.type(c.kind, !KEY_COLUMNS.has(c.name))}`).join(',\n');
}

/** `user` is a keyword in both dialects: identifiers are always quoted. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export const DUCKDB: Dialect = {
  name: 'duckdb',
  str: (s) => `'${s.replace(/'/g, "''")}'`,
  epoch: (col) => `CAST(epoch(${col}) AS BIGINT)`,
  intText: (col) => `CAST(${col} AS VARCHAR)`,
  type: (kind, nullable) => {
    const t = kind === 'string' ? 'VARCHAR' : kind === 'int' ? 'BIGINT' : 'TIMESTAMP';
    return nullable ? t : `${t} NOT NULL`;
  },
  createTable(table) {
    return [`CREATE TABLE IF NOT EXISTS ${quoteIdent(table)} (\n${columnList(this)}\n)`];
  },
};

export const CLICKHOUSE: Dialect = {
  name: 'clickhouse',
  str: (s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`,
  epoch: (col) => `toUInt32(${col})`,
  intText: (col) => `toString(${col})`,
  type: (kind, nullable) => {
    const t = kind === 'string' ? 'String' : kind === 'int' ? 'Int64' : "DateTime('UTC')";
    return nullable ? `Nullable(${t})` : t;
  },
  createTable(table) {
    // One server: ReplacingMergeTree keyed like the cluster layout in docs/hunt.md; rows with
    // the same event_key collapse on merge (a safety net under concurrent loaders; the loader
    // itself never inserts a key that is already stored).
    return [
      `CREATE TABLE IF NOT EXISTS ${quoteIdent(table)} (\n${columnList(this)}\n) ENGINE = ReplacingMergeTree PARTITION BY toYYYYMM(time) ORDER BY (host, time, event_key)`,
    ];
  },
};
