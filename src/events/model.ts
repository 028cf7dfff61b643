// The one event model every later stage reads: the original fields untouched, plus a Sigma
// category and the canonical Sigma field names for that category, whatever the source.

import type { Fields } from './fields.js';
import type { Origin, RecordKind, MdeTable } from './origin.js';

/** Sigma's logsource categories (taxonomy appendix) that our sources produce. */
export type Category =
  | 'process_creation'
  | 'process_termination'
  | 'network_connection'
  | 'process_access'
  | 'create_remote_thread'
  | 'raw_access_thread'
  | 'registry_add'
  | 'registry_set'
  | 'registry_delete'
  | 'registry_rename'
  | 'image_load'
  | 'driver_load'
  | 'file_event'
  | 'file_change'
  | 'file_delete'
  | 'file_access'
  | 'file_rename'
  | 'create_stream_hash'
  | 'pipe_created'
  | 'wmi_event'
  | 'dns_query'
  | 'clipboard_change'
  | 'process_tampering'
  | 'sysmon_status'
  | 'sysmon_error'
  | 'ps_module'
  | 'ps_script'
  | 'ps_classic_start'
  | 'ps_classic_provider_start'
  | 'ps_classic_script';

/** registry_add/set/delete/rename all also belong to Sigma's umbrella `registry_event`. */
export const REGISTRY_CATEGORIES: ReadonlySet<Category> = new Set(['registry_add', 'registry_set', 'registry_delete', 'registry_rename']);

export interface Event {
  /** Null when no mapping table claims the record (it still carries its raw fields). */
  category: Category | null;
  /**
   * Canonical Sigma field names for the category (Image, CommandLine, ParentImage, …), plus the
   * System fields under the names rules use (EventID, Channel, Provider_Name, Computer), so a
   * rule reads one vocabulary whatever the source.
   */
  fields: Fields;
  /** The record's original fields, untouched. */
  raw: Fields;
  /** Which mapping table produced `fields`: `sysmon`, `security`, `mde:DeviceProcessEvents`, `ecs`, … */
  mapping: string | null;
  kind: RecordKind;
  table: MdeTable | null;
  host: string | null;
  /** ISO 8601 UTC with 7 fractional digits where the source has them. */
  time: string | null;
  eventId: number | null;
  channel: string | null;
  provider: string | null;
  origin: Origin;
  /**
   * Only some fields are here: a worker thread sent what a postprocessor reads, and the whole
   * event can be read again from `origin` (an EVTX record's offset) when it is needed.
   */
  partial?: true;
}
