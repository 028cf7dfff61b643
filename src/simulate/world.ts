// A simulated Windows host: its long-running processes, its users and logons, and helpers that
// start processes and record what they do, with realistic identifiers from a seeded generator.

import { Rng, digest } from './rng.js';
import type { Account, Activity, Hashes, Host, Integrity, Logon, PeInfo, Proc, Scenario } from './model.js';

export const SYSTEM32 = 'C:\\Windows\\System32';
export const CMSTPLUA = '{3E5FC7F9-9A51-4367-9063-A120244FBEC7}';
export const CMLUAUTIL = '{3E000D72-A845-4CD9-BD83-80C07C3B881F}';

const WINDOWS = 'Microsoft® Windows® Operating System';
const BUILD = '10.0.19041.1 (WinBuild.160101.0800)';

export function winPe(description: string, originalFileName: string, fileVersion = BUILD): PeInfo {
  return { fileVersion, description, product: WINDOWS, company: 'Microsoft Corporation', originalFileName };
}

export const PE = {
  cmstp: winPe('Microsoft Connection Manager Profile Installer', 'CMSTP.EXE', '7.2.19041.1 (WinBuild.160101.0800)'),
  cmd: winPe('Windows Command Processor', 'Cmd.Exe'),
  powershell: winPe('Windows PowerShell', 'PowerShell.EXE'),
  dllhost: winPe('COM Surrogate', 'dllhost.exe'),
  svchost: winPe('Host Process for Windows Services', 'svchost.exe'),
  services: winPe('Services and Controller app', 'services.exe'),
  explorer: winPe('Windows Explorer', 'EXPLORER.EXE'),
  consent: winPe('Consent UI for administrative applications', 'consent.exe'),
  calc: winPe('Windows Calculator', 'CALC.EXE'),
  taskkill: winPe('Terminates Processes', 'taskkill.exe'),
  wextract: winPe('Win32 Cabinet Self-Extractor', 'WEXTRACT.EXE', '11.00.19041.1 (WinBuild.160101.0800)'),
  ccmexec: { fileVersion: '5.0.9128.1000', description: 'Host Process for Microsoft Configuration Manager', product: 'Microsoft Configuration Manager', company: 'Microsoft Corporation', originalFileName: 'CcmExec.exe' },
} as const;

export const HOST_DEFAULT: Host = { name: 'WKS-FIN-042.corp.example', ip: '10.20.30.42', domain: 'CORP', machineDomain: 'CORP' };

/** Stable hashes for an executable (the same file gets the same hashes in every procedure). */
export function hashesOf(path: string, version: string): Hashes {
  const key = `${path.toLowerCase().replace(/^c:\\windows\\(system32|syswow64)\\/, '')}|${version}`;
  return { md5: digest('md5', key), sha1: digest('sha1', key), sha256: digest('sha256', key), imphash: digest('md5', `imports|${key}`) };
}

export interface SpawnSpec {
  image: string;
  commandLine: string;
  currentDirectory?: string;
  account?: Account;
  integrity?: Integrity;
  elevation?: 1 | 2 | 3;
  logon?: Logon;
  pe: PeInfo;
  creator?: Proc['creator'];
  /** Hashes of another file (a renamed copy keeps the original's). */
  hashesFrom?: string;
}

export class World {
  readonly rng: Rng;
  readonly host: Host;
  readonly activities: Activity[] = [];
  readonly machine: string;
  readonly user: Account;
  readonly system: Account = { domain: 'NT AUTHORITY', name: 'SYSTEM', sid: 'S-1-5-18' };
  readonly machineAccount: Account;
  readonly systemLogon: Logon;
  readonly userLogon: Logon;
  readonly userLogonElevated: Logon;
  readonly base: Date;
  readonly services: Proc;
  readonly dcomLaunch: Proc;
  readonly appinfo: Proc;
  readonly explorer: Proc;
  private seq: number;

  constructor(
    readonly procedure: string,
    host: Host,
    seed: string,
    base: Date,
  ) {
    this.rng = new Rng(`${procedure}|${host.name}|${seed}`);
    this.host = host;
    this.base = base;
    this.machine = this.rng.hex(8);
    this.seq = this.rng.int(0x10, 0x80);
    const short = host.name.split('.')[0]!.toUpperCase();
    this.user = { domain: host.domain, name: 'j.doe', sid: `S-1-5-21-3623811015-3361044348-30300820-${this.rng.int(1100, 1999)}` };
    this.machineAccount = { domain: host.machineDomain, name: `${short}$`, sid: 'S-1-5-18' };
    const boot = new Date(base.getTime() - this.rng.int(2, 5) * 3600_000 - this.rng.int(0, 3599) * 1000);
    const logonAt = new Date(boot.getTime() + this.rng.int(60, 600) * 1000);
    this.systemLogon = this.logon(0x3e7n, 0, boot);
    const lid = BigInt(this.rng.int(0x20000, 0x9ffff));
    this.userLogon = this.logon(lid, 1, logonAt);
    this.userLogonElevated = this.logon(lid + BigInt(this.rng.int(0x20, 0x80)), 1, logonAt);
    const sys = { account: this.system, integrity: 'System' as const, elevation: 1 as const, logon: this.systemLogon };
    this.services = this.running(boot, { image: `${SYSTEM32}\\services.exe`, commandLine: 'C:\\Windows\\system32\\services.exe', pe: PE.services, ...sys }, null);
    this.dcomLaunch = this.running(boot, { image: `${SYSTEM32}\\svchost.exe`, commandLine: 'C:\\Windows\\system32\\svchost.exe -k DcomLaunch -p', pe: PE.svchost, ...sys }, this.services);
    this.appinfo = this.running(boot, { image: `${SYSTEM32}\\svchost.exe`, commandLine: 'C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Appinfo', pe: PE.svchost, ...sys }, this.services);
    this.explorer = this.running(logonAt, { image: 'C:\\Windows\\explorer.exe', commandLine: 'C:\\Windows\\Explorer.EXE', pe: PE.explorer }, null);
  }

  /** Logon GUIDs embed the logon id, as Sysmon's do. */
  private logon(id: bigint, session: number, at: Date): Logon {
    const t = Math.floor(at.getTime() / 1000);
    const h4 = (n: number): string => n.toString(16).toUpperCase().padStart(4, '0');
    const le = Number(id & 0xffffn);
    const idHex = ((le & 0xff) << 8) | (le >> 8);
    const hi = Number((id >> 16n) & 0xffn).toString(16).toUpperCase().padStart(2, '0');
    return { id, session, guid: `{${this.machine}-${h4(t & 0xffff)}-${h4(t >>> 16)}-${h4(idHex)}-${hi}0000000000}` };
  }

  /** Sysmon-style process GUID: machine part, start time, a per-boot sequence. */
  private guid(start: Date): string {
    const t = Math.floor(start.getTime() / 1000);
    const h4 = (n: number): string => n.toString(16).toUpperCase().padStart(4, '0');
    this.seq += this.rng.int(1, 9);
    return `{${this.machine}-${h4(t & 0xffff)}-${h4(t >>> 16)}-${this.rng.hex(2)}${(this.seq >> 8).toString(16).toUpperCase().padStart(2, '0')}-0000000${(this.seq & 0xff).toString(16).toUpperCase().padStart(2, '0')}${this.rng.hex(1)}00}`;
  }

  at(ms: number): Date {
    return new Date(this.base.getTime() + ms);
  }

  private make(start: Date, s: SpawnSpec, parent: Proc | null): Proc {
    const p: Proc = {
      guid: this.guid(start),
      pid: this.rng.pid(),
      image: s.image,
      commandLine: s.commandLine,
      currentDirectory: s.currentDirectory ?? `C:\\Users\\${this.user.name}\\`,
      account: s.account ?? this.user,
      integrity: s.integrity ?? 'Medium',
      elevation: s.elevation ?? 3,
      logon: s.logon ?? this.userLogon,
      pe: s.pe,
      hashes: hashesOf(s.hashesFrom ?? s.image, s.pe.fileVersion),
      start,
      parent,
    };
    if (s.creator !== undefined) p.creator = s.creator;
    return p;
  }

  /** A process already running before the simulated window (no event of its own). */
  running(start: Date, s: SpawnSpec, parent: Proc | null): Proc {
    return this.make(start, s, parent);
  }

  /** Starts a process `ms` after the base time. */
  spawn(ms: number, parent: Proc, s: SpawnSpec): Proc {
    const time = this.at(ms);
    const p = this.make(time, s, parent);
    this.activities.push({ kind: 'process', time, proc: p });
    return p;
  }

  /** Starts the elevated COM server for `clsid` (DcomLaunch → DllHost at High, created under the machine account). */
  elevatedDllhost(ms: number, clsid: string): Proc {
    return this.spawn(ms, this.dcomLaunch, {
      image: `${SYSTEM32}\\dllhost.exe`,
      commandLine: `C:\\Windows\\system32\\DllHost.exe /Processid:${clsid}`,
      currentDirectory: 'C:\\Windows\\system32\\',
      integrity: 'High',
      elevation: 2,
      logon: this.userLogonElevated,
      pe: PE.dllhost,
      creator: { account: this.machineAccount, logonId: 0x3e7n },
    });
  }

  /** consent.exe, started by Appinfo as SYSTEM before an auto-elevation (UACME samples). */
  consent(ms: number): Proc {
    return this.spawn(ms, this.appinfo, {
      image: `${SYSTEM32}\\consent.exe`,
      commandLine: `consent.exe ${this.appinfo.pid} ${this.rng.int(200, 600)} 000001${this.rng.hex(10)}`,
      currentDirectory: 'C:\\Windows\\system32\\',
      account: this.system,
      integrity: 'System',
      elevation: 1,
      logon: this.systemLogon,
      pe: PE.consent,
      creator: { account: this.machineAccount, logonId: 0x3e7n },
    });
  }

  load(ms: number, proc: Proc, path: string, pe: PeInfo, signature = 'Microsoft Windows'): void {
    this.activities.push({ kind: 'image', time: this.at(ms), proc, path, pe, hashes: hashesOf(path, pe.fileVersion), signature });
  }

  file(ms: number, proc: Proc, path: string): void {
    this.activities.push({ kind: 'file', time: this.at(ms), proc, path });
  }

  registry(ms: number, proc: Proc, key: string, details = '', action: 'CreateKey' | 'SetValue' = 'SetValue'): void {
    this.activities.push({ kind: 'registry', time: this.at(ms), proc, action, key, details });
  }

  /** A connection; to a name, the DNS lookup that precedes it is recorded too. */
  connect(ms: number, proc: Proc, dstIp: string, dstHost: string, dstPort = 443): void {
    if (!/^[\d.]+$/.test(dstHost)) this.activities.push({ kind: 'dns', time: this.at(ms - this.rng.int(20, 60)), proc, query: dstHost, results: [dstIp] });
    this.activities.push({ kind: 'network', time: this.at(ms), proc, srcIp: this.host.ip, srcPort: this.rng.int(49700, 64000), dstIp, dstHost, dstPort });
  }

  access(ms: number, source: Proc, target: Proc, access: string, callTrace: string): void {
    this.activities.push({ kind: 'access', time: this.at(ms), source, target, access, callTrace });
  }

  scenario(): Scenario {
    const activities = [...this.activities].sort((a, b) => a.time.getTime() - b.time.getTime());
    return { procedure: this.procedure, host: this.host, activities };
  }
}
