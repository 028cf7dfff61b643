// `simulate`: the telemetry a procedure leaves, in the formats our readers take. EVTX files come
// from our EVTX writer (one file per channel); XML and JSON lines are those EVTX records as
// `cmstp-hunt dump` renders them; ECS is Elastic Defend NDJSON; mde-csv a Defender union export.

import { writeEvtx, type WriteEvent } from '../evtx/writer/index.js';
import { readEvtxBytes } from '../evtx/reader.js';
import { renderJson } from '../evtx/render/json.js';
import { renderXml } from '../evtx/render/xml.js';
import { ecsLines } from './ecs.js';
import { mdeCsv } from './mde.js';
import type { Host, Scenario, Source } from './model.js';
import { buildScenario, PROCEDURES, type Procedure } from './procedures.js';
import { Rng } from './rng.js';
import { windowsLogs } from './windows.js';
import { HOST_DEFAULT } from './world.js';

export { PROCEDURES, findProcedure, buildScenario, type Procedure, type Expectation, type ExpectLevel } from './procedures.js';
export { SOURCES, type Source, type Scenario, type Host } from './model.js';
export { HOST_DEFAULT } from './world.js';

export const SIM_FORMATS = ['evtx', 'xml', 'jsonl', 'ecs', 'mde-csv'] as const;
export type SimFormat = (typeof SIM_FORMATS)[number];

/** The telemetry sources each format carries. */
export const FORMAT_SOURCES: Readonly<Record<SimFormat, readonly Source[]>> = {
  evtx: ['sysmon', 'security'],
  xml: ['sysmon', 'security'],
  jsonl: ['sysmon', 'security'],
  ecs: ['ecs'],
  'mde-csv': ['mde'],
};

export interface SimFile {
  /** File name: `<procedure>.<source>.evtx`, `<procedure>.xml`, … */
  name: string;
  /** The sources whose events it holds. */
  sources: readonly Source[];
  bytes: Uint8Array;
  /** Events in the file. */
  events: number;
}

export interface SimulateOptions {
  host?: string;
  seed?: string;
}

/** A host from `--host`: a name, or an FQDN whose first label is the machine name. */
export function hostFrom(name: string | undefined): Host {
  if (name === undefined || name === '') return HOST_DEFAULT;
  const rng = new Rng(name.toLowerCase());
  const labels = name.split('.');
  // In a workgroup, local accounts are in the machine's own name.
  const domain = labels.length > 1 ? labels[1]!.toUpperCase() : labels[0]!.toUpperCase();
  return { name, ip: `10.${rng.int(1, 250)}.${rng.int(0, 250)}.${rng.int(2, 250)}`, domain, machineDomain: labels.length > 1 ? domain : 'WORKGROUP' };
}

/** The Windows events of a scenario, per channel (what the EVTX files hold). */
export function windowsEvents(s: Scenario, seed: string): { sysmon: WriteEvent[]; security: WriteEvent[] } {
  const rng = new Rng(`${s.procedure}|records|${seed}`);
  return windowsLogs(s, { sysmon: rng.int(20_000, 90_000), security: rng.int(100_000, 900_000) });
}

function evtxRendered(bytes: Uint8Array, name: string, render: 'xml' | 'json'): string[] {
  const out: string[] = [];
  for (const item of readEvtxBytes(bytes, name)) {
    if (!item.ok) throw new Error(`internal: our EVTX reader rejected simulated ${name}`);
    out.push(render === 'xml' ? renderXml(item.record.document) : JSON.stringify(renderJson(item.record.document)) + '\n');
  }
  return out;
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

export function simulate(procedure: Procedure, format: SimFormat, options: SimulateOptions = {}): SimFile[] {
  const seed = options.seed ?? '0';
  const scenario = buildScenario(procedure, hostFrom(options.host), seed);
  const name = procedure.name;
  if (format === 'ecs') return [{ name: `${name}.ecs.ndjson`, sources: ['ecs'], bytes: utf8(ecsLines(scenario)), events: scenario.activities.length }];
  if (format === 'mde-csv') return [{ name: `${name}.mde.csv`, sources: ['mde'], bytes: utf8(mdeCsv(scenario)), events: scenario.activities.length }];
  const logs = windowsEvents(scenario, seed);
  const evtx = (['sysmon', 'security'] as const).map((source) => ({ source, events: logs[source].length, bytes: writeEvtx(logs[source]) }));
  if (format === 'evtx') return evtx.map((e) => ({ name: `${name}.${e.source}.evtx`, sources: [e.source], bytes: e.bytes, events: e.events }));
  // XML and JSON lines: both channels merged in time order, as one export would hold them.
  const rendered = evtx.flatMap((e) => {
    const texts = evtxRendered(e.bytes, `${name}.${e.source}.evtx`, format === 'xml' ? 'xml' : 'json');
    return texts.map((text, i) => ({ text, time: (logs[e.source][i]!.time).getTime(), order: e.source === 'sysmon' ? 0 : 1 }));
  });
  rendered.sort((a, b) => a.time - b.time || a.order - b.order);
  if (format === 'xml') {
    const text = '<?xml version="1.0" encoding="utf-8"?>\n<Events>\n' + rendered.map((r) => r.text).join('') + '</Events>\n';
    return [{ name: `${name}.xml`, sources: ['sysmon', 'security'], bytes: utf8(text), events: rendered.length }];
  }
  return [{ name: `${name}.jsonl`, sources: ['sysmon', 'security'], bytes: utf8(rendered.map((r) => r.text).join('')), events: rendered.length }];
}

export function procedureNames(): string[] {
  return PROCEDURES.map((p) => p.name);
}
