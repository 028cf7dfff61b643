// The same hunt on a real ClickHouse server (Debian's clickhouse-server, started here on
// loopback with its own temp config and data) and on embedded DuckDB: identical reports and
// baselines, with and without a baseline; reloading adds nothing; the CLI's --clickhouse.
// Without clickhouse-server the tests skip, except under CI, where it is a failure.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { ClickHouseStore } from '../src/hunt/clickhouse.js';
import { DuckDbStore } from '../src/hunt/duckdb.js';
import type { Event } from '../src/events/model.js';
import { emptySummary, ingest, ingestEvents, readEvents } from '../src/hunt/ingest.js';
import type { LocalClickHouse } from '../src/hunt/local-clickhouse.js';
import { clickhouse, stopClickHouse } from './support/clickhouse.js';
import { collectBaseline, parseBaseline, runHunt, type HuntReport } from '../src/hunt/report.js';
import type { HuntStore } from '../src/hunt/store.js';
import { generateLegit, generateMalicious, toNdjson } from '../src/hunt/synthetic.js';
import { expandPaths } from '../src/io/walk.js';
import { hasSharedData, projectRoot, sharedDataDir } from './support/shared-data.js';

const CLI = path.join(projectRoot(), 'dist', 'src', 'cli', 'main.js');
const dir = mkdtempSync(path.join(tmpdir(), 'hunt-ch-'));
const CLEAN = path.join(dir, 'clean.ndjson');
const RECENT = path.join(dir, 'recent.ndjson');
const MALICIOUS = path.join(dir, 'malicious.ndjson');
writeFileSync(CLEAN, toNdjson(generateLegit({ seed: 21, installs: 400, hosts: 150, start: '2026-02-01T00:00:00Z', days: 20 })));
writeFileSync(RECENT, toNdjson(generateLegit({ seed: 22, installs: 200, hosts: 150, start: '2026-02-21T00:00:00Z', days: 7 })));
const malicious = generateMalicious(5, '2026-02-22T00:00:00Z');
writeFileSync(MALICIOUS, toNdjson(malicious.records));
const samples = hasSharedData()
  ? expandPaths([path.join(sharedDataDir(), 'otrf'), path.join(sharedDataDir(), 'evtx-attack-samples', 'Privilege Escalation')], { accept: (n) => /\.(evtx|json)$/i.test(n) }).files
  : [];

after(async () => {
  await stopClickHouse();
  rmSync(dir, { recursive: true, force: true });
});


/** The report without the engine's name, the one field that differs. */
function comparable(r: HuntReport): Omit<HuntReport, 'engine'> {
  const copy: Partial<HuntReport> = { ...r };
  delete copy.engine;
  return copy as Omit<HuntReport, 'engine'>;
}

/** Reads `paths` once and loads the same events into both engines. */
async function loadBoth(ch: LocalClickHouse, database: string, paths: string[]): Promise<[HuntStore, HuntStore]> {
  const events: Event[] = [];
  for await (const e of readEvents(paths, emptySummary())) events.push(e);
  const duck = await DuckDbStore.open(':memory:');
  const house = new ClickHouseStore(`${ch.url}?database=${database}`);
  const a = await ingestEvents(duck, events);
  const b = await ingestEvents(house, events);
  assert.deepEqual(b, a);
  return [duck, house];
}

test('DuckDB and ClickHouse return identical hunts and baselines', async (t) => {
  const ch = await clickhouse(t);
  if (ch === null) return;
  const [cleanDuck, cleanHouse] = await loadBoth(ch, 'clean', [CLEAN]);
  const baseDuck = await collectBaseline(cleanDuck, new Date(0));
  const baseHouse = await collectBaseline(cleanHouse, new Date(0));
  await cleanDuck.close();
  assert.deepEqual(baseHouse.values, baseDuck.values);
  assert.deepEqual([baseHouse.events, baseHouse.cmstpRuns, baseHouse.firstSeen], [baseDuck.events, baseDuck.cmstpRuns, baseDuck.firstSeen]);
  const parsed = parseBaseline(JSON.stringify(baseHouse));
  assert.ok(parsed.ok);

  const [duck, house] = await loadBoth(ch, 'recent', [...samples, RECENT, MALICIOUS]);
  try {
    for (const options of [{ limit: 30 }, { limit: 30, baseline: parsed.baseline }, { limit: 5, windowSeconds: 3600, burstMin: 2 }]) {
      const a = await runHunt(duck, options);
      const b = await runHunt(house, options);
      assert.equal(a.engine, 'duckdb');
      assert.equal(b.engine, 'clickhouse');
      assert.deepEqual(comparable(b), comparable(a));
      assert.ok(a.overview.cmstpRuns > 200);
    }
    // Not vacuous: the baseline run reports the malicious runs.
    const fresh = await runHunt(house, { baseline: parsed.baseline });
    for (const run of malicious.runs) assert.ok(fresh.outliers.some((o) => o.example === run.commandLine), run.id);
  } finally {
    await duck.close();
  }
});

test('ClickHouse: reloading adds nothing; identifiers and literals with quotes and backslashes survive', async (t) => {
  const ch = await clickhouse(t);
  if (ch === null) return;
  const house = new ClickHouseStore(`${ch.url}?database=reload`);
  const first = await ingest(house, [MALICIOUS]);
  assert.equal(first.inserted, malicious.records.length);
  const again = await ingest(house, [MALICIOUS, MALICIOUS]);
  assert.deepEqual([again.inserted, again.duplicates], [0, 2 * malicious.records.length]);
  const rows = await house.query(`SELECT count(*) AS n, uniqExact(event_key) AS k, countIf(command_line = 'cmstp.exe /s /ns C:\\\\PerfLogs\\\\a.inf') AS perflogs FROM events`);
  assert.deepEqual({ ...rows[0] }, { n: malicious.records.length, k: malicious.records.length, perflogs: 3 });
  await assert.rejects(house.query('SELEKT 1'), /Syntax error/i);
});

test('CLI: load and hunt --clickhouse match the DuckDB report', async (t) => {
  const ch = await clickhouse(t);
  if (ch === null) return;
  const url = `${ch.url}?database=cli`;
  const load = spawnSync(process.execPath, [CLI, 'load', RECENT, MALICIOUS, '--clickhouse', url], { encoding: 'utf8' });
  assert.equal(load.status, 0, load.stderr);
  assert.match(load.stderr, /into clickhouse/);
  const hunt = spawnSync(process.execPath, [CLI, 'hunt', '--clickhouse', url, '--format', 'json', '--limit', '10'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(hunt.status, 0, hunt.stderr);
  const duck = await DuckDbStore.open(':memory:');
  try {
    await ingest(duck, [RECENT, MALICIOUS]);
    assert.deepEqual(comparable(JSON.parse(hunt.stdout) as HuntReport), comparable(await runHunt(duck, { limit: 10 })));
  } finally {
    await duck.close();
  }
  const q = spawnSync(process.execPath, [CLI, 'query', "SELECT inf_class, count() AS n FROM events WHERE inf_class = 'perflogs' GROUP BY inf_class", '--clickhouse', url, '--format', 'json'], { encoding: 'utf8' });
  assert.equal(q.status, 0, q.stderr);
  assert.deepEqual(JSON.parse(q.stdout), { inf_class: 'perflogs', n: 3 });
});
