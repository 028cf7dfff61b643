// Sigma regular expressions on linear-time engines (src/detect/regex.ts).

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { compileRule, isCompiled } from '../src/detect/compile.js';
import { compileSigmaRegex, LINEAR_ENGINE_AVAILABLE, RegexUnsupported, type RegexFlags } from '../src/detect/regex.js';
import { type FieldValue } from '../src/events/fields.js';
import type { Event } from '../src/events/model.js';
import { loadRules } from '../src/sigma/load.js';
import type { SigmaDetectionNode } from '../src/sigma/rule.js';
import type { SigmaValue } from '../src/sigma/values.js';
import { projectRoot } from './support/shared-data.js';
import { detectionRule as rule, testEvent, ymlFiles } from './support/events.js';

const NO_FLAGS: RegexFlags = { ignoreCase: false, multiline: false, dotAll: false };
const flags = (f: Partial<RegexFlags>): RegexFlags => ({ ...NO_FLAGS, ...f });

/** Both paths: V8's linear engine (when it takes the pattern) and the NFA. */
function both(pattern: string, f: RegexFlags = NO_FLAGS): ((s: string) => boolean)[] {
  return [compileSigmaRegex(pattern, f), compileSigmaRegex(pattern, f, { forceNfa: true })].map((c) => (s: string) => c.test(s));
}

function agree(pattern: string, f: RegexFlags, text: string, want: boolean): void {
  for (const [i, t] of both(pattern, f).entries()) assert.equal(t(text), want, `${i === 0 ? 'default path' : 'NFA'}: /${pattern}/ on ${JSON.stringify(text.slice(0, 40))}`);
}

test('the V8 linear engine is available on this Node (flag set at load)', () => {
  assert.equal(LINEAR_ENGINE_AVAILABLE, true);
  assert.equal(compileSigmaRegex('a.c', NO_FLAGS).engine, 'v8-linear');
});

test('catastrophic patterns run in linear time on both paths and give the right answer', () => {
  const as = 'a'.repeat(50_000);
  agree('(a+)+$', NO_FLAGS, as + 'b', false);
  agree('(a+)+$', NO_FLAGS, as, true);
  agree('^(a|aa)*c', NO_FLAGS, as, false);
  agree('(x+x+)+y', NO_FLAGS, 'x'.repeat(50_000), false);
  agree('(.*a){12}', NO_FLAGS, as.slice(0, 11) + 'b'.repeat(50_000), false);
});

test('counted repetitions V8 refuses run on the NFA path', () => {
  const c = compileSigmaRegex('.{150}', NO_FLAGS);
  assert.equal(c.engine, 'nfa');
  assert.equal(c.test('x'.repeat(149)), false);
  assert.equal(c.test('x'.repeat(150)), true);
  const d = compileSigmaRegex('\\\\[^\\\\]{1,256}$', NO_FLAGS);
  assert.equal(d.engine, 'nfa');
  assert.equal(d.test('C:\\dir\\file.exe'), true);
  assert.equal(d.test('C:\\dir\\' + 'f'.repeat(257)), false);
  assert.equal(d.test('C:\\dir\\'), false);
  assert.throws(() => compileSigmaRegex('(a{1000}){1000}', NO_FLAGS), RegexUnsupported);
});

test('a regex is an unanchored search; ^ and $ anchor it', () => {
  agree('cmstp', NO_FLAGS, 'C:\\Windows\\System32\\cmstp.exe /s x.inf', true);
  agree('^cmstp', NO_FLAGS, 'C:\\cmstp.exe', false);
  agree('exe$', NO_FLAGS, 'cmstp.exe', true);
  // `$` without `m` is the very end only (JavaScript), not before a final newline (PCRE/Python).
  agree('exe$', NO_FLAGS, 'cmstp.exe\n', false);
  agree('exe$', flags({ multiline: true }), 'cmstp.exe\nnext', true);
  agree('^next', flags({ multiline: true }), 'cmstp.exe\nnext', true);
  agree('^next', NO_FLAGS, 'cmstp.exe\nnext', false);
  agree('\\Acm', NO_FLAGS, 'cmstp', true);
  agree('exe\\Z', NO_FLAGS, 'cmstp.exe', true);
  agree('exe\\Z', NO_FLAGS, 'cmstp.exe!', false);
});

test('case: sensitive by default; i, inline (?i) and scoped (?i:…) fold with JavaScript case rules', () => {
  agree('CMSTP', NO_FLAGS, 'cmstp', false);
  agree('CMSTP', flags({ ignoreCase: true }), 'cmstp', true);
  agree('(?i)CMSTP\\.exe', NO_FLAGS, 'cmstp.EXE', true);
  agree('(?i:cm)STP', NO_FLAGS, 'CMSTP', true);
  agree('(?i:cm)STP', NO_FLAGS, 'CMstp', false);
  agree('[A-C]x', flags({ ignoreCase: true }), 'bX', true);
  agree('[^a-z]', flags({ ignoreCase: true }), 'ABC', false);
  agree('straße', flags({ ignoreCase: true }), 'STRAßE', true);
  agree('σ', flags({ ignoreCase: true }), 'Σ', true);
});

test('s makes . match newlines; without it . stops at line terminators', () => {
  agree('a.b', NO_FLAGS, 'a\nb', false);
  agree('a.b', flags({ dotAll: true }), 'a\nb', true);
  agree('(?s)a.b', NO_FLAGS, 'a\rb', true);
  agree('a.b', NO_FLAGS, 'a\u2028b', false);
});

test('syntax: classes, escapes, braces, lazy quantifiers, named groups', () => {
  agree('[]a]+', NO_FLAGS, ']', true);
  agree('\\x41\\u0042', NO_FLAGS, 'AB', true);
  agree('a{,2}b', NO_FLAGS, 'aab', true);
  agree('a{x', NO_FLAGS, 'a{x', true);
  agree('a+?b', NO_FLAGS, 'aaab', true);
  agree('(?P<n>ab)c', NO_FLAGS, 'abc', true);
  agree('(?<n>ab)c', NO_FLAGS, 'abd', false);
  agree('\\bcmd\\b', NO_FLAGS, 'run cmd now', true);
  agree('\\bcmd\\b', NO_FLAGS, 'runcmd', false);
  agree('[\\w.-]+@', NO_FLAGS, 'a.b-c@', true);
  agree('\\d{3}\\s\\S', NO_FLAGS, '123 x', true);
});

test('constructs outside a linear engine are unsupported with a reason', () => {
  for (const [p, why] of [
    ['(a)\\1', /backreference/],
    ['a(?=b)', /lookaround/],
    ['(?<!a)b', /lookaround/],
    ['a++', /possessive/],
    ['(?>a)', /atomic/],
    ['\\p{L}', /escape/],
    ['(?x) a', /verbose/],
    ['a(?i)b', /inline flags/],
    ['a**', /multiple repeat/],
    ['(ab', /missing/],
    ['[ab', /unterminated/],
    ['*a', /nothing to repeat/],
  ] as const) {
    assert.throws(() => compileSigmaRegex(p, NO_FLAGS), (e: unknown) => e instanceof RegexUnsupported && why.test(e.message), p);
  }
});

/** Tiny deterministic generator for the differential test. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomPattern(r: () => number, depth: number): string {
  const atoms = ['a', 'b', '.', '[ab]', '[^a]', 'A', '\\w', '^', '$', '\\b'];
  const n = 1 + Math.floor(r() * 3);
  let out = '';
  for (let i = 0; i < n; i++) {
    let atom = depth > 0 && r() < 0.3 ? `(${randomPattern(r, depth - 1)}${r() < 0.4 ? '|' + randomPattern(r, depth - 1) : ''})` : atoms[Math.floor(r() * atoms.length)]!;
    const q = r();
    if (!/^(\^|\$|\\b)$/.test(atom)) atom += q < 0.15 ? '*' : q < 0.3 ? '+' : q < 0.4 ? '?' : q < 0.5 ? `{${Math.floor(r() * 3)},${2 + Math.floor(r() * 3)}}` : '';
    out += atom;
  }
  return out;
}

test('differential: both paths agree with JavaScript RegExp on random small patterns and inputs', () => {
  const r = rng(20261122);
  let checked = 0;
  for (let k = 0; k < 400; k++) {
    const p = randomPattern(r, 2);
    const f = flags({ ignoreCase: r() < 0.3, multiline: r() < 0.3, dotAll: r() < 0.3 });
    const js = new RegExp(p, `${f.ignoreCase ? 'i' : ''}${f.multiline ? 'm' : ''}${f.dotAll ? 's' : ''}`);
    const ours = both(p, f);
    for (let j = 0; j < 10; j++) {
      let s = '';
      const len = Math.floor(r() * 8);
      for (let i = 0; i < len; i++) s += 'abAB \n'[Math.floor(r() * 6)]!;
      const want = js.test(s);
      for (const t of ours) assert.equal(t(s), want, `/${p}/${js.flags} on ${JSON.stringify(s)}`);
      checked++;
    }
  }
  assert.equal(checked, 4000);
});

const event = (spec: { fields: Record<string, FieldValue> }): Event => testEvent(spec.fields);



test('rules: a regex never matches a missing or null field; it searches the empty string', () => {
  const any = rule("  sel:\n    CommandLine|re: '.*'\n  condition: sel");
  assert.equal(any.matches(event({ fields: {} })), false, 'missing field');
  assert.equal(any.matches(event({ fields: { CommandLine: null } })), false, 'null field');
  assert.equal(any.matches(event({ fields: { CommandLine: '' } })), true, 'empty string');
  const empty = rule("  sel:\n    CommandLine|re: '^$'\n  condition: sel");
  assert.equal(empty.matches(event({ fields: { CommandLine: '' } })), true);
  const neg = rule("  sel:\n    CommandLine|re: 'x'\n  condition: not sel");
  assert.equal(neg.matches(event({ fields: {} })), true, 'not <regex> holds for a missing field');
  const num = rule("  sel:\n    ProcessId|re: '^4\\d+$'\n  condition: sel");
  assert.equal(num.matches(event({ fields: { ProcessId: 4688 } })), true, 'numbers are searched as their decimal text');
  const multi = rule("  sel:\n    Tags|re|i: '^CMSTP$'\n  condition: sel");
  assert.equal(multi.matches(event({ fields: { Tags: ['a', 'cmstp'] } })), true, 'any element of a multi-valued field');
});

test('rules: an unsupported pattern makes the rule unsupported, naming the construct', () => {
  const loaded = loadRules("title: t\nlogsource:\n  product: windows\ndetection:\n  sel:\n    a|re: '(x)\\1'\n  condition: sel\n", 't.yml');
  const c = compileRule(loaded.rules[0]!);
  assert.ok(!isCompiled(c));
  assert.match(c.unsupported, /backreference/);
});


function regexValues(node: SigmaDetectionNode, out: Extract<SigmaValue, { type: 'regex' }>[]): void {
  const onValue = (v: SigmaValue): void => {
    if (v.type === 'regex') out.push(v);
    else if (v.type === 'expansion') v.values.forEach(onValue);
  };
  if (node.kind === 'item') node.item.values.forEach(onValue);
  else node.children.forEach((c) => regexValues(c, out));
}

test('every SigmaHQ regex compiles on one of the two paths, or is reported', (t) => {
  const root = path.resolve(projectRoot(), '..', 'shared', 'conformance', 'sigmahq');
  if (!existsSync(root)) {
    assert.ok(process.env.CI === undefined, `SigmaHQ rules missing under CI: ${root}`);
    t.skip(`SKIPPED: SigmaHQ rules not found at ${root}`);
    return;
  }
  const counts = { 'v8-linear': 0, nfa: 0, unsupported: 0 };
  const unsupported: string[] = [];
  for (const file of ymlFiles(root)) {
    const loaded = loadRules(readFileSync(file, 'utf8'), file);
    for (const r of [...loaded.rules, ...loaded.filters]) {
      const values: Extract<SigmaValue, { type: 'regex' }>[] = [];
      for (const n of r.detection.selections.values()) regexValues(n, values);
      for (const v of values) {
        try {
          const c = compileSigmaRegex(v.pattern, v.flags);
          counts[c.engine]++;
          // The NFA agrees with the chosen path on a value the pattern was written for.
          const n = compileSigmaRegex(v.pattern, v.flags, { forceNfa: true });
          for (const s of ['', 'C:\\Windows\\System32\\cmd.exe /c whoami', 'x'.repeat(300)]) assert.equal(n.test(s), c.test(s), v.pattern);
        } catch (e) {
          if (!(e instanceof RegexUnsupported)) throw e;
          counts.unsupported++;
          unsupported.push(`${path.relative(root, file)}: ${e.message}`);
        }
      }
    }
  }
  t.diagnostic(`SigmaHQ regex values: ${JSON.stringify(counts)}`);
  for (const u of unsupported) t.diagnostic(`unsupported: ${u}`);
  assert.ok(counts['v8-linear'] + counts.nfa >= 200, `expected the full rule set, got ${JSON.stringify(counts)}`);
  assert.deepEqual(unsupported, []);
});
