// Where a Sigma logsource's events are, derived from the event mapping tables (src/events/tables)
// so the scanner and the backends agree on one set of facts: which Sysmon / Security EventIDs,
// Defender tables and ActionTypes, and ECS event categories carry a category, and which source
// field each canonical field comes from. Only direct copies invert (`Image: 'FolderPath'`, or a
// `number` transform); a field built by a join or another transform has different values in the
// source, so it has no column here and a rule testing it is not searched there.

import type { EventMapping, FieldSource, MappingTable } from '../events/mapping.js';
import { REGISTRY_CATEGORIES } from '../events/model.js';
import { ECS_TABLE } from '../events/tables/ecs.js';
import { MDE_TABLES } from '../events/tables/mde.js';
import { SECURITY_TABLE } from '../events/tables/security.js';
import { POWERSHELL_CLASSIC_TABLE, POWERSHELL_TABLE, SYSMON_TABLE } from '../events/tables/sysmon.js';
import type { FieldType, TargetField } from './dialect.js';

/** Canonical field → source field; `null` marks a canonical name that exists but does not invert. */
export type FieldInverse = ReadonlyMap<string, TargetField | null>;

const CASE_ONLY: ReadonlySet<string> = new Set(['integrityFromMde', 'lower', 'upper']);

function inverseOf(source: FieldSource): TargetField | null {
  if (typeof source === 'string') return { name: source, type: 'string' };
  if ('from' in source && typeof source.from === 'string') {
    if (source.transform === undefined) return { name: source.from, type: 'string' };
    if (source.transform === 'number') return { name: source.from, type: 'number' };
    // Case-only transforms: the same value once case is folded.
    if (CASE_ONLY.has(source.transform)) return { name: source.from, type: 'string', foldsCase: true };
  }
  return null;
}

function invert(fields: Readonly<Record<string, FieldSource>>): Map<string, TargetField | null> {
  const m = new Map<string, TargetField | null>();
  for (const [k, v] of Object.entries(fields)) m.set(k, inverseOf(v));
  return m;
}

function entries(table: MappingTable): [string, EventMapping][] {
  const out: [string, EventMapping][] = [];
  for (const [key, v] of Object.entries(table.events)) {
    const list: readonly EventMapping[] = Array.isArray(v) ? (v as readonly EventMapping[]) : [v as EventMapping];
    for (const m of list) out.push([key, m]);
  }
  return out;
}

/** Whether a mapping's category is what the logsource's category asks for. */
export function categoryCovers(asked: string, category: string): boolean {
  return asked === category || (asked === 'registry_event' && REGISTRY_CATEGORIES.has(category as never));
}

/** Sysmon EventIDs that carry the category (`registry_event` → 12, 13, 14). */
export function sysmonEventIds(category: string): number[] {
  const ids = new Set<number>();
  for (const [key, m] of entries(SYSMON_TABLE)) if (categoryCovers(category, m.category)) ids.add(Number(key));
  return [...ids].sort((a, b) => a - b);
}

/** PowerShell's logs (copied under their own names): the channel and EventIDs that carry the category. */
export function powershellSources(category: string): { channel: string; eventIds: number[] }[] {
  const out: { channel: string; eventIds: number[] }[] = [];
  for (const table of [POWERSHELL_TABLE, POWERSHELL_CLASSIC_TABLE]) {
    const ids = entries(table)
      .filter(([, m]) => categoryCovers(category, m.category))
      .map(([k]) => Number(k));
    // The first channel is Windows PowerShell's own; PowerShell 7 (PowerShellCore) is not searched.
    const channel = table.match.channel?.[0];
    if (ids.length > 0 && channel !== undefined) out.push({ channel, eventIds: ids });
  }
  return out;
}

/** Every field Sysmon writes (schema 4.90), with the numeric ones typed. */
export const SYSMON_FIELDS: ReadonlyMap<string, FieldType> = new Map<string, FieldType>([
  ...[
    'RuleName', 'UtcTime', 'ProcessGuid', 'Image', 'FileVersion', 'Description', 'Product', 'Company', 'OriginalFileName',
    'CommandLine', 'CurrentDirectory', 'User', 'LogonGuid', 'LogonId', 'IntegrityLevel', 'Hashes', 'ParentProcessGuid',
    'ParentImage', 'ParentCommandLine', 'ParentUser', 'TargetFilename', 'CreationUtcTime', 'PreviousCreationUtcTime',
    'Protocol', 'Initiated', 'SourceIsIpv6', 'SourceIp', 'SourceHostname', 'SourcePortName', 'DestinationIsIpv6',
    'DestinationIp', 'DestinationHostname', 'DestinationPortName', 'State', 'Version', 'SchemaVersion', 'ImageLoaded',
    'Signed', 'Signature', 'SignatureStatus', 'SourceProcessGuid', 'SourceProcessGUID', 'SourceImage', 'TargetProcessGuid',
    'TargetProcessGUID', 'TargetImage', 'NewThreadId', 'StartAddress', 'StartModule', 'StartFunction', 'SourceThreadId',
    'GrantedAccess', 'CallTrace', 'SourceUser', 'TargetUser', 'EventType', 'TargetObject', 'Details', 'NewName', 'Hash',
    'Contents', 'PipeName', 'Operation', 'EventNamespace', 'Name', 'Query', 'Type', 'Destination', 'Consumer', 'Filter',
    'QueryName', 'QueryStatus', 'QueryResults', 'IsExecutable', 'Archived', 'Session', 'ClientInfo', 'Device', 'Configuration',
    'ConfigurationFileHash',
  ].map((n) => [n, 'string'] as const),
  ...['EventID', 'ProcessId', 'ParentProcessId', 'SourceProcessId', 'TargetProcessId', 'SourcePort', 'DestinationPort', 'TerminalSessionId'].map(
    (n) => [n, 'number'] as const,
  ),
]);

export interface SecuritySource {
  eventIds: number[];
  /** Canonical names the table maps (null when not invertible); other names are native. */
  fields: FieldInverse;
}

/** Security-log EventIDs (unconditional entries only) that carry the category, with their field map. */
export function securitySource(category: string): SecuritySource | null {
  const ids: number[] = [];
  const fields = new Map<string, TargetField | null>();
  for (const [key, m] of entries(SECURITY_TABLE)) {
    if (m.when !== undefined || !categoryCovers(category, m.category)) continue;
    ids.push(Number(key));
    for (const [k, v] of invert(m.fields)) {
      // Different EventIDs mapping the same name differently: not one column.
      const prev = fields.get(k);
      fields.set(k, prev === undefined || (prev !== null && v !== null && prev.name === v.name) ? v : null);
    }
  }
  return ids.length === 0 ? null : { eventIds: ids, fields };
}

export interface MdeSource {
  table: string;
  /** ActionTypes to keep; empty when every row of the table is of the category. */
  actionTypes: string[];
  fields: FieldInverse;
  /** Fields the table gives as a constant per ActionType (EventType, Initiated): name → ActionType → value. */
  constants: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

/** Defender tables (and ActionTypes) that carry the category. */
export function mdeSources(category: string): MdeSource[] {
  const out: MdeSource[] = [];
  for (const table of MDE_TABLES) {
    const all = entries(table);
    const hits = all.filter(([, m]) => m.when === undefined && categoryCovers(category, m.category));
    if (hits.length === 0) continue;
    const everyRow = all.every(([, m]) => categoryCovers(category, m.category)) && table.events['*'] !== undefined;
    const fields = new Map<string, TargetField | null>();
    for (const [, m] of hits) {
      for (const [k, v] of invert(m.fields)) {
        const prev = fields.get(k);
        fields.set(k, prev === undefined || (prev !== null && v !== null && prev.name === v.name) ? v : null);
      }
    }
    const actionTypes = everyRow ? [] : [...new Set(hits.map(([k]) => k).filter((k) => k !== '*'))];
    const constants = new Map<string, Map<string, string>>();
    for (const [key, m] of hits) {
      if (key === '*') continue;
      for (const [name, src] of Object.entries(m.fields)) {
        if (typeof src !== 'object' || !('const' in src)) continue;
        let byAction = constants.get(name);
        if (byAction === undefined) constants.set(name, (byAction = new Map<string, string>()));
        byAction.set(key, String(src.const));
      }
    }
    // A constant is a column only where every ActionType kept gives one.
    for (const [name, byAction] of constants) if (actionTypes.length > 0 && actionTypes.some((a) => !byAction.has(a))) constants.delete(name);
    out.push({ table: table.match.table ?? table.id, actionTypes, fields, constants });
  }
  return out;
}

export interface EcsSource {
  /** `event.category` value. */
  category: string;
  /** `event.type` values (empty: any). */
  types: string[];
  /** Extra `when` conditions of the mapping, as ECS field → values. */
  when: [string, readonly (string | number)[]][];
  fields: FieldInverse;
}

const ECS_NUMBERS = new Set(['process.pid', 'process.parent.pid', 'source.port', 'destination.port', 'Target.process.pid']);
const ECS_IPS = new Set(['source.ip', 'destination.ip']);

/** ECS (Elastic Defend) event categories and types that carry the category, one per ECS category. */
export function ecsSources(category: string): EcsSource[] {
  const byCategory = new Map<string, EcsSource>();
  const anyType = new Set<string>();
  for (const [key, m] of entries(ECS_TABLE)) {
    if (!categoryCovers(category, m.category)) continue;
    const [cat, type] = key.split('/') as [string, string];
    let s = byCategory.get(cat);
    if (s === undefined) {
      s = { category: cat, types: [], when: Object.entries(m.when ?? {}), fields: new Map() };
      byCategory.set(cat, s);
    }
    if (type === '*') anyType.add(cat);
    else if (!s.types.includes(type)) s.types.push(type);
    const fields = s.fields as Map<string, TargetField | null>;
    for (const [k, v] of invert(m.fields)) {
      const typed: TargetField | null = v === null ? null : { ...v, type: ECS_IPS.has(v.name) ? 'ip' : ECS_NUMBERS.has(v.name) ? 'number' : v.type };
      const prev = fields.get(k);
      fields.set(k, prev === undefined || (prev !== null && typed !== null && prev.name === typed.name) ? typed : null);
    }
  }
  for (const cat of anyType) (byCategory.get(cat) as EcsSource).types = [];
  return [...byCategory.values()];
}

/** Windows services → channels, for the services the backends know a source for. */
export const SERVICE_CHANNELS: ReadonlyMap<string, string> = new Map([
  ['security', 'Security'],
  ['system', 'System'],
  ['application', 'Application'],
  ['sysmon', 'Microsoft-Windows-Sysmon/Operational'],
  ['powershell', 'Microsoft-Windows-PowerShell/Operational'],
  ['powershell-classic', 'Windows PowerShell'],
  ['taskscheduler', 'Microsoft-Windows-TaskScheduler/Operational'],
  ['wmi', 'Microsoft-Windows-WMI-Activity/Operational'],
  ['windefend', 'Microsoft-Windows-Windows Defender/Operational'],
  ['bits-client', 'Microsoft-Windows-Bits-Client/Operational'],
  ['codeintegrity-operational', 'Microsoft-Windows-CodeIntegrity/Operational'],
  ['firewall-as', 'Microsoft-Windows-Windows Firewall With Advanced Security/Firewall'],
  ['dns-client', 'Microsoft-Windows-DNS Client Events/Operational'],
  ['ntlm', 'Microsoft-Windows-NTLM/Operational'],
]);

/** A category or service name, lower-cased, or undefined. */
export function lower(s: string | undefined): string | undefined {
  return s?.toLowerCase();
}

/** Resolves a canonical field through an inverse map, falling back to the native names in `native`. */
export function resolveField(name: string, inverse: FieldInverse, native: ReadonlyMap<string, FieldType> | null): TargetField | null {
  const v = inverse.get(name);
  if (v !== undefined) return v;
  const t = native?.get(name);
  return t === undefined ? null : { name, type: t };
}
