// The hunt report and ad-hoc query results as text tables, JSON, CSV and HTML (with bar charts
// for the stacks). Values come from logs: the caller's `escape` makes them safe for a terminal,
// CSV cells are quoted and defused against formula injection, HTML is entity-escaped.

import type { HuntReport, Stack } from './report.js';
import type { ResultRow } from './store.js';

export type OutputFormat = 'table' | 'json' | 'csv' | 'html';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json', 'csv', 'html'];

/** Longest value shown in a table cell. */
const CELL_MAX = 160;

function clip(s: string, max = CELL_MAX): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

function textTable(headers: readonly string[], rows: readonly (readonly string[])[], escape: (s: string) => string): string {
  const cells = rows.map((r) => r.map((c) => clip(escape(c))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n') + '\n';
}

const STACK_HEADERS = ['count', 'hosts', 'first seen', 'last seen', 'value'];

function stackRows(s: Stack): string[][] {
  return s.rows.map((r) => [String(r.count), String(r.hosts), r.firstSeen ?? '-', r.lastSeen ?? '-', r.key === '' ? '(none)' : r.key]);
}

export function renderHuntText(report: HuntReport, escape: (s: string) => string): string {
  const o = report.overview;
  let out = `CMSTP hunt (${report.engine}${report.baseline ? ', new since the baseline only' : ''}): ${o.events} events from ${o.hosts} hosts, ${o.firstSeen ?? '?'} to ${o.lastSeen ?? '?'}; ${o.cmstpRuns} cmstp.exe runs\n`;
  for (const s of report.stacks) {
    out += `\n== ${s.title}: ${s.events} events, ${s.distinct} distinct, rarest first ==\n`;
    out += s.rows.length === 0 ? '(none)\n' : textTable(STACK_HEADERS, stackRows(s), escape);
  }
  out += `\n== bursts: cmstp.exe runs per host in ${report.windowSeconds}s windows ==\n`;
  out += report.bursts.length === 0 ? '(none)\n' : textTable(['runs', 'shapes', 'window start', 'host', 'example'], report.bursts.map((b) => [String(b.count), String(b.shapes), b.windowStart ?? '-', b.host, b.example]), escape);
  out += `\n== outliers: cmstp.exe runs by surprise (bits), with why ==\n`;
  if (report.outliers.length === 0) out += '(none)\n';
  for (const [i, x] of report.outliers.entries()) {
    out += `${i + 1}. score ${x.score.toFixed(2)}  ${x.n} run(s) on ${x.hosts} host(s), e.g. ${escape(x.exampleHost)} ${x.firstSeen ?? ''}\n`;
    out += `   ${escape(clip(x.example, 400))}\n`;
    for (const r of x.reasons) {
      const v = r.value === '' ? '(none)' : r.value;
      out += `   why: ${escape(r.label)} ${escape(clip(v, 200))}: ${r.isNew ? 'new (not in baseline); ' : ''}${r.count} of ${r.total} runs on ${r.hosts} of ${r.totalHosts} hosts (${r.bits.toFixed(1)} bits)\n`;
    }
  }
  return out;
}

/** A CSV cell: quoted, quotes doubled, and text a spreadsheet would evaluate prefixed with `'`. */
export function quoteCsv(s: string): string {
  const defused = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return `"${defused.replace(/"/g, '""')}"`;
}

export function renderHuntCsv(report: HuntReport, escape: (s: string) => string): string {
  const csvCell = (s: string): string => quoteCsv(escape(s));
  const lines = [['section', 'value', 'count', 'hosts', 'first_seen', 'last_seen', 'example', 'score', 'why'].map(csvCell).join(',')];
  for (const s of report.stacks) {
    for (const r of s.rows) lines.push([s.dim, r.key, String(r.count), String(r.hosts), r.firstSeen ?? '', r.lastSeen ?? '', r.example, '', ''].map(csvCell).join(','));
  }
  for (const b of report.bursts) lines.push(['burst', b.host, String(b.count), '1', b.windowStart ?? '', '', b.example, '', `${b.shapes} shape(s)`].map(csvCell).join(','));
  for (const x of report.outliers) {
    lines.push(['outlier', x.values.join(' | '), String(x.n), String(x.hosts), x.firstSeen ?? '', x.lastSeen ?? '', x.example, x.score.toFixed(2), x.why].map(csvCell).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

export function htmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `body{font:14px system-ui,sans-serif;margin:2em;color:#222}h1{font-size:1.4em}h2{font-size:1.1em;margin-top:2em}
table{border-collapse:collapse;width:100%}td,th{padding:2px 8px;text-align:left;vertical-align:top;border-bottom:1px solid #eee}
td.n{text-align:right;white-space:nowrap}td.v{font-family:ui-monospace,monospace;word-break:break-all}
.bar{background:#c0392b;height:10px;min-width:2px}.why{color:#555;font-size:.9em}`;

function htmlStack(s: Stack): string {
  const max = Math.max(1, ...s.rows.map((r) => r.count));
  const rows = s.rows
    .map((r) => {
      const pct = Math.max(0.5, (100 * Math.log1p(r.count)) / Math.log1p(max)).toFixed(1);
      return `<tr><td class="n">${r.count}</td><td class="n">${r.hosts}</td><td style="width:20%"><div class="bar" style="width:${pct}%"></div></td><td class="v" title="${htmlEscape(r.example)}">${htmlEscape(r.key === '' ? '(none)' : r.key)}</td></tr>`;
    })
    .join('\n');
  return `<h2>${htmlEscape(s.title)}</h2><p>${s.events} events, ${s.distinct} distinct values; rarest first (bars on a log scale).</p>
<table><tr><th>count</th><th>hosts</th><th></th><th>value</th></tr>
${rows || '<tr><td colspan="4">(none)</td></tr>'}</table>`;
}

export function renderHuntHtml(report: HuntReport): string {
  const o = report.overview;
  const bursts = report.bursts
    .map((b) => `<tr><td class="n">${b.count}</td><td class="n">${b.shapes}</td><td>${htmlEscape(b.windowStart ?? '-')}</td><td>${htmlEscape(b.host)}</td><td class="v">${htmlEscape(b.example)}</td></tr>`)
    .join('\n');
  const outliers = report.outliers
    .map(
      (x, i) =>
        `<tr><td class="n">${i + 1}</td><td class="n">${x.score.toFixed(2)}</td><td class="n">${x.n}</td><td>${htmlEscape(x.exampleHost)}</td><td class="v">${htmlEscape(x.example)}<div class="why">${x.reasons
          .map((r) => htmlEscape(`${r.label} ${r.value === '' ? '(none)' : r.value}: ${r.isNew ? 'new; ' : ''}${r.count} of ${r.total} runs on ${r.hosts} of ${r.totalHosts} hosts`))
          .join('<br>')}</div></td></tr>`,
    )
    .join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"><title>CMSTP hunt</title><style>${STYLE}</style></head><body>
<h1>CMSTP hunt${report.baseline ? ' (new since the baseline)' : ''}</h1>
<p>${htmlEscape(report.engine)}: ${o.events} events from ${o.hosts} hosts, ${htmlEscape(o.firstSeen ?? '?')} to ${htmlEscape(o.lastSeen ?? '?')}; ${o.cmstpRuns} cmstp.exe runs.</p>
<h2>Outliers</h2><table><tr><th>#</th><th>score</th><th>runs</th><th>host</th><th>example and why</th></tr>
${outliers || '<tr><td colspan="5">(none)</td></tr>'}</table>
${report.stacks.map(htmlStack).join('\n')}
<h2>Bursts (${report.windowSeconds}s windows)</h2><table><tr><th>runs</th><th>shapes</th><th>window</th><th>host</th><th>example</th></tr>
${bursts || '<tr><td colspan="5">(none)</td></tr>'}</table>
</body></html>
`;
}

export function renderHunt(report: HuntReport, format: OutputFormat, escape: (s: string) => string): string {
  switch (format) {
    case 'json':
      return JSON.stringify(report, null, 2) + '\n';
    case 'csv':
      return renderHuntCsv(report, escape);
    case 'html':
      return renderHuntHtml(report);
    case 'table':
      return renderHuntText(report, escape);
  }
}

/** Ad-hoc query results. */
export function renderRows(columns: readonly string[], rows: readonly ResultRow[], format: OutputFormat, escape: (s: string) => string): string {
  const text = (v: string | number | null | undefined): string => (v === null || v === undefined ? '' : String(v));
  switch (format) {
    case 'json':
      return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length > 0 ? '\n' : '');
    case 'csv': {
      const csvCell = (s: string): string => quoteCsv(escape(s));
      return [columns.map(csvCell).join(','), ...rows.map((r) => columns.map((c) => csvCell(text(r[c]))).join(','))].join('\r\n') + '\r\n';
    }
    case 'html': {
      const max = Math.max(1, ...rows.map((r) => (typeof r[columns[1] ?? ''] === 'number' ? (r[columns[1]!] as number) : 0)));
      const numeric = columns.length >= 2 && rows.length > 0 && rows.every((r) => typeof r[columns[1]!] === 'number');
      const body = rows
        .map(
          (r) =>
            `<tr>${columns.map((c) => `<td class="v">${htmlEscape(text(r[c]))}</td>`).join('')}${numeric ? `<td style="width:20%"><div class="bar" style="width:${((100 * (r[columns[1]!] as number)) / max).toFixed(1)}%"></div></td>` : ''}</tr>`,
        )
        .join('\n');
      return `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"><title>cmstp-hunt query</title><style>${STYLE}</style></head><body>
<table><tr>${columns.map((c) => `<th>${htmlEscape(c)}</th>`).join('')}${numeric ? '<th></th>' : ''}</tr>
${body}</table></body></html>
`;
    }
    case 'table':
      return textTable(
        columns,
        rows.map((r) => columns.map((c) => text(r[c]))),
        escape,
      );
  }
}
