// The telemetry facts CMSTP detections depend on, counted over every event: whether 4688 carries
// command lines (command-line auditing), parent names (Windows 10 / Server 2016 and later) and
// mandatory labels; whether Sysmon 10 carries CallTrace; which image loads, connections,
// registry and file events a CMSTP hunt needs are there at all.

import type { FieldValue } from '../events/fields.js';
import type { Event, Category } from '../events/model.js';
import { REGISTRY_CATEGORIES } from '../events/model.js';
import { isPresent, sourceOf } from './profile.js';

export interface Telemetry {
  /** Process-creation events of cmstp.exe (by image name or OriginalFileName), any source: one run may count once per source. */
  cmstpRuns: number;
  processCreation: { sysmon: number; security: number; mde: number; ecs: number; other: number };
  /** Security 4688 and what its events carry. */
  security4688: { events: number; withCommandLine: number; withParentProcessName: number; withMandatoryLabel: number; withTokenElevationType: number };
  /** Sysmon 1 and the fields the dllhost-CLSID and rename rules read. */
  sysmon1: { events: number; withParentCommandLine: number; withIntegrityLevel: number; withOriginalFileName: number; cmstp: number };
  /** Sysmon 10 (process access): CallTrace, and whether it only covers lsass. */
  sysmon10: { events: number; withCallTrace: number; targetLsass: number; fromCmstpOrDllhost: number; cmluaCallTrace: number };
  /** Process access from other sources (ECS), and how many carry a call trace. */
  processAccessOther: { events: number; withCallTrace: number };
  /** Sysmon 7 (image load). */
  sysmon7: { events: number; cmstp: number; dllhost: number; cmLibraries: number };
  /** Image loads from other sources (Defender DeviceImageLoadEvents, ECS library events). */
  imageLoadOther: number;
  /** Network connections by source, and those made by cmstp.exe. */
  network: { sysmon3: number; security5156: number; mde: number; ecs: number; cmstp: number };
  /** Registry events by source, and those touching the Connection Manager keys. */
  registry: { sysmon: number; security4657: number; mde: number; ecs: number; cmstpKeys: number };
  /** File events by source, and INF/SCT/CLR-usage-log files. */
  file: { sysmon: number; mde: number; ecs: number; security: number; infOrSct: number };
  dns: { events: number; cmstp: number };
  /** Defender advanced-hunting tables → rows (the six tables the tool reads). */
  defender: Record<string, number>;
}

export function emptyTelemetry(): Telemetry {
  return {
    cmstpRuns: 0,
    processCreation: { sysmon: 0, security: 0, mde: 0, ecs: 0, other: 0 },
    security4688: { events: 0, withCommandLine: 0, withParentProcessName: 0, withMandatoryLabel: 0, withTokenElevationType: 0 },
    sysmon1: { events: 0, withParentCommandLine: 0, withIntegrityLevel: 0, withOriginalFileName: 0, cmstp: 0 },
    sysmon10: { events: 0, withCallTrace: 0, targetLsass: 0, fromCmstpOrDllhost: 0, cmluaCallTrace: 0 },
    processAccessOther: { events: 0, withCallTrace: 0 },
    sysmon7: { events: 0, cmstp: 0, dllhost: 0, cmLibraries: 0 },
    imageLoadOther: 0,
    network: { sysmon3: 0, security5156: 0, mde: 0, ecs: 0, cmstp: 0 },
    registry: { sysmon: 0, security4657: 0, mde: 0, ecs: 0, cmstpKeys: 0 },
    file: { sysmon: 0, mde: 0, ecs: 0, security: 0, infOrSct: 0 },
    dns: { events: 0, cmstp: 0 },
    defender: Object.fromEntries(
      ['DeviceProcessEvents', 'DeviceNetworkEvents', 'DeviceRegistryEvents', 'DeviceImageLoadEvents', 'DeviceFileEvents', 'DeviceEvents'].map((t) => [t, 0]),
    ),
  };
}

function text(v: FieldValue | undefined): string {
  return typeof v === 'string' ? v.toLowerCase() : typeof v === 'number' ? String(v) : '';
}

/** The file name at the end of a Windows or POSIX path, lower-cased. */
function base(v: FieldValue | undefined): string {
  const t = text(v);
  return t.slice(Math.max(t.lastIndexOf('\\'), t.lastIndexOf('/')) + 1);
}

const CM_LIBRARIES = new Set(['cmlua.dll', 'cmstplua.dll', 'cmutil.dll', 'cmluautil.dll']);
const CMSTP_KEYS = ['\\app paths\\cmmgr32.exe', 'profileinstallpath', 'cmstpextensiondll'];
const FILE_CATEGORIES: ReadonlySet<Category> = new Set(['file_event', 'file_change', 'file_delete', 'file_rename', 'file_access']);

export function observeTelemetry(t: Telemetry, e: Event): void {
  const source = sourceOf(e);
  const f = e.fields;
  const get = (name: string): FieldValue | undefined => f.get(name) ?? e.raw.get(name);
  const image = base(get('Image'));
  if (e.table !== null && e.table in t.defender) t.defender[e.table]!++;
  switch (e.category) {
    case 'process_creation': {
      if (source === 'sysmon' || source === 'security' || source === 'mde' || source === 'ecs') t.processCreation[source]++;
      else t.processCreation.other++;
      if (image === 'cmstp.exe' || text(get('OriginalFileName')) === 'cmstp.exe') t.cmstpRuns++;
      if (source === 'security' && e.eventId === 4688) {
        const s = t.security4688;
        s.events++;
        if (isPresent(e.raw.get('CommandLine'))) s.withCommandLine++;
        if (isPresent(e.raw.get('ParentProcessName'))) s.withParentProcessName++;
        if (isPresent(e.raw.get('MandatoryLabel'))) s.withMandatoryLabel++;
        if (isPresent(e.raw.get('TokenElevationType'))) s.withTokenElevationType++;
      } else if (source === 'sysmon' && e.eventId === 1) {
        const s = t.sysmon1;
        s.events++;
        if (isPresent(get('ParentCommandLine'))) s.withParentCommandLine++;
        if (isPresent(get('IntegrityLevel'))) s.withIntegrityLevel++;
        if (isPresent(get('OriginalFileName'))) s.withOriginalFileName++;
        if (image === 'cmstp.exe' || text(get('OriginalFileName')) === 'cmstp.exe') s.cmstp++;
      }
      break;
    }
    case 'process_access':
      if (source === 'sysmon') {
        const s = t.sysmon10;
        s.events++;
        const trace = get('CallTrace');
        if (isPresent(trace)) s.withCallTrace++;
        if (text(trace).includes('cmlua.dll')) s.cmluaCallTrace++;
        if (base(get('TargetImage')) === 'lsass.exe') s.targetLsass++;
        const from = base(get('SourceImage'));
        if (from === 'cmstp.exe' || from === 'dllhost.exe') s.fromCmstpOrDllhost++;
      } else {
        t.processAccessOther.events++;
        if (isPresent(get('CallTrace'))) t.processAccessOther.withCallTrace++;
      }
      break;
    case 'image_load':
      if (source === 'sysmon') {
        const s = t.sysmon7;
        s.events++;
        if (image === 'cmstp.exe') s.cmstp++;
        if (image === 'dllhost.exe') s.dllhost++;
        if (CM_LIBRARIES.has(base(get('ImageLoaded')))) s.cmLibraries++;
      } else {
        t.imageLoadOther++;
      }
      break;
    case 'network_connection':
      if (source === 'sysmon') t.network.sysmon3++;
      else if (source === 'security') t.network.security5156++;
      else if (source === 'mde') t.network.mde++;
      else if (source === 'ecs') t.network.ecs++;
      if (image === 'cmstp.exe') t.network.cmstp++;
      break;
    case 'dns_query':
      t.dns.events++;
      if (image === 'cmstp.exe') t.dns.cmstp++;
      break;
    default:
      if (e.category !== null && REGISTRY_CATEGORIES.has(e.category)) {
        if (source === 'sysmon') t.registry.sysmon++;
        else if (source === 'security') t.registry.security4657++;
        else if (source === 'mde') t.registry.mde++;
        else if (source === 'ecs') t.registry.ecs++;
        const key = text(get('TargetObject'));
        if (CMSTP_KEYS.some((k) => key.includes(k))) t.registry.cmstpKeys++;
      } else if (e.category !== null && FILE_CATEGORIES.has(e.category)) {
        if (source === 'sysmon') t.file.sysmon++;
        else if (source === 'mde') t.file.mde++;
        else if (source === 'ecs') t.file.ecs++;
        else if (source === 'security') t.file.security++;
        const name = base(get('TargetFilename'));
        if (name.endsWith('.inf') || name.endsWith('.sct') || name === 'cmstp.exe.log') t.file.infOrSct++;
      }
  }
}
