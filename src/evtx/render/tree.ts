// A record's Binary XML resolved into plain elements: instances expanded, substitutions filled,
// elements whose dependency is NULL dropped, array values repeated as Windows repeats them.
// Only rendering needs this; field access goes through extract.ts without building a tree.

import type { EvtxScalar } from '../model.js';
import type { BxDocument, BxElement, BxNode, BxValue } from '../binxml/nodes.js';
import { NodeKind, isFragment } from '../binxml/nodes.js';
import { DEFAULT_WALK_BUDGET, WalkBudget, scalarText } from '../binxml/walk.js';

export interface RElement {
  name: string;
  /** Attribute values keep their type when they are a single substitution. */
  attrs: Array<[string, EvtxScalar]>;
  children: RChild[];
}

/** Text content; `value` keeps the substitution's type for JSON (numbers stay numbers). */
export interface RText {
  value: EvtxScalar;
}

export type RChild = RElement | RText;

export function isElement(c: RChild): c is RElement {
  return (c as RElement).children !== undefined;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Resolves a document; `truncated` says the walk budget ran out (a crafted, exploding tree). */
export function resolveDocument(doc: BxDocument, limit = DEFAULT_WALK_BUDGET): { roots: RElement[]; truncated: boolean } {
  const budget = new WalkBudget(limit);
  const roots: RElement[] = [];
  for (const c of resolveNodes(doc.nodes, [], budget, 0)) if (isElement(c)) roots.push(c);
  // Windows makes <Event> depend on its EventData substitution; a half-written record with that
  // value NULL would vanish entirely, so the root is kept whatever its dependency says.
  if (roots.length === 0) {
    for (const c of resolveNodes(doc.nodes, [], budget, 0, true)) if (isElement(c)) roots.push(c);
  }
  return { roots, truncated: budget.exhausted };
}

function resolveNodes(
  nodes: readonly BxNode[],
  values: readonly BxValue[],
  budget: WalkBudget,
  depth: number,
  keepRoot = false,
): RChild[] {
  const out: RChild[] = [];
  if (depth > 256) return out;
  for (const node of nodes) {
    if (!budget.take()) break;
    switch (node.kind) {
      case NodeKind.Element:
        resolveElement(node, values, budget, depth, out, keepRoot);
        break;
      case NodeKind.Instance:
        out.push(...resolveNodes(node.template.nodes, node.values, budget, depth + 1, keepRoot));
        break;
      case NodeKind.Substitution: {
        const v = values[node.index];
        if (v === undefined || v === null) break;
        if (isFragment(v)) out.push(...resolveNodes(v.nodes, [], budget, depth + 1, keepRoot));
        else if (Array.isArray(v)) out.push({ value: v.map(scalarText).join(',') });
        else out.push({ value: v as EvtxScalar });
        break;
      }
      case NodeKind.Text:
      case NodeKind.CData:
        out.push({ value: node.text });
        break;
      case NodeKind.CharRef:
        out.push({ value: String.fromCharCode(node.code) });
        break;
      case NodeKind.EntityRef:
        out.push({ value: ENTITIES[node.name] ?? `&${node.name};` });
        break;
      case NodeKind.PI:
        break;
    }
  }
  return out;
}

function resolveElement(
  el: BxElement,
  values: readonly BxValue[],
  budget: WalkBudget,
  depth: number,
  out: RChild[],
  keepThis = false,
): void {
  if (!keepThis && el.dependency >= 0 && values[el.dependency] === null) return;
  const attrs: Array<[string, EvtxScalar]> = [];
  for (const a of el.attrs) {
    const only = a.value.length === 1 ? a.value[0]! : null;
    const parts = resolveNodes(a.value, values, budget, depth + 1).filter((c): c is RText => !isElement(c));
    let value: EvtxScalar = parts.length === 1 ? parts[0]!.value : parts.map((c) => scalarText(c.value)).join('');
    if (value === null) value = '';
    // An optional substitution with no value removes its attribute, as Windows renders it.
    if (only !== null && only.kind === NodeKind.Substitution && only.optional && value === '') continue;
    attrs.push([a.name, value]);
  }
  // An element whose only content is an array value is repeated once per item.
  const only = el.children.length === 1 ? el.children[0]! : null;
  if (only !== null && only.kind === NodeKind.Substitution) {
    const v = values[only.index];
    if (Array.isArray(v)) {
      if (v.length === 0) out.push({ name: el.name, attrs, children: [] });
      for (const item of v as EvtxScalar[]) out.push({ name: el.name, attrs, children: [{ value: item }] });
      return;
    }
  }
  out.push({ name: el.name, attrs, children: resolveNodes(el.children, values, budget, depth + 1) });
}
