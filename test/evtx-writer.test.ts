// Tests for the EVTX writer. libevtx's `evtxexport` is the judge of the files as a whole;
// the byte-layout tests cover what it does not check (it ignores CRCs and the hash tables).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filetimeFromDate, writeEvtx, type WriteEvent, type WriteValue } from '../src/evtx/writer/index.js';
import { crc32, crc32Table } from '../src/evtx/crc32.js';
import { guidHash, nameHash, utf16Hash } from '../src/evtx/writer/hash.js';
import { encodeGuid, encodeSid } from '../src/evtx/writer/values.js';

// ---------------------------------------------------------------------------------------------
// Event fixtures

const SYSMON = {
  provider: 'Microsoft-Windows-Sysmon',
  providerGuid: '{5770385F-C22A-43E0-BF4C-06F5698FFBD9}',
  channel: 'Microsoft-Windows-Sysmon/Operational',
  computer: 'WKS-TEST-01.corp.example',
  userId: 'S-1-5-18',
  level: 4,
  opcode: 0,
  keywords: 0x8000000000000000n,
  processId: 3104,
  threadId: 4012,
} as const;

const hex = (n: number, width: number): string => n.toString(16).toUpperCase().padStart(width, '0');
const guid = (a: number, b: number): string => `{6E1B2C3D-${hex(a & 0xffff, 4)}-6A1F-0000-0010${hex(b, 8)}}`;

function sysmon1(i: number): WriteEvent {
  const time = new Date(Date.UTC(2026, 2, 14, 9, 0, 0, 0) + i * 1234);
  const image = i % 2 === 0 ? 'C:\\Windows\\System32\\cmd.exe' : 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe';
  return {
    ...SYSMON,
    eventId: 1,
    version: 5,
    task: 1,
    time,
    eventData: [
      ['RuleName', i % 3 === 0 ? 'technique_id=T1218.003' : ''],
      ['UtcTime', time.toISOString().replace('T', ' ').replace('Z', '')],
      ['ProcessGuid', { type: 'guid', value: guid(i, 0x1000 + i) }],
      ['ProcessId', { type: 'uint32', value: 4000 + i }],
      ['Image', image],
      ['FileVersion', '10.0.19041.1 (WinBuild.160101.0800)'],
      ['Description', 'Windows Command Processor'],
      ['Product', 'Microsoft® Windows® Operating System'],
      ['Company', 'Microsoft Corporation'],
      ['OriginalFileName', 'Cmd.Exe'],
      ['CommandLine', `${image} /c echo run ${i} & dir "C:\\Temp\\<x>" ${'-'.repeat(i % 40)}`],
      ['CurrentDirectory', 'C:\\Users\\j.doe\\'],
      ['User', 'CORP\\j.doe'],
      ['LogonGuid', { type: 'guid', value: '{6E1B2C3D-0001-6A1F-0000-0020E7030000}' }],
      ['LogonId', { type: 'hex64', value: 0x3e7n + BigInt(i) }],
      ['TerminalSessionId', { type: 'uint32', value: 1 }],
      ['IntegrityLevel', i % 5 === 0 ? 'High' : 'Medium'],
      ['Hashes', `SHA256=${hex(0xabcdef00 + i, 8).repeat(8)}`],
      ['ParentProcessGuid', { type: 'guid', value: guid(i + 1, 0x2000) }],
      ['ParentProcessId', { type: 'uint32', value: 3000 }],
      ['ParentImage', 'C:\\Windows\\explorer.exe'],
      ['ParentCommandLine', 'C:\\Windows\\Explorer.EXE'],
      ['ParentUser', 'CORP\\j.doe'],
    ],
  };
}

const logCleared = (time: Date): WriteEvent => ({
  provider: 'Microsoft-Windows-Eventlog',
  providerGuid: '{FC65DDD8-D6EF-4962-83D5-6E5CFE9CE148}',
  eventId: 1102,
  version: 0,
  level: 4,
  task: 104,
  keywords: 0x4020000000000000n,
  processId: 812,
  threadId: 3916,
  channel: 'Security',
  computer: 'WKS-TEST-01.corp.example',
  time,
  userData: {
    name: 'LogFileCleared',
    xmlns: 'http://manifests.microsoft.com/win/2004/08/windows/eventlog',
    fields: [
      ['SubjectUserSid', { type: 'sid', value: 'S-1-5-21-1587066498-1489273250-1035260531-1106' }],
      ['SubjectUserName', 'j.doe'],
      ['SubjectDomainName', 'CORP'],
      ['SubjectLogonId', { type: 'hex64', value: 0x17dadn }],
    ],
  },
});

const arrays = (time: Date): WriteEvent => ({
  provider: 'Contoso-Test',
  eventId: 4242,
  qualifiers: 16384,
  channel: 'Application',
  computer: 'WKS-TEST-01.corp.example',
  time,
  eventData: [
    ['Paths', { type: 'stringArray', value: ['C:\\a.inf', 'C:\\b.inf', 'C:\\c.inf'] }],
    ['Enabled', { type: 'bool', value: true }],
    ['Blob', { type: 'binary', value: new Uint8Array([0x4d, 0x5a, 0x90, 0x00, 0xff]) }],
    ['Flags', { type: 'hex32', value: 0x80000001 }],
    ['Seen', { type: 'filetime', value: filetimeFromDate(new Date('2026-01-05T10:20:30.456Z')) + 7n }],
    ['Small', { type: 'uint8', value: 200 }],
    ['Port', { type: 'uint16', value: 443 }],
    ['Big', { type: 'uint64', value: 18446744073709551615n }],
    ['Positive', { type: 'int32', value: 123456 }],
    ['Narrow', { type: 'ansi', value: 'plain ascii' }],
    ['Sid', { type: 'sid', value: 'S-1-5-32-544' }],
  ],
});

// ---------------------------------------------------------------------------------------------
// evtxexport harness

const EVTXEXPORT_MISSING = 'evtxexport not installed: apt-get install libevtx-utils';
const hasEvtxexport = !spawnSync('evtxexport', ['-h'], { encoding: 'utf8' }).error;

/** Skips (or, on CI, fails) a test when libevtx's tools are missing. Returns true to go on. */
function needEvtxexport(t: { skip(message: string): void }): boolean {
  if (hasEvtxexport) return true;
  if (process.env['CI']) assert.fail(EVTXEXPORT_MISSING);
  t.skip(EVTXEXPORT_MISSING);
  return false;
}

interface Exported {
  eventId: number;
  qualifiers: number | undefined;
  recordId: number;
  channel: string;
  computer: string;
  time: string;
  userId: string | undefined;
  /** EventData <Data Name> pairs, or UserData leaves, in document order. */
  data: Array<[string, string]>;
}

function unescapeXml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

function must(re: RegExp, s: string): string {
  const m = re.exec(s);
  assert.ok(m?.[1] !== undefined, `no match for ${re} in:\n${s}`);
  return unescapeXml(m[1]);
}

function parseExport(xml: string): Exported[] {
  return xml
    .split('<Event xmlns=')
    .slice(1)
    .map((ev) => {
      const data: Array<[string, string]> = [];
      const eventData = /<EventData>([\s\S]*?)<\/EventData>/.exec(ev)?.[1];
      const userData = /<UserData>\s*<[^>]+>([\s\S]*?)<\/\w+>\s*<\/UserData>/.exec(ev)?.[1];
      if (eventData !== undefined) {
        for (const m of eventData.matchAll(/<Data Name="([^"]*)"(?:\/>|>([^<]*)<\/Data>)/g)) {
          data.push([unescapeXml(m[1] ?? ''), unescapeXml(m[2] ?? '')]);
        }
      } else if (userData !== undefined) {
        for (const m of userData.matchAll(/<(\w+)(?:\/>|>([^<]*)<\/\1>)/g)) {
          data.push([m[1] ?? '', unescapeXml(m[2] ?? '')]);
        }
      }
      const q = /<EventID Qualifiers="(\d+)">/.exec(ev)?.[1];
      const user = /<Security UserID="([^"]+)"\/>/.exec(ev)?.[1];
      return {
        eventId: Number(must(/<EventID[^>]*>(\d+)<\/EventID>/, ev)),
        qualifiers: q === undefined ? undefined : Number(q),
        recordId: Number(must(/<EventRecordID>(\d+)<\/EventRecordID>/, ev)),
        channel: must(/<Channel>([^<]*)<\/Channel>/, ev),
        computer: must(/<Computer>([^<]*)<\/Computer>/, ev),
        time: must(/<TimeCreated SystemTime="([^"]+)"\/>/, ev),
        userId: user,
        data,
      };
    });
}

/** Writes `bytes` to a temp file and runs evtxexport (and evtxinfo) on it. */
function exportXml(bytes: Uint8Array): { xml: string; info: string } {
  const dir = mkdtempSync(join(tmpdir(), 'evtx-writer-'));
  try {
    const file = join(dir, 'test.evtx');
    writeFileSync(file, bytes);
    const r = spawnSync('evtxexport', ['-f', 'xml', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(r.status, 0, `evtxexport failed:\n${r.stderr}`);
    assert.equal(r.stderr, '', 'evtxexport printed errors');
    const info = spawnSync('evtxinfo', [file], { encoding: 'utf8' });
    assert.equal(info.status, 0);
    return { xml: r.stdout, info: info.stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** evtxexport prints FILETIMEs with 9 fractional digits. */
function exportedTime(ticks: bigint): string {
  const ms = ticks / 10_000n - 11_644_473_600_000n;
  const iso = new Date(Number(ms)).toISOString().slice(0, 19);
  return `${iso}.${(ticks % 10_000_000n).toString().padStart(7, '0')}00Z`;
}

/** The text evtxexport prints for a value; arrays repeat their element once per item. */
function rendered(v: string | WriteValue): string[] {
  if (typeof v === 'string') return [v];
  switch (v.type) {
    case 'string':
    case 'ansi':
    case 'sid':
      return [v.value];
    case 'guid':
      return [`{${v.value.replace(/[{}]/g, '').toUpperCase()}}`];
    case 'hex64':
      return [`0x${v.value.toString(16).padStart(16, '0')}`];
    case 'hex32':
      return [`0x${v.value.toString(16).padStart(8, '0')}`];
    case 'filetime':
      return [exportedTime(v.value)];
    case 'bool':
      return [String(v.value)];
    case 'binary':
      return [Array.from(v.value, (b) => hex(b, 2)).join('')];
    case 'stringArray':
      return v.value;
    case 'uint8':
    case 'uint16':
    case 'uint32':
    case 'int8':
    case 'int16':
    case 'int32':
    case 'uint64':
    case 'int64':
      return [String(v.value)];
    default:
      throw new Error(`no expectation for ${v.type}`);
  }
}

function assertExported(got: Exported, want: WriteEvent, recordId: number): void {
  const what = `record ${recordId}`;
  assert.equal(got.recordId, recordId, what);
  assert.equal(got.eventId, want.eventId, what);
  assert.equal(got.qualifiers, want.qualifiers, what);
  assert.equal(got.channel, want.channel, what);
  assert.equal(got.computer, want.computer, what);
  assert.equal(got.userId, want.userId, what);
  assert.equal(got.time, exportedTime(filetimeFromDate(want.time)), what);
  const fields = want.eventData ?? want.userData?.fields ?? [];
  const expected = fields.flatMap(([name, v]) => rendered(v).map((text): [string, string] => [name, text]));
  assert.deepEqual(got.data, expected, what);
}

// ---------------------------------------------------------------------------------------------
// Byte-level helpers

const u16 = (b: Uint8Array, o: number): number => new DataView(b.buffer, b.byteOffset).getUint16(o, true);
const u32 = (b: Uint8Array, o: number): number => new DataView(b.buffer, b.byteOffset).getUint32(o, true);
const u64 = (b: Uint8Array, o: number): bigint => new DataView(b.buffer, b.byteOffset).getBigUint64(o, true);
const ascii = (b: Uint8Array, o: number, n: number): string => String.fromCharCode(...b.subarray(o, o + n));
const chunkAt = (file: Uint8Array, i: number): Uint8Array => file.subarray(4096 + i * 65536, 4096 + (i + 1) * 65536);

interface ChunkSummary {
  firstNumber: bigint;
  lastNumber: bigint;
  ids: bigint[];
  recordOffsets: number[];
  names: number;
  templates: number;
}

/** Checks one chunk the way a strict reader would and summarises it. */
function checkChunk(c: Uint8Array): ChunkSummary {
  assert.equal(ascii(c, 0, 8), 'ElfChnk\0');
  assert.equal(u32(c, 40), 128);
  const free = u32(c, 48);
  assert.equal(u32(c, 52), crc32(c, 512, free), 'data CRC');
  assert.equal(u32(c, 124), crc32(c, 128, 512, crc32(c, 0, 120)), 'header CRC');
  assert.ok(c.subarray(free).every((b) => b === 0), 'free space is zeroed');

  const ids: bigint[] = [];
  const recordOffsets: number[] = [];
  for (let off = 512; off < free; ) {
    assert.deepEqual([...c.subarray(off, off + 4)], [0x2a, 0x2a, 0, 0]);
    const size = u32(c, off + 4);
    assert.equal(size % 8, 0, 'record size is a multiple of 8');
    assert.equal(u32(c, off + size - 4), size, 'size copy');
    assert.deepEqual([...c.subarray(off + 24, off + 29)], [0x0f, 0x01, 0x01, 0x00, 0x0c]);
    ids.push(u64(c, off + 8));
    recordOffsets.push(off);
    off += size;
    assert.ok(off <= free);
  }
  assert.equal(u32(c, 44), recordOffsets.at(-1) ?? 0, 'last record offset');
  assert.equal(u64(c, 24), ids[0] ?? 0n);
  assert.equal(u64(c, 32), ids.at(-1) ?? 0n);
  const firstNumber = u64(c, 8);
  const lastNumber = u64(c, 16);
  if (ids.length > 0) assert.equal(lastNumber - firstNumber + 1n, BigInt(ids.length));

  // String table: each chain holds names whose hash % 64 is the bucket, written inline after
  // their reference (the u32 before the name points at it).
  let names = 0;
  for (let b = 0; b < 64; b++) {
    for (let o = u32(c, 128 + b * 4); o !== 0; o = u32(c, o)) {
      const count = u16(c, o + 6);
      const name = String.fromCharCode(...Array.from({ length: count }, (_, k) => u16(c, o + 8 + k * 2)));
      assert.equal(u16(c, o + 4), nameHash(name), `hash of ${name}`);
      assert.equal(nameHash(name) % 64, b, `bucket of ${name}`);
      assert.equal(u16(c, o + 8 + count * 2), 0, 'name NUL');
      assert.equal(u32(c, o - 4), o, 'inline name follows its reference');
      names++;
    }
  }
  // Template table: definitions preceded by their 0x0C instance header (0C 01 id offset).
  let templates = 0;
  for (let b = 0; b < 32; b++) {
    for (let o = u32(c, 384 + b * 4); o !== 0; o = u32(c, o)) {
      const g = c.subarray(o + 4, o + 20);
      assert.equal(guidHash(g) % 32, b, 'template bucket');
      assert.deepEqual([...c.subarray(o - 10, o - 8)], [0x0c, 0x01]);
      assert.deepEqual([...c.subarray(o - 8, o - 4)], [...g.subarray(0, 4)], 'template id = GUID prefix');
      assert.equal(u32(c, o - 4), o, 'definition is inline at first use');
      templates++;
    }
  }
  return { firstNumber, lastNumber, ids, recordOffsets, names, templates };
}

// ---------------------------------------------------------------------------------------------
// Pieces evtxexport cannot show

test('crc32 matches the zlib check value and chains over pieces, natively and by table', () => {
  const digits = new TextEncoder().encode('123456789');
  for (const f of [crc32, crc32Table]) {
    assert.equal(f(digits), 0xcbf43926);
    assert.equal(f(new Uint8Array(0)), 0);
    assert.equal(f(digits, 4, 9, f(digits, 0, 4)), 0xcbf43926);
  }
});

test('name hash matches the values Windows stores', () => {
  // Observed in Windows-written Sysmon logs.
  const observed: Record<string, number> = {
    Event: 0x0cba,
    System: 0x546f,
    Provider: 0x7bf1,
    Name: 0x954b,
    EventData: 0x8244,
    Data: 0x6f8a,
  };
  for (const [name, h] of Object.entries(observed)) assert.equal(nameHash(name), h, name);
  assert.equal(utf16Hash(''), 0);
  assert.equal(utf16Hash('A'), 65);
  assert.equal(utf16Hash('AB'), (65 * 65599 + 66) >>> 0);
});

test('template bucket hash puts a Windows template where Windows put it', () => {
  // The Sysmon System template {71332429-C5F1-C1B2-76A9-D70A327B278D} sits in template bucket 1.
  const g = encodeGuid('{71332429-C5F1-C1B2-76A9-D70A327B278D}');
  assert.deepEqual([...g.subarray(0, 4)], [0x29, 0x24, 0x33, 0x71]);
  assert.equal(guidHash(g) % 32, 1);
});

test('GUID, SID and FILETIME encodings', () => {
  assert.deepEqual(
    Buffer.from(encodeGuid('{5770385F-C22A-43E0-BF4C-06F5698FFBD9}')).toString('hex'),
    '5f3870572ac2e043bf4c06f5698ffbd9',
  );
  assert.deepEqual(Buffer.from(encodeSid('S-1-5-18')).toString('hex'), '010100000000000512000000');
  assert.deepEqual(
    Buffer.from(encodeSid('S-1-5-21-1-2-3-500')).toString('hex'),
    '010500000000000515000000010000000200000003000000f4010000',
  );
  assert.throws(() => encodeGuid('not-a-guid'), RangeError);
  assert.throws(() => encodeSid('S-1'), RangeError);
  assert.equal(filetimeFromDate(new Date(0)), 116444736000000000n);
  assert.equal(filetimeFromDate(new Date('2026-01-01T00:00:00.001Z')) % 10_000_000n, 10_000n);
});

test('file header layout and CRC', () => {
  const events = Array.from({ length: 5 }, (_, i) => sysmon1(i));
  const file = writeEvtx(events, { dirty: true });
  assert.equal(file.length, 4096 + 65536);
  assert.equal(ascii(file, 0, 8), 'ElfFile\0');
  assert.equal(u64(file, 8), 0n); // first chunk
  assert.equal(u64(file, 16), 0n); // last chunk
  assert.equal(u64(file, 24), 6n); // next record id
  assert.equal(u32(file, 32), 128);
  assert.equal(u16(file, 36), 1);
  assert.equal(u16(file, 38), 3);
  assert.equal(u16(file, 40), 4096);
  assert.equal(u16(file, 42), 1);
  assert.equal(u32(file, 120), 1); // dirty
  assert.equal(u32(file, 124), crc32(file.subarray(0, 120)));
  assert.ok(file.subarray(128, 4096).every((b) => b === 0));
  assert.equal(u32(writeEvtx(events), 120), 0);
});

test('chunk header, records, string and template tables', () => {
  const events = [sysmon1(0), sysmon1(1), logCleared(new Date('2026-03-14T09:30:00Z')), sysmon1(2)];
  const file = writeEvtx(events);
  const c = chunkAt(file, 0);
  const s = checkChunk(c);
  assert.deepEqual(s.ids, [1n, 2n, 3n, 4n]);
  assert.equal(s.firstNumber, 1n);
  assert.equal(s.lastNumber, 4n);
  // System template (EventData and UserData variants), Sysmon 1 EventData, LogFileCleared.
  assert.equal(s.templates, 4);
  assert.ok(s.names > 30);

  // Record 1 defines the System template inline: its offset field equals the next position.
  const [r1, r2] = s.recordOffsets;
  assert.ok(r1 !== undefined && r2 !== undefined);
  const def = u32(c, r1 + 24 + 4 + 6);
  assert.equal(def, r1 + 24 + 4 + 10);
  // Record 2 has the same shapes, so it points back at record 1's definition and is smaller.
  assert.equal(u32(c, r2 + 24 + 4 + 6), def);
  assert.ok(u32(c, r2 + 4) < u32(c, r1 + 4) / 2);
  // The template definition starts with a fragment header and the <Event> element, whose
  // dependency id is the payload substitution (%17), as Windows writes it.
  const data = def + 24;
  assert.deepEqual([...c.subarray(data, data + 7)], [0x0f, 0x01, 0x01, 0x00, 0x41, 17, 0]);
  assert.equal(u32(c, def + 20), u32(c, data + 7) + 4 + 7 + 1, 'template size = header + element + EOF');
});

test('output is deterministic', () => {
  const events = [...Array.from({ length: 60 }, (_, i) => sysmon1(i)), arrays(new Date('2026-03-14T10:00:00Z'))];
  assert.deepEqual(writeEvtx(events), writeEvtx(events));
});

test('records move to a new chunk when full or at chunkRecordLimit', () => {
  const events = Array.from({ length: 130 }, (_, i) => sysmon1(i));
  const file = writeEvtx(events);
  const chunks = u16(file, 42);
  assert.ok(chunks >= 2, `expected 2+ chunks, got ${chunks}`);
  assert.equal(file.length, 4096 + chunks * 65536);
  const ids: bigint[] = [];
  for (let i = 0; i < chunks; i++) {
    const s = checkChunk(chunkAt(file, i));
    assert.equal(s.firstNumber, BigInt(ids.length + 1), 'record numbers continue across chunks');
    assert.equal(s.templates, 2, 'each chunk defines its own templates');
    ids.push(...s.ids);
  }
  assert.deepEqual(ids, events.map((_, i) => BigInt(i + 1)));

  const limited = writeEvtx(events.slice(0, 7), { chunkRecordLimit: 3 });
  assert.equal(u16(limited, 42), 3);
  assert.deepEqual(checkChunk(chunkAt(limited, 2)).ids, [7n]);
});

test('explicit record ids and the running counter', () => {
  const events = [{ ...sysmon1(0), recordId: 100 }, sysmon1(1), { ...sysmon1(2), recordId: 7 }, sysmon1(3)];
  const file = writeEvtx(events);
  assert.deepEqual(checkChunk(chunkAt(file, 0)).ids, [100n, 101n, 7n, 8n]);
  assert.equal(u64(file, 24), 9n);
});

test('invalid input is rejected', () => {
  const e = sysmon1(0);
  assert.throws(() => writeEvtx([{ ...e, userData: { name: 'X', fields: [] } }]), TypeError);
  assert.throws(() => writeEvtx([{ ...e, eventId: 70000 }]), RangeError);
  assert.throws(() => writeEvtx([{ ...e, eventData: [['V', { type: 'uint8', value: 256 }]] }]), RangeError);
  assert.throws(() => writeEvtx([{ ...e, eventData: [['V', 'x'.repeat(40000)]] }]), RangeError);
  // Each value and the payload stay under 64 KiB, but with the System template the record does not.
  const huge: Array<[string, string]> = Array.from({ length: 2 }, (_, i) => [`F${i}`, 'x'.repeat(16200)]);
  assert.throws(() => writeEvtx([{ ...e, eventData: huge }]), /larger than an empty chunk/);
  assert.throws(() => writeEvtx([e], { chunkRecordLimit: 0 }), RangeError);
  assert.throws(() => writeEvtx([{ ...e, recordId: -1 }]), RangeError);
});

// ---------------------------------------------------------------------------------------------
// evtxexport round trips

test('evtxexport reads back Sysmon, UserData and typed events across chunks', (t) => {
  if (!needEvtxexport(t)) return;
  const start = Date.UTC(2026, 2, 14, 12, 0, 0);
  const events: WriteEvent[] = [];
  for (let i = 0; i < 120; i++) {
    if (i === 40) events.push(logCleared(new Date(start + i * 1000)));
    else if (i === 77) events.push(arrays(new Date(start + i * 1000)));
    else events.push(sysmon1(i));
  }
  const file = writeEvtx(events);
  assert.ok(u16(file, 42) >= 2, 'the log spans several chunks');

  const { xml, info } = exportXml(file);
  assert.match(info, /Number of records\s*: 120\b/);
  assert.doesNotMatch(info, /corrupted/i);
  const got = parseExport(xml);
  assert.equal(got.length, events.length);
  got.forEach((g, i) => {
    const want = events[i];
    assert.ok(want);
    assertExported(g, want, i + 1);
  });
});

test('evtxexport accepts an empty log', (t) => {
  if (!needEvtxexport(t)) return;
  const file = writeEvtx([]);
  assert.equal(file.length, 4096 + 65536);
  const { xml, info } = exportXml(file);
  assert.equal(parseExport(xml).length, 0);
  assert.match(info, /Number of records\s*: 0\b/);
  assert.doesNotMatch(info, /corrupted/i);
});

test('evtxexport shows System defaults and omits null optional values', (t) => {
  if (!needEvtxexport(t)) return;
  const e: WriteEvent = {
    provider: 'Contoso-Minimal',
    eventId: 1,
    channel: 'Application',
    computer: 'HOST',
    time: new Date('2026-06-01T00:00:00Z'),
    eventData: [
      ['Before', 'x'],
      ['Nothing', { type: 'null' }],
      ['After', 'y'],
    ],
  };
  const { xml } = exportXml(writeEvtx([e]));
  assert.match(xml, /<Provider Name="Contoso-Minimal"\/>/);
  assert.match(xml, /<Level>4<\/Level>/);
  assert.match(xml, /<Keywords>0x0000000000000000<\/Keywords>/);
  assert.match(xml, /<Security\/>/);
  // The null field's Data element depends on its (null) value, so libevtx leaves it out.
  assert.deepEqual(parseExport(xml)[0]?.data, [
    ['Before', 'x'],
    ['After', 'y'],
  ]);
});
