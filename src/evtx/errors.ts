// Errors are data: every problem the reader meets becomes a located diagnostic and reading goes on.

export type EvtxErrorCode =
  | 'io-error'
  | 'empty-file'
  | 'not-evtx'
  | 'bad-file-header'
  | 'file-header-checksum'
  | 'header-chunk-count'
  | 'trailing-bytes'
  | 'truncated-chunk'
  | 'bad-chunk-magic'
  | 'bad-chunk-header'
  | 'chunk-header-checksum'
  | 'chunk-data-checksum'
  | 'bad-record-header'
  | 'record-size-mismatch'
  | 'record-resync'
  | 'truncated'
  | 'bad-token'
  | 'bad-value'
  | 'bad-template'
  | 'limit-exceeded';

export type Severity = 'error' | 'warning';

export interface EvtxDiagnostic {
  code: EvtxErrorCode;
  severity: Severity;
  message: string;
  file: string;
  /** Absolute byte offset in the file where the problem is. */
  offset: number;
  chunk: number | null;
  recordId: number | null;
}

/**
 * Thrown inside the Binary XML decoder and caught at the record boundary, where it becomes a
 * diagnostic. `offset` is chunk-relative at the throw site; the chunk reader makes it absolute.
 */
export class EvtxFormatError extends Error {
  readonly code: EvtxErrorCode;
  readonly offset: number;
  constructor(code: EvtxErrorCode, message: string, offset: number) {
    super(message);
    this.name = 'EvtxFormatError';
    this.code = code;
    this.offset = offset;
  }
}

export function truncated(what: string, offset: number, need: number, have: number): EvtxFormatError {
  return new EvtxFormatError('truncated', `${what}: needs ${need} bytes, ${Math.max(0, have)} left`, offset);
}
