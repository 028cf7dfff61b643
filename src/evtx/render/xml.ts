// XML rendering, indented like Event Viewer's "XML view". Text is escaped for XML, and control
// characters become character references so that log content cannot drive a terminal.

import type { BxDocument } from '../binxml/nodes.js';
import { scalarText } from '../binxml/walk.js';
import type { RElement } from './tree.js';
import { isElement, resolveDocument } from './tree.js';

// C0 controls except tab/LF/CR, DEL and C1 controls (0x9B is a one-byte CSI on some terminals).
// eslint-disable-next-line no-control-regex
const UNSAFE = /[&<>"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

function escapeChar(c: string): string {
  switch (c) {
    case '&':
      return '&amp;';
    case '<':
      return '&lt;';
    case '>':
      return '&gt;';
    case '"':
      return '&quot;';
    default:
      return `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`;
  }
}

export function escapeXml(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

export function renderXml(doc: BxDocument, indent = '  '): string {
  const { roots } = resolveDocument(doc);
  let out = '';
  for (const root of roots) out += renderElement(root, '', indent);
  return out;
}

function renderElement(el: RElement, pad: string, indent: string): string {
  let open = `${pad}<${el.name}`;
  for (const [name, value] of el.attrs) open += ` ${name}="${escapeXml(scalarText(value))}"`;
  if (el.children.length === 0) return `${open}/>\n`;
  if (!el.children.some(isElement)) {
    let text = '';
    for (const c of el.children) if (!isElement(c)) text += scalarText(c.value);
    return text === '' ? `${open}/>\n` : `${open}>${escapeXml(text)}</${el.name}>\n`;
  }
  let out = `${open}>\n`;
  for (const c of el.children) {
    out += isElement(c) ? renderElement(c, pad + indent, indent) : `${pad}${indent}${escapeXml(scalarText(c.value))}\n`;
  }
  return `${out}${pad}</${el.name}>\n`;
}
