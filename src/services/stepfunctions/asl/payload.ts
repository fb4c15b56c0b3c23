/**
 * Input and output processing of the JSONPath query language: InputPath, Parameters / ItemSelector /
 * ResultSelector payload templates (`"key.$": path or intrinsic`), ResultPath, OutputPath, and the
 * `Assign` field that sets workflow variables.
 * AWS docs: Step Functions developer guide, "Processing input and output in Step Functions" (InputPath,
 * Parameters, ResultSelector, ResultPath, OutputPath) and "Passing data between states with variables";
 * Amazon States Language specification, "Payload Template", "Filters".
 */
import { compilePath, evaluatePath, looksLikePath, setAtPath, type PathRoots } from './jsonpath.js';
import { evaluateIntrinsic, isIntrinsic, parseIntrinsic } from './intrinsics.js';
import { runtimeError, States, StatesError } from './errors.js';

/** What `$$` and `$name` resolve to while a state runs. */
export interface Scope {
  context: unknown;
  variables: Variables;
}

/**
 * Workflow variables: one scope per execution, a child scope per Parallel branch and Map iteration
 * ("variables from an outer scope are visible in inner scopes; ... assigned in a branch are not visible
 * outside it").
 */
export class Variables {
  readonly #values = new Map<string, unknown>();
  constructor(readonly parent: Variables | null = null) {}

  get(name: string): { found: boolean; value?: unknown } {
    for (let scope: Variables | null = this; scope !== null; scope = scope.parent) {
      if (scope.#values.has(name)) return { found: true, value: scope.#values.get(name) };
    }
    return { found: false };
  }

  /**
   * All assignments of one state happen together, after every value is evaluated. They land in this
   * scope: a branch never writes its parent's variables (parallel branches would race on them).
   */
  assign(values: Record<string, unknown>): void {
    for (const [name, value] of Object.entries(values)) this.#values.set(name, value);
  }

  /** Every visible variable, inner scopes shadowing outer ones (JSONata bindings). */
  all(): Record<string, unknown> {
    const out: Record<string, unknown> = this.parent?.all() ?? {};
    for (const [name, value] of this.#values) out[name] = value;
    return out;
  }

  /** The local values (checkpointed for resumption of top-level executions). */
  snapshot(): Record<string, unknown> {
    return Object.fromEntries(this.#values);
  }

  child(): Variables {
    return new Variables(this);
  }
}

function roots(input: unknown, scope: Scope): PathRoots {
  return { input, context: scope.context, variables: (name) => scope.variables.get(name) };
}

const preview = (value: unknown) => {
  const text = JSON.stringify(value) ?? 'null';
  return text.length > 1000 ? text.slice(0, 1000) + '...' : text;
};

/** InputPath, OutputPath, ItemsPath: absent = `$`, null = `{}`. */
export function selectPath(path: string | null | undefined, input: unknown, scope: Scope): unknown {
  if (path === undefined) return input;
  if (path === null) return {};
  const compiled = compilePath(path);
  const result = evaluatePath(compiled, roots(input, scope));
  if (!result.found) {
    const printable = compiled.segments.length === 0 ? '$' : path;
    throw runtimeError(`Invalid path '${printable}' : No results for path: ${bracketed(path)}`);
  }
  return result.value;
}

/** `$.a.b` as Jayway prints it in its "No results for path" message: `$['a']['b']`. */
function bracketed(path: string): string {
  return path.replace(/\.([^.[\]]+)/g, "['$1']");
}

/** A path or an intrinsic function call (the values of `.$` fields, ErrorPath, CausePath...). */
export function evaluateExpression(expression: string, input: unknown, scope: Scope, field: string): unknown {
  if (isIntrinsic(expression)) return evaluateIntrinsic(parseIntrinsic(expression), roots(input, scope));
  if (!looksLikePath(expression)) throw runtimeError(`The value for the field '${field}' must be a valid JSONPath or a valid intrinsic function call`);
  const result = evaluatePath(compilePath(expression), roots(input, scope));
  if (!result.found) {
    throw runtimeError(`The JSONPath '${expression}' specified for the field '${field}' could not be found in the input '${preview(input)}'`);
  }
  return result.value;
}

/** Parameters, ItemSelector, ResultSelector, Arguments of a JSONPath state: `.$` keys are evaluated, nested objects and arrays too. */
export function applyTemplate(template: unknown, input: unknown, scope: Scope): unknown {
  if (Array.isArray(template)) return template.map((item) => applyTemplate(item, input, scope));
  if (template === null || typeof template !== 'object') return template;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(template as Record<string, unknown>)) {
    if (key.endsWith('.$')) {
      if (typeof value !== 'string') throw runtimeError(`The value for the field '${key}' must be a STRING that contains a JSONPath but was ${typeof value}`);
      out[key.slice(0, -2)] = evaluateExpression(value, input, scope, key);
    } else {
      out[key] = applyTemplate(value, input, scope);
    }
  }
  return out;
}

/** ResultPath: absent = `$` (the result replaces the input), null = the input passes through. */
export function applyResultPath(rawInput: unknown, result: unknown, resultPath: string | null | undefined): unknown {
  if (resultPath === undefined) return result;
  if (resultPath === null) return rawInput;
  const written = setAtPath(rawInput, compilePath(resultPath), result);
  if (!written.ok) {
    throw new StatesError(States.ResultPathMatchFailure, `Unable to apply ResultPath "${resultPath}" to input "${preview(rawInput)}"`);
  }
  return written.value;
}

/** The values of an `Assign` block (keys ending in `.$` evaluated against `value`), not yet assigned. */
export function evaluateAssign(assign: unknown, value: unknown, scope: Scope): Record<string, unknown> {
  if (assign === undefined || assign === null) return {};
  const evaluated = applyTemplate(assign, value, scope) as Record<string, unknown>;
  return evaluated;
}
