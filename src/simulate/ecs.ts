// Activities as Elastic Defend (the Elastic Agent endpoint integration) documents: ECS fields
// plus the endpoint's `Ext` extensions, one NDJSON line per event.

import type { Activity, Proc, Scenario } from './model.js';

type Doc = Record<string, unknown>;

const base64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
/** Elastic's entity ids are opaque base64 strings; derive them from the Sysmon-style GUID. */
const entityId = (p: Proc): string => base64(`${p.guid}|${p.pid}`);
const basename = (p: string): string => p.slice(p.lastIndexOf('\\') + 1);
/** ECS registry paths use the long hive names. */
const longHive = (key: string): string => key.replace(/^HKLM\\/i, 'HKEY_LOCAL_MACHINE\\').replace(/^HKU\\/i, 'HKEY_USERS\\').replace(/^HKCU\\/i, 'HKEY_CURRENT_USER\\');

function args(commandLine: string): string[] {
  const out: string[] = [];
  for (const m of commandLine.matchAll(/"([^"]*)"|(\S+)/g)) out.push(m[1] ?? m[2]!);
  return out;
}

function proc(p: Proc, full: boolean): Doc {
  const d: Doc = { executable: p.image, name: basename(p.image), pid: p.pid, entity_id: entityId(p) };
  if (!full) return d;
  d['command_line'] = p.commandLine;
  d['args'] = args(p.commandLine);
  d['working_directory'] = p.currentDirectory;
  d['pe'] = { original_file_name: p.pe.originalFileName, company: p.pe.company, product: p.pe.product, description: p.pe.description, file_version: p.pe.fileVersion, imphash: p.hashes.imphash.toLowerCase() };
  d['hash'] = { md5: p.hashes.md5.toLowerCase(), sha1: p.hashes.sha1.toLowerCase(), sha256: p.hashes.sha256.toLowerCase() };
  d['Ext'] = { token: { integrity_level_name: p.integrity.toLowerCase(), elevation: p.elevation !== 3, elevation_type: ({ 1: 'default', 2: 'full', 3: 'limited' } as const)[p.elevation] } };
  if (p.parent !== null) d['parent'] = { ...proc(p.parent, false), command_line: p.parent.commandLine };
  return d;
}

function envelope(s: Scenario, a: Activity, dataset: string, category: string, type: string, action: string, seq: number): Doc {
  const short = s.host.name.split('.')[0]!;
  const actor = a.kind === 'access' ? a.source : a.proc;
  return {
    '@timestamp': a.time.toISOString(),
    agent: { type: 'endpoint', version: '8.12.2' },
    ecs: { version: '8.11.0' },
    data_stream: { type: 'logs', dataset: `endpoint.events.${dataset}`, namespace: 'default' },
    event: { category: [category], type: [type], action, kind: 'event', dataset: `endpoint.events.${dataset}`, module: 'endpoint', id: base64(`${s.procedure}|${seq}`).slice(0, 20) },
    host: { name: short.toLowerCase(), hostname: short.toUpperCase(), ip: [s.host.ip], os: { name: 'Windows', family: 'windows', version: '22H2', platform: 'windows' } },
    user: { domain: actor.account.domain, name: actor.account.name, id: actor.account.sid },
  };
}

function ecsDoc(s: Scenario, a: Activity, seq: number): Doc {
  switch (a.kind) {
    case 'process':
      return { ...envelope(s, a, 'process', 'process', 'start', 'start', seq), process: proc(a.proc, true) };
    case 'network':
      return {
        ...envelope(s, a, 'network', 'network', 'start', 'connection_attempted', seq),
        process: proc(a.proc, false),
        source: { ip: a.srcIp, port: a.srcPort, address: a.srcIp },
        destination: { ip: a.dstIp, port: a.dstPort, address: a.dstIp, domain: a.dstHost },
        network: { direction: 'egress', transport: 'tcp', type: 'ipv4' },
      };
    case 'dns':
      return {
        ...envelope(s, a, 'network', 'network', 'protocol', 'lookup_result', seq),
        process: proc(a.proc, false),
        dns: { question: { name: a.query, type: 'A' }, resolved_ip: a.results },
        network: { protocol: 'dns' },
      };
    case 'image':
      return {
        ...envelope(s, a, 'library', 'library', 'start', 'load', seq),
        process: proc(a.proc, false),
        dll: {
          path: a.path,
          name: basename(a.path),
          pe: { original_file_name: a.pe.originalFileName, company: a.pe.company, product: a.pe.product, description: a.pe.description, file_version: a.pe.fileVersion },
          hash: { md5: a.hashes.md5.toLowerCase(), sha1: a.hashes.sha1.toLowerCase(), sha256: a.hashes.sha256.toLowerCase() },
          code_signature: { exists: true, subject_name: a.signature, status: 'trusted', trusted: true },
        },
      };
    case 'file':
      return {
        ...envelope(s, a, 'file', 'file', 'creation', 'creation', seq),
        process: proc(a.proc, false),
        file: { path: a.path, name: basename(a.path), extension: basename(a.path).includes('.') ? basename(a.path).split('.').pop() : undefined },
      };
    case 'registry': {
      const path = longHive(a.key);
      const value = a.action === 'SetValue' ? basename(path) : undefined;
      const key = a.action === 'SetValue' ? path.slice(path.indexOf('\\') + 1, path.lastIndexOf('\\')) : path.slice(path.indexOf('\\') + 1);
      return {
        ...envelope(s, a, 'registry', 'registry', a.action === 'SetValue' ? 'change' : 'creation', 'modification', seq),
        process: proc(a.proc, false),
        registry: { path, hive: path.slice(0, path.indexOf('\\')), key, ...(value !== undefined ? { value, data: { strings: [a.details], type: 'REG_SZ' } } : {}) },
      };
    }
    case 'access':
      return {
        ...envelope(s, a, 'api', 'api', 'access', 'OpenProcess', seq),
        process: {
          ...proc(a.source, false),
          Ext: { api: { name: 'OpenProcess', parameters: { desired_access_numeric: parseInt(a.access, 16), desired_access: ['PROCESS_ALL_ACCESS'] } } },
          thread: { Ext: { call_stack_summary: a.callTrace.split('|').map((f) => basename(f.replace(/\+[0-9a-f]+$/i, ''))).join('|') } },
        },
        Target: { process: proc(a.target, false) },
      };
  }
}

/** The scenario as Elastic Defend NDJSON. */
export function ecsLines(s: Scenario): string {
  return s.activities.map((a, i) => JSON.stringify(ecsDoc(s, a, i)) + '\n').join('');
}
