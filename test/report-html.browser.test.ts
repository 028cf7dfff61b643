// The HTML report in a real browser (Debian's Chromium through playwright-core): a scan of the OTRF
// CMSTP dataset with the fixture rules, a synthetic incident, and the hostile fixture. The page must
// show the findings, the incident's process tree and the timeline; the filters must work; and
// nothing from the data may run (no global set, no dialog, no policy violation, no request).
// Screenshots are kept under test-artifacts/ for a person to look at.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { test, type TestContext } from 'node:test';
import { chromium, type Page } from 'playwright-core';
import { renderHtml } from '../src/report/html.js';
import { HOSTILE, OTRF_FILE, scanPaths, syntheticIncident } from './report-support.js';
import { projectRoot, requireSharedData } from './support/shared-data.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ARTIFACTS = path.join(projectRoot(), 'test-artifacts');

/** Chromium's path, or null after skipping (failing under CI) when it is not installed. */
function requireChromium(t: TestContext): string | null {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  const message = `Chromium not found at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
  if (process.env['CI']) assert.fail(`${message}; CI must have it`);
  t.skip(message);
  t.diagnostic(`SKIPPED: ${message}`);
  return null;
}

// Page-side code is passed as strings: the tests compile without the DOM library.
async function rowCount(page: Page): Promise<number> {
  return page.locator('#rows tr.row').count();
}

test('html report in Chromium: findings, process tree and timeline shown; hostile data stays text', async (t) => {
  const data = requireSharedData(t);
  if (data === null) return;
  const executablePath = requireChromium(t);
  if (executablePath === null) return;

  const otrf = path.join(data, OTRF_FILE);
  const { findings, summary } = await scanPaths([otrf, HOSTILE]);
  const members = findings.filter((f) => f.rule.level === 'high' || f.rule.level === 'critical').slice(0, 2);
  const incident = await syntheticIncident(otrf, members);
  const all = [incident, ...findings];
  const byLevel = (l: string): number => all.filter((f) => f.level === l).length;
  // What the fixture rules find in the dataset, and one finding per hostile event.
  assert.deepEqual([byLevel('critical'), byLevel('high'), byLevel('medium'), byLevel('low')], [3, 7, 3, 7]);

  const dir = mkdtempSync(path.join(tmpdir(), 'cmstp-hunt-html-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'report.html');
  writeFileSync(file, renderHtml(all, summary, { generatedAt: '2026-11-22T05:00:00Z', title: 'cmstp-hunt report: OTRF CMSTP dataset' }));
  const url = pathToFileURL(file).href;

  const context = await chromium.launchPersistentContext(path.join(dir, 'profile'), { executablePath, headless: true, args: ARGS, viewport: { width: 1400, height: 900 } });
  t.after(() => context.close());
  const requests: string[] = [];
  const dialogs: string[] = [];
  const errors: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  const page = await context.newPage();
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`console ${m.type()}: ${m.text()}`);
  });
  // Test instrumentation (added through the DevTools protocol, outside the page's policy).
  await page.addInitScript({
    content: "window.__violations = []; document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));",
  });
  const quiet = async (): Promise<void> => {
    assert.equal(await page.evaluate('typeof window.__pwned'), 'undefined', 'a payload ran');
    assert.deepEqual(await page.evaluate('window.__violations'), [], 'the page tried something its policy forbids');
    assert.deepEqual(dialogs, [], 'a dialog opened');
    assert.deepEqual(errors, []);
    assert.deepEqual(requests, [url], 'the page made a request');
  };

  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]');
  await quiet();

  // Summary, techniques, findings.
  assert.equal(await page.locator('.card.lv-critical .n').textContent(), '3');
  assert.equal(await page.locator('.card.lv-low .n').textContent(), '7');
  assert.match((await page.locator('#techniques').textContent()) ?? '', /T1218\.003CMSTP15.*T1548\.002Bypass User Account Control6/);
  assert.equal(await rowCount(page), all.length);
  const first = page.locator('#rows tr.row').first();
  assert.match((await first.textContent()) ?? '', /^criticalCMSTP UAC bypass through the CMSTPLUA COM interface|critical.*CMSTP UAC bypass through the CMSTPLUA COM interfaceincident/);

  // The hostile strings are on screen as text, and made no element.
  const hostCells = await page.locator('td.host').allTextContents();
  assert.ok(hostCells.includes('WKS-<b>EVIL</b>'), hostCells.join(' | '));
  const whats = (await page.locator('.what').allTextContents()).join('\n');
  assert.ok(whats.includes('<script>window.__pwned=1;alert(1)</script>.inf'), whats);
  assert.ok(whats.includes('"<img src=x onerror=window.__pwned=2>.inf"'));
  assert.ok(whats.includes('\\x1b]0;pwned\\x07 x.inf \\x1b[2J'), 'terminal escapes shown as escapes');
  assert.deepEqual(await page.evaluate(`[document.scripts.length, document.querySelectorAll('img, svg foreignObject, iframe, object, embed, b, a[href^="javascript"]').length]`), [2, 0]);

  // Timeline: a lane per level with marks, drawn at a real size.
  const lanes = await page.locator('#timeline .lane-label').allTextContents();
  assert.deepEqual(lanes, ['critical', 'high', 'medium', 'low']);
  assert.ok((await page.locator('#timeline .mark').count()) >= 4);
  const box = await page.locator('#timeline svg').boundingBox();
  assert.ok(box !== null && box.width > 400 && box.height > 100, JSON.stringify(box));

  // The incident's detail: process tree, COM class, risk factors, triage, evidence.
  await first.click();
  const detail = page.locator('tr.detail');
  await detail.waitFor();
  assert.deepEqual(await detail.locator('.proc .pname').allTextContents(), ['powershell.exe', 'cmstp.exe', 'dllhost.exe', 'cmd.exe', 'whoami.exe']);
  assert.deepEqual(await detail.locator('.proc .role').allTextContents(), ['cmstp launch', 'COM elevation', 'elevated child', 'elevated child']);
  assert.equal(await detail.locator('.clsid').textContent(), '{3E5FC7F9-9A51-4367-9063-A120244FBEC7}');
  assert.equal(await detail.locator('.factors tr').count(), 3);
  assert.match((await detail.textContent()) ?? '', /Triage: next steps.*RunPreSetupCommandsSection/);
  assert.equal(await detail.locator('.ev').count(), 4);
  assert.ok(await detail.locator('.proc').first().isVisible());
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'report-html.png'), fullPage: true });
  await detail.screenshot({ path: path.join(ARTIFACTS, 'report-html-incident.png') });

  // Filters: level, search, rule, reset.
  await page.locator('.lvbtn', { hasText: 'low 7' }).click();
  assert.equal(await rowCount(page), all.length - 7);
  await page.locator('input[type=search]').fill('whoami');
  // The search is debounced: wait for the second row to go (waitForFunction would need eval, which the page's policy forbids).
  await page.locator('#rows tr.row').nth(1).waitFor({ state: 'detached' });
  assert.equal(await rowCount(page), 1);
  assert.match((await page.locator('#rows tr.row').textContent()) ?? '', /CMSTP UAC bypass through the CMSTPLUA COM interface/);
  await page.locator('button.plain', { hasText: 'Reset' }).click();
  assert.equal(await rowCount(page), all.length);
  await page.locator('select[aria-label=rule]').selectOption('Report Test - CMSTP Loads The CMSTPLUA COM Server Library');
  assert.equal(await rowCount(page), 3);
  await page.locator('button.plain', { hasText: 'Reset' }).click();

  // A hostile finding opened (the incident closed first): its fields are shown as text too.
  await first.click();
  assert.equal(await page.locator('tr.detail').count(), 0);
  await page.locator('#rows tr.row', { hasText: '</script><script>window.__pwned=3' }).click();
  const fields = (await page.locator('tr.detail table.fields').first().textContent()) ?? '';
  assert.ok(fields.includes('"><svg onload=window.__pwned=4>'), fields);
  assert.ok(fields.includes('\\u2028\\u2029 \\u202eexe.fdp \\x9b31m'), 'separators, bidi override and C1 shown as escapes');
  await page.locator('tr.detail').screenshot({ path: path.join(ARTIFACTS, 'report-html-hostile.png') });
  await quiet();
});
