// What happens in a simulated procedure, independent of who records it: processes starting,
// connections, image loads, files, registry writes, handle opens. Renderers turn these into
// Sysmon, Security 4688/5156, Elastic Defend (ECS) and Defender for Endpoint records.

export type Integrity = 'Low' | 'Medium' | 'High' | 'System';

export interface PeInfo {
  fileVersion: string;
  description: string;
  product: string;
  company: string;
  originalFileName: string;
}

export interface Hashes {
  md5: string;
  sha1: string;
  sha256: string;
  imphash: string;
}

export interface Logon {
  id: bigint;
  guid: string;
  session: number;
}

export interface Account {
  domain: string;
  name: string;
  sid: string;
}

export interface Proc {
  guid: string;
  pid: number;
  image: string;
  commandLine: string;
  currentDirectory: string;
  account: Account;
  integrity: Integrity;
  /** TokenElevationType: 1 full (UAC off / service), 2 elevated, 3 limited. */
  elevation: 1 | 2 | 3;
  logon: Logon;
  pe: PeInfo;
  hashes: Hashes;
  start: Date;
  /** Process that started it (null for processes already running when the log starts). */
  parent: Proc | null;
  /** The account whose token created it, when not its own (4688's Subject, e.g. the machine account for COM elevation). */
  creator?: { account: Account; logonId: bigint };
}

export type Activity =
  | { kind: 'process'; time: Date; proc: Proc }
  | { kind: 'network'; time: Date; proc: Proc; srcIp: string; srcPort: number; dstIp: string; dstHost: string; dstPort: number }
  | { kind: 'dns'; time: Date; proc: Proc; query: string; results: string[] }
  | { kind: 'image'; time: Date; proc: Proc; path: string; pe: PeInfo; hashes: Hashes; signature: string }
  | { kind: 'file'; time: Date; proc: Proc; path: string }
  | { kind: 'registry'; time: Date; proc: Proc; action: 'CreateKey' | 'SetValue'; key: string; details: string }
  | { kind: 'access'; time: Date; source: Proc; target: Proc; access: string; callTrace: string };

/** Telemetry sources a procedure can be seen through. */
export const SOURCES = ['sysmon', 'security', 'ecs', 'mde'] as const;
export type Source = (typeof SOURCES)[number];

export interface Host {
  /** FQDN as Windows logs write it in <Computer>. */
  name: string;
  ip: string;
  domain: string;
  /** The machine account's domain (WORKGROUP or the NetBIOS domain). */
  machineDomain: string;
}

export interface Scenario {
  procedure: string;
  host: Host;
  activities: Activity[];
}
