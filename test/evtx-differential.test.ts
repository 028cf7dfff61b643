// Differential test: our EVTX reader against libevtx's `evtxexport` (Debian libevtx-utils
// 20181227) on every .evtx file under ../shared/data. For each file:
//   (a) we yield at least as many live records as `evtxexport -m items` exports, and every
//       record it exports is one we yield (matched by EventRecordID);
//   (b) every record both decode agrees on time, EventID, channel, computer, provider and every
//       data value, after the normalisations in support/compare.ts; the only differences let
//       through are those on the commented allow-list KNOWN_DIFFERENCES there;
//   (c) on the 13 files of robustness/evtx-to-mitre-failing/, where evtxexport exports nothing,
//       we yield records.
// evtxexport takes about 7 s for the whole corpus here (two processes at a time).
// `node dist/scripts/evtx-diff-report.js` prints the same comparison as a table.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readEvtxFile } from '../src/evtx/reader.js';
import type { ExportResult } from './support/evtxexport.js';
import { exportWithLibevtx, hasEvtxexport, parseEvtxexportXml } from './support/evtxexport.js';
import type { OurRecord } from './support/compare.js';
import { KNOWN_DIFFERENCES, compareFile, describeDifference, fromOurRecord, valuesAgree } from './support/compare.js';
import { listEvtxFiles, loadReferenceCounts, relativeToSharedData, requireSharedData } from './support/shared-data.js';

/** evtxexport exits with an error on these and exports nothing; python-evtx fails too. */
const MITRE_FAILING = 'robustness/evtx-to-mitre-failing/';

interface OurSide {
  records: OurRecord[];
  errors: number;
  warnings: number;
  firstError: string | null;
}

function readOurs(file: string): OurSide {
  const side: OurSide = { records: [], errors: 0, warnings: 0, firstError: null };
  for (const item of readEvtxFile(file)) {
    if (item.ok) {
      if (!item.record.origin.recovered) side.records.push(fromOurRecord(item.record));
    } else if (item.diagnostic.severity === 'error') {
      side.errors++;
      side.firstError ??= `${item.diagnostic.code}: ${item.diagnostic.message}`;
    } else {
      side.warnings++;
    }
  }
  return side;
}

// The parser of evtxexport's output is checked on its own first, so that a failure below is
// known to be about our reader, not about reading the reference.
test('evtxexport XML output parser', () => {
  const output = [
    'evtxexport 20181227',
    '',
    '<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">',
    '  <System>',
    '    <Provider Name="Microsoft-Windows-Sysmon" Guid="{5770385F-C22A-43E0-BF4C-06F5698FFBD9}"/>',
    '    <EventID Qualifiers="16384">1</EventID>',
    '    <TimeCreated SystemTime="2019-05-11T17:28:17.176430000Z"/>',
    '    <EventRecordID>16036</EventRecordID>',
    '    <Channel/>',
    '    <Computer>IEWIN7</Computer>',
    '  </System>',
    '  <EventData>',
    '    <Data Name="RuleName"/>',
    '    <Data Name="LogonId">0x0000000000013765</Data>',
    '    <Data Name="Cmd">a &lt;b&gt; &amp; "c"</Data>',
    // An ANSI string: evtxexport prints it unescaped, markup and all.
    '    <Data Name="Value"><DeviceAddRequest><Password>*</Password></DeviceAddRequest></Data>',
    // Values keep CR LF, blank lines and leading tabs.
    '    <Data>\tA=1\r',
    '\r',
    '\tB=</Data>',
    '    <Data/>',
    '    <Binary>D9060000</Binary>',
    '  </EventData>',
    '</Event>',
    '',
    '<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">',
    '  <System>',
    '    <EventRecordID>7</EventRecordID>',
    '  </System>',
    '  <UserData>',
    '    <EventXML xmlns="LoadPerf">',
    '      <param1>WmiApRpl</param1>',
    '      <EventAuxInfo ProcessName="Setup.exe"/>',
    '    </EventXML>',
    '  </UserData>',
    '</Event>',
    '',
    // A recovered record evtxexport could not finish: cut off, no </Event>.
    '<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">',
    '  <System>',
    '    <EventRecordID>8</EventRecordID>',
    '  </System>',
    '  <ata',
    '<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">',
    '  <System>',
    '    <EventRecordID>9</EventRecordID>',
    '  </System>',
    '</Event>',
    '',
  ].join('\n');
  const records = parseEvtxexportXml(output);
  assert.equal(records.length, 4);
  const [a, b, c, d] = records;
  assert.deepEqual(a, {
    recordId: 16036,
    timeCreated: '2019-05-11T17:28:17.176430000Z',
    eventId: 1,
    channel: '',
    computer: 'IEWIN7',
    provider: 'Microsoft-Windows-Sysmon',
    data: [
      ['RuleName', ''],
      ['LogonId', '0x0000000000013765'],
      ['Cmd', 'a <b> & "c"'],
      ['Value', '<DeviceAddRequest><Password>*</Password></DeviceAddRequest>'],
      ['', '\tA=1\r\n\r\n\tB='],
      ['', ''],
      ['Binary', 'D9060000'],
    ],
  });
  assert.deepEqual(b?.data, [
    ['param1', 'WmiApRpl'],
    ['EventAuxInfo', ''],
  ]);
  assert.equal(c?.recordId, 8);
  assert.equal(c?.truncated, true);
  assert.equal(d?.recordId, 9);
  assert.equal(d?.truncated, undefined);

  // Normalisations the comparison relies on.
  assert.ok(valuesAgree('2019-05-11T17:28:17.1764300Z', '2019-05-11T17:28:17.176430000Z'));
  assert.ok(valuesAgree('2022-03-10T11:34:14.0000000Z', '2022-03-10T11:34:14.000Z'));
  assert.ok(valuesAgree('0x13765', '0x0000000000013765'));
  assert.ok(valuesAgree('0x4', '4'));
  assert.ok(valuesAgree('0.8593064', '8.593064e-001'));
  assert.ok(valuesAgree('{eb79061a-a566-4698-9119-3ed2807060e7}', '{EB79061A-A566-4698-9119-3ED2807060E7}'));
  assert.ok(!valuesAgree('0x13766', '0x0000000000013765'));
  assert.ok(!valuesAgree('0.86', '8.593064e-001'));
  assert.ok(!valuesAgree('true', 'false'));
});

test('our EVTX reader agrees with libevtx evtxexport on ../shared/data', async (t) => {
  const dir = requireSharedData(t);
  if (dir === null) return;
  if (!hasEvtxexport()) {
    const message = 'evtxexport not found (Debian package libevtx-utils): the differential test cannot run';
    if (process.env.CI) assert.fail(`${message}; CI must install it`);
    t.skip(message);
    t.diagnostic(`SKIPPED: ${message}`);
    return;
  }
  const reference = loadReferenceCounts(dir);
  const files = listEvtxFiles(dir);
  assert.ok(files.length > 0, `no .evtx files under ${dir}`);

  // evtxexport runs a few files ahead while we read and compare (exportWithLibevtx never runs
  // more than two processes at once; the rest wait their turn).
  const AHEAD = 4;
  const pending = new Map<number, Promise<ExportResult>>();
  const prefetch = (i: number): void => {
    if (i >= files.length || pending.has(i)) return;
    const p = exportWithLibevtx(files[i]!, 'items');
    p.catch(() => undefined); // rejections are reported when awaited, not as unhandled
    pending.set(i, p);
  };

  const totals = { files: 0, theirs: 0, ours: 0, agree: 0, differ: 0, onlyOurs: 0, onlyTheirs: 0, allowed: 0 };
  const allowedBy: Record<string, number> = {};
  let mitreFiles = 0;
  let theirMs = 0;
  let ourMs = 0;
  const started = Date.now();

  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    const rel = relativeToSharedData(file, dir);
    for (let k = i; k < i + AHEAD; k++) prefetch(k);
    const waitStart = Date.now();
    const theirs = await pending.get(i)!;
    theirMs += Date.now() - waitStart;
    pending.delete(i);

    await t.test(rel, (st) => {
      const readStart = Date.now();
      const ours = readOurs(file);
      ourMs += Date.now() - readStart;
      const cmp = compareFile(ours.records, theirs.records, { allow: KNOWN_DIFFERENCES, file: rel, maxExamples: 10 });

      totals.files++;
      totals.theirs += cmp.theirs;
      totals.ours += ours.records.length;
      totals.agree += cmp.agree;
      totals.differ += cmp.differ;
      totals.onlyOurs += cmp.onlyOurs;
      totals.onlyTheirs += cmp.onlyTheirs;
      totals.allowed += cmp.allowed;
      for (const [id, n] of Object.entries(cmp.allowedBy)) allowedBy[id] = (allowedBy[id] ?? 0) + n;

      // evtxexport's stderr is a backtrace; its second line names the cause.
      const why = theirs.exitCode !== 0 ? ` [${theirs.stderr.split('\n').find((l) => l.startsWith('lib')) ?? theirs.stderr.trim()}]` : '';
      const line =
        `evtxexport ${theirs.records.length} (exit ${theirs.exitCode}${why}), ours ${ours.records.length}` +
        ` (${ours.errors} errors, ${ours.warnings} warnings): agree ${cmp.agree}, differ ${cmp.differ},` +
        ` only-ours ${cmp.onlyOurs}, only-theirs ${cmp.onlyTheirs}` +
        (cmp.allowed > 0 ? `, agree by allow-list ${cmp.allowed} ${JSON.stringify(cmp.allowedBy)}` : '');
      st.diagnostic(line);

      // The reference itself: all of evtxexport's output parsed, and as much as it exported
      // when reference-counts.json was made (same version, same files).
      const cut = theirs.records.filter((r) => r.truncated).length;
      assert.equal(cut, 0, `${cut} records of evtxexport's output did not parse`);
      const ref = reference.get(rel);
      if (ref !== undefined) {
        assert.equal(theirs.records.length, ref.evtxexport.records, 'evtxexport exported a different number of records than reference-counts.json says');
        assert.equal(theirs.exitCode, ref.evtxexport.exitCode, `evtxexport exit code differs from reference-counts.json: ${theirs.stderr.split('\n')[0] ?? ''}`);
      }

      // (a) at least as many records, and each of theirs among ours.
      assert.ok(
        ours.records.length >= theirs.records.length,
        `we yield ${ours.records.length} records, evtxexport ${theirs.records.length}; first error: ${ours.firstError ?? 'none'}`,
      );
      assert.equal(
        cmp.onlyTheirs,
        0,
        `${cmp.onlyTheirs} records exported by evtxexport are not among ours (ids ${cmp.onlyTheirsIds.join(', ')}); first error: ${ours.firstError ?? 'none'}`,
      );

      // (b) every record both decode agrees, up to the documented allow-list.
      assert.equal(
        cmp.differ,
        0,
        `${cmp.differ} of ${cmp.agree + cmp.differ} records differ from evtxexport:\n  ` + cmp.examples.map(describeDifference).join('\n  '),
      );

      // (c) where evtxexport fails outright, we still read the file.
      if (rel.startsWith(MITRE_FAILING)) {
        mitreFiles++;
        st.diagnostic(`evtx-to-mitre-failing: evtxexport exported ${theirs.records.length} (exit ${theirs.exitCode}); we yield ${ours.records.length}`);
        assert.ok(ours.records.length > 0, `no records from ${rel}; first error: ${ours.firstError ?? 'none'}`);
      }
    });
  }

  // (c) must not pass vacuously: the folder holds 13 files (see ../shared/data/README.md).
  assert.ok(mitreFiles > 0, `no files under ${MITRE_FAILING}`);
  const seconds = (ms: number): string => (ms / 1000).toFixed(1);
  t.diagnostic(
    `TOTAL ${totals.files} files: evtxexport ${totals.theirs} records, ours ${totals.ours}; agree ${totals.agree}` +
      ` (${totals.allowed} by allow-list ${JSON.stringify(allowedBy)}), differ ${totals.differ},` +
      ` only-ours ${totals.onlyOurs}, only-theirs ${totals.onlyTheirs};` +
      ` ${seconds(Date.now() - started)} s (waiting for evtxexport ${seconds(theirMs)} s, our reader ${seconds(ourMs)} s)`,
  );
});
