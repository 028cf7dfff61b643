// Resolving a decoded document: template instances expand to their definition's nodes, and a
// substitution holding nested Binary XML expands to that fragment's nodes. Templates may refer
// to other templates, so a crafted chunk could describe an exponentially large tree: every
// walk carries a budget and stops when it is spent.

import type { EvtxScalar } from '../model.js';
import { NodeKind, isFragment } from './nodes.js';
import type { BxAttribute, BxElement, BxNode, BxValue } from './nodes.js';

/** A node with the substitution values that apply to it. */
export interface Scoped<N extends BxNode = BxNode> {
  node: N;
  values: readonly BxValue[];
}

export class WalkBudget {
  remaining: number;
  exhausted = false;
  constructor(limit: number) {
    this.remaining = limit;
  }
  take(): boolean {
    if (this.remaining-- > 0) return true;
    this.exhausted = true;
    return false;
  }
}

export const DEFAULT_WALK_BUDGET = 1_000_000;

/**
 * Calls `visit` for each effective child of a node list: instances and fragment substitutions
 * are flattened away, everything else is passed through with its scope.
 */
export function forEachNode(
  nodes: readonly BxNode[],
  values: readonly BxValue[],
  budget: WalkBudget,
  visit: (node: BxNode, values: readonly BxValue[]) => void,
): void {
  for (const node of nodes) {
    if (!budget.take()) return;
    if (node.kind === NodeKind.Instance) {
      forEachNode(node.template.nodes, node.values, budget, visit);
    } else if (node.kind === NodeKind.Substitution) {
      const v = values[node.index];
      if (v !== undefined && isFragment(v)) forEachNode(v.nodes, [], budget, visit);
      else visit(node, values);
    } else {
      visit(node, values);
    }
  }
}

/** Effective child elements of an element. */
export function childElements(el: Scoped<BxElement>, budget: WalkBudget): Array<Scoped<BxElement>> {
  const out: Array<Scoped<BxElement>> = [];
  forEachNode(el.node.children, el.values, budget, (node, values) => {
    if (node.kind === NodeKind.Element) out.push({ node, values });
  });
  return out;
}

/** The root elements of a document (normally one `Event`). */
export function rootElements(nodes: readonly BxNode[], budget: WalkBudget): Array<Scoped<BxElement>> {
  const out: Array<Scoped<BxElement>> = [];
  forEachNode(nodes, [], budget, (node, values) => {
    if (node.kind === NodeKind.Element) out.push({ node, values });
  });
  return out;
}

/** A value as text, the way Windows renders it. */
export function scalarText(v: EvtxScalar): string {
  if (v === null) return '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return String(v);
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * The content of text-like nodes. A single substitution keeps its typed value (a number stays a
 * number, an array stays an array); anything else is concatenated text. Elements are ignored.
 */
export function contentValue(
  nodes: readonly BxNode[],
  values: readonly BxValue[],
  budget: WalkBudget,
): EvtxScalar | readonly EvtxScalar[] {
  if (nodes.length === 1) {
    const only = nodes[0]!;
    if (only.kind === NodeKind.Substitution) {
      const v = values[only.index];
      if (v === undefined) return null;
      if (!isFragment(v)) return v;
    } else if (only.kind === NodeKind.Text) {
      return only.text;
    }
  }
  let text = '';
  let any = false;
  forEachNode(nodes, values, budget, (node, vals) => {
    switch (node.kind) {
      case NodeKind.Text:
      case NodeKind.CData:
        text += node.text;
        any = true;
        break;
      case NodeKind.Substitution: {
        const v = vals[node.index];
        if (v !== undefined && !isFragment(v)) {
          text += Array.isArray(v) ? v.map(scalarText).join(',') : scalarText(v as EvtxScalar);
          any = any || v !== null;
        }
        break;
      }
      case NodeKind.CharRef:
        text += String.fromCharCode(node.code);
        any = true;
        break;
      case NodeKind.EntityRef:
        text += ENTITIES[node.name] ?? `&${node.name};`;
        any = true;
        break;
      default:
        break;
    }
  });
  return any ? text : null;
}

export function attributeValue(
  el: Scoped<BxElement>,
  name: string,
  budget: WalkBudget,
): EvtxScalar | readonly EvtxScalar[] | undefined {
  const attr: BxAttribute | undefined = el.node.attrs.find((a) => a.name === name);
  return attr === undefined ? undefined : contentValue(attr.value, el.values, budget);
}
