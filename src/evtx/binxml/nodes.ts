// Binary XML as a small tree. A template definition is parsed once per chunk into nodes with
// substitution slots; a record is an instance (template + decoded values). Nothing is copied
// into a per-record tree: walkers resolve substitutions as they go.

import type { EvtxScalar } from '../model.js';

export const enum NodeKind {
  Element = 0,
  Text = 1,
  Substitution = 2,
  CharRef = 3,
  EntityRef = 4,
  CData = 5,
  PI = 6,
  Instance = 7,
}

export interface BxElement {
  kind: NodeKind.Element;
  name: string;
  /**
   * Dependency: the index of a substitution whose NULL value removes this element (MS-EVEN6
   * 2.2.12); -1 when there is none. Windows sets it on elements holding optional substitutions.
   */
  dependency: number;
  attrs: BxAttribute[];
  children: BxNode[];
}

export interface BxAttribute {
  name: string;
  value: BxNode[];
}

export interface BxText {
  kind: NodeKind.Text;
  text: string;
}

export interface BxSubstitution {
  kind: NodeKind.Substitution;
  index: number;
  /** The value type the template declares; the instance's descriptor type wins when they differ. */
  type: number;
  /** Optional substitutions (token 0x0E) drop their attribute when the value is empty. */
  optional: boolean;
}

export interface BxCharRef {
  kind: NodeKind.CharRef;
  code: number;
}

export interface BxEntityRef {
  kind: NodeKind.EntityRef;
  name: string;
}

export interface BxCData {
  kind: NodeKind.CData;
  text: string;
}

export interface BxPI {
  kind: NodeKind.PI;
  target: string;
  data: string;
}

/** A template instance: the definition's nodes filled with these values. */
export interface BxInstance {
  kind: NodeKind.Instance;
  template: BxTemplate;
  values: BxValue[];
}

export type BxNode = BxElement | BxText | BxSubstitution | BxCharRef | BxEntityRef | BxCData | BxPI | BxInstance;

export interface BxTemplate {
  /** Compiled extraction plans, by context; filled lazily by extract.ts. */
  plans?: unknown[];
  /** `{XXXXXXXX-…}` upper case. */
  guid: string;
  nodes: BxNode[];
}

/** A nested Binary XML value (type 0x21), spliced in where it is substituted. */
export class BxFragment {
  readonly nodes: BxNode[];
  constructor(nodes: BxNode[]) {
    this.nodes = nodes;
  }
}

/** A decoded substitution value, with its type so renderers can format it faithfully. */
export type BxValue = EvtxScalar | readonly EvtxScalar[] | BxFragment;

/** A whole record's Binary XML: usually one instance node. */
export interface BxDocument {
  nodes: BxNode[];
}

export function isFragment(v: BxValue): v is BxFragment {
  // The typeof test first: instanceof on the primitives that most values are is slow in V8.
  return typeof v === 'object' && v !== null && v instanceof BxFragment;
}
