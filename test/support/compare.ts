// Comparing our reader's records with evtxexport's, value by value, after normalising the ways
// the two legitimately print the same value differently. Every normalisation below says why it
// is there; anything else that differs is a difference. Differences that are understood and
// accepted (not merely tolerated) are on the KNOWN_DIFFERENCES allow-list at the end, each with
// its reason.

import type { EvtxRecord, EvtxScalar } from '../../src/evtx/model.js';
import type { TheirRecord } from './evtxexport.js';

/** Our record in evtxexport's shape: System fields plus ordered (name, text) pairs. */
export interface OurRecord {
  /** `system.eventRecordId` (what evtxexport prints), falling back to the header's id. */
  recordId: number;
  timeCreated: string | null;
  eventId: number | null;
  channel: string | null;
  computer: string | null;
  provider: string | null;
  /**
   * `data` flattened: each value as [name, text], arrays as one pair per item (evtxexport
   * repeats the element per item), `_1`/`_2` duplicate suffixes removed. Unnamed values, which
   * our reader collects under `Data`, keep the name `Data` (evtxexport's '' is matched to it).
   */
  data: Array<[string, string]>;
}

/** A scalar as text, the way evtxexport prints it: null is empty, booleans `true`/`false`. */
export function scalarText(v: EvtxScalar): string {
  if (v === null) return '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return String(v);
}

const SUFFIXED = /^(.*)_(\d+)$/;

export function fromOurRecord(r: EvtxRecord): OurRecord {
  const data: Array<[string, string]> = [];
  for (const [key, value] of r.data.entries()) {
    // Our reader names the second `X` `X_1`, the third `X_2`, …: only when `X` is taken, so a
    // suffix is ours only if the bare name exists too (a genuine `Param_1` stays as it is).
    const m = SUFFIXED.exec(key);
    const name = m !== null && r.data.has(m[1]!) ? m[1]! : key;
    if (Array.isArray(value)) for (const item of value as readonly EvtxScalar[]) data.push([name, scalarText(item)]);
    else data.push([name, scalarText(value as EvtxScalar)]);
  }
  return {
    recordId: r.system.eventRecordId ?? r.recordId,
    timeCreated: r.system.timeCreated,
    eventId: r.system.eventId,
    channel: r.system.channel,
    computer: r.system.computer,
    provider: r.system.provider,
    data,
  };
}

// ---------------------------------------------------------------------------------------------
// Normalisation

const ISO_TIME = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/;
const GUID = /^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$/;
const DECIMAL = /^-?\d+$/;
const HEX = /^0[xX][0-9a-fA-F]+$/;
const C_EXP_FLOAT = /^-?\d\.\d+e[+-]\d+$/;
const HEX_BYTES = /^[0-9a-fA-F]+$/;

/**
 * Times to `YYYY-MM-DDTHH:MM:SS.fffffffZ`. evtxexport prints FILETIMEs (TimeCreated and
 * FILETIME values) with 9 fractional digits, SYSTEMTIME values with 3; we print 7, as Windows
 * does. FILETIME ticks are 100 ns, so the two extra digits are always `00`, and SYSTEMTIME has
 * milliseconds, so padding 3 digits to 7 loses nothing either.
 */
export function normalizeTime(s: string): string {
  const m = ISO_TIME.exec(s);
  if (m === null) return s;
  return `${m[1]!}.${(m[2] ?? '').padEnd(7, '0').slice(0, 7)}Z`;
}

/**
 * What every value goes through before comparison.
 * - Trailing white space and NULs are dropped: strings are stored NUL-terminated and sometimes
 *   padded; evtxexport ends a string at its NUL, and padding handling is not what we test here.
 * - Times: see normalizeTime.
 * - GUIDs: upper case in braces. Both print GUID-typed values that way, but a GUID stored as a
 *   string keeps the writer's case (`{eb79061a-…}` in DNS Server logs) and brace style.
 * - XML escaping needs nothing here: evtxexport's text is unescaped when it is parsed.
 */
export function normalizeText(s: string): string {
  const t = s.replace(/[\s\0]+$/, '');
  if (ISO_TIME.test(t)) return normalizeTime(t);
  const g = GUID.exec(t);
  if (g !== null) return `{${g[1]!.toUpperCase()}}`;
  return t;
}

/**
 * Whether two values agree. Beyond equal normalised text:
 * - Integers written in hex on either side are compared as numbers: evtxexport pads HexInt32/64
 *   to 8/16 digits (`0x0000000000013765`), we print them unpadded as Windows does (`0x13765`),
 *   and evtxexport prints size_t in decimal (`4`) where we print hex (`0x4`).
 * - evtxexport prints floating point values in C `%e` style with 7 significant digits and a
 *   three-digit exponent (`8.593064e-001`); we keep the full double. Equal to 1e-6 relative.
 * - Binary values are upper-case hex on both sides; case is ignored all the same.
 * - Booleans need nothing: both print `true`/`false` (for any non-zero stored value).
 */
export function valuesAgree(ours: string, theirs: string): boolean {
  if (ours === theirs) return true;
  const a = normalizeText(ours);
  const b = normalizeText(theirs);
  if (a === b) return true;
  if ((HEX.test(a) || HEX.test(b)) && (HEX.test(a) || DECIMAL.test(a)) && (HEX.test(b) || DECIMAL.test(b))) {
    return BigInt(a) === BigInt(b);
  }
  if (C_EXP_FLOAT.test(b) || C_EXP_FLOAT.test(a)) {
    const x = Number(a);
    const y = Number(b);
    if (a !== '' && b !== '' && Number.isFinite(x) && Number.isFinite(y)) {
      return Math.abs(x - y) <= 1e-6 * Math.max(Math.abs(x), Math.abs(y)) + 1e-300;
    }
  }
  if (HEX_BYTES.test(a) && HEX_BYTES.test(b)) return a.toUpperCase() === b.toUpperCase();
  return false;
}

// ---------------------------------------------------------------------------------------------
// Comparing records

export interface FieldDifference {
  recordId: number;
  /** `timeCreated`, `eventId`, `channel`, `computer`, `provider`, or `data.NAME` / `data.NAME[i]`. */
  field: string;
  /** null: we have no such value. */
  ours: string | null;
  /** null: evtxexport has no such value. */
  theirs: string | null;
}

/** An accepted, understood difference. `matches` gets the difference and the file (relative). */
export interface KnownDifference {
  id: string;
  reason: string;
  matches(d: FieldDifference, file: string): boolean;
}

function systemText(v: string | number | null): string | null {
  return v === null ? null : String(v);
}

/** Group key: evtxexport's unnamed `<Data>` ('') is what our reader keeps under `Data`. */
function groupKey(name: string): string {
  return name === '' ? 'Data' : name;
}

function groupOurs(data: ReadonlyArray<readonly [string, string]>): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const [name, text] of data) {
    let g = groups.get(name);
    if (g === undefined) groups.set(name, (g = []));
    g.push(text);
  }
  return groups;
}

function groupTheirs(data: ReadonlyArray<readonly [string, string]>): Map<string, string[]> {
  // Our reader puts a `<Data Name="Data">` first and the unnamed values after it (it collects
  // unnamed ones until the end), so named values go first within the `Data` group.
  const named = data.filter(([n]) => n !== '');
  const unnamed = data.filter(([n]) => n === '');
  return groupOurs([...named, ...unnamed.map(([, t]): [string, string] => ['Data', t])]);
}

/** All differences between two records (empty when they agree). */
export function diffRecords(ours: OurRecord, theirs: TheirRecord): FieldDifference[] {
  const out: FieldDifference[] = [];
  const id = theirs.recordId;
  const system: Array<[string, string | null, string | null]> = [
    ['timeCreated', ours.timeCreated, theirs.timeCreated],
    ['eventId', systemText(ours.eventId), systemText(theirs.eventId)],
    ['channel', ours.channel, theirs.channel],
    ['computer', ours.computer, theirs.computer],
    ['provider', ours.provider, theirs.provider],
  ];
  for (const [field, o, t] of system) {
    // A missing element and an empty one (`<Channel/>`) are the same thing.
    if (!valuesAgree(o ?? '', t ?? '')) out.push({ recordId: id, field, ours: o, theirs: t });
  }
  const og = groupOurs(ours.data);
  const tg = groupTheirs(theirs.data.map(([n, t]): [string, string] => [groupKey(n), t]));
  const names = new Set([...tg.keys(), ...og.keys()]);
  for (const name of names) {
    const o = og.get(name) ?? [];
    const t = tg.get(name) ?? [];
    const n = Math.max(o.length, t.length);
    for (let i = 0; i < n; i++) {
      const ov = o[i];
      const tv = t[i];
      // A value that is absent on one side and empty on the other agrees: evtxexport prints
      // `<Data Name="X"/>` for empty values, our reader may leave out an empty leaf.
      if (valuesAgree(ov ?? '', tv ?? '')) continue;
      out.push({ recordId: id, field: n === 1 ? `data.${name}` : `data.${name}[${i}]`, ours: ov ?? null, theirs: tv ?? null });
    }
  }
  return out;
}

export interface FileComparison {
  /** Records on each side (theirs without the cut-off ones). */
  ours: number;
  theirs: number;
  /** Matched records without differences, counting those whose differences are all allowed. */
  agree: number;
  /** Matched records with at least one difference that is not on the allow-list. */
  differ: number;
  /** Records only we yielded / only evtxexport exported (by record id). */
  onlyOurs: number;
  onlyTheirs: number;
  /** Of `agree`: records that agree only thanks to the allow-list. */
  allowed: number;
  /** Allowed differences by KnownDifference id. */
  allowedBy: Record<string, number>;
  /** Records evtxexport stopped printing part way (recovered mode); not compared. */
  theirsTruncated: number;
  /** The first differences not on the allow-list. */
  examples: FieldDifference[];
  /** The first record ids on one side only. */
  onlyOursIds: number[];
  onlyTheirsIds: number[];
}

export interface CompareOptions {
  /** How many example differences and ids to keep (default 10). */
  maxExamples?: number;
  allow?: readonly KnownDifference[];
  /** The file, relative to the shared data, for allow-list rules that apply to one file. */
  file?: string;
}

/**
 * Matches records by record id (EventRecordID: evtxexport prints nothing else, and in filtered
 * exports such as the EVTX-ATTACK-SAMPLES the header ids are renumbered 1…n while EventRecordID
 * keeps the original) and compares each pair. Ids may repeat (recovered records, damaged
 * files): within an id, each of their records takes the first of ours that agrees with it, or
 * else the first one left.
 */
export function compareFile(ours: readonly OurRecord[], theirs: readonly TheirRecord[], options: CompareOptions = {}): FileComparison {
  const max = options.maxExamples ?? 10;
  const allow = options.allow ?? [];
  const file = options.file ?? '';
  const result: FileComparison = {
    ours: ours.length,
    theirs: 0,
    agree: 0,
    differ: 0,
    onlyOurs: 0,
    onlyTheirs: 0,
    allowed: 0,
    allowedBy: {},
    theirsTruncated: 0,
    examples: [],
    onlyOursIds: [],
    onlyTheirsIds: [],
  };
  const byId = new Map<number, OurRecord[]>();
  for (const r of ours) {
    let list = byId.get(r.recordId);
    if (list === undefined) byId.set(r.recordId, (list = []));
    list.push(r);
  }
  for (const t of theirs) {
    if (t.truncated) {
      result.theirsTruncated++;
      continue;
    }
    result.theirs++;
    const candidates = byId.get(t.recordId);
    if (candidates === undefined || candidates.length === 0) {
      result.onlyTheirs++;
      if (result.onlyTheirsIds.length < max) result.onlyTheirsIds.push(t.recordId);
      continue;
    }
    let pick = 0;
    let diffs = diffRecords(candidates[0]!, t);
    for (let i = 1; i < candidates.length && diffs.length > 0; i++) {
      const d = diffRecords(candidates[i]!, t);
      if (d.length === 0) {
        pick = i;
        diffs = d;
      }
    }
    candidates.splice(pick, 1);
    const unexplained: FieldDifference[] = [];
    for (const d of diffs) {
      const rule = allow.find((k) => k.matches(d, file));
      if (rule === undefined) unexplained.push(d);
      else result.allowedBy[rule.id] = (result.allowedBy[rule.id] ?? 0) + 1;
    }
    if (unexplained.length === 0) {
      result.agree++;
      if (diffs.length > 0) result.allowed++;
    } else {
      result.differ++;
      for (const d of unexplained) if (result.examples.length < max) result.examples.push(d);
    }
  }
  for (const [id, left] of byId) {
    result.onlyOurs += left.length;
    if (left.length > 0 && result.onlyOursIds.length < max) result.onlyOursIds.push(id);
  }
  return result;
}

/** A one-line summary of a difference, for test output. */
export function describeDifference(d: FieldDifference): string {
  const show = (s: string | null): string => (s === null ? '(none)' : JSON.stringify(s.length > 200 ? s.slice(0, 200) + '…' : s));
  return `record ${d.recordId} ${d.field}: ours ${show(d.ours)}, evtxexport ${show(d.theirs)}`;
}

// ---------------------------------------------------------------------------------------------
// The allow-list: differences that are understood and where evtxexport, not our reader, is off
// or where the two choose differently on purpose. Keep each entry narrow, with its reason.

const INT32_MIN = -2147483648;

/** The text libfvalue 20181227 prints for a negative 32-bit integer `n` (see below). */
export function libfvalueNegativeInt32(n: number): string {
  return '-' + String((n >>> 0) & 0x7fffffff);
}

export const KNOWN_DIFFERENCES: readonly KnownDifference[] = [
  {
    // evtxexport (libfvalue) prints a negative Int32 as '-' followed by its low 31 bits instead
    // of its magnitude: -1 (0xFFFFFFFF) becomes `-2147483647`, the HRESULT 0x80070002
    // (-2147024894) becomes `-458754`. Our reader prints the signed value, as Windows does.
    id: 'evtxexport-negative-int32',
    reason: 'libfvalue prints a negative Int32 as "-" + (value & 0x7FFFFFFF)',
    matches(d) {
      if (d.ours === null || d.theirs === null || !/^-\d+$/.test(d.ours)) return false;
      const n = Number(d.ours);
      return n >= INT32_MIN && d.theirs === libfvalueNegativeInt32(n);
    },
  },
  {
    // A UTF-16 value with an unpaired surrogate (robustness/python-evtx/issue_43.evtx, record
    // 508: D940 5A1F 0152). evtxexport turns the bad pair into one U+FFFD and drops the unit
    // after it; our reader keeps every code unit (a lone surrogate becomes U+FFFD only when the
    // text is encoded as UTF-8 on output).
    id: 'invalid-utf16',
    reason: 'unpaired UTF-16 surrogate: evtxexport replaces it and the next unit with U+FFFD',
    matches(d) {
      return d.ours !== null && d.theirs !== null && /[\uD800-\uDFFF]/.test(d.ours) && d.theirs.includes('\uFFFD');
    },
  },
];
