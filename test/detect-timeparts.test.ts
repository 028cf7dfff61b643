// Time modifiers (spec appendix "Time Modifiers": minute, hour, day, week, month, year).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { timestampParts } from '../src/detect/match-value.js';
import { loadRules } from '../src/sigma/load.js';
import { detectionRule as rule, testEvent as event } from './support/events.js';



test('parts of the event model time form (ISO 8601 UTC, 7 fractional digits)', () => {
  assert.deepEqual(timestampParts('2024-03-05T13:07:59.1234567Z'), { year: 2024, month: 3, day: 5, hour: 13, minute: 7, week: 10 });
});

test('parts of raw Windows forms: Sysmon UtcTime, message-string US dates with LRM marks, FILETIME', () => {
  assert.deepEqual(timestampParts('2024-03-05 13:07:59.123'), { year: 2024, month: 3, day: 5, hour: 13, minute: 7, week: 10 });
  assert.deepEqual(timestampParts('\u200e3/\u200e5/\u200e2024 1:07:59 PM'), { year: 2024, month: 3, day: 5, hour: 13, minute: 7, week: 10 });
  assert.equal(timestampParts('3/5/2024 12:00:00 AM')?.hour, 0);
  assert.equal(timestampParts('3/5/2024 12:00:00 PM')?.hour, 12);
  // 2024-03-05T13:07:59Z as FILETIME ticks: (ms since 1970 + 11644473600000) × 10,000.
  const ticks = (Date.UTC(2024, 2, 5, 13, 7, 59) + 11_644_473_600_000) * 10_000;
  assert.deepEqual(timestampParts(ticks), { year: 2024, month: 3, day: 5, hour: 13, minute: 7, week: 10 });
  assert.equal(timestampParts(String(ticks))?.minute, 7);
  assert.equal(timestampParts(`0x${BigInt(ticks).toString(16).padStart(16, '0')}`)?.hour, 13);
});

test('no timezone conversion: an offset is ignored, parts are read as written (spec warning)', () => {
  assert.equal(timestampParts('2024-03-05T23:30:00-05:00')?.hour, 23);
  assert.equal(timestampParts('2024-03-05T23:30:00+0200')?.day, 5);
});

test('week is the ISO 8601 week: Monday first, week 1 holds 4 January; 53 exists', () => {
  assert.equal(timestampParts('2024-01-01')?.week, 1); // a Monday
  assert.equal(timestampParts('2023-01-01')?.week, 52); // a Sunday: last week of 2022
  assert.equal(timestampParts('2020-12-31')?.week, 53);
  assert.equal(timestampParts('2021-01-03')?.week, 53);
  assert.equal(timestampParts('2021-01-04')?.week, 1);
});

test('values that are not timestamps have no parts', () => {
  for (const v of ['', 'yesterday', '2024-13-01', '2024-02-30', '2024-03-05T24:00:00Z', '13/1/2024', '3/5/2024 13:00:00 PM', 4688, true, null, '12345']) {
    assert.equal(timestampParts(v), null, JSON.stringify(v));
  }
});

test('rules: each modifier compares its part; lists OR; neq, all and multi-valued fields', () => {
  const at = { UtcTime: '2024-03-05 13:07:59.123' };
  const cases: [string, boolean][] = [
    ['UtcTime|minute: 7', true],
    ['UtcTime|minute: 8', false],
    ['UtcTime|hour: 13', true],
    ['UtcTime|day: 5', true],
    ['UtcTime|week: 10', true],
    ['UtcTime|month: 3', true],
    ['UtcTime|year: 2024', true],
    ['UtcTime|year: 2023', false],
    ['UtcTime|hour: [1, 2, 13]', true],
    ['UtcTime|hour|neq: 13', false],
    ['UtcTime|hour|neq: 14', true],
  ];
  for (const [item, want] of cases) assert.equal(rule(`  sel:\n    ${item}\n  condition: sel`).matches(event(at)), want, item);
  const r = rule('  sel:\n    UtcTime|hour: 13\n  condition: sel');
  assert.equal(r.matches(event({})), false, 'missing field');
  assert.equal(r.matches(event({ UtcTime: null })), false, 'null field');
  assert.equal(r.matches(event({ UtcTime: 'not a time' })), false);
  assert.equal(r.matches(event({ UtcTime: ['2024-03-05 01:00:00', '2024-03-05 13:00:00'] })), true, 'any element');
  // Business-hours style rule: outside 8–17.
  const night = rule('  work:\n    UtcTime|hour: [8, 9, 10, 11, 12, 13, 14, 15, 16, 17]\n  condition: not work');
  assert.equal(night.matches(event({ UtcTime: '2024-03-05 02:15:00' })), true);
  assert.equal(night.matches(event(at)), false);
});

test('loader: out-of-range or non-integer parts are rule errors', () => {
  for (const [item, msg] of [
    ['a|minute: 60', /0 to 59/],
    ['a|hour: 24', /0 to 23/],
    ['a|day: 0', /1 to 31/],
    ['a|week: 54', /1 to 53/],
    ['a|month: 13', /1 to 12/],
    ["a|year: '2024'", /integer/],
    ['a|hour: 1.5', /integer/],
  ] as const) {
    const loaded = loadRules(`title: t\nlogsource:\n  product: windows\ndetection:\n  sel:\n    ${item}\n  condition: sel\n`, 't.yml');
    const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
    assert.ok(errors.some((d) => msg.test(d.message)), `${item}: ${JSON.stringify(errors.map((d) => d.message))}`);
  }
});
