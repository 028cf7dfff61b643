// The worker pool of a parallel scan. Units go to idle workers in order; their batches come back
// in any order and are handed on strictly in unit order, so output does not depend on timing.
// A worker that dies or fails a unit costs that unit (reported as a read error), not the scan.

import { Worker } from 'node:worker_threads';
import type { SourceSummary } from '../../sources/types.js';
import type { CompiledRule } from '../compile.js';
import { localEvents, type PlannedInput, type PoolEvent, type ScanUnit, type UnitBatch, type UnitItem } from '../scan-units.js';
import { deserialize } from 'node:v8';
import { emptySummary } from '../../sources/account.js';
import { unpackEvent, type FromWorker, type PackedItem, type ToWorker, type WorkerInit } from './protocol.js';

const WORKER_URL = new URL('./worker.js', import.meta.url);


interface Slot {
  worker: Worker;
  /** Units sent to it and not done, oldest first. */
  units: ScanUnit[];
}

/** Units a worker holds at once: the next one is there when it finishes one, with no round trip. */
const PREFETCH = 2;

interface UnitState {
  /** Batches as received: serialized bytes (off the heap) until their turn, or ready items (failures). */
  batches: Array<{ data: Uint8Array | null; items: UnitItem[]; events: number; outOfScope: number }>;
  summary: SourceSummary | null;
  /** Who to give a credit to for each consumed batch (null after the worker is gone). */
  worker: Worker | null;
}

export class ScanPool {
  private readonly slots: Slot[] = [];
  private readonly states = new Map<number, UnitState>();
  private readonly queue: ScanUnit[] = [];
  private notify: (() => void) | null = null;
  private closed = false;

  constructor(
    private readonly threads: number,
    private readonly init: WorkerInit,
    /** The main thread's rules, in the order workers number them. */
    private readonly rules: readonly CompiledRule[],
  ) {}

  /** Starts the workers; rejects when one cannot compile the rules as the main thread did. */
  async start(): Promise<void> {
    const started: Promise<void>[] = [];
    for (let i = 0; i < this.threads; i++) started.push(this.spawn());
    await Promise.all(started);
  }

  private spawn(): Promise<void> {
    // A worker's lasting state is its compiled rules and a unit's batch. Its heap is capped so
    // that memory stays flat however big the input (an uncapped heap grows with the garbage of
    // millions of records); the old generation gets twice its steady need (less made the
    // collector thrash), the young one 64 MB (less made a quarter of a worker's time go to GC).
    const oldMb = 2 * (48 + Math.ceil(this.rules.length / 16));
    const worker = new Worker(WORKER_URL, { workerData: this.init, resourceLimits: { maxYoungGenerationSizeMb: 64, maxOldGenerationSizeMb: oldMb } });
    const slot: Slot = { worker, units: [] };
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      worker.on('message', (m: FromWorker) => {
        if (!ready) {
          if (m.type === 'ready' && m.rules === this.rules.length) {
            ready = true;
            this.slots.push(slot);
            resolve();
            this.dispatch();
          } else {
            reject(new Error(m.type === 'failed' ? m.message : `a scan worker compiled ${m.type === 'ready' ? m.rules : '?'} rules, not ${this.rules.length}`));
          }
          return;
        }
        this.onMessage(slot, m);
      });
      worker.on('error', (err) => {
        if (!ready) reject(err);
        else this.onExit(slot, `scan worker failed: ${err.message}`);
      });
      worker.on('exit', (code) => {
        if (!ready) reject(new Error(`scan worker exited with code ${code} before it was ready`));
        else this.onExit(slot, `scan worker exited with code ${code}`);
      });
    });
  }

  private onMessage(slot: Slot, m: FromWorker): void {
    if (m.type === 'batch') {
      // Kept as bytes: objects made now would wait for their turn long enough to be promoted to
      // the old generation, which then grows with the input. Decoded at their turn, they die young.
      this.states.get(m.unit)?.batches.push({ data: m.data, items: [], events: m.events, outOfScope: m.outOfScope });
    } else if (m.type === 'done') {
      const st = this.states.get(m.unit);
      if (st !== undefined) st.summary = m.summary;
      this.release(slot, m.unit);
    } else if (m.type === 'failed' && m.unit !== null) {
      const unit = slot.units.find((u) => u.id === m.unit);
      if (unit !== undefined) this.failUnit(unit, m.message);
      this.release(slot, m.unit);
    }
    this.wake();
  }

  private onExit(slot: Slot, message: string): void {
    if (this.closed) return;
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    this.slots.splice(i, 1);
    for (const unit of slot.units.splice(0)) this.failUnit(unit, message);
    // Keep the pool at strength; a worker that cannot start again ends the parallel run loudly.
    this.spawn().catch((err: unknown) => {
      this.closed = true;
      for (const u of this.queue.splice(0)) this.failUnit(u, `no scan worker left: ${err instanceof Error ? err.message : String(err)}`);
      this.wake();
    });
    this.wake();
  }

  /** Ends a unit with an error diagnostic (batches already received stand). */
  private failUnit(unit: ScanUnit, message: string): void {
    let st = this.states.get(unit.id);
    if (st === undefined) this.states.set(unit.id, (st = { batches: [], summary: null, worker: null }));
    st.worker = null;
    st.batches.push({
      data: null,
      items: [{ diagnostic: { code: 'io-error', severity: 'error', message, path: unit.path, line: null, column: null, offset: null, recordId: null, rejected: false } }],
      events: 0,
      outOfScope: 0,
    });
    st.summary = { ...emptySummary(unit.path), errors: 1, cut: `[io-error] ${message}` };
  }

  private release(slot: Slot, unitId: number): void {
    const i = slot.units.findIndex((u) => u.id === unitId);
    if (i >= 0) slot.units.splice(i, 1);
    this.dispatch();
  }

  /** Tops every worker up to PREFETCH units, taking units in order and the least loaded worker first. */
  private dispatch(): void {
    while (this.queue.length > 0 && !this.closed) {
      let best: Slot | null = null;
      for (const slot of this.slots) if (slot.units.length < PREFETCH && (best === null || slot.units.length < best.units.length)) best = slot;
      if (best === null) return;
      const unit = this.queue.shift()!;
      best.units.push(unit);
      this.states.set(unit.id, { batches: [], summary: null, worker: best.worker });
      best.worker.postMessage({ type: 'unit', unit } satisfies ToWorker);
    }
  }

  private wake(): void {
    const n = this.notify;
    this.notify = null;
    n?.();
  }

  /**
   * Every unit's batches and summary, in unit order. Units marked `local` run here, through
   * `local`, when their turn comes; the workers go on with the units after them meanwhile.
   */
  async *run(inputs: readonly PlannedInput[], local: (unit: ScanUnit) => AsyncGenerator<UnitBatch, SourceSummary>): AsyncGenerator<PoolEvent> {
    for (const input of inputs) for (const u of input.units) if (!u.local) this.queue.push(u);
    this.dispatch();
    for (const input of inputs) {
      for (const unit of input.units) {
        if (unit.local) {
          yield* localEvents(unit, local(unit));
          continue;
        }
        for (;;) {
          const st = this.states.get(unit.id);
          const batch = st?.batches.shift();
          if (st !== undefined && batch !== undefined) {
            st.worker?.postMessage({ type: 'credit' } satisfies ToWorker);
            yield { type: 'batch', unit, batch: { items: batch.data === null ? batch.items : this.decode(batch.data), events: batch.events, outOfScope: batch.outOfScope } };
            continue;
          }
          if (st?.summary != null) {
            this.states.delete(unit.id);
            yield { type: 'done', unit, summary: st.summary };
            break;
          }
          await new Promise<void>((resolve) => (this.notify = resolve));
        }
      }
    }
  }

  private decode(data: Uint8Array): UnitItem[] {
    const packed = deserialize(data) as PackedItem[];
    return packed.map((it) => ('d' in it ? { diagnostic: it.d } : { event: unpackEvent(it.e), matched: it.m.map((i) => this.rules[i]!) }));
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }
}
