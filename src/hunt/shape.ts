// Generalising command lines and paths so that the same behaviour stacks together: user names,
// GUIDs, random file and folder names and URLs become placeholders; switches, program and INF
// names stay. Pure functions: the loader stores their results, so DuckDB and ClickHouse group
// the same strings.

/** Longest text generalised; beyond it the shape is cut and marked (caps on input). */
export const MAX_SHAPE_INPUT = 4096;

const GUID = /\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?/gi;
const URL = /\b(https?|ftp|file):\/\/[^\s"']+/gi;
// A profile folder: C:\Users\<name>\ (and the XP-era spelling), any drive.
const PROFILE = /\b[a-z]:\\(?:users|documents and settings)\\[^\\"'\s]+(?=\\|["'\s]|$)/gi;
const WHITESPACE = /\s+/g;

/** Well-known CLSIDs kept by name, since which COM class a DllHost serves is the behaviour. */
const KNOWN_CLSIDS: Readonly<Record<string, string>> = {
  '3E5FC7F9-9A51-4367-9063-A120244FBEC7': 'CMSTPLUA',
  '3E000D72-A845-4CD9-BD83-80C07C3B881F': 'CMLUAUTIL',
  'BA126F01-2166-11D1-B1D0-00805FC1270E': 'CMLUAHOST',
  'D2E7041B-2927-42FB-8E9F-7CE93B6DC937': 'COLORDATAPROXY',
  'BD54C901-076B-434E-B6C7-17C531F4AB41': 'EDITIONUPGRADEMANAGER',
  'E9495B87-D950-4AB5-87A5-FF6D70BF3E90': 'WSCADMIN',
};

/** CMSTP-family COM classes (their DllHost is the elevated CMSTP broker). */
export const CMSTP_CLSIDS: readonly string[] = ['3E5FC7F9-9A51-4367-9063-A120244FBEC7', '3E000D72-A845-4CD9-BD83-80C07C3B881F', 'BA126F01-2166-11D1-B1D0-00805FC1270E'];
/** Elevated COM classes abused for UAC bypass, CMSTP family first. */
export const ELEVATED_CLSIDS: readonly string[] = Object.keys(KNOWN_CLSIDS);

/**
 * Whether one path component (without extension) looks machine-made: hex strings, numbers,
 * mixed letters and digits (`tmp4F2A`, `IXP000`), short hex folders (`1a`).
 */
export function isRandomToken(token: string): boolean {
  if (token.length === 0) return false;
  if (/^[0-9]+$/.test(token)) return true;
  if (/^[0-9a-f]{6,}$/i.test(token)) return true;
  if (token.length <= 3 && /[0-9]/.test(token) && /^[0-9a-f]+$/i.test(token)) return true;
  // Mixed letters and digits with three digits or more (`tmp4F2A`, `IXP000`); `system32`,
  // `Office16` and `python27` stay.
  const digits = token.replace(/[^0-9]/g, '').length;
  return token.length >= 5 && digits >= 3 && /[a-z]/i.test(token) && /^[0-9a-z_~.-]+$/i.test(token);
}

/** One path component with its random part replaced (`tmp4F2A.inf` → `<rand>.inf`). */
function generaliseComponent(part: string): string {
  if (part.startsWith('<') || part.startsWith('%') || part === '{guid}') return part;
  const dot = part.lastIndexOf('.');
  const stem = dot > 0 ? part.slice(0, dot) : part;
  const ext = dot > 0 ? part.slice(dot) : '';
  if (/^~/.test(stem) || isRandomToken(stem)) return `<rand>${ext}`;
  return part;
}

/** Generalises every path-like run (containing `\` or `/`) and bare file names in `text`. */
function generaliseTokens(text: string): string {
  // Split on whitespace and quotes, keeping them, so quoting stays part of the shape.
  return text
    .split(/(["'\s=,;])/)
    .map((tok) => {
      if (tok.length <= 1 && /["'\s=,;]/.test(tok)) return tok;
      if (/^[/-][a-z?:]{1,4}$/i.test(tok)) return tok; // a switch
      return tok
        .split(/([\\/])/)
        .map((p) => (p === '\\' || p === '/' ? p : generaliseComponent(p)))
        .join('');
    })
    .join('');
}

/** A path generalised the same way as command lines: lower case, profile, GUIDs and random names replaced. */
export function pathShape(path: string | null): string | null {
  if (path === null || path === '') return null;
  return commandLineShape(path);
}

/**
 * The shape of a command line: lower case; whitespace runs as one space; `C:\Users\<name>` as
 * `%userprofile%`; GUIDs as `{guid}` (well-known CLSIDs by name); URLs as `<scheme>://<url>`;
 * random names as `<rand>`. Identical behaviour on different machines and users gives one shape.
 */
export function commandLineShape(commandLine: string | null): string | null {
  if (commandLine === null) return null;
  let s = commandLine.length > MAX_SHAPE_INPUT ? commandLine.slice(0, MAX_SHAPE_INPUT) : commandLine;
  s = s.trim().replace(WHITESPACE, ' ');
  s = s.replace(URL, (_m, scheme: string) => `${scheme.toLowerCase()}://<url>`);
  s = s.replace(GUID, (m) => {
    const bare = m.replace(/[{}]/g, '').toUpperCase();
    const name = KNOWN_CLSIDS[bare];
    return name === undefined ? '{guid}' : `{${name}}`;
  });
  s = s.replace(PROFILE, '%userprofile%');
  s = generaliseTokens(s.toLowerCase());
  // Names of the known classes go back to upper case after lowering everything else.
  s = s.replace(/\{(cmstplua|cmluautil|cmluahost|colordataproxy|editionupgrademanager|wscadmin)\}/g, (m) => m.toUpperCase());
  if (commandLine.length > MAX_SHAPE_INPUT) s += ' <cut>';
  return s;
}

/** The file name of a path, lower case (`C:\Windows\System32\cmstp.exe` → `cmstp.exe`). */
export function baseName(path: string | null): string | null {
  if (path === null || path === '') return null;
  const i = Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/'));
  return path.slice(i + 1).toLowerCase();
}

/** The COM class a `DllHost.exe /Processid:{CLSID}` serves (upper case, no braces), or null. */
export function comClsid(commandLine: string | null): string | null {
  if (commandLine === null) return null;
  const m = /\/processid:\s*\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?/i.exec(commandLine);
  return m === null ? null : m[1]!.toUpperCase();
}

/** Splits a Windows command line into arguments (quotes removed, as CommandLineToArgvW roughly does). */
export function splitArgs(commandLine: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  let any = false;
  for (const c of commandLine.slice(0, MAX_SHAPE_INPUT)) {
    if (c === '"') {
      quoted = !quoted;
      any = true;
    } else if (!quoted && /\s/.test(c)) {
      if (any || cur !== '') out.push(cur);
      cur = '';
      any = false;
    } else {
      cur += c;
      any = true;
    }
  }
  if (any || cur !== '') out.push(cur);
  return out;
}

/** The profile file cmstp.exe was given: the first argument after the program that is not a switch. */
export function infArgument(commandLine: string | null): string | null {
  if (commandLine === null) return null;
  const args = splitArgs(commandLine).slice(1);
  for (const a of args) {
    if (a === '' || /^[/-][a-z?:]{1,4}$/i.test(a)) continue;
    return a;
  }
  return null;
}

/** Where a directory lives, as a class: the classes are the stack keys of `INF location`. */
export function directoryClass(dir: string): string {
  const d = dir.toLowerCase().replace(/\//g, '\\');
  if (/^(https?|ftp):\\\\/.test(d) || /^(https?|ftp):/.test(d)) return 'remote-url';
  if (d.startsWith('\\\\')) return 'unc-share';
  if (/\\appdata\\local\\temp(\\|$)/.test(d) || /^[a-z]:\\windows\\temp(\\|$)/.test(d) || d.includes('%temp%')) return 'temp';
  if (/\\downloads(\\|$)/.test(d)) return 'user-downloads';
  if (/^[a-z]:\\(users|documents and settings)\\/.test(d) || d.includes('%userprofile%') || d.includes('%appdata%')) return 'user-profile';
  if (/^[a-z]:\\programdata(\\|$)/.test(d)) return 'programdata';
  if (/^[a-z]:\\windows\\ccmcache(\\|$)/.test(d)) return 'sccm-cache';
  if (/^[a-z]:\\windows\\(system32|syswow64)(\\|$)/.test(d)) return 'system32';
  if (/^[a-z]:\\windows\\(tasks|inf|tracing)(\\|$)/.test(d)) return 'windows-writable';
  if (/^[a-z]:\\windows(\\|$)/.test(d)) return 'windows';
  if (/^[a-z]:\\program files( \(x86\))?(\\|$)/.test(d)) return 'program-files';
  if (/^[a-z]:\\perflogs(\\|$)/.test(d)) return 'perflogs';
  if (/^c:\\/.test(d)) return 'other-c';
  if (/^[a-z]:\\/.test(d)) return 'other-drive';
  return 'unknown';
}

/**
 * The INF location class of a cmstp.exe run: `none` when no profile argument; the class of its
 * directory; for a bare name, `relative:` plus the class of the current directory (how CMAK
 * self-extractors run it).
 */
export function infLocationClass(commandLine: string | null, currentDirectory: string | null): string {
  const inf = infArgument(commandLine);
  if (inf === null) return 'none';
  if (/^(https?|ftp):\/\//i.test(inf)) return 'remote-url';
  const i = Math.max(inf.lastIndexOf('\\'), inf.lastIndexOf('/'));
  if (i < 0 || /^\.\.?[\\/]/.test(inf)) {
    return currentDirectory === null || currentDirectory === '' ? 'relative:unknown' : `relative:${directoryClass(currentDirectory)}`;
  }
  return directoryClass(inf.slice(0, i + 1));
}
