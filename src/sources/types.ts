// What every input reader yields: records in the vocabulary of their source, or located
// diagnostics. Readers never throw on bad input; the event model (src/events) maps records to
// the canonical Sigma fields.

export type { InputFormat, RecordKind, MdeTable, Origin, SourceRecord } from '../events/origin.js';
import type { InputFormat, SourceRecord } from '../events/origin.js';

export type SourceErrorCode =
  | 'io-error'
  | 'empty-file'
  | 'unknown-format'
  | 'unknown-shape'
  | 'bad-json'
  | 'bad-xml'
  | 'bad-csv'
  | 'bad-gzip'
  | 'limit-exceeded'
  | 'evtx';

export interface SourceDiagnostic {
  code: SourceErrorCode;
  severity: 'error' | 'warning';
  message: string;
  path: string;
  line: number | null;
  column: number | null;
  offset: number | null;
  recordId: number | null;
  /** For `evtx`: the EVTX reader's own code. */
  detail?: string;
  /** True when this diagnostic stands for one input record (line, row, element) that was skipped. */
  rejected: boolean;
}

export type SourceItem = { ok: true; record: SourceRecord } | { ok: false; diagnostic: SourceDiagnostic };

/** Per input: what was read. `records + errors(records) = read` is checked by tests. */
export interface SourceSummary {
  path: string;
  format: InputFormat | null;
  shape: string | null;
  records: number;
  /** EVTX records read and counted but not decoded: the scan's prefilter found no rule for them. */
  skipped: number;
  recovered: number;
  /** Records (lines, rows, elements) that could not be read, each with a diagnostic. */
  rejected: number;
  errors: number;
  warnings: number;
  bytes: number;
}
