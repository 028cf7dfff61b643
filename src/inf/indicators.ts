// What makes a command line or a path in an INF worth a second look: living-off-the-land
// binaries, folders any user can write, URLs and UNC paths, and the obfuscations public
// UAC-bypass templates use (carets, encoded PowerShell).

/** Binaries that run or fetch arbitrary code (LOLBAS), by file name without `.exe`. */
export const LOLBINS: readonly string[] = [
  'cmd',
  'powershell',
  'pwsh',
  'mshta',
  'rundll32',
  'regsvr32',
  'wscript',
  'cscript',
  'certutil',
  'bitsadmin',
  'msiexec',
  'schtasks',
  'wmic',
  'curl',
  'installutil',
  'msbuild',
  'regasm',
  'regsvcs',
  'forfiles',
  'msxsl',
  'odbcconf',
  'hh',
  'reg',
  'cmstp',
  'conhost',
  'explorer',
  'bash',
  'wsl',
  'vssadmin',
  'bcdedit',
  'wbadmin',
  'sc',
  'net',
  'net1',
];

/** Connection Manager's own binaries: a profile may legitimately start them. */
export const CM_BINARIES: ReadonlySet<string> = new Set(['cmstp', 'cmmgr32', 'cmdl32', 'cmmon32', 'cmdial32']);

/** Removes cmd.exe caret escapes and quotes, so `t^a^s^k^k^i^l^l` reads as `taskkill`. */
export function deobfuscate(command: string): string {
  return command.replace(/\^(.)/g, '$1').replace(/"/g, '');
}

/** The program a command line starts (file name, lower-case, without `.exe`). */
export function programOf(command: string): string {
  const plain = command.replace(/\^(.)/g, '$1').trim();
  const first = plain.startsWith('"') ? plain.slice(1, plain.indexOf('"', 1) < 0 ? undefined : plain.indexOf('"', 1)) : (plain.match(/^\S*/)?.[0] ?? '');
  const base = first.split(/[\\/]/).pop() ?? '';
  return base.toLowerCase().replace(/\.exe$/, '');
}

/**
 * Every program a command line runs: the first word of each `&`, `&&`, `|`, `||` segment, and
 * what `cmd /c|/k` and `start` run in turn (names that are only arguments, such as the image
 * `taskkill /IM` kills, do not count).
 */
export function programsOf(command: string, depth = 0): string[] {
  const out: string[] = [];
  for (const segment of command.replace(/\^(.)/g, '$1').split(/&&|\|\||&|\|/)) {
    const seg = segment.trim();
    if (seg === '') continue;
    const program = programOf(seg);
    if (program !== '') out.push(program);
    const rest = seg.replace(/^\S+\s*/, '');
    if (depth < 4 && program === 'cmd') {
      const m = rest.match(/(?:^|\s)\/[ck]\s*(.*)$/i);
      if (m) out.push(...programsOf(m[1]!, depth + 1));
    } else if (depth < 4 && program === 'start') {
      out.push(...programsOf(rest.replace(/^(?:"[^"]*"\s+)?(?:\/\w+\s+)*/, ''), depth + 1));
    }
  }
  return out;
}

/** The LOLBins a command line runs. */
export function lolbinsIn(command: string): string[] {
  const programs = new Set(programsOf(command));
  return LOLBINS.filter((name) => programs.has(name)).map((name) => `${name}.exe`);
}

const USER_WRITABLE: ReadonlyArray<[RegExp, string]> = [
  [/\\users\\(?!public\\desktop)[^\\]+\\/i, '\\Users\\'],
  [/\\appdata\\/i, '\\AppData\\'],
  [/\\temp\\|\\temp$/i, '\\Temp\\'],
  [/%(temp|tmp|appdata|localappdata|userprofile|public|programdata|homepath)%/i, 'environment folder'],
  [/\\programdata\\/i, '\\ProgramData\\'],
  [/c:\\perflogs/i, 'C:\\PerfLogs'],
  [/\\windows\\tasks/i, '\\Windows\\Tasks'],
  [/\\windows\\tracing/i, '\\Windows\\Tracing'],
  [/\\users\\public\\/i, '\\Users\\Public\\'],
];

/** User-writable folders a command line or path refers to (deduplicated labels). */
export function userWritableIn(text: string): string[] {
  const plain = deobfuscate(text);
  const found = new Set<string>();
  for (const [re, label] of USER_WRITABLE) {
    const m = plain.match(re);
    if (m) found.add(label === 'environment folder' ? m[0] : label);
  }
  return [...found];
}

/** http(s)/ftp URLs and UNC paths (`\\host\share`, WebDAV) in a text. */
export function remoteRefsIn(text: string): string[] {
  const plain = deobfuscate(text);
  const out = new Set<string>();
  for (const m of plain.matchAll(/\b(?:https?|ftp):\/\/[^\s,"']+/gi)) out.add(m[0]);
  for (const m of plain.matchAll(/(?:^|[\s,=])(\\\\[A-Za-z0-9._@-]+\\[^\s,"']+)/g)) out.add(m[1]!);
  return [...out];
}

/** PowerShell's -EncodedCommand (any abbreviation) with a base64 argument. */
export function encodedPowerShell(command: string): boolean {
  return /\s-e(?:n(?:c(?:o(?:d(?:e(?:d(?:c(?:o(?:m(?:m(?:a(?:n(?:d)?)?)?)?)?)?)?)?)?)?)?)?)?\s+[A-Za-z0-9+/=]{16,}/i.test(deobfuscate(command));
}

/** cmd.exe caret escapes inside words (`t^a^s^k`), an obfuscation the templates use. */
export function caretObfuscated(command: string): boolean {
  return /[A-Za-z0-9]\^[A-Za-z0-9]/.test(command);
}
