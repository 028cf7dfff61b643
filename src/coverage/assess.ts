// Per rule: can it fire on these inputs? Its logsource must cover some profile of the events,
// and its condition must be able to hold given the fields those events carry. Judged per
// telemetry source (Sysmon, Security, Defender, ECS, other channels) and host: a rule that can
// fire on Sysmon 1 but not on 4688 without command lines, or on some hosts only, is `partial`.

import type { CompiledRule } from '../detect/compile.js';
import type { SigmaLogsource } from '../sigma/rule.js';
import type { Profile } from './profile.js';
import { detectionFields, satisfiable } from './rule-fields.js';

export type RuleStatus = 'can-fire' | 'cannot-fire' | 'partial';

/** Most host names listed per rule source where it cannot fire (the count is always complete). */
export const MAX_LISTED_HOSTS = 20;

export interface RuleSourceCoverage {
  source: string;
  /** Events of this source the rule's logsource covers. */
  events: number;
  /** Windows event ids (or Defender tables) of those events. */
  eventIds: string[];
  /** True when it can fire on the events of at least one host. */
  canFire: boolean;
  /** Fields the detection needs that the events of the blocked hosts never carry. */
  missingFields: string[];
  /** Hosts with such events, and those of them where it cannot fire. */
  hosts: number;
  hostsBlocked: number;
  /** Up to MAX_LISTED_HOSTS of the blocked hosts (`(no host name)` for events without one). */
  blockedHosts: string[];
}

export interface RuleCoverage {
  id: string | null;
  title: string;
  level: string | null;
  /** `file:line:column` of the rule. */
  file: string;
  logsource: SigmaLogsource;
  /** Every field the detection reads. */
  fields: string[];
  status: RuleStatus;
  reason: string;
  sources: RuleSourceCoverage[];
}

/** Which telemetry produces a logsource category (for "no events for …" reasons). */
const CATEGORY_SOURCES: Readonly<Record<string, string>> = {
  process_creation: 'Sysmon 1, Security 4688, Defender DeviceProcessEvents, ECS process start',
  process_access: 'Sysmon 10 only (no Security, Defender or ECS equivalent with a call trace)',
  image_load: 'Sysmon 7, Defender DeviceImageLoadEvents, ECS library',
  network_connection: 'Sysmon 3, Security 5156, Defender DeviceNetworkEvents, ECS network',
  registry_event: 'Sysmon 12/13/14, Security 4657, Defender DeviceRegistryEvents, ECS registry',
  registry_add: 'Sysmon 12, Defender DeviceRegistryEvents',
  registry_set: 'Sysmon 13, Security 4657, Defender DeviceRegistryEvents, ECS registry',
  registry_delete: 'Sysmon 12, Security 4657, Defender DeviceRegistryEvents',
  registry_rename: 'Sysmon 14',
  file_event: 'Sysmon 11, Defender DeviceFileEvents, ECS file',
  dns_query: 'Sysmon 22, Defender DeviceNetworkEvents (DnsRequest), ECS dns',
  create_remote_thread: 'Sysmon 8',
};

export function describeLogsource(ls: SigmaLogsource): string {
  const parts: string[] = [];
  if (ls.product !== undefined) parts.push(`product ${ls.product}`);
  if (ls.category !== undefined) parts.push(`category ${ls.category}`);
  if (ls.service !== undefined) parts.push(`service ${ls.service}`);
  return parts.length > 0 ? parts.join(', ') : 'no logsource';
}

const events = (n: number): string => `${n} event${n === 1 ? '' : 's'}`;

function label(p: Profile): string {
  return p.table ?? (p.eventId !== null ? String(p.eventId) : (p.category ?? '?'));
}

interface HostAcc {
  events: number;
  ok: boolean;
  missing: Set<string>;
}

export function assessRule(rule: CompiledRule, profiles: readonly Profile[]): RuleCoverage {
  const r = rule.rule;
  const bySource = new Map<string, { events: number; ids: Set<string>; hosts: Map<string, HostAcc> }>();
  for (const p of profiles) {
    if (!rule.applies(p.sample)) continue;
    let s = bySource.get(p.source);
    if (s === undefined) bySource.set(p.source, (s = { events: 0, ids: new Set(), hosts: new Map() }));
    s.events += p.events;
    s.ids.add(label(p));
    const hostName = p.host ?? '(no host name)';
    let h = s.hosts.get(hostName);
    if (h === undefined) s.hosts.set(hostName, (h = { events: 0, ok: false, missing: new Set() }));
    h.events += p.events;
    const sat = satisfiable(r, (f) => (p.presence.get(f) ?? 0) > 0);
    if (sat.ok) h.ok = true;
    else for (const m of sat.missing) h.missing.add(m);
  }
  const sources: RuleSourceCoverage[] = [...bySource]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([source, s]) => {
      const blocked = [...s.hosts].filter(([, h]) => !h.ok).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const missing = new Set(blocked.flatMap(([, h]) => [...h.missing]));
      return {
        source,
        events: s.events,
        eventIds: [...s.ids].sort((a, b) => Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0)),
        canFire: blocked.length < s.hosts.size,
        missingFields: [...missing].sort(),
        hosts: s.hosts.size,
        hostsBlocked: blocked.length,
        blockedHosts: blocked.slice(0, MAX_LISTED_HOSTS).map(([name]) => name),
      };
    });
  const whole = sources.filter((s) => s.hostsBlocked === 0);
  const some = sources.filter((s) => s.canFire && s.hostsBlocked > 0);
  const none = sources.filter((s) => !s.canFire);
  const where = (s: RuleSourceCoverage): string => `${s.source} ${s.eventIds.join('/')} (${events(s.events)})`;
  const never = (s: RuleSourceCoverage): string => (s.missingFields.length > 0 ? s.missingFields.join(', ') : 'what the condition needs');
  const hostList = (s: RuleSourceCoverage): string =>
    `${s.blockedHosts.join(', ')}${s.hostsBlocked > s.blockedHosts.length ? ` and ${s.hostsBlocked - s.blockedHosts.length} more` : ''}`;
  let status: RuleStatus;
  let reason: string;
  if (sources.length === 0) {
    status = 'cannot-fire';
    const hint = r.logsource.category !== undefined ? CATEGORY_SOURCES[r.logsource.category.toLowerCase()] : undefined;
    reason = `no events for its logsource (${describeLogsource(r.logsource)})${hint !== undefined ? `: needs ${hint}` : ''}`;
  } else if (some.length + none.length === 0) {
    status = 'can-fire';
    reason = `its fields are present in ${whole.map(where).join('; ')}`;
  } else if (whole.length + some.length === 0) {
    status = 'cannot-fire';
    reason = none.map((s) => `${where(s)} never carries ${never(s)}`).join('; ');
  } else {
    status = 'partial';
    const parts: string[] = [];
    if (whole.length > 0) parts.push(`can fire on ${whole.map(where).join('; ')}`);
    for (const s of some) parts.push(`on ${where(s)} only on ${s.hosts - s.hostsBlocked} of ${s.hosts} hosts (not on ${hostList(s)}: no ${never(s)})`);
    for (const s of none) parts.push(`not on ${where(s)}: it never carries ${never(s)}`);
    reason = parts.join('; ');
  }
  return {
    id: r.id ?? null,
    title: r.title,
    level: r.level ?? null,
    file: `${r.file}:${r.pos.line}:${r.pos.column}`,
    logsource: r.logsource,
    fields: detectionFields(r),
    status,
    reason,
    sources,
  };
}
