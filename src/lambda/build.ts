/**
 * Functions whose SAM metadata says `BuildMethod: esbuild` are bundled with esbuild before they
 * run, as `sam build` does: `BuildProperties` EntryPoints (default: the handler's module), Format,
 * Target, Minify (default true), Sourcemap (default false; true adds NODE_OPTIONS
 * --enable-source-maps), External, MainFields (default main,module), Loader, OutExtension.
 * The bundle replaces the function's code folder; a build error fails start naming the source
 * file and line.
 * AWS docs: "Building Node.js Lambda functions with esbuild in AWS SAM"
 * (serverless-sam-cli-using-build-typescript.html).
 */
import fs, { type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { BuildOptions, Message } from 'esbuild';
import type { FunctionDefinition } from '../definitions/model.js';
import { at, DefinitionError, type Problem } from '../definitions/errors.js';

/** Module files the handler's module name may refer to, in the order esbuild's resolver tries them. */
const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs'];

export function usesEsbuild(fn: FunctionDefinition): boolean {
  return fn.metadata['BuildMethod'] === 'esbuild' && fn.codeDir !== undefined;
}

/** Bundles every esbuild function into `<outRoot>/<logical id>`; other functions pass unchanged. */
export async function buildFunctions(functions: FunctionDefinition[], outRoot: string): Promise<FunctionDefinition[]> {
  if (!functions.some(usesEsbuild)) return functions;
  // esbuild is only loaded when a template asks for it.
  const esbuild = await import('esbuild');
  const problems: Problem[] = [];
  const built = await Promise.all(
    functions.map(async (fn) => {
      if (!usesEsbuild(fn)) return fn;
      const outdir = path.join(outRoot, fn.logicalId);
      fs.rmSync(outdir, { recursive: true, force: true });
      try {
        const { options, environment } = buildOptions(fn, outdir);
        await esbuild.build(options);
        return { ...fn, codeDir: outdir, environment };
      } catch (error) {
        problems.push(...buildProblems(fn, error));
        return fn;
      }
    }),
  );
  if (problems.length > 0) throw new DefinitionError(problems);
  return built;
}

type Properties = Record<string, unknown>;

function buildOptions(fn: FunctionDefinition, outdir: string): { options: BuildOptions; environment: Record<string, string> } {
  const codeDir = fn.codeDir!;
  const props = (fn.metadata['BuildProperties'] ?? {}) as Properties;
  const entryPoints = stringList(props['EntryPoints']) ?? [defaultEntryPoint(fn)];
  const environment = { ...fn.environment };
  const nodeOptions = environment['NODE_OPTIONS'] ?? '';
  // Sourcemap: false wins over NODE_OPTIONS; NODE_OPTIONS with --enable-source-maps turns it on otherwise.
  const sourcemap = props['Sourcemap'] === undefined ? nodeOptions.includes('--enable-source-maps') : bool(props['Sourcemap']);
  if (sourcemap && !nodeOptions.includes('--enable-source-maps')) environment['NODE_OPTIONS'] = `${nodeOptions} --enable-source-maps`.trim();
  const options: BuildOptions = {
    absWorkingDir: codeDir,
    entryPoints,
    outdir,
    bundle: true,
    platform: 'node',
    format: (str(props['Format']) as BuildOptions['format']) ?? 'cjs',
    target: stringList(props['Target']) ?? 'es2020',
    minify: props['Minify'] === undefined ? true : bool(props['Minify']),
    sourcemap,
    external: stringList(props['External']) ?? [],
    mainFields: stringList(props['MainFields']) ?? ['main', 'module'],
    loader: pairs(props['Loader']) as BuildOptions['loader'],
    outExtension: pairs(props['OutExtension']),
    logLevel: 'silent',
  };
  return { options, environment };
}

/** The handler's module (`dir/app.handler` -> `dir/app.ts`, or whichever source file exists). */
function defaultEntryPoint(fn: FunctionDefinition): string {
  const base = path.basename(fn.handler);
  const moduleName = path.join(path.dirname(fn.handler), base.slice(0, base.indexOf('.') === -1 ? base.length : base.indexOf('.')));
  const found = SOURCE_EXTENSIONS.map((ext) => moduleName + ext).find((file) => fs.existsSync(path.join(fn.codeDir!, file)));
  return found ?? moduleName;
}

/** esbuild's messages as definition problems: the function's Metadata, then the source file and line. */
function buildProblems(fn: FunctionDefinition, error: unknown): Problem[] {
  const loc = at(fn.source, 'Metadata');
  const messages = (error as { errors?: Message[] }).errors;
  if (messages === undefined || messages.length === 0) {
    return [{ ...loc, message: `esbuild failed: ${(error as Error).message}` }];
  }
  return messages.map((m) => {
    const where = m.location === null ? '' : `${path.join(fn.codeDir!, m.location.file)}:${m.location.line}:${m.location.column + 1}: `;
    return { ...loc, message: `esbuild: ${where}${m.text}` };
  });
}

/**
 * Calls `onChange` when a source file of an esbuild function changes (for --watch); node_modules
 * and anything under `ignore` (the build output) are left out. Returns the closer.
 */
export function watchSources(functions: FunctionDefinition[], ignore: string, onChange: () => void): () => void {
  const dirs = [...new Set(functions.filter(usesEsbuild).map((fn) => fn.codeDir!))];
  const watchers: FSWatcher[] = [];
  for (const dir of dirs) {
    try {
      watchers.push(
        fs.watch(dir, { recursive: true }, (_event, name) => {
          if (name === null) return;
          const file = path.join(dir, name.toString());
          if (file.startsWith(ignore + path.sep) || file === ignore || file.split(path.sep).includes('node_modules')) return;
          onChange();
        }),
      );
    } catch {
      // A folder that cannot be watched: changes there need a restart.
    }
  }
  return () => {
    for (const watcher of watchers) watcher.close();
  };
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function bool(value: unknown): boolean {
  return value === true || value === 'true' || value === 'True';
}

/** A YAML list, or SAM's comma-separated string form (`MainFields: main,module`). */
function stringList(value: unknown): string[] | undefined {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string' && value !== '') return value.split(',').map((s) => s.trim());
  return undefined;
}

/** `['.png=file', ...]` as esbuild's `{'.png': 'file'}`. */
function pairs(value: unknown): Record<string, string> | undefined {
  const list = stringList(value);
  if (list === undefined) return undefined;
  return Object.fromEntries(list.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
}
