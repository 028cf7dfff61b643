// Expanding the paths a user gives into files: directories are walked recursively (sorted, so
// runs are reproducible), symlinked directories are not followed (no cycles), and every path
// that cannot be read is reported rather than dropped: unreadable directories, dangling or
// directory symlinks, and entries that are not regular files (FIFOs, sockets, devices).

import { readdirSync, statSync, type Dirent } from 'node:fs';
import { join } from 'node:path';

export interface PathProblem {
  path: string;
  reason: string;
}

export interface ExpandOptions {
  /** Keep a file found inside a directory when this returns true (explicit files always pass). */
  accept?: (name: string) => boolean;
  /** Stop after this many files, so a mistaken `/` cannot run away. */
  maxFiles?: number;
}

export function expandPaths(paths: readonly string[], options: ExpandOptions = {}): { files: string[]; problems: PathProblem[] } {
  const files: string[] = [];
  const problems: PathProblem[] = [];
  const max = options.maxFiles ?? 1_000_000;
  const accept = options.accept ?? (() => true);
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      problems.push({ path: dir, reason: (err as Error).message });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (files.length >= max) return;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (!accept(e.name)) continue;
      else if (e.isFile()) files.push(p);
      else if (e.isSymbolicLink()) link(p);
      // A FIFO blocks the reader until some process writes to it, a device may never end: found
      // in a directory, neither is a log file, so it is named and skipped rather than read.
      else problems.push({ path: p, reason: `not a regular file (${entryKind(e)}): reading it could block or never end` });
    }
  };
  /** A symlink found while walking: a linked file is read, a linked directory is not followed. */
  const link = (p: string): void => {
    let st;
    try {
      st = statSync(p);
    } catch (err) {
      problems.push({ path: p, reason: `symbolic link to nothing readable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` });
      return;
    }
    if (st.isFile()) files.push(p);
    else if (st.isDirectory()) problems.push({ path: p, reason: 'symbolic link to a directory, not followed' });
    else problems.push({ path: p, reason: 'symbolic link to something that is not a regular file' });
  };
  for (const p of paths) {
    if (p === '-') {
      files.push(p);
      continue;
    }
    let st;
    try {
      st = statSync(p);
    } catch (err) {
      problems.push({ path: p, reason: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message });
      continue;
    }
    if (st.isDirectory()) walk(p);
    else files.push(p);
    if (files.length >= max) {
      problems.push({ path: p, reason: `stopped after ${max} files (raise --max-files to read more)` });
      break;
    }
  }
  return { files, problems };
}

function entryKind(e: Dirent): string {
  if (e.isFIFO()) return 'FIFO';
  if (e.isSocket()) return 'socket';
  if (e.isCharacterDevice()) return 'character device';
  if (e.isBlockDevice()) return 'block device';
  return 'unknown type';
}
