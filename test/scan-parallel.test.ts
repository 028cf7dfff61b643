// The parallel scan and the prefilter change nothing but speed: with worker threads (files, and big
// EVTX files split into ranges of chunks) and with or without the header prefilter, a scan of
// ../shared/data gives the same findings in the same order, the same diagnostics in the same
// order, and the same per-input summaries as one thread without a prefilter.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { builtinRulesDir } from '../src/cli/builtin.js';
import { loadRulePaths } from '../src/cli/commands/scan.js';
import type { Finding } from '../src/detect/finding.js';
import { scan, type ScanOptions, type ScanSummary } from '../src/detect/scan.js';
import { IncidentBuilder } from '../src/incidents/index.js';
import { expandPaths } from '../src/io/walk.js';
import type { SourceDiagnostic } from '../src/sources/types.js';
import { requireSharedData, sharedDataDir } from './support/shared-data.js';

interface Run {
  findings: Finding[];
  diagnostics: SourceDiagnostic[];
  summary: ScanSummary;
}

async function run(paths: readonly string[], options: ScanOptions): Promise<Run> {
  const diagnostics: SourceDiagnostic[] = [];
  const it = scan(paths, { ...options, onDiagnostic: (d) => diagnostics.push(d) });
  const findings: Finding[] = [];
  for (;;) {
    const r = await it.next();
    if (r.done === true) return { findings, diagnostics, summary: r.value };
    findings.push(r.value);
  }
}

/** The summary without what may differ between equivalent runs (time, threads). */
function comparable(s: ScanSummary): Omit<ScanSummary, 'elapsedMs' | 'threads'> & { elapsedMs?: number; threads?: number } {
  const out: Omit<ScanSummary, 'elapsedMs' | 'threads'> & { elapsedMs?: number; threads?: number } = { ...s };
  delete out.elapsedMs;
  delete out.threads;
  return out;
}

function inputs(...dirs: string[]): string[] {
  return expandPaths(dirs, { accept: () => true }).files;
}

test('parallel scan: the built-in pack with incidents gives the same output with 1 and 3 threads, prefilter on and off', async (t) => {
  if (requireSharedData(t) === null) return;
  const data = sharedDataDir();
  // Attack samples and OTRF (findings and incidents), the biggest corpus files (split into parts),
  // and the robustness files (diagnostics).
  const paths = [
    ...inputs(path.join(data, 'otrf'), path.join(data, 'evtx-attack-samples'), path.join(data, 'robustness')),
    path.join(data, 'corpus', 'win2012r2-stolenszechuan', 'System.evtx'),
    path.join(data, 'corpus', 'win10-aptsimulator', 'Security.evtx'),
  ];
  const rules = loadRulePaths([builtinRulesDir()]).rules;
  const options = (threads: number, prefilter: boolean): ScanOptions => ({ rules, threads, prefilter, postprocess: new IncidentBuilder() });
  const base = await run(paths, options(1, false));
  const fast = await run(paths, options(1, true));
  const parallel = await run(paths, options(3, true));
  t.diagnostic(`${paths.length} inputs, ${base.summary.events} events, ${base.findings.length} findings, ${base.diagnostics.length} diagnostics; prefiltered ${fast.summary.prefiltered}; threads ${parallel.summary.threads}`);
  assert.equal(parallel.summary.threads, 3);
  assert.ok(base.findings.some((f) => f.kind === 'incident'), 'the samples hold incidents');
  assert.ok(base.diagnostics.length > 0, 'the robustness files give diagnostics');
  assert.ok(fast.summary.prefiltered > base.summary.events / 2, `prefiltered ${fast.summary.prefiltered} of ${base.summary.events}`);
  // Threads change nothing at all: findings, summaries and diagnostics, in order.
  assert.deepEqual(parallel.findings, fast.findings, 'threads: findings');
  assert.deepEqual(comparable(parallel.summary), comparable(fast.summary), 'threads: summary');
  assert.equal(parallel.summary.prefiltered, fast.summary.prefiltered);
  assert.deepEqual(parallel.diagnostics, fast.diagnostics, 'threads: diagnostics');
  // The prefilter changes no finding. What it changes is said: records it did not decode are
  // counted as prefiltered, and problems inside them (past the header) go unreported.
  assert.deepEqual(fast.findings, base.findings, 'prefilter: findings');
  assert.equal(fast.summary.events, base.summary.events, 'prefilter: events');
  const kept = (s: ScanSummary): string[] => s.sources.map((src) => `${src.path} ${src.format} ${src.records + src.prefiltered + src.rejected}`);
  assert.deepEqual(kept(fast.summary), kept(base.summary), 'prefilter: every record is decoded, prefiltered or reported');
  const fileLevel = (ds: SourceDiagnostic[]): string[] => ds.filter((d) => d.recordId === null).map((d) => `${d.path} ${d.code} ${d.detail ?? ''} ${d.offset} ${d.message}`);
  assert.deepEqual(fileLevel(fast.diagnostics), fileLevel(base.diagnostics), 'prefilter: file and chunk diagnostics');
});

test('parallel scan: SigmaHQ rules, correlations and --host scope agree with one thread', async (t) => {
  if (requireSharedData(t) === null) return;
  const data = sharedDataDir();
  const sigmahq = path.join(data, '..', 'conformance', 'sigmahq', 'rules', 'windows', 'process_creation');
  // A third of the process_creation rules keeps the test short; each worker compiles them again.
  const some = inputs(sigmahq).filter((f) => /proc_creation_win_[a-l]/.test(path.basename(f)));
  const dir = mkdtempSync(path.join(tmpdir(), 'cmstp-hunt-par-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // A correlation: two or more command shells on one host within a day.
  const corr = path.join(dir, 'corr.yml');
  writeFileSync(
    corr,
    `title: Command shell
name: any_cmd
logsource:
  product: windows
  category: process_creation
detection:
  selection:
    Image|endswith: '\\cmd.exe'
  condition: selection
level: low
---
title: Several command shells on a host
name: many_cmd
correlation:
  type: event_count
  rules: [any_cmd]
  group-by: [Computer]
  timespan: 1d
  condition:
    gte: 2
level: medium
`,
  );
  const withCorr = loadRulePaths([...some, corr]);
  assert.ok(withCorr.rules.length > 300, `${withCorr.rules.length} rules`);
  const paths = inputs(path.join(data, 'evtx-attack-samples'), path.join(data, 'otrf'));
  for (const extra of [{}, { hosts: ['*WIN*', 'MSEDGEWIN10'] }]) {
    const options = (threads: number): ScanOptions => ({ rules: withCorr.rules, correlations: withCorr.correlations, threads, ...extra });
    const one = await run(paths, options(1));
    const two = await run(paths, options(2));
    t.diagnostic(`${withCorr.rules.length} rules, ${withCorr.correlations.length} correlations, ${JSON.stringify(extra)}: ${one.findings.length} findings`);
    assert.ok(one.findings.length > 20, `${one.findings.length} findings`);
    assert.deepEqual(two.findings, one.findings);
    assert.deepEqual(comparable(two.summary), comparable(one.summary));
  }
});
