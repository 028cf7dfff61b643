// CMSTP-specific telemetry gaps: what is missing or incomplete in these inputs, which public
// detections that blinds (catalogue ids from the project's detection reference), and what to
// turn on. Each gap names the logsource category and the fields it takes away, so the report
// can list the loaded rules it blocks.

import { FIX, type Remediation } from './remediation.js';
import type { Telemetry } from './telemetry.js';

export type GapSeverity = 'blocking' | 'degraded' | 'info';

export interface Gap {
  /** Stable identifier (documented in docs/telemetry.md). */
  id: string;
  severity: GapSeverity;
  message: string;
  /** Public detections this affects. */
  detections: string[];
  /** The logsource category the gap takes away (`registry_event` for every registry category). */
  category: string | null;
  /** The telemetry source it concerns (`sysmon`, `security`, `mde`, `ecs`), or null for all. */
  source: string | null;
  /** Fields the gap takes away; empty when the events themselves are missing. */
  fields: string[];
  remediation: Remediation[];
  /** Loaded rules this gap stops (filled in by the report). */
  rules: string[];
  /** Hosts on which the gap holds when each host is judged alone (filled in by the report). */
  hostCount: number;
  /** Up to MAX_GAP_HOSTS of them. */
  hosts: string[];
}

export const MAX_GAP_HOSTS = 20;

const RANK: Readonly<Record<GapSeverity, number>> = { info: 0, degraded: 1, blocking: 2 };

/**
 * The gaps of the whole data set, plus those that hold on single hosts only (a host without
 * Sysmon among hosts with it). A gap's severity is the worst of the data set's and any host's;
 * its message is the data set's, or the first such host's when only single hosts have it.
 */
export function mergeHostGaps(overall: Gap[], perHost: ReadonlyArray<readonly [host: string, gaps: Gap[]]>): Gap[] {
  const byId = new Map(overall.map((g) => [g.id, g]));
  const order = overall.map((g) => g.id);
  for (const [host, gaps] of perHost) {
    for (const g of gaps) {
      let m = byId.get(g.id);
      if (m === undefined) {
        m = { ...g, hosts: [], hostCount: 0 };
        byId.set(g.id, m);
        order.push(g.id);
      }
      if (RANK[g.severity] > RANK[m.severity]) m.severity = g.severity;
      m.hostCount++;
      if (m.hosts.length < MAX_GAP_HOSTS) m.hosts.push(host);
    }
  }
  return order.map((id) => byId.get(id)!);
}

export interface SourceTotals {
  windows: number;
  sysmon: number;
  security: number;
  mde: number;
  ecs: number;
}

type Draft = Omit<Gap, 'rules' | 'hostCount' | 'hosts'>;

const pct = (n: number, d: number): string => `${n} of ${d}`;

export function findGaps(t: Telemetry, totals: SourceTotals): Gap[] {
  const gaps: Draft[] = [];
  const pc = t.processCreation;
  const anyProcess = pc.sysmon + pc.security + pc.mde + pc.ecs + pc.other;
  const s4688 = t.security4688;
  const parentCmdLineElsewhere = t.sysmon1.withParentCommandLine > 0 || pc.mde > 0;

  if (anyProcess === 0) {
    gaps.push({
      id: 'process-creation-missing',
      severity: 'blocking',
      message: 'no process-creation events (Sysmon 1, Security 4688, Defender DeviceProcessEvents, ECS process start): no command-line, parent-child or dllhost-CLSID detection can fire',
      detections: ['SIG-01', 'SIG-04', 'SIG-05', 'SIG-06', 'ELA-01', 'ELA-02', 'EQL-01', 'EQL-02', 'HAY-01', 'THP-H'],
      category: 'process_creation',
      source: null,
      fields: [],
      remediation: [FIX.auditProcessCreation, FIX.cmdLineRegistry, FIX.sysmonInstall, FIX.sysmonProcessCreate],
    });
  }
  if (totals.windows > 0 && s4688.events === 0) {
    gaps.push({
      id: 'security-4688-missing',
      severity: pc.sysmon > 0 ? 'info' : 'blocking',
      message:
        pc.sysmon > 0
          ? `no Security 4688 in these logs: process creation is seen only through Sysmon 1 (${pc.sysmon} events); turn on Process Creation auditing with command lines so a stopped or reconfigured Sysmon does not blind every process rule`
          : 'no Security 4688 in these logs and no Sysmon 1: process creation is not audited at all',
      detections: ['SIG-01', 'SIG-04', 'ELA-01', 'HAY-01', 'THP-H'],
      category: 'process_creation',
      source: 'security',
      fields: [],
      remediation: [FIX.auditProcessCreation, FIX.auditGpo, FIX.cmdLineRegistry, FIX.cmdLineGpo],
    });
  }
  if (s4688.events > 0 && s4688.withCommandLine < s4688.events) {
    const none = s4688.withCommandLine === 0;
    gaps.push({
      id: 'security-4688-no-command-line',
      severity: none && pc.sysmon === 0 ? 'blocking' : 'degraded',
      message: `4688 without command-line auditing: ${pct(s4688.withCommandLine, s4688.events)} events carry CommandLine; the cmstp.exe switch detections (/s, /au, /ni, /ns; SIG-04, ELA-01, EQL-01, HAY-01, THP-H) ${none ? 'cannot fire on 4688' : 'miss the events without it'}`,
      detections: ['SIG-04', 'ELA-01', 'ELA-06', 'EQL-01', 'EQL-02', 'HAY-01', 'THP-H'],
      category: 'process_creation',
      source: 'security',
      fields: ['CommandLine'],
      remediation: [FIX.cmdLineRegistry, FIX.cmdLineGpo],
    });
  }
  if (s4688.events > 0 && s4688.withParentProcessName < s4688.events) {
    gaps.push({
      id: 'security-4688-no-parent-name',
      severity: s4688.withParentProcessName === 0 && pc.sysmon === 0 ? 'blocking' : 'degraded',
      message: `4688 without ParentProcessName (${pct(s4688.withParentProcessName, s4688.events)} events have it; Windows writes it from Windows 10 / Server 2016): the child-of-cmstp.exe and child-of-DllHost detections (SIG-01, SIG-05, SIG-06) cannot use those events`,
      detections: ['SIG-01', 'SIG-05', 'SIG-06', 'EQL-02', 'THP-H'],
      category: 'process_creation',
      source: 'security',
      fields: ['ParentImage'],
      remediation: [FIX.sysmonInstall, FIX.joinLineage],
    });
  }
  if (s4688.events > 0 && s4688.withMandatoryLabel < s4688.events) {
    gaps.push({
      id: 'security-4688-no-mandatory-label',
      severity: 'degraded',
      message: `4688 without MandatoryLabel (${pct(s4688.withMandatoryLabel, s4688.events)} events have it; Windows 10 / Server 2016 and later): the elevated-child test (IntegrityLevel High/System, SIG-05, EPA-02, SEN-01) cannot be made on those events`,
      detections: ['SIG-05', 'EPA-02', 'SEN-01'],
      category: 'process_creation',
      source: 'security',
      fields: ['IntegrityLevel'],
      remediation: [FIX.sysmonInstall],
    });
  }
  if (s4688.events > 0) {
    gaps.push({
      id: 'security-4688-no-parent-command-line',
      severity: parentCmdLineElsewhere ? 'info' : 'blocking',
      message:
        '4688 never carries the parent\'s command line: the dllhost /Processid:{CLSID} detections (SIG-05, SIG-06, SIG-09, ELA-02, SEN-01) cannot fire on 4688; ' +
        (parentCmdLineElsewhere ? 'they rely on the Sysmon 1 or Defender process events here' : 'no Sysmon 1 or Defender process events are here to stand in'),
      detections: ['SIG-05', 'SIG-06', 'SIG-09', 'ELA-02', 'EPA-02', 'SEN-01'],
      category: 'process_creation',
      source: 'security',
      fields: ['ParentCommandLine'],
      remediation: [FIX.sysmonInstall, FIX.sysmonProcessCreate, FIX.joinLineage],
    });
  }
  if (t.sysmon1.events > 0 && t.sysmon1.withOriginalFileName < t.sysmon1.events) {
    gaps.push({
      id: 'sysmon-1-no-original-file-name',
      severity: 'degraded',
      message: `Sysmon 1 without OriginalFileName (${pct(t.sysmon1.withOriginalFileName, t.sysmon1.events)} events have it; Sysmon 10 and later write it): a renamed or copied cmstp.exe is caught only by path (SIG-12, HAY-02, EPA-03 and the OriginalFileName branch of SIG-04 cannot use those events)`,
      detections: ['SIG-04', 'SIG-12', 'HAY-02', 'EPA-03'],
      category: 'process_creation',
      source: 'sysmon',
      fields: ['OriginalFileName'],
      remediation: [{ kind: 'sysmon', text: 'upgrade Sysmon (10.0 or later) and reinstall the configuration: sysmon64.exe -c config/sysmon-cmstp.xml' }],
    });
  }
  if (totals.windows > 0 && totals.sysmon === 0) {
    gaps.push({
      id: 'sysmon-missing',
      severity: 'blocking',
      message: 'no Sysmon events: process access with call traces, image loads, registry and file events, and the parent command line come only from Sysmon (or an EDR)',
      detections: ['SIG-02', 'SIG-03', 'SIG-05', 'SIG-06', 'SIG-07', 'SIG-08', 'SIG-10', 'SIG-11', 'SPL-01'],
      category: null,
      source: 'sysmon',
      fields: [],
      remediation: [FIX.sysmonInstall],
    });
  }
  if (t.sysmon10.events === 0 && t.processAccessOther.withCallTrace === 0) {
    gaps.push({
      id: 'sysmon-10-missing',
      severity: 'blocking',
      message:
        t.processAccessOther.events > 0
          ? `no Sysmon 10 in these logs, and the ${t.processAccessOther.events} other process-access events carry no call trace: the CallTrace detection (SIG-03: CallTrace contains cmlua.dll; ELA-07) cannot fire`
          : 'no Sysmon 10 in these logs: the CallTrace detection (SIG-03: CallTrace contains cmlua.dll; ELA-07) cannot fire',
      detections: ['SIG-03', 'ELA-07'],
      category: 'process_access',
      source: 'sysmon',
      fields: [],
      remediation: [FIX.sysmonProcessAccess, FIX.sysmonInstall],
    });
  } else if (t.sysmon10.events > 0) {
    if (t.sysmon10.withCallTrace === 0) {
      gaps.push({
        id: 'sysmon-10-no-calltrace',
        severity: 'blocking',
        message: `Sysmon 10 without CallTrace (${t.sysmon10.events} events, none with a call trace): the cmlua.dll CallTrace detection (SIG-03) cannot fire`,
        detections: ['SIG-03', 'ELA-07'],
        category: 'process_access',
        source: 'sysmon',
        fields: ['CallTrace'],
        remediation: [FIX.sysmonProcessAccess],
      });
    }
    if (t.sysmon10.targetLsass === t.sysmon10.events) {
      gaps.push({
        id: 'sysmon-10-lsass-only',
        severity: 'degraded',
        message: `every Sysmon 10 event (${t.sysmon10.events}) targets lsass.exe: the configuration collects credential access only, while the CMSTP access goes from DllHost.exe to the elevated child (SIG-03)`,
        detections: ['SIG-03', 'ELA-07'],
        category: 'process_access',
        source: 'sysmon',
        fields: [],
        remediation: [FIX.sysmonProcessAccess],
      });
    }
  }
  if (t.sysmon7.events === 0 && t.imageLoadOther === 0) {
    gaps.push({
      id: 'sysmon-7-missing',
      severity: 'blocking',
      message: 'no image loads (Sysmon 7, Defender DeviceImageLoadEvents, ECS library) in these logs: the DLL-load detections (SIG-07 DLL from a user-writable path, SIG-11 CLR in cmstp.exe, SPL-01 cmlua/cmstplua loaded outside cmstp, EPA-01 scrobj.dll) cannot fire',
      detections: ['SIG-07', 'SIG-11', 'SPL-01', 'SPL-05', 'EPA-01', 'EPA-06'],
      category: 'image_load',
      source: 'sysmon',
      fields: [],
      remediation: [FIX.sysmonImageLoad],
    });
  } else if (t.sysmon7.events > 0 && t.sysmon7.cmstp + t.sysmon7.dllhost === 0) {
    gaps.push({
      id: 'sysmon-7-no-cmstp',
      severity: 'info',
      message: `Sysmon 7 is present (${t.sysmon7.events} events) but none for cmstp.exe or dllhost.exe: either they did not run in this window or the ImageLoad filter leaves them out`,
      detections: ['SIG-07', 'SIG-11', 'EPA-01'],
      category: 'image_load',
      source: 'sysmon',
      fields: [],
      remediation: [FIX.sysmonImageLoad],
    });
  }
  const net = t.network.sysmon3 + t.network.security5156 + t.network.mde + t.network.ecs;
  if (net === 0) {
    gaps.push({
      id: 'network-missing',
      severity: 'blocking',
      message: 'no network-connection events (Sysmon 3, Security 5156, Defender DeviceNetworkEvents): the cmstp.exe outbound-connection detections (SIG-08, CAR-01, ELA-04) cannot fire',
      detections: ['SIG-08', 'CAR-01', 'ELA-04', 'SPL-02', 'SUMO-02'],
      category: 'network_connection',
      source: null,
      fields: [],
      remediation: [FIX.sysmonNetwork, FIX.auditFilteringPlatform],
    });
  } else if (t.cmstpRuns > 0 && t.network.cmstp === 0) {
    gaps.push({
      id: 'network-no-cmstp',
      severity: 'info',
      message: `cmstp.exe process creation is logged (${t.cmstpRuns} events) but no connection by it was logged: with cmstp.exe in the NetworkConnect include list this means it made none (a remote INF or SCT would show one)`,
      detections: ['SIG-08', 'CAR-01'],
      category: 'network_connection',
      source: null,
      fields: [],
      remediation: [FIX.sysmonNetwork],
    });
  }
  if (t.dns.events === 0) {
    gaps.push({
      id: 'dns-missing',
      severity: 'degraded',
      message: 'no DNS query events (Sysmon 22, Defender DnsRequest, ECS dns): name lookups by cmstp.exe for a remote INF or scriptlet (ELA-05) cannot be seen',
      detections: ['ELA-05', 'EPA-10'],
      category: 'dns_query',
      source: null,
      fields: [],
      remediation: [FIX.sysmonDns],
    });
  }
  const reg = t.registry.sysmon + t.registry.security4657 + t.registry.mde + t.registry.ecs;
  if (reg === 0) {
    gaps.push({
      id: 'registry-missing',
      severity: 'blocking',
      message: 'no registry events (Sysmon 12/13/14, Security 4657, Defender DeviceRegistryEvents): the App Paths\\cmmgr32.exe profile-install detection (SIG-02) and the CmstpExtensionDll sideload cannot be seen',
      detections: ['SIG-02', 'LOL-01'],
      category: 'registry_event',
      source: null,
      fields: [],
      remediation: [FIX.sysmonRegistry, FIX.auditRegistry],
    });
  }
  const files = t.file.sysmon + t.file.mde + t.file.ecs + t.file.security;
  if (files === 0) {
    gaps.push({
      id: 'file-missing',
      severity: 'degraded',
      message: 'no file events (Sysmon 11, Defender DeviceFileEvents): INF/SCT drops before cmstp.exe runs, the CLR usage log cmstp.exe.log (SIG-10) and copies of cmstp.exe outside System32 (SIG-15) cannot be seen',
      detections: ['SIG-10', 'SIG-15', 'ELA-03', 'EPA-05'],
      category: 'file_event',
      source: null,
      fields: [],
      remediation: [FIX.sysmonFile],
    });
  }
  if (totals.mde > 0) {
    const missing = ['DeviceProcessEvents', 'DeviceImageLoadEvents', 'DeviceRegistryEvents', 'DeviceNetworkEvents', 'DeviceFileEvents'].filter((x) => (t.defender[x] ?? 0) === 0);
    gaps.push({
      id: 'defender-tables',
      severity: missing.length > 0 ? 'degraded' : 'info',
      message:
        (missing.length > 0 ? `Defender export without ${missing.join(', ')}` : 'Defender export with every table a CMSTP hunt reads') +
        '; Defender has no process-access call trace, so SIG-03 has no Defender equivalent',
      detections: ['SEN-01', 'SIG-03'],
      category: null,
      source: 'mde',
      fields: [],
      remediation: [FIX.defenderTables],
    });
  }
  if (totals.ecs > 0) {
    gaps.push({
      id: 'ecs-notes',
      severity: 'info',
      message: 'ECS documents: the ICMLuaUtil rules need the parent command line (process.parent.command_line / process.parent.args) and library events for scrobj.dll; Sysmon 10 CallTrace arrives only through the Sysmon module',
      detections: ['ELA-02', 'EPA-01', 'ELA-07'],
      category: null,
      source: 'ecs',
      fields: [],
      remediation: [FIX.elastic],
    });
  }
  return gaps.map((g) => ({ ...g, rules: [], hostCount: 0, hosts: [] }));
}
