// The benchmark corpus: every .evtx file under ../shared/data/corpus (relative to the project
// root, the folder holding package.json), in the order `cmstp-hunt dump` walks a directory.

import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { WorkerFile } from './protocol.js';
import { projectRoot } from '../../test/support/shared-data.js';

export { projectRoot };

export function defaultCorpusDir(): string {
  return path.resolve(projectRoot(), '..', 'shared', 'data', 'corpus');
}

export function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export interface CorpusFile {
  file: string;
  bytes: number;
}

/** Every `*.evtx` below `dir`, directory entries sorted by name as `dump` sorts them. */
export function listCorpus(dir: string): CorpusFile[] {
  const out: CorpusFile[] = [];
  const walk = (d: string): void => {
    const entries = readdirSync(d, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && e.name.toLowerCase().endsWith('.evtx')) out.push({ file: p, bytes: statSync(p).size });
    }
  };
  walk(dir);
  return out;
}

/**
 * The fixed subset for the slow tools: the `count` smallest files that hold at least
 * `minRecords` records (ties broken by path), so that it is neither dominated by near-empty logs
 * nor by the one 17 MB System log.
 */
export function pickSubset(files: readonly WorkerFile[], count: number, minRecords: number): WorkerFile[] {
  return files
    .filter((f) => f.records >= minRecords)
    .sort((a, b) => a.bytes - b.bytes || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
    .slice(0, count);
}
