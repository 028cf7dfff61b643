// One detection vocabulary for every source: the same CMSTP launch, exported by Sysmon as XML,
// by Winlogbeat, by Elastic Defend, by Defender for Endpoint and by Splunk, normalises to the
// same canonical fields. Fixtures are the project's own (test/fixtures/sources).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readSource } from '../src/sources/index.js';
import { normalize, TableSet } from '../src/events/normalize.js';
import { DEFAULT_TABLES } from '../src/events/tables/index.js';
import type { Event } from '../src/events/model.js';
import type { SourceDiagnostic } from '../src/sources/types.js';
import { projectRoot } from './support/shared-data.js';

const FIXTURES = join(projectRoot(), 'test', 'fixtures', 'sources');
const tables = new TableSet(DEFAULT_TABLES);

async function read(name: string): Promise<{ events: Event[]; problems: SourceDiagnostic[] }> {
  const events: Event[] = [];
  const problems: SourceDiagnostic[] = [];
  for await (const item of readSource(join(FIXTURES, name))) {
    if (item.ok) events.push(normalize(item.record, tables));
    else problems.push(item.diagnostic);
  }
  return { events, problems };
}

const CMSTP = 'C:\\Windows\\System32\\cmstp.exe';
const POWERSHELL = 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe';

function cmstpLaunches(events: Event[]): Event[] {
  return events.filter((e) => e.category === 'process_creation' && e.fields.get('Image') === CMSTP);
}

test('Sysmon XML export (wevtutil): process creation and the cmmgr32.exe registry write', async () => {
  const { events, problems } = await read('wevtutil-sysmon.xml');
  assert.deepEqual(problems, []);
  const [launch] = cmstpLaunches(events);
  assert.ok(launch !== undefined);
  assert.equal(launch.mapping, 'sysmon');
  assert.equal(launch.origin.format, 'xml');
  assert.match(String(launch.fields.get('CommandLine')), /cmstp\.exe" \/au \/s C:\\Users\\alice\\AppData\\Local\\Temp\\vpn&sync\.inf$/);
  assert.equal(launch.fields.get('ParentImage'), POWERSHELL);
  assert.equal(typeof launch.fields.get('ProcessId'), 'number');
  const reg = events.find((e) => e.category === 'registry_set');
  assert.equal(reg?.fields.get('TargetObject'), 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\App Paths\\CMMGR32.EXE\\ProfileInstallPath');
  assert.equal(reg?.fields.get('Image'), 'C:\\Windows\\system32\\DllHost.exe');
});

test('Security 4688 XML export (Get-WinEvent): canonical fields from the audit names', async () => {
  const { events, problems } = await read('get-winevent.xml');
  assert.deepEqual(problems, []);
  const [launch] = cmstpLaunches(events);
  assert.ok(launch !== undefined);
  assert.equal(launch.mapping, 'security');
  assert.equal(launch.eventId, 4688);
  assert.equal(launch.fields.get('ParentImage'), POWERSHELL);
  assert.equal(typeof launch.fields.get('ProcessId'), 'number');
  assert.equal(typeof launch.fields.get('ParentProcessId'), 'number');
  assert.ok(['Low', 'Medium', 'High', 'System'].includes(String(launch.fields.get('IntegrityLevel'))));
  assert.equal(events.find((e) => e.eventId === 4104)?.category, 'ps_script');
});

test('Winlogbeat ECS documents: Sysmon and Security events map through the Windows tables', async () => {
  const { events, problems } = await read('winlogbeat-sysmon.ndjson');
  assert.deepEqual(problems, []);
  const launches = cmstpLaunches(events);
  assert.deepEqual(launches.map((e) => e.mapping).sort(), ['security', 'sysmon']);
  for (const e of launches) {
    assert.equal(e.fields.get('CommandLine'), '"C:\\Windows\\System32\\cmstp.exe" /au /s C:\\Users\\alice\\AppData\\Local\\Temp\\vpn.inf');
    assert.equal(e.fields.get('ParentImage'), POWERSHELL);
    assert.equal(e.origin.shape, 'ecs');
    assert.equal(e.kind, 'windows');
  }
  // The ECS document stays available, untouched, as the raw fields.
  assert.ok(launches.every((e) => e.raw.has('winlog.channel')));
});

test('Elastic Defend ECS documents: process, registry, image load, network through the ECS table', async () => {
  const { events, problems } = await read('elastic-defend.ndjson');
  assert.deepEqual(problems, []);
  assert.ok(events.every((e) => e.kind === 'ecs' && e.mapping === 'ecs'));
  const [launch] = cmstpLaunches(events);
  assert.ok(launch !== undefined);
  assert.equal(launch.fields.get('ParentImage'), POWERSHELL);
  assert.match(String(launch.fields.get('Hashes')), /^SHA1=[0-9a-f]{40},MD5=[0-9a-f]{32},SHA256=[0-9a-f]{64}/);
  const byCategory = new Map(events.map((e) => [e.category, e]));
  assert.equal(byCategory.get('registry_set')?.fields.get('TargetObject'), 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\App Paths\\CMMGR32.EXE\\ProfileInstallPath');
  assert.match(String(byCategory.get('image_load')?.fields.get('ImageLoaded')), /\\(cmlua|cmstplua)\.dll$/i);
  assert.equal(byCategory.get('network_connection')?.fields.get('Initiated'), true);
  assert.ok(events.every((e) => e.host !== null && e.time !== null && /^\d{4}-\d\d-\d\dT.*\.\d{7}Z$/.test(e.time)));
});

test('Defender DeviceProcessEvents CSV: the malicious and the legitimate cmstp.exe launches', async () => {
  const { events, problems } = await read('mde-DeviceProcessEvents.csv');
  assert.deepEqual(problems, []);
  assert.ok(events.every((e) => e.mapping === 'mde:DeviceProcessEvents' && e.category === 'process_creation'));
  const cmstp = events.filter((e) => /\\cmstp\.exe$/i.test(String(e.fields.get('Image'))));
  assert.ok(cmstp.length >= 2);
  const malicious = cmstp.find((e) => /\/au\b/i.test(String(e.fields.get('CommandLine'))));
  assert.match(String(malicious?.fields.get('ParentImage')), /powershell\.exe$/i);
  assert.ok(cmstp.every((e) => typeof e.fields.get('ProcessId') === 'number' && e.host !== null));
});

test('Splunk JSON export: the Sysmon result maps like any Sysmon event', async () => {
  const { events } = await read('splunk-results.json');
  const sysmon = cmstpLaunches(events).filter((e) => e.mapping === 'sysmon');
  assert.equal(sysmon.length, 1);
  assert.equal(sysmon[0]!.origin.shape, 'splunk-json');
  assert.equal(sysmon[0]!.fields.get('ParentImage'), POWERSHELL);
});

test('bad input in every text format: located, counted as rejected, and the rest still read', async () => {
  for (const [name, code] of [
    ['bad-lines.ndjson', 'bad-json'],
    ['bad-elements.xml', 'bad-xml'],
    ['bad-short-row.csv', 'bad-csv'],
    ['bad-unterminated-quote.csv', 'bad-csv'],
  ] as const) {
    const items = readSource(join(FIXTURES, name));
    let records = 0;
    const problems: SourceDiagnostic[] = [];
    for (;;) {
      const next = await items.next();
      if (next.done === true) {
        assert.equal(next.value.records, records, `${name}: summary records`);
        assert.equal(next.value.rejected, problems.filter((p) => p.rejected).length, `${name}: summary rejected`);
        break;
      }
      if (next.value.ok) records++;
      else problems.push(next.value.diagnostic);
    }
    assert.ok(records > 0, `${name}: the good records around the bad ones are read`);
    const bad = problems.find((p) => p.code === code);
    assert.ok(bad !== undefined, `${name}: a ${code} diagnostic`);
    assert.ok(bad.line !== null && bad.line > 0, `${name}: with its line`);
    assert.equal(bad.rejected, true);
  }
});

test('a UTF-16 export (BOM) is recognised by content and reads like its UTF-8 original', async () => {
  const { mkdtempSync, readFileSync, rmSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'cmstp-utf16-'));
  try {
    const text = readFileSync(join(FIXTURES, 'wevtutil-sysmon.xml'), 'utf8');
    const file = join(dir, 'export.txt');
    writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const original = await read('wevtutil-sysmon.xml');
    const converted: Event[] = [];
    for await (const item of readSource(file)) {
      assert.ok(item.ok, JSON.stringify(item));
      converted.push(normalize(item.record, tables));
    }
    assert.equal(converted.length, original.events.length);
    assert.deepEqual(
      converted.map((e) => [e.category, e.fields.get('Image') ?? null]),
      original.events.map((e) => [e.category, e.fields.get('Image') ?? null]),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('NDJSON read line by line and the same documents as a JSON array give the same events', async () => {
  const { mkdtempSync, readFileSync, rmSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'cmstp-ndjson-'));
  try {
    const docs = readFileSync(join(FIXTURES, 'otrf-sample.ndjson'), 'utf8').split('\n').filter((l) => l.trim() !== '');
    const file = join(dir, 'array.json');
    writeFileSync(file, `[\n${docs.join(',\n')}\n]\n`);
    const asLines = await read('otrf-sample.ndjson');
    const asArray: Event[] = [];
    for await (const item of readSource(file)) if (item.ok) asArray.push(normalize(item.record, tables));
    assert.ok(asLines.events.length >= 2);
    assert.equal(asArray.length, asLines.events.length);
    assert.deepEqual(
      asArray.map((e) => JSON.stringify(e.fields)),
      asLines.events.map((e) => JSON.stringify(e.fields)),
    );
    assert.ok(asLines.events.every((e) => e.origin.format === 'ndjson'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a directory given as an input is one located I/O error, and its file handle is closed', async (t) => {
  const dir = join(projectRoot(), 'examples');
  if (!existsSync('/proc/self/fd')) return t.skip('needs /proc/self/fd to count open descriptors');
  const handles = (): number => readdirSync('/proc/self/fd').length;
  const before = handles();
  const items = [];
  for await (const item of readSource(dir, {})) items.push(item);
  assert.equal(items.length, 1);
  const d = items[0]!;
  assert.ok(!d.ok);
  assert.equal(d.diagnostic.code, 'io-error');
  assert.match(d.diagnostic.message, /EISDIR/);
  assert.equal(handles(), before, 'no file handle left open');
});
