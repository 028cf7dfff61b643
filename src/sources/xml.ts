// Windows XML exports: `wevtutil qe … /f:xml` (concatenated `<Event>` elements, often without a
// root), `Get-WinEvent | % { $_.ToXml() }`, `<Events>…</Events>` files and evtxexport's pretty
// XML after its banner line. Each `<Event>` element becomes one `windows`-view record, built the
// way the EVTX reader builds it: System fields by name, EventData `<Data Name="X">` as `X`,
// unnamed `<Data>` under `Data`, other data sections (UserData, …) flattened by leaf name.
// Consecutive `<Data>` elements of one name are one array-typed value (XML repeats the element
// per item), gathered into an array as the EVTX reader has it; other repeated names are
// suffixed `_1`, `_2`.
//
// The file is streamed: the scanner in xml-scanner.ts finds each element (a `<` or `</Event>`
// inside comments, CDATA, processing instructions or attribute values does not fool it) and only
// that element is held in memory, up to a size cap. The parser in xml-element.ts then reads the
// element and checks it is well-formed; a malformed element is reported (`bad-xml`, with the
// line and column of the problem) and skipped, and reading goes on at the next `<Event`.

import type { FieldScalar, FieldValue } from '../events/fields.js';
import type { Fields } from '../events/fields.js';
import { positionAfter, positionIn, readFailure, utf8Chunks } from './input.js';
import type { Input } from './input.js';
import type { ReadTally, SourceDiagnostic, SourceItem } from './types.js';
import { emptySystem, normalizeTime, windowsView } from './windows-view.js';
import type { WindowsSystem } from './windows-view.js';
import { DEFAULT_XML_LIMITS, ElementParser, XmlError } from './xml-element.js';
import type { XElement, XmlLimits } from './xml-element.js';
import { EventScanner } from './xml-scanner.js';
import type { ScanItem } from './xml-scanner.js';

// What this module exported before the element parser moved out of it.
export { DEFAULT_XML_LIMITS, localName } from './xml-element.js';
export type { XmlLimits } from './xml-element.js';

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
// The reader.

export interface XmlReadOptions {
  limits?: Partial<XmlLimits>;
  /** Counts `<Event>` elements as the scanner frames them (see SourceSummary). */
  tally?: ReadTally;
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
  const tally = options.tally ?? { read: 0, ignored: 0 };
  const convert = (item: ScanItem): SourceItem => {
    seen++;
    tally.read++;
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
