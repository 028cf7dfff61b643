// `cmstp-hunt rules lint|list`: Sigma rule files checked or listed. `lint` prints one line per
// diagnostic as `file:line:column: severity [code] message` (the form editors jump to) and a
// summary on stderr; `list` prints one line per rule. Files come from paths, or directories
// walked for `.yml`/`.yaml`; `-` reads stdin.

import { readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import type { SigmaDiagnostic } from '../../sigma/errors.js';
import { loadRules } from '../../sigma/load.js';
import { RULE_LEVELS, type SigmaLevel, type SigmaLogsource, type SigmaRule } from '../../sigma/rule.js';
import { expandPaths } from '../../io/walk.js';
import { Output } from '../output.js';
import { safeText } from '../safe-text.js';

const RULE_EXTENSIONS = /\.ya?ml$/i;

/** The loader's input cap (its default, passed explicitly so both agree); larger files are not read. */
export const MAX_RULE_FILE = 1_000_000;

interface Totals {
  files: number;
  read: number;
  rules: number;
  filters: number;
  correlations: number;
  errors: number;
  warnings: number;
}

interface Loaded {
  totals: Totals;
  diagnostics: SigmaDiagnostic[];
  rules: SigmaRule[];
}

/** JSON is printed to terminals too: escape what JSON.stringify leaves raw (DEL, C1 controls, U+2028/9). */
function safeJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** One diagnostic as compilers print them. */
export function describeDiagnostic(d: SigmaDiagnostic): string {
  return `${safeText(d.file)}:${d.line}:${d.column}: ${d.severity} [${d.code}] ${safeText(d.message)}`;
}

/** Reads and loads every rule file under `paths`; unreadable paths are reported on stderr and counted as errors. */
function loadAll(paths: readonly string[]): Loaded {
  const { files, problems } = expandPaths(paths, { accept: (name) => RULE_EXTENSIONS.test(name) });
  const totals: Totals = { files: 0, read: 0, rules: 0, filters: 0, correlations: 0, errors: problems.length, warnings: 0 };
  for (const p of problems) process.stderr.write(`error: ${safeText(p.path)}: ${safeText(p.reason)}\n`);
  const diagnostics: SigmaDiagnostic[] = [];
  const rules: SigmaRule[] = [];
  for (const file of files) {
    totals.files++;
    const name = file === '-' ? '<stdin>' : file;
    let text: string;
    try {
      if (file !== '-') {
        const size = statSync(file).size;
        if (size > MAX_RULE_FILE) {
          diagnostics.push({
            code: 'input-too-large',
            severity: 'error',
            message: `${size} bytes; at most ${MAX_RULE_FILE} are read`,
            file: name,
            line: 1,
            column: 1,
          });
          continue;
        }
      }
      text = readFileSync(file === '-' ? 0 : file, 'utf8');
    } catch (err) {
      totals.errors++;
      process.stderr.write(`error: ${safeText(name)}: ${safeText((err as Error).message)}\n`);
      continue;
    }
    totals.read++;
    const r = loadRules(text, name, { maxInputLength: MAX_RULE_FILE });
    totals.rules += r.rules.length;
    totals.filters += r.filters.length;
    totals.correlations += r.correlations.length;
    rules.push(...r.rules);
    diagnostics.push(...r.diagnostics);
  }
  for (const d of diagnostics) {
    if (d.severity === 'error') totals.errors++;
    else totals.warnings++;
  }
  return { totals, diagnostics, rules };
}

function summary(command: string, t: Totals, extra = ''): string {
  return (
    `rules ${command}: ${t.files} files, ${t.rules} rules, ${t.filters} filters, ${t.correlations} correlations, ` +
    `${t.errors} errors, ${t.warnings} warnings${t.read < t.files ? `, ${t.files - t.read} not read` : ''}${extra}\n`
  );
}

function exitCode(t: Totals, strict: boolean): number {
  if (t.read === 0) return 2;
  if (t.errors > 0 || (strict && t.warnings > 0)) return 1;
  return 0;
}

export interface LintOptions {
  format: 'text' | 'json';
  strict: boolean;
}

export async function runLint(paths: string[], opts: LintOptions): Promise<number> {
  const { totals, diagnostics } = loadAll(paths);
  const out = new Output();
  if (opts.format === 'json') await out.write(safeJson(diagnostics, 2) + '\n');
  else for (const d of diagnostics) await out.write(describeDiagnostic(d) + '\n');
  await out.end();
  process.stderr.write(summary('lint', totals));
  return exitCode(totals, opts.strict);
}

export interface ListOptions {
  format: 'text' | 'json' | 'jsonl';
  level?: SigmaLevel;
  strict: boolean;
}

function logsourceText(l: SigmaLogsource): string {
  return [l.product, l.category, l.service].map((v) => v ?? '-').join('/');
}

/** A field of a tab-separated line: safe for terminals, and tabs escaped so columns stay columns. */
function cell(text: string): string {
  return safeText(text).replace(/\t/g, '\\t');
}

function ruleRecord(r: SigmaRule): Record<string, unknown> {
  return {
    file: r.file,
    line: r.pos.line,
    column: r.pos.column,
    level: r.level ?? null,
    id: r.id ?? null,
    title: r.title,
    status: r.status ?? null,
    logsource: r.logsource,
    tags: r.tags,
  };
}

export async function runList(paths: string[], opts: ListOptions): Promise<number> {
  const { totals, diagnostics, rules } = loadAll(paths);
  // Problems go to stderr, so stdout stays the listing.
  for (const d of diagnostics) if (d.severity === 'error' || opts.strict) process.stderr.write(describeDiagnostic(d) + '\n');
  const min = opts.level === undefined ? -1 : RULE_LEVELS.indexOf(opts.level);
  const shown = rules.filter((r) => min < 0 || (r.level !== undefined && RULE_LEVELS.indexOf(r.level) >= min));
  const out = new Output();
  if (opts.format === 'json') await out.write(safeJson(shown.map(ruleRecord), 2) + '\n');
  else if (opts.format === 'jsonl') for (const r of shown) await out.write(safeJson(ruleRecord(r)) + '\n');
  else
    for (const r of shown)
      await out.write([r.level ?? '-', cell(r.id ?? '-'), cell(r.title), cell(logsourceText(r.logsource)), cell(r.tags.join(','))].join('\t') + '\n');
  await out.end();
  process.stderr.write(summary('list', totals, `, ${shown.length} listed`));
  return exitCode(totals, opts.strict);
}

function usage(message: string, setExit: (code: number) => void): void {
  process.stderr.write(`rules: ${message}\n`);
  setExit(2);
}

export function registerRules(program: Command, setExit: (code: number) => void): void {
  const rules = program.command('rules').description('check or list Sigma rule files (.yml/.yaml; directories searched recursively)');
  rules
    .command('lint')
    .description('report every problem in Sigma rule files as file:line:column: severity [code] message; a summary on stderr')
    .argument('<paths...>', 'rule files, directories searched recursively for .yml/.yaml, or - for stdin')
    .option('-f, --format <format>', 'text, or json (the diagnostics as a JSON array)', 'text')
    .option('--strict', 'exit 1 on warnings too, not only errors', false)
    .action(async (paths: string[], raw: Record<string, unknown>) => {
      const format = raw['format'];
      if (format !== 'text' && format !== 'json') return usage(`unknown format ${safeText(String(format))} (text or json)`, setExit);
      setExit(await runLint(paths, { format, strict: raw['strict'] === true }));
    });
  rules
    .command('list')
    .description('print one line per rule: level, id, title, logsource (product/category/service), tags; tab-separated')
    .argument('<paths...>', 'rule files, directories searched recursively for .yml/.yaml, or - for stdin')
    .option('-f, --format <format>', 'text, json, or jsonl', 'text')
    .option('--level <min>', `only rules at or above this level: ${RULE_LEVELS.join(', ')}`)
    .option('--strict', 'exit 1 on warnings too (and print them), not only errors', false)
    .action(async (paths: string[], raw: Record<string, unknown>) => {
      const format = raw['format'];
      if (format !== 'text' && format !== 'json' && format !== 'jsonl') return usage(`unknown format ${safeText(String(format))} (text, json or jsonl)`, setExit);
      const level = raw['level'];
      if (level !== undefined && (typeof level !== 'string' || !(RULE_LEVELS as readonly string[]).includes(level)))
        return usage(`unknown level ${safeText(typeof level === 'string' ? level : JSON.stringify(level))} (${RULE_LEVELS.join(', ')})`, setExit);
      const opts: ListOptions = { format, strict: raw['strict'] === true };
      if (level !== undefined) opts.level = level as SigmaLevel;
      setExit(await runList(paths, opts));
    });
}
