// Windows XML exports: `wevtutil qe … /f:xml` (concatenated `<Event>` elements, often without a
// root), `Get-WinEvent | % { $_.ToXml() }`, `<Events>…</Events>` files and evtxexport's pretty
// XML after its banner line. Each `<Event>` element becomes one `windows`-view record, built the
// way the EVTX reader builds it: System fields by name, EventData `<Data Name="X">` as `X`,
// unnamed `<Data>` under `Data`, other data sections (UserData, …) flattened by leaf name.
// Consecutive `<Data>` elements of one name are one array-typed value (XML repeats the element
// per item), gathered into an array as the EVTX reader has it; other repeated names are
// suffixed `_1`, `_2`.
//
// The file is streamed: a byte-level scanner finds each element (it knows comments, CDATA,
// processing instructions and quoted attribute values, so a `<` or `</Event>` inside them does
// not fool it) and only that element is held in memory, up to a size cap. A small purpose-built
// parser then reads the element and checks it is well-formed; a malformed element is reported
// (`bad-xml`, with the line and column of the problem) and skipped, and reading goes on at the
// next `<Event`.

import type { FieldScalar, FieldValue } from '../events/fields.js';
import type { Fields } from '../events/fields.js';
import { positionAfter, positionIn, readFailure, utf8Chunks } from './input.js';
import type { Input } from './input.js';
import type { SourceDiagnostic, SourceItem } from './types.js';
import { emptySystem, normalizeTime, windowsView } from './windows-view.js';
import type { WindowsSystem } from './windows-view.js';

export interface XmlLimits {
  /** Largest `<Event>` element, in bytes. */
  maxElement: number;
  /** Deepest element nesting inside an event. */
  maxDepth: number;
  /** Most attributes on one element. */
  maxAttributes: number;
}

export const DEFAULT_XML_LIMITS: Readonly<XmlLimits> = {
  maxElement: 16 * 1024 * 1024,
  maxDepth: 64,
  maxAttributes: 64,
};

// ---------------------------------------------------------------------------------------------
// The element parser.

interface XElement {
  /** Local name (prefix removed). */
  name: string;
  qname: string;
  /** Attributes by local name, namespace declarations left out. */
  attrs: Array<[string, string]>;
  children: XElement[];
  /** The character data directly inside, concatenated. */
  text: string;
}

class XmlError extends Error {
  constructor(
    message: string,
    readonly index: number,
  ) {
    super(message);
  }
}

const ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function isNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x3a || c >= 0x80;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** A name without its namespace prefix. */
export function localName(qname: string): string {
  const i = qname.lastIndexOf(':');
  return i < 0 ? qname : qname.slice(i + 1);
}

/** A recursive-descent-free parser (explicit stack) for one element and what surrounds it. */
class ElementParser {
  private pos = 0;

  constructor(
    private readonly s: string,
    private readonly limits: XmlLimits,
  ) {}

  parse(): XElement {
    this.skipMisc(true);
    if (this.s.charCodeAt(this.pos) !== 0x3c) throw new XmlError('expected an <Event> element', this.pos);
    const stack: XElement[] = [];
    let root: XElement | null = null;
    for (;;) {
      if (this.pos >= this.s.length) {
        const open = stack[stack.length - 1];
        throw new XmlError(open === undefined ? 'unexpected end of input' : `unexpected end of input: <${open.qname}> is not closed`, this.pos);
      }
      const c = this.s.charCodeAt(this.pos);
      if (c !== 0x3c) {
        const at = this.pos;
        const text = this.text();
        const top = stack[stack.length - 1];
        if (top !== undefined) top.text += text;
        else if (text.trim() !== '') throw new XmlError('text outside the <Event> element', at);
        continue;
      }
      const next = this.s.charCodeAt(this.pos + 1);
      if (next === 0x21) {
        // <!-- … -->, <![CDATA[ … ]]>; anything else (DOCTYPE) has no place inside an event.
        if (stack.length === 0) throw new XmlError('expected an <Event> element', this.pos);
        if (this.s.startsWith('<!--', this.pos)) {
          this.comment();
        } else if (this.s.startsWith('<![CDATA[', this.pos)) {
          const end = this.s.indexOf(']]>', this.pos + 9);
          if (end < 0) throw new XmlError('unterminated CDATA section', this.pos);
          const top = stack[stack.length - 1];
          if (top !== undefined) top.text += this.s.slice(this.pos + 9, end);
          this.pos = end + 3;
        } else {
          throw new XmlError('unexpected markup declaration inside an element', this.pos);
        }
        continue;
      }
      if (next === 0x3f) {
        this.pi();
        continue;
      }
      if (next === 0x2f) {
        const at = this.pos;
        this.pos += 2;
        const qname = this.name();
        this.skipSpace();
        if (this.s.charCodeAt(this.pos) !== 0x3e) throw new XmlError(`expected '>' to end </${qname}>`, this.pos);
        this.pos++;
        const open = stack.pop();
        if (open === undefined) throw new XmlError(`unexpected close tag </${qname}>`, at);
        if (open.qname !== qname) throw new XmlError(`mismatched close tag: expected </${open.qname}>, found </${qname}>`, at);
        if (stack.length === 0) {
          root = open;
          break;
        }
        continue;
      }
      const at = this.pos;
      const { el, selfClosing } = this.startTag();
      if (stack.length === 0 && el.name !== 'Event') throw new XmlError(`expected an <Event> element, found <${el.qname}>`, at);
      const parent = stack[stack.length - 1];
      if (parent !== undefined) parent.children.push(el);
      if (selfClosing) {
        if (stack.length === 0) {
          root = el;
          break;
        }
        continue;
      }
      if (stack.length >= this.limits.maxDepth) throw new XmlError(`elements nested deeper than ${this.limits.maxDepth}`, at);
      stack.push(el);
    }
    this.skipMisc(false);
    if (this.pos < this.s.length) throw new XmlError('unexpected content after the </Event> close tag', this.pos);
    return root;
  }

  /** Whitespace, comments and processing instructions (and, before the root, an XML declaration). */
  private skipMisc(before: boolean): void {
    for (;;) {
      this.skipSpace();
      if (this.s.startsWith('<!--', this.pos)) this.comment();
      else if (this.s.startsWith('<?', this.pos)) this.pi();
      else if (before && this.s.charCodeAt(this.pos) === 0xfeff) this.pos++;
      else return;
    }
  }

  private skipSpace(): void {
    while (this.pos < this.s.length && isSpace(this.s.charCodeAt(this.pos))) this.pos++;
  }

  private comment(): void {
    const end = this.s.indexOf('-->', this.pos + 4);
    if (end < 0) throw new XmlError('unterminated comment', this.pos);
    this.pos = end + 3;
  }

  private pi(): void {
    const end = this.s.indexOf('?>', this.pos + 2);
    if (end < 0) throw new XmlError('unterminated processing instruction', this.pos);
    this.pos = end + 2;
  }

  private name(): string {
    const start = this.pos;
    if (!isNameStart(this.s.charCodeAt(this.pos))) throw new XmlError('expected a name', this.pos);
    this.pos++;
    while (this.pos < this.s.length && isNameChar(this.s.charCodeAt(this.pos))) this.pos++;
    return this.s.slice(start, this.pos);
  }

  private startTag(): { el: XElement; selfClosing: boolean } {
    this.pos++; // <
    const qname = this.name();
    const el: XElement = { name: localName(qname), qname, attrs: [], children: [], text: '' };
    const seen = new Set<string>();
    for (;;) {
      const before = this.pos;
      this.skipSpace();
      const c = this.s.charCodeAt(this.pos);
      if (c === 0x3e) {
        this.pos++;
        return { el, selfClosing: false };
      }
      if (c === 0x2f) {
        if (this.s.charCodeAt(this.pos + 1) !== 0x3e) throw new XmlError("expected '>' after '/'", this.pos + 1);
        this.pos += 2;
        return { el, selfClosing: true };
      }
      if (this.pos >= this.s.length) throw new XmlError(`unexpected end of input in <${qname}>`, this.pos);
      if (this.pos === before) throw new XmlError(`expected whitespace, '>' or '/>' in <${qname}>`, this.pos);
      const nameAt = this.pos;
      const attr = this.name();
      if (seen.has(attr)) throw new XmlError(`duplicate attribute ${attr}`, nameAt);
      seen.add(attr);
      if (seen.size > this.limits.maxAttributes) throw new XmlError(`more than ${this.limits.maxAttributes} attributes on <${qname}>`, nameAt);
      this.skipSpace();
      if (this.s.charCodeAt(this.pos) !== 0x3d) throw new XmlError(`expected '=' after attribute ${attr}`, this.pos);
      this.pos++;
      this.skipSpace();
      const q = this.s.charCodeAt(this.pos);
      if (q !== 0x22 && q !== 0x27) throw new XmlError(`expected a quoted value for attribute ${attr}`, this.pos);
      this.pos++;
      const start = this.pos;
      let value = '';
      let from = start;
      for (;;) {
        if (this.pos >= this.s.length) throw new XmlError(`unterminated value of attribute ${attr}`, start - 1);
        const ch = this.s.charCodeAt(this.pos);
        if (ch === q) break;
        if (ch === 0x3c) throw new XmlError(`'<' in the value of attribute ${attr}`, this.pos);
        if (ch === 0x26) {
          value += this.s.slice(from, this.pos) + this.entity();
          from = this.pos;
          continue;
        }
        this.pos++;
      }
      value += this.s.slice(from, this.pos);
      this.pos++;
      // Attribute-value normalisation: each whitespace character becomes a space.
      value = value.replace(/\r\n|[\t\n\r]/g, ' ');
      if (attr === 'xmlns' || attr.startsWith('xmlns:')) continue;
      el.attrs.push([localName(attr), value]);
    }
  }

  /** Character data up to the next `<`, entities decoded. Line ends are kept as they are. */
  private text(): string {
    let out = '';
    let from = this.pos;
    while (this.pos < this.s.length) {
      const c = this.s.charCodeAt(this.pos);
      if (c === 0x3c) break;
      if (c === 0x26) {
        out += this.s.slice(from, this.pos) + this.entity();
        from = this.pos;
        continue;
      }
      this.pos++;
    }
    return out + this.s.slice(from, this.pos);
  }

  /** A reference at `pos` (`&name;`, `&#NN;`, `&#xNN;`): its text; `pos` moves past it. */
  private entity(): string {
    const at = this.pos;
    const end = this.s.indexOf(';', at + 1);
    if (end < 0 || end - at > 12) throw new XmlError("'&' that does not start a reference (write &amp;)", at);
    const body = this.s.slice(at + 1, end);
    let text: string | undefined;
    if (body.startsWith('#x') || body.startsWith('#X')) {
      text = codePoint(/^[0-9a-fA-F]+$/.test(body.slice(2)) ? parseInt(body.slice(2), 16) : NaN);
    } else if (body.startsWith('#')) {
      text = codePoint(/^[0-9]+$/.test(body.slice(1)) ? parseInt(body.slice(1), 10) : NaN);
    } else {
      text = Object.hasOwn(ENTITIES, body) ? ENTITIES[body] : undefined;
      if (text === undefined) throw new XmlError(`unknown entity &${body};`, at);
    }
    if (text === undefined) throw new XmlError(`invalid character reference &${body};`, at);
    this.pos = end + 1;
    return text;
  }
}

function codePoint(n: number): string | undefined {
  if (!Number.isInteger(n) || n <= 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return undefined;
  return String.fromCodePoint(n);
}

// ---------------------------------------------------------------------------------------------
// From the element to the `windows` view.

function attr(el: XElement, name: string): string | undefined {
  for (const [k, v] of el.attrs) if (k === name) return v;
  return undefined;
}

// Values as the `windows` view holds them, from XML text or from the values of the other
// exports (json-shapes.ts, splunk.ts): integers from decimal or `0x` text, trimmed text.

/** A number, or the integer that decimal or `0x` hex text writes; null for anything else. */
export function toNumber(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v !== 'string') return null;
  const t = v.trim();
  const n = /^0[xX][0-9a-fA-F]+$/.test(t) ? parseInt(t.slice(2), 16) : /^-?\d+$/.test(t) ? Number(t) : NaN;
  return Number.isFinite(n) ? n : null;
}

/** Text trimmed (null when empty); numbers and booleans as their text; null for anything else. */
export function toText(v: unknown): string | null {
  if (typeof v === 'string') {
    const t = v.trim();
    return t === '' ? null : t;
  }
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

/** Keywords as Windows renders them (`0x8020000000000000`), from text or a (large) number. */
export function toKeywords(v: unknown): string | null {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return '0x' + BigInt(v).toString(16);
  const t = toText(v);
  return t !== null && /^0[xX][0-9a-fA-F]+$/.test(t) ? t : null;
}

/** All character data of an element and its descendants, in document order. */
function deepText(el: XElement, depth = 0): string {
  if (el.children.length === 0 || depth > 64) return el.text;
  let out = el.text;
  for (const c of el.children) out += deepText(c, depth + 1);
  return out;
}

function readSystem(system: XElement, s: WindowsSystem): void {
  for (const el of system.children) {
    switch (el.name) {
      case 'Provider':
        s.provider = toText(attr(el, 'Name')) ?? toText(attr(el, 'EventSourceName'));
        s.providerGuid = toText(attr(el, 'Guid'));
        break;
      case 'EventID':
        s.eventId = toNumber(el.text);
        s.qualifiers = toNumber(attr(el, 'Qualifiers'));
        break;
      case 'Version':
        s.version = toNumber(el.text);
        break;
      case 'Level':
        s.level = toNumber(el.text);
        break;
      case 'Task':
        s.task = toNumber(el.text);
        break;
      case 'Opcode':
        s.opcode = toNumber(el.text);
        break;
      case 'Keywords':
        s.keywords = toText(el.text);
        break;
      case 'TimeCreated': {
        const t = toText(attr(el, 'SystemTime'));
        s.timeCreated = t === null ? null : (normalizeTime(t) ?? t);
        break;
      }
      case 'EventRecordID':
        s.eventRecordId = toNumber(el.text);
        break;
      case 'Correlation':
        s.activityId = toText(attr(el, 'ActivityID'));
        break;
      case 'Execution':
        s.processId = toNumber(attr(el, 'ProcessID'));
        s.threadId = toNumber(attr(el, 'ThreadID'));
        break;
      case 'Channel':
        s.channel = toText(el.text);
        break;
      case 'Computer':
        s.computer = toText(el.text);
        break;
      case 'Security':
        s.userId = toText(attr(el, 'UserID'));
        break;
      default:
        break;
    }
  }
}

/**
 * Collects named values, gathering unnamed `Data` under one entry, then suffixes repeats. An
 * array-typed EventData value is one `<Data Name="X">` element per item in XML (and in the JSON
 * renderings of that XML), where the EVTX reader has one field holding an array: `addItem`
 * gathers such consecutive elements into one array, as the EVTX reader has it.
 */
export class DataCollector {
  private readonly names: string[] = [];
  private readonly values: FieldValue[] = [];
  private unnamed: FieldScalar[] | null = null;
  private unnamedAt = -1;
  /** The items of the last entry, when `addItem` added it. */
  private items: FieldScalar[] | null = null;

  add(name: string, value: FieldValue): void {
    this.items = null;
    this.names.push(name);
    this.values.push(value);
  }

  /** A value of a named `<Data>` element: right after one of the same name, it joins its array. */
  addItem(name: string, value: FieldScalar): void {
    const last = this.names.length - 1;
    if (this.items !== null && this.names[last] === name) {
      if (this.items.length === 1) this.values[last] = this.items;
      this.items.push(value);
      return;
    }
    this.add(name, value);
    this.items = [value];
  }

  addUnnamed(value: FieldScalar): void {
    this.items = null;
    if (this.unnamed === null) {
      this.unnamed = [];
      this.unnamedAt = this.names.length;
      this.names.push('Data');
      this.values.push(null);
    }
    this.unnamed.push(value);
  }

  entries(): Array<[string, FieldValue]> {
    if (this.unnamed !== null) this.values[this.unnamedAt] = this.unnamed.length === 1 ? this.unnamed[0]! : this.unnamed;
    const seen = new Set<string>();
    const out: Array<[string, FieldValue]> = [];
    for (let i = 0; i < this.names.length; i++) {
      let name = this.names[i]!;
      if (seen.has(name)) {
        let k = 1;
        while (seen.has(`${name}_${k}`)) k++;
        name = `${name}_${k}`;
      }
      seen.add(name);
      out.push([name, this.values[i]!]);
    }
    return out;
  }
}

function readEventData(section: XElement, out: DataCollector): void {
  if (section.children.length === 0) {
    // A bare value directly inside EventData is kept as unnamed data, as the EVTX reader does.
    if (section.text.trim() !== '') out.addUnnamed(section.text);
    return;
  }
  for (const el of section.children) {
    if (el.name === 'Data') {
      const name = attr(el, 'Name');
      if (name !== undefined && name !== '') out.addItem(name, deepText(el));
      else out.addUnnamed(deepText(el));
    } else {
      out.add(el.name, deepText(el));
    }
  }
}

/** UserData and other sections: leaves by local name, wrappers (`EventXML`, …) looked through. */
function readLeaves(el: XElement, out: DataCollector, depth = 0): void {
  for (const c of el.children) {
    if (c.children.length > 0) {
      if (depth < 64) readLeaves(c, out, depth + 1);
    } else {
      out.add(c.name, c.text);
    }
  }
}

interface EventParse {
  view: Fields;
  recordId: number | null;
}

function eventView(root: XElement): EventParse {
  const system = emptySystem();
  const data = new DataCollector();
  let sawSystem = false;
  let section: XElement | null = null;
  for (const el of root.children) {
    if (el.name === 'System') {
      readSystem(el, system);
      sawSystem = true;
    } else if (el.name !== 'RenderingInfo' && section === null) {
      section = el;
    }
  }
  if (!sawSystem) throw new XmlError('the <Event> element has no <System> element', 0);
  if (section !== null) {
    if (section.name === 'EventData') readEventData(section, data);
    else readLeaves(section, data);
  }
  return { view: windowsView(system, data.entries()), recordId: system.eventRecordId };
}

type ParseOutcome = ({ ok: true } & EventParse) | { ok: false; error: string; index: number; line: number; column: number };

function parseElement(text: string, limits: XmlLimits): ParseOutcome {
  try {
    const root = new ElementParser(text, limits).parse();
    return { ok: true, ...eventView(root) };
  } catch (e) {
    if (!(e instanceof XmlError)) throw e;
    return { ok: false, error: e.message, index: e.index, ...positionIn(text, e.index) };
  }
}

/**
 * One `<Event>` element as text (an XML declaration, comments and whitespace around it are
 * allowed): its `windows` view, or the first problem with its 1-based line and column in `text`.
 */
export function parseEventXml(text: string, limits: XmlLimits = DEFAULT_XML_LIMITS): { view: Fields } | { error: string; line: number; column: number } {
  if (text.length > limits.maxElement) return { error: `element larger than ${limits.maxElement} bytes`, line: 1, column: 1 };
  const r = parseElement(text, limits);
  return r.ok ? { view: r.view } : { error: r.error, line: r.line, column: r.column };
}

// ---------------------------------------------------------------------------------------------
// The streaming scanner: finds `<Event …>…</Event>` elements in the byte stream.

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

type ScanItem = Found | Broken;

const BANG_COMMENT = '--';
const BANG_CDATA = '[CDATA[';

class EventScanner {
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

// ---------------------------------------------------------------------------------------------
// The reader.

export interface XmlReadOptions {
  limits?: Partial<XmlLimits>;
}

function diagnostic(path: string, code: SourceDiagnostic['code'], message: string, line: number, column: number, offset: number, rejected: boolean): SourceDiagnostic {
  return { code, severity: 'error', message, path, line, column, offset, recordId: null, rejected };
}

/** Every `<Event>` element of a Windows XML export, as records or located diagnostics. */
export async function* readXmlSource(input: Input, options: XmlReadOptions = {}): AsyncGenerator<SourceItem> {
  const limits: XmlLimits = { ...DEFAULT_XML_LIMITS, ...options.limits };
  const { chunks, start } = utf8Chunks(input);
  const scanner = new EventScanner(limits.maxElement, start);
  let seen = 0;
  const convert = (item: ScanItem): SourceItem => {
    seen++;
    if (item.kind === 'broken') {
      const where = item.code === 'limit-exceeded' ? '' : ` (element at line ${item.line}, column ${item.column})`;
      return { ok: false, diagnostic: diagnostic(input.path, item.code, item.message + where, item.atLine, item.atColumn, item.atOffset, true) };
    }
    let r: ParseOutcome;
    try {
      r = parseElement(item.text, limits);
    } catch (e) {
      // A reader never throws on input; an element that trips the code costs only itself.
      r = { ok: false, error: `cannot read the element: ${e instanceof Error ? e.message : String(e)}`, index: 0, line: 1, column: 1 };
    }
    if (!r.ok) {
      const at = positionAfter(item, item.text, r.index);
      const message = `${r.error} (element at line ${item.line}, column ${item.column})`;
      return { ok: false, diagnostic: diagnostic(input.path, 'bad-xml', message, at.line, at.column, at.offset, true) };
    }
    return {
      ok: true,
      record: {
        kind: 'windows',
        table: null,
        raw: r.view,
        view: r.view,
        origin: { path: input.path, format: 'xml', shape: 'windows-xml', recordId: r.recordId, line: item.line, offset: item.offset, recovered: false },
      },
    };
  };
  try {
    for await (const chunk of chunks) {
      for (const item of scanner.push(chunk)) yield convert(item);
    }
  } catch (e) {
    yield { ok: false, diagnostic: readFailure(input, e) };
    return;
  }
  for (const item of scanner.end()) yield convert(item);
  if (seen === 0) {
    yield {
      ok: false,
      diagnostic: { code: 'unknown-shape', severity: 'warning', message: 'no Windows <Event> elements found in this XML', path: input.path, line: null, column: null, offset: null, recordId: null, rejected: false },
    };
  }
}
