import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResourceTree, RouteConflictError } from './resource-tree.js';

function tree(routes: [string, string][]): ResourceTree<string> {
  const t = new ResourceTree<string>();
  for (const [method, path] of routes) t.add(path, method, `${method} ${path}`);
  return t;
}

// AWS docs "Set up a proxy integration with a proxy resource": a literal resource wins over
// {proxy+}; LocalStack's AWS-validated routing tests (test_routing_with_hardcoded_resource_sibling_order).
test('literal beats {param} beats {proxy+}', () => {
  const t = tree([
    ['GET', '/part1'],
    ['GET', '/part1/hardcoded-value'],
    ['GET', '/part1/{id}'],
    ['GET', '/{proxy+}'],
  ]);
  assert.equal(t.match('/part1', 'GET')?.route, 'GET /part1');
  assert.equal(t.match('/part1/hardcoded-value', 'GET')?.route, 'GET /part1/hardcoded-value');
  assert.deepEqual(t.match('/part1/other', 'GET'), { route: 'GET /part1/{id}', pathParameters: { id: 'other' } });
  assert.deepEqual(t.match('/part1/a/b', 'GET'), { route: 'GET /{proxy+}', pathParameters: { proxy: 'part1/a/b' } });
});

test('a method missing on a literal resource falls back to a {proxy+} sibling; ANY serves every method', () => {
  const t = tree([
    ['POST', '/test'],
    ['ANY', '/test/any'],
    ['OPTIONS', '/{proxy+}'],
  ]);
  assert.equal(t.match('/test', 'POST')?.route, 'POST /test');
  assert.equal(t.match('/test', 'OPTIONS')?.route, 'OPTIONS /{proxy+}');
  assert.equal(t.match('/test/any', 'DELETE')?.route, 'ANY /test/any');
  assert.equal(t.match('/test', 'GET'), null);
});

test('a specific method beats ANY on the same resource', () => {
  const t = tree([
    ['ANY', '/pets'],
    ['GET', '/pets'],
  ]);
  assert.equal(t.match('/pets', 'GET')?.route, 'GET /pets');
  assert.equal(t.match('/pets', 'PUT')?.route, 'ANY /pets');
});

// LocalStack AWS-validated snapshots (test_lambda_aws_proxy_integration): a trailing slash is not
// part of the proxy parameter, a double slash is kept.
test('greedy parameters: trailing slash dropped, double slash kept, values decoded', () => {
  const t = tree([['ANY', '/{proxy+}']]);
  assert.deepEqual(t.match('/proxy-value/', 'GET')?.pathParameters, { proxy: 'proxy-value' });
  assert.deepEqual(t.match('/proxy-value//double-slash', 'PUT')?.pathParameters, { proxy: 'proxy-value//double-slash' });
  assert.deepEqual(t.match('/a%20b/c', 'GET')?.pathParameters, { proxy: 'a b/c' });
});

test('the root resource and nested parameters', () => {
  const t = tree([
    ['GET', '/'],
    ['GET', '/users/{userId}/orders/{orderId}'],
  ]);
  assert.equal(t.match('/', 'GET')?.route, 'GET /');
  assert.deepEqual(t.match('/users/u1/orders/o%2F2', 'GET')?.pathParameters, { userId: 'u1', orderId: 'o/2' });
  assert.equal(t.match('/users//orders/x', 'GET'), null);
});

test('conflicting definitions are rejected', () => {
  const t = tree([['GET', '/a/{id}']]);
  assert.throws(() => t.add('/a/{name}', 'POST', 'x'), RouteConflictError);
  assert.throws(() => t.add('/a/{id}', 'GET', 'x'), RouteConflictError);
});
