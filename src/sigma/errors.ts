// Sigma diagnostics: errors are data, each located in the source file (1-based line and column).

import type { LineCounter } from 'yaml';

export type SigmaDiagnosticCode =
  | 'yaml-syntax'
  | 'yaml-warning'
  | 'input-too-large'
  | 'too-many-aliases'
  | 'too-deep'
  | 'list-too-long'
  | 'not-a-map'
  | 'missing-field'
  | 'invalid-field'
  | 'invalid-value'
  | 'value-too-large'
  | 'invalid-action'
  | 'unsupported-modifier'
  | 'invalid-modifier'
  | 'unsupported-regex'
  | 'condition-syntax'
  | 'undefined-identifier'
  | 'invalid-correlation'
  | 'invalid-filter';

export type SigmaSeverity = 'error' | 'warning';

export interface SigmaDiagnostic {
  code: SigmaDiagnosticCode;
  severity: SigmaSeverity;
  message: string;
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

/** A position in the source file (1-based line and column). */
export interface SourcePos {
  line: number;
  column: number;
}

/** Turns byte offsets of one file into positions and collects diagnostics for it. */
export class DiagnosticSink {
  readonly diagnostics: SigmaDiagnostic[] = [];

  constructor(
    readonly file: string,
    private readonly lineCounter: LineCounter,
  ) {}

  pos(offset: number | undefined): SourcePos {
    if (offset === undefined) return { line: 1, column: 1 };
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }

  add(code: SigmaDiagnosticCode, message: string, at: SourcePos, severity: SigmaSeverity = 'error'): void {
    this.diagnostics.push({ code, severity, message, file: this.file, line: at.line, column: at.column });
  }
}
