// `cmstp-hunt validate [--rules …] [--no-builtin]`: every catalogued procedure simulated in every
// format, run through the rule pack, and printed as a procedure × telemetry-source matrix (a
// Markdown table, then the rules behind each cell); --json prints the whole result.
// Exit: 0 every expected signal met and no legitimate install at medium or above; 1 otherwise;
// 2 usage error or no usable rules.

import type { Command } from 'commander';
import { findProcedure, SIM_FORMATS, type Procedure, type SimFormat } from '../../simulate/index.js';
import { matrixMarkdown, validate } from '../../simulate/validate.js';
import { builtinRulesDir } from '../builtin.js';
import { Output } from '../output.js';
import { safeText } from '../safe-text.js';
import { loadRulePaths } from './scan.js';
import { IncidentBuilder } from '../../incidents/index.js';

function usage(message: string, setExit: (code: number) => void): void {
  process.stderr.write(`validate: ${message}\n`);
  setExit(2);
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

export function registerValidate(program: Command, setExit: (code: number) => void): void {
  program
    .command('validate')
    .description('simulate every procedure in every format, scan it with the rule pack, and print the coverage matrix (expected signals met or missed, legitimate installs clean)')
    .option('-r, --rules <path>', 'Sigma rule file or directory; repeatable', collect, [] as string[])
    .option('--no-builtin', 'do not use the built-in CMSTP rule pack')
    .option('--procedure <name>', 'only this procedure (see simulate --list); repeatable', collect, [] as string[])
    .option('-f, --format <format>', `only this format (${SIM_FORMATS.join(', ')}); repeatable`, collect, [] as string[])
    .option('--host <name>', 'computer name of the simulated events')
    .option('--no-incidents', 'judge the rules alone: no process lineage, incidents or risk re-rating (scan does them by default)')
    .option('--json', 'print the whole result as JSON instead of the matrix', false)
    .option('-o, --output <file>', 'write the matrix here instead of stdout')
    .action(async (raw: Record<string, unknown>) => {
      const rules = raw['rules'] as string[];
      const builtin = raw['builtin'] !== false;
      if (!builtin && rules.length === 0) return usage('no rules: --no-builtin needs --rules <dir-or-file>', setExit);
      const procedures: Procedure[] = [];
      for (const n of raw['procedure'] as string[]) {
        const p = findProcedure(n);
        if (p === undefined) return usage(`unknown procedure ${safeText(n)} (see simulate --list)`, setExit);
        procedures.push(p);
      }
      const formats = raw['format'] as string[];
      for (const f of formats) if (!(SIM_FORMATS as readonly string[]).includes(f)) return usage(`unknown format ${safeText(f)} (${SIM_FORMATS.join(', ')})`, setExit);
      const loaded = loadRulePaths(builtin ? [builtinRulesDir(), ...rules] : rules);
      for (const s of loaded.skipped) process.stderr.write(`skipped: ${safeText(s.file)}: ${safeText(s.reason)}\n`);
      if (loaded.rules.length === 0) return usage(`no usable rules in ${builtin ? 'the built-in pack or ' : ''}the --rules paths`, setExit);
      const result = await validate(
        {
          rules: loaded.rules,
          filters: loaded.filters,
          correlations: loaded.correlations,
          ...(raw['incidents'] !== false ? { postprocess: () => new IncidentBuilder() } : {}),
        },
        {
          ...(procedures.length > 0 ? { procedures } : {}),
          ...(formats.length > 0 ? { formats: formats as SimFormat[] } : {}),
          ...(typeof raw['host'] === 'string' ? { host: raw['host'] } : {}),
        },
      );
      const out = new Output(typeof raw['output'] === 'string' ? raw['output'] : undefined);
      await out.write(raw['json'] === true ? JSON.stringify(result, null, 2).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) + '\n' : matrixMarkdown(result, safeText));
      await out.end();
      process.stderr.write(
        `validate: ${result.procedures} procedures, ${result.formats} formats, ${loaded.rules.length} rules, ${result.events} events, ${result.findings} findings, ` +
          `${result.cells.filter((c) => c.status === 'met').length} expected signals met, ${result.failures.length} failures\n`,
      );
      for (const f of result.failures) process.stderr.write(`validate: ${f.status}: ${f.procedure} / ${f.source}: ${safeText(f.note ?? '')}\n`);
      setExit(result.failures.length > 0 ? 1 : 0);
    });
}
