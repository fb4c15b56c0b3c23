/**
 * Finds the function's handler from `_HANDLER` (`dir/file.export.nested`) as the Node.js runtime
 * does: ESM and CommonJS alike through import(), then Node's resolution from the task root.
 * AWS docs: "Define Lambda function handler in Node.js" (nodejs-handler.html).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { runtimeError } from './errors.js';

export type Handler = (event: unknown, context: unknown, callback: (err?: unknown, result?: unknown) => void) => unknown;

const EXTENSIONS = ['', '.js', '.mjs', '.cjs'];

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

async function loadModule(appRoot: string, moduleRoot: string, moduleName: string): Promise<unknown> {
  const base = path.resolve(appRoot, moduleRoot, moduleName);
  try {
    // Every module goes through import(), as the Node runtime does: it loads ESM and CommonJS alike.
    for (const ext of EXTENSIONS) {
      if (isFile(base + ext)) return await import(pathToFileURL(base + ext).href);
    }
    const require = createRequire(import.meta.url);
    return require(require.resolve(moduleName, { paths: [appRoot, path.join(appRoot, moduleRoot)] }));
  } catch (error) {
    if (error instanceof SyntaxError) throw runtimeError('Runtime.UserCodeSyntaxError', String(error), error);
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') throw runtimeError('Runtime.ImportModuleError', String(error));
    throw error;
  }
}

function findIn(object: unknown, handlerPath: string): unknown {
  let value = object;
  for (const key of handlerPath.split('.')) {
    value = value !== null && (typeof value === 'object' || typeof value === 'function') ? (value as Record<string, unknown>)[key] : undefined;
  }
  return value;
}

export async function loadHandler(appRoot: string, fullHandler: string): Promise<Handler> {
  if (fullHandler.includes('..')) {
    throw runtimeError(
      'Runtime.MalformedHandlerName',
      `'${fullHandler}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  }
  const base = path.basename(fullHandler);
  const moduleRoot = fullHandler.slice(0, fullHandler.length - base.length);
  const match = /^([^.]*)\.(.*)$/.exec(base);
  if (match === null) throw runtimeError('Runtime.MalformedHandlerName', 'Bad handler');
  const [, moduleName, handlerPath] = match as unknown as [string, string, string];
  const mod = await loadModule(appRoot, moduleRoot, moduleName);
  let handler = findIn(mod, handlerPath);
  // A CommonJS module seen through import(): its exports are the namespace's default.
  if (handler === undefined && mod !== null && typeof mod === 'object' && 'default' in mod) {
    handler = findIn((mod as { default: unknown }).default, handlerPath);
  }
  if (handler === undefined || handler === null) throw runtimeError('Runtime.HandlerNotFound', `${fullHandler} is undefined or not exported`);
  if (typeof handler !== 'function') throw runtimeError('Runtime.HandlerNotFound', `${fullHandler} is not a function`);
  const major = Number(/nodejs(\d+)/.exec(process.env['AWS_EXECUTION_ENV'] ?? '')?.[1] ?? 0);
  if (major >= 24 && handler.length >= 3) {
    // Node.js 24 dropped callback handlers (nodejs-handler.html).
    throw runtimeError(
      'Runtime.CallbackHandlerDeprecated',
      'ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24. You need to modify this function to use a supported handler signature to use Node.js 24 or later. For more information see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.',
    );
  }
  return handler as Handler;
}
