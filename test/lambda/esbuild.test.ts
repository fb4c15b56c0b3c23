/**
 * TypeScript handlers built with esbuild (SAM `Metadata: {BuildMethod: esbuild, BuildProperties}`,
 * "Building Node.js Lambda functions with esbuild in AWS SAM", serverless-sam-cli-using-build-typescript.html).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { DefinitionError } from '../../src/definitions/errors.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

const template = (buildProperties: string): string => `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Greeter:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      CodeUri: greeter/
      Handler: app.handler
      Environment: {Variables: {GREETING: hello}}
      Events:
        Get: {Type: Api, Properties: {Path: "/greet/{name}", Method: get}}
    Metadata:
      BuildMethod: esbuild
      BuildProperties:
${buildProperties}
`;

const PROPERTIES = `        Format: cjs
        Target: es2020
        Minify: false
        Sourcemap: true
        External: [left-pad]
        EntryPoints: [src/app.ts]`;

// Typed code and a local import: only a bundler makes this runnable.
const files = (greeting: string): Record<string, string> => ({
  'greeter/src/app.ts': `import type { APIGatewayProxyEvent } from './types';
import { shout } from './shout';
export const handler = async (event: APIGatewayProxyEvent): Promise<{ statusCode: number; body: string }> => {
  const name: string = event.pathParameters?.name ?? 'nobody';
  return { statusCode: 200, body: JSON.stringify({ message: shout(\`${greeting} \${name}\`), nodeOptions: process.env.NODE_OPTIONS }) };
};
`,
  'greeter/src/shout.ts': `export const shout = (text: string): string => text.toUpperCase() + '!';\n`,
  'greeter/src/types.ts': `export interface APIGatewayProxyEvent { pathParameters: Record<string, string> | null }\n`,
});

/** The CLI bundle users run (dist/gatehouse.mjs, from `npm run build`). */
const CLI = join(resolve(fileURLToPath(import.meta.url), '../../../..'), 'dist/gatehouse.mjs');

const gateways: TestGateway[] = [];
after(() => Promise.all(gateways.map((g) => g.close())));

describe('BuildMethod: esbuild', () => {
  it('bundles a TypeScript handler at start and serves it', async () => {
    const gw = await startTestGateway(template(PROPERTIES), { fileName: 'template.yaml', files: files('hello') });
    gateways.push(gw);
    const res = await gw.call('GET', '/Prod/greet/ada');
    assert.equal(res.status, 200);
    // Sourcemap: true appends --enable-source-maps to NODE_OPTIONS (the SAM page above).
    assert.deepEqual(res.json(), { message: 'HELLO ADA!', nodeOptions: '--enable-source-maps' });
  });

  it('fails start naming the source file and line of a build error', async () => {
    const broken = { ...files('hello'), 'greeter/src/shout.ts': `export const shout = (text: string): string => {\n  return text +;\n};\n` };
    await assert.rejects(startTestGateway(template(PROPERTIES), { fileName: 'template.yaml', files: broken }), (error: unknown) => {
      assert.ok(error instanceof DefinitionError);
      assert.match(error.message, /#\/Resources\/Greeter\/Metadata: esbuild: \S*greeter\/src\/shout\.ts:2:\d+: Unexpected ";"/);
      return true;
    });
  });

  it('gatehouse validate builds the functions and reports a build error the same way', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-esbuild-validate-'));
    try {
      const broken = { ...files('hello'), 'greeter/src/shout.ts': `export const shout = (text: string): string => {\n  return text +;\n};\n` };
      for (const [name, text] of Object.entries(broken)) {
        mkdirSync(dirname(join(dir, name)), { recursive: true });
        writeFileSync(join(dir, name), text);
      }
      writeFileSync(join(dir, 'template.yaml'), template(PROPERTIES));
      const result = spawnSync(process.execPath, [CLI, 'validate', join(dir, 'template.yaml')], { encoding: 'utf8' });
      assert.equal(result.status, 1, result.stdout);
      assert.match(result.stderr, /#\/Resources\/Greeter\/Metadata: esbuild: \S*greeter\/src\/shout\.ts:2:\d+: Unexpected ";"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rebuilds on --watch when a source file changes', async () => {
    const gw = await startTestGateway(template(PROPERTIES), { fileName: 'template.yaml', files: files('hello'), watch: true });
    gateways.push(gw);
    assert.equal(((await gw.call('GET', '/Prod/greet/ada')).json() as { message: string }).message, 'HELLO ADA!');
    writeFileSync(join(gw.dir, 'greeter/src/shout.ts'), `export const shout = (text: string): string => text.toLowerCase() + '?';\n`);
    let message = '';
    for (let i = 0; i < 200 && message !== 'hello ada?'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const res = await gw.call('GET', '/Prod/greet/ada');
      if (res.status === 200) message = (res.json() as { message: string }).message;
    }
    assert.equal(message, 'hello ada?');
  });
});
