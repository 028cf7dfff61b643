// A per-host process tree built one event at a time. Links come from guids where the source has
// them (Sysmon ProcessGuid, ECS entity ids) and otherwise from process ids joined with time: a
// parent must have started before its child and still be alive then, and among processes that
// reused the pid the newest such one wins. Defender rows also carry the parent's start time,
// which pins the join exactly. Sysmon 1 and Security 4688 (or any two sources) of the same
// process merge into one node, so a chain joins across them. Nodes are compact and capped.

import type { Event } from '../events/model.js';
import { baseName, type ProcessNode } from './node.js';
import { actorOf, creationOf, terminationOf, type CreationRecord, type ProcessRef } from './record.js';

export interface TreeOptions {
  /** Most nodes kept; the oldest are evicted beyond it (counted in stats). Default 200 000. */
  maxNodes?: number;
  /** Two creations of one pid and image within this many ms are one process. Default 2000. */
  mergeToleranceMs?: number;
}

export interface TreeStats {
  /** Live nodes now. */
  nodes: number;
  /** Nodes ever created (from creation events or inferred). */
  created: number;
  /** Nodes created from a child's parent fields only. */
  inferred: number;
  /** Inferred nodes later matched by their own creation event. */
  confirmed: number;
  /** Creation events merged into a node another source had already made. */
  merged: number;
  evicted: number;
  terminations: number;
  /** Termination events whose process was not in the tree. */
  unmatchedTerminations: number;
  hosts: number;
}

const key = (host: string, id: string | number): string => `${host}\u0000${id}`;

export class ProcessTree {
  private readonly maxNodes: number;
  private readonly tol: number;
  private nextId = 1;
  private readonly nodes = new Map<number, ProcessNode>();
  /** Absorbed node id → the id it merged into. */
  private readonly alias = new Map<number, number>();
  private readonly byGuid = new Map<string, number>();
  private readonly byPid = new Map<string, number[]>();
  private readonly kids = new Map<number, number[]>();
  private readonly hosts = new Set<string>();
  /** Nodes eviction passes over (a caller's evidence); the oldest pin lapses beyond half the cap. */
  private readonly pinned = new Set<number>();
  /**
   * Node ids in age order, for eviction. Not the Map's own order: a JavaScript Map keeps deleted
   * entries as holes until it rehashes, so taking its first entry again and again after deletes
   * walks the holes every time (seconds per million events at the cap).
   */
  private age: number[] = [];
  private ageHead = 0;
  private readonly counters = { created: 0, inferred: 0, confirmed: 0, merged: 0, evicted: 0, terminations: 0, unmatchedTerminations: 0 };

  constructor(options: TreeOptions = {}) {
    this.maxNodes = Math.max(16, options.maxNodes ?? 200_000);
    this.tol = Math.max(0, options.mergeToleranceMs ?? 2000);
  }

  get stats(): TreeStats {
    return { nodes: this.nodes.size, ...this.counters, hosts: this.hosts.size };
  }

  /** Feeds one event: creations add or merge a node, terminations close one; others are ignored. */
  observe(event: Event): ProcessNode | null {
    const c = creationOf(event);
    if (c !== null) return this.addCreation(c);
    const t = terminationOf(event);
    if (t !== null) {
      const n = this.find(t);
      if (n === null || (t.image !== null && n.image !== null && baseName(t.image) !== baseName(n.image))) {
        this.counters.unmatchedTerminations++;
      } else {
        this.counters.terminations++;
        if (n.endMs === null && t.atMs !== null) n.endMs = t.atMs;
      }
    }
    return null;
  }

  /** The live node for an id (following merges), or null when evicted. */
  node(id: number | null): ProcessNode | null {
    if (id === null) return null;
    let cur = id;
    for (let i = 0; i < 64; i++) {
      const next = this.alias.get(cur);
      if (next === undefined) break;
      cur = next;
    }
    return this.nodes.get(cur) ?? null;
  }

  /** The process an event acted as (Image / ProcessGuid / ProcessId at the event's time). */
  actor(event: Event): ProcessNode | null {
    return this.find(actorOf(event));
  }

  /** The node for a guid, or else the one with the pid alive at `atMs` (or started at `startMs`). */
  find(ref: ProcessRef, realOnly = false): ProcessNode | null {
    if (ref.guid !== null) {
      const n = this.node(this.byGuid.get(key(ref.host, ref.guid)) ?? null);
      if (n !== null && !(realOnly && n.inferred)) return n;
    }
    if (ref.pid === null) return null;
    const ids = this.byPid.get(key(ref.host, ref.pid)) ?? [];
    let best: ProcessNode | null = null;
    let bestInferred: ProcessNode | null = null;
    for (const id of ids) {
      const n = this.node(id);
      if (n === null || n.pid !== ref.pid) continue;
      if (ref.guid !== null && n.guid !== null && n.guid !== ref.guid) continue;
      if (n.inferred) {
        if (realOnly) continue;
        if (ref.atMs !== null && n.endMs !== null && n.endMs + this.tol < ref.atMs) continue;
        if (bestInferred === null || (n.seenMs ?? -Infinity) > (bestInferred.seenMs ?? -Infinity)) bestInferred = n;
        continue;
      }
      if (ref.startMs !== null && n.startMs !== null) {
        if (Math.abs(n.startMs - ref.startMs) > this.tol) continue;
      } else if (ref.atMs !== null && n.startMs !== null) {
        if (n.startMs > ref.atMs + this.tol) continue;
        if (n.endMs !== null && n.endMs + this.tol < ref.atMs) continue;
      }
      // The newest process that held the pid by then: older holders were superseded.
      if (best === null || (n.startMs ?? -Infinity) > (best.startMs ?? -Infinity)) best = n;
    }
    return best ?? bestInferred;
  }

  parent(n: ProcessNode): ProcessNode | null {
    const p = this.node(n.parentId);
    return p === null || p.id === n.id ? null : p;
  }

  children(n: ProcessNode): ProcessNode[] {
    const out: ProcessNode[] = [];
    const seen = new Set<number>();
    for (const id of this.kids.get(n.id) ?? []) {
      const c = this.node(id);
      if (c === null || seen.has(c.id) || c.id === n.id) continue;
      seen.add(c.id);
      // A child moved to a better parent by relink() stays listed here; check it still points back.
      if (this.parent(c)?.id === n.id) out.push(c);
    }
    return out.sort((a, b) => (a.startMs ?? 0) - (b.startMs ?? 0));
  }

  /** Parent, grandparent, …, up to `max` (nearest first); stops at cycles. */
  ancestors(n: ProcessNode, max = 16): ProcessNode[] {
    const out: ProcessNode[] = [];
    const seen = new Set([n.id]);
    let cur = this.parent(n);
    while (cur !== null && out.length < max && !seen.has(cur.id)) {
      seen.add(cur.id);
      out.push(cur);
      cur = this.parent(cur);
    }
    return out;
  }

  /** Every descendant, breadth first, up to `max` nodes and `depth` levels. */
  descendants(n: ProcessNode, max = 200, depth = 8): ProcessNode[] {
    const out: ProcessNode[] = [];
    const seen = new Set([n.id]);
    let level = [n];
    for (let d = 0; d < depth && level.length > 0 && out.length < max; d++) {
      const next: ProcessNode[] = [];
      for (const p of level) {
        for (const c of this.children(p)) {
          if (seen.has(c.id) || out.length >= max) continue;
          seen.add(c.id);
          out.push(c);
          next.push(c);
        }
      }
      level = next;
    }
    return out;
  }

  /** Every live node (insertion order). */
  all(): IterableIterator<ProcessNode> {
    return this.nodes.values();
  }

  /**
   * Re-resolves parents that were missing or only inferred when their child arrived (inputs read
   * out of time order: a Security file before the Sysmon file of the same host). Returns how many
   * links changed.
   */
  relink(): number {
    let changed = 0;
    for (const n of this.nodes.values()) {
      const cur = this.parent(n);
      if (cur !== null && !cur.inferred) continue;
      if (n.parentGuid === null && n.parentPid === null) continue;
      const p = this.find({ host: n.host, guid: n.parentGuid, pid: n.parentPid, atMs: n.startMs, startMs: n.parentStartMs }, true);
      if (p === null || p.id === n.id || p.id === cur?.id || this.isDescendant(p, n)) continue;
      this.link(n, p);
      changed++;
    }
    return changed;
  }

  addCreation(c: CreationRecord): ProcessNode {
    this.hosts.add(c.host);
    const existing = this.matchExisting(c);
    let n: ProcessNode;
    if (existing !== null) {
      n = existing;
      if (n.inferred) {
        n.inferred = false;
        this.counters.confirmed++;
      } else {
        this.counters.merged++;
      }
      this.fill(n, c);
    } else {
      n = this.create(c.host, {
        pid: c.pid,
        guid: c.guid,
        image: c.image,
        commandLine: c.commandLine,
        originalFileName: c.originalFileName,
        integrity: c.integrity,
        elevation: c.elevation,
        user: c.user,
        startMs: c.startMs,
        time: c.time,
        seenMs: c.startMs,
        inferred: false,
        sources: [c.source],
        parentPid: c.parent.pid,
        parentGuid: c.parent.guid,
        parentStartMs: c.parent.startMs,
        parentImage: c.parent.image,
      });
    }
    if (this.parent(n) === null || this.parent(n)?.inferred === true) this.resolveParent(n, c);
    this.evict();
    return this.node(n.id) ?? n;
  }

  private matchExisting(c: CreationRecord): ProcessNode | null {
    const byGuid = c.guid === null ? null : this.node(this.byGuid.get(key(c.host, c.guid)) ?? null);
    let byPid: ProcessNode | null = null;
    if (c.pid !== null) {
      let bestDiff = Infinity;
      for (const id of this.byPid.get(key(c.host, c.pid)) ?? []) {
        const n = this.node(id);
        if (n === null || n === byGuid || n.pid !== c.pid) continue;
        if (c.guid !== null && n.guid !== null && n.guid !== c.guid) continue;
        if (!sameImage(n.image, c.image)) continue;
        let diff: number;
        if (n.inferred) {
          // A process known from its child: it must have started by the time the child did.
          if (c.startMs !== null && n.seenMs !== null && c.startMs > n.seenMs + this.tol) continue;
          diff = this.tol;
        } else {
          if (c.startMs === null || n.startMs === null) continue;
          diff = Math.abs(c.startMs - n.startMs);
          if (diff > this.tol) continue;
        }
        if (diff < bestDiff) {
          bestDiff = diff;
          byPid = n;
        }
      }
    }
    if (byGuid !== null && byPid !== null) {
      this.absorb(byGuid, byPid);
      return byGuid;
    }
    return byGuid ?? byPid;
  }

  private fill(n: ProcessNode, c: CreationRecord): void {
    if (c.guid !== null && n.guid === null) {
      n.guid = c.guid;
      this.byGuid.set(key(n.host, c.guid), n.id);
    }
    if (c.pid !== null && n.pid === null) {
      n.pid = c.pid;
      this.indexPid(n);
    }
    n.image ??= c.image;
    n.commandLine ??= c.commandLine;
    n.originalFileName ??= c.originalFileName;
    n.integrity ??= c.integrity;
    n.elevation ??= c.elevation;
    n.user ??= c.user;
    if (n.startMs === null || (c.source === 'sysmon' && c.startMs !== null)) {
      n.startMs = c.startMs;
      n.time = c.time;
    }
    if (c.startMs !== null) n.seenMs = n.seenMs === null ? c.startMs : Math.min(n.seenMs, c.startMs);
    n.parentPid ??= c.parent.pid;
    n.parentGuid ??= c.parent.guid;
    n.parentStartMs ??= c.parent.startMs;
    n.parentImage ??= c.parent.image;
    if (!n.sources.includes(c.source)) n.sources.push(c.source);
  }

  private resolveParent(n: ProcessNode, c: CreationRecord): void {
    const p = c.parent;
    if (p.guid === null && p.pid === null) return;
    let parent = this.find({ host: n.host, guid: p.guid, pid: p.pid, atMs: n.startMs, startMs: p.startMs });
    if (parent !== null && (parent.id === n.id || this.isDescendant(parent, n) || !sameImage(parent.image, p.image))) parent = null;
    if (parent === null) {
      // The parent's own creation is not (yet) in the data: keep what the child says about it.
      parent = this.create(n.host, {
        pid: p.pid,
        guid: p.guid,
        image: p.image,
        commandLine: p.commandLine,
        originalFileName: p.originalFileName,
        integrity: p.integrity,
        elevation: null,
        user: p.user,
        startMs: p.startMs,
        time: null,
        seenMs: n.startMs,
        inferred: true,
        sources: [...n.sources],
        parentPid: null,
        parentGuid: null,
        parentStartMs: null,
        parentImage: null,
      });
      this.counters.inferred++;
    } else if (parent.inferred) {
      if (parent.guid === null && p.guid !== null && !this.byGuid.has(key(n.host, p.guid))) {
        parent.guid = p.guid;
        this.byGuid.set(key(n.host, p.guid), parent.id);
      }
      parent.image ??= p.image;
      parent.commandLine ??= p.commandLine;
      parent.originalFileName ??= p.originalFileName;
      parent.integrity ??= p.integrity;
      parent.user ??= p.user;
      if (n.startMs !== null) parent.seenMs = parent.seenMs === null ? n.startMs : Math.min(parent.seenMs, n.startMs);
    } else {
      parent.commandLine ??= p.commandLine;
      parent.originalFileName ??= p.originalFileName;
    }
    this.link(n, parent);
  }

  private link(child: ProcessNode, parent: ProcessNode): void {
    child.parentId = parent.id;
    const list = this.kids.get(parent.id);
    if (list === undefined) this.kids.set(parent.id, [child.id]);
    else if (!list.includes(child.id)) list.push(child.id);
  }

  private isDescendant(candidate: ProcessNode, of: ProcessNode): boolean {
    let cur = this.parent(candidate);
    for (let i = 0; cur !== null && i < 64; i++) {
      if (cur.id === of.id) return true;
      cur = this.parent(cur);
    }
    return false;
  }

  private create(host: string, init: Omit<ProcessNode, 'id' | 'host' | 'endMs' | 'parentId'>): ProcessNode {
    const n: ProcessNode = { id: this.nextId++, host, endMs: null, parentId: null, ...init };
    this.nodes.set(n.id, n);
    this.age.push(n.id);
    this.counters.created++;
    if (n.guid !== null) this.byGuid.set(key(host, n.guid), n.id);
    this.indexPid(n);
    return n;
  }

  private indexPid(n: ProcessNode): void {
    if (n.pid === null) return;
    const k = key(n.host, n.pid);
    const list = this.byPid.get(k);
    if (list === undefined) this.byPid.set(k, [n.id]);
    else list.push(n.id);
  }

  /** Merges `other` into `target`: fields, indexes and children; `other`'s id becomes an alias. */
  private absorb(target: ProcessNode, other: ProcessNode): void {
    if (target.id === other.id) return;
    for (const k of ['pid', 'guid', 'image', 'commandLine', 'originalFileName', 'integrity', 'elevation', 'user', 'startMs', 'time', 'endMs', 'parentPid', 'parentGuid', 'parentStartMs', 'parentImage'] as const) {
      if (target[k] === null) (target as unknown as Record<string, unknown>)[k] = other[k];
    }
    if (target.parentId === null && other.parentId !== null) target.parentId = other.parentId;
    if (other.seenMs !== null) target.seenMs = target.seenMs === null ? other.seenMs : Math.min(target.seenMs, other.seenMs);
    for (const s of other.sources) if (!target.sources.includes(s)) target.sources.push(s);
    if (target.inferred && !other.inferred) target.inferred = false;
    this.nodes.delete(other.id);
    this.alias.set(other.id, target.id);
    if (this.alias.size > this.maxNodes) this.alias.delete(this.alias.keys().next().value!);
    if (other.guid !== null) this.byGuid.set(key(other.host, other.guid), target.id);
    if (other.pid !== null) {
      const k = key(other.host, other.pid);
      const list = (this.byPid.get(k) ?? []).filter((id) => id !== other.id);
      if (target.pid !== null && target.pid === other.pid && !list.includes(target.id)) list.push(target.id);
      this.byPid.set(k, list);
    }
    if (target.pid !== null && target.pid !== other.pid) this.indexPid(target);
    const moved = this.kids.get(other.id);
    if (moved !== undefined) {
      this.kids.delete(other.id);
      const list = this.kids.get(target.id) ?? [];
      for (const id of moved) if (!list.includes(id)) list.push(id);
      this.kids.set(target.id, list);
    }
  }

  /** Keeps a node (and, while it lives, its place in chains) out of eviction. */
  pin(id: number | null): void {
    const n = this.node(id);
    if (n === null || this.pinned.has(n.id)) return;
    this.pinned.add(n.id);
    if (this.pinned.size > this.maxNodes / 2) this.pinned.delete(this.pinned.values().next().value!);
  }

  unpin(id: number | null): void {
    const n = this.node(id);
    if (n !== null) this.pinned.delete(n.id);
  }

  /** The oldest live node id, taken off the age line (null when the line is empty). */
  private takeOldest(): ProcessNode | null {
    while (this.ageHead < this.age.length) {
      const id = this.age[this.ageHead++]!;
      if (this.ageHead > 4096 && this.ageHead * 2 > this.age.length) {
        this.age = this.age.slice(this.ageHead);
        this.ageHead = 0;
      }
      const n = this.nodes.get(id);
      if (n !== undefined) return n;
    }
    return null;
  }

  private evict(): void {
    let rotated = 0;
    while (this.nodes.size > this.maxNodes) {
      const oldest = this.takeOldest();
      if (oldest === null) return;
      if (this.pinned.has(oldest.id) && rotated++ < this.nodes.size) {
        // Pinned: to the back of the line, so the next oldest is looked at next.
        this.age.push(oldest.id);
        continue;
      }
      this.nodes.delete(oldest.id);
      this.kids.delete(oldest.id);
      if (oldest.guid !== null && this.byGuid.get(key(oldest.host, oldest.guid)) === oldest.id) this.byGuid.delete(key(oldest.host, oldest.guid));
      if (oldest.pid !== null) {
        const k = key(oldest.host, oldest.pid);
        const list = (this.byPid.get(k) ?? []).filter((id) => id !== oldest.id && this.node(id) !== null);
        if (list.length === 0) this.byPid.delete(k);
        else this.byPid.set(k, list);
      }
      this.counters.evicted++;
    }
  }
}

/** Two images name the same program when either is unknown or their file names agree. */
export function sameImage(a: string | null, b: string | null): boolean {
  const x = baseName(a);
  const y = baseName(b);
  return x === null || y === null || x === y;
}
