// One 64 KiB chunk: 512-byte header (with the string and template tables) and records back to back.

import { BinXmlWriter, type SubValue } from './binxml.js';
import { ByteWriter } from './bytes.js';
import { crc32 } from '../crc32.js';
import { ChunkTables, STRING_BUCKETS, TEMPLATE_BUCKETS } from './tables.js';
import type { Template } from './template.js';

export const CHUNK_SIZE = 0x10000;
export const CHUNK_HEADER_SIZE = 512;
const CHUNK_MAGIC = new TextEncoder().encode('ElfChnk\0');
const RECORD_MAGIC = new Uint8Array([0x2a, 0x2a, 0x00, 0x00]);
/** Every chunk of the 274 sample logs has flags = 1, so write what Windows writes. */
const CHUNK_FLAGS = 1;

export interface RecordSpec {
  /** Record number: 1-based position in the file. */
  number: bigint;
  /** Record identifier (EventRecordID). */
  id: bigint;
  /** Written time, FILETIME ticks. */
  written: bigint;
  template: Template;
  values: readonly SubValue[];
}

export class ChunkBuilder {
  private readonly bytes = new Uint8Array(CHUNK_SIZE);
  private readonly tables = new ChunkTables();
  private free = CHUNK_HEADER_SIZE;
  private lastRecordOffset = 0;
  private count = 0;
  private firstNumber = 0n;
  private lastNumber = 0n;
  private firstId = 0n;
  private lastId = 0n;

  get recordCount(): number {
    return this.count;
  }

  /** Appends the record if it fits. Returns false, leaving the chunk unchanged, if it does not. */
  tryAppend(r: RecordSpec): boolean {
    const base = this.free;
    const w = new ByteWriter();
    this.tables.begin();
    try {
      w.bytes(RECORD_MAGIC);
      const sizePos = w.reserveU32();
      w.u64(r.id);
      w.u64(r.written);
      new BinXmlWriter(w, base, this.tables).fragment(r.template, r.values);
      // Records are 8-byte multiples: zero padding after the EOF token, then the size copy.
      w.zeros((8 - ((w.length + 4) % 8)) % 8);
      const size = w.length + 4;
      w.u32(size);
      w.patchU32(sizePos, size);
      if (base + size > CHUNK_SIZE) {
        this.tables.rollback();
        return false;
      }
    } catch (e) {
      this.tables.rollback();
      throw e;
    }
    this.bytes.set(w.written(), base);
    if (this.count === 0) {
      this.firstNumber = r.number;
      this.firstId = r.id;
    }
    this.count++;
    this.lastNumber = r.number;
    this.lastId = r.id;
    this.lastRecordOffset = base;
    this.free = base + w.length;
    return true;
  }

  /** Fills in the header and both CRCs; returns the 64 KiB chunk. */
  finish(): Uint8Array {
    const b = this.bytes;
    const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    b.set(CHUNK_MAGIC, 0);
    view.setBigUint64(8, this.firstNumber, true);
    view.setBigUint64(16, this.lastNumber, true);
    view.setBigUint64(24, this.firstId, true);
    view.setBigUint64(32, this.lastId, true);
    view.setUint32(40, 128, true); // header size
    view.setUint32(44, this.lastRecordOffset, true);
    view.setUint32(48, this.free, true);
    view.setUint32(52, crc32(b, CHUNK_HEADER_SIZE, this.free), true);
    view.setUint32(120, CHUNK_FLAGS, true);
    for (let i = 0; i < STRING_BUCKETS; i++) view.setUint32(128 + i * 4, this.tables.stringBuckets[i] ?? 0, true);
    for (let i = 0; i < TEMPLATE_BUCKETS; i++) view.setUint32(384 + i * 4, this.tables.templateBuckets[i] ?? 0, true);
    // The header CRC skips bytes 120..127 (flags and the CRC itself).
    view.setUint32(124, crc32(b, 128, CHUNK_HEADER_SIZE, crc32(b, 0, 120)), true);
    return b;
  }
}
