// `cmstp-hunt scan <paths…> --rules <dir-or-file>`: Sigma rules run over event-log inputs, one
// finding per matching event as JSONL on stdout, a summary on stderr (and as JSON with --stats).
// Exit status, bit flags: 1 findings at or above --fail-on (default: never fail), 4 some input
// skipped (unreadable, not a log, a FIFO found in a directory) or cut short; so 5 is both. 2 alone:
// usage error, no usable rules, or nothing readable at all.

import { readFileSync, statSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { compileRule, isCompiled, type CompiledRule } from '../../detect/compile.js';
import { loadPlaceholders, type Placeholders } from '../../detect/placeholders.js';
import { defaultThreads, levelRank, scan, type ScanSummary, type SkippedRule } from '../../detect/scan.js';
import { expandPaths } from '../../io/walk.js';
import { loadRules } from '../../sigma/load.js';
import { RULE_LEVELS, type SigmaCorrelation, type SigmaFilter, type SigmaLevel } from '../../sigma/rule.js';
import type { SourceDiagnostic, SourceSummary } from '../../sources/types.js';
import { Output } from '../output.js';
import { isReportFormat, isStreamFormat, Progress, REPORT_FORMATS, renderReport, streamWriter, type ReportFormat, type ReportOptions } from '../../report/index.js';
import type { Finding } from '../../detect/finding.js';
import { safeText } from '../safe-text.js';
import { MAX_RULE_FILE } from './rules.js';
import { builtinRulesDir } from '../builtin.js';
import { IncidentBuilder } from '../../incidents/index.js';
import { DEFAULT_MAX_HEAP_MB } from '../heap.js';
import { addLimitOptions, parseLimits, readOptionsFor, type LimitOptions } from './limits.js';

/** Exit status bits (see the head of this file). */
export const EXIT_FINDINGS = 1;
export const EXIT_FATAL = 2;
export const EXIT_SKIPPED = 4;

/** An input that was not read, or not to the end, and why. */
export interface SkippedInput {
  path: string;
  reason: string;
  /** `skipped`: nothing of it was read; `cut`: reading stopped part way. */
  kind: 'skipped' | 'cut';
}

/** Walk problems and the inputs the readers skipped or cut, in input order. */
export function skippedInputs(walk: ReadonlyArray<{ path: string; reason: string }>, sources: readonly SourceSummary[]): SkippedInput[] {
  const out: SkippedInput[] = walk.map((p) => ({ path: p.path, reason: p.reason, kind: 'skipped' }));
  for (const s of sources) {
    if (s.skipped !== null) out.push({ path: s.path, reason: s.skipped, kind: 'skipped' });
    else if (s.cut !== null) out.push({ path: s.path, reason: s.cut, kind: 'cut' });
  }
  return out;
}

/** One input's account: `read = parsed + prefiltered + recovered + reported`, and anything off about it. */
export function accountLine(s: SourceSummary): string {
  const parts = [`${s.read} read = ${s.parsed} parsed + ${s.prefiltered} prefiltered + ${s.recovered} recovered + ${s.reported} reported`];
  if (s.ignored > 0) parts.push(`${s.ignored} without an event`);
  if (!s.balanced) parts.push('UNBALANCED');
  if (s.skipped !== null) parts.push(`skipped: ${safeText(s.skipped)}`);
  else if (s.cut !== null) parts.push(`cut short: ${safeText(s.cut)}`);
  return `${safeText(s.path)}: ${parts.join('; ')}`;
}

/** The run's account over all inputs. */
export function accountTotals(sources: readonly SourceSummary[]): { read: number; parsed: number; prefiltered: number; recovered: number; reported: number; ignored: number; unbalanced: string[] } {
  const t = { read: 0, parsed: 0, prefiltered: 0, recovered: 0, reported: 0, ignored: 0, unbalanced: [] as string[] };
  for (const s of sources) {
    t.read += s.read;
    t.parsed += s.parsed;
    t.prefiltered += s.prefiltered;
    t.recovered += s.recovered;
    t.reported += s.reported;
    t.ignored += s.ignored;
    if (!s.balanced) t.unbalanced.push(s.path);
  }
  return t;
}

const RULE_EXTENSIONS = /\.ya?ml$/i;
const INPUT_EXTENSIONS = /\.(evtx|xml|json|jsonl|ndjson|csv|log|txt)(\.gz)?$/i;

export interface ScanCliOptions {
  rules: string[];
  quiet: boolean;
  color: boolean;
  /** A YAML file of values for `expand` placeholders (`%name%`). */
  placeholders?: string;
  /** Include the built-in pack (rules/ of the package). */
  builtin: boolean;
  from?: string;
  to?: string;
  hosts: string[];
  raw: boolean;
  /** Build CMSTP incidents from process lineage (fold and re-rate pack findings). */
  incidents: boolean;
  format: ReportFormat;
  minLevel?: SigmaLevel;
  failOn?: SigmaLevel;
  output?: string;
  stats?: string;
  verbose: boolean;
  /** Worker threads that read and match (1: the main thread alone). */
  threads: number;
  limits?: LimitOptions;
}

export interface LoadedRules {
  rules: CompiledRule[];
  skipped: SkippedRule[];
  files: number;
  filters: SigmaFilter[];
  correlations: SigmaCorrelation[];
}

/** Loads and compiles every rule under `paths`; problems become skipped entries with a reason. */
/** Reads a placeholder file for `expand`; problems are returned as printable lines (errors fatal). */
export function readPlaceholders(file: string): { placeholders: Placeholders | null; messages: string[]; ok: boolean } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { placeholders: null, messages: [`${safeText(file)}: unreadable: ${safeText((err as Error).message)}`], ok: false };
  }
  const r = loadPlaceholders(text, file);
  const messages = r.diagnostics.map((d) => `${safeText(d.file)}:${d.line}:${d.column}: ${d.severity} [${d.code}] ${safeText(d.message)}`);
  return { placeholders: r.placeholders, messages, ok: !r.diagnostics.some((d) => d.severity === 'error') };
}

export function loadRulePaths(paths: readonly string[], options: { placeholders?: Placeholders | null; maxRuleFileBytes?: number } = {}): LoadedRules {
  const maxRuleFile = options.maxRuleFileBytes ?? MAX_RULE_FILE;
  const compileOptions = options.placeholders == null ? {} : { placeholders: options.placeholders };
  const { files, problems } = expandPaths(paths, { accept: (name) => RULE_EXTENSIONS.test(name) });
  const out: LoadedRules = { rules: [], skipped: [], files: 0, filters: [], correlations: [] };
  for (const p of problems) out.skipped.push({ file: p.path, id: null, title: null, reason: `unreadable: ${p.reason}` });
  for (const file of files) {
    out.files++;
    let text: string;
    try {
      const size = statSync(file).size;
      if (size > maxRuleFile) {
        out.skipped.push({ file, id: null, title: null, reason: `load error: ${size} bytes; at most ${maxRuleFile} are read (--max-rule-file-bytes)` });
        continue;
      }
      text = readFileSync(file, 'utf8');
    } catch (err) {
      out.skipped.push({ file, id: null, title: null, reason: `unreadable: ${(err as Error).message}` });
      continue;
    }
    const r = loadRules(text, file, { maxInputLength: maxRuleFile });
    out.filters.push(...r.filters);
    out.correlations.push(...r.correlations);
    for (const d of r.diagnostics) {
      if (d.severity !== 'error') continue;
      out.skipped.push({ file: `${d.file}:${d.line}:${d.column}`, id: null, title: null, reason: `load error: [${d.code}] ${d.message}` });
    }
    for (const rule of r.rules) {
      const c = compileRule(rule, compileOptions);
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

function summaryLine(s: ScanSummary, skipped: number): string {
  const levels = [...RULE_LEVELS]
    .reverse()
    .map((l) => `${s.findingsByLevel[l] ?? 0} ${l}`)
    .join(', ');
  // Scope and folding are said only when they removed something, so the line stays short.
  const extra: string[] = [];
  if (s.outOfScope > 0) extra.push(`${s.outOfScope} events out of --from/--to/--host scope`);
  const incidents = s.findingsByKind['incident'] ?? 0;
  if (incidents > 0) extra.push(`${incidents} incident${incidents === 1 ? '' : 's'} holding ${s.absorbed} rule matches`);
  if (s.correlationMatchesDropped > 0) extra.push(`${s.correlationMatchesDropped} matches dropped by correlation caps`);
  const t = accountTotals(s.sources);
  const account = `records: ${t.read} read = ${t.parsed} parsed + ${t.recovered} recovered + ${t.reported} reported` +
    (t.unbalanced.length > 0 ? ` (UNBALANCED in ${t.unbalanced.length} input${t.unbalanced.length === 1 ? '' : 's'})` : '') +
    (skipped > 0 ? `; ${skipped} input${skipped === 1 ? '' : 's'} skipped or cut short` : '');
  return (
    `scan: ${s.inputs} inputs, ${s.events} events, ${s.rejected} rejected, ${s.readErrors} read errors, ` +
    `${s.rulesLoaded} rules loaded, ${s.rulesSkipped.length} skipped, ${s.findings} findings (${levels}), ${s.elapsedMs} ms` +
    (extra.length > 0 ? `; ${extra.join('; ')}` : '') +
    `\nscan: ${account}\n`
  );
}

export async function runScan(paths: string[], opts: ScanCliOptions): Promise<number> {
  const rulePaths = opts.builtin ? [builtinRulesDir(), ...opts.rules] : opts.rules;
  let placeholders: Placeholders | null = null;
  if (opts.placeholders !== undefined) {
    const p = readPlaceholders(opts.placeholders);
    for (const m of p.messages) process.stderr.write(`placeholders: ${m}\n`);
    if (!p.ok) return 2;
    placeholders = p.placeholders;
  }
  const limits = opts.limits ?? {};
  const loaded = loadRulePaths(rulePaths, { placeholders, ...(limits.maxRuleFileBytes !== undefined ? { maxRuleFileBytes: limits.maxRuleFileBytes } : {}) });
  if (!opts.quiet) for (const s of loaded.skipped) process.stderr.write(`skipped: ${safeText(s.file)}: ${safeText(s.reason)}\n`);
  if (loaded.rules.length === 0) {
    process.stderr.write(`scan: no usable rules in ${opts.builtin ? 'the built-in pack or ' : ''}the --rules paths\n`);
    return 2;
  }
  const { files, problems } = expandPaths(paths, { accept: (name) => INPUT_EXTENSIONS.test(name), ...(limits.maxFiles !== undefined ? { maxFiles: limits.maxFiles } : {}) });
  for (const p of problems) process.stderr.write(`error: ${safeText(p.path)}: ${safeText(p.reason)}\n`);
  const out = new Output(opts.output);
  const failAt = opts.failOn === undefined ? Infinity : levelRank(opts.failOn);
  let failing = 0;
  const diag = (line: string): void => {
    progress.clear();
    process.stderr.write(line);
  };
  const sizes = files.map(fileSize);
  const progress = new Progress(process.stderr, { totalFiles: files.length, totalBytes: sizes.reduce((a, b) => a + b, 0) });
  const quietProgress = opts.quiet ? null : progress;
  const incidents = opts.incidents ? new IncidentBuilder({ raw: opts.raw, ...(limits.maxLineageNodes !== undefined ? { tree: { maxNodes: limits.maxLineageNodes } } : {}) }) : null;
  const it = scan(files, {
    rules: loaded.rules,
    filters: loaded.filters,
    correlations: loaded.correlations,
    skipped: loaded.skipped,
    raw: opts.raw,
    read: readOptionsFor(limits),
    ...(incidents !== null ? { postprocess: incidents } : {}),
    ...(opts.from !== undefined ? { from: opts.from } : {}),
    ...(opts.to !== undefined ? { to: opts.to } : {}),
    ...(opts.hosts.length > 0 ? { hosts: opts.hosts } : {}),
    ...(opts.minLevel !== undefined ? { minLevel: opts.minLevel } : {}),
    threads: opts.threads,
    onDiagnostic: (d) => {
      if (d.severity === 'error' || opts.verbose) diag(describeSource(d) + '\n');
    },
    onProgress: (p) => {
      // Bytes of the inputs already finished: the readers do not report positions inside a file.
      let bytes = 0;
      for (let i = 0; i < p.input - 1; i++) bytes += sizes[i] ?? 0;
      quietProgress?.update({ bytes, events: p.events, files: p.input - 1, findings: p.findings });
    },
  });
  const writer = isStreamFormat(opts.format) ? streamWriter(opts.format) : null;
  const kept: Finding[] = [];
  if (writer !== null) await out.write(writer.head());
  let summary: ScanSummary;
  for (;;) {
    const r = await it.next();
    if (r.done === true) {
      summary = r.value;
      break;
    }
    if (levelRank(r.value.level) >= failAt) failing++;
    if (writer === null) {
      kept.push(r.value);
      continue;
    }
    await out.write(writer.finding(r.value));
    if (out.closed) {
      // The reader of our output went away (`| head`): stop; the counts would be partial.
      await it.return(undefined as never);
      await out.end();
      progress.clear();
      process.stderr.write('scan: stopped early: the output was closed\n');
      return failing > 0 ? EXIT_FINDINGS : 0;
    }
  }
  progress.clear();
  if (writer !== null) await out.write(writer.tail(summary));
  else await out.write(renderReport(opts.format, kept, summary, reportOptions(opts)));
  await out.end();
  const skipped = skippedInputs(problems, summary.sources);
  // Errors print even with --quiet: every input not read, or not to the end, is named with why.
  for (const s of skipped) process.stderr.write(`${s.kind === 'cut' ? 'cut short' : 'skipped'}: ${safeText(s.path)}: ${safeText(s.reason)}\n`);
  const lineage = incidents?.lineage.stats ?? null;
  // A cap that bit is said, not left to show as a missing parent in an incident's chain.
  if (lineage !== null && lineage.evicted > 0) process.stderr.write(`scan: lineage: ${lineage.evicted} oldest processes evicted beyond --max-lineage-nodes (incident evidence is kept; a process logged by two sources far apart may not merge)\n`);
  for (const s of summary.sources) if (!s.balanced) process.stderr.write(`scan: internal: the records of ${safeText(s.path)} do not add up: ${accountLine(s)}\n`);
  if (!opts.quiet) {
    for (const issue of summary.ruleIssues) process.stderr.write(`rules: ${safeText(issue)}\n`);
    if (opts.verbose) for (const s of summary.sources) process.stderr.write(`input: ${accountLine(s)}\n`);
    // The table prints its own summary block on stdout; the others get one line on stderr.
    if (opts.format !== 'table' || opts.output !== undefined) process.stderr.write(summaryLine(summary, skipped.length));
  }
  if (opts.stats !== undefined) {
    const { sources, ...rest } = summary;
    const t = accountTotals(sources);
    const records = { read: t.read, parsed: t.parsed, recovered: t.recovered, reported: t.reported, ignored: t.ignored, balanced: t.unbalanced.length === 0 };
    writeFileSync(opts.stats, JSON.stringify({ ...rest, ruleFiles: loaded.files, inputs: summary.inputs, records, skipped, ...(lineage !== null ? { lineage } : {}), sources }, null, 2) + '\n');
  }
  if (files.length === 0 || summary.readable === 0) return EXIT_FATAL;
  return (failing > 0 ? EXIT_FINDINGS : 0) | (skipped.length > 0 ? EXIT_SKIPPED : 0);
}

function fileSize(p: string): number {
  try {
    return p === '-' ? 0 : statSync(p).size;
  } catch {
    return 0;
  }
}

function reportOptions(opts: ScanCliOptions): ReportOptions {
  const o: ReportOptions = { color: opts.color };
  if (process.stdout.isTTY && opts.output === undefined && process.stdout.columns !== undefined) o.width = process.stdout.columns;
  if (opts.format === 'html' || opts.format === 'json' || opts.format === 'navigator') o.generatedAt = new Date().toISOString();
  return o;
}

/** --color always|never|auto: auto is a terminal on stdout without NO_COLOR (https://no-color.org). */
export function useColor(when: string, output: string | undefined): boolean {
  if (when === 'always') return true;
  if (when === 'never') return false;
  const noColor = process.env['NO_COLOR'];
  if (noColor !== undefined && noColor !== '') return false;
  return output === undefined && process.stdout.isTTY;
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
  addLimitOptions(program.command('scan'), 'scan')
    .description('run Sigma rules over event-log inputs (EVTX, XML, JSON/NDJSON, CSV); one finding per line on stdout, a summary on stderr')
    .argument('<paths...>', 'inputs, or directories searched recursively, or - for stdin')
    .option('-r, --rules <path>', 'Sigma rule file or directory (searched recursively for .yml/.yaml); repeatable', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--no-builtin', 'do not run the built-in CMSTP rule pack')
    .option('-f, --format <format>', `${REPORT_FORMATS.join(', ')} (default: table on a terminal, jsonl otherwise)`)
    .option('--min-level <level>', `only findings of rules at or above this level: ${RULE_LEVELS.join(', ')}`)
    .option('--placeholders <file>', 'YAML file of values for |expand %placeholders% (see config/placeholders.example.yml)')
    .option('--from <time>', 'only events at or after this time (ISO 8601, e.g. 2024-05-01 or 2024-05-01T10:00:00Z)')
    .option('--to <time>', 'only events at or before this time (ISO 8601)')
    .option('--host <name>', 'only events of this host (case-insensitive, * wildcards); repeatable', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--no-incidents', 'report every rule match on its own: no process lineage, incidents or risk re-rating')
    .option('--raw', 'include each event\'s original fields in findings', false)
    .option('-o, --output <file>', 'write findings here instead of stdout')
    .option('--stats <file>', 'write the summary as JSON')
    .option('--fail-on <level>', 'exit 1 when a finding is at or above this level (default: never)')
    .option('--color <when>', 'colour the table: auto (a terminal, unless NO_COLOR is set), always, never', 'auto')
    .option('--max-heap-mb <n>', `heap of the main thread in MB (default ${DEFAULT_MAX_HEAP_MB}); worker threads have their own caps`)
    .option('-t, --threads <n>', `threads that read and match (default: all ${defaultThreads()} cores; 1 runs on the main thread)`)
    .option('-q, --quiet', 'no progress, skipped-rule lines or summary on stderr (errors still print)', false)
    .option('-v, --verbose', 'print reader warnings too, not only errors, and each input\'s record account', false)
    .addHelpText('after', '\nExit status (bit flags): 0 clean; 1 findings at or above --fail-on; 4 some input skipped or cut short (named on stderr and in --stats "skipped"); 5 both. 2 alone: usage error, no usable rules, or nothing readable.\n')
    .action(async (paths: string[], raw: Record<string, unknown>) => {
      const rules = raw['rules'] as string[];
      const builtin = raw['builtin'] !== false;
      if (!builtin && rules.length === 0) return usage('no rules: --no-builtin needs --rules <dir-or-file>', setExit);
      const from = parseTime(raw['from'], '--from');
      const to = parseTime(raw['to'], '--to');
      if (!from.ok) return usage(from.error, setExit);
      if (!to.ok) return usage(to.error, setExit);
      const output = typeof raw['output'] === 'string' ? raw['output'] : undefined;
      const format = raw['format'] ?? (process.stdout.isTTY && output === undefined ? 'table' : 'jsonl');
      if (typeof format !== 'string' || !isReportFormat(format)) return usage(`unknown format ${safeText(typeof format === 'string' ? format : JSON.stringify(format))} (${REPORT_FORMATS.join(', ')})`, setExit);
      const color = raw['color'];
      if (color !== 'auto' && color !== 'always' && color !== 'never') return usage(`--color: auto, always or never, not ${safeText(String(color))}`, setExit);
      const minLevel = parseLevel(raw['minLevel'], '--min-level');
      const failOn = parseLevel(raw['failOn'], '--fail-on');
      if (!minLevel.ok) return usage(minLevel.error, setExit);
      // Applied before we got here (cli/heap.ts relaunches a scan with the limit); checked here.
      const heap = raw['maxHeapMb'] === undefined ? DEFAULT_MAX_HEAP_MB : Number(raw['maxHeapMb']);
      if (!Number.isInteger(heap) || heap < 64 || heap > 1_048_576) return usage(`--max-heap-mb: a whole number of MB from 64, not ${safeText(String(raw['maxHeapMb']))}`, setExit);
      const threads = raw['threads'] === undefined ? defaultThreads() : Number(raw['threads']);
      if (!Number.isInteger(threads) || threads < 1 || threads > 256) return usage(`--threads: a whole number from 1 to 256, not ${safeText(String(raw['threads']))}`, setExit);
      if (!failOn.ok) return usage(failOn.error, setExit);
      const limits = parseLimits(raw);
      if (!limits.ok) return usage(limits.error, setExit);
      const opts: ScanCliOptions = { rules, builtin, hosts: raw['host'] as string[], raw: raw['raw'] === true, incidents: raw['incidents'] !== false, format, threads, verbose: raw['verbose'] === true, quiet: raw['quiet'] === true, color: useColor(color, output), limits: limits.limits };
      if (from.time !== undefined) opts.from = from.time;
      if (to.time !== undefined) opts.to = to.time;
      if (minLevel.level !== undefined) opts.minLevel = minLevel.level;
      if (failOn.level !== undefined) opts.failOn = failOn.level;
      if (output !== undefined) opts.output = output;
      if (typeof raw['placeholders'] === 'string') opts.placeholders = raw['placeholders'];
      if (typeof raw['stats'] === 'string') opts.stats = raw['stats'];
      setExit(await runScan(paths, opts));
    });
}
