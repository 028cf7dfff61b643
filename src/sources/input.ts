// Opening an input: a file or stdin, plain or gzip, with its first bytes available for format
// sniffing and the whole content as a stream of chunks. Text readers split it into lines with
// `lines()`, which caps line length so a file without newlines cannot exhaust memory.

import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

export interface Input {
  /** The path as given (`-` for stdin). */
  path: string;
  gzip: boolean;
  /** Up to 64 KiB from the start of the (decompressed) content. */
  head: Buffer;
  /** The whole (decompressed) content, from the start. Call once. */
  chunks(): AsyncIterable<Buffer>;
}

const HEAD = 64 * 1024;

function isGzip(b: Buffer): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

async function readHead(stream: AsyncIterable<Buffer>, limit: number): Promise<{ head: Buffer; rest: AsyncIterator<Buffer> }> {
  const it = stream[Symbol.asyncIterator]();
  const parts: Buffer[] = [];
  let size = 0;
  while (size < limit) {
    const next = await it.next();
    if (next.done === true) break;
    parts.push(next.value);
    size += next.value.length;
  }
  return { head: Buffer.concat(parts), rest: it };
}

/** Replays `head` then the rest of an iterator, as one stream of chunks. */
async function* replay(head: Buffer, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  if (head.length > 0) yield head;
  for (;;) {
    const next = await rest.next();
    if (next.done === true) return;
    yield next.value;
  }
}

/** Opens a path or `-`. Errors (missing file, bad gzip header) reject with an Error. */
export async function openInput(path: string): Promise<Input> {
  if (path === '-') return openStream('-', process.stdin);
  const fh = await open(path, 'r');
  const probe = Buffer.alloc(2);
  const { bytesRead } = await fh.read(probe, 0, 2, 0);
  await fh.close();
  const gzip = isGzip(probe.subarray(0, bytesRead));
  const raw = (): Readable => createReadStream(path, { highWaterMark: 1 << 20 });
  const plain = (): AsyncIterable<Buffer> => (gzip ? raw().pipe(createGunzip()) : raw());
  const { head } = await readHead(plain(), HEAD);
  return { path, gzip, head: head.subarray(0, HEAD), chunks: plain };
}

/** Opens an already-open stream (stdin): it can be read only once, so the head is replayed. */
export async function openStream(path: string, stream: Readable): Promise<Input> {
  const first = await readHead(stream as AsyncIterable<Buffer>, 2);
  const gzip = isGzip(first.head);
  let source: AsyncIterable<Buffer> = { [Symbol.asyncIterator]: () => replay(first.head, first.rest) };
  if (gzip) source = Readable.from(source).pipe(createGunzip());
  const { head, rest } = await readHead(source, HEAD);
  let used = false;
  return {
    path,
    gzip,
    head: head.subarray(0, HEAD),
    chunks: () => {
      if (used) throw new Error('a stream input can be read once');
      used = true;
      return { [Symbol.asyncIterator]: () => replay(head, rest) };
    },
  };
}

export interface Line {
  /** 1-based line number. */
  line: number;
  /** Byte offset of the line's first byte. */
  offset: number;
  text: string;
  /** True when the line was longer than the cap and was cut there. */
  cut: boolean;
}

export const DEFAULT_MAX_LINE = 16 * 1024 * 1024;

/**
 * UTF-8 lines (LF or CRLF) of an input. A BOM on the first line is dropped. A line longer than
 * `maxLine` bytes is yielded cut, flagged, so the reader can report it; the rest of it is skipped.
 */
export async function* lines(chunks: AsyncIterable<Buffer>, maxLine = DEFAULT_MAX_LINE): AsyncGenerator<Line> {
  let pending: Buffer[] = [];
  let pendingSize = 0;
  let lineNo = 0;
  let offset = 0;
  let lineStart = 0;
  let skipping = false;
  const decoder = new TextDecoder('utf-8');
  const emit = (bytes: Buffer, cut: boolean): Line => {
    let text = decoder.decode(bytes);
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (lineNo === 0 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return { line: ++lineNo, offset: lineStart, text, cut };
  };
  for await (const chunk of chunks) {
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, from);
      const end = nl < 0 ? chunk.length : nl;
      if (!skipping) {
        const piece = chunk.subarray(from, end);
        if (pendingSize + piece.length > maxLine) {
          pending.push(piece.subarray(0, maxLine - pendingSize));
          yield emit(Buffer.concat(pending), true);
          pending = [];
          pendingSize = 0;
          skipping = true;
        } else {
          pending.push(piece);
          pendingSize += piece.length;
        }
      }
      if (nl < 0) break;
      if (!skipping) yield emit(pending.length === 1 ? pending[0]! : Buffer.concat(pending), false);
      pending = [];
      pendingSize = 0;
      skipping = false;
      lineStart = offset + nl + 1;
      from = nl + 1;
    }
    offset += chunk.length;
  }
  if (!skipping && pendingSize > 0) yield emit(Buffer.concat(pending), false);
}
