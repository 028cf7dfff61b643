// Template shapes: the System template Windows uses for manifest-based events, and the nested
// EventData / UserData templates that carry the event's own fields.

import { stableGuid } from './hash.js';
import { ValueType } from './values.js';

export interface TextNode {
  kind: 'text';
  text: string;
}

/** %index: replaced by value[index]. Optional (0x0E) substitutions render nothing for a null value. */
export interface SubstNode {
  kind: 'subst';
  index: number;
  valueType: number;
  optional: boolean;
}

export interface AttrNode {
  name: string;
  value: TextNode | SubstNode;
}

export interface ElementNode {
  kind: 'element';
  name: string;
  attrs: readonly AttrNode[];
  children: readonly (ElementNode | TextNode | SubstNode)[];
}

export interface Template {
  root: ElementNode;
  guid: Uint8Array;
  /** Identifies the shape; equal keys mean byte-identical definitions. */
  key: string;
}

export function makeTemplate(root: ElementNode): Template {
  const key = JSON.stringify(root);
  return { root, key, guid: stableGuid(key) };
}

const el = (
  name: string,
  attrs: readonly AttrNode[],
  children: readonly (ElementNode | TextNode | SubstNode)[],
): ElementNode => ({ kind: 'element', name, attrs, children });
const opt = (index: number, valueType: number): SubstNode => ({ kind: 'subst', index, valueType, optional: true });
const sub = (index: number, valueType: number): SubstNode => ({ kind: 'subst', index, valueType, optional: false });
const text = (t: string): TextNode => ({ kind: 'text', text: t });

export const EVENT_NS = 'http://schemas.microsoft.com/win/2004/08/events/event';

/**
 * Substitution indexes of the System template, in the order Windows numbers them
 * (observed on Sysmon records: Level is %0, EventID %3, Channel %16, EventData %17).
 */
export const Sys = {
  Level: 0,
  Opcode: 1,
  Task: 2,
  EventId: 3,
  Qualifiers: 4,
  Keywords: 5,
  TimeCreated: 6,
  ActivityId: 7,
  ProcessId: 8,
  ThreadId: 9,
  EventRecordId: 10,
  Version: 11,
  UserId: 12,
  RelatedActivityId: 13,
  ProviderName: 14,
  ProviderGuid: 15,
  Channel: 16,
  Payload: 17,
  Count: 18,
} as const;

/**
 * `<Event><System>…</System>%17</Event>` with every System field an optional substitution except
 * Computer, which Windows bakes into the template as literal text. For UserData the payload sits
 * inside a `<UserData>` element of the outer template, as on Windows' own Eventlog events.
 */
export function systemTemplate(computer: string, payload: 'EventData' | 'UserData'): Template {
  const T = ValueType;
  const leaf = (name: string, index: number, type: number): ElementNode => el(name, [], [opt(index, type)]);
  const system = el('System', [], [
    el('Provider', [
      { name: 'Name', value: opt(Sys.ProviderName, T.String) },
      { name: 'Guid', value: opt(Sys.ProviderGuid, T.Guid) },
    ], []),
    el('EventID', [{ name: 'Qualifiers', value: opt(Sys.Qualifiers, T.UInt16) }], [opt(Sys.EventId, T.UInt16)]),
    leaf('Version', Sys.Version, T.UInt8),
    leaf('Level', Sys.Level, T.UInt8),
    leaf('Task', Sys.Task, T.UInt16),
    leaf('Opcode', Sys.Opcode, T.UInt8),
    leaf('Keywords', Sys.Keywords, T.HexInt64),
    el('TimeCreated', [{ name: 'SystemTime', value: opt(Sys.TimeCreated, T.FileTime) }], []),
    leaf('EventRecordID', Sys.EventRecordId, T.UInt64),
    el('Correlation', [
      { name: 'ActivityID', value: opt(Sys.ActivityId, T.Guid) },
      { name: 'RelatedActivityID', value: opt(Sys.RelatedActivityId, T.Guid) },
    ], []),
    el('Execution', [
      { name: 'ProcessID', value: opt(Sys.ProcessId, T.UInt32) },
      { name: 'ThreadID', value: opt(Sys.ThreadId, T.UInt32) },
    ], []),
    leaf('Channel', Sys.Channel, T.String),
    el('Computer', [], [text(computer)]),
    el('Security', [{ name: 'UserID', value: opt(Sys.UserId, T.Sid) }], []),
  ]);
  const payloadNode =
    payload === 'EventData' ? opt(Sys.Payload, T.BinXml) : el('UserData', [], [opt(Sys.Payload, T.BinXml)]);
  return makeTemplate(el('Event', [{ name: 'xmlns', value: text(EVENT_NS) }], [system, payloadNode]));
}

/** A payload field: its name and the type code of its value (0x00 for a null value). */
export type FieldShape = readonly [name: string, valueType: number];

/**
 * Payload fields use normal substitutions, as Windows writes them. A null value instead gets an
 * optional substitution (declared as a string): libfwevt rejects a NULL value in a normal one.
 */
const field = (index: number, valueType: number): SubstNode =>
  valueType === ValueType.Null ? opt(index, ValueType.String) : sub(index, valueType);

/** `<EventData><Data Name="X">%0</Data>…</EventData>`. */
export function eventDataTemplate(fields: readonly FieldShape[]): Template {
  const data = fields.map(([name, type], i) => el('Data', [{ name: 'Name', value: text(name) }], [field(i, type)]));
  return makeTemplate(el('EventData', [], data));
}

/** `<Root xmlns="…"><Field>%0</Field>…</Root>`: the element spliced into `<UserData>`. */
export function userDataTemplate(
  name: string,
  xmlns: string | undefined,
  fields: readonly FieldShape[],
): Template {
  const attrs: AttrNode[] = xmlns === undefined ? [] : [{ name: 'xmlns', value: text(xmlns) }];
  return makeTemplate(el(name, attrs, fields.map(([leaf, type], i) => el(leaf, [], [field(i, type)]))));
}
