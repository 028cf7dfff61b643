// The shape every later stage (reports, exports, tests) reads from a scan: one `Finding` per
// rule match, correlation or incident. Plain data, JSON-serialisable, null-prototype field maps.

import type { FieldValue } from '../events/fields.js';
import type { Origin } from '../events/origin.js';
import type { SigmaLevel } from '../sigma/rule.js';

export interface FindingEvent {
  source: Origin;
  /** The canonical fields (the event model's `fields`). */
  fields: Record<string, FieldValue>;
  /** The original fields, when the scan was asked for them. */
  raw?: Record<string, FieldValue>;
  /** Why this event is evidence, for incidents: `cmstp launch`, `COM elevation`, `elevated child`, … */
  role?: string;
}

export interface FindingRule {
  id: string | null;
  title: string;
  level: SigmaLevel | null;
  tags: string[];
  /** The rule's description, false positives and references, when it has them. */
  description?: string;
  falsepositives?: string[];
  references?: string[];
}

/** One reason a finding is rated as it is: a command-line flag, an elevation, a renamed binary, … */
export interface RiskFactor {
  /** Stable key: `silent-install`, `auto-elevate`, `inf-user-writable`, `remote-inf`, … */
  code: string;
  /** One line a person reads. */
  description: string;
  /** The points it adds (the level follows from the sum). */
  weight: number;
}

/** What to check next and how to tune, specific to what fired. */
export interface Triage {
  next: string[];
  tuning: string[];
}

/** One process in an incident's chain, oldest first. */
export interface ChainProcess {
  image: string | null;
  commandLine: string | null;
  pid: number | null;
  /** Sysmon ProcessGuid or Defender/ECS entity id, when the source has one. */
  guid: string | null;
  integrity: string | null;
  user: string | null;
  time: string | null;
  /** Index into the finding's `events` of the event that shows this process, if any. */
  event: number | null;
}

export type FindingKind = 'match' | 'correlation' | 'incident';

export interface Finding {
  /** Stable for the same rule and evidence. */
  id: string;
  kind: FindingKind;
  rule: FindingRule;
  level: SigmaLevel | null;
  /** The earliest evidence event's time. */
  timestamp: string | null;
  host: string | null;
  events: FindingEvent[];
  /** ATT&CK technique ids (T1218.003, …) from the rule tags and the incident logic. */
  techniques: string[];
  /** For correlations: group-by values; for incidents: nothing. */
  group?: Record<string, string | null>;
  /** For correlations: the aggregate tested; and how many events contributed in all. */
  value?: number;
  eventCount?: number;
  /** For incidents: the rules whose matches were folded into it. */
  members?: FindingRule[];
  /** For incidents: the process chain, oldest first. */
  chain?: ChainProcess[];
  /** CLSID of the elevated COM class involved, when known. */
  clsid?: string;
  factors?: RiskFactor[];
  triage?: Triage;
}
