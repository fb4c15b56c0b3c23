/** Errors of the VTL engine: syntax errors found at compile time, Java-exception equivalents raised while rendering. */

/** A template that Velocity 1.7 would refuse to parse (ParseException / TemplateInitException). */
export class VtlSyntaxError extends Error {
  readonly line: number;
  readonly column: number;

  constructor(message: string, line: number, column: number) {
    super(message);
    this.name = 'VtlSyntaxError';
    this.line = line;
    this.column = column;
  }
}

/**
 * A failure Velocity reports as MethodInvocationException / VelocityException while merging: a Java
 * method that throws (index out of bounds, invalid JSON for parseJson, a bad regex), macro recursion
 * too deep, or a render that exceeds the engine's safety budget. API Gateway answers such a request
 * with an internal error; the caller decides how to map it.
 */
export class VtlRuntimeError extends Error {
  readonly line: number;
  readonly column: number;

  constructor(message: string, line: number, column: number) {
    super(message);
    this.name = 'VtlRuntimeError';
    this.line = line;
    this.column = column;
  }
}

/** Thrown by Java method implementations (NullPointerException, IndexOutOfBoundsException...); wrapped with a location by the evaluator. */
export class JavaException extends Error {
  constructor(readonly javaClass: string, message: string) {
    super(message);
    this.name = 'JavaException';
  }
}

/** 1-based line and column of an offset in a source text. */
export function lineColumn(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, source.length);
  for (let i = 0; i < end; i++) {
    const c = source.charCodeAt(i);
    if (c === 10 || (c === 13 && source.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}
