import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyModifiers, base64Offsets, canonicalModifier, MODIFIERS } from '../src/sigma/modifiers.js';
import { formatSigmaString, parseCidr, parseSigmaString, type SigmaString, type SigmaValue } from '../src/sigma/values.js';

/** Renders a value compactly: strings in Sigma syntax, expansions as arrays. */
function show(v: SigmaValue): unknown {
  if (v.type === 'string') return formatSigmaString(v);
  if (v.type === 'expansion') return v.values.map(show);
  return v;
}

function apply(chain: string[], raw: unknown): SigmaValue {
  const r = applyModifiers(chain, raw);
  if (!r.ok) assert.fail(r.message);
  return r.value;
}

function parts(s: SigmaString): unknown[] {
  return s.parts.map((p) => (p.kind === 'text' ? p.text : p.kind === 'placeholder' ? `%${p.name}%` : p.kind === 'wildcard-multi' ? '*' : '?'));
}

test('escapes are settled at parse time (pySigma test_strings_escaping)', () => {
  assert.deepEqual(parts(parseSigmaString('escaped\\*\\?\\\\*?')), ['escaped*?\\', '*', '?']);
  // `C:\\Windows\\*` in a rule: `\\` collapses, the last `*` is a wildcard.
  assert.deepEqual(parts(parseSigmaString('C:\\\\Windows\\\\*')), ['C:\\Windows\\', '*']);
  // A backslash before anything else stays literal.
  assert.deepEqual(parts(parseSigmaString('C:\\Windows\\System32')), ['C:\\Windows\\System32']);
  assert.deepEqual(parts(parseSigmaString('\\\\*')), ['\\', '*']);
  assert.deepEqual(parts(parseSigmaString('\\\\\\*')), ['\\*']);
  assert.deepEqual(parts(parseSigmaString('a\\')), ['a\\']);
  // Three and four backslashes both give two.
  assert.deepEqual(parts(parseSigmaString('\\\\\\')), ['\\\\']);
  assert.deepEqual(parts(parseSigmaString('\\\\\\\\')), ['\\\\']);
  assert.deepEqual(parts(parseSigmaString('a*b?c')), ['a', '*', 'b', '?', 'c']);
  // `%` is plain text without `expand`.
  assert.deepEqual(parts(parseSigmaString('%x%')), ['%x%']);
  assert.equal(formatSigmaString(parseSigmaString('escaped\\*\\?\\\\*?')), 'escaped\\*\\?\\\\*?');
});

test('placeholders only with expand; \\% is a literal percent', () => {
  assert.deepEqual(parts(parseSigmaString('%admins%\\%x', { placeholders: true })), ['%admins%', '%x']);
  const v = apply(['expand'], '%admins%');
  assert.equal(v.type, 'string');
  assert.deepEqual(parts(v), ['%admins%']);
  const c = apply(['contains', 'expand'], 'x%p%');
  assert.deepEqual(parts(c as SigmaString), ['*', 'x', '%p%', '*']);
});

test('YAML scalars get their Sigma type', () => {
  assert.deepEqual(apply([], 4688), { type: 'number', value: 4688 });
  assert.equal(apply([], '4688').type, 'string');
  assert.deepEqual(apply([], true), { type: 'bool', value: true });
  assert.deepEqual(apply([], null), { type: 'null' });
});

test('contains, startswith, endswith add wildcards once', () => {
  assert.equal(show(apply(['contains'], 'abc')), '*abc*');
  assert.equal(show(apply(['contains'], '*abc')), '*abc*');
  assert.equal(show(apply(['startswith'], 'abc')), 'abc*');
  // `\c` is a literal backslash + c; formatting escapes the backslash.
  assert.deepEqual(parts(apply(['endswith'], '\\cmd.exe') as SigmaString), ['*', '\\cmd.exe']);
  // numbers are used as their decimal text by string modifiers
  assert.equal(show(apply(['contains'], 12)), '*12*');
});

test('base64 and base64offset (pySigma test vectors)', () => {
  assert.equal(show(apply(['base64'], 'foobar')), 'Zm9vYmFy');
  assert.deepEqual(show(apply(['base64offset'], 'foobar')), ['Zm9vYmFy', 'Zvb2Jhc', 'mb29iYX']);
  assert.deepEqual(show(apply(['base64offset', 'contains'], 'foobar')), ['*Zm9vYmFy*', '*Zvb2Jhc*', '*mb29iYX*']);
  assert.deepEqual(base64Offsets(Buffer.from('foobar')), ['Zm9vYmFy', 'Zvb2Jhc', 'mb29iYX']);
  assert.equal(applyModifiers(['base64'], 'a*b').ok, false);
  assert.equal(applyModifiers(['base64offset'], 'a?b').ok, false);
});

test('utf16le / wide / utf16be / utf16', () => {
  const wide = apply(['wide'], 'cmd') as SigmaString;
  assert.equal(wide.encoding, 'bytes');
  assert.deepEqual(parts(wide), ['c\0m\0d\0']);
  assert.deepEqual(parts(apply(['utf16le'], 'cmd') as SigmaString), ['c\0m\0d\0']);
  assert.deepEqual(parts(apply(['utf16be'], 'cmd') as SigmaString), ['\0c\0m\0d']);
  // Choice: utf16 follows the spec (BOM FF FE + UTF-16LE), not pySigma (which emits EF BB BF).
  assert.deepEqual(parts(apply(['utf16'], 'cmd') as SigmaString), ['\xff\xfec\0m\0d\0']);
  assert.equal(show(apply(['utf16', 'base64'], 'ab')), '//5hAGIA');
  // pySigma run: ping with wide|base64offset|contains.
  assert.deepEqual(show(apply(['wide', 'base64offset', 'contains'], 'ping')), ['*cABpAG4AZw*', '*AAaQBuAGcA*', '*wAGkAbgBnA*']);
  // Wildcards pass through wide untouched.
  assert.deepEqual(parts(apply(['wide'], 'a*') as SigmaString), ['a\0', '*']);
  assert.equal(canonicalModifier('wide'), 'utf16le');
});

test('windash expands option dashes into 5^n variants', () => {
  const v = apply(['windash'], '-param-1 -param2');
  assert.equal(v.type, 'expansion');
  const all = show(v) as string[];
  assert.equal(all.length, 25);
  assert.ok(all.includes('-param-1 -param2'));
  assert.ok(all.includes('/param-1 \u2015param2'));
  // `a-b` is not a site; a value without sites stays a single string.
  assert.equal(show(apply(['windash'], 'a-b')), 'a-b');
  assert.deepEqual(show(apply(['windash', 'contains'], ' -x')), [' -x', ' /x', ' \u2013x', ' \u2014x', ' \u2015x'].map((s) => `*${s}*`));
  assert.equal(applyModifiers(['windash'], ' -a -b -c -d -e -f -g').ok, false);
});

test('re with i/m/s flags, and string modifiers on regexes', () => {
  assert.deepEqual(apply(['re'], 'a.b'), { type: 'regex', pattern: 'a.b', flags: { ignoreCase: false, multiline: false, dotAll: false } });
  assert.deepEqual(apply(['re', 'i', 'm', 's'], 'x'), { type: 'regex', pattern: 'x', flags: { ignoreCase: true, multiline: true, dotAll: true } });
  assert.deepEqual((apply(['re', 'i'], 'x') as { flags: unknown }).flags, { ignoreCase: true, multiline: false, dotAll: false });
  assert.equal(canonicalModifier('ignorecase'), 'i');
  assert.equal(canonicalModifier('multiline'), 'm');
  assert.equal(canonicalModifier('dotall'), 's');
  assert.equal((apply(['re', 'contains'], 'x') as { pattern: string }).pattern, '.*x.*');
  assert.equal((apply(['re', 'startswith'], '^x') as { pattern: string }).pattern, '^x.*');
  assert.equal(applyModifiers(['i'], 'x').ok, false);
  assert.equal(applyModifiers(['contains', 're'], 'x').ok, false);
  assert.equal(applyModifiers(['re'], 5).ok, false);
});

test('cidr, exists, comparisons, timestamp parts, fieldref, cased', () => {
  assert.deepEqual(apply(['cidr'], '10.0.0.0/8'), { type: 'cidr', version: 4, address: '10.0.0.0', prefix: 8 });
  assert.deepEqual(apply(['cidr'], 'fe80::/10'), { type: 'cidr', version: 6, address: 'fe80::', prefix: 10 });
  assert.equal(applyModifiers(['cidr'], '10.0.0.300/8').ok, false);
  assert.equal(applyModifiers(['cidr'], '10.0.0.0/33').ok, false);
  assert.equal(parseCidr('1:2:3'), null);
  assert.deepEqual(apply(['exists'], false), { type: 'exists', value: false });
  assert.equal(applyModifiers(['exists'], 'yes').ok, false);
  assert.deepEqual(apply(['gte'], 5), { type: 'compare', op: 'gte', value: 5 });
  assert.deepEqual(apply(['lt'], '7'), { type: 'compare', op: 'lt', value: 7 });
  assert.equal(applyModifiers(['gt'], 'abc').ok, false);
  assert.deepEqual(apply(['hour'], 3), { type: 'timestamp-part', unit: 'hour', value: 3 });
  assert.deepEqual(apply(['fieldref', 'endswith'], 'TargetUser'), { type: 'fieldref', field: 'TargetUser', startsWith: false, endsWith: true });
  assert.equal(applyModifiers(['fieldref'], 'a*').ok, false);
  assert.equal((apply(['cased', 'contains'], 'A') as SigmaString).cased, true);
  // all and neq are item flags: the value itself is untouched.
  assert.equal(show(apply(['all', 'contains'], 'a')), '*a*');
  assert.equal(show(apply(['neq'], 'a')), 'a');
});

test('the registry holds every modifier of the spec appendix', () => {
  const spec = ['all', 'startswith', 'endswith', 'contains', 'exists', 'cased', 'neq', 'windash', 're', 'i', 'm', 's', 'base64', 'base64offset',
    'utf16le', 'utf16be', 'utf16', 'wide', 'lt', 'lte', 'gt', 'gte', 'minute', 'hour', 'day', 'week', 'month', 'year', 'cidr', 'expand', 'fieldref'];
  for (const m of spec) assert.ok(MODIFIERS.has(m), m);
  assert.equal(canonicalModifier('nosuch'), null);
});

test('escapes round-trip: parse(format(parse(s))) equals parse(s)', () => {
  const alphabet = ['a', '\\', '*', '?', '%', 'b'];
  let seed = 7;
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (let k = 0; k < 2000; k++) {
    let raw = '';
    for (let i = next(10); i > 0; i--) raw += alphabet[next(alphabet.length)] as string;
    const once = parseSigmaString(raw);
    assert.deepEqual(parseSigmaString(formatSigmaString(once)), once, JSON.stringify(raw));
  }
});
