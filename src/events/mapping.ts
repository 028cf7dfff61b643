// Mapping tables are data: for a source (Sysmon, Security auditing, a Defender table, ECS) and
// an event of it, which category it is and where each canonical field comes from. One
// interpreter (normalize.ts) applies every table.

import type { Category } from './model.js';
import type { RecordKind, MdeTable } from './origin.js';

/** Named value transforms (transforms.ts), so tables stay plain data. */
export type TransformName =
  | 'number'
  | 'hexToNumber'
  | 'integrityFromSid'
  | 'integrityFromMde'
  | 'elevationType'
  | 'basename'
  | 'lower'
  | 'upper'
  | 'boolFromText'
  | 'registryRoot'
  | 'protocolName'
  | 'direction5156'
  | 'isoTime'
  | 'nonZero'
  | 'initiatedFromDirection'
  | 'hexFromNumber'
  | 'pipeName';

/**
 * Where a canonical field comes from:
 * - `'Name'`: the value of field Name of the record's view;
 * - `{ from: [...] }`: the first of these that is present and not empty;
 * - `{ join: [...], sep }`: the present parts joined (e.g. domain and user name);
 * - `{ const: v }`: a literal;
 * - `{ firstOf: [...] }`: the first of these sources that yields a value;
 * - `{ labelled: [[label, field], …], sep }`: `label=value` for each present field, joined
 *   (Sysmon's `Hashes`: `SHA1=…,MD5=…`);
 * and optionally `transform` applied to the result. Windows writes `-` for "none": a `-` or
 * empty value counts as absent everywhere here.
 */
export type FieldSource =
  | string
  | { from: string | readonly string[]; transform?: TransformName }
  | { join: readonly string[]; sep: string; transform?: TransformName }
  | { const: string | number | boolean }
  | { firstOf: readonly FieldSource[] }
  | { labelled: ReadonlyArray<readonly [label: string, field: string]>; sep: string };

export interface EventMapping {
  category: Category;
  /** Canonical name → source. Fields of the view not listed here are not copied unless `copyAll`. */
  fields: Readonly<Record<string, FieldSource>>;
  /** Copy every field of the view under its own name first (Sysmon: its names are the canonical ones). */
  copyAll?: boolean;
  /** Only when these view fields have these values (e.g. 4657 OperationType, MDE ActionType). */
  when?: Readonly<Record<string, readonly (string | number)[]>>;
}

export interface MappingTable {
  /** `sysmon`, `security`, `mde:DeviceProcessEvents`, `ecs`, … */
  id: string;
  kind: RecordKind;
  /** Which records the table is for. */
  match: {
    channel?: readonly string[];
    provider?: readonly string[];
    table?: MdeTable;
  };
  /**
   * The view fields whose values, joined with `/`, select an entry of `events`: `['EventID']`
   * for Windows sources, `['ActionType']` for some Defender tables, `['event.category',
   * 'event.type']` for ECS. An array value (ECS) tries each element. `*` is the fallback entry.
   */
  key: readonly string[];
  /** Several mappings under one key are tried in order; the first whose `when` holds applies. */
  events: Readonly<Record<string, EventMapping | readonly EventMapping[]>>;
}
