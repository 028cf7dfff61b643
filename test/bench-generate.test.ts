// The benchmark's set generator (bench/support/generate.ts): the same seed gives the same bytes,
// a different seed different ones, and what it writes reads back cleanly with the CMSTP events in.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { planSet, writeGeneratedFile } from '../bench/support/generate.js';
import { readEvtxFile } from '../src/evtx/reader.js';

const TINY = 12 * 65536; // one or two chunks per file

function generate(dir: string, seed: string): Map<string, string> {
  mkdirSync(dir, { recursive: true });
  for (const plan of planSet(dir, TINY, seed)) writeGeneratedFile(plan);
  const digests = new Map<string, string>();
  for (const name of readdirSync(dir).sort()) digests.set(name, createHash('sha256').update(readFileSync(path.join(dir, name))).digest('hex'));
  return digests;
}

test('the generator is deterministic per seed and its files read back cleanly', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'bench-generate-'));
  try {
    const a = generate(path.join(root, 'a'), 'seed-1');
    const b = generate(path.join(root, 'b'), 'seed-1');
    const c = generate(path.join(root, 'c'), 'seed-2');
    assert.ok(a.size >= 10, `expected at least 10 files, got ${a.size}`);
    assert.deepEqual([...a], [...b]);
    assert.deepEqual([...c.keys()], [...a.keys()]);
    assert.ok([...a].every(([name, digest]) => c.get(name) !== digest), 'another seed must give other bytes');

    const images: string[] = [];
    const channels = new Set<string>();
    let records = 0;
    for (const name of a.keys()) {
      const items = readEvtxFile(path.join(root, 'a', name));
      for (let next = items.next(); ; next = items.next()) {
        if (next.done === true) {
          assert.equal(next.value.errors, 0, `${name}: reader errors`);
          assert.equal(next.value.warnings, 0, `${name}: reader warnings`);
          break;
        }
        const item = next.value;
        if (!item.ok) continue;
        records++;
        channels.add(item.record.system.channel ?? '');
        const i = item.record.data.names.indexOf('CommandLine');
        if (i >= 0) images.push(String(item.record.data.values[i]));
      }
    }
    assert.ok(records > 1000, `only ${records} records`);
    assert.deepEqual([...channels].sort(), ['Application', 'Microsoft-Windows-Sysmon/Operational', 'Security', 'System']);
    assert.ok(images.some((c) => /cmstp\.exe" \/s \/ns .*\.inf \/au$/.test(c)), 'a cmstp.exe /s /ns … /au command line');
    assert.ok(images.some((c) => c.includes('DllHost.exe /Processid:{3E5FC7F9-9A51-4367-9063-A120244FBEC7}')), 'the CMSTPLUA surrogate');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
