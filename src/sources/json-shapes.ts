// What a JSON document is, and its fields in the vocabulary of its kind. Each shape is recognised
// by keys that only it has; a document that matches none is reported with the keys it has,
// never guessed at.
//
// - `evtx-dump`: `{"Event": {"System": …, "EventData" | "UserData": …}}` as evtx_dump, Chainsaw
//   `dump` and `cmstp-hunt dump` write it (attributes under `#attributes` or, with evtx's
//   `separate_json_attributes`, under `Name_attributes`; plain keys as golang-evtx writes them),
//   and the same without the `Event` wrapper (`{"System": …, "EventData": …}`, Velociraptor).
// - `otrf-flat`: one flat object per event with `EventID` and `Channel` at the top (OTRF/Mordor,
//   NXLog, flattened Winlogbeat exports).
// - `ecs`: Winlogbeat / Elastic Agent documents. With `winlog.*` they are Windows events (kind
//   `windows`); without (Elastic Defend) they stay ECS (kind `ecs`).
// - `splunk-json`: Splunk search results (`{"result": …}` lines, `{"results": […]}`), read by
//   splunk.ts as it reads the rows of a Splunk CSV export.
// - `hayabusa`: Hayabusa `json-timeline` detections (one per rule hit, not per event).
// - `chainsaw-hunt`: Chainsaw `hunt --json` detections, which carry the whole event.

import { Fields } from '../events/fields.js';
import type { FieldScalar, FieldValue } from '../events/fields.js';
import type { RecordKind } from './types.js';
import { emptySystem, normalizeTime, windowsView } from './windows-view.js';
import type { WindowsSystem } from './windows-view.js';
import { splunkRecords } from './splunk.js';
import { DataCollector, toKeywords, toNumber, toText } from './xml.js';
import { localName } from './xml-element.js';

export type JsonObject = { [key: string]: unknown };

export interface ShapedRecord {
  kind: RecordKind;
  shape: string;
  raw: Fields;
  view: Fields;
  recordId: number | null;
}

export interface ShapeProblem {
  code: 'unknown-shape' | 'bad-xml' | 'bad-json';
  message: string;
}

/** A record (with a `warning` when part of the document could not be read), or why there is none. */
export type ShapeItem = { ok: true; record: ShapedRecord; warning?: ShapeProblem } | { ok: false; problem: ShapeProblem };

export interface ShapeContext {
  /** The document is an element of a Splunk `results` array. */
  splunkResult?: boolean;
  /** Nesting of wrapped documents (Splunk `_raw` JSON, Chainsaw `document.data`, Elasticsearch `_source`). */
  depth?: number;
}

// ---------------------------------------------------------------------------------------------
// Small helpers. Keys come from the log: only own properties are ever read.

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function own(o: JsonObject, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

function isScalar(v: unknown): v is FieldScalar {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/**
 * Seconds, milliseconds or microseconds since 1970 (told apart by size), as written: the
 * fractional digits are taken from the text, so no floating-point rounding creeps in.
 */
function epochToIso(text: string): string | null {
  const m = /^(\d+)(?:\.(\d*))?$/.exec(text);
  if (m === null) return null;
  let whole = m[1]!;
  let frac = m[2] ?? '';
  const n = Number(whole);
  const shift = n >= 1e14 ? 6 : n >= 1e11 ? 3 : 0;
  if (shift > 0) {
    frac = whole.slice(-shift) + frac;
    whole = whole.slice(0, -shift);
  }
  const d = new Date(Number(whole) * 1000);
  if (Number.isNaN(d.getTime())) return null;
  return d.toISOString().slice(0, 19) + '.' + frac.padEnd(7, '0').slice(0, 7) + 'Z';
}

/** A time in any form these exports use, as ISO 8601 UTC with 7 fractional digits. */
export function toTime(v: unknown): string | null {
  // A number prints as the shortest text that reads back as it: the digits the source wrote.
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? epochToIso(numberText(v)) : null;
  if (typeof v !== 'string') return null;
  const t = v.trim();
  if (t === '') return null;
  if (/^\d{9,}(\.\d+)?$/.test(t)) return epochToIso(t);
  // Hayabusa: `2019-05-11 17:28:17.176 +00:00` (a space before the offset).
  const spaced = /^(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?)\s+([+-]\d\d:?\d\d|Z|UTC)$/.exec(t);
  if (spaced !== null) return normalizeTime(spaced[1]! + (spaced[2] === 'UTC' ? 'Z' : spaced[2]!));
  return normalizeTime(t);
}

/** A non-negative number as plain decimal text (no exponent). */
function numberText(v: number): string {
  const s = String(v);
  return /e/i.test(s) ? BigInt(Math.round(v)).toString() : s;
}

/** The first of `keys` that `o` has with a value that is not null or empty. */
function pick(o: JsonObject, keys: readonly string[]): unknown {
  for (const k of keys) {
    const v = own(o, k);
    if (v !== undefined && v !== null && v !== '') return v;
  }
  return undefined;
}

/**
 * A document as dotted names. Arrays of scalars stay arrays; arrays of objects contribute each
 * of their leaves to a multi-valued field, as Elasticsearch flattens them (`dns.answers.type`).
 */
export function flatten(doc: unknown, skip?: ReadonlySet<string>): Fields {
  const names: string[] = [];
  const values: FieldScalar[][] = [];
  const multi: boolean[] = [];
  const index = new Map<string, number>();
  const add = (path: string, v: FieldScalar | undefined, inArray: boolean): void => {
    let i = index.get(path);
    if (i === undefined) {
      i = names.length;
      index.set(path, i);
      names.push(path);
      values.push([]);
      multi.push(inArray);
    } else if (values[i]!.length > 0 || inArray) {
      multi[i] = true;
    }
    if (v !== undefined) values[i]!.push(v);
  };
  const walk = (v: unknown, path: string, inArray: boolean, depth: number): void => {
    if (isScalar(v)) {
      add(path, v, inArray);
    } else if (Array.isArray(v)) {
      if (v.length === 0) add(path, undefined, true);
      for (const el of v) walk(el, path, true, depth + 1);
    } else if (isObject(v) && depth < 128) {
      for (const k of Object.keys(v)) {
        if (depth === 0 && skip?.has(k) === true) continue;
        walk(v[k], path === '' ? k : `${path}.${k}`, inArray, depth + 1);
      }
    }
  };
  walk(doc, '', false, 0);
  const out = new Fields();
  for (let i = 0; i < names.length; i++) {
    const vals = values[i]!;
    out.set(names[i]!, multi[i]! ? vals : (vals[0] ?? null));
  }
  return out;
}

function describeKeys(o: JsonObject): string {
  const keys = Object.keys(o);
  if (keys.length === 0) return 'no keys';
  const shown = keys.slice(0, 12).map((k) => JSON.stringify(k.length > 40 ? k.slice(0, 40) + '…' : k));
  return `top-level keys ${shown.join(', ')}${keys.length > 12 ? ` (+${keys.length - 12} more)` : ''}`;
}

function unknown(message: string): ShapeItem {
  return { ok: false, problem: { code: 'unknown-shape', message } };
}

function windowsRecord(shape: string, system: WindowsSystem, data: DataCollector | Iterable<readonly [string, FieldValue]>, raw: Fields | null): ShapedRecord {
  const view = windowsView(system, data instanceof DataCollector ? data.entries() : data);
  return { kind: 'windows', shape, raw: raw ?? view, view, recordId: system.eventRecordId };
}

// ---------------------------------------------------------------------------------------------
// evtx-dump: `{"Event": {"System": …, "EventData": …}}`.

/** An attribute of a System element in any of the JSON renderings of it. */
function sysAttr(sys: JsonObject, element: string, name: string): unknown {
  const el = own(sys, element);
  if (isObject(el)) {
    const attrs = own(el, '#attributes');
    if (isObject(attrs) && Object.hasOwn(attrs, name)) return attrs[name];
    if (Object.hasOwn(el, name)) return el[name];
  }
  const separate = own(sys, `${element}_attributes`);
  if (isObject(separate) && Object.hasOwn(separate, name)) return separate[name];
  return undefined;
}

/** The text content of a System element: a scalar, `#text`, or Velociraptor's `Value`. */
function sysText(sys: JsonObject, element: string): unknown {
  const el = own(sys, element);
  if (isScalar(el)) return el;
  if (isObject(el)) return own(el, '#text') ?? own(el, 'Value');
  return undefined;
}

function isAttributeKey(k: string): boolean {
  return k === '#attributes' || k === 'xmlns' || k.endsWith('_attributes');
}

function evtxSystem(sys: JsonObject): WindowsSystem {
  const s = emptySystem();
  s.provider = toText(sysAttr(sys, 'Provider', 'Name')) ?? toText(sysAttr(sys, 'Provider', 'EventSourceName'));
  s.providerGuid = toText(sysAttr(sys, 'Provider', 'Guid'));
  s.eventId = toNumber(sysText(sys, 'EventID'));
  s.qualifiers = toNumber(sysAttr(sys, 'EventID', 'Qualifiers'));
  s.version = toNumber(sysText(sys, 'Version'));
  s.level = toNumber(sysText(sys, 'Level'));
  s.task = toNumber(sysText(sys, 'Task'));
  s.opcode = toNumber(sysText(sys, 'Opcode'));
  s.keywords = toKeywords(sysText(sys, 'Keywords'));
  const time = sysAttr(sys, 'TimeCreated', 'SystemTime') ?? sysText(sys, 'TimeCreated');
  s.timeCreated = toTime(time) ?? toText(time);
  s.eventRecordId = toNumber(sysText(sys, 'EventRecordID'));
  s.activityId = toText(sysAttr(sys, 'Correlation', 'ActivityID'));
  s.processId = toNumber(sysAttr(sys, 'Execution', 'ProcessID'));
  s.threadId = toNumber(sysAttr(sys, 'Execution', 'ThreadID'));
  s.channel = toText(sysText(sys, 'Channel'));
  s.computer = toText(sysText(sys, 'Computer'));
  s.userId = toText(sysAttr(sys, 'Security', 'UserID'));
  return s;
}

/** The value of a leaf: a scalar, an array of scalars, or an element object's `#text`. */
function leafValue(v: unknown): FieldValue | undefined {
  if (isScalar(v)) return v;
  if (Array.isArray(v) && v.every(isScalar)) return v;
  if (isObject(v) && Object.hasOwn(v, '#text')) return leafValue(v['#text']);
  return undefined;
}

/** UserData (and any nested data): leaves by local name, wrapper objects looked through. */
function collectLeaves(v: unknown, out: DataCollector, depth: number): void {
  if (!isObject(v) || depth > 64) return;
  for (const k of Object.keys(v)) {
    if (isAttributeKey(k) || k === 'xml_name') continue;
    const value = v[k];
    const leaf = leafValue(value);
    if (leaf !== undefined) out.add(localName(k), leaf);
    else if (Array.isArray(value)) for (const el of value) collectLeaves(el, out, depth + 1);
    else collectLeaves(value, out, depth + 1);
  }
}

/** A named `Data` item: consecutive ones of one name are the items of one array value. */
function addItem(out: DataCollector, name: string, v: FieldValue): void {
  if (typeof v === 'object' && v !== null) out.add(name, v);
  else out.addItem(name, v);
}

function addUnnamed(out: DataCollector, v: unknown): void {
  if (isScalar(v)) out.addUnnamed(v);
  else if (Array.isArray(v)) for (const el of v) addUnnamed(out, el);
  else if (isObject(v) && Object.hasOwn(v, '#text')) addUnnamed(out, v['#text']);
}

/** EventData as the JSON renderings have it: names as keys, unnamed values under `Data`. */
function collectEventData(section: unknown, out: DataCollector): void {
  if (isScalar(section)) {
    if (section !== null && section !== '') out.addUnnamed(section);
    return;
  }
  if (Array.isArray(section)) {
    addUnnamed(out, section);
    return;
  }
  if (!isObject(section)) return;
  for (const k of Object.keys(section)) {
    if (isAttributeKey(k)) continue;
    const v = section[k];
    if (k === 'Data' && !isScalar(v)) {
      const items = Array.isArray(v) ? v : [v];
      for (const item of items) {
        // `{"#attributes": {"Name": "X"}, "#text": v}` or `{"Name": "X", "#text"|"Value": v}`.
        const name = isObject(item) ? toText(sysAttr({ Data: item }, 'Data', 'Name')) : null;
        if (name !== null && isObject(item)) addItem(out, name, leafValue(own(item, '#text') ?? own(item, 'Value')) ?? null);
        else addUnnamed(out, item);
      }
      continue;
    }
    const leaf = leafValue(v);
    if (leaf !== undefined) out.add(k, leaf);
    else collectLeaves(v, out, 1);
  }
}

function evtxDump(event: JsonObject, raw: Fields): ShapedRecord {
  const sys = own(event, 'System');
  const system = evtxSystem(isObject(sys) ? sys : {});
  const data = new DataCollector();
  // The first data section, as the EVTX reader reads only that one.
  for (const k of Object.keys(event)) {
    if (k === 'System' || k === 'RenderingInfo' || isAttributeKey(k) || k === 'Message' || k === '_source') continue;
    if (k === 'EventData') collectEventData(event[k], data);
    else collectLeaves({ [k]: event[k] }, data, 0);
    break;
  }
  return windowsRecord('evtx-dump', system, data, raw);
}

// ---------------------------------------------------------------------------------------------
// Flat Windows documents (OTRF, NXLog).

interface FlatNames {
  eventId: readonly string[];
  channel: readonly string[];
  computer: readonly string[];
  provider: readonly string[];
  providerGuid: readonly string[];
  time: readonly string[];
  recordId: readonly string[];
  level: readonly string[];
  task: readonly string[];
  opcode: readonly string[];
  keywords: readonly string[];
  version: readonly string[];
  processId: readonly string[];
  threadId: readonly string[];
  userId: readonly string[];
  activityId: readonly string[];
  qualifiers: readonly string[];
  /** Not data (the rendered message, collector metadata). */
  metadata: readonly string[];
}

const OTRF_NAMES: FlatNames = {
  eventId: ['EventID'],
  channel: ['Channel'],
  computer: ['Hostname', 'Computer', 'ComputerName'],
  provider: ['SourceName', 'ProviderName', 'Provider_Name'],
  providerGuid: ['ProviderGuid', 'Provider_Guid'],
  time: ['TimeCreated', 'EventTime', '@timestamp'],
  recordId: ['EventRecordID', 'RecordNumber'],
  level: ['Level'],
  task: ['Task'],
  opcode: ['OpcodeValue', 'Opcode'],
  keywords: ['Keywords'],
  version: ['Version'],
  processId: ['ExecutionProcessID'],
  threadId: ['ExecutionThreadID'],
  userId: ['UserID'],
  activityId: ['ActivityID'],
  qualifiers: ['Qualifiers'],
  metadata: ['Message', '@timestamp', '@version', 'EventReceivedTime', 'SourceModuleName', 'SourceModuleType'],
};

function flatSystem(o: JsonObject, n: FlatNames): WindowsSystem {
  const s = emptySystem();
  s.eventId = toNumber(pick(o, n.eventId));
  s.channel = toText(pick(o, n.channel));
  s.computer = toText(pick(o, n.computer));
  s.provider = toText(pick(o, n.provider));
  s.providerGuid = toText(pick(o, n.providerGuid));
  const time = pick(o, n.time);
  s.timeCreated = toTime(time) ?? toText(time);
  s.eventRecordId = toNumber(pick(o, n.recordId));
  s.level = toNumber(pick(o, n.level));
  s.task = toNumber(pick(o, n.task));
  s.opcode = toNumber(pick(o, n.opcode));
  s.keywords = toKeywords(pick(o, n.keywords));
  s.version = toNumber(pick(o, n.version));
  s.processId = toNumber(pick(o, n.processId));
  s.threadId = toNumber(pick(o, n.threadId));
  s.userId = toText(pick(o, n.userId));
  s.activityId = toText(pick(o, n.activityId));
  s.qualifiers = toNumber(pick(o, n.qualifiers));
  return s;
}

/** Every key that is not a System alias or metadata, flattened, in document order. */
function flatData(o: JsonObject, n: FlatNames): Array<[string, FieldValue]> {
  const skip = new Set<string>([
    ...n.eventId,
    ...n.channel,
    ...n.computer,
    ...n.provider,
    ...n.providerGuid,
    ...n.time,
    ...n.recordId,
    ...n.level,
    ...n.task,
    ...n.opcode,
    ...n.keywords,
    ...n.version,
    ...n.processId,
    ...n.threadId,
    ...n.userId,
    ...n.activityId,
    ...n.qualifiers,
    ...n.metadata,
  ]);
  const kept: JsonObject = Object.create(null) as JsonObject;
  for (const k of Object.keys(o)) if (!skip.has(k)) kept[k] = o[k];
  return [...flatten(kept).entries()];
}

function otrfFlat(o: JsonObject): ShapedRecord {
  return windowsRecord('otrf-flat', flatSystem(o, OTRF_NAMES), flatData(o, OTRF_NAMES), flatten(o));
}

// ---------------------------------------------------------------------------------------------
// ECS: Winlogbeat, Elastic Agent, Elastic Defend.

const ECS_MARKERS = ['ecs.version', 'event.category', 'event.kind', 'event.dataset', 'event.module', 'event.action', 'event.type'];

/**
 * Winlogbeat's Sysmon module (and the Elastic Agent Windows integration) move many Sysmon
 * EventData fields to ECS fields and delete them from `winlog.event_data`. For the `windows`
 * view they are put back under their Sysmon names, when they are missing, so that the Sysmon
 * mapping table reads these documents as it reads EVTX.
 */
type Restore = readonly [name: string, from: string];
const P: readonly Restore[] = [
  ['ProcessGuid', 'process.entity_id'],
  ['ProcessId', 'process.pid'],
  ['Image', 'process.executable'],
];
const SYSMON_RESTORE: Readonly<Record<number, readonly Restore[]>> = {
  1: [
    ...P,
    ['CommandLine', 'process.command_line'],
    ['CurrentDirectory', 'process.working_directory'],
    ['ParentProcessGuid', 'process.parent.entity_id'],
    ['ParentProcessId', 'process.parent.pid'],
    ['ParentImage', 'process.parent.executable'],
    ['ParentCommandLine', 'process.parent.command_line'],
    ['OriginalFileName', 'process.pe.original_file_name'],
    ['User', '#user'],
    ['Hashes', '#hashes:process'],
  ],
  2: [...P, ['TargetFilename', 'file.path']],
  3: [
    ...P,
    ['User', '#user'],
    ['Protocol', 'network.transport'],
    ['Initiated', '#initiated'],
    ['SourceIsIpv6', '#ipv6'],
    ['SourceIp', 'source.ip'],
    ['SourceHostname', 'source.domain'],
    ['SourcePort', 'source.port'],
    ['DestinationIsIpv6', '#ipv6'],
    ['DestinationIp', 'destination.ip'],
    ['DestinationHostname', 'destination.domain'],
    ['DestinationPort', 'destination.port'],
    ['DestinationPortName', 'network.protocol'],
  ],
  5: P,
  6: [
    ['ImageLoaded', 'file.path'],
    ['Hashes', '#hashes:file'],
  ],
  7: [...P, ['ImageLoaded', 'file.path'], ['OriginalFileName', 'file.pe.original_file_name'], ['Hashes', '#hashes:file']],
  8: [
    ['SourceProcessGuid', 'process.entity_id'],
    ['SourceProcessId', 'process.pid'],
    ['SourceImage', 'process.executable'],
  ],
  9: [...P, ['Device', 'file.path']],
  10: [
    ['SourceProcessGUID', 'process.entity_id'],
    ['SourceProcessId', 'process.pid'],
    ['SourceThreadId', 'process.thread.id'],
    ['SourceImage', 'process.executable'],
  ],
  11: [...P, ['TargetFilename', 'file.path']],
  12: P,
  13: P,
  14: P,
  15: [...P, ['TargetFilename', 'file.path'], ['Hash', '#hashes:file']],
  17: [...P, ['PipeName', 'file.name']],
  18: [...P, ['PipeName', 'file.name']],
  19: [['User', '#user']],
  20: [
    ['User', '#user'],
    ['Destination', 'process.executable'],
  ],
  21: [['User', '#user']],
  22: [...P, ['QueryName', 'dns.question.name']],
  23: [...P, ['User', '#user'], ['TargetFilename', 'file.path'], ['Hashes', '#hashes:process'], ['IsExecutable', 'sysmon.file.is_executable'], ['Archived', 'sysmon.file.archived']],
  24: [...P, ['User', '#user']],
  25: [...P, ['User', '#user']],
  26: [...P, ['User', '#user'], ['TargetFilename', 'file.path'], ['Hashes', '#hashes:process'], ['IsExecutable', 'sysmon.file.is_executable']],
};

function first(v: FieldValue | undefined): FieldScalar | undefined {
  if (Array.isArray(v)) return (v as readonly FieldScalar[])[0];
  return v as FieldScalar | undefined;
}

function restoredValue(flat: Fields, from: string): FieldValue | undefined {
  switch (from) {
    case '#user': {
      const name = toText(first(flat.get('user.name')));
      if (name === null) return undefined;
      const domain = toText(first(flat.get('user.domain')));
      return domain === null ? name : `${domain}\\${name}`;
    }
    case '#initiated': {
      const d = toText(first(flat.get('network.direction')));
      if (d === 'egress' || d === 'outbound' || d === 'outgoing') return 'true';
      if (d === 'ingress' || d === 'inbound' || d === 'incoming') return 'false';
      return undefined;
    }
    case '#ipv6': {
      const t = toText(first(flat.get('network.type')));
      return t === 'ipv6' ? 'true' : t === 'ipv4' ? 'false' : undefined;
    }
    case '#hashes:process':
    case '#hashes:file': {
      const ns = from.slice('#hashes:'.length);
      const parts: string[] = [];
      for (const [algo, path] of [
        ['SHA1', `${ns}.hash.sha1`],
        ['MD5', `${ns}.hash.md5`],
        ['SHA256', `${ns}.hash.sha256`],
        ['IMPHASH', `${ns}.pe.imphash`],
      ] as const) {
        const h = toText(first(flat.get(path)));
        if (h !== null) parts.push(`${algo}=${h.toUpperCase()}`);
      }
      return parts.length === 0 ? undefined : parts.join(',');
    }
    default: {
      const v = flat.get(from);
      if (v === undefined || v === null) return undefined;
      return typeof v === 'boolean' ? String(v) : v;
    }
  }
}

function ecsWindows(flat: Fields): ShapedRecord {
  const g = (name: string): FieldScalar | undefined => first(flat.get(name));
  const s = emptySystem();
  s.eventId = toNumber(g('winlog.event_id') ?? g('event.code'));
  s.channel = toText(g('winlog.channel'));
  s.provider = toText(g('winlog.provider_name') ?? g('event.provider'));
  s.providerGuid = toText(g('winlog.provider_guid'));
  s.computer = toText(g('winlog.computer_name') ?? g('host.hostname') ?? g('host.name'));
  const time = g('winlog.time_created') ?? g('@timestamp');
  s.timeCreated = toTime(time) ?? toText(time);
  s.eventRecordId = toNumber(g('winlog.record_id'));
  s.processId = toNumber(g('winlog.process.pid'));
  s.threadId = toNumber(g('winlog.process.thread.id'));
  s.userId = toText(g('winlog.user.identifier'));
  s.activityId = toText(g('winlog.activity_id'));
  s.version = toNumber(g('winlog.version'));
  // Winlogbeat renders Task, Opcode, Level and Keywords as names: only numbers are System values.
  s.task = toNumber(g('winlog.task'));
  s.opcode = toNumber(g('winlog.opcode'));
  s.keywords = toKeywords(g('winlog.keywords'));
  const data = new DataCollector();
  for (const [k, v] of flat.entries()) {
    if (k.startsWith('winlog.event_data.')) data.add(k.slice('winlog.event_data.'.length), v);
    else if (k.startsWith('winlog.user_data.')) {
      const leaf = localName(k.slice(k.lastIndexOf('.') + 1));
      if (leaf !== 'xml_name') data.add(leaf, v);
    }
  }
  const isSysmon = s.provider === 'Microsoft-Windows-Sysmon' || s.channel === 'Microsoft-Windows-Sysmon/Operational';
  const restore = isSysmon && s.eventId !== null ? SYSMON_RESTORE[s.eventId] : undefined;
  if (restore !== undefined) {
    const present = new Set(data.entries().map(([k]) => k));
    const rules: readonly Restore[] = [['RuleName', 'rule.name'], ...restore];
    for (const [name, from] of rules) {
      if (present.has(name)) continue;
      const v = restoredValue(flat, from);
      if (v !== undefined) {
        data.add(name, v);
        present.add(name);
      }
    }
  }
  return windowsRecord('ecs', s, data, flat);
}

function ecs(flat: Fields): ShapeItem {
  const windows = flat.has('winlog.event_id') || flat.has('winlog.channel') || flat.keys().some((k) => k.startsWith('winlog.event_data.'));
  if (windows) return { ok: true, record: ecsWindows(flat) };
  return { ok: true, record: { kind: 'ecs', shape: 'ecs', raw: flat, view: flat, recordId: null } };
}

function isEcs(o: JsonObject): Fields | null {
  const hasMarkerRoot = isObject(own(o, 'winlog')) || isObject(own(o, 'event')) || isObject(own(o, 'ecs'));
  const hasDotted = Object.keys(o).some((k) => k.startsWith('winlog.') || k.startsWith('event.') || k.startsWith('ecs.'));
  if (!hasMarkerRoot && !hasDotted) return null;
  const flat = flatten(o);
  if (flat.has('winlog.event_id') || flat.has('winlog.channel')) return flat;
  return ECS_MARKERS.some((m) => flat.has(m)) ? flat : null;
}

// ---------------------------------------------------------------------------------------------
// Splunk.

/** A Splunk search result: its fields as splunk.ts reads them, for CSV and JSON exports alike. */
function splunkResult(result: JsonObject, ctx: ShapeContext): ShapeItem[] {
  return splunkRecords(flatten(result), 'splunk-json', (doc) => shapeDocument(doc, { depth: (ctx.depth ?? 0) + 1 }));
}

// ---------------------------------------------------------------------------------------------
// Hayabusa and Chainsaw detections.

/** Hayabusa's channel abbreviations (its config/channel_abbreviations.txt), unambiguous ones. */
const HAYABUSA_CHANNELS: ReadonlyMap<string, string> = new Map([
  ['App', 'Application'],
  ['Sec', 'Security'],
  ['Sys', 'System'],
  ['Sysmon', 'Microsoft-Windows-Sysmon/Operational'],
  ['PwSh', 'Microsoft-Windows-PowerShell/Operational'],
  ['PwShClassic', 'Windows PowerShell'],
  ['PwShCore', 'PowerShellCore'],
  ['TaskSch', 'Microsoft-Windows-TaskScheduler/Operational'],
  ['WMI', 'Microsoft-Windows-WMI-Activity/Operational'],
  ['Defender', 'Microsoft-Windows-Windows Defender/Operational'],
  ['Firewall', 'Microsoft-Windows-Windows Firewall With Advanced Security/Firewall'],
  ['BitsCli', 'Microsoft-Windows-Bits-Client/Operational'],
  ['CodeInteg', 'Microsoft-Windows-CodeIntegrity/Operational'],
  ['NTLM', 'Microsoft-Windows-NTLM/Operational'],
  ['WinRM', 'Microsoft-Windows-WinRM/Operational'],
  ['RDS-RCM', 'Microsoft-Windows-TerminalServices-RemoteConnectionManager/Operational'],
  ['RDS-LSM', 'Microsoft-Windows-TerminalServices-LocalSessionManager/Operational'],
  ['RDP-CoreTS', 'Microsoft-Windows-RemoteDesktopServices-RdpCoreTS/Operational'],
  ['RDP-Cli', 'Microsoft-Windows-TerminalServices-RDPClient/Operational'],
  ['DvrFmwk', 'Microsoft-Windows-DriverFrameworks-UserMode/Operational'],
  ['PrintAdm', 'Microsoft-Windows-PrintService/Admin'],
  ['PrintOp', 'Microsoft-Windows-PrintService/Operational'],
  ['SmbCliSec', 'Microsoft-Windows-SmbClient/Security'],
  ['GroupPolicy', 'Microsoft-Windows-GroupPolicy/Operational'],
  ['OpenSSH', 'OpenSSH/Operational'],
]);

function hayabusa(o: JsonObject): ShapedRecord {
  const s = emptySystem();
  s.eventId = toNumber(own(o, 'EventID'));
  const channel = toText(own(o, 'Channel'));
  s.channel = channel === null ? null : (HAYABUSA_CHANNELS.get(channel) ?? channel);
  s.computer = toText(own(o, 'Computer'));
  s.provider = toText(own(o, 'Provider'));
  const time = own(o, 'Timestamp');
  s.timeCreated = toTime(time) ?? toText(time);
  s.eventRecordId = toNumber(own(o, 'RecordID'));
  const data = new DataCollector();
  const all = own(o, 'AllFieldInfo');
  if (isObject(all)) {
    for (const k of Object.keys(all)) data.add(k, leafValue(all[k]) ?? null);
  } else {
    // Details uses Hayabusa's own short names; ExtraFieldInfo has the original ones.
    const extra = own(o, 'ExtraFieldInfo');
    if (isObject(extra)) for (const k of Object.keys(extra)) data.add(k, leafValue(extra[k]) ?? null);
    const details = own(o, 'Details');
    if (isObject(details)) for (const k of Object.keys(details)) data.add(`Details.${k}`, leafValue(details[k]) ?? null);
  }
  return windowsRecord('hayabusa', s, data, flatten(o));
}

function chainsawHunt(o: JsonObject, ctx: ShapeContext): ShapeItem[] {
  const docs = own(o, 'kind') === 'aggregate' ? own(o, 'documents') : [own(o, 'document')];
  const out: ShapeItem[] = [];
  for (const d of Array.isArray(docs) ? docs : []) {
    const data = isObject(d) ? own(d, 'data') : undefined;
    for (const item of shapeDocument(data, { depth: (ctx.depth ?? 0) + 1 })) {
      out.push(item.ok ? { ...item, record: { ...item.record, shape: 'chainsaw-hunt' } } : item);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Recognition.

/**
 * The records of one parsed JSON document (usually one; Splunk `results` containers and
 * Chainsaw aggregates hold several, Splunk status lines none), or why it is none of the shapes.
 */
export function shapeDocument(doc: unknown, ctx: ShapeContext = {}): ShapeItem[] {
  if (!isObject(doc)) {
    const what = Array.isArray(doc) ? 'an array' : doc === null ? 'null' : `a ${typeof doc}`;
    return [unknown(`the JSON document is ${what}, not an object`)];
  }
  if ((ctx.depth ?? 0) > 4) return [unknown(`documents wrapped too deeply: ${describeKeys(doc)}`)];
  if (ctx.splunkResult === true) return splunkResult(doc, ctx);

  const event = own(doc, 'Event');
  if (isObject(event) && isObject(own(event, 'System'))) {
    return [{ ok: true, record: evtxDump(event, flatten(doc, new Set(['_source']))) }];
  }
  const system = own(doc, 'System');
  if (isObject(system) && (Object.hasOwn(system, 'EventID') || Object.hasOwn(system, 'Channel'))) {
    return [{ ok: true, record: evtxDump(doc, flatten(doc)) }];
  }

  const result = own(doc, 'result');
  if (isObject(result)) return splunkResult(result, ctx);
  const results = own(doc, 'results');
  if (Array.isArray(results)) {
    return results.flatMap((r) => (isObject(r) ? splunkResult(r, ctx) : [unknown('a Splunk results element that is not an object')]));
  }
  // Splunk status lines (`{"preview":false,"messages":[…]}`) carry no event.
  if (Object.hasOwn(doc, 'preview') && (Object.hasOwn(doc, 'messages') || Object.hasOwn(doc, 'lastrow'))) return [];

  const kind = own(doc, 'kind');
  if (typeof own(doc, 'name') === 'string' && ((kind === 'individual' && isObject(own(doc, 'document'))) || (kind === 'aggregate' && Array.isArray(own(doc, 'documents'))))) {
    return chainsawHunt(doc, ctx);
  }
  if (typeof own(doc, 'Timestamp') === 'string' && typeof own(doc, 'RuleTitle') === 'string') return [{ ok: true, record: hayabusa(doc) }];

  // An Elasticsearch hit (elasticdump, `_search` exports): the document is its `_source`.
  const source = own(doc, '_source');
  if (isObject(source) && (Object.hasOwn(doc, '_index') || Object.hasOwn(doc, '_id'))) return shapeDocument(source, { depth: (ctx.depth ?? 0) + 1 });

  const ecsFlat = isEcs(doc);
  if (ecsFlat !== null) return [ecs(ecsFlat)];

  if (toNumber(own(doc, 'EventID')) !== null && typeof own(doc, 'Channel') === 'string') return [{ ok: true, record: otrfFlat(doc) }];
  if (toNumber(own(doc, 'EventCode')) !== null && (Object.hasOwn(doc, 'LogName') || Object.hasOwn(doc, 'sourcetype') || Object.hasOwn(doc, '_time'))) {
    return splunkResult(doc, ctx);
  }
  return [unknown(`not a known event shape: ${describeKeys(doc)}`)];
}
