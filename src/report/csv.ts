// `csv`: one row per finding, for spreadsheets. RFC 4180 (CRLF rows, fields with `"`, `,`, CR or
// LF quoted, quotes doubled) plus formula neutralisation: a cell from input that begins with `=`,
// `+`, `-`, `@`, tab or CR gets a leading `'`, so a spreadsheet shows it as text instead of running
// it. Control characters other than tab, LF and CRLF (ESC, C1, a lone CR, which would overwrite
// the line on a terminal) and the bidi controls become visible `\xNN` / `\uNNNN` escapes.

import type { Finding } from '../detect/finding.js';
import { chainText, field, findingChain, primaryEvent } from './finding-view.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]|\r(?!\n)/g;

/** A CSV cell from a string of input: controls escaped, formulas neutralised, quoted when needed. */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  let s = value.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRow(cells: readonly (string | number | null)[]): string {
  return cells.map(csvCell).join(',') + '\r\n';
}

export const CSV_COLUMNS = [
  'time',
  'level',
  'kind',
  'rule',
  'rule_id',
  'host',
  'image',
  'command_line',
  'parent_image',
  'parent_command_line',
  'user',
  'integrity',
  'chain',
  'techniques',
  'events',
  'source_path',
  'source_record',
  'source_line',
  'finding_id',
] as const;

export function csvHeader(): string {
  return csvRow(CSV_COLUMNS);
}

export function csvFindingRow(f: Finding): string {
  const ev = primaryEvent(f);
  const chain = findingChain(f);
  const cells: Record<(typeof CSV_COLUMNS)[number], string | number | null> = {
    time: f.timestamp,
    level: f.level,
    kind: f.kind,
    rule: f.rule.title,
    rule_id: f.rule.id,
    host: f.host,
    image: field(ev, 'Image'),
    command_line: field(ev, 'CommandLine'),
    parent_image: field(ev, 'ParentImage'),
    parent_command_line: field(ev, 'ParentCommandLine'),
    user: field(ev, 'User'),
    integrity: field(ev, 'IntegrityLevel'),
    chain: f.kind === 'incident' && chain.length > 0 ? chainText(chain) : null,
    techniques: f.techniques.join(' '),
    events: f.eventCount ?? f.events.length,
    source_path: ev?.source.path ?? null,
    source_record: ev?.source.recordId ?? null,
    source_line: ev?.source.line ?? null,
    finding_id: f.id,
  };
  return csvRow(CSV_COLUMNS.map((c) => cells[c]));
}

export function renderCsv(findings: readonly Finding[]): string {
  return csvHeader() + findings.map(csvFindingRow).join('');
}
