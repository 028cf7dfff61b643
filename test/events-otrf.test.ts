// Issue 3's acceptance check on real data: the OTRF export of Atomic T1218.003 test 2 read as
// NDJSON and normalised: every record, the right categories, and the cmstp.exe launch seen twice,
// by Sysmon and by Security auditing, with the same canonical Image and CommandLine.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readSource } from '../src/sources/index.js';
import type { SourceSummary } from '../src/sources/types.js';
import { normalize, TableSet } from '../src/events/normalize.js';
import { DEFAULT_TABLES } from '../src/events/tables/index.js';
import type { Event } from '../src/events/model.js';
import { requireSharedData } from './support/shared-data.js';

test('OTRF cmstp export: 1,166 events, categorised, the cmstp.exe launch from Sysmon 1 and Security 4688 alike', async (t) => {
  const data = requireSharedData(t);
  if (data === null) return;
  const dir = join(data, 'otrf');
  const file = join(dir, readdirSync(dir).find((f) => f.endsWith('.json'))!);
  const tables = new TableSet(DEFAULT_TABLES);
  const events: Event[] = [];
  const items = readSource(file);
  let summary: SourceSummary | undefined;
  for (;;) {
    const next = await items.next();
    if (next.done === true) {
      summary = next.value;
      break;
    }
    assert.ok(next.value.ok, `no diagnostic expected: ${JSON.stringify(next.value)}`);
    events.push(normalize(next.value.record, tables));
  }
  assert.equal(events.length, 1166);
  assert.equal(summary.records, 1166);
  assert.equal(summary.rejected, 0);
  assert.equal(summary.format, 'ndjson');

  const byCategory = new Map<string, number>();
  for (const e of events) byCategory.set(String(e.category), (byCategory.get(String(e.category)) ?? 0) + 1);
  // Sysmon: 10 → process_access 271, 22 dns 205, 7 image_load 185, 12 registry 51, 13 registry_set 39,
  // 11 file_event 12, 1 process_creation 5, 9 raw_access_thread 3, 5 termination 2, 3 network 2;
  // Security: 4688 → process_creation 5, 5156 → network 7, 4656/4663 on files → file_access, 4689.
  assert.equal(byCategory.get('process_access'), 271);
  assert.equal(byCategory.get('dns_query'), 205);
  assert.equal(byCategory.get('image_load'), 185);
  assert.equal(byCategory.get('registry_set'), 39);
  assert.equal(byCategory.get('process_creation'), 10);
  assert.equal(byCategory.get('network_connection'), 9);
  assert.equal(byCategory.get('process_termination'), 4);

  const cmstp = events.filter((e) => e.category === 'process_creation' && /\\cmstp\.exe$/i.test(String(e.fields.get('Image'))));
  assert.deepEqual(cmstp.map((e) => e.mapping).sort(), ['security', 'sysmon']);
  const [a, b] = cmstp as [Event, Event];
  assert.equal(String(a.fields.get('Image')).toLowerCase(), String(b.fields.get('Image')).toLowerCase());
  assert.equal(a.fields.get('CommandLine'), b.fields.get('CommandLine'));
  assert.match(String(a.fields.get('CommandLine')), /cmstp\.exe["']?\s+\/s\s+C:\\ProgramData\\T1218\.003_uacbypass\.inf\s+\/au/i);
  for (const e of cmstp) {
    assert.equal(e.host, 'WORKSTATION5');
    assert.equal(e.origin.shape, 'otrf-flat');
    assert.equal(typeof e.fields.get('ProcessId'), 'number');
  }
});
