// Compiling rules for a target: one query per rule, preceded by comment lines naming the rule,
// its level and ATT&CK tags; a rule the target cannot express yields a typed `unsupported`.

import type { SigmaCorrelation, SigmaRule } from '../sigma/rule.js';
import type { CompiledQuery } from './compile.js';
import { UnsupportedFeatureError, type UnsupportedCode } from './errors.js';

/** What `export` needs of a target: a text dialect (compile.ts) or the Sigma writer. */
export interface Target {
  id: string;
  /** File extension for `--output-dir`. */
  extension: string;
  comment(line: string): string;
  /** The query for a rule; throws UnsupportedFeatureError. */
  compile(rule: SigmaRule): CompiledQuery;
  /** The query for a correlation over the given rules; absent when the target has none. */
  correlate?(c: SigmaCorrelation, rules: readonly SigmaRule[]): CompiledQuery;
}

export interface ExportedRule<R extends SigmaRule | SigmaCorrelation = SigmaRule> {
  ok: true;
  rule: R;
  /** Comment lines then the query; holds no blank line. */
  text: string;
}

export interface UnsupportedRule<R extends SigmaRule | SigmaCorrelation = SigmaRule> {
  ok: false;
  rule: R;
  code: UnsupportedCode;
  message: string;
}

export type ExportResult<R extends SigmaRule | SigmaCorrelation = SigmaRule> = ExportedRule<R> | UnsupportedRule<R>;

/** A rule's text as one comment line: line breaks and other controls become spaces. */
export function commentText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
}

/** The comment lines that head a rule's query. */
export function headerLines(rule: SigmaRule | SigmaCorrelation, notes: readonly string[] = []): string[] {
  const lines = [`${commentText(rule.title)}${rule.id === undefined ? '' : ` (${commentText(rule.id)})`}`];
  lines.push(`level: ${rule.level ?? 'none'}`);
  const attack = rule.tags.filter((t) => t.toLowerCase().startsWith('attack.'));
  if (attack.length > 0) lines.push(`tags: ${commentText(attack.join(', '))}`);
  for (const n of notes) lines.push(commentText(n));
  return lines;
}

/**
 * Characters a terminal or an editor would act on (ESC, C1 controls, line separators): a query
 * holding one is refused rather than printed. Tab and newline are the only controls queries use.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/;

/** Removes blank lines a query might carry (a multi-line value), so queries stay blank-line separated. */
function noBlankLines(text: string): string {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .join('\n');
}

export function exportRule(dialect: Target, rule: SigmaRule): ExportResult {
  try {
    const { query, notes } = dialect.compile(rule);
    if (UNSAFE.test(query)) return { ok: false, rule, code: 'character', message: 'a control character in the query' };
    if (/\n[ \t]*\n/.test(query)) {
      // Only a value with line breaks can do this, and dialects escape those: keep the promise anyway.
      return { ok: false, rule, code: 'character', message: 'the query would hold a blank line' };
    }
    const header = headerLines(rule, notes).map((l) => dialect.comment(l));
    return { ok: true, rule, text: noBlankLines([...header, query].join('\n')) };
  } catch (e) {
    if (e instanceof UnsupportedFeatureError) return { ok: false, rule, code: e.code, message: e.message };
    throw e;
  }
}

/** A correlation rule over the rules it names (looked up in `rules`). */
export function exportCorrelation(target: Target, c: SigmaCorrelation, rules: readonly SigmaRule[]): ExportResult<SigmaCorrelation> {
  if (target.correlate === undefined) return { ok: false, rule: c, code: 'correlation', message: `${target.id} has no correlation template` };
  try {
    const { query, notes } = target.correlate(c, rules);
    if (UNSAFE.test(query)) return { ok: false, rule: c, code: 'character', message: 'a control character in the query' };
    const header = headerLines(c, notes).map((l) => target.comment(l));
    return { ok: true, rule: c, text: noBlankLines([...header, query].join('\n')) };
  } catch (e) {
    if (e instanceof UnsupportedFeatureError) return { ok: false, rule: c, code: e.code, message: e.message };
    throw e;
  }
}
