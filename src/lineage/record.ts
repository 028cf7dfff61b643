// What one event says about a process: its creation (with the parent it names), its
// termination, or the acting process of any other event, read from the canonical fields of each
// source (Sysmon, Security 4688/4689, Defender, ECS) and, where the model has no canonical name,
// from the raw fields (Defender's creation times, ECS start times).

import type { FieldValue } from '../events/fields.js';
import type { Event } from '../events/model.js';
import { normalizeTime } from '../events/time.js';
import type { LineageSource, ProcessFacts } from './node.js';

/** Longest command line kept on a node; longer ones are cut and marked. */
export const MAX_TEXT = 4096;

export type { ProcessFacts };

export interface CreationRecord extends ProcessFacts {
  source: LineageSource;
  parent: {
    pid: number | null;
    guid: string | null;
    startMs: number | null;
    image: string | null;
    commandLine: string | null;
    user: string | null;
    integrity: string | null;
    originalFileName: string | null;
  };
}

/** Identity of a process to look up: by guid, or by pid alive at a time (or started at one). */
export interface ProcessRef {
  host: string;
  guid: string | null;
  pid: number | null;
  /** When the process was seen alive (the event time). */
  atMs: number | null;
  /** Its exact start, when the source gives it (Defender). */
  startMs: number | null;
}

export function sourceOf(event: Event): LineageSource {
  const m = event.mapping ?? '';
  if (m === 'sysmon') return 'sysmon';
  if (m === 'security') return 'security';
  if (m.startsWith('mde:')) return 'mde';
  if (m === 'ecs') return 'ecs';
  return 'other';
}

export function text(v: FieldValue | undefined): string | null {
  if (v === undefined || v === null) return null;
  if (Array.isArray(v)) return v.length > 0 && v[0] !== null ? String(v[0]) : null;
  const t = String(v);
  if (t === '' || t === '-') return null;
  return t.length > MAX_TEXT ? t.slice(0, MAX_TEXT) + '…[cut]' : t;
}

function num(v: FieldValue | undefined): number | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? v : null;
  const t = text(v);
  if (t === null) return null;
  const n = /^0x[0-9a-f]+$/i.test(t) ? parseInt(t.slice(2), 16) : /^\d+$/.test(t) ? Number(t) : NaN;
  return Number.isSafeInteger(n) ? n : null;
}

/** Milliseconds since the epoch for any time form the sources use; null when not a time. */
export function timeMs(v: FieldValue | undefined): number | null {
  const t = text(v);
  if (t === null) return null;
  const iso = normalizeTime(t);
  if (iso === null) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

/** Guids compare case-insensitively and without braces (Sysmon writes both cases). */
export function normGuid(v: FieldValue | undefined): string | null {
  const t = text(v);
  if (t === null) return null;
  const g = t.trim().replace(/^\{|\}$/g, '').toLowerCase();
  return g === '' || /^0+(-0+)*$/.test(g) ? null : g;
}

export function hostOf(event: Event): string {
  return (event.host ?? '').trim().toLowerCase();
}

function field(event: Event, name: string): FieldValue | undefined {
  return event.fields.get(name);
}

function raw(event: Event, name: string): FieldValue | undefined {
  return event.raw.get(name);
}

/** A process-creation event as a record, or null when the event is not one. */
export function creationOf(event: Event): CreationRecord | null {
  if (event.category !== 'process_creation') return null;
  const source = sourceOf(event);
  const host = hostOf(event);
  const eventMs = timeMs(event.time ?? undefined);
  // The event's own time, which every source has on one clock. Sysmon's UtcTime is not used:
  // exports shift the record time and not the data field (the OTRF sample differs by hours), so
  // mixing them would keep Sysmon and 4688 of one process apart. Defender's ProcessCreationTime
  // and ECS process.start are on the same clock as their rows, and pin the parent join.
  const startMs = timeMs(raw(event, 'ProcessCreationTime')) ?? timeMs(raw(event, 'process.start')) ?? eventMs;
  return {
    source,
    host,
    pid: num(field(event, 'ProcessId')),
    guid: normGuid(field(event, 'ProcessGuid')),
    image: text(field(event, 'Image')),
    commandLine: text(field(event, 'CommandLine')),
    originalFileName: text(field(event, 'OriginalFileName')),
    integrity: text(field(event, 'IntegrityLevel')),
    elevation: text(field(event, 'TokenElevationType')),
    user: text(field(event, 'User')),
    startMs,
    time: event.time,
    parent: {
      pid: num(field(event, 'ParentProcessId')),
      guid: normGuid(field(event, 'ParentProcessGuid')),
      startMs: timeMs(raw(event, 'InitiatingProcessCreationTime')) ?? timeMs(raw(event, 'process.parent.start')),
      image: text(field(event, 'ParentImage')),
      commandLine: text(field(event, 'ParentCommandLine')),
      user: text(field(event, 'ParentUser')),
      integrity: text(field(event, 'ParentIntegrityLevel')),
      originalFileName: text(field(event, 'ParentOriginalFileName')),
    },
  };
}

/** The process a termination event ends, or null. */
export function terminationOf(event: Event): ProcessRef & { image: string | null } | null {
  if (event.category !== 'process_termination') return null;
  const at = timeMs(event.time ?? undefined);
  return { host: hostOf(event), guid: normGuid(field(event, 'ProcessGuid')), pid: num(field(event, 'ProcessId')), atMs: at, startMs: null, image: text(field(event, 'Image')) };
}

/** The acting process of any event (process_access: the source process). */
export function actorOf(event: Event): ProcessRef {
  const access = event.category === 'process_access' || event.category === 'create_remote_thread';
  const guid = normGuid(field(event, access ? 'SourceProcessGUID' : 'ProcessGuid')) ?? (access ? normGuid(field(event, 'SourceProcessGuid')) : null);
  const pid = num(field(event, access ? 'SourceProcessId' : 'ProcessId'));
  return {
    host: hostOf(event),
    guid,
    pid,
    atMs: timeMs(event.time ?? undefined),
    startMs: timeMs(raw(event, 'InitiatingProcessCreationTime')),
  };
}

/** The target process of a process-access event. */
export function targetOf(event: Event): ProcessRef | null {
  if (event.category !== 'process_access' && event.category !== 'create_remote_thread') return null;
  return {
    host: hostOf(event),
    guid: normGuid(field(event, 'TargetProcessGUID')) ?? normGuid(field(event, 'TargetProcessGuid')),
    pid: num(field(event, 'TargetProcessId')),
    atMs: timeMs(event.time ?? undefined),
    startMs: timeMs(raw(event, 'ProcessCreationTime')),
  };
}
