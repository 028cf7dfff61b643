// The main thread's heap limit for `scan`. V8 sizes a heap from the process's flags only, and
// without a limit it lets garbage from bounded, churning state (lineage, staged files, batches
// from workers) grow the heap with the input. So `scan` runs itself again with
// --max-old-space-size, which makes V8 collect before growing: memory stays flat at any input
// size. `--max-heap-mb` sets it (default 256); the child knows it is the child by environment.

import { spawnSync } from 'node:child_process';

export const DEFAULT_MAX_HEAP_MB = 256;
const MARK = 'CMSTP_HUNT_HEAP_MB';

/** The heap limit asked for on a `scan` command line, or null when it is not a scan or not a valid number (commander reports that). */
function requested(argv: readonly string[]): number | null {
  if (argv[2] !== 'scan') return null;
  let value: string | undefined;
  for (let i = 3; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a === '--max-heap-mb') value = argv[i + 1];
    else if (a.startsWith('--max-heap-mb=')) value = a.slice('--max-heap-mb='.length);
  }
  if (value === undefined) return DEFAULT_MAX_HEAP_MB;
  const n = Number(value);
  return Number.isInteger(n) && n >= 64 && n <= 1_048_576 ? n : null;
}

/**
 * Runs this command line again in a child with the heap limit, when it is a scan not already
 * limited; returns the child's exit code, or null to go on in this process.
 */
export function relaunchWithHeapLimit(argv: readonly string[]): number | null {
  if (process.env[MARK] !== undefined) return null;
  if (process.execArgv.some((a) => a.startsWith('--max-old-space-size'))) return null;
  const mb = requested(argv);
  if (mb === null) return null;
  const r = spawnSync(process.execPath, [...process.execArgv, `--max-old-space-size=${mb}`, ...argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, [MARK]: String(mb) },
  });
  if (r.error !== undefined) return null; // could not start: scan here, without the limit
  if (r.signal !== null) return 128 + (signalNumber(r.signal) ?? 1);
  return r.status ?? 2;
}

function signalNumber(signal: NodeJS.Signals): number | null {
  const table: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGPIPE: 13, SIGTERM: 15 };
  return table[signal] ?? null;
}
