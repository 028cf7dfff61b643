// The typed Sigma rule model: rules, filters and correlation rules, each with source positions.

import type { ConditionNode } from './condition.js';
import type { SourcePos } from './errors.js';
import type { SigmaValue } from './values.js';

export const RULE_STATUSES = ['stable', 'test', 'experimental', 'deprecated', 'unsupported'] as const;
export type SigmaStatus = (typeof RULE_STATUSES)[number];
export const RULE_LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export type SigmaLevel = (typeof RULE_LEVELS)[number];

export interface SigmaLogsource {
  product?: string;
  category?: string;
  service?: string;
  definition?: string;
}

/** One `field|mod|mod: values` entry (or a keyword list when `field` is null). */
export interface SigmaDetectionItem {
  /** Null for keyword searches (a plain list, or a field-less key like `|all`). */
  field: string | null;
  /** Canonical modifier names, in chain order (aliases resolved: `wide` → `utf16le`). */
  modifiers: string[];
  /** Typed values after modifiers; an empty YAML list gives one null value. */
  values: SigmaValue[];
  /** How `values` combine: `or` by default, `and` with `all`. Expansions stay ORed inside. */
  linking: 'and' | 'or';
  /** `neq`: the whole item is negated. */
  negated: boolean;
  pos: SourcePos;
}

export type SigmaDetectionNode =
  /** A map: every child must match. */
  | { kind: 'all'; children: SigmaDetectionNode[]; pos: SourcePos }
  /** A list of maps: any child may match. */
  | { kind: 'any'; children: SigmaDetectionNode[]; pos: SourcePos }
  | { kind: 'item'; item: SigmaDetectionItem };

export interface SigmaCondition {
  text: string;
  ast: ConditionNode;
  /** Position of the condition string's YAML node. */
  pos: SourcePos;
}

export interface SigmaDetection {
  /** Named detections in definition order. */
  selections: Map<string, SigmaDetectionNode>;
  /** Several conditions are ORed (spec). */
  conditions: SigmaCondition[];
  /** `timeframe` (legacy, kept for correlation-less rules). */
  timeframe?: string;
}

export interface SigmaRelated {
  id: string;
  type: string;
}

export interface SigmaMetadata {
  title: string;
  id?: string;
  name?: string;
  status?: SigmaStatus;
  level?: SigmaLevel;
  description?: string;
  license?: string;
  author?: string;
  date?: string;
  modified?: string;
  taxonomy?: string;
  tags: string[];
  references: string[];
  falsepositives: string[];
  fields: string[];
  related: SigmaRelated[];
  /** Top-level keys this model does not know, as plain JS values (a Map: the keys come from the input). */
  custom: Map<string, unknown>;
}

interface Located {
  file: string;
  /** 0-based index of the YAML document in the file. */
  document: number;
  pos: SourcePos;
}

export interface SigmaRule extends SigmaMetadata, Located {
  kind: 'rule';
  logsource: SigmaLogsource;
  detection: SigmaDetection;
}

export interface SigmaFilter extends Located {
  kind: 'filter';
  title: string;
  id?: string;
  name?: string;
  description?: string;
  date?: string;
  modified?: string;
  taxonomy?: string;
  logsource: SigmaLogsource;
  /** Rule ids or names the filter applies to; 'any' for every rule (pySigma extension). */
  rules: string[] | 'any';
  detection: SigmaDetection;
}

export const CORRELATION_TYPES = [
  'event_count',
  'value_count',
  'temporal',
  'temporal_ordered',
  'value_sum',
  'value_avg',
  'value_percentile',
] as const;
export type SigmaCorrelationType = (typeof CORRELATION_TYPES)[number];
export const CORRELATION_OPERATORS = ['gt', 'gte', 'lt', 'lte', 'eq', 'neq'] as const;
export type SigmaCorrelationOperator = (typeof CORRELATION_OPERATORS)[number];

export type SigmaCorrelationCondition =
  | {
      kind: 'threshold';
      /** One or more operator/number pairs (a range when two), ANDed. */
      tests: { op: SigmaCorrelationOperator; value: number }[];
      /** The field(s) for value_* types (ANDed when several). */
      fields: string[];
      percentile?: number;
    }
  /** A boolean expression over rule names (pySigma extension for temporal types). */
  | { kind: 'expression'; text: string; ast: ConditionNode };

export interface SigmaCorrelation extends SigmaMetadata, Located {
  kind: 'correlation';
  type: SigmaCorrelationType;
  rules: string[];
  groupBy: string[];
  /** Window length in seconds. */
  timespanSeconds: number;
  timespan: string;
  condition?: SigmaCorrelationCondition;
  /** alias → (rule id or name → field in that rule's events). */
  aliases: Map<string, Map<string, string>>;
  generate: boolean;
}
