// Splunk exports of Windows events, read the same way whether they arrive as the rows of a CSV
// export (csv.ts) or as JSON search results (json-shapes.ts): the event's fields (the row's
// columns, the result's keys) become one `windows`-view record.
//
// - `_raw` holding the event's XML (XmlWinEventLog) is the event: the view is the XML's, with the
//   System fields it lacks taken from the other fields. `_raw` holding a JSON document (events
//   sent to the HTTP Event Collector) is read as that document. A `_raw` that looks like either
//   but cannot be read is said (a warning) and the other fields are used; when they have no
//   event id either, the event is rejected with what was wrong with `_raw`.
// - Otherwise the fields are read: Splunk's names for the System fields (`EventCode`, `LogName`,
//   `_time`, …; the channel also from `source` = `WinEventLog:Security`), the provider's display
//   name (classic WinEventLog) as the provider's name, Splunk's own fields (`host`, `index`,
//   `date_*`, …) and its restatements of System fields (`TaskCategory`, `Type` = the level's
//   name, …) left out, its names for Security-log fields (taken from the rendered message:
//   `New_Process_Name`) renamed to the EventData names, and its Subject/Target multi-values
//   (`Account_Name`: the Subject's, then the Target's) split. The header lines of a classic
//   WinEventLog `_raw` (`LogName=…`, `EventCode=…`) stand in when the fields have no event id.
// - A multi-value is a cell's lines in a CSV export, an array in a JSON one; empty fields are
//   absent in both.

import type { FieldScalar, FieldValue, Fields } from '../events/fields.js';
import type { ShapedRecord, ShapeItem, ShapeProblem } from './json-shapes.js';
import { emptySystem, normalizeTime, SYSTEM_VIEW_NAMES, windowsView } from './windows-view.js';
import type { WindowsSystem } from './windows-view.js';
import { parseEventXml, toKeywords, toNumber, toText } from './xml.js';

/** Splunk's names for the System fields: of each list, the first present one that reads counts. */
const SYSTEM_NAMES = {
  eventId: ['EventCode', 'EventID'],
  channel: ['LogName', 'Channel'],
  provider: ['SourceName', 'Provider_Name'],
  providerGuid: ['ProviderGuid'],
  computer: ['ComputerName', 'Computer', 'host'],
  timeCreated: ['_time', 'SystemTime', 'TimeCreated'],
  eventRecordId: ['RecordNumber', 'EventRecordID', 'RecordID'],
  keywords: ['Keywords'],
  level: ['Level'],
  task: ['Task'],
  opcode: ['Opcode'],
  version: ['Version'],
} as const satisfies Partial<Record<keyof WindowsSystem, readonly string[]>>;

const SYSTEM_FIELDS: ReadonlySet<string> = new Set(Object.values(SYSTEM_NAMES).flat());

/** Splunk's own fields (and any `_*`, `date_*`, `tag::*`), and classic restatements of System fields. */
const SPLUNK_OWN: ReadonlySet<string> = new Set([
  'source',
  'sourcetype',
  'index',
  'splunk_server',
  'splunk_server_group',
  'linecount',
  'punct',
  'eventtype',
  'tag',
  'timestartpos',
  'timeendpos',
  // The task's and the opcode's rendered names.
  'TaskCategory',
  'OpCode',
]);

/** Classic WinEventLog's `Type`: the level's (or the audit result's) rendered name. */
const LEVEL_NAMES: ReadonlySet<string> = new Set(['information', 'warning', 'error', 'critical', 'verbose', 'audit success', 'audit failure']);

/** Splunk's names for Security 4688 fields (from the rendered message) → the EventData names. */
const SPLUNK_RENAMES: ReadonlyMap<string, string> = new Map([
  ['New_Process_Name', 'NewProcessName'],
  ['Creator_Process_Name', 'ParentProcessName'],
  ['Process_Command_Line', 'CommandLine'],
  ['New_Process_ID', 'NewProcessId'],
  ['Creator_Process_ID', 'ProcessId'],
  ['Token_Elevation_Type', 'TokenElevationType'],
  ['Mandatory_Label', 'MandatoryLabel'],
]);

/**
 * In the Security log's rendered message the Subject block comes first, then the Target /
 * New Logon block with the same labels; Splunk makes them one multi-value field.
 */
const SPLUNK_SUBJECT_TARGET: ReadonlyMap<string, readonly [string, string]> = new Map([
  ['Security_ID', ['SubjectUserSid', 'TargetUserSid']],
  ['Account_Name', ['SubjectUserName', 'TargetUserName']],
  ['Account_Domain', ['SubjectDomainName', 'TargetDomainName']],
  ['Logon_ID', ['SubjectLogonId', 'TargetLogonId']],
]);

/** Classic (rendered) WinEventLog gives the provider's display name, lower-cased here. */
const PROVIDER_NAMES: ReadonlyMap<string, string> = new Map([['microsoft windows security auditing.', 'Microsoft-Windows-Security-Auditing']]);

/** A CSV header that is a Splunk export's. */
export function isSplunkColumns(columns: readonly string[]): boolean {
  const has = (c: string): boolean => columns.includes(c);
  return has('EventCode') || (has('_raw') && (has('_time') || has('sourcetype') || has('source'))) || (has('_time') && (has('EventID') || has('LogName')));
}

/** Splunk writes `_time` as ISO 8601 with an offset, `… UTC`, or epoch seconds. */
export function splunkTime(text: string): string | null {
  const t = text.trim().replace(/^'(.*)'$/, '$1');
  const epoch = /^(\d{9,11})(?:\.(\d+))?$/.exec(t);
  if (epoch !== null) {
    const iso = new Date(Number(epoch[1]) * 1000).toISOString().slice(0, 19);
    return `${iso}.${(epoch[2] ?? '').padEnd(7, '0').slice(0, 7)}Z`;
  }
  return normalizeTime(t.replace(/\s*UTC$/, 'Z').replace(/\s+([+-]\d\d:?\d\d)$/, '$1'));
}

/** `WinEventLog:Security`, `XmlWinEventLog:Microsoft-Windows-Sysmon/Operational` → the channel. */
function channelFromSource(v: unknown): string | null {
  const t = toText(v);
  const m = t === null ? null : /^(?:Xml)?WinEventLog:(.+)$/i.exec(t);
  return m === null ? null : m[1]!;
}

function integer(v: unknown): number | null {
  const n = toNumber(v);
  return n !== null && Number.isSafeInteger(n) ? n : null;
}

function time(v: unknown): string | null {
  const t = toText(v);
  return t === null ? null : (splunkTime(t) ?? t);
}

function provider(v: unknown): string | null {
  const t = toText(v);
  return t === null ? null : (PROVIDER_NAMES.get(t.toLowerCase()) ?? t);
}

function isAbsent(v: FieldValue): boolean {
  return v === null || v === '' || (typeof v === 'object' && v.length === 0);
}

function isSplunkOwn(name: string, value: FieldValue): boolean {
  if (SPLUNK_OWN.has(name) || name.startsWith('_') || name.startsWith('date_') || name.startsWith('tag::')) return true;
  // Classic WinEventLog restates the level as a number (EventType) and a name (Type); Sysmon's
  // EventType (SetValue, …) and Type (of a WMI consumer) are event data.
  if (name !== 'EventType' && name !== 'Type') return false;
  const t = toText(value);
  return t !== null && (name === 'EventType' ? /^\d+$/.test(t) : LEVEL_NAMES.has(t.toLowerCase()));
}

/** A Subject/Target multi-value as the two fields; as it is when it is not two values of the Security log. */
function subjectTarget(name: string, value: FieldValue, [subject, target]: readonly [string, string], channel: string | null): Array<[string, FieldValue]> {
  const parts: readonly FieldScalar[] = typeof value === 'string' ? value.split(/\r?\n/) : typeof value === 'object' && value !== null ? value : [value];
  if (channel !== 'Security' || parts.length > 2) return [[name, value]];
  const out: Array<[string, FieldValue]> = [[subject, parts[0] ?? null]];
  if (parts.length === 2) out.push([target, parts[1]!]);
  return out;
}

/**
 * A Splunk event's fields (CSV columns or JSON result keys; empty ones are absent) as the System
 * part of the `windows` view and its data: the fields that are neither System fields nor
 * Splunk's own, in their order, then the renamed and the split ones.
 */
export function splunkWindowsFields(fields: Iterable<readonly [string, FieldValue]>): { system: WindowsSystem; data: Array<[string, FieldValue]> } {
  const present = new Map<string, FieldValue>();
  for (const [name, value] of fields) if (!isAbsent(value) && !present.has(name)) present.set(name, value);
  const first = <T>(names: readonly string[], read: (v: FieldValue) => T | null): T | null => {
    for (const n of names) {
      const v = present.get(n);
      const r = v === undefined ? null : read(v);
      if (r !== null) return r;
    }
    return null;
  };
  const system = emptySystem();
  system.eventId = first(SYSTEM_NAMES.eventId, integer);
  system.channel = first(SYSTEM_NAMES.channel, toText) ?? first(['source', 'sourcetype'], channelFromSource);
  system.provider = first(SYSTEM_NAMES.provider, provider);
  system.providerGuid = first(SYSTEM_NAMES.providerGuid, toText);
  system.computer = first(SYSTEM_NAMES.computer, toText);
  system.timeCreated = first(SYSTEM_NAMES.timeCreated, time);
  system.eventRecordId = first(SYSTEM_NAMES.eventRecordId, integer);
  // Classic WinEventLog renders Keywords (`Audit Success`): only the mask is a System value.
  system.keywords = first(SYSTEM_NAMES.keywords, toKeywords);
  system.level = first(SYSTEM_NAMES.level, integer);
  system.task = first(SYSTEM_NAMES.task, integer);
  system.opcode = first(SYSTEM_NAMES.opcode, integer);
  system.version = first(SYSTEM_NAMES.version, integer);

  const data: Array<[string, FieldValue]> = [];
  const renamed: Array<[string, FieldValue]> = [];
  const split: Array<[string, FieldValue]> = [];
  for (const [name, value] of present) {
    if (SYSTEM_FIELDS.has(name) || isSplunkOwn(name, value)) continue;
    const rename = SPLUNK_RENAMES.get(name);
    const pair = SPLUNK_SUBJECT_TARGET.get(name);
    if (rename !== undefined) renamed.push([rename, value]);
    else if (pair !== undefined) split.push(...subjectTarget(name, value, pair, system.channel));
    else data.push([name, value]);
  }
  return { system, data: [...data, ...renamed, ...split] };
}

/** The header lines of a classic (rendered) WinEventLog `_raw`, up to the message. */
function classicHeader(raw: string): Array<[string, string]> {
  if (!/^(?:.*\r?\n)?LogName=/.test(raw)) return [];
  const out: Array<[string, string]> = [];
  for (const line of raw.split(/\r?\n/)) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (m === null) continue;
    if (m[1] === 'Message') break;
    out.push([m[1]!, m[2]!]);
  }
  return out;
}

/** The event's fields, and the classic `_raw` header's where the fields have no event id. */
function eventFields(raw: Fields, rawText: string | null): Iterable<readonly [string, FieldValue]> {
  if (rawText === null) return raw.entries();
  for (const n of SYSTEM_NAMES.eventId) {
    const v = raw.get(n);
    if (v !== undefined && !isAbsent(v)) return raw.entries();
  }
  const header = classicHeader(rawText);
  return header.length === 0 ? raw.entries() : [...raw.entries(), ...header];
}

/** The event XML's view, with the System fields it lacks taken from the other fields. */
function xmlRecord(view: Fields, system: WindowsSystem, raw: Fields, shape: string): ShapedRecord {
  for (const key of Object.keys(SYSTEM_VIEW_NAMES) as Array<keyof WindowsSystem>) {
    const v = system[key];
    if (v !== null && !view.has(SYSTEM_VIEW_NAMES[key])) view.set(SYSTEM_VIEW_NAMES[key], v);
  }
  const rid = view.get('EventRecordID');
  return { kind: 'windows', shape, raw, view, recordId: typeof rid === 'number' ? rid : system.eventRecordId };
}

function describeFields(raw: Fields): string {
  const keys = raw.keys();
  if (keys.length === 0) return 'no fields';
  const shown = keys.slice(0, 12).map((k) => JSON.stringify(k.length > 40 ? k.slice(0, 40) + '…' : k));
  return `fields ${shown.join(', ')}${keys.length > 12 ? ` (+${keys.length - 12} more)` : ''}`;
}

/**
 * The records of one Splunk event. `raw` holds its fields (a CSV row's non-empty cells, a JSON
 * result flattened) and becomes the record's raw; `shape` names the export (`splunk-csv`,
 * `splunk-json`); `readDocument` reads a JSON document found in `_raw` (json-shapes.ts's
 * `shapeDocument`), whose records take `shape`.
 */
export function splunkRecords(raw: Fields, shape: string, readDocument: (doc: unknown) => ShapeItem[]): ShapeItem[] {
  const value = raw.get('_raw');
  const rawText = typeof value === 'string' ? value : null;
  const { system, data } = splunkWindowsFields(eventFields(raw, rawText));
  let problem: ShapeProblem | null = null;
  const t = rawText?.trimStart() ?? '';
  if (rawText !== null && t.startsWith('<') && t.includes('<Event')) {
    const parsed = parseEventXml(rawText);
    if ('view' in parsed) return [{ ok: true, record: xmlRecord(parsed.view, system, raw, shape) }];
    problem = { code: 'bad-xml', message: `Splunk _raw is not readable event XML: ${parsed.error} (line ${parsed.line}, column ${parsed.column} of _raw)` };
  } else if (rawText !== null && t.startsWith('{')) {
    let doc: unknown;
    try {
      doc = JSON.parse(rawText);
    } catch (e) {
      problem = { code: 'bad-json', message: `Splunk _raw is not readable JSON: ${e instanceof Error ? e.message : String(e)}` };
    }
    if (problem === null) return readDocument(doc).map((item) => (item.ok ? { ...item, record: { ...item.record, shape } } : item));
  }
  if (system.eventId === null) {
    return [{ ok: false, problem: problem ?? { code: 'unknown-shape', message: `Splunk event without EventCode or EventID: ${describeFields(raw)}` } }];
  }
  const record: ShapedRecord = { kind: 'windows', shape, raw, view: windowsView(system, data), recordId: system.eventRecordId };
  if (problem === null) return [{ ok: true, record }];
  return [{ ok: true, record, warning: { code: problem.code, message: `${problem.message}; the event's other fields are used` } }];
}
