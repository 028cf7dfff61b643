// The record account on every file of the shared data, whatever its format: each input ends
// either skipped with a reason, or with `read === parsed + recovered + reported`; and `read` is
// cross-checked against a count made without our readers where there is one (libevtx's record
// count for EVTX, non-empty lines for JSON lines).

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { readSource } from '../src/sources/index.js';
import type { SourceSummary } from '../src/sources/types.js';
import { loadReferenceCounts, relativeToSharedData, requireSharedData } from './support/shared-data.js';

function allFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile()) out.push(full);
    }
  };
  walk(dir);
  return out.sort();
}

async function account(file: string): Promise<SourceSummary> {
  const it = readSource(file);
  let items = 0;
  for (;;) {
    const r = await it.next();
    if (r.done === true) {
      // The summary agrees with the items the caller saw, not only with itself.
      assert.ok(items >= r.value.parsed + r.value.recovered + r.value.reported, `${file}: fewer items than the summary counts`);
      return r.value;
    }
    items++;
  }
}

test('every file of the shared data: read = parsed + recovered + reported, or skipped with a reason', async (t) => {
  const dir = requireSharedData(t);
  if (dir === null) return;
  const refs = loadReferenceCounts(dir);
  const files = allFiles(dir);
  assert.ok(files.length > 500, `expected the shared corpus, found ${files.length} files`);
  let read = 0;
  let checkedEvtx = 0;
  let checkedLines = 0;
  let skipped = 0;
  for (const file of files) {
    const rel = relativeToSharedData(file, dir);
    const s = await account(file);
    assert.equal(s.read, s.parsed + s.recovered + s.reported, `${rel}: ${s.read} read but ${s.parsed} parsed + ${s.recovered} recovered + ${s.reported} reported`);
    assert.equal(s.balanced, true, rel);
    assert.equal(s.parsed, s.records, rel);
    assert.equal(s.reported, s.rejected, rel);
    read += s.read;
    if (s.skipped !== null) {
      skipped++;
      assert.equal(s.read, 0, `${rel}: skipped yet ${s.read} read`);
      assert.match(s.skipped, /^\[[a-z-]+\] ./, `${rel}: the reason names its code`);
      continue;
    }
    const ref = refs.get(rel);
    if (s.format === 'evtx' && ref !== undefined && ref.evtxexport.exitCode === 0) {
      // libevtx walks the same chunks by its own code: every record it exports is a frame of ours.
      assert.ok(s.read >= ref.evtxexport.records, `${rel}: ${s.read} read, libevtx exported ${ref.evtxexport.records}`);
      checkedEvtx++;
    }
    if (s.format === 'ndjson' && s.ignored === 0) {
      const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').length;
      assert.equal(s.read, lines, `${rel}: ${s.read} read of ${lines} non-empty lines`);
      checkedLines++;
    }
  }
  // Licences and READMEs are not logs: they are skipped, each with its reason; the logs are not.
  const evtxFiles = files.filter((f) => f.endsWith('.evtx')).length;
  assert.ok(checkedEvtx >= evtxFiles - 40, `cross-checked ${checkedEvtx} of ${evtxFiles} EVTX files against libevtx`);
  assert.ok(checkedLines >= 1, 'the OTRF JSON lines file was cross-checked');
  t.diagnostic(`${files.length} files, ${read} records read, ${skipped} skipped, ${checkedEvtx} EVTX checked against libevtx, ${checkedLines} JSON lines files against their line count`);
});

test('carving keeps the account: recovered records are candidates too (robustness files)', async (t) => {
  const dir = requireSharedData(t);
  if (dir === null) return;
  const files = allFiles(path.join(dir, 'robustness')).filter((f) => f.endsWith('.evtx'));
  assert.ok(files.length > 0, 'the robustness EVTX files');
  let recovered = 0;
  for (const file of files) {
    const it = readSource(file, { carve: true });
    let r = await it.next();
    while (r.done !== true) r = await it.next();
    const s = r.value;
    assert.equal(s.read, s.parsed + s.recovered + s.reported, `${relativeToSharedData(file, dir)} with --carve`);
    recovered += s.recovered;
  }
  assert.ok(recovered > 0, 'some records were carved, so the recovered term was exercised');
  t.diagnostic(`${files.length} files, ${recovered} carved records`);
});
