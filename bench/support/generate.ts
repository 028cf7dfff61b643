// The generated benchmark sets: about 100 MiB and 1 GiB of EVTX from one Windows 10 workstation
// with Sysmon (the event mix is described in mix.ts), written by the project's own EVTX writer.
//
// Layout of a set, as `C:\Windows\System32\winevt\Logs` holds it after log rotation ("archive
// the log when full"): per channel a few full archives `Archive-<log>-<time>.evtx` and the
// current, partly filled `<log>.evtx`. Files are at most 64 MiB (Sysmon) or 20 MiB (the others,
// Windows' default maximum sizes); byte shares: Sysmon 60%, Security 30%, System 5%,
// Application 5%; at least 3 files for Sysmon and Security and 2 for the others. Record ids of
// successive archives start 1,000,000 apart: the files are written in parallel, so a file does
// not know how many records its predecessors hold.
//
// Deterministic: the bytes depend only on the seed, the target size and GENERATOR_VERSION (each
// file has its own RNG seeded by the set seed and its name). A set is reused when its manifest
// (written last) names the same seed, size and version and every file has its recorded size.

import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CHUNK_SIZE } from '../../src/evtx/writer/chunk.js';
import { writeEvtxStream } from './evtx-stream.js';
import type { StreamedFile } from './evtx-stream.js';
import { CHANNELS, MIX_TEXT, channelEvents } from './mix.js';
import type { ChannelKey } from './mix.js';

/** Bump when the bytes a seed produces change. */
export const GENERATOR_VERSION = 1;
export const DEFAULT_SEED = 'cmstp-hunt-bench';
export const MiB = 2 ** 20;

export const SETS = {
  '100MB': 100 * MiB,
  '1GB': 1024 * MiB,
} as const;
export type SetName = keyof typeof SETS;

const CHANNEL_PLAN: ReadonlyArray<{ key: ChannelKey; share: number; maxFileMiB: number; minFiles: number }> = [
  { key: 'sysmon', share: 0.6, maxFileMiB: 64, minFiles: 3 },
  { key: 'security', share: 0.3, maxFileMiB: 20, minFiles: 3 },
  { key: 'system', share: 0.05, maxFileMiB: 20, minFiles: 2 },
  { key: 'application', share: 0.05, maxFileMiB: 20, minFiles: 2 },
];

/** The set covers the 30 days before this instant. */
const END_MS = Date.UTC(2024, 4, 31, 18, 0, 0);
const SPAN_MS = 30 * 86_400_000;

export interface FilePlan {
  file: string;
  channel: ChannelKey;
  chunks: number;
  seed: string;
  firstRecordId: number;
  startMs: number;
}

export interface GeneratedFile extends StreamedFile {
  name: string;
  channel: ChannelKey;
}

export interface Manifest {
  generator: number;
  seed: string;
  targetBytes: number;
  bytes: number;
  records: number;
  files: GeneratedFile[];
  mix: Record<ChannelKey, string>;
  generatedAt: string;
  generationS: number;
  threads: number;
}

function archiveStamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)}-${iso.slice(11, 13)}-${iso.slice(14, 16)}-${iso.slice(17, 19)}-${iso.slice(20, 23)}`;
}

/** Which files a set of `targetBytes` holds, and how each is seeded. */
export function planSet(dir: string, targetBytes: number, seed: string): FilePlan[] {
  const plans: FilePlan[] = [];
  for (const c of CHANNEL_PLAN) {
    const total = Math.max(c.minFiles, Math.round((targetBytes * c.share) / CHUNK_SIZE));
    const maxChunks = (c.maxFileMiB * MiB) / CHUNK_SIZE;
    const n = Math.max(c.minFiles, Math.ceil(total / maxChunks));
    const per = Math.min(maxChunks, Math.ceil(total / n));
    const base = CHANNELS[c.key].fileBase;
    for (let i = 0; i < n; i++) {
      const chunks = i < n - 1 ? per : Math.max(1, total - per * (n - 1));
      const startMs = END_MS - SPAN_MS + Math.floor((i * SPAN_MS) / n);
      const nextStart = END_MS - SPAN_MS + Math.floor(((i + 1) * SPAN_MS) / n);
      const name = i < n - 1 ? `Archive-${base}-${archiveStamp(nextStart)}.evtx` : `${base}.evtx`;
      plans.push({ file: path.join(dir, name), channel: c.key, chunks, seed: `${seed}/${name}`, firstRecordId: 1 + i * 1_000_000, startMs });
    }
  }
  return plans;
}

/** Writes one planned file (in whichever thread calls it). */
export function writeGeneratedFile(plan: FilePlan): GeneratedFile {
  const events = channelEvents(plan.channel, plan.seed, new Date(plan.startMs));
  const r = writeEvtxStream(plan.file, events, plan.chunks, plan.firstRecordId);
  return { name: path.basename(plan.file), channel: plan.channel, ...r };
}

const workerPath = fileURLToPath(new URL('./generate-worker.js', import.meta.url));

/** Writes the plans on `threads` worker threads, biggest files first. */
async function writeAll(plans: readonly FilePlan[], threads: number, log: (s: string) => void): Promise<GeneratedFile[]> {
  const queue = [...plans].sort((a, b) => b.chunks - a.chunks);
  const results = new Map<string, GeneratedFile>();
  const run = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const w = new Worker(workerPath);
      const next = (): void => {
        const plan = queue.shift();
        if (plan === undefined) {
          void w.terminate().then(() => resolve());
          return;
        }
        w.once('message', (m: { ok: true; result: GeneratedFile } | { ok: false; error: string }) => {
          if (!m.ok) {
            void w.terminate();
            reject(new Error(`generating ${plan.file}: ${m.error}`));
            return;
          }
          results.set(plan.file, m.result);
          log(`  ${m.result.name}: ${(m.result.bytes / MiB).toFixed(0)} MiB, ${m.result.records.toLocaleString('en-US')} records`);
          next();
        });
        w.postMessage(plan);
      };
      w.once('error', reject);
      next();
    });
  await Promise.all(Array.from({ length: Math.max(1, Math.min(threads, plans.length)) }, run));
  return plans.map((p) => results.get(p.file)!);
}

function readManifest(dir: string): Manifest | null {
  try {
    return JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;
  } catch {
    return null;
  }
}

function manifestHolds(dir: string, m: Manifest | null, targetBytes: number, seed: string): m is Manifest {
  if (m === null || m.generator !== GENERATOR_VERSION || m.seed !== seed || m.targetBytes !== targetBytes) return false;
  return m.files.every((f) => {
    try {
      return statSync(path.join(dir, f.name)).size === f.bytes;
    } catch {
      return false;
    }
  });
}

export interface EnsureResult {
  dir: string;
  manifest: Manifest;
  /** False when an existing set was reused. */
  generated: boolean;
}

/** The set in `dir`: reused when its manifest matches, else (re)generated there. */
export async function ensureSet(dir: string, targetBytes: number, seed: string, threads: number, log: (s: string) => void): Promise<EnsureResult> {
  const existing = readManifest(dir);
  if (manifestHolds(dir, existing, targetBytes, seed)) return { dir, manifest: existing, generated: false };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const plans = planSet(dir, targetBytes, seed);
  log(`generating ${(targetBytes / MiB).toFixed(0)} MiB in ${plans.length} files into ${dir} on ${threads} thread(s)`);
  const started = performance.now();
  const files = await writeAll(plans, threads, log);
  const generationS = (performance.now() - started) / 1000;
  const bytes = files.reduce((s, f) => s + f.bytes, 0);
  const manifest: Manifest = {
    generator: GENERATOR_VERSION,
    seed,
    targetBytes,
    bytes,
    records: files.reduce((s, f) => s + f.records, 0),
    files,
    mix: MIX_TEXT,
    generatedAt: new Date().toISOString(),
    generationS,
    threads,
  };
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  log(`generated ${(bytes / 1e6).toFixed(0)} MB, ${manifest.records.toLocaleString('en-US')} records in ${generationS.toFixed(1)} s (${(bytes / 1e6 / generationS).toFixed(0)} MB/s)`);
  return { dir, manifest, generated: true };
}

export function defaultDataDir(): string {
  return path.join(os.tmpdir(), 'cmstp-hunt-bench-data');
}

/** The mix, one line per channel, for printing. */
export function describeMix(m: Manifest): string[] {
  const byChannel = new Map<ChannelKey, { files: number; bytes: number; records: number }>();
  for (const f of m.files) {
    const c = byChannel.get(f.channel) ?? { files: 0, bytes: 0, records: 0 };
    c.files++;
    c.bytes += f.bytes;
    c.records += f.records;
    byChannel.set(f.channel, c);
  }
  return [...byChannel].map(
    ([k, c]) =>
      `${CHANNELS[k].channel}: ${c.files} files, ${(c.bytes / 1e6).toFixed(0)} MB, ${c.records.toLocaleString('en-US')} records (${MIX_TEXT[k]})`,
  );
}
