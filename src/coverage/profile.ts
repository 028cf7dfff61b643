// Event profiles: the events of the inputs grouped by host and by what decides whether a rule
// applies to them (source, event id or table, category, channel), each with a sample event (to ask a
// compiled rule's logsource) and how many of its events carry each field. A rule can fire on a
// profile only if the fields its detection reads are present there.

import { Fields, type FieldValue } from '../events/fields.js';
import type { Event } from '../events/model.js';

/** Caps: profiles and field names come from the input (attacker-chosen channels and names). */
export const MAX_PROFILES = 50_000;
export const MAX_FIELDS_PER_PROFILE = 1_000;

/** Windows writes `-` for "none"; empty strings and empty lists say the same. */
export function isPresent(v: FieldValue | undefined): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'string') return v !== '' && v !== '-';
  if (Array.isArray(v)) return v.length > 0;
  return true;
}

const SYSMON_CHANNEL = 'microsoft-windows-sysmon/operational';

/**
 * Which telemetry source an event belongs to: `sysmon`, `security`, `mde`, `ecs`, or
 * `channel:<name>` for any other Windows channel (`channel:?` when there is none).
 */
export function sourceOf(e: Event): string {
  if (e.kind === 'mde') return 'mde';
  if (e.kind === 'ecs') return 'ecs';
  const channel = e.channel?.toLowerCase();
  if (channel === SYSMON_CHANNEL || (channel === undefined && e.provider === 'Microsoft-Windows-Sysmon')) return 'sysmon';
  if (channel === 'security') return 'security';
  return `channel:${e.channel ?? e.provider ?? '?'}`;
}

export interface Profile {
  key: string;
  /** The event's host name, or null when it has none. */
  host: string | null;
  source: string;
  eventId: number | null;
  table: string | null;
  category: string | null;
  channel: string | null;
  /** The first event's header without its fields: logsource applicability reads only category, channel and event id. */
  sample: Event;
  events: number;
  /** Field name → events of the profile in which it is present (fields, raw, and raw names without spaces). */
  presence: Map<string, number>;
  /** Field names not counted because the profile already had MAX_FIELDS_PER_PROFILE. */
  fieldsDropped: number;
}

export class Profiles {
  readonly byKey = new Map<string, Profile>();
  /** Events not profiled because MAX_PROFILES was reached (counted, never silently lost). */
  eventsUnprofiled = 0;

  add(e: Event): void {
    const source = sourceOf(e);
    const key = [e.host ?? '', source, e.eventId ?? '', e.table ?? '', e.category ?? '', e.channel ?? ''].join('\u0000');
    let p = this.byKey.get(key);
    if (p === undefined) {
      if (this.byKey.size >= MAX_PROFILES) {
        this.eventsUnprofiled++;
        return;
      }
      const sample: Event = { ...e, fields: new Fields(), raw: new Fields() };
      p = { key, host: e.host, source, eventId: e.eventId, table: e.table, category: e.category, channel: e.channel, sample, events: 0, presence: new Map(), fieldsDropped: 0 };
      this.byKey.set(key, p);
    }
    p.events++;
    const seen = new Set<string>();
    const note = (name: string, v: FieldValue): void => {
      if (seen.has(name) || !isPresent(v)) return;
      seen.add(name);
      const n = p.presence.get(name);
      if (n !== undefined) p.presence.set(name, n + 1);
      else if (p.presence.size < MAX_FIELDS_PER_PROFILE) p.presence.set(name, 1);
      else p.fieldsDropped++;
    };
    const walk = (f: Fields): void => {
      for (const [k, v] of f.entries()) {
        note(k, v);
        // Sigma drops the spaces of event field names (`Threat Name` → `ThreatName`).
        if (k.includes(' ')) note(k.replace(/ /g, ''), v);
      }
    };
    walk(e.fields);
    if (e.raw !== e.fields) walk(e.raw);
  }

  all(): Profile[] {
    return [...this.byKey.values()];
  }
}
