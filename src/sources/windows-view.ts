// The `windows` view: System fields under the names Sigma rules use, then the event's named
// data. Every Windows-shaped source (EVTX, XML exports, evtx_dump JSON, flat exports, Winlogbeat)
// builds the same view, so one mapping table serves them all.

import { Fields } from '../events/fields.js';
import type { FieldValue } from '../events/fields.js';

/** The System part of a Windows event, as any source can fill it. */
export interface WindowsSystem {
  eventId: number | null;
  channel: string | null;
  provider: string | null;
  providerGuid: string | null;
  computer: string | null;
  /** ISO 8601 UTC; `normalizeTime` gives the canonical 7-digit form. */
  timeCreated: string | null;
  eventRecordId: number | null;
  level: number | null;
  task: number | null;
  opcode: number | null;
  keywords: string | null;
  version: number | null;
  processId: number | null;
  threadId: number | null;
  userId: string | null;
  activityId: string | null;
  qualifiers: number | null;
}

/** View names of the System fields, in the order they are added. */
export const SYSTEM_VIEW_NAMES: Readonly<Record<keyof WindowsSystem, string>> = {
  eventId: 'EventID',
  channel: 'Channel',
  provider: 'Provider_Name',
  providerGuid: 'Provider_Guid',
  computer: 'Computer',
  timeCreated: 'TimeCreated',
  eventRecordId: 'EventRecordID',
  level: 'Level',
  task: 'Task',
  opcode: 'Opcode',
  keywords: 'Keywords',
  version: 'Version',
  processId: 'Execution_ProcessID',
  threadId: 'Execution_ThreadID',
  userId: 'UserID',
  activityId: 'Correlation_ActivityID',
  qualifiers: 'Qualifiers',
};

export { normalizeTime } from '../events/time.js';

/** A view: the System fields that are present, then the data fields in their order. */
export function windowsView(system: WindowsSystem, data: Iterable<readonly [string, FieldValue]>): Fields {
  const b = new ViewBuilder(system);
  for (const [name, value] of data) b.data(name, value);
  return b.done();
}

/** The same from parallel arrays (the EVTX reader's shape): no tuple per value. */
export function windowsViewOfArrays(system: WindowsSystem, dataNames: readonly string[], dataValues: readonly FieldValue[]): Fields {
  const b = new ViewBuilder(system);
  for (let i = 0; i < dataNames.length; i++) b.data(dataNames[i]!, dataValues[i]!);
  return b.done();
}

/**
 * Builds a view on arrays with one name index (this runs for every record): a later value of a
 * repeated name replaces the earlier one, as Fields#set would.
 */
class ViewBuilder {
  private readonly names: string[] = [];
  private readonly values: FieldValue[] = [];
  private readonly at = new Map<string, number>();

  constructor(system: WindowsSystem) {
    for (const key of SYSTEM_KEYS) {
      const v = system[key];
      if (v !== null) this.put(SYSTEM_VIEW_NAMES[key], v);
    }
  }

  data(name: string, value: FieldValue): void {
    // Data named like a System field must not hide it (rules read EventID from System).
    this.put(this.at.has(name) && isSystemName(name) ? `EventData_${name}` : name, value);
  }

  done(): Fields {
    return Fields.indexed(this.names, this.values, this.at);
  }

  private put(name: string, value: FieldValue): void {
    const i = this.at.get(name);
    if (i !== undefined) {
      this.values[i] = value;
      return;
    }
    this.at.set(name, this.names.length);
    this.names.push(name);
    this.values.push(value);
  }
}

const SYSTEM_KEYS = Object.keys(SYSTEM_VIEW_NAMES) as Array<keyof WindowsSystem>;

const SYSTEM_NAMES = new Set(Object.values(SYSTEM_VIEW_NAMES));

export function isSystemName(name: string): boolean {
  return SYSTEM_NAMES.has(name);
}

export function emptySystem(): WindowsSystem {
  return {
    eventId: null,
    channel: null,
    provider: null,
    providerGuid: null,
    computer: null,
    timeCreated: null,
    eventRecordId: null,
    level: null,
    task: null,
    opcode: null,
    keywords: null,
    version: null,
    processId: null,
    threadId: null,
    userId: null,
    activityId: null,
    qualifiers: null,
  };
}
