// Regression cases for what the fuzz suite (scripts/fuzz, test/fuzz.test.ts) found, one per fix:
//   - INF [Strings] substitution multiplied a long string into gigabytes (RangeError, or the heap
//     exhausted), and a run of continuation lines past the line cap was quadratic;
//   - a Sigma condition nested thousands of levels deep overflowed the parser's stack;
//   - a Sigma map of tens of thousands of keys took minutes (yaml's duplicate-key check compares
//     every key with every other);
//   - EVTX diagnostics in the zero-filled tail of a truncated last chunk pointed past the file;
//   - the CSV scanner copied a row again for every chunk it spans: a 17 MB unterminated quote
//     fed in 4 KiB chunks took 20 s (now it grows in place; checked here for the content).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readEvtxBytes } from '../src/evtx/reader.js';
import { writeEvtx, type WriteEvent } from '../src/evtx/writer/index.js';
import { DEFAULT_INF_LIMITS, parseInf } from '../src/inf/parse.js';
import { CsvScanner, type CsvItem } from '../src/sources/csv-scanner.js';
import { MAX_CONDITION_DEPTH } from '../src/sigma/condition.js';
import { loadRules } from '../src/sigma/load.js';

const latin1 = (s: string): Uint8Array => Buffer.from(s, 'latin1');

test('INF: a long [Strings] value referenced 20,000 times on one line stays as written, with a problem', () => {
  const big = 'X'.repeat(60_000);
  const inf = parseInf(latin1(`[Strings]\r\nx="${big}"\r\ns="short"\r\n[DefaultInstall]\r\nRunPreSetupCommands=${'%x%'.repeat(20_000)}\r\nAddReg=%s%,%s%\r\n`));
  const entries = inf.sections.get('defaultinstall')!.entries;
  assert.equal(entries[0]!.fields[0], '%x%'.repeat(20_000), 'references that would pass the line cap are kept as written');
  assert.deepEqual(entries[1]!.fields, ['short', 'short'], 'other substitutions still happen');
  assert.deepEqual(
    inf.problems.map((p) => [p.code, p.line]),
    [['line-too-long', 5]],
  );
});

test('INF: substitution in total stays within a multiple of the input', () => {
  const lines = Array.from({ length: 400 }, (_, i) => `k${i}=%x%`);
  const text = `[Strings]\r\nx="${'X'.repeat(60_000)}"\r\n[DefaultInstall]\r\n${lines.join('\r\n')}\r\n`;
  const inf = parseInf(latin1(text));
  const entries = inf.sections.get('defaultinstall')!.entries;
  const total = entries.reduce((n, e) => n + e.fields.join('').length, 0);
  const expanded = entries.filter((e) => e.fields[0] !== '%x%').length;
  assert.ok(expanded > 0 && expanded < 400, `${expanded} of 400 lines expanded`);
  assert.ok(total <= Math.max(4 * 1024 * 1024, 16 * text.length) + 400 * 3, `${total} characters after substitution`);
  assert.equal(inf.problems.filter((p) => p.code === 'line-too-long').length, 400 - expanded, 'each unexpanded line says so');
});

test('INF: 50,000 continuation lines make one capped logical line and one problem', () => {
  const inf = parseInf(latin1(`[DefaultInstall]\r\nk=${'aaaaaaaaaaaaaaa \\\r\n'.repeat(50_000)}end\r\n`));
  const e = inf.sections.get('defaultinstall')!.entries[0]!;
  assert.equal(e.text.length, DEFAULT_INF_LIMITS.maxLineLength);
  assert.deepEqual(
    inf.problems.map((p) => [p.code, p.line]),
    [['line-too-long', 2]],
  );
});

const sigmaRule = (condition: string): string =>
  `title: t\nlogsource:\n  product: windows\n  category: process_creation\ndetection:\n  selection:\n    Image|endswith: '\\cmstp.exe'\n  condition: ${condition}\n`;

test('Sigma: conditions nested past the cap are a located condition-syntax error, not a stack overflow', () => {
  const deep = (n: number): string => `${'('.repeat(n)}selection${')'.repeat(n)}`;
  assert.equal(loadRules(sigmaRule(deep(MAX_CONDITION_DEPTH)), 't.yml').rules.length, 1);
  for (const condition of [deep(MAX_CONDITION_DEPTH + 1), deep(10_000), `${'not '.repeat(10_000)}selection`, `${'('.repeat(10_000)}selection`]) {
    const r = loadRules(sigmaRule(condition), 't.yml');
    assert.equal(r.rules.length, 0);
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    assert.equal(errors.length, 1, JSON.stringify(r.diagnostics));
    assert.equal(errors[0]!.code, 'condition-syntax');
    assert.match(errors[0]!.message, /nested more than 128 levels/);
    assert.equal(errors[0]!.line, 8);
  }
});

test('Sigma: duplicate keys are still refused, at the repeated key', () => {
  for (const [text, line, column] of [
    ['title: a\nstatus: test\ntitle: b\n', 3, 1],
    ['title: a\ndetection: {selection: {Image: x, Image: y}, condition: selection}\n', 2, 35],
  ] as const) {
    const r = loadRules(text, 't.yml');
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.message, d.line, d.column]),
      [['yaml-syntax', 'Map keys must be unique', line, column]],
    );
  }
});

test('Sigma: a map of 60,000 keys is refused by the list cap (it used to take minutes)', () => {
  const text = `title: t\ndetection:\n  selection:\n${Array.from({ length: 60_000 }, (_, i) => `    k${i}: 1`).join('\n')}\n  condition: selection\n`;
  assert.ok(text.length < 1_000_000, 'under the input cap');
  const r = loadRules(text, 't.yml');
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, d.line]),
    [['list-too-long', 4]],
  );
});

test('EVTX: problems in the missing tail of a truncated chunk are located at the end of the file', () => {
  const events: WriteEvent[] = Array.from({ length: 3 }, (_, i) => ({
    time: new Date(Date.UTC(2025, 0, 1, 0, 0, i)),
    provider: 'Microsoft-Windows-Sysmon',
    eventId: 1,
    channel: 'Microsoft-Windows-Sysmon/Operational',
    computer: 'HOST-01',
    eventData: [['CommandLine', `cmstp.exe /s c:\\temp\\x${i}.inf`]],
  }));
  const full = writeEvtx(events);
  const dv = new DataView(full.buffer, full.byteOffset, full.byteLength);
  const record1 = 4096 + 512;
  const record2 = record1 + dv.getUint32(record1 + 4, true);
  // Cut two bytes before record 2's trailing size copy: the reader sees zeros past the end.
  const cut = record2 + dv.getUint32(record2 + 4, true) - 6;
  const bytes = full.subarray(0, cut);
  const diagnostics = [...readEvtxBytes(bytes, 'cut.evtx')].flatMap((item) => (item.ok ? [] : [item.diagnostic]));
  assert.ok(diagnostics.some((d) => d.code === 'record-size-mismatch'), JSON.stringify(diagnostics));
  for (const d of diagnostics) assert.ok(d.offset >= 0 && d.offset <= bytes.length, `${d.code} at ${d.offset} of ${bytes.length}`);
});

test('CSV: rows spanning many small chunks, grown in place and reallocated, come out whole', () => {
  const long = 'x'.repeat(300_000);
  const text = `a,b\n1,"${long}\n""q"""\n2,${long}\n3,"unterminated\n`;
  for (const size of [1, 7, 4096, 65_536]) {
    const scanner = new CsvScanner();
    const items: CsvItem[] = [];
    const take = (): void => {
      for (let item = scanner.next(); item !== null; item = scanner.next()) items.push(item);
    };
    const bytes = Buffer.from(text);
    for (let i = 0; i < bytes.length; i += size) {
      scanner.feed(bytes.subarray(i, i + size));
      take();
    }
    scanner.finish();
    take();
    const rows = items.map((it) => (it.ok ? it.fields : [`${it.code}@${it.line}`]));
    assert.deepEqual(rows.slice(0, 3), [['a', 'b'], ['1', `${long}\n"q"`], ['2', long]], `chunks of ${size}`);
    assert.equal(rows.length, 4, `chunks of ${size}: ${JSON.stringify(rows[3])}`);
    assert.ok(!items[3]!.ok, 'the unterminated quote is a problem');
  }
});
