// Report formats for scan findings. Every format is a pure function of the findings and the run
// summary:
//
//   renderReport(format, findings, summary, options) → string
//
// `jsonl`, `csv`, `timesketch` and `timesketch-csv` can also stream: `streamWriter(format)` gives
// `head()`, `finding(f)` per finding as it arrives, and `tail(summary)`; their concatenation equals
// renderReport's output. The other formats need every finding first (they sort, count or embed).
// Nothing here writes to a stream or reads the environment: the caller decides colour, width and
// where the text goes. Progress display for stderr is in ./progress.ts.

import type { Finding } from '../detect/finding.js';
import type { ScanSummary } from '../detect/scan.js';
import { csvFindingRow, csvHeader, renderCsv } from './csv.js';
import { renderHtml } from './html.js';
import { jsonlLine, renderJson, renderJsonl } from './json.js';
import { renderNavigator } from './navigator.js';
import type { ReportOptions } from './options.js';
import { renderTable } from './table.js';
import { renderTimesketch, renderTimesketchCsv, timesketchCsvHeader, timesketchCsvRow, timesketchLine } from './timesketch.js';

export type { ReportOptions } from './options.js';
export { Progress, progressLine, type ProgressOptions, type ProgressState, type ProgressStream } from './progress.js';
export { terminalText } from './terminal-text.js';
export { renderSummaryBlock } from './table.js';
export { csvCell } from './csv.js';
export { safeJson } from './json.js';
export { HTML_CSP } from './html.js';
export { navigatorLayer } from './navigator.js';
export { compareFindings, sortFindings, chainText, headline } from './finding-view.js';

export const REPORT_FORMATS = ['table', 'json', 'jsonl', 'csv', 'html', 'navigator', 'timesketch', 'timesketch-csv'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const STREAM_FORMATS = ['jsonl', 'csv', 'timesketch', 'timesketch-csv'] as const;
export type StreamFormat = (typeof STREAM_FORMATS)[number];

export function isReportFormat(s: string): s is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(s);
}

export function isStreamFormat(s: string): s is StreamFormat {
  return (STREAM_FORMATS as readonly string[]).includes(s);
}

/** One line per format, for `--help`. */
export const FORMAT_DESCRIPTIONS: Readonly<Record<ReportFormat, string>> = {
  table: 'a table for the terminal, most severe first, with a summary',
  json: 'one JSON document: summary and findings',
  jsonl: 'one JSON finding per line',
  csv: 'one row per finding (RFC 4180, spreadsheet formulas neutralised)',
  html: 'a self-contained HTML report with filters, process trees and a timeline',
  navigator: 'an ATT&CK Navigator layer (format 4.5) of the techniques found',
  timesketch: 'Timesketch JSONL (message, datetime, timestamp_desc, attributes)',
  'timesketch-csv': 'Timesketch CSV',
};

export function renderReport(format: ReportFormat, findings: readonly Finding[], summary: ScanSummary, options: ReportOptions = {}): string {
  switch (format) {
    case 'table':
      return renderTable(findings, summary, options);
    case 'json':
      return renderJson(findings, summary, options);
    case 'jsonl':
      return renderJsonl(findings);
    case 'csv':
      return renderCsv(findings);
    case 'html':
      return renderHtml(findings, summary, options);
    case 'navigator':
      return renderNavigator(findings, summary, options);
    case 'timesketch':
      return renderTimesketch(findings);
    case 'timesketch-csv':
      return renderTimesketchCsv(findings);
  }
}

export interface StreamWriter {
  head(): string;
  finding(f: Finding): string;
  tail(summary: ScanSummary): string;
}

export function streamWriter(format: StreamFormat): StreamWriter {
  const none = (): string => '';
  switch (format) {
    case 'jsonl':
      return { head: none, finding: jsonlLine, tail: none };
    case 'csv':
      return { head: csvHeader, finding: csvFindingRow, tail: none };
    case 'timesketch':
      return { head: none, finding: timesketchLine, tail: none };
    case 'timesketch-csv':
      return { head: timesketchCsvHeader, finding: timesketchCsvRow, tail: none };
  }
}
