// Structure-aware mutations of one EVTX chunk. The chunk's parts are found by walking it the way
// the reader does (records from offset 512, template instances inside them, template definitions
// and element name references inside those), so that a mutation can aim at the fields a crafted
// file controls: sizes, offsets, counts and types. Finding a part is best effort: on a chunk that
// is already damaged a "template offset" may be any four bytes, which is just another mutation.

import { crc32 } from '../../src/evtx/crc32.js';
import type { Rng } from './rng.js';
import { CHUNK } from './evtx-corpus.js';

interface Instance {
  /** Chunk offset of the 0x0C token. */
  at: number;
  /** Chunk offset of its u32 template definition offset. */
  defField: number;
  def: number;
  /** Chunk offset of the substitution value count, when it could be found. */
  values: number | null;
}

export interface ChunkMap {
  records: Array<{ at: number; size: number }>;
  instances: Instance[];
  /** Chunk offsets of template definitions. */
  defs: number[];
  /** Chunk offsets of u32 name offsets inside element start tokens. */
  nameFields: number[];
}

const u32 = (b: Uint8Array, o: number): number => (o + 4 <= b.length ? new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(o, true) : 0);

export function mapChunk(c: Uint8Array): ChunkMap {
  const map: ChunkMap = { records: [], instances: [], defs: [], nameFields: [] };
  let at = 512;
  while (at + 28 <= CHUNK && u32(c, at) === 0x2a2a && map.records.length < 2000) {
    const size = u32(c, at + 4);
    if (size < 28 || at + size > CHUNK) break;
    map.records.push({ at, size });
    at += size;
  }
  const defs = new Set<number>();
  for (let i = 0; i < 32; i++) {
    const d = u32(c, 0x180 + 4 * i);
    if (d >= 512 && d + 24 < CHUNK) defs.add(d);
  }
  for (const r of map.records.slice(0, 64)) {
    for (let p = r.at + 24; p + 10 <= r.at + r.size; p++) {
      if (c[p] !== 0x0c || c[p + 1] !== 0x01) continue;
      const def = u32(c, p + 6);
      if (def < 512 || def + 24 >= CHUNK) continue;
      defs.add(def);
      const inline = def === p + 10;
      const values = inline ? def + 24 + u32(c, def + 20) : p + 10;
      map.instances.push({ at: p, defField: p + 6, def, values: values + 4 <= CHUNK ? values : null });
    }
  }
  for (const d of [...defs].slice(0, 64)) {
    map.defs.push(d);
    const end = Math.min(CHUNK - 11, d + 24 + Math.min(u32(c, d + 20), 8192));
    for (let p = d + 24; p < end; p++) {
      if ((c[p] === 0x01 || c[p] === 0x41) && u32(c, p + 7) >= 512 && u32(c, p + 7) < CHUNK) map.nameFields.push(p + 7);
    }
  }
  return map;
}

const EXTREME_U32 = [0, 1, 0xffffffff, 0x7fffffff, 0x80000000, 0xffff, 0x10000, 512, 511, 24, 28, CHUNK - 1, CHUNK - 4];
const BYTES = [0x00, 0xff, 0x7f, 0x80, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0c, 0x0d, 0x0e, 0x0f, 0x21, 0x41, 0x45, 0x81, 0x8e];
/** Value types a descriptor may claim: every scalar, BinXml, and the array forms. */
const VALUE_TYPES = [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x21, 0x81, 0x82, 0x86, 0x88, 0x8a, 0x8f, 0x91, 0x94, 0x95, 0x7f, 0xff];

export interface Mutation {
  name: string;
  apply(c: Uint8Array, dv: DataView, map: ChunkMap, rng: Rng, other: Uint8Array): void;
}

/** An offset "anywhere": inside the chunk, at its edges, past it, or at a part of itself. */
function anywhere(rng: Rng, self: number, map: ChunkMap): number {
  const k = rng.below(9);
  if (k === 0) return self;
  if (k === 1) return self - rng.int(0, 16);
  if (k === 2) return CHUNK - rng.int(1, 8);
  if (k === 3) return rng.pick(EXTREME_U32);
  if (k === 4 && map.defs.length > 0) return rng.pick(map.defs) + rng.int(0, 3);
  if (k === 5 && map.records.length > 0) return rng.pick(map.records).at + rng.int(0, 30);
  if (k === 6) return rng.int(0, 511);
  return rng.int(0, CHUNK + 16);
}

const setU32 = (dv: DataView, o: number, v: number): void => {
  if (o >= 0 && o + 4 <= dv.byteLength) dv.setUint32(o, v >>> 0, true);
};

export const MUTATIONS: readonly Mutation[] = [
  {
    name: 'bit-flips',
    apply(c, _dv, _m, rng) {
      for (let n = rng.int(1, 16); n > 0; n--) c[rng.below(CHUNK)]! ^= 1 << rng.below(8);
    },
  },
  {
    name: 'byte-run',
    apply(c, _dv, map, rng) {
      const at = map.records.length > 0 && rng.chance(0.7) ? rng.pick(map.records).at + rng.below(256) : rng.below(CHUNK);
      const len = rng.size(7);
      const v = rng.pick(BYTES);
      c.fill(v, at, Math.min(CHUNK, at + len));
    },
  },
  {
    name: 'chunk-header-field',
    apply(_c, dv, _m, rng) {
      // first/last record number and id (u64 halves), header size, last record, free space, checksums, flags.
      const field = rng.pick([8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 120, 124]);
      setU32(dv, field, rng.chance(0.7) ? rng.pick(EXTREME_U32) : rng.int(0, 0xffffffff));
    },
  },
  {
    name: 'record-size',
    apply(c, dv, map, rng) {
      if (map.records.length === 0) return;
      const r = rng.pick(map.records);
      const v = rng.pick([0, 1, 4, 27, 28, r.size + 1, r.size + 2, r.size + 3, r.size - 8, r.size * 2, 0xffffffff, 0x7fffffff, CHUNK]);
      if (rng.chance(0.7)) setU32(dv, r.at + 4, v);
      else setU32(dv, r.at + r.size - 4, v);
      if (rng.chance(0.2)) c[r.at + rng.below(4)]! ^= 0xff; // and the magic
    },
  },
  {
    name: 'record-id-time',
    apply(_c, dv, map, rng) {
      if (map.records.length === 0) return;
      const r = rng.pick(map.records);
      setU32(dv, r.at + rng.pick([8, 12, 16, 20]), rng.pick(EXTREME_U32));
    },
  },
  {
    name: 'template-offset',
    apply(_c, dv, map, rng) {
      if (map.instances.length === 0) return;
      const i = rng.pick(map.instances);
      setU32(dv, i.defField, anywhere(rng, rng.chance(0.5) ? i.at : i.defField, map));
    },
  },
  {
    name: 'template-definition',
    apply(_c, dv, map, rng) {
      if (map.defs.length === 0) return;
      const d = rng.pick(map.defs);
      // next-definition pointer (a self-loop makes a cycle in the chain), GUID, data size.
      const field = rng.pick([0, 4, 20, 20]);
      setU32(dv, d + field, field === 0 ? anywhere(rng, d, map) : rng.pick(EXTREME_U32));
    },
  },
  {
    name: 'self-instantiating-template',
    apply(c, dv, map, rng) {
      if (map.defs.length === 0) return;
      const d = rng.pick(map.defs);
      const body = d + 24 + rng.pick([0, 4]);
      if (body + 10 > CHUNK) return;
      c.set([0x0c, 0x01, 0, 0, 0, 0], body);
      setU32(dv, body + 6, rng.chance(0.8) ? d : anywhere(rng, body, map));
    },
  },
  {
    name: 'name-offset',
    apply(_c, dv, map, rng) {
      if (map.nameFields.length === 0) return;
      const f = rng.pick(map.nameFields);
      setU32(dv, f, anywhere(rng, f, map));
    },
  },
  {
    name: 'string-table',
    apply(_c, dv, map, rng) {
      const slot = 0x80 + 4 * rng.below(64);
      setU32(dv, slot, anywhere(rng, slot, map));
      if (map.nameFields.length > 0 && rng.chance(0.5)) {
        // The name structure's own next-string pointer, looped back onto itself.
        const name = dv.getUint32(rng.pick(map.nameFields), true);
        setU32(dv, name, rng.chance(0.5) ? name : anywhere(rng, name, map));
      }
    },
  },
  {
    name: 'value-count',
    apply(_c, dv, map, rng) {
      const withValues = map.instances.filter((i) => i.values !== null);
      if (withValues.length === 0) return;
      const i = rng.pick(withValues);
      setU32(dv, i.values!, rng.pick([0, 1, 2, 255, 4096, 4097, 65535, 0x7fffffff, 0xffffffff]));
    },
  },
  {
    name: 'value-size',
    apply(_c, dv, map, rng) {
      const withValues = map.instances.filter((i) => i.values !== null);
      if (withValues.length === 0) return;
      const i = rng.pick(withValues);
      const n = Math.min(dv.getUint32(i.values!, true), 64);
      if (n === 0) return;
      const at = i.values! + 4 + 4 * rng.below(n);
      if (at + 2 <= CHUNK) dv.setUint16(at, rng.pick([0, 1, 2, 3, 7, 15, 17, 0x7fff, 0xffff]), true);
    },
  },
  {
    name: 'value-type',
    apply(c, dv, map, rng) {
      const withValues = map.instances.filter((i) => i.values !== null);
      if (withValues.length === 0) return;
      const i = rng.pick(withValues);
      const n = Math.min(dv.getUint32(i.values!, true), 64);
      if (n === 0) return;
      const k = rng.below(n);
      const at = i.values! + 4 + 4 * k + 2;
      if (at >= CHUNK) return;
      const type = rng.pick(VALUE_TYPES);
      c[at] = type;
      if (type === 0x21 && rng.chance(0.6)) {
        // Nested Binary XML that instantiates the same template again: recursion through values.
        let data = i.values! + 4 + 4 * n;
        for (let j = 0; j < k && data < CHUNK; j++) data += dv.getUint16(i.values! + 4 + 4 * j, true);
        if (data + 10 <= CHUNK) {
          c.set([0x0f, 0x01, 0x01, 0x00, 0x0c, 0x01, 0, 0, 0, 0], data);
          setU32(dv, data + 6, i.def);
        }
      }
    },
  },
  {
    name: 'zero-range',
    apply(c, _dv, _m, rng) {
      const at = rng.int(0, CHUNK - 1);
      c.fill(0, at, Math.min(CHUNK, at + rng.size(14)));
    },
  },
  {
    name: 'splice',
    apply(c, _dv, _m, rng, other) {
      const len = rng.size(13);
      const from = rng.below(CHUNK);
      const to = rng.chance(0.5) ? from : rng.below(CHUNK);
      c.set(other.subarray(from, Math.min(CHUNK, from + len)).subarray(0, CHUNK - to), to);
    },
  },
  {
    name: 'free-space-at-record',
    apply(_c, dv, map, rng) {
      // Live data ends early: the rest is slack, which carving walks.
      if (map.records.length === 0) return;
      const r = rng.pick(map.records);
      setU32(dv, 48, r.at);
      if (rng.chance(0.5)) setU32(dv, 44, r.at);
    },
  },
];

/** Rewrites the header and data checksums so that a mutation is not stopped at the checksum check. */
export function fixChunkChecksums(c: Uint8Array): void {
  const dv = new DataView(c.buffer, c.byteOffset, c.byteLength);
  const free = dv.getUint32(48, true);
  if (free >= 512 && free <= CHUNK) dv.setUint32(52, crc32(c, 512, free), true);
  const head = crc32(c, 128, 512, crc32(c, 0, 120));
  dv.setUint32(124, head, true);
}

export function fixFileChecksum(h: Uint8Array): void {
  if (h.length < 128) return;
  new DataView(h.buffer, h.byteOffset, h.byteLength).setUint32(124, crc32(h, 0, 120), true);
}
