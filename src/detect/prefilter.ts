// The scan's prefilter: from a record's header alone (EventID, Channel, Provider), whether any
// loaded rule could match it or the postprocessor wants to see it. Records it turns away are
// counted, never decoded. It only answers "no" when the rule index is sure: a rule for every
// event, or a header whose category is undecided, keeps the record.

import type { RecordHeader } from '../evtx/reader.js';
import type { TableSet } from '../events/normalize.js';
import type { RuleIndex } from './index-rules.js';

const MAX_MEMO = 10_000;

/**
 * The accept function for the EVTX reader, or null when every record must be decoded anyway.
 * `wanted`: categories the postprocessor observes; null means it observes every event.
 */
export function headerPrefilter(index: RuleIndex, tables: TableSet, wanted: ReadonlySet<string> | null): ((h: RecordHeader) => boolean) | null {
  if (wanted === null || index.matchesAnything) return null;
  const memo = new Map<string, boolean>();
  return (h) => {
    const key = `${h.eventId ?? ''}\u0000${h.channel ?? ''}\u0000${h.provider ?? ''}`;
    let ok = memo.get(key);
    if (ok === undefined) {
      ok = decide(index, tables, wanted, h);
      if (memo.size < MAX_MEMO) memo.set(key, ok);
    }
    return ok;
  };
}

function decide(index: RuleIndex, tables: TableSet, wanted: ReadonlySet<string>, h: RecordHeader): boolean {
  for (const category of tables.categoriesFor(h.channel, h.provider, h.eventId)) {
    if (category !== null && wanted.has(category)) return true;
    if (index.hasCandidates(category, h.channel ?? '', h.eventId)) return true;
  }
  return false;
}
