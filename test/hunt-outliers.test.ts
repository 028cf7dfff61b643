// Outlier scoring: surprise in bits per dimension, summed; the explanation names the rare values.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scoreOutliers, surprisal, type Combination, type DimensionPopulation } from '../src/hunt/outliers.js';

function pop(dim: string, counts: Record<string, [number, number]>): DimensionPopulation {
  return { dim, label: dim.replace('cmstp.', ''), values: new Map(Object.entries(counts).map(([k, [n, hosts]]) => [k, { n, hosts }])) };
}

function combo(values: string[], n: number): Combination {
  return { values, n, hosts: n, exampleHost: 'H', firstSeen: 0, lastSeen: 0, example: values.join(' ') };
}

const POPS = [
  pop('cmstp.shape', { legit: [990, 300], evil: [1, 1], odd: [9, 9] }),
  pop('cmstp.parent', { sfx: [999, 300], python: [1, 1] }),
];

test('surprisal is log2(total / count)', () => {
  assert.equal(surprisal(1, 1024), 10);
  assert.equal(surprisal(1024, 1024), 0);
  assert.equal(surprisal(0, 10), 0);
});

test('the rarest combination ranks first and says why', () => {
  const out = scoreOutliers(POPS, [combo(['legit', 'sfx'], 981), combo(['evil', 'python'], 1), combo(['odd', 'sfx'], 9)], { total: 1000, totalHosts: 300 });
  assert.deepEqual(
    out.map((o) => o.values[0]),
    ['evil', 'odd', 'legit'],
  );
  const evil = out[0]!;
  assert.ok(Math.abs(evil.score - 2 * Math.log2(1000)) < 0.01, String(evil.score));
  assert.deepEqual(
    evil.reasons.map((r) => [r.dim, r.value, r.count]),
    [
      ['cmstp.parent', 'python', 1],
      ['cmstp.shape', 'evil', 1],
    ],
  );
  assert.match(evil.why, /shape evil: 1 of 1000 cmstp\.exe runs \(0\.10%\) on 1 of 300 hosts/);
  // Nothing under 1%: the rarest value is still named.
  assert.equal(out[1]!.reasons.length, 1);
  assert.equal(out[1]!.reasons[0]!.value, 'odd');
});

test('values outside the baseline are marked new and always named', () => {
  const out = scoreOutliers(POPS, [combo(['odd', 'sfx'], 9)], { total: 1000, totalHosts: 300, baseline: { 'cmstp.shape': ['legit'], 'cmstp.parent': ['sfx'] } });
  assert.equal(out[0]!.reasons.length, 1);
  assert.equal(out[0]!.reasons[0]!.isNew, true);
  assert.match(out[0]!.why, /never seen in the baseline/);
});
