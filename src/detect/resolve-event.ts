// Whole events back from partial ones: a worker thread sends a postprocessor only the fields it
// reads, and the few events that end up in an incident are read again from their EVTX record.

import { readEvtxChunkRecords } from '../evtx/reader.js';
import type { EvtxRecord } from '../evtx/model.js';
import type { Event } from '../events/model.js';
import { normalize, type TableSet } from '../events/normalize.js';
import { evtxSourceRecord } from '../sources/evtx.js';

/** Chunks kept decoded: evidence of one incident sits in a few neighbouring chunks. */
const CACHED_CHUNKS = 16;

export class EventResolver {
  private readonly chunks = new Map<string, Map<number, EvtxRecord>>();

  constructor(private readonly tables: TableSet) {}

  /** The whole event; a partial one whose record cannot be read again is returned as it is (still marked partial). */
  resolve(event: Event): Event {
    if (event.partial !== true || event.origin.offset === null) return event;
    const record = this.record(event.origin.path, event.origin.offset);
    return record === null ? event : normalize(evtxSourceRecord(record), this.tables);
  }

  private record(path: string, offset: number): EvtxRecord | null {
    const index = Math.floor((offset - 4096) / 65536);
    const key = `${index}\u0000${path}`;
    let records = this.chunks.get(key);
    if (records === undefined) {
      records = new Map();
      for (const item of readEvtxChunkRecords(path, index)) if (item.ok) records.set(item.record.origin.offset, item.record);
      if (this.chunks.size >= CACHED_CHUNKS) this.chunks.delete(this.chunks.keys().next().value!);
      this.chunks.set(key, records);
    }
    return records.get(offset) ?? null;
  }
}
