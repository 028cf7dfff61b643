// The event model: mapping tables applied to Windows records, from real EVTX and from records
// built here, including the Security 4688 conversions (hex ids, labels, elevation, users).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { normalize, TableSet } from '../src/events/normalize.js';
import { DEFAULT_TABLES } from '../src/events/tables/index.js';
import { Fields } from '../src/events/fields.js';
import type { FieldValue } from '../src/events/fields.js';
import type { SourceRecord } from '../src/events/origin.js';
import { readEvtxSource } from '../src/sources/evtx.js';
import { emptySystem, windowsView } from '../src/sources/windows-view.js';
import type { WindowsSystem } from '../src/sources/windows-view.js';
import type { Event } from '../src/events/model.js';
import { requireSharedData } from './support/shared-data.js';

const tables = new TableSet(DEFAULT_TABLES);

function record(system: Partial<WindowsSystem>, data: Array<[string, FieldValue]>): SourceRecord {
  const view = windowsView({ ...emptySystem(), ...system }, data);
  return {
    kind: 'windows',
    table: null,
    raw: view,
    view,
    origin: { path: 'test', format: 'xml', shape: 'windows-xml', recordId: null, line: 1, offset: 0, recovered: false },
  };
}

const SECURITY = { channel: 'Security', provider: 'Microsoft-Windows-Security-Auditing', computer: 'WS1', timeCreated: '2026-01-02T03:04:05.1234567Z' };

test('Security 4688: hex ids become numbers, label and elevation become readable, the creator is the parent', () => {
  const e = normalize(
    record({ ...SECURITY, eventId: 4688 }, [
      ['SubjectUserSid', 'S-1-5-21-1-2-3-1001'],
      ['SubjectUserName', 'j.doe'],
      ['SubjectDomainName', 'CORP'],
      ['SubjectLogonId', '0x53ca2'],
      ['NewProcessId', '0x21a4'],
      ['NewProcessName', 'C:\\Windows\\System32\\cmstp.exe'],
      ['TokenElevationType', '%%1938'],
      ['ProcessId', '0x1a0'],
      ['CommandLine', 'cmstp.exe /s /ns C:\\Users\\j.doe\\AppData\\Local\\Temp\\x.inf /au'],
      ['TargetUserSid', 'S-1-0-0'],
      ['TargetUserName', '-'],
      ['TargetDomainName', '-'],
      ['TargetLogonId', '0x0'],
      ['ParentProcessName', 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe'],
      ['MandatoryLabel', 'S-1-16-8192'],
    ]),
    tables,
  );
  assert.equal(e.category, 'process_creation');
  assert.equal(e.mapping, 'security');
  const f = (n: string): FieldValue | undefined => e.fields.get(n);
  assert.equal(f('Image'), 'C:\\Windows\\System32\\cmstp.exe');
  assert.equal(f('CommandLine'), 'cmstp.exe /s /ns C:\\Users\\j.doe\\AppData\\Local\\Temp\\x.inf /au');
  assert.equal(f('ProcessId'), 0x21a4);
  assert.equal(f('ParentProcessId'), 0x1a0);
  assert.equal(f('ParentImage'), 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe');
  assert.equal(f('IntegrityLevel'), 'Medium');
  assert.equal(f('TokenElevationType'), 'TokenElevationTypeLimited');
  assert.equal(f('User'), 'CORP\\j.doe', 'Target is "-" before Windows 10: the subject is the user');
  assert.equal(f('LogonId'), '0x53ca2', 'TargetLogonId 0x0 means none');
  assert.equal(f('ParentCommandLine'), undefined, '4688 has no parent command line');
  // The original fields are untouched.
  assert.equal(e.raw.get('ProcessId'), '0x1a0');
  assert.equal(e.raw.get('TokenElevationType'), '%%1938');
  assert.deepEqual([e.host, e.time, e.eventId, e.channel], ['WS1', '2026-01-02T03:04:05.1234567Z', 4688, 'Security']);
});

test('Security 4688 on Windows 10+: the Target account is the new process user', () => {
  const e = normalize(
    record({ ...SECURITY, eventId: 4688 }, [
      ['SubjectUserName', 'WS1$'],
      ['SubjectDomainName', 'CORP'],
      ['TargetUserName', 'admin'],
      ['TargetDomainName', 'CORP'],
      ['TargetLogonId', '0x1f00a'],
      ['NewProcessId', '0x10'],
      ['NewProcessName', 'C:\\Windows\\System32\\cmd.exe'],
      ['MandatoryLabel', 'S-1-16-12288'],
      ['TokenElevationType', '%%1937'],
    ]),
    tables,
  );
  assert.equal(e.fields.get('User'), 'CORP\\admin');
  assert.equal(e.fields.get('LogonId'), '0x1f00a');
  assert.equal(e.fields.get('IntegrityLevel'), 'High');
  assert.equal(e.fields.get('TokenElevationType'), 'TokenElevationTypeFull');
  assert.equal(e.fields.get('CreatorUser'), 'CORP\\WS1$');
});

test('Security 4657 picks registry_set or registry_delete by operation, and builds TargetObject', () => {
  const base: Array<[string, FieldValue]> = [
    ['ObjectName', '\\REGISTRY\\MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\App Paths\\cmmgr32.exe'],
    ['ObjectValueName', 'ProfileInstallPath'],
    ['ProcessName', 'C:\\Windows\\System32\\dllhost.exe'],
    ['NewValue', 'C:\\ProgramData\\Microsoft\\Network\\Connections\\Cm'],
  ];
  const set = normalize(record({ ...SECURITY, eventId: 4657 }, [...base, ['OperationType', '%%1905']]), tables);
  assert.equal(set.category, 'registry_set');
  assert.equal(set.fields.get('TargetObject'), 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\App Paths\\cmmgr32.exe\\ProfileInstallPath');
  assert.equal(set.fields.get('Details'), 'C:\\ProgramData\\Microsoft\\Network\\Connections\\Cm');
  assert.equal(set.fields.get('Image'), 'C:\\Windows\\System32\\dllhost.exe');
  const del = normalize(record({ ...SECURITY, eventId: 4657 }, [...base, ['OperationType', '%%1906']]), tables);
  assert.equal(del.category, 'registry_delete');
  const other = normalize(record({ ...SECURITY, eventId: 4657 }, [...base, ['OperationType', '%%1907']]), tables);
  assert.equal(other.category, null, 'an operation no mapping names has no category');
});

test('records no table claims keep their fields and have no category', () => {
  const e = normalize(record({ eventId: 7045, channel: 'System', provider: 'Service Control Manager' }, [['ServiceName', 'x']]), tables);
  assert.equal(e.category, null);
  assert.equal(e.mapping, null);
  assert.equal(e.fields.get('ServiceName'), 'x');
  assert.equal(e.fields.get('EventID'), 7045);
});

test('field names from logs cannot reach a prototype', () => {
  const e = normalize(record({ ...SECURITY, eventId: 1 }, [['__proto__', 'x'], ['constructor', 'y'], ['toString', 'z']]), tables);
  assert.equal(e.fields.get('__proto__'), 'x');
  assert.equal(e.fields.get('constructor'), 'y');
  const o = e.fields.toObject();
  assert.equal(Object.getPrototypeOf(Object.getPrototypeOf(o)), null);
  assert.equal(JSON.stringify(o).includes('"__proto__":"x"'), true);
  assert.equal(new Fields().get('hasOwnProperty'), undefined);
});

test('Sysmon EVTX: the WinPwnage /au bypass maps to process_creation, file_event and registry_set', (t) => {
  const data = requireSharedData(t);
  if (data === null) return;
  const file = join(data, 'evtx-attack-samples', 'Privilege Escalation', 'sysmon_1_13_11_cmstp_ini_uacbypass.evtx');
  const events: Event[] = [];
  for (const item of readEvtxSource(file)) if (item.ok) events.push(normalize(item.record, tables));
  assert.deepEqual(
    events.map((e) => [e.eventId, e.category]),
    [
      [1, 'process_creation'],
      [11, 'file_event'],
      [1, 'process_creation'],
      [13, 'registry_set'],
      [1, 'process_creation'],
    ],
  );
  const cmstp = events[2]!;
  assert.equal(cmstp.fields.get('Image'), 'C:\\Windows\\System32\\cmstp.exe');
  assert.equal(cmstp.fields.get('CommandLine'), '"C:\\Windows\\System32\\cmstp.exe" /au c:\\users\\ieuser\\appdata\\local\\temp\\tmp.ini');
  assert.equal(cmstp.origin.format, 'evtx');
  const reg = events[3]!;
  assert.equal(reg.fields.get('TargetObject'), 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\App Paths\\cmmgr32.exe\\ProfileInstallPath');
  const elevated = events[4]!;
  assert.equal(elevated.fields.get('IntegrityLevel'), 'High');
  assert.equal(elevated.fields.get('ParentCommandLine'), 'C:\\Windows\\system32\\DllHost.exe /Processid:{3E5FC7F9-9A51-4367-9063-A120244FBEC7}');
});
