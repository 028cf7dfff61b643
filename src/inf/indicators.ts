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

/** The LOLBins a command line names (as its program or anywhere as a word). */
export function lolbinsIn(command: string): string[] {
  const plain = deobfuscate(command).toLowerCase();
  const found: string[] = [];
  for (const name of LOLBINS) {
    const re = new RegExp(`(?:^|[\\\\/\\s&|(])${name}(?:\\.exe)?(?=$|[\\s&|)])`);
    if (re.test(plain)) found.push(name + '.exe');
  }
  return found;
}

/** The program a command line starts (file name, lower-case, without `.exe`). */
export function programOf(command: string): string {
  const plain = deobfuscate(command).trim();
  const first = plain.match(/^(?:[A-Za-z]:)?[^\s]*/)?.[0] ?? '';
  const base = first.split(/[\\/]/).pop() ?? '';
  return base.toLowerCase().replace(/\.exe$/, '');
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
