// `npm run conformance`: runs the SigmaHQ regression corpus (../shared/conformance/sigmahq) through
// the detection engine and prints the pass rate and every failure with its reason.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runConformance } from '../src/detect/conformance.js';

function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('no package.json found');
    dir = parent;
  }
  return dir;
}

const root = process.argv[2] ?? path.resolve(projectRoot(), '..', 'shared', 'conformance', 'sigmahq');
if (!existsSync(path.join(root, 'regression_data'))) {
  console.error(`conformance: no regression_data under ${root}`);
  process.exit(2);
}
const report = await runConformance(root);
for (const c of report.cases) {
  if (c.skipped) console.log(`SKIP ${c.ruleId} ${c.info}: ${c.reason ?? ''}`);
  else if (!c.pass) console.log(`FAIL ${c.ruleId} ${c.ruleFile === null ? c.info : path.relative(root, c.ruleFile)}: ${c.reason ?? ''}`);
}
const pct = report.total === 0 ? 0 : (100 * report.passed) / report.total;
console.log(`conformance: ${report.passed}/${report.total} passed (${pct.toFixed(1)}%), ${report.skipped} skipped, in ${(report.millis / 1000).toFixed(1)} s`);
