// Building findings from rule matches and correlation results: ids, rule metadata, techniques
// and triage, the same whichever thread found the match.

import { createHash } from 'node:crypto';
import type { Fields, FieldValue } from '../events/fields.js';
import type { Event } from '../events/model.js';
import { RULE_LEVELS, type SigmaLevel, type SigmaMetadata } from '../sigma/rule.js';
import type { CompiledRule } from './compile.js';
import type { CorrelationFinding } from './correlate.js';
import type { Finding, FindingEvent, FindingRule, Triage } from './finding.js';

export function plain(f: Fields): Record<string, FieldValue> {
  // A null-prototype object: names come from logs.
  const o = Object.create(null) as Record<string, FieldValue>;
  for (const [k, v] of f.entries()) o[k] = v;
  return o;
}

export function levelRank(level: SigmaLevel | null | undefined): number {
  return level == null ? -1 : RULE_LEVELS.indexOf(level);
}

function findingId(rule: CompiledRule, event: Event): string {
  const o = event.origin;
  return createHash('sha256')
    .update(`${rule.rule.id ?? rule.rule.file + '#' + rule.rule.document}\u0000${o.path}\u0000${o.recordId ?? ''}\u0000${o.line ?? ''}\u0000${o.offset ?? ''}`)
    .digest('hex')
    .slice(0, 32);
}

export function makeFinding(rule: CompiledRule, event: Event, withRaw: boolean): Finding {
  const r = rule.rule;
  const ev: FindingEvent = { source: event.origin, fields: plain(event.fields) };
  if (withRaw) ev.raw = plain(event.raw);
  const f: Finding = {
    id: findingId(rule, event),
    kind: 'match',
    rule: findingRule(rule.rule),
    level: r.level ?? null,
    timestamp: event.time,
    host: event.host,
    events: [ev],
    techniques: techniquesOf(r.tags),
  };
  const triage = triageOf(rule);
  if (triage !== null) f.triage = triage;
  return f;
}

/** ATT&CK technique ids from Sigma tags (`attack.t1218.003` → `T1218.003`), in tag order. */
export function techniquesOf(tags: readonly string[]): string[] {
  const out: string[] = [];
  for (const t of tags) {
    const m = /^attack\.(t\d{4}(?:\.\d{3})?)$/i.exec(t);
    if (m !== null && !out.includes(m[1]!.toUpperCase())) out.push(m[1]!.toUpperCase());
  }
  return out;
}

/** The rule (or correlation) metadata a finding carries. */
export function findingRule(r: SigmaMetadata): FindingRule {
  const out: FindingRule = { id: r.id ?? null, title: r.title, level: r.level ?? null, tags: [...r.tags] };
  if (r.description !== undefined) out.description = r.description;
  if (r.falsepositives.length > 0) out.falsepositives = [...r.falsepositives];
  if (r.references.length > 0) out.references = [...r.references];
  return out;
}

/** A rule's custom `triage` attribute (`next`, `tuning`: lists of strings), when well formed. */
export function triageOf(rule: CompiledRule): Triage | null {
  const t = rule.rule.custom.get('triage');
  if (t === null || typeof t !== 'object' || Array.isArray(t)) return null;
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const o = t as Record<string, unknown>;
  const next = strings(o['next']);
  const tuning = strings(o['tuning']);
  return next.length + tuning.length === 0 ? null : { next, tuning };
}

export function correlationFinding(c: CorrelationFinding, withRaw: boolean): Finding {
  const r = c.correlation;
  const group = Object.create(null) as Record<string, string | null>;
  for (const [k, v] of c.group) group[k] = v;
  const events: FindingEvent[] = c.events.map(({ rule, event }) => {
    const ev: FindingEvent = { source: event.origin, fields: plain(event.fields), role: rule };
    if (withRaw) ev.raw = plain(event.raw);
    return ev;
  });
  const host = c.events.find((e) => e.event.host !== null)?.event.host ?? null;
  const rule = findingRule(r);
  return {
    id: createHash('sha256')
      .update(`${r.id ?? r.file + '#' + r.document}\u0000${c.firstTime}\u0000${[...c.group.values()].join('\u0001')}`)
      .digest('hex')
      .slice(0, 32),
    kind: 'correlation',
    rule,
    level: r.level ?? null,
    timestamp: c.firstTime,
    host,
    events,
    techniques: techniquesOf(r.tags),
    group,
    value: c.value,
    eventCount: c.eventCount,
  };
}
