// Small builders the matcher tests share: a process_creation event from a field map, and a rule
// compiled from a detection block.

import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { compileRule, isCompiled, type CompileOptions, type CompiledRule } from '../../src/detect/compile.js';
import { Fields, type FieldValue } from '../../src/events/fields.js';
import type { Event } from '../../src/events/model.js';
import { loadRules } from '../../src/sigma/load.js';

/** A process_creation event whose fields (and raw) are `fields`; `over` sets anything else. */
export function testEvent(fields: Record<string, FieldValue>, over: Partial<Event> = {}): Event {
  const f = Fields.from(Object.entries(fields));
  return {
    category: 'process_creation',
    fields: f,
    raw: f,
    mapping: null,
    kind: 'windows',
    table: null,
    host: null,
    time: null,
    eventId: null,
    channel: null,
    provider: null,
    origin: { path: 'test', format: 'evtx', shape: 'evtx', recordId: null, line: null, offset: null, recovered: false },
    ...over,
  };
}

/** A Windows process_creation rule with this detection block (indented YAML), loaded without errors. */
export function compileDetection(detection: string, options: CompileOptions = {}): ReturnType<typeof compileRule> {
  const loaded = loadRules(`title: t\nlogsource:\n  product: windows\n  category: process_creation\ndetection:\n${detection}\n`, 't.yml');
  assert.deepEqual(
    loaded.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  return compileRule(loaded.rules[0]!, options);
}

/** The same, asserted to compile. */
export function detectionRule(detection: string, options: CompileOptions = {}): CompiledRule {
  const c = compileDetection(detection, options);
  assert.ok(isCompiled(c), JSON.stringify(c));
  return c;
}

/** Every .yml file under `dir`, recursively. */
export function ymlFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) ymlFiles(p, out);
    else if (e.name.endsWith('.yml')) out.push(p);
  }
  return out;
}
