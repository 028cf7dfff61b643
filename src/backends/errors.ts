// Backends say what they cannot express as data: one typed error per rule, never a wrong query.

export type UnsupportedCode =
  /** The rule's logsource has no table / index / source type in this target. */
  | 'logsource'
  /** A field the rule tests has no column in any table the logsource maps to. */
  | 'field'
  /** A value modifier or value type the target's query language cannot state. */
  | 'modifier'
  /** Case-sensitive matching (`cased`) where the target only folds case, or the reverse. */
  | 'cased'
  /** A wildcard form the target cannot state (single-character `?`, literal `*`). */
  | 'wildcard'
  /** A regular expression the target's regex engine would read differently. */
  | 'regex'
  /** Field-less keyword search. */
  | 'keyword'
  /** `%placeholder%` values (`expand`), which need a pipeline to fill them. */
  | 'placeholder'
  /** A character the target's string literals cannot carry. */
  | 'character'
  /** A field name the target cannot quote. */
  | 'field-name'
  /** Correlation rules. */
  | 'correlation'
  /** A condition form the target cannot state. */
  | 'condition';

export class UnsupportedFeatureError extends Error {
  constructor(
    readonly code: UnsupportedCode,
    message: string,
  ) {
    super(message);
    this.name = 'UnsupportedFeatureError';
  }
}

export function unsupported(code: UnsupportedCode, message: string): never {
  throw new UnsupportedFeatureError(code, message);
}
