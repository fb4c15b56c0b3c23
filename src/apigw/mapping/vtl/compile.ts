/**
 * Compiles the syntax tree once into closures: each node becomes `(state) => void`, each expression a
 * value function plus the boolean test Velocity 1.7 applies in #if (ASTReference.evaluate for
 * references, the literal value for true/false, and false for every other literal, as in SimpleNode).
 */
import type { Expr, MacroDefinition, Node, Pos, Ref, RefPart } from './ast.js';
import { JavaException, VtlRuntimeError, VtlSyntaxError } from './errors.js';
import { getProperty, indexGet, indexSet, invokeMethod, iterationItems, MAX_STRING_LENGTH, rangeBound, setProperty } from './methods.js';
import { parseFragment } from './parser.js';
import {
  BlockRef,
  BREAK_NEAREST,
  BreakSignal,
  budgetError,
  MacroFrame,
  MAX_EVALUATE_DEPTH,
  MAX_FOREACH_ITERATIONS,
  MAX_MACRO_DEPTH,
  MAX_OUTPUT_LENGTH,
  MAX_RANGE_SIZE,
  MAX_TOTAL_ITERATIONS,
  STOP,
  StopSignal,
  type Exec,
  type Frame,
  type MacroArg,
  type RenderState,
} from './runtime.js';
import {
  arithmetic,
  compareNumbers,
  ForeachScope,
  isNumber,
  isTruthy,
  javaToString,
  makeDouble,
  mapPut,
  NO_METHOD,
  velocityEquals,
  type MathOp,
} from './values.js';

type Eval = (st: RenderState) => unknown;
type Test = (st: RenderState) => boolean;

interface CompiledExpr {
  value: Eval;
  test: Test;
  text: string;
  /** ProxyVMContext.isConstant: evaluated once at a macro call instead of passed by name. */
  constant: boolean;
}

interface CompiledMacro {
  params: string[];
  body: Exec;
}

const NOOP: Exec = () => {};
const FALSE: Test = () => false;
const NO_ARGS: readonly unknown[] = Object.freeze([]);

function located(message: string, pos: Pos): VtlRuntimeError {
  return new VtlRuntimeError(`${message} at line ${pos.line}, column ${pos.column}`, pos.line, pos.column);
}

/** A Java exception thrown by a method becomes MethodInvocationException: the render fails. */
function rethrow(e: unknown, what: string, pos: Pos): never {
  if (e instanceof JavaException) throw located(`Invocation of ${what} threw ${e.javaClass}: ${e.message}`, pos);
  if (e instanceof RangeError) throw located(`Invocation of ${what} failed: ${e.message}`, pos);
  throw e;
}

function checkOutput(st: RenderState): void {
  if (st.out.length > MAX_OUTPUT_LENGTH) throw budgetError('output larger than the payload limit');
}

/** The compiled macros and #evaluate cache shared by a template (and the fragments it evaluates). */
export class Program {
  readonly macros = new Map<string, CompiledMacro>();
  private readonly evaluated = new Map<string, { exec: Exec } | { error: string }>();

  /** API Gateway renders a null reference as nothing; plain Velocity 1.7 renders its source text. */
  readonly emptyNulls: boolean;

  constructor(
    private readonly definitions: Map<string, MacroDefinition>,
    parent: Program | null,
    emptyNulls = true,
  ) {
    this.emptyNulls = parent === null ? emptyNulls : parent.emptyNulls;
    if (parent !== null) for (const [name, macro] of parent.macros) this.macros.set(name, macro);
    for (const [name, def] of definitions) this.macros.set(name, { params: def.params, body: NOOP });
    for (const [name, def] of definitions) this.macros.get(name)!.body = compileNodes(def.body, this);
  }

  /** Parses and compiles #evaluate input (cached per source text). */
  fragment(source: string, pos: Pos): Exec {
    let entry = this.evaluated.get(source);
    if (entry === undefined) {
      try {
        const defs = new Map(this.definitions);
        const nodes = parseFragment(source, defs);
        for (const name of this.definitions.keys()) defs.delete(name);
        const program = defs.size === 0 ? this : new Program(defs, this);
        entry = { exec: compileNodes(nodes, program) };
      } catch (e) {
        if (!(e instanceof VtlSyntaxError)) throw e;
        entry = { error: e.message };
      }
      if (this.evaluated.size >= 64) this.evaluated.clear();
      this.evaluated.set(source, entry);
    }
    if ('error' in entry) throw located(`#evaluate: ${entry.error}`, pos);
    return entry.exec;
  }
}

export function compileNodes(nodes: readonly Node[], program: Program): Exec {
  const execs = nodes.map((node) => compileNode(node, program)).filter((e) => e !== NOOP);
  switch (execs.length) {
    case 0:
      return NOOP;
    case 1:
      return execs[0]!;
    case 2: {
      const [a, b] = execs as [Exec, Exec];
      return (st) => {
        a(st);
        b(st);
      };
    }
    case 3: {
      const [a, b, c] = execs as [Exec, Exec, Exec];
      return (st) => {
        a(st);
        b(st);
        c(st);
      };
    }
    default:
      return (st) => {
        for (let i = 0; i < execs.length; i++) execs[i]!(st);
      };
  }
}

function compileNode(node: Node, program: Program): Exec {
  switch (node.kind) {
    case 'text': {
      const text = node.text;
      return text === '' ? NOOP : (st) => void (st.out += text);
    }
    case 'ref':
      return compileRefRender(node.ref, program);
    case 'set':
      return compileSet(node.target, node.value, program);
    case 'if':
      return compileIf(node, program);
    case 'foreach':
      return compileForeach(node.variable, node.iterable, node.body, program);
    case 'break': {
      if (node.scope === null) {
        return () => {
          throw BREAK_NEAREST;
        };
      }
      const scope = compileExpr(node.scope, program);
      const pos = node.pos;
      return (st) => {
        const target = scope.value(st);
        if (target instanceof ForeachScope) throw new BreakSignal(target.owner);
        throw located(`${scope.text} is not a valid org.apache.velocity.runtime.directive.Scope instance`, pos);
      };
    }
    case 'stop':
      return () => {
        throw STOP;
      };
    case 'define': {
      const body = compileNodes(node.body, program);
      const name = node.name;
      return (st) => st.frame.put(name, new BlockRef(body, st, st.frame));
    }
    case 'evaluate':
      return compileEvaluate(node.arg, node.pos, program);
    case 'call':
      return compileCall(node.name, node.args, node.body, node.literal, node.pos, program);
    case 'unsupported': {
      const error = located(`#${node.name} is not available in API Gateway mapping templates`, node.pos);
      return () => {
        throw error;
      };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// References

type PartFn = (target: unknown, st: RenderState) => unknown;

function compilePart(part: RefPart, ref: Ref, program: Program): PartFn {
  switch (part.kind) {
    case 'prop': {
      const name = part.name;
      return (target) => getProperty(target, name);
    }
    case 'index': {
      const arg = compileExpr(part.arg, program).value;
      return (target, st) => {
        const index = arg(st);
        try {
          return indexGet(target, index);
        } catch (e) {
          rethrow(e, `get(${javaToString(index)}) in ${ref.text}`, ref.pos);
        }
      };
    }
    case 'method': {
      const name = part.name;
      const args = part.args.map((a) => compileExpr(a, program).value);
      const what = `method '${name}' in ${ref.text}`;
      const call = (target: unknown, values: readonly unknown[]): unknown => {
        let result: unknown;
        try {
          result = invokeMethod(target, name, values);
        } catch (e) {
          rethrow(e, what, ref.pos);
        }
        return result === NO_METHOD ? null : result;
      };
      switch (args.length) {
        case 0:
          return (target) => call(target, NO_ARGS);
        case 1: {
          const a0 = args[0]!;
          return (target, st) => call(target, [a0(st)]);
        }
        default:
          return (target, st) => {
            const values = new Array<unknown>(args.length);
            for (let i = 0; i < args.length; i++) values[i] = args[i]!(st);
            return call(target, values);
          };
      }
    }
  }
}

function compileRefValue(ref: Ref, program: Program): Eval {
  const root = ref.root;
  const parts = ref.parts.map((p) => compilePart(p, ref, program));
  switch (parts.length) {
    case 0:
      return (st) => st.frame.get(root);
    case 1: {
      const p0 = parts[0]!;
      return (st) => {
        const v = st.frame.get(root);
        return v == null ? null : p0(v, st);
      };
    }
    default:
      return (st) => {
        let v = st.frame.get(root);
        for (let i = 0; i < parts.length; i++) {
          if (v == null) return null;
          v = parts[i]!(v, st);
        }
        return v;
      };
  }
}

/** ASTReference.render: the value, or its source text when null (nothing for `$!`), with Velocity's escape rules. */
function compileRefRender(ref: Ref, program: Program): Exec {
  const value = compileRefValue(ref, program);
  const escaped = ref.backslashes % 2 === 1;
  const prefix = '\\'.repeat(ref.backslashes >> 1);
  const literal = ref.text;
  // a reference written exactly `$name` renders the caller's text when it is a null macro argument
  const argName = !ref.quiet && ref.parts.length === 0 && literal === '$' + ref.root ? ref.root : null;
  const nullText = (st: RenderState): string => (argName === null ? literal : (st.frame.argLiteral(argName) ?? literal));
  if (escaped) {
    return (st) => {
      const v = value(st);
      st.out += v == null ? prefix + '\\' + nullText(st) : prefix + nullText(st);
    };
  }
  // API Gateway turns a null into an empty insertion (as a ReferenceInsertionEventHandler would): one prefix, no text
  const whenNull = program.emptyNulls
    ? (): string => prefix
    : ref.quiet
      ? (): string => prefix + prefix
      : (st: RenderState): string => prefix + prefix + nullText(st);
  return (st) => {
    const v = value(st);
    if (v == null) {
      st.out += whenNull(st);
      return;
    }
    if (typeof v === 'string') {
      st.out += prefix === '' ? v : prefix + v;
      return;
    }
    if (v instanceof BlockRef) {
      if (v.renderInto(st)) return;
      const s = v.asString();
      st.out += s === null ? whenNull(st) : prefix + s;
      return;
    }
    let s: string;
    try {
      s = javaToString(v);
    } catch (e) {
      rethrow(e, `toString() of ${literal}`, ref.pos);
    }
    st.out += prefix + s;
  };
}

// ---------------------------------------------------------------------------------------------
// Directives

/** ASTSetDirective: a null right-hand side leaves the target untouched (directive.set.null.allowed = false). */
function compileSet(target: Ref, valueExpr: Expr, program: Program): Exec {
  const value = compileExpr(valueExpr, program).value;
  const root = target.root;
  if (target.parts.length === 0) {
    return (st) => {
      const v = value(st);
      if (v != null) st.frame.put(root, v);
    };
  }
  const head = target.parts.slice(0, -1).map((p) => compilePart(p, target, program));
  const last = target.parts[target.parts.length - 1]!;
  let assign: (obj: unknown, v: unknown, st: RenderState) => void;
  if (last.kind === 'prop') {
    const name = last.name;
    assign = (obj, v) => void setProperty(obj, name, v);
  } else if (last.kind === 'index') {
    const index = compileExpr(last.arg, program).value;
    assign = (obj, v, st) => {
      try {
        indexSet(obj, index(st), v);
      } catch (e) {
        rethrow(e, `set() in ${target.text}`, target.pos);
      }
    };
  } else {
    assign = () => {};
  }
  return (st) => {
    const v = value(st);
    if (v == null) return;
    let obj = st.frame.get(root);
    for (let i = 0; i < head.length; i++) {
      if (obj == null) return;
      obj = head[i]!(obj, st);
    }
    if (obj != null) assign(obj, v, st);
  };
}

function compileIf(node: Extract<Node, { kind: 'if' }>, program: Program): Exec {
  const branches = node.branches.map((b) => ({ test: compileExpr(b.cond, program).test, body: compileNodes(b.body, program) }));
  const otherwise = node.otherwise === null ? NOOP : compileNodes(node.otherwise, program);
  if (branches.length === 1) {
    const { test, body } = branches[0]!;
    return (st) => {
      if (test(st)) body(st);
      else otherwise(st);
    };
  }
  return (st) => {
    for (let i = 0; i < branches.length; i++) {
      const b = branches[i]!;
      if (b.test(st)) {
        b.body(st);
        return;
      }
    }
    otherwise(st);
  };
}

function restore(frame: Frame, name: string, saved: unknown): void {
  if (saved != null) frame.put(name, saved);
  else frame.remove(name);
}

/** Foreach.render: items of a list/array/map values, `$foreach`, `$velocityCount`, `$velocityHasNext`, 1,000 iterations at most. */
function compileForeach(variable: string, iterableExpr: Expr, bodyNodes: Node[], program: Program): Exec {
  const iterable = compileExpr(iterableExpr, program).value;
  const body = compileNodes(bodyNodes, program);
  const owner = {};
  return (st) => {
    const listValue = iterable(st);
    if (listValue == null) return;
    const items = iterationItems(listValue);
    if (items === null) return;
    const frame = st.frame;
    const savedItem = frame.get(variable);
    const savedCount = frame.get('velocityCount');
    const savedHasNext = frame.get('velocityHasNext');
    const scope = new ForeachScope(owner, frame.get('foreach'));
    frame.put('foreach', scope);
    try {
      for (let i = 0; i < items.length && i < MAX_FOREACH_ITERATIONS; i++) {
        if (++st.iterations > MAX_TOTAL_ITERATIONS) throw budgetError('too many #foreach iterations');
        frame.put('velocityCount', i + 1);
        const item = items[i];
        const hasNext = i + 1 < items.length;
        frame.put('velocityHasNext', hasNext);
        frame.put(variable, item === undefined ? null : item);
        scope.index = i;
        scope.hasNext = hasNext;
        try {
          body(st);
        } catch (e) {
          if (e === BREAK_NEAREST || (e instanceof BreakSignal && e.owner === owner)) break;
          throw e;
        }
        checkOutput(st);
      }
    } finally {
      restore(frame, variable, savedItem);
      restore(frame, 'velocityCount', savedCount);
      restore(frame, 'velocityHasNext', savedHasNext);
      const current = frame.get('foreach');
      if (current instanceof ForeachScope) {
        if (current.parent !== null) frame.put('foreach', current.parent);
        else restore(frame, 'foreach', current.getReplaced());
      }
    }
  };
}

/** #evaluate: parses its argument at render time; #set inside writes the same context. */
function compileEvaluate(argExpr: Expr, pos: Pos, program: Program): Exec {
  const arg = compileExpr(argExpr, program).value;
  return (st) => {
    const v = arg(st);
    const source = v == null ? '' : typeof v === 'string' ? v : javaToString(v);
    const exec = program.fragment(source, pos);
    if (st.evaluateDepth >= MAX_EVALUATE_DEPTH) throw located('#evaluate nested too deeply', pos);
    st.evaluateDepth++;
    try {
      exec(st);
    } catch (e) {
      if (e !== BREAK_NEAREST && !(e instanceof StopSignal)) throw e;
    } finally {
      st.evaluateDepth--;
    }
  };
}

/** A macro call (VelocimacroProxy), resolved at render time; an unknown name renders its source text (RuntimeMacro). */
function compileCall(name: string, argExprs: Expr[], bodyNodes: Node[] | null, literal: string, pos: Pos, program: Program): Exec {
  const args = argExprs.map((a) => compileExpr(a, program));
  const body = bodyNodes === null ? null : compileNodes(bodyNodes, program);
  return (st) => {
    const macro = program.macros.get(name);
    if (macro === undefined) {
      st.out += literal;
      return;
    }
    if (st.macroDepth >= MAX_MACRO_DEPTH) throw located(`Max calling depth of ${MAX_MACRO_DEPTH} was exceeded in macro '${name}'`, pos);
    const caller = st.frame;
    const bound = new Map<string, MacroArg>();
    const n = Math.min(macro.params.length, args.length);
    for (let i = 0; i < n; i++) {
      const arg = args[i]!;
      if (arg.constant) {
        const constant = arg.value(st);
        bound.set(macro.params[i]!, { value: () => constant, literal: null });
      } else {
        const expr = arg.value;
        bound.set(macro.params[i]!, {
          literal: arg.text,
          value: () => {
            const current = st.frame;
            st.frame = caller;
            try {
              return expr(st);
            } finally {
              st.frame = current;
            }
          },
        });
      }
    }
    const frame = new MacroFrame(caller, bound);
    if (body !== null) frame.putLocal('bodyContent', new BlockRef(body, st, caller));
    st.frame = frame;
    st.macroDepth++;
    try {
      macro.body(st);
    } finally {
      st.frame = caller;
      st.macroDepth--;
    }
  };
}

// ---------------------------------------------------------------------------------------------
// Expressions

function constant(value: unknown, text: string, test: Test = FALSE): CompiledExpr {
  return { value: () => value, test, text, constant: true };
}

export function compileExpr(expr: Expr, program: Program): CompiledExpr {
  switch (expr.kind) {
    case 'int':
      return constant(expr.value, expr.text);
    case 'double':
      return constant(makeDouble(expr.value), expr.text);
    case 'bool': {
      const b = expr.value;
      return constant(b, expr.text, () => b);
    }
    case 'word':
      return constant(null, expr.text);
    case 'string': {
      if (expr.template === null) return { ...constant(expr.value, expr.text), constant: false };
      const exec = compileNodes(expr.template.nodes, program);
      const stripLast = expr.template.stripLast;
      const value: Eval = (st) => {
        const saved = st.out;
        st.out = '';
        try {
          exec(st);
          const r = st.out;
          if (r.length > MAX_STRING_LENGTH) throw budgetError('string too large');
          return stripLast && r.length > 0 ? r.slice(0, -1) : r;
        } finally {
          st.out = saved;
        }
      };
      return { value, test: FALSE, text: expr.text, constant: false };
    }
    case 'ref': {
      const value = compileRefValue(expr.ref, program);
      return { value, test: (st) => isTruthy(value(st)), text: expr.text, constant: false };
    }
    case 'list': {
      const items = expr.items.map((i) => compileExpr(i, program).value);
      return {
        value: (st) => {
          const list = new Array<unknown>(items.length);
          for (let i = 0; i < items.length; i++) list[i] = items[i]!(st);
          return list;
        },
        test: FALSE,
        text: expr.text,
        constant: false,
      };
    }
    case 'map': {
      const entries = expr.entries.map(([k, v]) => [compileExpr(k, program).value, compileExpr(v, program).value] as const);
      return {
        value: (st) => {
          const map = new Map<unknown, unknown>();
          for (const [k, v] of entries) mapPut(map, k(st), v(st));
          return map;
        },
        test: FALSE,
        text: expr.text,
        constant: false,
      };
    }
    case 'range': {
      const from = compileExpr(expr.from, program).value;
      const to = compileExpr(expr.to, program).value;
      return {
        value: (st) => {
          const l = rangeBound(from(st));
          const r = rangeBound(to(st));
          if (l === null || r === null) return null;
          const size = Math.abs(l - r) + 1;
          if (size > MAX_RANGE_SIZE) throw budgetError(`range ${expr.text} too large`);
          const step = l >= r ? -1 : 1;
          const list = new Array<unknown>(size);
          for (let i = 0, v = l; i < size; i++, v += step) list[i] = v;
          return list;
        },
        test: FALSE,
        text: expr.text,
        constant: false,
      };
    }
    case 'group': {
      const inner = compileExpr(expr.inner, program);
      return { ...inner, text: expr.text, constant: true };
    }
    case 'not': {
      const operand = compileExpr(expr.operand, program).test;
      const test: Test = (st) => !operand(st);
      return { value: test, test, text: expr.text, constant: true };
    }
    case 'binary':
      return compileBinary(expr, program);
  }
}

function compileBinary(expr: Extract<Expr, { kind: 'binary' }>, program: Program): CompiledExpr {
  const left = compileExpr(expr.left, program);
  const right = compileExpr(expr.right, program);
  const l = left.value;
  const r = right.value;
  const text = expr.text;
  const bool = (test: Test): CompiledExpr => ({ value: test, test, text, constant: true });
  switch (expr.op) {
    case '||': {
      const a = left.test;
      const b = right.test;
      return bool((st) => a(st) || b(st));
    }
    case '&&': {
      const a = left.test;
      const b = right.test;
      return bool((st) => a(st) && b(st));
    }
    case '==':
      return bool((st) => velocityEquals(l(st), r(st)));
    case '!=':
      return bool((st) => !velocityEquals(l(st), r(st)));
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const op = expr.op;
      return bool((st) => {
        const a = l(st);
        const b = r(st);
        if (!isNumber(a) || !isNumber(b)) return false;
        const c = compareNumbers(a, b);
        return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
      });
    }
    case '+': {
      const leftText = expr.left.text;
      const rightText = expr.right.text;
      const pos = expr.pos;
      const value: Eval = (st) => {
        const a = l(st);
        const b = r(st);
        if (typeof a === 'string' || typeof b === 'string') {
          // ASTAddNode.handleSpecial: string concatenation, a null side renders its source text
          let s: string;
          try {
            s = (a == null ? leftText : javaToString(a)) + (b == null ? rightText : javaToString(b));
          } catch (e) {
            rethrow(e, 'toString()', pos);
          }
          if (s.length > MAX_STRING_LENGTH) throw budgetError('string too large');
          return s;
        }
        return isNumber(a) && isNumber(b) ? arithmetic('+', a, b) : null;
      };
      return { value, test: FALSE, text, constant: true };
    }
    default: {
      const op = expr.op as MathOp;
      const value: Eval = (st) => {
        const a = l(st);
        const b = r(st);
        return isNumber(a) && isNumber(b) ? arithmetic(op, a, b) : null;
      };
      return { value, test: FALSE, text, constant: true };
    }
  }
}
