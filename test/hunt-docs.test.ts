// docs/hunt.md documents the events table that Sigma SQL exports will target: every column of
// the schema must be named there, and the DDL of both dialects must come from that schema.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CLICKHOUSE, DUCKDB } from '../src/hunt/dialect.js';
import { COLUMNS } from '../src/hunt/schema.js';
import { projectRoot } from './support/shared-data.js';

test('docs/hunt.md names every column of the events table', () => {
  const doc = readFileSync(path.join(projectRoot(), 'docs', 'hunt.md'), 'utf8');
  const missing = COLUMNS.filter((c) => !doc.includes(`\`${c.name}\``)).map((c) => c.name);
  assert.deepEqual(missing, []);
});

test('both dialects create every column, the key columns not nullable, with the documented ClickHouse key', () => {
  for (const d of [DUCKDB, CLICKHOUSE]) {
    const ddl = d.createTable('events').join('\n');
    for (const c of COLUMNS) assert.ok(ddl.includes(`"${c.name}" `), `${d.name}: ${c.name}`);
  }
  const ch = CLICKHOUSE.createTable('events').join('\n');
  assert.match(ch, /"host" String,/);
  assert.match(ch, /"time" DateTime\('UTC'\),/);
  assert.match(ch, /PARTITION BY toYYYYMM\(time\) ORDER BY \(host, time, event_key\)$/);
  assert.match(DUCKDB.createTable('events').join('\n'), /"event_key" VARCHAR NOT NULL/);
});
