// What the benchmark's child process (worker.ts) is asked to do and what it answers, as JSON on
// its stdout. Kept apart from worker.ts so that the orchestrator can import the types without
// running the worker.

/** decode: read every record and fold its fields into a checksum; jsonl / xml: render as `dump` does. */
export type WorkerMode = 'decode' | 'jsonl' | 'xml';

export interface WorkerFile {
  file: string;
  bytes: number;
  records: number;
}

export interface WorkerResult {
  mode: WorkerMode;
  files: number;
  /** File bytes read per pass. */
  bytes: number;
  /** Records per pass (live records; carving is off, as in `dump` without --carve). */
  records: number;
  /** Reader diagnostics per pass, by severity. */
  errors: number;
  warnings: number;
  /** decode: checksum over the decoded fields; jsonl/xml: checksum over the rendered text's shape. */
  checksum: string;
  /** Values of `record.data` folded into the checksum per pass (decode mode). */
  valuesFolded: number;
  /** Bytes written to the discarded sink per pass (jsonl/xml). */
  outBytes: number;
  warmupMs: number[];
  passMs: number[];
  /** `process.resourceUsage().maxRSS`, in KiB, at the end. */
  maxRssKiB: number;
  /** Per file, from the first pass (lets the orchestrator pick subsets by record count). */
  perFile: WorkerFile[];
}
