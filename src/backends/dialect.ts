// A target is a table of tokens and templates over one rule model (pySigma's TextQueryBackend,
// without its 127 class variables): the common compiler (compile.ts) walks the condition and the
// detection items and asks the dialect for each piece. A template that cannot state a feature
// throws UnsupportedFeatureError; the compiler reports it for the rule.

import type { SigmaLogsource } from '../sigma/rule.js';
import type { SigmaCidr, SigmaFieldRef, SigmaRegex, StringPart } from '../sigma/values.js';

export type FieldType = 'string' | 'number' | 'bool' | 'ip';

/** A column / field of the target, as the query must name it. */
export interface TargetField {
  name: string;
  type: FieldType;
  /**
   * The source writes the value in another case than the canonical field (Defender's `high` for
   * Sysmon's `High`): equal under Sigma's default case folding, so only case-sensitive tests fail.
   */
  foldsCase?: boolean;
}

/** A condition every event of a binding meets (event id, action type), in target names. */
export interface BindingFilter {
  field: TargetField;
  values: readonly (string | number)[];
}

/** Where a rule's events live in the target, and what the canonical fields are called there. */
export interface Binding {
  /** For notes: `Sysmon EventID 1`, `SecurityEvent 4688`, `DeviceProcessEvents`. */
  label: string;
  /** Target-specific: a table, an index pattern, a Splunk source, an EQL event category. */
  source: string;
  filters: readonly BindingFilter[];
  /** Fields the target computes before the condition (a KQL `extend`): name → expression. */
  derived?: ReadonlyMap<string, string>;
  /** The target field for a canonical (Sigma) field name, or null when the source lacks it. */
  field(canonical: string): TargetField | null;
}

/**
 * A string value reduced to what query languages have operators for. `pattern` keeps the parts
 * when wildcards sit inside the text or `?` occurs.
 */
export type StringShape =
  | { kind: 'exact' | 'startswith' | 'endswith' | 'contains'; text: string }
  | { kind: 'pattern'; parts: readonly StringPart[] };

/** One binding's share of a query: its condition and any pipeline stages after it. */
export interface QueryPart {
  binding: Binding;
  condition: string;
  stages: string[];
}

export interface CorrelationField {
  canonical: string;
  perPart: TargetField[];
}

export interface CorrelationSpec {
  type: 'event_count' | 'value_count';
  /** Group-by fields: the canonical name, and its target field in each part (same order as the parts). */
  groupBy: CorrelationField[];
  /** value_count: the field whose distinct values are counted. */
  field: CorrelationField | null;
  seconds: number;
  /** ANDed tests on the count. */
  tests: { op: 'gt' | 'gte' | 'lt' | 'lte' | 'eq' | 'neq'; value: number }[];
}

export type CompareOp = 'gt' | 'gte' | 'lt' | 'lte';

export interface Dialect {
  /** The `--target` name. */
  id: string;
  /** File extension for `--output-dir`. */
  extension: string;
  /** Line comment prefix (`//`, `#`, `--`). */
  comment(line: string): string;
  and(operands: readonly string[]): string;
  or(operands: readonly string[]): string;
  not(operand: string): string;
  string(field: TargetField, value: StringShape, cased: boolean): string;
  /** Optional: the field equals one of several plain strings (`in~ (…)`); the compiler ORs `string()` without it. */
  list?(field: TargetField, values: readonly string[], cased: boolean): string;
  number(field: TargetField, value: number): string;
  bool(field: TargetField, value: boolean): string;
  /** Sigma `null`: the field is absent or empty. */
  isNull(field: TargetField): string;
  exists(field: TargetField, present: boolean): string;
  regex(field: TargetField, value: SigmaRegex): string;
  cidr(field: TargetField, value: SigmaCidr): string;
  compare(field: TargetField, op: CompareOp, value: number): string;
  fieldref(field: TargetField, other: TargetField, value: SigmaFieldRef): string;
  /** A field-less search for the value anywhere in the event. */
  keyword(value: StringShape, cased: boolean): string;
  filter(filter: BindingFilter): string;
  /**
   * Optional: a pipeline stage after the search (`| regex …`) for a value the search expression
   * cannot state. Used only where the value must hold for every match (reached from the root
   * through ANDs alone), so filtering afterwards means the same.
   */
  stage?(field: TargetField, value: SigmaRegex | { type: 'fieldref'; other: TargetField; ref: SigmaFieldRef }): string;
  /**
   * Optional: an event_count / value_count correlation over the parts of the rules it names,
   * counted per group in windows of `seconds` (fixed bins: the usual approximation of Sigma's
   * sliding window). Absent: correlations are unsupported for the target.
   */
  correlate?(parts: readonly QueryPart[], spec: CorrelationSpec): string;
  /** Where the logsource's events are: one binding per table / source; throws when none. */
  bindings(logsource: SigmaLogsource): Binding[];
  /** The query over one or more bindings, each with its condition (already a target expression). */
  query(parts: readonly QueryPart[]): string;
}
