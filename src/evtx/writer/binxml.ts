// Binary XML emitter (MS-EVEN6 2.2.12). Everything is written at its final chunk position,
// because names and template definitions are referenced by chunk-relative offset.

import type { ByteWriter } from './bytes.js';
import type { ChunkTables } from './tables.js';
import type { ElementNode, SubstNode, Template, TextNode } from './template.js';
import type { WriteValue } from './types.js';
import { nameHash } from './hash.js';
import { ValueType, valueTypeOf, writeValue } from './values.js';

const Token = {
  Eof: 0x00,
  OpenStartElement: 0x01,
  CloseStartElement: 0x02,
  CloseEmptyElement: 0x03,
  EndElement: 0x04,
  Value: 0x05,
  Attribute: 0x06,
  TemplateInstance: 0x0c,
  NormalSubstitution: 0x0d,
  OptionalSubstitution: 0x0e,
  FragmentHeader: 0x0f,
  /** On 0x01: the element has an attribute list. On 0x06: another attribute follows. */
  More: 0x40,
} as const;

const NO_DEPENDENCY = 0xffff;

/** A nested BinXML value (type 0x21): a fragment holding one template instance. */
export interface NestedValue {
  type: 'binxml';
  template: Template;
  values: readonly SubValue[];
}

export type SubValue = WriteValue | NestedValue;

export class BinXmlWriter {
  /** `base` is the chunk offset of `out`'s first byte. */
  constructor(
    private readonly out: ByteWriter,
    private readonly base: number,
    private readonly tables: ChunkTables,
  ) {}

  private get position(): number {
    return this.base + this.out.length;
  }

  /** A complete stream: fragment header, template instance, EOF. Used for records and 0x21 values. */
  fragment(template: Template, values: readonly SubValue[]): void {
    this.fragmentHeader();
    this.templateInstance(template, values);
    this.out.u8(Token.Eof);
  }

  private fragmentHeader(): void {
    this.out.u8(Token.FragmentHeader);
    this.out.u8(1); // major
    this.out.u8(1); // minor
    this.out.u8(0); // flags
  }

  /**
   * 0x0C, 0x01, template id (= GUID's first 4 bytes), definition offset. The first use in a chunk
   * puts the definition right here (offset == position after the field); later uses point back to it.
   */
  private templateInstance(template: Template, values: readonly SubValue[]): void {
    const w = this.out;
    w.u8(Token.TemplateInstance);
    w.u8(0x01);
    w.bytes(template.guid.subarray(0, 4));
    const known = this.tables.templateOffset(template.key);
    if (known !== undefined) {
      w.u32(known);
    } else {
      const offset = this.position + 4;
      w.u32(offset);
      w.u32(this.tables.addTemplate(template.key, template.guid, offset));
      w.bytes(template.guid);
      const sizePos = w.reserveU32();
      this.fragmentHeader();
      this.element(template.root);
      w.u8(Token.Eof);
      w.patchU32(sizePos, w.length - sizePos - 4);
    }
    this.instanceData(values);
  }

  /** u32 count, {u16 size, u8 type, u8 0} descriptors, then the values back to back. */
  private instanceData(values: readonly SubValue[]): void {
    const w = this.out;
    w.u32(values.length);
    const descriptors = w.length;
    for (const v of values) {
      w.u16(0); // size, patched below
      w.u8(v.type === 'binxml' ? ValueType.BinXml : valueTypeOf(v));
      w.u8(0);
    }
    values.forEach((v, i) => {
      const start = w.length;
      if (v.type === 'binxml') this.fragment(v.template, v.values);
      else writeValue(w, v);
      const size = w.length - start;
      if (size > 0xffff) throw new RangeError(`substitution value ${i} is ${size} bytes; the limit is 65535`);
      w.patchU16(descriptors + i * 4, size);
    });
  }

  /**
   * Elements here are always inside a template definition, so they carry the u16 dependency id.
   * Windows sets it to the index of an optional substitution that is a direct child (the element is
   * dropped when that value is null), else 0xFFFF.
   */
  private element(node: ElementNode): void {
    const w = this.out;
    w.u8(node.attrs.length > 0 ? Token.OpenStartElement | Token.More : Token.OpenStartElement);
    const dep = node.children.find((c): c is SubstNode => c.kind === 'subst' && c.optional);
    w.u16(dep ? dep.index : NO_DEPENDENCY);
    // Data size: everything after this field up to and including the close/end token.
    const sizePos = w.reserveU32();
    this.name(node.name);
    if (node.attrs.length > 0) {
      const listPos = w.reserveU32();
      node.attrs.forEach((attr, i) => {
        w.u8(i < node.attrs.length - 1 ? Token.Attribute | Token.More : Token.Attribute);
        this.name(attr.name);
        this.content(attr.value);
      });
      w.patchU32(listPos, w.length - listPos - 4);
    }
    if (node.children.length === 0) {
      w.u8(Token.CloseEmptyElement);
    } else {
      w.u8(Token.CloseStartElement);
      for (const child of node.children) {
        if (child.kind === 'element') this.element(child);
        else this.content(child);
      }
      w.u8(Token.EndElement);
    }
    w.patchU32(sizePos, w.length - sizePos - 4);
  }

  private content(node: TextNode | SubstNode): void {
    const w = this.out;
    if (node.kind === 'text') {
      if (node.text.length > 0xffff) throw new RangeError('literal text longer than 65535 characters');
      w.u8(Token.Value);
      w.u8(ValueType.String);
      w.u16(node.text.length);
      w.utf16(node.text);
    } else {
      w.u8(node.optional ? Token.OptionalSubstitution : Token.NormalSubstitution);
      w.u16(node.index);
      w.u8(node.valueType);
    }
  }

  /**
   * A name reference: u32 chunk offset. A name new to the chunk is written inline right after the
   * offset (u32 next, u16 hash, u16 length, UTF-16 chars, u16 NUL) and becomes its bucket's head.
   */
  private name(name: string): void {
    const w = this.out;
    const known = this.tables.nameOffset(name);
    if (known !== undefined) {
      w.u32(known);
      return;
    }
    if (name.length > 0xffff) throw new RangeError('name longer than 65535 characters');
    const offset = this.position + 4;
    w.u32(offset);
    w.u32(this.tables.addName(name, offset));
    w.u16(nameHash(name));
    w.u16(name.length);
    w.utf16(name);
    w.u16(0);
  }
}
