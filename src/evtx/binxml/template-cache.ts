// Templates recur across the chunks of a file (a Security log has a few dozen templates and
// thousands of chunks), but each chunk writes its own copy, with chunk-relative name offsets.
// This cache lets a chunk reuse a definition parsed in an earlier chunk after checking, byte for
// byte, that it is the same definition: every byte must match except the name offsets, and each
// name offset must lead to the same name. A crafted file cannot make two different definitions
// share one parse; it can only miss the cache.

import type { BxTemplate } from './nodes.js';

/** A name reference inside a definition: where its u32 offset is, relative to the data start. */
export interface NameRef {
  at: number;
  /** The name structure follows inline (its `next` link is chunk-relative too). */
  inline: boolean;
  name: string;
}

interface Entry {
  template: BxTemplate;
  bytes: Uint8Array;
  refs: NameRef[];
}

const MAX_ENTRIES = 2048;

export class TemplateCache {
  private readonly entries = new Map<string, Entry[]>();
  private count = 0;

  static key(guid: string, size: number): string {
    return `${guid}/${size}`;
  }

  /** A cached template whose definition equals `data`, or undefined. */
  find(key: string, data: Uint8Array, nameAt: (offset: number) => string | null, dataOffset: number): BxTemplate | undefined {
    const list = this.entries.get(key);
    if (list === undefined) return undefined;
    for (const e of list) if (matches(e, data, nameAt, dataOffset)) return e.template;
    return undefined;
  }

  add(key: string, template: BxTemplate, data: Uint8Array, refs: NameRef[]): void {
    if (this.count >= MAX_ENTRIES) return;
    const list = this.entries.get(key);
    const entry: Entry = { template, bytes: Uint8Array.from(data), refs };
    if (list === undefined) this.entries.set(key, [entry]);
    else if (list.length < 8) list.push(entry);
    else return;
    this.count++;
  }
}

function matches(e: Entry, data: Uint8Array, nameAt: (offset: number) => string | null, dataOffset: number): boolean {
  const b = e.bytes;
  if (b.length !== data.length) return false;
  let from = 0;
  for (const ref of e.refs) {
    // Bytes before the reference must be equal.
    for (let i = from; i < ref.at; i++) if (b[i] !== data[i]) return false;
    const at = ref.at;
    const offset = (data[at]! | (data[at + 1]! << 8) | (data[at + 2]! << 16) | (data[at + 3]! << 24)) >>> 0;
    if (ref.inline) {
      // Inline: the offset points right after itself; skip it and the name's `next` link.
      if (offset !== dataOffset + at + 4) return false;
      from = at + 8;
    } else {
      if (nameAt(offset) !== ref.name) return false;
      from = at + 4;
    }
  }
  for (let i = from; i < b.length; i++) if (b[i] !== data[i]) return false;
  return true;
}
