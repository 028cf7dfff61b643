// What one fuzz case ends in. The first three are the acceptable ends (records, typed and located
// diagnostics, or both); everything else is a failure the runner prints with its replay key.

export const OK_OUTCOMES = ['records', 'diagnostics', 'mixed', 'empty'] as const;
export const FAILURE_OUTCOMES = ['exception', 'timeout', 'untyped-error', 'accounting', 'memory', 'injection'] as const;
export type OkOutcome = (typeof OK_OUTCOMES)[number];
export type FailureOutcome = (typeof FAILURE_OUTCOMES)[number];
export type Outcome = OkOutcome | FailureOutcome;
export const OUTCOMES: readonly Outcome[] = [...OK_OUTCOMES, ...FAILURE_OUTCOMES];

export function isFailure(o: Outcome): o is FailureOutcome {
  return (FAILURE_OUTCOMES as readonly string[]).includes(o);
}

/** What a target's reader produced for one case, before classification. */
export interface CaseReport {
  records: number;
  diagnostics: number;
  /** Problems found while checking the output; the first decides the outcome. */
  problems: Array<{ outcome: FailureOutcome; detail: string }>;
  /** Which mutations built the input, for the failure printout. */
  mutations: string[];
  /** Size of the input, in bytes or characters. */
  inputSize: number;
}

export interface CaseResult {
  target: string;
  index: number;
  outcome: Outcome;
  ms: number;
  detail: string;
  mutations: string[];
}

export function classify(r: CaseReport): Outcome {
  const first = r.problems[0];
  if (first !== undefined) return first.outcome;
  if (r.records > 0 && r.diagnostics > 0) return 'mixed';
  if (r.records > 0) return 'records';
  if (r.diagnostics > 0) return 'diagnostics';
  return 'empty';
}

/** Keys any object has by default; a new one after a case means the input reached a prototype. */
const BASELINE = new Set(Object.getOwnPropertyNames(Object.prototype));
const ARRAY_BASELINE = new Set(Object.getOwnPropertyNames(Array.prototype));

export function prototypeProblem(): string | null {
  const extra = Object.getOwnPropertyNames(Object.prototype).filter((k) => !BASELINE.has(k));
  const extraArray = Object.getOwnPropertyNames(Array.prototype).filter((k) => !ARRAY_BASELINE.has(k));
  if (extra.length === 0 && extraArray.length === 0) return null;
  return `prototype gained ${[...extra, ...extraArray].join(', ')}`;
}

/** A one-line, printable form of an error (attacker text never reaches the terminal raw). */
export function describeError(e: unknown): string {
  const text = e instanceof Error ? `${e.name}: ${e.message} @ ${(e.stack ?? '').split('\n').slice(1, 4).map((l) => l.trim()).join(' < ')}` : String(e);
  return printable(text, 400);
}

export function printable(text: string, max = 200): string {
  const clean = text.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
