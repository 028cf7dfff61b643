// Runs one or more measured programs at the same time, each in its own process, each pinned to
// the cores it is given (taskset -c), each under GNU time for its peak RSS. The wall time is
// taken from the first start to the last exit: the time a user waits for all of them.

import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import type { RunResult, Tools } from './proc.js';
import { scratchFile } from './proc.js';

export interface Job {
  cmd: string;
  args: readonly string[];
  /** taskset core list, e.g. "0" or "0-1"; null runs unpinned. */
  cores: string | null;
  stdout: 'pipe' | 'null';
}

export interface JobsResult {
  wallMs: number;
  results: RunResult[];
}

function readRss(file: string | null): number | null {
  if (file === null) return null;
  try {
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const n = Number(lines[lines.length - 1]);
    return Number.isFinite(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

function runOne(tools: Tools, job: Job, timeoutMs: number): Promise<RunResult> {
  const argv: string[] = [];
  const rssFile = tools.gnuTime !== null ? scratchFile(`rss-${process.hrtime.bigint()}-${Math.random().toString(36).slice(2)}.txt`) : null;
  if (rssFile !== null && tools.gnuTime !== null) argv.push(tools.gnuTime, '-f', '%M', '-o', rssFile);
  if (job.cores !== null && tools.taskset !== null) argv.push(tools.taskset, '-c', job.cores);
  argv.push(job.cmd, ...job.args);
  const devNull = job.stdout === 'null' ? openSync('/dev/null', 'w') : null;
  const start = performance.now();
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', devNull ?? 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let errBytes = 0;
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => {
      // Keep the first MiB of stderr: enough for diagnostics, bounded for a chatty program.
      if (errBytes < 1 << 20) err.push(b);
      errBytes += b.length;
    });
    let error: Error | null = null;
    const timer = setTimeout(() => {
      error = new Error(`timed out after ${timeoutMs / 1000} s`);
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      error = e;
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      const wallMs = performance.now() - start;
      if (devNull !== null) closeSync(devNull);
      resolve({
        wallMs,
        status,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        maxRssKiB: readRss(rssFile),
        error,
      });
    });
  });
}

/** Starts every job at once and waits for all of them. */
export async function runJobs(tools: Tools, jobs: readonly Job[], timeoutMs: number): Promise<JobsResult> {
  const start = performance.now();
  const results = await Promise.all(jobs.map((j) => runOne(tools, j, timeoutMs)));
  return { wallMs: performance.now() - start, results };
}
