// JSON inputs (src/sources/json.ts, json-shapes.ts): NDJSON, arrays, single documents and
// Splunk containers; each shape read field by field from small invented fixtures; bad lines
// reported with their line and column and costing only themselves; the real OTRF CMSTP
// dataset read whole; chunk boundaries and gzip change nothing; the ECS mapping table applied to
// Elastic Defend events.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { openInput } from '../src/sources/input.js';
import { locateJsonError, readJsonSource } from '../src/sources/json.js';
import type { JsonReadOptions } from '../src/sources/json.js';
import { flatten, shapeDocument, toTime } from '../src/sources/json-shapes.js';
import type { SourceRecord } from '../src/sources/types.js';
import { SYSTEM_VIEW_NAMES } from '../src/sources/windows-view.js';
import { normalize, TableSet } from '../src/events/normalize.js';
import { ECS_TABLE } from '../src/events/tables/ecs.js';
import { SECURITY_TABLE } from '../src/events/tables/security.js';
import { SYSMON_TABLE } from '../src/events/tables/sysmon.js';
import { readCsvSource } from '../src/sources/csv.js';
import { projectRoot, requireSharedData } from './support/shared-data.js';
import { chunkedInput, collect } from './support/sources.js';
import type { Read } from './support/sources.js';

const FIXTURES = path.join(projectRoot(), 'test', 'fixtures', 'sources');
const fixture = (name: string): string => path.join(FIXTURES, name);
const PID = SYSTEM_VIEW_NAMES.processId;
const TID = SYSTEM_VIEW_NAMES.threadId;
const CMD = '"C:\\Windows\\System32\\cmstp.exe" /au /s C:\\Users\\alice\\AppData\\Local\\Temp\\vpn.inf';
const CMSTP = 'C:\\Windows\\System32\\cmstp.exe';
const PS = 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe';


async function readJson(file: string, options?: JsonReadOptions): Promise<Read> {
  return collect(readJsonSource(await openInput(file), options));
}


function comparable(read: Read): unknown[] {
  return read.items.map((i) => (i.ok ? { view: i.record.view.toObject(), raw: i.record.raw.toObject(), origin: { ...i.record.origin, path: '' } } : { ...i.diagnostic, path: '' }));
}

/** 1-based numbers of the lines of `file` for which `pred` holds. */
function linesWhere(file: string, pred: (line: string) => boolean): number[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((l, i) => (pred(l) ? [i + 1] : []));
}

test('OTRF-style NDJSON: flat Windows documents, System fields typed, data under its own names', async () => {
  const file = fixture('otrf-sample.ndjson');
  const read = await readJson(file);
  assert.deepEqual(read.diagnostics, []);
  assert.equal(read.records.length, 5);
  // A blank line is skipped, and line numbers stay those of the file.
  assert.deepEqual(
    read.records.map((r) => r.origin.line),
    [1, 3, 4, 5, 6],
  );
  for (const r of read.records) {
    assert.equal(r.kind, 'windows');
    assert.equal(r.origin.format, 'ndjson');
    assert.equal(r.origin.shape, 'otrf-flat');
    assert.equal(r.origin.recordId, null);
  }
  const [p, sec, reg, load] = read.records as [SourceRecord, SourceRecord, SourceRecord, SourceRecord];
  assert.equal(p.origin.offset, 0);
  const text = readFileSync(file);
  assert.equal(sec.origin.offset, text.indexOf('\n\n') + 2);
  const v = p.view;
  assert.equal(v.get('EventID'), 1);
  assert.equal(v.get('Channel'), 'Microsoft-Windows-Sysmon/Operational');
  assert.equal(v.get('Provider_Name'), 'Microsoft-Windows-Sysmon');
  assert.equal(v.get('Provider_Guid'), '{5770385f-c22a-43e0-bf4c-06f5698ffbd9}');
  assert.equal(v.get('Computer'), 'FIN-WS07.corp.example');
  assert.equal(v.get('TimeCreated'), '2023-03-14T09:26:53.1180000Z');
  assert.equal(v.get('Level'), 4);
  assert.equal(v.get('Task'), 1);
  assert.equal(v.get('Keywords'), '0x8000000000000000');
  assert.equal(v.get('Image'), CMSTP);
  assert.equal(v.get('CommandLine'), CMD);
  assert.equal(v.get('ProcessId'), '6644');
  assert.equal(v.get('ParentImage'), PS);
  assert.equal(v.get('OriginalFileName'), 'CMSTP.EXE');
  // The rendered message and collector metadata are not event data; raw keeps everything.
  for (const name of ['Message', '@timestamp', 'Hostname', 'SourceName', 'ProviderGuid']) assert.equal(v.has(name), false, name);
  assert.equal(p.raw.get('Hostname'), 'FIN-WS07.corp.example');
  assert.match(String(p.raw.get('Message')), /^Process Create:/);
  assert.equal(sec.view.get('EventID'), 4688);
  assert.equal(sec.view.get('Level'), 0);
  assert.equal(sec.view.get('TimeCreated'), '2023-03-14T09:26:53.1170331Z');
  assert.equal(sec.view.get('NewProcessName'), CMSTP);
  assert.equal(sec.view.get('ProcessId'), '0x1458');
  assert.equal(reg.view.get('EventType'), 'SetValue');
  assert.equal(reg.view.get('TargetObject'), 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\App Paths\\CMMGR32.EXE\\ProfileInstallPath');
  // EventID as a string is still a number in the view.
  assert.equal(load.view.get('EventID'), 7);
  assert.equal(load.view.get('ImageLoaded'), 'C:\\Windows\\System32\\cmlua.dll');
});

test('the real OTRF CMSTP dataset: 1,166 otrf-flat Windows records, none rejected', async (t) => {
  const dir = requireSharedData(t);
  if (dir === null) return;
  const otrf = path.join(dir, 'otrf');
  const files = readdirSync(otrf).filter((f) => f.endsWith('.json'));
  assert.equal(files.length, 1, 'one OTRF export');
  const read = await readJson(path.join(otrf, files[0]!));
  assert.deepEqual(read.diagnostics, []);
  assert.equal(read.records.length, 1166);
  assert.ok(read.records.every((r) => r.origin.shape === 'otrf-flat' && r.kind === 'windows' && r.origin.format === 'ndjson'));
  const channels = new Map<string, number>();
  for (const r of read.records) channels.set(String(r.view.get('Channel')), (channels.get(String(r.view.get('Channel'))) ?? 0) + 1);
  assert.deepEqual(Object.fromEntries(channels), { Security: 390, 'Microsoft-Windows-Sysmon/Operational': 775, System: 1 });
  assert.ok(read.records.every((r) => typeof r.view.get('EventID') === 'number' && typeof r.view.get('TimeCreated') === 'string'));
  assert.deepEqual(
    read.records.map((r) => r.origin.line),
    Array.from({ length: 1166 }, (_, i) => i + 1),
  );
  // The CMSTP process creation is there, as Sysmon wrote it.
  const cmstp = read.records.filter((r) => r.view.get('EventID') === 1 && String(r.view.get('Image')).toLowerCase().endsWith('\\cmstp.exe'));
  assert.ok(cmstp.length >= 1);
  assert.match(String(cmstp[0]!.view.get('CommandLine')), /cmstp\.exe.*\/s .*\.inf \/au/i);
});

test('Winlogbeat: winlog.* becomes the Windows view; Sysmon fields the module moved to ECS are put back', async () => {
  const read = await readJson(fixture('winlogbeat-sysmon.ndjson'));
  assert.deepEqual(read.diagnostics, []);
  assert.equal(read.records.length, 4);
  for (const r of read.records) {
    assert.equal(r.kind, 'windows');
    assert.equal(r.origin.shape, 'ecs');
  }
  const [p, sec, end, clear] = read.records as [SourceRecord, SourceRecord, SourceRecord, SourceRecord];
  const v = p.view;
  assert.equal(v.get('EventID'), 1);
  assert.equal(v.get('Channel'), 'Microsoft-Windows-Sysmon/Operational');
  assert.equal(v.get('Provider_Name'), 'Microsoft-Windows-Sysmon');
  assert.equal(v.get('Computer'), 'FIN-WS07.corp.example');
  assert.equal(v.get('TimeCreated'), '2023-03-14T09:26:53.1170000Z');
  assert.equal(v.get('EventRecordID'), 40211);
  assert.equal(p.origin.recordId, 40211);
  assert.equal(v.get(PID), 3012);
  assert.equal(v.get(TID), 4120);
  assert.equal(v.get('UserID'), 'S-1-5-18');
  assert.equal(v.get('Version'), 5);
  // Names, not numbers, in Winlogbeat: left out of the System fields.
  assert.equal(v.has('Task'), false);
  assert.equal(v.has('Opcode'), false);
  // Left in event_data by the module:
  assert.equal(v.get('IntegrityLevel'), 'Medium');
  assert.equal(v.get('Company'), 'Microsoft Corporation');
  // Moved to ECS by the module, restored under their Sysmon names:
  assert.equal(v.get('Image'), CMSTP);
  assert.equal(v.get('CommandLine'), CMD);
  assert.equal(v.get('ParentImage'), PS);
  assert.equal(v.get('ParentCommandLine'), `"${PS}" -nop`);
  assert.equal(v.get('ProcessId'), 6644);
  assert.equal(v.get('OriginalFileName'), 'CMSTP.EXE');
  assert.equal(v.get('CurrentDirectory'), 'C:\\Users\\alice\\Downloads\\');
  assert.equal(v.get('User'), 'CORP\\alice');
  assert.equal(v.get('RuleName'), 'technique_id=T1218.003,technique_name=CMSTP');
  assert.equal(v.get('Hashes'), 'SHA256=0F1B5A1E8C2D4B9A7E3F6C5D8A9B0C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F6A7B,IMPHASH=8E2F1C0B9A8D7E6F5A4B3C2D1E0F9A8B');
  // raw is the whole document, flattened; arrays of scalars stay arrays.
  assert.deepEqual(p.raw.get('event.category'), ['process']);
  assert.deepEqual(p.raw.get('process.args'), [CMSTP, '/au', '/s', 'C:\\Users\\alice\\AppData\\Local\\Temp\\vpn.inf']);
  assert.equal(p.raw.get('winlog.event_data.Company'), 'Microsoft Corporation');
  assert.equal(p.raw.has('Image'), false);

  // Winlogbeat 7: numeric ids, full event_data (Security is not renamed).
  assert.equal(sec.view.get('EventID'), 4688);
  assert.equal(sec.view.get('EventRecordID'), 88101);
  assert.equal(sec.view.get('NewProcessName'), CMSTP);
  assert.equal(sec.view.get('CommandLine'), CMD);
  assert.equal(sec.view.has('Keywords'), false);
  assert.equal(sec.view.has('Image'), false);

  // Sysmon 5 whose event_data the module emptied and removed.
  assert.equal(end.view.get('EventID'), 5);
  assert.equal(end.view.get('Image'), CMSTP);
  assert.equal(end.view.get('ProcessGuid'), '{8f3c2a11-3e5d-6410-a41c-000000001f02}');

  // user_data leaves, without Winlogbeat's xml_name.
  assert.equal(clear.view.get('EventID'), 1102);
  assert.equal(clear.view.get('SubjectUserName'), 'alice');
  assert.equal(clear.view.has('xml_name'), false);
});

test('Elastic Defend: kind ecs, the flattened document as view; the ECS table maps each category', async () => {
  const read = await readJson(fixture('elastic-defend.ndjson'));
  assert.deepEqual(read.diagnostics, []);
  assert.equal(read.records.length, 7);
  for (const r of read.records) {
    assert.equal(r.kind, 'ecs');
    assert.equal(r.origin.shape, 'ecs');
    assert.equal(r.view, r.raw);
    assert.equal(r.origin.recordId, null);
  }
  const p = read.records[0]!;
  assert.equal(p.view.get('process.executable'), CMSTP);
  assert.equal(p.view.get('process.command_line'), CMD);
  assert.equal(p.view.get('process.parent.executable'), PS);
  assert.equal(p.view.get('process.pid'), 6644);
  assert.deepEqual(p.view.get('event.type'), ['start']);
  // Arrays of objects become multi-valued leaves, as Elasticsearch flattens them.
  const dns = read.records[6]!;
  assert.deepEqual(dns.view.get('dns.answers.type'), ['CNAME', 'A']);
  assert.deepEqual(dns.view.get('dns.answers.data'), ['cdn.example.net', '203.0.113.80']);

  const tables = new TableSet([ECS_TABLE]);
  const events = read.records.map((r) => normalize(r, tables));
  assert.deepEqual(
    events.map((e) => e.category),
    ['process_creation', 'registry_set', 'image_load', 'network_connection', 'file_event', 'process_access', 'dns_query'],
  );
  assert.ok(events.every((e) => e.mapping === 'ecs'));
  const [proc, reg, lib, net, file, access, query] = events.map((e) => e.fields) as [
    (typeof events)[0]['fields'],
    (typeof events)[0]['fields'],
    (typeof events)[0]['fields'],
    (typeof events)[0]['fields'],
    (typeof events)[0]['fields'],
    (typeof events)[0]['fields'],
    (typeof events)[0]['fields'],
  ];
  assert.equal(proc.get('Image'), CMSTP);
  assert.equal(proc.get('CommandLine'), CMD);
  assert.equal(proc.get('OriginalFileName'), 'CMSTP.EXE');
  assert.equal(proc.get('ParentImage'), PS);
  assert.equal(proc.get('ParentCommandLine'), `"${PS}" -nop`);
  assert.equal(proc.get('ProcessId'), 6644);
  assert.equal(proc.get('ParentProcessId'), 5208);
  assert.equal(proc.get('User'), 'CORP\\alice');
  assert.equal(proc.get('IntegrityLevel'), 'Medium');
  assert.equal(proc.get('CurrentDirectory'), 'C:\\Users\\alice\\Downloads\\');
  assert.equal(proc.get('sha256'), '0f1b5a1e8c2d4b9a7e3f6c5d8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b');
  assert.equal(reg.get('TargetObject'), 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\App Paths\\CMMGR32.EXE\\ProfileInstallPath');
  assert.deepEqual(reg.get('Details'), ['C:\\Users\\alice\\AppData\\Local\\Temp\\']);
  assert.equal(reg.get('Image'), 'C:\\Windows\\System32\\dllhost.exe');
  assert.equal(reg.get('EventType'), 'SetValue');
  assert.equal(lib.get('ImageLoaded'), 'C:\\Windows\\System32\\cmstplua.dll');
  assert.equal(lib.get('Signed'), true);
  assert.equal(lib.get('Signature'), 'Microsoft Windows');
  assert.equal(net.get('DestinationIp'), '203.0.113.80');
  assert.equal(net.get('DestinationPort'), 443);
  assert.equal(net.get('DestinationHostname'), 'updates.example.net');
  assert.equal(net.get('Protocol'), 'tcp');
  assert.equal(net.get('SourceIp'), '10.20.30.47');
  assert.equal(file.get('TargetFilename'), 'C:\\Users\\alice\\AppData\\Local\\Temp\\vpn.inf');
  assert.equal(file.get('Image'), PS);
  assert.equal(access.get('SourceImage'), 'C:\\Windows\\System32\\dllhost.exe');
  assert.equal(access.get('TargetImage'), 'C:\\Windows\\System32\\cmd.exe');
  assert.equal(access.get('CallTrace'), 'ntdll.dll|kernelbase.dll|advpack.dll|cmlua.dll');
  assert.equal(query.get('QueryName'), 'updates.example.net');
});

test('evtx_dump-style JSON lines: #attributes, Qualifiers, unnamed Data, UserData, Chainsaw and Velociraptor variants', async () => {
  const read = await readJson(fixture('evtx-dump.jsonl'));
  assert.deepEqual(read.diagnostics, []);
  assert.equal(read.records.length, 6);
  assert.ok(read.records.every((r) => r.origin.shape === 'evtx-dump' && r.kind === 'windows' && r.origin.format === 'ndjson'));
  assert.deepEqual(
    read.records.map((r) => [r.origin.line, r.origin.recordId]),
    [
      [1, 40211],
      [2, 5120],
      [3, 2231],
      [4, 88120],
      [5, 88101],
      [6, 40210],
    ],
  );
  const [dump, scm, msi, clear, chainsaw, velo] = read.records.map((r) => r.view) as [
    SourceRecord['view'],
    SourceRecord['view'],
    SourceRecord['view'],
    SourceRecord['view'],
    SourceRecord['view'],
    SourceRecord['view'],
  ];
  // cmstp-hunt dump: typed values stay typed, our _source key is ignored.
  assert.equal(dump.get('EventID'), 1);
  assert.equal(dump.get('Provider_Name'), 'Microsoft-Windows-Sysmon');
  assert.equal(dump.get('TimeCreated'), '2023-03-14T09:26:53.1183452Z');
  assert.equal(dump.get(PID), 3012);
  assert.equal(dump.get('UserID'), 'S-1-5-18');
  assert.equal(dump.get('ProcessId'), 6644);
  assert.equal(dump.get('Image'), CMSTP);
  assert.equal(dump.get('CommandLine'), CMD);
  assert.equal(dump.get('RuleName'), '');
  assert.equal(read.records[0]!.raw.has('_source.file'), false);
  assert.equal(read.records[0]!.raw.get('Event.EventData.Image'), CMSTP);
  assert.equal(scm.get('EventID'), 7036);
  assert.equal(scm.get('Qualifiers'), 16384);
  assert.equal(scm.get('param1'), 'Remote Access Connection Manager');
  assert.equal(scm.get('Binary'), '5200610073004D0061006E002F0034000000');
  assert.equal(scm.has('UserID'), false);
  assert.deepEqual(msi.get('Data'), ['Product: Contoso VPN Client -- Installation completed successfully.', '(NULL)', '(NULL)']);
  assert.equal(msi.get('Qualifiers'), 0);
  assert.equal(clear.get('SubjectUserName'), 'alice');
  assert.equal(clear.get('SubjectLogonId'), '0xb2e5d');
  assert.equal(clear.has('xmlns'), false);
  // Chainsaw's `separate_json_attributes` rendering.
  assert.equal(chainsaw.get('EventID'), 4688);
  assert.equal(chainsaw.get('Provider_Name'), 'Microsoft-Windows-Security-Auditing');
  assert.equal(chainsaw.get('TimeCreated'), '2023-03-14T09:26:53.1170330Z');
  assert.equal(chainsaw.get(PID), 4);
  assert.equal(chainsaw.get('NewProcessName'), CMSTP);
  // Velociraptor: no Event wrapper, EventID.Value, epoch seconds, numeric keywords.
  assert.equal(velo.get('EventID'), 11);
  assert.equal(velo.get('TimeCreated'), '2023-03-14T09:26:52.9990000Z');
  assert.equal(velo.get('Keywords'), '0x8000000000000000');
  assert.equal(velo.get('TargetFilename'), 'C:\\Users\\alice\\AppData\\Local\\Temp\\vpn.inf');
  assert.equal(velo.has('Message'), false);
});

test('a pretty-printed array of mixed shapes: each element where it starts', async () => {
  const file = fixture('array.json');
  const read = await readJson(file);
  assert.deepEqual(read.diagnostics, []);
  assert.deepEqual(
    read.records.map((r) => [r.origin.shape, r.kind, r.origin.format]),
    [
      ['otrf-flat', 'windows', 'json'],
      ['evtx-dump', 'windows', 'json'],
      ['ecs', 'ecs', 'json'],
    ],
  );
  const starts = linesWhere(file, (l) => l === '  {');
  assert.deepEqual(
    read.records.map((r) => r.origin.line),
    starts,
  );
  const text = readFileSync(file, 'utf8');
  assert.equal(read.records[0]!.origin.offset, text.indexOf('  {') + 2);
  assert.equal(read.records[0]!.view.get('EventID'), 4688);
  assert.equal(read.records[1]!.view.get('TargetFilename'), 'C:\\Users\\alice\\AppData\\Local\\Temp\\vpn.inf');
  assert.equal(read.records[2]!.view.get('process.executable'), CMSTP);
});

test('Splunk REST results: a {"results": [...]} container, flat fields, classic WinEventLog _raw', async () => {
  const read = await readJson(fixture('splunk-results.json'));
  assert.deepEqual(read.diagnostics, []);
  assert.equal(read.records.length, 3);
  for (const r of read.records) {
    assert.equal(r.origin.shape, 'splunk-json');
    assert.equal(r.origin.format, 'json');
    assert.equal(r.kind, 'windows');
  }
  const [xml, classic, headerOnly] = read.records as [SourceRecord, SourceRecord, SourceRecord];
  const resultsAt = linesWhere(fixture('splunk-results.json'), (l) => l === '  "results": [')[0]!;
  assert.deepEqual(
    [xml.origin.line, classic.origin.line, headerOnly.origin.line],
    linesWhere(fixture('splunk-results.json'), (l) => l === '    {').filter((n) => n > resultsAt),
  );
  assert.equal(xml.view.get('EventID'), 1);
  assert.equal(xml.view.get('Channel'), 'Microsoft-Windows-Sysmon/Operational');
  assert.equal(xml.view.get('Computer'), 'FIN-WS07.corp.example');
  assert.equal(xml.view.get('EventRecordID'), 40211);
  assert.equal(xml.view.get('TimeCreated'), '2023-03-14T09:26:53.1170000Z');
  assert.equal(xml.view.get('Image'), CMSTP);
  assert.equal(xml.view.get('CommandLine'), CMD);
  for (const name of ['_time', '_bkt', 'host', 'source', 'sourcetype', 'index', 'tag', 'tag::eventtype', 'date_hour', 'splunk_server']) {
    assert.equal(xml.view.has(name), false, name);
  }
  assert.deepEqual(xml.raw.get('tag'), ['process', 'report']);
  assert.equal(classic.view.get('EventID'), 4688);
  assert.equal(classic.view.get('Channel'), 'Security');
  assert.equal(classic.view.get('EventRecordID'), 88101);
  // Splunk's names for the 4688 fields are renamed, as in a Splunk CSV export.
  assert.equal(classic.view.get('NewProcessName'), CMSTP);
  assert.equal(classic.view.get('CommandLine'), CMD);
  assert.equal(classic.view.has('New_Process_Name'), false);
  assert.equal(classic.view.has('Keywords'), false);
  // Only _raw: the classic header lines give the System fields; epoch _time.
  assert.equal(headerOnly.view.get('EventID'), 4688);
  assert.equal(headerOnly.view.get('Computer'), 'FIN-WS07.corp.example');
  assert.equal(headerOnly.view.get('EventRecordID'), 88102);
  assert.equal(headerOnly.view.get('TimeCreated'), '2023-03-14T09:26:53.1170000Z');
  assert.equal(headerOnly.view.has('EventType'), false);
});

test('Splunk JSON Security 4688: Splunk names renamed, Subject/Target arrays split, mapped by the Security table', async () => {
  const read = await readJson(fixture('splunk-results.json'));
  const classic = read.records[1]!;
  const v = classic.view;
  assert.equal(v.get('Provider_Name'), 'Microsoft-Windows-Security-Auditing');
  assert.equal(v.get('NewProcessName'), CMSTP);
  assert.equal(v.get('CommandLine'), CMD);
  assert.equal(v.get('ParentProcessName'), PS);
  assert.equal(v.get('NewProcessId'), '0x19f4');
  assert.equal(v.get('ProcessId'), '0x1458');
  assert.equal(v.get('TokenElevationType'), '%%1938');
  assert.equal(v.get('MandatoryLabel'), 'S-1-16-8192');
  // A Splunk JSON multi-value is an array: the Subject block's value, then the Target's.
  assert.equal(v.get('SubjectUserSid'), 'S-1-5-21-1604529354-1295832394-4197355770-1104');
  assert.equal(v.get('SubjectUserName'), 'alice');
  assert.equal(v.get('SubjectDomainName'), 'CORP');
  assert.equal(v.get('SubjectLogonId'), '0xB2E5D');
  assert.equal(v.get('TargetUserSid'), 'S-1-0-0');
  assert.equal(v.get('TargetUserName'), '-');
  assert.equal(v.get('TargetDomainName'), '-');
  assert.equal(v.get('TargetLogonId'), '0x0');
  for (const name of ['New_Process_Name', 'Process_Command_Line', 'Creator_Process_Name', 'Account_Name', 'Security_ID', 'Logon_ID', 'TaskCategory', 'Type']) {
    assert.equal(v.has(name), false, name);
  }
  assert.deepEqual(classic.raw.get('Account_Name'), ['alice', '-']);

  const e = normalize(classic, new TableSet([SECURITY_TABLE]));
  assert.equal(e.mapping, 'security');
  assert.equal(e.category, 'process_creation');
  const fields: Record<string, unknown> = {};
  for (const n of ['Image', 'CommandLine', 'ParentImage', 'ProcessId', 'ParentProcessId', 'User', 'IntegrityLevel']) fields[n] = e.fields.get(n);
  assert.deepEqual(fields, { Image: CMSTP, CommandLine: CMD, ParentImage: PS, ProcessId: 0x19f4, ParentProcessId: 0x1458, User: 'CORP\\alice', IntegrityLevel: 'Medium' });

  // Outside the Security log, or with more than two values, the multi-value keeps its name.
  const [other] = shapeDocument({ result: { EventCode: '1', LogName: 'Application', Account_Name: ['a', 'b'] } });
  assert.ok(other?.ok === true);
  assert.deepEqual(other.record.view.get('Account_Name'), ['a', 'b']);
  const [three] = shapeDocument({ result: { EventCode: '4624', LogName: 'Security', Account_Name: ['a', 'b', 'c'] } });
  assert.ok(three?.ok === true);
  assert.deepEqual(three.record.view.get('Account_Name'), ['a', 'b', 'c']);
  // Field names that look like prototype members are plain data, not renames.
  const [proto] = shapeDocument(JSON.parse('{"result":{"EventCode":"1","SourceName":"constructor","constructor":"c","toString":"t","hasOwnProperty":"h"}}'));
  assert.ok(proto?.ok === true);
  assert.deepEqual(
    ['Provider_Name', 'constructor', 'toString', 'hasOwnProperty'].map((n) => proto.record.view.get(n)),
    ['constructor', 'c', 't', 'h'],
  );
});

test('Splunk: the same events exported as CSV and as JSON give the same views', async () => {
  const json = await readJson(fixture('splunk-results.json'));
  const doc = JSON.parse(readFileSync(fixture('splunk-results.json'), 'utf8')) as { results: Array<Record<string, string | string[]>> };
  // The CSV export of those results: multi-values on separate lines of one cell.
  const columns = [...new Set(doc.results.flatMap((r) => Object.keys(r)))];
  const cell = (v: string | string[] | undefined): string => {
    const text = v === undefined ? '' : Array.isArray(v) ? v.join('\n') : v;
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const csvText = [columns.map(cell).join(','), ...doc.results.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\r\n');
  const bytes = Buffer.from(csvText, 'utf8');
  const csv = await collect(readCsvSource(chunkedInput('splunk.csv', bytes, bytes.length)));
  assert.deepEqual(csv.diagnostics, []);
  assert.deepEqual(json.diagnostics, []);
  assert.deepEqual(
    csv.records.map((r) => [r.kind, r.origin.recordId, r.view.toObject()]),
    json.records.map((r) => [r.kind, r.origin.recordId, r.view.toObject()]),
  );
  assert.deepEqual(
    csv.records.map((r) => r.origin.shape),
    ['splunk-csv', 'splunk-csv', 'splunk-csv'],
  );
  // Both map the same way.
  const tables = new TableSet([SECURITY_TABLE, SYSMON_TABLE]);
  const canonical = (r: SourceRecord): unknown => {
    const e = normalize(r, tables);
    return [e.mapping, e.category, e.fields.toObject()];
  };
  assert.deepEqual(csv.records.map(canonical), json.records.map(canonical));

  // A `_raw` that claims to be event XML but is not: the other fields are used, with a warning,
  // in both formats; without an event id among them the event is rejected.
  const broken = '<Event><System><EventID>1</EventID>';
  const row = await collect(readCsvSource(chunkedInput('x.csv', Buffer.from(`_time,EventCode,LogName,_raw\n1678786013,4688,Security,${broken}\n1678786013,,Security,${broken}\n`), 1 << 16)));
  const lines = Buffer.from(
    [{ _time: '1678786013', EventCode: '4688', LogName: 'Security', _raw: broken }, { _time: '1678786013', LogName: 'Security', _raw: broken }].map((r) => JSON.stringify({ result: r })).join('\n'),
  );
  const nd = await collect(readJsonSource(chunkedInput('x.ndjson', lines, lines.length)));
  for (const r of [row, nd]) {
    assert.deepEqual(r.records.map((x) => [x.view.get('EventID'), x.view.get('Channel')]), [[4688, 'Security']]);
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.severity, d.rejected, d.line]),
      [
        ['bad-xml', 'warning', false, 2 - Number(r === nd)],
        ['bad-xml', 'error', true, 3 - Number(r === nd)],
      ],
    );
    assert.match(r.diagnostics[0]!.message, /Splunk _raw is not readable event XML: .*; the event's other fields are used/);
  }
});

test('Splunk export lines: _raw XML parsed as the event, a broken _raw rejected, status lines skipped', async () => {
  const file = fixture('splunk-raw-xml.json');
  const read = await readJson(file);
  assert.equal(read.records.length, 2);
  assert.equal(read.diagnostics.length, 1);
  const [sysmon, sec] = read.records as [SourceRecord, SourceRecord];
  assert.equal(sysmon.origin.line, 2);
  assert.equal(sysmon.origin.shape, 'splunk-json');
  assert.equal(sysmon.origin.format, 'ndjson');
  assert.equal(sysmon.origin.recordId, 40211);
  assert.equal(sysmon.view.get('EventID'), 1);
  assert.equal(sysmon.view.get('TimeCreated'), '2023-03-14T09:26:53.1183452Z');
  assert.equal(sysmon.view.get('Image'), CMSTP);
  assert.equal(sysmon.view.get('CommandLine'), '"C:\\Windows\\System32\\cmstp.exe" /au /s C:\\Users\\alice\\AppData\\Local\\Temp\\vpn&sync.inf');
  assert.equal(sysmon.raw.get('sourcetype'), 'XmlWinEventLog');
  assert.equal(sec.origin.line, 4);
  assert.equal(sec.view.get('EventID'), 4688);
  assert.equal(sec.view.get('NewProcessName'), CMSTP);
  const d = read.diagnostics[0]!;
  assert.equal(d.code, 'bad-xml');
  assert.equal(d.line, 3);
  assert.equal(d.rejected, true);
  assert.match(d.message, /found <\/Dta>/);
});

test('Hayabusa timelines: detections mapped to the Windows view, abbreviated channels expanded', async () => {
  const read = await readJson(fixture('hayabusa.jsonl'));
  assert.deepEqual(read.diagnostics, []);
  assert.equal(read.records.length, 2);
  const [all, std] = read.records as [SourceRecord, SourceRecord];
  assert.equal(all.origin.shape, 'hayabusa');
  assert.equal(all.view.get('EventID'), 1);
  assert.equal(all.view.get('Channel'), 'Microsoft-Windows-Sysmon/Operational');
  assert.equal(all.view.get('Computer'), 'FIN-WS07.corp.example');
  assert.equal(all.view.get('TimeCreated'), '2023-03-14T09:26:53.1180000Z');
  assert.equal(all.view.get('EventRecordID'), 40211);
  assert.equal(all.origin.recordId, 40211);
  assert.equal(all.view.get('Image'), CMSTP);
  assert.equal(all.view.get('CommandLine'), CMD);
  assert.equal(all.view.has('Level'), false, 'the rule level is not the event level');
  assert.equal(all.raw.get('RuleTitle'), 'CMSTP Execution Process Creation');
  assert.equal(std.view.get('Channel'), 'Security');
  // A local-time timestamp with its offset, as UTC.
  assert.equal(std.view.get('TimeCreated'), '2023-03-14T09:26:53.1170000Z');
  assert.equal(std.view.get('ParentProcessName'), PS);
  assert.equal(std.view.get('Details.Proc'), CMSTP);
});

test('Chainsaw hunt output: the events inside individual and aggregate detections', async () => {
  const read = await readJson(fixture('chainsaw-hunt.json'));
  assert.deepEqual(read.diagnostics, []);
  assert.deepEqual(
    read.records.map((r) => [r.origin.shape, r.origin.format, r.origin.line, r.view.get('EventID')]),
    [
      ['chainsaw-hunt', 'json', 1, 4688],
      ['chainsaw-hunt', 'json', 1, 1],
      ['chainsaw-hunt', 'json', 1, 1102],
    ],
  );
  assert.equal(read.records[0]!.view.get('NewProcessName'), CMSTP);
  assert.equal(read.records[1]!.view.get('Image'), CMSTP);
});

test('bad NDJSON lines are reported with line and column; the rest is read; counts add up', async () => {
  const file = fixture('bad-lines.ndjson');
  const lines = readFileSync(file, 'utf8').split('\n');
  const read = await readJson(file);
  assert.deepEqual(
    read.records.map((r) => [r.origin.line, r.view.get('EventID')]),
    [
      [1, 1],
      [7, 4688],
    ],
  );
  assert.deepEqual(
    read.diagnostics.map((d) => [d.code, d.line, d.column, d.rejected]),
    [
      ['bad-json', 2, lines[1]!.length + 1, true],
      ['bad-json', 3, lines[2]!.indexOf('Hostname') + 1, true],
      ['unknown-shape', 4, 1, true],
      ['unknown-shape', 5, 1, true],
      ['bad-json', 6, 1, true],
    ],
  );
  assert.match(read.diagnostics[0]!.message, /unterminated string/);
  assert.match(read.diagnostics[1]!.message, /property name/);
  assert.match(read.diagnostics[2]!.message, /"timestamp", "severity", "msg"/);
  assert.match(read.diagnostics[3]!.message, /an array/);
  const offsets = lines.map((_, i) => lines.slice(0, i).reduce((n, l) => n + Buffer.byteLength(l) + 1, 0));
  assert.equal(read.diagnostics[1]!.offset, offsets[2]! + lines[2]!.indexOf('Hostname'));
  const documents = lines.filter((l) => l.trim() !== '').length;
  assert.equal(read.records.length + read.diagnostics.filter((d) => d.rejected).length, documents);
});

test('a cut-off element of a pretty-printed array is reported; the next one is read', async () => {
  const file = fixture('bad-array.json');
  const read = await readJson(file);
  const cut = linesWhere(file, (l) => l.endsWith('"Microsoft-Windows-Sys'))[0]!;
  const starts = linesWhere(file, (l) => l === '  {');
  assert.equal(starts.length, 3);
  assert.deepEqual(
    read.records.map((r) => [r.origin.line, r.view.get('EventID')]),
    [
      [starts[0], 1],
      [starts[2], 4688],
    ],
  );
  assert.equal(read.diagnostics.length, 1);
  const d = read.diagnostics[0]!;
  assert.equal(d.code, 'bad-json');
  assert.equal(d.rejected, true);
  assert.equal(d.line, cut);
  assert.equal(d.column, '    "Channel": "Microsoft-Windows-Sys'.length + 1);
  assert.equal(read.records.length + 1, starts.length);
});

test('more bad input: unclosed arrays and documents, junk after a document, nesting and size caps', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cmstp-json-'));
  const write = (name: string, text: string): string => {
    const f = path.join(dir, name);
    writeFileSync(f, text);
    return f;
  };
  const doc = JSON.stringify({ EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', Image: CMSTP });
  try {
    // An array cut off after a complete element: the element is read, the end is a warning.
    let read = await readJson(write('cut-array.json', `[\n  ${doc},\n  ${doc.slice(0, 20)}`));
    assert.equal(read.records.length, 1);
    assert.deepEqual(
      read.diagnostics.map((d) => [d.code, d.severity, d.rejected, d.line]),
      [
        ['bad-json', 'error', true, 3],
        ['bad-json', 'warning', false, 3],
      ],
    );
    // A single pretty-printed document cut off at the end.
    read = await readJson(write('cut-doc.json', JSON.stringify(JSON.parse(doc), null, 2).slice(0, 40)));
    assert.equal(read.records.length, 0);
    assert.deepEqual(
      read.diagnostics.map((d) => [d.code, d.rejected, d.line, d.column]),
      [['bad-json', true, 3, '  "Channel": "Microsof'.length + 1]],
    );
    // A Splunk results container cut off after its first result.
    const results = JSON.stringify({ preview: false, results: [{ EventCode: '1', LogName: 'Security', _time: '2023-03-14T09:26:53Z' }, { EventCode: '2' }] });
    read = await readJson(write('cut-results.json', results.slice(0, results.indexOf('{"EventCode":"2"'))));
    assert.equal(read.records.length, 1);
    assert.deepEqual(
      read.diagnostics.map((d) => [d.code, d.severity, d.rejected]),
      [['bad-json', 'warning', false]],
    );
    // Two documents on one NDJSON line: that line is bad, the next one is read.
    read = await readJson(write('two.ndjson', `${doc}\n${doc} ${doc}\n${doc}\n`));
    assert.deepEqual(
      read.records.map((r) => r.origin.line),
      [1, 3],
    );
    assert.deepEqual(
      read.diagnostics.map((d) => [d.code, d.line, d.column]),
      [['bad-json', 2, doc.length + 2]],
    );
    // evtx_dump's `-o json` output: `Record N` lines before pretty-printed records.
    const pretty = JSON.stringify({ Event: { System: { EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', EventRecordID: 7 }, EventData: { Image: CMSTP } } }, null, 2);
    read = await readJson(write('evtx_dump.json', `Record 7\n${pretty}\nRecord 8\n${pretty.replace('"EventRecordID": 7', '"EventRecordID": 8')}\n`));
    assert.deepEqual(read.diagnostics, []);
    assert.deepEqual(
      read.records.map((r) => [r.origin.line, r.origin.recordId, r.origin.format]),
      [
        [2, 7, 'json'],
        [pretty.split('\n').length + 3, 8, 'json'],
      ],
    );
    // Nesting cap.
    read = await readJson(write('deep.ndjson', `{"a":${'['.repeat(300)}${']'.repeat(300)}}\n${doc}\n`));
    assert.equal(read.records.length, 1);
    assert.equal(read.diagnostics[0]!.code, 'bad-json');
    assert.match(read.diagnostics[0]!.message, /nesting deeper than 256/);
    // Size cap.
    read = await readJson(write('big.ndjson', `${doc}\n${JSON.stringify({ EventID: 1, Channel: 'x', pad: 'y'.repeat(5000) })}\n${doc}\n`), { limits: { maxDocument: 4096 } });
    assert.deepEqual(
      read.records.map((r) => r.origin.line),
      [1, 3],
    );
    assert.deepEqual(
      read.diagnostics.map((d) => [d.code, d.line, d.rejected]),
      [['limit-exceeded', 2, true]],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('chunk boundaries anywhere change nothing', async () => {
  for (const name of ['otrf-sample.ndjson', 'array.json', 'splunk-results.json', 'bad-lines.ndjson', 'bad-array.json', 'chainsaw-hunt.json']) {
    const bytes = readFileSync(fixture(name));
    const whole = comparable(await collect(readJsonSource(chunkedInput(name, bytes, bytes.length))));
    for (const size of [1, 3, 64]) {
      const cut = comparable(await collect(readJsonSource(chunkedInput(name, bytes, size))));
      assert.deepEqual(cut, whole, `${name} in chunks of ${size}`);
    }
    // A UTF-8 byte order mark, even split across chunks, is not content: lines and columns stay.
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]);
    const shifted = (whole as Array<{ offset?: number | null; origin?: { offset: number | null } }>).map((x) =>
      x.origin !== undefined ? { ...x, origin: { ...x.origin, offset: x.origin.offset === null ? null : x.origin.offset + 3 } } : { ...x, offset: x.offset === null || x.offset === undefined ? x.offset : x.offset + 3 },
    );
    for (const size of [1, 2, bom.length]) {
      assert.deepEqual(comparable(await collect(readJsonSource(chunkedInput(name, bom, size)))), shifted, `${name} with a BOM in chunks of ${size}`);
    }
  }
});

test('a gzip-compressed export reads the same as the plain one', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cmstp-json-'));
  try {
    for (const name of ['otrf-sample.ndjson', 'splunk-results.json']) {
      const gz = path.join(dir, `${name}.gz`);
      writeFileSync(gz, gzipSync(readFileSync(fixture(name))));
      const input = await openInput(gz);
      assert.equal(input.gzip, true);
      assert.deepEqual(comparable(await collect(readJsonSource(input))), comparable(await readJson(fixture(name))));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('evtx-dump Data lists: consecutive items of one name are one array value, as in XML and EVTX', () => {
  const item = (name: string, text: unknown): unknown => ({ '#attributes': { Name: name }, '#text': text });
  const [r] = shapeDocument({
    Event: {
      System: { EventID: 1, Channel: 'C' },
      EventData: { Data: [item('IoCount', 346), item('IoCount', 21), item('Other', 'x'), item('IoCount', 7)] },
    },
  });
  assert.ok(r?.ok === true);
  assert.deepEqual([...r.record.view.entries()].slice(2), [
    ['IoCount', [346, 21]],
    ['Other', 'x'],
    ['IoCount_1', 7],
  ]);
});

test('shapes are never guessed; helpers', () => {
  const unknown = shapeDocument({ EventID: 4688, Computer: 'x' });
  assert.equal(unknown.length, 1);
  assert.ok(!unknown[0]!.ok);
  assert.match(unknown[0]!.problem.message, /"EventID", "Computer"/);
  // Keys that look like prototype members are plain data.
  const proto = shapeDocument(JSON.parse('{"EventID":1,"Channel":"Security","__proto__":{"x":1},"constructor":"c","toString":"t"}'));
  assert.ok(proto[0]!.ok);
  assert.equal(proto[0]!.record.view.get('constructor'), 'c');
  assert.equal(proto[0]!.record.view.get('__proto__.x'), 1);
  assert.deepEqual([...flatten({ a: { b: [1, 2], c: [{ d: 1 }, { d: 2 }] }, e: [], f: null }).entries()], [
    ['a.b', [1, 2]],
    ['a.c.d', [1, 2]],
    ['e', []],
    ['f', null],
  ]);
  assert.equal(toTime('2023-03-14 10:26:53.117 +01:00'), '2023-03-14T09:26:53.1170000Z');
  assert.equal(toTime(1678786013.117), '2023-03-14T09:26:53.1170000Z');
  assert.equal(toTime('1678786013117'), '2023-03-14T09:26:53.1170000Z');
  assert.equal(toTime('not a time'), null);
  for (const [text, index] of [
    ['{"a":}', 5],
    ['{"a" 1}', 5],
    ['[1,]', 3],
    ['{"a":1', 6],
    ['{"a":"b\nc"}', 7],
    ['{"a":1} x', 8],
    ['{"a":tru}', 5],
  ] as const) {
    assert.equal(locateJsonError(text).index, index, text);
  }
});
