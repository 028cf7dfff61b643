#!/usr/bin/env node
// The command line. Exit codes everywhere: 0 done, 1 findings at or above --fail-on (scan),
// 2 usage error or nothing could be read.

import { Command, CommanderError } from 'commander';
import { registerCoverage } from './commands/coverage.js';
import { registerDump } from './commands/dump.js';
import { registerExport } from './commands/export.js';
import { registerInf } from './commands/inf.js';
import { registerSimulate } from './commands/simulate.js';
import { registerValidate } from './commands/validate.js';
import { registerHunt } from './commands/hunt.js';
import { registerLoad } from './commands/load.js';
import { registerQuery } from './commands/query.js';
import { registerRules } from './commands/rules.js';
import { registerScan } from './commands/scan.js';
import { VERSION } from '../version.js';
import { relaunchWithHeapLimit } from './heap.js';

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command();
  program
    .name('cmstp-hunt')
    .description('Find and hunt CMSTP.exe abuse (ATT&CK T1218.003) in Windows event logs')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerDump(program, (code) => {
    exitCode = code;
  });
  registerRules(program, (code) => (exitCode = code));
  registerScan(program, (code) => (exitCode = code));
  registerCoverage(program, (code) => (exitCode = code));
  registerExport(program, (code) => (exitCode = code));
  registerInf(program, (code) => (exitCode = code));
  registerSimulate(program, (code) => (exitCode = code));
  registerValidate(program, (code) => (exitCode = code));
  registerLoad(program, (code) => (exitCode = code));
  registerHunt(program, (code) => (exitCode = code));
  registerQuery(program, (code) => (exitCode = code));
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    throw err;
  }
  return exitCode;
}

const relaunched = relaunchWithHeapLimit(process.argv);
if (relaunched !== null) {
  process.exitCode = relaunched;
} else {
  main(process.argv).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`cmstp-hunt: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
