// Correlation rules for text targets: event_count and value_count over the rules they name, the
// group-by (and counted) fields resolved in every part (each table may name them differently; the
// dialect brings them under the canonical name). Temporal and value_sum/avg/percentile
// correlations are unsupported.

import type { SigmaCorrelation, SigmaRule } from '../sigma/rule.js';
import { compileParts } from './compile.js';
import type { CorrelationField, CorrelationSpec, Dialect, QueryPart } from './dialect.js';
import { unsupported } from './errors.js';

function fieldIn(parts: readonly QueryPart[], name: string): CorrelationField {
  const perPart = parts.map((p) => p.binding.field(name) ?? unsupported('correlation', `field '${name}' has no column in ${p.binding.label}`));
  return { canonical: name, perPart };
}

/** Compiles a correlation; `rules` are the loaded rules it may name (by id or name). */
export function compileCorrelation(dialect: Dialect, c: SigmaCorrelation, rules: readonly SigmaRule[]): { query: string; notes: string[] } {
  if (dialect.correlate === undefined) unsupported('correlation', `${dialect.id} has no correlation template`);
  if (c.type !== 'event_count' && c.type !== 'value_count') unsupported('correlation', `${c.type} correlations`);
  if (c.condition?.kind !== 'threshold') unsupported('correlation', 'a correlation without a count condition');
  if (c.aliases.size > 0) unsupported('correlation', 'field aliases');
  const parts: QueryPart[] = [];
  const notes: string[] = [];
  for (const ref of c.rules) {
    const named = rules.filter((r) => r.id === ref || r.name === ref);
    if (named.length === 0) unsupported('correlation', `rule '${ref}' is not among the rules given`);
    for (const r of named) {
      const x = compileParts(dialect, r);
      parts.push(...x.parts);
      notes.push(...x.notes);
    }
  }
  if (parts.some((p) => p.stages.length > 0)) unsupported('correlation', 'a named rule needs pipeline stages');
  const spec: CorrelationSpec = {
    type: c.type,
    groupBy: c.groupBy.map((g) => fieldIn(parts, g)),
    field: c.type === 'value_count' ? fieldIn(parts, c.condition.fields[0] ?? unsupported('correlation', 'value_count without a field')) : null,
    seconds: c.timespanSeconds,
    tests: c.condition.tests,
  };
  return { query: dialect.correlate(parts, spec), notes };
}
