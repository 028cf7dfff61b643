// EVTX writer: builds Windows-shaped .evtx files (file header, 64 KiB chunks, templated BinXML)
// so tests and example data can exercise the reader on realistic structure.

import { ChunkBuilder, CHUNK_SIZE } from './chunk.js';
import { FILE_HEADER_BLOCK_SIZE, fileHeader } from './file-header.js';
import { filetimeFromDate } from './filetime.js';
import { TemplateCache, eventValues } from './record.js';
import type { WriteEvent, WriteOptions } from './types.js';

export type { WriteEvent, WriteOptions, WriteValue } from './types.js';
export { filetimeFromDate } from './filetime.js';

/** Serialises `events` in order into a complete EVTX file. */
export function writeEvtx(events: Iterable<WriteEvent>, options: WriteOptions = {}): Uint8Array {
  const limit = options.chunkRecordLimit ?? Number.POSITIVE_INFINITY;
  if (!(limit >= 1)) throw new RangeError(`chunkRecordLimit must be at least 1, got ${limit}`);
  const cache = new TemplateCache();
  const chunks: Uint8Array[] = [];
  let chunk = new ChunkBuilder();
  let number = 0n;
  let nextId = 1n;

  for (const e of events) {
    if (e.recordId !== undefined && !(Number.isSafeInteger(e.recordId) && e.recordId >= 0)) {
      throw new RangeError(`recordId must be a non-negative safe integer, got ${e.recordId}`);
    }
    const id = e.recordId !== undefined ? BigInt(e.recordId) : nextId;
    nextId = id + 1n;
    number++;
    const { template, values } = eventValues(e, id, cache);
    const spec = { number, id, written: filetimeFromDate(e.time), template, values };
    if (chunk.recordCount < limit && chunk.tryAppend(spec)) continue;
    if (chunk.recordCount === 0) throw new RangeError(`record ${id} is larger than an empty chunk`);
    chunks.push(chunk.finish());
    chunk = new ChunkBuilder();
    if (!chunk.tryAppend(spec)) throw new RangeError(`record ${id} is larger than an empty chunk`);
  }
  // An empty log still gets one (empty) chunk: libevtx calls a chunkless file corrupted.
  if (chunk.recordCount > 0 || chunks.length === 0) chunks.push(chunk.finish());

  const out = new Uint8Array(FILE_HEADER_BLOCK_SIZE + chunks.length * CHUNK_SIZE);
  out.set(fileHeader({ chunkCount: chunks.length, nextRecordId: nextId, dirty: options.dirty ?? false }), 0);
  chunks.forEach((c, i) => {
    out.set(c, FILE_HEADER_BLOCK_SIZE + i * CHUNK_SIZE);
  });
  return out;
}
