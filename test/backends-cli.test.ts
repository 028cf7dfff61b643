// `cmstp-hunt export` through the built CLI: queries on stdout separated by one blank line, one
// file per rule with --output-dir, unsupported rules listed on stderr, exit codes.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { loadRules } from '../src/sigma/load.js';
import { projectRoot } from './support/shared-data.js';

const ROOT = projectRoot();
const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
const RULES = path.join('test', 'fixtures', 'backends', 'rules');

function run(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'export', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.error, undefined, `cannot run the CLI: ${String(r.error)}`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cmstp-hunt-export-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const summary = (stderr: string): RegExpExecArray | null => /export (\S+): (\d+) rules, (\d+) compiled, (\d+) unsupported, (\d+) load errors/.exec(stderr);

test('export to stdout: one query per compiled rule, blank-line separated, comment header first', () => {
  const r = run(['--target', 'spl', '--no-builtin', '--rules', RULES]);
  assert.equal(r.code, 0, r.stderr);
  const s = summary(r.stderr);
  assert.ok(s, r.stderr);
  const blocks = r.stdout.trimEnd().split('\n\n');
  assert.equal(blocks.length, Number(s[3]));
  for (const b of blocks) {
    assert.match(b, /^``` .+ ```\n``` level: \w+ ```\n/);
    assert.doesNotMatch(b, /\n\s*\n/);
  }
  // Every unsupported rule is named with its reason.
  assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('unsupported: ')).length, Number(s[4]));
  assert.match(r.stderr, /unsupported: .*'Cased and all': \[cased\]/);
});

test('export --output-dir: one file per rule, named by id', (t) => {
  const dir = tempDir(t);
  const r = run(['--target', 'kql-mde', '--no-builtin', '--rules', RULES, '--output-dir', dir]);
  assert.equal(r.code, 0, r.stderr);
  const s = summary(r.stderr);
  assert.ok(s);
  const files = readdirSync(dir).sort();
  assert.equal(files.length, Number(s[3]));
  assert.ok(files.every((f) => f.endsWith('.kql')));
  assert.ok(files.includes('6c1f6f0e-3a3d-4b57-8d0e-2f3f1e7c9b21.kql'));
  assert.match(readFileSync(path.join(dir, '6c1f6f0e-3a3d-4b57-8d0e-2f3f1e7c9b21.kql'), 'utf8'), /^\/\/ CMSTP Silent INF Install .*\n\/\/ level: high\n\/\/ tags: attack\.defense_evasion, attack\.t1218\.003\nDeviceProcessEvents\n\| where /);
});

test('export --target sigma: the stream loads back as the same number of rules and correlations', () => {
  const r = run(['--target', 'sigma', '--no-builtin', '--rules', RULES]);
  assert.equal(r.code, 0, r.stderr);
  const back = loadRules(r.stdout, 'stdout.yml');
  assert.deepEqual(back.diagnostics.filter((d) => d.severity === 'error'), []);
  assert.ok(back.correlations.length >= 2);
  assert.equal(back.rules.length + back.correlations.length, Number(summary(r.stderr)?.[3]));
});

test('export: usage errors and --strict', () => {
  const bad = run(['--target', 'nope', '--rules', RULES]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown target 'nope'; one of: kql-sentinel, kql-mde, spl, esql, eql, lucene, logpoint, sql-duckdb, sql-clickhouse, sigma/);
  assert.equal(run(['--target', 'spl', '--no-builtin']).code, 2);
  assert.equal(run(['--target', 'spl', '--no-builtin', '--rules', RULES, '--strict']).code, 1);
  assert.equal(run(['--target', 'kql-sentinel', '--no-builtin', '--rules', path.join(RULES, 'cmstp-flags.yml'), '--strict']).code, 0);
});
