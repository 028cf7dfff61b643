// EVTX: a mutated real chunk (sometimes two, sometimes spliced from another file) behind a file
// header, read by `readEvtxBytes` with and without carving; every record is rendered as XML and
// JSON. Checked: no throw, every diagnostic has a known code and an offset inside the file, the
// summary accounts for every item, records sit inside the chunk they name.

import type { EvtxErrorCode } from '../../src/evtx/errors.js';
import { readEvtxBytes, type RecordHeader } from '../../src/evtx/reader.js';
import { renderJson } from '../../src/evtx/render/json.js';
import { renderXml } from '../../src/evtx/render/xml.js';
import { CHUNK, FILE_HEADER, loadSeedChunks, type SeedChunk } from './evtx-corpus.js';
import { MUTATIONS, fixChunkChecksums, fixFileChecksum, mapChunk } from './evtx-mutate.js';
import type { CaseReport } from './outcome.js';
import { describeError, printable } from './outcome.js';
import type { Rng } from './rng.js';
import type { FuzzTarget } from './target.js';

const CODES: ReadonlySet<EvtxErrorCode> = new Set<EvtxErrorCode>([
  'io-error', 'empty-file', 'not-evtx', 'bad-file-header', 'file-header-checksum', 'header-chunk-count',
  'trailing-bytes', 'truncated-chunk', 'bad-chunk-magic', 'bad-chunk-header', 'chunk-header-checksum',
  'chunk-data-checksum', 'bad-record-header', 'record-size-mismatch', 'record-resync', 'truncated',
  'bad-token', 'bad-value', 'bad-template', 'limit-exceeded',
]);

export interface EvtxCase {
  bytes: Uint8Array;
  carve: boolean;
  /** Read with the scan's header prefilter (peek.ts) turning away every odd EventID. */
  prefilter: boolean;
  mutations: string[];
}

/** Builds one case: seed choice, 1 to 6 mutations, checksums fixed or not, file-level edits. */
export function evtxCase(seeds: readonly SeedChunk[], rng: Rng): EvtxCase {
  const seed = rng.pick(seeds);
  const other = rng.pick(seeds);
  const mutations: string[] = [seed.name];
  const chunks: Uint8Array[] = [seed.chunk.slice()];
  const twoChunks = rng.chance(0.12);
  if (twoChunks) {
    // A second chunk: a copy of the first (duplicate ids, a shared template cache) or another file's.
    chunks.push(rng.chance(0.5) ? seed.chunk.slice() : other.chunk.slice());
    mutations.push(chunks[1]!.every((v, i) => v === seed.chunk[i]) ? "+same chunk" : `+chunk ${other.name}`);
  }
  const unmodified = rng.chance(0.03);
  for (const c of chunks) {
    if (unmodified) break;
    const map = mapChunk(c);
    const dv = new DataView(c.buffer, c.byteOffset, c.byteLength);
    for (let n = rng.int(1, 4); n > 0; n--) {
      const m = rng.pick(MUTATIONS);
      m.apply(c, dv, map, rng, other.chunk);
      mutations.push(m.name);
    }
    if (rng.chance(0.6)) {
      fixChunkChecksums(c);
      mutations.push('checksums-fixed');
    }
    if (twoChunks) break; // the second chunk stays intact, so records after damage are expected
  }
  // A copy: the seed's header is a Buffer, whose slice() is a view, and it is edited below.
  const header = new Uint8Array(FILE_HEADER);
  header.set(seed.header.subarray(0, FILE_HEADER));
  const hv = new DataView(header.buffer, header.byteOffset, header.byteLength);
  if (header.length >= 128) {
    hv.setUint16(42, chunks.length, true);
    if (rng.chance(0.1)) {
      hv.setUint32(rng.pick([8, 16, 24, 32, 36, 40, 42, 120]) & ~3, rng.pick([0, 0xffffffff, 0x7fffffff, 1, 4096]), true);
      mutations.push('file-header-field');
    }
    if (rng.chance(0.8)) fixFileChecksum(header);
  }
  let bytes = new Uint8Array(FILE_HEADER + chunks.length * CHUNK);
  bytes.set(header);
  chunks.forEach((c, i) => bytes.set(c, FILE_HEADER + i * CHUNK));
  if (rng.chance(0.1)) {
    const cut = rng.chance(0.2) ? rng.int(0, FILE_HEADER + 600) : rng.int(FILE_HEADER, bytes.length - 1);
    bytes = bytes.subarray(0, cut);
    mutations.push(`truncated@${cut}`);
  } else if (rng.chance(0.05)) {
    const tail = new Uint8Array(rng.int(1, 5000)).fill(rng.pick([0, 0x41, 0xff]));
    const grown = new Uint8Array(bytes.length + tail.length);
    grown.set(bytes);
    grown.set(tail, bytes.length);
    bytes = grown;
    mutations.push(`trailing ${tail.length} bytes`);
  }
  const carve = rng.chance(0.35);
  if (carve) mutations.push('carve');
  const prefilter = rng.chance(0.3);
  if (prefilter) mutations.push('prefilter');
  return { bytes, carve, prefilter, mutations };
}

/** Reads a case to the end and checks every item against the file and the summary. */
export function checkEvtx(c: EvtxCase, name = 'fuzz.evtx'): CaseReport {
  const report: CaseReport = { records: 0, diagnostics: 0, problems: [], mutations: c.mutations, inputSize: c.bytes.length };
  const size = c.bytes.length;
  const slots = size < FILE_HEADER ? 0 : Math.ceil((size - FILE_HEADER) / CHUNK);
  let live = 0;
  let recovered = 0;
  let errors = 0;
  let warnings = 0;
  try {
    // The prefilter sees peeked headers of damaged records: they must be typed, and what it
    // turns away must be counted (records + skipped + errors covers every live record).
    const accept = (h: RecordHeader): boolean => {
      if (!(h.eventId === null || Number.isFinite(h.eventId)) || !(h.channel === null || typeof h.channel === 'string') || !(h.provider === null || typeof h.provider === 'string')) {
        report.problems.push({ outcome: 'untyped-error', detail: `prefilter saw an untyped header ${JSON.stringify(h)}` });
      }
      return h.eventId === null || h.eventId % 2 === 0;
    };
    const it = readEvtxBytes(c.bytes, name, c.prefilter ? { carve: c.carve, accept } : { carve: c.carve });
    for (;;) {
      const n = it.next();
      if (n.done === true) {
        const s = n.value;
        if (live !== s.records || recovered !== s.recovered || errors !== s.errors || warnings !== s.warnings) {
          report.problems.push({
            outcome: 'accounting',
            detail: `yielded ${live} live, ${recovered} carved, ${errors} errors, ${warnings} warnings; summary says ${s.records}, ${s.recovered}, ${s.errors}, ${s.warnings}`,
          });
        }
        break;
      }
      const item = n.value;
      if (item.ok) {
        report.records++;
        const r = item.record;
        if (r.origin.recovered) recovered++;
        else live++;
        if (r.origin.recovered && !c.carve) report.problems.push({ outcome: 'accounting', detail: `carved record ${r.recordId} without carve` });
        if (r.origin.chunk < 0 || r.origin.chunk >= slots || r.origin.offset < FILE_HEADER + r.origin.chunk * CHUNK || r.origin.offset >= FILE_HEADER + (r.origin.chunk + 1) * CHUNK) {
          report.problems.push({ outcome: 'untyped-error', detail: `record ${r.recordId} at offset ${r.origin.offset} outside chunk ${r.origin.chunk}` });
        }
        renderXml(r.document);
        JSON.stringify(renderJson(r.document));
        JSON.stringify(r.data);
      } else {
        report.diagnostics++;
        const d = item.diagnostic;
        if (d.severity === 'error') errors++;
        else warnings++;
        if (!CODES.has(d.code)) report.problems.push({ outcome: 'untyped-error', detail: `unknown code ${printable(String(d.code))}` });
        if (!Number.isSafeInteger(d.offset) || d.offset < 0 || d.offset > size) {
          report.problems.push({ outcome: 'untyped-error', detail: `${d.code} at offset ${d.offset} of a ${size}-byte file: ${printable(d.message)}` });
        }
        if (d.chunk !== null && !(d.chunk >= 0 && d.chunk < Math.max(slots, 1))) report.problems.push({ outcome: 'untyped-error', detail: `${d.code} in chunk ${d.chunk}` });
      }
    }
  } catch (e) {
    report.problems.unshift({ outcome: 'exception', detail: describeError(e) });
  }
  return report;
}

export const evtxTarget: FuzzTarget<SeedChunk[]> = {
  name: 'evtx',
  load(dataDir) {
    const seeds = loadSeedChunks(dataDir);
    if (seeds.length === 0) throw new Error(`no EVTX chunks under ${dataDir}`);
    return seeds;
  },
  run(seeds, rng: Rng) {
    return checkEvtx(evtxCase(seeds, rng));
  },
};
