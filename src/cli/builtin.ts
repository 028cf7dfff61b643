// Where the built-in rule pack lives: `rules/` at the package root (shipped in the npm package).

import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: the nearest folder above this module that holds package.json. */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cmstp-hunt: package.json not found above the CLI module');
    dir = up;
  }
}

/** The built-in rule pack's folder (`<package>/rules`). */
export function builtinRulesDir(): string {
  return path.join(packageRoot(), 'rules');
}
