/**
 * Where things live on disk: the function's code folder (`/var/task`, materialising inline
 * `Code.ZipFile` source as Lambda does, into `index.js` / `index.py`) and gatehouse's own
 * runtime files (`/var/runtime`).
 * AWS docs: "AWS::Lambda::Function Code" (aws-properties-lambda-function-code.html, ZipFile).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FunctionDefinition } from '../definitions/model.js';

const moduleDir = path.dirname(fileURLToPath(import.meta.url));

/**
 * The compiled folder of this module, what LAMBDA_RUNTIME_DIR points at: beside this module, or
 * dist/src/lambda when running from the single-file bundle dist/gatehouse.mjs.
 */
export const runtimeDir = path.basename(moduleDir) === 'lambda' ? moduleDir : path.join(moduleDir, 'src', 'lambda');

/** The Node.js runtime entry, compiled beside this file. */
export const nodeChildScript = path.join(runtimeDir, 'node', 'child.js');

let pythonBootstrap: string | undefined;

/**
 * `src/lambda/runtimes/python/bootstrap.py` is not compiled by tsc: look beside this module first
 * (running from source), then walk up from `dist/src/lambda/` to the project root, then the cwd.
 */
export function pythonBootstrapPath(): string | undefined {
  if (pythonBootstrap !== undefined) return pythonBootstrap;
  const relative = path.join('runtimes', 'python', 'bootstrap.py');
  const candidates = [path.join(runtimeDir, relative)];
  for (let dir = runtimeDir; ; dir = path.dirname(dir)) {
    candidates.push(path.join(dir, 'src', 'lambda', relative));
    if (path.dirname(dir) === dir) break;
  }
  candidates.push(path.join(process.cwd(), 'src', 'lambda', relative));
  pythonBootstrap = candidates.find((file) => fs.existsSync(file));
  return pythonBootstrap;
}

/** Folders created for inline code, removed by `removeInlineCode`. */
const inlineDirs = new Set<string>();

/** The folder holding the function's code, or undefined when the definition has none. */
export function codeDirOf(fn: FunctionDefinition): string | undefined {
  if (fn.codeDir !== undefined) return fn.codeDir;
  if (fn.inlineCode === undefined) return undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `gatehouse-${fn.name.replace(/[^A-Za-z0-9_-]/g, '_')}-`));
  const file = fn.runtime.startsWith('python') ? 'index.py' : 'index.js';
  fs.writeFileSync(path.join(dir, file), fn.inlineCode);
  inlineDirs.add(dir);
  return dir;
}

export function removeInlineCode(dir: string): void {
  if (!inlineDirs.delete(dir)) return;
  fs.rmSync(dir, { recursive: true, force: true });
}
