// The `--max-…` options of `scan` and `dump`: caps on what one input may make the tool hold, each
// with a default that keeps a 2-core, 24 GiB machine responsive. A cap that is hit is reported as
// a located `limit-exceeded` diagnostic (the record is rejected, or the input skipped), never
// silently.

import type { Command } from 'commander';
import { DEFAULT_LIMITS } from '../../evtx/limits.js';
import { DEFAULT_MAX_EVTX_BYTES, type ReadOptions } from '../../sources/index.js';
import { DEFAULT_JSON_LIMITS } from '../../sources/json.js';
import { DEFAULT_MAX_CSV_FIELD } from '../../sources/csv-scanner.js';
import { safeText } from '../safe-text.js';
import { MAX_RULE_FILE } from './rules.js';
import { DEFAULT_LINEAGE_NODES } from '../../incidents/builder.js';

export interface LimitOptions {
  maxRecordBytes?: number;
  maxFieldBytes?: number;
  maxRecordNodes?: number;
  maxEvtxMemory?: number;
  maxFiles?: number;
  maxRuleFileBytes?: number;
  maxLineageNodes?: number;
}

interface LimitSpec {
  key: keyof LimitOptions;
  flag: string;
  help: string;
  fallback: number;
  /** Not offered by `dump`, which loads no rules. */
  scanOnly?: boolean;
}

export const DEFAULT_MAX_FILES = 1_000_000;
/** The incident builder's lineage default (incidents/builder.ts): tens of MB of nodes. */
export const DEFAULT_MAX_LINEAGE_NODES = DEFAULT_LINEAGE_NODES;

const MIB = 1024 * 1024;

export const LIMIT_SPECS: readonly LimitSpec[] = [
  { key: 'maxRecordBytes', flag: '--max-record-bytes <size>', help: 'largest JSON document or line, XML <Event> element or CSV row; larger ones are rejected', fallback: DEFAULT_JSON_LIMITS.maxDocument },
  { key: 'maxFieldBytes', flag: '--max-field-bytes <size>', help: 'largest CSV field; a row with a larger one is rejected', fallback: DEFAULT_MAX_CSV_FIELD },
  { key: 'maxRecordNodes', flag: '--max-record-nodes <n>', help: 'EVTX: Binary XML nodes decoded for one record, templates included; a larger record is rejected', fallback: DEFAULT_LIMITS.maxNodesPerRecord },
  { key: 'maxEvtxMemory', flag: '--max-evtx-memory <size>', help: 'largest EVTX read whole into memory (gzip, stdin, pipes); a larger one is skipped', fallback: DEFAULT_MAX_EVTX_BYTES },
  { key: 'maxFiles', flag: '--max-files <n>', help: 'inputs taken from the paths given; the walk stops there and says so', fallback: DEFAULT_MAX_FILES },
  { key: 'maxRuleFileBytes', flag: '--max-rule-file-bytes <size>', help: 'largest Sigma rule file; a larger one is skipped', fallback: MAX_RULE_FILE, scanOnly: true },
  { key: 'maxLineageNodes', flag: '--max-lineage-nodes <n>', help: 'processes kept in the lineage tree for incidents; the oldest are evicted beyond it', fallback: DEFAULT_MAX_LINEAGE_NODES, scanOnly: true },
];

function human(n: number): string {
  if (n >= 1024 ** 3 && n % 1024 ** 3 === 0) return `${n / 1024 ** 3}G`;
  if (n >= MIB && n % MIB === 0) return `${n / MIB}M`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024}K`;
  return String(n);
}

/** Adds the `--max-…` options to a command. */
export function addLimitOptions(command: Command, forCommand: 'scan' | 'dump'): Command {
  for (const s of LIMIT_SPECS) {
    if (s.scanOnly === true && forCommand !== 'scan') continue;
    const units = s.flag.endsWith('<size>') ? '; K, M, G suffixes are powers of 1024' : '';
    command.option(s.flag, `${s.help} (default ${human(s.fallback)}${units})`);
  }
  return command;
}

/** `12`, `64K`, `16M`, `2G` (powers of 1024) as a positive safe integer, or null. */
export function parseSize(text: string): number | null {
  const m = /^\s*(\d+)\s*([kmg]i?b?)?\s*$/i.exec(text);
  if (m === null) return null;
  const unit = (m[2] ?? '').charAt(0).toLowerCase();
  const n = Number(m[1]) * (unit === 'k' ? 1024 : unit === 'm' ? MIB : unit === 'g' ? 1024 ** 3 : 1);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** The limits given on the command line, or the usage error for the first bad one. */
export function parseLimits(raw: Record<string, unknown>): { ok: true; limits: LimitOptions } | { ok: false; error: string } {
  const limits: LimitOptions = {};
  for (const s of LIMIT_SPECS) {
    const v = raw[s.key];
    if (v === undefined) continue;
    const n = typeof v === 'string' ? parseSize(v) : null;
    const option = s.flag.split(' ')[0]!;
    if (n === null) return { ok: false, error: `${option}: a positive whole number (K, M, G suffixes allowed), not ${safeText(JSON.stringify(v))}` };
    limits[s.key] = n;
  }
  return { ok: true, limits };
}

/** The reader options the limits set. */
export function readOptionsFor(limits: LimitOptions): ReadOptions {
  const read: ReadOptions = {};
  if (limits.maxEvtxMemory !== undefined) read.maxEvtxBytes = limits.maxEvtxMemory;
  if (limits.maxRecordNodes !== undefined) read.evtx = { limits: { maxNodesPerRecord: limits.maxRecordNodes } };
  const text: NonNullable<ReadOptions['limits']> = {};
  if (limits.maxRecordBytes !== undefined) text.maxRecordBytes = limits.maxRecordBytes;
  if (limits.maxFieldBytes !== undefined) text.maxFieldBytes = limits.maxFieldBytes;
  if (Object.keys(text).length > 0) read.limits = text;
  return read;
}
