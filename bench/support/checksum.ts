// A cheap fold over every decoded field of a record, so that the decode benchmark provably uses
// what the reader produced (nothing can be optimised away) without the checksum itself costing
// more than a small fraction of the decode. Strings contribute their length and three characters
// (which also forces V8 to flatten any rope), numbers both 32-bit halves.

import type { EvtxRecord, EvtxScalar, EvtxValue } from '../../src/evtx/model.js';

const FNV_PRIME = 0x01000193;
export const FOLD_SEED = 0x811c9dc5 | 0;

function mix(h: number, x: number): number {
  return Math.imul(h ^ x, FNV_PRIME);
}

function foldNumber(h: number, n: number): number {
  return mix(mix(h, n | 0), Math.floor(n / 4294967296) | 0);
}

function foldString(h: number, s: string): number {
  const n = s.length;
  if (n === 0) return mix(h, 0x5eed);
  return mix(mix(mix(mix(h, n), s.charCodeAt(0)), s.charCodeAt(n >> 1)), s.charCodeAt(n - 1));
}

function foldNullableString(h: number, s: string | null): number {
  return s === null ? mix(h, 0x7f4a7c15) : foldString(h, s);
}

function foldNullableNumber(h: number, n: number | null): number {
  return n === null ? mix(h, 0x2545f491) : foldNumber(h, n);
}

function foldScalar(h: number, v: EvtxScalar): number {
  switch (typeof v) {
    case 'string':
      return foldString(h, v);
    case 'number':
      return foldNumber(h, v);
    case 'boolean':
      return mix(h, v ? 0x3c6ef372 : 0x1b873593);
    default:
      return mix(h, 0x7f4a7c15);
  }
}

function foldValue(h: number, v: EvtxValue): number {
  if (v === null || typeof v !== 'object') return foldScalar(h, v);
  h = mix(h, v.length);
  for (let i = 0; i < v.length; i++) h = foldScalar(h, v[i]!);
  return h;
}

/** Folds the record's header fields, every System field and every name and value of `data`. */
export function foldRecord(h: number, r: EvtxRecord): number {
  h = foldNumber(h, r.recordId);
  h = foldString(h, r.writtenTime);
  const s = r.system;
  h = foldNullableNumber(h, s.eventId);
  h = foldNullableString(h, s.timeCreated);
  h = foldNullableString(h, s.provider);
  h = foldNullableString(h, s.providerGuid);
  h = foldNullableString(h, s.eventSourceName);
  h = foldNullableNumber(h, s.qualifiers);
  h = foldNullableNumber(h, s.version);
  h = foldNullableNumber(h, s.level);
  h = foldNullableNumber(h, s.task);
  h = foldNullableNumber(h, s.opcode);
  h = foldNullableString(h, s.keywords);
  h = foldNullableNumber(h, s.eventRecordId);
  h = foldNullableString(h, s.activityId);
  h = foldNullableString(h, s.relatedActivityId);
  h = foldNullableNumber(h, s.processId);
  h = foldNullableNumber(h, s.threadId);
  h = foldNullableString(h, s.channel);
  h = foldNullableString(h, s.computer);
  h = foldNullableString(h, s.userId);
  h = foldNullableString(h, r.dataSection);
  const { names, values } = r.data;
  for (let i = 0; i < values.length; i++) {
    h = foldString(h, names[i] ?? '');
    h = foldValue(h, values[i]!);
  }
  return h;
}

/**
 * Folds rendered output by its length only: reading characters would flatten the concatenated
 * string once more per record (measured: ~7% of the XML pass), work `dump` does not do.
 */
export function foldText(h: number, text: string): number {
  return mix(h, text.length);
}

export function hex32(h: number): string {
  return `0x${(h >>> 0).toString(16).padStart(8, '0')}`;
}
