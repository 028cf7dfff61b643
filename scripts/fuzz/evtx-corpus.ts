// The EVTX seeds: real chunks from the files under ../shared/data, a deterministic sample across
// files (Sysmon and Security logs first, then files spread over the rest, the deliberately broken
// ones under robustness/ included), each with the 4 KiB header of the file it came from.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { listEvtxFiles } from '../../test/support/shared-data.js';

export const FILE_HEADER = 4096;
export const CHUNK = 65536;

export interface SeedChunk {
  /** Relative path of the file and the chunk slot, for printouts. */
  name: string;
  header: Uint8Array;
  chunk: Uint8Array;
}

/** Reads `length` bytes at `position` (fewer at the end of the file). */
function readAt(fd: number, position: number, length: number): Uint8Array {
  const buf = Buffer.alloc(length);
  const n = readSync(fd, buf, 0, length, position);
  return buf.subarray(0, n);
}

function hasMagic(b: Uint8Array): boolean {
  return b.length >= 8 && Buffer.from(b.subarray(0, 7)).toString('latin1') === 'ElfChnk';
}

/** Spreads `count` picks evenly over `items` (stable for a given list). */
function spread<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  const out: T[] = [];
  for (let i = 0; i < count; i++) out.push(items[Math.floor((i * items.length) / count)]!);
  return out;
}

/**
 * Up to `maxFiles` files, and from each its first and last chunk that carry the chunk magic.
 * The sample depends only on the file list, so every machine with the same data fuzzes the same.
 */
export function loadSeedChunks(dataDir: string, maxFiles = 16): SeedChunk[] {
  const files = listEvtxFiles(dataDir);
  const rel = (f: string): string => path.relative(dataDir, f).split(path.sep).join('/');
  const sysmon = files.filter((f) => /sysmon/i.test(rel(f)));
  const security = files.filter((f) => /(^|\/)security\.evtx$|security_4|_security_|4688|4624/i.test(rel(f)));
  const broken = files.filter((f) => rel(f).startsWith('robustness/'));
  const chosen = new Set<string>([...spread(sysmon, 5), ...spread(security, 4), ...spread(broken, 3)]);
  for (const f of spread(files, maxFiles)) {
    if (chosen.size >= maxFiles) break;
    chosen.add(f);
  }
  const seeds: SeedChunk[] = [];
  for (const file of [...chosen].sort()) {
    const fd = openSync(file, 'r');
    try {
      const size = fstatSync(fd).size;
      if (size <= FILE_HEADER) continue;
      const header = readAt(fd, 0, FILE_HEADER);
      const slots = Math.ceil((size - FILE_HEADER) / CHUNK);
      const picked: number[] = [];
      for (let i = 0; i < slots && picked.length === 0; i++) if (hasMagic(readAt(fd, FILE_HEADER + i * CHUNK, 8))) picked.push(i);
      for (let i = slots - 1; i > (picked[0] ?? slots) && picked.length < 2; i--) if (hasMagic(readAt(fd, FILE_HEADER + i * CHUNK, 8))) picked.push(i);
      for (const i of picked) {
        const chunk = new Uint8Array(CHUNK);
        chunk.set(readAt(fd, FILE_HEADER + i * CHUNK, CHUNK));
        seeds.push({ name: `${rel(file)}#${i}`, header, chunk });
      }
    } finally {
      closeSync(fd);
    }
  }
  return seeds;
}
