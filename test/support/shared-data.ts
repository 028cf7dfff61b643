// Locating the real-world EVTX corpus that lives beside the project, never inside it:
// `../shared/data` relative to the project root (the folder holding package.json). Tests that
// need it must say so loudly when it is missing, and must fail under CI, where it is always there.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';

/**
 * The project root: the nearest folder above this module that holds package.json. Works both
 * from the sources (test/support/) and from the build (dist/test/support/).
 */
export function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** Absolute path of `../shared/data` relative to the project root (it may not exist). */
export function sharedDataDir(): string {
  return path.resolve(projectRoot(), '..', 'shared', 'data');
}

export function hasSharedData(): boolean {
  try {
    return statSync(sharedDataDir()).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Returns the shared data folder, or, when it is absent: fails the test under CI (`CI` set),
 * otherwise skips it with a message that names the missing folder. Callers return on null.
 */
export function requireSharedData(t: TestContext): string | null {
  const dir = sharedDataDir();
  if (hasSharedData()) return dir;
  const message = `../shared/data not found: expected ${dir} (real EVTX files beside the project)`;
  if (process.env.CI) assert.fail(`${message}; CI must have it`);
  t.skip(message);
  // node:test only records the skip; make it visible in the output too.
  t.diagnostic(`SKIPPED: ${message}`);
  return null;
}

/** Every `.evtx` file under `dir` (recursively), as absolute paths sorted by relative path. */
export function listEvtxFiles(dir: string = sharedDataDir()): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name.toLowerCase().endsWith('.evtx')) out.push(full);
    }
  };
  walk(dir);
  const key = (p: string): string => relativeToSharedData(p, dir);
  // Plain code-unit order: the same on every machine, unlike locale-aware comparison.
  return out.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** `file` relative to the shared data folder, with `/` separators (as reference-counts.json has). */
export function relativeToSharedData(file: string, dir: string = sharedDataDir()): string {
  return path.relative(dir, file).split(path.sep).join('/');
}

/** One entry of `reference-counts.json` (what the reference tools produced for a file). */
export interface ReferenceEntry {
  path: string;
  size: number;
  sha256: string;
  headerRecordCount: number;
  evtxexport: {
    exitCode: number;
    /** Records `evtxexport -m items` exported. */
    records: number;
    /**
     * Recovered records that evtxexport exported completely. In XML mode it also prints
     * recovered records that it cannot finish (cut off mid-element); those are not counted here.
     */
    recovered: number;
  };
  pythonEvtx: { ok: number; bad: number; error: string | null };
  channels?: Record<string, number>;
}

/** `reference-counts.json` keyed by relative path; empty when the file is absent. */
export function loadReferenceCounts(dir: string = sharedDataDir()): Map<string, ReferenceEntry> {
  const file = path.join(dir, 'reference-counts.json');
  const map = new Map<string, ReferenceEntry>();
  if (!existsSync(file)) return map;
  const entries = JSON.parse(readFileSync(file, 'utf8')) as ReferenceEntry[];
  for (const e of entries) map.set(e.path, e);
  return map;
}
