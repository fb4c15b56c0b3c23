/**
 * A template can never reach JavaScript internals: no constructor, prototype or __proto__, no calling
 * functions found on values, no process or globalThis, no prototype pollution through #set or put().
 * Only the per-class Java method tables and the explicit methods of $input / $util are callable.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileTemplate } from './index.js';
import { inputVariable, utilVariable } from '../template-variables.js';

const marker = globalThis as { __vtlPwned?: boolean };

function vars(): Record<string, unknown> {
  let called = false;
  return {
    input: inputVariable({ body: '{"a":1}', params: { path: {}, querystring: {}, header: {} } }),
    util: utilVariable,
    context: {
      stage: 'dev',
      fn: () => {
        called = true;
        marker.__vtlPwned = true;
        return 'called';
      },
      get wasCalled() {
        return called;
      },
    },
    list: [1, 2],
    map: new Map([['k', 'v']]),
    str: 'abc',
    instance: new (class Secret {
      secret = 'hidden-field';
      reveal(): string {
        marker.__vtlPwned = true;
        return 'hidden-method';
      }
    })(),
  };
}

const attacks = [
  "$input.constructor.constructor('globalThis.__vtlPwned = true; return process')()",
  "#set($f = $input.constructor.constructor('globalThis.__vtlPwned = true'))$f.call()",
  '$util.__proto__ $util.__proto__.constructor $util.prototype $util.invoke("escapeJavaScript", ["x"]) $util.methods',
  '#set($s = "")$s.constructor $s.constructor.name $s.__proto__ $s.class $s.getClass() $s.valueOf() $s.at(0) $s.bytes',
  '$context.toString.call $context.constructor.keys($context) $context.hasOwnProperty("stage") $context.__proto__ $context.__defineGetter__',
  '$context.fn() $context.fn.call() $context.fn.apply() $context.fn.constructor("globalThis.__vtlPwned = true")()',
  '$list.constructor $list.map $list.push(3) $list.__proto__ $list.class $list.join(",")',
  '$map.constructor $map.set("x", 1) $map.has("k") $map.class $map.__proto__',
  '$instance.secret $instance.reveal() $instance.constructor $instance.getSecret()',
  '$process $globalThis $global $require $import $this',
  '$input.getClass() $input.class $input.__proto__ $input.methods $input.className',
  "#evaluate('$input.constructor.constructor(\"globalThis.__vtlPwned = true\")()')",
  '#foreach($k in $context.keySet())$k #end',
  '#set($m = {})$m.put("__proto__", {"polluted": "yes"})$m.__proto__.polluted',
];

for (const source of attacks) {
  test(`security: ${source}`, () => {
    marker.__vtlPwned = false;
    const v = vars();
    const out = compileTemplate(source).render(v);
    assert.equal(marker.__vtlPwned, false, 'no JavaScript was executed');
    assert.equal((v.context as { wasCalled: boolean }).wasCalled, false, 'host functions are never called');
    assert.ok(!out.includes('hidden-field') && !out.includes('hidden-method'), out);
    assert.ok(!/\[native code\]|=>|return|process|Symbol\(/.test(out), out);
  });
}

test('security: nothing is exposed through properties or methods of JS objects', () => {
  const out = compileTemplate('[$str.constructor][$list.constructor][$context.constructor][$instance.secret][$context.fn]').render(vars());
  assert.equal(out, '[][][][][function]');
});

test('security: `.__proto__` is not even a property reference in VTL (a property starts with a letter)', () => {
  assert.equal(compileTemplate('$str.__proto__').render(vars()), 'abc.__proto__');
});

test('security: #set cannot pollute Object.prototype', () => {
  const context: Record<string, unknown> = { nested: {} };
  compileTemplate(
    [
      '#set($context["__proto__"].polluted = "yes")',
      '#set($context.nested["__proto__"].polluted = "yes")',
      '#set($context.nested.constructor.prototype.polluted = "yes")',
      '#set($x = $context.put("__proto__", {"polluted": "yes"}))',
      '#set($context["__proto__"] = "yes")',
      '#set($context.constructor.prototype.polluted = "yes")',
    ].join(''),
  ).render({ context });
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.getPrototypeOf(context), Object.prototype);
  assert.equal(Object.getPrototypeOf(context.nested), Object.prototype);
  // the key was stored as an ordinary own property, as a Java Map would
  assert.ok(Object.prototype.hasOwnProperty.call(context, '__proto__'));
});

test('security: only the documented $util and $input methods exist', () => {
  const v = vars();
  const out = compileTemplate(
    '$util.escapeJavaScript("a\'b")|$util.toJson({})|$util.eval("1")|$input.json("$.a")|$input.exec("x")|$input.body',
    { nullReferences: 'literal' },
  ).render(v);
  assert.equal(out, 'a\\\'b|$util.toJson({})|$util.eval("1")|1|$input.exec("x")|{"a":1}');
});

test('security: hostile templates are bounded in time and memory', () => {
  assert.throws(() => compileTemplate('#foreach($a in [1..1000])#foreach($b in [1..1000])#foreach($c in [1..1000])x#end#end#end').render({}), /aborted/);
  assert.throws(() => compileTemplate('#set($s = "xxxxxxxxxxxxxxxx")#foreach($i in [1..40])#set($s = "$s$s")#end').render({}), /aborted|too large/);
  assert.throws(() => compileTemplate('#set($r = [1..100000000])').render({}), /aborted/);
  assert.throws(() => compileTemplate("#set($s = '#evaluate($s)')#evaluate($s)").render({}), /nested too deeply/);
});
