// Output safety over every output: one hostile event (terminal escapes, an OSC 8 hyperlink, BEL,
// a carriage-return overwrite, U+202E, markup, spreadsheet formulas, hostile field names and a
// `__proto__` key) from a file whose name carries an escape too, through `scan` in every
// `--format`, through `dump`, and onto stderr. No raw control character reaches terminal-bound
// text, no CSV cell starts a formula, no markup from the event reaches the HTML unescaped.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { parse } from 'csv-parse/sync';
import { REPORT_FORMATS } from '../src/report/index.js';
import { writeEvtx, type WriteEvent } from '../src/evtx/writer/index.js';
import { renderRows } from '../src/hunt/render.js';
import { safeText } from '../src/cli/safe-text.js';
import { projectRoot } from './support/shared-data.js';

const ROOT = projectRoot();
const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');

const ESC = '\u001b';
const PAYLOAD =
  `${ESC}[31mRED${ESC}[0m ${ESC}]8;;http://evil.example/\u0007click${ESC}]8;;\u0007 \u0007bell\rOVERWRITE ` +
  `\u202Egnp.exe \u009b31m <script>alert(1)</script><img src=x onerror=alert(2)> ${ESC}[2J`;
const FORMULAS = ["=cmd|' /C calc'!A0", '+1+cmd', '-2+3', '@SUM(1)', '\t=1+1', '\r=1+1'];

/** Any control character or bidi control that would act on a terminal (newline and tab excepted). */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
/** Our own colour sequences (SGR) are allowed when colour is on; nothing else from ESC. */
// eslint-disable-next-line no-control-regex
const OWN_SGR = /\u001b\[[0-9;]*m/g;

function hostileInput(t: TestContext): { dir: string; file: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'cmstp-hunt-safety-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const first = readFileSync(path.join(ROOT, 'test', 'fixtures', 'sources', 'otrf-sample.ndjson'), 'utf8').split('\n')[0]!;
  const ev = JSON.parse(first) as Record<string, unknown>;
  ev['CommandLine'] = `${FORMULAS[0]} "C:\\Windows\\System32\\cmstp.exe" /au /s C:\\x.inf ${PAYLOAD}`;
  ev['Hostname'] = `${FORMULAS[1]}${PAYLOAD}`;
  ev['ParentImage'] = `${FORMULAS[2]}\\powershell.exe ${PAYLOAD}`;
  ev['ParentCommandLine'] = `${FORMULAS[4]} ${PAYLOAD}`;
  ev['User'] = `${FORMULAS[3]}${PAYLOAD}`;
  ev['IntegrityLevel'] = `${FORMULAS[5]}`;
  // Hostile field names: escapes, markup, a formula, and a key that is special to JavaScript.
  const line = JSON.stringify(ev).slice(0, -1) + `,${JSON.stringify(`${ESC}]8;;http://x/\u0007Name<script>x</script>`)}:"v1",${JSON.stringify('=HYPERLINK("http://x")')}:"v2","__proto__":{"polluted":"yes"},${JSON.stringify(`\u202Eeman${ESC}[2J`)}:${JSON.stringify(PAYLOAD)}}`;
  JSON.parse(line);
  const file = path.join(dir, `evil${ESC}[31m\u202E.ndjson`);
  writeFileSync(file, line + '\n' + line + '\n');
  return { dir, file };
}

function run(args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } });
  assert.equal(r.error, undefined, String(r.error));
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function assertTerminalSafe(text: string, what: string, colour = false): void {
  const t = colour ? text.replace(OWN_SGR, '') : text;
  const m = RAW_CONTROL.exec(t);
  assert.equal(m, null, `${what}: raw U+${(m?.[0].charCodeAt(0) ?? 0).toString(16).padStart(4, '0')} near ${JSON.stringify(t.slice(Math.max(0, (m?.index ?? 0) - 40), (m?.index ?? 0) + 20))}`);
}

function assertCsvSafe(text: string, what: string): void {
  const parsed: unknown = parse(text, { relax_column_count: true });
  assert.ok(Array.isArray(parsed), what);
  const rows = parsed as string[][];
  assert.ok(rows.length >= 2, `${what}: header and rows`);
  for (const row of rows) {
    for (const cell of row) assert.doesNotMatch(cell, /^[=+\-@\t\r]/, `${what}: a cell starts a formula: ${JSON.stringify(cell.slice(0, 40))}`);
  }
  assertTerminalSafe(text.replace(/\r\n/g, '\n'), what);
}

test('scan: every --format keeps the hostile event inert', (t) => {
  const { file } = hostileInput(t);
  let findings = 0;
  for (const format of REPORT_FORMATS) {
    const colours = format === 'table' ? ['never', 'always'] : ['never'];
    for (const colour of colours) {
      const r = run(['scan', file, '--raw', '-f', format, '--color', colour]);
      const what = `${format}${format === 'table' ? ` (colour ${colour})` : ''}`;
      assert.equal(r.code, 0, `${what}: ${r.stderr}`);
      assert.ok(r.stdout.length > 0, what);
      // Every output may end up on a terminal (`scan … | less -R`, a CI log), and stderr does.
      // CSV rows end in CRLF (RFC 4180); a CR right before LF overwrites nothing.
      assertTerminalSafe(r.stdout.replace(/\r\n/g, '\n'), `${what} stdout`, colour === 'always');
      assertTerminalSafe(r.stderr, `${what} stderr`);
      if (format === 'csv' || format === 'timesketch-csv') assertCsvSafe(r.stdout, what);
      if (format === 'html') {
        assert.doesNotMatch(r.stdout, /<script>alert|<img src=x/, `${what}: markup from the event`);
        // Only the page's own scripts and no tag from the event; the data is an inert JSON blob.
        assert.doesNotMatch(r.stdout, /<\/?(?:img|iframe|object)\b/i);
        const scripts = r.stdout.match(/<script\b[^>]*>/gi) ?? [];
        for (const s of scripts) assert.match(s, /^<script( type="application\/json" id="[a-z-]+")?>$/, s);
        assert.doesNotMatch(r.stdout, /Name<script>/);
      }
      if (format === 'jsonl') findings = r.stdout.trim().split('\n').length;
      if (format === 'json' || format === 'navigator') JSON.parse(r.stdout);
      if (format === 'jsonl' || format === 'timesketch') for (const line of r.stdout.trim().split('\n')) JSON.parse(line);
      // `__proto__` from input is data, never a prototype.
      assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    }
  }
  assert.ok(findings > 0, 'the hostile event matched rules, so every field went through the renderers');
});

test('scan: the hostile values survive as text (escaped, not dropped) in JSON', (t) => {
  const { file } = hostileInput(t);
  const r = run(['scan', file, '--raw', '-f', 'jsonl', '--no-incidents']);
  const f = JSON.parse(r.stdout.trim().split('\n')[0]!) as { events: Array<{ fields: Record<string, unknown>; raw?: Record<string, unknown> }> };
  const text = r.stdout;
  assert.ok(JSON.stringify(f).includes('RED'));
  assert.ok(text.includes('\\u001b[31mRED'), 'ESC kept as a JSON escape');
  assert.ok(text.includes('\\u202e'), 'U+202E kept as a JSON escape');
  assert.ok(text.includes('__proto__'), 'the __proto__ key is kept as a field name');
});

test('dump and stderr diagnostics keep the hostile input inert', (t) => {
  const { dir, file } = hostileInput(t);
  for (const args of [['dump', file], ['dump', '-n', file], ['dump', '--verbose', file]]) {
    const r = run(args);
    assert.equal(r.code, 0, r.stderr);
    assertTerminalSafe(r.stdout, `${args.join(' ')} stdout`);
    assertTerminalSafe(r.stderr, `${args.join(' ')} stderr`);
  }
  // A file name with escapes, in an error: a bad line in it and a file that is not a log.
  const bad = path.join(dir, `bad${ESC}]8;;http:x\u0007\r.ndjson`);
  writeFileSync(bad, `{"a":1}\n{"b":2}\n{"${ESC}[2J":\n`);
  const notLog = path.join(dir, `not-a-log${ESC}[2J\u202E.evtx`);
  writeFileSync(notLog, 'plain text\n');
  for (const cmd of ['scan', 'dump']) {
    const r = run([cmd, bad, notLog, file, '--verbose', ...(cmd === 'scan' ? ['-f', 'jsonl'] : [])]);
    assert.equal(r.code, 4, `${cmd}: ${r.stderr}`);
    assertTerminalSafe(r.stderr, `${cmd} stderr`);
    assert.match(r.stderr, /skipped: .*not-a-log\\x1b\[2J\\u202e\.evtx: \[unknown-format\]/, `${cmd}: the name shown with visible escapes`);
  }
});

/** The same payload as a Sysmon process creation in an EVTX file (hostile data names too). */
function hostileEvtx(dir: string): string {
  const time = new Date(Date.UTC(2026, 2, 14, 9, 0, 0));
  const event: WriteEvent = {
    provider: 'Microsoft-Windows-Sysmon',
    providerGuid: '{5770385F-C22A-43E0-BF4C-06F5698FFBD9}',
    channel: 'Microsoft-Windows-Sysmon/Operational',
    computer: `${FORMULAS[1]}${PAYLOAD}`,
    userId: 'S-1-5-18',
    level: 4,
    opcode: 0,
    keywords: 0x8000000000000000n,
    processId: 3104,
    threadId: 4012,
    eventId: 1,
    version: 5,
    task: 1,
    time,
    eventData: [
      ['UtcTime', '2026-03-14 09:00:00.000'],
      ['ProcessGuid', { type: 'guid', value: '{6E1B2C3D-0001-6A1F-0000-001000001000}' }],
      ['ProcessId', { type: 'uint32', value: 4000 }],
      ['Image', 'C:\\Windows\\System32\\cmstp.exe'],
      ['CommandLine', `${FORMULAS[0]} cmstp.exe /au /s C:\\x.inf ${PAYLOAD}`],
      ['User', `${FORMULAS[3]}${PAYLOAD}`],
      ['IntegrityLevel', FORMULAS[5]!],
      ['ParentImage', `${FORMULAS[2]}\\powershell.exe ${PAYLOAD}`],
      ['ParentCommandLine', `${FORMULAS[4]} ${PAYLOAD}`],
      [`${ESC}]8;;http:x\u0007Name<b>`, 'v1'],
      ['__proto__', PAYLOAD],
    ],
  };
  const file = path.join(dir, 'hostile.evtx');
  writeFileSync(file, writeEvtx([event]));
  return file;
}

test('EVTX: the hostile event through scan (every format) and dump (JSON lines and XML)', (t) => {
  const { dir } = hostileInput(t);
  const file = hostileEvtx(dir);
  for (const format of REPORT_FORMATS) {
    const r = run(['scan', file, '--raw', '-f', format, '--color', 'never']);
    assert.equal(r.code, 0, `${format}: ${r.stderr}`);
    assertTerminalSafe(r.stdout.replace(/\r\n/g, '\n'), `evtx ${format} stdout`);
    assertTerminalSafe(r.stderr, `evtx ${format} stderr`);
    if (format === 'csv' || format === 'timesketch-csv') assertCsvSafe(r.stdout, `evtx ${format}`);
    if (format === 'html') assert.doesNotMatch(r.stdout, /<script>alert|<img src=x|Name<b>/);
    if (format === 'jsonl') assert.ok(r.stdout.trim() !== '', 'the EVTX event matched rules');
  }
  for (const args of [['dump', file], ['dump', '-f', 'xml', file], ['dump', '-n', file]]) {
    const r = run(args);
    assert.equal(r.code, 0, r.stderr);
    assertTerminalSafe(r.stdout, `${args.join(' ')} stdout`);
    if (args.includes('xml')) assert.doesNotMatch(r.stdout, /<script>|<img /);
  }
});

test('query/hunt rows: table, CSV and HTML keep hostile values and column names inert', () => {
  // `query` renders rows from the event store through renderRows with the CLI's safeText.
  const columns = [`${ESC}[2JName<script>`, 'CommandLine', 'n'];
  const rows = FORMULAS.map((f, i) => ({ [columns[0]!]: `${f}${PAYLOAD}`, CommandLine: `${PAYLOAD}${f}`, n: i }));
  // Column names of a query are the user's own SQL, not log data; the table header is not escaped
  // (src/hunt/render.ts), so the table is checked with plain names and hostile values.
  const plain = FORMULAS.map((f, i) => ({ Name: `${f}${PAYLOAD}`, CommandLine: `${PAYLOAD}${f}`, n: i }));
  assertTerminalSafe(renderRows(['Name', 'CommandLine', 'n'], plain, 'table', safeText), 'query table');
  assertCsvSafe(renderRows(columns, rows, 'csv', safeText), 'query csv');
  const html = renderRows(columns, rows, 'html', safeText);
  assert.doesNotMatch(html, /<script|<img /i);
});
