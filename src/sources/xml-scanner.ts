// The streaming XML scanner: a byte-level state machine that finds each `<Event …>…</Event>`
// element in a Windows XML export as it streams in. It knows comments, CDATA, processing
// instructions and quoted attribute values, so a `<` or `</Event>` inside them does not fool it,
// and only the current element is held in memory, up to a size cap; an element it cannot delimit
// is reported with where it started and where the problem is. It hands each element's text to
// the reader (xml.ts), which parses it with xml-element.ts. It has its own file because it
// works on bytes and positions only, apart from both the XML syntax and the Windows view.

import { isNameChar, isNameStart, isSpace } from './xml-element.js';

const enum S {
  Text,
  Lt,
  Pi,
  Bang,
  Comment,
  CData,
  Decl,
  StartName,
  InTag,
  InQuote,
  EndName,
  EndTail,
}

interface Found {
  kind: 'element';
  text: string;
  line: number;
  column: number;
  offset: number;
}

interface Broken {
  kind: 'broken';
  /** Where the element started. */
  line: number;
  column: number;
  offset: number;
  /** Where the problem is. */
  atLine: number;
  atColumn: number;
  atOffset: number;
  message: string;
  code: 'bad-xml' | 'limit-exceeded';
}

export type ScanItem = Found | Broken;

const BANG_COMMENT = '--';
const BANG_CDATA = '[CDATA[';

export class EventScanner {
  private state = S.Text;
  private line = 1;
  /** Characters (not bytes) before the current byte on its line. */
  private col = 0;
  private offset = 0;
  private prev = 0;
  private prev2 = 0;
  private bang = '';
  private name: number[] = [];
  private quote = 0;
  private declDepth = 0;
  /** Where the current `<` is. */
  private ltLine = 0;
  private ltCol = 0;
  private ltOffset = 0;
  // The element being captured.
  private inElement = false;
  private elLine = 0;
  private elCol = 0;
  private elOffset = 0;
  private parts: Buffer[] = [];
  private size = 0;
  private partStart = -1;
  private overflow = false;
  /** The tag being read is the `<Event>` start tag itself. */
  private eventTag = false;
  private selfClose = false;

  /** `offset`: where the first byte pushed is in the input. */
  constructor(
    private readonly maxElement: number,
    offset: number,
  ) {
    this.offset = offset;
  }

  /** Scans one chunk; returns the elements (and broken ones) that ended in it. */
  push(chunk: Buffer): ScanItem[] {
    const out: ScanItem[] = [];
    if (this.inElement) this.partStart = 0;
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      const b = chunk[i]!;
      switch (this.state) {
        case S.Text:
          if (b === 0x3c) this.openLt();
          break;
        case S.Lt:
          if (b === 0x3f) this.state = S.Pi;
          else if (b === 0x21) {
            this.state = S.Bang;
            this.bang = '';
          } else if (b === 0x2f) {
            this.state = S.EndName;
            this.name = [];
          } else if (isNameStart(b)) {
            this.state = S.StartName;
            this.name = [b];
          } else {
            this.state = S.Text;
            if (b === 0x3c) this.openLt();
          }
          break;
        case S.Pi:
          if (b === 0x3e && this.prev === 0x3f) this.state = S.Text;
          break;
        case S.Bang: {
          this.bang += String.fromCharCode(b);
          if (this.bang === BANG_COMMENT) this.state = S.Comment;
          else if (this.bang === BANG_CDATA) this.state = S.CData;
          else if (!BANG_COMMENT.startsWith(this.bang) && !BANG_CDATA.startsWith(this.bang)) {
            this.state = S.Decl;
            this.declDepth = 0;
            this.quote = 0;
            this.decl(b);
          }
          // Reset the trailing-bytes memory so `<!-->` does not end the comment at once.
          this.prev2 = 0;
          this.advance(b);
          continue;
        }
        case S.Comment:
          if (b === 0x3e && this.prev === 0x2d && this.prev2 === 0x2d) this.state = S.Text;
          break;
        case S.CData:
          if (b === 0x3e && this.prev === 0x5d && this.prev2 === 0x5d) this.state = S.Text;
          break;
        case S.Decl:
          this.decl(b);
          break;
        case S.StartName:
          if (isNameChar(b)) {
            if (this.name.length < 256) this.name.push(b);
            break;
          }
          this.startTagNamed(i, out);
          this.state = S.InTag;
          this.selfClose = false;
          this.inTag(b, chunk, i, out);
          break;
        case S.InTag:
          this.inTag(b, chunk, i, out);
          break;
        case S.InQuote:
          if (b === this.quote) this.state = S.InTag;
          else if (b === 0x3c) {
            // `<` cannot be in an attribute value: the tag is broken; let the next tag be read
            // (the element parser reports the problem).
            this.state = S.Text;
            this.openLt();
          }
          break;
        case S.EndName:
          if (isNameChar(b)) {
            if (this.name.length < 256) this.name.push(b);
            break;
          }
          this.state = S.EndTail;
          if (b === 0x3e) this.endTag(chunk, i, out);
          else if (b === 0x3c) {
            this.state = S.Text;
            this.openLt();
          }
          break;
        case S.EndTail:
          if (b === 0x3e) this.endTag(chunk, i, out);
          else if (b === 0x3c) {
            this.state = S.Text;
            this.openLt();
          }
          break;
      }
      this.prev2 = this.prev;
      this.advance(b);
    }
    if (this.inElement && this.partStart >= 0) this.keep(chunk.subarray(this.partStart));
    this.partStart = -1;
    return out;
  }

  /** At the end of the input: an element still open is reported. */
  end(): ScanItem[] {
    if (!this.inElement) return [];
    this.inElement = false;
    const item = this.broken(`unexpected end of input inside the <Event> element that starts at line ${this.elLine}`, this.line, this.col + 1, this.offset);
    this.parts = [];
    return [item];
  }

  private advance(b: number): void {
    this.prev = b;
    this.offset++;
    if (b === 0x0a) {
      this.line++;
      this.col = 0;
    } else if ((b & 0xc0) !== 0x80) {
      this.col++;
    }
  }

  private openLt(): void {
    this.state = S.Lt;
    this.ltLine = this.line;
    this.ltCol = this.col + 1;
    this.ltOffset = this.offset;
  }

  private decl(b: number): void {
    if (this.quote !== 0) {
      if (b === this.quote) this.quote = 0;
    } else if (b === 0x22 || b === 0x27) this.quote = b;
    else if (b === 0x5b) this.declDepth++;
    else if (b === 0x5d) this.declDepth--;
    else if (b === 0x3e && this.declDepth <= 0) this.state = S.Text;
  }

  private isEventName(): boolean {
    const n = this.name;
    const len = n.length;
    // 'Event' = 45 76 65 6e 74, alone or after a prefix's ':'.
    if (len < 5) return false;
    if (n[len - 5] !== 0x45 || n[len - 4] !== 0x76 || n[len - 3] !== 0x65 || n[len - 2] !== 0x6e || n[len - 1] !== 0x74) return false;
    return len === 5 || n[len - 6] === 0x3a;
  }

  private isEventsName(): boolean {
    const n = this.name;
    const len = n.length;
    if (len < 6 || n[len - 1] !== 0x73) return false;
    if (n[len - 6] !== 0x45 || n[len - 5] !== 0x76 || n[len - 4] !== 0x65 || n[len - 3] !== 0x6e || n[len - 2] !== 0x74) return false;
    return len === 6 || n[len - 7] === 0x3a;
  }

  private startTagNamed(i: number, out: ScanItem[]): void {
    this.eventTag = false;
    if (!this.isEventName()) return;
    if (this.inElement) {
      // Events do not nest: the one before was cut off.
      out.push(this.broken(`the <Event> element that starts at line ${this.elLine} is not closed before the next <Event>`, this.ltLine, this.ltCol, this.ltOffset));
      this.inElement = false;
      this.parts = [];
    }
    this.inElement = true;
    this.eventTag = true;
    this.elLine = this.ltLine;
    this.elCol = this.ltCol;
    this.elOffset = this.ltOffset;
    const head = Buffer.from([0x3c, ...this.name]);
    this.parts = [head];
    this.size = head.length;
    this.overflow = false;
    this.partStart = i;
  }

  private inTag(b: number, chunk: Buffer, i: number, out: ScanItem[]): void {
    if (b === 0x22 || b === 0x27) {
      this.state = S.InQuote;
      this.quote = b;
      this.selfClose = false;
    } else if (b === 0x3e) {
      this.state = S.Text;
      if (this.eventTag && this.selfClose) this.finish(chunk, i, out);
      this.eventTag = false;
    } else if (b === 0x2f) {
      this.selfClose = true;
    } else if (b === 0x3c) {
      this.eventTag = false;
      this.openLt();
    } else if (!isSpace(b)) {
      this.selfClose = false;
    }
  }

  private endTag(chunk: Buffer, i: number, out: ScanItem[]): void {
    this.state = S.Text;
    if (!this.inElement) return;
    if (this.isEventName()) {
      this.finish(chunk, i, out);
    } else if (this.isEventsName()) {
      out.push(this.broken(`the <Event> element that starts at line ${this.elLine} is not closed before </Events>`, this.ltLine, this.ltCol, this.ltOffset));
      this.inElement = false;
      this.parts = [];
    }
  }

  private keep(part: Buffer): void {
    if (this.overflow) return;
    this.size += part.length;
    if (this.size > this.maxElement) {
      this.overflow = true;
      this.parts = [];
      return;
    }
    this.parts.push(part);
  }

  private finish(chunk: Buffer, i: number, out: ScanItem[]): void {
    this.keep(chunk.subarray(Math.max(this.partStart, 0), i + 1));
    this.partStart = -1;
    this.inElement = false;
    if (this.overflow) {
      out.push({
        kind: 'broken',
        code: 'limit-exceeded',
        message: `<Event> element larger than ${this.maxElement} bytes`,
        line: this.elLine,
        column: this.elCol,
        offset: this.elOffset,
        atLine: this.elLine,
        atColumn: this.elCol,
        atOffset: this.elOffset,
      });
    } else {
      out.push({ kind: 'element', text: Buffer.concat(this.parts, this.size).toString('utf8'), line: this.elLine, column: this.elCol, offset: this.elOffset });
    }
    this.parts = [];
  }

  private broken(message: string, atLine: number, atColumn: number, atOffset: number): Broken {
    return { kind: 'broken', code: 'bad-xml', message, line: this.elLine, column: this.elCol, offset: this.elOffset, atLine, atColumn, atOffset };
  }
}
