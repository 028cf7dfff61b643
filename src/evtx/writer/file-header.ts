// The 4096-byte file header block ("ElfFile").

import { crc32 } from '../crc32.js';

export const FILE_HEADER_BLOCK_SIZE = 4096;
const FILE_MAGIC = new TextEncoder().encode('ElfFile\0');

export interface FileHeaderFields {
  chunkCount: number;
  nextRecordId: bigint;
  dirty: boolean;
}

export function fileHeader(f: FileHeaderFields): Uint8Array {
  const b = new Uint8Array(FILE_HEADER_BLOCK_SIZE);
  const view = new DataView(b.buffer);
  b.set(FILE_MAGIC, 0);
  view.setBigUint64(8, 0n, true); // first (oldest) chunk
  view.setBigUint64(16, BigInt(Math.max(f.chunkCount - 1, 0)), true); // last (current) chunk
  view.setBigUint64(24, f.nextRecordId, true);
  view.setUint32(32, 128, true); // header size
  view.setUint16(36, 1, true); // minor version
  view.setUint16(38, 3, true); // major version
  view.setUint16(40, FILE_HEADER_BLOCK_SIZE, true);
  view.setUint16(42, f.chunkCount & 0xffff, true); // a u16 that wraps on huge logs, as on Windows
  view.setUint32(120, f.dirty ? 0x1 : 0, true);
  view.setUint32(124, crc32(b, 0, 120), true);
  return b;
}
