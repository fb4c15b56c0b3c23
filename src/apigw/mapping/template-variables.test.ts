/**
 * $input and $util (AWS docs: "API Gateway mapping template and access logging variable reference"),
 * including the VTL conformance cases recorded from AWS (shared/conformance/cases/vtl).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileTemplate } from './vtl/index.js';
import { inputVariable, utilVariable, type TemplateRequest } from './template-variables.js';
import { base64Decode, base64Encode, escapeJavaScript, urlDecode, urlEncode } from './util-functions.js';

function request(body: string, querystring: Record<string, string> = {}, path: Record<string, string> = {}, header: Record<string, string> = {}): TemplateRequest {
  return { body, params: { path, querystring, header } };
}

function render(source: string, req: TemplateRequest, context: Record<string, unknown> = {}): string {
  return compileTemplate(source).render({ input: inputVariable(req), util: utilVariable, context, stageVariables: {} });
}

// ----- conformance cases (recorded from AWS) -----

test('conformance vtl/foreach-json-array: #foreach over $input.path with $foreach.hasNext / count', () => {
  const template = [
    "#set($items = $input.path('$.items'))",
    '{',
    '  "count": $items.size(),',
    '  "first": "$items[0].name",',
    '  "names": [#foreach($item in $items)"$item.name"#if($foreach.hasNext),#end#end],',
    '  "entries": [',
    '#foreach($item in $items)',
    '    {"id": "$foreach.count", "name": "$util.escapeJavaScript($item.name)", "qty": $item.qty}#if($foreach.hasNext),#end',
    '#end',
    '  ]',
    '}',
  ].join('\n');
  const out = render(template, request('{"items": [{"name": "apple", "qty": 3}, {"name": "pear", "qty": 1}, {"name": "fig", "qty": 12}]}'));
  assert.deepEqual(JSON.parse(out), {
    count: 3,
    first: 'apple',
    names: ['apple', 'pear', 'fig'],
    entries: [
      { id: '1', name: 'apple', qty: 3 },
      { id: '2', name: 'pear', qty: 1 },
      { id: '3', name: 'fig', qty: 12 },
    ],
  });
});

test('conformance vtl/if-elseif-else', () => {
  const template = [
    "#set($choice = $input.params('choice'))",
    '#if($choice == "path1")',
    '{',
    '   "response": "path was path one"',
    '}',
    '#elseif($choice == "path2")',
    '{',
    '   "response": "path was path two"',
    '}',
    '#else',
    '{',
    '  "response": "this is the else clause"',
    '}',
    '#end',
  ].join('\n');
  assert.deepEqual(JSON.parse(render(template, request('', {}, { choice: 'path1' }))), { response: 'path was path one' });
  assert.deepEqual(JSON.parse(render(template, request('', {}, { choice: 'path2' }))), { response: 'path was path two' });
  assert.deepEqual(JSON.parse(render(template, request('', {}, { choice: 'whatever' }))), { response: 'this is the else clause' });
});

test('conformance vtl/input-body-raw-string: $input.body is the raw text; an empty payload is {}', () => {
  const template = 'Action=SendMessage&MessageBody=$input.body';
  assert.equal(render(template, request('{"some": "value"}')), 'Action=SendMessage&MessageBody={"some": "value"}');
  assert.equal(render(template, request('some raw data')), 'Action=SendMessage&MessageBody=some raw data');
  assert.equal(render(template, request('')), 'Action=SendMessage&MessageBody={}');
});

test('conformance vtl/input-params-path-unquoted', () => {
  assert.deepEqual(JSON.parse(render('{"statusCode": 200, "id": $input.params().path.id}', request('', {}, { id: '42' }))), { statusCode: 200, id: 42 });
});

test('conformance vtl/mock-path-param-echo', () => {
  assert.deepEqual(JSON.parse(render('{"echo": "$input.params(\'data\')", "response": "mocked"}', request('', {}, { data: 'foobar' }))), { echo: 'foobar', response: 'mocked' });
});

test("conformance vtl/request-template-json-body: $input.params('name') and $input.json('$')", () => {
  const out = render('{\n    "name" : "$input.params(\'name\')",\n    "body" : $input.json(\'$\')\n}', request('{"a": 1, "b": [1, 2], "c": {"d": "e"}}', { name: 'Ann' }));
  assert.deepEqual(JSON.parse(out), { name: 'Ann', body: { a: 1, b: [1, 2], c: { d: 'e' } } });
});

test('conformance vtl/util-base64', () => {
  const template = '{"encoded": "$util.base64Encode($input.params(\'s\'))", "decoded": "$util.base64Decode($input.params(\'b\'))"}';
  assert.deepEqual(JSON.parse(render(template, request('', { s: 'hello world', b: 'aGk=' }))), { encoded: 'aGVsbG8gd29ybGQ=', decoded: 'hi' });
  assert.equal(render(template, request('', { s: '{"k":1}', b: 'eyJrIjoxfQ==' })), '{"encoded": "eyJrIjoxfQ==", "decoded": "{"k":1}"}');
});

test('conformance vtl/util-parse-json', () => {
  const template = "#set($obj = $util.parseJson($input.params('data')))\n{\"key1\": \"$obj.key1\", \"first\": $obj.key2.arr[0], \"size\": $obj.key2.arr.size()}";
  assert.deepEqual(JSON.parse(render(template, request('', { data: '{"key1":"var1","key2":{"arr":[1,2,3]}}' }))), { key1: 'var1', first: 1, size: 3 });
});

test('conformance vtl/util-url-encode-decode', () => {
  const template = 'EncodedBody=$util.urlEncode($input.body)&EncodedBodyAccess=$util.urlEncode($input.body.testAccess)';
  assert.equal(render(template, request('{"some": "value"}')), 'EncodedBody=%7B%22some%22%3A+%22value%22%7D&EncodedBodyAccess=');
  assert.equal(render(template, request('some raw data')), 'EncodedBody=some+raw+data&EncodedBodyAccess=');
  const decode = '{"decoded": "$util.urlDecode($input.params(\'v\'))", "encoded": "$util.urlEncode(\'a b&c=d/é\')"}';
  assert.deepEqual(JSON.parse(render(decode, request('', { v: 'a+b%20c' }))), { decoded: 'a b c', encoded: 'a+b%26c%3Dd%2F%C3%A9' });
});

test('conformance vtl/context-variables: a null $context value renders as ""', () => {
  const context = { stage: 'test', resourcePath: '/things/{id}', identity: { sourceIp: '1.2.3.4', apiKey: null } };
  const out = render('{"stage": "$context.stage", "resourcePath": "$context.resourcePath", "sourceIp": "$context.identity.sourceIp", "apiKey": "$context.identity.apiKey"}', request(''), context);
  assert.deepEqual(JSON.parse(out), { stage: 'test', resourcePath: '/things/{id}', sourceIp: '1.2.3.4', apiKey: '' });
});

// ----- $input -----

test('$input.json serialises JSONPath results as JSON text', () => {
  const req = request('{"name": "a", "n": 1.0, "list": [1, "x", null], "obj": {"k": true}}');
  assert.equal(render("$input.json('$.name')|$input.json('$.n')|$input.json('$.list')|$input.json('$.obj')|$input.json('$.list[*]')", req), '"a"|1.0|[1,"x",null]|{"k":true}|[1,"x",null]');
  assert.equal(render("$input.json('$')", request('')), '{}');
  assert.equal(render("[$input.json('$.missing')]", req), '[]');
});

test('$input.path returns typed values usable in VTL', () => {
  const req = request('{"items": [{"id": 1}, {"id": 2}], "price": 9.5, "flag": false, "name": "n", "nested": {"a": {"b": "deep"}}}');
  assert.equal(render("$input.path('$.items').size() $input.path('$.items')[1].id $input.path('$.price') $input.path('$.flag') $input.path('$.nested').a.b", req), '2 2 9.5 false deep');
  assert.equal(render("#if($input.path('$.price') > 9)big#end #if(!$input.path('$.missing'))none#end", req), 'big none');
  assert.equal(render("#set($total = 0)#foreach($i in $input.path('$.items'))#set($total = $total + $i.id)#end$total", req), '3');
});

test('$input.path renders maps Java-style and JSON arrays as JSON (json-smart)', () => {
  const req = request('{"a": 1, "b": [{"c": 5}], "s": ["x", "y"]}');
  assert.equal(render("$input.path('$')", req), '{a=1, b=[{"c":5}], s=["x","y"]}');
  assert.equal(render("$input.path('$.b')", req), '[{"c":5}]');
});

test('$input.path on a non-JSON payload reads the raw text', () => {
  assert.equal(render("$input.path('$')|$input.json('$')|[$input.path('$.a')]", request('plain text')), 'plain text|"plain text"|[]');
});

test('$input.params: path, then query string, then header (case-insensitive); missing is ""', () => {
  const req = request('', { q: 'query', both: 'fromQuery' }, { id: '7', both: 'fromPath' }, { 'X-Token': 'tok', both: 'fromHeader' });
  assert.equal(render("$input.params('id') $input.params('q') $input.params('x-token') $input.params('both') [$input.params('none')]", req), '7 query tok fromPath []');
  assert.equal(render("$input.params().header.get('X-Token') $input.params().querystring.size() #foreach($k in $input.params().keySet())$k,#end", req), 'tok 2 path,querystring,header,');
  assert.equal(render('$input.params().path', req), '{id=7, both=fromPath}');
});

test('$input body parse errors in JSONPath syntax fail the render', () => {
  assert.throws(() => render("$input.path('$.a[')", request('{}')), /InvalidPathException/);
});

test('$util.parseJson errors fail the render; its values are typed', () => {
  assert.throws(() => render("$util.parseJson('{bad')", request('')), /JsonParseException/);
  assert.equal(render("#set($o = $util.parseJson('{\"a\":[1,2.0,\"x\"],\"b\":{\"c\":null}}'))$o.a $o.a[1] $o.b $o.b.c.size()", request('')), '[1,2.0,"x"] 2.0 {c=null} ');
});

// ----- $util string functions -----

test('escapeJavaScript follows Commons Lang StringEscapeUtils.escapeJavaScript', () => {
  assert.equal(escapeJavaScript(`He said "it's" \\ / ok`), `He said \\"it\\'s\\" \\\\ \\/ ok`);
  assert.equal(escapeJavaScript('a\nb\tc\rd\be\ff\u0001'), 'a\\nb\\tc\\rd\\be\\ff\\u0001');
  assert.equal(escapeJavaScript('é€😀'), '\\u00E9\\u20AC\\uD83D\\uDE00');
  assert.equal(render('$util.escapeJavaScript($input.params(\'s\'))', request('', { s: '"q"' })), '\\"q\\"');
});

test('urlEncode / urlDecode follow java.net.URLEncoder / URLDecoder (UTF-8)', () => {
  assert.equal(urlEncode('a b&c=d/é'), 'a+b%26c%3Dd%2F%C3%A9');
  assert.equal(urlEncode("*-._~!'()"), '*-._%7E%21%27%28%29');
  assert.equal(urlEncode('😀'), '%F0%9F%98%80');
  assert.equal(urlDecode('a+b%20c%C3%A9'), 'a b cé');
  assert.throws(() => urlDecode('%zz'));
  assert.equal(render('[$util.urlEncode($nothing)][$util.urlDecode($nothing)]', request('')), '[][]');
  assert.throws(() => render("$util.urlDecode('%')", request('')), /IllegalArgumentException/);
});

test('base64Encode / base64Decode over UTF-8', () => {
  assert.equal(base64Encode('hello world'), 'aGVsbG8gd29ybGQ=');
  assert.equal(base64Encode('é'), 'w6k=');
  assert.equal(base64Decode('w6k='), 'é');
  assert.equal(base64Decode('eyJrIjoxfQ=='), '{"k":1}');
});

test('$input is per request and parses the body once', () => {
  const input = inputVariable(request('{"n": 1}'));
  const t = compileTemplate("#set($m = $input.path('$'))#set($d = $m.put('n', 2))$input.path('$.n')");
  assert.equal(t.render({ input }), '2');
  assert.equal(t.render({ input: inputVariable(request('{"n": 1}')) }), '2');
});
