// `table`: findings for a person at a terminal. Grouped by level (most severe first), then by
// time; two lines per finding (what fired, then the process chain or the telling fields), each cut
// to the terminal width; a summary block at the end. Every string from input goes through
// terminalText, and colour (SGR) is added only to the level label, after cutting.

import type { Finding } from '../detect/finding.js';
import type { ScanSummary } from '../detect/scan.js';
import type { SigmaLevel } from '../sigma/rule.js';
import { countByLevel, headline, LEVELS_DESC, sortFindings } from './finding-view.js';
import type { ReportOptions } from './options.js';
import { pad, terminalText, truncate } from './terminal-text.js';

const SGR: Record<SigmaLevel | 'none', string> = {
  critical: '\x1b[1;97;41m',
  high: '\x1b[1;31m',
  medium: '\x1b[33m',
  low: '\x1b[36m',
  informational: '\x1b[2m',
  none: '\x1b[2m',
};
const RESET = '\x1b[0m';
const LEVEL_COL = 15;
const TIME_COL = 21;
const MAX_HOST_COL = 24;
const INDENT = ' '.repeat(LEVEL_COL);

/** `2020-10-22T01:54:33.1234567Z` → `2020-10-22 01:54:33Z`; anything else as it is (made safe). */
export function shortTime(iso: string | null): string {
  if (iso === null) return '-';
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(?:\.\d+)?(Z|[+-]\d\d:?\d\d)?$/.exec(iso);
  if (m === null) return terminalText(iso);
  return `${m[1]} ${m[2]}${m[3] ?? ''}`;
}

function paint(text: string, level: SigmaLevel | 'none', color: boolean): string {
  return color ? `${SGR[level]}${text}${RESET}` : text;
}

function kindNote(f: Finding): string {
  if (f.kind === 'incident') return ` (incident, ${f.events.length} event${f.events.length === 1 ? '' : 's'}${f.members !== undefined && f.members.length > 0 ? `, ${f.members.length} rule${f.members.length === 1 ? '' : 's'}` : ''})`;
  if (f.kind === 'correlation') return ` (correlation, ${f.eventCount ?? f.events.length} events)`;
  return '';
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

/** The summary block alone (also printed under other formats by the caller, if it wants). */
/** The run's record account: `read = parsed + recovered + reported`, and the inputs not read whole. */
function recordAccount(sources: ScanSummary['sources']): string {
  let read = 0;
  let parsed = 0;
  let recovered = 0;
  let reported = 0;
  let skipped = 0;
  for (const s of sources) {
    read += s.read;
    parsed += s.parsed;
    recovered += s.recovered;
    reported += s.reported;
    if (s.skipped !== null || s.cut !== null) skipped++;
  }
  const n = (v: number): string => v.toLocaleString('en-US');
  return `${n(read)} read = ${n(parsed)} parsed + ${n(recovered)} recovered + ${n(reported)} reported${skipped > 0 ? `; ${plural(skipped, 'input')} skipped or cut short` : ''}`;
}

export function renderSummaryBlock(findings: readonly Finding[], summary: ScanSummary, options: ReportOptions = {}): string {
  const color = options.color === true;
  const width = Math.max(40, options.width ?? 120);
  const counts = countByLevel(findings);
  const levels = LEVELS_DESC.filter((l) => l !== 'none' || counts.none > 0)
    .map((l) => (counts[l] > 0 ? paint(`${l} ${counts[l]}`, l, color) : `${l} 0`))
    .join(' · ');
  const bytes = summary.sources.reduce((n, s) => n + s.bytes, 0);
  const lines: [string, string][] = [
    ['findings', `${plural(findings.length, 'finding')}: ${levels}`],
    ['rules', `${summary.rulesLoaded.toLocaleString('en-US')} loaded, ${summary.rulesSkipped.length.toLocaleString('en-US')} skipped`],
    ['inputs', `${plural(summary.inputs, 'input')} (${summary.readable.toLocaleString('en-US')} readable${bytes > 0 ? `, ${formatBytes(bytes)}` : ''})`],
    ['events', `${summary.events.toLocaleString('en-US')} read, ${summary.rejected.toLocaleString('en-US')} rejected, ${plural(summary.readErrors, 'read error')}`],
    ['records', recordAccount(summary.sources)],
    ['time', `${(summary.elapsedMs / 1000).toFixed(1)} s`],
  ];
  // Colour codes are not cut: only the plain lines (no level colour) are truncated.
  return (
    'Summary\n' +
    lines.map(([k, v]) => (k === 'findings' && color ? `  ${pad(k, 10)}${v}` : truncate(`  ${pad(k, 10)}${v}`, width))).join('\n') +
    '\n'
  );
}

export function renderTable(findings: readonly Finding[], summary: ScanSummary, options: ReportOptions = {}): string {
  const color = options.color === true;
  const width = Math.max(40, Math.floor(options.width ?? 120));
  const sorted = sortFindings(findings);
  // Narrow terminals drop the host column first: the rule and the chain matter more.
  const hostCol = width < 90 ? 0 : Math.min(MAX_HOST_COL, Math.max(4, ...sorted.map((f) => terminalText(f.host ?? '-').length))) + 2;
  const out: string[] = [];
  if (sorted.length === 0) out.push('No findings.', '');
  let group: SigmaLevel | 'none' | undefined;
  for (const f of sorted) {
    const level = f.level ?? 'none';
    if (level !== group) {
      group = level;
      const n = sorted.filter((x) => (x.level ?? 'none') === level).length;
      const title = `── ${level} (${n}) `;
      out.push((out.length > 0 ? '\n' : '') + paint(title, level, color) + '─'.repeat(Math.max(0, Math.min(width, 80) - title.length)));
    }
    const label = pad(level.toUpperCase(), LEVEL_COL - 2);
    const rest = pad(shortTime(f.timestamp), TIME_COL) + (hostCol > 0 ? pad(terminalText(f.host ?? '-'), hostCol) : '') + terminalText(f.rule.title) + kindNote(f);
    out.push(paint(label, level, color) + '  ' + truncate(rest, width - LEVEL_COL));
    // Each process of a chain at most 56 columns, so the whole chain fits a terminal line.
    const what = headline(f, 56);
    if (what !== '') out.push(INDENT + truncate(terminalText(what), width - INDENT.length));
  }
  out.push('', renderSummaryBlock(findings, summary, options));
  return out.join('\n');
}
