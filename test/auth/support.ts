/**
 * Support for the protect-stage tests: Lambda function code written to a temp folder (SAM `CodeUri`),
 * an RSA token issuer publishing OpenID discovery and a JWKS, and a gateway built from the real pieces
 * (loader, deployment, API handler) with protect services the test chooses (e.g. a JWKS resolver for
 * Cognito issuers, which cannot be fetched from a test).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { SignJWT, importJWK } from 'jose';
import { loadDefinition } from '../../src/definitions/index.js';
import { compileDeployment } from '../../src/apigw/deployment.js';
import { createApiHandler } from '../../src/server/api-handler.js';
import { HttpClient } from '../../src/http/client.js';
import { VpcLinkRegistry } from '../../src/apigw/integrations/vpc-link.js';
import { createLogger } from '../../src/core/log.js';
import { createProtectServices, type ProtectServicesOptions, type ProtectServices } from '../../src/apigw/auth/services.js';
import type { GatewayServices } from '../../src/apigw/services.js';
import { call, type TestResponse } from '../support/gateway.js';

/** Writes function files (`auth.mjs`, ...) to a new temp folder; returns its absolute path for `CodeUri`. */
export function writeFunctions(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-auth-fn-'));
  for (const [name, code] of Object.entries(files)) writeFileSync(join(dir, name), code);
  return dir;
}

export function removeDir(dir: string | undefined): void {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}

export interface Issuer {
  url: string;
  kid: string;
  /** Signs claims (iss defaults to the issuer, iat to now, exp to now + 1 h). */
  sign(claims: Record<string, unknown>, options?: { kid?: string; key?: KeyObject }): Promise<string>;
  /** A key the issuer does not publish. */
  strangerKey: KeyObject;
  jwksRequests: number;
  close(): Promise<void>;
}

/** An OpenID issuer on loopback: `/.well-known/openid-configuration` and `/.well-known/jwks.json`. */
export async function startIssuer(): Promise<Issuer> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const kid = 'test-key-1';
  let url = '';
  const issuer: Issuer = {
    url: '',
    kid,
    strangerKey: stranger,
    jwksRequests: 0,
    async sign(claims, options = {}) {
      const now = Math.floor(Date.now() / 1000);
      const key = await importJWK(options.key?.export({ format: 'jwk' }) ?? privateKey.export({ format: 'jwk' }), 'RS256');
      return new SignJWT({ iss: url, iat: now, exp: now + 3600, ...claims }).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: options.kid ?? kid }).sign(key);
    },
    close: async () => {},
  };
  const server: Server = createServer((req, res) => {
    if (req.url === '/.well-known/openid-configuration') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ issuer: url, jwks_uri: `${url}/.well-known/jwks.json` }));
      return;
    }
    if (req.url === '/.well-known/jwks.json') {
      issuer.jwksRequests++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] }));
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  issuer.url = url;
  issuer.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return issuer;
}

export interface Harness {
  protect: ProtectServices;
  call(method: string, path: string, init?: { headers?: Record<string, string>; body?: string }): Promise<TestResponse>;
  close(): Promise<void>;
}

/** A gateway (no Lambda runtime: MOCK and HTTP integrations) whose protect services the test configures. */
export async function startHarness(definition: object, options: ProtectServicesOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-auth-'));
  const file = join(dir, 'template.yaml');
  writeFileSync(file, stringify(definition));
  const project = await loadDefinition(file, { parameterOverrides: {}, awsEndpoint: 'http://127.0.0.1:1' });
  const log = createLogger('silent');
  const http = new HttpClient();
  const protect = createProtectServices(project, { log, ...options });
  const services: GatewayServices = {
    http,
    vpcLinks: new VpcLinkRegistry(project.vpcLinks, http),
    log,
    region: project.region,
    accountId: project.accountId,
    lambda: null,
    awsEndpoint: 'http://127.0.0.1:1',
    auth: protect,
  };
  const deployment = compileDeployment(project, services);
  const server = createServer(createApiHandler({ deployment: () => deployment, log }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    protect,
    call: (method, path, init) => call(base, method, path, init),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await protect.close();
      await http.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A MOCK operation answering 200 with `template` (VTL) as the body. */
export function mock(template: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    responses: { '200': { description: 'ok' } },
    'x-amazon-apigateway-integration': {
      type: 'mock',
      requestTemplates: { 'application/json': '{"statusCode": 200}' },
      responses: { default: { statusCode: '200', responseTemplates: { 'application/json': template } } },
    },
    ...extra,
  };
}

/** A SAM `AWS::Serverless::Api` (stage Prod) serving an OpenAPI document made of `body` (paths, components, x-amazon-apigateway-policy ...). */
export function samRestApi(title: string, body: Record<string, unknown>): Record<string, unknown> {
  return { Type: 'AWS::Serverless::Api', Properties: { StageName: 'Prod', DefinitionBody: { openapi: '3.0.1', info: { title, version: '1' }, ...body } } };
}

/** The security scheme of AWS_IAM methods in an OpenAPI export. */
export const SIGV4_SCHEME = { sigv4: { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'awsSigv4' } };

/** The `api_key` security scheme: methods that list it require `x-api-key`. */
export const API_KEY_SCHEME = { api_key: { type: 'apiKey', name: 'x-api-key', in: 'header' } };

/** A SAM REST API (stage `Prod`) of `paths`, with the given security schemes (the API key's by default). */
export function restApi(title: string, paths: Record<string, unknown>, securitySchemes: Record<string, unknown> = API_KEY_SCHEME): Record<string, unknown> {
  return {
    Type: 'AWS::Serverless::Api',
    Properties: {
      StageName: 'Prod',
      DefinitionBody: { openapi: '3.0.1', info: { title, version: '1' }, components: { securitySchemes }, paths },
    },
  };
}

/** An OpenAPI security scheme for a COGNITO_USER_POOLS authorizer of the template's pool `poolLogicalId`. */
export function cognitoScheme(poolLogicalId: string): Record<string, unknown> {
  return {
    type: 'apiKey',
    name: 'Authorization',
    in: 'header',
    'x-amazon-apigateway-authtype': 'cognito_user_pools',
    'x-amazon-apigateway-authorizer': { type: 'cognito_user_pools', providerARNs: [{ 'Fn::GetAtt': [poolLogicalId, 'Arn'] }] },
  };
}
