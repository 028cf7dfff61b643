// Units of scan work and the loop that runs one: read an input (or a range of an EVTX file's
// chunks), normalise, keep what is in scope, match, and hand over in batches only the events that
// matched or that the postprocessor observes. The same loop runs on the main thread and in
// workers, so a scan gives the same findings in the same order with any number of threads.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { CHUNK_SIZE, FILE_HEADER_SIZE, readFileHeader } from '../evtx/file-header.js';
import type { Event } from '../events/model.js';
import { normalize, type TableSet } from '../events/normalize.js';
import { readSource, type ReadOptions } from '../sources/index.js';
import type { SourceDiagnostic, SourceSummary } from '../sources/types.js';
import type { CompiledRule } from './compile.js';

export interface ScanUnit {
  id: number;
  /** 0-based index of the input it belongs to. */
  input: number;
  path: string;
  /** A range of chunk slots of an EVTX file, or null: the whole input. */
  slots: { first: number; count: number } | null;
  /** Must run on the main thread (stdin is not a worker's to read). */
  local: boolean;
}

export interface PlannedInput {
  path: string;
  units: ScanUnit[];
  /** For an EVTX file read in parts: what the file-level verdicts need. */
  evtx: { slots: number; held: number; headerChunkCount: number | null } | null;
}

export interface PlanOptions {
  /** Split big EVTX files into ranges of this many chunk slots; 0: never split. */
  slotsPerUnit: number;
  read: ReadOptions;
  /** Every unit runs on the main thread. */
  local: boolean;
}

/** Inputs and their units, in input order. Files that cannot be examined are one unit: the reader reports on them. */
export function planInputs(paths: readonly string[], o: PlanOptions): PlannedInput[] {
  let id = 0;
  return paths.map((path, input) => {
    const parts = o.slotsPerUnit > 0 && !o.local ? evtxParts(path, o) : null;
    if (parts === null) return { path, units: [{ id: id++, input, path, slots: null, local: o.local || path === '-' }], evtx: null };
    const units: ScanUnit[] = [];
    for (let first = 0; first < parts.slots; first += o.slotsPerUnit) {
      units.push({ id: id++, input, path, slots: { first, count: Math.min(o.slotsPerUnit, parts.slots - first) }, local: false });
    }
    return { path, units, evtx: parts };
  });
}

const MAGIC = Buffer.from('ElfChnk\0', 'latin1');

/** For a plain EVTX file larger than one unit: its slot count, the slots holding a chunk, and the header's count. */
function evtxParts(path: string, o: PlanOptions): PlannedInput['evtx'] {
  if (path === '-' || o.read.carve === true || (o.read.format !== undefined && o.read.format !== 'evtx')) return null;
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size <= FILE_HEADER_SIZE + o.slotsPerUnit * CHUNK_SIZE) return null;
    const head = Buffer.alloc(FILE_HEADER_SIZE);
    readSync(fd, head, 0, FILE_HEADER_SIZE, 0);
    const header = readFileHeader(head);
    // Only files that say they are EVTX are split; anything else is sniffed whole.
    if (header === null || !header.signatureOk) return null;
    const slots = Math.ceil((st.size - FILE_HEADER_SIZE) / CHUNK_SIZE);
    const magic = Buffer.alloc(8);
    let held = 0;
    for (let i = 0; i < slots; i++) {
      const n = readSync(fd, magic, 0, 8, FILE_HEADER_SIZE + i * CHUNK_SIZE);
      if (n === 8 && magic.equals(MAGIC)) held++;
    }
    return { slots, held, headerChunkCount: header.chunkCount };
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** What a unit runner needs: the same on every thread. */
export interface UnitContext {
  tables: TableSet;
  read: ReadOptions;
  scope: ((e: Event) => boolean) | null;
  matchesOf(event: Event): CompiledRule[];
  observes(event: Event): boolean;
}

export type UnitItem = { diagnostic: SourceDiagnostic } | { event: Event; matched: CompiledRule[] };

export interface UnitBatch {
  items: UnitItem[];
  /** Records read since the previous batch, and how many of them were out of scope. */
  events: number;
  outOfScope: number;
}

/** Items per batch, and records read before a batch is handed over even if it holds few items. */
const BATCH_ITEMS = 256;
const BATCH_EVENTS = 4096;

/** Runs one unit, yielding batches in read order; returns the unit's source summary. */
export async function* runUnit(unit: ScanUnit, ctx: UnitContext): AsyncGenerator<UnitBatch, SourceSummary> {
  const read: ReadOptions = unit.slots === null ? ctx.read : { ...ctx.read, evtx: { ...ctx.read.evtx, slots: unit.slots } };
  const it = readSource(unit.path, read);
  let batch: UnitBatch = { items: [], events: 0, outOfScope: 0 };
  for (;;) {
    const r = await it.next();
    if (r.done === true) {
      if (batch.items.length > 0 || batch.events > 0) yield batch;
      return r.value;
    }
    const item = r.value;
    if (!item.ok) {
      batch.items.push({ diagnostic: item.diagnostic });
    } else {
      batch.events++;
      const event = normalize(item.record, ctx.tables);
      if (ctx.scope !== null && !ctx.scope(event)) {
        batch.outOfScope++;
      } else {
        const matched = ctx.matchesOf(event);
        if (matched.length > 0 || ctx.observes(event)) batch.items.push({ event, matched });
      }
    }
    if (batch.items.length >= BATCH_ITEMS || batch.events >= BATCH_EVENTS) {
      yield batch;
      batch = { items: [], events: 0, outOfScope: 0 };
    }
  }
}

/** What a scan consumes, unit by unit in order: batches, then the unit's summary. */
export type PoolEvent = { type: 'batch'; unit: ScanUnit; batch: UnitBatch } | { type: 'done'; unit: ScanUnit; summary: SourceSummary };

/** A unit run on this thread, as the events a scan consumes. */
export async function* localEvents(unit: ScanUnit, it: AsyncGenerator<UnitBatch, SourceSummary>): AsyncGenerator<PoolEvent> {
  for (;;) {
    const r = await it.next();
    if (r.done === true) {
      yield { type: 'done', unit, summary: r.value };
      return;
    }
    yield { type: 'batch', unit, batch: r.value };
  }
}

/** The summary of an input read in parts: counts added, format and shape from the first part. */
export function mergeSummaries(path: string, parts: readonly SourceSummary[]): SourceSummary {
  const out: SourceSummary = { ...parts[0]!, path };
  for (const p of parts.slice(1)) {
    for (const [k, v] of Object.entries(p)) {
      const cur = (out as unknown as Record<string, unknown>)[k];
      // Every part knows the file's size; the other counts add up.
      if (typeof v === 'number' && typeof cur === 'number' && k !== 'bytes') (out as unknown as Record<string, number>)[k] = cur + v;
    }
    out.shape ??= p.shape;
    out.format ??= p.format;
    out.cut ??= p.cut;
  }
  // Balanced as a whole when the added counts balance; skipped only when no part read anything.
  out.balanced = out.read === out.parsed + out.prefiltered + out.recovered + out.reported;
  out.skipped = out.read === 0 && out.parsed + out.prefiltered + out.recovered === 0 ? (parts.find((p) => p.skipped !== null)?.skipped ?? null) : null;
  return out;
}
