// The prefilter's header peek (src/evtx/binxml/peek.ts) against the full decode: on every EVTX
// record under ../shared/data, a peek that answers gives exactly the EventID, Channel and
// Provider the full decode gives; and a reader with a prefilter accounts for every record it
// turns away.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, readSync } from 'node:fs';
import { ChunkContext } from '../src/evtx/binxml/context.js';
import { peekRecordHeader } from '../src/evtx/binxml/peek.js';
import { DEFAULT_LIMITS } from '../src/evtx/limits.js';
import { readEvtxFile, type RecordHeader } from '../src/evtx/reader.js';
import { listEvtxFiles, relativeToSharedData, requireSharedData } from './support/shared-data.js';

const CHUNK = 65536;
const HEADER = 4096;

function readChunkBytes(fd: number, index: number): Buffer {
  const buf = Buffer.alloc(CHUNK);
  readSync(fd, buf, 0, CHUNK, HEADER + index * CHUNK);
  return buf;
}

test('a header peek agrees with the full decode on every record it answers for', (t) => {
  if (requireSharedData(t) === null) return;
  let answered = 0;
  let unknown = 0;
  const problems: string[] = [];
  for (const file of listEvtxFiles()) {
    const fd = openSync(file, 'r');
    try {
      let chunkIndex = -1;
      let ctx: ChunkContext | null = null;
      const it = readEvtxFile(file);
      for (;;) {
        const r = it.next();
        if (r.done === true) break;
        if (!r.value.ok || r.value.record.origin.recovered) continue;
        const rec = r.value.record;
        if (rec.origin.chunk !== chunkIndex) {
          chunkIndex = rec.origin.chunk;
          ctx = new ChunkContext(readChunkBytes(fd, chunkIndex), DEFAULT_LIMITS, null);
        }
        const rel = rec.origin.offset - (HEADER + chunkIndex * CHUNK);
        const size = ctx!.u32(rel + 4);
        const h = peekRecordHeader(ctx!, rel + 24, rel + size - 4);
        if (h === null) {
          unknown++;
          continue;
        }
        answered++;
        const want: RecordHeader = { eventId: rec.system.eventId, channel: rec.system.channel, provider: rec.system.provider };
        // An empty text and a missing one are the same to every prefilter (neither names a channel).
        const same = h.eventId === want.eventId && (h.channel ?? '') === (want.channel ?? '') && (h.provider ?? '') === (want.provider ?? '');
        if (!same && problems.length < 10) problems.push(`${relativeToSharedData(file)} record ${rec.recordId}: peek ${JSON.stringify(h)}, decode ${JSON.stringify(want)}`);
      }
    } finally {
      closeSync(fd);
    }
  }
  t.diagnostic(`peek answered for ${answered} records, left ${unknown} to the full decode`);
  assert.deepEqual(problems, []);
  // Windows' own logs are the plain shape: nearly every record must be peekable, or the
  // prefilter would not pay.
  assert.ok(answered > 100_000 && unknown < answered / 50, `answered ${answered}, unknown ${unknown}`);
});

test('a prefiltered read counts every record it turns away', (t) => {
  if (requireSharedData(t) === null) return;
  const files = listEvtxFiles().filter((f) => f.includes('corpus'));
  let kept = 0;
  let skipped = 0;
  for (const file of files) {
    const full = readEvtxFile(file);
    let n = 0;
    let ids = new Set<number>();
    for (;;) {
      const r = full.next();
      if (r.done === true) {
        n = r.value.records;
        break;
      }
      if (r.value.ok && r.value.record.system.channel === 'Security') ids.add(r.value.record.recordId);
    }
    const part = readEvtxFile(file, { accept: (h) => h.channel === 'Security' });
    const seen = new Set<number>();
    for (;;) {
      const r = part.next();
      if (r.done === true) {
        assert.equal(r.value.records + r.value.skipped, n, `${relativeToSharedData(file)}: decoded + skipped = all`);
        kept += r.value.records;
        skipped += r.value.skipped;
        break;
      }
      if (r.value.ok) seen.add(r.value.record.recordId);
    }
    // Every Security record the full read saw is still decoded.
    for (const id of ids) assert.ok(seen.has(id), `${relativeToSharedData(file)}: record ${id} lost`);
    ids = new Set();
  }
  assert.ok(kept > 0 && skipped > kept, `kept ${kept}, skipped ${skipped}`);
});
