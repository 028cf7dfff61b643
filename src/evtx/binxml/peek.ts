// The few System values a scan decides on (EventID, Channel, Provider Name), read from a record
// without decoding it: the template tells which substitution holds each, and the value
// descriptors tell where that value lies. A record costs a few reads instead of decoding every
// string of its EventData. Whenever the shape is not the plain one Windows writes, the answer is
// "unknown" (null) and the caller decodes the record in full, so a peek never hides a record
// that a full decode would show differently.

import { EvtxFormatError } from '../errors.js';
import type { ChunkContext } from './context.js';
import { NodeKind } from './nodes.js';
import type { BxElement, BxNode, BxTemplate } from './nodes.js';
import { templateAt } from './parser.js';
import * as T from './tokens.js';

/** What a prefilter sees of a record. */
export interface RecordHeader {
  eventId: number | null;
  channel: string | null;
  provider: string | null;
}

/** Where one System value comes from: a literal in the template, a substitution, or nowhere. */
type Slot = { kind: 'text'; text: string } | { kind: 'sub'; index: number } | { kind: 'absent' };

interface PeekPlan {
  eventId: Slot;
  channel: Slot;
  provider: Slot;
}

/** Plans by template; `false` marks a template whose shape a peek does not handle. */
const plans = new WeakMap<BxTemplate, PeekPlan | false>();

/** The record's header values, or null when only a full decode can tell. Never throws. */
export function peekRecordHeader(ctx: ChunkContext, start: number, end: number): RecordHeader | null {
  try {
    return peek(ctx, start, end);
  } catch (err) {
    if (err instanceof EvtxFormatError || err instanceof RangeError) return null;
    throw err;
  }
}

function peek(ctx: ChunkContext, start: number, end: number): RecordHeader | null {
  let p = start;
  // Fragment header, then one template instance: the shape of every templated record.
  if (p + 14 > end || ctx.u8(p) !== T.TOKEN_FRAGMENT_HEADER) return null;
  p += 4;
  if (ctx.u8(p) !== T.TOKEN_TEMPLATE_INSTANCE) return null;
  const at = p;
  const templateId = ctx.u32(p + 2);
  const defOffset = ctx.u32(p + 6);
  p += 10;
  if (defOffset === p) {
    if (p + 24 > end) return null;
    const size = ctx.u32(p + 20);
    p += 24 + size;
    if (p > end) return null;
  }
  ctx.nodeBudget = ctx.limits.maxNodesPerRecord;
  const template = templateAt(ctx, defOffset, at, templateId);
  let plan = plans.get(template);
  if (plan === undefined) {
    plan = planFor(template);
    plans.set(template, plan);
  }
  if (plan === false) return null;
  if (p + 4 > end) return null;
  const count = ctx.u32(p);
  if (count > ctx.limits.maxValues || p + 4 + count * 4 > end) return null;
  const values = { descriptors: p + 4, data: p + 4 + count * 4, count, end };
  const eventId = numberAt(ctx, plan.eventId, values);
  const channel = textAt(ctx, plan.channel, values);
  const provider = textAt(ctx, plan.provider, values);
  if (eventId === undefined || channel === undefined || provider === undefined) return null;
  return { eventId, channel, provider };
}

interface Values {
  descriptors: number;
  data: number;
  count: number;
  end: number;
}

/** The offset, size and type of value `index`, or null when it is missing or out of bounds. */
function locate(ctx: ChunkContext, v: Values, index: number): { at: number; size: number; type: number } | null {
  if (index >= v.count) return null;
  let at = v.data;
  for (let i = 0; i < index; i++) at += ctx.u16(v.descriptors + i * 4);
  const size = ctx.u16(v.descriptors + index * 4);
  const type = ctx.u8(v.descriptors + index * 4 + 2);
  if (at + size > v.end) return null;
  return { at, size, type };
}

/** A number as the full decode would give it; undefined: only a full decode can tell. */
function numberAt(ctx: ChunkContext, slot: Slot, v: Values): number | null | undefined {
  if (slot.kind === 'absent') return null;
  if (slot.kind === 'text') return asNumber(slot.text);
  const loc = locate(ctx, v, slot.index);
  if (loc === null) return undefined;
  const { at, size, type } = loc;
  if (type === T.TYPE_NULL) return null;
  if (type === T.TYPE_UINT16 && size === 2) return ctx.u16(at);
  if (type === T.TYPE_UINT32 && size === 4) return ctx.u32(at);
  if (type === T.TYPE_UINT8 && size === 1) return ctx.u8(at);
  if (type === T.TYPE_STRING) return asNumber(ctx.utf16(at, size >>> 1));
  return undefined;
}

function textAt(ctx: ChunkContext, slot: Slot, v: Values): string | null | undefined {
  if (slot.kind === 'absent') return null;
  if (slot.kind === 'text') return slot.text;
  const loc = locate(ctx, v, slot.index);
  if (loc === null) return undefined;
  if (loc.type === T.TYPE_NULL) return null;
  if (loc.type === T.TYPE_STRING) return ctx.utf16(loc.at, loc.size >>> 1);
  return undefined;
}

function asNumber(s: string): number | null {
  if (s === '') return null;
  const n = s.startsWith('0x') || s.startsWith('0X') ? parseInt(s.slice(2), 16) : Number(s);
  return Number.isFinite(n) ? n : null;
}

function elements(nodes: readonly BxNode[], name: string): BxElement[] {
  const out: BxElement[] = [];
  for (const n of nodes) if (n.kind === NodeKind.Element && n.name === name) out.push(n);
  return out;
}

/** One value slot from content nodes: a lone substitution or plain text; null if anything else. */
function slotOf(content: readonly BxNode[]): Slot | null {
  if (content.length === 0) return { kind: 'text', text: '' };
  if (content.length === 1) {
    const n = content[0]!;
    if (n.kind === NodeKind.Substitution) return { kind: 'sub', index: n.index };
    if (n.kind === NodeKind.Text) return { kind: 'text', text: n.text };
    return null;
  }
  let text = '';
  for (const n of content) {
    if (n.kind !== NodeKind.Text) return null;
    text += n.text;
  }
  return { kind: 'text', text };
}

/** One System child's content (or an attribute of it); null when the shape is not plain. */
function systemSlot(system: BxElement, element: string, attribute: string | null): Slot | null {
  const found = elements(system.children, element);
  if (found.length === 0) return { kind: 'absent' };
  const el = found[0]!;
  // Repeats are left to the full decode. Dependencies are not: System values ignore them there too.
  if (found.length > 1) return null;
  if (attribute === null) return slotOf(el.children);
  const attrs = el.attrs.filter((a) => a.name === attribute);
  if (attrs.length === 0) return { kind: 'absent' };
  if (attrs.length > 1) return null;
  return slotOf(attrs[0]!.value);
}

function planFor(template: BxTemplate): PeekPlan | false {
  const events = elements(template.nodes, 'Event');
  if (events.length !== 1 || template.nodes.some((n) => n.kind === NodeKind.Instance)) return false;
  const systems = elements(events[0]!.children, 'System');
  if (systems.length !== 1) return false;
  const system = systems[0]!;
  const eventId = systemSlot(system, 'EventID', null);
  const channel = systemSlot(system, 'Channel', null);
  const provider = systemSlot(system, 'Provider', 'Name');
  if (eventId === null || channel === null || provider === null) return false;
  return { eventId, channel, provider };
}
