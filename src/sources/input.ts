// Opening an input: a file or stdin, plain or gzip, with its first bytes available for format
// sniffing and the whole content as a stream of chunks. What every text reader needs on top:
// the content as UTF-8 without its byte order mark (`utf8Chunks`), positions in it
// (`positionIn`, `positionAfter`), a diagnostic for a read that fails part way (`readFailure`),
// and `lines()`, which caps line length so a file without newlines cannot exhaust memory.

import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import type { SourceDiagnostic } from './types.js';

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
  const prefix = Buffer.alloc(HEAD);
  let bytesRead: number;
  try {
    // A directory opens on Linux and fails here (EISDIR): close the handle either way.
    ({ bytesRead } = await fh.read(prefix, 0, HEAD, 0));
  } finally {
    await fh.close();
  }
  const gzip = isGzip(prefix.subarray(0, bytesRead));
  const raw = (): Readable => createReadStream(path, { highWaterMark: 1 << 20 });
  const plain = (): AsyncIterable<Buffer> => (gzip ? raw().pipe(createGunzip()) : raw());
  // A plain file's head is that one read; only compressed content needs a stream to find it.
  const head = gzip ? (await readHead(plain(), HEAD)).head : prefix.subarray(0, bytesRead);
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

// ---------------------------------------------------------------------------------------------
// Text content. UTF-8 as is; UTF-16 (PowerShell 5's `>` and Out-File write UTF-16LE with a BOM)
// is transcoded to UTF-8 so that the scanners only ever see UTF-8. Offsets are then offsets in
// the UTF-8 transcoding.

export interface Utf8Chunks {
  /** The content as UTF-8, without its byte order mark. */
  chunks: AsyncIterable<Buffer>;
  /** Offset in the input of the first byte of `chunks`: 3 after a UTF-8 BOM, else 0. */
  start: number;
}

/** The input's content as UTF-8 chunks (UTF-16 inputs, recognised by their BOM, transcoded). */
export function utf8Chunks(input: Input): Utf8Chunks {
  const h = input.head;
  if (h.length >= 3 && h[0] === 0xef && h[1] === 0xbb && h[2] === 0xbf) return { chunks: skipBytes(input.chunks(), 3), start: 3 };
  const le = h.length >= 2 && h[0] === 0xff && h[1] === 0xfe;
  const be = h.length >= 2 && h[0] === 0xfe && h[1] === 0xff;
  if (!le && !be) return { chunks: input.chunks(), start: 0 };
  return { chunks: transcode(input.chunks(), be), start: 0 };
}

async function* skipBytes(chunks: AsyncIterable<Buffer>, count: number): AsyncGenerator<Buffer> {
  let left = count;
  for await (const chunk of chunks) {
    if (left >= chunk.length) {
      left -= chunk.length;
      continue;
    }
    yield left > 0 ? chunk.subarray(left) : chunk;
    left = 0;
  }
}

async function* transcode(chunks: AsyncIterable<Buffer>, bigEndian: boolean): AsyncGenerator<Buffer> {
  const decoder = new StringDecoder('utf16le');
  let first = true;
  let carry: number | null = null;
  for await (let chunk of chunks) {
    if (bigEndian) {
      // Swap byte pairs; an odd byte waits for its partner in the next chunk.
      const bytes: number[] = [];
      let i = 0;
      if (carry !== null && chunk.length > 0) {
        bytes.push(chunk[0]!, carry);
        carry = null;
        i = 1;
      }
      for (; i + 1 < chunk.length; i += 2) bytes.push(chunk[i + 1]!, chunk[i]!);
      if (i < chunk.length) carry = chunk[i]!;
      chunk = Buffer.from(bytes);
    }
    let text = decoder.write(chunk);
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    if (text.length > 0) yield Buffer.from(text, 'utf8');
  }
  const rest = decoder.end();
  if (rest.length > 0) yield Buffer.from(rest, 'utf8');
}

/** The diagnostic for reading that failed part way: a corrupt or cut gzip stream, or I/O. */
export function readFailure(input: Input, error: unknown): SourceDiagnostic {
  const err = error as NodeJS.ErrnoException;
  const gzip = input.gzip && typeof err.code === 'string' && err.code.startsWith('Z_');
  const message = `reading failed: ${error instanceof Error ? error.message : String(error)}`;
  return { code: gzip ? 'bad-gzip' : 'io-error', severity: 'error', message, path: input.path, line: null, column: null, offset: null, recordId: null, rejected: false };
}

// ---------------------------------------------------------------------------------------------
// Positions.

/** 1-based line and column (in characters) of `index` in `text`. */
export function positionIn(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(index, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  let column = 1;
  for (let i = lineStart; i < end; i++) {
    const c = text.charCodeAt(i);
    // A surrogate pair is one character.
    if (c >= 0xdc00 && c <= 0xdfff && i > lineStart) {
      const p = text.charCodeAt(i - 1);
      if (p >= 0xd800 && p <= 0xdbff) continue;
    }
    column++;
  }
  return { line, column };
}

export interface Position {
  /** 1-based. */
  line: number;
  /** 1-based, in characters. */
  column: number;
  /** In bytes. */
  offset: number;
}

/** Where `index` of `text` is in the input, `text` being a piece of it that starts at `start`. */
export function positionAfter(start: Position, text: string, index: number): Position {
  const p = positionIn(text, index);
  return {
    line: start.line + p.line - 1,
    column: p.line === 1 ? start.column + p.column - 1 : p.column,
    offset: start.offset + Buffer.byteLength(text.slice(0, index), 'utf8'),
  };
}

// ---------------------------------------------------------------------------------------------
// Lines.

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
