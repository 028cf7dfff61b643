// `timesketch` (JSONL) and `timesketch-csv`: one timeline entry per finding, in the shape
// Timesketch imports: `message`, `datetime` (ISO 8601), `timestamp` (microseconds since the
// epoch, CSV), `timestamp_desc`, plus flat attributes. A finding without a time keeps its place at
// the epoch with `timestamp_desc` saying so, rather than being dropped.

import type { Finding } from '../detect/finding.js';
import { csvRow } from './csv.js';
import { field, headline, primaryEvent, sourceRef, timeMs } from './finding-view.js';
import { safeJson } from './json.js';

export interface TimesketchEntry {
  message: string;
  datetime: string;
  timestamp: number;
  timestamp_desc: string;
  level: string;
  rule: string;
  rule_id: string;
  kind: string;
  hostname: string;
  image: string;
  command_line: string;
  parent_image: string;
  user: string;
  techniques: string;
  source: string;
  finding_id: string;
  tag: string[];
}

export function timesketchEntry(f: Finding): TimesketchEntry {
  const ev = primaryEvent(f);
  const ms = timeMs(f.timestamp);
  const what = headline(f);
  // Keep the source's microseconds when it has them (ISO with 6 or 7 fraction digits).
  const frac = /\.(\d+)/.exec(f.timestamp ?? '')?.[1] ?? '';
  const micros = ms === null ? 0 : Math.floor(ms / 1000) * 1_000_000 + Number((frac + '000000').slice(0, 6));
  return {
    message: `[${f.level ?? 'none'}] ${f.rule.title}${what !== '' ? `: ${what}` : ''}`,
    datetime: ms === null ? '1970-01-01T00:00:00.000000Z' : `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}.${String(micros % 1_000_000).padStart(6, '0')}Z`,
    timestamp: micros,
    timestamp_desc: ms === null ? 'Detection (event time unknown)' : f.kind === 'incident' ? 'Incident start' : 'Event time',
    level: f.level ?? 'none',
    rule: f.rule.title,
    rule_id: f.rule.id ?? '',
    kind: f.kind,
    hostname: f.host ?? '',
    image: field(ev, 'Image') ?? '',
    command_line: field(ev, 'CommandLine') ?? '',
    parent_image: field(ev, 'ParentImage') ?? '',
    user: field(ev, 'User') ?? '',
    techniques: f.techniques.join(' '),
    source: sourceRef(ev) ?? '',
    finding_id: f.id,
    tag: ['cmstp-hunt', ...(f.level !== null ? [f.level] : []), ...f.techniques],
  };
}

export function timesketchLine(f: Finding): string {
  return safeJson(timesketchEntry(f)) + '\n';
}

export function renderTimesketch(findings: readonly Finding[]): string {
  return findings.map(timesketchLine).join('');
}

export const TIMESKETCH_CSV_COLUMNS = ['message', 'datetime', 'timestamp', 'timestamp_desc', 'level', 'rule', 'rule_id', 'kind', 'hostname', 'image', 'command_line', 'parent_image', 'user', 'techniques', 'source', 'finding_id'] as const;

export function timesketchCsvHeader(): string {
  return csvRow(TIMESKETCH_CSV_COLUMNS);
}

export function timesketchCsvRow(f: Finding): string {
  const e = timesketchEntry(f);
  return csvRow(TIMESKETCH_CSV_COLUMNS.map((c) => e[c]));
}

export function renderTimesketchCsv(findings: readonly Finding[]): string {
  return timesketchCsvHeader() + findings.map(timesketchCsvRow).join('');
}
