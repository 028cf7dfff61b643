// Elastic Common Schema documents that do not carry the Windows event data: Elastic Defend
// (Elastic Agent's endpoint integration) process, network, registry, library, file and API
// events. Winlogbeat documents with `winlog.*` are `windows` records and use the Windows tables
// instead. The key is `event.category/event.type`; both are arrays in ECS, and every
// combination is tried, then `category/*`.
//
// Canonical names are Sigma's (Sysmon's) for each category. ECS values keep their ECS form where
// Sigma's matching does not care (case, `tcp`), and are left out where no transform exists yet
// to make them Sysmon-like (see the notes at the end).

import type { EventMapping, MappingTable } from '../mapping.js';

/** The acting process, as Sysmon names it in most events. */
const ACTOR = {
  Image: 'process.executable',
  ProcessId: 'process.pid',
  ProcessGuid: 'process.entity_id',
  User: { join: ['user.domain', 'user.name'], sep: '\\' },
} as const;

const processCreation: EventMapping = {
  category: 'process_creation',
  fields: {
    ...ACTOR,
    CommandLine: 'process.command_line',
    OriginalFileName: 'process.pe.original_file_name',
    Product: 'process.pe.product',
    Company: 'process.pe.company',
    Description: 'process.pe.description',
    FileVersion: 'process.pe.file_version',
    CurrentDirectory: 'process.working_directory',
    // `high` → `High`, as Sysmon writes it.
    IntegrityLevel: { from: 'process.Ext.token.integrity_level_name', transform: 'integrityFromMde' },
    ParentImage: 'process.parent.executable',
    ParentCommandLine: 'process.parent.command_line',
    ParentProcessId: 'process.parent.pid',
    ParentProcessGuid: 'process.parent.entity_id',
    // Sysmon's `Hashes` is one `MD5=…,SHA256=…` string; ECS has one field per algorithm. Until a
    // transform builds that string, the separate hash fields Sigma also knows are filled.
    Hashes: {
      labelled: [
        ['SHA1', 'process.hash.sha1'],
        ['MD5', 'process.hash.md5'],
        ['SHA256', 'process.hash.sha256'],
        ['IMPHASH', 'process.pe.imphash'],
      ],
      sep: ',',
    },
    md5: 'process.hash.md5',
    sha1: 'process.hash.sha1',
    sha256: 'process.hash.sha256',
    Imphash: 'process.pe.imphash',
  },
};

const processTermination: EventMapping = {
  category: 'process_termination',
  fields: { ...ACTOR },
};

const networkConnection: EventMapping = {
  category: 'network_connection',
  fields: {
    ...ACTOR,
    Protocol: 'network.transport',
    SourceIp: 'source.ip',
    SourcePort: 'source.port',
    SourceHostname: 'source.domain',
    DestinationIp: 'destination.ip',
    DestinationPort: 'destination.port',
    DestinationHostname: 'destination.domain',
    Initiated: { from: 'network.direction', transform: 'initiatedFromDirection' },
  },
};

const dnsQuery: EventMapping = {
  category: 'dns_query',
  when: { 'event.action': ['lookup_requested', 'lookup_result'] },
  fields: {
    ...ACTOR,
    QueryName: 'dns.question.name',
    QueryType: 'dns.question.type',
    QueryResults: 'dns.resolved_ip',
  },
};

const registryFields = {
  ...ACTOR,
  TargetObject: { from: 'registry.path', transform: 'registryRoot' },
  Details: 'registry.data.strings',
} as const;

const registrySet: EventMapping = {
  category: 'registry_set',
  fields: { ...registryFields, EventType: { const: 'SetValue' } },
};

const registryAdd: EventMapping = {
  category: 'registry_add',
  fields: { ...registryFields, EventType: { const: 'CreateKey' } },
};

const registryDelete: EventMapping = {
  category: 'registry_delete',
  fields: { ...registryFields },
};

const imageLoad: EventMapping = {
  category: 'image_load',
  fields: {
    ...ACTOR,
    ImageLoaded: 'dll.path',
    OriginalFileName: 'dll.pe.original_file_name',
    Product: 'dll.pe.product',
    Company: 'dll.pe.company',
    Description: 'dll.pe.description',
    Signed: 'dll.code_signature.exists',
    Signature: 'dll.code_signature.subject_name',
    SignatureStatus: 'dll.code_signature.status',
    Hashes: {
      labelled: [
        ['SHA1', 'dll.hash.sha1'],
        ['MD5', 'dll.hash.md5'],
        ['SHA256', 'dll.hash.sha256'],
        ['IMPHASH', 'dll.pe.imphash'],
      ],
      sep: ',',
    },
    md5: 'dll.hash.md5',
    sha1: 'dll.hash.sha1',
    sha256: 'dll.hash.sha256',
  },
};

const fileEvent: EventMapping = {
  category: 'file_event',
  fields: { ...ACTOR, TargetFilename: 'file.path' },
};

const fileDelete: EventMapping = {
  category: 'file_delete',
  fields: { ...ACTOR, TargetFilename: 'file.path' },
};

const fileRename: EventMapping = {
  category: 'file_rename',
  when: { 'event.action': ['rename'] },
  fields: { ...ACTOR, TargetFilename: 'file.path', SourceFilename: 'file.Ext.original.path' },
};

/**
 * Elastic Defend reports handle requests to other processes as `api` events; `OpenProcess` and
 * `OpenThread` are what Sysmon 10 (process_access) records.
 */
const processAccess: EventMapping = {
  category: 'process_access',
  when: { 'process.Ext.api.name': ['OpenProcess', 'OpenThread'] },
  fields: {
    SourceImage: 'process.executable',
    SourceProcessId: 'process.pid',
    SourceProcessGUID: 'process.entity_id',
    SourceUser: { join: ['user.domain', 'user.name'], sep: '\\' },
    TargetImage: 'Target.process.executable',
    TargetProcessId: 'Target.process.pid',
    TargetProcessGUID: 'Target.process.entity_id',
    CallTrace: 'process.thread.Ext.call_stack_summary',
    GrantedAccess: { from: 'process.Ext.api.parameters.desired_access_numeric', transform: 'hexFromNumber' },
  },
};

export const ECS_TABLE: MappingTable = {
  id: 'ecs',
  kind: 'ecs',
  match: {},
  key: ['event.category', 'event.type'],
  events: {
    'process/start': processCreation,
    'process/end': processTermination,
    'network/start': networkConnection,
    'network/connection': networkConnection,
    'network/protocol': dnsQuery,
    'network/info': dnsQuery,
    'registry/change': registrySet,
    'registry/creation': registryAdd,
    'registry/deletion': registryDelete,
    'library/start': imageLoad,
    'library/*': imageLoad,
    'file/creation': fileEvent,
    'file/deletion': fileDelete,
    'file/change': fileRename,
    'api/*': processAccess,
  },
};
