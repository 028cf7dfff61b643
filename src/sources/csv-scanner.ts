// The CSV scanner: a small streaming RFC 4180 scanner over bytes (quotes, `""`, embedded commas
// and newlines, CRLF or LF; UTF-8, or UTF-16 with a BOM, which `utf8Chunks` transcodes): a row
// is held in memory only until it ends, fields and rows have caps, and a bad row (wrong field
// count, text after a closing quote, unterminated quote, too large) becomes one rejected
// `bad-csv` / `limit-exceeded` problem while the rest is read. Completely empty lines are not
// rows. It knows nothing of what the columns mean; csv.ts reads the rows it yields. It lives in
// its own file because it is a self-contained byte-level state machine, tested and tuned apart
// from the readers that use it.

export interface CsvOptions {
  /** Largest field, in bytes; a row with a larger one is rejected (`limit-exceeded`). */
  maxField?: number;
  /** Largest row, in bytes (roughly: checked when a chunk ends and when a row ends). */
  maxRow?: number;
}

export const DEFAULT_MAX_CSV_FIELD = 4 * 1024 * 1024;
export const DEFAULT_MAX_CSV_ROW = 16 * 1024 * 1024;
/** More fields than this in one row is not a log export. */
export const MAX_CSV_COLUMNS = 4096;

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

/** A byte >= 0x80 in a Latin-1 view of the bytes. */
const NON_ASCII = /[\u0080-\u00ff]/g;

// Scanner states.
const FIELD = 0; // at the start of a field
const BARE = 1; // in an unquoted field
const QUOTED = 2; // in a quoted field
const CLOSED = 3; // just after a quote in a quoted field: `""`, or the closing quote
const CLOSED_CR = 4; // closing quote then CR: only LF may follow
const SKIP = 5; // rejecting the rest of a physical line

export interface CsvRow {
  ok: true;
  fields: string[];
  /** 1-based line of the row's first byte. */
  line: number;
  /** Byte offset of the row's first byte. */
  offset: number;
}

export interface CsvProblem {
  ok: false;
  code: 'bad-csv' | 'limit-exceeded';
  message: string;
  line: number;
  /** 1-based, in characters. */
  column: number;
  /** Byte offset of the rejected row. */
  offset: number;
}

export type CsvItem = CsvRow | CsvProblem;

/**
 * A pull scanner: `feed` chunks, take rows with `next()` until it returns null (more input
 * needed, or the end after `finish()`). Each problem stands for one rejected row.
 */
export class CsvScanner {
  /** How many fields a row must have (0: any); set once the header is known. */
  expected = 0;
  private buf: Buffer = Buffer.alloc(0);
  /** The owned buffer `buf` lies at the start of, with room to grow (null: `buf` is a fed chunk). */
  private spare: Buffer | null = null;
  /** Absolute offset of buf[0]. */
  private base = 0;
  private pos = 0;
  private rowStart = 0;
  private rowLine = 1;
  private lineNo = 1;
  private state = FIELD;
  private fieldStart = 0;
  private fieldEnd = 0;
  /** 0 bare, 1 quoted, 2 quoted with `""` inside. */
  private fieldFlag = 0;
  private quotePos = 0;
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly flags: number[] = [];
  private nf = 0;
  private oversize = -1;
  private eof = false;
  /** Cache of the next LF: `lf` is the first LF at or after `lfFrom` (buf.length: none). */
  private lf = -1;
  private lfFrom = Number.MAX_SAFE_INTEGER;
  private readonly maxField: number;
  private readonly maxRow: number;

  /** `start`: where the first byte fed is in the input (after a byte order mark, see `utf8Chunks`). */
  constructor(options: CsvOptions = {}, start = 0) {
    this.maxField = options.maxField ?? DEFAULT_MAX_CSV_FIELD;
    this.maxRow = options.maxRow ?? DEFAULT_MAX_CSV_ROW;
    this.base = start;
  }

  feed(chunk: Buffer): void {
    const shift = this.rowStart;
    const keep = this.buf.length - shift;
    if (keep === 0) {
      this.buf = chunk;
      this.spare = null;
    } else if (shift === 0 && this.spare !== null && keep + chunk.length <= this.spare.length) {
      // A row spanning many chunks grows in place: copying the whole row again for every chunk
      // made a long row (an unterminated quote) quadratic in its length.
      chunk.copy(this.spare, keep);
      this.buf = this.spare.subarray(0, keep + chunk.length);
    } else {
      const need = keep + chunk.length;
      this.spare = Buffer.allocUnsafe(need < 1 << 16 ? need : 2 * need);
      this.buf.copy(this.spare, 0, shift);
      chunk.copy(this.spare, keep);
      this.buf = this.spare.subarray(0, need);
    }
    this.base += shift;
    this.rowStart = 0;
    this.pos -= shift;
    this.fieldStart -= shift;
    this.fieldEnd -= shift;
    this.quotePos -= shift;
    const n = Math.min(this.nf, MAX_CSV_COLUMNS);
    for (let i = 0; i < n; i++) {
      this.starts[i]! -= shift;
      this.ends[i]! -= shift;
    }
    this.lf = -1;
    this.lfFrom = Number.MAX_SAFE_INTEGER;
  }

  finish(): void {
    this.eof = true;
  }

  private lfAt(from: number): number {
    if (this.lfFrom <= from && this.lf >= from) return this.lf;
    const i = this.buf.indexOf(LF, from);
    this.lf = i < 0 ? this.buf.length : i;
    this.lfFrom = from;
    return this.lf;
  }

  next(): CsvItem | null {
    const buf = this.buf;
    const len = buf.length;
    let pos = this.pos;
    for (;;) {
      switch (this.state) {
        case FIELD: {
          if (pos >= len) return this.suspend(pos);
          if (buf[pos] === QUOTE) {
            this.quotePos = pos;
            this.fieldStart = pos + 1;
            this.fieldFlag = 1;
            this.state = QUOTED;
            pos++;
          } else {
            this.fieldStart = pos;
            this.fieldFlag = 0;
            this.state = BARE;
          }
          break;
        }
        case BARE: {
          let p = pos;
          let c = 0;
          while (p < len) {
            c = buf[p]!;
            if (c === COMMA || c === LF) break;
            p++;
          }
          if (p >= len) return this.suspend(p);
          if (c === COMMA) {
            this.push(this.fieldStart, p, 0);
            pos = p + 1;
            this.state = FIELD;
            break;
          }
          this.push(this.fieldStart, p > this.fieldStart && buf[p - 1] === CR ? p - 1 : p, 0);
          this.lineNo++;
          pos = p + 1;
          const item = this.endRow(pos, p);
          if (item !== null) {
            this.pos = pos;
            return item;
          }
          break;
        }
        case QUOTED: {
          const q = buf.indexOf(QUOTE, pos);
          const stop = q < 0 ? len : q;
          for (let nl = this.lfAt(pos); nl < stop; nl = this.lfAt(nl + 1)) this.lineNo++;
          if (q < 0) return this.suspend(len);
          this.fieldEnd = q;
          this.state = CLOSED;
          pos = q + 1;
          break;
        }
        case CLOSED: {
          if (pos >= len) return this.suspend(pos);
          const c = buf[pos];
          if (c === QUOTE) {
            this.fieldFlag = 2;
            this.state = QUOTED;
            pos++;
          } else if (c === COMMA) {
            this.push(this.fieldStart, this.fieldEnd, this.fieldFlag);
            this.state = FIELD;
            pos++;
          } else if (c === LF) {
            this.push(this.fieldStart, this.fieldEnd, this.fieldFlag);
            this.lineNo++;
            const item = this.endRow(pos + 1, pos);
            pos++;
            if (item !== null) {
              this.pos = pos;
              return item;
            }
          } else if (c === CR) {
            this.push(this.fieldStart, this.fieldEnd, this.fieldFlag);
            this.state = CLOSED_CR;
            pos++;
          } else {
            return this.reject(pos, 'bad-csv', 'text after the closing quote of a quoted field', pos);
          }
          break;
        }
        case CLOSED_CR: {
          if (pos >= len) return this.suspend(pos);
          if (buf[pos] !== LF) return this.reject(pos, 'bad-csv', 'text after the closing quote of a quoted field', pos - 1);
          this.lineNo++;
          const item = this.endRow(pos + 1, pos - 1);
          pos++;
          if (item !== null) {
            this.pos = pos;
            return item;
          }
          break;
        }
        default: {
          // SKIP: drop the rest of the physical line, then start a fresh row.
          const nl = this.lfAt(pos);
          if (nl >= len) return this.suspend(len);
          this.lineNo++;
          pos = nl + 1;
          this.resetRow(pos);
          break;
        }
      }
    }
  }

  private push(start: number, end: number, flag: number): void {
    const i = this.nf++;
    if (i >= MAX_CSV_COLUMNS) return;
    if (end - start > this.maxField && this.oversize < 0) this.oversize = i;
    this.starts[i] = start;
    this.ends[i] = end;
    this.flags[i] = flag;
  }

  private resetRow(at: number): void {
    this.rowStart = at;
    this.rowLine = this.lineNo;
    this.nf = 0;
    this.oversize = -1;
    this.state = FIELD;
  }

  /**
   * The fields of the current row as strings. The row is read once as Latin-1 (one character
   * per byte, so byte offsets are string offsets) and cut into fields; the few fields holding a
   * byte >= 0x80 are decoded again from the bytes as UTF-8, as they would be alone.
   */
  private decode(): string[] {
    const buf = this.buf;
    const nf = this.nf;
    const starts = this.starts;
    const ends = this.ends;
    const flags = this.flags;
    const from = starts[0]!;
    const text = buf.toString('latin1', from, ends[nf - 1]);
    const fields = new Array<string>(nf);
    NON_ASCII.lastIndex = 0;
    let na = NON_ASCII.exec(text)?.index ?? Infinity;
    for (let i = 0; i < nf; i++) {
      const s = starts[i]! - from;
      const e = ends[i]! - from;
      if (na < s) {
        NON_ASCII.lastIndex = s;
        na = NON_ASCII.exec(text)?.index ?? Infinity;
      }
      const f = na < e ? buf.toString('utf8', starts[i], ends[i]) : text.slice(s, e);
      fields[i] = flags[i] === 2 ? f.replaceAll('""', '"') : f;
    }
    return fields;
  }

  /** Line and character column of a position of the current row. */
  private locate(p: number): { line: number; column: number } {
    let line = this.rowLine;
    let lineStart = this.rowStart;
    for (let i = this.buf.indexOf(LF, this.rowStart); i >= 0 && i < p; i = this.buf.indexOf(LF, i + 1)) {
      line++;
      lineStart = i + 1;
    }
    return { line, column: this.buf.toString('utf8', lineStart, p).length + 1 };
  }

  private problem(code: CsvProblem['code'], message: string, at: number): CsvProblem {
    const { line, column } = this.locate(at);
    return { ok: false, code, message, line, column, offset: this.base + this.rowStart };
  }

  /** Rejects the current row at `at` and skips the rest of the physical line at `pos`. */
  private reject(pos: number, code: CsvProblem['code'], message: string, at: number): CsvProblem {
    const item = this.problem(code, message, at);
    this.nf = 0;
    this.oversize = -1;
    this.state = SKIP;
    this.pos = pos;
    return item;
  }

  /** Restarts scanning on the line after an unterminated quote. */
  private restartAfterQuote(item: CsvProblem): CsvProblem {
    const nl = this.buf.indexOf(LF, this.quotePos);
    if (nl < 0) {
      this.pos = this.buf.length;
      this.lineNo = item.line;
      this.resetRow(this.buf.length);
      this.state = SKIP;
    } else {
      this.pos = nl + 1;
      this.lineNo = item.line + 1;
      this.resetRow(nl + 1);
    }
    this.lf = -1;
    this.lfFrom = Number.MAX_SAFE_INTEGER;
    return item;
  }

  /** Out of bytes at `pos`: wait for more, enforce the row cap, or finish at the end of input. */
  private suspend(pos: number): CsvItem | null {
    this.pos = pos;
    const len = this.buf.length;
    if (this.state === SKIP) {
      this.rowStart = pos;
      return null;
    }
    if (pos - this.rowStart > this.maxRow) {
      if (this.state === QUOTED) {
        const q = this.problem('limit-exceeded', `row longer than ${this.maxRow} bytes: a quoted field runs on from here (unterminated quote?)`, this.quotePos);
        return this.restartAfterQuote(q);
      }
      return this.reject(pos, 'limit-exceeded', `row longer than ${this.maxRow} bytes`, this.rowStart);
    }
    if (!this.eof) return null;
    switch (this.state) {
      case FIELD:
        if (this.nf === 0) return null;
        this.push(len, len, 0);
        break;
      case BARE:
        this.push(this.fieldStart, len > this.fieldStart && this.buf[len - 1] === CR ? len - 1 : len, 0);
        break;
      case QUOTED:
        return this.restartAfterQuote(this.problem('bad-csv', 'unterminated quoted field at the end of the input', this.quotePos));
      case CLOSED:
        this.push(this.fieldStart, this.fieldEnd, this.fieldFlag);
        break;
      default:
        // CLOSED_CR: the field is in; the row ends here.
        break;
    }
    const item = this.endRow(len, len);
    this.pos = len;
    this.state = FIELD;
    this.nf = 0;
    return item;
  }

  /** The row that ended at `termPos` (its terminator); the next one starts at `next`. */
  private endRow(next: number, termPos: number): CsvItem | null {
    const nf = this.nf;
    let item: CsvItem | null;
    if (nf === 1 && this.flags[0] === 0 && this.starts[0] === this.ends[0]) {
      item = null; // an empty line
    } else if (nf > MAX_CSV_COLUMNS) {
      item = this.problem('limit-exceeded', `row with more than ${MAX_CSV_COLUMNS} fields`, this.rowStart);
    } else if (this.expected > 0 && nf !== this.expected) {
      const message = `row has ${nf} field${nf === 1 ? '' : 's'}, the header has ${this.expected}`;
      const extra = this.expected;
      // Too few: where the row ended. Too many: where the first field past the header's begins.
      const at = nf < extra ? termPos : extra < MAX_CSV_COLUMNS ? this.starts[extra]! - (this.flags[extra] === 0 ? 0 : 1) : this.rowStart;
      item = this.problem('bad-csv', message, at);
    } else if (this.oversize >= 0) {
      const i = this.oversize;
      item = this.problem('limit-exceeded', `field ${i + 1} longer than ${this.maxField} bytes`, this.starts[i]! - (this.flags[i] === 0 ? 0 : 1));
    } else if (next - this.rowStart > this.maxRow) {
      item = this.problem('limit-exceeded', `row longer than ${this.maxRow} bytes`, this.rowStart);
    } else {
      item = { ok: true, fields: this.decode(), line: this.rowLine, offset: this.base + this.rowStart };
    }
    this.resetRow(next);
    return item;
  }
}
