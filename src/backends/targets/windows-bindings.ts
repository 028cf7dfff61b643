// Bindings for targets that read the Windows logs as the agents collect them (Splunk, LogPoint):
// Sysmon with its own field names, the Security log with the mapping table's names for the
// category EventIDs, and services by channel with the event's own names.

import type { SigmaLogsource } from '../../sigma/rule.js';
import type { Binding, FieldType, TargetField } from '../dialect.js';
import { unsupported } from '../errors.js';
import { lower, powershellSources, resolveField, securitySource, SERVICE_CHANNELS, sysmonEventIds, SYSMON_FIELDS } from '../sources.js';

export interface WindowsLayout {
  /** The target name of the event id field (`EventCode`, `event_id`). */
  eventId: string;
  /** The source clause for a channel (`source="WinEventLog:Security"`). */
  source(channel: string): string;
  /** Target name for a field of the event's own (EventData) names, or null when it has none. */
  rename(name: string, channel: string): string | null;
}

function named(layout: WindowsLayout, channel: string, f: TargetField | null): TargetField | null {
  if (f === null) return null;
  if (f.name === 'EventID') return { name: layout.eventId, type: 'number' };
  const n = layout.rename(f.name, channel);
  return n === null ? null : { name: n, type: f.type };
}

const ANY: ReadonlyMap<string, FieldType> = new Map();

export function windowsBindings(layout: WindowsLayout, ls: SigmaLogsource): Binding[] {
  const product = lower(ls.product);
  if (product !== undefined && product !== 'windows') unsupported('logsource', `product '${ls.product}' has no source in this target`);
  const category = lower(ls.category);
  const service = lower(ls.service);
  const eventId: TargetField = { name: layout.eventId, type: 'number' };
  const sysmonChannel = 'Microsoft-Windows-Sysmon/Operational';
  const sysmon = (ids: number[]): Binding => ({
    label: `Sysmon${ids.length > 0 ? ` EventID ${ids.join(', ')}` : ''}`,
    source: layout.source(sysmonChannel),
    filters: ids.length === 0 ? [] : [{ field: eventId, values: ids }],
    field: (n) => named(layout, sysmonChannel, resolveField(n, new Map(), SYSMON_FIELDS)),
  });
  if (category !== undefined) {
    const out: Binding[] = [];
    const ids = sysmonEventIds(category);
    if (ids.length > 0) out.push(sysmon(ids));
    const sec = securitySource(category);
    if (sec !== null) {
      out.push({
        label: `Security EventID ${sec.eventIds.join(', ')}`,
        source: layout.source('Security'),
        filters: [{ field: eventId, values: sec.eventIds }],
        // Names the table does not map are the event's own (copyAll); a Sysmon name it does not
        // map is a field the Security event lacks, so the binding is left out rather than searched.
        field: (n) => {
          const mapped = sec.fields.get(n);
          if (mapped === null || (mapped === undefined && SYSMON_FIELDS.has(n))) return null;
          return named(layout, 'Security', mapped ?? { name: n, type: 'string' });
        },
      });
    }
    for (const ps of powershellSources(category)) {
      out.push({
        label: `${ps.channel} EventID ${ps.eventIds.join(', ')}`,
        source: layout.source(ps.channel),
        filters: [{ field: eventId, values: ps.eventIds }],
        field: (n) => named(layout, ps.channel, { name: n, type: n === 'EventID' ? 'number' : 'string' }),
      });
    }
    if (out.length === 0) unsupported('logsource', `category '${ls.category}' has no source in this target`);
    return out;
  }
  if (service === 'sysmon') return [sysmon([])];
  const channel = service === undefined ? undefined : SERVICE_CHANNELS.get(service);
  if (channel === undefined) return unsupported('logsource', `logsource ${JSON.stringify(ls)} has no source in this target`);
  return [{
    label: channel,
    source: layout.source(channel),
    filters: [],
    field: (n) => named(layout, channel, resolveField(n, new Map(), ANY) ?? { name: n, type: n === 'EventID' ? 'number' : 'string' }),
  }];
}
