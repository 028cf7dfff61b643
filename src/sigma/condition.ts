// The Sigma condition grammar (spec §Condition; pySigma conditions.py):
//   condition := or ; or := and ("or" and)* ; and := not ("and" not)* ; not := "not" not | operand
//   operand   := ("1" | "any" | "all") "of" (pattern | "them") | identifier | "(" condition ")"
// Operators are lowercase only. Positions are 0-based offsets into the condition string.

export type ConditionNode =
  | { kind: 'and'; operands: ConditionNode[]; start: number; end: number }
  | { kind: 'or'; operands: ConditionNode[]; start: number; end: number }
  | { kind: 'not'; operand: ConditionNode; start: number; end: number }
  | { kind: 'identifier'; name: string; start: number; end: number }
  | {
      kind: 'selector';
      quantifier: 'any' | 'all';
      /** The identifier pattern (may hold `*`), or null for `them`. */
      pattern: string | null;
      start: number;
      end: number;
    };

export interface ConditionError {
  message: string;
  /** 0-based offset into the condition string. */
  offset: number;
}

export type ConditionResult = { ok: true; ast: ConditionNode } | { ok: false; error: ConditionError };

interface Token {
  kind: 'word' | 'lparen' | 'rparen' | 'end';
  text: string;
  start: number;
  end: number;
}

const WORD = /[A-Za-z0-9_*.-]/;

function tokenize(src: string): Token[] | ConditionError {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ kind: c === '(' ? 'lparen' : 'rparen', text: c, start: i, end: i + 1 });
      i++;
    } else if (WORD.test(c)) {
      const start = i;
      while (i < src.length && WORD.test(src[i] as string)) i++;
      tokens.push({ kind: 'word', text: src.slice(start, i), start, end: i });
    } else if (c === '|') {
      return { message: `'|' is not allowed in a condition (aggregations were replaced by correlation rules)`, offset: i };
    } else {
      return { message: `unexpected character '${c}'`, offset: i };
    }
  }
  tokens.push({ kind: 'end', text: '', start: src.length, end: src.length });
  return tokens;
}

const OPERATORS = new Set(['and', 'or', 'not', 'of', 'them']);

/** Deepest accepted nesting of parentheses and `not`: the parser and every walker recurse on it. */
export const MAX_CONDITION_DEPTH = 128;

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.i] as Token;
  }
  private next(): Token {
    return this.tokens[this.i++] as Token;
  }
  private isWord(text: string, offset = 0): boolean {
    const t = this.tokens[this.i + offset];
    return t?.kind === 'word' && t.text === text;
  }

  parse(): ConditionNode {
    const node = this.or();
    const t = this.peek();
    if (t.kind === 'word' && /^(AND|OR|NOT|And|Or|Not)$/.test(t.text)) throw fail(`operators are lowercase: '${t.text}'`, t.start);
    if (t.kind !== 'end') throw fail(t.kind === 'rparen' ? `unbalanced ')'` : `expected 'and', 'or' or end of condition, found '${t.text}'`, t.start);
    return node;
  }

  private or(): ConditionNode {
    const first = this.and();
    const operands = [first];
    while (this.isWord('or')) {
      this.next();
      operands.push(this.and());
    }
    return operands.length === 1 ? first : { kind: 'or', operands, start: first.start, end: (operands[operands.length - 1] as ConditionNode).end };
  }

  private and(): ConditionNode {
    const first = this.not();
    const operands = [first];
    while (this.isWord('and')) {
      this.next();
      operands.push(this.not());
    }
    return operands.length === 1 ? first : { kind: 'and', operands, start: first.start, end: (operands[operands.length - 1] as ConditionNode).end };
  }

  private not(): ConditionNode {
    if (this.isWord('not')) {
      const t = this.next();
      const operand = this.nested(t, () => this.not());
      return { kind: 'not', operand, start: t.start, end: operand.end };
    }
    return this.operand();
  }

  private nested(t: Token, parse: () => ConditionNode): ConditionNode {
    if (++this.depth > MAX_CONDITION_DEPTH) throw fail(`nested more than ${MAX_CONDITION_DEPTH} levels deep`, t.start);
    const node = parse();
    this.depth--;
    return node;
  }

  private operand(): ConditionNode {
    const t = this.next();
    if (t.kind === 'lparen') {
      const inner = this.nested(t, () => this.or());
      const close = this.next();
      if (close.kind !== 'rparen') throw fail(`expected ')' to close the '(' at offset ${t.start}`, close.start);
      return { ...inner, start: t.start, end: close.end };
    }
    if (t.kind === 'end') throw fail('unexpected end of condition', t.start);
    if (t.kind === 'rparen') throw fail(`unexpected ')'`, t.start);
    if ((t.text === '1' || t.text === 'any' || t.text === 'all') && this.isWord('of')) {
      this.next();
      const target = this.next();
      if (target.kind !== 'word' || (OPERATORS.has(target.text) && target.text !== 'them')) {
        throw fail(`expected an identifier pattern or 'them' after 'of'`, target.start);
      }
      if (!/^[A-Za-z0-9_*.-]+$/.test(target.text)) throw fail(`invalid pattern '${target.text}'`, target.start);
      return {
        kind: 'selector',
        quantifier: t.text === 'all' ? 'all' : 'any',
        pattern: target.text === 'them' ? null : target.text,
        start: t.start,
        end: target.end,
      };
    }
    if (OPERATORS.has(t.text)) throw fail(`unexpected '${t.text}'`, t.start);
    if (/^(AND|OR|NOT|And|Or|Not)$/.test(t.text)) throw fail(`operators are lowercase: '${t.text}'`, t.start);
    if (t.text.includes('*')) throw fail(`wildcards are only allowed after '1 of' / 'all of': '${t.text}'`, t.start);
    if (/^\d+$/.test(t.text) && this.isWord('of')) throw fail(`only '1 of', 'any of' and 'all of' are supported`, t.start);
    return { kind: 'identifier', name: t.text, start: t.start, end: t.end };
  }
}

class ConditionSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

function fail(message: string, offset: number): ConditionSyntaxError {
  return new ConditionSyntaxError(message, offset);
}

/** Parses a condition string into an AST, or a located syntax error. */
export function parseCondition(src: string): ConditionResult {
  const tokens = tokenize(src);
  if (!Array.isArray(tokens)) return { ok: false, error: tokens };
  try {
    return { ok: true, ast: new Parser(tokens).parse() };
  } catch (e) {
    if (e instanceof ConditionSyntaxError) return { ok: false, error: { message: e.message, offset: e.offset } };
    throw e;
  }
}

/**
 * The detection identifiers a selector covers, in definition order. `them` (null) covers every
 * identifier except those starting with `_`; a pattern covers `_` identifiers only if it starts with `_`.
 * `*` matches any run of characters and the pattern must match the whole identifier.
 */
export function resolveSelector(pattern: string | null, identifiers: readonly string[]): string[] {
  if (pattern === null) return identifiers.filter((id) => !id.startsWith('_'));
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.-]/g, (m) => `\\${m}`)).join('.*')}$`);
  const underscore = pattern.startsWith('_');
  return identifiers.filter((id) => re.test(id) && (underscore || !id.startsWith('_')));
}

/** Every plain identifier the condition references (for undefined-identifier checks). */
export function conditionIdentifiers(node: ConditionNode): { name: string; start: number }[] {
  switch (node.kind) {
    case 'identifier':
      return [{ name: node.name, start: node.start }];
    case 'not':
      return conditionIdentifiers(node.operand);
    case 'and':
    case 'or':
      return node.operands.flatMap(conditionIdentifiers);
    case 'selector':
      return [];
  }
}
