// What an INF would do when handed to cmstp.exe (advpack's Advanced-INF processing): the
// commands its RunPre/PostSetupCommands sections start, the DLLs and scriptlets its
// (Un)RegisterOCXs sections load, the CMAK all-users template the UAC-bypass tools copy, and a
// verdict from the reasons found. Facts: the Advanced-INF directives as Wine's advpack reads
// them and the public samples (Atomic T1218.003, WinPwnage, UACME lineage).

import { parseInf, section, valueOf, type InfEntry, type InfLimits, type InfProblem, type ParsedInf } from './parse.js';
import { CM_BINARIES, caretObfuscated, deobfuscate, encodedPowerShell, lolbinsIn, programOf, remoteRefsIn, userWritableIn } from './indicators.js';

export const INF_LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export type InfLevel = (typeof INF_LEVELS)[number];
export type InfVerdict = 'clean' | 'suspicious' | 'malicious';

export interface InfReason {
  /** Stable key: `pre-setup-command`, `scriptlet-remote`, `uac-bypass-template`, … */
  code: string;
  level: InfLevel;
  message: string;
  /** 1-based line of the evidence, when there is one. */
  line: number | null;
}

export interface InfCommand {
  directive: 'RunPreSetupCommands' | 'RunPostSetupCommands';
  /** The install section holding the directive, and the section holding the command. */
  installSection: string;
  section: string;
  line: number;
  /** After [Strings]/DIRID substitution. */
  command: string;
  program: string;
  lolbins: string[];
  userWritable: string[];
  remote: string[];
  obfuscated: boolean;
}

export interface InfOcx {
  directive: 'RegisterOCXs' | 'UnRegisterOCXs';
  installSection: string;
  section: string;
  line: number;
  path: string;
  flags: string;
  /** The DllInstall command line (third field); for scrobj.dll the scriptlet to run. */
  parameter: string;
  scriptlet: boolean;
  remote: string[];
  userWritable: string[];
}

export interface InfUacTemplate {
  installSection: string;
  line: number;
  /** The registry value advpack reads for LDIDs 49000/49001. */
  registry: string;
}

export interface InfReport {
  encoding: string;
  bom: boolean;
  /** `[Version] Signature` (`$chicago$`, `$Windows NT$`), null when missing. */
  signature: string | null;
  advancedInf: string | null;
  /** Sections holding Advanced-INF directives, default ones (what cmstp runs) first. */
  installSections: string[];
  serviceName: string | null;
  shortServiceName: string | null;
  commands: InfCommand[];
  ocx: InfOcx[];
  uacTemplate: InfUacTemplate | null;
  reasons: InfReason[];
  level: InfLevel | null;
  verdict: InfVerdict;
  problems: InfProblem[];
}

const DIRECTIVES = ['runpresetupcommands', 'runpostsetupcommands', 'registerocxs', 'unregisterocxs', 'customdestination', 'peruserinstall', 'delreg', 'addreg', 'copyfiles', 'registerdlls'];
const DEFAULT_SECTIONS = ['defaultinstall', 'defaultinstall_singleuser', 'defaultinstall.nt', 'defaultinstall.ntamd64', 'defaultinstall.ntx86'];
const MAX_ITEMS = 10_000;

export function levelRank(level: InfLevel | null): number {
  return level === null ? -1 : INF_LEVELS.indexOf(level);
}

/** The sections a directive's value names (comma-separated). */
function referenced(e: InfEntry): string[] {
  return e.fields.map((f) => f.trim()).filter((f) => f !== '');
}

/** A section's line as advpack hands it on (SetupGetLineText: fields unquoted, rejoined with commas). */
function lineText(e: InfEntry): string {
  return e.key === null ? e.fields.join(',') : `${e.key}=${e.fields.join(',')}`;
}

function installSections(inf: ParsedInf): string[] {
  const found: string[] = [];
  for (const [k, s] of inf.sections) {
    if (s.entries.some((e) => e.keyLower !== null && DIRECTIVES.includes(e.keyLower))) found.push(k);
  }
  const rank = (k: string): number => (DEFAULT_SECTIONS.includes(k) ? DEFAULT_SECTIONS.indexOf(k) : DEFAULT_SECTIONS.length);
  return found.sort((a, b) => rank(a) - rank(b));
}

export function analyzeParsedInf(inf: ParsedInf): InfReport {
  const reasons: InfReason[] = [];
  const reason = (code: string, level: InfLevel, message: string, line: number | null): void => {
    if (reasons.length < MAX_ITEMS) reasons.push({ code, level, message, line });
  };
  const version = section(inf, 'version');
  const signature = valueOf(version, 'signature')?.fields[0] ?? null;
  const advancedInf = valueOf(version, 'advancedinf')?.fields[0] ?? null;
  if (signature === null) reason('no-signature', 'informational', 'no [Version] Signature: not a well-formed INF (cmstp may still process it)', null);

  const installs = installSections(inf);
  const commands: InfCommand[] = [];
  const ocx: InfOcx[] = [];
  let uacTemplate: InfUacTemplate | null = null;

  for (const key of installs) {
    const install = inf.sections.get(key)!;
    const isDefault = DEFAULT_SECTIONS.includes(key);
    for (const e of install.entries) {
      if (e.keyLower === null || !DIRECTIVES.includes(e.keyLower)) continue;
      const targets = referenced(e);
      if (e.keyLower === 'runpresetupcommands' || e.keyLower === 'runpostsetupcommands') {
        const directive = e.keyLower === 'runpresetupcommands' ? 'RunPreSetupCommands' : 'RunPostSetupCommands';
        for (const t of targets) {
          const sec = section(inf, t);
          if (sec === undefined) {
            reason('dangling-section', 'informational', `${directive} names [${t}], which is not in the file`, e.line);
            continue;
          }
          for (const c of sec.entries) {
            if (commands.length >= MAX_ITEMS) break;
            const command = lineText(c).trim();
            if (command === '') continue;
            commands.push({
              directive,
              installSection: install.name,
              section: sec.name,
              line: c.line,
              command,
              program: programOf(command),
              lolbins: lolbinsIn(command),
              userWritable: userWritableIn(command),
              remote: remoteRefsIn(command),
              obfuscated: caretObfuscated(c.text) || encodedPowerShell(command),
            });
          }
        }
        if (!isDefault) reason('non-default-install', 'informational', `[${install.name}] is not a default install section: cmstp runs it only when told to`, e.line);
      } else if (e.keyLower === 'registerocxs' || e.keyLower === 'unregisterocxs') {
        const directive = e.keyLower === 'registerocxs' ? 'RegisterOCXs' : 'UnRegisterOCXs';
        for (const t of targets) {
          const sec = section(inf, t);
          if (sec === undefined) {
            reason('dangling-section', 'informational', `${directive} names [${t}], which is not in the file`, e.line);
            continue;
          }
          for (const o of sec.entries) {
            if (ocx.length >= MAX_ITEMS) break;
            // An OCX line is `path[,flags[,param]]`; a key=value line is read as its text.
            const fields = o.key === null ? o.fields : [lineText(o)];
            const path = fields[0] ?? '';
            if (path === '') continue;
            const parameter = fields.slice(2).join(',');
            ocx.push({
              directive,
              installSection: install.name,
              section: sec.name,
              line: o.line,
              path,
              flags: fields[1] ?? '',
              parameter,
              scriptlet: /(^|\\|\/)scrobj\.dll$/i.test(path.trim()),
              remote: remoteRefsIn(`${path} ${parameter}`),
              userWritable: userWritableIn(path),
            });
          }
        }
      } else if (e.keyLower === 'customdestination') {
        for (const t of targets) {
          const dest = section(inf, t);
          for (const d of dest?.entries ?? []) {
            // `49000,49001=AllUSer_LDIDSection, 7`: the LDID section holds root,key,value,…
            const ldidSection = d.key !== null ? section(inf, d.fields[0] ?? '') : undefined;
            for (const l of ldidSection?.entries ?? []) {
              const [root, regKey, value] = l.key === null ? l.fields : [];
              if (regKey !== undefined && /app paths\\cmmgr32\.exe/i.test(regKey) && /profileinstallpath/i.test(value ?? '')) {
                uacTemplate ??= { installSection: install.name, line: l.line, registry: `${root ?? ''}\\${regKey}\\${value ?? ''}` };
              }
            }
          }
        }
      } else if (e.keyLower === 'peruserinstall') {
        reason('per-user-install', 'medium', `PerUserInstall=${targets.join(',')}: advpack writes an Active Setup component (StubPath runs at every user logon)`, e.line);
      }
    }
  }

  if (uacTemplate !== null) {
    reason(
      'cmak-all-users-template',
      'informational',
      `CustomDestination reads ${uacTemplate.registry} (LDIDs 49000/49001): the CMAK all-users template, also copied by public CMSTP UAC-bypass tools`,
      uacTemplate.line,
    );
  }

  for (const c of commands) {
    const when = c.directive === 'RunPreSetupCommands' ? 'before' : 'after';
    // A Connection Manager binary started plainly (no LOLBin, no user folder, no URL) is what a profile may do.
    const cm = CM_BINARIES.has(c.program) && c.lolbins.every((l) => l === 'cmstp.exe') && c.userWritable.length === 0 && c.remote.length === 0;
    reason(cm ? 'cm-command' : 'setup-command', cm ? 'low' : 'medium', `[${c.section}] runs ${JSON.stringify(c.command)} ${when} installing`, c.line);
    const lol = c.lolbins.filter((l) => !(l === 'cmstp.exe' && cm));
    if (lol.length > 0) reason('command-lolbin', 'high', `the command starts or names ${lol.join(', ')}`, c.line);
    if (c.userWritable.length > 0) reason('command-user-writable', 'high', `the command refers to a user-writable folder (${c.userWritable.join(', ')})`, c.line);
    if (c.remote.length > 0) reason('command-remote', 'high', `the command refers to a remote location (${c.remote.join(', ')})`, c.line);
    if (c.obfuscated) reason('command-obfuscated', 'high', 'the command is obfuscated (caret escapes or encoded PowerShell)', c.line);
    if (/taskkill\b.*\bcmstp(\.exe)?\b/i.test(deobfuscate(c.command))) {
      reason('kills-cmstp', 'high', 'the command kills cmstp.exe, the clean-up step of the public UAC-bypass template', c.line);
    }
  }
  if (uacTemplate !== null && commands.some((c) => c.directive === 'RunPreSetupCommands')) {
    reason(
      'uac-bypass-template',
      'critical',
      'RunPreSetupCommands with the all-users CustomDestination template: under `cmstp /au` the commands run from the auto-elevated CMSTPLUA COM server (DllHost) at High integrity, without a UAC prompt',
      uacTemplate.line,
    );
  }
  for (const o of ocx) {
    if (o.scriptlet) {
      reason(
        'scriptlet',
        o.remote.length > 0 ? 'critical' : 'high',
        `${o.directive} makes scrobj.dll run the scriptlet ${JSON.stringify(o.parameter)} (flags ${JSON.stringify(o.flags)})${o.remote.length > 0 ? ', fetched from a remote server' : ''}`,
        o.line,
      );
    } else {
      reason('ocx', o.userWritable.length > 0 ? 'high' : 'low', `${o.directive} loads ${JSON.stringify(o.path)} and calls its registration entry points`, o.line);
      if (o.remote.length > 0) reason('ocx-remote', 'critical', `${o.directive} refers to a remote location (${o.remote.join(', ')})`, o.line);
    }
  }
  const strings = inf.strings;
  if (/^software\\microsoft\\connection manager$/i.test(strings.get('appact') ?? '')) {
    reason('appact-marker', 'low', 'AppAct="SOFTWARE\\Microsoft\\Connection Manager" in [Strings]: the marker of the public scriptlet INF (NickTyrer/Atomic/LOLBAS)', null);
  }

  let level: InfLevel | null = null;
  for (const r of reasons) if (levelRank(r.level) > levelRank(level)) level = r.level;
  const verdict: InfVerdict = levelRank(level) >= levelRank('high') ? 'malicious' : levelRank(level) >= levelRank('medium') ? 'suspicious' : 'clean';
  return {
    encoding: inf.encoding,
    bom: inf.bom,
    signature,
    advancedInf,
    installSections: installs.map((k) => inf.sections.get(k)!.name),
    serviceName: strings.get('servicename') ?? null,
    shortServiceName: strings.get('shortsvcname') ?? null,
    commands,
    ocx,
    uacTemplate,
    reasons: reasons.sort((a, b) => levelRank(b.level) - levelRank(a.level)),
    level,
    verdict,
    problems: inf.problems,
  };
}

/** Parses and analyses INF bytes; never throws. */
export function analyzeInf(bytes: Uint8Array, limits?: InfLimits): InfReport {
  return analyzeParsedInf(parseInf(bytes, limits));
}
