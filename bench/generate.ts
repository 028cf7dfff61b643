// Writes the generated benchmark sets (see support/generate.ts for layout and support/mix.ts for
// the event mix) and prints what they hold. `npm run bench` calls the same code; this script
// exists to generate ahead of time or somewhere else.
//
//   npm run bench:generate [-- --data-dir DIR] [-- --set 100MB|1GB|all] [-- --seed S] [-- --threads N]

import os from 'node:os';
import path from 'node:path';
import { DEFAULT_SEED, SETS, defaultDataDir, describeMix, ensureSet } from './support/generate.js';
import type { SetName } from './support/generate.js';

function usage(): never {
  process.stderr.write('usage: node dist/bench/generate.js [--data-dir DIR] [--set 100MB|1GB|all] [--seed S] [--threads N]\n');
  process.exit(2);
}

async function main(): Promise<void> {
  let dataDir = defaultDataDir();
  let sets: SetName[] = ['100MB', '1GB'];
  let seed = DEFAULT_SEED;
  let threads = os.availableParallelism();
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (v === undefined) usage();
    if (a === '--data-dir') dataDir = path.resolve(v);
    else if (a === '--set' && (v === '100MB' || v === '1GB')) sets = [v];
    else if (a === '--set' && v === 'all') sets = ['100MB', '1GB'];
    else if (a === '--seed') seed = v;
    else if (a === '--threads' && Number.isInteger(Number(v)) && Number(v) >= 1) threads = Number(v);
    else usage();
    i++;
  }
  for (const name of sets) {
    const r = await ensureSet(path.join(dataDir, `set-${name}`), SETS[name], seed, threads, (s) => process.stderr.write(`[generate] ${s}\n`));
    const m = r.manifest;
    process.stdout.write(
      `set ${name}: ${r.dir} (${r.generated ? `generated in ${m.generationS.toFixed(1)} s, ${(m.bytes / 1e6 / m.generationS).toFixed(0)} MB/s` : 'reused'})\n` +
        `  ${m.files.length} files, ${(m.bytes / 1e6).toFixed(0)} MB, ${m.records.toLocaleString('en-US')} records, seed ${JSON.stringify(m.seed)}\n` +
        describeMix(m).map((l) => `  ${l}\n`).join(''),
    );
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`generate: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
