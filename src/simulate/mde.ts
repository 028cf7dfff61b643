// Activities as Microsoft Defender for Endpoint advanced-hunting rows: one CSV as Sentinel /
// Log Analytics exports a `union` of the device tables (a `Type` column naming each row's table,
// the union of the tables' columns, empty cells where a table has no such column).

import { MDE_COLUMNS } from '../sources/mde-columns.js';
import type { MdeTable } from '../sources/types.js';
import type { Activity, Proc, Scenario } from './model.js';

type Row = Record<string, string | number | boolean>;

const basename = (p: string): string => p.slice(p.lastIndexOf('\\') + 1);
const folder = (p: string): string => p.slice(0, p.lastIndexOf('\\'));
const iso7 = (d: Date): string => d.toISOString().replace('Z', '0000Z');
const longHive = (key: string): string => key.replace(/^HKLM\\/i, 'HKEY_LOCAL_MACHINE\\').replace(/^HKU\\/i, 'HKEY_USERS\\');
const ELEVATION = { 1: 'TokenElevationTypeDefault', 2: 'TokenElevationTypeFull', 3: 'TokenElevationTypeLimited' } as const;

/** The InitiatingProcess* columns: the acting process and its parent. */
function initiating(p: Proc): Row {
  const r: Row = {
    InitiatingProcessAccountDomain: p.account.domain.toLowerCase(),
    InitiatingProcessAccountName: p.account.name.toLowerCase(),
    InitiatingProcessAccountSid: p.account.sid,
    InitiatingProcessIntegrityLevel: p.integrity,
    InitiatingProcessTokenElevation: ELEVATION[p.elevation],
    InitiatingProcessSHA1: p.hashes.sha1.toLowerCase(),
    InitiatingProcessSHA256: p.hashes.sha256.toLowerCase(),
    InitiatingProcessMD5: p.hashes.md5.toLowerCase(),
    InitiatingProcessFileName: basename(p.image),
    InitiatingProcessVersionInfoCompanyName: p.pe.company,
    InitiatingProcessVersionInfoProductName: p.pe.product,
    InitiatingProcessVersionInfoOriginalFileName: p.pe.originalFileName,
    InitiatingProcessVersionInfoFileDescription: p.pe.description,
    InitiatingProcessId: p.pid,
    InitiatingProcessCommandLine: p.commandLine,
    InitiatingProcessCreationTime: iso7(p.start),
    InitiatingProcessFolderPath: p.image.toLowerCase(),
    InitiatingProcessLogonId: Number(p.logon.id),
    InitiatingProcessSessionId: p.logon.session,
    IsInitiatingProcessRemoteSession: false,
  };
  if (p.parent !== null) {
    r['InitiatingProcessParentId'] = p.parent.pid;
    r['InitiatingProcessParentFileName'] = basename(p.parent.image);
    r['InitiatingProcessParentCreationTime'] = iso7(p.parent.start);
  }
  return r;
}

function mdeRow(s: Scenario, a: Activity, reportId: number): [MdeTable, Row] {
  const head = { Timestamp: iso7(a.time), DeviceId: s.host.ip.split('.').map((n) => Number(n).toString(16).padStart(2, '0')).join('').padEnd(40, '7'), DeviceName: s.host.name.toLowerCase(), ReportId: reportId };
  switch (a.kind) {
    case 'process': {
      const p = a.proc;
      return [
        'DeviceProcessEvents',
        {
          ...head,
          ActionType: 'ProcessCreated',
          FileName: basename(p.image),
          FolderPath: p.image,
          SHA1: p.hashes.sha1.toLowerCase(),
          SHA256: p.hashes.sha256.toLowerCase(),
          MD5: p.hashes.md5.toLowerCase(),
          ProcessVersionInfoCompanyName: p.pe.company,
          ProcessVersionInfoProductName: p.pe.product,
          ProcessVersionInfoOriginalFileName: p.pe.originalFileName,
          ProcessVersionInfoFileDescription: p.pe.description,
          ProcessId: p.pid,
          ProcessCommandLine: p.commandLine,
          ProcessIntegrityLevel: p.integrity,
          ProcessTokenElevation: ELEVATION[p.elevation],
          ProcessCreationTime: iso7(p.start),
          AccountDomain: p.account.domain.toLowerCase(),
          AccountName: p.account.name.toLowerCase(),
          AccountSid: p.account.sid,
          LogonId: Number(p.logon.id),
          ...initiating(p.parent!),
          CreatedProcessSessionId: p.logon.session,
          IsProcessRemoteSession: false,
        },
      ];
    }
    case 'network':
      return [
        'DeviceNetworkEvents',
        { ...head, ActionType: 'ConnectionSuccess', RemoteIP: a.dstIp, RemotePort: a.dstPort, RemoteUrl: a.dstHost, LocalIP: a.srcIp, LocalPort: a.srcPort, Protocol: 'Tcp', LocalIPType: 'Private', RemoteIPType: 'Public', ...initiating(a.proc) },
      ];
    case 'dns':
      return [
        'DeviceEvents',
        { ...head, ActionType: 'DnsQueryResponse', AdditionalFields: JSON.stringify({ DnsQueryString: a.query, DnsQueryResult: a.results.map((ip) => ({ DnsQueryType: 1, IP: ip })) }), ...initiating(a.proc) },
      ];
    case 'image':
      return ['DeviceImageLoadEvents', { ...head, ActionType: 'ImageLoaded', FileName: basename(a.path), FolderPath: a.path, SHA1: a.hashes.sha1.toLowerCase(), SHA256: a.hashes.sha256.toLowerCase(), MD5: a.hashes.md5.toLowerCase(), ...initiating(a.proc) }];
    case 'file':
      return ['DeviceFileEvents', { ...head, ActionType: 'FileCreated', FileName: basename(a.path), FolderPath: a.path, ...initiating(a.proc) }];
    case 'registry': {
      const key = longHive(a.key);
      if (a.action === 'CreateKey') return ['DeviceRegistryEvents', { ...head, ActionType: 'RegistryKeyCreated', RegistryKey: key, ...initiating(a.proc) }];
      return ['DeviceRegistryEvents', { ...head, ActionType: 'RegistryValueSet', RegistryKey: folder(key), RegistryValueName: basename(key), RegistryValueType: 'String', RegistryValueData: a.details, ...initiating(a.proc) }];
    }
    case 'access':
      return ['DeviceEvents', { ...head, ActionType: 'OpenProcessApiCall', FileName: basename(a.target.image), FolderPath: a.target.image, ProcessId: a.target.pid, ProcessCommandLine: a.target.commandLine, ...initiating(a.source) }];
  }
}

function cell(v: string | number | boolean | undefined): string {
  if (v === undefined) return '';
  const t = String(v);
  return /[",\r\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}

/** The scenario as one CSV: `Type` first, then the union of the used tables' columns in Microsoft's order. */
export function mdeCsv(s: Scenario): string {
  const rows = s.activities.map((a, i) => mdeRow(s, a, 10_400 + i * 3));
  const tables = [...new Set(rows.map(([t]) => t))];
  const columns: string[] = [];
  for (const t of tables) for (const c of MDE_COLUMNS[t]) if (!columns.includes(c)) columns.push(c);
  const lines = [['Type', ...columns].join(',')];
  // A table without a column gets an empty cell, as the union export writes it.
  for (const [t, r] of rows) lines.push([t, ...columns.map((c) => (MDE_COLUMNS[t].includes(c) ? cell(r[c]) : ''))].join(','));
  return lines.join('\r\n') + '\r\n';
}
