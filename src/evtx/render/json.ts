// JSON rendering in the shape evtx_dump popularised (and Chainsaw, Hayabusa and Zircolite read):
// attributes under `#attributes`, text under `#text` when an element also has attributes,
// `<Data Name="X">v</Data>` as `"X": v`, repeated names suffixed `_1`, `_2`, …, numbers as numbers.

import type { EvtxScalar } from '../model.js';
import type { BxDocument } from '../binxml/nodes.js';
import { scalarText } from '../binxml/walk.js';
import type { RElement } from './tree.js';
import { isElement, resolveDocument } from './tree.js';

export type JsonValue = EvtxScalar | JsonValue[] | { [key: string]: JsonValue };
type JsonObject = { [key: string]: JsonValue };

/** `{ "Event": { … } }` for a record (an empty object if the record has no element). */
export function renderJson(doc: BxDocument): JsonObject {
  const out = nullObject();
  for (const root of resolveDocument(doc).roots) put(out, root.name, elementValue(root));
  return out;
}

// Keys come from the log, so no key may reach a prototype. The prototype here is an empty,
// frozen object whose own prototype is null: `__proto__` and friends stay plain keys, and V8
// keeps the objects in fast mode, where Object.create(null) objects make JSON.stringify slow.
const SAFE_PROTO: object = Object.freeze(Object.create(null) as object);

function nullObject(): JsonObject {
  return Object.create(SAFE_PROTO) as JsonObject;
}

function put(o: JsonObject, key: string, value: JsonValue): void {
  if (!(key in o)) {
    o[key] = value;
    return;
  }
  let k = 1;
  while (`${key}_${k}` in o) k++;
  o[`${key}_${k}`] = value;
}

function textOf(el: RElement): JsonValue {
  const texts = el.children.filter((c) => !isElement(c));
  if (texts.length === 0) return null;
  if (texts.length === 1) return (texts[0] as { value: EvtxScalar }).value;
  return texts.map((c) => scalarText((c as { value: EvtxScalar }).value)).join('');
}

function elementValue(el: RElement): JsonValue {
  const elements = el.children.filter(isElement);
  if (elements.length === 0 && el.attrs.length === 0) return textOf(el);
  const o = nullObject();
  if (el.attrs.length > 0) {
    const attrs = nullObject();
    for (const [name, value] of el.attrs) put(attrs, name, value);
    o['#attributes'] = attrs;
  }
  const unnamed: JsonValue[] = [];
  for (const child of elements) {
    const nameValue = child.name === 'Data' ? child.attrs.find(([n]) => n === 'Name')?.[1] : undefined;
    const name = nameValue === undefined || nameValue === null ? undefined : scalarText(nameValue);
    if (name !== undefined && name !== '') put(o, name, textOf(child));
    else if (child.name === 'Data' && child.attrs.length === 0) unnamed.push(textOf(child));
    else put(o, child.name, elementValue(child));
  }
  if (unnamed.length > 0) put(o, 'Data', { '#text': unnamed.length === 1 ? unnamed[0]! : unnamed });
  if (elements.length === 0) {
    const text = textOf(el);
    if (text !== null) o['#text'] = text;
  }
  return o;
}
