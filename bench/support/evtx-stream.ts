// Writes one EVTX file of a fixed number of chunks straight to disk with the project's writer
// (src/evtx/writer: the same ChunkBuilder, TemplateCache and record encoding as writeEvtx), so a
// 64 MiB log never sits in memory twice. writeEvtx itself returns the whole file as one array
// and has no size limit; a log that Windows rotates at a maximum size is what we want here.

import { closeSync, openSync, writeSync } from 'node:fs';
import { CHUNK_SIZE, ChunkBuilder } from '../../src/evtx/writer/chunk.js';
import { FILE_HEADER_BLOCK_SIZE, fileHeader } from '../../src/evtx/writer/file-header.js';
import { filetimeFromDate } from '../../src/evtx/writer/filetime.js';
import { TemplateCache, eventValues } from '../../src/evtx/writer/record.js';
import type { WriteEvent } from '../../src/evtx/writer/index.js';

export interface StreamedFile {
  chunks: number;
  records: number;
  bytes: number;
  firstRecordId: number;
  lastRecordId: number;
}

/** Chunks buffered per write call (1 MiB). */
const WRITE_BATCH = 16;

/**
 * Fills `chunks` chunks from `events` (records numbered from `firstRecordId`) and writes the file.
 * The event that no longer fits in the last chunk is dropped: the log is full.
 */
export function writeEvtxStream(file: string, events: Iterator<WriteEvent>, chunks: number, firstRecordId: number): StreamedFile {
  if (!(Number.isInteger(chunks) && chunks >= 1 && chunks <= 0xffff)) throw new RangeError(`chunks must be 1..65535, got ${chunks}`);
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, new Uint8Array(FILE_HEADER_BLOCK_SIZE), 0, FILE_HEADER_BLOCK_SIZE, 0);
    const batch = new Uint8Array(WRITE_BATCH * CHUNK_SIZE);
    let inBatch = 0;
    let position = FILE_HEADER_BLOCK_SIZE;
    const flush = (): void => {
      if (inBatch === 0) return;
      writeSync(fd, batch, 0, inBatch * CHUNK_SIZE, position);
      position += inBatch * CHUNK_SIZE;
      inBatch = 0;
    };
    const cache = new TemplateCache();
    let chunk = new ChunkBuilder();
    let written = 0;
    let records = 0;
    let id = BigInt(firstRecordId);
    for (;;) {
      const next = events.next();
      if (next.done === true) break;
      const e = next.value;
      const { template, values } = eventValues(e, id, cache);
      const spec = { number: BigInt(records + 1), id, written: filetimeFromDate(e.time), template, values };
      if (chunk.tryAppend(spec)) {
        records++;
        id++;
        continue;
      }
      if (chunk.recordCount === 0) throw new RangeError(`record ${id} is larger than an empty chunk`);
      batch.set(chunk.finish(), inBatch * CHUNK_SIZE);
      inBatch++;
      written++;
      if (inBatch === WRITE_BATCH) flush();
      if (written === chunks) break;
      chunk = new ChunkBuilder();
      if (!chunk.tryAppend(spec)) throw new RangeError(`record ${id} is larger than an empty chunk`);
      records++;
      id++;
    }
    if (written < chunks && chunk.recordCount > 0) {
      batch.set(chunk.finish(), inBatch * CHUNK_SIZE);
      inBatch++;
      written++;
    }
    flush();
    writeSync(fd, fileHeader({ chunkCount: written, nextRecordId: id, dirty: false }), 0, FILE_HEADER_BLOCK_SIZE, 0);
    return { chunks: written, records, bytes: FILE_HEADER_BLOCK_SIZE + written * CHUNK_SIZE, firstRecordId, lastRecordId: Number(id) - 1 };
  } finally {
    closeSync(fd);
  }
}
