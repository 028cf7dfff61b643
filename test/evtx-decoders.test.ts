// Unit tests of the EVTX decoders on bytes these tests write themselves: values of every type,
// Binary XML tokens and templates, field extraction, and the chunk walker's recovery paths.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChunkContext } from '../src/evtx/binxml/context.js';
import { parseRecordXml } from '../src/evtx/binxml/parser.js';
import { readValue } from '../src/evtx/binxml/values.js';
import { extractFields } from '../src/evtx/extract.js';
import { DEFAULT_LIMITS } from '../src/evtx/limits.js';
import { filetimeToIso, isoSeconds, systemtimeToIso } from '../src/evtx/time.js';
import { readEvtxBytes } from '../src/evtx/reader.js';
import type { EvtxItem, EvtxFileSummary } from '../src/evtx/reader.js';
import { renderXml } from '../src/evtx/render/xml.js';
import { renderJson } from '../src/evtx/render/json.js';
import { EvtxFormatError } from '../src/evtx/errors.js';
import { writeEvtx } from '../src/evtx/writer/index.js';
import type { WriteEvent } from '../src/evtx/writer/index.js';
import { chunkHeaderChecksum } from '../src/evtx/chunk.js';
import { crc32 } from '../src/evtx/crc32.js';

// ---------------------------------------------------------------------------------------------
// A byte builder whose positions are chunk-relative, as Binary XML offsets are.

class Bytes {
  readonly buf = Buffer.alloc(65536);
  pos: number;
  constructor(start = 512) {
    this.pos = start;
  }
  u8(...vs: number[]): this {
    for (const v of vs) this.buf[this.pos++] = v;
    return this;
  }
  u16(v: number): this {
    this.buf.writeUInt16LE(v, this.pos);
    this.pos += 2;
    return this;
  }
  u32(v: number): this {
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
    return this;
  }
  utf16(s: string): this {
    this.pos += this.buf.write(s, this.pos, 'utf16le');
    return this;
  }
  /** An inline name: offset = the position right after the offset field, then the structure. */
  name(s: string): this {
    this.u32(this.pos + 4);
    return this.u32(0).u16(0).u16(s.length).utf16(s).u16(0);
  }
  /** A reference to a name structure elsewhere in the chunk. */
  nameRef(offset: number): this {
    return this.u32(offset);
  }
  ctx(): ChunkContext {
    return new ChunkContext(this.buf, DEFAULT_LIMITS);
  }
}

function valueCtx(bytes: number[]): ChunkContext {
  const buf = Buffer.alloc(64);
  buf.set(bytes, 0);
  return new ChunkContext(buf, DEFAULT_LIMITS);
}

const le32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

// ---------------------------------------------------------------------------------------------
// Values

test('integer values keep their sign and width', () => {
  assert.equal(readValue(valueCtx([0xfb]), 0x03, 0, 1), -5);
  assert.equal(readValue(valueCtx([0xfb]), 0x04, 0, 1), 251);
  assert.equal(readValue(valueCtx([0xfe, 0xff]), 0x05, 0, 2), -2);
  assert.equal(readValue(valueCtx([0xfe, 0xff]), 0x06, 0, 2), 65534);
  assert.equal(readValue(valueCtx(le32(-7)), 0x07, 0, 4), -7);
  assert.equal(readValue(valueCtx(le32(0xfffffff9)), 0x08, 0, 4), 4294967289);
  // Int64 -1 and UInt64 2^64-1: beyond 2^53 the exact decimal text is kept.
  const ones = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
  assert.equal(readValue(valueCtx(ones), 0x09, 0, 8), -1);
  assert.equal(readValue(valueCtx(ones), 0x0a, 0, 8), '18446744073709551615');
  assert.equal(readValue(valueCtx([...le32(5), ...le32(1)]), 0x0a, 0, 8), 4294967301);
});

test('hex, size_t, real and bool values render as Windows renders them', () => {
  assert.equal(readValue(valueCtx(le32(0x3e7)), 0x14, 0, 4), '0x3e7');
  assert.equal(readValue(valueCtx([...le32(0), ...le32(0x80200000)]), 0x15, 0, 8), '0x8020000000000000');
  assert.equal(readValue(valueCtx([...le32(0x13765), ...le32(0)]), 0x15, 0, 8), '0x13765');
  assert.equal(readValue(valueCtx([...le32(0xdeadbeef), ...le32(0x1)]), 0x15, 0, 8), '0x1deadbeef');
  assert.equal(readValue(valueCtx(le32(0x10)), 0x10, 0, 4), '0x10');
  assert.equal(readValue(valueCtx([...le32(0x10), ...le32(0x7ff)]), 0x10, 0, 8), '0x7ff00000010');
  const f64 = Buffer.alloc(8);
  f64.writeDoubleLE(1.5);
  assert.equal(readValue(valueCtx([...f64]), 0x0c, 0, 8), 1.5);
  const f32 = Buffer.alloc(4);
  f32.writeFloatLE(-0.25);
  assert.equal(readValue(valueCtx([...f32]), 0x0b, 0, 4), -0.25);
  assert.equal(readValue(valueCtx(le32(0)), 0x0d, 0, 4), false);
  assert.equal(readValue(valueCtx(le32(1)), 0x0d, 0, 4), true);
  // Irregular bools (seen in real logs): any non-zero value is true.
  assert.equal(readValue(valueCtx(le32(0xffffffff)), 0x0d, 0, 4), true);
  assert.equal(readValue(valueCtx([2]), 0x0d, 0, 1), true);
});

test('GUID, SID, binary and strings', () => {
  const guid = [0x5f, 0x38, 0x70, 0x57, 0x2a, 0xc2, 0xe0, 0x43, 0xbf, 0x4c, 0x06, 0xf5, 0x69, 0x8f, 0xfb, 0xd9];
  assert.equal(readValue(valueCtx(guid), 0x0f, 0, 16), '{5770385F-C22A-43E0-BF4C-06F5698FFBD9}');
  // Twice, so the GUID cache's hit path is exercised too.
  assert.equal(readValue(valueCtx(guid), 0x0f, 0, 16), '{5770385F-C22A-43E0-BF4C-06F5698FFBD9}');
  const other = [...guid];
  other[15] = 0xd8;
  assert.equal(readValue(valueCtx(other), 0x0f, 0, 16), '{5770385F-C22A-43E0-BF4C-06F5698FFBD8}');
  // S-1-5-21-1-2-3-500: the 48-bit authority is big-endian, sub-authorities little-endian.
  const sid = [1, 4, 0, 0, 0, 0, 0, 5, ...le32(21), ...le32(1), ...le32(2), ...le32(500)];
  assert.equal(readValue(valueCtx(sid), 0x13, 0, sid.length), 'S-1-5-21-1-2-500');
  assert.throws(() => readValue(valueCtx(sid), 0x13, 0, 12), (e: unknown) => e instanceof EvtxFormatError && e.code === 'bad-value');
  assert.equal(readValue(valueCtx([0x00, 0xab, 0x10]), 0x0e, 0, 3), '00AB10');
  const s = [...Buffer.from('cmstp.exe\0junk', 'utf16le')];
  assert.equal(readValue(valueCtx(s), 0x01, 0, s.length), 'cmstp.exe', 'a string ends at its NUL');
  assert.equal(readValue(valueCtx([0x63, 0xe9, 0x00, 0x41]), 0x02, 0, 4), 'cé', 'ANSI is windows-1252 and ends at NUL');
});

test('arrays: strings split at NULs, fixed-size items, SIDs back to back', () => {
  const strings = [...Buffer.from('a\0bc\0\0', 'utf16le')];
  assert.deepEqual(readValue(valueCtx(strings), 0x81, 0, strings.length), ['a', 'bc', '']);
  assert.deepEqual(readValue(valueCtx([1, 0, 2, 0, 0xff, 0xff]), 0x86, 0, 6), [1, 2, 65535]);
  const sids = [1, 1, 0, 0, 0, 0, 0, 5, ...le32(18), 1, 2, 0, 0, 0, 0, 0, 5, ...le32(32), ...le32(544)];
  assert.deepEqual(readValue(valueCtx(sids), 0x93, 0, sids.length), ['S-1-5-18', 'S-1-5-32-544']);
  assert.deepEqual(readValue(valueCtx([...le32(0x10), ...le32(0xff)]), 0x94, 0, 8), ['0x10', '0xff']);
});

// ---------------------------------------------------------------------------------------------
// Times

test('FILETIME renders with 7 fractional digits and exact ticks', () => {
  // 2019-05-11T17:28:17.1764300Z = 132020692971764300 ticks.
  const ticks = 132020692971764300n;
  const lo = Number(ticks & 0xffffffffn);
  const hi = Number(ticks >> 32n);
  assert.equal(filetimeToIso(lo, hi), '2019-05-11T17:28:17.1764300Z');
  assert.equal(filetimeToIso(0, 0), '1601-01-01T00:00:00.0000000Z');
  // The last tick of a second must not round into the next one.
  const edge = 132020692979999999n;
  assert.equal(filetimeToIso(Number(edge & 0xffffffffn), Number(edge >> 32n)), '2019-05-11T17:28:17.9999999Z');
});

test('the integer calendar agrees with Date over four centuries', () => {
  for (let t = -11644473600; t < 7258118400; t += 86400 * 37 + 3607) {
    assert.equal(isoSeconds(t), new Date(t * 1000).toISOString().slice(0, 19), `at ${t}`);
  }
});

test('SYSTEMTIME renders like FILETIME', () => {
  assert.equal(systemtimeToIso(2026, 3, 17, 8, 0, 44, 873), '2026-03-17T08:00:44.8730000Z');
});

// ---------------------------------------------------------------------------------------------
// Binary XML

/**
 * A record stream: fragment header, template instance with an inline definition
 * `<Event><System><EventID>%0</EventID><Computer>host</Computer></System>
 *  <EventData><Data Name="Image">%1</Data><Data Name="Flag">%2</Data></EventData></Event>`,
 * where the Flag element depends on substitution 2, then the values.
 */
function templateRecord(values: Array<[type: number, bytes: number[]]>): { b: Bytes; start: number; end: number } {
  const b = new Bytes(512 + 24);
  const start = b.pos;
  b.u8(0x0f, 1, 1, 0);
  b.u8(0x0c, 1).u32(0x11223344);
  const defOffset = b.pos + 4;
  b.u32(defOffset);
  // Definition header: next, GUID, data size (patched below).
  b.u32(0);
  b.u8(0x44, 0x33, 0x22, 0x11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  const sizeAt = b.pos;
  b.u32(0);
  const defStart = b.pos;
  b.u8(0x0f, 1, 1, 0);
  const open = (name: string, attrs = false, dep = 0xffff): void => {
    b.u8(attrs ? 0x41 : 0x01).u16(dep).u32(0).name(name);
  };
  open('Event');
  b.u8(0x02);
  open('System');
  b.u8(0x02);
  open('EventID');
  b.u8(0x02, 0x0e).u16(0).u8(0x06).u8(0x04);
  open('Computer');
  b.u8(0x02, 0x05, 0x01).u16(4).utf16('host').u8(0x04);
  b.u8(0x04); // </System>
  open('EventData');
  b.u8(0x02);
  const dataNameAt = b.pos + 1 + 2 + 4;
  open('Data', true);
  b.u32(0).u8(0x06).name('Name').u8(0x05, 0x01).u16(5).utf16('Image');
  b.u8(0x02, 0x0d).u16(1).u8(0x01).u8(0x04);
  // A second Data element reusing the name "Data" by reference, dependent on value 2.
  b.u8(0x41).u16(2).u32(0).nameRef(dataNameAt + 4);
  b.u32(0).u8(0x06).name('Name').u8(0x05, 0x01).u16(4).utf16('Flag');
  b.u8(0x02, 0x0e).u16(2).u8(0x0d).u8(0x04);
  b.u8(0x04); // </EventData>
  b.u8(0x04); // </Event>
  b.u8(0x00);
  b.buf.writeUInt32LE(b.pos - defStart, sizeAt);
  b.u32(values.length);
  for (const [type, bytes] of values) b.u16(bytes.length).u8(type, 0);
  for (const [, bytes] of values) b.u8(...bytes);
  b.u8(0x00);
  return { b, start, end: b.pos };
}

const utf16 = (s: string): number[] => [...Buffer.from(s, 'utf16le')];

test('a template instance with an inline definition, inline and referenced names', () => {
  const { b, start, end } = templateRecord([
    [0x06, [0x01, 0x00]],
    [0x01, utf16('C:\\Windows\\System32\\cmstp.exe')],
    [0x0d, le32(1)],
  ]);
  const ctx = b.ctx();
  const nodes = parseRecordXml(ctx, start, end);
  const f = extractFields(nodes, 1e6);
  assert.equal(f.system.eventId, 1);
  assert.equal(f.system.computer, 'host');
  assert.equal(f.dataSection, 'EventData');
  assert.deepEqual([...f.data.entries()], [
    ['Image', 'C:\\Windows\\System32\\cmstp.exe'],
    ['Flag', true],
  ]);
  assert.equal(ctx.templates.size, 1, 'the definition is cached by its offset');
  const xml = renderXml({ nodes });
  assert.match(xml, /<Data Name="Image">C:\\Windows\\System32\\cmstp\.exe<\/Data>/);
  assert.match(xml, /<Data Name="Flag">true<\/Data>/);
  const json = renderJson({ nodes }) as { Event: { EventData: Record<string, unknown>; System: Record<string, unknown> } };
  assert.equal(json.Event.System['EventID'], 1);
  assert.equal(json.Event.EventData['Flag'], true);
});

test('an element whose dependency value is NULL is left out, as Windows does', () => {
  const { b, start, end } = templateRecord([
    [0x06, [0x04, 0x00]],
    [0x01, utf16('x.exe')],
    [0x00, []],
  ]);
  const nodes = parseRecordXml(b.ctx(), start, end);
  const f = extractFields(nodes, 1e6);
  assert.deepEqual(f.data.names, ['Image']);
  assert.doesNotMatch(renderXml({ nodes }), /Flag/);
});

test('a value whose size does not fit its type is kept as hex with a warning', () => {
  const { b, start, end } = templateRecord([
    [0x06, [0x01, 0x00]],
    [0x13, [1, 5, 0, 0]],
    [0x0d, le32(0)],
  ]);
  const ctx = b.ctx();
  const f = extractFields(parseRecordXml(ctx, start, end), 1e6);
  assert.equal(f.data.get('Image'), '01050000');
  assert.equal(ctx.warnings.length, 1);
  assert.equal(ctx.warnings[0]!.code, 'bad-value');
});

test('truncated streams and bad tokens throw located format errors', () => {
  const { b, start, end } = templateRecord([
    [0x06, [0x01, 0x00]],
    [0x01, utf16('abc')],
    [0x0d, le32(0)],
  ]);
  assert.throws(
    () => parseRecordXml(b.ctx(), start, end - 4),
    (e: unknown) => e instanceof EvtxFormatError && e.code === 'truncated' && e.offset >= start,
  );
  const bad = new Bytes(600);
  bad.u8(0x0f, 1, 1, 0, 0x10);
  assert.throws(
    () => parseRecordXml(bad.ctx(), 600, bad.pos),
    (e: unknown) => e instanceof EvtxFormatError && e.code === 'bad-token' && e.offset === 604,
  );
});

test('records without templates: attributes with text, char and entity references, CDATA', () => {
  const b = new Bytes(700);
  const start = b.pos;
  b.u8(0x0f, 1, 1, 0);
  b.u8(0x41).u32(0).name('Event').u32(0);
  b.u8(0x06).name('Kind').u8(0x05, 0x01).u16(1).utf16('x');
  b.u8(0x02);
  b.u8(0x01).u32(0).name('EventData').u8(0x02);
  b.u8(0x01).u32(0).name('Note').u8(0x02);
  b.u8(0x05, 0x01).u16(2).utf16('a ').u8(0x08).u16(0x41).u8(0x09).name('amp').u8(0x07).u16(3).utf16('<b>');
  b.u8(0x04, 0x04, 0x04, 0x00);
  const nodes = parseRecordXml(b.ctx(), start, b.pos);
  const f = extractFields(nodes, 1e6);
  assert.equal(f.data.get('Note'), 'a A&<b>');
  assert.match(renderXml({ nodes }), /<Event Kind="x">/);
  assert.match(renderXml({ nodes }), /<Note>a A&amp;&lt;b&gt;<\/Note>/);
});

test('a template that instantiates itself is refused, not followed forever', () => {
  const b = new Bytes(800);
  const start = b.pos;
  b.u8(0x0f, 1, 1, 0);
  // Instance referring to a definition at 900 whose body is an instance of itself.
  b.u8(0x0c, 1).u32(0).u32(900);
  b.u32(0);
  const def = new Bytes(900);
  def.buf.set(b.buf.subarray(0, 900));
  def.u32(0).u8(...new Array<number>(16).fill(0)).u32(14);
  def.u8(0x0f, 1, 1, 0, 0x0c, 1).u32(0).u32(900).u32(0);
  assert.throws(
    () => parseRecordXml(def.ctx(), start, start + 14),
    (e: unknown) => e instanceof EvtxFormatError && e.code === 'bad-template',
  );
});

test('element nesting beyond the limit is a limit-exceeded error, not a stack overflow', () => {
  const b = new Bytes(512);
  const start = b.pos;
  b.u8(0x0f, 1, 1, 0);
  const nameAt = b.pos + 5;
  b.u8(0x01).u32(0).name('x').u8(0x02);
  for (let i = 0; i < 5000; i++) b.u8(0x01).u32(0).nameRef(nameAt).u8(0x02);
  assert.throws(
    () => parseRecordXml(b.ctx(), start, b.pos),
    (e: unknown) => e instanceof EvtxFormatError && e.code === 'limit-exceeded',
  );
});

// ---------------------------------------------------------------------------------------------
// Whole files, written by our writer and then damaged on purpose

function sampleEvents(n: number): WriteEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    time: new Date(Date.UTC(2026, 0, 2, 3, 4, 5) + i * 1000),
    provider: 'Microsoft-Windows-Sysmon',
    providerGuid: '{5770385F-C22A-43E0-BF4C-06F5698FFBD9}',
    eventId: 1,
    channel: 'Microsoft-Windows-Sysmon/Operational',
    computer: 'WKS-1',
    eventData: [
      ['Image', 'C:\\Windows\\System32\\cmstp.exe'],
      ['CommandLine', `cmstp.exe /s /ns C:\\Users\\u\\AppData\\Local\\Temp\\p${i}.inf`],
    ],
  }));
}

function drain(items: Generator<EvtxItem, EvtxFileSummary>): { records: EvtxItem[]; problems: EvtxItem[]; summary: EvtxFileSummary } {
  const records: EvtxItem[] = [];
  const problems: EvtxItem[] = [];
  for (;;) {
    const next = items.next();
    if (next.done === true) return { records, problems, summary: next.value };
    (next.value.ok ? records : problems).push(next.value);
  }
}

const codes = (items: EvtxItem[]): string[] => items.map((i) => (i.ok ? 'ok' : i.diagnostic.code));

test('a clean file: every record, no diagnostics, header and checksums agree', () => {
  const bytes = writeEvtx(sampleEvents(40));
  const { records, problems, summary } = drain(readEvtxBytes(bytes, 'clean.evtx'));
  assert.equal(records.length, 40);
  assert.deepEqual(codes(problems), []);
  assert.equal(summary.records, 40);
  const first = records[0]!;
  assert.ok(first.ok);
  assert.equal(first.record.system.eventId, 1);
  assert.equal(first.record.system.timeCreated, '2026-01-02T03:04:05.0000000Z');
  assert.equal(first.record.data.get('CommandLine'), 'cmstp.exe /s /ns C:\\Users\\u\\AppData\\Local\\Temp\\p0.inf');
  assert.equal(first.record.origin.offset, 4096 + 512);
});

test('checksum mismatches are reported as warnings and the records still read', () => {
  const bytes = Buffer.from(writeEvtx(sampleEvents(10)));
  bytes[4096 + 700] = bytes[4096 + 700]! ^ 0x20; // inside a record's text
  bytes[4096 + 100] = 0x55; // chunk header, outside the fields we use
  bytes[5] = 0x41; // file header signature byte and so its CRC
  const { records, problems } = drain(readEvtxBytes(bytes, 'crc.evtx'));
  assert.equal(records.length, 10);
  assert.deepEqual(codes(problems).sort(), ['bad-file-header', 'chunk-data-checksum', 'chunk-header-checksum']);
  assert.ok(problems.every((p) => !p.ok && p.diagnostic.severity === 'warning'));
});

test('garbage in the middle of live records is skipped and reading resumes at the next record', () => {
  const bytes = Buffer.from(writeEvtx(sampleEvents(10)));
  const chunk = 4096;
  // Overwrite the third record's header with garbage.
  let pos = chunk + 512;
  for (let i = 0; i < 2; i++) pos += bytes.readUInt32LE(pos + 4);
  bytes.fill(0x41, pos, pos + 16);
  const { records, problems } = drain(readEvtxBytes(bytes, 'torn.evtx'));
  assert.equal(records.length, 9);
  const errors = problems.filter((p) => !p.ok && p.diagnostic.severity === 'error');
  assert.deepEqual(codes(errors), ['bad-record-header']);
  const d = errors[0]!;
  assert.ok(!d.ok && d.diagnostic.offset === pos && d.diagnostic.chunk === 0);
});

test('a record whose trailing size copy disagrees is still decoded, with a warning', () => {
  const bytes = Buffer.from(writeEvtx(sampleEvents(3)));
  const pos = 4096 + 512;
  const size = bytes.readUInt32LE(pos + 4);
  bytes.writeUInt32LE(size + 8, pos + size - 4);
  // Keep the data checksum right so that only the size copy is at issue.
  const free = bytes.readUInt32LE(4096 + 48);
  bytes.writeUInt32LE(crc32(bytes, 4096 + 512, 4096 + free), 4096 + 52);
  bytes.writeUInt32LE(chunkHeaderChecksum(bytes.subarray(4096, 4096 + 65536)), 4096 + 124);
  const { records, problems } = drain(readEvtxBytes(bytes, 'sizecopy.evtx'));
  assert.equal(records.length, 3);
  assert.deepEqual(codes(problems), ['record-size-mismatch']);
});

test('carving finds a record left in slack space and marks it recovered', () => {
  const bytes = Buffer.from(writeEvtx(sampleEvents(3)));
  const base = 4096;
  const free = bytes.readUInt32LE(base + 48);
  const lastOffset = bytes.readUInt32LE(base + 44);
  // Pretend the last record was never committed: move the free-space offset back over it.
  bytes.writeUInt32LE(lastOffset, base + 48);
  bytes.writeUInt32LE(crc32(bytes, base + 512, base + lastOffset), base + 52);
  bytes.writeUInt32LE(chunkHeaderChecksum(bytes.subarray(base, base + 65536)), base + 124);
  assert.ok(free > lastOffset);
  // Without carving the record is still found, since it continues the id sequence of the chunk;
  // so break the sequence by giving it an id far away.
  bytes.writeUInt32LE(999, base + lastOffset + 8);
  const plain = drain(readEvtxBytes(bytes, 'slack.evtx'));
  assert.equal(plain.records.length, 2);
  const carved = drain(readEvtxBytes(bytes, 'slack.evtx', { carve: true }));
  assert.equal(carved.records.length, 3);
  assert.equal(carved.summary.recovered, 1);
  const last = carved.records[2]!;
  assert.ok(last.ok && last.record.origin.recovered && last.record.recordId === 999);
});

test('files that are not EVTX, empty or cut short say so and yield nothing', () => {
  const empty = drain(readEvtxBytes(new Uint8Array(0), 'empty.evtx'));
  assert.deepEqual(codes(empty.problems), ['empty-file']);
  const text = drain(readEvtxBytes(Buffer.from('not an event log\n'.repeat(400)), 'text.evtx'));
  assert.deepEqual(codes(text.problems), ['bad-file-header', 'bad-chunk-magic', 'not-evtx']);
  const whole = writeEvtx(sampleEvents(5));
  // Cut inside the third record: the first (which carries the templates) and second survive.
  const second = 4096 + 512 + whole[4096 + 512 + 4]! + (whole[4096 + 512 + 5]! << 8);
  const third = second + whole[second + 4]! + (whole[second + 5]! << 8);
  const cut = drain(readEvtxBytes(whole.subarray(0, third + 40), 'cut.evtx'));
  // The third record's header survives and its template is known, so it decodes with its
  // values gone (as a half-written record does), flagged by its missing size copy.
  assert.equal(cut.records.length, 3);
  const torn = cut.records[2]!;
  assert.ok(torn.ok && torn.record.data.size === 0 && torn.record.system.eventId === null);
  assert.deepEqual(codes(cut.problems), ['truncated-chunk', 'chunk-data-checksum', 'record-size-mismatch']);
});

test('a template reused from an earlier chunk must match byte for byte, or it is parsed anew', () => {
  const bytes = Buffer.from(writeEvtx(sampleEvents(6), { chunkRecordLimit: 3 }));
  const second = 4096 + 65536;
  const needle = Buffer.from('WKS-1', 'utf16le');
  const at = bytes.indexOf(needle, second);
  assert.ok(at > second && at < second + 65536, 'the second chunk defines the System template again');
  bytes.write('WKS-2', at, 'utf16le');
  const { records } = drain(readEvtxBytes(bytes, 'two-chunks.evtx'));
  const computers = records.map((r) => (r.ok ? r.record.system.computer : null));
  assert.deepEqual(computers, ['WKS-1', 'WKS-1', 'WKS-1', 'WKS-2', 'WKS-2', 'WKS-2']);
});
