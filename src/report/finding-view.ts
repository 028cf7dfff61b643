// What every report format reads from a finding beyond its raw shape: the level order, the event
// that stands for it, the usual process fields, and a compact process chain. Pure functions over
// `Finding`, so the formats agree on what a row shows.

import type { ChainProcess, Finding, FindingEvent } from '../detect/finding.js';
import type { FieldValue } from '../events/fields.js';
import { RULE_LEVELS, type SigmaLevel } from '../sigma/rule.js';

/** Levels from the most to the least severe, then findings without a level. */
export const LEVELS_DESC: readonly (SigmaLevel | 'none')[] = [...[...RULE_LEVELS].reverse(), 'none'];

export function levelRankOf(level: SigmaLevel | null | undefined): number {
  return level == null ? -1 : RULE_LEVELS.indexOf(level);
}

/** Milliseconds since the epoch of an ISO 8601 time (any number of fraction digits), or null. */
export function timeMs(iso: string | null | undefined): number | null {
  if (iso == null) return null;
  // Date.parse reads at most milliseconds portably: cut longer fractions first.
  const ms = Date.parse(iso.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isFinite(ms) ? ms : null;
}

/** Most severe first, then earliest first (no time last), then rule title and id for a stable order. */
export function compareFindings(a: Finding, b: Finding): number {
  const l = levelRankOf(b.level) - levelRankOf(a.level);
  if (l !== 0) return l;
  const ta = timeMs(a.timestamp);
  const tb = timeMs(b.timestamp);
  if (ta !== tb) {
    if (ta === null) return 1;
    if (tb === null) return -1;
    return ta - tb;
  }
  if (a.rule.title !== b.rule.title) return a.rule.title < b.rule.title ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(compareFindings);
}

/** Findings per level (`none` for findings without one), every level present. */
export function countByLevel(findings: readonly Finding[]): Record<SigmaLevel | 'none', number> {
  const out = Object.fromEntries(LEVELS_DESC.map((l) => [l, 0])) as Record<SigmaLevel | 'none', number>;
  for (const f of findings) out[f.level ?? 'none']++;
  return out;
}

/** A field value as one string: lists joined with `, `, null and absent as null. */
export function fieldText(value: FieldValue | undefined): string | null {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) {
    const parts = (value as readonly (string | number | boolean | null)[]).filter((v) => v !== null).map(String);
    return parts.length === 0 ? null : parts.join(', ');
  }
  return String(value);
}

export function field(ev: FindingEvent | undefined, name: string): string | null {
  if (ev === undefined) return null;
  // Field maps are null-prototype objects; still, read only own names.
  return Object.prototype.hasOwnProperty.call(ev.fields, name) ? fieldText(ev.fields[name]) : null;
}

export function basename(path: string): string {
  const i = Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/'));
  return i < 0 ? path : path.slice(i + 1);
}

/**
 * The event that stands for a finding in one-row formats: for an incident, the event showing
 * the cmstp.exe process of its chain (else its first event with an image); otherwise the first.
 */
export function primaryEvent(f: Finding): FindingEvent | undefined {
  if (f.chain !== undefined) {
    for (const p of f.chain) {
      if (p.event !== null && p.image !== null && basename(p.image).toLowerCase() === 'cmstp.exe') {
        const ev = f.events[p.event];
        if (ev !== undefined) return ev;
      }
    }
    const withImage = f.events.find((e) => field(e, 'Image') !== null);
    if (withImage !== undefined) return withImage;
  }
  return f.events[0];
}

/** The source location of an event: `path#record`, `path:line` or `path@offset`. */
export function sourceRef(ev: FindingEvent | undefined): string | null {
  if (ev === undefined) return null;
  const s = ev.source;
  if (s.recordId !== null) return `${s.path}#${s.recordId}`;
  if (s.line !== null) return `${s.path}:${s.line}`;
  if (s.offset !== null) return `${s.path}@${s.offset}`;
  return s.path;
}

/** The arguments of a command line: what follows the program (quoted or not). */
export function argumentsOf(commandLine: string): string {
  const t = commandLine.trimStart();
  if (t.startsWith('"')) {
    const end = t.indexOf('"', 1);
    return end < 0 ? '' : t.slice(end + 1).trim();
  }
  const sp = t.search(/\s/);
  return sp < 0 ? '' : t.slice(sp + 1).trim();
}

const GUID = /\{([0-9a-f]{4})[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}/gi;

/** Arguments shortened for one line: paths to their file names, GUIDs to `{3E5F…}`. */
export function compactArguments(args: string): string {
  return args
    .replace(GUID, (_m, head: string) => `{${head.toUpperCase()}…}`)
    .split(/(\s+)/)
    .map((tok) => {
      const unq = tok.replace(/^"(.*)"$/, '$1');
      if (!/^[a-z]:\\|^\\\\|^%[^%]+%\\/i.test(unq)) return tok;
      // Windows paths: only `\` separates (a `/` in a file name is evidence, not a separator).
      const i = unq.lastIndexOf('\\');
      return i >= 0 && i < unq.length - 1 ? unq.slice(i + 1) : tok;
    })
    .join('');
}

/** The program a command line starts with, unquoted. */
function programOf(commandLine: string): string {
  const t = commandLine.trimStart();
  if (t.startsWith('"')) {
    const end = t.indexOf('"', 1);
    return end < 0 ? t.slice(1) : t.slice(1, end);
  }
  return t.split(/\s/)[0] ?? '';
}

const stem = (name: string): string => name.toLowerCase().replace(/\.exe$/, '');

/**
 * One process in a compact chain: `cmstp.exe /s /au x.inf`. When the command line does not
 * start with the image's own name, all of it is shown: a mismatch is itself worth seeing.
 */
export function processLabel(image: string | null, commandLine: string | null): string {
  if (commandLine !== null && image !== null && stem(basename(programOf(commandLine))) !== stem(basename(image)))
    return `${basename(image)} ${compactArguments(commandLine.trim())}`;
  const name = image !== null ? basename(image) : commandLine !== null ? basename(programOf(commandLine)) : '?';
  const args = commandLine !== null ? compactArguments(argumentsOf(commandLine)) : '';
  return args === '' ? name || '?' : `${name || '?'} ${args}`;
}

const HIGH_INTEGRITY = /^(high|system)$/i;

/**
 * A process chain on one line, oldest first: `winword.exe › cmstp.exe /s /au x.inf › dllhost.exe
 * {3E5F…} › cmd.exe [High]`. The integrity level is shown where it changes (or starts high).
 */
export function chainText(chain: readonly ChainProcess[], maxLabel = Infinity): string {
  let prev: string | null = null;
  return chain
    .map((p, i) => {
      // In a chain the launcher is context: its name is enough. On a terminal every label is
      // capped (maxLabel) so the processes after a long PowerShell one-liner stay on the line.
      let s = i === 0 && chain.length > 2 ? (p.image !== null ? basename(p.image) : processLabel(null, p.commandLine).split(' ')[0]!) : processLabel(p.image, p.commandLine);
      if (chain.length > 1 && s.length > maxLabel) s = s.slice(0, maxLabel - 1) + '…';
      const il = p.integrity;
      if (il !== null && ((i === 0 && HIGH_INTEGRITY.test(il)) || (prev !== null && il.toLowerCase() !== prev.toLowerCase()))) s += ` [${il}]`;
      if (il !== null) prev = il;
      return s;
    })
    .join(' › ');
}

/** The process chain a finding shows: the incident's own, else parent and process of its event. */
export function findingChain(f: Finding): ChainProcess[] {
  if (f.chain !== undefined && f.chain.length > 0) return f.chain;
  const ev = f.events[0];
  if (ev === undefined) return [];
  const image = field(ev, 'Image');
  const cmd = field(ev, 'CommandLine');
  // Only process-creation evidence makes a chain; an image load or a registry write does not.
  if (cmd === null && field(ev, 'ParentImage') === null) return [];
  const out: ChainProcess[] = [];
  const pImage = field(ev, 'ParentImage');
  const pCmd = field(ev, 'ParentCommandLine');
  if (pImage !== null || pCmd !== null)
    out.push({ image: pImage, commandLine: pCmd, pid: numberOrNull(field(ev, 'ParentProcessId')), guid: field(ev, 'ParentProcessGuid'), integrity: null, user: field(ev, 'ParentUser'), time: null, event: null });
  out.push({ image, commandLine: cmd, pid: numberOrNull(field(ev, 'ProcessId')), guid: field(ev, 'ProcessGuid'), integrity: field(ev, 'IntegrityLevel'), user: field(ev, 'User'), time: null, event: 0 });
  return out;
}

function numberOrNull(s: string | null): number | null {
  if (s === null) return null;
  const n = /^0x[0-9a-f]+$/i.test(s) ? parseInt(s, 16) : Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

/** What a finding is about, on one line: its chain, else the most telling fields of its event. */
export function headline(f: Finding, maxLabel = Infinity): string {
  const chain = findingChain(f);
  if (chain.length > 0) return chainText(chain, maxLabel);
  const ev = primaryEvent(f);
  const image = field(ev, 'Image');
  const what =
    field(ev, 'TargetObject') ?? field(ev, 'ImageLoaded') ?? field(ev, 'TargetFilename') ?? field(ev, 'QueryName') ?? field(ev, 'DestinationHostname') ?? field(ev, 'DestinationIp') ?? field(ev, 'ScriptBlockText');
  const parts: string[] = [];
  if (image !== null) parts.push(basename(image));
  if (what !== null) parts.push(what);
  const details = field(ev, 'Details');
  if (details !== null && what !== null) parts.push(`= ${details}`);
  if (parts.length === 0 && f.group !== undefined) {
    for (const [k, v] of Object.entries(f.group)) parts.push(`${k}=${v ?? '∅'}`);
  }
  return parts.join(' ');
}
