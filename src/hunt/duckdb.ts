// The embedded store: a DuckDB file (or memory). Rows go through an appender into a staging
// table, then one anti-join moves the keys not yet stored into `events`, so reloading the same
// inputs adds nothing.

import { randomBytes } from 'node:crypto';
import { DuckDBInstance, DuckDBTimestampValue, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import { DUCKDB, quoteIdent } from './dialect.js';
import { COLUMNS, type Row } from './schema.js';
import { cell, type HuntStore, type LoadResult, type Loader, type QueryResult, type ResultRow } from './store.js';

export class DuckDbStore implements HuntStore {
  readonly dialect = DUCKDB;
  readonly table: string;
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    table: string,
  ) {
    this.table = table;
  }

  /** Opens (or creates) a database file; `:memory:` for a throwaway one. */
  static async open(path: string, table = 'events'): Promise<DuckDbStore> {
    const instance = await DuckDBInstance.create(path);
    const conn = await instance.connect();
    return new DuckDbStore(instance, conn, table);
  }

  async init(): Promise<void> {
    for (const sql of this.dialect.createTable(this.table)) await this.conn.run(sql);
  }

  async loader(): Promise<Loader> {
    const staging = `_staging_${randomBytes(6).toString('hex')}`;
    await this.conn.run(`CREATE TABLE ${quoteIdent(staging)} AS SELECT * FROM ${quoteIdent(this.table)} LIMIT 0`);
    const appender = await this.conn.createAppender(staging);
    return new DuckDbLoader(this.conn, appender, staging, this.table);
  }

  async query(sql: string): Promise<ResultRow[]> {
    return (await this.queryWithColumns(sql)).rows;
  }

  async queryWithColumns(sql: string, maxRows?: number): Promise<QueryResult> {
    const reader = maxRows === undefined ? await this.conn.runAndReadAll(sql) : await this.conn.streamAndReadUntil(sql, maxRows + 1);
    const columns = reader.columnNames();
    let all = reader.getRowsJS();
    const truncated = maxRows !== undefined && (all.length > maxRows || !reader.done);
    if (maxRows !== undefined && all.length > maxRows) all = all.slice(0, maxRows);
    const rows = all.map((r) => {
      const o = Object.create(null) as ResultRow;
      columns.forEach((name, i) => (o[name] = cell(r[i])));
      return o;
    });
    return { columns, rows, truncated };
  }

  close(): Promise<void> {
    this.conn.closeSync();
    this.instance.closeSync();
    return Promise.resolve();
  }
}

/** Rows staged before they are merged into the table (bounds the anti-join's memory). */
const MERGE_EVERY = 1_000_000;

class DuckDbLoader implements Loader {
  private rows = 0;
  private staged = 0;
  private inserted = 0;
  constructor(
    private readonly conn: DuckDBConnection,
    private appender: DuckDBAppender,
    private readonly staging: string,
    private readonly table: string,
  ) {}

  async append(row: Row): Promise<void> {
    const a = this.appender;
    for (let i = 0; i < COLUMNS.length; i++) {
      const v = row[i];
      const kind = COLUMNS[i]!.kind;
      if (v === null || v === undefined) a.appendNull();
      else if (kind === 'time') a.appendTimestamp(new DuckDBTimestampValue(BigInt(v) * 1_000_000n));
      else if (kind === 'int') a.appendBigInt(BigInt(v));
      else a.appendVarchar(String(v));
    }
    a.endRow();
    this.rows++;
    if (++this.staged >= MERGE_EVERY) {
      await this.merge();
      this.appender = await this.conn.createAppender(this.staging);
    }
  }

  /** Moves staged rows with keys not yet stored into the table, and empties the staging table. */
  private async merge(): Promise<void> {
    this.appender.flushSync();
    this.appender.closeSync();
    const s = quoteIdent(this.staging);
    const t = quoteIdent(this.table);
    const r = await this.conn.run(`INSERT INTO ${t} SELECT DISTINCT ON (event_key) * FROM ${s} WHERE event_key NOT IN (SELECT event_key FROM ${t})`);
    this.inserted += r.rowsChanged;
    await this.conn.run(`DELETE FROM ${s}`);
    this.staged = 0;
  }

  async finish(): Promise<LoadResult> {
    try {
      await this.merge();
      return { rows: this.rows, inserted: this.inserted, duplicates: this.rows - this.inserted };
    } finally {
      await this.conn.run(`DROP TABLE IF EXISTS ${quoteIdent(this.staging)}`);
    }
  }

  async abort(): Promise<void> {
    try {
      this.appender.closeSync();
    } catch {
      // Already closed: nothing staged to keep.
    }
    await this.conn.run(`DROP TABLE IF EXISTS ${quoteIdent(this.staging)}`);
  }
}
