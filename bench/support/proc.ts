// Running the measured programs: pinned to one core with `taskset -c 0` when it exists, wall time
// taken around the child, and peak RSS from GNU time (`/usr/bin/time -f %M`) when it exists.
// GNU time reports the largest ru_maxrss among everything it waited for, so wrapping a shell
// loop gives the peak of the biggest single process in the loop.

import { spawnSync } from 'node:child_process';
import { accessSync, closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface Tools {
  /** `taskset` path, or null when it is missing (runs are then not pinned). */
  taskset: string | null;
  /** GNU time path, or null (no RSS for external programs then). */
  gnuTime: string | null;
}

export function which(cmd: string): string | null {
  if (cmd.includes('/')) return isExecutable(cmd) ? cmd : null;
  for (const dir of (process.env['PATH'] ?? '').split(':')) {
    if (dir === '') continue;
    const p = path.join(dir, cmd);
    if (isExecutable(p)) return p;
  }
  return null;
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findTools(): Tools {
  const gnuTime = isExecutable('/usr/bin/time') && isGnuTime('/usr/bin/time') ? '/usr/bin/time' : null;
  return { taskset: which('taskset'), gnuTime };
}

function isGnuTime(p: string): boolean {
  const r = spawnSync(p, ['-f', '%M', 'true'], { encoding: 'utf8' });
  return r.status === 0 && /^\d+\s*$/m.test(r.stderr);
}

export interface RunOptions {
  /** Where the child's stdout goes: captured, or /dev/null. */
  stdout: 'pipe' | 'null';
  timeoutMs?: number;
  /** Measure peak RSS with GNU time (when available). */
  rss?: boolean;
}

export interface RunResult {
  wallMs: number;
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Peak RSS in KiB from GNU time, or null. */
  maxRssKiB: number | null;
  error: Error | null;
}

let scratch: string | null = null;

function scratchDir(): string {
  scratch ??= mkdtempSync(path.join(tmpdir(), 'evtx-bench-'));
  return scratch;
}

/** A file in the benchmark's private temporary folder (removed by cleanupScratch). */
export function scratchFile(name: string): string {
  return path.join(scratchDir(), name);
}

export function cleanupScratch(): void {
  if (scratch !== null) rmSync(scratch, { recursive: true, force: true });
  scratch = null;
}

/** Runs `cmd args` pinned to core 0 (if possible) and measures it. */
export function runMeasured(tools: Tools, cmd: string, args: readonly string[], opts: RunOptions): RunResult {
  const argv: string[] = [];
  const rssFile = opts.rss === true && tools.gnuTime !== null ? scratchFile(`rss-${process.hrtime.bigint()}.txt`) : null;
  if (rssFile !== null && tools.gnuTime !== null) argv.push(tools.gnuTime, '-f', '%M', '-o', rssFile);
  if (tools.taskset !== null) argv.push(tools.taskset, '-c', '0');
  argv.push(cmd, ...args);
  const devNull = opts.stdout === 'null' ? openSync('/dev/null', 'w') : null;
  try {
    const start = performance.now();
    const r = spawnSync(argv[0]!, argv.slice(1), {
      stdio: ['ignore', devNull ?? 'pipe', 'pipe'],
      encoding: 'utf8',
      maxBuffer: 256 << 20,
      ...(opts.timeoutMs === undefined ? {} : { timeout: opts.timeoutMs }),
    });
    const wallMs = performance.now() - start;
    let maxRssKiB: number | null = null;
    if (rssFile !== null) {
      try {
        // "Command exited with non-zero status N" may precede the number.
        const lines = readFileSync(rssFile, 'utf8').trim().split('\n');
        const n = Number(lines[lines.length - 1]);
        if (Number.isFinite(n) && n > 0) maxRssKiB = n;
      } catch {
        maxRssKiB = null;
      }
    }
    return {
      wallMs,
      status: r.status,
      signal: r.signal,
      stdout: typeof r.stdout === 'string' ? r.stdout : '',
      stderr: typeof r.stderr === 'string' ? r.stderr : '',
      maxRssKiB,
      error: r.error ?? null,
    };
  } finally {
    if (devNull !== null) closeSync(devNull);
  }
}

/** Describes a failed run in one line, for error messages. */
export function describeFailure(what: string, r: RunResult): string {
  const why = r.error !== null ? r.error.message : r.signal !== null ? `killed by ${r.signal}` : `exit code ${String(r.status)}`;
  const tail = r.stderr.trim().split('\n').slice(-3).join(' | ');
  return `${what} failed (${why})${tail === '' ? '' : `: ${tail}`}`;
}
