// Coverage of a rule set per target: how many rules compile, and the most common reasons the
// others do not (the report the conformance test prints and `export` summarises on stderr).

import type { SigmaRule } from '../sigma/rule.js';
import { exportRule, type ExportResult, type Target } from './export.js';

export interface Coverage {
  target: string;
  rules: number;
  compiled: number;
  /** `code: message` with counts, most common first. */
  reasons: [string, number][];
  results: ExportResult[];
}

/** The reason key: the message with quoted names and numbers generalised, so like reasons count together. */
export function reasonKey(code: string, message: string): string {
  return `${code}: ${message.replace(/'[^']*'/g, "'…'").replace(/\d+/g, 'N')}`;
}

export function coverageOf(dialect: Target, rules: readonly SigmaRule[]): Coverage {
  const results = rules.map((r) => exportRule(dialect, r));
  const counts = new Map<string, number>();
  for (const r of results) {
    if (r.ok) continue;
    const k = reasonKey(r.code, r.message);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return {
    target: dialect.id,
    rules: rules.length,
    compiled: results.filter((r) => r.ok).length,
    reasons: [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)),
    results,
  };
}
