// The inventory of the inputs: per host and per source, how many events, over which time range,
// of which event ids / Defender tables / categories. Host names and ECS category values come
// from the logs, so they are values in lists, never object keys, and their number is capped.

import type { Event } from '../events/model.js';
import { sourceOf } from './profile.js';

export const MAX_HOSTS = 10_000;
export const MAX_ECS_CATEGORIES = 100;
/** Stands for every host past MAX_HOSTS (and is counted in `hostsMerged`). */
export const OTHER_HOSTS = '(other hosts)';
export const UNKNOWN_HOST = '(no host name)';

export interface Count {
  value: string;
  events: number;
}

export interface SourceInventory {
  /** `sysmon`, `security`, `mde`, `ecs`, or `channel:<name>`. */
  source: string;
  events: number;
  first: string | null;
  last: string | null;
  /** Windows event ids (as text) → events, ascending. */
  eventIds: Count[];
  /** Defender advanced-hunting tables → events. */
  tables: Count[];
  /** Sigma categories the events were mapped to (`none` when unmapped). */
  categories: Count[];
  /** ECS `event.category` values as the documents had them (at most MAX_ECS_CATEGORIES). */
  ecsCategories: Count[];
}

export interface HostInventory {
  host: string;
  events: number;
  first: string | null;
  last: string | null;
  sources: SourceInventory[];
}

class Counter {
  readonly m = new Map<string, number>();
  constructor(private readonly cap = Infinity) {}
  add(k: string): void {
    const n = this.m.get(k);
    if (n !== undefined) this.m.set(k, n + 1);
    else if (this.m.size < this.cap) this.m.set(k, 1);
  }
  list(numeric = false): Count[] {
    const out = [...this.m].map(([value, events]) => ({ value, events }));
    return out.sort(numeric ? (a, b) => Number(a.value) - Number(b.value) : (a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  }
}

class Range {
  first: string | null = null;
  last: string | null = null;
  events = 0;
  add(time: string | null): void {
    this.events++;
    if (time === null) return;
    if (this.first === null || time < this.first) this.first = time;
    if (this.last === null || time > this.last) this.last = time;
  }
}

class SourceAcc extends Range {
  readonly eventIds = new Counter();
  readonly tables = new Counter();
  readonly categories = new Counter();
  readonly ecsCategories = new Counter(MAX_ECS_CATEGORIES);
  observe(e: Event): void {
    this.add(e.time);
    if (e.kind === 'windows' && e.eventId !== null) this.eventIds.add(String(e.eventId));
    if (e.table !== null) this.tables.add(e.table);
    this.categories.add(e.category ?? 'none');
    if (e.kind === 'ecs') {
      const c = e.raw.get('event.category');
      for (const v of Array.isArray(c) ? c : [c]) if (typeof v === 'string') this.ecsCategories.add(v);
    }
  }
  result(source: string): SourceInventory {
    return {
      source,
      events: this.events,
      first: this.first,
      last: this.last,
      eventIds: this.eventIds.list(true),
      tables: this.tables.list(),
      categories: this.categories.list(),
      ecsCategories: this.ecsCategories.list(),
    };
  }
}

class HostAcc extends Range {
  readonly sources = new Map<string, SourceAcc>();
}

export class Inventory {
  private readonly hosts = new Map<string, HostAcc>();
  private readonly totals = new Map<string, SourceAcc>();
  /** Distinct host names folded into OTHER_HOSTS. */
  private readonly merged = new Set<string>();
  private mergedCount = 0;

  /** Counts the event; returns the host name it was counted under. */
  observe(e: Event): string {
    let host = e.host === null || e.host === '' ? UNKNOWN_HOST : e.host;
    if (!this.hosts.has(host) && this.hosts.size >= MAX_HOSTS) {
      if (this.merged.size < MAX_HOSTS && !this.merged.has(host)) this.merged.add(host);
      this.mergedCount++;
      host = OTHER_HOSTS;
    }
    let h = this.hosts.get(host);
    if (h === undefined) this.hosts.set(host, (h = new HostAcc()));
    h.add(e.time);
    const source = sourceOf(e);
    let s = h.sources.get(source);
    if (s === undefined) h.sources.set(source, (s = new SourceAcc()));
    s.observe(e);
    let t = this.totals.get(source);
    if (t === undefined) this.totals.set(source, (t = new SourceAcc()));
    t.observe(e);
    return host;
  }

  /** Events whose host was folded into OTHER_HOSTS. */
  get hostsMergedEvents(): number {
    return this.mergedCount;
  }

  hostList(): HostInventory[] {
    return [...this.hosts]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([host, h]) => ({ host, events: h.events, first: h.first, last: h.last, sources: sortedSources(h.sources) }));
  }

  sourceList(): SourceInventory[] {
    return sortedSources(this.totals);
  }
}

function sortedSources(m: Map<string, SourceAcc>): SourceInventory[] {
  return [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, s]) => s.result(k));
}
