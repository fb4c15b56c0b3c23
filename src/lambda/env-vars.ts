/**
 * The environment variables of an execution environment: Lambda's defined runtime variables,
 * then the function's own, with the reserved ones kept as Lambda sets them.
 * AWS docs: "Defined runtime environment variables" (configuration-envvars.html#configuration-envvars-runtime).
 */
import path from 'node:path';
import type { FunctionDefinition } from '../definitions/model.js';

export interface EnvironmentContext {
  region: string;
  awsEndpoint: string;
  /** Folder holding the function code (`/var/task`). */
  codeDir: string;
  /** Folder of gatehouse's runtime code (`/var/runtime`). */
  runtimeDir: string;
  logStreamName: string;
  /** `127.0.0.1:port` for runtimes that speak the Runtime API. */
  runtimeApi?: string;
}

/** Keys a function cannot override (Lambda rejects them in its configuration). */
const RESERVED = [
  '_HANDLER', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME', 'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_ACCESS_KEY', 'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR',
] as const;

/** The keys local functions get (the endpoint accepts them when it verifies signatures). */
export const FUNCTION_CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

export function lambdaEnvironment(fn: FunctionDefinition, ctx: EnvironmentContext): Record<string, string> {
  const hostPath = process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin';
  // Layers are unpacked in /opt on AWS; here each layer folder plays /opt.
  const layerBins = fn.layers.map((dir) => path.join(dir, 'bin'));
  const nodeMajor = process.versions.node.split('.')[0];
  const nodePath = [
    ...fn.layers.flatMap((dir) => [path.join(dir, 'nodejs', `node${nodeMajor}`, 'node_modules'), path.join(dir, 'nodejs', 'node_modules')]),
    ctx.codeDir,
  ];

  const defaults: Record<string, string> = {
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    PATH: [...layerBins, hostPath].join(path.delimiter),
    LD_LIBRARY_PATH: fn.layers.map((dir) => path.join(dir, 'lib')).join(path.delimiter),
    NODE_PATH: nodePath.join(path.delimiter),
    AWS_ENDPOINT_URL: ctx.awsEndpoint,
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
  };
  if (fn.runtime.startsWith('python')) {
    const pyVersion = fn.runtime.replace(/^python/, '');
    // /var/task is read-only on Lambda, so no __pycache__ is written next to the code.
    defaults['PYTHONDONTWRITEBYTECODE'] = '1';
    defaults['PYTHONPATH'] = [
      ctx.codeDir,
      ...fn.layers.flatMap((dir) => [path.join(dir, 'python'), path.join(dir, 'python', 'lib', `python${pyVersion}`, 'site-packages')]),
    ].join(path.delimiter);
  }

  const reserved: Record<(typeof RESERVED)[number], string | undefined> = {
    _HANDLER: fn.handler,
    AWS_REGION: ctx.region,
    AWS_DEFAULT_REGION: ctx.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: ctx.logStreamName,
    // Dummy credentials: the local AWS endpoint accepts any; real ones never leak into functions.
    AWS_ACCESS_KEY: FUNCTION_CREDENTIALS.accessKeyId,
    AWS_ACCESS_KEY_ID: FUNCTION_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: FUNCTION_CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: 'gatehouse-local-session-token',
    AWS_LAMBDA_RUNTIME_API: ctx.runtimeApi,
    LAMBDA_TASK_ROOT: ctx.codeDir,
    LAMBDA_RUNTIME_DIR: ctx.runtimeDir,
  };

  const env: Record<string, string> = { ...defaults, ...fn.environment };
  for (const key of RESERVED) {
    const value = reserved[key];
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}
