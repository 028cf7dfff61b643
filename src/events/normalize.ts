// One interpreter for every mapping table: a source record in, an Event out. Tables are data
// (tables/*.ts); this file only knows how to read them.

import { Fields } from './fields.js';
import type { FieldValue } from './fields.js';
import type { EventMapping, FieldSource, MappingTable } from './mapping.js';
import type { Category, Event } from './model.js';
import { TRANSFORMS } from './transforms.js';
import type { Origin, SourceRecord } from './origin.js';
import { normalizeTime } from './time.js';

const HEADER_ORIGIN: Origin = { path: '', format: 'evtx', shape: 'evtx', recordId: null, line: null, offset: null, recovered: false };

/** Windows writes `-` for "none"; empty strings say the same. */
function present(v: FieldValue | undefined): v is FieldValue {
  return v !== undefined && v !== null && v !== '' && v !== '-';
}

function resolve(src: FieldSource, view: Fields): FieldValue | undefined {
  if (typeof src === 'string') {
    const v = view.get(src);
    return present(v) ? v : undefined;
  }
  if ('const' in src) return src.const;
  if ('labelled' in src) {
    const parts: string[] = [];
    for (const [label, name] of src.labelled) {
      const p = view.get(name);
      if (present(p)) parts.push(`${label}=${String(p)}`);
    }
    return parts.length > 0 ? parts.join(src.sep) : undefined;
  }
  if ('firstOf' in src) {
    for (const s of src.firstOf) {
      const v = resolve(s, view);
      if (v !== undefined) return v;
    }
    return undefined;
  }
  let v: FieldValue | undefined;
  if ('join' in src) {
    const parts: string[] = [];
    for (const name of src.join) {
      const p = view.get(name);
      if (present(p)) parts.push(String(p));
    }
    // A join needs every part: `DOMAIN\` or `\user` would be a wrong value, not a partial one.
    v = parts.length === src.join.length ? parts.join(src.sep) : undefined;
  } else {
    for (const name of typeof src.from === 'string' ? [src.from] : src.from) {
      const p = view.get(name);
      if (present(p)) {
        v = p;
        break;
      }
    }
  }
  if (v === undefined || src.transform === undefined) return v;
  const t = TRANSFORMS[src.transform](v);
  return t === null ? undefined : t;
}

function matches(m: EventMapping, view: Fields): boolean {
  if (m.when === undefined) return true;
  for (const [name, allowed] of Object.entries(m.when)) {
    const v = view.get(name);
    if (v === undefined || v === null || Array.isArray(v) || !allowed.includes(v as string | number)) return false;
  }
  return true;
}

const ANY_KEY: readonly string[] = ['*'];
/** Key lists of single-valued keys (the Windows case: one EventID), built once per value. */
const simpleKeys = new Map<string, readonly string[]>();

function keysOf(table: MappingTable, view: Fields): readonly string[] {
  if (table.key.length === 1) {
    const v = view.get(table.key[0]!);
    if (v === undefined || v === null) return ANY_KEY;
    if (!Array.isArray(v)) {
      const k = String(v);
      let keys = simpleKeys.get(k);
      if (keys === undefined) {
        keys = [k, '*', '*'];
        if (simpleKeys.size < 10_000) simpleKeys.set(k, keys);
      }
      return keys;
    }
  }
  // Cartesian product of the key fields' values (ECS keeps arrays: ["process"] × ["start"]).
  let keys: string[] = [''];
  for (const name of table.key) {
    const v = view.get(name);
    if (v === undefined || v === null) return ANY_KEY;
    const values = Array.isArray(v) ? v.map(String) : [String(v)];
    keys = keys.flatMap((k) => values.map((x) => (k === '' ? x : `${k}/${x}`)));
  }
  return [...keys, ...keys.map((k) => k.replace(/[^/]*$/, '*')), '*'];
}

function mappingFor(table: MappingTable, view: Fields): EventMapping | null {
  for (const key of keysOf(table, view)) {
    const entry = table.events[key];
    if (entry === undefined) continue;
    const list: readonly EventMapping[] = Array.isArray(entry) ? entry : [entry as EventMapping];
    for (const m of list) if (matches(m, view)) return m;
  }
  return null;
}

const lower = (s: string): string => s.toLowerCase();

/** Picks the table for a record: MDE by table, ECS by kind, Windows by channel, then provider. */
export class TableSet {
  private readonly byChannel = new Map<string, MappingTable>();
  private readonly byProvider = new Map<string, MappingTable>();
  private readonly byTable = new Map<string, MappingTable>();
  private ecs: MappingTable | null = null;
  private readonly memo = new Map<string, MappingTable | null>();

  constructor(tables: readonly MappingTable[]) {
    for (const t of tables) {
      if (t.kind === 'mde' && t.match.table !== undefined) this.byTable.set(t.match.table, t);
      else if (t.kind === 'ecs') this.ecs = t;
      for (const c of t.match.channel ?? []) this.byChannel.set(lower(c), t);
      for (const p of t.match.provider ?? []) this.byProvider.set(lower(p), t);
    }
  }

  /**
   * The categories a Windows record with this header may get, for prefilters that see only the
   * header: each mapping under its EventID whose `when` names only header fields is decided, any
   * other stays possible. `null` in the set: possibly no category at all.
   */
  categoriesFor(channel: string | null, provider: string | null, eventId: number | null): ReadonlySet<Category | null> {
    const view = new Fields();
    if (channel !== null) view.set('Channel', channel);
    if (provider !== null) view.set('Provider_Name', provider);
    if (eventId !== null) view.set('EventID', eventId);
    const out = new Set<Category | null>();
    const table = this.tableFor({ kind: 'windows', table: null, raw: view, view, origin: HEADER_ORIGIN });
    if (table === null) return out.add(null);
    for (const key of keysOf(table, view)) {
      const entry = table.events[key];
      if (entry === undefined) continue;
      const list: readonly EventMapping[] = Array.isArray(entry) ? entry : [entry as EventMapping];
      for (const m of list) {
        const decidable = m.when === undefined || Object.keys(m.when).every((k) => view.has(k));
        if (decidable && !matches(m, view)) continue;
        out.add(m.category);
        if (decidable) return out;
      }
    }
    return out.add(null);
  }

  tableFor(r: SourceRecord): MappingTable | null {
    if (r.kind === 'mde') return r.table === null ? null : (this.byTable.get(r.table) ?? null);
    if (r.kind === 'ecs') return this.ecs;
    const channel = r.view.get('Channel');
    const provider = r.view.get('Provider_Name');
    // Memoised on the texts as they come: a log repeats a handful of channel/provider pairs, and
    // lower-casing them for every event was a visible share of a scan.
    const key = `${typeof channel === 'string' ? channel : ''}\u0000${typeof provider === 'string' ? provider : ''}`;
    const known = this.memo.get(key);
    if (known !== undefined) return known;
    const byChannel = typeof channel === 'string' ? this.byChannel.get(lower(channel)) : undefined;
    const table = byChannel ?? (typeof provider === 'string' ? (this.byProvider.get(lower(provider)) ?? null) : null);
    if (this.memo.size < 4096) this.memo.set(key, table);
    return table;
  }
}

function str(v: FieldValue | undefined): string | null {
  return v === undefined || v === null || Array.isArray(v) ? null : String(v);
}

function num(v: FieldValue | undefined): number | null {
  if (typeof v === 'number') return v;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
}

function timeOf(v: FieldValue | undefined): string | null {
  const t = str(v);
  return t === null ? null : (normalizeTime(t) ?? t);
}

/** The header of an event (host, time, id, channel, provider) in each vocabulary. */
function header(r: SourceRecord): Pick<Event, 'host' | 'time' | 'eventId' | 'channel' | 'provider'> {
  const v = r.view;
  switch (r.kind) {
    case 'windows':
      return {
        host: str(v.get('Computer')),
        time: timeOf(v.get('TimeCreated')),
        eventId: num(v.get('EventID')),
        channel: str(v.get('Channel')),
        provider: str(v.get('Provider_Name')),
      };
    case 'mde':
      return {
        host: str(v.get('DeviceName')),
        time: timeOf(v.get('Timestamp')),
        eventId: null,
        channel: r.table,
        provider: 'Microsoft Defender for Endpoint',
      };
    case 'ecs':
      return {
        host: str(v.get('host.name')) ?? str(v.get('host.hostname')),
        time: timeOf(v.get('@timestamp')),
        eventId: num(v.get('event.code')),
        channel: str(v.get('event.dataset')),
        provider: str(v.get('event.provider')) ?? str(v.get('event.module')),
      };
  }
}

export function normalize(r: SourceRecord, tables: TableSet): Event {
  const head = header(r);
  const table = tables.tableFor(r);
  const mapping = table === null ? null : mappingFor(table, r.view);
  let fields: Fields;
  if (mapping === null) {
    fields = r.view;
  } else {
    fields = mapping.copyAll === true ? r.view.copy() : new Fields();
    for (const [name, src] of Object.entries(mapping.fields)) {
      const v = resolve(src, r.view);
      if (v !== undefined) fields.set(name, v);
    }
    // The System names rules use, whatever the vocabulary.
    if (head.eventId !== null && !fields.has('EventID')) fields.set('EventID', head.eventId);
    if (head.channel !== null && !fields.has('Channel')) fields.set('Channel', head.channel);
    if (head.provider !== null && !fields.has('Provider_Name')) fields.set('Provider_Name', head.provider);
    if (head.host !== null && !fields.has('Computer')) fields.set('Computer', head.host);
  }
  return {
    category: mapping?.category ?? null,
    fields,
    raw: r.raw,
    mapping: mapping === null ? null : table!.id,
    kind: r.kind,
    table: r.table,
    ...head,
    origin: r.origin,
  };
}
