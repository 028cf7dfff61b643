// What to check next and how to tune, for each risk factor that fired, merged with the triage
// text of the rules folded into an incident. Our own wording; the checks follow the behaviours
// the factors stand for.

import type { RiskFactor, Triage } from '../detect/finding.js';
import type { FactorCode } from './risk.js';

const ADVICE: Readonly<Record<FactorCode, Triage>> = {
  'silent-install': {
    next: ['Find who ran the silent install: the parent process, the logon session and whether a user was at the console.'],
    tuning: ['Silent installs are normal in software deployment; allow-list the deploying parent (SCCM/Intune agent, a packaged installer) rather than the /s switch.'],
  },
  'auto-elevate': {
    next: ['Look for a DllHost.exe /Processid:{3E5FC7F9-…} (CMSTPLUA) and a High-integrity process started by it within seconds of this run.', 'Check the integrity level of cmstp.exe: /au from a Medium process is the INF UAC bypass.'],
    tuning: ['Genuine all-users profile installs run elevated from an installer; an /au run at Medium integrity has no benign reason.'],
  },
  'no-interaction': {
    next: ['Compare with the profiles the organisation deploys: legitimate packages rarely suppress icons from a script.'],
    tuning: ['Weak on its own; weigh only together with the INF location and parent.'],
  },
  'inf-argument': {
    next: ['Collect the INF named on the command line and read its install section: RunPreSetupCommands, RunPostSetupCommands, RegisterOCXs/UnRegisterOCXs and CustomDestination execute code.'],
    tuning: ['Keep a list of the hashes of the Connection Manager profiles you deploy and suppress exact matches.'],
  },
  'inf-odd-extension': {
    next: ['Open the file whatever its extension: cmstp accepts any name, and droppers use .ini, .txt and .tmp to avoid INF-based rules.'],
    tuning: ['CMAK-built profiles always use .inf; there is little to tune here.'],
  },
  'inf-user-writable': {
    next: ['Find the process that wrote the INF (file-creation events for the path) and when.', 'Check the folder for the payload the INF names (SCT, DLL, scripts).'],
    tuning: ['If a VPN client stages its profile under ProgramData, allow-list that exact folder and the vendor installer as parent.'],
  },
  'remote-inf': {
    next: ['Fetch the URL or share content from a safe host and read the INF/SCT; check proxy and DNS logs for the download.', 'Look for scrobj.dll loaded into cmstp.exe and for outbound connections by it.'],
    tuning: ['No legitimate profile install loads its INF from the internet; keep this at full weight.'],
  },
  scriptlet: {
    next: ['Recover the scriptlet (.sct) and read its <script> block; look for processes started by cmstp.exe right after.'],
    tuning: ['There is no legitimate scriptlet use through cmstp.exe.'],
  },
  'suspicious-parent': {
    next: ['Walk the chain above the parent: a document, script or download that started it is the entry point.', 'Review the parent command line (script path, encoded command).'],
    tuning: ['If an admin script deploys profiles with cmd or PowerShell, allow-list that script path and signer, not the parent image.'],
  },
  'renamed-binary': {
    next: ['Hash the renamed file and find how it got there (file creation, copy by which process).'],
    tuning: ['Renaming Microsoft binaries has no deployment use; keep at full weight.'],
  },
  'unusual-location': {
    next: ['Check the signature and hash of the binary; a copied cmstp.exe outside System32 evades path-based rules.'],
    tuning: ['Only Windows setup folders (WinSxS, $WINDOWS.~BT) hold legitimate copies.'],
  },
  'com-elevation': {
    next: ['Find the COM client: the process that ran just before the DllHost started (cmstp.exe, or a tool such as UACME that needs no cmstp.exe at all).', 'List everything the DllHost did: registry writes (App Paths\\cmmgr32.exe), files under Connections\\Cm, and the processes it started.'],
    tuning: ['Legitimate CMSTPLUA use is rare (WireGuard installs its manager service through it); allow-list by the elevated child\'s signed path and command line, never by the CLSID alone.'],
  },
  'related-com-elevation': {
    next: ['Check the elevated child against the class\'s normal program (dccw.exe for ColorDataProxy, clipup.exe for EditionUpgradeManager); anything else is a bypass.'],
    tuning: ['WerFault.exe, wermgr.exe and dccw.exe from System32 are excluded already.'],
  },
  'elevated-child': {
    next: ['Treat the High-integrity process as attacker-controlled: review its descendants, command lines, network use and persistence.', 'Confirm the user\'s token: a Medium client followed by a High child without a consent prompt is a UAC bypass.'],
    tuning: ['Only a known helper of the COM class (signed, fixed path and arguments) may be allow-listed.'],
  },
  'elevated-shell': {
    next: ['Pull the console history and child processes of the elevated shell.'],
    tuning: ['An elevated shell from DllHost has no benign reason.'],
  },
  'elevated-user-path': {
    next: ['Acquire the binary from the user-writable folder; DarkSide-style bypasses run their payload from Temp.'],
    tuning: ['Keep at full weight.'],
  },
  'cmstp-child': {
    next: ['Review the child process: INF RunPreSetupCommands and scriptlets start children of cmstp.exe (outside the /au path, where they run under DllHost).'],
    tuning: ['A genuine profile install may start cmmon32.exe or cmdl32.exe; allow-list those System32 binaries as children.'],
  },
  'external-connection': {
    next: ['Identify the destination (DNS, proxy logs) and what was downloaded; cmstp.exe fetching from the internet is remote INF or scriptlet loading.'],
    tuning: ['Exclude only your own VPN endpoints or profile distribution servers, by address.'],
  },
  'network-connection': {
    next: ['Check the internal destination: payloads are often staged on internal web or SMB/WebDAV servers.'],
    tuning: ['Exclude internal profile distribution servers by address.'],
  },
  'cmlua-calltrace': {
    next: ['The process opened through cmlua.dll/advpack.dll is the INF\'s command: review it and its descendants.'],
    tuning: ['Needs Sysmon process-access logging with CallTrace; keep at full weight where it exists.'],
  },
  'profile-registry': {
    next: ['Read the values under HKLM\\…\\App Paths\\cmmgr32.exe (ProfileInstallPath, CmstpExtensionDll) and which process wrote them.'],
    tuning: ['Every profile install writes this key; weigh it only with the other factors.'],
  },
  'extension-dll': {
    next: ['Acquire the DLL named in CmstpExtensionDll: cmstp.exe /nf loads it with LoadLibrary.'],
    tuning: ['No standard profile sets CmstpExtensionDll; keep at full weight.'],
  },
  'installer-parent': {
    next: ['Confirm the installer is a signed product the organisation deploys.'],
    tuning: ['Mitigating: lowers the score for profile installs by installers under Program Files, msiexec or CMAK packages (/q:a /c:"cmstp.exe …").'],
  },
  'inf-trusted-path': {
    next: ['Confirm the INF belongs to an installed product (its folder, its hash).'],
    tuning: ['Mitigating: INFs under Program Files or Windows need admin rights to plant.'],
  },
  'elevated-install': {
    next: ['Confirm the account and parent are your deployment tooling (SCCM/Intune agent, an administrator session) and the INF is the profile you ship.'],
    tuning: ['Mitigating: an /au install from an already elevated process is how profiles are deployed; it stays low unless other factors fire.'],
  },
  'no-auto-elevate': {
    next: ['Check for children of cmstp.exe and scrobj.dll loads: without /au the abuse is proxy execution, not elevation.'],
    tuning: ['Mitigating: a per-user install without elevation.'],
  },
};

function isFactorCode(code: string): code is FactorCode {
  return Object.prototype.hasOwnProperty.call(ADVICE, code);
}

/** A person reads triage: beyond this many items per list the rest is cut, and the cut is said. */
export const MAX_TRIAGE_ITEMS = 12;

/**
 * Next steps and tuning for the factors fired and the member rules, deduplicated, at most
 * MAX_TRIAGE_ITEMS per list. Taken round by round (every source's first item, then every
 * source's second, …; factors before rules) so that each source is heard before any repeats.
 */
export function triageFor(factors: readonly RiskFactor[], ruleTriage: ReadonlyArray<Triage | undefined> = []): Triage | undefined {
  const sources: Triage[] = [];
  for (const f of factors) if (isFactorCode(f.code)) sources.push(ADVICE[f.code]);
  for (const t of ruleTriage) if (t !== undefined) sources.push(t);
  const pick = (key: 'next' | 'tuning', noun: string): string[] => {
    const out: string[] = [];
    const seen = new Set<string>();
    let cut = 0;
    const rounds = Math.max(0, ...sources.map((t) => t[key].length));
    for (let i = 0; i < rounds; i++) {
      for (const t of sources) {
        const item = t[key][i];
        if (item === undefined || seen.has(item)) continue;
        seen.add(item);
        if (out.length < MAX_TRIAGE_ITEMS) out.push(item);
        else cut++;
      }
    }
    if (cut > 0) out.push(`(${cut} more ${noun} omitted)`);
    return out;
  };
  const next = pick('next', 'steps');
  const tuning = pick('tuning', 'tuning notes');
  return next.length + tuning.length === 0 ? undefined : { next, tuning };
}
