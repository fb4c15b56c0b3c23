// The protect scenario: a MOCK route behind an API key, a usage plan (throttle + quota) and a cached
// Lambda TOKEN authorizer, against the same MOCK route unprotected, both served by one gatehouse process.
import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { startGatehouse, type Running } from './servers.js';
import type { LoadScenarioSpec } from './scenarios.js';

const API_KEY = 'bench-api-key-0123456789abcdefghij';

const AUTHORIZER = `export const handler = async (event) => ({
  principalId: 'bench',
  policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn.split('/').slice(0, 2).join('/') + '/*' }] },
  context: { tier: 'gold' },
});
`;

function mockMethod(extra: Record<string, unknown>): Record<string, unknown> {
  return {
    responses: { '200': { description: 'ok' } },
    'x-amazon-apigateway-integration': {
      type: 'mock',
      requestTemplates: { 'application/json': '{"statusCode": 200}' },
      responses: { default: { statusCode: '200', responseTemplates: { 'application/json': '{"id": 1, "name": "pet-1"}' } } },
    },
    ...extra,
  };
}

/** Quota and throttle far above what the load reaches: every request pays for the checks, none is refused. */
const TEMPLATE = {
  Transform: 'AWS::Serverless-2016-10-31',
  Resources: {
    Authorizer: { Type: 'AWS::Serverless::Function', Properties: { Runtime: 'nodejs20.x', CodeUri: '.', Handler: 'authorizer.handler' } },
    Api: {
      Type: 'AWS::Serverless::Api',
      Properties: {
        StageName: 'Prod',
        DefinitionBody: {
          openapi: '3.0.1',
          info: { title: 'bench-protect', version: '1' },
          components: {
            securitySchemes: {
              api_key: { type: 'apiKey', name: 'x-api-key', in: 'header' },
              token: {
                type: 'apiKey',
                name: 'Authorization',
                in: 'header',
                'x-amazon-apigateway-authtype': 'custom',
                'x-amazon-apigateway-authorizer': {
                  type: 'token',
                  authorizerUri: { 'Fn::Sub': 'arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Authorizer.Arn}/invocations' },
                  authorizerResultTtlInSeconds: 300,
                },
              },
            },
          },
          paths: {
            '/open': { get: mockMethod({}) },
            '/protected': { get: mockMethod({ security: [{ api_key: [], token: [] }] }) },
          },
        },
      },
    },
    Key: { Type: 'AWS::ApiGateway::ApiKey', Properties: { Value: API_KEY, Enabled: true } },
    Plan: {
      Type: 'AWS::ApiGateway::UsagePlan',
      Properties: {
        ApiStages: [{ ApiId: { Ref: 'Api' }, Stage: 'Prod' }],
        Throttle: { RateLimit: 1_000_000, BurstLimit: 500_000 },
        Quota: { Limit: 1_000_000_000, Period: 'DAY' },
      },
    },
    PlanKey: { Type: 'AWS::ApiGateway::UsagePlanKey', Properties: { KeyId: { Ref: 'Key' }, KeyType: 'API_KEY', UsagePlanId: { Ref: 'Plan' } } },
  },
};

export const protect: LoadScenarioSpec = {
  name: 'protect',
  title: 'MOCK route with API key + usage plan (throttle, quota) + cached Lambda TOKEN authorizer vs the same MOCK route unprotected',
  minRatio: 0.7,
  async setup(config) {
    const dir = join(config.tmpDir, 'protect');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'authorizer.mjs'), AUTHORIZER);
    const definition = join(dir, 'template.json');
    writeFileSync(definition, JSON.stringify(TEMPLATE));
    // Both routes are served by one process, so the comparison is the routes' cost, not two processes' luck.
    let shared: Promise<Running> | null = null;
    let users = 0;
    const start = async (): Promise<Running> => {
      users++;
      shared ??= startGatehouse({ root: config.root, definition, dataDir: join(dir, 'data'), startTimeoutMs: config.startTimeoutMs });
      const running = await shared;
      return { ...running, stop: async () => (--users === 0 ? running.stop() : undefined) };
    };
    return {
      targets: [
        { label: 'unprotected', role: 'limit', path: '/Prod/open', start },
        { label: 'protected', role: 'subject', path: '/Prod/protected', headers: { 'x-api-key': API_KEY, authorization: 'Bearer bench' }, start },
      ],
      teardown: async () => {},
    };
  },
};
