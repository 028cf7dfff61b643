// Windows XML exports (src/sources/xml.ts): wevtutil, Get-WinEvent ToXml, <Events> files and
// evtxexport output, read field by field from small invented fixtures; malformed elements are
// reported where they go wrong and cost only themselves; chunk boundaries, gzip and UTF-16 change
// nothing; the caps hold.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { openInput } from '../src/sources/input.js';
import { parseEventXml, readXmlSource } from '../src/sources/xml.js';
import type { XmlReadOptions } from '../src/sources/xml.js';
import type { SourceDiagnostic, SourceRecord } from '../src/sources/types.js';
import { SYSTEM_VIEW_NAMES } from '../src/sources/windows-view.js';
import { projectRoot } from './support/shared-data.js';
import { chunkedInput, collect } from './support/sources.js';
import type { Read } from './support/sources.js';

const FIXTURES = path.join(projectRoot(), 'test', 'fixtures', 'sources');
const fixture = (name: string): string => path.join(FIXTURES, name);
const PID = SYSTEM_VIEW_NAMES.processId;
const TID = SYSTEM_VIEW_NAMES.threadId;


async function readXml(file: string, options?: XmlReadOptions): Promise<Read> {
  return collect(readXmlSource(await openInput(file), options));
}


function only(read: Read, recordId: number): SourceRecord {
  const found = read.records.filter((r) => r.origin.recordId === recordId);
  assert.equal(found.length, 1, `one record ${recordId}`);
  return found[0]!;
}

function comparable(read: Read): unknown[] {
  return read.items.map((i) => (i.ok ? { view: i.record.view.toObject(), origin: { ...i.record.origin, path: '' } } : { ...i.diagnostic, path: '' }));
}

test('wevtutil output: a CMSTP process creation, field by field', async () => {
  const read = await readXml(fixture('wevtutil-sysmon.xml'));
  assert.deepEqual(read.diagnostics, []);
  assert.equal(read.records.length, 6);
  const r = only(read, 40211);
  assert.equal(r.kind, 'windows');
  assert.equal(r.raw, r.view);
  assert.deepEqual(r.origin, { path: fixture('wevtutil-sysmon.xml'), format: 'xml', shape: 'windows-xml', recordId: 40211, line: 1, offset: 0, recovered: false });
  const v = r.view;
  assert.equal(v.get('EventID'), 1);
  assert.equal(v.get('Version'), 5);
  assert.equal(v.get('Level'), 4);
  assert.equal(v.get('Task'), 1);
  assert.equal(v.get('Opcode'), 0);
  assert.equal(v.get('Keywords'), '0x8000000000000000');
  assert.equal(v.get('Channel'), 'Microsoft-Windows-Sysmon/Operational');
  assert.equal(v.get('Provider_Name'), 'Microsoft-Windows-Sysmon');
  assert.equal(v.get('Provider_Guid'), '{5770385f-c22a-43e0-bf4c-06f5698ffbd9}');
  assert.equal(v.get('Computer'), 'FIN-WS07.corp.example');
  assert.equal(v.get('TimeCreated'), '2023-03-14T09:26:53.1183452Z');
  assert.equal(v.get('EventRecordID'), 40211);
  assert.equal(v.get(PID), 3012);
  assert.equal(v.get(TID), 4120);
  assert.equal(v.get('UserID'), 'S-1-5-18');
  assert.equal(v.has('Correlation_ActivityID'), false);
  // Data stays text; entities and character references are decoded.
  assert.equal(v.get('ProcessId'), '6644');
  assert.equal(v.get('Image'), 'C:\\Windows\\System32\\cmstp.exe');
  assert.equal(v.get('CommandLine'), '"C:\\Windows\\System32\\cmstp.exe" /au /s C:\\Users\\alice\\AppData\\Local\\Temp\\vpn&sync.inf');
  assert.equal(v.get('Product'), 'Microsoft® Windows® Operating System');
  assert.equal(v.get('OriginalFileName'), 'CMSTP.EXE');
  assert.equal(v.get('ParentImage'), 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe');
  assert.equal(v.get('RuleName'), 'technique_id=T1218.003,technique_name=CMSTP');
  // System first, then the data in document order.
  assert.deepEqual(v.keys().slice(0, 2), ['EventID', 'Channel']);
  assert.equal(v.keys()[v.keys().indexOf('RuleName') + 1], 'UtcTime');
});

test('wevtutil output: elements back to back on one line, a registry event after the process creation', async () => {
  const read = await readXml(fixture('wevtutil-sysmon.xml'));
  const text = readFileSync(fixture('wevtutil-sysmon.xml'), 'utf8');
  const r = only(read, 40214);
  // The second element starts on line 1, right after the first one's </Event>.
  const at = text.indexOf('</Event>') + '</Event>'.length;
  assert.equal(r.origin.line, 1);
  assert.equal(r.origin.offset, Buffer.byteLength(text.slice(0, at)));
  assert.equal(r.view.get('EventID'), 13);
  assert.equal(r.view.get('EventType'), 'SetValue');
  assert.equal(r.view.get('Image'), 'C:\\Windows\\system32\\DllHost.exe');
  assert.equal(r.view.get('TargetObject'), 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\App Paths\\CMMGR32.EXE\\ProfileInstallPath');
  assert.equal(r.view.get('Details'), 'C:\\Users\\alice\\AppData\\Local\\Temp\\');
  assert.deepEqual(
    read.records.map((x) => x.origin.line),
    [1, 1, 2, 3, 4, 6],
  );
});

test('UserData leaves are flattened by local name; RenderingInfo contributes nothing', async () => {
  const r = only(await readXml(fixture('wevtutil-sysmon.xml')), 88120);
  const v = r.view;
  assert.equal(v.get('EventID'), 1102);
  assert.equal(v.get('Channel'), 'Security');
  assert.equal(v.get('Level'), 4);
  assert.equal(v.get('Task'), 104);
  assert.equal(v.get('SubjectUserSid'), 'S-1-5-21-1604529354-1295832394-4197355770-1104');
  assert.equal(v.get('SubjectUserName'), 'alice');
  assert.equal(v.get('SubjectDomainName'), 'CORP');
  assert.equal(v.get('SubjectLogonId'), '0xb2e5d');
  assert.equal(v.has('UserID'), false);
  for (const name of ['Message', 'Keyword', 'Culture', 'Provider', 'LogFileCleared']) assert.equal(v.has(name), false, name);
  assert.deepEqual(v.keys().slice(-4), ['SubjectUserSid', 'SubjectUserName', 'SubjectDomainName', 'SubjectLogonId']);
});

test('Qualifiers, EventSourceName, Binary, unnamed Data and repeated names', async () => {
  const read = await readXml(fixture('wevtutil-sysmon.xml'));
  const scm = only(read, 5120).view;
  assert.equal(scm.get('EventID'), 7036);
  assert.equal(scm.get('Qualifiers'), 16384);
  assert.equal(scm.get('Provider_Name'), 'Service Control Manager');
  assert.equal(scm.get('param1'), 'Remote Access Connection Manager');
  assert.equal(scm.get('param2'), 'running');
  assert.equal(scm.get('Binary'), '5200610073004D0061006E002F0034000000');

  const msi = only(read, 2231).view;
  assert.equal(msi.get('Provider_Name'), 'MsiInstaller');
  assert.equal(msi.has('Provider_Guid'), false);
  assert.equal(msi.get('Qualifiers'), 0);
  assert.deepEqual(msi.get('Data'), ['Product: Contoso VPN Client -- Installation completed successfully.', '(NULL)', '(NULL)']);
  assert.equal(msi.get('Binary'), '7B34463344463543362D313833452D343145382D413233352D3030433941314345424133417D');
  assert.equal(msi.get('UserID'), 'S-1-5-21-1604529354-1295832394-4197355770-1104');

  const vpn = only(read, 77).view;
  assert.equal(vpn.get('Correlation_ActivityID'), '{9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d}');
  assert.equal(vpn.get('TimeCreated'), '2023-03-14T09:27:15.2500000Z');
  // Consecutive Data elements of one name: one array-typed value, as the EVTX reader has it.
  assert.deepEqual(vpn.get('Server'), ['vpn1.corp.example', 'vpn2.corp.example', 'vpn3.corp.example']);
  assert.equal(vpn.has('Server_1'), false);
  // Data named like a System field does not hide it.
  assert.equal(vpn.get('EventID'), 300);
  assert.equal(vpn.get('EventData_EventID'), '42');
});

test('repeated Data names: consecutive ones are one array value (as EVTX has it), others suffixed _1, _2', async () => {
  // evtxexport and wevtutil write an array-typed value (IoCount: [346, 21] in the EVTX reader)
  // as one <Data> element per item, all with the same Name.
  const data = [
    "<Data Name='IoCount'>346</Data><Data Name='IoCount'>21</Data>",
    "<Data Name='Other'>x</Data>",
    "<Data Name='IoCount'>7</Data>",
    "<Data Name='Path'>a</Data><Data>unnamed</Data><Data Name='Path'>b</Data>",
    "<Data Name='Other'>y</Data><Data Name='Other'>z</Data><Data Name='Other'/>",
  ].join('');
  const text = `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='P'/><EventID>1</EventID><Channel>C</Channel></System><EventData>${data}</EventData></Event>\n`;
  const read = await collect(readXmlSource(chunkedInput('arrays.xml', Buffer.from(text), 5)));
  assert.deepEqual(read.diagnostics, []);
  assert.equal(read.records.length, 1);
  assert.deepEqual(
    [...read.records[0]!.view.entries()].slice(3),
    [
      ['IoCount', ['346', '21']],
      ['Other', 'x'],
      ['IoCount_1', '7'],
      ['Path', 'a'],
      ['Data', 'unnamed'],
      ['Path_1', 'b'],
      ['Other_1', ['y', 'z', '']],
    ],
  );
});

test('Get-WinEvent ToXml output: CRLF lines, Security 4688 and a multi-line script block', async () => {
  const read = await readXml(fixture('get-winevent.xml'));
  assert.deepEqual(read.diagnostics, []);
  assert.equal(read.records.length, 2);
  const [sec, ps] = read.records as [SourceRecord, SourceRecord];
  assert.equal(sec.origin.line, 1);
  assert.equal(sec.view.get('EventID'), 4688);
  assert.equal(sec.view.get('Level'), 0);
  assert.equal(sec.view.get('Keywords'), '0x8020000000000000');
  assert.equal(sec.view.get(PID), 4);
  assert.equal(sec.view.get('NewProcessName'), 'C:\\Windows\\System32\\cmstp.exe');
  assert.equal(sec.view.get('CommandLine'), '"C:\\Windows\\System32\\cmstp.exe" /au /s C:\\Users\\alice\\AppData\\Local\\Temp\\vpn.inf');
  assert.equal(sec.view.get('TokenElevationType'), '%%1938');
  assert.equal(sec.view.get('ProcessId'), '0x1458');
  assert.equal(ps.origin.line, 2);
  assert.equal(ps.view.get('EventID'), 4104);
  assert.equal(ps.view.get('Correlation_ActivityID'), '{4f1e6d3c-2b1a-0000-7d5c-3e2f1a0b9c8d}');
  assert.equal(
    ps.view.get('ScriptBlockText'),
    '$inf = "$env:TEMP\\vpn.inf"\r\nif ((Get-Item $inf).Length -gt 0 -and $true) { cmstp.exe /au /s $inf }\r\n# <done> & \'ok\'',
  );
  assert.equal(ps.view.get('Path'), '');
});

test('<Events> files: pretty-printed, prefixed names, comments and CDATA that mention </Event>', async () => {
  const read = await readXml(fixture('events-root.xml'));
  assert.deepEqual(read.diagnostics, []);
  assert.deepEqual(
    read.records.map((r) => [r.origin.recordId, r.origin.line]),
    [
      [40213, 4],
      [40210, 35],
      [9119, 53],
    ],
  );
  const [load, file, ps] = read.records as [SourceRecord, SourceRecord, SourceRecord];
  assert.equal(load.view.get('EventID'), 7);
  assert.equal(load.view.get('ImageLoaded'), 'C:\\Windows\\System32\\cmstplua.dll');
  assert.equal(load.view.get('Description'), "Microsoft Connection Manager Admin API Helper 'CMSTPLUA'");
  assert.equal(load.view.get('Signed'), 'true');
  assert.equal(file.view.get('EventID'), 11);
  assert.equal(file.view.get('Channel'), 'Microsoft-Windows-Sysmon/Operational');
  assert.equal(file.view.get('TargetFilename'), 'C:\\Users\\alice\\AppData\\Local\\Temp\\vpn.inf');
  assert.equal(file.view.has('Opcode'), false);
  assert.equal(
    ps.view.get('ScriptBlockText'),
    "$x = '<Event>'; # not an element: </Event>\nStart-Process cmstp.exe -ArgumentList '/au','/s',\"$env:TEMP\\vpn.inf\" -WindowStyle Hidden",
  );
});

test('evtxexport output: the banner line is skipped, 9-digit times are normalised', async () => {
  const read = await readXml(fixture('evtxexport.xml'));
  assert.deepEqual(read.diagnostics, []);
  assert.equal(read.records.length, 1);
  const r = read.records[0]!;
  assert.equal(r.origin.line, 3);
  assert.equal(r.origin.offset, 'evtxexport 20181227\n\n'.length);
  assert.equal(r.view.get('TimeCreated'), '2023-03-14T09:26:53.1183452Z');
  assert.equal(r.view.get('RuleName'), '');
  assert.equal(r.view.get('Image'), 'C:\\Windows\\System32\\cmstp.exe');
  assert.equal(r.view.get('CommandLine'), '"C:\\Windows\\System32\\cmstp.exe" /au /s C:\\Users\\alice\\AppData\\Local\\Temp\\vpn.inf');
});

test('malformed elements are reported where they go wrong, skipped, and reading goes on', async () => {
  const file = fixture('bad-elements.xml');
  const read = await readXml(file);
  const lines = readFileSync(file, 'utf8').split('\n');
  assert.deepEqual(
    read.records.map((r) => r.origin.recordId),
    [500, 504],
  );
  assert.deepEqual(
    read.records.map((r) => r.origin.line),
    [1, 5],
  );
  assert.equal(read.diagnostics.length, 3);
  for (const d of read.diagnostics) {
    assert.equal(d.code, 'bad-xml');
    assert.equal(d.severity, 'error');
    assert.equal(d.rejected, true);
    assert.equal(d.path, file);
  }
  const [mismatch, entity, cut] = read.diagnostics as [SourceDiagnostic, SourceDiagnostic, SourceDiagnostic];
  assert.equal(mismatch.line, 2);
  assert.equal(mismatch.column, lines[1]!.indexOf('</Dta>') + 1);
  assert.match(mismatch.message, /expected <\/Data>, found <\/Dta>/);
  assert.equal(mismatch.offset, lines[0]!.length + 1 + lines[1]!.indexOf('</Dta>'));
  assert.equal(entity.line, 3);
  assert.equal(entity.column, lines[2]!.indexOf('&nbsp;') + 1);
  assert.match(entity.message, /unknown entity &nbsp;/);
  // The cut element is found out where the next one starts.
  assert.equal(cut.line, 5);
  assert.equal(cut.column, 1);
  assert.match(cut.message, /starts at line 4/);
  // Every element is either a record or a rejected diagnostic.
  const elements = lines.filter((l) => l.startsWith('<Event')).length;
  assert.equal(read.records.length + read.diagnostics.filter((d) => d.rejected).length, elements);
});

test('an element cut off by the end of the input is reported at the end', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cmstp-xml-'));
  try {
    const good = readFileSync(fixture('get-winevent.xml'), 'utf8').split('\r\n')[0]!;
    const file = path.join(dir, 'cut.xml');
    const text = `${good}\n${good.slice(0, 300)}`;
    writeFileSync(file, text);
    const read = await readXml(file);
    assert.equal(read.records.length, 1);
    assert.equal(read.diagnostics.length, 1);
    const d = read.diagnostics[0]!;
    assert.equal(d.code, 'bad-xml');
    assert.equal(d.rejected, true);
    assert.equal(d.line, 2);
    assert.equal(d.column, 301);
    assert.equal(d.offset, Buffer.byteLength(text));
    assert.match(d.message, /end of input/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an XML file without events says so, as a warning', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cmstp-xml-'));
  try {
    const file = path.join(dir, 'other.xml');
    writeFileSync(file, '<?xml version="1.0"?>\n<Report><Item name="cmstp.exe"/></Report>\n');
    const read = await readXml(file);
    assert.equal(read.records.length, 0);
    assert.equal(read.diagnostics.length, 1);
    assert.equal(read.diagnostics[0]!.severity, 'warning');
    assert.equal(read.diagnostics[0]!.rejected, false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('chunk boundaries anywhere change nothing', async () => {
  for (const name of ['wevtutil-sysmon.xml', 'events-root.xml', 'bad-elements.xml', 'get-winevent.xml']) {
    const bytes = readFileSync(fixture(name));
    const whole = comparable(await collect(readXmlSource(chunkedInput(name, bytes, bytes.length))));
    for (const size of [1, 2, 7, 64]) {
      const cut = comparable(await collect(readXmlSource(chunkedInput(name, bytes, size))));
      assert.deepEqual(cut, whole, `${name} in chunks of ${size}`);
    }
    // A UTF-8 byte order mark, even split across chunks, is not content: lines and columns stay.
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]);
    const shifted = (whole as Array<{ offset?: number | null; origin?: { offset: number | null } }>).map((x) =>
      x.origin !== undefined ? { ...x, origin: { ...x.origin, offset: x.origin.offset === null ? null : x.origin.offset + 3 } } : { ...x, offset: x.offset === null || x.offset === undefined ? x.offset : x.offset + 3 },
    );
    for (const size of [1, 2, bom.length]) {
      assert.deepEqual(comparable(await collect(readXmlSource(chunkedInput(name, bom, size)))), shifted, `${name} with a BOM in chunks of ${size}`);
    }
  }
});

test('gzip-compressed and UTF-16 exports read the same as plain UTF-8', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cmstp-xml-'));
  try {
    const name = 'get-winevent.xml';
    const text = readFileSync(fixture(name), 'utf8');
    const plain = await readXml(fixture(name));
    const gz = path.join(dir, `${name}.gz`);
    writeFileSync(gz, gzipSync(Buffer.from(text)));
    const input = await openInput(gz);
    assert.equal(input.gzip, true);
    const zipped = await collect(readXmlSource(input));
    assert.deepEqual(comparable(zipped), comparable(plain));
    // PowerShell 5's `>` writes UTF-16LE with a BOM; offsets are then those of the UTF-8 text.
    const utf16 = path.join(dir, 'utf16.xml');
    writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const wide = await readXml(utf16);
    assert.deepEqual(comparable(wide), comparable(plain));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('caps: element size, nesting depth and attribute count', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cmstp-xml-'));
  try {
    const good = readFileSync(fixture('get-winevent.xml'), 'utf8').split('\r\n')[0]!;
    const deep = good.replace('<EventData>', `<EventData>${'<x>'.repeat(70)}${'</x>'.repeat(70)}`);
    const attrs = good.replace("<Data Name='NewProcessId'>", `<Data Name='NewProcessId' ${Array.from({ length: 70 }, (_, i) => `a${i}='1'`).join(' ')}>`);
    const file = path.join(dir, 'caps.xml');
    writeFileSync(file, [good, deep, attrs, good].join('\n') + '\n');
    const read = await readXml(file, { limits: { maxElement: good.length + 100 } });
    assert.deepEqual(
      read.records.map((r) => r.origin.line),
      [1, 4],
    );
    assert.deepEqual(
      read.diagnostics.map((d) => [d.code, d.line, d.rejected]),
      [
        ['limit-exceeded', 2, true],
        ['limit-exceeded', 3, true],
      ],
    );
    const big = await readXml(file);
    assert.deepEqual(
      big.diagnostics.map((d) => [d.code, d.line, d.column]),
      [
        ['bad-xml', 2, deep.indexOf('<x>') + 1 + 62 * 3],
        ['bad-xml', 3, attrs.indexOf('a63=') + 1],
      ],
    );
    assert.match(big.diagnostics[0]!.message, /nested deeper than 64/);
    assert.match(big.diagnostics[1]!.message, /more than 64 attributes/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('parseEventXml: one element, as Splunk _raw holds it', () => {
  const good = readFileSync(fixture('get-winevent.xml'), 'utf8').split('\r\n')[0]!;
  const ok = parseEventXml(`<?xml version="1.0"?>\n${good}\n`);
  assert.ok('view' in ok);
  assert.equal(ok.view.get('EventID'), 4688);
  assert.equal(ok.view.get('NewProcessName'), 'C:\\Windows\\System32\\cmstp.exe');
  const bad = parseEventXml(good.replace("<Data Name='TargetUserName'>-</Data>", "<Data Name='TargetUserName' Name='x'>-</Data>"));
  assert.ok('error' in bad);
  assert.match(bad.error, /duplicate attribute Name/);
  assert.equal(bad.line, 1);
  assert.equal(bad.column, good.indexOf("<Data Name='TargetUserName'") + "<Data Name='TargetUserName' ".length + 1);
  for (const [text, message] of [
    ['', /expected an <Event> element/],
    ['<Record/>', /found <Record>/],
    ['<Event><EventData/></Event>', /no <System> element/],
    ['<Event><System></Event>', /expected <\/System>, found <\/Event>/],
    ["<Event a='1' a='2'/>", /duplicate attribute a/],
    ['<Event><System/></Event><Event/>', /after the <\/Event>/],
    ['<Event><System/><!DOCTYPE x></Event>', /markup declaration/],
    ['<Event><System/>&#0;</Event>', /invalid character reference/],
    ["<Event x='a<b'><System/></Event>", /'<' in the value/],
  ] as const) {
    const r = parseEventXml(text);
    assert.ok('error' in r, text);
    assert.match(r.error, message, text);
  }
});
