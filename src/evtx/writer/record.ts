// Maps a WriteEvent to its System template instance with the payload as a nested BinXML value.

import type { NestedValue, SubValue } from './binxml.js';
import { filetimeFromDate } from './filetime.js';
import { Sys, eventDataTemplate, systemTemplate, userDataTemplate, type FieldShape, type Template } from './template.js';
import type { WriteEvent, WriteValue } from './types.js';
import { valueTypeOf } from './values.js';

const NULL: WriteValue = { type: 'null' };

function toValue(v: string | WriteValue): WriteValue {
  return typeof v === 'string' ? { type: 'string', value: v } : v;
}

function shapeOf(fields: Array<[string, string | WriteValue]>): { shape: FieldShape[]; values: WriteValue[] } {
  const values = fields.map(([, v]) => toValue(v));
  const shape = fields.map(([name], i): FieldShape => [name, valueTypeOf(values[i] ?? NULL)]);
  return { shape, values };
}

/** Builds templates once per shape; equal shapes share one Template (and so one GUID). */
export class TemplateCache {
  private readonly cache = new Map<string, Template>();

  private get(key: string, build: () => Template): Template {
    let t = this.cache.get(key);
    if (t === undefined) {
      t = build();
      this.cache.set(key, t);
    }
    return t;
  }

  system(computer: string, payload: 'EventData' | 'UserData'): Template {
    return this.get(`S\0${payload}\0${computer}`, () => systemTemplate(computer, payload));
  }

  eventData(fields: readonly FieldShape[]): Template {
    return this.get(`E\0${JSON.stringify(fields)}`, () => eventDataTemplate(fields));
  }

  userData(name: string, xmlns: string | undefined, fields: readonly FieldShape[]): Template {
    return this.get(`U\0${JSON.stringify([name, xmlns ?? null, fields])}`, () => userDataTemplate(name, xmlns, fields));
  }
}

function payload(e: WriteEvent, cache: TemplateCache): NestedValue {
  if (e.userData !== undefined) {
    if (e.eventData !== undefined) throw new TypeError('an event has either eventData or userData, not both');
    const { shape, values } = shapeOf(e.userData.fields);
    return { type: 'binxml', template: cache.userData(e.userData.name, e.userData.xmlns, shape), values };
  }
  const { shape, values } = shapeOf(e.eventData ?? []);
  return { type: 'binxml', template: cache.eventData(shape), values };
}

/** The System template and its 18 values, in Windows' substitution order. */
export function eventValues(
  e: WriteEvent,
  recordId: bigint,
  cache: TemplateCache,
): { template: Template; values: SubValue[] } {
  const values: SubValue[] = new Array<SubValue>(Sys.Count).fill(NULL);
  values[Sys.Level] = { type: 'uint8', value: e.level ?? 4 };
  values[Sys.Opcode] = { type: 'uint8', value: e.opcode ?? 0 };
  values[Sys.Task] = { type: 'uint16', value: e.task ?? 0 };
  values[Sys.EventId] = { type: 'uint16', value: e.eventId };
  if (e.qualifiers !== undefined) values[Sys.Qualifiers] = { type: 'uint16', value: e.qualifiers };
  values[Sys.Keywords] = { type: 'hex64', value: e.keywords ?? 0n };
  values[Sys.TimeCreated] = { type: 'filetime', value: filetimeFromDate(e.time) };
  values[Sys.ProcessId] = { type: 'uint32', value: e.processId ?? 0 };
  values[Sys.ThreadId] = { type: 'uint32', value: e.threadId ?? 0 };
  values[Sys.EventRecordId] = { type: 'uint64', value: recordId };
  values[Sys.Version] = { type: 'uint8', value: e.version ?? 0 };
  if (e.userId !== undefined) values[Sys.UserId] = { type: 'sid', value: e.userId };
  values[Sys.ProviderName] = { type: 'string', value: e.provider };
  if (e.providerGuid !== undefined) values[Sys.ProviderGuid] = { type: 'guid', value: e.providerGuid };
  values[Sys.Channel] = { type: 'string', value: e.channel };
  values[Sys.Payload] = payload(e, cache);
  const template = cache.system(e.computer, e.userData !== undefined ? 'UserData' : 'EventData');
  return { template, values };
}
