// The `events` table: one row per normalised event, typed columns for the canonical fields the
// hunt (and SQL exports of Sigma rules) read, derived columns the loader computes once (shapes,
// classes, basenames), the original fields as JSON, and where the row came from. The same
// logical layout in DuckDB and ClickHouse; docs/hunt.md documents it.

import { createHash } from 'node:crypto';
import type { Event } from '../events/model.js';
import type { FieldValue, Fields } from '../events/fields.js';
import { baseName, comClsid, commandLineShape, infLocationClass, pathShape } from './shape.js';

export type ColumnKind = 'string' | 'int' | 'time';

export interface Column {
  name: string;
  kind: ColumnKind;
  /** Canonical (Sigma) field the column holds, when it is a copy of one. */
  field?: string;
  /** What the column holds, for docs/hunt.md and `--describe`. */
  doc: string;
}

/** Longest text kept in one column; longer values are cut and the row's `truncated` flag set. */
export const MAX_COLUMN_TEXT = 32768;
/** Longest JSON kept for `fields` / `raw`. */
export const MAX_JSON_TEXT = 262144;

const field = (name: string, f: string, kind: ColumnKind = 'string'): Column => ({ name, kind, field: f, doc: `canonical field ${f}` });

export const COLUMNS: readonly Column[] = [
  { name: 'event_key', kind: 'string', doc: 'dedupe key: SHA-256 (128 bits, hex) of host, time, record id and the original fields' },
  { name: 'time', kind: 'time', doc: 'event time, UTC, whole seconds (1970-01-01 when the source has none)' },
  { name: 'time_text', kind: 'string', doc: 'event time as the source gave it (ISO 8601, up to 7 fractional digits)' },
  { name: 'host', kind: 'string', doc: "computer name ('' when unknown)" },
  { name: 'category', kind: 'string', doc: 'Sigma logsource category (process_creation, image_load, …)' },
  { name: 'event_id', kind: 'int', doc: 'EventID' },
  { name: 'channel', kind: 'string', doc: 'event-log channel' },
  { name: 'provider', kind: 'string', doc: 'event provider' },
  { name: 'mapping', kind: 'string', doc: 'mapping table that produced the canonical fields (sysmon, security, ecs, mde:…)' },
  field('image', 'Image'),
  field('command_line', 'CommandLine'),
  field('current_directory', 'CurrentDirectory'),
  field('parent_image', 'ParentImage'),
  field('parent_command_line', 'ParentCommandLine'),
  field('user', 'User'),
  field('integrity_level', 'IntegrityLevel'),
  field('process_guid', 'ProcessGuid'),
  field('parent_process_guid', 'ParentProcessGuid'),
  field('process_id', 'ProcessId', 'int'),
  field('parent_process_id', 'ParentProcessId', 'int'),
  field('original_file_name', 'OriginalFileName'),
  field('hashes', 'Hashes'),
  field('image_loaded', 'ImageLoaded'),
  field('signed', 'Signed'),
  field('signature', 'Signature'),
  field('target_object', 'TargetObject'),
  field('details', 'Details'),
  field('target_filename', 'TargetFilename'),
  field('source_image', 'SourceImage'),
  field('target_image', 'TargetImage'),
  field('granted_access', 'GrantedAccess'),
  field('call_trace', 'CallTrace'),
  field('destination_ip', 'DestinationIp'),
  field('destination_port', 'DestinationPort', 'int'),
  field('destination_hostname', 'DestinationHostname'),
  field('query_name', 'QueryName'),
  { name: 'image_name', kind: 'string', doc: 'derived: file name of Image, lower case' },
  { name: 'parent_name', kind: 'string', doc: 'derived: file name of ParentImage, lower case' },
  { name: 'image_shape', kind: 'string', doc: 'derived: Image generalised (src/hunt/shape.ts)' },
  { name: 'parent_shape', kind: 'string', doc: 'derived: ParentImage generalised' },
  { name: 'cmd_shape', kind: 'string', doc: 'derived: CommandLine generalised (user names, GUIDs, random names, URLs replaced)' },
  { name: 'inf_class', kind: 'string', doc: 'derived: for cmstp.exe runs, where the INF lives (temp, programdata, relative:temp, remote-url, …)' },
  { name: 'com_clsid', kind: 'string', doc: 'derived: the CLSID of a DllHost.exe /Processid:{…} command line, upper case' },
  { name: 'parent_com_clsid', kind: 'string', doc: 'derived: the same for ParentCommandLine' },
  { name: 'loaded_name', kind: 'string', doc: 'derived: file name of ImageLoaded, lower case' },
  { name: 'loaded_shape', kind: 'string', doc: 'derived: ImageLoaded generalised' },
  { name: 'source_path', kind: 'string', doc: 'input the event was read from' },
  { name: 'source_format', kind: 'string', doc: 'input format (evtx, json, ndjson, xml, csv)' },
  { name: 'source_shape', kind: 'string', doc: 'shape recognised in the input (evtx, otrf-flat, ecs, …)' },
  { name: 'record_id', kind: 'int', doc: 'EventRecordID' },
  { name: 'line', kind: 'int', doc: '1-based line in the input (text formats)' },
  { name: 'truncated', kind: 'int', doc: '1 when a column or JSON value was cut to its cap' },
  { name: 'fields', kind: 'string', doc: 'all canonical fields as a JSON object' },
  { name: 'raw', kind: 'string', doc: 'the original fields as a JSON object' },
];

export const COLUMN_INDEX: ReadonlyMap<string, number> = new Map(COLUMNS.map((c, i) => [c.name, i]));

/** One row: strings, integers (as numbers) or null, in COLUMNS order; `time` as epoch seconds. */
export type Row = (string | number | null)[];

function text(v: FieldValue | undefined): string | null {
  if (v === undefined || v === null) return null;
  if (Array.isArray(v)) return v.map((x) => (x === null ? '' : String(x))).join('\n');
  return String(v);
}

function int(v: FieldValue | undefined): number | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : null;
  if (typeof v !== 'string' || v === '') return null;
  const n = /^0x[0-9a-f]+$/i.test(v) ? parseInt(v, 16) : Number(v);
  return Number.isSafeInteger(n) ? n : null;
}

function json(f: Fields): string {
  const o = Object.create(null) as Record<string, FieldValue>;
  for (const [k, v] of f.entries()) o[k] = v;
  return JSON.stringify(o);
}

/** Epoch seconds of an ISO time, or 0. */
export function epochSeconds(iso: string | null): number {
  if (iso === null) return 0;
  const t = Date.parse(iso);
  return Number.isFinite(t) && t >= 0 ? Math.floor(t / 1000) : 0;
}

/** Bounded memo of a pure string function: paths and command lines repeat across a fleet. */
function memo(fn: (s: string | null) => string | null, cap = 50_000): (s: string | null) => string | null {
  const cache = new Map<string, string | null>();
  return (s) => {
    if (s === null) return null;
    const hit = cache.get(s);
    if (hit !== undefined || cache.has(s)) return hit ?? null;
    const v = fn(s);
    if (cache.size >= cap) cache.clear();
    cache.set(s, v);
    return v;
  };
}

const cachedPathShape = memo(pathShape);
const cachedCommandLineShape = memo(commandLineShape);

/** The row for one event. */
export function eventToRow(e: Event): Row {
  let truncated = 0;
  const cap = (s: string | null, max = MAX_COLUMN_TEXT): string | null => {
    if (s === null || s.length <= max) return s;
    truncated = 1;
    return s.slice(0, max);
  };
  const f = e.fields;
  const get = (name: string): string | null => cap(text(f.get(name)));
  const rawJson = json(e.raw);
  const key = createHash('sha256')
    .update(`${e.host ?? ''}\u0000${e.time ?? ''}\u0000${e.origin.recordId ?? ''}\u0000${e.channel ?? ''}\u0000${rawJson}`)
    .digest('hex')
    .slice(0, 32);
  const image = get('Image');
  const commandLine = get('CommandLine');
  const parentImage = get('ParentImage');
  const imageLoaded = get('ImageLoaded');
  const imageName = baseName(image);
  const isCmstp = e.category === 'process_creation' && (imageName === 'cmstp.exe' || (text(f.get('OriginalFileName')) ?? '').toLowerCase() === 'cmstp.exe');
  const row: Row = new Array<string | number | null>(COLUMNS.length).fill(null);
  const set = (name: string, v: string | number | null): void => {
    row[COLUMN_INDEX.get(name)!] = v;
  };
  set('event_key', key);
  set('time', epochSeconds(e.time));
  set('time_text', e.time);
  set('host', cap(e.host ?? '', 1024));
  set('category', e.category);
  set('event_id', e.eventId);
  set('channel', e.channel);
  set('provider', e.provider);
  set('mapping', e.mapping);
  for (const c of COLUMNS) {
    if (c.field === undefined) continue;
    set(c.name, c.kind === 'int' ? int(f.get(c.field)) : get(c.field));
  }
  set('image_name', imageName);
  set('parent_name', baseName(parentImage));
  set('image_shape', cachedPathShape(image));
  set('parent_shape', cachedPathShape(parentImage));
  set('cmd_shape', cachedCommandLineShape(commandLine));
  set('inf_class', isCmstp ? infLocationClass(commandLine, get('CurrentDirectory')) : null);
  set('com_clsid', comClsid(commandLine));
  set('parent_com_clsid', comClsid(get('ParentCommandLine')));
  set('loaded_name', baseName(imageLoaded));
  set('loaded_shape', cachedPathShape(imageLoaded));
  set('source_path', e.origin.path);
  set('source_format', e.origin.format);
  set('source_shape', e.origin.shape);
  set('record_id', e.origin.recordId);
  set('line', e.origin.line);
  set('fields', cap(json(f), MAX_JSON_TEXT));
  set('raw', cap(rawJson, MAX_JSON_TEXT));
  set('truncated', truncated);
  return row;
}
