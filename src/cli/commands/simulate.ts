// `cmstp-hunt simulate <procedure|all> --format evtx|xml|jsonl|ecs|mde-csv [--host …] [--out dir]`:
// deterministic telemetry of a catalogued procedure; `simulate --list` prints the catalogue.
// Text formats go to stdout without --out; EVTX (one file per channel) needs --out <dir>.
// Exit: 0 done, 2 usage error or unwritable output.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { findProcedure, PROCEDURES, SIM_FORMATS, simulate, type Procedure, type SimFormat } from '../../simulate/index.js';
import { safeText } from '../safe-text.js';

function usage(message: string, setExit: (code: number) => void): void {
  process.stderr.write(`simulate: ${message}\n`);
  setExit(2);
}

export function listLines(): string {
  return PROCEDURES.map((p) => `${p.name}\t${p.benign ? 'legitimate' : 'attack'}\t${p.title}`).join('\n') + '\n';
}

export function registerSimulate(program: Command, setExit: (code: number) => void): void {
  program
    .command('simulate')
    .description('write realistic, deterministic telemetry of a CMSTP procedure (or a legitimate profile install) as Sysmon/Security EVTX, XML, JSON lines, Elastic ECS or Defender CSV')
    .argument('[procedure]', 'a procedure name from --list, or all')
    .option('--list', 'print the procedures, one a line, name first', false)
    .option('-f, --format <format>', SIM_FORMATS.join(', '), 'xml')
    .option('--host <name>', 'computer name the events carry (default WKS-FIN-042.corp.example)')
    .option('--seed <text>', 'seed of identifiers (PIDs, GUIDs, ports); the same seed gives the same bytes', '0')
    .option('-o, --out <dir>', 'write files into this directory (created) instead of stdout')
    .action((name: string | undefined, raw: Record<string, unknown>) => {
      if (raw['list'] === true) {
        process.stdout.write(listLines());
        return;
      }
      if (name === undefined) return usage('name a procedure (see --list) or all', setExit);
      const format = raw['format'];
      if (typeof format !== 'string' || !(SIM_FORMATS as readonly string[]).includes(format)) return usage(`unknown format ${safeText(String(format))} (${SIM_FORMATS.join(', ')})`, setExit);
      let procedures: Procedure[];
      if (name === 'all') procedures = [...PROCEDURES];
      else {
        const p = findProcedure(name);
        if (p === undefined) return usage(`unknown procedure ${safeText(name)} (see --list)`, setExit);
        procedures = [p];
      }
      const out = typeof raw['out'] === 'string' ? raw['out'] : undefined;
      if (out === undefined && (format === 'evtx' || procedures.length > 1)) return usage(`${format === 'evtx' ? 'EVTX' : 'several procedures'} need --out <dir>`, setExit);
      const options = { seed: String(raw['seed']), ...(typeof raw['host'] === 'string' ? { host: raw['host'] } : {}) };
      try {
        if (out !== undefined) mkdirSync(out, { recursive: true });
        for (const p of procedures) {
          for (const f of simulate(p, format as SimFormat, options)) {
            if (out === undefined) process.stdout.write(f.bytes);
            else {
              writeFileSync(join(out, f.name), f.bytes);
              process.stderr.write(`wrote ${safeText(join(out, f.name))}: ${f.events} events\n`);
            }
          }
        }
      } catch (err) {
        return usage(`cannot write: ${safeText((err as Error).message)}`, setExit);
      }
    });
}
