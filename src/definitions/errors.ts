/** Problems found while loading a definition, named by file and JSON pointer (RFC 6901), collected then thrown once. */
import path from 'node:path';

/** A place in a definition file: the file (absolute) and the JSON pointer of the node. */
export interface Loc {
  file: string;
  pointer: string;
}

export interface Problem {
  file: string;
  pointer: string;
  message: string;
  /** 1-based, when the node could be found in the source text. */
  line?: number;
  column?: number;
}

/** Escapes one reference token (RFC 6901 section 3: `~` -> `~0`, `/` -> `~1`). */
export function escapeToken(token: string | number): string {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function unescapeToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** The location of a child node. */
export function at(loc: Loc, ...keys: (string | number)[]): Loc {
  let pointer = loc.pointer;
  for (const key of keys) pointer += '/' + escapeToken(key);
  return { file: loc.file, pointer };
}

/** Short file name for messages: relative to the working directory when inside it. */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

export function formatProblem(problem: Problem): string {
  const where = problem.line === undefined ? '' : ` (line ${problem.line}, column ${problem.column ?? 1})`;
  return `${displayPath(problem.file)}#${problem.pointer}: ${problem.message}${where}`;
}

/** Thrown by `loadDefinition` with every problem found; the message lists one per line. */
export class DefinitionError extends Error {
  readonly problems: Problem[];

  constructor(problems: Problem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'DefinitionError';
    this.problems = problems;
  }
}

/** Collector shared by every loader of one definition. */
export class Problems {
  readonly list: Problem[] = [];
  /** Values that could not be resolved (an unknown `Ref`...): `file#pointer`. */
  private readonly unresolved: string[] = [];

  add(loc: Loc, message: string, position?: { line: number; column: number }): void {
    // The same node reached through two paths (a shared $ref, a Globals value) reports once.
    if (this.list.some((p) => p.file === loc.file && p.pointer === loc.pointer && p.message === message)) return;
    this.list.push({ file: loc.file, pointer: loc.pointer, message, ...position });
  }

  /** Reports a value that cannot be resolved (it is then absent from the resolved properties). */
  addUnresolved(loc: Loc, message: string): void {
    this.add(loc, message);
    this.unresolved.push(`${loc.file}#${loc.pointer}`);
  }

  /**
   * True when the value at `loc` is absent because a reference inside it failed: `Uri is required` says nothing
   * new after `unknown reference` at `.../Uri/Ref`.
   */
  isUnresolved(loc: Loc): boolean {
    const key = `${loc.file}#${loc.pointer}`;
    return this.unresolved.some((u) => u === key || u.startsWith(`${key}/`));
  }

  get size(): number {
    return this.list.length;
  }
}

/** A template resource the embedded services cannot create as declared: a definition problem at the resource. */
export function resourceProblem(resource: { source: Loc; type: string; logicalId: string }, message: string): DefinitionError {
  return new DefinitionError([{ file: resource.source.file, pointer: resource.source.pointer, message: `${resource.type} ${resource.logicalId}: ${message}` }]);
}
