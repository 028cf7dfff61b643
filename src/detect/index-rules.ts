// A rule index: an event is tested only against the rules that can match it.
//
// Rules are bucketed by what their logsource requires (mirroring logsource.ts):
// - a category: the event's `category` (`registry_event` goes into every registry_* bucket);
//   the PowerShell fallback categories are also reachable by channel for events no table mapped;
// - a service: the event's channel (lower-cased, as `channelIn` compares);
// - neither (product-only `windows`): the "anything" bucket.
// Rules whose logsource can never apply (another product, an unknown service, no logsource) are
// left out. Within a bucket, a rule whose detection requires a specific EventID in every branch of
// its condition is filed under those EventIDs. The index is conservative: when an event's EventID
// is missing or not a plain decimal number, every rule of its buckets is a candidate.

import type { Event } from '../events/model.js';
import { REGISTRY_CATEGORIES } from '../events/model.js';
import type { ConditionNode } from '../sigma/condition.js';
import { resolveSelector } from '../sigma/condition.js';
import type { SigmaDetectionNode, SigmaRule } from '../sigma/rule.js';
import type { SigmaValue } from '../sigma/values.js';
import { eventTexts, type CompiledRule } from './compile.js';
import { MultiContains } from './match-value.js';
import { SERVICE_CHANNELS } from './logsource.js';

const PS_CHANNELS = ['microsoft-windows-powershell/operational', 'powershellcore/operational'];
/** Categories logsource.ts also recognises by channel + EventID when no table mapped the event. */
const FALLBACK_CHANNELS: ReadonlyMap<string, readonly string[]> = new Map([
  ['ps_module', PS_CHANNELS],
  ['ps_script', PS_CHANNELS],
  ['ps_classic_start', ['windows powershell']],
  ['ps_classic_provider_start', ['windows powershell']],
  ['ps_classic_script', ['windows powershell']],
]);

/** A set of EventIDs (canonical decimal text), or null: not constrained. */
type Ids = ReadonlySet<string> | null;

const DECIMAL = /^(?:0|[1-9][0-9]{0,9})$/;

function valueId(v: SigmaValue): string | null {
  if (v.type === 'number') return Number.isInteger(v.value) && v.value >= 0 ? String(v.value) : null;
  if (v.type === 'string' && v.parts.length === 1) {
    const p = v.parts[0]!;
    if (p.kind === 'text' && DECIMAL.test(p.text)) return p.text;
  }
  return null;
}

function intersect(sets: readonly Ids[]): Ids {
  let out: Set<string> | null = null;
  for (const s of sets) {
    if (s === null) continue;
    if (out === null) out = new Set(s);
    else for (const x of out) if (!s.has(x)) out.delete(x);
  }
  return out;
}

function union(sets: readonly Ids[]): Ids {
  const out = new Set<string>();
  for (const s of sets) {
    if (s === null) return null;
    for (const x of s) out.add(x);
  }
  return out;
}

/**
 * A set that every branch of a rule's condition requires (one of its members must hold), or
 * null when some branch requires nothing of the kind. `leaf` reads one detection item; `both`
 * combines two requirements that must hold together: intersection for EventIDs (the event has
 * one), either side for keyword literals (each is a valid prefilter).
 */
interface Requirement {
  leaf(item: Extract<SigmaDetectionNode, { kind: 'item' }>['item']): Ids;
  both(sets: readonly Ids[]): Ids;
}

function requiredSet(rule: SigmaRule, req: Requirement): Ids {
  const onNode = (node: SigmaDetectionNode): Ids => {
    switch (node.kind) {
      case 'item':
        return req.leaf(node.item);
      case 'all':
        return req.both(node.children.map(onNode));
      case 'any':
        return node.children.length === 0 ? null : union(node.children.map(onNode));
    }
  };
  const sel = new Map<string, Ids>();
  for (const [name, node] of rule.detection.selections) sel.set(name, onNode(node));
  const names = [...rule.detection.selections.keys()];
  const onCondition = (node: ConditionNode): Ids => {
    switch (node.kind) {
      case 'identifier':
        return sel.get(node.name) ?? null;
      case 'not':
        return null;
      case 'and':
        return req.both(node.operands.map(onCondition));
      case 'or':
        return union(node.operands.map(onCondition));
      case 'selector': {
        const sets = resolveSelector(node.pattern, names).map((n) => sel.get(n) ?? null);
        if (sets.length === 0) return null;
        return node.quantifier === 'all' ? req.both(sets) : union(sets);
      }
    }
  };
  if (rule.detection.conditions.length === 0) return null;
  return union(rule.detection.conditions.map((c) => onCondition(c.ast)));
}

const EVENT_IDS: Requirement = {
  leaf: (it) => {
    if (it.field !== 'EventID' || it.negated || it.modifiers.length > 0 || it.values.length === 0) return null;
    const ids = it.values.map(valueId);
    if (ids.some((x) => x === null)) return null;
    // `all` over several distinct numbers can never hold; one value under `all` is that value.
    if (it.linking === 'and') return new Set(new Set(ids as string[]).size === 1 ? [ids[0]!] : []);
    return new Set(ids as string[]);
  },
  both: intersect,
};

/** The EventIDs a rule's detection requires in every branch of its condition, or null. */
export function requiredEventIds(rule: SigmaRule): ReadonlySet<string> | null {
  return requiredSet(rule, EVENT_IDS);
}

/** Literals (lower-cased) any of which must occur in some value of the event, or null. */
type Lits = ReadonlySet<string> | null;

const ASCII = /^[\x20-\x7e]+$/;

function valueLiteral(v: SigmaValue): string | null {
  if (v.type === 'number') return String(v.value).toLowerCase();
  if (v.type !== 'string') return null;
  let best = '';
  for (const p of v.parts) if (p.kind === 'text' && p.text.length > best.length) best = p.text;
  return best !== '' && ASCII.test(best) ? best.toLowerCase() : null;
}

function anyOf(sets: readonly Lits[]): Lits {
  for (const s of sets) if (s !== null) return s;
  return null;
}

const KEYWORDS: Requirement = {
  leaf: (it) => {
    if (it.field !== null || it.negated || it.values.length === 0) return null;
    const lits = it.values.map(valueLiteral);
    return lits.some((x) => x === null) ? null : new Set(lits as string[]);
  },
  both: anyOf,
};

/**
 * For rules that need a keyword (field-less) match in every branch: the literal parts (ASCII,
 * lower-cased), one of which must then occur in some value of the event. Null otherwise.
 */
export function requiredKeywords(rule: SigmaRule): ReadonlySet<string> | null {
  return requiredSet(rule, KEYWORDS);
}

/** Every value of the event's fields and raw fields, lower-cased, one per line (keyword search space). */
function keywordText(event: Event): string {
  return eventTexts(event).join('\n').toLowerCase();
}

interface Entry {
  index: number;
  rule: CompiledRule;
  ids: Ids;
  /** Keyword literals one of which must occur (requiredKeywords), as an array. */
  keywords: readonly string[] | null;
  /** Category rules read `fields` first; the others `raw` first (compile.ts). */
  fieldsFirst: boolean;
}

/** Where a rule was filed; for tests and `--stats`. */
export interface RulePlacement {
  categories: string[];
  channels: string[];
  /** Channels reaching the rule only for events no mapping table claimed. */
  unmappedChannels: string[];
  anything: boolean;
  eventIds: string[] | null;
  /** Keyword literals one of which an event must contain, or null. */
  keywords: string[] | null;
}

const MAX_CACHE = 10_000;

function eventIdKey(fields: Event['fields'], raw: Event['raw'], fieldsFirst: boolean): string | null {
  const [a, b] = fieldsFirst ? [fields, raw] : [raw, fields];
  let v = a.get('EventID');
  if (v === undefined) v = b.get('EventID');
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 ? String(v) : null;
  if (typeof v === 'string' && DECIMAL.test(v)) return v;
  return null;
}

export class RuleIndex {
  private readonly byCategory = new Map<string, Entry[]>();
  private readonly byChannel = new Map<string, Entry[]>();
  private readonly byUnmappedChannel = new Map<string, Entry[]>();
  private readonly anything: Entry[] = [];
  private readonly placements = new Map<CompiledRule, RulePlacement>();
  private readonly cache = new Map<string, Map<string, Map<IdKey, Map<IdKey, Candidates>>>>();
  private cached_ = 0;
  /** Rules whose logsource can never apply to Windows events; never candidates. */
  readonly never: CompiledRule[] = [];

  constructor(rules: readonly CompiledRule[]) {
    rules.forEach((rule, index) => this.add(rule, index));
  }

  get size(): number {
    return this.placements.size;
  }

  private push(map: Map<string, Entry[]>, key: string, e: Entry): void {
    let list = map.get(key);
    if (list === undefined) map.set(key, (list = []));
    list.push(e);
  }

  private add(rule: CompiledRule, index: number): void {
    const ls = rule.rule.logsource;
    const product = ls.product?.toLowerCase();
    const category = ls.category?.toLowerCase();
    const service = ls.service?.toLowerCase();
    const channels = service === undefined ? undefined : SERVICE_CHANNELS.get(service);
    if ((product !== undefined && product !== 'windows') || (service !== undefined && channels === undefined) || (product === undefined && category === undefined && service === undefined)) {
      this.never.push(rule);
      return;
    }
    const ids = requiredEventIds(rule.rule);
    const kw = requiredKeywords(rule.rule);
    const e: Entry = { index, rule, ids, keywords: kw === null ? null : [...kw], fieldsFirst: category !== undefined };
    const p: RulePlacement = { categories: [], channels: [], unmappedChannels: [], anything: false, eventIds: ids === null ? null : [...ids].sort(), keywords: e.keywords === null ? null : [...e.keywords] };
    if (category !== undefined) {
      const cats = category === 'registry_event' ? [...REGISTRY_CATEGORIES] : [category];
      for (const c of cats) {
        this.push(this.byCategory, c, e);
        p.categories.push(c);
      }
      for (const ch of FALLBACK_CHANNELS.get(category) ?? []) {
        this.push(this.byUnmappedChannel, ch, e);
        p.unmappedChannels.push(ch);
      }
    } else if (channels !== undefined) {
      for (const ch of new Set(channels.map((c) => c.toLowerCase()))) {
        this.push(this.byChannel, ch, e);
        p.channels.push(ch);
      }
    } else {
      this.anything.push(e);
      p.anything = true;
    }
    this.placements.set(rule, p);
  }

  /** Some rule is a candidate for every event (product-only logsources). */
  get matchesAnything(): boolean {
    return this.anything.length > 0;
  }

  /** Whether any rule may match a Windows event of this category, channel and EventID (keywords not considered). */
  hasCandidates(category: string | null, channel: string, eventId: number | null): boolean {
    const k = eventId !== null && Number.isInteger(eventId) && eventId >= 0 ? String(eventId) : null;
    return this.lookup(category, channel.toLowerCase(), k, k).entries.length > 0;
  }

  placement(rule: CompiledRule): RulePlacement | undefined {
    return this.placements.get(rule);
  }

  /** The rules that may match `event` (a superset of those that do), in the order given. */
  candidates(event: Event): readonly CompiledRule[] {
    const c = this.cached(event);
    if (!c.keywords) return c.rules;
    // Keyword rules: kept only when one of their literals occurs in the event's values. One
    // automaton pass over the values settles the common case, where none occurs.
    if (c.anyKeyword !== null && !someText(event, c.anyKeyword)) return c.plain;
    const text = keywordText(event);
    const out: CompiledRule[] = [];
    for (const e of c.entries) if (e.keywords === null || e.keywords.some((k) => text.includes(k))) out.push(e.rule);
    return out;
  }

  /** The candidates for the event's category, channel and EventIDs, memoised without building a key string. */
  private cached(event: Event): Candidates {
    const category = event.category ?? '';
    const channel = event.channel ?? '';
    const kf = idKeyOf(event.fields, event.raw);
    const kr = event.raw === event.fields ? kf : idKeyOf(event.raw, event.fields);
    let byChannel = this.cache.get(category);
    if (byChannel === undefined) this.cache.set(category, (byChannel = new Map<string, Map<IdKey, Map<IdKey, Candidates>>>()));
    let byKf = byChannel.get(channel);
    if (byKf === undefined) byChannel.set(channel, (byKf = new Map<IdKey, Map<IdKey, Candidates>>()));
    let byKr = byKf.get(kf);
    if (byKr === undefined) byKf.set(kf, (byKr = new Map<IdKey, Candidates>()));
    let c = byKr.get(kr);
    if (c === undefined) {
      c = this.lookup(event.category, channel.toLowerCase(), eventIdKey(event.fields, event.raw, true), eventIdKey(event.fields, event.raw, false));
      if (this.cached_ < MAX_CACHE) {
        byKr.set(kr, c);
        this.cached_++;
      }
    }
    return c;
  }

  private lookup(category: string | null, channel: string, kf: string | null, kr: string | null): Candidates {
    const pool: Entry[] = [];
    if (category !== null) pool.push(...(this.byCategory.get(category) ?? []));
    else pool.push(...(this.byUnmappedChannel.get(channel) ?? []));
    pool.push(...(this.byChannel.get(channel) ?? []));
    pool.push(...this.anything);
    const seen = new Set<number>();
    const kept = pool.filter((e) => {
      if (seen.has(e.index)) return false;
      seen.add(e.index);
      if (e.ids === null) return true;
      const k = e.fieldsFirst ? kf : kr;
      return k === null || e.ids.has(k);
    });
    kept.sort((a, b) => a.index - b.index);
    const keywords = kept.some((e) => e.keywords !== null);
    const literals = [...new Set(kept.flatMap((e) => e.keywords ?? []))];
    return {
      entries: kept,
      rules: kept.map((e) => e.rule),
      keywords,
      plain: kept.filter((e) => e.keywords === null).map((e) => e.rule),
      anyKeyword: keywords ? MultiContains.buildFolding(literals) : null,
    };
  }
}

interface Candidates {
  entries: readonly Entry[];
  rules: readonly CompiledRule[];
  /** Some entry has a keyword prefilter. */
  keywords: boolean;
  /** The rules without a keyword prefilter. */
  plain: readonly CompiledRule[];
  /** Every keyword literal of the entries, case-folding; null when there are none (or too many). */
  anyKeyword: MultiContains | null;
}

/** The raw EventID value as a cache key: primitives as they are, anything else one shared key. */
type IdKey = string | number | boolean | null | undefined;

function idKeyOf(a: Event['fields'], b: Event['fields']): IdKey {
  let v = a.get('EventID');
  if (v === undefined) v = b.get('EventID');
  return Array.isArray(v) ? '\u0000array' : (v as IdKey);
}

/** Whether any text value of the event's fields or raw fields holds one of the automaton's needles. */
function someText(event: Event, ac: MultiContains): boolean {
  const texts = eventTexts(event);
  for (let i = 0; i < texts.length; i++) if (ac.test(texts[i]!)) return true;
  return false;
}
