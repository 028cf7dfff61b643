// The shapes the EVTX reader hands to later stages. Field values keep their decoded type (numbers
// stay numbers, GUIDs and SIDs are canonical strings) so that nobody has to re-parse rendered XML.

import type { BxDocument } from './binxml/nodes.js';

/** A decoded substitution value. Arrays come from the EVTX array types (0x81…0x95). */
export type EvtxScalar = string | number | boolean | null;
export type EvtxValue = EvtxScalar | readonly EvtxScalar[];

/** The `<System>` block, field by field. Missing elements are null. */
export interface EvtxSystem {
  provider: string | null;
  providerGuid: string | null;
  eventSourceName: string | null;
  eventId: number | null;
  qualifiers: number | null;
  version: number | null;
  level: number | null;
  task: number | null;
  opcode: number | null;
  /** Rendered as Windows does: `0x8020000000000000`. */
  keywords: string | null;
  /** ISO 8601 UTC with 7 fractional digits, e.g. `2019-05-11T17:28:17.1764300Z`. */
  timeCreated: string | null;
  eventRecordId: number | null;
  activityId: string | null;
  relatedActivityId: string | null;
  processId: number | null;
  threadId: number | null;
  channel: string | null;
  computer: string | null;
  userId: string | null;
}

/**
 * Named event values in document order. EventData `<Data Name="X">` becomes `X`; unnamed
 * `<Data>` values are collected under `Data` (an array when there are several); UserData leaves
 * are flattened by element name. Duplicate names get `_1`, `_2`, … suffixes.
 *
 * Names come from the log, which an attacker may have written, so this is not a plain object:
 * no name can reach a prototype. Two parallel arrays also cost far less to build per record than
 * an object grown property by property, and a record has few enough fields for a linear lookup.
 */
export class EvtxData {
  readonly names: readonly string[];
  readonly values: readonly EvtxValue[];

  constructor(names: readonly string[], values: readonly EvtxValue[]) {
    this.names = names;
    this.values = values;
  }

  get size(): number {
    return this.names.length;
  }

  get(name: string): EvtxValue | undefined {
    const i = this.names.indexOf(name);
    return i < 0 ? undefined : this.values[i];
  }

  has(name: string): boolean {
    return this.names.includes(name);
  }

  *entries(): IterableIterator<[string, EvtxValue]> {
    for (let i = 0; i < this.names.length; i++) yield [this.names[i]!, this.values[i]!];
  }

  /** A null-prototype object of the fields, for JSON and for callers that want one. */
  toObject(): Record<string, EvtxValue> {
    const o = Object.create(null) as Record<string, EvtxValue>;
    for (let i = 0; i < this.names.length; i++) o[this.names[i]!] = this.values[i]!;
    return o;
  }

  toJSON(): Record<string, EvtxValue> {
    return this.toObject();
  }
}

/** Where a record was found. Offsets are absolute byte offsets in the file. */
export interface EvtxOrigin {
  file: string;
  chunk: number;
  offset: number;
  /** True when the record was carved from chunk slack space rather than read from live data. */
  recovered: boolean;
}

export interface EvtxRecord {
  /** The record header's identifier (EventRecordID as stored in the record header). */
  recordId: number;
  /** The record header's written time, ISO 8601 UTC with 7 fractional digits. */
  writtenTime: string;
  system: EvtxSystem;
  data: EvtxData;
  /** Which element held `data`: `EventData`, `UserData` (with its child's name), or another. */
  dataSection: string | null;
  origin: EvtxOrigin;
  /** The decoded Binary XML, for faithful XML and JSON rendering. */
  document: BxDocument;
}

