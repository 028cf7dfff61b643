import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileRule, isCompiled, type CompiledRule } from '../src/detect/compile.js';
import { compileLogsource } from '../src/detect/logsource.js';
import { RuleIndex } from '../src/detect/index-rules.js';
import { globMatcher, MultiContains, parseIp } from '../src/detect/match-value.js';
import { Fields, type FieldValue } from '../src/events/fields.js';
import type { Category, Event } from '../src/events/model.js';
import { loadRules } from '../src/sigma/load.js';
import { parseSigmaString } from '../src/sigma/values.js';

interface EventSpec {
  category?: Category | null;
  channel?: string | null;
  eventId?: number | null;
  fields?: Record<string, FieldValue>;
  raw?: Record<string, FieldValue>;
}

function event(spec: EventSpec): Event {
  const fields = Fields.from(Object.entries(spec.fields ?? {}));
  const raw = spec.raw === undefined ? fields : Fields.from(Object.entries(spec.raw));
  return {
    category: spec.category === undefined ? 'process_creation' : spec.category,
    fields,
    raw,
    mapping: null,
    kind: 'windows',
    table: null,
    host: null,
    time: null,
    eventId: spec.eventId ?? null,
    channel: spec.channel ?? null,
    provider: null,
    origin: { path: 'test', format: 'evtx', shape: 'evtx', recordId: null, line: null, offset: null, recovered: false },
  };
}

/** A process_creation rule whose detection is the given YAML (indented by 2). */
function rule(detection: string, logsource = 'product: windows\n  category: process_creation'): CompiledRule {
  const text = `title: t\nid: 6f1f2e8a-0000-4000-8000-000000000001\nlogsource:\n  ${logsource}\ndetection:\n${detection}\n`;
  const loaded = loadRules(text, 't.yml');
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors, [], 'rule loads');
  const r = loaded.rules[0];
  assert.ok(r);
  const c = compileRule(r);
  assert.ok(isCompiled(c), `compiles: ${JSON.stringify(c)}`);
  return c;
}

const m = (c: CompiledRule, fields: Record<string, FieldValue>): boolean => c.matches(event({ fields }));

test('plain strings: whole-value, case-insensitive; numbers equal their decimal text', () => {
  const c = rule('  sel:\n    Image: C:\\Windows\\cmd.exe\n  condition: sel');
  assert.equal(m(c, { Image: 'c:\\windows\\CMD.EXE' }), true);
  assert.equal(m(c, { Image: 'c:\\windows\\cmd.exe2' }), false);
  assert.equal(m(c, {}), false);
  const n = rule('  sel:\n    EventID: 4688\n  condition: sel');
  assert.equal(m(n, { EventID: 4688 }), true);
  assert.equal(m(n, { EventID: '4688' }), true);
  assert.equal(m(n, { EventID: '04688' }), false);
  const s = rule("  sel:\n    EventID: '4688'\n  condition: sel");
  assert.equal(m(s, { EventID: 4688 }), true);
});

test('cased is case-sensitive', () => {
  const c = rule('  sel:\n    CommandLine|cased|contains: Invoke\n  condition: sel');
  assert.equal(m(c, { CommandLine: 'x Invoke y' }), true);
  assert.equal(m(c, { CommandLine: 'x invoke y' }), false);
});

test('contains / startswith / endswith and wildcards; * crosses newlines', () => {
  const c = rule('  sel:\n    CommandLine|contains: cmstp\n  condition: sel');
  assert.equal(m(c, { CommandLine: 'C:\\x\\CMSTP.exe /s' }), true);
  const s = rule('  sel:\n    CommandLine|startswith: cmstp\n  condition: sel');
  assert.equal(m(s, { CommandLine: 'cmstp.exe' }), true);
  assert.equal(m(s, { CommandLine: 'x cmstp.exe' }), false);
  const e = rule('  sel:\n    Image|endswith: \\cmstp.exe\n  condition: sel');
  assert.equal(m(e, { Image: 'C:\\Windows\\System32\\cmstp.exe' }), true);
  assert.equal(m(e, { Image: 'C:\\Windows\\System32\\cmstp.exe.bak' }), false);
  const w = rule("  sel:\n    CommandLine: 'a*b?d*'\n  condition: sel");
  assert.equal(m(w, { CommandLine: 'a\nxx\nbcd\nzz' }), true, '* crosses newlines');
  assert.equal(m(w, { CommandLine: 'axxbd' }), false, '? needs one character');
  const esc = rule("  sel:\n    CommandLine: 'a\\*b'\n  condition: sel");
  assert.equal(m(esc, { CommandLine: 'a*b' }), true);
  assert.equal(m(esc, { CommandLine: 'axb' }), false);
});

test('glob matcher agrees with a reference regex on sample patterns', () => {
  const patterns = ['*a*b*', 'a?c', '*?', '?*?', 'ab*', '*ab', 'a**b', '*', '', 'x*y*z'];
  const values = ['', 'a', 'ab', 'abc', 'aXb', 'xyz', 'x-y-z', 'abab', 'acb', 'a\nb'];
  for (const p of patterns) {
    const g = globMatcher(parseSigmaString(p).parts, true);
    const re = new RegExp(`^${p.split('').map((ch) => (ch === '*' ? '[\\s\\S]*' : ch === '?' ? '[\\s\\S]' : ch)).join('')}$`);
    for (const v of values) assert.equal(g(v.toLowerCase()), re.test(v.toLowerCase()), `${p} vs ${JSON.stringify(v)}`);
  }
});

test('lists are ORed; all makes them ANDed', () => {
  const or = rule('  sel:\n    CommandLine|contains:\n      - foo\n      - bar\n  condition: sel');
  assert.equal(m(or, { CommandLine: 'bar' }), true);
  const and = rule('  sel:\n    CommandLine|contains|all:\n      - foo\n      - bar\n  condition: sel');
  assert.equal(m(and, { CommandLine: 'bar' }), false);
  assert.equal(m(and, { CommandLine: 'bar foo' }), true);
});

test('re: unanchored search, flags i/m/s, case-sensitive by default', () => {
  const c = rule("  sel:\n    CommandLine|re: 'cm.t[p]'\n  condition: sel");
  assert.equal(m(c, { CommandLine: 'run cmstp now' }), true, 'unanchored');
  assert.equal(m(c, { CommandLine: 'run CMSTP now' }), false, 'case-sensitive');
  const i = rule("  sel:\n    CommandLine|re|i: '^cmstp'\n  condition: sel");
  assert.equal(m(i, { CommandLine: 'CMSTP /s' }), true);
  const s = rule("  sel:\n    CommandLine|re|s: 'a.b'\n  condition: sel");
  assert.equal(m(s, { CommandLine: 'a\nb' }), true);
  const nos = rule("  sel:\n    CommandLine|re: 'a.b'\n  condition: sel");
  assert.equal(m(nos, { CommandLine: 'a\nb' }), false);
  const ml = rule("  sel:\n    CommandLine|re|m: '^b$'\n  condition: sel");
  assert.equal(m(ml, { CommandLine: 'a\nb\nc' }), true);
  const inline = rule("  sel:\n    CommandLine|re: '(?i)cmstp'\n  condition: sel");
  assert.equal(m(inline, { CommandLine: 'CMSTP' }), true, 'leading (?i) becomes a JS flag');
});

test('cidr: IPv4 and IPv6', () => {
  const c = rule("  sel:\n    DestinationIp|cidr:\n      - '10.0.0.0/8'\n      - 'fe80::/10'\n  condition: sel");
  assert.equal(m(c, { DestinationIp: '10.1.2.3' }), true);
  assert.equal(m(c, { DestinationIp: '11.1.2.3' }), false);
  assert.equal(m(c, { DestinationIp: 'fe80::1' }), true);
  assert.equal(m(c, { DestinationIp: 'fec0::1' }), false);
  assert.equal(m(c, { DestinationIp: 'not an ip' }), false);
  assert.deepEqual(parseIp('::ffff:1.2.3.4'), [6, 0xffff01020304n]);
  assert.equal(parseIp('1:2:3'), null);
});

test('exists, null vs missing vs empty', () => {
  const ex = rule('  sel:\n    ParentImage|exists: true\n  condition: sel');
  assert.equal(m(ex, { ParentImage: '' }), true, 'an empty field exists');
  assert.equal(m(ex, {}), false);
  const nx = rule('  sel:\n    ParentImage|exists: false\n  condition: sel');
  assert.equal(m(nx, {}), true);
  // Choice: null matches an absent field, a null value, or the empty string.
  const nul = rule('  sel:\n    ParentImage: null\n  condition: sel');
  assert.equal(m(nul, {}), true);
  assert.equal(m(nul, { ParentImage: null }), true);
  assert.equal(m(nul, { ParentImage: '' }), true);
  assert.equal(m(nul, { ParentImage: 'x' }), false);
  const empty = rule("  sel:\n    ParentImage: ''\n  condition: sel");
  assert.equal(m(empty, { ParentImage: '' }), true);
  assert.equal(m(empty, {}), false, "'' needs the field present");
});

test('neq negates the item, so a missing field matches', () => {
  const c = rule('  sel:\n    User|neq:\n      - SYSTEM\n      - admin\n  condition: sel');
  assert.equal(m(c, { User: 'bob' }), true);
  assert.equal(m(c, { User: 'system' }), false);
  assert.equal(m(c, { User: 'ADMIN' }), false);
  assert.equal(m(c, {}), true, 'missing field');
});

test('gt/gte/lt/lte', () => {
  const c = rule('  sel:\n    Size|gt: 10\n  condition: sel');
  assert.equal(m(c, { Size: 11 }), true);
  assert.equal(m(c, { Size: '11' }), true);
  assert.equal(m(c, { Size: 10 }), false);
  assert.equal(m(c, { Size: 'big' }), false);
  assert.equal(m(rule('  sel:\n    Size|gte: 10\n  condition: sel'), { Size: 10 }), true);
  assert.equal(m(rule('  sel:\n    Size|lt: 10\n  condition: sel'), { Size: 10 }), false);
  assert.equal(m(rule('  sel:\n    Size|lte: 10\n  condition: sel'), { Size: '10' }), true);
});

test('fieldref compares with another field', () => {
  const c = rule('  sel:\n    Image|fieldref: ParentImage\n  condition: sel');
  assert.equal(m(c, { Image: 'C:\\a.exe', ParentImage: 'c:\\A.EXE' }), true);
  assert.equal(m(c, { Image: 'C:\\a.exe', ParentImage: 'C:\\b.exe' }), false);
  assert.equal(m(c, { Image: 'C:\\a.exe' }), false, 'missing other field');
  const ends = rule('  sel:\n    CommandLine|fieldref|endswith: Image\n  condition: sel');
  assert.equal(m(ends, { CommandLine: 'run C:\\a.exe', Image: 'C:\\a.exe' }), true);
});

test('base64offset, windash and wide expansions', () => {
  const b = rule('  sel:\n    CommandLine|base64offset|contains: foobar\n  condition: sel');
  assert.equal(m(b, { CommandLine: 'x Zvb2Jhc y' }), true);
  assert.equal(m(b, { CommandLine: 'nothing' }), false);
  const w = rule("  sel:\n    CommandLine|windash|contains: ' -s '\n  condition: sel");
  assert.equal(m(w, { CommandLine: 'cmstp /s x.inf' }), true);
  assert.equal(m(w, { CommandLine: 'cmstp \u2013s x.inf' }), true);
});

test('keywords search every field value, unanchored', () => {
  const c = rule('  keywords:\n    - cmstp\n    - evil\n  condition: keywords');
  assert.equal(m(c, { A: 'x', B: 'run CMSTP.exe' }), true);
  assert.equal(m(c, { A: 'x' }), false);
  const raw = compileRule(loadRules('title: t\nlogsource:\n  product: windows\n  service: security\ndetection:\n  keywords:\n    - secret\n  condition: keywords\n', 't.yml').rules[0]!);
  assert.ok(isCompiled(raw));
  assert.equal(raw.matches(event({ channel: 'Security', fields: {}, raw: { X: 'a secret b' } })), true, 'raw values are searched');
  const all = rule("  keywords:\n    '|all':\n      - foo\n      - bar\n  condition: keywords");
  assert.equal(m(all, { A: 'foo', B: 'bar' }), true);
  assert.equal(m(all, { A: 'foo' }), false);
});

test('conditions: 1 of / all of / them / not', () => {
  const c = rule(
    '  sel_a:\n    A: 1\n  sel_b:\n    B: 2\n  filter:\n    C: 3\n  condition: 1 of sel_* and not filter',
  );
  assert.equal(m(c, { B: 2 }), true);
  assert.equal(m(c, { B: 2, C: 3 }), false);
  const all = rule('  sel_a:\n    A: 1\n  sel_b:\n    B: 2\n  condition: all of sel_*');
  assert.equal(m(all, { A: 1 }), false);
  assert.equal(m(all, { A: 1, B: 2 }), true);
  const them = rule('  a:\n    A: 1\n  b:\n    B: 2\n  condition: 1 of them');
  assert.equal(m(them, { B: 2 }), true);
});

test('a list of maps is ORed, each map ANDed', () => {
  const c = rule('  sel:\n    - A: 1\n      B: 2\n    - C: 3\n  condition: sel');
  assert.equal(m(c, { A: 1 }), false);
  assert.equal(m(c, { A: 1, B: 2 }), true);
  assert.equal(m(c, { C: 3 }), true);
});

test('field lookup order: category rules prefer fields, service rules prefer raw; spaces dropped', () => {
  const cat = rule('  sel:\n    Image: a\n  condition: sel');
  assert.equal(cat.matches(event({ fields: { Image: 'a' }, raw: { Image: 'b' } })), true);
  assert.equal(cat.matches(event({ fields: {}, raw: { Image: 'a' } })), true, 'falls back to raw');
  const svc = rule('  sel:\n    Image: b\n  condition: sel', 'product: windows\n  service: security');
  assert.equal(svc.matches(event({ category: null, channel: 'Security', fields: { Image: 'a' }, raw: { Image: 'b' } })), true);
  const sp = rule('  sel:\n    ThreatName|contains: eicar\n  condition: sel', 'product: windows\n  service: windefend');
  assert.equal(sp.matches(event({ category: null, channel: 'Microsoft-Windows-Windows Defender/Operational', raw: { 'Threat Name': 'Virus:DOS/EICAR_Test_File' } })), true);
});

test('logsource applicability', () => {
  const ev = (category: Category | null, channel: string | null, eventId: number | null = null): Event => event({ category, channel, eventId });
  assert.equal(compileLogsource({ product: 'windows', category: 'process_creation' }).applies(ev('process_creation', 'Security')), true);
  assert.equal(compileLogsource({ product: 'windows', category: 'process_creation' }).applies(ev('image_load', null)), false);
  assert.equal(compileLogsource({ product: 'windows', category: 'registry_event' }).applies(ev('registry_set', null)), true);
  assert.equal(compileLogsource({ product: 'windows', category: 'registry_event' }).applies(ev('file_event', null)), false);
  assert.equal(compileLogsource({ product: 'windows', service: 'powershell' }).applies(ev(null, 'PowerShellCore/Operational')), true);
  assert.equal(compileLogsource({ product: 'windows', service: 'security' }).applies(ev(null, 'System')), false);
  assert.equal(compileLogsource({ product: 'windows', service: 'sysmon' }).applies(ev('process_creation', 'Microsoft-Windows-Sysmon/Operational')), true);
  assert.equal(compileLogsource({ product: 'windows', category: 'ps_script' }).applies(ev(null, 'Microsoft-Windows-PowerShell/Operational', 4104)), true);
  assert.equal(compileLogsource({ product: 'windows', category: 'ps_script' }).applies(ev(null, 'Microsoft-Windows-PowerShell/Operational', 4103)), false);
  assert.equal(compileLogsource({ product: 'linux', category: 'process_creation' }).applies(ev('process_creation', null)), false);
  assert.equal(compileLogsource({ product: 'windows', service: 'no-such-service' }).applies(ev(null, 'Security')), false);
});

test('unsupported features are reported, not thrown', () => {
  const loaded = loadRules("title: t\nlogsource:\n  product: windows\n  category: process_creation\ndetection:\n  sel:\n    Image|re: '(a)\\1'\n  condition: sel\n", 't.yml');
  const r = loaded.rules[0];
  assert.ok(r);
  const c = compileRule(r);
  assert.ok(!isCompiled(c));
  assert.match(c.unsupported, /backreference/);
  const exp = loadRules("title: t\nlogsource:\n  product: windows\n  category: process_creation\ndetection:\n  sel:\n    Image|expand: '%dir%\\x.exe'\n  condition: sel\n", 't.yml').rules[0];
  assert.ok(exp);
  const ce = compileRule(exp);
  assert.ok(!isCompiled(ce));
  assert.match(ce.unsupported, /placeholder/);
});

test('multi-valued fields match when any element matches', () => {
  const c = rule('  sel:\n    Data|contains: evil\n  condition: sel');
  assert.equal(m(c, { Data: ['good', 'EVIL thing'] }), true);
  assert.equal(m(c, { Data: ['good', null] }), false);
});

test('MultiContains finds any of many needles in one pass (differential against includes)', () => {
  let seed = 7;
  const r = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const word = (alphabet: string, max: number): string => {
    let w = '';
    const n = 1 + Math.floor(r() * max);
    for (let i = 0; i < n; i++) w += alphabet[Math.floor(r() * alphabet.length)]!;
    return w;
  };
  let checked = 0;
  for (let k = 0; k < 500; k++) {
    const needles = Array.from({ length: 1 + Math.floor(r() * 6) }, () => word('abc\u00e9\ud83d\ude00', 4));
    const ac = MultiContains.build(needles)!;
    for (let j = 0; j < 8; j++) {
      const hay = word('abcd\u00e9\ud83d\ude00', 12);
      assert.equal(ac.test(hay), needles.some((n) => hay.includes(n)), `${JSON.stringify(needles)} in ${JSON.stringify(hay)}`);
      checked++;
    }
  }
  assert.equal(checked, 4000);
  const folding = MultiContains.buildFolding(['mimikatz', 'kiwi'])!;
  assert.equal(folding.test('Invoke-MIMIKATZ'), true);
  assert.equal(folding.test('\u212aIWI'), true, 'KELVIN SIGN lower-cases to k');
  assert.equal(folding.test('mimi katz'), false);
  assert.equal(MultiContains.buildFolding(['Upper']), null, 'folding needles must be lower-case ASCII');
});

test('contains lists (one automaton) and regex prefilters give the same answers as single values', () => {
  const many = rule("  sel:\n    CommandLine|contains:\n      - ' -enc '\n      - 'IEX('\n      - 'downloadstring'\n      - '\u00e9t\u00e9'\n  condition: sel");
  assert.equal(m(many, { CommandLine: 'powershell iex(new-object)' }), true);
  assert.equal(m(many, { CommandLine: 'x.DownloadString(y)' }), true);
  assert.equal(m(many, { CommandLine: '\u00c9T\u00c9' }), true, 'non-ASCII needles fold too');
  assert.equal(m(many, { CommandLine: 'powershell -encoded' }), false);
  assert.equal(m(many, { CommandLine: ['a', 'b -ENC c'] }), true, 'any element');
  const cased = rule("  sel:\n    CommandLine|contains|cased:\n      - 'AbC'\n      - 'DeF'\n      - 'GhI'\n  condition: sel");
  assert.equal(m(cased, { CommandLine: 'xxDeFxx' }), true);
  assert.equal(m(cased, { CommandLine: 'xxdefxx' }), false);
  const re = rule("  sel:\n    CommandLine|re|i: 'ipconfig\\s+/all'\n  condition: sel");
  assert.equal(m(re, { CommandLine: 'IPCONFIG   /ALL' }), true);
  assert.equal(m(re, { CommandLine: 'ipconfig /renew' }), false);
});

test('the rule index keeps keyword rules for events holding a literal in any case', () => {
  const loaded = loadRules('title: k\nlogsource:\n  product: windows\ndetection:\n  kw:\n    - mimikatz\n  condition: kw\n', 'k.yml');
  const c = compileRule(loaded.rules[0]!);
  assert.ok(isCompiled(c));
  const index = new RuleIndex([c]);
  const ev = (v: string): Event => event({ category: null, channel: 'System', fields: { Data: v } });
  assert.deepEqual(index.candidates(ev('ran Invoke-MIMIKATZ')), [c]);
  assert.deepEqual(index.candidates(ev('nothing here')), []);
  assert.equal(c.matches(ev('ran Invoke-MIMIKATZ')), true);
});
