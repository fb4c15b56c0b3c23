/**
 * The REST stage cache through a real gatehouse: an HTTP backend counts how often the integration
 * is really called. AWS docs: "Cache settings for REST APIs in API Gateway" — the stage's
 * CacheClusterEnabled and the method settings' CachingEnabled / CacheTtlInSeconds (300 s default,
 * 0 = off), only GET cached by stage-wide settings, cache keys from cacheKeyParameters only, and
 * "Invalidate an API Gateway cache entry" (Cache-Control: max-age=0; FAIL_WITH_403,
 * SUCCEED_WITH_RESPONSE_HEADER, SUCCEED_WITHOUT_RESPONSE_HEADER).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startUpstream, type TestUpstream } from '../support/upstream.js';
import { IGNORED_CACHE_CONTROL_WARNING } from '../../src/apigw/stages/response-cache.js';

let gw: TestGateway;
let upstream: TestUpstream;
let served = 0;

/** An HTTP_PROXY method to the counting backend. */
function proxied(path: string, method: string, cacheKeyParameters: string[] = []): Record<string, unknown> {
  return {
    responses: { '200': { description: 'ok' } },
    'x-amazon-apigateway-integration': { type: 'http_proxy', httpMethod: method, uri: `${upstream.url}${path}`, cacheKeyParameters },
  };
}

before(async () => {
  upstream = await startUpstream((req, res) => {
    served++;
    const status = req.url?.startsWith('/missing') ? 404 : 200;
    res.writeHead(status, { 'content-type': 'application/json', 'x-served': String(served) });
    res.end(JSON.stringify({ served, method: req.method, url: req.url }));
  });
  const setting = (path: string, method: string, extra: Record<string, unknown>) => ({ ResourcePath: path, HttpMethod: method, ...extra });
  gw = await startTestGateway(
    {
      Transform: 'AWS::Serverless-2016-10-31',
      Resources: {
        Api: {
          Type: 'AWS::Serverless::Api',
          Properties: {
            StageName: 'Prod',
            CacheClusterEnabled: true,
            CacheClusterSize: '0.5',
            MethodSettings: [
              setting('/*', '*', { CachingEnabled: true, CacheTtlInSeconds: 60 }),
              setting('/orders', 'POST', { CachingEnabled: true }),
              setting('/nocache', 'GET', { CachingEnabled: true, CacheTtlInSeconds: 0 }),
              setting('/open', 'GET', { CachingEnabled: true, RequireAuthorizationForCacheControl: false }),
              setting('/strict', 'GET', { CachingEnabled: true, UnauthorizedCacheControlHeaderStrategy: 'FAIL_WITH_403' }),
              setting('/quiet', 'GET', { CachingEnabled: true, UnauthorizedCacheControlHeaderStrategy: 'SUCCEED_WITHOUT_RESPONSE_HEADER' }),
            ],
            DefinitionBody: {
              openapi: '3.0.1',
              info: { title: 'cache', version: '1' },
              paths: {
                '/items/{id}': { get: proxied('/items/{id}', 'GET', ['method.request.path.id', 'method.request.querystring.lang']) },
                '/plain/{id}': { get: proxied('/plain/{id}', 'GET') },
                '/orders': { get: proxied('/orders', 'GET'), post: proxied('/orders', 'POST'), put: proxied('/orders', 'PUT') },
                '/nocache': { get: proxied('/nocache', 'GET') },
                '/missing': { get: proxied('/missing', 'GET') },
                '/open': { get: proxied('/open', 'GET') },
                '/strict': { get: proxied('/strict', 'GET') },
                '/quiet': { get: proxied('/quiet', 'GET') },
              },
            },
          },
        },
      },
    },
    { fileName: 'template.yaml' },
  );
});

after(async () => {
  await gw?.close();
  await upstream?.close();
});

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await gw.call('GET', path, { headers });
  return { status: res.status, body: res.json() as { served: number }, headers: res.headers };
}

test('a cached GET is answered from the cache, headers and body as the backend sent them', async () => {
  const first = await get('/Prod/items/1');
  const second = await get('/Prod/items/1');
  assert.equal(second.body.served, first.body.served);
  assert.equal(second.headers['x-served'], String(first.body.served));
  assert.equal(second.status, 200);
});

test('cache key parameters vary the entry; other parameters do not, not even path parameters', async () => {
  const one = await get('/Prod/items/2?lang=en&page=1');
  assert.equal((await get('/Prod/items/2?lang=en&page=2')).body.served, one.body.served, 'page is not a cache key');
  assert.notEqual((await get('/Prod/items/2?lang=fr')).body.served, one.body.served, 'lang is a cache key');
  assert.notEqual((await get('/Prod/items/3?lang=en')).body.served, one.body.served, 'the id is a cache key');
  // Without cacheKeyParameters, /plain/a and /plain/b share one entry (theburningmonk.com, "enable caching
  // on query string parameters in API Gateway": path parameters are not in the key unless declared).
  const a = await get('/Prod/plain/a');
  assert.equal((await get('/Prod/plain/b')).body.served, a.body.served);
});

test('stage-wide settings cache GET only; another method needs its own setting', async () => {
  const postOnce = await gw.call('POST', '/Prod/orders', { body: '{}' });
  const postTwice = await gw.call('POST', '/Prod/orders', { body: '{}' });
  assert.equal((postTwice.json() as { served: number }).served, (postOnce.json() as { served: number }).served, 'POST has its own CachingEnabled');
  const putOnce = await gw.call('PUT', '/Prod/orders', { body: '{}' });
  const putTwice = await gw.call('PUT', '/Prod/orders', { body: '{}' });
  assert.notEqual((putTwice.json() as { served: number }).served, (putOnce.json() as { served: number }).served, 'PUT is not cached by */*');
  // GET and POST on one resource are separate entries.
  assert.notEqual((await get('/Prod/orders')).body.served, (postOnce.json() as { served: number }).served);
});

test('a TTL of 0 disables caching; error responses are cached like any other', async () => {
  assert.notEqual((await get('/Prod/nocache')).body.served, (await get('/Prod/nocache')).body.served);
  const missing = await get('/Prod/missing');
  assert.equal(missing.status, 404);
  assert.equal((await get('/Prod/missing')).body.served, missing.body.served);
});

test('Cache-Control: max-age=0 from a caller who may invalidate refetches and replaces the entry', async () => {
  const cached = await get('/Prod/open');
  const fresh = await get('/Prod/open', { 'cache-control': 'max-age=0' });
  assert.notEqual(fresh.body.served, cached.body.served);
  assert.equal(fresh.headers['warning'], undefined);
  assert.equal((await get('/Prod/open')).body.served, fresh.body.served, 'the new response replaced the entry');
});

test('an unauthorized invalidation: the cached answer with a Warning (default), without one, or 403', async () => {
  const cached = await get('/Prod/items/9');
  const ignored = await get('/Prod/items/9', { 'cache-control': 'max-age=0' });
  assert.equal(ignored.body.served, cached.body.served);
  assert.equal(ignored.headers['warning'], IGNORED_CACHE_CONTROL_WARNING);

  const quiet = await get('/Prod/quiet');
  const quietAgain = await get('/Prod/quiet', { 'cache-control': 'no-cache, max-age=0' });
  assert.equal(quietAgain.body.served, quiet.body.served);
  assert.equal(quietAgain.headers['warning'], undefined);

  await get('/Prod/strict');
  const refused = await gw.call('GET', '/Prod/strict', { headers: { 'cache-control': 'max-age=0' } });
  assert.equal(refused.status, 403);
  assert.equal(refused.headers['x-amzn-errortype'], 'AccessDeniedException');
  assert.match((refused.json() as { message: string }).message, /not authorized to perform: execute-api:InvalidateCache on resource: arn:aws:execute-api:.*\/Prod\/GET\/strict$/);
});
