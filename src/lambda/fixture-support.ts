/** Shared by the lambda tests: fixture locations and FunctionDefinition builders. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FunctionDefinition } from '../definitions/model.js';
import { LambdaRuntime, type LambdaRuntimeOptions } from './index.js';

/** `src/lambda/fixtures`, found from the compiled test file (dist/src/lambda or elsewhere) or the cwd. */
export const fixtures: string = (() => {
  const relative = path.join('src', 'lambda', 'fixtures');
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, relative))) return path.join(dir, relative);
    if (path.dirname(dir) === dir) break;
  }
  return path.join(process.cwd(), relative);
})();

export const REGION = 'us-east-1';
export const ACCOUNT = '000000000000';

export function fn(name: string, overrides: Partial<FunctionDefinition> = {}): FunctionDefinition {
  return {
    logicalId: name,
    name,
    arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`,
    runtime: 'nodejs20.x',
    handler: 'index.handler',
    codeDir: path.join(fixtures, 'node-cjs'),
    environment: {},
    timeout: 3,
    memorySize: 128,
    layers: [],
    architectures: ['x86_64'],
    metadata: {},
    source: { file: 'template.yaml', pointer: `/Resources/${name}` },
    ...overrides,
  };
}

export function runtime(functions: FunctionDefinition[], options: Partial<LambdaRuntimeOptions> = {}): LambdaRuntime {
  return new LambdaRuntime(functions, {
    awsEndpoint: 'http://127.0.0.1:4566',
    region: REGION,
    accountId: ACCOUNT,
    ...options,
  });
}

export const json = (payload: Buffer): any => JSON.parse(payload.toString('utf8'));
