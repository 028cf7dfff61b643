// What the benchmark ran on: printed at the top of the table and kept in the JSON results.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { Tools } from './proc.js';
import { which } from './proc.js';

export interface Machine {
  cpuModel: string;
  cpuMHz: number | null;
  /** Logical CPUs online, and how many this process may use. */
  cores: number;
  usableCores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  v8: string;
  evtxexport: string | null;
  /** A python3 that can `import Evtx`, and python-evtx's version. */
  python: string | null;
  pythonEvtx: string | null;
  taskset: string | null;
  gnuTime: string | null;
}

function cpuinfo(): { model: string | null; mhz: number | null } {
  try {
    const text = readFileSync('/proc/cpuinfo', 'utf8');
    const model = /^model name\s*:\s*(.+)$/m.exec(text)?.[1]?.trim() ?? null;
    const mhz = Number(/^cpu MHz\s*:\s*([\d.]+)$/m.exec(text)?.[1]);
    return { model, mhz: Number.isFinite(mhz) && mhz > 0 ? mhz : null };
  } catch {
    return { model: null, mhz: null };
  }
}

function firstLine(cmd: string, args: readonly string[]): string | null {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 });
  if (r.error !== undefined || r.status !== 0) return null;
  const line = `${r.stdout}\n${r.stderr}`.split('\n').find((l) => l.trim() !== '');
  return line === undefined ? null : line.trim();
}

/** The first python3 that has the python-evtx module (Debian installs it for /usr/bin/python3). */
export function findPythonEvtx(): string | null {
  const candidates = ['/usr/bin/python3', which('python3')].filter((p): p is string => p !== null);
  for (const p of [...new Set(candidates)]) {
    const r = spawnSync(p, ['-c', 'import Evtx.Evtx'], { encoding: 'utf8', timeout: 20_000 });
    if (r.error === undefined && r.status === 0) return p;
  }
  return null;
}

function pythonEvtxVersion(python: string): string | null {
  const pkg = firstLine('dpkg-query', ['-W', '-f', '${Version}', 'python3-evtx']);
  if (pkg !== null) return `python3-evtx ${pkg} (Debian)`;
  const v = firstLine(python, ['-c', 'import importlib.metadata as m; print(m.version("python-evtx"))']);
  return v === null ? null : `python-evtx ${v}`;
}

export function describeMachine(tools: Tools, python: string | null): Machine {
  const cpu = cpuinfo();
  const cpus = os.cpus();
  const evtxexport = which('evtxexport');
  return {
    cpuModel: cpu.model ?? cpus[0]?.model ?? 'unknown',
    cpuMHz: cpu.mhz,
    cores: cpus.length,
    usableCores: os.availableParallelism(),
    memoryGiB: os.totalmem() / 2 ** 30,
    kernel: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
    evtxexport: evtxexport === null ? null : firstLine(evtxexport, ['-V']),
    python: python === null ? null : firstLine(python, ['--version']),
    pythonEvtx: python === null ? null : pythonEvtxVersion(python),
    taskset: tools.taskset,
    gnuTime: tools.gnuTime,
  };
}
