// Per-chunk name and template tables. Offsets are chunk-relative, so both reset with each chunk.
// A record is written speculatively; if it does not fit, its additions are rolled back.

import { guidHash, nameHash } from './hash.js';

export const STRING_BUCKETS = 64;
export const TEMPLATE_BUCKETS = 32;

export class ChunkTables {
  /** Bucket heads: chunk offsets of the newest entry; each entry's `next` links to the older one. */
  readonly stringBuckets = new Uint32Array(STRING_BUCKETS);
  readonly templateBuckets = new Uint32Array(TEMPLATE_BUCKETS);
  private readonly names = new Map<string, number>();
  private readonly templates = new Map<string, number>();
  private pendingNames: string[] = [];
  private pendingTemplates: string[] = [];
  private savedStrings = new Uint32Array(STRING_BUCKETS);
  private savedTemplates = new Uint32Array(TEMPLATE_BUCKETS);

  /** Starts a record: additions from here on can be undone by rollback(). */
  begin(): void {
    this.pendingNames = [];
    this.pendingTemplates = [];
    this.savedStrings.set(this.stringBuckets);
    this.savedTemplates.set(this.templateBuckets);
  }

  rollback(): void {
    for (const n of this.pendingNames) this.names.delete(n);
    for (const t of this.pendingTemplates) this.templates.delete(t);
    this.stringBuckets.set(this.savedStrings);
    this.templateBuckets.set(this.savedTemplates);
    this.pendingNames = [];
    this.pendingTemplates = [];
  }

  nameOffset(name: string): number | undefined {
    return this.names.get(name);
  }

  /** Registers a name written inline at `offset`; returns the bucket's previous head (its `next`). */
  addName(name: string, offset: number): number {
    const bucket = nameHash(name) % STRING_BUCKETS;
    const next = this.stringBuckets[bucket] ?? 0;
    this.stringBuckets[bucket] = offset;
    this.names.set(name, offset);
    this.pendingNames.push(name);
    return next;
  }

  templateOffset(key: string): number | undefined {
    return this.templates.get(key);
  }

  /** Registers a template definition at `offset`; returns the bucket's previous head (its `next`). */
  addTemplate(key: string, guid: Uint8Array, offset: number): number {
    const bucket = guidHash(guid) % TEMPLATE_BUCKETS;
    const next = this.templateBuckets[bucket] ?? 0;
    this.templateBuckets[bucket] = offset;
    this.templates.set(key, offset);
    this.pendingTemplates.push(key);
    return next;
  }
}
