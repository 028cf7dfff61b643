// `cmstp-hunt scan <paths…> --rules <dir-or-file>`: Sigma rules run over event-log inputs, one
// finding per matching event as JSONL on stdout, a summary on stderr (and as JSON with --stats).
// Exit: 0 no finding at or above --fail-on (default: never fail), 1 findings at or above it,
// 2 usage error or nothing readable.

import { readFileSync, statSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { compileRule, isCompiled, type CompiledRule } from '../../detect/compile.js';
import { levelRank, scan, type ScanSummary, type SkippedRule } from '../../detect/scan.js';
import { expandPaths } from '../../io/walk.js';
import { loadRules } from '../../sigma/load.js';
import { RULE_LEVELS, type SigmaCorrelation, type SigmaFilter, type SigmaLevel } from '../../sigma/rule.js';
import type { SourceDiagnostic } from '../../sources/types.js';
import { Output } from '../output.js';
import { safeText } from '../safe-text.js';
import { MAX_RULE_FILE } from './rules.js';
import { builtinRulesDir } from '../builtin.js';
import { IncidentBuilder } from '../../incidents/index.js';

const RULE_EXTENSIONS = /\.ya?ml$/i;
const INPUT_EXTENSIONS = /\.(evtx|xml|json|jsonl|ndjson|csv|log|txt)(\.gz)?$/i;

export interface ScanCliOptions {
  rules: string[];
  /** Include the built-in pack (rules/ of the package). */
  builtin: boolean;
  from?: string;
  to?: string;
  hosts: string[];
  raw: boolean;
  /** Build CMSTP incidents from process lineage (fold and re-rate pack findings). */
  incidents: boolean;
  format: 'jsonl';
  minLevel?: SigmaLevel;
  failOn?: SigmaLevel;
  output?: string;
  stats?: string;
  verbose: boolean;
}

/** JSON reaches terminals: escape what JSON.stringify leaves raw (DEL, C1 controls, U+2028/9). */
function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export interface LoadedRules {
  rules: CompiledRule[];
  skipped: SkippedRule[];
  files: number;
  filters: SigmaFilter[];
  correlations: SigmaCorrelation[];
}

/** Loads and compiles every rule under `paths`; problems become skipped entries with a reason. */
export function loadRulePaths(paths: readonly string[]): LoadedRules {
  const { files, problems } = expandPaths(paths, { accept: (name) => RULE_EXTENSIONS.test(name) });
  const out: LoadedRules = { rules: [], skipped: [], files: 0, filters: [], correlations: [] };
  for (const p of problems) out.skipped.push({ file: p.path, id: null, title: null, reason: `unreadable: ${p.reason}` });
  for (const file of files) {
    out.files++;
    let text: string;
    try {
      const size = statSync(file).size;
      if (size > MAX_RULE_FILE) {
        out.skipped.push({ file, id: null, title: null, reason: `load error: ${size} bytes; at most ${MAX_RULE_FILE} are read` });
        continue;
      }
      text = readFileSync(file, 'utf8');
    } catch (err) {
      out.skipped.push({ file, id: null, title: null, reason: `unreadable: ${(err as Error).message}` });
      continue;
    }
    const r = loadRules(text, file, { maxInputLength: MAX_RULE_FILE });
    out.filters.push(...r.filters);
    out.correlations.push(...r.correlations);
    for (const d of r.diagnostics) {
      if (d.severity !== 'error') continue;
      out.skipped.push({ file: `${d.file}:${d.line}:${d.column}`, id: null, title: null, reason: `load error: [${d.code}] ${d.message}` });
    }
    for (const rule of r.rules) {
      const c = compileRule(rule);
      if (isCompiled(c)) out.rules.push(c);
      else out.skipped.push({ file: `${rule.file}:${rule.pos.line}:${rule.pos.column}`, id: rule.id ?? null, title: rule.title, reason: `unsupported: ${c.unsupported}` });
    }
  }
  return out;
}

function describeSource(d: SourceDiagnostic): string {
  const where: string[] = [];
  if (d.line !== null) where.push(`line ${d.line}`);
  else if (d.offset !== null) where.push(`offset ${d.offset}`);
  if (d.recordId !== null) where.push(`record ${d.recordId}`);
  return `${d.severity}: ${safeText(d.path)}${where.length > 0 ? `: ${where.join(', ')}` : ''}: [${d.code}] ${safeText(d.message)}`;
}

function summaryLine(s: ScanSummary): string {
  const levels = [...RULE_LEVELS]
    .reverse()
    .map((l) => `${s.findingsByLevel[l] ?? 0} ${l}`)
    .join(', ');
  return (
    `scan: ${s.inputs} inputs, ${s.events} events, ${s.rejected} rejected, ${s.readErrors} read errors, ` +
    `${s.rulesLoaded} rules loaded, ${s.rulesSkipped.length} skipped, ${s.findings} findings (${levels}), ${s.elapsedMs} ms\n`
  );
}

export async function runScan(paths: string[], opts: ScanCliOptions): Promise<number> {
  const rulePaths = opts.builtin ? [builtinRulesDir(), ...opts.rules] : opts.rules;
  const loaded = loadRulePaths(rulePaths);
  for (const s of loaded.skipped) process.stderr.write(`skipped: ${safeText(s.file)}: ${safeText(s.reason)}\n`);
  if (loaded.rules.length === 0) {
    process.stderr.write(`scan: no usable rules in ${opts.builtin ? 'the built-in pack or ' : ''}the --rules paths\n`);
    return 2;
  }
  const { files, problems } = expandPaths(paths, { accept: (name) => INPUT_EXTENSIONS.test(name) });
  for (const p of problems) process.stderr.write(`error: ${safeText(p.path)}: ${safeText(p.reason)}\n`);
  const out = new Output(opts.output);
  const failAt = opts.failOn === undefined ? Infinity : levelRank(opts.failOn);
  let failing = 0;
  const it = scan(files, {
    rules: loaded.rules,
    filters: loaded.filters,
    correlations: loaded.correlations,
    skipped: loaded.skipped,
    raw: opts.raw,
    ...(opts.incidents ? { postprocess: new IncidentBuilder({ raw: opts.raw }) } : {}),
    ...(opts.from !== undefined ? { from: opts.from } : {}),
    ...(opts.to !== undefined ? { to: opts.to } : {}),
    ...(opts.hosts.length > 0 ? { hosts: opts.hosts } : {}),
    ...(opts.minLevel !== undefined ? { minLevel: opts.minLevel } : {}),
    onDiagnostic: (d) => {
      if (d.severity === 'error' || opts.verbose) process.stderr.write(describeSource(d) + '\n');
    },
  });
  let summary: ScanSummary;
  for (;;) {
    const r = await it.next();
    if (r.done === true) {
      summary = r.value;
      break;
    }
    if (levelRank(r.value.level) >= failAt) failing++;
    await out.write(safeJson(r.value) + '\n');
    if (out.closed) {
      // The reader of our output went away (`| head`): stop; the counts would be partial.
      await it.return(undefined as never);
      await out.end();
      process.stderr.write('scan: stopped early: the output was closed\n');
      return failing > 0 ? 1 : 0;
    }
  }
  await out.end();
  for (const issue of summary.ruleIssues) process.stderr.write(`rules: ${safeText(issue)}\n`);
  process.stderr.write(summaryLine(summary));
  if (opts.stats !== undefined) {
    const { sources, ...rest } = summary;
    writeFileSync(opts.stats, JSON.stringify({ ...rest, ruleFiles: loaded.files, inputs: summary.inputs, sources }, null, 2) + '\n');
  }
  if (files.length === 0 || summary.readable === 0) return 2;
  return failing > 0 ? 1 : 0;
}

function usage(message: string, setExit: (code: number) => void): void {
  process.stderr.write(`scan: ${message}\n`);
  setExit(2);
}

type Parsed = { ok: true; level: SigmaLevel | undefined } | { ok: false; error: string };

function parseLevel(v: unknown, option: string): Parsed {
  if (v === undefined) return { ok: true, level: undefined };
  if (typeof v === 'string' && (RULE_LEVELS as readonly string[]).includes(v)) return { ok: true, level: v as SigmaLevel };
  return { ok: false, error: `unknown ${option} level ${safeText(typeof v === 'string' ? v : JSON.stringify(v))} (${RULE_LEVELS.join(', ')})` };
}

type ParsedTime = { ok: true; time: string | undefined } | { ok: false; error: string };

/** An ISO 8601 date or time; a date alone means midnight UTC. */
function parseTime(v: unknown, option: string): ParsedTime {
  if (v === undefined) return { ok: true, time: undefined };
  if (typeof v !== 'string') return { ok: false, error: `${option}: not a time` };
  const s = v;
  // A time without a zone is UTC, as event times are.
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : /T[\d:.]+$/.test(s) ? `${s}Z` : s;
  if (!/^\d{4}-\d{2}-\d{2}/.test(s) || !Number.isFinite(Date.parse(iso))) return { ok: false, error: `${option}: not an ISO 8601 time: ${safeText(s)}` };
  return { ok: true, time: new Date(Date.parse(iso)).toISOString() };
}

export function registerScan(program: Command, setExit: (code: number) => void): void {
  program
    .command('scan')
    .description('run Sigma rules over event-log inputs (EVTX, XML, JSON/NDJSON, CSV); one finding per line on stdout, a summary on stderr')
    .argument('<paths...>', 'inputs, or directories searched recursively, or - for stdin')
    .option('-r, --rules <path>', 'Sigma rule file or directory (searched recursively for .yml/.yaml); repeatable', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--no-builtin', 'do not run the built-in CMSTP rule pack')
    .option('-f, --format <format>', 'jsonl (the only format so far)', 'jsonl')
    .option('--min-level <level>', `only findings of rules at or above this level: ${RULE_LEVELS.join(', ')}`)
    .option('--from <time>', 'only events at or after this time (ISO 8601, e.g. 2024-05-01 or 2024-05-01T10:00:00Z)')
    .option('--to <time>', 'only events at or before this time (ISO 8601)')
    .option('--host <name>', 'only events of this host (case-insensitive, * wildcards); repeatable', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--no-incidents', 'report every rule match on its own: no process lineage, incidents or risk re-rating')
    .option('--raw', 'include each event\'s original fields in findings', false)
    .option('-o, --output <file>', 'write findings here instead of stdout')
    .option('--stats <file>', 'write the summary as JSON')
    .option('--fail-on <level>', 'exit 1 when a finding is at or above this level (default: never)')
    .option('-v, --verbose', 'print reader warnings too, not only errors', false)
    .action(async (paths: string[], raw: Record<string, unknown>) => {
      const rules = raw['rules'] as string[];
      const builtin = raw['builtin'] !== false;
      if (!builtin && rules.length === 0) return usage('no rules: --no-builtin needs --rules <dir-or-file>', setExit);
      const from = parseTime(raw['from'], '--from');
      const to = parseTime(raw['to'], '--to');
      if (!from.ok) return usage(from.error, setExit);
      if (!to.ok) return usage(to.error, setExit);
      const format = raw['format'];
      if (format !== 'jsonl') return usage(`unknown format ${safeText(String(format))} (jsonl is the only format so far)`, setExit);
      const minLevel = parseLevel(raw['minLevel'], '--min-level');
      const failOn = parseLevel(raw['failOn'], '--fail-on');
      if (!minLevel.ok) return usage(minLevel.error, setExit);
      if (!failOn.ok) return usage(failOn.error, setExit);
      const opts: ScanCliOptions = { rules, builtin, hosts: raw['host'] as string[], raw: raw['raw'] === true, incidents: raw['incidents'] !== false, format, verbose: raw['verbose'] === true };
      if (from.time !== undefined) opts.from = from.time;
      if (to.time !== undefined) opts.to = to.time;
      if (minLevel.level !== undefined) opts.minLevel = minLevel.level;
      if (failOn.level !== undefined) opts.failOn = failOn.level;
      if (typeof raw['output'] === 'string') opts.output = raw['output'];
      if (typeof raw['stats'] === 'string') opts.stats = raw['stats'];
      setExit(await runScan(paths, opts));
    });
}
