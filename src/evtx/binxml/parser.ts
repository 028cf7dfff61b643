// Binary XML streams → nodes. Parsing follows the structure token by token and never scans to
// a record's end: the padding after EOF can hold stale bytes. Every read is bounds-checked
// against the stream's end; violations throw EvtxFormatError, caught per record by the caller.

import { EvtxFormatError, truncated } from '../errors.js';
import type { ChunkContext } from './context.js';
import { BxFragment, NodeKind } from './nodes.js';
import type { BxAttribute, BxElement, BxInstance, BxNode, BxTemplate, BxValue } from './nodes.js';
import * as T from './tokens.js';
import { hex64, readGuid, readValue, sidText } from './values.js';
import { filetimeToIso } from '../time.js';
import { TemplateCache } from './template-cache.js';

interface Cursor {
  pos: number;
  readonly end: number;
  /** Inside a template definition, element starts carry a dependency id. */
  readonly inTemplate: boolean;
  /** Depth of nested Binary XML values. */
  readonly depth: number;
}

function tick(ctx: ChunkContext, pos: number): void {
  if (--ctx.nodeBudget < 0) {
    throw new EvtxFormatError('limit-exceeded', `more than ${ctx.limits.maxNodesPerRecord} nodes in one record`, pos);
  }
}

/**
 * A name reference: the u32 chunk offset of a name structure. When it points right after
 * itself the structure is inline and the cursor skips it; otherwise it refers back.
 */
function readName(ctx: ChunkContext, c: Cursor): string {
  ctx.need('name offset', c.pos, 4, c.end);
  const offset = ctx.u32(c.pos);
  const refs = ctx.nameRefs;
  const at = c.pos - ctx.nameRefsBase;
  c.pos += 4;
  if (refs !== null) {
    const name = nameAt(ctx, offset, c.pos - 4);
    refs.push({ at, inline: offset === c.pos, name });
  }
  if (offset === c.pos) {
    ctx.need('inline name', c.pos, 8, c.end);
    const count = ctx.u16(c.pos + 6);
    const size = 10 + count * 2;
    ctx.need('inline name', c.pos, size, c.end);
    c.pos += size;
  }
  return nameAt(ctx, offset, c.pos - 4);
}

/** The name structure at chunk offset `offset`; errors point at the reference, `from`. */
function nameAt(ctx: ChunkContext, offset: number, from: number): string {
  const cached = ctx.names.get(offset);
  if (cached !== undefined) return cached;
  if (offset + 8 > ctx.buf.length) throw new EvtxFormatError('truncated', `name offset 0x${offset.toString(16)} is outside the chunk`, from);
  const count = ctx.u16(offset + 6);
  if (offset + 8 + count * 2 > ctx.buf.length) throw new EvtxFormatError('truncated', `name at 0x${offset.toString(16)} runs past the chunk`, from);
  const name = ctx.utf16(offset + 8, count);
  ctx.names.set(offset, name);
  return name;
}

function readUtf16Counted(ctx: ChunkContext, c: Cursor, what: string): string {
  ctx.need(what, c.pos, 2, c.end);
  const count = ctx.u16(c.pos);
  ctx.need(what, c.pos + 2, count * 2, c.end);
  // Text tokens keep embedded NULs out, as the value readers do.
  const text = ctx.utf16(c.pos + 2, count);
  c.pos += 2 + count * 2;
  return text;
}

/** Parses tokens until EOF or the end of the stream. */
export function parseStream(ctx: ChunkContext, c: Cursor): BxNode[] {
  const nodes: BxNode[] = [];
  while (c.pos < c.end) {
    const token = ctx.u8(c.pos);
    switch (token & ~T.TOKEN_MORE_BIT) {
      case T.TOKEN_EOF:
        c.pos++;
        return nodes;
      case T.TOKEN_FRAGMENT_HEADER:
        ctx.need('fragment header', c.pos, 4, c.end);
        c.pos += 4;
        break;
      case T.TOKEN_TEMPLATE_INSTANCE:
        nodes.push(readInstance(ctx, c));
        break;
      case T.TOKEN_OPEN_START_ELEMENT:
        nodes.push(readElement(ctx, c, 0));
        break;
      default: {
        const node = readContentNode(ctx, c);
        if (node === null) {
          throw new EvtxFormatError('bad-token', `unexpected token 0x${token.toString(16)} at fragment level`, c.pos);
        }
        nodes.push(node);
      }
    }
  }
  return nodes;
}

/** Text-like content tokens allowed in element content and (some) in attribute values. */
function readContentNode(ctx: ChunkContext, c: Cursor): BxNode | null {
  const token = ctx.u8(c.pos);
  switch (token & ~T.TOKEN_MORE_BIT) {
    case T.TOKEN_VALUE: {
      ctx.need('value token', c.pos, 2, c.end);
      const type = ctx.u8(c.pos + 1);
      c.pos += 2;
      if (type !== T.TYPE_STRING) {
        throw new EvtxFormatError('bad-token', `value token of type 0x${type.toString(16)}, expected string`, c.pos - 1);
      }
      tick(ctx, c.pos);
      return { kind: NodeKind.Text, text: readUtf16Counted(ctx, c, 'value text') };
    }
    case T.TOKEN_NORMAL_SUBSTITUTION:
    case T.TOKEN_OPTIONAL_SUBSTITUTION: {
      ctx.need('substitution', c.pos, 4, c.end);
      const node: BxNode = {
        kind: NodeKind.Substitution,
        index: ctx.u16(c.pos + 1),
        type: ctx.u8(c.pos + 3),
        optional: token === T.TOKEN_OPTIONAL_SUBSTITUTION,
      };
      c.pos += 4;
      tick(ctx, c.pos);
      return node;
    }
    case T.TOKEN_CHAR_REF: {
      ctx.need('character reference', c.pos, 3, c.end);
      const code = ctx.u16(c.pos + 1);
      c.pos += 3;
      return { kind: NodeKind.CharRef, code };
    }
    case T.TOKEN_ENTITY_REF: {
      c.pos++;
      return { kind: NodeKind.EntityRef, name: readName(ctx, c) };
    }
    case T.TOKEN_CDATA: {
      c.pos++;
      return { kind: NodeKind.CData, text: readUtf16Counted(ctx, c, 'CDATA') };
    }
    case T.TOKEN_PI_TARGET: {
      c.pos++;
      const target = readName(ctx, c);
      let data = '';
      if (c.pos < c.end && ctx.u8(c.pos) === T.TOKEN_PI_DATA) {
        c.pos++;
        data = readUtf16Counted(ctx, c, 'PI data');
      }
      return { kind: NodeKind.PI, target, data };
    }
    case T.TOKEN_TEMPLATE_INSTANCE:
      return readInstance(ctx, c);
    default:
      return null;
  }
}

function readElement(ctx: ChunkContext, c: Cursor, elementDepth: number): BxElement {
  if (elementDepth >= ctx.limits.maxElementDepth) {
    throw new EvtxFormatError('limit-exceeded', `elements nested deeper than ${ctx.limits.maxElementDepth}`, c.pos);
  }
  tick(ctx, c.pos);
  const start = c.pos;
  const token = ctx.u8(c.pos);
  ctx.need('element start', c.pos, 9, c.end);
  // The u16 dependency id is present in template definitions. Some writers differ, so decide
  // the way libfwevt does: if the size read without it cannot fit, the id is there.
  let p = c.pos + 1;
  let dependency = -1;
  const sizeWithoutDep = ctx.u32(p);
  if (c.inTemplate || sizeWithoutDep > c.end - (p + 4)) {
    const id = ctx.u16(p);
    if (id !== 0xffff) dependency = id;
    p += 2;
  }
  p += 4; // element data size: we parse structurally and do not need it
  c.pos = p;
  const name = readName(ctx, c);
  const attrs: BxAttribute[] = [];
  if (token & T.TOKEN_MORE_BIT) {
    ctx.need('attribute list size', c.pos, 4, c.end);
    c.pos += 4;
    readAttributes(ctx, c, attrs);
  }
  ctx.need('element close', c.pos, 1, c.end);
  const close = ctx.u8(c.pos);
  c.pos++;
  if (close === T.TOKEN_CLOSE_EMPTY_ELEMENT) return { kind: NodeKind.Element, name, dependency, attrs, children: [] };
  if (close !== T.TOKEN_CLOSE_START_ELEMENT) {
    throw new EvtxFormatError('bad-token', `element <${name}> has token 0x${close.toString(16)} after its start`, c.pos - 1);
  }
  const children: BxNode[] = [];
  for (;;) {
    if (c.pos >= c.end) throw new EvtxFormatError('truncated', `element <${name}> is not closed`, start);
    const t = ctx.u8(c.pos);
    const base = t & ~T.TOKEN_MORE_BIT;
    if (base === T.TOKEN_END_ELEMENT) {
      c.pos++;
      break;
    }
    if (base === T.TOKEN_OPEN_START_ELEMENT) {
      children.push(readElement(ctx, c, elementDepth + 1));
      continue;
    }
    const node = readContentNode(ctx, c);
    if (node === null) {
      throw new EvtxFormatError('bad-token', `unexpected token 0x${t.toString(16)} in element <${name}>`, c.pos);
    }
    children.push(node);
  }
  return { kind: NodeKind.Element, name, dependency, attrs, children };
}

function readAttributes(ctx: ChunkContext, c: Cursor, attrs: BxAttribute[]): void {
  while (c.pos < c.end && (ctx.u8(c.pos) & ~T.TOKEN_MORE_BIT) === T.TOKEN_ATTRIBUTE) {
    c.pos++;
    tick(ctx, c.pos);
    const name = readName(ctx, c);
    const value: BxNode[] = [];
    while (c.pos < c.end) {
      const base = ctx.u8(c.pos) & ~T.TOKEN_MORE_BIT;
      if (
        base !== T.TOKEN_VALUE &&
        base !== T.TOKEN_NORMAL_SUBSTITUTION &&
        base !== T.TOKEN_OPTIONAL_SUBSTITUTION &&
        base !== T.TOKEN_CHAR_REF &&
        base !== T.TOKEN_ENTITY_REF
      ) {
        break;
      }
      const node = readContentNode(ctx, c);
      if (node !== null) value.push(node);
    }
    attrs.push({ name, value });
  }
}

/** TemplateInstance: `0C, u8, u32 id, u32 definition offset, [inline definition], values`. */
function readInstance(ctx: ChunkContext, c: Cursor): BxInstance {
  ctx.need('template instance', c.pos, 10, c.end);
  if (c.inTemplate) ctx.sharable = false;
  const at = c.pos;
  const templateId = ctx.u32(c.pos + 2);
  const defOffset = ctx.u32(c.pos + 6);
  c.pos += 10;
  let template: BxTemplate;
  if (defOffset === c.pos) {
    // Inline definition: u32 next, GUID, u32 size, then the definition's Binary XML.
    ctx.need('template definition', c.pos, 24, c.end);
    const size = ctx.u32(c.pos + 20);
    ctx.need('template definition', c.pos + 24, size, c.end);
    template = templateAt(ctx, defOffset, at, templateId);
    c.pos += 24 + size;
  } else {
    template = templateAt(ctx, defOffset, at, templateId);
  }
  return { kind: NodeKind.Instance, template, values: readValues(ctx, c) };
}

/**
 * The definition at chunk offset `offset`, for an instance at `from` naming template `id`.
 * The id is the first word of the definition's GUID; a mismatch means the offset now holds
 * another template (slack space, overwritten chunks), whose decoding would be fiction.
 */
export function templateAt(ctx: ChunkContext, offset: number, from: number, id: number): BxTemplate {
  if (offset < 512 || offset + 24 > ctx.buf.length) {
    throw new EvtxFormatError('bad-template', `template definition offset 0x${offset.toString(16)} is outside the chunk`, from);
  }
  const found = ctx.u32(offset + 4);
  if (found !== id) {
    throw new EvtxFormatError('bad-template', `instance names template 0x${id.toString(16)}, offset 0x${offset.toString(16)} holds 0x${found.toString(16)}`, from);
  }
  const cached = ctx.templates.get(offset);
  if (cached !== undefined) return cached;
  if (ctx.parsing.has(offset)) {
    throw new EvtxFormatError('bad-template', `template at 0x${offset.toString(16)} instantiates itself`, from);
  }
  const size = ctx.u32(offset + 20);
  const start = offset + 24;
  ctx.need('template definition', start, size);
  const guid = readGuid(ctx, offset + 4);
  const shared = ctx.shared;
  const key = shared === null ? '' : TemplateCache.key(guid, size);
  if (shared !== null) {
    const nameAtOrNull = (o: number): string | null => (o + 8 <= ctx.buf.length ? nameAt(ctx, o, start) : null);
    const hit = shared.find(key, ctx.buf.subarray(start, start + size), nameAtOrNull, start);
    if (hit !== undefined) {
      ctx.templates.set(offset, hit);
      return hit;
    }
  }
  // Record name references for the shared cache, unless a definition is already being recorded
  // (a definition that instantiates another one is not shared: its instance holds chunk offsets).
  const outerRefs = ctx.nameRefs;
  const outerBase = ctx.nameRefsBase;
  const recording = shared !== null && outerRefs === null;
  if (recording) {
    ctx.nameRefs = [];
    ctx.nameRefsBase = start;
    ctx.sharable = true;
  } else if (outerRefs !== null) {
    ctx.sharable = false;
  }
  ctx.parsing.add(offset);
  try {
    const nodes = parseStream(ctx, { pos: start, end: start + size, inTemplate: true, depth: 0 });
    const template: BxTemplate = { guid, nodes };
    ctx.templates.set(offset, template);
    if (recording && ctx.sharable) shared.add(key, template, ctx.buf.subarray(start, start + size), ctx.nameRefs ?? []);
    return template;
  } finally {
    ctx.parsing.delete(offset);
    if (recording) {
      ctx.nameRefs = outerRefs;
      ctx.nameRefsBase = outerBase;
    }
  }
}

/** Instance data: `u32 count`, `count` × `{u16 size, u8 type, u8 0}`, then the values. */
function readValues(ctx: ChunkContext, c: Cursor): BxValue[] {
  ctx.need('value count', c.pos, 4, c.end);
  const count = ctx.u32(c.pos);
  c.pos += 4;
  if (count > ctx.limits.maxValues) {
    throw new EvtxFormatError('limit-exceeded', `${count} substitution values (limit ${ctx.limits.maxValues})`, c.pos - 4);
  }
  ctx.need('value descriptors', c.pos, count * 4, c.end);
  const buf = ctx.buf;
  const dv = ctx.dv;
  let d = c.pos;
  let p = c.pos + count * 4;
  const values: BxValue[] = new Array<BxValue>(count);
  for (let i = 0; i < count; i++, d += 4) {
    const size = buf[d]! | (buf[d + 1]! << 8);
    const type = buf[d + 2]!;
    if (p + size > c.end) throw truncated(`value ${i}`, p, size, c.end - p);
    // The common types inline; everything else, and every odd size, through readValueSafely.
    let v: BxValue;
    if (type === T.TYPE_STRING) v = ctx.utf16(p, size >>> 1);
    else if (size === 0) v = null;
    else if (type === T.TYPE_BINXML) v = readFragment(ctx, p, p + size, c.depth + 1);
    else if (type === T.TYPE_UINT16 && size === 2) v = buf[p]! | (buf[p + 1]! << 8);
    else if (type === T.TYPE_UINT32 && size === 4) v = dv.getUint32(p, true);
    else if (type === T.TYPE_UINT8 && size === 1) v = buf[p]!;
    else if (type === T.TYPE_HEX_INT64 && size === 8) v = hex64(dv.getUint32(p, true), dv.getUint32(p + 4, true));
    else if (type === T.TYPE_FILETIME && size === 8) v = filetimeToIso(dv.getUint32(p, true), dv.getUint32(p + 4, true));
    else if (type === T.TYPE_NULL) v = null;
    else if (type === T.TYPE_UINT64 && size === 8 && buf[p + 7] === 0 && buf[p + 6]! < 0x20) {
      v = dv.getUint32(p + 4, true) * 4294967296 + dv.getUint32(p, true); // below 2^53: exact
    } else if (type === T.TYPE_SID && size >= 8 && size === 8 + buf[p + 1]! * 4) v = sidText(ctx, p);
    else if (type === T.TYPE_GUID && size === 16) v = readGuid(ctx, p);
    else if (type === T.TYPE_HEX_INT32 && size === 4) v = '0x' + dv.getUint32(p, true).toString(16);
    else if (type === T.TYPE_INT32 && size === 4) v = dv.getInt32(p, true);
    else if (type === T.TYPE_BOOL && size === 4) v = dv.getUint32(p, true) !== 0;
    else v = readValueSafely(ctx, type, p, size);
    values[i] = v;
    // The descriptor size is authoritative: the next value starts there, whatever we decoded.
    p += size;
  }
  c.pos = p;
  return values;
}

/** A value whose bytes do not fit its type is kept as hex and reported, not fatal to the record. */
function readValueSafely(ctx: ChunkContext, type: number, p: number, size: number): BxValue {
  try {
    return readValue(ctx, type, p, size);
  } catch (err) {
    if (!(err instanceof EvtxFormatError) || err.code !== 'bad-value') throw err;
    ctx.warnings.push({ code: 'bad-value', message: err.message, offset: err.offset });
    return ctx.buf.toString('hex', p, p + size).toUpperCase();
  }
}

function readFragment(ctx: ChunkContext, start: number, end: number, depth: number): BxFragment {
  if (depth > ctx.limits.maxFragmentDepth) {
    throw new EvtxFormatError('limit-exceeded', `Binary XML values nested deeper than ${ctx.limits.maxFragmentDepth}`, start);
  }
  return new BxFragment(parseStream(ctx, { pos: start, end, inTemplate: false, depth }));
}

/** Parses a record's Binary XML, `[start, end)` chunk-relative. */
export function parseRecordXml(ctx: ChunkContext, start: number, end: number): BxNode[] {
  ctx.nodeBudget = ctx.limits.maxNodesPerRecord;
  ctx.warnings.length = 0;
  return parseStream(ctx, { pos: start, end, inTemplate: false, depth: 0 });
}
