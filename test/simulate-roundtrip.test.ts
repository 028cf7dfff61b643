// Simulated telemetry: deterministic bytes; EVTX files that our reader and libevtx's evtxexport
// both decode to exactly the events simulated; every format read back by our own readers and
// normalised to the categories the activities are; the shapes the public samples show.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { readEvtxBytes } from '../src/evtx/reader.js';
import type { WriteEvent, WriteValue } from '../src/evtx/writer/index.js';
import { normalize, TableSet } from '../src/events/normalize.js';
import type { Event } from '../src/events/model.js';
import { DEFAULT_TABLES } from '../src/events/tables/index.js';
import { readSource } from '../src/sources/index.js';
import { buildScenario, findProcedure, hostFrom, PROCEDURES, SIM_FORMATS, simulate, windowsEvents } from '../src/simulate/index.js';
import { fromOurRecord, valuesAgree } from './support/compare.js';
import { exportWithLibevtx, hasEvtxexport } from './support/evtxexport.js';
import { projectRoot } from './support/shared-data.js';

const tmp = mkdtempSync(join(tmpdir(), 'simulate-test-'));

/** A typed value as text (hex integers as 0x…; `valuesAgree` compares them as numbers). */
function valueText(v: string | WriteValue): string {
  if (typeof v === 'string') return v;
  switch (v.type) {
    case 'hex64':
    case 'int64':
    case 'uint64':
    case 'sizet':
    case 'filetime':
      return v.type === 'hex64' ? `0x${v.value.toString(16)}` : v.value.toString();
    case 'bool':
      return v.value ? 'true' : 'false';
    case 'null':
      return '';
    case 'binary':
      return Buffer.from(v.value).toString('hex');
    case 'systemtime':
      return v.value.toISOString();
    case 'stringArray':
      return v.value.join(',');
    default:
      return String(v.value);
  }
}

function expectedData(e: WriteEvent): Array<[string, string]> {
  return (e.eventData ?? []).map(([k, v]) => [k, valueText(v)]);
}

function assertSameData(label: string, actual: Array<[string, string]>, expected: Array<[string, string]>): void {
  assert.deepEqual(
    actual.map(([k]) => k),
    expected.map(([k]) => k),
    `${label}: field names and order`,
  );
  actual.forEach(([k, v], i) => assert.ok(valuesAgree(v, expected[i]![1]), `${label}: ${k}: ${JSON.stringify(v)} vs simulated ${JSON.stringify(expected[i]![1])}`));
}

async function readAll(path: string): Promise<Event[]> {
  const tables = new TableSet(DEFAULT_TABLES);
  const out: Event[] = [];
  for await (const item of readSource(path)) {
    if (item.ok) out.push(normalize(item.record, tables));
    else if (item.diagnostic.severity === 'error') assert.fail(`${path}: ${item.diagnostic.code}: ${item.diagnostic.message}`);
  }
  return out;
}

const CATEGORY: Record<string, string> = { process: 'process_creation', network: 'network_connection', dns: 'dns_query', image: 'image_load', file: 'file_event', access: 'process_access' };

test('the catalogue: the procedures the issue names, each with expectations or marked legitimate', () => {
  const names = PROCEDURES.map((p) => p.name);
  for (const n of ['atomic-t1218.003-1', 'atomic-t1218.003-2', 'winpwnage-au', 'uacme-41', 'uacme-cmluautil', 'cobalt-group-ns-txt', 'muddywater-remote-inf', 'renamed-cmstp', 'cmstp-external-connection', 'legit-cmak-profile', 'legit-sccm-profile']) {
    assert.ok(names.includes(n), n);
  }
  for (const p of PROCEDURES) {
    if (p.benign) assert.deepEqual(p.expect, {}, p.name);
    else for (const s of ['sysmon', 'security', 'ecs', 'mde'] as const) assert.ok(p.expect[s] !== undefined || p.gaps[s] !== undefined, `${p.name}/${s}: an expectation or a stated gap`);
  }
  const list = spawnSync(process.execPath, [join(projectRoot(), 'dist', 'src', 'cli', 'main.js'), 'simulate', '--list'], { encoding: 'utf8' });
  assert.equal(list.status, 0);
  assert.deepEqual(
    list.stdout.trim().split('\n').map((l) => l.split('\t')[0]),
    names,
  );
});

test('deterministic: the same procedure, host and seed give the same bytes; another seed or host does not', () => {
  for (const p of PROCEDURES) {
    for (const f of SIM_FORMATS) {
      const a = simulate(p, f);
      const b = simulate(p, f);
      assert.deepEqual(a.map((x) => Buffer.from(x.bytes).toString('base64')), b.map((x) => Buffer.from(x.bytes).toString('base64')), `${p.name} ${f}`);
    }
  }
  const p = findProcedure('uacme-41')!;
  const base = Buffer.from(simulate(p, 'xml')[0]!.bytes).toString();
  assert.notEqual(Buffer.from(simulate(p, 'xml', { seed: '1' })[0]!.bytes).toString(), base);
  const other = Buffer.from(simulate(p, 'xml', { host: 'LAB-07' })[0]!.bytes).toString();
  assert.match(other, /<Computer>LAB-07<\/Computer>/);
  assert.doesNotMatch(other, /WKS-FIN-042/);
});

test('simulated EVTX: our reader decodes every record to the simulated values', () => {
  for (const p of PROCEDURES) {
    const logs = windowsEvents(buildScenario(p, hostFrom(undefined), '0'), '0');
    for (const f of simulate(p, 'evtx')) {
      const source = f.sources[0] as 'sysmon' | 'security';
      const expected = logs[source];
      const records = [...readEvtxBytes(f.bytes, f.name)];
      assert.equal(records.length, expected.length, f.name);
      records.forEach((item, i) => {
        assert.ok(item.ok, `${f.name}: record ${i}`);
        const ours = fromOurRecord(item.record);
        const e = expected[i]!;
        assert.equal(ours.eventId, e.eventId);
        assert.equal(ours.channel, e.channel);
        assert.equal(ours.computer, e.computer);
        assert.equal(ours.recordId, e.recordId);
        assert.ok(valuesAgree(ours.timeCreated ?? '', e.time.toISOString()), `${f.name}: time`);
        assertSameData(`${f.name} #${i}`, ours.data, expectedData(e));
      });
    }
  }
});

function needEvtxexport(t: TestContext): boolean {
  if (hasEvtxexport()) return true;
  const message = 'evtxexport not installed: apt-get install libevtx-utils';
  if (process.env['CI']) assert.fail(message);
  t.skip(message);
  return false;
}

test('simulated EVTX: evtxexport reads every file without error, to the simulated values', async (t) => {
  if (!needEvtxexport(t)) return;
  for (const p of PROCEDURES) {
    const logs = windowsEvents(buildScenario(p, hostFrom(undefined), '0'), '0');
    for (const f of simulate(p, 'evtx')) {
      const path = join(tmp, f.name);
      writeFileSync(path, f.bytes);
      const r = await exportWithLibevtx(path);
      assert.equal(r.exitCode, 0, `${f.name}: ${r.stderr}`);
      assert.equal(r.stderr.trim(), '', f.name);
      const expected = logs[f.sources[0] as 'sysmon' | 'security'];
      assert.equal(r.records.length, expected.length, f.name);
      r.records.forEach((rec, i) => {
        const e = expected[i]!;
        assert.equal(rec.recordId, e.recordId);
        assert.equal(rec.eventId, e.eventId);
        assert.equal(rec.provider, e.provider);
        assert.equal(rec.computer, e.computer);
        assert.ok(valuesAgree(rec.timeCreated ?? '', e.time.toISOString()), `${f.name}: time ${rec.timeCreated}`);
        assertSameData(`${f.name} #${i} (evtxexport)`, rec.data, expectedData(e));
      });
    }
  }
});

test('every format is read back by our readers and normalised to the activities\u2019 categories', async () => {
  for (const p of PROCEDURES) {
    const scenario = buildScenario(p, hostFrom(undefined), '0');
    const want = scenario.activities.map((a) => (a.kind === 'registry' ? (a.action === 'SetValue' ? 'registry_set' : 'registry_add') : CATEGORY[a.kind]!));
    const processes = scenario.activities.filter((a) => a.kind === 'process').length;
    const connections = scenario.activities.filter((a) => a.kind === 'network').length;
    for (const format of SIM_FORMATS) {
      const categories: string[] = [];
      const mappings = new Set<string>();
      for (const f of simulate(p, format)) {
        const path = join(tmp, `${format}-${f.name}`);
        writeFileSync(path, f.bytes);
        const events = await readAll(path);
        assert.equal(events.length, f.events, `${p.name} ${format}: every record read`);
        for (const e of events) {
          assert.ok(e.category !== null, `${p.name} ${format}: ${e.mapping} event ${e.eventId} has a category`);
          assert.equal(e.host?.toLowerCase().split('.')[0], 'wks-fin-042', `${p.name} ${format}: host`);
          categories.push(e.category);
          if (e.mapping !== null) mappings.add(e.mapping);
        }
      }
      if (format === 'ecs' || format === 'mde-csv') {
        assert.deepEqual(categories, want, `${p.name} ${format}`);
      } else {
        // Sysmon records everything; Security adds a 4688 per process and a 5156 per connection.
        assert.equal(categories.length, want.length + processes + connections, `${p.name} ${format}`);
        assert.deepEqual([...mappings].sort(), ['security', 'sysmon']);
      }
    }
  }
});

test('shapes from the samples: UACME 41 and the INF elevation, as Sysmon, 4688 and Defender see them', async () => {
  const uacme = simulate(findProcedure('uacme-41')!, 'xml')[0]!;
  const path = join(tmp, 'shape-uacme.xml');
  writeFileSync(path, uacme.bytes);
  const events = await readAll(path);
  const sysmonProc = events.filter((e) => e.mapping === 'sysmon' && e.category === 'process_creation');
  const child = sysmonProc.find((e) => e.fields.get('ParentImage') === 'C:\\Windows\\System32\\dllhost.exe')!;
  assert.equal(child.fields.get('Image'), 'C:\\Windows\\System32\\cmd.exe');
  assert.equal(child.fields.get('IntegrityLevel'), 'High');
  assert.equal(child.fields.get('ParentCommandLine'), 'C:\\Windows\\system32\\DllHost.exe /Processid:{3E5FC7F9-9A51-4367-9063-A120244FBEC7}');
  const host = sysmonProc.find((e) => e.fields.get('Image') === 'C:\\Windows\\System32\\dllhost.exe')!;
  assert.equal(host.fields.get('ParentCommandLine'), 'C:\\Windows\\system32\\svchost.exe -k DcomLaunch -p');
  assert.equal(host.fields.get('ProcessGuid'), child.fields.get('ParentProcessGuid'), 'the parent chain is linked by GUID');
  const consent = sysmonProc.find((e) => e.fields.get('Image') === 'C:\\Windows\\System32\\consent.exe')!;
  assert.equal(consent.fields.get('User'), 'NT AUTHORITY\\SYSTEM');
  assert.match(String(consent.fields.get('ParentCommandLine')), /-s Appinfo$/);
  // 4688: the COM server is created by the machine account for the user; the child links by creator PID.
  const sec = events.filter((e) => e.mapping === 'security');
  const secHost = sec.find((e) => e.fields.get('Image') === 'C:\\Windows\\System32\\dllhost.exe')!;
  assert.equal(secHost.raw.get('SubjectUserName'), 'WKS-FIN-042$');
  assert.equal(secHost.fields.get('User'), 'CORP\\j.doe');
  assert.equal(secHost.fields.get('IntegrityLevel'), 'High');
  const secChild = sec.find((e) => e.fields.get('ParentImage') === 'C:\\Windows\\System32\\dllhost.exe')!;
  assert.equal(secChild.fields.get('ParentProcessId'), secHost.fields.get('ProcessId'));
  assert.equal(secChild.fields.get('ProcessId'), child.fields.get('ProcessId'), 'Sysmon and 4688 agree on PIDs');

  // WinPwnage in Defender: the elevated DllHost writes ProfileInstallPath; the payload runs High.
  const mde = simulate(findProcedure('winpwnage-au')!, 'mde-csv')[0]!;
  const mdePath = join(tmp, 'shape-winpwnage.csv');
  writeFileSync(mdePath, mde.bytes);
  const rows = await readAll(mdePath);
  const reg = rows.find((e) => e.category === 'registry_set' && /ProfileInstallPath$/.test(String(e.fields.get('TargetObject'))))!;
  assert.equal(reg.fields.get('Image'), 'C:\\Windows\\System32\\dllhost.exe'.toLowerCase());
  const cmstp = rows.find((e) => e.category === 'process_creation' && /cmstp\.exe$/i.test(String(e.fields.get('Image'))))!;
  assert.match(String(cmstp.fields.get('CommandLine')), /\/au c:\\users\\j\.doe\\appdata\\local\\temp\\tmp\.ini$/);
  assert.equal(cmstp.fields.get('IntegrityLevel'), 'Medium');
});

test('cmstp-hunt simulate: files per format, EVTX needs --out, unknown names are usage errors', () => {
  const cli = join(projectRoot(), 'dist', 'src', 'cli', 'main.js');
  const run = (args: string[]) => spawnSync(process.execPath, [cli, 'simulate', ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const out = join(tmp, 'cli');
  const r = run(['atomic-t1218.003-2', '--format', 'evtx', '--out', out, '--host', 'WKS-LAB-3.lab.example']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /atomic-t1218\.003-2\.sysmon\.evtx: \d+ events/);
  assert.match(r.stderr, /atomic-t1218\.003-2\.security\.evtx: 4 events/);
  const xml = run(['renamed-cmstp', '--format', 'xml']);
  assert.equal(xml.status, 0);
  assert.match(xml.stdout, /^<\?xml/);
  assert.match(xml.stdout, /vpnsetup\.exe/);
  assert.equal(run(['atomic-t1218.003-2', '--format', 'evtx']).status, 2);
  assert.equal(run(['nope', '--format', 'xml']).status, 2);
  assert.equal(run(['uacme-41', '--format', 'pcap']).status, 2);
});


