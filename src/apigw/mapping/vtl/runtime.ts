/**
 * Render-time state of one merge: the Velocity context (a flat variable map, with macro frames that
 * pass arguments by name as ProxyVMContext does), the output, the control signals of #break/#stop
 * (StopCommand) and the budgets that keep a hostile template from exhausting the process.
 */
import { VtlRuntimeError } from './errors.js';
import { RenderableValue } from './values.js';

/** API Gateway caps each #foreach at 1,000 iterations (Velocity `directive.foreach.maxloops`). */
export const MAX_FOREACH_ITERATIONS = 1000;
/** All loop iterations of one render together. */
export const MAX_TOTAL_ITERATIONS = 1_000_000;
/** Rendered output (API Gateway payloads are at most 10 MB). */
export const MAX_OUTPUT_LENGTH = 16 * 1024 * 1024;
/** `velocimacro.max.depth`. */
export const MAX_MACRO_DEPTH = 20;
/** `directive.define.max.depth`. */
export const MAX_DEFINE_DEPTH = 2;
export const MAX_EVALUATE_DEPTH = 10;
/** Elements of one `[a..b]` range. */
export const MAX_RANGE_SIZE = 1_000_000;

/** The Velocity context as seen from one point of a template. */
export interface Frame {
  get(name: string): unknown;
  put(name: string, value: unknown): void;
  remove(name: string): void;
  /** The caller's source text for a macro argument passed by name (rendered when it is null). */
  argLiteral(name: string): string | undefined;
}

/**
 * Variables a template can reference, computed when first referenced (the request's `$input`,
 * `$context`): a name not provided gives undefined. Nothing but `variable` is ever consulted, so
 * no JavaScript property (prototype, constructor) is reachable from a template.
 */
export abstract class TemplateVariables {
  abstract variable(name: string): unknown;
}

export class GlobalFrame implements Frame {
  /** Variables the template set or removed; they shadow the initial ones (most templates set none). */
  private vars: Map<string, unknown> | null = null;

  /** `initial` is read on first use of each name, so costly variables are built only when referenced. */
  constructor(private readonly initial: Record<string, unknown> | TemplateVariables) {}

  get(name: string): unknown {
    if (this.vars !== null && this.vars.has(name)) return this.vars.get(name);
    const initial = this.initial;
    if (initial instanceof TemplateVariables) return initial.variable(name);
    return Object.hasOwn(initial, name) ? initial[name] : undefined;
  }

  put(name: string, value: unknown): void {
    (this.vars ??= new Map()).set(name, value);
  }

  remove(name: string): void {
    (this.vars ??= new Map()).set(name, undefined);
  }

  argLiteral(): string | undefined {
    return undefined;
  }
}

/** A macro argument: a constant evaluated at the call, or an expression re-evaluated in the caller at each use. */
export interface MacroArg {
  value(): unknown;
  /** Caller source text, for arguments passed by name. */
  readonly literal: string | null;
}

/**
 * ProxyVMContext with `velocimacro.context.localscope = false`: arguments are looked up first,
 * #set writes both locally and to the caller, and a null argument falls through to the caller's
 * variable of the same name.
 */
export class MacroFrame implements Frame {
  private readonly locals = new Map<string, unknown>();

  constructor(
    private readonly parent: Frame,
    private readonly args: Map<string, MacroArg>,
  ) {}

  get(name: string): unknown {
    const local = this.locals.get(name);
    if (local != null) return local;
    const arg = this.args.get(name);
    if (arg !== undefined) {
      const value = arg.value();
      if (value != null) return value;
    }
    return this.parent.get(name);
  }

  put(name: string, value: unknown): void {
    this.locals.set(name, value);
    this.parent.put(name, value);
  }

  putLocal(name: string, value: unknown): void {
    this.locals.set(name, value);
  }

  remove(name: string): void {
    this.locals.delete(name);
    this.args.delete(name);
    this.parent.remove(name);
  }

  argLiteral(name: string): string | undefined {
    const arg = this.args.get(name);
    if (arg !== undefined && arg.literal !== null) return arg.literal;
    return this.parent.argLiteral(name);
  }
}

/** StopCommand raised by #break: `owner` null stops the nearest #foreach / #define block / #evaluate / template. */
export class BreakSignal {
  constructor(readonly owner: object | null) {}
}

/** StopCommand raised by #stop: ends the template (or the enclosing #evaluate). */
export class StopSignal {}

export const BREAK_NEAREST = new BreakSignal(null);
export const STOP = new StopSignal();

export class RenderState {
  out = '';
  macroDepth = 0;
  evaluateDepth = 0;
  iterations = 0;

  constructor(public frame: Frame) {}
}

export type Exec = (st: RenderState) => void;

/** A `#define($name)` block (Block.Reference): renders its body when referenced. */
export class BlockRef extends RenderableValue {
  private depth = 0;

  constructor(
    private readonly body: Exec,
    private readonly st: RenderState,
    private readonly frame: Frame,
  ) {
    super();
  }

  /** Renders into the current output with the current context; false past the recursion limit. */
  renderInto(st: RenderState): boolean {
    if (this.depth >= MAX_DEFINE_DEPTH) return false;
    this.depth++;
    try {
      this.body(st);
    } catch (e) {
      if (e !== BREAK_NEAREST) throw e;
    } finally {
      this.depth--;
    }
    return true;
  }

  asString(): string | null {
    const st = this.st;
    const savedOut = st.out;
    const savedFrame = st.frame;
    st.out = '';
    st.frame = this.frame;
    try {
      return this.renderInto(st) ? st.out : null;
    } finally {
      st.out = savedOut;
      st.frame = savedFrame;
    }
  }
}

export function budgetError(what: string): VtlRuntimeError {
  return new VtlRuntimeError(`Template render aborted: ${what}`, 0, 0);
}
