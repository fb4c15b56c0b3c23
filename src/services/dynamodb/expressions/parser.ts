/**
 * Recursive-descent parsers for DynamoDB expressions (Developer Guide "Condition and filter
 * expressions, operators, and functions", "Update expressions", "Projection expressions").
 * Condition precedence, lowest first: OR, AND, NOT, then comparisons / BETWEEN / IN / functions /
 * parentheses. Structural checks (function arity, document-path arguments) happen here so they are
 * cached with the tree; checks that depend on values happen when binding.
 */
import { invalidExpression } from '../errors.js';
import type { Comparator, ConditionNode, ExpressionKind, FunctionNode, Operand, Parsed, PathElement, PathNode, UpdateNode, ValueNode } from './ast.js';
import { syntaxError, tokenize, type Token } from './lexer.js';
import { RESERVED_WORDS } from './reserved-words.js';

const COMPARATORS = new Set(['=', '<>', '<', '<=', '>', '>=']);
const CONDITION_FUNCTIONS = new Set(['attribute_exists', 'attribute_not_exists', 'attribute_type', 'begins_with', 'contains']);
const UPDATE_FUNCTIONS = new Set(['if_not_exists', 'list_append']);
const ARITY: Record<string, number> = {
  attribute_exists: 1,
  attribute_not_exists: 1,
  attribute_type: 2,
  begins_with: 2,
  contains: 2,
  size: 1,
  if_not_exists: 2,
  list_append: 2,
};
/** Functions whose first operand must be a document path. */
const PATH_FIRST = new Set(['attribute_exists', 'attribute_not_exists', 'attribute_type', 'size', 'if_not_exists']);
const CLAUSES = new Set(['SET', 'REMOVE', 'ADD', 'DELETE']);
const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'BETWEEN', 'IN']);

class Parser {
  private readonly tokens: Token[];
  private pos = 0;
  readonly names = new Set<string>();
  readonly values = new Set<string>();

  constructor(
    private readonly source: string,
    readonly kind: ExpressionKind,
  ) {
    if (source.trim() === '') throw invalidExpression(kind, 'The expression can not be empty;');
    this.tokens = tokenize(source, kind);
  }

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)]!;
  }

  next(): Token {
    const t = this.peek();
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }

  isPunct(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.type === 'punct' && t.text === text;
  }

  isKeyword(word: string): boolean {
    const t = this.peek();
    return t.type === 'name' && t.text.toUpperCase() === word;
  }

  expectPunct(text: string): void {
    if (!this.isPunct(text)) throw this.unexpected();
    this.next();
  }

  unexpected(): Error {
    const t = this.peek();
    return syntaxError(this.kind, this.source, this.tokens, t, this.peek(1));
  }

  fail(detail: string): Error {
    return invalidExpression(this.kind, detail);
  }

  end(): void {
    if (this.peek().type !== 'eof') throw this.unexpected();
  }

  result<T>(ast: T): Parsed<T> {
    return { ast, names: [...this.names], values: [...this.values] };
  }

  // ---- paths and operands ----

  path(): PathNode {
    const elements: PathElement[] = [this.pathName()];
    for (;;) {
      if (this.isPunct('.')) {
        this.next();
        elements.push(this.pathName());
      } else if (this.isPunct('[')) {
        this.next();
        const t = this.peek();
        if (t.type !== 'number') throw this.unexpected();
        this.next();
        this.expectPunct(']');
        elements.push({ kind: 'index', index: Number(t.text) });
      } else {
        return { k: 'path', elements };
      }
    }
  }

  private pathName(): PathElement {
    const t = this.peek();
    if (t.type === 'attr') {
      this.next();
      this.names.add(t.text);
      return { kind: 'ref', ref: t.text };
    }
    if (t.type === 'name' && !KEYWORDS.has(t.text.toUpperCase())) {
      if (RESERVED_WORDS.has(t.text.toUpperCase())) throw this.fail(`Attribute name is a reserved keyword; reserved keyword: ${t.text}`);
      this.next();
      return { kind: 'name', name: t.text };
    }
    throw this.unexpected();
  }

  value(): ValueNode {
    const t = this.peek();
    if (t.type !== 'value') throw this.unexpected();
    this.next();
    this.values.add(t.text);
    return { k: 'value', ref: t.text };
  }

  /** An operand: path, :value or an operand function (`size` in conditions, `if_not_exists`/`list_append` in SET). */
  operand(): Operand {
    const t = this.peek();
    if (t.type === 'value') return this.value();
    if (t.type === 'name' && this.isPunct('(', 1)) {
      const name = t.text;
      const allowed = this.kind === 'UpdateExpression' ? UPDATE_FUNCTIONS.has(name) : name === 'size';
      if (!allowed) {
        if (CONDITION_FUNCTIONS.has(name) || UPDATE_FUNCTIONS.has(name) || name === 'size') throw this.misplacedFunction(name);
        throw this.fail(`Invalid function name; function: ${name}`);
      }
      return this.call();
    }
    return this.path();
  }

  private misplacedFunction(name: string): Error {
    if (this.kind === 'UpdateExpression') return this.fail(`The function is not allowed in an update expression; function: ${name}`);
    if (UPDATE_FUNCTIONS.has(name)) return this.fail(`The function is not allowed in a condition expression; function: ${name}`);
    return this.fail(`The function is not allowed to be used this way in an expression; function: ${name}`);
  }

  /** name '(' operand (',' operand)* ')' with the arity and document-path checks. */
  call(): FunctionNode {
    const name = this.next().text;
    this.expectPunct('(');
    const args: Operand[] = [this.operand()];
    while (this.isPunct(',')) {
      this.next();
      args.push(this.operand());
    }
    this.expectPunct(')');
    if (ARITY[name] !== undefined && args.length !== ARITY[name]) {
      throw this.fail(`Incorrect number of operands for operator or function; operator or function: ${name}, number of operands: ${args.length}`);
    }
    if (PATH_FIRST.has(name) && args[0]!.k !== 'path') {
      throw this.fail(`Operator or function requires a document path; operator or function: ${name}`);
    }
    return { k: 'fn', name, args };
  }

  // ---- conditions ----

  condition(): ConditionNode {
    let left = this.conjunction();
    while (this.isKeyword('OR')) {
      this.next();
      left = { k: 'or', left, right: this.conjunction() };
    }
    return left;
  }

  private conjunction(): ConditionNode {
    let left = this.negation();
    while (this.isKeyword('AND')) {
      this.next();
      left = { k: 'and', left, right: this.negation() };
    }
    return left;
  }

  private negation(): ConditionNode {
    if (this.isKeyword('NOT')) {
      this.next();
      return { k: 'not', cond: this.negation() };
    }
    return this.predicate();
  }

  private predicate(): ConditionNode {
    if (this.isPunct('(')) {
      this.next();
      const inner = this.condition();
      this.expectPunct(')');
      return inner;
    }
    const t = this.peek();
    if (t.type === 'name' && this.isPunct('(', 1) && t.text !== 'size') {
      if (!CONDITION_FUNCTIONS.has(t.text)) {
        if (UPDATE_FUNCTIONS.has(t.text)) throw this.misplacedFunction(t.text);
        throw this.fail(`Invalid function name; function: ${t.text}`);
      }
      const fn = this.call();
      return { k: 'call', name: fn.name, args: fn.args };
    }
    const left = this.operand();
    const op = this.peek();
    if (op.type === 'punct' && COMPARATORS.has(op.text)) {
      this.next();
      return { k: 'cmp', op: op.text as Comparator, left, right: this.operand() };
    }
    if (this.isKeyword('BETWEEN')) {
      this.next();
      const low = this.operand();
      if (!this.isKeyword('AND')) throw this.unexpected();
      this.next();
      return { k: 'between', value: left, low, high: this.operand() };
    }
    if (this.isKeyword('IN')) {
      this.next();
      this.expectPunct('(');
      const list: Operand[] = [this.operand()];
      while (this.isPunct(',')) {
        this.next();
        list.push(this.operand());
      }
      this.expectPunct(')');
      if (list.length > 100) {
        throw this.fail(`The IN operator is provided with too many operands; number of operands: ${list.length}`);
      }
      return { k: 'in', value: left, list };
    }
    if (left.k === 'fn') throw this.fail(`The function is not allowed to be used this way in an expression; function: ${left.name}`);
    throw this.unexpected();
  }

  // ---- update ----

  update(): UpdateNode {
    const node: UpdateNode = { set: [], remove: [], add: [], delete: [] };
    const seen = new Set<string>();
    while (this.peek().type !== 'eof') {
      const t = this.peek();
      const clause = t.type === 'name' ? t.text.toUpperCase() : '';
      if (!CLAUSES.has(clause)) throw this.unexpected();
      if (seen.has(clause)) throw this.fail(`The "${clause}" section can only be used once in an update expression;`);
      seen.add(clause);
      this.next();
      do {
        if (clause === 'SET') {
          const path = this.path();
          this.expectPunct('=');
          node.set.push({ path, value: this.setValue() });
        } else if (clause === 'REMOVE') {
          node.remove.push(this.path());
        } else {
          const path = this.path();
          const target = clause === 'ADD' ? node.add : node.delete;
          target.push({ path, value: this.value() });
        }
      } while (this.isPunct(',') && this.next());
    }
    return node;
  }

  private setValue(): Operand {
    const left = this.operand();
    if (this.isPunct('+') || this.isPunct('-')) {
      const op = this.next().text as '+' | '-';
      return { k: 'arith', op, left, right: this.operand() };
    }
    return left;
  }

  // ---- projection ----

  projection(): PathNode[] {
    const paths = [this.path()];
    while (this.isPunct(',')) {
      this.next();
      paths.push(this.path());
    }
    return paths;
  }
}

export function parseCondition(source: string, kind: ExpressionKind): Parsed<ConditionNode> {
  const p = new Parser(source, kind);
  const ast = p.condition();
  p.end();
  return p.result(ast);
}

export function parseUpdate(source: string): Parsed<UpdateNode> {
  const p = new Parser(source, 'UpdateExpression');
  const ast = p.update();
  p.end();
  return p.result(ast);
}

export function parseProjection(source: string): Parsed<PathNode[]> {
  const p = new Parser(source, 'ProjectionExpression');
  const ast = p.projection();
  p.end();
  return p.result(ast);
}
