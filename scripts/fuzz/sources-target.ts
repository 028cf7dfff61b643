// JSON, XML and CSV: mutated fixtures (and a simulated XML and NDJSON export) fed to the format's
// reader as an in-memory input, delivered in chunks of a random size so that tokens, UTF-8
// sequences and UTF-16 code units are split at every kind of boundary. Checked: no throw, every
// diagnostic has a code and a position (line, or byte offset), nothing is silently dropped (input
// with content yields records or diagnostics), no prototype gains a key, no entity is expanded
// or fetched (output values stay within a small multiple of the input).

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readCsvSource } from '../../src/sources/csv.js';
import type { Input } from '../../src/sources/input.js';
import { readJsonSource } from '../../src/sources/json.js';
import type { SourceErrorCode, SourceItem } from '../../src/sources/types.js';
import { readXmlSource } from '../../src/sources/xml.js';
import { simulate, procedureNames } from '../../src/simulate/index.js';
import { findProcedure } from '../../src/simulate/procedures.js';
import type { CaseReport } from './outcome.js';
import { describeError, printable, prototypeProblem } from './outcome.js';
import type { Rng } from './rng.js';
import type { FuzzTarget } from './target.js';
import { GENERIC, MAX_INPUT, bigSize, insertAt, mutateText, repeat, type TextMutation } from './text-mutate.js';

const CODES: ReadonlySet<SourceErrorCode> = new Set<SourceErrorCode>([
  'io-error', 'empty-file', 'unknown-format', 'unknown-shape', 'bad-json', 'bad-xml', 'bad-csv', 'bad-gzip', 'limit-exceeded', 'evtx',
]);

/** Verdicts on the whole input (no Windows events in it, no header row): they have no position. */
const WHOLE_INPUT: ReadonlySet<SourceErrorCode> = new Set<SourceErrorCode>(['unknown-shape', 'empty-file', 'unknown-format', 'io-error', 'bad-gzip']);

type Format = 'json' | 'xml' | 'csv';
const READERS: Record<Format, (input: Input) => AsyncGenerator<SourceItem>> = { json: readJsonSource, xml: readXmlSource, csv: readCsvSource };
const EXTENSIONS: Record<Format, RegExp> = { json: /\.(json|jsonl|ndjson)$/, xml: /\.xml$/, csv: /\.csv$/ };

const enc = (s: string): Buffer => Buffer.from(s, 'utf8');

const BILLION_LAUGHS =
  '<!DOCTYPE Events [<!ENTITY lol "lol">' +
  Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('') +
  ']>';
const XXE = '<!DOCTYPE Events [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY net SYSTEM "http://127.0.0.1:9/x"><!ENTITY % pe SYSTEM "http://127.0.0.1:9/p"> %pe;]>';

const FORMAT_MUTATIONS: Record<Format, ReadonlyArray<[string, TextMutation]>> = {
  json: [
    ['deep-nesting', (b, rng) => insertAt(b, repeat(rng.pick(['[', '{"a":', '[{"b":']), rng.sized([300, 10_000], [100_000])), rng, rng.chance(0.3))],
    ['deep-nesting-closed', (_b, rng) => {
      const n = rng.sized([255, 257, 5000], [100_000]);
      return enc(`${'['.repeat(n)}1${']'.repeat(n)}\n`);
    }],
    ['huge-string', (b, rng) => insertAt(b, enc(`"${'A'.repeat(bigSize(rng))}"`), rng)],
    ['proto-keys', (b, rng) => insertAt(b, enc(rng.pick(['"__proto__":{"polluted":1},', '"constructor":{"prototype":{"polluted":1}},', '"__proto__":"x",', '"hasOwnProperty":1,', '"toString":"x",'])), rng)],
    ['duplicate-keys', (b, rng) => insertAt(b, enc('"Image":"a","Image":"b","EventID":1,"EventID":"x",'), rng)],
    ['numbers', (b, rng) => insertAt(b, enc(rng.pick(['1e999999', '-0', '123456789012345678901234567890', '0x10', 'NaN', '1.7976931348623157e309', '-'])), rng, true)],
    ['escapes', (b, rng) => insertAt(b, enc(rng.pick(['"\\ud800"', '"\\u0000"', '"\\uZZZZ"', '"\\', '"\\x41"'])), rng, true)],
    ['many-keys', (_b, rng) => enc(`{${Array.from({ length: rng.sized([1000], [50_000]) }, (_, i) => `"k${i}":${i}`).join(',')}}\n`)],
    ['many-lines', (_b, rng) => repeat(rng.pick(['{}\n', '\n', '{"EventID":1}\n', '[]\n', 'null\n']), rng.sized([1000], [100_000]))],
  ],
  xml: [
    ['deep-nesting', (b, rng) => insertAt(b, repeat(rng.pick(['<a>', '<EventData><Data>']), rng.sized([65, 10_000], [100_000])), rng)],
    ['billion-laughs', (b, rng) => insertAt(Buffer.concat([enc(BILLION_LAUGHS), b]), enc('&lol9;'), rng)],
    ['external-entity', (b, rng) => insertAt(Buffer.concat([enc(XXE), b]), enc(rng.pick(['&xxe;', '&net;', '%pe;'])), rng)],
    ['char-refs', (b, rng) => insertAt(b, enc(rng.pick(['&#0;', '&#xD800;', '&#x110000;', '&#99999999999999;', '&#x;', '&unknown;', '&amp', '&#65'])), rng)],
    ['attributes', (b, rng) => insertAt(b, enc(` ${Array.from({ length: rng.sized([65], [10_000]) }, (_, i) => `a${i % 50}="${i}"`).join(' ')}`), rng)],
    ['unterminated', (b, rng) => insertAt(b, enc(rng.pick(['<![CDATA[', '<!--', '<?pi', '<Event', '</', '<Data Name="x'])), rng)],
    ['huge-text', (b, rng) => insertAt(b, enc(`<Data Name="Big">${'A'.repeat(bigSize(rng))}</Data>`), rng)],
    ['many-events', (_b, rng) => enc(`<Events>${'<Event><System><EventID>1</EventID></System></Event>'.repeat(rng.sized([1000], [20_000]))}</Events>`)],
  ],
  csv: [
    ['unbalanced-quote', (b, rng) => insertAt(b, enc('"'), rng)],
    ['huge-field', (b, rng) => insertAt(b, enc(`"${'A'.repeat(bigSize(rng))}"`), rng)],
    ['many-columns', (b, rng) => insertAt(b, enc(','.repeat(rng.sized([100, 4096], [20_000]))), rng)],
    ['formula-cells', (b, rng) => insertAt(b, enc(rng.pick([',=cmd|" /C calc"!A0,', ',"=HYPERLINK(""http://x"")",', ',+SUM(1;2),', ',@x,', ',-2+3,'])), rng)],
    ['quoted-newlines', (b, rng) => insertAt(b, enc(`"${'\n'.repeat(rng.sized([1, 1000], [100_000]))}"`), rng)],
    ['proto-header', (b, rng) => insertAt(b, enc(rng.pick(['__proto__,', 'constructor,', 'prototype,'])), rng)],
    ['many-rows', (b, rng) => {
      const header = b.toString('utf8').split('\n', 1)[0] ?? 'a,b';
      const row = `${header.replace(/[^,]/g, '')}\n`;
      return enc(`${header}\n${row.repeat(Math.min(rng.sized([1000], [100_000]), Math.floor(MAX_INPUT / row.length)))}`);
    }],
  ],
};

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p));
    else out.push(p);
  }
  return out.sort();
}

/** Seeds: the fixtures of the format, and a simulated export for XML and NDJSON. */
function loadSeeds(format: Format, root: string): Buffer[] {
  const files = [path.join(root, 'test', 'fixtures', 'sources'), path.join(root, 'test', 'fixtures', 'cmstp')].flatMap(listFiles).filter((f) => EXTENSIONS[format].test(f));
  const seeds = files.map((f) => readFileSync(f));
  const procedure = findProcedure(procedureNames()[0]!);
  if (procedure !== undefined && format !== 'csv') {
    for (const f of simulate(procedure, format === 'xml' ? 'xml' : 'jsonl')) seeds.push(Buffer.from(f.bytes));
  }
  if (seeds.length === 0) throw new Error(`no ${format} seeds under ${root}/test/fixtures`);
  return seeds;
}

function* pieces(bytes: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function* asAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  for (const item of items) {
    // A stream hands its chunks over on later turns of the event loop.
    await Promise.resolve();
    yield item;
  }
}

/** An in-memory input, delivered in chunks of `chunkSize` bytes. */
export function memoryInput(bytes: Buffer, name: string, chunkSize: number): Input {
  return {
    path: name,
    gzip: false,
    head: bytes.subarray(0, 64 * 1024),
    chunks: () => asAsync(pieces(bytes, chunkSize)),
  };
}

/** The text as the readers see it: UTF-16 when a byte order mark says so, else UTF-8. */
function decoded(b: Buffer): string {
  if (b[0] === 0xff && b[1] === 0xfe) return b.subarray(2, b.length & ~1).toString('utf16le');
  if (b[0] === 0xfe && b[1] === 0xff) return Buffer.from(b.subarray(2, b.length & ~1)).swap16().toString('utf16le');
  return b.toString('utf8');
}

const hasContent = (b: Buffer): boolean => /[^\s\ufeff]/.test(decoded(b).replaceAll('\u0000', ''));

/** CSV lines (LF-separated) holding anything but separators, quotes and space: a header and rows. */
function dataRows(b: Buffer): number {
  let n = 0;
  for (const line of decoded(b).replaceAll('\u0000', '').split('\n')) if (/[^\s,"\ufeff]/.test(line)) n++;
  return n;
}

/** Reads one input with one reader and checks what came out. */
export async function checkSource(format: Format, bytes: Buffer, chunkSize: number, mutations: string[]): Promise<CaseReport> {
  const report: CaseReport = { records: 0, diagnostics: 0, problems: [], mutations, inputSize: bytes.length };
  const name = `fuzz.${format}`;
  let valueChars = 0;
  const inputText = bytes.toString('latin1');
  try {
    for await (const item of READERS[format](memoryInput(bytes, name, chunkSize))) {
      if (item.ok) {
        report.records++;
        for (const fields of [item.record.raw, item.record.view]) {
          for (const k of fields.keys()) {
            const v = fields.get(k);
            const text = Array.isArray(v) ? v.join('\u0000') : String(v);
            valueChars += text.length + k.length;
            if (text.includes('root:x:0:0') && !inputText.includes('root:x:0:0')) report.problems.push({ outcome: 'injection', detail: 'an external entity was read (/etc/passwd in the output)' });
          }
        }
      } else {
        report.diagnostics++;
        const d = item.diagnostic;
        if (!CODES.has(d.code)) report.problems.push({ outcome: 'untyped-error', detail: `unknown code ${printable(String(d.code))}` });
        const located = (d.line !== null && Number.isSafeInteger(d.line) && d.line >= 1) || (d.offset !== null && Number.isSafeInteger(d.offset) && d.offset >= 0 && d.offset <= bytes.length);
        if (!located && !WHOLE_INPUT.has(d.code)) report.problems.push({ outcome: 'untyped-error', detail: `${d.code} without a position (line ${d.line}, offset ${d.offset}): ${printable(d.message)}` });
        if (d.line !== null && d.column !== null && !(d.column >= 1)) report.problems.push({ outcome: 'untyped-error', detail: `${d.code} at column ${d.column}` });
      }
    }
  } catch (e) {
    report.problems.unshift({ outcome: 'exception', detail: describeError(e) });
  }
  // Raw and view share values, and a view may carry one value under several names (a field
  // mapped to two canonical ones): allow for that, plus the names repeated per record.
  if (valueChars > 8 * bytes.length + 1_000_000 + report.records * 4096) {
    report.problems.push({ outcome: 'memory', detail: `output holds ${valueChars} characters for a ${bytes.length}-byte input (expansion)` });
  }
  if (report.records === 0 && report.diagnostics === 0 && (format === 'csv' ? dataRows(bytes) >= 2 : hasContent(bytes))) {
    report.problems.push({ outcome: 'accounting', detail: 'input with content yielded neither records nor diagnostics' });
  }
  const polluted = prototypeProblem();
  if (polluted !== null) report.problems.push({ outcome: 'injection', detail: polluted });
  return report;
}

function sourceTarget(format: Format): FuzzTarget<Buffer[]> {
  return {
    name: format,
    load: (_dataDir, root) => loadSeeds(format, root),
    async run(seeds, rng: Rng) {
      const seed = rng.pick(seeds);
      const { bytes, names } = mutateText(seed, rng, [...GENERIC, ...FORMAT_MUTATIONS[format], ...FORMAT_MUTATIONS[format]]);
      const chunkSize = rng.pick([1, 7, 64, 4096, 65_536, 1 << 20]);
      // One-byte chunks are slow on big inputs; they are for the small ones.
      const size = bytes.length > 20_000 && chunkSize < 4096 ? 65_536 : chunkSize;
      return checkSource(format, bytes, size, [`chunks of ${size}`, ...names]);
    },
  };
}

export const jsonTarget = sourceTarget('json');
export const xmlTarget = sourceTarget('xml');
export const csvTarget = sourceTarget('csv');
