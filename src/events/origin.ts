// Where an event came from and in which vocabulary: shared by the readers (src/sources), which
// fill it, and every later stage, which reads it.

import type { Fields } from './fields.js';

/** The container format of an input. */
export type InputFormat = 'evtx' | 'xml' | 'json' | 'ndjson' | 'csv';

/**
 * The vocabulary of a record's `view`, which selects the mapping tables:
 * - `windows`: Windows event-log names. System fields under the names Sigma rules use
 *   (`EventID`, `Channel`, `Provider_Name`, `Provider_Guid`, `Computer`, `TimeCreated`,
 *   `EventRecordID`, `Level`, `Task`, `Opcode`, `Keywords`, `Version`, `Execution_ProcessID`,
 *   `Execution_ThreadID`, `UserID`, `Correlation_ActivityID`), then the EventData / UserData names.
 * - `ecs`: Elastic Common Schema dotted paths (`process.executable`, `event.code`, …), for
 *   documents that do not carry the Windows event data (Elastic Defend, for instance).
 * - `mde`: Microsoft Defender for Endpoint advanced-hunting columns; `table` names the table.
 */
export type RecordKind = 'windows' | 'ecs' | 'mde';

export type MdeTable =
  | 'DeviceProcessEvents'
  | 'DeviceNetworkEvents'
  | 'DeviceRegistryEvents'
  | 'DeviceImageLoadEvents'
  | 'DeviceFileEvents'
  | 'DeviceEvents';

/** Where a record came from. `line` is 1-based; `offset` is a byte offset in the (decompressed) input. */
export interface Origin {
  path: string;
  format: InputFormat;
  /** The shape recognised inside the format, e.g. `evtx`, `windows-xml`, `otrf-flat`, `ecs`, `splunk-json`, `splunk-csv`, `evtx-dump`, `hayabusa`, `chainsaw-hunt`, `mde:DeviceProcessEvents`. */
  shape: string;
  recordId: number | null;
  line: number | null;
  offset: number | null;
  recovered: boolean;
}

/** A record as a reader yields it, before normalisation. */
export interface SourceRecord {
  kind: RecordKind;
  /** For `mde` records. */
  table: MdeTable | null;
  /** The record's fields exactly as the source had them (nested objects flattened to dotted names). */
  raw: Fields;
  /** The fields in the vocabulary of `kind` (for EVTX and XML the same object as `raw`). */
  view: Fields;
  origin: Origin;
}
