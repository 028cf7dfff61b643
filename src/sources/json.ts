// JSON inputs: NDJSON (one document per line), a top-level array (pretty-printed or not, of any
// size), a single document or a sequence of pretty-printed ones, and Splunk's `{"results": […]}`
// container. Nothing is loaded whole: a byte-level scanner follows the nesting (and strings, so
// a brace inside a value does not count) to find where each document starts and ends, holds only
// that document, up to a size cap, and hands it to JSON.parse. What the document is, and its
// fields, is decided per document by json-shapes.ts.
//
// Bad input costs only itself: a line that is not JSON is reported (`bad-json`, with its line
// and the column of the problem) and the next line is read; in a pretty-printed array or
// sequence, a document cut off mid-way is reported where the next one visibly starts (an opening
// brace that cannot continue the broken one), and reading goes on from there.

import { lines, positionAfter, readFailure, utf8Chunks } from './input.js';
import type { Input } from './input.js';
import type { InputFormat, ReadTally, SourceDiagnostic, SourceItem } from './types.js';
import { shapeDocument } from './json-shapes.js';

export interface JsonLimits {
  /** Largest document, in bytes. */
  maxDocument: number;
  /** Deepest nesting of arrays and objects. */
  maxDepth: number;
}

export const DEFAULT_JSON_LIMITS: Readonly<JsonLimits> = {
  maxDocument: 16 * 1024 * 1024,
  maxDepth: 256,
};

export interface JsonReadOptions {
  limits?: Partial<JsonLimits>;
  /** Counts record candidates as they are framed (see SourceSummary). */
  tally?: ReadTally;
}

// ---------------------------------------------------------------------------------------------
// Where a JSON text is wrong. JSON.parse's messages do not always say where (Node 20: "Unexpected
// token 'x', "…" is not valid JSON"), so the position comes from this small validator, run only on
// text that JSON.parse refused.

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

export function locateJsonError(s: string): { index: number; message: string } {
  let i = 0;
  const stack: boolean[] = []; // true: object
  type St = 'value' | 'firstValue' | 'key' | 'firstKey' | 'after';
  let st: St = 'value';
  const fail = (message: string, at = i): { index: number; message: string } => ({ index: at, message });
  const ws = (): void => {
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      i++;
    }
  };
  const str = (): { index: number; message: string } | null => {
    const start = i;
    i++;
    for (;;) {
      if (i >= s.length) return fail('unterminated string', start);
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return null;
      }
      if (c < 0x20) return fail('control character in a string (a raw line break?)');
      if (c === 0x5c) {
        const e = s[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(s.slice(i + 2, i + 6))) return fail('bad \\u escape');
          i += 6;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) return fail('bad escape in a string');
        i += 2;
        continue;
      }
      i++;
    }
  };
  for (;;) {
    ws();
    if (st === 'after') {
      if (stack.length === 0) return i < s.length ? fail('unexpected data after the JSON value') : fail('invalid JSON');
      if (i >= s.length) return fail(stack[stack.length - 1] === true ? "unexpected end of input: expected ',' or '}'" : "unexpected end of input: expected ',' or ']'");
      const c = s[i];
      const obj = stack[stack.length - 1] === true;
      if (c === ',') {
        i++;
        st = obj ? 'key' : 'value';
      } else if ((obj && c === '}') || (!obj && c === ']')) {
        i++;
        stack.pop();
      } else {
        return fail(obj ? "expected ',' or '}' after a property value" : "expected ',' or ']' after an array element");
      }
      continue;
    }
    if (i >= s.length) return fail('unexpected end of input');
    const c = s[i]!;
    if (st === 'key' || st === 'firstKey') {
      if (st === 'firstKey' && c === '}') {
        i++;
        stack.pop();
        st = 'after';
        continue;
      }
      if (c !== '"') return fail('expected a property name in double quotes');
      const e = str();
      if (e !== null) return e;
      ws();
      if (s[i] !== ':') return fail("expected ':' after a property name");
      i++;
      st = 'value';
      continue;
    }
    if (st === 'firstValue' && c === ']') {
      i++;
      stack.pop();
      st = 'after';
      continue;
    }
    if (c === '{' || c === '[') {
      stack.push(c === '{');
      i++;
      st = c === '{' ? 'firstKey' : 'firstValue';
      continue;
    }
    if (c === '"') {
      const e = str();
      if (e !== null) return e;
    } else if (s.startsWith('true', i)) i += 4;
    else if (s.startsWith('false', i)) i += 5;
    else if (s.startsWith('null', i)) i += 4;
    else {
      NUMBER.lastIndex = i;
      if (!NUMBER.test(s)) return fail(`unexpected character ${JSON.stringify(c)}`);
      i = NUMBER.lastIndex;
    }
    st = 'after';
  }
}

// ---------------------------------------------------------------------------------------------
// The scanner.

interface DocItem {
  kind: 'doc';
  text: string;
  line: number;
  column: number;
  offset: number;
  format: InputFormat;
  splunkResult: boolean;
}

interface JunkItem {
  kind: 'junk';
  text: string;
  line: number;
  column: number;
  offset: number;
}

interface ErrorItem {
  kind: 'error';
  code: 'bad-json' | 'limit-exceeded';
  message: string;
  line: number;
  column: number;
  offset: number;
  /** False for problems that are not a document (an unclosed top-level array). */
  rejected: boolean;
}

type ScanItem = DocItem | JunkItem | ErrorItem;

const LF = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const RESULTS = Buffer.from('results', 'latin1');

function isWs(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0d;
}

type ElKind = 'container' | 'string' | 'scalar' | 'junk';

interface Broken {
  message: string;
  line: number;
  column: number;
  offset: number;
}

class JsonScanner {
  private line = 1;
  private col = 0;
  private offset = 0;
  private started = false;
  private arrayMode = false;
  private arrayClosed = false;
  private trailingReported = false;
  /** True: NDJSON, false: pretty-printed, null: not known yet. */
  private lineMode: boolean | null = null;
  private sawResults = false;
  private readonly stack: number[] = [];
  private extraDepth = 0;
  private elementDepth = 0;
  private inString = false;
  private escape = false;
  private prevSig = 0;
  /** In a key of the top-level object: how many bytes of `results` it matched so far (-1: none). */
  private keyMatch: number | null = null;
  private lastKeyIsResults = false;
  private pendingResults = false;
  private skipLine = false;
  /** A significant byte has been seen on the current line; the current one is the first. */
  private sigOnLine = false;
  private firstOnLine = false;
  // The element being captured.
  private active = false;
  private elKind: ElKind = 'container';
  private elLine = 0;
  private elCol = 0;
  private elOffset = 0;
  private elSplunk = false;
  private parts: Buffer[] = [];
  private size = 0;
  private partStart = -1;
  private overflow = false;
  private broken: Broken | null = null;
  /** A one-line document waiting for the end of its line (NDJSON: nothing else may follow it). */
  private pending: DocItem | null = null;

  /** `offset`: where the first byte pushed is in the input. */
  constructor(
    private readonly limits: JsonLimits,
    offset: number,
  ) {
    this.offset = offset;
  }

  private get depth(): number {
    return this.stack.length + this.extraDepth;
  }

  private format(): InputFormat {
    return this.arrayMode || this.sawResults || this.lineMode === false ? 'json' : 'ndjson';
  }

  push(chunk: Buffer): ScanItem[] {
    const out: ScanItem[] = [];
    this.partStart = this.active ? 0 : -1;
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      const b = chunk[i]!;
      if (b === LF) {
        this.newline(chunk, i, out);
        this.advance(b);
        continue;
      }
      if (this.skipLine || (this.active && this.elKind === 'junk')) {
        this.advance(b);
        continue;
      }
      if (this.inString && !this.escape && this.keyMatch === null && b !== QUOTE && b !== BACKSLASH) {
        // The bulk of a document is string content: skip it in a tight loop.
        let j = i;
        let col = this.col;
        for (; j < n; j++) {
          const c = chunk[j]!;
          if (c === QUOTE || c === BACKSLASH || c === LF) break;
          if ((c & 0xc0) !== 0x80) col++;
        }
        this.col = col;
        this.offset += j - i;
        i = j - 1;
        continue;
      }
      if (this.inString) {
        if (this.escape) this.escape = false;
        else if (b === BACKSLASH) this.escape = true;
        else if (b === QUOTE) {
          this.inString = false;
          this.prevSig = QUOTE;
          if (this.keyMatch !== null) {
            this.lastKeyIsResults = this.keyMatch === RESULTS.length;
            this.keyMatch = null;
          }
          if (this.active && this.elKind === 'string' && this.depth === this.elementDepth) this.endElement(chunk, i + 1, out);
        } else if (this.keyMatch !== null) {
          this.keyMatch = this.keyMatch >= 0 && RESULTS[this.keyMatch] === b ? this.keyMatch + 1 : -1;
        }
        this.advance(b);
        continue;
      }
      if (this.active && this.elKind === 'scalar' && (isWs(b) || b === COMMA || b === RBRACKET || b === RBRACE || b === LBRACE || b === LBRACKET || b === QUOTE)) {
        this.endElement(chunk, i, out);
      }
      if (isWs(b)) {
        this.advance(b);
        continue;
      }
      this.firstOnLine = !this.sigOnLine;
      this.sigOnLine = true;
      if (this.pending !== null) {
        // Something after a one-line document on its line: that line is not NDJSON.
        this.lineMode = true;
        this.pending = null;
        out.push(this.error('bad-json', 'unexpected data after the JSON document on this line', this.line, this.col + 1, this.offset));
        this.skipLine = true;
        this.advance(b);
        continue;
      }
      if (!this.started) {
        this.started = true;
        if (b === LBRACKET) {
          this.arrayMode = true;
          this.elementDepth = 1;
          this.stack.push(b);
          this.prevSig = b;
          this.advance(b);
          continue;
        }
      }
      if (this.arrayMode && this.arrayClosed) {
        if (!this.trailingReported) {
          out.push(this.error('bad-json', 'unexpected data after the top-level array', this.line, this.col + 1, this.offset, false));
          this.trailingReported = true;
        }
        this.advance(b);
        continue;
      }
      if (!this.active && this.depth === this.elementDepth) {
        if (this.elementDepth === 0) {
          // Between top-level documents: anything but an object or array is a bad line.
          this.startElement(i, b === LBRACE || b === LBRACKET ? 'container' : 'junk');
          if (this.elKind === 'junk') {
            this.advance(b);
            continue;
          }
        } else if (b === COMMA) {
          this.prevSig = b;
          this.advance(b);
          continue;
        } else if (b !== RBRACKET && b !== RBRACE) {
          this.startElement(i, b === LBRACE || b === LBRACKET ? 'container' : b === QUOTE ? 'string' : 'scalar');
        }
      }
      switch (b) {
        case LBRACE:
        case LBRACKET:
          this.open(chunk, i, b, out);
          break;
        case RBRACE:
        case RBRACKET:
          this.close(chunk, i, b, out);
          break;
        case QUOTE:
          this.inString = true;
          this.escape = false;
          // A key of the top-level object: only `results` matters (Splunk's container).
          if (this.depth === 1 && this.elementDepth === 0 && this.stack[0] === LBRACE && (this.prevSig === LBRACE || this.prevSig === COMMA)) this.keyMatch = 0;
          break;
        case COLON:
          if (this.depth === 1) this.pendingResults = this.lastKeyIsResults;
          this.prevSig = b;
          break;
        default:
          this.prevSig = b;
          break;
      }
      this.advance(b);
    }
    if (this.active && this.partStart >= 0) this.keep(chunk.subarray(this.partStart));
    this.partStart = -1;
    return out;
  }

  end(): ScanItem[] {
    const out: ScanItem[] = [];
    const wasActive = this.active;
    if (this.active) {
      if (this.elKind === 'container' || this.inString) {
        this.markBroken('unexpected end of input: the JSON document is not complete', this.line, this.col + 1, this.offset);
      }
      this.finishElement(out);
    }
    if (this.pending !== null) {
      out.push(this.pending);
      this.pending = null;
    }
    if (this.arrayMode && !this.arrayClosed) {
      out.push(this.error('bad-json', 'unexpected end of input: the top-level array is not closed', this.line, this.col + 1, this.offset, false));
    } else if (!this.arrayMode && this.depth > 0 && !wasActive) {
      // Only a container that is not itself a document (Splunk's results object) is left open.
      out.push(this.error('bad-json', 'unexpected end of input: the top-level object is not closed', this.line, this.col + 1, this.offset, false));
    }
    return out;
  }

  private advance(b: number): void {
    this.offset++;
    if (b === LF) {
      this.line++;
      this.col = 0;
    } else if ((b & 0xc0) !== 0x80) {
      this.col++;
    }
  }

  private error(code: ErrorItem['code'], message: string, line: number, column: number, offset: number, rejected = true): ErrorItem {
    return { kind: 'error', code, message, line, column, offset, rejected };
  }

  private markBroken(message: string, line: number, column: number, offset: number): void {
    if (this.broken === null) this.broken = { message, line, column, offset };
  }

  private newline(chunk: Buffer, i: number, out: ScanItem[]): void {
    if (this.inString) {
      // A raw line break cannot be inside a JSON string: the string (and the document) is cut.
      if (this.active) this.markBroken('unterminated string: the line ends inside it', this.line, this.col + 1, this.offset);
      this.inString = false;
      this.escape = false;
      this.keyMatch = null;
      // As if the string ended here, so that what follows is judged after a value.
      this.prevSig = QUOTE;
      if (this.lineMode === null && !this.arrayMode) this.lineMode = true;
    }
    if (this.active && (this.elKind === 'junk' || this.elKind === 'scalar')) this.endElement(chunk, i, out);
    this.skipLine = false;
    this.sigOnLine = false;
    if (!this.arrayMode && this.lineMode === null) {
      if (this.pending !== null) this.lineMode = true;
      else if (this.active && this.elKind === 'container') {
        const p = this.prevSig;
        // A pretty-printed document breaks lines after `{`, `[`, `,` or `:`; a line that ends
        // anywhere else inside a document is a cut NDJSON line.
        this.lineMode = !(p === LBRACE || p === LBRACKET || p === COMMA || p === COLON);
      }
    }
    if (this.lineMode !== true) return;
    if (this.pending !== null) {
      out.push(this.pending);
      this.pending = null;
    }
    if (this.depth > 0) {
      if (this.active) {
        this.markBroken('unexpected end of line: the JSON document is not complete', this.line, this.col + 1, this.offset);
        this.keep(chunk.subarray(Math.max(this.partStart, 0), i));
        this.partStart = -1;
        this.finishElement(out);
      }
      this.stack.length = 0;
      this.extraDepth = 0;
      this.elementDepth = 0;
    }
  }

  private open(chunk: Buffer, i: number, b: number, out: ScanItem[]): void {
    if (this.active && this.elKind === 'container' && this.depth > this.elementDepth && this.extraDepth === 0) {
      const top = this.stack[this.stack.length - 1];
      const valid = top === LBRACE ? this.prevSig === COLON : this.prevSig === LBRACKET || this.prevSig === COMMA;
      if (!valid) {
        if (this.firstOnLine) {
          // First on its line, an opening brace that cannot continue the document is the
          // next document: the one before was cut off.
          this.markBroken(`the JSON document that starts at line ${this.elLine} is cut off`, this.line, this.col + 1, this.offset);
          this.keep(chunk.subarray(Math.max(this.partStart, 0), i));
          this.partStart = -1;
          this.finishElement(out);
          this.stack.length = this.elementDepth;
          this.startElement(i, 'container');
        } else {
          this.markBroken(`unexpected ${String.fromCharCode(b)}`, this.line, this.col + 1, this.offset);
        }
      }
    }
    if (
      b === LBRACKET &&
      this.active &&
      this.elementDepth === 0 &&
      !this.arrayMode &&
      this.depth === 1 &&
      this.stack[0] === LBRACE &&
      this.prevSig === COLON &&
      this.pendingResults
    ) {
      // Splunk's `{"results": [ … ]}`: each element of the array is a document.
      this.active = false;
      this.parts = [];
      this.partStart = -1;
      this.elementDepth = 2;
      this.sawResults = true;
    }
    if (this.stack.length < this.limits.maxDepth) this.stack.push(b);
    else {
      this.extraDepth++;
      if (this.active) this.markBroken(`nesting deeper than ${this.limits.maxDepth}`, this.line, this.col + 1, this.offset);
    }
    this.prevSig = b;
  }

  private close(chunk: Buffer, i: number, b: number, out: ScanItem[]): void {
    if (this.depth === 0) {
      // A stray closing bracket between documents.
      this.startElement(i, 'junk');
      return;
    }
    if (this.extraDepth > 0) this.extraDepth--;
    else {
      const top = this.stack.pop();
      if ((top === LBRACE) !== (b === RBRACE) && this.active) {
        this.markBroken(`mismatched ${String.fromCharCode(b)}`, this.line, this.col + 1, this.offset);
      }
    }
    this.prevSig = b;
    const d = this.depth;
    if (this.active && this.elKind === 'container' && d === this.elementDepth) this.endElement(chunk, i + 1, out);
    if (this.arrayMode && d === 0) this.arrayClosed = true;
    if (this.elementDepth === 2 && d === 1) this.elementDepth = 0; // the results array ended
  }

  private startElement(i: number, kind: ElKind): void {
    this.active = true;
    this.elKind = kind;
    this.elLine = this.line;
    this.elCol = this.col + 1;
    this.elOffset = this.offset;
    this.elSplunk = this.elementDepth === 2;
    this.parts = [];
    this.size = 0;
    this.partStart = i;
    this.overflow = false;
    this.broken = null;
  }

  private keep(part: Buffer): void {
    if (this.overflow || part.length === 0) return;
    this.size += part.length;
    if (this.size > this.limits.maxDocument) {
      this.overflow = true;
      this.parts = [];
      return;
    }
    this.parts.push(part);
  }

  private endElement(chunk: Buffer, endExclusive: number, out: ScanItem[]): void {
    this.keep(chunk.subarray(Math.max(this.partStart, 0), endExclusive));
    this.partStart = -1;
    this.finishElement(out);
  }

  private finishElement(out: ScanItem[]): void {
    this.active = false;
    const parts = this.parts;
    this.parts = [];
    if (this.overflow) {
      out.push(this.error('limit-exceeded', `JSON document larger than ${this.limits.maxDocument} bytes`, this.elLine, this.elCol, this.elOffset));
      return;
    }
    if (this.broken !== null) {
      const b = this.broken;
      this.broken = null;
      out.push(this.error('bad-json', b.message, b.line, b.column, b.offset));
      return;
    }
    let text = Buffer.concat(parts, this.size).toString('utf8');
    if (this.elKind === 'junk') {
      if (text.endsWith('\r')) text = text.slice(0, -1);
      out.push({ kind: 'junk', text, line: this.elLine, column: this.elCol, offset: this.elOffset });
      return;
    }
    const doc: DocItem = { kind: 'doc', text, line: this.elLine, column: this.elCol, offset: this.elOffset, format: this.format(), splunkResult: this.elSplunk };
    if (!this.arrayMode && this.elementDepth === 0 && this.lineMode !== false && this.elLine === this.line) this.pending = doc;
    else out.push(doc);
  }
}

// ---------------------------------------------------------------------------------------------
// The reader.

function diag(path: string, code: SourceDiagnostic['code'], message: string, line: number | null, column: number | null, offset: number | null, rejected: boolean, severity: 'error' | 'warning' = 'error'): SourceDiagnostic {
  return { code, severity, message, path, line, column, offset, recordId: null, rejected };
}

/** The value of a document's text, or the `bad-json` diagnostic saying where the text goes wrong. */
function parseItem(path: string, item: DocItem | JunkItem): { value: unknown } | { bad: SourceItem } {
  try {
    return { value: JSON.parse(item.text) as unknown };
  } catch {
    const e = locateJsonError(item.text);
    const at = positionAfter(item, item.text, e.index);
    return { bad: { ok: false, diagnostic: diag(path, 'bad-json', `bad JSON: ${e.message}`, at.line, at.column, at.offset, true) } };
  }
}

function* documentItems(path: string, item: DocItem, tally: ReadTally): Generator<SourceItem> {
  const parsed = parseItem(path, item);
  if ('bad' in parsed) {
    tally.read++;
    yield parsed.bad;
    return;
  }
  const value = parsed.value;
  let shaped: ReturnType<typeof shapeDocument>;
  try {
    shaped = shapeDocument(value, { splunkResult: item.splunkResult });
  } catch (e) {
    // A reader never throws on input; a document that trips the shape code costs only itself.
    tally.read++;
    yield { ok: false, diagnostic: diag(path, 'unknown-shape', `cannot read the document: ${e instanceof Error ? e.message : String(e)}`, item.line, item.column, item.offset, true) };
    return;
  }
  // A container (Splunk `results`, a Chainsaw aggregate) holds as many candidates as its elements;
  // a status document holds none.
  if (shaped.length === 0) tally.ignored++;
  tally.read += shaped.length;
  for (const s of shaped) {
    if (!s.ok) {
      yield { ok: false, diagnostic: diag(path, s.problem.code, s.problem.message, item.line, item.column, item.offset, true) };
      continue;
    }
    const r = s.record;
    yield {
      ok: true,
      record: {
        kind: r.kind,
        table: null,
        raw: r.raw,
        view: r.view,
        origin: { path, format: item.format, shape: r.shape, recordId: r.recordId, line: item.line, offset: item.offset, recovered: false },
      },
    };
    // Read, but not all of it: a Splunk `_raw` that is not the event it claims to be.
    if (s.warning !== undefined) yield { ok: false, diagnostic: diag(path, s.warning.code, s.warning.message, item.line, item.column, item.offset, false, 'warning') };
  }
}

function* junkItems(path: string, item: JunkItem, tally: ReadTally): Generator<SourceItem> {
  // evtx_dump's `-o json` puts a `Record N` line before each pretty-printed record.
  if (/^Record \d+$/.test(item.text.trim())) {
    tally.ignored++;
    return;
  }
  tally.read++;
  const parsed = parseItem(path, item);
  if ('bad' in parsed) {
    yield parsed.bad;
    return;
  }
  const value = parsed.value;
  const what = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
  yield { ok: false, diagnostic: diag(path, 'unknown-shape', `the JSON document is ${what}, not an object`, item.line, item.column, item.offset, true) };
}

function* scanItems(path: string, items: ScanItem[], tally: ReadTally): Generator<SourceItem> {
  for (const item of items) {
    if (item.kind === 'doc') yield* documentItems(path, item, tally);
    else if (item.kind === 'junk') yield* junkItems(path, item, tally);
    else {
      // A rejected error stands for one framed document; the others are about the whole input.
      if (item.rejected) tally.read++;
      yield { ok: false, diagnostic: diag(path, item.code, item.message, item.line, item.column, item.offset, item.rejected, item.rejected ? 'error' : 'warning') };
    }
  }
}

/** Every document of a JSON or NDJSON input, as records or located diagnostics. */
export async function* readJsonSource(input: Input, options: JsonReadOptions = {}): AsyncGenerator<SourceItem> {
  const limits: JsonLimits = { ...DEFAULT_JSON_LIMITS, ...options.limits };
  const tally = options.tally ?? { read: 0, ignored: 0 };
  const { chunks, start } = utf8Chunks(input);
  if (looksLikeNdjson(input.head)) {
    yield* readLines(input, chunks, start, limits, tally);
    return;
  }
  const scanner = new JsonScanner(limits, start);
  try {
    for await (const chunk of chunks) yield* scanItems(input.path, scanner.push(chunk), tally);
  } catch (e) {
    yield { ok: false, diagnostic: readFailure(input, e) };
    return;
  }
  yield* scanItems(input.path, scanner.end(), tally);
}

/**
 * NDJSON as written by exporters: every one of the first lines is a whole JSON object (and not a
 * Splunk `{"results": [...]}` container, which the scanner streams). Such input is read line by
 * line with the native JSON.parse, several times faster than the byte-level scanner that handles
 * pretty-printed and wrapped JSON.
 */
function looksLikeNdjson(head: Buffer): boolean {
  const text = head.toString('utf8').replace(/^\uFEFF/, '');
  const all = text.split('\n');
  // The last line of the head may be cut: judge the complete ones, at least two of them.
  const complete = all.slice(0, -1).map((l) => l.trim()).filter((l) => l !== '').slice(0, 8);
  if (complete.length < 2) return false;
  for (const line of complete) {
    if (!line.startsWith('{') || /^\{\s*"results"\s*:/.test(line)) return false;
    try {
      const v: unknown = JSON.parse(line);
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
    } catch {
      return false;
    }
  }
  return true;
}

async function* readLines(input: Input, chunks: AsyncIterable<Buffer>, start: number, limits: JsonLimits, tally: ReadTally): AsyncGenerator<SourceItem> {
  try {
    for await (const l of lines(chunks, limits.maxDocument)) {
      if (l.cut) {
        tally.read++;
        yield { ok: false, diagnostic: diag(input.path, 'limit-exceeded', `line longer than ${limits.maxDocument} bytes; skipped`, l.line, 1, l.offset + start, true) };
        continue;
      }
      if (l.text.trim() === '') continue;
      const deep = nestingBeyond(l.text, limits.maxDepth);
      if (deep >= 0) {
        tally.read++;
        yield { ok: false, diagnostic: diag(input.path, 'bad-json', `bad JSON: nesting deeper than ${limits.maxDepth}`, l.line, deep + 1, l.offset + start, true) };
        continue;
      }
      yield* documentItems(input.path, { kind: 'doc', text: l.text, line: l.line, column: 1, offset: l.offset + start, format: 'ndjson', splunkResult: false }, tally);
    }
  } catch (e) {
    yield { ok: false, diagnostic: readFailure(input, e) };
  }
}

/** Where nesting first exceeds `limit` (outside strings), or -1: the cap the scanner enforces. */
function nestingBeyond(text: string, limit: number): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return i;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return -1;
}

