// `cmstp-hunt export --target <t> [--rules …] [--no-builtin] [--output-dir <dir>]`: the built-in
// pack and any Sigma rules compiled to one query per rule for a SIEM. On stdout the queries are
// separated by one blank line (they hold none); with --output-dir each goes to its own file.
// Rules a target cannot express are listed on stderr with the reason, never written as a query.
// Exit: 0 done (even with unsupported rules, unless --strict), 1 --strict and some rule was
// unsupported or failed to load, 2 usage error or no rule at all.

import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { exportCorrelation, exportRule, type ExportResult } from '../../backends/export.js';
import { targetFor, targetNames } from '../../backends/registry.js';
import { reasonKey } from '../../backends/coverage.js';
import { expandPaths } from '../../io/walk.js';
import { loadRules } from '../../sigma/load.js';
import type { SigmaCorrelation, SigmaRule } from '../../sigma/rule.js';
import { builtinRulesDir } from '../builtin.js';
import { Output } from '../output.js';
import { safeText } from '../safe-text.js';
import { MAX_RULE_FILE } from './rules.js';

const RULE_EXTENSIONS = /\.ya?ml$/i;

export interface ExportCliOptions {
  target: string;
  rules: string[];
  builtin: boolean;
  outputDir?: string;
  strict: boolean;
}

interface Loaded {
  rules: SigmaRule[];
  correlations: SigmaCorrelation[];
  problems: string[];
}

function load(paths: readonly string[]): Loaded {
  const out: Loaded = { rules: [], correlations: [], problems: [] };
  const { files, problems } = expandPaths(paths, { accept: (name) => RULE_EXTENSIONS.test(name) });
  for (const p of problems) out.problems.push(`${p.path}: unreadable: ${p.reason}`);
  for (const file of files) {
    let text: string;
    try {
      const size = statSync(file).size;
      if (size > MAX_RULE_FILE) {
        out.problems.push(`${file}: ${size} bytes; at most ${MAX_RULE_FILE} are read`);
        continue;
      }
      text = readFileSync(file, 'utf8');
    } catch (err) {
      out.problems.push(`${file}: unreadable: ${(err as Error).message}`);
      continue;
    }
    const r = loadRules(text, file, { maxInputLength: MAX_RULE_FILE });
    for (const d of r.diagnostics) if (d.severity === 'error') out.problems.push(`${d.file}:${d.line}:${d.column}: [${d.code}] ${d.message}`);
    out.rules.push(...r.rules);
    out.correlations.push(...r.correlations);
  }
  return out;
}

/** A file name for a rule: its id (or title), reduced to safe characters, made unique. */
function fileName(rule: SigmaRule | SigmaCorrelation, used: Set<string>, ext: string): string {
  const base = (rule.id ?? rule.title).replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 100) || 'rule';
  let name = `${base}.${ext}`;
  for (let i = 2; used.has(name.toLowerCase()); i++) name = `${base}-${i}.${ext}`;
  used.add(name.toLowerCase());
  return name;
}

export async function runExport(opts: ExportCliOptions): Promise<number> {
  const target = targetFor(opts.target);
  if (target === null) {
    process.stderr.write(`error: unknown target '${safeText(opts.target)}'; one of: ${targetNames().join(', ')}\n`);
    return 2;
  }
  const paths = [...(opts.builtin ? [builtinRulesDir()] : []), ...opts.rules];
  if (paths.length === 0) {
    process.stderr.write('error: no rules: give --rules or drop --no-builtin\n');
    return 2;
  }
  const loaded = load(paths);
  for (const p of loaded.problems) process.stderr.write(`error: ${safeText(p)}\n`);
  const results: ExportResult<SigmaRule | SigmaCorrelation>[] = [
    ...loaded.rules.map((r) => exportRule(target, r)),
    ...loaded.correlations.map((c) => exportCorrelation(target, c, loaded.rules)),
  ];
  if (results.length === 0) {
    process.stderr.write('error: no rule loaded\n');
    return 2;
  }
  const ok = results.filter((r) => r.ok);
  if (opts.outputDir !== undefined) {
    mkdirSync(opts.outputDir, { recursive: true });
    const used = new Set<string>();
    for (const r of ok) writeFileSync(path.join(opts.outputDir, fileName(r.rule, used, target.extension)), `${r.text}\n`);
  } else {
    const out = new Output();
    await out.write(ok.map((r) => `${r.text}\n`).join('\n'));
    await out.end();
  }
  const counts = new Map<string, number>();
  for (const r of results) {
    if (r.ok) continue;
    const where = r.rule.kind === 'correlation' ? 'correlation' : 'rule';
    process.stderr.write(`unsupported: ${safeText(r.rule.file)}:${r.rule.pos.line}:${r.rule.pos.column}: ${where} '${safeText(r.rule.title)}': [${r.code}] ${safeText(r.message)}\n`);
    const k = reasonKey(r.code, r.message);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const unsupported = results.length - ok.length;
  process.stderr.write(
    `export ${target.id}: ${results.length} rules, ${ok.length} compiled, ${unsupported} unsupported, ${loaded.problems.length} load errors` +
      (opts.outputDir !== undefined ? `, written to ${safeText(opts.outputDir)}` : '') +
      '\n',
  );
  for (const [k, n] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, 5)) process.stderr.write(`  ${n} × ${safeText(k)}\n`);
  return opts.strict && (unsupported > 0 || loaded.problems.length > 0) ? 1 : 0;
}

export function registerExport(program: Command, setExit: (code: number) => void): void {
  program
    .command('export')
    .description('compile the built-in rule pack and Sigma rules into SIEM queries, one per rule')
    .requiredOption('-t, --target <target>', `query language: ${targetNames().join(', ')}`)
    .option('-r, --rules <paths...>', 'Sigma rule files or directories (added to the built-in pack)', [])
    .option('--no-builtin', 'leave out the built-in rule pack')
    .option('-o, --output-dir <dir>', 'write one file per rule here instead of stdout')
    .option('--strict', 'exit 1 when a rule is unsupported or does not load', false)
    .action(async (o: { target: string; rules: string[]; builtin: boolean; outputDir?: string; strict: boolean }) => {
      const opts: ExportCliOptions = { target: o.target, rules: o.rules, builtin: o.builtin, strict: o.strict };
      if (o.outputDir !== undefined) opts.outputDir = o.outputDir;
      setExit(await runExport(opts));
    });
}
