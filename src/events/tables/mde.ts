// Microsoft Defender for Endpoint advanced-hunting tables, mapped to Sigma's categories and
// Sysmon's field names. One table per Defender table, keyed by ActionType; `*` is the entry for
// exports without an ActionType column (and for ActionTypes not listed).
//
// Column meanings are Microsoft's (learn.microsoft.com/defender-xdr/advanced-hunting-*-table).
// `FolderPath` and `InitiatingProcessFolderPath` hold the full path including the file name
// (the pages say "folder containing the file", but exported data has the full path, e.g.
// `c:\windows\system32\windowspowershell\v1.0\powershell.exe`), so they map to Image as they are.
// The event header (host ← DeviceName, time ← Timestamp, channel ← the table, provider
// `Microsoft Defender for Endpoint`, Computer) is the normaliser's, not repeated here.
// `AdditionalFields.*` names are the CSV / JSON readers' flattening of the AdditionalFields JSON.

import type { EventMapping, FieldSource, MappingTable } from '../mapping.js';
import type { Category } from '../model.js';

const user = (domain: string, name: string): FieldSource => ({ firstOf: [{ join: [domain, name], sep: '\\' }, name] });
const pid = (name: string): FieldSource => ({ from: name, transform: 'number' });

/** The process behind the event (Initiating*), as Sysmon's Image / ProcessId / User. */
const ACTOR: Readonly<Record<string, FieldSource>> = {
  Image: 'InitiatingProcessFolderPath',
  ProcessId: pid('InitiatingProcessId'),
  CommandLine: 'InitiatingProcessCommandLine',
  OriginalFileName: 'InitiatingProcessVersionInfoOriginalFileName',
  User: user('InitiatingProcessAccountDomain', 'InitiatingProcessAccountName'),
  IntegrityLevel: { from: 'InitiatingProcessIntegrityLevel', transform: 'integrityFromMde' },
};

/** The file the event is about, with Sigma's generic hash names. */
const FILE_HASHES: Readonly<Record<string, FieldSource>> = { md5: 'MD5', sha1: 'SHA1', sha256: 'SHA256' };

const map = (category: Category, fields: Readonly<Record<string, FieldSource>>, when?: EventMapping['when']): EventMapping =>
  when === undefined ? { category, fields } : { category, fields, when };

// --- DeviceProcessEvents ----------------------------------------------------------------------

const PROCESS_CREATION = map('process_creation', {
  Image: 'FolderPath',
  OriginalFileName: 'ProcessVersionInfoOriginalFileName',
  CommandLine: 'ProcessCommandLine',
  ProcessId: pid('ProcessId'),
  User: user('AccountDomain', 'AccountName'),
  IntegrityLevel: { from: 'ProcessIntegrityLevel', transform: 'integrityFromMde' },
  // The same values as Security 4688's TokenElevationType after its transform.
  TokenElevationType: 'ProcessTokenElevation',
  TerminalSessionId: pid('CreatedProcessSessionId'),
  Company: 'ProcessVersionInfoCompanyName',
  Product: 'ProcessVersionInfoProductName',
  Description: 'ProcessVersionInfoFileDescription',
  ...FILE_HASHES,
  ParentImage: 'InitiatingProcessFolderPath',
  ParentCommandLine: 'InitiatingProcessCommandLine',
  ParentProcessId: pid('InitiatingProcessId'),
  ParentUser: user('InitiatingProcessAccountDomain', 'InitiatingProcessAccountName'),
  ParentOriginalFileName: 'InitiatingProcessVersionInfoOriginalFileName',
  ParentIntegrityLevel: { from: 'InitiatingProcessIntegrityLevel', transform: 'integrityFromMde' },
  // The grandparent: Defender keeps its name (sometimes a full path) and PID only.
  ParentParentName: 'InitiatingProcessParentFileName',
  ParentParentProcessId: pid('InitiatingProcessParentId'),
});

const PROCESS_TABLE: MappingTable = {
  id: 'mde:DeviceProcessEvents',
  kind: 'mde',
  match: { table: 'DeviceProcessEvents' },
  key: ['ActionType'],
  // The table records process creation only (ActionType ProcessCreated).
  events: { ProcessCreated: PROCESS_CREATION, '*': PROCESS_CREATION },
};

// --- DeviceNetworkEvents ----------------------------------------------------------------------

const connection = (initiated: boolean): EventMapping =>
  map('network_connection', {
    ...ACTOR,
    DestinationIp: 'RemoteIP',
    DestinationPort: pid('RemotePort'),
    DestinationHostname: 'RemoteUrl',
    SourceIp: 'LocalIP',
    SourcePort: pid('LocalPort'),
    Protocol: { from: 'Protocol', transform: 'lower' },
    Initiated: { const: initiated },
  });

const OUTBOUND = connection(true);
const INBOUND = connection(false);

const NETWORK_TABLE: MappingTable = {
  id: 'mde:DeviceNetworkEvents',
  kind: 'mde',
  match: { table: 'DeviceNetworkEvents' },
  key: ['ActionType'],
  events: {
    ConnectionSuccess: OUTBOUND,
    ConnectionAttempt: OUTBOUND,
    ConnectionFailed: OUTBOUND,
    ConnectionRequest: OUTBOUND,
    ConnectionAcknowledged: OUTBOUND,
    ConnectionFound: OUTBOUND,
    ConnectionSuccessAggregatedReport: OUTBOUND,
    ConnectionFailedAggregatedReport: OUTBOUND,
    InboundConnectionAccepted: INBOUND,
    // A listening socket: nothing was initiated by this host.
    ListeningConnectionCreated: INBOUND,
    // Network protection's DNS inspection: the query name is in AdditionalFields (`query`).
    DnsConnectionInspected: map('dns_query', { ...ACTOR, QueryName: 'AdditionalFields.query' }),
    // Other ActionTypes (Http/Ssl/Icmp/Ssh…ConnectionInspected, NetworkSignatureInspected) and
    // exports without ActionType: a connection, initiated by the host.
    '*': OUTBOUND,
  },
};

// --- DeviceRegistryEvents ---------------------------------------------------------------------

/** The key, with the value name appended when there is one (Sysmon's TargetObject). */
const TARGET_OBJECT: FieldSource = {
  firstOf: [
    { join: ['RegistryKey', 'RegistryValueName'], sep: '\\', transform: 'registryRoot' },
    { from: 'RegistryKey', transform: 'registryRoot' },
  ],
};

const registry = (category: Category, eventType: string, extra: Readonly<Record<string, FieldSource>> = {}): EventMapping =>
  map(category, { ...ACTOR, TargetObject: TARGET_OBJECT, EventType: { const: eventType }, ...extra });

const REGISTRY_SET = registry('registry_set', 'SetValue', { Details: 'RegistryValueData' });

const REGISTRY_TABLE: MappingTable = {
  id: 'mde:DeviceRegistryEvents',
  kind: 'mde',
  match: { table: 'DeviceRegistryEvents' },
  key: ['ActionType'],
  events: {
    RegistryValueSet: REGISTRY_SET,
    RegistryKeyCreated: registry('registry_add', 'CreateKey'),
    RegistryKeyDeleted: registry('registry_delete', 'DeleteKey'),
    RegistryValueDeleted: registry('registry_delete', 'DeleteValue'),
    RegistryKeyRenamed: registry('registry_rename', 'RenameKey', {
      // Sysmon 14: TargetObject is the old name, NewName the new one; Defender keeps the new
      // key in RegistryKey and the old one in PreviousRegistryKey.
      TargetObject: { from: ['PreviousRegistryKey', 'RegistryKey'], transform: 'registryRoot' },
      NewName: { from: 'RegistryKey', transform: 'registryRoot' },
    }),
    // Without an ActionType: a value set (every registry category is Sigma's registry_event).
    '*': REGISTRY_SET,
  },
};

// --- DeviceImageLoadEvents --------------------------------------------------------------------

const IMAGE_LOAD = map('image_load', { ...ACTOR, ImageLoaded: 'FolderPath', ...FILE_HASHES });

const IMAGE_LOAD_TABLE: MappingTable = {
  id: 'mde:DeviceImageLoadEvents',
  kind: 'mde',
  match: { table: 'DeviceImageLoadEvents' },
  key: ['ActionType'],
  events: { ImageLoaded: IMAGE_LOAD, '*': IMAGE_LOAD },
};

// --- DeviceFileEvents -------------------------------------------------------------------------

const file = (category: Category, extra: Readonly<Record<string, FieldSource>> = {}): EventMapping =>
  map(category, { ...ACTOR, TargetFilename: 'FolderPath', ...FILE_HASHES, ...extra });

const FILE_CREATED = file('file_event');

const FILE_TABLE: MappingTable = {
  id: 'mde:DeviceFileEvents',
  kind: 'mde',
  match: { table: 'DeviceFileEvents' },
  key: ['ActionType'],
  events: {
    FileCreated: FILE_CREATED,
    FileModified: file('file_change'),
    FileDeleted: file('file_delete'),
    // The old path is PreviousFolderPath (a folder) + PreviousFileName.
    FileRenamed: file('file_rename', { SourceFilename: { join: ['PreviousFolderPath', 'PreviousFileName'], sep: '\\' } }),
    '*': FILE_CREATED,
  },
};

// --- DeviceEvents -----------------------------------------------------------------------------

/** Remote-process API calls: the caller is Initiating*, the target the File* / Process* columns. */
const REMOTE_PROCESS: Readonly<Record<string, FieldSource>> = {
  SourceImage: 'InitiatingProcessFolderPath',
  SourceProcessId: pid('InitiatingProcessId'),
  SourceCommandLine: 'InitiatingProcessCommandLine',
  SourceUser: user('InitiatingProcessAccountDomain', 'InitiatingProcessAccountName'),
  TargetImage: 'FolderPath',
  TargetProcessId: pid('ProcessId'),
  TargetCommandLine: 'ProcessCommandLine',
  TargetUser: user('AccountDomain', 'AccountName'),
};

const pipe = (eventType?: string): EventMapping =>
  map('pipe_created', {
    ...ACTOR,
    PipeName: { from: 'AdditionalFields.PipeName', transform: 'pipeName' },
    ...(eventType === undefined ? {} : { EventType: { const: eventType } }),
  });

const EVENTS_TABLE: MappingTable = {
  id: 'mde:DeviceEvents',
  kind: 'mde',
  match: { table: 'DeviceEvents' },
  key: ['ActionType'],
  // No `*` entry: DeviceEvents mixes dozens of ActionTypes (antivirus, exploit protection, ASR,
  // PowerShellCommand, ServiceInstalled, ScheduledTaskCreated, ProcessCreatedUsingWmiQuery,
  // ReadProcessMemoryApiCall, …) that have no Sigma category or duplicate another table; those
  // rows keep their raw fields and get no category.
  events: {
    CreateRemoteThreadApiCall: map('create_remote_thread', REMOTE_PROCESS),
    // Defender gives the access mask in decimal; Sysmon's GrantedAccess is hex text.
    OpenProcessApiCall: map('process_access', {
      ...REMOTE_PROCESS,
      GrantedAccess: { from: 'AdditionalFields.DesiredAccess', transform: 'hexFromNumber' },
    }),
    DnsQueryResponse: map('dns_query', { ...ACTOR, QueryName: 'AdditionalFields.DnsQueryString' }),
    // Sysmon 17 (server end created) and 18 (client end connected) are both pipe_created.
    NamedPipeEvent: [
      { ...pipe('CreatePipe'), when: { 'AdditionalFields.NamedPipeEnd': ['Server'] } },
      { ...pipe('ConnectPipe'), when: { 'AdditionalFields.NamedPipeEnd': ['Client'] } },
      pipe(),
    ],
    DriverLoad: map('driver_load', { ImageLoaded: 'FolderPath', ...FILE_HASHES }),
  },
};

/** Every Defender table, one per MdeTable. */
export const MDE_TABLES: readonly MappingTable[] = [PROCESS_TABLE, NETWORK_TABLE, REGISTRY_TABLE, IMAGE_LOAD_TABLE, FILE_TABLE, EVENTS_TABLE];
