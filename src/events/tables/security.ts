// Security auditing (Microsoft-Windows-Security-Auditing): the native events that carry what
// Sysmon carries, mapped to Sigma's canonical names. The view's own names stay too (copyAll),
// so rules written for the Security log keep working; the canonical names overlay them.

import type { MappingTable } from '../mapping.js';

/** The process's own account: Target* on Windows 10+, Subject* before (Target is `-` there). */
const NEW_PROCESS_USER = {
  firstOf: [
    { join: ['TargetDomainName', 'TargetUserName'], sep: '\\' },
    { join: ['SubjectDomainName', 'SubjectUserName'], sep: '\\' },
  ],
} as const;

export const SECURITY_TABLE: MappingTable = {
  id: 'security',
  kind: 'windows',
  // Splunk's classic WinEventLog renders the provider as its display name.
  match: { channel: ['Security'], provider: ['Microsoft-Windows-Security-Auditing', 'Microsoft Windows security auditing.'] },
  key: ['EventID'],
  events: {
    // A process was created. No parent command line; ParentProcessId (the creator) links lineage.
    4688: {
      category: 'process_creation',
      copyAll: true,
      fields: {
        Image: 'NewProcessName',
        CommandLine: 'CommandLine',
        ProcessId: { from: 'NewProcessId', transform: 'hexToNumber' },
        ParentProcessId: { from: 'ProcessId', transform: 'hexToNumber' },
        ParentImage: 'ParentProcessName',
        User: NEW_PROCESS_USER,
        LogonId: { firstOf: [{ from: 'TargetLogonId', transform: 'nonZero' }, { from: 'SubjectLogonId' }] },
        IntegrityLevel: { from: 'MandatoryLabel', transform: 'integrityFromSid' },
        TokenElevationType: { from: 'TokenElevationType', transform: 'elevationType' },
        // Subject*: the account that created the process, kept for lineage and triage.
        CreatorUser: { join: ['SubjectDomainName', 'SubjectUserName'], sep: '\\' },
      },
    },
    4689: {
      category: 'process_termination',
      copyAll: true,
      fields: {
        Image: 'ProcessName',
        ProcessId: { from: 'ProcessId', transform: 'hexToNumber' },
        User: { join: ['SubjectDomainName', 'SubjectUserName'], sep: '\\' },
      },
    },
    // A registry value was modified: %%1904 new value, %%1905 modified, %%1906 deleted.
    4657: [
      {
        category: 'registry_set',
        copyAll: true,
        when: { OperationType: ['%%1904', '%%1905'] },
        fields: {
          TargetObject: { join: ['ObjectName', 'ObjectValueName'], sep: '\\', transform: 'registryRoot' },
          Details: 'NewValue',
          EventType: { const: 'SetValue' },
          Image: 'ProcessName',
          ProcessId: { from: 'ProcessId', transform: 'hexToNumber' },
          User: { join: ['SubjectDomainName', 'SubjectUserName'], sep: '\\' },
        },
      },
      {
        category: 'registry_delete',
        copyAll: true,
        when: { OperationType: ['%%1906'] },
        fields: {
          TargetObject: { join: ['ObjectName', 'ObjectValueName'], sep: '\\', transform: 'registryRoot' },
          EventType: { const: 'DeleteValue' },
          Image: 'ProcessName',
          ProcessId: { from: 'ProcessId', transform: 'hexToNumber' },
          User: { join: ['SubjectDomainName', 'SubjectUserName'], sep: '\\' },
        },
      },
    ],
    // The Windows Filtering Platform permitted a connection.
    5156: {
      category: 'network_connection',
      copyAll: true,
      fields: {
        Image: 'Application',
        ProcessId: { from: 'ProcessID', transform: 'number' },
        DestinationIp: 'DestAddress',
        DestinationPort: { from: 'DestPort', transform: 'number' },
        SourceIp: 'SourceAddress',
        SourcePort: { from: 'SourcePort', transform: 'number' },
        Protocol: { from: 'Protocol', transform: 'protocolName' },
        Initiated: { from: 'Direction', transform: 'direction5156' },
      },
    },
    // A handle to an object was requested / an attempt was made to access an object.
    4656: [
      {
        category: 'file_access',
        copyAll: true,
        when: { ObjectType: ['File'] },
        fields: { TargetFilename: 'ObjectName', Image: 'ProcessName', ProcessId: { from: 'ProcessId', transform: 'hexToNumber' } },
      },
    ],
    4663: [
      {
        category: 'file_access',
        copyAll: true,
        when: { ObjectType: ['File'] },
        fields: { TargetFilename: 'ObjectName', Image: 'ProcessName', ProcessId: { from: 'ProcessId', transform: 'hexToNumber' } },
      },
    ],
  },
};
