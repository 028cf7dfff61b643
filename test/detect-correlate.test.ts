import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkCorrelationReferences, CorrelationEngine, percentile, type CorrelationFinding, type CorrelationOptions } from '../src/detect/correlate.js';
import { type FieldValue } from '../src/events/fields.js';
import type { Event } from '../src/events/model.js';
import { loadRules } from '../src/sigma/load.js';
import type { SigmaCorrelation } from '../src/sigma/rule.js';
import { testEvent } from './support/events.js';

const T0 = Date.parse('2024-05-01T10:00:00Z');

/** An event `sec` seconds after T0 with the given fields. */
function ev(sec: number, fields: Record<string, FieldValue> = {}): Event {
  return testEvent(fields, { time: new Date(T0 + sec * 1000).toISOString() });
}

/** One correlation document; `body` is the indented content under `correlation:`. */
function corr(body: string): SigmaCorrelation {
  const loaded = loadRules(`title: C\nid: 33333333-0000-4000-8000-000000000001\ncorrelation:\n${body}`, 'c.yml');
  assert.deepEqual(loaded.diagnostics.filter((d) => d.severity === 'error'), []);
  const c = loaded.correlations[0];
  assert.ok(c);
  return c;
}

function engine(body: string, options: CorrelationOptions = {}): CorrelationEngine {
  return new CorrelationEngine([corr(body)], options);
}

/** Feeds [rule name, sec, fields] in order; returns all findings. */
function feed(e: CorrelationEngine, items: [string, number, Record<string, FieldValue>?][]): CorrelationFinding[] {
  const out: CorrelationFinding[] = [];
  for (const [rule, sec, fields] of items) out.push(...e.push({ name: rule }, ev(sec, fields ?? {})));
  return out;
}

const COUNT = `  type: event_count
  rules: [r]
  group-by: [User]
  timespan: 10s
  condition:
    gte: 3
`;

test('event_count: fires when the count is reached; the group then resets', () => {
  const e = engine(COUNT);
  const f = feed(e, [['r', 0, { User: 'a' }], ['r', 1, { User: 'a' }], ['r', 2, { User: 'a' }], ['r', 3, { User: 'a' }]]);
  assert.equal(f.length, 1);
  const x = f[0]!;
  assert.equal(x.value, 3);
  assert.equal(x.eventCount, 3);
  assert.deepEqual([...x.group], [['User', 'a']]);
  assert.equal(x.firstTime, '2024-05-01T10:00:00.000Z');
  assert.equal(x.lastTime, '2024-05-01T10:00:02.000Z');
  assert.deepEqual(x.events.map((c) => c.rule), ['r', 'r', 'r']);
});

test('timespan boundary is inclusive: an event exactly timespan seconds older still counts', () => {
  assert.equal(feed(engine(COUNT), [['r', 0, { User: 'a' }], ['r', 5, { User: 'a' }], ['r', 10, { User: 'a' }]]).length, 1);
  assert.equal(feed(engine(COUNT), [['r', 0, { User: 'a' }], ['r', 5, { User: 'a' }], ['r', 10.001, { User: 'a' }]]).length, 0);
});

test('the window slides (not fixed buckets)', () => {
  // 8, 12, 17: no fixed 10 s bucket from 0 holds all three, a sliding window does.
  assert.equal(feed(engine(COUNT), [['r', 8, { User: 'a' }], ['r', 12, { User: 'a' }], ['r', 17, { User: 'a' }]]).length, 1);
  // Old events leave the window.
  assert.equal(feed(engine(COUNT), [['r', 0, { User: 'a' }], ['r', 1, { User: 'a' }], ['r', 20, { User: 'a' }], ['r', 21, { User: 'a' }]]).length, 0);
});

test('group-by separates groups; a missing field is its own (null) group', () => {
  const e = engine(COUNT);
  assert.equal(feed(e, [['r', 0, { User: 'a' }], ['r', 1, { User: 'b' }], ['r', 2, { User: 'a' }], ['r', 3, { User: 'b' }], ['r', 4, { User: '' }]]).length, 0);
  const f = feed(e, [['r', 5, {}], ['r', 6, {}], ['r', 7, {}]]);
  assert.equal(f.length, 1);
  assert.deepEqual([...f[0]!.group], [['User', null]]);
});

test('compound group-by keys are ANDed', () => {
  const e = engine(COUNT.replace('group-by: [User]', 'group-by: [User, Host]'));
  const f = feed(e, [['r', 0, { User: 'a', Host: 'h1' }], ['r', 1, { User: 'a', Host: 'h2' }], ['r', 2, { User: 'a', Host: 'h1' }], ['r', 3, { User: 'a', Host: 'h1' }]]);
  assert.equal(f.length, 1);
  assert.deepEqual([...f[0]!.group], [['User', 'a'], ['Host', 'h1']]);
});

test('condition operators and ranges', () => {
  const cases: [string, number, boolean][] = [
    ['gt: 2', 3, true], ['gt: 3', 3, false], ['gte: 3', 3, true], ['eq: 3', 3, true], ['eq: 2', 3, true /* fires at 2 */],
    ['neq: 1', 1, false], ['lt: 2', 1, true], ['lte: 0', 3, false],
  ];
  for (const [c, n, want] of cases) {
    const e = engine(COUNT.replace('gte: 3', c));
    const items: [string, number, Record<string, FieldValue>?][] = [];
    for (let i = 0; i < n; i++) items.push(['r', i, { User: 'a' }]);
    assert.equal(feed(e, items).length > 0, want, c);
  }
  // A range: gt 2 and lte 4 holds at the third event.
  const e = engine(COUNT.replace('gte: 3', 'gt: 2\n    lte: 4'));
  const f = feed(e, [['r', 0, { User: 'a' }], ['r', 1, { User: 'a' }], ['r', 2, { User: 'a' }]]);
  assert.equal(f.length, 1);
  assert.equal(f[0]!.value, 3);
});

test('value_count counts distinct non-null values', () => {
  const e = engine(`  type: value_count
  rules: [r]
  group-by: [IpAddress]
  timespan: 1m
  condition:
    field: TargetUserName
    gte: 3
`);
  const f = feed(e, [
    ['r', 0, { IpAddress: '10.0.0.1', TargetUserName: 'a' }],
    ['r', 1, { IpAddress: '10.0.0.1', TargetUserName: 'a' }],
    ['r', 2, { IpAddress: '10.0.0.1', TargetUserName: 'b' }],
    ['r', 3, { IpAddress: '10.0.0.1' }],
    ['r', 4, { IpAddress: '10.0.0.2', TargetUserName: 'c' }],
  ]);
  assert.equal(f.length, 0);
  const g = feed(e, [['r', 5, { IpAddress: '10.0.0.1', TargetUserName: 'c' }]]);
  assert.equal(g.length, 1);
  assert.equal(g[0]!.value, 3);
  assert.equal(g[0]!.eventCount, 5);
});

test('value_sum and value_avg over numeric values (non-numeric ignored)', () => {
  const sum = engine(`  type: value_sum
  rules: [r]
  group-by: [User]
  timespan: 1m
  condition:
    field: Bytes
    gt: 100
`);
  assert.equal(feed(sum, [['r', 0, { User: 'a', Bytes: 60 }], ['r', 1, { User: 'a', Bytes: 'x' }]]).length, 0);
  const f = feed(sum, [['r', 2, { User: 'a', Bytes: '50' }]]);
  assert.equal(f.length, 1);
  assert.equal(f[0]!.value, 110);
  const avg = engine(`  type: value_avg
  rules: [r]
  group-by: [User]
  timespan: 1m
  condition:
    field: Bytes
    gte: 20
`);
  assert.equal(feed(avg, [['r', 0, { User: 'a', Bytes: 10 }], ['r', 1, { User: 'a', Bytes: 20 }]]).length, 0);
  const g = feed(avg, [['r', 2, { User: 'a', Bytes: 60 }]]);
  assert.equal(g.length, 1);
  assert.equal(g[0]!.value, 30);
});

test('value_percentile: linear interpolation between closest ranks (numpy default), default p50', () => {
  assert.equal(percentile([1, 2, 3, 4], 50), 2.5);
  assert.equal(percentile([10, 20, 30, 40, 50], 90), 46);
  assert.equal(percentile([5], 99), 5);
  assert.equal(percentile([], 50), undefined);
  assert.equal(percentile([3, 1, 2], 0), 1);
  assert.equal(percentile([3, 1, 2], 100), 3);
  const e = engine(`  type: value_percentile
  rules: [r]
  group-by: [Host]
  timespan: 1m
  condition:
    field: Size
    percentile: 90
    gte: 46
`);
  const f = feed(e, [['r', 0, { Host: 'h', Size: 10 }], ['r', 1, { Host: 'h', Size: 20 }], ['r', 2, { Host: 'h', Size: 30 }], ['r', 3, { Host: 'h', Size: 40 }], ['r', 4, { Host: 'h', Size: 50 }]]);
  assert.equal(f.length, 1);
  assert.equal(f[0]!.value, 46);
  const med = engine(`  type: value_percentile
  rules: [r]
  group-by: [Host]
  timespan: 1m
  condition:
    field: Size
    gt: 2
`);
  const g = feed(med, [['r', 0, { Host: 'h', Size: 1 }], ['r', 1, { Host: 'h', Size: 2 }], ['r', 2, { Host: 'h', Size: 100 }]]);
  assert.equal(g.length, 0, 'median of 1, 2, 100 is 2');
});

const TEMPORAL = `  type: temporal
  rules: [a, b, c]
  group-by: [Host]
  timespan: 10s
`;

test('temporal requires every rule within the window, in any order', () => {
  assert.equal(feed(engine(TEMPORAL), [['c', 0, { Host: 'h' }], ['a', 1, { Host: 'h' }], ['a', 2, { Host: 'h' }]]).length, 0);
  const f = feed(engine(TEMPORAL), [['c', 0, { Host: 'h' }], ['a', 1, { Host: 'h' }], ['b', 9, { Host: 'h' }]]);
  assert.equal(f.length, 1);
  assert.equal(f[0]!.value, 3);
  assert.deepEqual(f[0]!.events.map((x) => x.rule), ['c', 'a', 'b']);
  // c falls out of the window before b arrives.
  assert.equal(feed(engine(TEMPORAL), [['c', 0, { Host: 'h' }], ['a', 5, { Host: 'h' }], ['b', 11, { Host: 'h' }]]).length, 0);
  // Different groups do not combine.
  assert.equal(feed(engine(TEMPORAL), [['a', 0, { Host: 'h' }], ['b', 1, { Host: 'h' }], ['c', 2, { Host: 'x' }]]).length, 0);
});

test('temporal: an explicit threshold and a string expression condition', () => {
  const two = engine(TEMPORAL + '  condition:\n    gte: 2\n');
  assert.equal(feed(two, [['a', 0, { Host: 'h' }], ['a', 1, { Host: 'h' }], ['c', 2, { Host: 'h' }]]).length, 1);
  const expr = engine(TEMPORAL + '  condition: a and (b or c)\n');
  assert.equal(feed(expr, [['b', 0, { Host: 'h' }], ['c', 1, { Host: 'h' }]]).length, 0);
  assert.equal(feed(expr, [['a', 2, { Host: 'h' }]]).length, 1);
});

test('temporal_ordered requires the listed order', () => {
  const ORD = TEMPORAL.replace('type: temporal', 'type: temporal_ordered');
  assert.equal(feed(engine(ORD), [['b', 0, { Host: 'h' }], ['a', 1, { Host: 'h' }], ['c', 2, { Host: 'h' }]]).length, 0);
  const f = feed(engine(ORD), [['b', 0, { Host: 'h' }], ['a', 1, { Host: 'h' }], ['c', 2, { Host: 'h' }], ['b', 3, { Host: 'h' }], ['c', 4, { Host: 'h' }]]);
  assert.equal(f.length, 1);
  assert.equal(f[0]!.value, 3);
  assert.equal(f[0]!.lastTime, '2024-05-01T10:00:04.000Z');
  // In order but spread over more than the timespan.
  assert.equal(feed(engine(ORD), [['a', 0, { Host: 'h' }], ['b', 5, { Host: 'h' }], ['c', 10.5, { Host: 'h' }]]).length, 0);
});

test('aliases map one group-by name to a different field per rule', () => {
  const e = engine(`  type: temporal
  rules: [logon, conn]
  group-by: [ip]
  timespan: 1m
  aliases:
    ip:
      logon: IpAddress
      conn: DestinationIp
`);
  assert.equal(feed(e, [['logon', 0, { IpAddress: '10.1.1.1' }], ['conn', 1, { DestinationIp: '10.9.9.9' }]]).length, 0);
  const f = feed(e, [['conn', 2, { DestinationIp: '10.1.1.1', IpAddress: 'ignored' }]]);
  assert.equal(f.length, 1);
  assert.deepEqual([...f[0]!.group], [['ip', '10.1.1.1']]);
});

test('rules are referenced by id or name', () => {
  const e = engine(COUNT.replace('rules: [r]', 'rules: [44444444-0000-4000-8000-000000000001]').replace('gte: 3', 'gte: 1'));
  assert.equal(e.push({ name: 'other' }, ev(0, { User: 'a' })).length, 0);
  assert.equal(e.push({ id: '44444444-0000-4000-8000-000000000001', name: 'x' }, ev(1, { User: 'a' })).length, 1);
});

test('generate: base rule output is suppressed unless a referencing correlation sets generate', () => {
  const off = engine(COUNT);
  assert.equal(off.reportsBaseMatches({ name: 'r' }), false);
  assert.equal(off.reportsBaseMatches({ name: 'unrelated' }), true);
  const on = engine(COUNT + '  generate: true\n');
  assert.equal(on.reportsBaseMatches({ name: 'r' }), true);
  assert.equal(on.wants({ name: 'r' }), true);
  assert.equal(on.wants({ name: 'q' }), false);
});

test('open groups are capped: the least recently updated group is evicted and counted', () => {
  const e = engine(COUNT.replace('gte: 3', 'gte: 2').replace('10s', '1h'), { maxGroups: 2 });
  feed(e, [['r', 0, { User: 'a' }], ['r', 1, { User: 'b' }], ['r', 2, { User: 'c' }]]);
  assert.equal(e.stats().evictedGroups, 1);
  assert.equal(e.stats().openGroups, 2);
  assert.equal(feed(e, [['r', 3, { User: 'a' }]]).length, 0, 'a was evicted');
  assert.equal(feed(e, [['r', 4, { User: 'c' }]]).length, 1, 'c kept');
});

test('idle groups are dropped once the clock passes their window', () => {
  const e = engine(COUNT);
  feed(e, [['r', 0, { User: 'a' }], ['r', 1, { User: 'b' }]]);
  assert.equal(e.stats().openGroups, 2);
  feed(e, [['r', 30, { User: 'c' }]]);
  assert.equal(e.stats().openGroups, 1);
});

test('findings cap their contributing events and keep the total count', () => {
  const e = engine(COUNT.replace('gte: 3', 'gte: 5'), { maxFindingEvents: 2 });
  const f = feed(e, [0, 1, 2, 3, 4].map((s): [string, number, Record<string, FieldValue>] => ['r', s, { User: 'a' }]));
  assert.equal(f.length, 1);
  assert.equal(f[0]!.events.length, 2);
  assert.equal(f[0]!.eventCount, 5);
});

test('per-group windows are capped; the oldest events are dropped and counted', () => {
  const e = engine(COUNT.replace('gte: 3', 'gte: 100'), { maxEventsPerGroup: 3 });
  feed(e, [0, 1, 2, 3, 4].map((s): [string, number, Record<string, FieldValue>] => ['r', s, { User: 'a' }]));
  assert.equal(e.stats().droppedWindowEvents, 2);
});

test('out-of-order input: late events inside the group window are placed by time, older ones dropped; untimed ignored', () => {
  const ORD = TEMPORAL.replace('type: temporal', 'type: temporal_ordered').replace('[a, b, c]', '[a, b]');
  // b arrives first but a (late, 2 s earlier) is inserted before it: the order a → b holds by time.
  const e = engine(ORD);
  assert.equal(feed(e, [['b', 5, { Host: 'h' }], ['a', 3, { Host: 'h' }]]).length, 1);
  // A late event older than the group's window is dropped.
  const d = engine(COUNT);
  feed(d, [['r', 20, { User: 'a' }], ['r', 5, { User: 'a' }]]);
  assert.equal(d.stats().lateDropped, 1);
  // A late event for a new group older than the engine clock's window is dropped too.
  feed(d, [['r', 1, { User: 'zz' }]]);
  assert.equal(d.stats().lateDropped, 2);
  const u = engine(COUNT);
  const untimed = { ...ev(0, { User: 'a' }), time: null };
  assert.deepEqual(u.push({ name: 'r' }, untimed), []);
  assert.equal(u.stats().untimed, 1);
});

test('references to unknown rules and chained correlations are reported, located', () => {
  const loaded = loadRules(`title: Base
name: base_rule
logsource:
  product: windows
  category: process_creation
detection:
  selection:
    Image|endswith: '\\cmstp.exe'
  condition: selection
---
title: First
name: first_corr
correlation:
  type: event_count
  rules: [base_rule, missing_rule]
  group-by: [Host]
  timespan: 1m
  condition:
    gte: 2
---
title: Second
correlation:
  type: event_count
  rules: [first_corr]
  group-by: [Host]
  timespan: 1h
  condition:
    gte: 2
`, 'chain.yml');
  assert.deepEqual(loaded.diagnostics.filter((d) => d.severity === 'error'), []);
  const issues = checkCorrelationReferences(loaded.correlations, loaded.rules);
  assert.deepEqual(issues.map((i) => [i.code, i.correlation]), [['unknown-rule', 'First'], ['chained-correlation', 'Second']]);
  assert.equal(issues[0]!.file, 'chain.yml');
  assert.ok(issues[1]!.pos.line > issues[0]!.pos.line);
});
