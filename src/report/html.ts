// `html`: one self-contained page (inline CSS and script, no request of any kind) to browse the
// findings: summary, timeline, ATT&CK techniques, filters, and per finding its process tree,
// risk factors, triage text and evidence events. The data travels as JSON in a
// `<script type="application/json">` block with `<`, `>`, `&` and U+2028/9 escaped; the script
// builds the page with textContent only. A Content-Security-Policy allows exactly the inline
// script and stylesheet (by hash) and nothing else.

import { createHash } from 'node:crypto';
import type { ChainProcess, Finding, FindingEvent } from '../detect/finding.js';
import type { ScanSummary, SkippedRule } from '../detect/scan.js';
import type { FieldValue } from '../events/fields.js';
import type { SourceSummary } from '../sources/types.js';
import { RULE_LEVELS } from '../sigma/rule.js';
import { VERSION } from '../version.js';
import { basename, field, findingChain, headline, sortFindings, timeMs } from './finding-view.js';
import { HTML_CLIENT } from './html-client.js';
import { HTML_STYLE } from './html-style.js';
import { DEFAULT_TITLE, type ReportOptions } from './options.js';
import { TECHNIQUE_NAMES } from './techniques.js';

const MAX_SOURCES = 2000;
const MAX_SKIPPED = 2000;

/** HTML-escapes text for element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * JSON for a `<script type="application/json">` block: nothing in it can close the element or start
 * markup, and no DEL, C1 control or line separator appears raw in the file.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const cspHash = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** The page's Content-Security-Policy: nothing but its own inline script and stylesheet. */
export const HTML_CSP = [
  "default-src 'none'",
  `script-src ${cspHash(HTML_CLIENT)}`,
  `style-src ${cspHash(HTML_STYLE)}`,
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

interface TreeProcess {
  name: string;
  image: string | null;
  commandLine: string | null;
  pid: number | null;
  integrity: string | null;
  user: string | null;
  time: string | null;
  role: string | null;
}

interface HtmlFinding extends Omit<Finding, 'events' | 'chain'> {
  events: FindingEvent[];
  eventsTotal: number;
  headline: string;
  treeChain: TreeProcess[];
  t: number | null;
  tEnd: number | null;
}

function cut(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max)}… [${s.length - max} more characters cut]`;
}

function capValue(v: FieldValue, max: number): FieldValue {
  if (typeof v === 'string') return cut(v, max);
  if (Array.isArray(v)) return (v as readonly (string | number | boolean | null)[]).slice(0, 100).map((x) => (typeof x === 'string' ? cut(x, max) : x));
  return v;
}

function capFields(fields: Record<string, FieldValue>, max: number): Record<string, FieldValue> {
  const o = Object.create(null) as Record<string, FieldValue>;
  let n = 0;
  for (const k of Object.keys(fields)) {
    if (n++ >= 500) break;
    o[cut(k, 200)] = capValue(fields[k]!, max);
  }
  return o;
}

function capGroup(group: Record<string, string | null>, max: number): Record<string, string | null> {
  const o = Object.create(null) as Record<string, string | null>;
  for (const k of Object.keys(group).slice(0, 50)) o[cut(k, 200)] = group[k] == null ? null : cut(group[k], max);
  return o;
}

function treeChain(f: Finding, max: number): TreeProcess[] {
  return findingChain(f)
    .slice(0, 32)
    .map((p: ChainProcess) => {
      const ev = p.event !== null ? f.events[p.event] : undefined;
      return {
        name: cut(p.image !== null ? basename(p.image) : (p.commandLine ?? '?'), 200),
        image: p.image === null ? null : cut(p.image, max),
        commandLine: p.commandLine === null ? null : cut(p.commandLine, max),
        pid: p.pid,
        integrity: p.integrity,
        user: p.user,
        time: p.time ?? (ev !== undefined ? field(ev, 'UtcTime') : null),
        role: ev?.role ?? null,
      };
    });
}

function htmlFinding(f: Finding, opts: Required<Pick<ReportOptions, 'maxEventsPerFinding' | 'maxValueLength'>>): HtmlFinding {
  // The chain travels as `treeChain` (display-ready, capped).
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { events, chain, ...rest } = f;
  const times = [f.timestamp, ...(f.chain ?? []).map((p) => p.time)].map(timeMs).filter((t): t is number => t !== null);
  const t = timeMs(f.timestamp) ?? (times.length > 0 ? Math.min(...times) : null);
  const end = times.length > 0 ? Math.max(...times) : null;
  return {
    ...rest,
    // Levels drive class names: anything else is shown as `none`.
    level: f.level !== null && (RULE_LEVELS as readonly string[]).includes(f.level) ? f.level : null,
    ...(f.group !== undefined ? { group: capGroup(f.group, opts.maxValueLength) } : {}),
    ...(f.clsid !== undefined ? { clsid: cut(f.clsid, 200) } : {}),
    events: events.slice(0, opts.maxEventsPerFinding).map((e) => {
      const o: FindingEvent = { source: e.source, fields: capFields(e.fields, opts.maxValueLength) };
      if (e.role !== undefined) o.role = e.role;
      return o;
    }),
    eventsTotal: f.eventCount ?? events.length,
    headline: cut(headline(f), 2000),
    treeChain: treeChain(f, opts.maxValueLength),
    t,
    tEnd: end !== null && t !== null && end > t ? end : null,
  };
}

export interface HtmlReportData {
  title: string;
  generatedAt: string | null;
  tool: { name: string; version: string };
  summary: Omit<ScanSummary, 'rulesSkipped' | 'sources'> & { rulesSkipped: SkippedRule[]; rulesSkippedCount: number; sources: SourceSummary[]; sourcesCut: number };
  findings: HtmlFinding[];
  findingsTotal: number;
  findingsCut: number;
  techniqueNames: Record<string, string>;
}

export function htmlReportData(findings: readonly Finding[], summary: ScanSummary, options: ReportOptions = {}): HtmlReportData {
  const maxFindings = options.maxFindings ?? 5000;
  const caps = { maxEventsPerFinding: options.maxEventsPerFinding ?? 50, maxValueLength: options.maxValueLength ?? 4096 };
  const shown = sortFindings(findings).slice(0, maxFindings).map((f) => htmlFinding(f, caps));
  const names: Record<string, string> = {};
  for (const f of shown) for (const t of f.techniques) if (TECHNIQUE_NAMES[t] !== undefined) names[t] = TECHNIQUE_NAMES[t];
  const { rulesSkipped, sources, ...counts } = summary;
  return {
    title: options.title ?? DEFAULT_TITLE,
    generatedAt: options.generatedAt ?? null,
    tool: { name: 'cmstp-hunt', version: VERSION },
    summary: {
      ...counts,
      rulesSkipped: rulesSkipped.slice(0, MAX_SKIPPED),
      rulesSkippedCount: rulesSkipped.length,
      sources: sources.slice(0, MAX_SOURCES),
      sourcesCut: Math.max(0, sources.length - MAX_SOURCES),
    },
    findings: shown,
    findingsTotal: findings.length,
    findingsCut: findings.length - shown.length,
    techniqueNames: names,
  };
}

export function renderHtml(findings: readonly Finding[], summary: ScanSummary, options: ReportOptions = {}): string {
  const data = htmlReportData(findings, summary, options);
  const title = escapeHtml(data.title);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(HTML_CSP)}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="cmstp-hunt ${escapeHtml(VERSION)}">
<title>${title}</title>
<style>${HTML_STYLE}</style>
</head>
<body>
<header class="top"><div class="wrap"><h1>${title}</h1><div class="meta" id="meta"></div></div></header>
<main class="wrap">
<noscript><p>This report draws its tables with JavaScript, which is off. The same findings are available with --format json.</p></noscript>
<section class="cards" id="cards" aria-label="Summary"></section>
<div class="cols">
<section class="panel"><h2>Timeline</h2><div id="timeline"></div></section>
<section class="panel"><h2>ATT&amp;CK techniques</h2><div id="techniques"></div></section>
</div>
<section class="panel" id="findings-panel"><h2>Findings</h2><div class="filters" id="filters"></div><div class="note" id="cut"></div>
<table class="findings">
<thead><tr><th class="h-level">Level</th><th class="h-time">Time (UTC)</th><th class="h-host">Host</th><th class="h-rule">Rule</th><th>Process / evidence</th><th class="h-ev">Events</th></tr></thead>
<tbody id="rows"></tbody></table></section>
<section class="panel" id="inputs"></section>
</main>
<footer>cmstp-hunt ${escapeHtml(VERSION)} · self-contained report: no network requests</footer>
<script type="application/json" id="report-data">${scriptJson(data)}</script>
<script>${HTML_CLIENT}</script>
</body>
</html>
`;
}
