// Scanning inputs with compiled rules: every input read through `readSource`, every record
// normalised, tested against the rules the index says can match it, one finding per match.
// With `threads` > 1, reading and matching run in worker threads over units of work (files, and
// ranges of chunks of big EVTX files); findings come out in the same order as with one thread.

import { availableParallelism } from 'node:os';
import type { Event } from '../events/model.js';
import type { TableSet } from '../events/normalize.js';
import type { SigmaCorrelation, SigmaFilter, SigmaLevel } from '../sigma/rule.js';
import type { ReadOptions } from '../sources/index.js';
import type { SourceDiagnostic, SourceSummary } from '../sources/types.js';
import type { CompiledRule } from './compile.js';
import type { Finding, RiskFactor, Triage } from './finding.js';
import { ScanPool } from './parallel/pool.js';
import type { WorkerInit } from './parallel/protocol.js';
import { ScanCore } from './scan-core.js';
import { localEvents, mergeSummaries, planInputs, runUnit, type PlannedInput, type PoolEvent, type ScanUnit } from './scan-units.js';
import { fileVerdicts } from '../evtx/reader.js';
import { evtxDiagnostic } from '../sources/evtx.js';

export { levelRank, makeFinding, techniquesOf, findingRule, triageOf } from './finding-make.js';
export type { Finding, FindingEvent } from './finding.js';

export interface SkippedRule {
  file: string;
  id: string | null;
  title: string | null;
  reason: string;
}

export interface ScanSummary {
  inputs: number;
  /** Inputs that yielded at least one record. */
  readable: number;
  /** Records read, including those the prefilter left undecoded. */
  events: number;
  /** EVTX records read whose header (EventID, Channel, Provider) no loaded rule could match: not decoded. */
  prefiltered: number;
  rejected: number;
  readErrors: number;
  /** Events left out by --from/--to/--host (read, not matched). */
  outOfScope: number;
  rulesLoaded: number;
  rulesSkipped: SkippedRule[];
  /** Filter documents loaded, and the rules they changed. */
  filters: number;
  filteredRules: number;
  correlations: number;
  /** Problems with filters and correlations (unknown rules, logsource mismatches, …), located. */
  ruleIssues: string[];
  findings: number;
  findingsByLevel: Record<string, number>;
  /** Findings by kind: match, correlation, incident. */
  findingsByKind: Record<string, number>;
  /** Match findings folded into incidents (not output on their own). */
  absorbed: number;
  /** Base matches a correlation could not use: past the cap, or dropped from full windows. */
  correlationMatchesDropped: number;
  /** Threads that read and matched (1: all on the main thread). */
  threads: number;
  elapsedMs: number;
  sources: SourceSummary[];
}

/** Something that watches the whole scan and adds findings at its end (incidents). */
export interface ScanPostprocessor {
  /**
   * The categories `observe` needs to see. Events of other categories may be left undecoded or
   * not passed on (that is what lets the prefilter and worker threads pay); absent: every event.
   */
  readonly categories?: ReadonlySet<string>;
  /**
   * With worker threads, events of categories not in `whole` may arrive `partial`, holding only
   * these fields (from EVTX; other inputs always come whole). `finish` gets a resolver that reads
   * such an event again in full. Absent: every event comes whole.
   */
  readonly slim?: { readonly fields: readonly string[]; readonly whole: ReadonlySet<string> };
  /** Every event in scope (of `categories`, when given), in read order. */
  observe(event: Event): void;
  /** Every match finding, with its event. */
  addMatch(finding: Finding, event: Event): void;
  /** Whether a match finding must wait for `finish` (it may be folded into an incident or re-rated); default: all. */
  holds?(finding: Finding): boolean;
  /** `resolve` turns a partial event into the whole one (and returns a whole event as it is). */
  finish(resolve?: (event: Event) => Event): PostprocessResult;
}

export interface PostprocessResult {
  incidents: Finding[];
  /** Ids of held match findings folded into an incident. */
  absorbed: ReadonlySet<string>;
  /** New level, risk factors and triage for held findings that stay on their own. */
  enriched: ReadonlyMap<string, { level: SigmaLevel | null; factors: RiskFactor[]; triage?: Triage }>;
}

export interface ScanOptions {
  rules: readonly CompiledRule[];
  /** Sigma filter documents, applied to `rules` before the scan. */
  filters?: readonly SigmaFilter[];
  /** Sigma correlation rules over the base rules' matches. */
  correlations?: readonly SigmaCorrelation[];
  postprocess?: ScanPostprocessor;
  /** Load errors and unsupported rules, passed through to the summary. */
  skipped?: readonly SkippedRule[];
  read?: ReadOptions;
  tables?: TableSet;
  /** Include the original fields of each event. */
  raw?: boolean;
  /** Findings below this level are not yielded (nor counted). */
  minLevel?: SigmaLevel;
  /** Only events at or after / before this time (ISO 8601); events without a time are out of scope when either is set. */
  from?: string;
  to?: string;
  /** Only events of these hosts (case-insensitive; `*` wildcards). */
  hosts?: readonly string[];
  /** Called for every reader diagnostic (errors and warnings). */
  onDiagnostic?: (d: SourceDiagnostic) => void;
  /** Called when an input starts and every 4,096 events. */
  onProgress?: (p: ScanProgress) => void;
  /**
   * Threads that read and match (default 1: the calling thread). More than 1 runs workers; it
   * needs rules made by `compileRule` and the default mapping tables, and falls back to 1 thread
   * otherwise (the summary says how many ran).
   */
  threads?: number;
  /** Skip decoding EVTX records no rule could match, judged from their header (default true). */
  prefilter?: boolean;
}

/** Chunk slots (64 KiB each) per unit of work when a big EVTX file is split across threads. */
const SLOTS_PER_UNIT = 16;

/** The default for `--threads`: every core the process may use. */
export function defaultThreads(): number {
  return availableParallelism();
}

export interface ScanProgress {
  /** 1-based index of the current input, and how many there are. */
  input: number;
  inputs: number;
  path: string;
  /** Events read so far, in all inputs. */
  events: number;
  findings: number;
}

/** Scans `paths` (files or `-`), yielding findings; returns the summary. */
export async function* scan(paths: readonly string[], options: ScanOptions): AsyncGenerator<Finding, ScanSummary> {
  const start = performance.now();
  const core = new ScanCore(options);
  const threads = Math.max(1, Math.floor(options.threads ?? 1));
  const parallel = threads > 1 && options.tables === undefined && options.rules.every((r) => r.options !== undefined);
  const inputs = planInputs(paths, { slotsPerUnit: parallel ? SLOTS_PER_UNIT : 0, read: core.read, local: !parallel });
  const local = (unit: ScanUnit): ReturnType<typeof runUnit> => runUnit(unit, core);
  let pool: ScanPool | null = null;
  if (parallel) {
    pool = new ScanPool(threads, workerInit(options, core), core.rules);
    await pool.start();
    core.summary.threads = threads;
  }
  try {
    const source = pool === null ? runLocally(inputs, local) : pool.run(inputs, local);
    const parts: SourceSummary[] = [];
    let current = -1;
    for await (const ev of source) {
      const input = inputs[ev.unit.input]!;
      if (ev.unit.input !== current) {
        current = ev.unit.input;
        core.summary.inputs++;
        core.progress(current + 1, paths.length, input.path);
      }
      if (ev.type === 'batch') {
        for (const item of ev.batch.items) {
          if ('diagnostic' in item) core.diagnostic(item.diagnostic);
          else for (const f of core.event(item.event, item.matched)) yield f;
        }
        core.tally(ev.batch.events, ev.batch.outOfScope, current + 1, paths.length, input.path);
        continue;
      }
      parts.push(ev.summary);
      if (ev.unit !== input.units[input.units.length - 1]) continue;
      const summary = mergeSummaries(input.path, parts.splice(0));
      if (input.evtx !== null) finishSplitFile(core, input, summary);
      core.sourceDone(summary);
    }
  } finally {
    await pool?.close();
  }
  yield* core.finish();
  core.summary.elapsedMs = Math.round(performance.now() - start);
  return core.summary;
}

async function* runLocally(inputs: readonly PlannedInput[], local: (unit: ScanUnit) => ReturnType<typeof runUnit>): AsyncGenerator<PoolEvent> {
  for (const input of inputs) for (const unit of input.units) yield* localEvents(unit, local(unit));
}

/** The file-level verdicts a whole-file read gives at its end, for a file read in parts. */
function finishSplitFile(core: ScanCore, input: PlannedInput, summary: SourceSummary): void {
  const e = input.evtx!;
  for (const v of fileVerdicts(e.slots, e.held, e.headerChunkCount)) {
    const d = evtxDiagnostic({ ...v, file: input.path, chunk: null, recordId: null });
    if (d.severity === 'error') summary.errors++;
    else summary.warnings++;
    if (d.rejected) summary.rejected++;
    core.diagnostic(d);
  }
}

function workerInit(options: ScanOptions, core: ScanCore): WorkerInit {
  const scope: WorkerInit['scope'] = {};
  if (options.from !== undefined) scope.from = options.from;
  if (options.to !== undefined) scope.to = options.to;
  if (options.hosts !== undefined) scope.hosts = [...options.hosts];
  // The prefilter is a function: workers build their own from the same rules.
  const evtx = { ...core.read.evtx };
  delete evtx.accept;
  return {
    rules: options.rules.map((r) => ({ rule: r.rule, options: r.options ?? {} })),
    filters: [...(options.filters ?? [])],
    read: { ...core.read, evtx },
    scope,
    wanted: core.wanted === null ? null : [...core.wanted],
    slim: options.postprocess?.slim === undefined ? null : { fields: [...options.postprocess.slim.fields], whole: [...options.postprocess.slim.whole] },
    prefilter: options.prefilter !== false,
  };
}
