// Incidents: CMSTP and elevated-COM chains assembled from process lineage and the events around
// it. Every event goes through `observe` (in read order), every rule match through `addMatch`;
// `finish` links each elevated COM host (DllHost /Processid:{CLSID}) to the cmstp.exe run that
// drove it (the host's parent is DcomLaunch, so the link is by host and time), collects the
// elevated children and their descendants, folds the CMSTP/UAC-bypass rule matches on the chain
// into one incident, and rates it. Chains are found from lineage alone: no rule needs to fire and
// cmstp.exe need not have run (UACME method 41).

import { createHash } from 'node:crypto';
import type { ChainProcess, Finding, FindingEvent, FindingRule, RiskFactor, Triage } from '../detect/finding.js';
import { Fields } from '../events/fields.js';
import type { Event } from '../events/model.js';
import { ProcessTree, actorOf, creationOf, targetOf, timeMs, type ProcessNode, type TreeOptions, type TreeStats } from '../lineage/index.js';
import { text } from '../lineage/record.js';
import type { SigmaLevel } from '../sigma/rule.js';
import { isBenignElevatedChild, type ElevatedClass } from './com.js';
import { comClassOf, extensionDllWrite, isActivityKind, isCmstp, isNotElevated, roleOfActivity, type Role } from './evidence.js';
import { argumentsOf, chainFactors, levelFor, scoreOf, type ChainFacts, type CmstpFacts } from './risk.js';
import { triageFor } from './triage.js';

/** Techniques whose matches may be folded into an incident. */
export const PACK_TECHNIQUES: readonly string[] = ['T1218.003', 'T1548.002'];

export interface IncidentOptions {
  tree?: TreeOptions;
  /** Most evidence events kept (whole events); beyond it they are dropped and counted. Default 20 000. */
  maxEvidence?: number;
  /** Most elevated processes kept while their parent is unknown. Default 5 000. */
  maxPending?: number;
  /** File writes remembered per scan to find the one that staged a cmstp.exe INF (default 20,000; oldest forgotten). */
  maxStagedFiles?: number;
  /** Most pack matches kept until `finish` (beyond it they are counted and left alone). Default 50 000. */
  maxMatches?: number;
  /** Most activity events kept per process of a chain. Default 25. */
  maxActivityPerProcess?: number;
  /** How long after a cmstp.exe start a COM host's activity still belongs to it. Default 120 s. */
  linkWindowMs?: number;
  /** Most processes in one chain. Default 64. */
  maxChain?: number;
  /** Most events in one incident. Default 200. */
  maxEvents?: number;
  /** Include each event's original fields. */
  raw?: boolean;
}

export interface IncidentStats {
  events: number;
  evidence: number;
  evidenceDropped: number;
  pendingDropped: number;
  matches: number;
  matchesDropped: number;
  incidents: number;
  absorbed: number;
  enriched: number;
  relinked: number;
  lineage: TreeStats;
}

export interface Enrichment {
  level: SigmaLevel | null;
  factors: RiskFactor[];
  triage?: Triage;
}

export interface IncidentResult {
  incidents: Finding[];
  absorbed: ReadonlySet<string>;
  enriched: ReadonlyMap<string, Enrichment>;
  stats: IncidentStats;
}

interface Kept {
  event: Event;
  role: Role;
  key: string;
  /** The process the event creates (process creations) or acts as. */
  nodeId: number | null;
  ms: number | null;
  /** Read order, to keep events of the same instant in the order the log had them. */
  seq: number;
}

interface Match {
  finding: Finding;
  event: Event;
  key: string;
  seq: number;
}

/** A stable id for the incident logic, so incidents group like rule findings do. */
export const INCIDENT_RULE_ID = '5d1c8e0a-3f47-4b8e-9a3c-6c2f1b7e4d90';

function originKey(e: Event): string {
  const o = e.origin;
  return `${o.path}\u0000${o.recordId ?? ''}\u0000${o.line ?? ''}\u0000${o.offset ?? ''}`;
}

const ELEVATED_CHILD_ROLE: Role = 'elevated child';

/** What incidents are built from: process lineage and the activity around it. Nothing else is observed. */
const OBSERVED_CATEGORIES: ReadonlySet<string> = new Set([
  'process_creation',
  'process_termination',
  'process_access',
  'create_remote_thread',
  'network_connection',
  'dns_query',
  'file_event',
  'registry_add',
  'registry_set',
  'registry_delete',
  'registry_rename',
]);

/**
 * The fields `observe` and the chain logic read from events (see
 * lineage/record.ts and evidence.ts). Worker threads send such events with these fields only;
 * the few that become evidence are read again whole in `finish`.
 */
const SLIM_FIELDS: readonly string[] = [
  'ProcessGuid', 'ProcessId', 'Image',
  'SourceProcessGUID', 'SourceProcessGuid', 'SourceProcessId', 'SourceImage',
  'TargetProcessGUID', 'TargetProcessGuid', 'TargetProcessId', 'TargetImage',
  'TargetObject', 'TargetFilename', 'DestinationIp', 'Initiated', 'CallTrace', 'User',
  // Process creations: what lineage/record.ts makes a node of.
  'CommandLine', 'OriginalFileName', 'IntegrityLevel', 'TokenElevationType',
  'ParentProcessGuid', 'ParentProcessId', 'ParentImage', 'ParentCommandLine', 'ParentUser', 'ParentIntegrityLevel', 'ParentOriginalFileName',
  'ProcessCreationTime', 'InitiatingProcessCreationTime', 'process.start', 'process.parent.start',
];

/**
 * The slim form of an event held on the chance it becomes evidence (pending creations, file
 * writes): thousands are held and few are used, and `finish` reads those again whole. Only EVTX
 * records can be read again; other events are held whole.
 */
function compact(event: Event): Event {
  if (event.partial === true || event.origin.format !== 'evtx' || event.origin.offset === null) return event;
  const fields = new Fields();
  for (const name of SLIM_FIELDS) {
    const v = event.fields.get(name);
    if (v !== undefined) fields.set(name, v);
  }
  return { ...event, fields, raw: fields, partial: true };
}

/** Processes the incident builder's lineage keeps (TreeOptions.maxNodes). */
export const DEFAULT_LINEAGE_NODES = 20_000;

export class IncidentBuilder {
  /** For the scan: events of other categories need not be decoded or passed on. */
  readonly categories: ReadonlySet<string> = OBSERVED_CATEGORIES;
  /** Every observed event may come slim: nodes are made of SLIM_FIELDS, evidence is read again whole. */
  readonly slim = { fields: SLIM_FIELDS, whole: new Set<string>() as ReadonlySet<string> };
  private resolve: (event: Event) => Event = (e) => e;
  private readonly tree: ProcessTree;
  private readonly opts: Required<Omit<IncidentOptions, 'tree'>>;
  private readonly kept: Kept[] = [];
  private readonly keptKeys = new Set<string>();
  private readonly pending: Kept[] = [];
  /** host + lower-cased path → the latest write of that file (insertion order = age, for the cap). */
  private readonly staged = new Map<string, Kept>();
  /** Staged writes in write order, as key, seq pairs (an older pair of a rewritten key is stale). */
  private stagedAge: Array<string | number> = [];
  private stagedHead = 0;
  private readonly matches: Match[] = [];
  /** Nodes whose creation is evidence: their children and activity are kept too. */
  private readonly interesting = new Set<number>();
  private readonly activityCount = new Map<number, number>();
  private readonly counters = { events: 0, evidenceDropped: 0, pendingDropped: 0, matches: 0, matchesDropped: 0 };

  constructor(options: IncidentOptions = {}) {
    // The tree is the scan's one state that grows with the input: 20 000 processes (the oldest
    // evicted first, and counted) keep a 1 GB scan's memory flat; chains span seconds, not days.
    this.tree = new ProcessTree({ maxNodes: DEFAULT_LINEAGE_NODES, ...options.tree });
    this.opts = {
      maxEvidence: options.maxEvidence ?? 20_000,
      maxPending: options.maxPending ?? 5_000,
      maxStagedFiles: options.maxStagedFiles ?? 20_000,
      maxMatches: options.maxMatches ?? 50_000,
      maxActivityPerProcess: options.maxActivityPerProcess ?? 25,
      linkWindowMs: options.linkWindowMs ?? 120_000,
      maxChain: options.maxChain ?? 64,
      maxEvents: options.maxEvents ?? 200,
      raw: options.raw ?? false,
    };
  }

  /** The process tree (read-only use: tests and reports). */
  get lineage(): ProcessTree {
    return this.tree;
  }

  observe(event: Event): void {
    this.counters.events++;
    const seq = this.counters.events;
    const node = this.tree.observe(event);
    if (node !== null) {
      const role = this.roleOfCreation(node);
      const k: Kept = { event, role: role ?? 'descendant', key: originKey(event), nodeId: node.id, ms: timeMs(event.time ?? undefined), seq };
      if (role !== null) {
        this.keep(k);
        this.interesting.add(node.id);
      } else if (!isNotElevated(node)) {
        // Its parent may only show up later (another file, another source): look again at the end.
        this.pending.push({ ...k, event: compact(k.event) });
        this.tree.pin(node.id);
        if (this.pending.length > this.opts.maxPending) {
          const dropped = this.pending.shift()!;
          if (!this.keptKeys.has(dropped.key)) this.tree.unpin(dropped.nodeId);
          this.counters.pendingDropped++;
        }
      }
      return;
    }
    if (event.category === 'process_termination') return;
    const role = roleOfActivity(event);
    if (role !== null) {
      this.keep({ event, role, key: originKey(event), nodeId: null, ms: timeMs(event.time ?? undefined), seq });
      return;
    }
    if (event.category === 'file_event') this.rememberFile(event, seq);
    if (!isActivityKind(event)) return;
    const actor = this.tree.actor(event);
    if (actor === null || !this.interesting.has(actor.id)) return;
    const n = this.activityCount.get(actor.id) ?? 0;
    if (n >= this.opts.maxActivityPerProcess) return;
    this.activityCount.set(actor.id, n + 1);
    this.keep({ event, role: 'process activity', key: originKey(event), nodeId: actor.id, ms: timeMs(event.time ?? undefined), seq });
  }

  addMatch(finding: Finding, event: Event): void {
    if (finding.kind !== 'match') return;
    if (!finding.techniques.some((t) => PACK_TECHNIQUES.includes(t))) return;
    if (this.matches.length >= this.opts.maxMatches) {
      this.counters.matchesDropped++;
      return;
    }
    this.counters.matches++;
    this.matches.push({ finding, event, key: originKey(event), seq: this.counters.events });
  }

  /** Only pack matches can be folded or re-rated: the scan streams the others at once. */
  holds(finding: Finding): boolean {
    return finding.techniques.some((t) => PACK_TECHNIQUES.includes(t));
  }

  finish(resolve?: (event: Event) => Event): IncidentResult {
    if (resolve !== undefined) this.resolve = resolve;
    const relinked = this.tree.relink();
    this.reexaminePending();
    const groups = this.buildGroups();
    const absorbed = new Set<string>();
    const incidents: Finding[] = [];
    const matchesByKey = new Map<string, Match[]>();
    for (const m of this.matches) {
      const list = matchesByKey.get(m.key);
      if (list === undefined) matchesByKey.set(m.key, [m]);
      else list.push(m);
    }
    for (const g of groups) {
      const f = this.toFinding(g, matchesByKey);
      for (const id of f.absorbedIds) absorbed.add(id);
      incidents.push(f.finding);
    }
    incidents.sort((a, b) => ((a.timestamp ?? '') < (b.timestamp ?? '') ? -1 : (a.timestamp ?? '') > (b.timestamp ?? '') ? 1 : 0));
    const enriched = new Map<string, Enrichment>();
    for (const m of this.matches) {
      if (absorbed.has(m.finding.id) || enriched.has(m.finding.id)) continue;
      enriched.set(m.finding.id, this.enrich(m));
    }
    return {
      incidents,
      absorbed,
      enriched,
      stats: {
        events: this.counters.events,
        evidence: this.kept.length,
        evidenceDropped: this.counters.evidenceDropped,
        pendingDropped: this.counters.pendingDropped,
        matches: this.counters.matches,
        matchesDropped: this.counters.matchesDropped,
        incidents: incidents.length,
        absorbed: absorbed.size,
        enriched: enriched.size,
        relinked,
        lineage: this.tree.stats,
      },
    };
  }

  // --- observing ---------------------------------------------------------------------------

  private rememberFile(event: Event, seq: number): void {
    const file = text(event.fields.get('TargetFilename'));
    if (file === null) return;
    const key = `${(event.host ?? '').toLowerCase()}\u0000${file.toLowerCase()}`;
    this.staged.set(key, { event: compact(event), role: 'INF written', key: originKey(event), nodeId: null, ms: timeMs(event.time ?? undefined), seq });
    // Age order kept on the side: re-inserting into the Map to move a key to its end, and taking
    // the Map's first key, both walk the holes deletes leave (quadratic at the cap).
    this.stagedAge.push(key, seq);
    while (this.staged.size > this.opts.maxStagedFiles && this.stagedHead < this.stagedAge.length) {
      const k = this.stagedAge[this.stagedHead++] as string;
      const s = this.stagedAge[this.stagedHead++] as number;
      if (this.staged.get(k)?.seq === s) this.staged.delete(k);
    }
    if (this.stagedHead > 8192 && this.stagedHead * 2 > this.stagedAge.length) {
      this.stagedAge = this.stagedAge.slice(this.stagedHead);
      this.stagedHead = 0;
    }
  }

  /** The write that staged the file cmstp.exe was given, on its host and before it ran. */
  private stagedInf(cmstp: ProcessNode): Kept | null {
    const file = argumentsOf(cmstp.commandLine ?? '').find((a) => !/^[/-][a-z:]+$/i.test(a));
    if (file === undefined) return null;
    const k = this.staged.get(`${(cmstp.host ?? '').toLowerCase()}\u0000${file.toLowerCase()}`);
    if (k === undefined) return null;
    const start = cmstp.startMs ?? cmstp.seenMs;
    return k.ms !== null && start !== null && k.ms > start ? null : k;
  }

  private keep(k: Kept): void {
    if (this.keptKeys.has(k.key)) return;
    if (this.kept.length >= this.opts.maxEvidence) {
      this.counters.evidenceDropped++;
      return;
    }
    this.kept.push(k);
    this.keptKeys.add(k.key);
    // Evidence nodes and their parents (the launcher) must outlive the lineage cap until `finish`.
    const n = this.tree.node(k.nodeId);
    if (n !== null) {
      this.tree.pin(n.id);
      this.tree.pin(n.parentId);
    }
  }

  private roleOfCreation(n: ProcessNode): Role | null {
    if (isCmstp(n)) return 'cmstp launch';
    if (comClassOf(n) !== null) return 'COM elevation host';
    const parent = this.tree.parent(n);
    if (parent === null) return null;
    if (isCmstp(parent)) return 'cmstp child';
    if (comClassOf(parent) !== null) return isNotElevated(n) || isBenignElevatedChild(n.image, n.commandLine) ? null : ELEVATED_CHILD_ROLE;
    if (this.interesting.has(parent.id)) return 'descendant';
    return null;
  }

  private reexaminePending(): void {
    const items = [...this.pending].sort((a, b) => (a.ms ?? 0) - (b.ms ?? 0));
    // Two passes: a pending child may hang below a pending parent.
    for (let pass = 0; pass < 2; pass++) {
      for (const k of items) {
        if (this.keptKeys.has(k.key)) continue;
        const n = this.tree.node(k.nodeId);
        if (n === null) continue;
        const role = this.roleOfCreation(n);
        if (role === null) continue;
        this.keep({ ...k, role, nodeId: n.id });
        this.interesting.add(n.id);
      }
    }
  }

  // --- assembling --------------------------------------------------------------------------

  /** The node an evidence event is about, resolved now that every event has been read. */
  private nodeOf(k: Kept): ProcessNode | null {
    const n = this.tree.node(k.nodeId);
    if (n !== null) return n;
    return this.tree.find(actorOf(k.event));
  }

  private buildGroups(): Group[] {
    const hosts = new Map<number, ProcessNode>();
    const cmstps = new Map<number, ProcessNode>();
    const activityBy = new Map<number, Kept[]>();
    for (const k of this.kept) {
      const n = this.nodeOf(k);
      if (n === null) continue;
      if (k.role !== 'cmstp launch' && k.role !== 'COM elevation host' && k.event.category !== 'process_creation') {
        const list = activityBy.get(n.id);
        if (list === undefined) activityBy.set(n.id, [k]);
        else list.push(k);
      }
      if (isCmstp(n)) cmstps.set(n.id, n);
      if (comClassOf(n) !== null) hosts.set(n.id, n);
      const p = this.tree.parent(n);
      if (p !== null && comClassOf(p) !== null) hosts.set(p.id, p);
      if (p !== null && isCmstp(p)) cmstps.set(p.id, p);
    }
    // cmstp runs per host, by start time, to link COM host activity to the run that caused it.
    const runsByHost = new Map<string, ProcessNode[]>();
    for (const c of cmstps.values()) {
      const list = runsByHost.get(c.host) ?? [];
      list.push(c);
      runsByHost.set(c.host, list);
    }
    for (const list of runsByHost.values()) list.sort((a, b) => (a.startMs ?? 0) - (b.startMs ?? 0));
    const runFor = (host: ProcessNode, at: number | null): ProcessNode | null => {
      if (at === null || !(comClassOf(host)?.cmstp ?? false)) return null;
      let best: ProcessNode | null = null;
      for (const c of runsByHost.get(host.host) ?? []) {
        if (c.startMs === null || c.startMs > at + 1000 || at > c.startMs + this.opts.linkWindowMs) continue;
        if (c.endMs !== null && c.endMs + 1000 < at) continue;
        best = c;
      }
      return best;
    };

    const groups = new Map<string, Group>();
    const groupFor = (cmstp: ProcessNode | null, host: ProcessNode | null): Group => {
      const id = `${cmstp?.id ?? '-'}:${host?.id ?? '-'}`;
      let g = groups.get(id);
      if (g === undefined) {
        g = { cmstp, host, comClass: host === null ? null : comClassOf(host), elevated: [], activity: [] };
        groups.set(id, g);
      }
      return g;
    };
    const linkedRuns = new Set<number>();
    for (const h of hosts.values()) {
      for (const c of this.tree.children(h)) {
        if (isNotElevated(c) || isBenignElevatedChild(c.image, c.commandLine)) continue;
        const run = runFor(h, c.startMs);
        if (run !== null) linkedRuns.add(run.id);
        groupFor(run, h).elevated.push(c);
      }
      for (const k of activityBy.get(h.id) ?? []) {
        const run = runFor(h, k.ms);
        if (run !== null) linkedRuns.add(run.id);
        groupFor(run, h).activity.push(k);
      }
      if (!h.inferred && h.startMs !== null) {
        const run = runFor(h, h.startMs);
        if (run !== null) {
          linkedRuns.add(run.id);
          groupFor(run, h);
        }
      }
    }
    for (const c of cmstps.values()) {
      if (linkedRuns.has(c.id)) continue;
      const g = groupFor(c, null);
      g.activity.push(...(activityBy.get(c.id) ?? []));
    }
    // A chain needs two linked pieces: a COM host with an elevated child or CMSTP-specific
    // activity, or a cmstp.exe run with a child, a connection, or a profile write.
    return [...groups.values()].filter((g) => {
      if (g.host !== null) return g.elevated.length > 0 || g.cmstp !== null || g.activity.some((k) => k.role === 'profile registry write' || k.role === 'COM call trace');
      if (g.cmstp === null) return false;
      return this.tree.children(g.cmstp).length > 0 || g.activity.some((k) => k.role !== 'process activity');
    });
  }

  private toFinding(g: Group, matchesByKey: Map<string, Match[]>): { finding: Finding; absorbedIds: string[] } {
    // The chain: cmstp.exe's parent and cmstp.exe, the COM host, the elevated processes and their
    // descendants (cmstp.exe's own children when there is no host), oldest first.
    const chainNodes: ProcessNode[] = [];
    const add = (n: ProcessNode | null): void => {
      if (n !== null && !chainNodes.includes(n) && chainNodes.length < this.opts.maxChain) chainNodes.push(n);
    };
    if (g.cmstp !== null) {
      add(this.tree.parent(g.cmstp));
      add(g.cmstp);
    }
    add(g.host);
    const tops = g.host !== null ? g.elevated : g.cmstp !== null ? this.tree.children(g.cmstp) : [];
    for (const e of [...tops].sort((a, b) => (a.startMs ?? 0) - (b.startMs ?? 0))) {
      add(e);
      for (const d of this.tree.descendants(e, this.opts.maxChain)) add(d);
    }
    if (g.cmstp !== null && g.host !== null) for (const c of this.tree.children(g.cmstp)) add(c);
    const inChain = new Set(chainNodes.map((n) => n.id));

    // Evidence: kept events about chain processes (host activity only as assigned to this group).
    const evidence: Kept[] = [];
    const seen = new Set<string>();
    const push = (k: Kept): void => {
      if (seen.has(k.key) || evidence.length >= this.opts.maxEvents) return;
      seen.add(k.key);
      evidence.push(k);
    };
    const launcher = g.cmstp === null ? null : this.tree.parent(g.cmstp);
    for (const k of this.kept) {
      if (k.event.category !== 'process_creation') continue;
      const n = this.tree.node(k.nodeId);
      if (n !== null && inChain.has(n.id) && n !== launcher) push({ ...k, role: this.roleIn(g, n, k.role) });
    }
    for (const k of g.activity) push(k);
    if (g.cmstp !== null) {
      for (const k of this.kept) {
        if (k.event.category === 'process_creation' || k.role === 'profile registry write') continue;
        const n = this.nodeOf(k);
        if (n !== null && inChain.has(n.id) && n !== g.host) push(k);
        else if (k.role === 'COM call trace') {
          const t = targetOf(k.event);
          const target = t === null ? null : this.tree.find(t);
          if (target !== null && inChain.has(target.id)) push(k);
        }
      }
    } else {
      for (const k of this.kept) {
        if (k.event.category === 'process_creation') continue;
        const n = this.nodeOf(k);
        if (n !== null && inChain.has(n.id) && n !== g.host) push(k);
      }
    }

    if (g.cmstp !== null) {
      const inf = this.stagedInf(g.cmstp);
      if (inf !== null) push(inf);
    }

    // Members: pack matches on an evidence event, or on an event about a chain process.
    const members: FindingRule[] = [];
    const memberTriage: Array<Triage | undefined> = [];
    const absorbedIds: string[] = [];
    const techniques: string[] = [];
    if (g.cmstp !== null) techniques.push('T1218.003');
    if (g.host !== null) techniques.push('T1548.002');
    const fold = (m: Match): void => {
      if (absorbedIds.includes(m.finding.id)) return;
      absorbedIds.push(m.finding.id);
      if (!members.some((r) => r.id === m.finding.rule.id && r.title === m.finding.rule.title)) members.push(m.finding.rule);
      memberTriage.push(m.finding.triage);
      for (const t of m.finding.techniques) if (!techniques.includes(t)) techniques.push(t);
    };
    for (const k of evidence) for (const m of matchesByKey.get(k.key) ?? []) fold(m);
    for (const m of this.matches) {
      if (absorbedIds.includes(m.finding.id)) continue;
      const n = this.subjectOf(m.event);
      if (n === null || !inChain.has(n.id)) continue;
      if (n === launcher) continue;
      fold(m);
      push({ event: m.event, role: roleOfActivity(m.event) ?? 'rule match', key: m.key, nodeId: n.id, ms: timeMs(m.event.time ?? undefined), seq: m.seq });
    }

    evidence.sort((a, b) => (a.ms ?? 0) - (b.ms ?? 0) || a.seq - b.seq);
    const events: FindingEvent[] = evidence.map((k) => {
      const whole = this.resolve(k.event);
      const ev: FindingEvent = { source: whole.origin, fields: whole.fields.toObject(), role: k.role };
      if (this.opts.raw) ev.raw = whole.raw.toObject();
      return ev;
    });
    const chain: ChainProcess[] = chainNodes
      .sort((a, b) => (a.startMs ?? a.seenMs ?? 0) - (b.startMs ?? b.seenMs ?? 0))
      .map((n) => ({
        image: n.image,
        commandLine: n.commandLine,
        pid: n.pid,
        guid: n.guid,
        integrity: n.integrity,
        user: n.user,
        time: n.time,
        event: this.eventIndexOf(n, evidence),
      }));

    const facts = this.factsOf(g, evidence);
    const factors = chainFactors(facts);
    const level = levelFor(scoreOf(factors));
    const first = evidence[0];
    const idSource = chainNodes.map((n) => n.guid ?? `${n.pid ?? '?'}@${n.startMs ?? n.seenMs ?? '?'}`).join('|');
    const rule: FindingRule = {
      id: INCIDENT_RULE_ID,
      title: titleOf(g),
      level,
      tags: techniques.map((t) => `attack.${t.toLowerCase()}`),
      description:
        'A CMSTP or elevated-COM chain assembled from process lineage: cmstp.exe, the auto-elevated COM host it drives (DllHost /Processid:{CLSID}), the processes that host started elevated and their descendants, with the rule matches on them.',
    };
    const finding: Finding = {
      id: createHash('sha256').update(`incident\u0000${g.cmstp?.host ?? g.host?.host ?? ''}\u0000${idSource}`).digest('hex').slice(0, 32),
      kind: 'incident',
      rule,
      level,
      timestamp: first?.event.time ?? g.cmstp?.time ?? g.host?.time ?? null,
      host: first?.event.host ?? null,
      events,
      techniques,
      members,
      chain,
      factors,
    };
    if (g.comClass !== null) finding.clsid = `{${g.comClass.clsid}}`;
    const triage = triageFor(factors, memberTriage);
    if (triage !== undefined) finding.triage = triage;
    return { finding, absorbedIds };
  }

  private roleIn(g: Group, n: ProcessNode, fallback: Role): Role {
    if (n === g.cmstp) return 'cmstp launch';
    if (n === g.host) return 'COM elevation host';
    if (g.elevated.includes(n)) return ELEVATED_CHILD_ROLE;
    const p = this.tree.parent(n);
    if (p !== null && p === g.cmstp) return 'cmstp child';
    return fallback === 'cmstp launch' || fallback === 'COM elevation host' ? 'descendant' : fallback;
  }

  /** The event that shows a process: its creation, else (a process known from its children) the first thing it did. */
  private eventIndexOf(n: ProcessNode, evidence: readonly Kept[]): number | null {
    const i = evidence.findIndex((k) => k.event.category === 'process_creation' && this.tree.node(k.nodeId) === n);
    if (i >= 0) return i;
    const j = evidence.findIndex((k) => k.event.category !== 'process_creation' && this.nodeOf(k) === n);
    return j < 0 ? null : j;
  }

  /** The process a matched event is about: the one it creates, or the one acting. */
  private subjectOf(event: Event): ProcessNode | null {
    const c = creationOf(event);
    if (c !== null) return this.tree.find({ host: c.host, guid: c.guid, pid: c.pid, atMs: c.startMs, startMs: c.startMs });
    return this.tree.find(actorOf(event));
  }

  private cmstpFacts(n: ProcessNode): CmstpFacts {
    const p = this.tree.parent(n);
    return {
      image: n.image,
      commandLine: n.commandLine,
      originalFileName: n.originalFileName,
      parentImage: p?.image ?? null,
      parentCommandLine: p?.commandLine ?? null,
      // Explicitly High/System (or a full token): unknown stays null, as lineage records it.
      elevated: !isNotElevated(n) && (n.integrity !== null || n.elevation !== null),
    };
  }

  private factsOf(g: Group, evidence: readonly Kept[]): ChainFacts {
    const connections: string[] = [];
    for (const k of evidence) {
      if (k.event.category !== 'network_connection') continue;
      const n = this.nodeOf(k);
      if (n === null || !isCmstp(n)) continue;
      const ip = text(k.event.fields.get('DestinationIp'));
      if (ip !== null && k.event.fields.get('Initiated') !== false && text(k.event.fields.get('Initiated')) !== 'false') connections.push(ip);
    }
    return {
      cmstp: g.cmstp === null ? null : this.cmstpFacts(g.cmstp),
      comClass: g.comClass,
      elevated: g.elevated.map((e) => ({ image: e.image, commandLine: e.commandLine })),
      cmstpChildren: g.cmstp === null ? 0 : this.tree.children(g.cmstp).length,
      connections,
      callTrace: evidence.some((k) => k.role === 'COM call trace'),
      profileRegistry: evidence.some((k) => k.role === 'profile registry write'),
      extensionDll: evidence.some((k) => extensionDllWrite(k.event)),
    };
  }

  /** Factors, level and triage for a pack match left standalone (no chain around it). */
  private enrich(m: Match): Enrichment {
    const n = this.subjectOf(m.event);
    const parent = n === null ? null : this.tree.parent(n);
    let cmstp: ProcessNode | null = null;
    let host: ProcessNode | null = null;
    let elevated: ProcessNode[] = [];
    if (n !== null) {
      if (isCmstp(n)) cmstp = n;
      else if (parent !== null && isCmstp(parent)) cmstp = parent;
      if (comClassOf(n) !== null) host = n;
      else if (parent !== null && comClassOf(parent) !== null) {
        host = parent;
        if (!isNotElevated(n) && !isBenignElevatedChild(n.image, n.commandLine)) elevated = [n];
      }
    }
    const role = roleOfActivity(m.event);
    const ip = role === 'cmstp network' ? text(m.event.fields.get('DestinationIp')) : null;
    const facts: ChainFacts = {
      cmstp: cmstp === null ? null : this.cmstpFacts(cmstp),
      comClass: host === null ? null : comClassOf(host),
      elevated: elevated.map((e) => ({ image: e.image, commandLine: e.commandLine })),
      cmstpChildren: cmstp !== null && cmstp !== n ? 1 : 0,
      connections: ip === null ? [] : [ip],
      callTrace: role === 'COM call trace',
      profileRegistry: role === 'profile registry write',
      extensionDll: extensionDllWrite(m.event),
    };
    const factors = chainFactors(facts);
    // Without a CMSTP fact to rate (a file or registry event on its own), the rule's level stands.
    const out: Enrichment = { level: factors.length === 0 ? m.finding.level : levelFor(scoreOf(factors)), factors };
    const triage = triageFor(factors, [m.finding.triage]);
    if (triage !== undefined) out.triage = triage;
    return out;
  }
}

interface Group {
  cmstp: ProcessNode | null;
  host: ProcessNode | null;
  comClass: ElevatedClass | null;
  elevated: ProcessNode[];
  activity: Kept[];
}

function titleOf(g: Group): string {
  const cls = g.comClass?.name ?? '';
  if (g.cmstp !== null && g.host !== null) return `CMSTP UAC bypass: cmstp.exe drove the elevated COM host ${cls}${g.elevated.length > 0 ? ', which started an elevated process' : ''}`;
  if (g.host !== null) return `UAC bypass through the elevated COM interface ${cls}${g.elevated.length > 0 ? ': elevated process started by its DllHost' : ''}`;
  return 'CMSTP proxy execution: cmstp.exe with children, connections or profile writes';
}

