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

/**
 * Per input: what was read, and an account of it. `read` is counted by each reader where it frames
 * a record candidate (a non-empty JSON line or document, an `<Event>` element, a CSV data row, an
 * EVTX record frame), before decoding it; every candidate then ends as exactly one of `parsed`,
 * `prefiltered`, `recovered` or `reported`, so `read === parsed + prefiltered + recovered + reported` (`balanced`) shows that
 * no record was lost without a word. Tests check the identity on every file of the shared data.
 */
export interface SourceSummary {
  path: string;
  format: InputFormat | null;
  shape: string | null;
  /** Record candidates framed by the reader (see above). */
  read: number;
  /** Records decoded (the same number as `records`). */
  parsed: number;
  records: number;
  /** EVTX records framed and their header read, but not decoded: the scan's prefilter found no rule for them. */
  prefiltered: number;
  recovered: number;
  /** Record candidates that could not be decoded, each with a diagnostic (the same as `rejected`). */
  reported: number;
  /** Records (lines, rows, elements) that could not be read, each with a diagnostic. */
  rejected: number;
  /** Framed units that carry no event by design (a Splunk status line, an evtx_dump `Record N` header). */
  ignored: number;
  /** `read === parsed + prefiltered + recovered + reported`. */
  balanced: boolean;
  /** Why the input could not be read at all (not found, no permission, empty, not a log), else null. */
  skipped: string | null;
  /** Why reading stopped before the end (an I/O error part way, a cap on whole-input reads), else null. */
  cut: string | null;
  errors: number;
  warnings: number;
  bytes: number;
}

/**
 * What a reader counts as it frames its input, independently of what decoding then yields;
 * `readSource` compares it with the items. A container document adds what it holds.
 */
export interface ReadTally {
  read: number;
  ignored: number;
}
