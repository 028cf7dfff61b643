// The hunt's SQL, written once for both dialects: which events are CMSTP runs, CMSTPLUA hosts and
// their children, and the stack-count, burst and combination queries over them. Only plain SQL
// both engines share (no CTEs: ClickHouse 18 has none), with the differences in `Dialect`.

import { CMSTP_CLSIDS, ELEVATED_CLSIDS } from './shape.js';
import { quoteIdent, type Dialect } from './dialect.js';

/** The stacks of the hunt report, in report order. */
export const STACK_DIMENSIONS = [
  'cmstp.shape',
  'cmstp.parent',
  'cmstp.inf_class',
  'cmstp.user',
  'cmstp.host',
  'cmstp.integrity',
  'modules.cmstp',
  'modules.cmstplua',
  'children.cmstp',
  'children.elevated_com',
] as const;
export type StackDimension = (typeof STACK_DIMENSIONS)[number];

/** Dimensions a baseline records: what is behaviour. New hosts and users are not, on their own. */
export const BASELINE_DIMENSIONS: readonly StackDimension[] = [
  'cmstp.shape',
  'cmstp.parent',
  'cmstp.inf_class',
  'cmstp.integrity',
  'modules.cmstp',
  'modules.cmstplua',
  'children.cmstp',
  'children.elevated_com',
];

/** The invocation dimensions an outlier is scored on, with the column each groups. */
export const INVOCATION_DIMENSIONS: ReadonlyArray<{ dim: StackDimension; column: string; label: string }> = [
  { dim: 'cmstp.shape', column: 'cmd_shape', label: 'command-line shape' },
  { dim: 'cmstp.parent', column: 'parent_shape', label: 'parent' },
  { dim: 'cmstp.inf_class', column: 'inf_class', label: 'INF location' },
  { dim: 'cmstp.integrity', column: 'integrity_level', label: 'integrity' },
];

export type Baseline = Partial<Record<StackDimension, readonly string[]>>;

export interface QueryContext {
  dialect: Dialect;
  table: string;
  /** Keys known good, per dimension: only rows outside them are reported. */
  baseline?: Baseline;
}

const c = quoteIdent;
const key = (col: string): string => `coalesce(${c(col)}, '')`;

function inList(d: Dialect, values: readonly string[]): string {
  return `(${values.map((v) => d.str(v)).join(', ')})`;
}

/** cmstp.exe process creations (by name or by OriginalFileName, which survives renaming). */
export function cmstpWhere(): string {
  return `${c('category')} = 'process_creation' AND (${c('image_name')} = 'cmstp.exe' OR lower(${key('original_file_name')}) = 'cmstp.exe')`;
}

/** DllHost.exe processes serving one of `clsids`. */
function hostWhere(d: Dialect, clsids: readonly string[]): string {
  return `${c('category')} = 'process_creation' AND ${c('image_name')} = 'dllhost.exe' AND ${c('com_clsid')} IN ${inList(d, clsids)}`;
}

function guidsOf(ctx: QueryContext, where: string): string {
  return `SELECT ${c('process_guid')} FROM ${c(ctx.table)} WHERE ${where} AND ${c('process_guid')} IS NOT NULL`;
}

/** `host|pid`: links Security 4688 children (no parent GUID, no parent command line) to their DllHost. */
function pidKey(d: Dialect, pidColumn: string): string {
  return `concat(${c('host')}, '|', ${d.intText(c(pidColumn))})`;
}

/** Baseline filter: the invocation is new in at least one baselined dimension. */
function newInvocation(ctx: QueryContext): string {
  const b = ctx.baseline;
  if (b === undefined) return '';
  const parts: string[] = [];
  for (const { dim, column } of INVOCATION_DIMENSIONS) {
    const known = b[dim];
    if (known === undefined) continue;
    parts.push(known.length === 0 ? '1 = 1' : `${key(column)} NOT IN ${inList(ctx.dialect, known)}`);
  }
  return parts.length === 0 ? '' : ` AND (${parts.join(' OR ')})`;
}

interface StackSpec {
  where: string;
  keyColumn: string;
  exampleColumn: string;
  /** Whether the baseline filters this stack's keys (otherwise its rows are already filtered). */
  baselined: boolean;
}

function stackSpec(ctx: QueryContext, dim: StackDimension): StackSpec {
  const d = ctx.dialect;
  const t = c(ctx.table);
  const cmstp = `${cmstpWhere()}${newInvocation(ctx)}`;
  switch (dim) {
    case 'cmstp.shape':
      return { where: cmstp, keyColumn: key('cmd_shape'), exampleColumn: c('command_line'), baselined: false };
    case 'cmstp.parent':
      return { where: cmstp, keyColumn: key('parent_shape'), exampleColumn: c('parent_command_line'), baselined: false };
    case 'cmstp.inf_class':
      return { where: cmstp, keyColumn: key('inf_class'), exampleColumn: c('command_line'), baselined: false };
    case 'cmstp.user':
      return { where: cmstp, keyColumn: `lower(${key('user')})`, exampleColumn: c('command_line'), baselined: false };
    case 'cmstp.host':
      return { where: cmstp, keyColumn: c('host'), exampleColumn: c('command_line'), baselined: false };
    case 'cmstp.integrity':
      return { where: cmstp, keyColumn: key('integrity_level'), exampleColumn: c('command_line'), baselined: false };
    case 'modules.cmstp':
      return {
        // By name, or by the process GUID of a run found by OriginalFileName (a renamed copy).
        where: `${c('category')} = 'image_load' AND (${c('image_name')} = 'cmstp.exe' OR ${c('process_guid')} IN (${guidsOf(ctx, cmstpWhere())}))`,
        keyColumn: key('loaded_shape'),
        exampleColumn: c('image_loaded'),
        baselined: true,
      };
    case 'modules.cmstplua':
      return {
        where: `${c('category')} = 'image_load' AND ${c('image_name')} = 'dllhost.exe' AND ${c('process_guid')} IN (${guidsOf(ctx, hostWhere(d, CMSTP_CLSIDS))})`,
        keyColumn: key('loaded_shape'),
        exampleColumn: c('image_loaded'),
        baselined: true,
      };
    case 'children.cmstp':
      return {
        where: `${c('category')} = 'process_creation' AND (${c('parent_name')} = 'cmstp.exe' OR ${c('parent_process_guid')} IN (${guidsOf(ctx, cmstpWhere())}))`,
        keyColumn: `coalesce(${c('cmd_shape')}, ${c('image_shape')}, '')`,
        exampleColumn: c('command_line'),
        baselined: true,
      };
    case 'children.elevated_com': {
      const hosts = hostWhere(d, ELEVATED_CLSIDS);
      return {
        where:
          `${c('category')} = 'process_creation' AND ${c('parent_name')} = 'dllhost.exe' AND (` +
          `${c('parent_com_clsid')} IN ${inList(d, ELEVATED_CLSIDS)}` +
          ` OR ${c('parent_process_guid')} IN (${guidsOf(ctx, hosts)})` +
          ` OR ${pidKey(d, 'parent_process_id')} IN (SELECT ${pidKey(d, 'process_id')} FROM ${t} WHERE ${hosts} AND ${c('process_id')} IS NOT NULL))`,
        keyColumn: `coalesce(${c('cmd_shape')}, ${c('image_shape')}, '')`,
        exampleColumn: c('command_line'),
        baselined: true,
      };
    }
  }
}

export interface StackRowSql {
  k: string;
  n: number;
  hosts: number;
  first_seen: number;
  last_seen: number;
  example: string;
}

/** Values of one dimension with their counts, rarest first (ties by key), at most `limit`. */
export function stackQuery(ctx: QueryContext, dim: StackDimension, limit: number): string {
  const s = stackSpec(ctx, dim);
  const d = ctx.dialect;
  let where = s.where;
  const known = ctx.baseline?.[dim];
  if (s.baselined && known !== undefined && known.length > 0) where += ` AND ${s.keyColumn} NOT IN ${inList(d, known)}`;
  return (
    `SELECT ${s.keyColumn} AS k, count(*) AS n, count(DISTINCT ${c('host')}) AS hosts, ` +
    `min(${d.epoch(c('time'))}) AS first_seen, max(${d.epoch(c('time'))}) AS last_seen, min(coalesce(${s.exampleColumn}, '')) AS example ` +
    `FROM ${c(ctx.table)} WHERE ${where} GROUP BY k ORDER BY n ASC, k ASC LIMIT ${Math.max(1, Math.floor(limit))}`
  );
}

/** Rows and distinct keys of one dimension (before the limit). */
export function stackTotalQuery(ctx: QueryContext, dim: StackDimension): string {
  const s = stackSpec(ctx, dim);
  let where = s.where;
  const known = ctx.baseline?.[dim];
  if (s.baselined && known !== undefined && known.length > 0) where += ` AND ${s.keyColumn} NOT IN ${inList(ctx.dialect, known)}`;
  return `SELECT count(*) AS n, count(DISTINCT ${s.keyColumn}) AS distinct_keys FROM ${c(ctx.table)} WHERE ${where}`;
}

/** Every value of an invocation dimension with its count, over all cmstp.exe runs (no baseline). */
export function populationQuery(ctx: QueryContext, column: string, cap: number): string {
  return (
    `SELECT ${key(column)} AS k, count(*) AS n, count(DISTINCT ${c('host')}) AS hosts FROM ${c(ctx.table)} ` +
    `WHERE ${cmstpWhere()} GROUP BY k ORDER BY n ASC, k ASC LIMIT ${cap}`
  );
}

/** Distinct invocation combinations (shape, parent, INF class, integrity), rarest first. */
export function combinationQuery(ctx: QueryContext, cap: number): string {
  const d = ctx.dialect;
  const cols = INVOCATION_DIMENSIONS.map((x, i) => `${key(x.column)} AS d${i}`).join(', ');
  const group = INVOCATION_DIMENSIONS.map((_x, i) => `d${i}`).join(', ');
  return (
    `SELECT ${cols}, count(*) AS n, count(DISTINCT ${c('host')}) AS hosts, min(${c('host')}) AS example_host, ` +
    `min(${d.epoch(c('time'))}) AS first_seen, max(${d.epoch(c('time'))}) AS last_seen, min(coalesce(${c('command_line')}, '')) AS example ` +
    `FROM ${c(ctx.table)} WHERE ${cmstpWhere()}${newInvocation(ctx)} GROUP BY ${group} ORDER BY n ASC, ${group} LIMIT ${cap}`
  );
}

/** cmstp.exe runs per host and time window, busiest first. */
export function burstQuery(ctx: QueryContext, windowSeconds: number, minCount: number, limit: number): string {
  const d = ctx.dialect;
  const w = Math.max(1, Math.floor(windowSeconds));
  const bucket = `(${d.epoch(c('time'))} - ${d.epoch(c('time'))} % ${w})`;
  return (
    `SELECT ${c('host')} AS host, ${bucket} AS window_start, count(*) AS n, count(DISTINCT ${key('cmd_shape')}) AS shapes, ` +
    `min(coalesce(${c('command_line')}, '')) AS example FROM ${c(ctx.table)} WHERE ${cmstpWhere()}${newInvocation(ctx)} ` +
    `GROUP BY host, window_start HAVING count(*) >= ${Math.max(1, Math.floor(minCount))} ORDER BY n DESC, host ASC, window_start ASC LIMIT ${Math.max(1, Math.floor(limit))}`
  );
}

/** How many events the table holds, and over which period and hosts. */
export function overviewQuery(ctx: QueryContext): string {
  const d = ctx.dialect;
  return (
    `SELECT count(*) AS n, count(DISTINCT ${c('host')}) AS hosts, min(${d.epoch(c('time'))}) AS first_seen, max(${d.epoch(c('time'))}) AS last_seen, ` +
    `sum(CASE WHEN ${cmstpWhere()} THEN 1 ELSE 0 END) AS cmstp FROM ${c(ctx.table)}`
  );
}

/** Hosts that ran cmstp.exe. */
export function cmstpHostsQuery(ctx: QueryContext): string {
  return `SELECT count(DISTINCT ${c('host')}) AS hosts FROM ${c(ctx.table)} WHERE ${cmstpWhere()}`;
}
