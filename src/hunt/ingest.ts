// Loading inputs into a store: every input read through `readSource`, every record normalised
// (as the scanner does), turned into a row and appended in bulk. Reader diagnostics are passed
// on, never dropped.

import type { Event } from '../events/model.js';
import { normalize, TableSet } from '../events/normalize.js';
import { DEFAULT_TABLES } from '../events/tables/index.js';
import { readSource, type ReadOptions } from '../sources/index.js';
import type { SourceDiagnostic, SourceSummary } from '../sources/types.js';
import { eventToRow } from './schema.js';
import type { HuntStore, LoadResult } from './store.js';

export interface IngestOptions {
  read?: ReadOptions;
  onDiagnostic?: (d: SourceDiagnostic) => void;
  /** Called every 65,536 events. */
  onProgress?: (events: number) => void;
}

export interface IngestSummary extends LoadResult {
  inputs: number;
  readErrors: number;
  rejected: number;
  elapsedMs: number;
  sources: SourceSummary[];
}

/** Reads `paths` and yields their normalised events, counting into `summary`. */
export async function* readEvents(paths: readonly string[], summary: IngestSummary, options: IngestOptions = {}): AsyncGenerator<Event> {
  const tables = new TableSet(DEFAULT_TABLES);
  for (const path of paths) {
    summary.inputs++;
    const it = readSource(path, options.read ?? {});
    for (;;) {
      const r = await it.next();
      if (r.done === true) {
        summary.sources.push(r.value);
        summary.rejected += r.value.rejected;
        break;
      }
      if (!r.value.ok) {
        if (r.value.diagnostic.severity === 'error') summary.readErrors++;
        options.onDiagnostic?.(r.value.diagnostic);
        continue;
      }
      yield normalize(r.value.record, tables);
    }
  }
}

export function emptySummary(): IngestSummary {
  return { inputs: 0, readErrors: 0, rejected: 0, elapsedMs: 0, sources: [], rows: 0, inserted: 0, duplicates: 0 };
}

/** Loads events (from inputs or any iterable) into `store`; the table is created when missing. */
export async function ingestEvents(store: HuntStore, events: AsyncIterable<Event> | Iterable<Event>, options: IngestOptions = {}): Promise<LoadResult> {
  await store.init();
  const loader = await store.loader();
  let n = 0;
  try {
    for await (const e of events) {
      await loader.append(eventToRow(e));
      if ((++n & 0xffff) === 0) options.onProgress?.(n);
    }
  } catch (err) {
    await loader.abort();
    throw err;
  }
  return loader.finish();
}

/** Reads and loads `paths` into `store`. */
export async function ingest(store: HuntStore, paths: readonly string[], options: IngestOptions = {}): Promise<IngestSummary> {
  const start = performance.now();
  const summary = emptySummary();
  const result = await ingestEvents(store, readEvents(paths, summary, options), options);
  summary.rows = result.rows;
  summary.inserted = result.inserted;
  summary.duplicates = result.duplicates;
  summary.elapsedMs = Math.round(performance.now() - start);
  return summary;
}
