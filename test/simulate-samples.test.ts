// The simulated events against the real samples they imitate: every EventData field a real
// Sysmon record of the same event id carries is in ours, in the same order (newer Sysmon adds
// fields, it does not reorder them), and the OTRF Security 4688 fields are all there too.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readEvtxFile } from '../src/evtx/reader.js';
import { buildScenario, hostFrom, PROCEDURES, windowsEvents } from '../src/simulate/index.js';
import { requireSharedData } from './support/shared-data.js';

/** EventData names of our simulated events, per channel and event id. */
function ourNames(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of PROCEDURES) {
    const logs = windowsEvents(buildScenario(p, hostFrom(undefined), '0'), '0');
    for (const e of [...logs.sysmon, ...logs.security]) out.set(`${e.channel}/${e.eventId}`, (e.eventData ?? []).map(([k]) => k));
  }
  return out;
}

function isSubsequence(small: readonly string[], big: readonly string[]): boolean {
  let i = 0;
  for (const x of big) if (i < small.length && small[i] === x) i++;
  return i === small.length;
}

test('Sysmon events: the fields of the real CMSTP samples, in their order', (t) => {
  const shared = requireSharedData(t);
  if (shared === null) return;
  const ours = ourNames();
  const samples = ['Privilege Escalation/sysmon_1_13_11_cmstp_ini_uacbypass.evtx', 'Privilege Escalation/Sysmon_UACME_41.evtx'];
  let compared = 0;
  for (const s of samples) {
    for (const item of readEvtxFile(join(shared, 'evtx-attack-samples', s))) {
      if (!item.ok) continue;
      const r = item.record;
      const key = `${r.system.channel}/${r.system.eventId}`;
      const mine = ours.get(key);
      if (mine === undefined) continue;
      const theirs = [...r.data.entries()].map(([k]) => k);
      assert.ok(isSubsequence(theirs, mine), `${s} ${key}: ${theirs.join(',')} not in order within ours ${mine.join(',')}`);
      compared++;
    }
  }
  assert.ok(compared >= 5, `compared ${compared} records`);
});

test('Security 4688: every EventData field of the OTRF Atomic #2 capture', (t) => {
  const shared = requireSharedData(t);
  if (shared === null) return;
  const ours = ourNames().get('Security/4688')!;
  // OTRF flattens System and EventData together; these keys are System, Message or collector fields.
  const notEventData = new Set(['@timestamp', 'Channel', 'EventID', 'Hostname', 'Keywords', 'Level', 'Message', 'ProviderGuid', 'SourceName', 'Task', 'TimeCreated']);
  const text = readFileSync(join(shared, 'otrf', 'psh_cmstp_execution_bypassuac_2020-10-2201543213.json'), 'utf8');
  let seen = 0;
  for (const line of text.split('\n')) {
    if (!line.includes('"EventID":4688')) continue;
    const doc = JSON.parse(line) as Record<string, unknown>;
    const names = Object.keys(doc).filter((k) => !notEventData.has(k));
    for (const n of names) assert.ok(ours.includes(n), `4688 field ${n} is simulated`);
    seen++;
  }
  assert.ok(seen > 0);
  assert.equal(ours.length, 15, 'version 2 of 4688 has 15 fields');
});
