// The XML element parser: a small purpose-built parser (explicit stack, no recursion) that reads
// one `<Event>` element as text into a tree of `XElement`s and checks it is well-formed: names,
// attributes, the five predefined entities and character references, comments, CDATA and
// processing instructions, within the depth and attribute limits of `XmlLimits`. A problem is an
// `XmlError` carrying the index where it is, which the reader turns into a line and column. It
// also holds the XML name-character tests the streaming scanner (xml-scanner.ts) shares. It is
// kept apart from xml.ts, which builds the `windows` view from the tree, because it is generic
// XML syntax with no knowledge of Windows events.

export interface XmlLimits {
  /** Largest `<Event>` element, in bytes. */
  maxElement: number;
  /** Deepest element nesting inside an event. */
  maxDepth: number;
  /** Most attributes on one element. */
  maxAttributes: number;
}

export const DEFAULT_XML_LIMITS: Readonly<XmlLimits> = {
  maxElement: 16 * 1024 * 1024,
  maxDepth: 64,
  maxAttributes: 64,
};

export interface XElement {
  /** Local name (prefix removed). */
  name: string;
  qname: string;
  /** Attributes by local name, namespace declarations left out. */
  attrs: Array<[string, string]>;
  children: XElement[];
  /** The character data directly inside, concatenated. */
  text: string;
}

export class XmlError extends Error {
  constructor(
    message: string,
    readonly index: number,
  ) {
    super(message);
  }
}

const ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function isNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x3a || c >= 0x80;
}

export function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e;
}

export function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** A name without its namespace prefix. */
export function localName(qname: string): string {
  const i = qname.lastIndexOf(':');
  return i < 0 ? qname : qname.slice(i + 1);
}

/** A recursive-descent-free parser (explicit stack) for one element and what surrounds it. */
export class ElementParser {
  private pos = 0;

  constructor(
    private readonly s: string,
    private readonly limits: XmlLimits,
  ) {}

  parse(): XElement {
    this.skipMisc(true);
    if (this.s.charCodeAt(this.pos) !== 0x3c) throw new XmlError('expected an <Event> element', this.pos);
    const stack: XElement[] = [];
    let root: XElement | null = null;
    for (;;) {
      if (this.pos >= this.s.length) {
        const open = stack[stack.length - 1];
        throw new XmlError(open === undefined ? 'unexpected end of input' : `unexpected end of input: <${open.qname}> is not closed`, this.pos);
      }
      const c = this.s.charCodeAt(this.pos);
      if (c !== 0x3c) {
        const at = this.pos;
        const text = this.text();
        const top = stack[stack.length - 1];
        if (top !== undefined) top.text += text;
        else if (text.trim() !== '') throw new XmlError('text outside the <Event> element', at);
        continue;
      }
      const next = this.s.charCodeAt(this.pos + 1);
      if (next === 0x21) {
        // <!-- … -->, <![CDATA[ … ]]>; anything else (DOCTYPE) has no place inside an event.
        if (stack.length === 0) throw new XmlError('expected an <Event> element', this.pos);
        if (this.s.startsWith('<!--', this.pos)) {
          this.comment();
        } else if (this.s.startsWith('<![CDATA[', this.pos)) {
          const end = this.s.indexOf(']]>', this.pos + 9);
          if (end < 0) throw new XmlError('unterminated CDATA section', this.pos);
          const top = stack[stack.length - 1];
          if (top !== undefined) top.text += this.s.slice(this.pos + 9, end);
          this.pos = end + 3;
        } else {
          throw new XmlError('unexpected markup declaration inside an element', this.pos);
        }
        continue;
      }
      if (next === 0x3f) {
        this.pi();
        continue;
      }
      if (next === 0x2f) {
        const at = this.pos;
        this.pos += 2;
        const qname = this.name();
        this.skipSpace();
        if (this.s.charCodeAt(this.pos) !== 0x3e) throw new XmlError(`expected '>' to end </${qname}>`, this.pos);
        this.pos++;
        const open = stack.pop();
        if (open === undefined) throw new XmlError(`unexpected close tag </${qname}>`, at);
        if (open.qname !== qname) throw new XmlError(`mismatched close tag: expected </${open.qname}>, found </${qname}>`, at);
        if (stack.length === 0) {
          root = open;
          break;
        }
        continue;
      }
      const at = this.pos;
      const { el, selfClosing } = this.startTag();
      if (stack.length === 0 && el.name !== 'Event') throw new XmlError(`expected an <Event> element, found <${el.qname}>`, at);
      const parent = stack[stack.length - 1];
      if (parent !== undefined) parent.children.push(el);
      if (selfClosing) {
        if (stack.length === 0) {
          root = el;
          break;
        }
        continue;
      }
      if (stack.length >= this.limits.maxDepth) throw new XmlError(`elements nested deeper than ${this.limits.maxDepth}`, at);
      stack.push(el);
    }
    this.skipMisc(false);
    if (this.pos < this.s.length) throw new XmlError('unexpected content after the </Event> close tag', this.pos);
    return root;
  }

  /** Whitespace, comments and processing instructions (and, before the root, an XML declaration). */
  private skipMisc(before: boolean): void {
    for (;;) {
      this.skipSpace();
      if (this.s.startsWith('<!--', this.pos)) this.comment();
      else if (this.s.startsWith('<?', this.pos)) this.pi();
      else if (before && this.s.charCodeAt(this.pos) === 0xfeff) this.pos++;
      else return;
    }
  }

  private skipSpace(): void {
    while (this.pos < this.s.length && isSpace(this.s.charCodeAt(this.pos))) this.pos++;
  }

  private comment(): void {
    const end = this.s.indexOf('-->', this.pos + 4);
    if (end < 0) throw new XmlError('unterminated comment', this.pos);
    this.pos = end + 3;
  }

  private pi(): void {
    const end = this.s.indexOf('?>', this.pos + 2);
    if (end < 0) throw new XmlError('unterminated processing instruction', this.pos);
    this.pos = end + 2;
  }

  private name(): string {
    const start = this.pos;
    if (!isNameStart(this.s.charCodeAt(this.pos))) throw new XmlError('expected a name', this.pos);
    this.pos++;
    while (this.pos < this.s.length && isNameChar(this.s.charCodeAt(this.pos))) this.pos++;
    return this.s.slice(start, this.pos);
  }

  private startTag(): { el: XElement; selfClosing: boolean } {
    this.pos++; // <
    const qname = this.name();
    const el: XElement = { name: localName(qname), qname, attrs: [], children: [], text: '' };
    const seen = new Set<string>();
    for (;;) {
      const before = this.pos;
      this.skipSpace();
      const c = this.s.charCodeAt(this.pos);
      if (c === 0x3e) {
        this.pos++;
        return { el, selfClosing: false };
      }
      if (c === 0x2f) {
        if (this.s.charCodeAt(this.pos + 1) !== 0x3e) throw new XmlError("expected '>' after '/'", this.pos + 1);
        this.pos += 2;
        return { el, selfClosing: true };
      }
      if (this.pos >= this.s.length) throw new XmlError(`unexpected end of input in <${qname}>`, this.pos);
      if (this.pos === before) throw new XmlError(`expected whitespace, '>' or '/>' in <${qname}>`, this.pos);
      const nameAt = this.pos;
      const attr = this.name();
      if (seen.has(attr)) throw new XmlError(`duplicate attribute ${attr}`, nameAt);
      seen.add(attr);
      if (seen.size > this.limits.maxAttributes) throw new XmlError(`more than ${this.limits.maxAttributes} attributes on <${qname}>`, nameAt);
      this.skipSpace();
      if (this.s.charCodeAt(this.pos) !== 0x3d) throw new XmlError(`expected '=' after attribute ${attr}`, this.pos);
      this.pos++;
      this.skipSpace();
      const q = this.s.charCodeAt(this.pos);
      if (q !== 0x22 && q !== 0x27) throw new XmlError(`expected a quoted value for attribute ${attr}`, this.pos);
      this.pos++;
      const start = this.pos;
      let value = '';
      let from = start;
      for (;;) {
        if (this.pos >= this.s.length) throw new XmlError(`unterminated value of attribute ${attr}`, start - 1);
        const ch = this.s.charCodeAt(this.pos);
        if (ch === q) break;
        if (ch === 0x3c) throw new XmlError(`'<' in the value of attribute ${attr}`, this.pos);
        if (ch === 0x26) {
          value += this.s.slice(from, this.pos) + this.entity();
          from = this.pos;
          continue;
        }
        this.pos++;
      }
      value += this.s.slice(from, this.pos);
      this.pos++;
      // Attribute-value normalisation: each whitespace character becomes a space.
      value = value.replace(/\r\n|[\t\n\r]/g, ' ');
      if (attr === 'xmlns' || attr.startsWith('xmlns:')) continue;
      el.attrs.push([localName(attr), value]);
    }
  }

  /** Character data up to the next `<`, entities decoded. Line ends are kept as they are. */
  private text(): string {
    let out = '';
    let from = this.pos;
    while (this.pos < this.s.length) {
      const c = this.s.charCodeAt(this.pos);
      if (c === 0x3c) break;
      if (c === 0x26) {
        out += this.s.slice(from, this.pos) + this.entity();
        from = this.pos;
        continue;
      }
      this.pos++;
    }
    return out + this.s.slice(from, this.pos);
  }

  /** A reference at `pos` (`&name;`, `&#NN;`, `&#xNN;`): its text; `pos` moves past it. */
  private entity(): string {
    const at = this.pos;
    const end = this.s.indexOf(';', at + 1);
    if (end < 0 || end - at > 12) throw new XmlError("'&' that does not start a reference (write &amp;)", at);
    const body = this.s.slice(at + 1, end);
    let text: string | undefined;
    if (body.startsWith('#x') || body.startsWith('#X')) {
      text = codePoint(/^[0-9a-fA-F]+$/.test(body.slice(2)) ? parseInt(body.slice(2), 16) : NaN);
    } else if (body.startsWith('#')) {
      text = codePoint(/^[0-9]+$/.test(body.slice(1)) ? parseInt(body.slice(1), 10) : NaN);
    } else {
      text = Object.hasOwn(ENTITIES, body) ? ENTITIES[body] : undefined;
      if (text === undefined) throw new XmlError(`unknown entity &${body};`, at);
    }
    if (text === undefined) throw new XmlError(`invalid character reference &${body};`, at);
    this.pos = end + 1;
    return text;
  }
}

function codePoint(n: number): string | undefined {
  if (!Number.isInteger(n) || n <= 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return undefined;
  return String.fromCodePoint(n);
}
