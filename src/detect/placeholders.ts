// Placeholder values for the `expand` modifier (pySigma's `value_placeholders` convention).
//
// A placeholders file is YAML: a map from placeholder name (the `name` of `%name%`, compared
// case-sensitively) to a list of values, or one value. A pySigma pipeline-style `vars:` map is
// accepted too when it is the only top-level key. Values are Sigma strings: `*` and `?` are
// wildcards, `\` escapes them; numbers and booleans stand for their text.
//
// Substitution (compileRule(rule, { placeholders })): a value holding placeholders becomes the
// list of every substitution (the cartesian product when it holds several), ORed like any value
// list, also under `all`. Modifiers written before `expand` (e.g. `contains`) stay applied.
// A placeholder the file does not define keeps the rule unsupported, naming it; one defined with
// an empty list makes the value match nothing.

import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import type { SigmaDiagnostic, SigmaDiagnosticCode } from '../sigma/errors.js';
import { parseSigmaString, type SigmaString, type StringPart } from '../sigma/values.js';

/** Placeholder name → values (Sigma string syntax). */
export type Placeholders = ReadonlyMap<string, readonly string[]>;

export interface PlaceholderLoad {
  placeholders: Map<string, string[]>;
  /** Located problems; entries with errors are left out of `placeholders`. */
  diagnostics: SigmaDiagnostic[];
}

export const PLACEHOLDER_LIMITS = {
  maxInputLength: 1_000_000,
  maxNames: 1_000,
  maxValuesPerName: 10_000,
  maxValueLength: 4_096,
  maxAliasCount: 100,
  /** Most strings one value may expand into (product over its placeholders). */
  maxVariants: 10_000,
} as const;

const NAME = /^[A-Za-z0-9_.-]+$/;

/** Reads a placeholders file; never throws. */
export function loadPlaceholders(text: string, file: string): PlaceholderLoad {
  const out: PlaceholderLoad = { placeholders: new Map(), diagnostics: [] };
  const lineCounter = new LineCounter();
  const add = (code: SigmaDiagnosticCode, message: string, offset: number | undefined, severity: 'error' | 'warning' = 'error'): void => {
    const { line, col } = offset === undefined ? { line: 1, col: 1 } : lineCounter.linePos(offset);
    out.diagnostics.push({ code, severity, message, file, line, column: col });
  };
  if (text.length > PLACEHOLDER_LIMITS.maxInputLength) {
    add('input-too-large', `${text.length} characters; at most ${PLACEHOLDER_LIMITS.maxInputLength} are accepted`, undefined);
    return out;
  }
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  for (const e of doc.errors) add('yaml-syntax', e.message.split('\n')[0] ?? e.message, e.pos[0]);
  for (const w of doc.warnings) add('yaml-warning', w.message.split('\n')[0] ?? w.message, w.pos[0], 'warning');
  if (doc.errors.length > 0) return out;
  try {
    // Resolves aliases under yaml's alias cap (billion laughs); the tree below is then bounded.
    doc.toJS({ maxAliasCount: PLACEHOLDER_LIMITS.maxAliasCount });
  } catch (e) {
    add('too-many-aliases', (e as Error).message, undefined);
    return out;
  }
  let root: unknown = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return out;
  if (!isMap(root)) {
    add('not-a-map', 'a placeholders file must be a map from placeholder name to a list of values', (root as Node).range?.[0]);
    return out;
  }
  if (root.items.length === 1 && isScalar(root.items[0]!.key) && root.items[0]!.key.value === 'vars' && isMap(root.items[0]!.value)) {
    root = root.items[0]!.value;
  }
  const map = root as typeof doc.contents & { items: { key: unknown; value: unknown }[] };
  if (map.items.length > PLACEHOLDER_LIMITS.maxNames) {
    add('list-too-long', `${map.items.length} placeholders; at most ${PLACEHOLDER_LIMITS.maxNames} are accepted`, (map as Node).range?.[0]);
    return out;
  }
  for (const pair of map.items) {
    const keyNode = pair.key as Node | null;
    const at = keyNode?.range?.[0];
    const name = isScalar(keyNode) ? keyNode.value : undefined;
    if (typeof name !== 'string' || !NAME.test(name)) {
      add('invalid-field', `placeholder names are letters, digits, '_', '.' and '-'; got ${JSON.stringify(name ?? null)}`, at);
      continue;
    }
    const valueNode = pair.value as Node | null;
    const items: unknown[] = isSeq(valueNode) ? valueNode.items : [valueNode];
    if (items.length > PLACEHOLDER_LIMITS.maxValuesPerName) {
      add('list-too-long', `%${name}%: ${items.length} values; at most ${PLACEHOLDER_LIMITS.maxValuesPerName} are accepted`, at);
      continue;
    }
    const values: string[] = [];
    let ok = true;
    for (const item of items) {
      const v = isScalar(item) ? item.value : undefined;
      const where = (item as Node | null)?.range?.[0] ?? at;
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
        const s = String(v);
        if (s.length > PLACEHOLDER_LIMITS.maxValueLength) {
          add('value-too-large', `%${name}%: a ${s.length}-character value; at most ${PLACEHOLDER_LIMITS.maxValueLength} are accepted`, where);
          ok = false;
        } else {
          values.push(s);
        }
      } else {
        add('invalid-value', `%${name}%: values must be strings or numbers${v === null ? ', not null' : ''}`, where);
        ok = false;
      }
    }
    if (!ok) continue;
    if (values.length === 0) add('invalid-value', `%${name}%: no values; values using it will match nothing`, at, 'warning');
    out.placeholders.set(name, values);
  }
  return out;
}

/** Thrown when a placeholder has no values in the given set (the rule is then unsupported). */
export class PlaceholderMissing extends Error {}

/**
 * Every substitution of the placeholders of `s` (itself when it has none). Substituted values
 * keep the string's case mode; an encoded (`bytes`) string cannot take plain-text values.
 */
export function substitutePlaceholders(s: SigmaString, placeholders: Placeholders | undefined): SigmaString[] {
  if (!s.parts.some((p) => p.kind === 'placeholder')) return [s];
  let variants: StringPart[][] = [[]];
  for (const part of s.parts) {
    if (part.kind !== 'placeholder') {
      for (const v of variants) v.push(part);
      continue;
    }
    const values = placeholders?.get(part.name);
    if (values === undefined) {
      throw new PlaceholderMissing(
        placeholders === undefined
          ? `placeholder %${part.name}% (expand) has no values: give a placeholders file`
          : `placeholder %${part.name}% (expand) is not defined in the placeholders file`,
      );
    }
    if (s.encoding === 'bytes') throw new PlaceholderMissing(`placeholder %${part.name}% inside an encoded (utf16/wide) value`);
    if (variants.length * values.length > PLACEHOLDER_LIMITS.maxVariants) {
      throw new PlaceholderMissing(`placeholders expand one value into more than ${PLACEHOLDER_LIMITS.maxVariants} strings`);
    }
    const parsed = values.map((v) => parseSigmaString(v).parts);
    variants = variants.flatMap((v) => parsed.map((p) => [...v, ...p]));
  }
  return variants.map((parts) => ({ ...s, parts: mergeText(parts) }));
}

function mergeText(parts: readonly StringPart[]): StringPart[] {
  const out: StringPart[] = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if (p.kind === 'text' && last?.kind === 'text') out[out.length - 1] = { kind: 'text', text: last.text + p.text };
    else if (p.kind !== 'text' || p.text !== '') out.push(p);
  }
  return out;
}
