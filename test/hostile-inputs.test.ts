// Inputs that cannot be read, or only in part, and the `--max-…` caps: each unreadable input is
// named with its reason on stderr and in `--stats` (`skipped`), the scan goes on with the others,
// and the exit status says that something was skipped (bit 4). Every cap, set tiny, turns a known
// input into a located `limit-exceeded` diagnostic.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, createWriteStream, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { test, type TestContext } from 'node:test';
import { readSource } from '../src/sources/index.js';
import type { SourceDiagnostic, SourceSummary } from '../src/sources/types.js';
import { parseSize } from '../src/cli/commands/limits.js';
import { projectRoot } from './support/shared-data.js';

const ROOT = projectRoot();
const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
const ATTACK = path.join(ROOT, 'examples', 'cmstp-uac-bypass.evtx');
const SOURCES = path.join(ROOT, 'test', 'fixtures', 'sources');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.error, undefined, `cannot run the CLI: ${String(r.error)}`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cmstp-hunt-hostile-'));
  t.after(() => {
    // chmod 000 files inside must be removable by a non-root owner.
    for (const f of readdirSync(dir)) {
      try {
        chmodSync(path.join(dir, f), 0o600);
      } catch {
        // dangling links, FIFOs
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

async function drain(file: string, options: Parameters<typeof readSource>[1] = {}): Promise<{ summary: SourceSummary; diagnostics: SourceDiagnostic[] }> {
  const it = readSource(file, options);
  const diagnostics: SourceDiagnostic[] = [];
  for (;;) {
    const r = await it.next();
    if (r.done === true) return { summary: r.value, diagnostics };
    if (!r.value.ok) diagnostics.push(r.value.diagnostic);
  }
}

interface Stats {
  skipped: Array<{ path: string; reason: string; kind: string }>;
  records: { read: number; parsed: number; recovered: number; reported: number; balanced: boolean };
  sources: SourceSummary[];
}

/** A folder of one good EVTX file and every kind of unreadable input we know how to make. */
function hostileFolder(t: TestContext): { dir: string; bad: Map<string, RegExp>; permissionDenied: boolean } {
  const dir = tempDir(t);
  const bad = new Map<string, RegExp>();
  copyFileSync(ATTACK, path.join(dir, 'good.evtx'));
  writeFileSync(path.join(dir, 'empty.evtx'), '');
  bad.set('empty.evtx', /empty/);
  writeFileSync(path.join(dir, 'text.evtx'), 'this is not an event log\n');
  bad.set('text.evtx', /named like EVTX but has no ElfFile signature/);
  writeFileSync(path.join(dir, 'trunc.evtx'), readFileSync(ATTACK).subarray(0, 1000));
  bad.set('trunc.evtx', /1000 bytes, less than its 4096-byte header/);
  symlinkSync(path.join(dir, 'gone.evtx'), path.join(dir, 'dangling.evtx'));
  bad.set('dangling.evtx', /symbolic link to nothing readable \(ENOENT\)/);
  const fifo = spawnSync('mkfifo', [path.join(dir, 'pipe.evtx')]);
  if (fifo.status === 0) bad.set('pipe.evtx', /not a regular file \(FIFO\)/);
  else t.diagnostic('mkfifo unavailable: the FIFO case is not exercised');
  const locked = path.join(dir, 'locked.evtx');
  copyFileSync(ATTACK, locked);
  chmodSync(locked, 0);
  let permissionDenied = true;
  try {
    readFileSync(locked);
    permissionDenied = false;
    // Root reads through chmod 000: the case cannot be made here, and the file reads normally.
    t.diagnostic('running as root: chmod 000 does not deny reading, so the permission case is not exercised');
  } catch {
    bad.set('locked.evtx', /EACCES|permission denied/i);
  }
  return { dir, bad, permissionDenied };
}

test('scan: unreadable inputs are named with the reason, the rest is read, exit 4 (5 with findings)', (t) => {
  const { dir, bad } = hostileFolder(t);
  const stats = path.join(dir, 'stats.json.out');
  const r = cli(['scan', dir, '-f', 'jsonl', '--stats', stats, '--fail-on', 'low']);
  assert.equal(r.code, 5, `findings (1) and skipped inputs (4): ${r.stderr}`);
  const s = JSON.parse(readFileSync(stats, 'utf8')) as Stats;
  for (const [name, reason] of bad) {
    const entry = s.skipped.find((e) => path.basename(e.path) === name);
    assert.ok(entry !== undefined, `${name} is in --stats skipped: ${JSON.stringify(s.skipped)}`);
    assert.match(entry.reason, reason, name);
    assert.match(r.stderr, new RegExp(`skipped: [^\\n]*${name.replace('.', '\\.')}: `), `${name} named on stderr`);
  }
  assert.equal(s.skipped.length, bad.size, JSON.stringify(s.skipped));
  const good = s.sources.find((x) => path.basename(x.path) === 'good.evtx');
  assert.ok(good !== undefined && good.parsed > 0 && good.skipped === null, 'the good file was read');
  assert.equal(s.records.balanced, true);
  assert.ok(r.stdout.trim().split('\n').length > 0, 'findings of the good file');
  assert.match(r.stderr, /scan: records: \d+ read = \d+ parsed \+ 0 recovered \+ 0 reported; \d+ inputs skipped or cut short/);

  const plain = cli(['scan', dir, '-f', 'jsonl', '-q']);
  assert.equal(plain.code, 4, 'skipped inputs without --fail-on: 4');
  // Errors still print with --quiet.
  assert.match(plain.stderr, /skipped: .*empty\.evtx/);
});

test('scan and dump: nothing readable is exit 2; dump names skipped inputs and exits 4', (t) => {
  const { dir } = hostileFolder(t);
  const only = cli(['scan', path.join(dir, 'empty.evtx'), path.join(dir, 'text.evtx'), '-f', 'jsonl']);
  assert.equal(only.code, 2, only.stderr);
  assert.match(only.stderr, /skipped: .*empty\.evtx: \[empty-file\]/);
  const missing = cli(['scan', ATTACK, path.join(dir, 'vanished.evtx'), '-f', 'jsonl']);
  assert.equal(missing.code, 4, missing.stderr);
  assert.match(missing.stderr, /skipped: .*vanished\.evtx: no such file or directory/);

  const stats = path.join(dir, 'dump-stats.out');
  const d = cli(['dump', dir, '-o', path.join(dir, 'dump.out'), '--stats', stats]);
  assert.equal(d.code, 4, d.stderr);
  assert.match(d.stderr, /skipped: .*trunc\.evtx: \[truncated-chunk\]/);
  assert.match(d.stderr, /dump: records: (\d+) read = \1 parsed \+ 0 recovered \+ 0 reported/);
  const ds = JSON.parse(readFileSync(stats, 'utf8')) as Stats;
  assert.ok(ds.skipped.some((e) => e.path.endsWith('empty.evtx')));
  const nothing = cli(['dump', path.join(dir, 'empty.evtx')]);
  assert.equal(nothing.code, 2, nothing.stderr);
});

test('a path that vanishes between the walk and the read is skipped with ENOENT', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'soon-gone.evtx');
  copyFileSync(ATTACK, file);
  unlinkSync(file);
  const { summary } = await drain(file);
  assert.equal(summary.read, 0);
  assert.match(summary.skipped ?? '', /^\[io-error\] ENOENT/);
});

test('a FIFO named explicitly is read as a stream, like stdin (process substitution)', async (t) => {
  const dir = tempDir(t);
  const fifo = path.join(dir, 'pipe.evtx');
  if (spawnSync('mkfifo', [fifo]).status !== 0) {
    t.skip('mkfifo unavailable');
    return;
  }
  const bytes = readFileSync(ATTACK);
  const writer = createWriteStream(fifo);
  const written = new Promise<void>((resolve, reject) => {
    writer.on('error', reject);
    writer.on('finish', resolve);
  });
  writer.end(bytes);
  const { summary } = await drain(fifo);
  await written;
  const direct = await drain(ATTACK);
  assert.equal(summary.format, 'evtx');
  assert.equal(summary.parsed, direct.summary.parsed);
  assert.equal(summary.balanced, true);
  assert.equal(summary.skipped, null);
});

test('the record account holds on every source fixture, the broken ones included', async () => {
  let reported = 0;
  for (const name of readdirSync(SOURCES)) {
    const { summary: s } = await drain(path.join(SOURCES, name));
    assert.equal(s.read, s.parsed + s.recovered + s.reported, `${name}: ${JSON.stringify(s)}`);
    if (s.skipped === null) assert.ok(s.read > 0, `${name}: read something`);
    reported += s.reported;
  }
  assert.ok(reported >= 10, 'the bad-* fixtures reported their records');
});

test('--max-record-bytes: a long JSON line, XML element and CSV row are rejected, located', async (t) => {
  const dir = tempDir(t);
  const lines = readFileSync(path.join(SOURCES, 'otrf-sample.ndjson'), 'utf8').split('\n').filter((l) => l !== '');
  const longest = Math.max(...lines.map((l) => Buffer.byteLength(l)));
  const { summary, diagnostics } = await drain(path.join(SOURCES, 'otrf-sample.ndjson'), { limits: { maxRecordBytes: longest - 1 } });
  assert.ok(summary.reported >= 1 && summary.balanced, JSON.stringify(summary));
  const d = diagnostics.find((x) => x.code === 'limit-exceeded');
  assert.ok(d !== undefined && d.line !== null && d.line >= 1, 'the limit diagnostic has a line');

  const xml = await drain(path.join(SOURCES, 'wevtutil-sysmon.xml'), { limits: { maxRecordBytes: 200 } });
  assert.ok(xml.diagnostics.some((x) => x.code === 'limit-exceeded' && x.line !== null), JSON.stringify(xml.diagnostics.slice(0, 2)));
  assert.equal(xml.summary.balanced, true);

  const csv = await drain(path.join(SOURCES, 'mde-DeviceProcessEvents.csv'), { limits: { maxRecordBytes: 100 } });
  assert.ok(csv.diagnostics.some((x) => x.code === 'limit-exceeded' && x.line !== null), JSON.stringify(csv.diagnostics.slice(0, 2)));

  // Through the CLI: the cap is an option, and the rejected line shows in the account.
  const stats = path.join(dir, 's.out');
  const r = cli(['scan', path.join(SOURCES, 'otrf-sample.ndjson'), '-f', 'jsonl', '--max-record-bytes', String(longest - 1), '--stats', stats]);
  assert.match(r.stderr, /\[limit-exceeded\] line longer than \d+ bytes/);
  const s = JSON.parse(readFileSync(stats, 'utf8')) as Stats;
  assert.ok(s.records.reported >= 1 && s.records.balanced);
});

test('--max-field-bytes: a CSV row with a long field is rejected, located', async () => {
  // 100 bytes: the header passes, a data row with a long command line does not.
  const { diagnostics, summary } = await drain(path.join(SOURCES, 'mde-DeviceProcessEvents.csv'), { limits: { maxFieldBytes: 100 } });
  const d = diagnostics.find((x) => x.code === 'limit-exceeded');
  assert.ok(d !== undefined && d.line === 2 && d.column !== null && d.rejected, JSON.stringify(diagnostics.slice(0, 2)));
  assert.match(d.message, /field \d+ longer than 100 bytes/);
  assert.equal(summary.reported, 1);
  assert.equal(summary.balanced, true);
  // So small that the header itself is refused: the file is skipped with that reason.
  const tiny = await drain(path.join(SOURCES, 'mde-DeviceProcessEvents.csv'), { limits: { maxFieldBytes: 8 } });
  assert.match(tiny.summary.skipped ?? '', /^\[limit-exceeded\] field 1 longer than 8 bytes/);
});

test('--max-record-nodes: EVTX records over the node budget are rejected with their record id', (t) => {
  const dir = tempDir(t);
  const stats = path.join(dir, 's.out');
  const r = cli(['scan', ATTACK, '-f', 'jsonl', '--max-record-nodes', '5', '--stats', stats]);
  assert.match(r.stderr, /record \d+: \[evtx\] chunk 0: record \d+: more than 5 nodes in one record/);
  const s = JSON.parse(readFileSync(stats, 'utf8')) as Stats;
  assert.ok(s.records.reported > 0 && s.records.balanced, JSON.stringify(s.records));
  const d = cli(['dump', ATTACK, '--max-record-nodes', '5', '-o', path.join(dir, 'd.out')]);
  assert.match(d.stderr, /\[limit-exceeded\] record \d+: more than 5 nodes/);
});

test('--max-evtx-memory: a gzip EVTX larger than the cap is skipped, the others read (exit 4)', (t) => {
  const dir = tempDir(t);
  const gz = path.join(dir, 'big.evtx.gz');
  writeFileSync(gz, gzipSync(readFileSync(ATTACK)));
  const r = cli(['scan', gz, ATTACK, '-f', 'jsonl', '--max-evtx-memory', '64K']);
  assert.equal(r.code, 4, r.stderr);
  assert.match(r.stderr, /skipped: .*big\.evtx\.gz: \[limit-exceeded\] EVTX input larger than 65536 bytes/);
  const ok = cli(['scan', gz, '-f', 'jsonl']);
  assert.equal(ok.code, 0, `read whole under the default cap: ${ok.stderr}`);
});

test('--max-rule-file-bytes and --max-files', (t) => {
  const dir = tempDir(t);
  const rules = cli(['scan', ATTACK, '-f', 'jsonl', '--no-builtin', '-r', 'test/fixtures/scan/cmstp-au.yml', '--max-rule-file-bytes', '10']);
  assert.equal(rules.code, 2, 'no usable rule left');
  assert.match(rules.stderr, /cmstp-au\.yml: load error: \d+ bytes; at most 10 are read \(--max-rule-file-bytes\)/);
  copyFileSync(ATTACK, path.join(dir, 'a.evtx'));
  copyFileSync(ATTACK, path.join(dir, 'b.evtx'));
  const files = cli(['scan', dir, '-f', 'jsonl', '--max-files', '1']);
  assert.equal(files.code, 4, files.stderr);
  assert.match(files.stderr, /stopped after 1 files \(raise --max-files to read more\)/);
  const badValue = cli(['scan', ATTACK, '--max-files', 'lots']);
  assert.equal(badValue.code, 2);
  assert.match(badValue.stderr, /--max-files: a positive whole number/);
  const help = cli(['scan', '--help']);
  for (const flag of ['--max-record-bytes', '--max-field-bytes', '--max-record-nodes', '--max-evtx-memory', '--max-files', '--max-rule-file-bytes']) assert.ok(help.stdout.includes(flag), flag);
  assert.match(help.stdout, /Exit status \(bit flags\)/);
});

test('parseSize: suffixes are powers of 1024; junk, zero and overflow are refused', () => {
  assert.equal(parseSize('16M'), 16 * 1024 * 1024);
  assert.equal(parseSize('2g'), 2 * 1024 ** 3);
  assert.equal(parseSize('64KiB'), 65536);
  assert.equal(parseSize('100'), 100);
  assert.equal(parseSize('0'), null);
  assert.equal(parseSize('-1'), null);
  assert.equal(parseSize('1.5M'), null);
  assert.equal(parseSize('99999999999999999999'), null);
});

test('--max-lineage-nodes: beyond the cap the oldest processes are evicted, and that is said', (t) => {
  const dir = tempDir(t);
  const first = readFileSync(path.join(SOURCES, 'otrf-sample.ndjson'), 'utf8').split('\n')[0]!;
  const base = JSON.parse(first) as Record<string, unknown>;
  const lines: string[] = [];
  for (let i = 0; i < 40; i++) {
    const guid = `{8f3c2a11-3e5d-6410-a41c-${String(i).padStart(12, '0')}}`;
    lines.push(JSON.stringify({ ...base, ProcessGuid: guid, ProcessId: String(1000 + i), Image: `C:\\Windows\\System32\\tool${i}.exe`, CommandLine: `tool${i}.exe`, UtcTime: `2023-03-14 09:26:${String(i).padStart(2, '0')}.000` }));
  }
  const file = path.join(dir, 'many.ndjson');
  writeFileSync(file, lines.join('\n') + '\n');
  const stats = path.join(dir, 's.out');
  const capped = cli(['scan', file, '-f', 'jsonl', '--max-lineage-nodes', '16', '--stats', stats]);
  assert.match(capped.stderr, /scan: lineage: \d+ oldest processes evicted beyond --max-lineage-nodes/);
  const s = JSON.parse(readFileSync(stats, 'utf8')) as { lineage: { evicted: number } };
  assert.ok(s.lineage.evicted > 0, JSON.stringify(s.lineage));
  const free = cli(['scan', file, '-f', 'jsonl', '--stats', stats]);
  assert.doesNotMatch(free.stderr, /evicted/);
  assert.equal((JSON.parse(readFileSync(stats, 'utf8')) as { lineage: { evicted: number } }).lineage.evicted, 0);
});
