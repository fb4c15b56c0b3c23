/** Templates Velocity 1.7 refuses to parse fail at compile time with a VtlSyntaxError carrying line and column. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileTemplate, VtlSyntaxError } from './index.js';

const errors: Array<[string, number, number]> = [
  ['#if($a)x', 1, 1], // unclosed #if
  ['ok\n#end', 2, 1], // #end without a block
  ['#else', 1, 1],
  ['#foreach($a in $b)\nx', 1, 1], // unclosed #foreach
  ['#set($a = )', 1, 11],
  ['#set($a 1)', 1, 9],
  ['${a', 1, 4], // formal reference not closed
  ['#set($a = 5-1)', 1, 12], // `-1` is a number literal: "5 -1" is two values (Parser.jjt INTEGER_LITERAL)
  ['#if($a -1 > 0)x#end', 1, 8],
  ['line1\n  $a.b(+)', 2, 8], // method arguments are values, not expressions (Velocity 1.7 Parameter())
  ['$a.b($c + 1)', 1, 9],
  ['#set($m = {"k": $b + 1})', 1, 20], // map values are values too
  ['$a[x]', 1, 4], // index must be a string, integer, boolean or reference
  ['#* never closed', 1, 1],
  ['#[[ never closed', 1, 1],
  ['#macro()#end', 1, 1],
  ['#macro(m $a)x', 1, 1],
  ['#evaluate()', 1, 1],
  ['#evaluate(1)', 1, 1],
  ['#define("x")y#end', 1, 1],
  ["#set($a = 'unterminated)", 1, 11],
  ['#if x #end', 1, 5],
  ['#set($a = "#if(")', 1, 17], // the interpolated string is parsed too
  ['#foo(1 + 2)', 1, 8],
  ['#if($a = 1)x#end', 1, 8], // assignment is not an expression
  ['#foreach', 1, 9],
];

for (const [source, line, column] of errors) {
  test(`syntax error: ${JSON.stringify(source)}`, () => {
    let error: unknown;
    try {
      compileTemplate(source);
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof VtlSyntaxError, `expected a VtlSyntaxError, got ${String(error)}`);
    assert.equal(error.line, line, error.message);
    assert.equal(error.column, column, error.message);
  });
}

test('text that only looks like VTL is not an error', () => {
  const source = 'price $5 #fff #1 #{foo} a#b $.x $! x@y.z #foo bar $ {} \\x #@ # ## end';
  assert.equal(compileTemplate(source).render({}), 'price $5 #fff #1 #{foo} a#b $.x $ x@y.z #foo bar $ {} \\x #@ # ');
});

test('deep nesting is a syntax error, not a stack overflow', () => {
  for (const source of ['#if(true)'.repeat(5000), '#set($a = ' + '('.repeat(5000) + '1' + ')'.repeat(5000) + ')', '#set($a = ' + '['.repeat(5000) + ']'.repeat(5000) + ')', '#if(' + '!'.repeat(5000) + 'true)x#end']) {
    assert.throws(() => compileTemplate(source), VtlSyntaxError);
  }
});
