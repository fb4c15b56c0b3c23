/**
 * The policy evaluator against the IAM rules it implements. Sources: IAM User Guide "Policy evaluation
 * logic" (explicit deny wins, no match = implicit deny), "IAM JSON policy elements: Condition operators"
 * (operators, ...IfExists, negated operators on a missing key, ForAnyValue/ForAllValues, Null),
 * "IAM JSON policy elements: Resource" (`*` and `?` wildcards, case-sensitive) and "Action" (case-insensitive).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePolicy, PolicyError, wildcardMatcher } from './policy.js';

const ARN = 'arn:aws:execute-api:us-east-1:111122223333:abc1234567/prod/GET/pets/7';
const statement = (extra: Record<string, unknown>) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: '*', ...extra }] });

test('explicit Deny beats Allow; nothing matching is None', () => {
  const policy = compilePolicy({
    Statement: [
      { Effect: 'Allow', Action: 'execute-api:Invoke', Resource: 'arn:aws:execute-api:us-east-1:111122223333:abc1234567/*' },
      { Effect: 'Deny', Action: 'execute-api:*', Resource: 'arn:aws:execute-api:us-east-1:111122223333:abc1234567/*/DELETE/*' },
    ],
  });
  assert.equal(policy.evaluate({ action: 'execute-api:Invoke', resource: ARN }), 'Allow');
  assert.equal(policy.evaluate({ action: 'execute-api:Invoke', resource: ARN.replace('GET', 'DELETE') }), 'Deny');
  assert.equal(policy.evaluate({ action: 'execute-api:Invoke', resource: 'arn:aws:execute-api:us-east-1:111122223333:other/prod/GET/' }), 'None');
  assert.deepEqual(policy.explain({ action: 'execute-api:Invoke', resource: ARN.replace('GET', 'DELETE') }), { decision: 'Deny', statement: 'Statement[1]' });
});

test('a single Statement object is accepted, and JSON text too', () => {
  const doc = { Statement: { Effect: 'Allow', Action: '*', Resource: ARN } };
  assert.equal(compilePolicy(doc).evaluate({ action: 'anything:Do', resource: ARN }), 'Allow');
  assert.equal(compilePolicy(JSON.stringify(doc)).evaluate({ action: 'x:y', resource: ARN }), 'Allow');
});

test('wildcards: * spans any characters, ? exactly one; resources are case-sensitive, actions are not', () => {
  const match = wildcardMatcher(['arn:aws:execute-api:*:*:abc1234567/*/GET/pets/?'], false)!;
  assert.equal(match(ARN), true);
  assert.equal(match(ARN + '7'), false);
  assert.equal(match(ARN.replace('pets', 'PETS')), false);
  assert.equal(wildcardMatcher(['*'], false), null);
  assert.equal(compilePolicy(statement({ Action: 'EXECUTE-API:invoke' })).evaluate({ action: 'execute-api:Invoke', resource: ARN }), 'Allow');
  // Regex specials in a pattern are literal.
  assert.equal(wildcardMatcher(['a.b(c)+'], false)!('a.b(c)+'), true);
  assert.equal(wildcardMatcher(['a.b'], false)!('axb'), false);
});

test('NotAction and NotResource', () => {
  const policy = compilePolicy({ Statement: [{ Effect: 'Deny', NotAction: 'execute-api:Invoke', NotResource: '*/prod/*' }] });
  assert.equal(policy.evaluate({ action: 'execute-api:ManageConnections', resource: 'x/dev/GET/' }), 'Deny');
  assert.equal(policy.evaluate({ action: 'execute-api:Invoke', resource: 'x/dev/GET/' }), 'None');
  assert.equal(policy.evaluate({ action: 'execute-api:ManageConnections', resource: 'x/prod/GET/' }), 'None');
});

test('Principal: "*" and {"AWS":"*"} are everyone, an account id or :root its principals, an ARN itself', () => {
  const alice = { arn: 'arn:aws:iam::111122223333:user/alice', accountId: '111122223333' };
  const bob = { arn: 'arn:aws:iam::444455556666:user/bob', accountId: '444455556666' };
  const by = (principal: unknown) => compilePolicy(statement({ Principal: principal }));
  assert.equal(by('*').evaluate({ action: 'execute-api:Invoke', resource: ARN, principal: null }), 'Allow');
  assert.equal(by({ AWS: '*' }).evaluate({ action: 'execute-api:Invoke', resource: ARN, principal: null }), 'Allow');
  assert.equal(by({ AWS: '111122223333' }).evaluate({ action: 'execute-api:Invoke', resource: ARN, principal: alice }), 'Allow');
  assert.equal(by({ AWS: 'arn:aws:iam::111122223333:root' }).evaluate({ action: 'execute-api:Invoke', resource: ARN, principal: bob }), 'None');
  assert.equal(by({ AWS: ['arn:aws:iam::444455556666:user/bob'] }).evaluate({ action: 'execute-api:Invoke', resource: ARN, principal: bob }), 'Allow');
  assert.equal(by({ AWS: '111122223333' }).evaluate({ action: 'execute-api:Invoke', resource: ARN, principal: null }), 'None');
});

test('IpAddress / NotIpAddress with CIDR blocks, IPv4 and IPv6', () => {
  const allow = compilePolicy(statement({ Condition: { IpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '2001:db8::/32', '203.0.113.7'] } } }));
  const deny = compilePolicy(statement({ Condition: { NotIpAddress: { 'aws:SourceIp': '192.0.2.0/24' } } }));
  const from = (ip: string) => ({ action: 'execute-api:Invoke', resource: ARN, conditions: { 'aws:sourceip': ip } });
  assert.equal(allow.evaluate(from('192.0.2.44')), 'Allow');
  assert.equal(allow.evaluate(from('203.0.113.7')), 'Allow');
  assert.equal(allow.evaluate(from('203.0.113.8')), 'None');
  assert.equal(allow.evaluate(from('2001:db8::1')), 'Allow');
  assert.equal(deny.evaluate(from('192.0.2.44')), 'None');
  assert.equal(deny.evaluate(from('10.0.0.1')), 'Allow');
  assert.throws(() => compilePolicy(statement({ Condition: { IpAddress: { 'aws:SourceIp': 'not-an-ip' } } })), PolicyError);
});

test('String operators, condition key names case-insensitive, values ORed, keys ANDed', () => {
  const policy = compilePolicy(
    statement({
      Condition: {
        StringEquals: { 'aws:PrincipalTag/team': ['blue', 'green'] },
        StringLike: { 'aws:UserAgent': 'curl/*' },
        StringEqualsIgnoreCase: { 'aws:Referer': 'HTTPS://APP.EXAMPLE.COM' },
      },
    }),
  );
  const request = (team: string, agent: string) => ({
    action: 'execute-api:Invoke',
    resource: ARN,
    conditions: { 'aws:principaltag/team': team, 'aws:useragent': agent, 'aws:referer': 'https://app.example.com' },
  });
  assert.equal(policy.evaluate(request('green', 'curl/8.0')), 'Allow');
  assert.equal(policy.evaluate(request('red', 'curl/8.0')), 'None');
  assert.equal(policy.evaluate(request('blue', 'wget/1')), 'None');
});

test('a missing key: positive operators fail, negated ones and ...IfExists hold; Null tests presence', () => {
  const evaluate = (condition: Record<string, unknown>, conditions: Record<string, string> = {}) =>
    compilePolicy(statement({ Condition: condition })).evaluate({ action: 'execute-api:Invoke', resource: ARN, conditions });
  assert.equal(evaluate({ StringEquals: { 'aws:SourceVpce': 'vpce-1' } }), 'None');
  assert.equal(evaluate({ StringNotEquals: { 'aws:SourceVpce': 'vpce-1' } }), 'Allow');
  assert.equal(evaluate({ StringEqualsIfExists: { 'aws:SourceVpce': 'vpce-1' } }), 'Allow');
  assert.equal(evaluate({ StringEqualsIfExists: { 'aws:SourceVpce': 'vpce-1' } }, { 'aws:sourcevpce': 'vpce-2' }), 'None');
  assert.equal(evaluate({ Null: { 'aws:SourceVpce': 'true' } }), 'Allow');
  assert.equal(evaluate({ Null: { 'aws:SourceVpce': 'false' } }), 'None');
});

test('Numeric, Date and Bool operators', () => {
  const evaluate = (condition: Record<string, unknown>, conditions: Record<string, string>) =>
    compilePolicy(statement({ Condition: condition })).evaluate({ action: 'execute-api:Invoke', resource: ARN, conditions });
  assert.equal(evaluate({ NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } }, { 'aws:multifactorauthage': '12' }), 'Allow');
  assert.equal(evaluate({ NumericLessThan: { 'aws:MultiFactorAuthAge': 3600 } }, { 'aws:multifactorauthage': '7200' }), 'None');
  assert.equal(evaluate({ DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } }, { 'aws:currenttime': '2024-05-01T10:00:00Z' }), 'Allow');
  assert.equal(evaluate({ DateLessThan: { 'aws:EpochTime': '1600000000' } }, { 'aws:epochtime': '1700000000' }), 'None');
  assert.equal(evaluate({ Bool: { 'aws:SecureTransport': 'true' } }, { 'aws:securetransport': 'TRUE' }), 'Allow');
  assert.equal(evaluate({ Bool: { 'aws:SecureTransport': true } }, { 'aws:securetransport': 'false' }), 'None');
});

test('ForAnyValue / ForAllValues over multi-valued keys', () => {
  const evaluate = (op: string, tags: string[] | undefined) =>
    compilePolicy(statement({ Condition: { [op]: { 'aws:TagKeys': ['a', 'b'] } } })).evaluate({
      action: 'execute-api:Invoke',
      resource: ARN,
      conditions: tags === undefined ? {} : { 'aws:tagkeys': tags },
    });
  assert.equal(evaluate('ForAnyValue:StringEquals', ['x', 'b']), 'Allow');
  assert.equal(evaluate('ForAnyValue:StringEquals', ['x']), 'None');
  assert.equal(evaluate('ForAnyValue:StringEquals', undefined), 'None');
  assert.equal(evaluate('ForAllValues:StringEquals', ['a', 'b']), 'Allow');
  assert.equal(evaluate('ForAllValues:StringEquals', ['a', 'x']), 'None');
  assert.equal(evaluate('ForAllValues:StringEquals', undefined), 'Allow');
});

test('Arn operators and resource rewriting', () => {
  const policy = compilePolicy(statement({ Resource: 'execute-api:/prod/*', Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/app-*' } } }), {
    resource: (r) => r.replace('execute-api:', 'arn:aws:execute-api:us-east-1:111122223333:abc1234567'),
  });
  const request = (role: string) => ({ action: 'execute-api:Invoke', resource: ARN, conditions: { 'aws:principalarn': `arn:aws:iam::111122223333:role/${role}` } });
  assert.equal(policy.evaluate(request('app-web')), 'Allow');
  assert.equal(policy.evaluate(request('admin')), 'None');
});

test('malformed documents are refused when compiled', () => {
  for (const doc of [null, 'not json', {}, { Statement: [{ Effect: 'Maybe', Action: '*' }] }, { Statement: [{ Effect: 'Allow' }] },
    { Statement: [{ Effect: 'Allow', Action: '*', NotAction: 'x' }] }, { Statement: [{ Effect: 'Allow', Action: '*', Condition: { StringSoundsLike: { a: 'b' } } }] },
    { Statement: [{ Effect: 'Allow', Action: '*', Condition: { 'ForSomeValues:StringEquals': { a: 'b' } } }] }, { Statement: [{ Effect: 'Allow', Action: [{}] }] }]) {
    assert.throws(() => compilePolicy(doc), PolicyError, JSON.stringify(doc));
  }
});

test('glob matching by segments agrees with the regex form', () => {
  const cases: [string, string, boolean][] = [
    ['a*b*c', 'abc', true],
    ['a*b*c', 'axxbyyc', true],
    ['a*b*c', 'acb', false],
    ['a*a', 'a', false],
    ['a*a', 'aa', true],
    ['*/GET/*', 'x/GET/', true],
    ['*/GET/*', 'x/POST/', false],
    ['ab*', 'ab', true],
    ['*ab', 'b', false],
    ['a**b', 'ab', true],
  ];
  for (const [pattern, value, expected] of cases) {
    assert.equal(wildcardMatcher([pattern], false)!(value), expected, `${pattern} ~ ${value}`);
    assert.equal(wildcardMatcher([pattern, 'x?never'], false)!(value), expected, `${pattern} ~ ${value} (regex)`);
  }
});

// IAM User Guide "IAM policy elements: Variables and tags": variables in Resource and Condition values
// take the request's context key; `${key, 'default'}` supplies a default; a missing key matches nothing.
test('policy variables in Resource and Condition values', () => {
  const policy = compilePolicy({
    Statement: [
      { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::home/${aws:username}/*' },
      {
        Effect: 'Allow',
        Action: 'dynamodb:GetItem',
        Resource: '*',
        Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['${cognito-identity.amazonaws.com:sub}'] } },
      },
      { Effect: 'Allow', Action: 'x:Tagged', Resource: 'arn:x:${aws:PrincipalTag/team, \'none\'}' },
    ],
  });
  const alice = { 'aws:username': 'alice', 'cognito-identity.amazonaws.com:sub': 'us-east-1:1111' };
  assert.equal(policy.evaluate({ action: 's3:GetObject', resource: 'arn:aws:s3:::home/alice/a.txt', conditions: alice }), 'Allow');
  assert.equal(policy.evaluate({ action: 's3:GetObject', resource: 'arn:aws:s3:::home/bob/a.txt', conditions: alice }), 'None');
  assert.equal(policy.evaluate({ action: 's3:GetObject', resource: 'arn:aws:s3:::home//a.txt', conditions: {} }), 'None');
  assert.equal(policy.evaluate({ action: 'dynamodb:GetItem', resource: 't', conditions: { ...alice, 'dynamodb:leadingkeys': ['us-east-1:1111'] } }), 'Allow');
  assert.equal(policy.evaluate({ action: 'dynamodb:GetItem', resource: 't', conditions: { ...alice, 'dynamodb:leadingkeys': ['us-east-1:2222'] } }), 'None');
  assert.equal(policy.evaluate({ action: 'x:Tagged', resource: 'arn:x:none', conditions: {} }), 'Allow');
  assert.equal(policy.evaluate({ action: 'x:Tagged', resource: 'arn:x:blue', conditions: { 'aws:principaltag/team': 'blue' } }), 'Allow');
});
