// The scale-out store: ClickHouse over its HTTP interface with plain `fetch` (the Debian 12
// server, 18.16, predates what @clickhouse/client expects). Rows go as JSONEachRow into a Log
// staging table in chunks; each chunk moves into `events` by one INSERT … SELECT that skips event
// keys already stored (looked up only within the chunk's hosts and time range, which the ordering
// key serves), so the deduplication runs inside ClickHouse.

import { randomBytes } from 'node:crypto';
import { CLICKHOUSE, quoteIdent } from './dialect.js';
import { COLUMNS, type Row } from './schema.js';
import { cell, num, type HuntStore, type LoadResult, type Loader, type QueryResult, type ResultRow } from './store.js';

/** Bytes of JSONEachRow sent per INSERT request. */
const SEND_AT = 8 << 20;
/** Rows staged before they are merged into the table (bounds the server's dedupe sets). */
const MERGE_EVERY = 1_000_000;
/** Largest response body read (a runaway ad-hoc query must not exhaust memory). */
const MAX_RESPONSE = 512 << 20;

export class ClickHouseError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ClickHouseError';
  }
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Epoch seconds as ClickHouse's DateTime text (UTC). */
export function dateTimeText(sec: number): string {
  const d = new Date(sec * 1000);
  return `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

export class ClickHouseStore implements HuntStore {
  readonly dialect = CLICKHOUSE;
  readonly table: string;
  private readonly base: URL;
  private readonly headers: Record<string, string> = {};
  private readonly database: string | null;

  /** `url`: `http://host:8123/?database=hunt` (user and password may be given as `http://user:pass@host`). */
  constructor(url: string, table = 'events') {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ClickHouseError(`not an http(s) URL: ${u.protocol}`, 0);
    if (u.username !== '' || u.password !== '') {
      this.headers['Authorization'] = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
      u.username = '';
      u.password = '';
    }
    this.database = u.searchParams.get('database');
    this.base = u;
    this.table = table;
  }

  private url(params: Record<string, string>, withDatabase = true): string {
    const u = new URL(this.base.toString());
    if (!withDatabase) u.searchParams.delete('database');
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    return u.toString();
  }

  /** Sends `body` (a statement, or rows for the statement in `query`); returns the response text. */
  async request(body: string, params: Record<string, string> = {}, withDatabase = true): Promise<string> {
    let res: Response;
    try {
      res = await fetch(this.url(params, withDatabase), { method: 'POST', body, headers: this.headers });
    } catch (err) {
      const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
      throw new ClickHouseError(`cannot reach ClickHouse at ${this.base.origin}${cause}`, 0);
    }
    const text = await readCapped(res);
    if (!res.ok) throw new ClickHouseError(text.trim().slice(0, 2000) || `HTTP ${res.status}`, res.status);
    return text;
  }

  async init(): Promise<void> {
    if (this.database !== null) await this.request(`CREATE DATABASE IF NOT EXISTS ${quoteIdent(this.database)}`, {}, false);
    for (const sql of this.dialect.createTable(this.table)) await this.request(sql);
  }

  async loader(): Promise<Loader> {
    const staging = `_staging_${randomBytes(6).toString('hex')}`;
    await this.request(`CREATE TABLE ${quoteIdent(staging)} AS ${quoteIdent(this.table)} ENGINE = Log`);
    return new ClickHouseLoader(this, staging, this.table);
  }

  async query(sql: string): Promise<ResultRow[]> {
    return (await this.queryWithColumns(sql)).rows;
  }

  async queryWithColumns(sql: string, maxRows?: number): Promise<QueryResult> {
    const settings: Record<string, string> = maxRows === undefined ? {} : { max_result_rows: String(maxRows + 1), result_overflow_mode: 'break' };
    const text = await this.request(`${sql.trim().replace(/;\s*$/, '')}\nFORMAT JSON`, settings);
    const parsed = JSON.parse(text) as { meta?: { name: string; type: string }[]; data?: Record<string, unknown>[] };
    const meta = parsed.meta ?? [];
    const columns = meta.map((m) => m.name);
    // JSON quotes 64-bit integers; numbers they are, when they fit.
    const integer = new Set(meta.filter((m) => /^(Nullable\()?U?Int64\b/.test(m.type)).map((m) => m.name));
    const rows = (parsed.data ?? []).map((r) => {
      const o = Object.create(null) as ResultRow;
      for (const name of columns) {
        const v = r[name];
        o[name] = integer.has(name) && typeof v === 'string' && Number.isSafeInteger(Number(v)) ? Number(v) : cell(v);
      }
      return o;
    });
    const truncated = maxRows !== undefined && rows.length > maxRows;
    return { columns, rows: truncated ? rows.slice(0, maxRows) : rows, truncated };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

async function readCapped(res: Response): Promise<string> {
  const len = Number(res.headers.get('content-length') ?? '0');
  if (len > MAX_RESPONSE) throw new ClickHouseError(`response of ${len} bytes is over the ${MAX_RESPONSE}-byte cap`, res.status);
  if (res.body === null) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > MAX_RESPONSE) throw new ClickHouseError(`response over the ${MAX_RESPONSE}-byte cap: add a LIMIT`, res.status);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

class ClickHouseLoader implements Loader {
  private buffer: string[] = [];
  private bytes = 0;
  private rows = 0;
  private staged = 0;
  private inserted = 0;

  constructor(
    private readonly store: ClickHouseStore,
    private readonly staging: string,
    private readonly table: string,
  ) {}

  async append(row: Row): Promise<void> {
    const o: Record<string, string | number | null> = {};
    for (let i = 0; i < COLUMNS.length; i++) {
      const col = COLUMNS[i]!;
      const v = row[i] ?? null;
      o[col.name] = col.kind === 'time' ? dateTimeText(typeof v === 'number' ? v : 0) : v;
    }
    const line = JSON.stringify(o);
    this.buffer.push(line);
    this.bytes += line.length + 1;
    this.rows++;
    this.staged++;
    if (this.bytes >= SEND_AT) await this.send();
    if (this.staged >= MERGE_EVERY) await this.merge();
  }

  private async send(): Promise<void> {
    if (this.buffer.length === 0) return;
    const body = this.buffer.join('\n') + '\n';
    this.buffer = [];
    this.bytes = 0;
    await this.store.request(body, { query: `INSERT INTO ${quoteIdent(this.staging)} FORMAT JSONEachRow` });
  }

  private async merge(): Promise<void> {
    await this.send();
    if (this.staged === 0) return;
    const s = quoteIdent(this.staging);
    const t = quoteIdent(this.table);
    const before = await this.count();
    await this.store.request(
      `INSERT INTO ${t} SELECT * FROM ${s} WHERE event_key NOT IN (SELECT event_key FROM ${t} ` +
        `WHERE host IN (SELECT DISTINCT host FROM ${s}) AND time >= (SELECT min(time) FROM ${s}) AND time <= (SELECT max(time) FROM ${s})) ` +
        `LIMIT 1 BY event_key`,
    );
    this.inserted += (await this.count()) - before;
    await this.store.request(`TRUNCATE TABLE ${s}`).catch(async () => {
      // Old servers cannot truncate a Log table: recreate it.
      await this.store.request(`DROP TABLE ${s}`);
      await this.store.request(`CREATE TABLE ${s} AS ${t} ENGINE = Log`);
    });
    this.staged = 0;
  }

  private async count(): Promise<number> {
    const rows = await this.store.query(`SELECT count(*) AS n FROM ${quoteIdent(this.table)}`);
    return num(rows[0]?.['n']);
  }

  async finish(): Promise<LoadResult> {
    try {
      await this.merge();
    } finally {
      await this.store.request(`DROP TABLE IF EXISTS ${quoteIdent(this.staging)}`);
    }
    return { rows: this.rows, inserted: this.inserted, duplicates: this.rows - this.inserted };
  }

  async abort(): Promise<void> {
    this.buffer = [];
    await this.store.request(`DROP TABLE IF EXISTS ${quoteIdent(this.staging)}`);
  }
}
