// Running libevtx's `evtxexport` (Debian libevtx-utils 20181227) and reading its XML output, as
// the reference for the differential test of our EVTX reader.
//
// What `evtxexport -f xml -m MODE FILE` prints (learned from the whole shared corpus):
//
// - stdout: the banner `evtxexport 20181227`, a blank line, then each record as pretty-printed XML
//   (two spaces per level) starting with `<Event xmlns="…">` at column 0 and ending with
//   `</Event>` at column 0, followed by a blank line. Values may themselves contain blank lines,
//   CR LF and control characters, so records cannot be split on blank lines.
// - An element with children: `<Name attrs>` on its own line, children indented by two more
//   spaces, `</Name>` at the element's own indentation. An element with a value:
//   `<Name attrs>VALUE</Name>`, the value printed as is (it may span lines). No value:
//   `<Name attrs/>`.
// - Escaping: `&`, `<`, `>` become `&amp;`, `&lt;`, `&gt;` in UTF-16 strings. Quotes are never
//   escaped, and ANSI strings (value type 0x02) are printed without any escaping at all, so a
//   value can contain raw markup: `<Data Name="Value"><DeviceAddRequest>…</DeviceAddRequest></Data>`
//   (Microsoft-Windows-LiveId) or `… TID:0 <no-error-message> : SQL …` (StateRepository).
// - Arrays (types 0x81…) repeat the element once per item, all with the same Name:
//   `<Data Name="IoCount">346</Data><Data Name="IoCount">21</Data>…`; an empty string item is
//   `<Data/>`; the final NUL of a string array does not make an extra item.
// - Value formats: SystemTime and FILETIME values with 9 fractional digits
//   (`2019-05-11T17:28:17.176430000Z`); SYSTEMTIME values with 3 (`2022-03-10T11:34:14.000Z`);
//   HexInt32/HexInt64 zero-padded lower case (`0x00ff0001`, `0x0000000000013765`); GUIDs upper
//   case in braces; binary as upper-case hex (`D9060000`, empty: `<Binary/>`); booleans `true` /
//   `false` (any non-zero 32-bit value is `true`); doubles in C `%e` style with a three-digit
//   exponent (`8.593064e-001`, `0.000000e+000`); size_t in decimal (`4`), not hex as Windows
//   shows it; SIDs `S-1-5-18`; integers in decimal.
// - `-m recovered` prints only records recovered from slack space, `-m all` prints the items
//   and then the recovered records, with nothing marking which is which (so run the two modes
//   separately). Recovered record ids repeat and overlap live ones. In XML mode evtxexport also
//   prints recovered records it cannot finish: the text stops mid-element (`  <ata`) and the
//   next `<Event` follows with no `</Event>`; such records are returned with `truncated: true`.
// - Errors go to stderr as a libyal backtrace (`Unable to export file.` / `libfwevt_…: invalid
//   binary XML token - unsupported type: 0x05.` …), exit code 1. Records exported before the
//   failing one are on stdout and are still parsed (e.g. 24 of the Windows CAPI2 log). On the
//   13 `robustness/evtx-to-mitre-failing/` files it exports nothing.

import { spawn, spawnSync } from 'node:child_process';

/** One record as evtxexport exported it. */
export interface TheirRecord {
  /** `<EventRecordID>`; -1 when the record has none (only in cut-off recovered records). */
  recordId: number;
  /** `<TimeCreated SystemTime>` as printed (9 fractional digits). */
  timeCreated: string | null;
  eventId: number | null;
  /** `<Channel>` text; '' for `<Channel/>`, null when the element is missing. */
  channel: string | null;
  computer: string | null;
  /** `<Provider Name>`. */
  provider: string | null;
  /**
   * Event values in document order, text unescaped. EventData: each `<Data>` as its Name (''
   * when it has none); other EventData children (`<Binary>`, `<ComplexData>`) as their element
   * name. UserData and any other section (e.g. ProcessingErrorData): every leaf element (no
   * child elements) as its element name, with its text ('' when it only has attributes).
   */
  data: Array<[string, string]>;
  /** Set when evtxexport stopped printing this record part way (recovered records only). */
  truncated?: true;
}

export type ExportMode = 'items' | 'recovered';

export interface ExportResult {
  exitCode: number;
  records: TheirRecord[];
  stderr: string;
}

/** The evtxexport binary: `$EVTXEXPORT` or `evtxexport` on PATH. */
export function evtxexportBinary(): string {
  return process.env.EVTXEXPORT ?? 'evtxexport';
}

let available: boolean | undefined;

/** Whether evtxexport can be run here (checked once, with `-V`). */
export function hasEvtxexport(): boolean {
  if (available === undefined) {
    const r = spawnSync(evtxexportBinary(), ['-V'], { encoding: 'utf8', timeout: 10_000 });
    available = r.error === undefined && r.status === 0 && /evtxexport/.test(r.stdout);
  }
  return available;
}

/** At most this many evtxexport processes run at once (the machines have two cores). */
export const MAX_EVTXEXPORT_PROCESSES = 2;
let running = 0;
const waiting: Array<() => void> = [];

async function acquire(): Promise<void> {
  if (running < MAX_EVTXEXPORT_PROCESSES) {
    running++;
    return;
  }
  await new Promise<void>((resolve) => waiting.push(resolve));
}

function release(): void {
  const next = waiting.shift();
  if (next) next();
  else running--;
}

const STDERR_LIMIT = 64 * 1024;

/**
 * Runs `evtxexport -f xml -m MODE path` and parses its output as it streams in. A non-zero exit
 * code is returned, not thrown: evtxexport exits 1 on damaged files after exporting what it
 * could. Throws only when the program cannot be started or runs past `timeoutMs`.
 */
export async function exportWithLibevtx(
  path: string,
  mode: ExportMode = 'items',
  options: { timeoutMs?: number } = {},
): Promise<ExportResult> {
  const timeoutMs = options.timeoutMs ?? 300_000;
  await acquire();
  try {
    return await new Promise<ExportResult>((resolve, reject) => {
      const child = spawn(evtxexportBinary(), ['-f', 'xml', '-m', mode, path], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const parser = new EvtxexportXmlStream();
      let stderr = '';
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, timeoutMs);
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => parser.push(chunk));
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        if (stderr.length < STDERR_LIMIT) stderr += chunk.slice(0, STDERR_LIMIT - stderr.length);
      });
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`cannot run ${evtxexportBinary()}: ${err.message}`));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (timedOut) {
          reject(new Error(`evtxexport ran longer than ${timeoutMs} ms on ${path}`));
          return;
        }
        resolve({ exitCode: code ?? (signal ? -1 : 0), records: parser.end(), stderr });
      });
    });
  } finally {
    release();
  }
}

/** Parses a whole evtxexport XML output at once (for tests of the parser). */
export function parseEvtxexportXml(output: string): TheirRecord[] {
  const stream = new EvtxexportXmlStream();
  stream.push(output);
  return stream.end();
}

/**
 * Incremental parser: feed it stdout chunks, get the records at the end. Keeps only the current
 * record's lines and the parsed records, never the whole output.
 */
export class EvtxexportXmlStream {
  private pending = '';
  private current: string[] | null = null;
  private readonly records: TheirRecord[] = [];

  push(chunk: string): void {
    const text = this.pending + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      this.line(text.slice(start, nl));
      start = nl + 1;
    }
    this.pending = text.slice(start);
  }

  end(): TheirRecord[] {
    if (this.pending !== '') this.line(this.pending);
    this.pending = '';
    if (this.current !== null) this.finish(false);
    return this.records;
  }

  private line(line: string): void {
    // A record starts with `<Event` at column 0. Inside a record such a line can only come from a
    // raw ANSI value, and in practice it means the previous record was cut off.
    if (line.startsWith('<Event') && (line.length === 6 || line[6] === ' ' || line[6] === '>')) {
      if (this.current !== null) this.finish(false);
      this.current = [line];
      return;
    }
    if (this.current === null) return; // banner, blank separators
    this.current.push(line);
    if (line === '</Event>') this.finish(true);
  }

  private finish(complete: boolean): void {
    const block = this.current!.join('\n');
    this.current = null;
    this.records.push(recordFromBlock(block, complete));
  }
}

/** An element of evtxexport's pretty-printed XML. */
export interface XmlElement {
  name: string;
  attrs: Array<[string, string]>;
  children: XmlElement[];
  /** The unescaped value of an element without children; '' otherwise. */
  text: string;
}

class XmlShapeError extends Error {}

const XML_ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Undoes XML escaping (`&lt;`, `&amp;`, `&#13;`, `&#x0D;`, …); unknown entities stay as they are. */
export function unescapeXml(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return safeCodePoint(parseInt(ref.slice(2), 16)) ?? whole;
    if (ref.startsWith('#')) return safeCodePoint(parseInt(ref.slice(1), 10)) ?? whole;
    return XML_ENTITIES[ref] ?? whole;
  });
}

function safeCodePoint(n: number): string | undefined {
  return Number.isInteger(n) && n >= 0 && n <= 0x10ffff ? String.fromCodePoint(n) : undefined;
}

/**
 * Element names are whatever the file's string table says; recovered records can carry garbage
 * names (`<\u0019>`, `<䈀 Name=…>`), so anything that cannot end or open a tag is accepted.
 */
function isNameStart(c: string | undefined): boolean {
  return c !== undefined && !/[\s/<>"'=]/.test(c);
}

const SPACES: string[] = [];

function spaces(n: number): string {
  return (SPACES[n] ??= ' '.repeat(n));
}

/** Ends an element name: white space, `/` or `>`. */
function endsName(c: number): boolean {
  return c === 0x20 || c === 0x2f || c === 0x3e || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * Parses the element starting at `s[p] === '<'`, printed at indentation `indent`, and appends it
 * to `into` as soon as its start tag is read, so that a cut-off record keeps what came before
 * the cut. Returns the offset just past the element.
 */
function parseElement(s: string, p: number, indent: number, into: XmlElement[]): number {
  if (s[p] !== '<' || !isNameStart(s[p + 1])) throw new XmlShapeError(`no element at ${p}`);
  let q = p + 1;
  while (q < s.length && !endsName(s.charCodeAt(q))) q++;
  const el: XmlElement = { name: s.slice(p + 1, q), attrs: [], children: [], text: '' };
  into.push(el);
  // Attributes: name="value". Values are not escaped for quotes, so a value ends at the first
  // quote that is followed by a space, `/` or `>`.
  for (;;) {
    while (s[q] === ' ') q++;
    if (s.startsWith('/>', q)) return q + 2;
    if (s[q] === '>') {
      q++;
      break;
    }
    const eq = s.indexOf('="', q);
    if (eq < 0 || /[\s>]/.test(s.slice(q, eq))) throw new XmlShapeError(`bad attribute in <${el.name}>`);
    let close = s.indexOf('"', eq + 2);
    while (close >= 0 && close + 1 < s.length && !/[ />]/.test(s[close + 1]!)) close = s.indexOf('"', close + 1);
    if (close < 0) throw new XmlShapeError(`unterminated attribute in <${el.name}>`);
    el.attrs.push([s.slice(q, eq), unescapeXml(s.slice(eq + 2, close))]);
    q = close + 1;
  }
  const childIndent = spaces(indent + 2);
  const closeTag = `</${el.name}>`;
  // Children: the start tag ends its line and the next line holds an element two spaces deeper.
  if (s[q] === '\n' && s.startsWith(childIndent + '<', q + 1) && isNameStart(s[q + 2 + indent + 2])) {
    const ownClose = spaces(indent) + closeTag;
    let pos = q;
    for (;;) {
      if (s[pos] !== '\n') throw new XmlShapeError(`expected a new line in <${el.name}>`);
      const lineStart = pos + 1;
      if (s.startsWith(ownClose, lineStart)) return lineStart + ownClose.length;
      if (!s.startsWith(childIndent + '<', lineStart)) throw new XmlShapeError(`bad child line in <${el.name}>`);
      pos = parseElement(s, lineStart + indent + 2, indent + 2, el.children);
    }
  }
  // A value: it ends at the first `</Name>` that is followed by the end of the text or by a new
  // line whose first element is no deeper than this one (a sibling or the parent's end tag).
  for (let at = s.indexOf(closeTag, q); at >= 0; at = s.indexOf(closeTag, at + 1)) {
    const after = at + closeTag.length;
    if (after === s.length) {
      el.text = unescapeXml(s.slice(q, at));
      return after;
    }
    if (s[after] !== '\n') continue;
    let r = after + 1;
    while (s[r] === ' ') r++;
    if (r - after - 1 <= indent && s[r] === '<') {
      el.text = unescapeXml(s.slice(q, at));
      return after;
    }
  }
  throw new XmlShapeError(`no end tag for <${el.name}>`);
}

/** Parses one `<Event>…</Event>` block (or what was printed of it). */
export function parseEventBlock(block: string): { root: XmlElement | null; complete: boolean } {
  const roots: XmlElement[] = [];
  try {
    parseElement(block, 0, 0, roots);
    return { root: roots[0] ?? null, complete: true };
  } catch (err) {
    if (!(err instanceof XmlShapeError)) throw err;
    return { root: roots[0] ?? null, complete: false };
  }
}

function attr(el: XmlElement | undefined, name: string): string | null {
  if (el === undefined) return null;
  for (const [k, v] of el.attrs) if (k === name) return v;
  return null;
}

function toInt(text: string | null | undefined): number | null {
  if (text === null || text === undefined || !/^\s*-?\d+\s*$/.test(text)) return null;
  return Number(text);
}

function leaves(el: XmlElement, out: Array<[string, string]>): void {
  if (el.children.length === 0) out.push([el.name, el.text]);
  else for (const c of el.children) leaves(c, out);
}

/** Builds a TheirRecord from an element tree (exported for tests). */
export function recordFromElement(root: XmlElement | null, complete: boolean): TheirRecord {
  const children = root?.children ?? [];
  const system = children.find((c) => c.name === 'System');
  const sys = (name: string): XmlElement | undefined => system?.children.find((c) => c.name === name);
  const data: Array<[string, string]> = [];
  for (const section of children) {
    if (section.name === 'System' || section.name === 'RenderingInfo') continue;
    if (section.name === 'EventData') {
      for (const c of section.children) {
        if (c.children.length > 0) leaves(c, data);
        else if (c.name === 'Data') data.push([attr(c, 'Name') ?? '', c.text]);
        else data.push([c.name, c.text]);
      }
    } else {
      for (const c of section.children) leaves(c, data);
    }
  }
  const record: TheirRecord = {
    recordId: toInt(sys('EventRecordID')?.text) ?? -1,
    timeCreated: attr(sys('TimeCreated'), 'SystemTime'),
    eventId: toInt(sys('EventID')?.text),
    channel: sys('Channel')?.text ?? null,
    computer: sys('Computer')?.text ?? null,
    provider: attr(sys('Provider'), 'Name'),
    data,
  };
  if (!complete) record.truncated = true;
  return record;
}

function recordFromBlock(block: string, completeBlock: boolean): TheirRecord {
  const { root, complete } = parseEventBlock(block);
  return recordFromElement(root, completeBlock && complete);
}
