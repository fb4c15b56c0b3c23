/**
 * VTL with Apache Velocity 1.7 semantics, as API Gateway runs mapping templates: compile once at load,
 * render per request. AWS docs: "API Gateway mapping template and access logging variable reference";
 * Velocity 1.7 user guide and VTL reference.
 */
import { compileNodes, Program } from './compile.js';
import { parseTemplate } from './parser.js';
import { BREAK_NEAREST, BreakSignal, GlobalFrame, RenderState, StopSignal, type Exec, type TemplateVariables } from './runtime.js';
import { VtlRuntimeError } from './errors.js';
import { JavaDouble, kindOf, K_ARRAY, K_DOUBLE, K_ENTRY, K_JSON_LIST, K_LIST, K_MAP, K_OBJECT, K_SCOPE, mapEntries, MapEntry, ForeachScope, numberValue } from './values.js';

export { VtlSyntaxError, VtlRuntimeError } from './errors.js';
export { MAX_FOREACH_ITERATIONS, TemplateVariables } from './runtime.js';

export interface CompiledTemplate {
  /**
   * Merges the template with these variables (`input`, `util`, `context`, `stageVariables`...). Plain
   * objects behave as Java Maps and are mutated in place by `#set($context.x.y = ...)`. Throws
   * VtlRuntimeError when Velocity would fail the merge (a Java method throwing, budgets exceeded).
   */
  render(variables: Record<string, unknown> | TemplateVariables): string;
}

class Template implements CompiledTemplate {
  constructor(private readonly exec: Exec) {}

  render(variables: Record<string, unknown> | TemplateVariables): string {
    const st = new RenderState(new GlobalFrame(variables));
    try {
      this.exec(st);
    } catch (e) {
      // #stop, and a #break outside any loop, end the template (Template.merge catches StopCommand)
      if (e === BREAK_NEAREST || e instanceof BreakSignal || e instanceof StopSignal) return st.out;
      if (e instanceof RangeError) throw new VtlRuntimeError(`Template render aborted: ${e.message}`, 0, 0);
      throw e;
    }
    return st.out;
  }
}

export interface CompileOptions {
  /**
   * How a reference whose value is null renders. 'empty' (default) is what API Gateway does: nothing
   * (`"$context.identity.apiKey"` gives `""` when there is no key). 'literal' is plain Velocity 1.7:
   * the reference's source text (`$missing`), with `$!missing` rendering nothing.
   */
  nullReferences?: 'empty' | 'literal';
}

/** Parses and compiles a template. Throws VtlSyntaxError with the line and column of the problem. */
export function compileTemplate(source: string, options: CompileOptions = {}): CompiledTemplate {
  const parsed = parseTemplate(source);
  const program = new Program(parsed.macros, null, options.nullReferences !== 'literal');
  return new Template(compileNodes(parsed.nodes, program));
}

/**
 * A value a template stored (for instance in `$context.responseOverride`) as plain JavaScript:
 * doubles as numbers, maps as plain objects, lists as arrays.
 */
export function toJsValue(value: unknown, depth = 0): unknown {
  if (depth > 100) return null;
  switch (kindOf(value)) {
    case K_DOUBLE:
      return value instanceof JavaDouble ? value.value : numberValue(value as number);
    case K_LIST:
    case K_JSON_LIST:
    case K_ARRAY:
      return Array.from(value as unknown[], (v) => toJsValue(v, depth + 1));
    case K_MAP:
    case K_OBJECT: {
      const out: Record<string, unknown> = {};
      for (const [k, v] of mapEntries(value)) {
        const key = typeof k === 'string' ? k : String(toJsValue(k, depth + 1));
        Object.defineProperty(out, key, { value: toJsValue(v, depth + 1), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    case K_ENTRY:
      return { [String(toJsValue((value as MapEntry).key, depth + 1))]: toJsValue((value as MapEntry).value, depth + 1) };
    case K_SCOPE:
      return toJsValue((value as ForeachScope).storage ?? new Map(), depth + 1);
    default:
      return value === undefined ? null : value;
  }
}
