// A scan worker: compiles the rules it is given exactly as the main thread did, then runs the
// units it is sent and posts their batches. It stops posting after a few batches the main
// thread has not consumed yet, so memory stays bounded however far ahead it runs.

import { serialize } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { TableSet } from '../../events/normalize.js';
import { DEFAULT_TABLES } from '../../events/tables/index.js';
import type { Event } from '../../events/model.js';
import { compileRule, isCompiled, type CompiledRule } from '../compile.js';
import { applyFilters } from '../filters.js';
import { RuleIndex } from '../index-rules.js';
import { headerPrefilter } from '../prefilter.js';
import { eventScope } from '../scan-core.js';
import { runUnit, type ScanUnit, type UnitContext } from '../scan-units.js';
import { packEvent, packSlim, type FromWorker, type PackedEvent, type PackedItem, type ToWorker, type WorkerInit } from './protocol.js';

/** Batches posted and not yet consumed, at most. */
const MAX_UNACKED = 8;

const port = parentPort;
if (port === null) throw new Error('scan worker started outside a worker thread');
const post = (m: FromWorker, transfer?: ArrayBuffer[]): void => port.postMessage(m, transfer);

function setup(init: WorkerInit): { ctx: UnitContext; rules: CompiledRule[] } | string {
  const compiled: CompiledRule[] = [];
  for (const { rule, options } of init.rules) {
    const c = compileRule(rule, options);
    if (!isCompiled(c)) return `rule ${rule.title} does not compile in a worker: ${c.unsupported}`;
    compiled.push(c);
  }
  const rules = applyFilters(compiled, init.filters).rules;
  const index = new RuleIndex(rules);
  const tables = new TableSet(DEFAULT_TABLES);
  const wanted = init.wanted === null ? null : new Set(init.wanted);
  const accept = init.prefilter ? headerPrefilter(index, tables, wanted) : null;
  const read = accept === null ? init.read : { ...init.read, evtx: { ...init.read.evtx, accept } };
  const ctx: UnitContext = {
    tables,
    read,
    scope: eventScope(init.scope),
    matchesOf: (event: Event) => {
      const out: CompiledRule[] = [];
      for (const rule of index.candidates(event)) if (rule.matches(event)) out.push(rule);
      return out;
    },
    observes: (event: Event) => wanted === null || (event.category !== null && wanted.has(event.category)),
  };
  return { ctx, rules };
}

const queue: ScanUnit[] = [];
let unacked = 0;
let wake: (() => void) | null = null;
const signal = (): void => {
  const w = wake;
  wake = null;
  w?.();
};
const waitForSignal = (): Promise<void> => new Promise((resolve) => (wake = resolve));

port.on('message', (m: ToWorker) => {
  if (m.type === 'credit') unacked--;
  else queue.push(m.unit);
  signal();
});

async function run(): Promise<void> {
  const ready = setup(workerData as WorkerInit);
  if (typeof ready === 'string') {
    post({ type: 'failed', unit: null, message: ready });
    return;
  }
  const { ctx, rules } = ready;
  const init = workerData as WorkerInit;
  const slim = init.slim === null ? null : { fields: init.slim.fields, whole: new Set(init.slim.whole) };
  // Matched events, categories the postprocessor wants whole, and records that cannot be read
  // again (not EVTX) go whole; the rest in the postprocessor's slim form.
  const pack = (event: Event, matched: boolean): PackedEvent =>
    slim === null || matched || event.origin.format !== 'evtx' || event.origin.offset === null || (event.category !== null && slim.whole.has(event.category))
      ? packEvent(event)
      : packSlim(event, slim.fields);
  const indexOf = new Map<CompiledRule, number>(rules.map((r, i) => [r, i]));
  post({ type: 'ready', rules: rules.length });
  for (;;) {
    while (queue.length === 0) await waitForSignal();
    const unit = queue.shift()!;
    try {
      const it = runUnit(unit, ctx);
      for (;;) {
        const r = await it.next();
        if (r.done === true) {
          post({ type: 'done', unit: unit.id, summary: r.value });
          break;
        }
        const items: PackedItem[] = r.value.items.map((item) =>
          'diagnostic' in item ? { d: item.diagnostic } : { e: pack(item.event, item.matched.length > 0), m: item.matched.map((rule) => indexOf.get(rule)!) },
        );
        const bytes = serialize(items);
        // Transfer the bytes when they own their buffer (they do past the small-buffer pool).
        const data = bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length ? bytes : Uint8Array.from(bytes);
        post({ type: 'batch', unit: unit.id, data, events: r.value.events, outOfScope: r.value.outOfScope }, [data.buffer]);
        unacked++;
        while (unacked >= MAX_UNACKED) await waitForSignal();
      }
    } catch (err) {
      post({ type: 'failed', unit: unit.id, message: err instanceof Error ? err.message : String(err) });
    }
  }
}

void run();
