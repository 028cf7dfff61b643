// The CMSTP hunt on embedded DuckDB, over generated fleet telemetry (thousands of legitimate
// Connection Manager profile installs on hundreds of hosts, a handful of malicious runs) plus the
// real CMSTP samples of ../shared/data: malicious runs rank rarest with reasons; a baseline from a
// clean period leaves the malicious runs and nothing else; reloading adds nothing; the CLI.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { DuckDbStore } from '../src/hunt/duckdb.js';
import { expandPaths } from '../src/io/walk.js';
import { ingest } from '../src/hunt/ingest.js';
import { collectBaseline, parseBaseline, runHunt, type HuntReport, type Stack } from '../src/hunt/report.js';
import type { Baseline } from '../src/hunt/queries.js';
import { commandLineShape, pathShape } from '../src/hunt/shape.js';
import { generateLegit, generateMalicious, toNdjson } from '../src/hunt/synthetic.js';
import { projectRoot, requireSharedData } from './support/shared-data.js';

const CLI = path.join(projectRoot(), 'dist', 'src', 'cli', 'main.js');
const dir = mkdtempSync(path.join(tmpdir(), 'hunt-duckdb-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// A clean period (for the baseline), a recent period with the same kind of legitimate use on a
// different seed (other users, hosts, extraction folders), and the malicious runs.
const clean = generateLegit({ seed: 11, installs: 1000, hosts: 300, start: '2026-01-01T00:00:00Z', days: 20 });
const recent = generateLegit({ seed: 12, installs: 500, hosts: 300, start: '2026-01-21T00:00:00Z', days: 10 });
const malicious = generateMalicious(7, '2026-01-22T00:00:00Z');
const CLEAN = path.join(dir, 'clean.ndjson');
const RECENT = path.join(dir, 'recent.ndjson');
const MALICIOUS = path.join(dir, 'malicious.ndjson');
writeFileSync(CLEAN, toNdjson(clean));
writeFileSync(RECENT, toNdjson(recent));
writeFileSync(MALICIOUS, toNdjson(malicious.records));

const processes = (records: typeof clean): typeof clean => records.filter((r) => r['EventID'] === 1);
const legitShapes = new Set(processes([...clean, ...recent]).map((r) => commandLineShape(String(r['CommandLine']))));
const legitParents = new Set(processes([...clean, ...recent]).map((r) => pathShape(String(r['ParentImage']))));
const maliciousShapes = new Set(malicious.runs.map((r) => commandLineShape(r.commandLine)!));
const maliciousLines = new Set(malicious.runs.map((r) => r.commandLine));
const maliciousRuns = processes(malicious.records).filter((r) => maliciousLines.has(String(r['CommandLine']))).length;

function stack(report: HuntReport, dim: Stack['dim']): Stack {
  const s = report.stacks.find((x) => x.dim === dim);
  assert.ok(s !== undefined, dim);
  return s;
}

// Loaded once, shared by the tests: the clean period's baseline, and the recent period with the
// malicious runs.
let loaded: Promise<{ baseline: Baseline; store: DuckDbStore }> | null = null;
function fixtures(): Promise<{ baseline: Baseline; store: DuckDbStore }> {
  loaded ??= (async () => {
    const cleanStore = await DuckDbStore.open(':memory:');
    await ingest(cleanStore, [CLEAN]);
    const b = parseBaseline(JSON.stringify(await collectBaseline(cleanStore)));
    await cleanStore.close();
    assert.ok(b.ok);
    const store = await DuckDbStore.open(':memory:');
    const s = await ingest(store, [RECENT, MALICIOUS]);
    assert.equal(s.readErrors, 0);
    return { baseline: b.baseline, store };
  })();
  return loaded;
}
after(async () => {
  if (loaded !== null) await (await loaded).store.close();
});

test('generated fleet: the malicious runs are the rarest shapes and the top outliers, with reasons', async () => {
  const { store } = await fixtures();
  const report = await runHunt(store, { limit: 50 });
  assert.equal(report.overview.cmstpRuns, processes(recent).length + maliciousRuns);
  const shapes = stack(report, 'cmstp.shape');
  assert.deepEqual(new Set(shapes.rows.slice(0, maliciousShapes.size).map((r) => r.key)), maliciousShapes);
  // Every legitimate shape is more common than every malicious one.
  const maxMalicious = Math.max(...shapes.rows.filter((r) => maliciousShapes.has(r.key)).map((r) => r.count));
  const legitRows = shapes.rows.filter((x) => legitShapes.has(x.key));
  assert.equal(legitRows.length + maliciousShapes.size, shapes.distinct);
  for (const r of legitRows) assert.ok(r.count > maxMalicious, `${r.key}: ${r.count}`);
  const top = report.outliers.slice(0, maliciousShapes.size);
  assert.deepEqual(new Set(top.map((o) => o.example)), maliciousLines);
  for (const o of top) {
    assert.ok(o.why.includes(` of ${report.overview.cmstpRuns} cmstp.exe runs`), o.why);
    assert.match(o.why, /command-line shape /);
    assert.ok(o.reasons.length >= 2, o.why);
  }
  assert.ok(top.every((o) => o.score > report.outliers[maliciousShapes.size]!.score));
  // The renamed copy is found by OriginalFileName; its INF class and the burst of retries show.
  assert.ok(shapes.rows.some((r) => r.example.includes('svchelper.exe')));
  assert.deepEqual(
    stack(report, 'cmstp.inf_class').rows.slice(0, 5).map((r) => r.key).sort(),
    ['perflogs', 'programdata', 'remote-url', 'temp', 'windows-writable'],
  );
  assert.deepEqual(
    report.bursts.map((b) => [b.host, b.count]),
    [['CORP-WS-0131', 3]],
  );
  assert.deepEqual(stack(report, 'children.cmstp').rows.map((r) => r.key), ['calc.exe']);
  assert.deepEqual(
    stack(report, 'modules.cmstp').rows.slice(0, 2).map((r) => r.key).sort(),
    ['c:\\windows\\microsoft.net\\framework64\\v4.0.30319\\clr.dll', 'c:\\windows\\system32\\scrobj.dll'],
  );
  assert.equal(stack(report, 'modules.cmstplua').events, 16);
});

test('with a baseline from the clean period, the recent period shows the malicious runs and nothing else', async () => {
  const { store, baseline } = await fixtures();
  const report = await runHunt(store, { limit: 50, baseline });
  assert.equal(report.baseline, true);
  assert.deepEqual(new Set(stack(report, 'cmstp.shape').rows.map((r) => r.key)), maliciousShapes);
  assert.equal(stack(report, 'cmstp.shape').events, maliciousRuns);
  assert.deepEqual(new Set(report.outliers.map((o) => o.example)), maliciousLines);
  for (const o of report.outliers) assert.match(o.why, /never seen in the baseline/);
  for (const r of stack(report, 'cmstp.parent').rows) assert.ok(!legitParents.has(r.key), r.key);
  assert.deepEqual(
    stack(report, 'modules.cmstp').rows.map((r) => r.key).sort(),
    ['c:\\windows\\microsoft.net\\framework64\\v4.0.30319\\clr.dll', 'c:\\windows\\system32\\scrobj.dll'],
  );
  assert.equal(stack(report, 'cmstp.host').rows.length, malicious.runs.length);
  assert.equal(stack(report, 'children.elevated_com').events, 2);
});

test('with ../shared/data: its CMSTP samples join the malicious runs, and still no legitimate use', async (t) => {
  const shared = requireSharedData(t);
  if (shared === null) return;
  const { baseline } = await fixtures();
  const { files } = expandPaths([path.join(shared, 'otrf'), path.join(shared, 'evtx-attack-samples', 'Privilege Escalation')], { accept: (n) => /\.(evtx|json)$/i.test(n) });
  const store = await DuckDbStore.open(':memory:');
  try {
    await ingest(store, files);
    const only = await runHunt(store, { limit: 50 });
    const sampleShapes = new Set(stack(only, 'cmstp.shape').rows.map((r) => r.key));
    // OTRF (Atomic test 2) and WinPwnage: cmstp.exe with /au.
    assert.ok(sampleShapes.size >= 2, [...sampleShapes].join(' | '));
    assert.ok([...sampleShapes].every((s) => s.includes('/au')));
    // UACME 41 never starts cmstp.exe: it shows as a child of the elevated CMSTPLUA host.
    assert.ok(stack(only, 'children.elevated_com').events >= 3);

    await ingest(store, [RECENT, MALICIOUS]);
    const all = await runHunt(store, { limit: 50 });
    const shapes = stack(all, 'cmstp.shape').rows;
    const rare = new Set([...maliciousShapes, ...sampleShapes]);
    assert.deepEqual(new Set(shapes.filter((r) => !legitShapes.has(r.key)).map((r) => r.key)), rare);
    assert.deepEqual(new Set(shapes.slice(0, rare.size).map((r) => r.key)), rare);

    const fresh = await runHunt(store, { limit: 50, baseline });
    assert.deepEqual(new Set(stack(fresh, 'cmstp.shape').rows.map((r) => r.key)), rare);
    for (const o of fresh.outliers) assert.ok(maliciousLines.has(o.example) || !o.exampleHost.startsWith('CORP-WS-'), o.example);
    for (const r of stack(fresh, 'cmstp.parent').rows) assert.ok(!legitParents.has(r.key), r.key);
  } finally {
    await store.close();
  }
});

test('reloading the same inputs into a database file adds nothing', async () => {
  const file = path.join(dir, 'reload.duckdb');
  const store = await DuckDbStore.open(file);
  try {
    const first = await ingest(store, [MALICIOUS]);
    assert.equal(first.inserted, malicious.records.length);
    const again = await ingest(store, [MALICIOUS, MALICIOUS]);
    assert.deepEqual([again.rows, again.inserted, again.duplicates], [2 * malicious.records.length, 0, 2 * malicious.records.length]);
    const rows = await store.query('SELECT count(*) AS n, count(DISTINCT event_key) AS k FROM events');
    assert.deepEqual({ ...rows[0] }, { n: malicious.records.length, k: malicious.records.length });
  } finally {
    await store.close();
  }
});

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('CLI: load, hunt with a saved baseline, query; attacker text escaped in every format', () => {
  const db = path.join(dir, 'cli.duckdb');
  const hostile = path.join(dir, 'hostile.ndjson');
  const evil = 'cmstp.exe /s "C:\\x\\<script>alert(1)</script>.inf" \u001b[31m=cmd|calc';
  writeFileSync(
    hostile,
    JSON.stringify({ '@timestamp': '2026-01-25T10:00:00Z', Hostname: 'EVIL-01', Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 1, Image: 'C:\\Windows\\System32\\cmstp.exe', CommandLine: evil, ParentImage: 'C:\\x\\p.exe' }) + '\n',
  );
  let r = cli(['load', RECENT, '--db', db]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stderr.includes(`load: 1 inputs, ${recent.length} events, ${recent.length} new, 0 already stored`), r.stderr);
  const baselineFile = path.join(dir, 'baseline.json');
  r = cli(['hunt', '--db', db, '--save-baseline', baselineFile, '--format', 'json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as HuntReport).overview.cmstpRuns, processes(recent).length);
  assert.equal((JSON.parse(readFileSync(baselineFile, 'utf8')) as { format: string }).format, 'cmstp-hunt-baseline');

  r = cli(['hunt', MALICIOUS, hostile, '--baseline', baselineFile]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.includes(`cmstp.exe by command-line shape: ${maliciousRuns + 1} events, ${maliciousShapes.size + 1} distinct`), r.stdout.slice(0, 600));
  assert.ok(!r.stdout.includes('\u001b'), 'raw escape in the terminal table');
  assert.match(r.stdout, /\\x1b\[31m/);
  assert.match(r.stdout, /why: command-line shape cmstp\.exe \/au %userprofile%/);

  r = cli(['hunt', MALICIOUS, hostile, '--format', 'html']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!r.stdout.includes('<script>'), 'unescaped HTML');
  assert.match(r.stdout, /&#60;script&#62;/);
  assert.match(r.stdout, /class="bar" style="width:\d/);

  r = cli(['hunt', hostile, '--format', 'csv']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^"section","value","count"/);
  assert.ok(!r.stdout.includes('\u001b'), 'raw escape in CSV');
  assert.ok(r.stdout.includes('"cmstp.shape","cmstp.exe /s ""c:\\x\\<script>alert(1)</script>.inf"" \\x1b[31m=cmd|calc","1"'), r.stdout);

  r = cli(['query', 'SELECT inf_class, count(*) AS n FROM events WHERE inf_class IS NOT NULL GROUP BY 1 ORDER BY n DESC, 1', '--db', db, '--format', 'csv']);
  assert.equal(r.code, 0, r.stderr);
  const total = processes(recent).length;
  const sccm = processes(recent).filter((x) => String(x['CurrentDirectory']).includes('ccmcache')).length;
  assert.ok(sccm > 0 && sccm < total);
  const [a, b] = sccm > total - sccm ? [['relative:sccm-cache', sccm], ['relative:temp', total - sccm]] : [['relative:temp', total - sccm], ['relative:sccm-cache', sccm]];
  assert.equal(r.stdout, `"inf_class","n"\r\n"${a[0]}","${a[1]}"\r\n"${b[0]}","${b[1]}"\r\n`);
  r = cli(['query', 'SELECT event_key FROM events ORDER BY event_key', '--db', db, '--max-rows', '3', '--format', 'json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').length, 3);
  assert.match(r.stderr, /output cut at 3 rows/);
  r = cli(['query', 'SELEKT 1', '--db', db]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /error: .*syntax error/i);
  r = cli(['hunt', '--db', db, '--baseline', RECENT]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /not JSON|not a baseline/);
  r = cli(['load', RECENT]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /needs --db/);
});
