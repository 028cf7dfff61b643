// Package invariants: the version the CLI prints is package.json's, the entry point and the bin
// exist in the build and export what the README promises, and runtime dependencies stay few.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { VERSION } from '../src/version.js';
import { projectRoot } from './support/shared-data.js';

interface PackageJson {
  version: string;
  main: string;
  types: string;
  bin: Record<string, string>;
  engines: { node: string };
  dependencies: Record<string, string>;
}

const root = projectRoot();
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as PackageJson;

test('the CLI reports the package version', () => {
  assert.equal(VERSION, pkg.version);
  const r = spawnSync(process.execPath, [join(root, pkg.bin['cmstp-hunt']!), '--version'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), pkg.version);
});

test('the bin is executable, so `npx cmstp-hunt` runs it in a fresh clone', { skip: process.platform === 'win32' }, () => {
  const mode = statSync(join(root, pkg.bin['cmstp-hunt']!)).mode;
  assert.notEqual(mode & 0o111, 0, `mode ${mode.toString(8)}`);
});

test('the library entry point exists and exports the documented API', async () => {
  assert.ok(existsSync(join(root, pkg.main)), pkg.main);
  assert.ok(existsSync(join(root, pkg.types)), pkg.types);
  const lib = (await import(join(root, pkg.main))) as Record<string, unknown>;
  for (const name of ['readEvtxFile', 'readEvtxBytes', 'renderXml', 'renderJson', 'writeEvtx', 'readSource', 'normalize', 'TableSet', 'DEFAULT_TABLES', 'Fields', 'loadRules']) {
    assert.equal(typeof lib[name] === 'function' || typeof lib[name] === 'object', true, `export ${name}`);
  }
});

test('Node 20 is supported and runtime dependencies are few and declared', () => {
  assert.equal(pkg.engines.node, '>=20');
  assert.deepEqual(Object.keys(pkg.dependencies).sort(), ['commander', 'yaml']);
});
