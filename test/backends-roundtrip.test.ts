// Round trip: `export --target sigma` output loads back into the engine and finds the same
// events as the rules it came from, over the example EVTX files and shared attack samples.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { exportRule } from '../src/backends/export.js';
import { SIGMA_TARGET } from '../src/backends/registry.js';
import { compileRule, isCompiled, type CompiledRule } from '../src/detect/compile.js';
import { scan } from '../src/detect/scan.js';
import { loadRules } from '../src/sigma/load.js';
import type { SigmaRule } from '../src/sigma/rule.js';
import { projectRoot, requireSharedData } from './support/shared-data.js';

function rulesUnder(dir: string): SigmaRule[] {
  const out: SigmaRule[] = [];
  if (!existsSync(dir)) return out;
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) walk(f);
      else if (/\.ya?ml$/i.test(e.name)) {
        const r = loadRules(readFileSync(f, 'utf8'), f);
        if (!r.diagnostics.some((x) => x.severity === 'error')) out.push(...r.rules);
      }
    }
  };
  walk(dir);
  return out;
}

function compiled(rules: readonly SigmaRule[]): CompiledRule[] {
  return rules.map(compileRule).filter(isCompiled);
}

/** Finding keys: rule title and finding id (rule id + event origin), sorted. */
async function findings(rules: readonly CompiledRule[], inputs: readonly string[]): Promise<string[]> {
  const keys: string[] = [];
  const it = scan(inputs, { rules });
  for (;;) {
    const n = await it.next();
    if (n.done === true) break;
    keys.push(`${n.value.rule.title}\u0000${n.value.id}`);
  }
  return keys.sort();
}

const FIXTURE_RULES = path.join(projectRoot(), 'test', 'fixtures', 'backends', 'rules');

test('sigma export of the fixtures is one YAML stream that loads back to the same rules', () => {
  const rules = [...rulesUnder(path.join(projectRoot(), 'rules')), ...rulesUnder(FIXTURE_RULES)];
  const out = rules.map((r) => exportRule(SIGMA_TARGET, r));
  assert.deepEqual(out.filter((r) => !r.ok), []);
  const stream = out.map((r) => (r.ok ? r.text : '')).join('\n\n');
  const back = loadRules(stream, 'stdout.yml');
  assert.deepEqual(back.diagnostics.filter((d) => d.severity === 'error'), []);
  assert.deepEqual(
    back.rules.map((r) => [r.title, r.id, r.level, r.logsource, r.tags]),
    rules.map((r) => [r.title, r.id, r.level, r.logsource, r.tags]),
  );
  // Written again, the rules come out the same: the writer is a fixed point after one pass.
  assert.equal(back.rules.map((r) => exportRule(SIGMA_TARGET, r)).map((r) => (r.ok ? r.text : '')).join('\n\n'), stream);
});

test('sigma export finds the same events as the original rules (examples, attack samples)', async (t) => {
  const data = requireSharedData(t);
  if (data === null) return;
  const sigmahq = path.resolve(projectRoot(), '..', 'shared', 'conformance', 'sigmahq');
  const originals = [
    ...rulesUnder(path.join(projectRoot(), 'rules')),
    ...rulesUnder(FIXTURE_RULES),
    ...(existsSync(sigmahq) ? readdirSync(sigmahq).filter((n) => n.startsWith('rules')).flatMap((n) => rulesUnder(path.join(sigmahq, n, 'windows'))) : []),
  ];
  const exported = originals.map((r) => exportRule(SIGMA_TARGET, r));
  const failed = exported.filter((r) => !r.ok);
  t.diagnostic(`${exported.length - failed.length}/${exported.length} rules written as Sigma; ${failed.length} unsupported`);
  for (const f of failed.slice(0, 5)) if (!f.ok) t.diagnostic(`  ${f.rule.title}: [${f.code}] ${f.message}`);
  const kept: SigmaRule[] = [];
  const back: SigmaRule[] = [];
  for (const r of exported) {
    if (!r.ok) continue;
    const again = loadRules(r.text, r.rule.file);
    assert.deepEqual(again.diagnostics.filter((d) => d.severity === 'error'), [], r.rule.file);
    assert.equal(again.rules.length, 1);
    kept.push(r.rule);
    back.push(again.rules[0] as SigmaRule);
  }
  const samples = path.join(data, 'evtx-attack-samples');
  const inputs = [
    ...readdirSync(path.join(projectRoot(), 'examples'))
      .filter((f) => f.endsWith('.evtx'))
      .map((f) => path.join(projectRoot(), 'examples', f)),
    path.join(samples, 'UACME_59_Sysmon.evtx'),
    ...readdirSync(path.join(samples, 'Defense Evasion'))
      .filter((f) => f.endsWith('.evtx'))
      .sort()
      .map((f) => path.join(samples, 'Defense Evasion', f)),
  ];
  const a = await findings(compiled(kept), inputs);
  const b = await findings(compiled(back), inputs);
  t.diagnostic(`${inputs.length} inputs, ${a.length} findings from the originals, ${b.length} from the exported rules`);
  assert.ok(a.length > 50, `expected real findings, got ${a.length}`);
  assert.deepEqual(b, a);
});
