import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Problems } from './errors.js';
import { parseSource } from './source.js';

async function parse(text: string, file = '/defs/template.yaml') {
  const problems = new Problems();
  const doc = await parseSource(file, text, problems);
  return { doc, problems: problems.list };
}

test('YAML short-form tags become the long form of every intrinsic function', async () => {
  const { doc, problems } = await parse(
    [
      'a: !Ref Bucket',
      'b: !GetAtt Db.Endpoint.Address',
      'c: !GetAtt [Fn, Arn]',
      'd: !Sub "${AWS::Region}-x"',
      'e: !Sub ["${A}", { A: !Ref B }]',
      'f: !Join [",", [a, b]]',
      'g: !Select [0, !Split [",", "a,b"]]',
      'h: !If [IsProd, !Equals [a, b], !Not [!Condition C]]',
      'i: !And [!Or [!Condition A, !Condition B], !Condition C]',
      'j: !FindInMap [M, K1, K2]',
      "k: !Base64 abc",
      "l: !GetAZs ''",
      'm: !ImportValue shared-vpc',
      'n: !Cidr ["10.0.0.0/16", 2, 8]',
      'o: !Base64 { "Fn::Sub": "x" }',
    ].join('\n'),
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(doc!.value, {
    a: { Ref: 'Bucket' },
    b: { 'Fn::GetAtt': ['Db', 'Endpoint.Address'] },
    c: { 'Fn::GetAtt': ['Fn', 'Arn'] },
    d: { 'Fn::Sub': '${AWS::Region}-x' },
    e: { 'Fn::Sub': ['${A}', { A: { Ref: 'B' } }] },
    f: { 'Fn::Join': [',', ['a', 'b']] },
    g: { 'Fn::Select': [0, { 'Fn::Split': [',', 'a,b'] }] },
    h: { 'Fn::If': ['IsProd', { 'Fn::Equals': ['a', 'b'] }, { 'Fn::Not': [{ Condition: 'C' }] }] },
    i: { 'Fn::And': [{ 'Fn::Or': [{ Condition: 'A' }, { Condition: 'B' }] }, { Condition: 'C' }] },
    j: { 'Fn::FindInMap': ['M', 'K1', 'K2'] },
    k: { 'Fn::Base64': 'abc' },
    l: { 'Fn::GetAZs': '' },
    m: { 'Fn::ImportValue': 'shared-vpc' },
    n: { 'Fn::Cidr': ['10.0.0.0/16', 2, 8] },
    o: { 'Fn::Base64': { 'Fn::Sub': 'x' } },
  });
});

test('locate() finds the line of a pointer, through tagged nodes and into the deepest existing ancestor', async () => {
  const { doc } = await parse('Resources:\n  Fn:\n    Properties:\n      Uri: !Sub "x"\n      List:\n        - a\n        - !Join [",", [b]]\n');
  // A tagged scalar is located at its value, after the tag.
  assert.deepEqual(await doc!.locate('/Resources/Fn/Properties/Uri'), { line: 4, column: 17 });
  assert.deepEqual(await doc!.locate('/Resources/Fn/Properties/Uri/Fn::Sub'), { line: 4, column: 17 });
  assert.deepEqual(await doc!.locate('/Resources/Fn/Properties/List/1/Fn::Join/1/0'), { line: 7, column: 24 });
  assert.deepEqual(await doc!.locate('/Resources/Fn/Properties/Missing/Deeper'), { line: 3, column: 5 });
});

test('JSON is parsed with JSON.parse and located lazily', async () => {
  const { doc, problems } = await parse('{\n  "openapi": "3.0.1",\n  "paths": {\n    "/a~b/c": {}\n  }\n}\n', '/defs/api.json');
  assert.deepEqual(problems, []);
  assert.deepEqual(doc!.value, { openapi: '3.0.1', paths: { '/a~b/c': {} } });
  assert.deepEqual(await doc!.locate('/paths/~1a~0b~1c'), { line: 4, column: 5 });
});

test('syntax errors are problems at the document root with their line', async () => {
  const json = await parse('{\n  "a": 1,\n  "b": }\n', '/defs/api.json');
  assert.equal(json.doc, undefined);
  assert.equal(json.problems.length, 1);
  assert.equal(json.problems[0]!.pointer, '');
  assert.match(json.problems[0]!.message, /^invalid JSON: /);
  assert.equal(json.problems[0]!.line, 3);

  const yaml = await parse('a: 1\nb: [1, 2\nc: 3\n');
  assert.equal(yaml.doc, undefined);
  assert.ok(yaml.problems.length >= 1);
  assert.match(yaml.problems[0]!.message, /^invalid YAML: /);
  assert.ok((yaml.problems[0]!.line ?? 0) >= 2);
});

test('duplicate YAML keys are reported', async () => {
  const { problems } = await parse('a: 1\na: 2\n');
  assert.equal(problems.length, 1);
  assert.match(problems[0]!.message, /unique|duplicate/i);
});

test('aliases and merge keys resolve', async () => {
  const { doc } = await parse('base: &b { x: 1 }\nother:\n  <<: *b\n  y: 2\nref: *b\n');
  assert.deepEqual(doc!.value, { base: { x: 1 }, other: { x: 1, y: 2 }, ref: { x: 1 } });
});
