// Messages between a parallel scan and its workers, and events in a form that crosses threads
// (structured clone keeps data, not classes: `Fields` travels as its two arrays).

import type { FieldValue } from '../../events/fields.js';
import { Fields } from '../../events/fields.js';
import type { Event } from '../../events/model.js';
import type { SigmaFilter, SigmaRule } from '../../sigma/rule.js';
import type { ReadOptions } from '../../sources/index.js';
import type { SourceDiagnostic, SourceSummary } from '../../sources/types.js';
import type { CompileOptions } from '../compile.js';
import type { ScanUnit } from '../scan-units.js';

/** Everything a worker needs to read, match and filter exactly as the main thread would. */
export interface WorkerInit {
  rules: Array<{ rule: SigmaRule; options: CompileOptions }>;
  filters: SigmaFilter[];
  /** Read options without functions (the worker builds its own prefilter). */
  read: ReadOptions;
  scope: { from?: string; to?: string; hosts?: string[] };
  /** Categories the postprocessor observes; null: every event. */
  wanted: string[] | null;
  /** The postprocessor's slim form (see ScanPostprocessor.slim), or null: events go whole. */
  slim: { fields: string[]; whole: string[] } | null;
  prefilter: boolean;
}

export type ToWorker = { type: 'unit'; unit: ScanUnit } | { type: 'credit' };

export type FromWorker =
  | { type: 'ready'; rules: number }
  | { type: 'failed'; unit: number | null; message: string }
  /** `data`: the batch's PackedItem[] as v8.serialize bytes, transferred, so the main thread
   *  holds bytes outside its heap until it turns to the batch (see pool.ts). */
  | { type: 'batch'; unit: number; data: Uint8Array; events: number; outOfScope: number }
  | { type: 'done'; unit: number; summary: SourceSummary };

export type PackedItem = { d: SourceDiagnostic } | { e: PackedEvent; m: number[] };

export interface PackedEvent {
  category: Event['category'];
  names: readonly string[];
  values: readonly FieldValue[];
  /** The raw fields, or null when they are the same object as the fields. */
  rawNames: readonly string[] | null;
  rawValues: readonly FieldValue[] | null;
  mapping: Event['mapping'];
  kind: Event['kind'];
  table: Event['table'];
  host: Event['host'];
  time: Event['time'];
  eventId: Event['eventId'];
  channel: Event['channel'];
  provider: Event['provider'];
  origin: Event['origin'];
  partial: boolean;
}

export function packEvent(e: Event): PackedEvent {
  const same = e.raw === e.fields;
  return {
    category: e.category,
    names: e.fields.keys(),
    values: e.fields.values(),
    rawNames: same ? null : e.raw.keys(),
    rawValues: same ? null : e.raw.values(),
    mapping: e.mapping,
    kind: e.kind,
    table: e.table,
    host: e.host,
    time: e.time,
    eventId: e.eventId,
    channel: e.channel,
    provider: e.provider,
    origin: e.origin,
    partial: false,
  };
}

/** Only the named fields (raw: the same), marked partial: the rest is read again if needed. */
export function packSlim(e: Event, fields: readonly string[]): PackedEvent {
  const names: string[] = [];
  const values: FieldValue[] = [];
  for (const name of fields) {
    const v = e.fields.get(name);
    if (v === undefined) continue;
    names.push(name);
    values.push(v);
  }
  return { ...packEvent(e), names, values, rawNames: null, rawValues: null, partial: true };
}

export function unpackEvent(p: PackedEvent): Event {
  // The arrays are this thread's own copies (structured clone): no need to copy them again.
  const fields = new Fields(p.names as string[], p.values as FieldValue[]);
  const raw = p.rawNames === null || p.rawValues === null ? fields : new Fields(p.rawNames as string[], p.rawValues as FieldValue[]);
  const e: Event = {
    category: p.category,
    fields,
    raw,
    mapping: p.mapping,
    kind: p.kind,
    table: p.table,
    host: p.host,
    time: p.time,
    eventId: p.eventId,
    channel: p.channel,
    provider: p.provider,
    origin: p.origin,
  };
  if (p.partial) e.partial = true;
  return e;
}
