// Risk factors: each a named reason with a weight; the level follows from their sum. The
// command-line flags follow the Sentinel hunting query's flags (silent, auto-elevate, no
// interaction, INF argument, INF in a user-writable folder, remote load), the rest the public
// rules catalogued for CMSTP and elevated COM, and the mitigating ones the documented legitimate
// use (Connection Manager profiles installed by an installer from Program Files).
//
// Thresholds on the sum (chosen so that one strong behaviour, an elevated child of a CMSTP COM
// host, is high on its own, and a plain silent profile install stays low):
//   ≤ 0 informational · 1–29 low · 30–59 medium · 60–99 high · ≥ 100 critical.

import type { RiskFactor } from '../detect/finding.js';
import type { SigmaLevel } from '../sigma/rule.js';
import type { ElevatedClass } from './com.js';

export const LEVEL_THRESHOLDS: ReadonlyArray<readonly [number, SigmaLevel]> = [
  [100, 'critical'],
  [60, 'high'],
  [30, 'medium'],
  [1, 'low'],
];

export function levelFor(score: number): SigmaLevel {
  for (const [min, level] of LEVEL_THRESHOLDS) if (score >= min) return level;
  return 'informational';
}

export function scoreOf(factors: readonly RiskFactor[]): number {
  return factors.reduce((s, f) => s + f.weight, 0);
}

/** Every factor this module can fire, with its weight: the one place weights are set. */
export const FACTORS = {
  'silent-install': { weight: 10, description: 'cmstp.exe run silently (/s)' },
  'auto-elevate': { weight: 25, description: 'cmstp.exe asked to install for all users (/au), the switch INF UAC bypasses use' },
  'no-interaction': { weight: 5, description: 'cmstp.exe told to create no icon or shortcut (/ns or /ni)' },
  'inf-argument': { weight: 5, description: 'cmstp.exe given an INF file' },
  'inf-odd-extension': { weight: 10, description: 'the INF file has another extension (.ini, .txt, .tmp, …)' },
  'inf-user-writable': { weight: 20, description: 'the INF is in a user-writable folder (Temp, AppData, Downloads, Public, ProgramData, a user profile)' },
  'remote-inf': { weight: 30, description: 'cmstp.exe loads its INF from a URL or network share' },
  scriptlet: { weight: 25, description: 'a COM scriptlet (.sct or scrobj.dll) is named on the command line' },
  'suspicious-parent': { weight: 20, description: 'cmstp.exe started by a script host, shell, Office application or proxy binary' },
  'renamed-binary': { weight: 30, description: 'the binary is CMSTP.EXE (OriginalFileName) under another name' },
  'unusual-location': { weight: 20, description: 'cmstp.exe runs from outside System32/SysWOW64' },
  'com-elevation': { weight: 30, description: 'an auto-elevated COM host (DllHost /Processid) of the CMSTP family ran' },
  'related-com-elevation': { weight: 25, description: 'an auto-elevated COM host used by related UAC bypasses ran' },
  'elevated-child': { weight: 40, description: 'the elevated COM host started a process at High/System integrity' },
  'elevated-shell': { weight: 10, description: 'the elevated process is a shell or script host' },
  'elevated-user-path': { weight: 20, description: 'the elevated process runs from a user-writable folder' },
  'cmstp-child': { weight: 20, description: 'cmstp.exe started a child process' },
  'external-connection': { weight: 30, description: 'cmstp.exe connected to a public address' },
  'network-connection': { weight: 10, description: 'cmstp.exe made a network connection' },
  'cmlua-calltrace': { weight: 20, description: 'a process was opened through cmlua.dll/advpack.dll (CallTrace), as the INF bypass does' },
  'profile-registry': { weight: 10, description: 'the Connection Manager App Paths key (cmmgr32.exe) was written' },
  'extension-dll': { weight: 25, description: 'CmstpExtensionDll was set under the cmmgr32.exe App Paths key (a DLL cmstp /nf loads)' },
  'installer-parent': { weight: -20, description: 'cmstp.exe started by an installer (Program Files, msiexec or a CMAK profile package)' },
  'inf-trusted-path': { weight: -15, description: 'the INF is under Program Files or the Windows folder' },
  'elevated-install': { weight: -25, description: 'cmstp.exe /au ran already elevated (High/System): an administrator or deployment install needs no UAC bypass' },
  'no-auto-elevate': { weight: -10, description: 'no /au and no elevated COM host: a per-user profile install' },
} as const satisfies Record<string, { weight: number; description: string }>;

export type FactorCode = keyof typeof FACTORS;

export function factor(code: FactorCode, detail?: string): RiskFactor {
  const f = FACTORS[code];
  return { code, description: detail === undefined ? f.description : `${f.description}: ${detail}`, weight: f.weight };
}

/** What risk scoring reads about one cmstp.exe run. */
export interface CmstpFacts {
  image: string | null;
  commandLine: string | null;
  originalFileName: string | null;
  parentImage: string | null;
  parentCommandLine: string | null;
  /** cmstp.exe itself ran at High/System integrity (known, not guessed). */
  elevated?: boolean;
}

/** What risk scoring reads about a whole chain. */
export interface ChainFacts {
  cmstp: CmstpFacts | null;
  comClass: ElevatedClass | null;
  elevated: ReadonlyArray<{ image: string | null; commandLine: string | null }>;
  cmstpChildren: number;
  /** Destination addresses cmstp.exe connected to. */
  connections: readonly string[];
  callTrace: boolean;
  profileRegistry: boolean;
  extensionDll: boolean;
}

const SUSPICIOUS_PARENTS = new Set([
  'winword.exe', 'excel.exe', 'powerpnt.exe', 'outlook.exe', 'onenote.exe', 'msaccess.exe', 'mspub.exe', 'visio.exe',
  'mshta.exe', 'wscript.exe', 'cscript.exe', 'powershell.exe', 'pwsh.exe', 'powershell_ise.exe', 'cmd.exe',
  'rundll32.exe', 'regsvr32.exe', 'wmic.exe', 'wmiprvse.exe', 'python.exe', 'pythonw.exe', 'msbuild.exe',
  'installutil.exe', 'forfiles.exe', 'schtasks.exe', 'jbosssvc.exe', 'chrome.exe', 'msedge.exe', 'iexplore.exe', 'firefox.exe',
]);
const SHELLS = /\\(cmd|powershell|pwsh|powershell_ise|wscript|cscript|mshta|rundll32|regsvr32|conhost)\.exe$/i;
const USER_WRITABLE = /\\temp\\|\\tmp\\|\\appdata\\|\\downloads\\|\\users\\public\\|\\programdata\\|\\users\\|%temp%|%appdata%|%userprofile%|%public%|%programdata%/i;
const TRUSTED_DIR = /^"?[a-z]:\\(program files( \(x86\))?|windows)\\/i;
const UNTRUSTED_WINDOWS = /^"?[a-z]:\\windows\\(temp|tasks|tracing|fonts|debug)\\/i;

/** The arguments after the program name (quoted or not). */
export function argumentsOf(commandLine: string): string[] {
  const line = commandLine.trim();
  let rest: string;
  if (line.startsWith('"')) {
    const end = line.indexOf('"', 1);
    rest = end < 0 ? '' : line.slice(end + 1);
  } else {
    const m = /^\S+/.exec(line);
    rest = m === null ? '' : line.slice(m[0].length);
  }
  const out: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  for (let m = re.exec(rest); m !== null && out.length < 64; m = re.exec(rest)) out.push(m[1] ?? m[2]!);
  return out;
}

const base = (p: string | null): string => {
  const t = p ?? '';
  return t.slice(Math.max(t.lastIndexOf('\\'), t.lastIndexOf('/')) + 1).toLowerCase();
};

/** Factors of one cmstp.exe run from its command line, binary and parent. */
export function cmstpFactors(c: CmstpFacts, elevatedCom: boolean): RiskFactor[] {
  const out: RiskFactor[] = [];
  const args = argumentsOf(c.commandLine ?? '');
  const flags = new Set(args.filter((a) => /^[/-][a-z:]+$/i.test(a)).map((a) => a.slice(1).toLowerCase()));
  const files = args.filter((a) => !/^[/-][a-z:]+$/i.test(a));
  const line = c.commandLine ?? '';
  if (flags.has('s')) out.push(factor('silent-install'));
  // /au matters when cmstp.exe is not elevated itself: the elevation then comes from CMSTPLUA.
  if (flags.has('au')) out.push(factor(c.elevated === true && !elevatedCom ? 'elevated-install' : 'auto-elevate'));
  if (flags.has('ns') || flags.has('ni')) out.push(factor('no-interaction'));
  const file = files[0] ?? null;
  if (file !== null) {
    out.push(factor('inf-argument', file));
    if (!/\.inf$/i.test(file)) out.push(factor('inf-odd-extension', file));
    if (/^(https?|ftp):\/\//i.test(file) || /^\\\\(?![?.]\\)/.test(file) || /@ssl\\/i.test(file)) out.push(factor('remote-inf', file));
    else if (USER_WRITABLE.test(file)) out.push(factor('inf-user-writable', file));
    else if (TRUSTED_DIR.test(file) && !UNTRUSTED_WINDOWS.test(file)) out.push(factor('inf-trusted-path', file));
  }
  if (/\.sct\b|scrobj/i.test(line)) out.push(factor('scriptlet'));
  const name = base(c.image);
  if (c.originalFileName !== null && c.originalFileName.toUpperCase() === 'CMSTP.EXE' && name !== '' && name !== 'cmstp.exe') {
    out.push(factor('renamed-binary', name));
  } else if (c.image !== null && !/^[a-z]:\\windows\\(system32|syswow64|winsxs)\\/i.test(c.image) && /\\/.test(c.image)) {
    out.push(factor('unusual-location', c.image));
  }
  const parent = base(c.parentImage);
  if (SUSPICIOUS_PARENTS.has(parent)) out.push(factor('suspicious-parent', parent));
  else if (
    parent === 'msiexec.exe' ||
    /^[a-z]:\\program files( \(x86\))?\\/i.test(c.parentImage ?? '') ||
    /\/q:a\b|\/c:"?cmstp/i.test(c.parentCommandLine ?? '')
  ) {
    out.push(factor('installer-parent', parent));
  }
  if (!flags.has('au') && !elevatedCom) out.push(factor('no-auto-elevate'));
  return out;
}

/** Private, loopback, link-local and unspecified addresses (v4 and v6). */
export function isInternalAddress(ip: string): boolean {
  const a = ip.trim().toLowerCase();
  if (a === '' || a === '::' || a === '::1' || a === '0.0.0.0' || a.startsWith('fe80:') || /^f[cd][0-9a-f]{2}:/.test(a)) return true;
  const v4 = /^(?:::ffff:)?(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(a);
  if (v4 === null) return false;
  const [x, y] = [Number(v4[1]), Number(v4[2])];
  return x === 10 || x === 127 || (x === 172 && y >= 16 && y <= 31) || (x === 192 && y === 168) || (x === 169 && y === 254) || x === 0;
}

/** Factors of a whole chain. */
export function chainFactors(f: ChainFacts): RiskFactor[] {
  const out: RiskFactor[] = f.cmstp === null ? [] : cmstpFactors(f.cmstp, f.comClass !== null);
  if (f.comClass !== null) out.push(factor(f.comClass.cmstp ? 'com-elevation' : 'related-com-elevation', `{${f.comClass.clsid}} ${f.comClass.name}`));
  if (f.elevated.length > 0) {
    out.push(factor('elevated-child', f.elevated.map((e) => base(e.image)).join(', ')));
    const shell = f.elevated.find((e) => SHELLS.test(e.image ?? ''));
    if (shell !== undefined) out.push(factor('elevated-shell', base(shell.image)));
    const user = f.elevated.find((e) => USER_WRITABLE.test(e.image ?? ''));
    if (user !== undefined) out.push(factor('elevated-user-path', user.image ?? ''));
  }
  if (f.cmstpChildren > 0) out.push(factor('cmstp-child', String(f.cmstpChildren)));
  const external = f.connections.filter((ip) => !isInternalAddress(ip));
  if (external.length > 0) out.push(factor('external-connection', [...new Set(external)].slice(0, 5).join(', ')));
  else if (f.connections.length > 0) out.push(factor('network-connection', [...new Set(f.connections)].slice(0, 5).join(', ')));
  if (f.callTrace) out.push(factor('cmlua-calltrace'));
  if (f.extensionDll) out.push(factor('extension-dll'));
  else if (f.profileRegistry) out.push(factor('profile-registry'));
  return out;
}
