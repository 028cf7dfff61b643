import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCondition, resolveSelector, type ConditionNode } from '../src/sigma/condition.js';

/** Renders an AST as a fully parenthesised string. */
function show(n: ConditionNode): string {
  switch (n.kind) {
    case 'identifier':
      return n.name;
    case 'selector':
      return `${n.quantifier} of ${n.pattern ?? 'them'}`;
    case 'not':
      return `not(${show(n.operand)})`;
    case 'and':
    case 'or':
      return `${n.kind}(${n.operands.map(show).join(', ')})`;
  }
}

function ast(src: string): string {
  const r = parseCondition(src);
  if (!r.ok) assert.fail(`${src}: ${r.error.message}`);
  return show(r.ast);
}

function error(src: string): { message: string; offset: number } {
  const r = parseCondition(src);
  if (r.ok) assert.fail(`${src} should not parse`);
  return r.error;
}

test('precedence: not > and > or', () => {
  assert.equal(ast('a or b and not c'), 'or(a, and(b, not(c)))');
  assert.equal(ast('not a and b'), 'and(not(a), b)');
  assert.equal(ast('a and b or c and d'), 'or(and(a, b), and(c, d))');
  assert.equal(ast('not not a'), 'not(not(a))');
  assert.equal(ast('a and b and c'), 'and(a, b, c)');
});

test('parentheses override precedence', () => {
  assert.equal(ast('(a or b) and c'), 'and(or(a, b), c)');
  assert.equal(ast('not (a or b)'), 'not(or(a, b))');
  assert.equal(ast('((a))'), 'a');
});

test('x of patterns and them', () => {
  assert.equal(ast('1 of selection_*'), 'any of selection_*');
  assert.equal(ast('any of sel*'), 'any of sel*');
  assert.equal(ast('all of them'), 'all of them');
  assert.equal(ast('1 of them'), 'any of them');
  assert.equal(ast('selection and not 1 of filter_*'), 'and(selection, not(any of filter_*))');
  assert.equal(ast('all of sel_* or keywords'), 'or(all of sel_*, keywords)');
});

test('identifiers may begin with operator words and hold - and .', () => {
  assert.equal(ast('nothing and notepad or order'), 'or(and(nothing, notepad), order)');
  assert.equal(ast('sel-1 and sel.2'), 'and(sel-1, sel.2)');
});

test('syntax errors carry the offset within the condition', () => {
  assert.deepEqual(error('a OR b'), { message: `operators are lowercase: 'OR'`, offset: 2 });
  assert.equal(error('a and (b or c').offset, 13);
  assert.equal(error('a and').offset, 5);
  assert.equal(error('a b').offset, 2);
  assert.equal(error('a )').offset, 2);
  const pipe = error('selection | count() > 5');
  assert.equal(pipe.offset, 10);
  assert.match(pipe.message, /correlation/);
  assert.equal(error('sel* and a').offset, 0);
  assert.equal(error('2 of sel*').offset, 0);
  assert.equal(error('1 of and').offset, 5);
  assert.equal(error('a & b').offset, 2);
  assert.equal(error('').offset, 0);
});

test('selector resolution: whole-identifier match and the underscore rule', () => {
  const ids = ['selection', 'selection_extra', 'sel_a', 'filter_1', '_internal', '_filter_x'];
  assert.deepEqual(resolveSelector('selection', ids), ['selection']);
  assert.deepEqual(resolveSelector('sel*', ids), ['selection', 'selection_extra', 'sel_a']);
  assert.deepEqual(resolveSelector('*', ids), ['selection', 'selection_extra', 'sel_a', 'filter_1']);
  assert.deepEqual(resolveSelector(null, ids), ['selection', 'selection_extra', 'sel_a', 'filter_1']);
  assert.deepEqual(resolveSelector('_*', ids), ['_internal', '_filter_x']);
  assert.deepEqual(resolveSelector('*filter*', ids), ['filter_1']);
  assert.deepEqual(resolveSelector('nothing_*', ids), []);
});
