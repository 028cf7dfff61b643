// `cmstp-hunt coverage <paths…>`: which detections can fire on these inputs, and what to turn
// on to close each gap. Rules: the built-in pack unless --no-builtin, plus every --rules path.
// Text for terminals (every input-derived string through safeText), or JSON (documented in
// docs/telemetry.md). Exit: 0 done, 2 usage error or nothing readable.

import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { coverage, type CoverageReport } from '../../coverage/report.js';
import type { RuleCoverage } from '../../coverage/assess.js';
import type { Count, SourceInventory } from '../../coverage/inventory.js';
import { expandPaths } from '../../io/walk.js';
import { builtinRulesDir } from '../builtin.js';
import { Output } from '../output.js';
import { safeText } from '../safe-text.js';
import { loadRulePaths, type LoadedRules } from './scan.js';

const INPUT_EXTENSIONS = /\.(evtx|xml|json|jsonl|ndjson|csv|log|txt)(\.gz)?$/i;

export interface CoverageCliOptions {
  rules: string[];
  builtin: boolean;
  format: 'text' | 'json';
  output?: string;
  verbose: boolean;
}

/** JSON reaches terminals: escape what JSON.stringify leaves raw (DEL, C1 controls, U+2028/9). */
function safeJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const counts = (cs: readonly Count[]): string => cs.map((c) => `${safeText(c.value)} (${c.events})`).join(', ');

function sourceLine(s: SourceInventory, indent: string): string {
  const parts = [`${indent}${safeText(s.source)}: ${s.events} events`];
  if (s.first !== null) parts.push(`${safeText(s.first)} .. ${safeText(s.last ?? '')}`);
  if (s.eventIds.length > 0) parts.push(`event ids ${counts(s.eventIds)}`);
  if (s.tables.length > 0) parts.push(`tables ${counts(s.tables)}`);
  if (s.ecsCategories.length > 0) parts.push(`ECS categories ${counts(s.ecsCategories)}`);
  return parts.join('; ');
}

/** One line per rule; the reason under it, for rules that can fire only with --verbose. */
function ruleLines(r: RuleCoverage, verbose: boolean): string[] {
  const name = `${safeText(r.title)}${r.id !== null ? ` [${safeText(r.id)}]` : ''}`;
  const head = `  ${r.status.padEnd(11)} ${(r.level ?? '-').padEnd(13)} ${name}`;
  return r.status === 'can-fire' && !verbose ? [head] : [head, `      ${safeText(r.reason)}`];
}

export function renderText(rep: CoverageReport, verbose = false): string {
  const t = rep.totals;
  const out: string[] = [];
  out.push(
    `coverage: ${t.inputs} inputs (${t.readable} readable), ${t.read} records read = ${t.parsed} parsed + ${t.rejected} rejected, ` +
      `${t.errors} errors, ${t.hosts} hosts${t.first !== null ? `, ${safeText(t.first)} .. ${safeText(t.last ?? '')}` : ''}`,
  );
  if (t.unprofiled > 0) out.push(`coverage: ${t.unprofiled} events past the profile cap are inventoried but not used to judge rules`);
  out.push('', 'Hosts');
  for (const h of rep.hosts) {
    out.push(`  ${safeText(h.host)}: ${h.events} events${h.first !== null ? `, ${safeText(h.first)} .. ${safeText(h.last ?? '')}` : ''}`);
    for (const s of h.sources) out.push(sourceLine(s, '    '));
  }
  const tm = rep.telemetry;
  const pc = tm.processCreation;
  out.push(
    '',
    'Telemetry',
    `  process creation: Sysmon 1 ${pc.sysmon}, Security 4688 ${pc.security}, Defender ${pc.mde}, ECS ${pc.ecs}, other ${pc.other}; cmstp.exe process-creation events ${tm.cmstpRuns}`,
    `  Security 4688: ${tm.security4688.events} events; CommandLine in ${tm.security4688.withCommandLine}, ParentProcessName in ${tm.security4688.withParentProcessName}, MandatoryLabel in ${tm.security4688.withMandatoryLabel}`,
    `  Sysmon 1: ${tm.sysmon1.events} events; ParentCommandLine in ${tm.sysmon1.withParentCommandLine}, IntegrityLevel in ${tm.sysmon1.withIntegrityLevel}, OriginalFileName in ${tm.sysmon1.withOriginalFileName}`,
    `  Sysmon 10 (process access): ${tm.sysmon10.events} events; CallTrace in ${tm.sysmon10.withCallTrace}, cmlua.dll in the call trace ${tm.sysmon10.cmluaCallTrace}, target lsass.exe ${tm.sysmon10.targetLsass}, source cmstp/dllhost ${tm.sysmon10.fromCmstpOrDllhost}; other process access ${tm.processAccessOther.events} (CallTrace in ${tm.processAccessOther.withCallTrace})`,
    `  Sysmon 7 (image load): ${tm.sysmon7.events} events; by cmstp.exe ${tm.sysmon7.cmstp}, by dllhost.exe ${tm.sysmon7.dllhost}, cmlua/cmstplua/cmutil loads ${tm.sysmon7.cmLibraries}; other image loads ${tm.imageLoadOther}`,
    `  network: Sysmon 3 ${tm.network.sysmon3}, Security 5156 ${tm.network.security5156}, Defender ${tm.network.mde}, ECS ${tm.network.ecs}; by cmstp.exe ${tm.network.cmstp}`,
    `  registry: Sysmon 12/13/14 ${tm.registry.sysmon}, Security 4657 ${tm.registry.security4657}, Defender ${tm.registry.mde}, ECS ${tm.registry.ecs}; Connection Manager keys ${tm.registry.cmstpKeys}`,
    `  file: Sysmon ${tm.file.sysmon}, Defender ${tm.file.mde}, ECS ${tm.file.ecs}, Security ${tm.file.security}; .inf/.sct/cmstp.exe.log ${tm.file.infOrSct}`,
    `  Defender tables: ${Object.entries(tm.defender).filter(([, n]) => n > 0).map(([k, n]) => `${k} (${n})`).join(', ') || 'none'}`,
  );
  const rs = rep.rules;
  out.push('', `Rules: ${rs.loaded} loaded (${rs.canFire} can fire, ${rs.partial} partial, ${rs.cannotFire} cannot fire), ${rs.skipped.length} skipped`);
  const order = { 'cannot-fire': 0, partial: 1, 'can-fire': 2 } as const;
  for (const r of [...rs.results].sort((a, b) => order[a.status] - order[b.status])) out.push(...ruleLines(r, verbose));
  for (const s of rs.skipped) out.push(`  skipped     ${safeText(s.file)}: ${safeText(s.reason)}`);
  out.push('', `Gaps: ${rep.gaps.length}`);
  for (const g of rep.gaps) {
    out.push(`  [${g.severity}] ${g.id}: ${safeText(g.message)}`);
    if (g.hostCount > 0 && g.hostCount < t.hosts)
      out.push(`      on ${g.hostCount} of ${t.hosts} hosts: ${g.hosts.map(safeText).join(', ')}${g.hostCount > g.hosts.length ? ', …' : ''}`);
    if (g.detections.length > 0) out.push(`      detections: ${g.detections.join(', ')}`);
    if (g.rules.length > 0) out.push(`      loaded rules it stops: ${g.rules.map(safeText).join('; ')}`);
    for (const f of g.remediation) out.push(`      fix (${f.kind}): ${f.text}`);
  }
  out.push('', 'Recommended configuration: config/sysmon-cmstp.xml and docs/telemetry.md');
  return out.join('\n') + '\n';
}

function loadRules(opts: CoverageCliOptions): LoadedRules {
  const paths = [...opts.rules];
  if (opts.builtin && existsSync(builtinRulesDir())) paths.unshift(builtinRulesDir());
  if (paths.length === 0) return { rules: [], skipped: [], files: 0, filters: [], correlations: [] };
  const loaded = loadRulePaths(paths);
  // The built-in folder given again with --rules (or a file inside it) would judge a rule twice.
  const seen = new Set<string>();
  loaded.rules = loaded.rules.filter((c) => {
    const key = `${path.resolve(c.rule.file)}\u0000${c.rule.document}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return loaded;
}

export async function runCoverage(paths: string[], opts: CoverageCliOptions): Promise<number> {
  const loaded = loadRules(opts);
  for (const s of loaded.skipped) process.stderr.write(`skipped: ${safeText(s.file)}: ${safeText(s.reason)}\n`);
  if (opts.rules.length > 0 && loaded.rules.length === 0) {
    process.stderr.write('coverage: no usable rules in the --rules paths\n');
    return 2;
  }
  if (loaded.rules.length === 0) process.stderr.write('coverage: no rules loaded (no built-in rules found): only the inventory and gaps are reported\n');
  const { files, problems } = expandPaths(paths, { accept: (name) => INPUT_EXTENSIONS.test(name) });
  for (const p of problems) process.stderr.write(`error: ${safeText(p.path)}: ${safeText(p.reason)}\n`);
  const report = await coverage(files, {
    rules: loaded.rules,
    skipped: loaded.skipped,
    onDiagnostic: (d) => {
      if (d.severity === 'error' || opts.verbose) process.stderr.write(`${d.severity}: ${safeText(d.path)}: [${d.code}] ${safeText(d.message)}\n`);
    },
  });
  const out = new Output(opts.output);
  await out.write(opts.format === 'json' ? safeJson(report) + '\n' : renderText(report, opts.verbose));
  await out.end();
  const t = report.totals;
  process.stderr.write(`coverage: ${t.inputs} inputs, ${t.read} read = ${t.parsed} parsed + ${t.rejected} rejected; ${report.rules.loaded} rules, ${report.gaps.length} gaps\n`);
  return files.length === 0 || t.readable === 0 ? 2 : 0;
}

function usage(message: string, setExit: (code: number) => void): void {
  process.stderr.write(`coverage: ${message}\n`);
  setExit(2);
}

export function registerCoverage(program: Command, setExit: (code: number) => void): void {
  program
    .command('coverage')
    .description('tell which detections can fire on these inputs and what telemetry to turn on to close each gap')
    .argument('<paths...>', 'inputs, or directories searched recursively, or - for stdin')
    .option('-r, --rules <path>', 'Sigma rule file or directory, in addition to the built-in pack; repeatable', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--no-builtin', 'do not use the built-in rule pack')
    .option('-f, --format <format>', 'text or json', 'text')
    .option('-o, --output <file>', 'write the report here instead of stdout')
    .option('-v, --verbose', 'print reader warnings too, and why each rule that can fire can', false)
    .action(async (paths: string[], raw: Record<string, unknown>) => {
      const format = raw['format'];
      if (format !== 'text' && format !== 'json') return usage(`unknown format ${safeText(String(format))} (text or json)`, setExit);
      const opts: CoverageCliOptions = { rules: raw['rules'] as string[], builtin: raw['builtin'] !== false, format, verbose: raw['verbose'] === true };
      if (typeof raw['output'] === 'string') opts.output = raw['output'];
      setExit(await runCoverage(paths, opts));
    });
}
