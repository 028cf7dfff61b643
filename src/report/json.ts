// `json` (one document: summary and findings) and `jsonl` (one finding per line). JSON.stringify
// escapes C0 controls; DEL, C1 controls, U+2028/9 and the bidirectional controls are escaped too,
// since the output may reach a terminal (`| less`, a CI log) or a JavaScript context.

import type { Finding } from '../detect/finding.js';
import type { ScanSummary } from '../detect/scan.js';
import { VERSION } from '../version.js';
import { sortFindings } from './finding-view.js';
import type { ReportOptions } from './options.js';

/** JSON text with DEL, C1 controls, U+2028/9 and bidi controls escaped as `\uNNNN` (still valid, equal JSON). */
export function safeJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(/[\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The `json` document's version; bumped when its shape changes. */
export const JSON_REPORT_VERSION = 1;

export interface JsonReport {
  report: 'cmstp-hunt';
  reportVersion: number;
  tool: { name: string; version: string };
  generatedAt?: string;
  summary: ScanSummary;
  findings: Finding[];
}

export function renderJson(findings: readonly Finding[], summary: ScanSummary, options: ReportOptions = {}): string {
  const doc: JsonReport = {
    report: 'cmstp-hunt',
    reportVersion: JSON_REPORT_VERSION,
    tool: { name: 'cmstp-hunt', version: VERSION },
    ...(options.generatedAt !== undefined ? { generatedAt: options.generatedAt } : {}),
    summary,
    findings: sortFindings(findings),
  };
  return safeJson(doc, 2) + '\n';
}

/** One line of `jsonl`. */
export function jsonlLine(finding: Finding): string {
  return safeJson(finding) + '\n';
}

export function renderJsonl(findings: readonly Finding[]): string {
  return findings.map(jsonlLine).join('');
}
