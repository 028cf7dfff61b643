// The account of one input: what its items were (records, recovered records, diagnostics), set
// against what the reader framed (`ReadTally`), and the verdict on the input as a whole: skipped
// (nothing read, and why) or cut (reading stopped part way, and why). Shared by `readSource` and
// by `dump`, which reads EVTX natively for its faithful rendering.

import type { ReadTally, SourceDiagnostic, SourceSummary } from './types.js';

/** Codes of whole-input failures that end reading part way. */
const STOPPERS: ReadonlySet<string> = new Set(['io-error', 'bad-gzip', 'limit-exceeded']);

/** A summary before anything is read. */
export function emptySummary(path: string): SourceSummary {
  return { path, format: null, shape: null, read: 0, parsed: 0, records: 0, prefiltered: 0, recovered: 0, reported: 0, rejected: 0, ignored: 0, balanced: true, skipped: null, cut: null, errors: 0, warnings: 0, bytes: 0 };
}

export class SourceAccount {
  readonly summary: SourceSummary;
  /** The first whole-input problem: why the input was skipped, if nothing was read. */
  private fatal: string | null = null;
  /** The first problem that ended reading part way. */
  private stopped: string | null = null;

  constructor(path: string) {
    this.summary = emptySummary(path);
  }

  record(recovered: boolean, shape: string | null): void {
    if (recovered) this.summary.recovered++;
    else this.summary.records++;
    this.summary.shape ??= shape;
  }

  diagnostic(d: SourceDiagnostic): void {
    const s = this.summary;
    if (d.severity === 'error') s.errors++;
    else s.warnings++;
    if (d.rejected) {
      s.rejected++;
      return;
    }
    // A whole-input error, or a warning that the input holds no events of a known shape.
    if (d.severity !== 'error' && d.code !== 'unknown-shape') return;
    const code = d.detail ?? d.code;
    this.fatal ??= `[${code}] ${d.message}`;
    if (d.severity === 'error' && STOPPERS.has(code)) this.stopped ??= `[${code}] ${d.message}`;
  }

  /** Closes the account with what the reader framed. */
  finish(tally: ReadTally): SourceSummary {
    const s = this.summary;
    s.parsed = s.records;
    s.reported = s.rejected;
    s.read = tally.read;
    s.ignored = tally.ignored;
    s.balanced = s.read === s.parsed + s.prefiltered + s.recovered + s.reported;
    if (s.read === 0 && s.parsed + s.prefiltered + s.recovered === 0) s.skipped = this.fatal;
    else s.cut = this.stopped;
    return s;
  }
}
