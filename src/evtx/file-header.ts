// The 4 KiB file header. It is read and checked, then mostly distrusted: chunk counts come from
// the file size, because the header's u16 count overflows and dirty files carry stale values.

import { crc32 } from './crc32.js';

export const FILE_HEADER_SIZE = 4096;
export const CHUNK_SIZE = 65536;
const FILE_SIGNATURE = 'ElfFile\0';

export const FILE_FLAG_DIRTY = 0x1;
export const FILE_FLAG_FULL = 0x2;
export const FILE_FLAG_NO_CRC32 = 0x4;

export interface FileHeader {
  signatureOk: boolean;
  firstChunk: number;
  lastChunk: number;
  nextRecordId: number;
  headerSize: number;
  minorVersion: number;
  majorVersion: number;
  headerBlockSize: number;
  chunkCount: number;
  flags: number;
  checksum: number;
  /** CRC-32 of bytes 0..119 as computed here. */
  computedChecksum: number;
}

/**
 * A little-endian u64 as a number. Record ids and counts stay far below 2^53; beyond that the
 * value is approximate, which for garbage headers is harmless.
 */
export function u64(dv: DataView, o: number): number {
  return dv.getUint32(o + 4, true) * 4294967296 + dv.getUint32(o, true);
}

/** Reads a header from at least 128 bytes. Returns null when fewer bytes are given. */
export function readFileHeader(bytes: Uint8Array): FileHeader | null {
  if (bytes.length < 128) return null;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let signature = '';
  for (let i = 0; i < 8; i++) signature += String.fromCharCode(bytes[i]!);
  return {
    signatureOk: signature === FILE_SIGNATURE,
    firstChunk: u64(dv, 8),
    lastChunk: u64(dv, 16),
    nextRecordId: u64(dv, 24),
    headerSize: dv.getUint32(32, true),
    minorVersion: dv.getUint16(36, true),
    majorVersion: dv.getUint16(38, true),
    headerBlockSize: dv.getUint16(40, true),
    chunkCount: dv.getUint16(42, true),
    flags: dv.getUint32(120, true),
    checksum: dv.getUint32(124, true),
    computedChecksum: crc32(bytes, 0, 120),
  };
}
