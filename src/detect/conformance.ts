// SigmaHQ regression-data conformance: for every `regression_data/**/info.yml`, load the rule it
// names (by id, among `rules*/**/*.yml`), read its EVTX sample, normalise every record, count the
// events the compiled rule matches and compare with `match_count` (at least 1 when absent).

import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { normalize, TableSet } from '../events/normalize.js';
import { DEFAULT_TABLES } from '../events/tables/index.js';
import { loadRules } from '../sigma/load.js';
import { readSource } from '../sources/index.js';
import { compileRule, isCompiled } from './compile.js';

export interface ConformanceCase {
  info: string;
  ruleId: string;
  ruleFile: string | null;
  sample: string | null;
  expected: string;
  got: number | null;
  pass: boolean;
  /** No EVTX test in info.yml (e.g. a commented-out `type: raw` test): not counted. */
  skipped: boolean;
  /** Why it failed: `expected N, got M`, `unsupported: …`, `load error: …`, … */
  reason: string | null;
}

export interface ConformanceReport {
  cases: ConformanceCase[];
  passed: number;
  /** Cases counted (skipped ones excluded). */
  total: number;
  skipped: number;
  millis: number;
}

function walk(dir: string, want: (name: string) => boolean, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(p, want, out);
    else if (entry.isFile() && want(entry.name)) out.push(p);
  }
  return out;
}

/** Rule id → file, read from the top-level `id:` lines (cheap; the file is fully loaded later). */
function indexRules(root: string): Map<string, string> {
  const index = new Map<string, string>();
  for (const dir of readdirSync(root)) {
    if (!dir.startsWith('rules')) continue;
    const full = path.join(root, dir);
    if (!statSync(full).isDirectory()) continue;
    for (const file of walk(full, (n) => n.endsWith('.yml') || n.endsWith('.yaml'))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^id:\s*['"]?([0-9A-Za-z-]+)/gm)) index.set(m[1]!.toLowerCase(), file);
    }
  }
  return index;
}

interface TestInfo {
  type?: unknown;
  path?: unknown;
  match_count?: unknown;
}

/** Runs the whole corpus under `root` (the folder holding `regression_data/` and `rules*`). */
export async function runConformance(root: string): Promise<ConformanceReport> {
  const start = Date.now();
  const index = indexRules(root);
  const tables = new TableSet(DEFAULT_TABLES);
  const cases: ConformanceCase[] = [];
  const infos = walk(path.join(root, 'regression_data'), (n) => n === 'info.yml').sort();
  for (const info of infos) {
    const rel = path.relative(root, info);
    const doc = parseYaml(readFileSync(info, 'utf8')) as { rule_metadata?: { id?: unknown }[]; regression_tests_info?: TestInfo[] } | null;
    const rawId = doc?.rule_metadata?.[0]?.id;
    const ruleId = typeof rawId === 'string' ? rawId : '';
    const base: ConformanceCase = { info: rel, ruleId, ruleFile: null, sample: null, expected: '>=1', got: null, pass: false, skipped: false, reason: null };
    const tests = (doc?.regression_tests_info ?? []).filter((t) => t.type === 'evtx');
    if (tests.length === 0) {
      cases.push({ ...base, skipped: true, reason: 'no evtx regression test in info.yml' });
      continue;
    }
    const ruleFile = index.get(ruleId.toLowerCase()) ?? null;
    if (ruleFile === null) {
      cases.push({ ...base, reason: `rule ${ruleId} not found` });
      continue;
    }
    const loaded = loadRules(readFileSync(ruleFile, 'utf8'), ruleFile);
    const rule = loaded.rules.find((r) => r.id?.toLowerCase() === ruleId.toLowerCase());
    if (rule === undefined) {
      const err = loaded.diagnostics.find((d) => d.severity === 'error');
      cases.push({ ...base, ruleFile, reason: `load error: ${err ? `${err.message} [${err.code}]` : 'rule not in file'}` });
      continue;
    }
    const compiled = compileRule(rule);
    for (const t of tests) {
      const sample = path.join(root, String(t.path));
      const expected = typeof t.match_count === 'number' ? t.match_count : null;
      const c: ConformanceCase = { ...base, ruleFile, sample: path.relative(root, sample), expected: expected === null ? '>=1' : String(expected) };
      if (!isCompiled(compiled)) {
        cases.push({ ...c, reason: `unsupported: ${compiled.unsupported}` });
        continue;
      }
      let got = 0;
      let readErrors = 0;
      let firstError = '';
      const it = readSource(sample);
      for (;;) {
        const r = await it.next();
        if (r.done === true) break;
        const item = r.value;
        if (!item.ok) {
          if (item.diagnostic.severity === 'error') {
            readErrors++;
            firstError ||= item.diagnostic.message;
          }
          continue;
        }
        if (compiled.matches(normalize(item.record, tables))) got++;
      }
      const pass = expected === null ? got >= 1 : got === expected;
      let reason: string | null = null;
      if (!pass) reason = `expected ${c.expected}, got ${got}` + (readErrors > 0 ? ` (${readErrors} read errors: ${firstError})` : '');
      cases.push({ ...c, got, pass, reason });
    }
  }
  const passed = cases.filter((c) => c.pass).length;
  const skipped = cases.filter((c) => c.skipped).length;
  return { cases, passed, total: cases.length - skipped, skipped, millis: Date.now() - start };
}
