// Applies Sigma filter documents (meta-filters) to compiled rules.
//
// A filter targets the rules named in its `rules` list (by id or name); `rules: any` or an empty
// list (pySigma extension) targets every rule. The filter's logsource must contain the rule's:
// each of product/category/service set in the filter must equal the rule's value (pySigma's
// rule). Correlation rules are never filtered.
//
// Combination: by default the rule becomes `(original) and not (filter condition)`, the reading
// of the spec's own example (`selection: User|startswith: adm_`, `condition: selection`
// suppresses admin accounts). pySigma instead ANDs the filter condition as written (filters are
// then written `not selection`); `combine: 'and'` selects that reading.
//
// The filter condition is evaluated with the target rule's field lookup (its logsource decides
// whether canonical or raw fields are read first).

import type { Event } from '../events/model.js';
import type { SourcePos } from '../sigma/errors.js';
import type { SigmaFilter, SigmaLogsource, SigmaRule } from '../sigma/rule.js';
import { compileRule, type CompiledRule } from './compile.js';

export interface FilterOptions {
  /** `and-not` (default): `(C) and not (F)`. `and`: `(C) and (F)` (pySigma). */
  combine?: 'and-not' | 'and';
}

/** Why a filter (or one of its rule references) does not apply, located in the filter's file. */
export interface FilterIssue {
  code: 'unknown-rule' | 'logsource-mismatch' | 'unsupported-filter';
  message: string;
  filter: string;
  file: string;
  pos: SourcePos;
}

export interface FilteredRules {
  /** One entry per input rule, in input order; filtered rules are new matchers. */
  rules: CompiledRule[];
  /** Rule id (or title when it has none) → titles of the filters applied to it. */
  applied: Map<string, string[]>;
  issues: FilterIssue[];
}

const LOGSOURCE_KEYS = ['product', 'category', 'service'] as const;

/** Whether every logsource key the filter sets equals (case-insensitively) the rule's. */
export function logsourceContains(filter: SigmaLogsource, rule: SigmaLogsource): boolean {
  for (const k of LOGSOURCE_KEYS) {
    const f = filter[k];
    if (f === undefined) continue;
    const r = rule[k];
    if (r === undefined || r.toLowerCase() !== f.toLowerCase()) return false;
  }
  return true;
}

function describe(ls: SigmaLogsource): string {
  const parts = LOGSOURCE_KEYS.flatMap((k) => (ls[k] === undefined ? [] : [`${k}=${ls[k]}`]));
  return parts.length === 0 ? '(empty)' : parts.join(', ');
}

function refersTo(ref: string, rule: SigmaRule): boolean {
  return rule.id === ref || rule.name === ref;
}

function ruleKey(rule: SigmaRule): string {
  return rule.id ?? rule.name ?? rule.title;
}

/** The filter's detection as a rule with the target's logsource, so it reads fields the same way. */
function filterAsRule(filter: SigmaFilter, target: SigmaRule): SigmaRule {
  return {
    kind: 'rule',
    title: filter.title,
    tags: [],
    references: [],
    falsepositives: [],
    fields: [],
    related: [],
    custom: new Map(),
    file: filter.file,
    document: filter.document,
    pos: filter.pos,
    logsource: target.logsource,
    detection: filter.detection,
  };
}

/**
 * Applies every filter to the rules it targets. A rule reference that names no loaded rule, a
 * targeted rule whose logsource the filter does not contain, and a filter detection this engine
 * cannot compile are reported as issues; the rule then stays as it was for that filter.
 */
export function applyFilters(rules: readonly CompiledRule[], filters: readonly SigmaFilter[], options: FilterOptions = {}): FilteredRules {
  const combine = options.combine ?? 'and-not';
  const out = [...rules];
  const applied = new Map<string, string[]>();
  const issues: FilterIssue[] = [];
  const unsupported = new Set<SigmaFilter>();
  const issue = (f: SigmaFilter, code: FilterIssue['code'], message: string): void => {
    issues.push({ code, message, filter: f.title, file: f.file, pos: f.pos });
  };
  for (const f of filters) {
    const all = f.rules === 'any' || f.rules.length === 0;
    if (!all) {
      for (const ref of f.rules as string[]) {
        if (!rules.some((r) => refersTo(ref, r.rule))) issue(f, 'unknown-rule', `filter '${f.title}' names rule '${ref}', which is not loaded`);
      }
    }
    for (let i = 0; i < out.length; i++) {
      const current = out[i]!;
      const rule = current.rule;
      if (!all && !(f.rules as string[]).some((ref) => refersTo(ref, rule))) continue;
      if (!logsourceContains(f.logsource, rule.logsource)) {
        // With `rules: any`, rules of other logsources are simply out of scope, not a mistake.
        if (!all) {
          issue(f, 'logsource-mismatch', `filter '${f.title}' logsource (${describe(f.logsource)}) does not contain rule '${rule.title}' logsource (${describe(rule.logsource)})`);
        }
        continue;
      }
      const compiled = compileRule(filterAsRule(f, rule));
      if ('unsupported' in compiled) {
        if (unsupported.has(f)) continue;
        unsupported.add(f);
        issue(f, 'unsupported-filter', `filter '${f.title}' cannot be compiled: ${compiled.unsupported}`);
        continue;
      }
      const filterHolds = (e: Event): boolean => compiled.matches(e);
      const base = (e: Event): boolean => current.matches(e);
      const matches = combine === 'and-not' ? (e: Event) => base(e) && !filterHolds(e) : (e: Event) => base(e) && filterHolds(e);
      out[i] = { rule, applies: (e: Event) => current.applies(e), matches };
      const key = ruleKey(rule);
      const list = applied.get(key);
      if (list === undefined) applied.set(key, [f.title]);
      else list.push(f.title);
    }
  }
  return { rules: out, applied, issues };
}
