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

/** A run, with the CPU time (user + system, its children included) GNU time saw. */
export interface JobResult extends RunResult {
  cpuS: number | null;
}

export interface JobsResult {
  wallMs: number;
  results: JobResult[];
}

/** GNU time's `%M %U %S` line (the last: "Command exited with non-zero status N" may precede it). */
function readTime(file: string | null): { rss: number | null; cpuS: number | null } {
  if (file === null) return { rss: null, cpuS: null };
  try {
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const [m, u, s] = (lines[lines.length - 1] ?? '').trim().split(/\s+/).map(Number);
    const rss = m !== undefined && Number.isFinite(m) && m > 0 ? m : null;
    const cpuS = u !== undefined && s !== undefined && Number.isFinite(u) && Number.isFinite(s) ? u + s : null;
    return { rss, cpuS };
  } catch {
    return { rss: null, cpuS: null };
  }
}

function runOne(tools: Tools, job: Job, timeoutMs: number): Promise<JobResult> {
  const argv: string[] = [];
  const rssFile = tools.gnuTime !== null ? scratchFile(`rss-${process.hrtime.bigint()}-${Math.random().toString(36).slice(2)}.txt`) : null;
  if (rssFile !== null && tools.gnuTime !== null) argv.push(tools.gnuTime, '-f', '%M %U %S', '-o', rssFile);
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
      const t = readTime(rssFile);
      resolve({
        wallMs,
        status,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        maxRssKiB: t.rss,
        cpuS: t.cpuS,
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
