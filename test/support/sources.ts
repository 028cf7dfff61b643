// Helpers for the source-reader tests: collect a reader's items, and feed bytes in chunks of any
// size so that every token boundary gets cut somewhere.

import { Readable } from 'node:stream';
import type { Input } from '../../src/sources/input.js';
import type { SourceDiagnostic, SourceItem, SourceRecord } from '../../src/sources/types.js';

export interface Read {
  records: SourceRecord[];
  diagnostics: SourceDiagnostic[];
  items: SourceItem[];
}

export async function collect(items: AsyncIterable<SourceItem>): Promise<Read> {
  const out: Read = { records: [], diagnostics: [], items: [] };
  for await (const item of items) {
    out.items.push(item);
    if (item.ok) out.records.push(item.record);
    else out.diagnostics.push(item.diagnostic);
  }
  return out;
}

/** An input over `bytes`, delivered in chunks of `size` bytes. */
export function chunkedInput(name: string, bytes: Buffer, size: number): Input {
  return {
    path: name,
    gzip: false,
    head: bytes.subarray(0, 64 * 1024),
    chunks: () => {
      const parts: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size));
      return Readable.from(parts);
    },
  };
}
