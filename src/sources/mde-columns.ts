// Microsoft Defender for Endpoint advanced-hunting tables: the columns of each device table
// (`MDE_COLUMNS`), telling a table from a header's columns (`mdeTableFromColumns`) or from a
// row's ActionType (`mdeTableFromActionType`), which columns hold integers or booleans and how
// their text becomes typed values, and the flattening of `AdditionalFields` JSON into dotted
// names. It is Microsoft's schema as data, kept apart from the CSV reader (csv.ts) that applies
// it so the schema can be reviewed and updated on its own.

import type { FieldValue } from '../events/fields.js';
import type { MdeTable } from './types.js';

const IP_VERSION_INFO = [
  'InitiatingProcessVersionInfoCompanyName',
  'InitiatingProcessVersionInfoProductName',
  'InitiatingProcessVersionInfoProductVersion',
  'InitiatingProcessVersionInfoInternalFileName',
  'InitiatingProcessVersionInfoOriginalFileName',
  'InitiatingProcessVersionInfoFileDescription',
];
const IP_ACCOUNT = [
  'InitiatingProcessAccountDomain',
  'InitiatingProcessAccountName',
  'InitiatingProcessAccountSid',
  'InitiatingProcessAccountUpn',
  'InitiatingProcessAccountObjectId',
];
const IP_PARENT = ['InitiatingProcessParentId', 'InitiatingProcessParentFileName', 'InitiatingProcessParentCreationTime'];
const IP_SESSION = ['InitiatingProcessSessionId', 'IsInitiatingProcessRemoteSession', 'InitiatingProcessRemoteSessionDeviceName', 'InitiatingProcessRemoteSessionIP'];
const CREATED_SESSION = ['CreatedProcessSessionId', 'IsProcessRemoteSession', 'ProcessRemoteSessionDeviceName', 'ProcessRemoteSessionIP'];
const HEAD = ['Timestamp', 'DeviceId', 'DeviceName', 'ActionType'];
const FILE = ['FileName', 'FolderPath', 'SHA1', 'SHA256', 'MD5'];

/**
 * The columns of each table, in Microsoft's order: learn.microsoft.com/defender-xdr/
 * advanced-hunting-<table>-table (MicrosoftDocs/defender-docs, pages dated 2024-09-06; image
 * loads from the version that added the session columns). Exports made before 2024 lack the
 * `*Session*` columns; Sentinel / Log Analytics exports add `TenantId`, `TimeGenerated`, `Type`,
 * `SourceSystem`, `MachineGroup`.
 */
export const MDE_COLUMNS: Readonly<Record<MdeTable, readonly string[]>> = {
  DeviceProcessEvents: [
    ...HEAD,
    ...FILE,
    'FileSize',
    'ProcessVersionInfoCompanyName',
    'ProcessVersionInfoProductName',
    'ProcessVersionInfoProductVersion',
    'ProcessVersionInfoInternalFileName',
    'ProcessVersionInfoOriginalFileName',
    'ProcessVersionInfoFileDescription',
    'ProcessId',
    'ProcessCommandLine',
    'ProcessIntegrityLevel',
    'ProcessTokenElevation',
    'ProcessCreationTime',
    'AccountDomain',
    'AccountName',
    'AccountSid',
    'AccountUpn',
    'AccountObjectId',
    'LogonId',
    ...IP_ACCOUNT,
    'InitiatingProcessLogonId',
    'InitiatingProcessIntegrityLevel',
    'InitiatingProcessTokenElevation',
    'InitiatingProcessSHA1',
    'InitiatingProcessSHA256',
    'InitiatingProcessMD5',
    'InitiatingProcessFileName',
    'InitiatingProcessFileSize',
    ...IP_VERSION_INFO,
    'InitiatingProcessId',
    'InitiatingProcessCommandLine',
    'InitiatingProcessCreationTime',
    'InitiatingProcessFolderPath',
    ...IP_PARENT,
    'InitiatingProcessSignerType',
    'InitiatingProcessSignatureStatus',
    'ReportId',
    'AppGuardContainerId',
    'AdditionalFields',
    ...IP_SESSION,
    ...CREATED_SESSION,
  ],
  DeviceNetworkEvents: [
    ...HEAD,
    'RemoteIP',
    'RemotePort',
    'RemoteUrl',
    'LocalIP',
    'LocalPort',
    'Protocol',
    'LocalIPType',
    'RemoteIPType',
    'InitiatingProcessSHA1',
    'InitiatingProcessSHA256',
    'InitiatingProcessMD5',
    'InitiatingProcessFileName',
    'InitiatingProcessFileSize',
    ...IP_VERSION_INFO,
    'InitiatingProcessId',
    'InitiatingProcessCommandLine',
    'InitiatingProcessCreationTime',
    'InitiatingProcessFolderPath',
    'InitiatingProcessParentFileName',
    'InitiatingProcessParentId',
    'InitiatingProcessParentCreationTime',
    ...IP_ACCOUNT,
    'InitiatingProcessIntegrityLevel',
    'InitiatingProcessTokenElevation',
    'ReportId',
    'AppGuardContainerId',
    'AdditionalFields',
    ...IP_SESSION,
  ],
  DeviceRegistryEvents: [
    ...HEAD,
    'RegistryKey',
    'RegistryValueType',
    'RegistryValueName',
    'RegistryValueData',
    'PreviousRegistryKey',
    'PreviousRegistryValueName',
    'PreviousRegistryValueData',
    ...IP_ACCOUNT,
    'InitiatingProcessSHA1',
    'InitiatingProcessSHA256',
    'InitiatingProcessMD5',
    'InitiatingProcessFileName',
    'InitiatingProcessFileSize',
    ...IP_VERSION_INFO,
    'InitiatingProcessId',
    'InitiatingProcessCommandLine',
    'InitiatingProcessCreationTime',
    'InitiatingProcessFolderPath',
    ...IP_PARENT,
    'InitiatingProcessIntegrityLevel',
    'InitiatingProcessTokenElevation',
    'ReportId',
    'AppGuardContainerId',
    ...IP_SESSION,
  ],
  DeviceImageLoadEvents: [
    ...HEAD,
    ...FILE,
    'FileSize',
    ...IP_ACCOUNT,
    'InitiatingProcessIntegrityLevel',
    'InitiatingProcessTokenElevation',
    'InitiatingProcessSHA1',
    'InitiatingProcessSHA256',
    'InitiatingProcessMD5',
    'InitiatingProcessFileName',
    'InitiatingProcessFileSize',
    ...IP_VERSION_INFO,
    'InitiatingProcessId',
    'InitiatingProcessCommandLine',
    'InitiatingProcessCreationTime',
    'InitiatingProcessFolderPath',
    ...IP_PARENT,
    'ReportId',
    'AppGuardContainerId',
    ...IP_SESSION,
  ],
  DeviceFileEvents: [
    ...HEAD,
    ...FILE,
    'FileOriginUrl',
    'FileOriginReferrerUrl',
    'FileOriginIP',
    'PreviousFolderPath',
    'PreviousFileName',
    'FileSize',
    ...IP_ACCOUNT,
    'InitiatingProcessMD5',
    'InitiatingProcessSHA1',
    'InitiatingProcessSHA256',
    'InitiatingProcessFolderPath',
    'InitiatingProcessFileName',
    'InitiatingProcessFileSize',
    ...IP_VERSION_INFO,
    'InitiatingProcessId',
    'InitiatingProcessCommandLine',
    'InitiatingProcessCreationTime',
    'InitiatingProcessIntegrityLevel',
    'InitiatingProcessTokenElevation',
    ...IP_PARENT,
    'RequestProtocol',
    'RequestSourceIP',
    'RequestSourcePort',
    'RequestAccountName',
    'RequestAccountDomain',
    'RequestAccountSid',
    'ShareName',
    'SensitivityLabel',
    'SensitivitySubLabel',
    'IsAzureInfoProtectionApplied',
    'ReportId',
    'AppGuardContainerId',
    'AdditionalFields',
    ...IP_SESSION,
  ],
  DeviceEvents: [
    ...HEAD,
    ...FILE,
    'FileSize',
    'AccountDomain',
    'AccountName',
    'AccountSid',
    'RemoteUrl',
    'RemoteDeviceName',
    'ProcessId',
    'ProcessCommandLine',
    'ProcessCreationTime',
    'ProcessTokenElevation',
    'LogonId',
    'RegistryKey',
    'RegistryValueName',
    'RegistryValueData',
    'RemoteIP',
    'RemotePort',
    'LocalIP',
    'LocalPort',
    'FileOriginUrl',
    'FileOriginIP',
    'InitiatingProcessSHA1',
    'InitiatingProcessSHA256',
    'InitiatingProcessMD5',
    'InitiatingProcessFileName',
    'InitiatingProcessFileSize',
    'InitiatingProcessFolderPath',
    'InitiatingProcessId',
    'InitiatingProcessCommandLine',
    'InitiatingProcessCreationTime',
    ...IP_ACCOUNT,
    ...IP_VERSION_INFO,
    ...IP_PARENT,
    'InitiatingProcessLogonId',
    'ReportId',
    'AppGuardContainerId',
    'AdditionalFields',
    ...IP_SESSION,
    ...CREATED_SESSION,
  ],
};

const MDE_TABLES = Object.keys(MDE_COLUMNS) as MdeTable[];
export const MDE_TABLE_SET: ReadonlySet<string> = new Set(MDE_TABLES);

/** Which tables have each column. */
const COLUMN_TABLES: ReadonlyMap<string, readonly MdeTable[]> = (() => {
  const m = new Map<string, MdeTable[]>();
  for (const t of MDE_TABLES) for (const c of MDE_COLUMNS[t]) m.set(c, [...(m.get(c) ?? []), t]);
  return m;
})();

/** `long` / `int` columns (as numbers when they hold an integer) and `bool` columns. */
export const MDE_INTEGER_COLUMNS: ReadonlySet<string> = new Set([
  'ProcessId',
  'InitiatingProcessId',
  'InitiatingProcessParentId',
  'RemotePort',
  'LocalPort',
  'RequestSourcePort',
  'FileSize',
  'InitiatingProcessFileSize',
  'ReportId',
  'LogonId',
  'InitiatingProcessLogonId',
  'InitiatingProcessSessionId',
  'CreatedProcessSessionId',
]);
export const MDE_BOOLEAN_COLUMNS: ReadonlySet<string> = new Set(['IsInitiatingProcessRemoteSession', 'IsProcessRemoteSession', 'IsAzureInfoProtectionApplied']);

/** Columns naming the table of each row: Log Analytics `Type`, or a `union withsource=` column. */
export const TABLE_COLUMNS = ['Type', '$table', 'TableName'];

/** ActionType values that belong to one table (the in-portal schema reference and observed exports). */
const ACTION_TABLES: ReadonlyMap<string, MdeTable> = new Map<string, MdeTable>([
  ['ProcessCreated', 'DeviceProcessEvents'],
  ...[
    'ConnectionSuccess',
    'ConnectionFailed',
    'ConnectionAttempt',
    'ConnectionRequest',
    'ConnectionFound',
    'ConnectionAcknowledged',
    'ConnectionSuccessAggregatedReport',
    'ConnectionFailedAggregatedReport',
    'InboundConnectionAccepted',
    'ListeningConnectionCreated',
    'DnsConnectionInspected',
    'HttpConnectionInspected',
    'SslConnectionInspected',
    'IcmpConnectionInspected',
    'SshConnectionInspected',
    'NetworkSignatureInspected',
    'InboundInternetScanInspected',
  ].map((a): [string, MdeTable] => [a, 'DeviceNetworkEvents']),
  ...['RegistryKeyCreated', 'RegistryKeyDeleted', 'RegistryKeyRenamed', 'RegistryValueSet', 'RegistryValueDeleted'].map(
    (a): [string, MdeTable] => [a, 'DeviceRegistryEvents'],
  ),
  ['ImageLoaded', 'DeviceImageLoadEvents'],
  ...['FileCreated', 'FileModified', 'FileDeleted', 'FileRenamed'].map((a): [string, MdeTable] => [a, 'DeviceFileEvents']),
  ...[
    'CreateRemoteThreadApiCall',
    'OpenProcessApiCall',
    'ReadProcessMemoryApiCall',
    'QueueUserApcRemoteApiCall',
    'SetThreadContextRemoteApiCall',
    'NtAllocateVirtualMemoryRemoteApiCall',
    'NtMapViewOfSectionRemoteApiCall',
    'DnsQueryResponse',
    'NamedPipeEvent',
    'PowerShellCommand',
    'DriverLoad',
    'ServiceInstalled',
    'ScheduledTaskCreated',
    'ProcessCreatedUsingWmiQuery',
    'AntivirusDetection',
    'ClrUnbackedModuleLoaded',
  ].map((a): [string, MdeTable] => [a, 'DeviceEvents']),
]);

/** The table a row belongs to by its ActionType, when that ActionType belongs to one table. */
export function mdeTableFromActionType(actionType: string): MdeTable | null {
  return ACTION_TABLES.get(actionType) ?? null;
}

/** Share of a table's columns a header must have to count as a full export of it. */
const FULL_EXPORT = 0.85;

/**
 * The table a header is from, by its columns: the only table that has every known column of
 * the header (DeviceEvents, the catch-all, loses a tie against one other table, so a projected
 * `ProcessCommandLine, InitiatingProcessFileName` export is DeviceProcessEvents), or else the
 * only candidate the header covers as a full export. Null when the columns cannot tell.
 */
export function mdeTableFromColumns(columns: readonly string[]): MdeTable | null {
  let candidates: MdeTable[] | null = null;
  for (const c of columns) {
    const tables = COLUMN_TABLES.get(c);
    if (tables === undefined) continue;
    candidates = candidates === null ? [...tables] : candidates.filter((t) => tables.includes(t));
  }
  if (candidates === null || candidates.length === 0) return null;
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length === 2 && candidates.includes('DeviceEvents')) return candidates.find((t) => t !== 'DeviceEvents')!;
  const have = new Set(columns);
  const full = candidates.filter((t) => MDE_COLUMNS[t].filter((c) => have.has(c)).length >= FULL_EXPORT * MDE_COLUMNS[t].length);
  return full.length === 1 ? full[0]! : null;
}

export function isMdeHeader(columns: readonly string[]): boolean {
  return columns.some((c) => c === 'ActionType' || c === 'DeviceName' || c === 'DeviceId' || c.startsWith('InitiatingProcess'));
}

const INTEGER = /^-?\d{1,16}$/;

export function mdeValue(kind: number, text: string): FieldValue {
  if (kind === 1 && INTEGER.test(text)) {
    const n = Number(text);
    if (Number.isSafeInteger(n)) return n;
  } else if (kind === 2) {
    const t = text.toLowerCase();
    if (t === 'true') return true;
    if (t === 'false') return false;
  }
  return text;
}

const MAX_FLAT_DEPTH = 4;
const MAX_FLAT_FIELDS = 256;

/** `AdditionalFields` JSON objects as dotted names (`AdditionalFields.DnsQueryString`). */
function flattenJson(prefix: string, value: unknown, out: Array<[string, FieldValue]>, depth: number): void {
  if (out.length >= MAX_FLAT_FIELDS) return;
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    out.push([prefix, value]);
  } else if (Array.isArray(value)) {
    const scalars = value.every((v) => v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean');
    out.push([prefix, scalars ? (value as FieldValue) : JSON.stringify(value)]);
  } else if (typeof value === 'object' && depth < MAX_FLAT_DEPTH) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flattenJson(`${prefix}.${k}`, v, out, depth + 1);
  } else {
    out.push([prefix, JSON.stringify(value)]);
  }
}

export function additionalFields(text: string): Array<[string, FieldValue]> {
  if (!text.startsWith('{')) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  const out: Array<[string, FieldValue]> = [];
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) flattenJson('AdditionalFields', parsed, out, 0);
  return out;
}
