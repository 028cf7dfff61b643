// What the hunt needs from a database: create the table, load rows in bulk without duplicating
// events already stored, and run SQL returning plain rows. DuckDB (embedded) and ClickHouse
// (HTTP) implement it.

import type { Dialect } from './dialect.js';
import type { Row } from './schema.js';

/** A result row: column name to string, number or null (64-bit integers as numbers). */
export type ResultRow = Record<string, string | number | null>;

export interface LoadResult {
  /** Rows handed to the loader. */
  rows: number;
  /** Rows newly stored (the rest were already there, or repeated within this load). */
  inserted: number;
  duplicates: number;
}

export interface QueryResult {
  columns: string[];
  rows: ResultRow[];
  /** Set when the result had more than the rows asked for. */
  truncated: boolean;
}

export interface Loader {
  append(row: Row): Promise<void>;
  /** Moves the staged rows into the table, skipping event keys already stored. */
  finish(): Promise<LoadResult>;
  /** Drops the staged rows. */
  abort(): Promise<void>;
}

export interface HuntStore {
  readonly dialect: Dialect;
  readonly table: string;
  /** Creates the events table when missing. */
  init(): Promise<void>;
  loader(): Promise<Loader>;
  query(sql: string): Promise<ResultRow[]>;
  /** A query's rows with its column names in order; at most `maxRows` (then `truncated`). */
  queryWithColumns(sql: string, maxRows?: number): Promise<QueryResult>;
  close(): Promise<void>;
}

/** Converts a value from a driver into a ResultRow cell. */
export function cell(v: unknown): string | number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object' && 'toString' in v && typeof v.toString === 'function') {
    const s = (v as { toString(): string }).toString();
    if (s !== '[object Object]') return s;
  }
  return JSON.stringify(v);
}

/** A numeric cell as a number (ClickHouse quotes 64-bit integers in JSON). */
export function num(v: string | number | null | undefined): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : 0;
  }
  return 0;
}

export function str(v: string | number | null | undefined): string {
  return v === null || v === undefined ? '' : String(v);
}
