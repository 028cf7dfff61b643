// Hunt benchmark: load throughput (events/s) into DuckDB and ClickHouse, and the time of the full
// hunt report, at growing sizes (default 1 million and 10 million events). The events are
// generated: a pool of fleet telemetry (src/hunt/synthetic.ts) read and normalised once through
// the real readers (that rate is printed apart), then replayed with the copy number folded into
// host names and times, so N events span N/pool copies × the pool's hosts, one day apart per copy.
// Wall-clock rates depend on what else runs on the machine; the loader's own CPU time is printed
// beside them (the database's work runs in DuckDB's threads or the ClickHouse server).
// ClickHouse is a throwaway local server (clickhouse-server installed) unless
// HUNT_BENCH_CLICKHOUSE gives a URL.
//
//   npm run bench:hunt [-- 1000000 10000000] [-- --engines duckdb,clickhouse]

import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Event } from '../src/events/model.js';
import { ClickHouseStore } from '../src/hunt/clickhouse.js';
import { DuckDbStore } from '../src/hunt/duckdb.js';
import { emptySummary, ingestEvents, readEvents } from '../src/hunt/ingest.js';
import { startLocalClickHouse, type LocalClickHouse } from '../src/hunt/local-clickhouse.js';
import { runHunt } from '../src/hunt/report.js';
import type { HuntStore } from '../src/hunt/store.js';
import { generateLegit, generateMalicious, toNdjson } from '../src/hunt/synthetic.js';

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

function argList(): { sizes: number[]; engines: string[] } {
  const args = process.argv.slice(2);
  const e = args.indexOf('--engines');
  const engines = e >= 0 ? (args[e + 1] ?? '').split(',') : ['duckdb', 'clickhouse'];
  const sizes = args.filter((a, i) => /^\d+$/.test(a) && args[i - 1] !== '--engines').map(Number);
  return { sizes: sizes.length > 0 ? sizes : [1_000_000, 10_000_000], engines };
}

/** N events replayed from the pool: copy k on hosts `<host>-k`, k days later. */
function* replay(pool: readonly Event[], n: number): Generator<Event> {
  for (let i = 0; i < n; i++) {
    const base = pool[i % pool.length]!;
    const k = Math.floor(i / pool.length);
    if (k === 0) {
      yield base;
      continue;
    }
    const t = base.time === null ? NaN : Date.parse(base.time);
    yield { ...base, host: `${base.host ?? ''}-${k}`, time: Number.isFinite(t) ? new Date(t + k * 86400_000).toISOString() : base.time };
  }
}

function duSize(p: string): number {
  try {
    return statSync(p).size;
  } catch {
    return 0;
  }
}

async function main(): Promise<void> {
  const { sizes, engines } = argList();
  const dir = mkdtempSync(path.join(tmpdir(), 'hunt-bench-'));
  let ch: LocalClickHouse | null = null;
  try {
    const file = path.join(dir, 'pool.ndjson');
    const legit = generateLegit({ seed: 1, installs: 5000, hosts: 500, start: '2026-01-01T00:00:00Z', days: 1 });
    const mal = generateMalicious(2, '2026-01-01T12:00:00Z');
    writeFileSync(file, toNdjson([...legit, ...mal.records]));
    let t = performance.now();
    const pool: Event[] = [];
    for await (const e of readEvents([file], emptySummary())) pool.push(e);
    const readMs = performance.now() - t;
    console.log(`pool: ${fmt(pool.length)} events read and normalised in ${fmt(readMs)} ms (${fmt((pool.length * 1000) / readMs)} events/s through the readers)`);

    const url = process.env['HUNT_BENCH_CLICKHOUSE'];
    if (engines.includes('clickhouse') && url === undefined) {
      ch = await startLocalClickHouse();
      console.log(`clickhouse: local server on port ${ch.port}`);
    }
    const results: string[] = [];
    for (const n of sizes) {
      for (const engine of engines) {
        let store: HuntStore;
        let dbFile: string | null = null;
        if (engine === 'duckdb') {
          dbFile = path.join(dir, `bench-${n}.duckdb`);
          store = await DuckDbStore.open(dbFile);
        } else {
          const base = url ?? ch!.url;
          store = new ClickHouseStore(`${base}${base.includes('?') ? '&' : '?'}database=bench_${n}`);
        }
        t = performance.now();
        const cpu0 = process.cpuUsage();
        const r = await ingestEvents(store, replay(pool, n), {
          onProgress: (k) => {
            if (k % 1_048_576 === 0) process.stderr.write(`  ${engine} ${fmt(k)} events, ${fmt((k * 1000) / (performance.now() - t))} events/s\n`);
          },
        });
        const loadMs = performance.now() - t;
        const cpu = process.cpuUsage(cpu0);
        const cpuS = (cpu.user + cpu.system) / 1e6;
        t = performance.now();
        const report = await runHunt(store);
        const huntMs = performance.now() - t;
        // A second run: what a hunter sees on repeat queries (caches warm).
        t = performance.now();
        await runHunt(store);
        const huntMs2 = performance.now() - t;
        let size = '';
        if (dbFile !== null) size = `${fmt(duSize(dbFile) / 1048576)} MiB`;
        else {
          const s = await store.query(`SELECT sum(bytes) AS b FROM system.parts WHERE database = 'bench_${n}' AND active`);
          size = `${fmt(Number(s[0]?.['b'] ?? 0) / 1048576)} MiB`;
        }
        const line = `${engine.padEnd(10)} ${fmt(n).padStart(12)} events  load ${fmt(loadMs / 1000).padStart(5)} s = ${fmt((r.inserted * 1000) / loadMs).padStart(7)} events/s (this process ${fmt(cpuS)} CPU s)  hunt ${fmt(huntMs).padStart(6)} ms (again ${fmt(huntMs2)} ms)  ${size}  cmstp runs ${fmt(report.overview.cmstpRuns)}, hosts ${fmt(report.overview.hosts)}`;
        console.log(line);
        results.push(line);
        await store.close();
        if (dbFile !== null) rmSync(dbFile, { force: true });
        else await (store as ClickHouseStore).request(`DROP DATABASE IF EXISTS bench_${n}`, {}, false);
      }
    }
    console.log('\nsummary\n' + results.join('\n'));
  } finally {
    await ch?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
