// Activities as the Windows logs record them: Sysmon (1, 3, 7, 10, 11, 12, 13) and Security
// auditing (4688 process creation, 5156 permitted connection), as EVTX writer events with the
// field names, order and value types Windows uses.

import type { WriteEvent, WriteValue } from '../evtx/writer/index.js';
import type { Activity, Host, Integrity, Proc, Scenario } from './model.js';

const SYSMON_PID = 3120;
const LSASS_PID = 4; // Security events are logged by the System process's EventLog path as PID 4 in the samples.

const utc = (d: Date): string => d.toISOString().replace('T', ' ').replace('Z', '');
const u32 = (value: number): WriteValue => ({ type: 'uint32', value });
const g = (value: string): WriteValue => ({ type: 'guid', value });
const hex64 = (value: bigint): WriteValue => ({ type: 'hex64', value });
const sid = (value: string): WriteValue => ({ type: 'sid', value });

const user = (p: Proc): string => `${p.account.domain}\\${p.account.name}`;
const sysmonHashes = (p: { md5: string; sha256: string; imphash: string; sha1: string }): string => `SHA1=${p.sha1},MD5=${p.md5},SHA256=${p.sha256},IMPHASH=${p.imphash}`;

function sysmon(host: Host, eventId: number, version: number, at: Date, threadId: number, data: Array<[string, string | WriteValue]>): WriteEvent {
  return {
    time: new Date(at.getTime() + 1),
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
    computer: host.name,
    userId: 'S-1-5-18',
    eventData: data,
  };
}

function sysmonEvent(host: Host, a: Activity): WriteEvent {
  switch (a.kind) {
    case 'process': {
      const p = a.proc;
      const parent = p.parent!;
      return sysmon(host, 1, 5, a.time, 4236, [
        ['RuleName', '-'],
        ['UtcTime', utc(a.time)],
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
        ['User', user(p)],
        ['LogonGuid', g(p.logon.guid)],
        ['LogonId', hex64(p.logon.id)],
        ['TerminalSessionId', u32(p.logon.session)],
        ['IntegrityLevel', p.integrity],
        ['Hashes', sysmonHashes(p.hashes)],
        ['ParentProcessGuid', g(parent.guid)],
        ['ParentProcessId', u32(parent.pid)],
        ['ParentImage', parent.image],
        ['ParentCommandLine', parent.commandLine],
        ['ParentUser', user(parent)],
      ]);
    }
    case 'network':
      return sysmon(host, 3, 5, a.time, 4412, [
        ['RuleName', '-'],
        ['UtcTime', utc(a.time)],
        ['ProcessGuid', g(a.proc.guid)],
        ['ProcessId', u32(a.proc.pid)],
        ['Image', a.proc.image],
        ['User', user(a.proc)],
        ['Protocol', 'tcp'],
        ['Initiated', { type: 'bool', value: true }],
        ['SourceIsIpv6', { type: 'bool', value: false }],
        ['SourceIp', a.srcIp],
        ['SourceHostname', host.name],
        ['SourcePort', { type: 'uint16', value: a.srcPort }],
        ['SourcePortName', '-'],
        ['DestinationIsIpv6', { type: 'bool', value: false }],
        ['DestinationIp', a.dstIp],
        ['DestinationHostname', a.dstHost],
        ['DestinationPort', { type: 'uint16', value: a.dstPort }],
        ['DestinationPortName', a.dstPort === 443 ? 'https' : '-'],
      ]);
    case 'dns':
      return sysmon(host, 22, 5, a.time, 4412, [
        ['RuleName', '-'],
        ['UtcTime', utc(a.time)],
        ['ProcessGuid', g(a.proc.guid)],
        ['ProcessId', u32(a.proc.pid)],
        ['QueryName', a.query],
        ['QueryStatus', '0'],
        ['QueryResults', a.results.map((r) => `::ffff:${r};`).join('')],
        ['Image', a.proc.image],
        ['User', user(a.proc)],
      ]);
    case 'image':
      return sysmon(host, 7, 3, a.time, 4380, [
        ['RuleName', '-'],
        ['UtcTime', utc(a.time)],
        ['ProcessGuid', g(a.proc.guid)],
        ['ProcessId', u32(a.proc.pid)],
        ['Image', a.proc.image],
        ['ImageLoaded', a.path],
        ['FileVersion', a.pe.fileVersion],
        ['Description', a.pe.description],
        ['Product', a.pe.product],
        ['Company', a.pe.company],
        ['OriginalFileName', a.pe.originalFileName],
        ['Hashes', sysmonHashes(a.hashes)],
        ['Signed', 'true'],
        ['Signature', a.signature],
        ['SignatureStatus', 'Valid'],
        ['User', user(a.proc)],
      ]);
    case 'file':
      return sysmon(host, 11, 2, a.time, 4236, [
        ['RuleName', '-'],
        ['UtcTime', utc(a.time)],
        ['ProcessGuid', g(a.proc.guid)],
        ['ProcessId', u32(a.proc.pid)],
        ['Image', a.proc.image],
        ['TargetFilename', a.path],
        ['CreationUtcTime', utc(a.time)],
        ['User', user(a.proc)],
      ]);
    case 'registry': {
      const base: Array<[string, string | WriteValue]> = [
        ['RuleName', '-'],
        ['EventType', a.action],
        ['UtcTime', utc(a.time)],
        ['ProcessGuid', g(a.proc.guid)],
        ['ProcessId', u32(a.proc.pid)],
        ['Image', a.proc.image],
        ['TargetObject', a.key],
      ];
      if (a.action === 'SetValue') return sysmon(host, 13, 2, a.time, 4236, [...base, ['Details', a.details], ['User', user(a.proc)]]);
      return sysmon(host, 12, 2, a.time, 4236, [...base, ['User', user(a.proc)]]);
    }
    case 'access':
      return sysmon(host, 10, 3, a.time, 4236, [
        ['RuleName', '-'],
        ['UtcTime', utc(a.time)],
        ['SourceProcessGUID', g(a.source.guid)],
        ['SourceProcessId', u32(a.source.pid)],
        ['SourceThreadId', u32(a.source.pid + 4)],
        ['SourceImage', a.source.image],
        ['TargetProcessGUID', g(a.target.guid)],
        ['TargetProcessId', u32(a.target.pid)],
        ['TargetImage', a.target.image],
        ['GrantedAccess', a.access],
        ['CallTrace', a.callTrace],
        ['SourceUser', user(a.source)],
        ['TargetUser', user(a.target)],
      ]);
  }
}

const MANDATORY_LABEL: Record<Integrity, string> = { Low: 'S-1-16-4096', Medium: 'S-1-16-8192', High: 'S-1-16-12288', System: 'S-1-16-16384' };

function security(host: Host, eventId: number, version: number, at: Date, task: number, data: Array<[string, string | WriteValue]>): WriteEvent {
  return {
    time: new Date(at.getTime() + 2),
    provider: 'Microsoft-Windows-Security-Auditing',
    providerGuid: '{54849625-5478-4994-A5BA-3E3B0328C30D}',
    eventId,
    version,
    level: 0,
    task,
    opcode: 0,
    keywords: 0x8020000000000000n,
    processId: LSASS_PID,
    threadId: 7420,
    channel: 'Security',
    computer: host.name,
    eventData: data,
  };
}

/** `\device\harddiskvolume3\…` as the Filtering Platform writes application paths. */
const devicePath = (path: string): string => path.replace(/^[A-Za-z]:/, '\\device\\harddiskvolume3').toLowerCase();

function securityEvent(host: Host, a: Activity): WriteEvent | null {
  if (a.kind === 'process') {
    const p = a.proc;
    const parent = p.parent!;
    // Subject: the token that created the process (the parent's, or the machine account for COM
    // elevation); Target: the new token's account when it differs (Windows 10+).
    const creator = p.creator ?? { account: parent.account, logonId: parent.logon.id };
    const differs = p.creator !== undefined;
    // LocalSystem appears in Subject fields as the machine account (`HOST$`), as in the OTRF capture.
    const machine = creator.account.sid === 'S-1-5-18';
    return security(host, 4688, 2, a.time, 13312, [
      ['SubjectUserSid', sid(creator.account.sid)],
      ['SubjectUserName', machine ? `${host.name.split('.')[0]!.toUpperCase()}$` : creator.account.name],
      ['SubjectDomainName', machine ? host.machineDomain : creator.account.domain],
      ['SubjectLogonId', hex64(creator.logonId)],
      ['NewProcessId', hex64(BigInt(p.pid))],
      ['NewProcessName', p.image],
      ['TokenElevationType', `%%${1935 + p.elevation}`],
      ['ProcessId', hex64(BigInt(parent.pid))],
      ['CommandLine', p.commandLine],
      ['TargetUserSid', sid('S-1-0-0')],
      ['TargetUserName', differs ? p.account.name : '-'],
      ['TargetDomainName', differs ? p.account.domain : '-'],
      ['TargetLogonId', hex64(differs ? p.logon.id : 0n)],
      ['ParentProcessName', parent.image],
      ['MandatoryLabel', sid(MANDATORY_LABEL[p.integrity])],
    ]);
  }
  if (a.kind === 'network') {
    return security(host, 5156, 1, a.time, 12810, [
      ['ProcessID', { type: 'uint64', value: BigInt(a.proc.pid) }],
      ['Application', devicePath(a.proc.image)],
      ['Direction', '%%14593'],
      ['SourceAddress', a.srcIp],
      ['SourcePort', String(a.srcPort)],
      ['DestAddress', a.dstIp],
      ['DestPort', String(a.dstPort)],
      ['Protocol', u32(6)],
      ['FilterRTID', { type: 'uint64', value: 70_013n }],
      ['LayerName', '%%14611'],
      ['LayerRTID', { type: 'uint64', value: 48n }],
      ['RemoteUserID', sid('S-1-0-0')],
      ['RemoteMachineID', sid('S-1-0-0')],
    ]);
  }
  return null;
}

export interface WindowsLogs {
  sysmon: WriteEvent[];
  security: WriteEvent[];
}

/** Both Windows logs of a scenario, record ids counting up per channel from a seeded start. */
export function windowsLogs(s: Scenario, firstRecord: { sysmon: number; security: number }): WindowsLogs {
  const sysmonEvents = s.activities.map((a, i) => ({ ...sysmonEvent(s.host, a), recordId: firstRecord.sysmon + i }));
  const securityEvents: WriteEvent[] = [];
  for (const a of s.activities) {
    const e = securityEvent(s.host, a);
    if (e !== null) securityEvents.push({ ...e, recordId: firstRecord.security + securityEvents.length * 3 });
  }
  return { sysmon: sysmonEvents, security: securityEvents };
}
