// From a decoded document to the fields later stages read: the System block and the event's
// named values. Each template is compiled once (per chunk) into a list of operations that read
// substitution values directly, so a record costs one pass over its values, not a tree walk.

import type { EvtxScalar, EvtxSystem, EvtxValue } from './model.js';
import { EvtxData } from './model.js';
import type { BxElement, BxInstance, BxNode, BxTemplate, BxValue } from './binxml/nodes.js';
import { NodeKind, isFragment } from './binxml/nodes.js';
import { contentValue, WalkBudget } from './binxml/walk.js';

export interface Extracted {
  system: EvtxSystem;
  data: EvtxData;
  dataSection: string | null;
  /** True when the walk budget ran out and the fields may be incomplete. */
  truncated: boolean;
}

/** Where in the event a node list sits, which decides what its elements mean. */
const enum Ctx {
  Root = 0,
  Event = 1,
  System = 2,
  EventData = 3,
  Leaves = 4,
}

const enum O {
  System,
  Section,
  Data,
  Leaf,
  Descend,
  Instance,
  /** Consecutive System ops, run in one tight loop. */
  SystemBlock,
  /** Consecutive Data ops with literal names, run in one tight loop. */
  DataBlock,
}

/** Parallel arrays for a block op: entry i is field i. */
interface Block {
  setters: Setter[];
  names: string[];
  /** Single-substitution index of each entry's content, or -1 to walk `nodes[i]`. */
  subs: number[];
  nodes: Array<readonly BxNode[]>;
  /** Data: the element's dependency (substitution index whose NULL drops it), or -1. */
  deps: number[];
  /** Data: a name repeats within the plan, so suffixes are needed. */
  repeats: boolean;
  /** Data: no entry has a dependency, so every record has exactly `names`. */
  noDeps: boolean;
}

type SystemField = keyof EvtxSystem;

/**
 * One plan step. Every step has the same shape (unused fields are null) so that V8 sees a single
 * hidden class in the hot loop; a union of object literals made every property load megamorphic.
 */
class Op {
  constructor(
    readonly op: O,
    /** System: the field setter. */
    readonly set: Setter | null,
    /** System, Data, Leaf: the content nodes; for Data the element's children. */
    readonly nodes: readonly BxNode[],
    /** Content that is a single substitution: its index (-1 otherwise), read without a walk. */
    readonly sub: number,
    /** Section and Leaf names; Data names when literal ('' = unnamed, null = computed). */
    readonly name: string | null,
    /** Data: the element, for a Name attribute that is not literal. */
    readonly el: BxElement | null,
    /** Descend: the substitution index; Instance: the instance node. */
    readonly index: number,
    readonly instance: BxInstance | null,
    readonly ctx: Ctx,
    readonly block: Block | null = null,
  ) {}
}

function singleSub(nodes: readonly BxNode[]): number {
  const only = nodes.length === 1 ? nodes[0]! : null;
  return only !== null && only.kind === NodeKind.Substitution ? only.index : -1;
}

const contentOp = (op: O, set: Setter | null, nodes: readonly BxNode[], name: string | null, el: BxElement | null): Op =>
  new Op(op, set, nodes, singleSub(nodes), name, el, -1, null, Ctx.Root);
const sectionOp = (name: string): Op => new Op(O.Section, null, [], -1, name, null, -1, null, Ctx.Root);

/** System elements: element name → [field from content, [attribute, field]…]. */
const SYSTEM_FIELDS: Record<string, { content?: [SystemField]; attrs?: Array<[string, SystemField]> }> = {
  Provider: {
    attrs: [
      ['Name', 'provider'],
      ['Guid', 'providerGuid'],
      ['EventSourceName', 'eventSourceName'],
    ],
  },
  EventID: { content: ['eventId'], attrs: [['Qualifiers', 'qualifiers']] },
  Version: { content: ['version'] },
  Level: { content: ['level'] },
  Task: { content: ['task'] },
  Opcode: { content: ['opcode'] },
  Keywords: { content: ['keywords'] },
  TimeCreated: { attrs: [['SystemTime', 'timeCreated']] },
  EventRecordID: { content: ['eventRecordId'] },
  Correlation: {
    attrs: [
      ['ActivityID', 'activityId'],
      ['RelatedActivityID', 'relatedActivityId'],
    ],
  },
  Execution: {
    attrs: [
      ['ProcessID', 'processId'],
      ['ThreadID', 'threadId'],
    ],
  },
  Channel: { content: ['channel'] },
  Computer: { content: ['computer'] },
  Security: { attrs: [['UserID', 'userId']] },
};

type Setter = (sys: EvtxSystem, v: EvtxValue) => void;

/** One monomorphic store per field: a computed-key store here would go megamorphic. */
const SETTERS: Record<SystemField, Setter> = {
  provider: (s, v) => void (s.provider = asText(v)),
  providerGuid: (s, v) => void (s.providerGuid = asText(v)),
  eventSourceName: (s, v) => void (s.eventSourceName = asText(v)),
  eventId: (s, v) => void (s.eventId = asNumber(v)),
  qualifiers: (s, v) => void (s.qualifiers = asNumber(v)),
  version: (s, v) => void (s.version = asNumber(v)),
  level: (s, v) => void (s.level = asNumber(v)),
  task: (s, v) => void (s.task = asNumber(v)),
  opcode: (s, v) => void (s.opcode = asNumber(v)),
  keywords: (s, v) => void (s.keywords = asText(v)),
  timeCreated: (s, v) => void (s.timeCreated = typeof v === 'string' ? normalizeIsoTime(v) : asText(v)),
  eventRecordId: (s, v) => void (s.eventRecordId = asNumber(v)),
  activityId: (s, v) => void (s.activityId = asText(v)),
  relatedActivityId: (s, v) => void (s.relatedActivityId = asText(v)),
  processId: (s, v) => void (s.processId = asNumber(v)),
  threadId: (s, v) => void (s.threadId = asNumber(v)),
  channel: (s, v) => void (s.channel = asText(v)),
  computer: (s, v) => void (s.computer = asText(v)),
  userId: (s, v) => void (s.userId = asText(v)),
};

function literalText(nodes: readonly BxNode[]): string | null {
  let text = '';
  for (const n of nodes) {
    if (n.kind !== NodeKind.Text) return null;
    text += n.text;
  }
  return text;
}

interface State {
  system: EvtxSystem;
  names: string[];
  values: EvtxValue[];
  /** Unnamed Data values, gathered under one `Data` entry placed where the first one was. */
  unnamed: EvtxScalar[] | null;
  unnamedAt: number;
  /** Set when names may repeat (several plans, dynamic names, leaves): suffixing runs at the end. */
  dedupe: boolean;
  /** `names` is a block's own array, shared by every record of that template: copy before writing. */
  namesShared: boolean;
  /** The plan whose Data ops supplied the names so far; a second one means names may repeat. */
  dataPlan: readonly Op[] | null;
  dataSection: string | null;
  /** The first element root is the event; later roots (multiple fragments) are ignored. */
  rootSeen: boolean;
  /** Only the first data section is read. */
  sectionDone: boolean;
  budget: WalkBudget;
}

function planFor(template: BxTemplate, ctx: Ctx): Op[] {
  // Plans live on the template object: a field load is cheaper than a WeakMap lookup per record.
  const plans = (template.plans ??= []) as Array<Op[] | undefined>;
  let plan = plans[ctx];
  if (plan === undefined) {
    const ops: Op[] = [];
    compile(template.nodes, ctx, ops, 0);
    plan = mergeBlocks(ops);
    plans[ctx] = plan;
  }
  return plan;
}

function compile(nodes: readonly BxNode[], ctx: Ctx, out: Op[], depth: number): void {
  if (depth > 64) return;
  for (const node of nodes) {
    if (node.kind === NodeKind.Substitution) {
      out.push(new Op(O.Descend, null, [], -1, null, null, node.index, null, ctx));
      continue;
    }
    if (node.kind === NodeKind.Instance) {
      out.push(new Op(O.Instance, null, [], -1, null, null, -1, node, ctx));
      continue;
    }
    if (node.kind !== NodeKind.Element) continue;
    switch (ctx) {
      case Ctx.Root:
        out.push(sectionOp('#root'));
        compile(node.children, Ctx.Event, out, depth + 1);
        break;
      case Ctx.Event:
        if (node.name === 'System') {
          compile(node.children, Ctx.System, out, depth + 1);
        } else if (node.name !== 'RenderingInfo') {
          out.push(sectionOp(node.name));
          compile(node.children, node.name === 'EventData' ? Ctx.EventData : Ctx.Leaves, out, depth + 1);
          out.push(sectionOp('#end'));
        }
        break;
      case Ctx.System: {
        const spec = SYSTEM_FIELDS[node.name];
        if (spec === undefined) break;
        if (spec.content !== undefined) {
          out.push(contentOp(O.System, SETTERS[spec.content[0]], node.children, null, null));
        }
        for (const [attrName, field] of spec.attrs ?? []) {
          const a = node.attrs.find((x) => x.name === attrName);
          if (a !== undefined) out.push(contentOp(O.System, SETTERS[field], a.value, null, null));
        }
        break;
      }
      case Ctx.EventData: {
        const nameAttr = node.name === 'Data' ? node.attrs.find((a) => a.name === 'Name') : undefined;
        const name = node.name !== 'Data' ? node.name : nameAttr === undefined ? '' : literalText(nameAttr.value);
        out.push(contentOp(O.Data, null, node.children, name, node));
        break;
      }
      case Ctx.Leaves:
        if (node.children.some((c) => c.kind === NodeKind.Element)) {
          // Names UserData's payload element (`UserData/LogFileCleared`); ignored deeper down.
          out.push(sectionOp(node.name));
          compile(node.children, Ctx.Leaves, out, depth + 1);
        } else {
          out.push(contentOp(O.Leaf, null, node.children, node.name, node));
        }
        break;
    }
  }
}

/**
 * Folds runs of System ops, and of Data ops with literal names, into block ops: the common
 * record (System block, then an EventData block) then costs two tight loops over arrays.
 */
function mergeBlocks(ops: Op[]): Op[] {
  const out: Op[] = [];
  let block: Block | null = null;
  let kind: O | null = null;
  for (const op of ops) {
    const joinable =
      op.op === O.System ? O.SystemBlock : op.op === O.Data && op.name !== null && op.name !== '' ? O.DataBlock : null;
    if (joinable === null) {
      block = null;
      kind = null;
      out.push(op);
      continue;
    }
    if (block === null || kind !== joinable) {
      block = { setters: [], names: [], subs: [], nodes: [], deps: [], repeats: false, noDeps: true };
      kind = joinable;
      out.push(new Op(joinable, null, [], -1, null, null, -1, null, Ctx.Root, block));
    }
    if (op.set !== null) block.setters.push(op.set);
    if (op.name !== null) block.names.push(op.name);
    block.subs.push(op.sub);
    block.nodes.push(op.nodes);
    block.deps.push(op.el?.dependency ?? -1);
    if ((op.el?.dependency ?? -1) >= 0) block.noDeps = false;
  }
  // A template may name two Data elements alike (Security 4624 v2 has LogonGuid twice).
  const seen = new Set<string>();
  let repeats = false;
  for (const op of out) {
    for (const name of op.block?.names ?? (op.op === O.Data && op.name !== null ? [op.name] : [])) {
      if (name === '') continue;
      if (seen.has(name)) repeats = true;
      seen.add(name);
    }
  }
  if (repeats) for (const op of out) if (op.block !== null) op.block.repeats = true;
  return out;
}

function run(plan: readonly Op[], values: readonly BxValue[], s: State): void {
  for (const op of plan) {
    if (!s.budget.take()) return;
    switch (op.op) {
      case O.System:
        op.set!(s.system, content(op, values, s));
        break;
      case O.SystemBlock: {
        const b = op.block!;
        for (let i = 0; i < b.subs.length; i++) b.setters[i]!(s.system, blockValue(b, i, values, s));
        break;
      }
      case O.DataBlock: {
        if (s.sectionDone) break;
        if (s.dataPlan !== plan) {
          if (s.dataPlan !== null) s.dedupe = true;
          s.dataPlan = plan;
        }
        const b = op.block!;
        if (b.repeats) s.dedupe = true;
        const n = b.subs.length;
        if (s.names.length === 0 && b.noDeps && !b.repeats) {
          // The usual record: its names are exactly the block's, so share that (never mutated)
          // array and build only the values.
          const vals = new Array<EvtxValue>(n);
          for (let i = 0; i < n; i++) vals[i] = blockValue(b, i, values, s);
          s.names = b.names;
          s.values = vals;
          s.namesShared = true;
          break;
        }
        unshare(s);
        for (let i = 0; i < n; i++) {
          const dep = b.deps[i]!;
          if (dep >= 0 && values[dep] === null) continue; // Windows leaves such elements out
          s.names.push(b.names[i]!);
          s.values.push(blockValue(b, i, values, s));
        }
        break;
      }
      case O.Section:
        if (op.name === '#root') {
          if (s.rootSeen) return;
          s.rootSeen = true;
        } else if (op.name === '#end') {
          if (s.dataSection !== null) s.sectionDone = true;
        } else if (s.dataSection === null) {
          s.dataSection = op.name;
        } else if (s.dataSection === 'UserData' && !s.sectionDone) {
          s.dataSection = `UserData/${op.name}`;
        }
        break;
      case O.Data:
        if (!s.sectionDone && !dropped(op.el!, values)) {
          const value = content(op, values, s);
          let name = op.name;
          if (name === null) {
            const dynamic = attr(op.el!, 'Name', values, s.budget);
            name = typeof dynamic === 'string' ? dynamic : '';
            s.dedupe = true;
          }
          if (name === '') {
            pushUnnamed(s, value);
          } else {
            if (s.dataPlan !== plan) {
              if (s.dataPlan !== null) s.dedupe = true;
              s.dataPlan = plan;
            }
            unshare(s);
            s.names.push(name);
            s.values.push(value);
          }
        }
        break;
      case O.Leaf:
        if (!s.sectionDone && (op.el === null || !dropped(op.el, values))) {
          unshare(s);
          s.names.push(op.name!);
          s.values.push(content(op, values, s));
          s.dedupe = true;
        }
        break;
      case O.Descend: {
        const v = values[op.index];
        if (v !== undefined && isFragment(v)) runNodes(v.nodes, [], op.ctx, s);
        else if (op.ctx === Ctx.EventData && !s.sectionDone && v !== undefined && v !== null) {
          // A bare value directly inside EventData: keep it as unnamed data.
          pushUnnamed(s, v);
        }
        break;
      }
      case O.Instance:
        run(planFor(op.instance!.template, op.ctx), op.instance!.values, s);
        break;
    }
  }
}

/** An element whose dependency substitution is NULL is not part of the event (MS-EVEN6). */
function dropped(el: BxElement, values: readonly BxValue[]): boolean {
  return el.dependency >= 0 && values[el.dependency] === null;
}

function blockValue(b: Block, i: number, values: readonly BxValue[], s: State): EvtxValue {
  const k = b.subs[i]!;
  if (k >= 0) {
    const v = values[k];
    if (v === undefined) return null;
    if (!isFragment(v)) return v;
  }
  return contentValue(b.nodes[i]!, values, s.budget);
}

/** An op's content value: a single substitution is read directly, anything else is walked. */
function content(op: Op, values: readonly BxValue[], s: State): EvtxValue {
  if (op.sub >= 0) {
    const v = values[op.sub];
    if (v === undefined) return null;
    if (!isFragment(v)) return v;
  }
  return contentValue(op.nodes, values, s.budget);
}

/** Node lists outside any template (records written without templates, nested fragments). */
function runNodes(nodes: readonly BxNode[], values: readonly BxValue[], ctx: Ctx, s: State): void {
  const first = nodes.length === 1 ? nodes[0]! : null;
  if (first !== null && first.kind === NodeKind.Instance) {
    run(planFor(first.template, ctx), first.values, s);
    return;
  }
  const plan: Op[] = [];
  compile(nodes, ctx, plan, 0);
  run(plan, values, s);
}

function emptySystem(): EvtxSystem {
  return {
    provider: null,
    providerGuid: null,
    eventSourceName: null,
    eventId: null,
    qualifiers: null,
    version: null,
    level: null,
    task: null,
    opcode: null,
    keywords: null,
    timeCreated: null,
    eventRecordId: null,
    activityId: null,
    relatedActivityId: null,
    processId: null,
    threadId: null,
    channel: null,
    computer: null,
    userId: null,
  };
}

const ISO = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/;

/** Text times (records written without templates) to the 7 fractional digits FILETIMEs get. */
function normalizeIsoTime(v: string): string {
  // FILETIME renderings already have this exact length and form: only text times need the work.
  if (v.length === 28 && v.charCodeAt(19) === 46) return v;
  const m = ISO.exec(v);
  if (m === null) return v;
  return `${m[1]}.${(m[2] ?? '').padEnd(7, '0').slice(0, 7)}Z`;
}

function asText(v: EvtxValue | undefined): string | null {
  if (v === undefined || v === null) return null;
  if (Array.isArray(v)) return v.join(',');
  return String(v);
}

/** Numbers may arrive typed or as text (records without templates carry text). */
function asNumber(v: EvtxValue | undefined): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v !== '') {
    const n = v.startsWith('0x') || v.startsWith('0X') ? parseInt(v.slice(2), 16) : Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

function attr(el: BxElement, name: string, values: readonly BxValue[], budget: WalkBudget): EvtxValue | undefined {
  for (const a of el.attrs) if (a.name === name) return contentValue(a.value, values, budget);
  return undefined;
}

function pushUnnamed(s: State, value: EvtxValue): void {
  if (s.unnamed === null) {
    s.unnamed = [];
    unshare(s);
    s.unnamedAt = s.names.length;
    s.names.push('Data');
    s.values.push(null);
    s.dedupe = true;
  }
  if (Array.isArray(value)) s.unnamed.push(...(value as EvtxScalar[]));
  else s.unnamed.push(value as EvtxScalar);
}

/** Suffixes repeated names with `_1`, `_2`, … in document order. */
/** Before names are added or changed: a shared block name list is copied first. */
function unshare(s: State): void {
  if (s.namesShared) {
    s.names = s.names.slice();
    s.values = s.values.slice();
    s.namesShared = false;
  }
}

function dedupeNames(names: string[]): void {
  const seen = new Set<string>();
  for (let i = 0; i < names.length; i++) {
    const base = names[i]!;
    if (seen.has(base)) {
      let k = 1;
      while (seen.has(`${base}_${k}`)) k++;
      names[i] = `${base}_${k}`;
    }
    seen.add(names[i]!);
  }
}

export function extractFields(nodes: readonly BxNode[], walkBudget: number): Extracted {
  const s: State = {
    system: emptySystem(),
    names: [],
    values: [],
    namesShared: false,
    unnamed: null,
    unnamedAt: -1,
    dedupe: false,
    dataPlan: null,
    dataSection: null,
    rootSeen: false,
    sectionDone: false,
    budget: new WalkBudget(walkBudget),
  };
  runNodes(nodes, [], Ctx.Root, s);
  if (s.unnamed !== null) s.values[s.unnamedAt] = s.unnamed.length === 1 ? s.unnamed[0]! : s.unnamed;
  if (s.dedupe) {
    unshare(s);
    dedupeNames(s.names);
  }
  return {
    system: s.system,
    data: new EvtxData(s.names, s.values),
    dataSection: s.dataSection,
    truncated: s.budget.exhausted,
  };
}
