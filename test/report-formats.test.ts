// Every report format over findings from the hostile fixture (markup, terminal escapes and a
// spreadsheet formula in command lines) plus an inline incident: each format parsed back, the
// table cut to the width and free of escapes, CSV cells neutralised, the Navigator layer checked
// against the 4.5 format's required fields and types, the HTML's data block and policy, and the
// progress line on a fake terminal.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import type { Finding } from '../src/detect/finding.js';
import type { ScanSummary } from '../src/detect/scan.js';
import { csvCell, CSV_COLUMNS } from '../src/report/csv.js';
import { chainText, compactArguments, sortFindings } from '../src/report/finding-view.js';
import { escapeHtml, HTML_CSP, scriptJson } from '../src/report/html.js';
import { HTML_CLIENT } from '../src/report/html-client.js';
import { HTML_STYLE } from '../src/report/html-style.js';
import { isStreamFormat, renderReport, REPORT_FORMATS, STREAM_FORMATS, streamWriter } from '../src/report/index.js';
import type { NavigatorLayer } from '../src/report/navigator.js';
import { Progress, progressLine } from '../src/report/progress.js';
import { displayWidth, terminalText } from '../src/report/terminal-text.js';
import { TIMESKETCH_CSV_COLUMNS } from '../src/report/timesketch.js';
import { HOSTILE, scanPaths } from './report-support.js';

const FORMULA = "=cmd|' /C calc'!A0";
const OSC_TITLE = '\x1b]0;pwned\x07';
const CLEAR = '\x1b[2J';
const SCRIPT = '<script>window.__pwned=1;alert(1)</script>';
const IMG = '<img src=x onerror=window.__pwned=2>';

// Any terminal control: C0 but nothing, DEL, C1, the bidi overrides and isolates.
// eslint-disable-next-line no-control-regex
const ANY_CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

function incident(): Finding {
  const ev = (image: string, cmd: string, role: string, record: number): Finding['events'][number] => ({
    source: { path: 'C:\\logs\\Sysmon.evtx', format: 'evtx', shape: 'evtx', recordId: record, line: null, offset: null, recovered: false },
    fields: Object.assign(Object.create(null) as Record<string, string>, { Image: image, CommandLine: cmd, User: 'CORP\\amy', IntegrityLevel: 'High' }),
    role,
  });
  return {
    id: 'inc-1',
    kind: 'incident',
    rule: { id: 'incident-uac', title: 'CMSTP UAC bypass', level: 'critical', tags: [] },
    level: 'critical',
    timestamp: '2024-03-05T09:00:00.0000000Z',
    host: 'WKS-1',
    events: [
      ev('C:\\Windows\\System32\\cmstp.exe', 'cmstp.exe /s /au C:\\Users\\amy\\AppData\\Local\\Temp\\x.inf', 'cmstp launch', 10),
      ev('C:\\Windows\\System32\\dllhost.exe', 'C:\\Windows\\system32\\DllHost.exe /Processid:{3E5FC7F9-9A51-4367-9063-A120244FBEC7}', 'COM elevation', 11),
      ev('C:\\Windows\\System32\\cmd.exe', `cmd.exe /c ${FORMULA}`, 'elevated child', 12),
    ],
    techniques: ['T1218.003', 'T1548.002'],
    chain: [
      { image: 'C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE', commandLine: null, pid: 100, guid: null, integrity: 'Medium', user: 'CORP\\amy', time: null, event: null },
      { image: 'C:\\Windows\\System32\\cmstp.exe', commandLine: 'cmstp.exe /s /au C:\\Users\\amy\\AppData\\Local\\Temp\\x.inf', pid: 101, guid: null, integrity: 'Medium', user: 'CORP\\amy', time: '2024-03-05T09:00:00.0000000Z', event: 0 },
      { image: 'C:\\Windows\\System32\\dllhost.exe', commandLine: 'C:\\Windows\\system32\\DllHost.exe /Processid:{3E5FC7F9-9A51-4367-9063-A120244FBEC7}', pid: 102, guid: null, integrity: 'High', user: 'CORP\\amy', time: '2024-03-05T09:00:01.0000000Z', event: 1 },
      { image: 'C:\\Windows\\System32\\cmd.exe', commandLine: `cmd.exe /c ${FORMULA}`, pid: 103, guid: null, integrity: 'High', user: 'CORP\\amy', time: '2024-03-05T09:00:02.0000000Z', event: 2 },
    ],
    clsid: '{3E5FC7F9-9A51-4367-9063-A120244FBEC7}',
    factors: [{ code: 'auto-elevate', description: 'auto-elevated COM class', weight: 40 }],
    triage: { next: ['Read x.inf'], tuning: [] },
  };
}

/** Rows of a CSV text, by csv-parse (strict quoting: a malformed field fails the parse). */
function csvRows(text: string): string[][] {
  const parsed: unknown = parseCsv(text, { relax_quotes: false, relax_column_count: false });
  assert.ok(Array.isArray(parsed) && parsed.every((r) => Array.isArray(r) && r.every((c) => typeof c === 'string')));
  return parsed;
}

let cached: { findings: Finding[]; summary: ScanSummary } | undefined;
async function fixture(): Promise<{ findings: Finding[]; summary: ScanSummary }> {
  if (cached === undefined) {
    const r = await scanPaths([HOSTILE]);
    cached = { findings: [...r.findings, incident()], summary: r.summary };
  }
  return cached;
}

test('the hostile fixture yields one finding per event, with the payloads intact', async () => {
  const { findings, summary } = await fixture();
  assert.equal(summary.events, 5);
  assert.equal(findings.length, 6);
  const cmds = findings.map((f) => String(f.events[0]!.fields['CommandLine']));
  for (const p of [SCRIPT, IMG, OSC_TITLE, CLEAR, FORMULA]) assert.ok(cmds.some((c) => c.includes(p)), p);
});

test('compact process chains: file names, short GUIDs, integrity where it changes', () => {
  assert.equal(chainText(incident().chain!), 'WINWORD.EXE › cmstp.exe /s /au x.inf › dllhost.exe /Processid:{3E5F…} [High] › cmd.exe /c =cmd|\' /C calc\'!A0');
  assert.equal(compactArguments('/s "C:\\Program Files\\x y\\a.inf" /au'), '/s "C:\\Program Files\\x y\\a.inf" /au'.replace(/"C:.*a\.inf"/, '"C:\\Program Files\\x y\\a.inf"'));
  assert.equal(compactArguments('/s C:\\ProgramData\\a.inf'), '/s a.inf');
});

test('table: most severe first then by time, every line within the width, no control reaches the terminal', async () => {
  const { findings, summary } = await fixture();
  for (const width of [40, 60, 80, 120, 200]) {
    const text = renderReport('table', findings, summary, { width });
    for (const line of text.split('\n')) {
      assert.ok(displayWidth(line) <= width, `width ${width}: ${JSON.stringify(line)} is ${displayWidth(line)} wide`);
      assert.doesNotMatch(line, ANY_CONTROL, JSON.stringify(line));
    }
  }
  const text = renderReport('table', findings, summary, { width: 200 });
  const lines = text.split('\n');
  assert.match(lines[0]!, /^── critical \(1\) ─/);
  assert.match(lines[1]!, /^CRITICAL\s+2024-03-05 09:00:00Z\s+WKS-1\s+CMSTP UAC bypass \(incident, 3 events\)$/);
  assert.equal(lines[2]!.trim(), chainText(incident().chain!));
  // The escapes are shown, inert: `\x1b]0;pwned\x07` as text.
  assert.ok(text.includes('\\x1b]0;pwned\\x07'));
  assert.ok(text.includes('\\x1b[2J'));
  // Highs in time order.
  const highTimes = lines.filter((l) => l.startsWith('HIGH')).map((l) => /\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ/.exec(l)![0]);
  assert.equal(highTimes.length, 5);
  assert.deepEqual(highTimes, [...highTimes].sort());
  assert.match(text, /Summary\n {2}findings {2}6 findings: critical 1 · high 5 · medium 0 · low 0 · informational 0\n {2}rules {5}4 loaded, 1 skipped\n {2}inputs {4}1 input \(1 readable/);
  assert.match(text, / {2}events {4}5 read, 0 rejected, 0 read errors\n/);
});

test('table: colour only on request, and then only SGR sequences around level labels', async () => {
  const { findings, summary } = await fixture();
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(renderReport('table', findings, summary, { color: false }), /\x1b/);
  const colored = renderReport('table', findings, summary, { color: true, width: 100 });
  // eslint-disable-next-line no-control-regex
  const escapes = colored.match(/\x1b[^m]*m/g) ?? [];
  assert.ok(escapes.length > 0);
  // eslint-disable-next-line no-control-regex
  for (const e of escapes) assert.match(e, /^\x1b\[[0-9;]*m$/);
  // eslint-disable-next-line no-control-regex
  const stripped = colored.replace(/\x1b\[[0-9;]*m/g, '');
  for (const line of stripped.split('\n')) {
    assert.doesNotMatch(line, ANY_CONTROL);
    assert.ok(displayWidth(line) <= 100, line);
  }
  // eslint-disable-next-line no-control-regex
  assert.match(colored, /\x1b\[1;97;41mCRITICAL {5}\x1b\[0m/);
});

test('terminalText escapes C0, C1, DEL and bidi controls visibly', () => {
  assert.equal(terminalText(`a${OSC_TITLE}b${CLEAR}\u009b31m\u202Eexe.fdp\u007f\t`), 'a\\x1b]0;pwned\\x07b\\x1b[2J\\x9b31m\\u202eexe.fdp\\x7f\\x09');
  assert.equal(terminalText('plain C:\\x.inf'), 'plain C:\\x.inf');
});

test('json: one document that parses back to the summary and the findings, payloads intact', async () => {
  const { findings, summary } = await fixture();
  const text = renderReport('json', findings, summary, { generatedAt: '2026-01-01T00:00:00Z' });
  assert.doesNotMatch(text, /[\u007f-\u009f\u2028\u2029]/);
  const doc = JSON.parse(text) as { report: string; reportVersion: number; generatedAt: string; summary: ScanSummary; findings: Finding[] };
  assert.equal(doc.report, 'cmstp-hunt');
  assert.equal(doc.reportVersion, 1);
  assert.equal(doc.generatedAt, '2026-01-01T00:00:00Z');
  assert.deepEqual(doc.summary, JSON.parse(JSON.stringify(summary)));
  assert.deepEqual(doc.findings, JSON.parse(JSON.stringify(sortFindings(findings))));
  assert.equal(doc.findings[0]!.kind, 'incident');
});

test('jsonl: one finding per line, the same as the streaming writer', async () => {
  const { findings, summary } = await fixture();
  const text = renderReport('jsonl', findings, summary);
  const lines = text.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, findings.length);
  assert.deepEqual(
    lines.map((l) => JSON.parse(l) as Finding),
    JSON.parse(JSON.stringify(findings)),
  );
  const cmd = (JSON.parse(lines[2]!) as Finding).events[0]!.fields['CommandLine'];
  assert.ok(String(cmd).includes(OSC_TITLE), 'the escape survives the round trip as data');
});

test('every stream format equals its one-shot rendering', async () => {
  const { findings, summary } = await fixture();
  assert.deepEqual([...STREAM_FORMATS], REPORT_FORMATS.filter(isStreamFormat));
  for (const format of STREAM_FORMATS) {
    const w = streamWriter(format);
    assert.equal(w.head() + findings.map((f) => w.finding(f)).join('') + w.tail(summary), renderReport(format, findings, summary), format);
  }
});

test('every format renders no findings without failing', async () => {
  const { summary } = await fixture();
  for (const format of REPORT_FORMATS) assert.equal(typeof renderReport(format, [], summary), 'string', format);
  assert.match(renderReport('table', [], summary), /^No findings\./);
});

test('csvCell: formulas neutralised, RFC 4180 quoting, controls escaped', () => {
  assert.equal(csvCell(FORMULA), `'${FORMULA}`);
  assert.equal(csvCell('+1+2'), "'+1+2");
  assert.equal(csvCell('-2+3'), "'-2+3");
  assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
  assert.equal(csvCell('\tx'), "'\tx");
  // A lone CR would overwrite the line on a terminal: it is escaped, so no formula starts either.
  assert.equal(csvCell('\rx'), '\\x0dx');
  assert.equal(csvCell('a\r\nb'), '"a\r\nb"');
  assert.equal(csvCell('a,b'), '"a,b"');
  assert.equal(csvCell('say "hi"'), '"say ""hi"""');
  assert.equal(csvCell('two\nlines'), '"two\nlines"');
  assert.equal(csvCell(`${OSC_TITLE}x`), '\\x1b]0;pwned\\x07x');
  assert.equal(csvCell(`=HYPERLINK("http://x","y")`), `"'=HYPERLINK(""http://x"",""y"")"`);
  assert.equal(csvCell(null), '');
  assert.equal(csvCell(42), '42');
});

test('csv: parses back with a real CSV parser; no cell can start a formula or carry an escape', async () => {
  const { findings, summary } = await fixture();
  const text = renderReport('csv', findings, summary);
  assert.ok(text.endsWith('\r\n'));
  const rows = csvRows(text);
  assert.deepEqual(rows[0], [...CSV_COLUMNS]);
  assert.equal(rows.length, findings.length + 1);
  for (const row of rows) {
    assert.equal(row.length, CSV_COLUMNS.length);
    for (const cell of row) {
      assert.doesNotMatch(cell, /^[=+\-@\t\r]/, cell);
      // eslint-disable-next-line no-control-regex
      assert.doesNotMatch(cell, /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/, cell);
    }
  }
  const col = (name: (typeof CSV_COLUMNS)[number]): number => CSV_COLUMNS.indexOf(name);
  const formulaRow = rows.find((r) => r[col('command_line')]!.includes('calc'))!;
  assert.equal(formulaRow[col('command_line')], `'${FORMULA} /au`);
  assert.equal(formulaRow[col('image')], 'C:\\Windows\\System32\\cmstp.exe');
  assert.equal(formulaRow[col('source_path')], HOSTILE);
  assert.equal(formulaRow[col('host')], 'WKS-<b>EVIL</b>');
  const escRow = rows.find((r) => r[col('command_line')]!.includes('pwned\\x07'))!;
  assert.ok(escRow[col('command_line')]!.includes('\\x1b]0;pwned\\x07 x.inf \\x1b[2J'));
  const inc = rows.find((r) => r[col('kind')] === 'incident')!;
  assert.equal(inc[col('image')], 'C:\\Windows\\System32\\cmstp.exe', 'an incident row shows its cmstp.exe event');
  assert.equal(inc[col('chain')], chainText(incident().chain!));
  assert.equal(inc[col('source_record')], '10');
});

/** The ATT&CK Navigator layer format 4.5: required properties and the types of those we write. */
function checkNavigatorLayer(layer: unknown): string[] {
  const problems: string[] = [];
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const hex = /^#[0-9a-fA-F]{6}$/;
  if (!isObj(layer)) return ['layer is not an object'];
  if (typeof layer['name'] !== 'string' || layer['name'] === '') problems.push('name: required string');
  if (!['enterprise-attack', 'mobile-attack', 'ics-attack'].includes(layer['domain'] as string)) problems.push('domain: required, one of the three domains');
  const v = layer['versions'];
  if (!isObj(v)) problems.push('versions: object');
  else {
    if (v['layer'] !== '4.5') problems.push('versions.layer must be "4.5"');
    const nav = typeof v['navigator'] === 'string' ? v['navigator'].split('.').map(Number) : [];
    if (nav.length !== 3 || nav.some((n) => !Number.isInteger(n)) || nav[0]! * 1000 + nav[1]! < 4009) problems.push('versions.navigator must be at least "4.9.0"');
    if (v['attack'] !== undefined && typeof v['attack'] !== 'string') problems.push('versions.attack: string');
  }
  for (const [k, t] of [['description', 'string'], ['sorting', 'number'], ['hideDisabled', 'boolean']] as const) if (layer[k] !== undefined && typeof layer[k] !== t) problems.push(`${k}: ${t}`);
  if (layer['sorting'] !== undefined && ![0, 1, 2, 3].includes(layer['sorting'] as number)) problems.push('sorting: 0..3');
  const filters = layer['filters'];
  if (filters !== undefined && (!isObj(filters) || !Array.isArray(filters['platforms']) || filters['platforms'].some((p) => typeof p !== 'string'))) problems.push('filters.platforms: array of string');
  const layout = layer['layout'];
  if (layout !== undefined) {
    if (!isObj(layout)) problems.push('layout: object');
    else {
      if (layout['layout'] !== undefined && !['side', 'flat', 'mini'].includes(layout['layout'] as string)) problems.push('layout.layout');
      if (layout['expandedSubtechniques'] !== undefined && !['none', 'all', 'annotated'].includes(layout['expandedSubtechniques'] as string)) problems.push('layout.expandedSubtechniques');
    }
  }
  const metaOk = (m: unknown): boolean => Array.isArray(m) && m.every((x) => isObj(x) && ((typeof x['name'] === 'string' && typeof x['value'] === 'string') || x['divider'] === true));
  if (layer['metadata'] !== undefined && !metaOk(layer['metadata'])) problems.push('metadata: [{name, value}]');
  const techniques = layer['techniques'];
  if (techniques !== undefined) {
    if (!Array.isArray(techniques)) problems.push('techniques: array');
    else
      techniques.forEach((t: unknown, i) => {
        if (!isObj(t)) return problems.push(`techniques[${i}]: object`);
        if (typeof t['techniqueID'] !== 'string' || !/^T\d{4}(\.\d{3})?$/.test(t['techniqueID'])) problems.push(`techniques[${i}].techniqueID`);
        if (t['score'] !== undefined && (typeof t['score'] !== 'number' || !Number.isFinite(t['score']))) problems.push(`techniques[${i}].score`);
        if (t['color'] !== undefined && (typeof t['color'] !== 'string' || !(t['color'] === '' || hex.test(t['color'])))) problems.push(`techniques[${i}].color`);
        if (t['comment'] !== undefined && typeof t['comment'] !== 'string') problems.push(`techniques[${i}].comment`);
        if (t['enabled'] !== undefined && typeof t['enabled'] !== 'boolean') problems.push(`techniques[${i}].enabled`);
        if (t['showSubtechniques'] !== undefined && typeof t['showSubtechniques'] !== 'boolean') problems.push(`techniques[${i}].showSubtechniques`);
        if (t['metadata'] !== undefined && !metaOk(t['metadata'])) problems.push(`techniques[${i}].metadata`);
        return undefined;
      });
  }
  const g = layer['gradient'];
  if (g !== undefined) {
    if (!isObj(g) || !Array.isArray(g['colors']) || g['colors'].length < 2 || g['colors'].some((c) => typeof c !== 'string' || !hex.test(c))) problems.push('gradient.colors: at least two hex colours');
    else if (typeof g['minValue'] !== 'number' || typeof g['maxValue'] !== 'number' || !(g['maxValue'] > g['minValue'])) problems.push('gradient: minValue < maxValue');
  }
  const legend = layer['legendItems'];
  if (legend !== undefined && (!Array.isArray(legend) || legend.some((x) => !isObj(x) || typeof x['label'] !== 'string' || typeof x['color'] !== 'string'))) problems.push('legendItems: [{label, color}]');
  return problems;
}

test('navigator: a valid layer 4.5, techniques scored by count and coloured by their most severe level', async () => {
  const { findings, summary } = await fixture();
  const layer = JSON.parse(renderReport('navigator', findings, summary, { title: 'Hunt 42' })) as NavigatorLayer;
  assert.deepEqual(checkNavigatorLayer(layer), []);
  assert.equal(layer.name, 'Hunt 42');
  assert.deepEqual(
    layer.techniques.map((t) => [t.techniqueID, t.score, t.color]),
    [
      ['T1218.003', 6, '#b3132b'],
      ['T1548.002', 1, '#b3132b'],
    ],
  );
  assert.match(layer.techniques[0]!.comment, /^6 findings, most severe: critical\. Rules: Report Test - CMSTP Installs A Profile For All Users \(5\); CMSTP UAC bypass \(1\)$/);
  assert.equal(layer.gradient.maxValue, 6);
  // The checker itself rejects what the format forbids.
  assert.notDeepEqual(checkNavigatorLayer({ ...layer, versions: { navigator: '4.8.0', layer: '4.4' } }), []);
  assert.notDeepEqual(checkNavigatorLayer({ ...layer, techniques: [{ techniqueID: 'T12', score: 'x' }] }), []);
  assert.notDeepEqual(checkNavigatorLayer({ ...layer, domain: undefined }), []);
});

test('timesketch: JSONL with message, datetime, timestamp_desc; CSV with the same columns', async () => {
  const { findings, summary } = await fixture();
  const lines = renderReport('timesketch', findings, summary).split('\n').filter((l) => l !== '');
  assert.equal(lines.length, findings.length);
  for (const l of lines) {
    const e = JSON.parse(l) as Record<string, unknown>;
    for (const k of ['message', 'datetime', 'timestamp_desc']) assert.equal(typeof e[k], 'string', k);
    assert.match(e['datetime'] as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.equal(Math.floor((e['timestamp'] as number) / 1000), Date.parse(e['datetime'] as string));
  }
  const first = JSON.parse(lines.find((l) => l.includes('10:15:01'))!) as Record<string, unknown>;
  assert.equal(first['datetime'], '2024-03-05T10:15:01.100000Z');
  assert.equal(first['timestamp'], Date.parse('2024-03-05T10:15:01.100Z') * 1000);
  assert.equal(first['timestamp_desc'], 'Event time');
  assert.equal(first['hostname'], 'WKS-<b>EVIL</b>');
  assert.match(first['message'] as string, /^\[high\] Report Test - CMSTP Installs A Profile For All Users: /);
  const rows = csvRows(renderReport('timesketch-csv', findings, summary));
  assert.deepEqual(rows[0], [...TIMESKETCH_CSV_COLUMNS]);
  assert.equal(rows.length, findings.length + 1);
  for (const row of rows.slice(1)) for (const cell of row) assert.doesNotMatch(cell, /^[=+\-@\t\r]/);
});

test('html: one file, no outside reference, data only in an inert JSON block, a policy allowing just the inline code', async () => {
  const { findings, summary } = await fixture();
  const html = renderReport('html', findings, summary, { title: `Report <img src=x onerror=alert(1)> & "q"` });
  // Nothing from input appears as markup anywhere in the file.
  for (const p of [SCRIPT, IMG, '<b>EVIL</b>', '<svg onload', '</script><script>']) assert.ok(!html.includes(p), `${p} is in the page as markup`);
  assert.ok(html.includes('<title>Report &#60;img src=x onerror=alert(1)&#62; &#38; &#34;q&#34;</title>'), 'the title is escaped');
  // No escape or separator reaches the page raw.
  // eslint-disable-next-line no-control-regex
  assert.ok(!/[\u001b\u007f-\u009f\u2028\u2029]/.test(html), 'a control character is raw in the page');
  // Exactly two script elements: the JSON data and the code; one stylesheet; no external resource.
  assert.equal(html.match(/<script\b/g)?.length, 2);
  assert.equal(html.match(/<style\b/g)?.length, 1);
  const markup = html.replace(/(<script\b[^>]*>)[^]*?<\/script>/g, '$1</script>');
  assert.ok(!/<[^>]*\s(src|href|action|srcset|poster|data)\s*=/i.test(markup), 'an element of the page references something outside it');
  assert.ok(!/@import|url\(/i.test(HTML_STYLE), 'the stylesheet references something outside the page');
  // The code builds elements from data with textContent only, and fetches nothing.
  for (const api of ['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'document.write', 'eval(', 'Function(', 'fetch(', 'XMLHttpRequest', 'sendBeacon', 'WebSocket', 'import(', '.src =', "setAttribute('src'", "setAttribute('on", 'setTimeout(\'', 'location'])
    assert.ok(!HTML_CLIENT.includes(api), `the report script uses ${api}`);
  const data = /<script type="application\/json" id="report-data">([^<]*)<\/script>/.exec(html);
  assert.ok(data !== null, 'the data block has no `<` in it');
  const parsed = JSON.parse(data[1]!) as { findings: { id: string; events: { fields: Record<string, unknown> }[] }[]; findingsTotal: number };
  assert.equal(parsed.findingsTotal, findings.length);
  assert.equal(parsed.findings[0]!.id, 'inc-1');
  assert.ok(parsed.findings.some((f) => f.events.some((e) => String(e.fields['CommandLine']).includes(SCRIPT))), 'the payload is data, intact');
  // The policy hashes are those of the inline code and style.
  const sha = (s: string): string => createHash('sha256').update(s, 'utf8').digest('base64');
  assert.ok(html.includes(`<script>${HTML_CLIENT}</script>`), 'the inline script is HTML_CLIENT');
  assert.ok(html.includes(`<style>${HTML_STYLE}</style>`), 'the inline style is HTML_STYLE');
  assert.equal(HTML_CSP, `default-src 'none'; script-src 'sha256-${sha(HTML_CLIENT)}'; style-src 'sha256-${sha(HTML_STYLE)}'; img-src data:; base-uri 'none'; form-action 'none'`);
  assert.ok(html.includes(`<meta http-equiv="Content-Security-Policy" content="${escapeHtml(HTML_CSP)}">`), 'the policy is in a meta element');
  assert.equal(scriptJson({ a: '</script><!--\u2028&' }), '{"a":"\\u003c/script\\u003e\\u003c!--\\u2028\\u0026"}');
});

test('html: caps on findings, events per finding and value length, each counted', async () => {
  const { findings, summary } = await fixture();
  const long = { ...findings[0]!, events: [{ ...findings[0]!.events[0]!, fields: { CommandLine: 'A'.repeat(10_000) } }] };
  const html = renderReport('html', [long, ...findings], summary, { maxFindings: 3, maxEventsPerFinding: 1, maxValueLength: 100 });
  const data = JSON.parse(/id="report-data">([^<]*)</.exec(html)![1]!) as { findings: { events: { fields: Record<string, string> }[]; eventsTotal: number }[]; findingsTotal: number; findingsCut: number };
  assert.equal(data.findings.length, 3);
  assert.equal(data.findingsTotal, 7);
  assert.equal(data.findingsCut, 4);
  assert.equal(data.findings[0]!.events.length, 1);
  assert.equal(data.findings[0]!.eventsTotal, 3);
  const cut = data.findings.flatMap((f) => f.events).map((e) => e.fields['CommandLine']).find((c) => c?.startsWith('AAAA'));
  assert.equal(cut, `${'A'.repeat(100)}… [9900 more characters cut]`);
});

test('progress: silent when not a terminal', () => {
  const writes: string[] = [];
  const p = new Progress({ isTTY: false, columns: 80, write: (s: string) => writes.push(s) }, { totalBytes: 100 });
  p.update({ bytes: 50, events: 10 });
  p.done();
  assert.equal(p.enabled, false);
  assert.deepEqual(writes, []);
});

test('progress: throttled redraws of bytes, events, rates and ETA on a terminal, erased when done', () => {
  const writes: string[] = [];
  let now = 0;
  const p = new Progress({ isTTY: true, columns: 160, write: (s: string) => writes.push(s) }, { totalBytes: 10_000_000, totalFiles: 4, intervalMs: 100, now: () => now });
  now = 1000;
  p.update({ bytes: 2_500_000, events: 5000, files: 1, findings: 2 });
  now = 1050; // within the interval: no redraw
  p.update({ bytes: 2_600_000, events: 5200 });
  now = 2000;
  p.update({ bytes: 5_000_000, events: 10_000, files: 2 });
  p.done();
  assert.equal(writes.length, 3);
  assert.equal(writes[0], `\r[########......................]  25% · 2.5 MB/10 MB · 2.5 MB/s · 5000 events (5000/s) · 1/4 files · 2 findings · ETA 0:03\x1b[K`);
  assert.equal(writes[1], `\r[###############...............]  50% · 5.0 MB/10 MB · 2.5 MB/s · 10.0k events (5000/s) · 2/4 files · 2 findings · ETA 0:02\x1b[K`);
  assert.equal(writes[2], '\r\x1b[K');
  for (const w of writes) assert.ok(w.length - '\r\x1b[K'.length <= 159);
});

test('progress line: fits narrow terminals, no bar or ETA without a known total', () => {
  const line = progressLine({ bytes: 1_000, events: 10, files: 1, findings: 0 }, 1000, 200);
  assert.equal(line, '1.0 kB · 1.0 kB/s · 10 events (10/s) · 1 files · 0 findings');
  const narrow = progressLine({ bytes: 5e9, events: 3e6, files: 7, findings: 9 }, 10_000, 40, { bytes: 1e10 });
  assert.ok(narrow.length <= 40, narrow);
  assert.match(narrow, /^ 50% /);
});
