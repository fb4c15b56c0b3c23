/**
 * Token authorizer helpers. Sources: docs "Controlling access to HTTP APIs with JWT authorizers" (`scope`
 * or `scp`), "Verifying a JSON Web Token" (Cognito issuer `https://cognito-idp.{region}.amazonaws.com/{poolId}`),
 * aws/chalice #783 (REST Cognito `cognito:groups` read back with split(',')).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cognitoIssuer, stringifyClaims, tokenScopes } from './jwt-authorizer.js';

test('Cognito issuer from a user pool ARN', () => {
  assert.equal(cognitoIssuer('arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbC'), 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC');
  assert.throws(() => cognitoIssuer('arn:aws:iam::123456789012:user/x'));
});

test('scopes from scope (space separated) or scp', () => {
  assert.deepEqual(tokenScopes({ scope: 'a b  c' }), ['a', 'b', 'c']);
  assert.deepEqual(tokenScopes({ scp: ['a', 'b'] }), ['a', 'b']);
  assert.deepEqual(tokenScopes({}), []);
});

test('claims become strings; REST joins lists with commas', () => {
  const claims = { sub: 's', n: 5, ok: true, groups: ['a', 'b'], obj: { k: 1 }, gone: null };
  assert.deepEqual(stringifyClaims(claims, 'REST'), { sub: 's', n: '5', ok: 'true', groups: 'a,b', obj: '{"k":1}' });
  assert.equal(stringifyClaims({ exp: 1_900_000_000 }, 'REST')['exp'], 'Sun Mar 17 17:46:40 UTC 2030');
  assert.equal(stringifyClaims({ exp: 1_900_000_000 }, 'HTTP')['exp'], '1900000000');
});
