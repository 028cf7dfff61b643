// `cmstp-hunt inf <file.inf…>`: what INF files would do under cmstp.exe (commands, scriptlets,
// the UAC-bypass template), with a verdict and its reasons; `-` reads the content from stdin
// (e.g. a body saved from a proxy log). Text by default, one JSON object per input with --json.
// Exit: 0 every verdict below --fail-on (default medium), 1 one at or above it, 2 usage error
// or an input that could not be read.

import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import type { Command } from 'commander';
import { analyzeInf, INF_LEVELS, levelRank, type InfLevel, type InfReport } from '../../inf/index.js';
import { DEFAULT_INF_LIMITS } from '../../inf/parse.js';
import { Output } from '../output.js';
import { safeText } from '../safe-text.js';

export interface InfCliOptions {
  json: boolean;
  failOn: InfLevel;
  output?: string;
}

/** Reads at most the analyzer's byte cap plus one (so truncation is reported). */
function readCapped(path: string): Uint8Array {
  const fd = path === '-' ? 0 : openSync(path, 'r');
  try {
    if (path !== '-' && !fstatSync(fd).isFile()) throw new Error('not a regular file');
    const cap = DEFAULT_INF_LIMITS.maxBytes + 1;
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.alloc(Math.min(1 << 20, cap - total));
      if (buf.length === 0) break;
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') continue;
        if ((err as NodeJS.ErrnoException).code === 'EOF') break;
        throw err;
      }
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
      total += n;
    }
    return Buffer.concat(chunks);
  } finally {
    if (path !== '-') closeSync(fd);
  }
}

/** JSON reaches terminals: escape what JSON.stringify leaves raw (DEL, C1 controls, U+2028/9). */
function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function formatInfText(file: string, r: InfReport): string {
  const lines: string[] = [];
  lines.push(`${safeText(file)}: ${r.verdict}${r.level !== null ? ` (${r.level})` : ''}  [${r.encoding}${r.bom ? ', BOM' : ''}]`);
  if (r.serviceName !== null || r.shortServiceName !== null) lines.push(`  profile: ServiceName=${safeText(JSON.stringify(r.serviceName))} ShortSvcName=${safeText(JSON.stringify(r.shortServiceName))}`);
  if (r.installSections.length > 0) lines.push(`  install sections: ${r.installSections.map((s) => `[${safeText(s)}]`).join(' ')}`);
  for (const c of r.commands) lines.push(`  command (${c.directive}, [${safeText(c.section)}] line ${c.line}): ${safeText(c.command)}`);
  for (const o of r.ocx) lines.push(`  ${o.scriptlet ? 'scriptlet' : 'dll'} (${o.directive}, [${safeText(o.section)}] line ${o.line}): ${safeText(o.path)}${o.parameter !== '' ? ` -> ${safeText(o.parameter)}` : ''}`);
  if (r.uacTemplate !== null) lines.push(`  all-users template (line ${r.uacTemplate.line}): ${safeText(r.uacTemplate.registry)}`);
  for (const x of r.reasons) lines.push(`  ${x.level.padEnd(13)} ${x.code}${x.line !== null ? ` (line ${x.line})` : ''}: ${safeText(x.message)}`);
  for (const p of r.problems) lines.push(`  problem: line ${p.line}: [${p.code}] ${safeText(p.message)}`);
  return lines.join('\n') + '\n';
}

export async function runInf(paths: readonly string[], opts: InfCliOptions): Promise<number> {
  const out = new Output(opts.output);
  let failing = 0;
  let unreadable = 0;
  for (const path of paths) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
      process.stderr.write(`inf: ${safeText(path)}: a URL; fetch it and pass the content as a file or on stdin (-)\n`);
      unreadable++;
      continue;
    }
    let bytes: Uint8Array;
    try {
      bytes = readCapped(path);
    } catch (err) {
      process.stderr.write(`inf: ${safeText(path)}: unreadable: ${safeText((err as Error).message)}\n`);
      unreadable++;
      continue;
    }
    const report = analyzeInf(bytes);
    if (levelRank(report.level) >= levelRank(opts.failOn)) failing++;
    await out.write(opts.json ? safeJson({ file: path === '-' ? '<stdin>' : path, ...report }) + '\n' : formatInfText(path === '-' ? '<stdin>' : path, report));
  }
  await out.end();
  if (unreadable > 0) return 2;
  return failing > 0 ? 1 : 0;
}

export function registerInf(program: Command, setExit: (code: number) => void): void {
  program
    .command('inf')
    .description('analyse INF files as cmstp.exe would run them: commands, scriptlets, the UAC-bypass template; a verdict with reasons')
    .argument('<paths...>', 'INF files (any extension), or - for content on stdin')
    .option('--json', 'one JSON object per input instead of text', false)
    .option('--fail-on <level>', `exit 1 when a verdict is at or above this level: ${INF_LEVELS.join(', ')}`, 'medium')
    .option('-o, --output <file>', 'write the report here instead of stdout')
    .action(async (paths: string[], raw: Record<string, unknown>) => {
      const failOn = raw['failOn'];
      if (typeof failOn !== 'string' || !(INF_LEVELS as readonly string[]).includes(failOn)) {
        process.stderr.write(`inf: unknown --fail-on level ${safeText(String(failOn))} (${INF_LEVELS.join(', ')})\n`);
        setExit(2);
        return;
      }
      const opts: InfCliOptions = { json: raw['json'] === true, failOn: failOn as InfLevel };
      if (typeof raw['output'] === 'string') opts.output = raw['output'];
      setExit(await runInf(paths, opts));
    });
}
