// CSV input: Defender advanced-hunting exports and Splunk exports of Windows events, read by
// readCsvSource from the fixtures in test/fixtures/sources/ (column sets from Microsoft's schema
// pages, see MDE_COLUMNS), then mapped by the Defender tables (src/events/tables/mde.ts).
//
// Each fixture is also read in small chunks (1, 2, 5, 17 bytes …) and must give the same items:
// the scanner's state crosses chunk boundaries anywhere in a row, a quote, a CRLF or the BOM.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { readCsvSource } from '../src/sources/csv.js';
import { mdeTableFromColumns, mdeTableFromActionType, MDE_COLUMNS } from '../src/sources/mde-columns.js';
import { openInput } from '../src/sources/input.js';
import type { Input } from '../src/sources/input.js';
import type { MdeTable, SourceDiagnostic, SourceItem, SourceRecord } from '../src/sources/types.js';
import { normalize, TableSet } from '../src/events/normalize.js';
import type { Event } from '../src/events/model.js';
import { MDE_TABLES } from '../src/events/tables/mde.js';
import { SECURITY_TABLE } from '../src/events/tables/security.js';
import { SYSMON_TABLE } from '../src/events/tables/sysmon.js';
import { projectRoot } from './support/shared-data.js';

const FIXTURES = path.join(projectRoot(), 'test', 'fixtures', 'sources');
const fixture = (name: string): string => path.join(FIXTURES, name);
const TABLES = new TableSet([...MDE_TABLES, SECURITY_TABLE, SYSMON_TABLE]);

interface Read {
  items: SourceItem[];
  records: SourceRecord[];
  diagnostics: SourceDiagnostic[];
}

async function collect(source: AsyncIterable<SourceItem>): Promise<Read> {
  const items: SourceItem[] = [];
  for await (const item of source) items.push(item);
  return {
    items,
    records: items.flatMap((i) => (i.ok ? [i.record] : [])),
    diagnostics: items.flatMap((i) => (i.ok ? [] : [i.diagnostic])),
  };
}

/** An in-memory input delivered in chunks of `chunk` bytes. */
function inputOf(bytes: Buffer, chunk = Math.max(bytes.length, 1), name = 'mem.csv'): Input {
  return {
    path: name,
    gzip: false,
    head: bytes.subarray(0, 64 * 1024),
    chunks: async function* () {
      for (let i = 0; i < bytes.length; i += chunk) yield await Promise.resolve(bytes.subarray(i, i + chunk));
    },
  };
}

const readText = (text: string, options = {}): Promise<Read> => collect(readCsvSource(inputOf(Buffer.from(text, 'utf8')), options));
const readFixture = async (name: string): Promise<Read> => collect(readCsvSource(await openInput(fixture(name))));

function only<T>(xs: readonly T[]): T {
  assert.equal(xs.length, 1);
  return xs[0]!;
}

const event = (r: SourceRecord): Event => normalize(r, TABLES);

/** The fields of an event as a plain object, for deepEqual on a few names. */
function pick(e: Event, names: readonly string[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const n of names) o[n] = e.fields.get(n);
  return o;
}

function rejectedCount(r: Read): number {
  return r.diagnostics.filter((d) => d.rejected).length;
}

// ---------------------------------------------------------------------------------------------
// Defender tables

test('DeviceProcessEvents: the full schema, CRLF and BOM, cmstp.exe launched by PowerShell and a legitimate profile install', async () => {
  const r = await readFixture('mde-DeviceProcessEvents.csv');
  assert.equal(r.diagnostics.length, 0);
  assert.equal(r.records.length, 2);
  const [attack, legit] = r.records as [SourceRecord, SourceRecord];
  assert.equal(attack.kind, 'mde');
  assert.equal(attack.table, 'DeviceProcessEvents');
  assert.equal(attack.raw, attack.view, 'no AdditionalFields: the view is the raw record');
  const header = readFileSync(fixture('mde-DeviceProcessEvents.csv')).indexOf('\r\n') + 2;
  assert.deepEqual(attack.origin, { path: fixture('mde-DeviceProcessEvents.csv'), format: 'csv', shape: 'mde:DeviceProcessEvents', recordId: null, line: 2, offset: header, recovered: false });
  assert.equal(legit.origin.line, 3);

  const raw = attack.raw;
  assert.equal(raw.keys()[0], 'Timestamp', 'the BOM is not part of the first column name');
  assert.equal(raw.get('ProcessCommandLine'), 'cmstp.exe  /s /ns C:\\Users\\jdoe\\AppData\\Local\\Temp\\x.inf /au');
  assert.equal(raw.get('InitiatingProcessCommandLine'), `"powershell.exe" -nop -w hidden -c "Start-Process cmstp.exe -ArgumentList '/s','/ns','C:\\Users\\jdoe\\AppData\\Local\\Temp\\x.inf','/au'"`);
  assert.equal(raw.get('ProcessVersionInfoProductName'), 'Microsoft® Windows® Operating System');
  assert.equal(raw.get('ProcessId'), 6412);
  assert.equal(raw.get('InitiatingProcessId'), 5128);
  assert.equal(raw.get('InitiatingProcessParentId'), 4312);
  assert.equal(raw.get('LogonId'), 4459123);
  assert.equal(raw.get('IsProcessRemoteSession'), false);
  assert.equal(raw.get('Timestamp'), '2024-05-14T09:21:33.1234567Z');
  assert.equal(raw.has('AppGuardContainerId'), false, 'empty cells are absent');
  assert.equal(raw.has('InitiatingProcessSHA256'), false);
  assert.equal(legit.raw.has('SHA256'), false);
  assert.equal(legit.raw.get('ProcessCommandLine'), '"C:\\Windows\\System32\\cmstp.exe" /s /au "C:\\Program Files\\Contoso\\CorpVPN\\CorpVPN.inf"');

  const e = event(attack);
  assert.equal(e.category, 'process_creation');
  assert.equal(e.mapping, 'mde:DeviceProcessEvents');
  assert.equal(e.host, 'ws-0142.contoso.local');
  assert.equal(e.time, '2024-05-14T09:21:33.1234567Z');
  assert.deepEqual(
    pick(e, ['Image', 'OriginalFileName', 'CommandLine', 'ProcessId', 'ParentImage', 'ParentCommandLine', 'ParentProcessId', 'User', 'IntegrityLevel', 'TokenElevationType']),
    {
      Image: 'C:\\Windows\\System32\\cmstp.exe',
      OriginalFileName: 'CMSTP.EXE',
      CommandLine: 'cmstp.exe  /s /ns C:\\Users\\jdoe\\AppData\\Local\\Temp\\x.inf /au',
      ProcessId: 6412,
      ParentImage: 'c:\\windows\\system32\\windowspowershell\\v1.0\\powershell.exe',
      ParentCommandLine: raw.get('InitiatingProcessCommandLine'),
      ParentProcessId: 5128,
      User: 'contoso\\jdoe',
      IntegrityLevel: 'Medium',
      TokenElevationType: 'TokenElevationTypeLimited',
    },
  );
  assert.deepEqual(pick(e, ['Company', 'Product', 'Description', 'sha1', 'md5', 'ParentUser', 'ParentParentName', 'ParentParentProcessId', 'TerminalSessionId', 'Computer', 'Provider_Name']), {
    Company: 'Microsoft Corporation',
    Product: 'Microsoft® Windows® Operating System',
    Description: 'Microsoft Connection Manager Profile Installer',
    sha1: 'ba135738ef1fb2f4c2c6c610be2c4e855a526668',
    md5: '4833e6c0ad7e2ab5c8b6d1f6c6a0f1b2',
    ParentUser: 'contoso\\jdoe',
    ParentParentName: 'explorer.exe',
    ParentParentProcessId: 4312,
    TerminalSessionId: 1,
    Computer: 'ws-0142.contoso.local',
    Provider_Name: 'Microsoft Defender for Endpoint',
  });

  const l = event(legit);
  assert.deepEqual(pick(l, ['User', 'IntegrityLevel', 'ParentImage', 'ParentParentName']), {
    User: 'nt authority\\system',
    IntegrityLevel: 'System',
    ParentImage: 'c:\\windows\\ccmcache\\1a\\corpvpn.exe',
    ParentParentName: 'CcmExec.exe',
  });
});

test('DeviceNetworkEvents: cmstp.exe to a public address, DNS inspection from AdditionalFields, a listener', async () => {
  const r = await readFixture('mde-DeviceNetworkEvents.csv');
  assert.equal(r.diagnostics.length, 0);
  assert.deepEqual(r.records.map((x) => x.table), ['DeviceNetworkEvents', 'DeviceNetworkEvents', 'DeviceNetworkEvents']);
  const [conn, dns, listen] = r.records as [SourceRecord, SourceRecord, SourceRecord];
  assert.equal(conn.raw.get('RemotePort'), 443);
  assert.equal(conn.raw.get('LocalPort'), 50412);
  assert.equal(conn.raw.get('RemoteIPType'), 'Public');

  const c = event(conn);
  assert.equal(c.category, 'network_connection');
  assert.deepEqual(pick(c, ['Image', 'DestinationIp', 'DestinationPort', 'DestinationHostname', 'SourceIp', 'SourcePort', 'Protocol', 'Initiated', 'User', 'ProcessId', 'CommandLine']), {
    Image: 'c:\\windows\\system32\\cmstp.exe',
    DestinationIp: '203.0.113.57',
    DestinationPort: 443,
    DestinationHostname: 'cdn.fabrikam-updates.example',
    SourceIp: '10.20.4.22',
    SourcePort: 50412,
    Protocol: 'tcp',
    Initiated: true,
    User: 'contoso\\jdoe',
    ProcessId: 6412,
    CommandLine: 'cmstp.exe  /s /ns C:\\Users\\jdoe\\AppData\\Local\\Temp\\x.inf /au',
  });

  // AdditionalFields: a JSON string in raw, flattened into the view.
  assert.equal(typeof dns.raw.get('AdditionalFields'), 'string');
  assert.equal(dns.raw.has('AdditionalFields.query'), false);
  assert.notEqual(dns.view, dns.raw);
  assert.equal(dns.view.get('AdditionalFields.query'), 'cdn.fabrikam-updates.example');
  assert.equal(dns.view.get('AdditionalFields.qtype'), 1);
  assert.deepEqual(dns.view.get('AdditionalFields.answers'), ['203.0.113.57']);
  const d = event(dns);
  assert.equal(d.category, 'dns_query');
  assert.equal(d.fields.get('QueryName'), 'cdn.fabrikam-updates.example');

  const li = event(listen);
  assert.equal(li.category, 'network_connection');
  assert.equal(li.fields.get('Initiated'), false);
  assert.equal(li.fields.get('User'), 'nt authority\\system');
});

test('DeviceRegistryEvents: the CMSTPLUA surrogate registers cmmgr32.exe ProfileInstallPath', async () => {
  const r = await readFixture('mde-DeviceRegistryEvents.csv');
  assert.equal(r.diagnostics.length, 0);
  const [created, set, deleted] = r.records.map(event) as [Event, Event, Event];
  assert.equal(created.table, 'DeviceRegistryEvents');
  assert.equal(created.category, 'registry_add');
  assert.deepEqual(pick(created, ['TargetObject', 'EventType', 'Image', 'IntegrityLevel']), {
    TargetObject: 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\App Paths\\cmmgr32.exe',
    EventType: 'CreateKey',
    Image: 'c:\\windows\\system32\\dllhost.exe',
    IntegrityLevel: 'High',
  });
  assert.equal(set.category, 'registry_set');
  assert.deepEqual(pick(set, ['TargetObject', 'Details', 'EventType', 'CommandLine']), {
    TargetObject: 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\App Paths\\cmmgr32.exe\\ProfileInstallPath',
    Details: 'C:\\ProgramData\\Microsoft\\Network\\Connections\\Cm',
    EventType: 'SetValue',
    CommandLine: 'DllHost.exe /Processid:{3E5FC7F9-9A51-4367-9063-A120244FBEC7}',
  });
  assert.equal(deleted.category, 'registry_delete');
  assert.equal(deleted.fields.get('EventType'), 'DeleteValue');
  assert.equal(deleted.fields.get('TargetObject'), 'HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ICM\\Calibration\\DisplayCalibrator');
});

test('DeviceImageLoadEvents: no column of its own, told apart as a full export; cmlua.dll in dllhost.exe', async () => {
  const r = await readFixture('mde-DeviceImageLoadEvents.csv');
  assert.equal(r.diagnostics.length, 0);
  assert.deepEqual(r.records.map((x) => x.origin.shape), ['mde:DeviceImageLoadEvents', 'mde:DeviceImageLoadEvents']);
  const e = event(r.records[0]!);
  assert.equal(e.category, 'image_load');
  assert.deepEqual(pick(e, ['ImageLoaded', 'Image', 'ProcessId', 'CommandLine', 'User', 'sha1']), {
    ImageLoaded: 'C:\\Windows\\System32\\cmlua.dll',
    Image: 'c:\\windows\\system32\\dllhost.exe',
    ProcessId: 7292,
    CommandLine: 'DllHost.exe /Processid:{3E5FC7F9-9A51-4367-9063-A120244FBEC7}',
    User: 'contoso\\jdoe',
    sha1: '0b7c1c1d9f0f6f1c1e1b7e8a4c2f3d4e5a6b7c8d',
  });
  assert.equal(event(r.records[1]!).fields.get('ImageLoaded'), 'C:\\Windows\\System32\\cmstplua.dll');
});

test('DeviceFileEvents: the INF drop, the CLR usage log, a rename', async () => {
  const r = await readFixture('mde-DeviceFileEvents.csv');
  assert.equal(r.diagnostics.length, 0);
  const [inf, clr, renamed] = r.records.map(event) as [Event, Event, Event];
  assert.equal(inf.category, 'file_event');
  assert.deepEqual(pick(inf, ['TargetFilename', 'Image', 'sha256']), {
    TargetFilename: 'C:\\Users\\jdoe\\AppData\\Local\\Temp\\x.inf',
    Image: 'c:\\windows\\system32\\windowspowershell\\v1.0\\powershell.exe',
    sha256: '4f6a2d0c9b8e7f1a3c5e7d9b1f3a5c7e9d1b3f5a7c9e1d3b5f7a9c1e3d5b7f9a',
  });
  assert.equal(clr.fields.get('TargetFilename'), 'C:\\Users\\jdoe\\AppData\\Local\\Microsoft\\CLR_v4.0_32\\UsageLogs\\cmstp.exe.log');
  assert.equal(clr.fields.get('Image'), 'c:\\windows\\system32\\cmstp.exe');
  assert.equal(renamed.category, 'file_rename');
  assert.equal(renamed.fields.get('SourceFilename'), 'C:\\Users\\jdoe\\AppData\\Local\\Temp\\x.tmp');
});

test('DeviceEvents: process access and remote thread by the surrogate, DNS, a named pipe; antivirus rows stay unmapped', async () => {
  const r = await readFixture('mde-DeviceEvents.csv');
  assert.equal(r.diagnostics.length, 0);
  assert.ok(r.records.every((x) => x.table === 'DeviceEvents'));
  const [open, thread, dns, pipe, av] = r.records.map(event) as [Event, Event, Event, Event, Event];
  assert.equal(open.category, 'process_access');
  assert.deepEqual(pick(open, ['SourceImage', 'SourceProcessId', 'TargetImage', 'TargetProcessId', 'SourceCommandLine']), {
    SourceImage: 'c:\\windows\\system32\\dllhost.exe',
    SourceProcessId: 7292,
    TargetImage: 'C:\\Windows\\System32\\cmd.exe',
    TargetProcessId: 7600,
    SourceCommandLine: 'DllHost.exe /Processid:{3E5FC7F9-9A51-4367-9063-A120244FBEC7}',
  });
  assert.equal(r.records[0]!.view.get('AdditionalFields.DesiredAccess'), 2097151);
  assert.equal(thread.category, 'create_remote_thread');
  assert.equal(thread.fields.get('TargetImage'), 'C:\\Windows\\System32\\cmd.exe');
  assert.equal(dns.category, 'dns_query');
  assert.deepEqual(pick(dns, ['QueryName', 'Image']), { QueryName: 'cdn.fabrikam-updates.example', Image: 'c:\\windows\\system32\\cmstp.exe' });
  assert.equal(r.records[2]!.view.get('AdditionalFields.DnsQueryResult'), '[{"DnsQueryType":1,"IP":"203.0.113.57"}]', 'arrays of objects stay JSON');
  assert.equal(pipe.category, 'pipe_created');
  assert.deepEqual(pick(pipe, ['PipeName', 'EventType', 'Image']), { PipeName: '\\cmstp_pipe', EventType: 'CreatePipe', Image: 'c:\\windows\\system32\\cmstp.exe' });
  assert.equal(av.category, null);
  assert.equal(av.mapping, null);
  assert.equal(av.raw.get('ActionType'), 'AntivirusDetection');
});

test('a projected export (the Sentinel seed query) with quoted multi-line command lines, "" quotes, commas and a " [UTC]" column', async () => {
  const r = await readFixture('mde-multiline.csv');
  assert.equal(r.diagnostics.length, 0);
  assert.deepEqual(r.records.map((x) => x.origin.line), [2, 3, 7, 9]);
  assert.ok(r.records.every((x) => x.table === 'DeviceProcessEvents'));
  const [one, two, three] = r.records as [SourceRecord, SourceRecord, SourceRecord];
  assert.equal(one.raw.get('Timestamp'), '2024-05-14T09:21:33.1234567Z', '"Timestamp [UTC]" is read as Timestamp');
  assert.equal(two.raw.get('ProcessCommandLine'), `powershell.exe -c "$inf = @'\n[version]\nSignature=$chicago$\n'@; Set-Content $env:TEMP\\y.inf $inf; cmstp.exe /s /ns $env:TEMP\\y.inf"`);
  assert.equal(three.raw.get('ProcessCommandLine'), 'cmd.exe /c "echo a,b,c" && type "C:\\Users\\jdoe\\AppData\\Local\\Temp\\y.inf"');
  assert.equal(three.raw.get('InitiatingProcessCommandLine'), 'powershell.exe -c "a\nb"');
  const text = readFileSync(fixture('mde-multiline.csv'));
  for (const rec of r.records) assert.equal(text.toString('utf8', rec.origin.offset!, rec.origin.offset! + 4), '2024', 'offset is the row start');
  const e = event(two);
  assert.equal(e.category, 'process_creation');
  assert.equal(e.fields.get('User'), 'jdoe', 'no AccountDomain column: the name alone');
  assert.equal(e.fields.has('Image'), false);
});

test('table detection: every full schema, projections, ActionType, Type column', async () => {
  for (const table of Object.keys(MDE_COLUMNS) as MdeTable[]) assert.equal(mdeTableFromColumns(MDE_COLUMNS[table]), table, table);
  // Exports made before the 2024 session columns.
  for (const table of Object.keys(MDE_COLUMNS) as MdeTable[]) {
    assert.equal(mdeTableFromColumns(MDE_COLUMNS[table].filter((c) => !/Session/.test(c))), table, `${table} without session columns`);
  }
  assert.equal(mdeTableFromColumns(['Timestamp', 'DeviceName', 'AccountName', 'ProcessCommandLine', 'InitiatingProcessFileName', 'InitiatingProcessCommandLine']), 'DeviceProcessEvents');
  assert.equal(mdeTableFromColumns(['Timestamp', 'DeviceName', 'RemoteIP', 'RemotePort', 'InitiatingProcessFileName']), 'DeviceNetworkEvents');
  assert.equal(mdeTableFromColumns(['Timestamp', 'DeviceName', 'RegistryKey', 'RegistryValueData']), 'DeviceRegistryEvents');
  assert.equal(mdeTableFromColumns(['Timestamp', 'DeviceName', 'RemoteIP', 'RegistryKey']), 'DeviceEvents', 'only DeviceEvents has both');
  assert.equal(mdeTableFromColumns(['Timestamp', 'DeviceName', 'FileName', 'FolderPath', 'InitiatingProcessFileName']), null, 'file, image load or process');
  assert.equal(mdeTableFromColumns(['Timestamp', 'Protocol', 'RegistryValueType']), null, 'two tables at once');
  assert.equal(mdeTableFromActionType('ImageLoaded'), 'DeviceImageLoadEvents');
  assert.equal(mdeTableFromActionType('OpenProcessApiCall'), 'DeviceEvents');
  assert.equal(mdeTableFromActionType('SomethingNew'), null);

  // Ambiguous columns: each row by its ActionType; unknown ActionType: rejected.
  const byAction = await readText(
    'Timestamp,DeviceName,ActionType,FileName,FolderPath,InitiatingProcessFileName\n' +
      't,d,ImageLoaded,cmlua.dll,C:\\Windows\\System32\\cmlua.dll,dllhost.exe\n' +
      't,d,FileCreated,x.inf,C:\\Temp\\x.inf,powershell.exe\n' +
      't,d,Mystery,x,y,z\n',
  );
  assert.deepEqual(byAction.records.map((x) => x.table), ['DeviceImageLoadEvents', 'DeviceFileEvents']);
  const mystery = only(byAction.diagnostics);
  assert.deepEqual([mystery.code, mystery.line, mystery.rejected], ['unknown-shape', 4, true]);

  // A Log Analytics union: `Type` names each row's table and wins over the columns.
  const union = await readText(
    'TenantId,TimeGenerated [UTC],Type,Timestamp [UTC],DeviceName,ActionType,ProcessCommandLine,RemoteIP,RemotePort,InitiatingProcessFileName\n' +
      'a1,2024-05-14T09:21:35Z,DeviceProcessEvents,2024-05-14T09:21:33Z,ws,ProcessCreated,cmstp.exe /s x.inf,,,powershell.exe\n' +
      'a1,2024-05-14T09:21:36Z,DeviceNetworkEvents,2024-05-14T09:21:34Z,ws,ConnectionSuccess,,203.0.113.57,443,cmstp.exe\n' +
      'a1,2024-05-14T09:21:37Z,SecurityEvent,2024-05-14T09:21:34Z,ws,,,,,\n' +
      'a1,2024-05-14T09:21:38Z,,2024-05-14T09:21:34Z,ws,ImageLoaded,,,,dllhost.exe\n',
  );
  assert.deepEqual(union.records.map((x) => x.table), ['DeviceProcessEvents', 'DeviceNetworkEvents', 'DeviceImageLoadEvents']);
  assert.equal(union.records[1]!.raw.get('RemotePort'), 443);
  assert.equal(union.records[0]!.raw.get('TimeGenerated'), '2024-05-14T09:21:35Z');
  const sec = only(union.diagnostics);
  assert.deepEqual([sec.code, sec.line, sec.rejected], ['unknown-shape', 4, true]);
  assert.match(sec.message, /SecurityEvent/);

  // Defender-like columns that name no table and no ActionType to tell per row.
  const vague = await readText('Timestamp,DeviceName,FileName,FolderPath\nt,d,a,b\n');
  const v = only(vague.diagnostics);
  assert.deepEqual([v.code, v.rejected, vague.records.length], ['unknown-shape', false, 0]);
});

// ---------------------------------------------------------------------------------------------
// Splunk

test('Splunk export: Security 4688 under its Splunk names and Sysmon rows, as the windows view', async () => {
  const r = await readFixture('splunk-wineventlog.csv');
  assert.equal(r.records.length, 4);
  assert.deepEqual(r.records.map((x) => x.origin.line), [2, 25, 30, 31]);
  assert.deepEqual(r.records.map((x) => x.origin.recordId), [8921, 8923, 412233, 412240]);
  assert.ok(r.records.every((x) => x.kind === 'windows' && x.table === null && x.origin.shape === 'splunk-csv'));
  const [cmstp, dllhost, s1, s1child] = r.records as [SourceRecord, SourceRecord, SourceRecord, SourceRecord];

  const v = cmstp.view;
  assert.deepEqual(v.keys().slice(0, 6), ['EventID', 'Channel', 'Provider_Name', 'Computer', 'TimeCreated', 'EventRecordID']);
  // Keywords rendered (`Audit Success`) are not the mask the view's Keywords is: left out, as in JSON.
  assert.equal(v.has('Keywords'), false);
  assert.equal(v.get('EventID'), 4688);
  assert.equal(v.get('Channel'), 'Security');
  assert.equal(v.get('Provider_Name'), 'Microsoft-Windows-Security-Auditing');
  assert.equal(v.get('Computer'), 'WORKSTATION5');
  assert.equal(v.get('TimeCreated'), '2020-10-22T01:54:32.0000000Z');
  assert.equal(v.get('NewProcessName'), 'C:\\Windows\\System32\\cmstp.exe');
  assert.equal(v.get('ParentProcessName'), 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe');
  assert.equal(v.get('CommandLine'), '"C:\\Windows\\system32\\cmstp.exe" /s C:\\ProgramData\\T1218.003_uacbypass.inf /au');
  assert.equal(v.get('NewProcessId'), '0x1c4c');
  assert.equal(v.get('ProcessId'), '0x2a0c');
  assert.equal(v.get('TokenElevationType'), '%%1938');
  assert.equal(v.get('MandatoryLabel'), 'S-1-16-8192');
  assert.equal(v.get('SubjectUserName'), 'wardog');
  assert.equal(v.get('TargetUserName'), '-');
  assert.equal(v.get('SubjectLogonId'), '0xC61D9');
  for (const name of ['New_Process_Name', 'EventCode', 'LogName', '_time', '_raw', 'host', 'sourcetype', 'index']) assert.equal(v.has(name), false, name);
  assert.match(String(v.get('Message')), /^A new process has been created\.\r\n/);
  // raw keeps the export's own columns.
  assert.equal(cmstp.raw.get('EventCode'), '4688');
  assert.equal(cmstp.raw.get('Account_Name'), 'wardog\n-');
  assert.match(String(cmstp.raw.get('_raw')), /^10\/22\/2020 01:54:32 AM\nLogName=Security/);

  const e = event(cmstp);
  assert.equal(e.category, 'process_creation');
  assert.equal(e.mapping, 'security');
  assert.deepEqual(pick(e, ['Image', 'ParentImage', 'ProcessId', 'ParentProcessId', 'IntegrityLevel', 'User']), {
    Image: 'C:\\Windows\\System32\\cmstp.exe',
    ParentImage: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    ProcessId: 0x1c4c,
    ParentProcessId: 0x2a0c,
    IntegrityLevel: 'Medium',
    User: 'WORKSTATION5\\wardog',
  });
  const d = event(dllhost);
  assert.equal(d.fields.get('User'), 'WORKSTATION5\\wardog', 'Target, not the machine account Subject');
  assert.equal(d.fields.get('IntegrityLevel'), 'High');

  // A Sysmon row whose `_raw` is the event XML: the view is the XML's (System fields and every
  // EventData name, entities decoded), raw the export's columns.
  assert.equal(s1.view.get('TimeCreated'), '2020-10-22T01:54:32.7413259Z');
  assert.equal(s1.view.get('Provider_Guid'), '{5770385F-C22A-43E0-BF4C-06F5698FFBD9}');
  assert.equal(s1.view.get('ProcessGuid'), '{39e4a257-e5d8-5f90-e302-000000000b00}');
  assert.equal(s1.view.get('CommandLine'), '"C:\\Windows\\system32\\cmstp.exe" /s C:\\ProgramData\\T1218.003_uacbypass.inf /au');
  assert.equal(s1.raw.has('ProcessGuid'), false);
  assert.equal(s1.raw.get('_time'), '1603331672.741');
  const s = event(s1);
  assert.equal(s.mapping, 'sysmon');
  assert.equal(s.category, 'process_creation');
  assert.equal(s.fields.get('OriginalFileName'), 'CMSTP.EXE');
  // A truncated `_raw`: a warning (not a rejection), and the row's columns are used: channel
  // from `source`, time from epoch seconds.
  const warning = only(r.diagnostics);
  assert.deepEqual([warning.code, warning.severity, warning.line, warning.rejected], ['bad-xml', 'warning', 31, false]);
  assert.equal(s1child.view.get('Channel'), 'Microsoft-Windows-Sysmon/Operational');
  assert.equal(s1child.view.get('TimeCreated'), '2020-10-22T01:54:32.9020000Z');
  assert.equal(event(s1child).fields.get('ParentCommandLine'), 'C:\\Windows\\system32\\DllHost.exe /Processid:{3E5FC7F9-9A51-4367-9063-A120244FBEC7}');

  // Column names and values that look like prototype members are plain data, not renames.
  const proto = await readText('EventCode,LogName,SourceName,constructor,toString\n1,Security,constructor,c,t\n');
  assert.deepEqual(
    ['Provider_Name', 'constructor', 'toString'].map((n) => only(proto.records).view.get(n)),
    ['constructor', 'c', 't'],
  );
});

// ---------------------------------------------------------------------------------------------
// Bad input

test('bad rows: too few fields, too many, text after a closing quote; each rejected, the rest read', async () => {
  const r = await readFixture('bad-short-row.csv');
  assert.deepEqual(r.records.map((x) => x.origin.line), [2, 6]);
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, d.line, d.column, d.rejected, d.severity]),
    [
      ['bad-csv', 3, 60, true, 'error'],
      ['bad-csv', 4, 78, true, 'error'],
      ['bad-csv', 5, 54, true, 'error'],
    ],
  );
  assert.match(r.diagnostics[0]!.message, /4 fields, the header has 5/);
  assert.match(r.diagnostics[1]!.message, /6 fields/);
  assert.match(r.diagnostics[2]!.message, /closing quote/);
  assert.equal(r.records.length + rejectedCount(r), 5, 'records + rejected = data rows');
});

test('an unterminated quote: the row is rejected at the quote, the lines after it are read again', async () => {
  const r = await readFixture('bad-unterminated-quote.csv');
  const d = only(r.diagnostics);
  assert.deepEqual([d.code, d.line, d.column, d.rejected], ['bad-csv', 4, 42, true]);
  assert.match(d.message, /unterminated/);
  assert.deepEqual(r.records.map((x) => x.origin.line), [2, 3, 5]);
  assert.equal(r.records.length + rejectedCount(r), 4);
  // At the very end of the input, nothing after it.
  const end = await readText('Timestamp,DeviceName,ActionType,ProcessCommandLine\nt,d,ProcessCreated,ok\nt,d,ProcessCreated,"cmstp.exe /s');
  assert.deepEqual(end.diagnostics.map((x) => [x.code, x.line, x.column, x.rejected]), [['bad-csv', 3, 20, true]]);
  assert.equal(end.records.length, 1);
});

test('an unknown header: one unknown-shape diagnostic naming the columns, nothing read', async () => {
  const r = await readFixture('bad-unknown-header.csv');
  const d = only(r.items);
  assert.equal(d.ok, false);
  const diag = only(r.diagnostics);
  assert.deepEqual([diag.code, diag.line, diag.rejected], ['unknown-shape', 1, false]);
  assert.match(diag.message, /3 columns: "Name", "Age", "City"/);
});

test('caps: an oversized field rejects its row; a runaway quote stops at the row cap and reading resumes', async () => {
  const header = 'Timestamp,DeviceName,ActionType,ProcessCommandLine\n';
  const big = await readText(`${header}t,d,ProcessCreated,${'A'.repeat(300)}\nt,d,ProcessCreated,ok\n`, { maxField: 256 });
  assert.deepEqual(big.diagnostics.map((x) => [x.code, x.line, x.column, x.rejected]), [['limit-exceeded', 2, 20, true]]);
  assert.deepEqual(big.records.map((x) => x.origin.line), [3]);

  const rows = Array.from({ length: 50 }, (_, i) => `t,d,ProcessCreated,row${i}\n`).join('');
  const runaway = await collect(readCsvSource(inputOf(Buffer.from(`${header}t,d,ProcessCreated,"stray\n${rows}`), 64), { maxRow: 512 }));
  const d = only(runaway.diagnostics);
  assert.deepEqual([d.code, d.line, d.column, d.rejected], ['limit-exceeded', 2, 20, true]);
  assert.equal(runaway.records.length, 50, 'every row after the stray quote is read again');
  assert.equal(runaway.records[0]!.origin.line, 3);

  // A single line with no newline and no quote, longer than the row cap.
  const long = await collect(readCsvSource(inputOf(Buffer.from(`${header}${'x'.repeat(5000)}\nt,d,ProcessCreated,ok\n`), 100), { maxRow: 1000 }));
  assert.deepEqual(long.diagnostics.map((x) => [x.code, x.line, x.rejected]), [['limit-exceeded', 2, true]]);
  assert.deepEqual(long.records.map((x) => x.origin.line), [3]);
});

test('edge cases: empty input, header only, blank lines, Excel sep= line, CR LF inside quotes, missing final newline', async () => {
  const empty = await readText('');
  assert.deepEqual(empty.diagnostics.map((d) => [d.code, d.severity, d.rejected]), [['unknown-shape', 'warning', false]]);
  const headerOnly = await readText('Timestamp,DeviceName,ActionType,ProcessCommandLine\r\n');
  assert.equal(headerOnly.items.length, 0);
  const text = 'sep=,\r\nTimestamp,DeviceName,ActionType,ProcessCommandLine\r\n\r\nt,d,ProcessCreated,"a\r\nb"\r\n\nt,d,ProcessCreated,last';
  const r = await readText(text);
  assert.equal(r.diagnostics.length, 0);
  assert.deepEqual(r.records.map((x) => [x.origin.line, x.raw.get('ProcessCommandLine')]), [
    [4, 'a\r\nb'],
    [7, 'last'],
  ]);
  // A quoted empty field is present-but-empty in CSV terms; like an empty cell it is absent.
  const q = await readText('Timestamp,DeviceName,ActionType,ProcessCommandLine\nt,d,ProcessCreated,""\n');
  assert.equal(q.records[0]!.raw.has('ProcessCommandLine'), false);
});

test('UTF-8: multi-byte and 4-byte characters, and malformed bytes (replaced, the fields still right)', async () => {
  const header = 'Timestamp,DeviceName,ActionType,ProcessCommandLine,InitiatingProcessFileName\n';
  const good = Buffer.from(`${header}t,d,ProcessCreated,"notepad.exe ""C:\\Users\\José\\Ünïcødé 🎉.txt""",Microsoft® host.exe\n`, 'utf8');
  const r = await collect(readCsvSource(inputOf(good)));
  assert.equal(r.records[0]!.raw.get('ProcessCommandLine'), 'notepad.exe "C:\\Users\\José\\Ünïcødé 🎉.txt"');
  assert.equal(r.records[0]!.raw.get('InitiatingProcessFileName'), 'Microsoft® host.exe');
  // A Latin-1 byte (0xE9), a lone continuation byte, an overlong and a truncated sequence: each
  // field decodes as it would alone.
  const second = [0x80, 0x41, 0xc0, 0xaf, 0xf0, 0x9f];
  const bad = Buffer.concat([Buffer.from(`${header}t,d,ProcessCreated,caf`), Buffer.from([0xe9, 0x2c, ...second]), Buffer.from('\n')]);
  const b = await collect(readCsvSource(inputOf(bad)));
  assert.equal(b.diagnostics.length, 0);
  assert.equal(b.records[0]!.raw.get('ProcessCommandLine'), 'caf\ufffd');
  assert.equal(b.records[0]!.raw.get('InitiatingProcessFileName'), Buffer.from(second).toString('utf8'));
});

test('UTF-16 exports (LE and BE, with a BOM) read as the UTF-8 ones, in any chunking; a UTF-8 BOM only shifts offsets', async () => {
  const render = (r: Read): string => JSON.stringify(r.items.map((i) => (i.ok ? { ...i.record, origin: { ...i.record.origin, path: '' } } : { ...i.diagnostic, path: '' })));
  for (const name of ['splunk-wineventlog.csv', 'mde-DeviceNetworkEvents.csv', 'bad-short-row.csv']) {
    const bytes = readFileSync(fixture(name));
    const utf8 = await collect(readCsvSource(inputOf(bytes, bytes.length, name)));
    assert.ok(utf8.records.length > 0);
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(bytes.toString('utf8'), 'utf16le')]);
    const be = Buffer.from(le);
    be.swap16();
    for (const [encoding, wide] of [
      ['UTF-16LE', le],
      ['UTF-16BE', be],
    ] as const) {
      // Offsets are those of the UTF-8 text, which for these (BOM-less) files is the UTF-8 file.
      for (const size of [1, 3, wide.length]) assert.equal(render(await collect(readCsvSource(inputOf(wide, size, name)))), render(utf8), `${name} as ${encoding} in ${size}-byte chunks`);
    }
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]);
    const shifted = await collect(readCsvSource(inputOf(bom, 2, name)));
    const unshift = (i: SourceItem): SourceItem =>
      i.ok ? { ok: true, record: { ...i.record, origin: { ...i.record.origin, offset: i.record.origin.offset! - 3 } } } : { ok: false, diagnostic: { ...i.diagnostic, offset: i.diagnostic.offset! - 3 } };
    assert.equal(render({ ...shifted, items: shifted.items.map(unshift) }), render(utf8), `${name} after a UTF-8 BOM`);
  }
});

test('chunking does not change anything: every fixture read 1, 2, 5, 17 and 4096 bytes at a time', async () => {
  const names = [
    'mde-DeviceProcessEvents.csv',
    'mde-DeviceNetworkEvents.csv',
    'mde-DeviceEvents.csv',
    'mde-multiline.csv',
    'splunk-wineventlog.csv',
    'bad-short-row.csv',
    'bad-unterminated-quote.csv',
  ];
  const render = (r: Read): string => JSON.stringify(r.items.map((i) => (i.ok ? { ...i.record, origin: { ...i.record.origin, path: '' } } : { ...i.diagnostic, path: '' })));
  for (const name of names) {
    const bytes = readFileSync(fixture(name));
    const whole = render(await collect(readCsvSource(inputOf(bytes, bytes.length, name))));
    for (const size of [1, 2, 5, 17, 4096]) assert.equal(render(await collect(readCsvSource(inputOf(bytes, size, name)))), whole, `${name} in ${size}-byte chunks`);
  }
});

test('gzip input through openInput', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'csv-test-'));
  try {
    const gz = path.join(dir, 'export.csv.gz');
    writeFileSync(gz, gzipSync(readFileSync(fixture('mde-DeviceRegistryEvents.csv'))));
    const r = await collect(readCsvSource(await openInput(gz)));
    assert.equal(r.records.length, 3);
    assert.equal(r.records[1]!.raw.get('RegistryValueName'), 'ProfileInstallPath');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
