// Unit tests of the echo upstream and the raw HTTP client (paths sent and reported byte for byte).

import assert from 'node:assert/strict';
import { createPublicKey, sign, verify } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sendRaw, splitTarget } from './http-client.js';
import { getSigningKey, KEY_ID, startUpstream, type Upstream } from './upstream.js';

describe('upstream echo server', () => {
  let upstream: Upstream;
  before(async () => {
    upstream = await startUpstream(await getSigningKey());
  });
  after(() => upstream.close());

  const call = async (method: string, path: string, headers: Record<string, string | string[]> = {}, body?: string) => {
    const res = await sendRaw(
      { port: upstream.port, method, path, headers, ...(body !== undefined ? { body: Buffer.from(body) } : {}) },
      AbortSignal.timeout(5000),
    );
    return { ...res, json: JSON.parse(res.body.toString('utf8') || 'null') as Record<string, unknown> };
  };

  it('reports method, raw path, query, headers and body', async () => {
    const res = await call('POST', '/a//b/%7Bx%7D?x=1&x=2&y=a%20b', { 'X-Foo': 'bar', 'Content-Type': 'application/json' }, '{"k": 1}');
    assert.equal(res.status, 200);
    assert.deepEqual(res.headers.get('x-upstream'), ['conformance-echo']);
    assert.deepEqual(res.headers.get('server'), ['conformance-echo']);
    assert.deepEqual(res.headers.get('content-type'), ['application/json']);
    assert.equal(res.json['method'], 'POST');
    assert.equal(res.json['path'], '/a//b/%7Bx%7D');
    assert.equal(res.json['rawQuery'], 'x=1&x=2&y=a%20b');
    assert.deepEqual(res.json['query'], { x: ['1', '2'], y: 'a b' });
    assert.equal((res.json['headers'] as Record<string, string>)['x-foo'], 'bar');
    assert.equal(res.json['body'], '{"k": 1}');
    assert.deepEqual(res.json['json'], { k: 1 });
  });

  it('joins repeated request headers with ", "', async () => {
    const res = await call('GET', '/', { 'X-Rep': ['a', 'b'] });
    assert.equal((res.json['headers'] as Record<string, string>)['x-rep'], 'a, b');
    assert.equal(res.json['body'], '');
    assert.equal(res.json['json'], null);
  });

  it('answers /status/NNN and x-echo-status with that status', async () => {
    assert.equal((await call('GET', '/status/404')).status, 404);
    assert.equal((await call('GET', '/status/503/more')).status, 503);
    assert.equal((await call('GET', '/x', { 'x-echo-status': '418' })).status, 418);
    assert.equal((await call('GET', '/statusx/404')).status, 200);
  });

  it('publishes the OpenID configuration and the JWKS', async () => {
    const config = await call('GET', '/.well-known/openid-configuration');
    assert.equal(config.json['issuer'], upstream.url);
    assert.equal(config.json['jwks_uri'], `${upstream.url}/.well-known/jwks.json`);
    const jwks = await call('GET', '/.well-known/jwks.json');
    const [key] = jwks.json['keys'] as Array<Record<string, unknown>>;
    assert.equal(key?.['kid'], KEY_ID);
    assert.equal(key?.['kty'], 'RSA');
    assert.equal(key?.['alg'], 'RS256');
    assert.equal(key?.['d'], undefined, 'the private part must not be published');
  });

  it('the published JWK verifies what the runner key signs', async () => {
    const jwks = await call('GET', '/.well-known/jwks.json');
    const [jwk] = jwks.json['keys'] as Array<Record<string, unknown>>;
    const publicKey = createPublicKey({ key: jwk as never, format: 'jwk' });
    const data = Buffer.from('header.payload');
    const signature = sign('sha256', data, (await getSigningKey()).privateKey);
    assert.ok(verify('sha256', data, publicKey, signature));
  });
});

describe('splitTarget', () => {
  it('keeps a plain path as it is', () => {
    assert.deepEqual(splitTarget('/Prod/a//b/../c', 80), { host: '127.0.0.1', port: 80, path: '/Prod/a//b/../c' });
  });
  it('splits a full http URL without normalising it', () => {
    assert.deepEqual(splitTarget('http://127.0.0.1:9/x//y?q', 80), { host: '127.0.0.1', port: 9, path: '/x//y?q' });
  });
});
