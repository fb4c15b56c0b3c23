/**
 * Parses VTL into a syntax tree with Velocity 1.7's grammar (Parser.jjt) and its text rules: what is
 * not VTL is text, references that do not parse are text, `\` escapes, comments, `#[[raw]]#`, and the
 * whitespace each directive swallows. Velocity 1.7 user guide, "VTL Reference" and "Escaping".
 */
import type { BinaryOp, Expr, InterpolatedString, MacroDefinition, Node, ParsedTemplate, Pos, Ref, RefPart } from './ast.js';
import { VtlSyntaxError } from './errors.js';
import {
  eatTrailingNewline,
  isAlpha,
  lineCommentEnd,
  matchBracketedWord,
  matchIdentifier,
  matchSetDirective,
  matchWord,
  scanCodeToken,
  skipWhitespace,
  type Token,
} from './lexer.js';

/** Directives Velocity 1.7 registers (velocity.properties `directive.*`); the rest are grammar keywords. */
const BUILTIN_DIRECTIVES = new Set(['foreach', 'include', 'parse', 'macro', 'literal', 'evaluate', 'break', 'define', 'stop']);
const GRAMMAR_KEYWORDS = new Set(['if', 'else', 'elseif', 'end', 'set']);

type TerminatorKind = 'eof' | 'end' | 'else' | 'elseif';

interface Block {
  nodes: Node[];
  end: TerminatorKind;
  /** Offset of the `#` of the terminating directive. */
  at: number;
}

/** Parses a whole template. Throws VtlSyntaxError. */
export function parseTemplate(source: string): ParsedTemplate {
  const macros = new Map<string, MacroDefinition>();
  const nodes = new Parser(source, macros, null).parseRoot();
  return { nodes, macros };
}

/** Parses text for #evaluate, sharing (and adding to) a macro table. */
export function parseFragment(source: string, macros: Map<string, MacroDefinition>): Node[] {
  return new Parser(source, macros, null).parseRoot();
}

function mergeText(nodes: Node[]): Node[] {
  const out: Node[] = [];
  for (const node of nodes) {
    const last = out[out.length - 1];
    if (node.kind === 'text') {
      if (node.text === '') continue;
      if (last !== undefined && last.kind === 'text') {
        out[out.length - 1] = { kind: 'text', text: last.text + node.text };
        continue;
      }
    }
    out.push(node);
  }
  return out;
}

/** Blocks, parentheses and literals nested deeper than this are refused (the parser is recursive). */
const MAX_NESTING = 200;

class Parser {
  pos = 0;
  private lineStarts: number[] | null = null;
  private depth = 0;

  constructor(
    private readonly src: string,
    private readonly macros: Map<string, MacroDefinition>,
    private readonly base: Pos | null,
  ) {}

  // ----- positions and errors -----

  private posAt(offset: number): Pos {
    if (this.lineStarts === null) {
      const starts = [0];
      const s = this.src;
      for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c === 10 || (c === 13 && s.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
      }
      this.lineStarts = starts;
    }
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    let line = lo + 1;
    let column = offset - starts[lo]! + 1;
    if (this.base !== null) {
      if (line === 1) column += this.base.column - 1;
      line += this.base.line - 1;
    }
    return { line, column };
  }

  private error(message: string, offset: number): VtlSyntaxError {
    const { line, column } = this.posAt(offset);
    return new VtlSyntaxError(message, line, column);
  }

  private encountered(offset: number, expected: string): VtlSyntaxError {
    const t = scanCodeToken(this.src, offset);
    const what = t.type === 'eof' ? '<EOF>' : JSON.stringify(this.src.slice(t.start, Math.min(t.end, t.start + 20)));
    return this.error(`Encountered ${what}, was expecting ${expected}`, offset);
  }

  // ----- template text -----

  parseRoot(): Node[] {
    const block = this.parseNodes(false, false);
    return block.nodes;
  }

  private parseNodes(allowEnd: boolean, allowElse: boolean): Block {
    this.enter();
    try {
      return this.parseNodesAt(allowEnd, allowElse);
    } finally {
      this.depth--;
    }
  }

  private enter(): void {
    if (++this.depth > MAX_NESTING) throw this.error('Template nested too deeply', this.pos);
  }

  private parseNodesAt(allowEnd: boolean, allowElse: boolean): Block {
    const src = this.src;
    const n = src.length;
    const nodes: Node[] = [];
    for (;;) {
      if (this.pos >= n) return { nodes: mergeText(nodes), end: 'eof', at: n };
      const start = this.pos;
      const c = src.charCodeAt(start);
      // `[ \t]*#set(` at a token boundary swallows its leading blanks
      if (c === 32 || c === 9 || c === 35) {
        const afterParen = matchSetDirective(src, start);
        if (afterParen >= 0) {
          nodes.push(this.parseSet(afterParen));
          continue;
        }
      }
      if (c === 36) {
        nodes.push(this.parseDollar(start, start));
        continue;
      }
      if (c === 92) {
        nodes.push(...this.parseBackslashes(start));
        continue;
      }
      if (c === 35) {
        const t = this.parseHash(start, nodes, allowEnd, allowElse);
        if (t !== null) return { nodes: mergeText(nodes), end: t, at: start };
        continue;
      }
      let e = start + 1;
      while (e < n) {
        const d = src.charCodeAt(e);
        if (d === 36 || d === 35 || d === 92) break;
        e++;
      }
      nodes.push({ kind: 'text', text: src.slice(start, e) });
      this.pos = e;
    }
  }

  /** `\\*$...` at dollar (backslashes from bsStart). */
  private parseDollar(bsStart: number, dollar: number): Node {
    const ref = this.parseReference(dollar, dollar - bsStart, false);
    if (ref !== null) return { kind: 'ref', ref };
    // not a reference: `$` stays text (with its backslashes); `$!` loses its `!` (NodeUtils.specialText)
    const src = this.src;
    let end = dollar + 1;
    let text = src.slice(bsStart, end);
    if (src.charCodeAt(end) === 33) {
      if (src.charCodeAt(end + 1) === 91 || src.charCodeAt(end + 1) === 123) text += '!';
      end++;
    }
    if (src.charCodeAt(end) === 123) {
      text += '{';
      end++;
    }
    this.pos = end;
    return { kind: 'text', text };
  }

  /** A run of backslashes: before `$` they belong to the reference; before `#directive` they escape it. */
  private parseBackslashes(start: number): Node[] {
    const src = this.src;
    let q = start;
    while (src.charCodeAt(q) === 92) q++;
    const count = q - start;
    if (src.charCodeAt(q) === 36) return [this.parseDollar(start, q)];
    if (count % 2 === 1 && src.charCodeAt(q) === 35) {
      const bracketed = matchBracketedWord(src, q + 1);
      const wordEnd = bracketed > 0 ? bracketed : matchWord(src, q + 1);
      if (wordEnd > 0) {
        let name = src.slice(q + 1, wordEnd);
        if (bracketed > 0) name = name.slice(1, -1);
        const image = src.slice(start, wordEnd);
        this.pos = wordEnd;
        const recognized = GRAMMAR_KEYWORDS.has(name) || BUILTIN_DIRECTIVES.has(name) || this.macros.has(name);
        return [{ kind: 'text', text: recognized ? '\\'.repeat((count - 1) >> 1) + image.slice(count) : image }];
      }
    }
    const pairs = count >> 1;
    const control = count % 2 === 0 && this.isControlDirectiveAt(q);
    this.pos = q;
    return [{ kind: 'text', text: (control ? '\\' : '\\\\').repeat(pairs) + (count % 2 === 1 ? '\\' : '') }];
  }

  /** Whether a `#...` at offset starts #if/#else/#elseif/#end or a directive or macro call (ASTEscape's test). */
  private isControlDirectiveAt(offset: number): boolean {
    const src = this.src;
    if (src.charCodeAt(offset) !== 35) return false;
    const bracketed = matchBracketedWord(src, offset + 1);
    if (bracketed > 0) {
      const name = src.slice(offset + 2, bracketed - 1);
      return name === 'if' || name === 'else' || name === 'elseif' || name === 'end';
    }
    if (matchSetDirective(src, offset) >= 0) return false;
    const wordEnd = matchWord(src, offset + 1);
    if (wordEnd < 0) return false;
    const name = src.slice(offset + 1, wordEnd);
    return name === 'if' || name === 'else' || name === 'elseif' || name === 'end' || BUILTIN_DIRECTIVES.has(name) || this.macros.has(name);
  }

  /** `#` at start: comments, raw blocks, directives, or plain text. Returns a terminator for #end/#else/#elseif. */
  private parseHash(start: number, nodes: Node[], allowEnd: boolean, allowElse: boolean): TerminatorKind | null {
    const src = this.src;
    const c1 = src.charCodeAt(start + 1);
    if (c1 === 35) {
      this.pos = lineCommentEnd(src, start + 2);
      return null;
    }
    if (c1 === 42) {
      const close = src.indexOf('*#', start + 2);
      if (close < 0) throw this.error('Unterminated #* comment', start);
      this.pos = close + 2;
      return null;
    }
    if (c1 === 91 && src.charCodeAt(start + 2) === 91) {
      const close = src.indexOf(']]#', start + 3);
      if (close < 0) throw this.error('Unterminated #[[ block', start);
      nodes.push({ kind: 'text', text: src.slice(start + 3, close) });
      this.pos = close + 3;
      return null;
    }
    let name: string;
    let nameEnd: number;
    const bracketedEnd = matchBracketedWord(src, start + 1);
    if (bracketedEnd > 0) {
      name = src.slice(start + 2, bracketedEnd - 1);
      nameEnd = bracketedEnd;
    } else {
      nameEnd = matchWord(src, start + 1);
      if (nameEnd < 0) {
        nodes.push({ kind: 'text', text: '#' });
        this.pos = start + 1;
        return null;
      }
      name = src.slice(start + 1, nameEnd);
    }
    switch (name) {
      case 'if':
        this.pos = nameEnd;
        nodes.push(this.parseIf(start));
        return null;
      case 'elseif':
        if (!allowElse) throw this.error('Encountered #elseif without a matching #if', start);
        this.pos = nameEnd;
        return 'elseif';
      case 'else':
        if (!allowElse) throw this.error('Encountered #else without a matching #if', start);
        this.pos = eatTrailingNewline(src, nameEnd);
        return 'else';
      case 'end':
        if (!allowEnd) throw this.error('Encountered #end without a matching block directive', start);
        this.pos = eatTrailingNewline(src, nameEnd);
        return 'end';
      default:
        nodes.push(this.parseDirective(start, name, nameEnd));
        return null;
    }
  }

  private parseBody(directive: string, start: number): Node[] {
    const block = this.parseNodes(true, false);
    if (block.end !== 'end') throw this.error(`#${directive} is not closed by #end`, start);
    return block.nodes;
  }

  // ----- #set / #if -----

  private parseSet(afterParen: number): Node {
    this.pos = afterParen;
    this.skipWs();
    const at = this.pos;
    if (this.src.charCodeAt(at) !== 36) throw this.encountered(at, 'a reference after #set(');
    const target = this.parseReference(at, 0, true)!;
    this.skipWs();
    const eq = scanCodeToken(this.src, this.pos);
    if (eq.type !== 'op' || eq.text !== '=') throw this.encountered(this.pos, "'=' in #set");
    this.pos = eq.end;
    const value = this.parseExpression();
    this.expectCloseParen();
    return { kind: 'set', target, value, pos: target.pos };
  }

  private parseCondition(directive: string): Expr {
    const p = skipWhitespace(this.src, this.pos);
    if (this.src.charCodeAt(p) !== 40) throw this.encountered(p, `'(' after #${directive}`);
    this.pos = p + 1;
    const cond = this.parseExpression();
    this.expectCloseParen();
    return cond;
  }

  private parseIf(start: number): Node {
    const branches: Array<{ cond: Expr; body: Node[] }> = [];
    let cond = this.parseCondition('if');
    for (;;) {
      const block = this.parseNodes(true, true);
      branches.push({ cond, body: block.nodes });
      if (block.end === 'end') return { kind: 'if', branches, otherwise: null };
      if (block.end === 'eof') throw this.error('#if is not closed by #end', start);
      if (block.end === 'else') {
        const otherwise = this.parseNodes(true, false);
        if (otherwise.end !== 'end') throw this.error('#else is not closed by #end', block.at);
        return { kind: 'if', branches, otherwise: otherwise.nodes };
      }
      cond = this.parseCondition('elseif');
    }
  }

  /** The `)` that closes a directive, with the blanks and newline that follow it. */
  private expectCloseParen(): void {
    this.skipWs();
    if (this.src.charCodeAt(this.pos) !== 41) throw this.encountered(this.pos, "')'");
    this.pos = eatTrailingNewline(this.src, this.pos + 1);
  }

  // ----- other directives -----

  private parseDirective(start: number, name: string, nameEnd: number): Node {
    const src = this.src;
    const pos = this.posAt(start);
    const parenAt = skipWhitespace(src, nameEnd);
    const hasArgs = src.charCodeAt(parenAt) === 40;
    const isBlockMacro = name.startsWith('@');
    if (!hasArgs) {
      this.pos = nameEnd;
      if (name === 'break') return { kind: 'break', scope: null, pos };
      if (name === 'stop') return { kind: 'stop' };
      if (BUILTIN_DIRECTIVES.has(name)) throw this.encountered(parenAt, `'(' after #${name}`);
      return { kind: 'text', text: src.slice(start, nameEnd) };
    }
    this.pos = parenAt;
    const args = this.parseDirectiveArgs(name);
    const literal = src.slice(start, this.pos);
    switch (name) {
      case 'foreach': {
        const element = args[0];
        if (args.length < 3 || element === undefined || element.kind !== 'ref') throw this.error('#foreach expects ($item in $list)', start);
        const body = this.parseBody(name, start);
        return { kind: 'foreach', variable: element.ref.root, iterable: args[2]!, body, pos };
      }
      case 'macro': {
        const first = args[0];
        if (first === undefined || first.kind !== 'word') throw this.error('A macro declaration requires a name as its first argument', start);
        const params: string[] = [];
        for (const arg of args.slice(1)) {
          if (arg.kind !== 'ref') throw this.error(`Macro argument ${arg.text} must be a reference`, start);
          params.push(arg.ref.root);
        }
        const body = this.parseBody(name, start);
        this.macros.set(first.name, { name: first.name, params, body });
        return { kind: 'text', text: '' };
      }
      case 'define': {
        const target = args[0];
        if (args.length !== 1 || target === undefined || target.kind !== 'ref') throw this.error('#define expects one reference', start);
        const body = this.parseBody(name, start);
        return { kind: 'define', name: target.ref.root, body };
      }
      case 'literal': {
        const bodyStart = this.pos;
        const block = this.parseNodes(true, false);
        if (block.end !== 'end') throw this.error('#literal is not closed by #end', start);
        return { kind: 'text', text: src.slice(bodyStart, block.at) };
      }
      case 'evaluate': {
        const arg = args[0];
        if (args.length !== 1 || arg === undefined || (arg.kind !== 'string' && arg.kind !== 'ref')) {
          throw this.error('#evaluate() requires exactly one argument, a string literal or reference', start);
        }
        return { kind: 'evaluate', arg, pos };
      }
      case 'break':
        if (args.length > 1) throw this.error('#break accepts a single scope argument', start);
        return { kind: 'break', scope: args[0] ?? null, pos };
      case 'stop':
        if (args.length > 1) throw this.error('#stop accepts a single message argument', start);
        return { kind: 'stop' };
      case 'include':
      case 'parse':
        return { kind: 'unsupported', name, pos };
      default: {
        if (isBlockMacro) {
          const body = this.parseBody(name, start);
          return { kind: 'call', name: name.slice(1), args, body, literal, pos };
        }
        return { kind: 'call', name, args, body: null, literal, pos };
      }
    }
  }

  /** `( arg arg, arg )` of a directive; `this.pos` is at `(`. Words are allowed (foreach's `in`, macro names). */
  private parseDirectiveArgs(name: string): Expr[] {
    const src = this.src;
    this.pos++;
    const args: Expr[] = [];
    for (;;) {
      this.skipWs();
      const c = src.charCodeAt(this.pos);
      if (c === 41) break;
      if (c === 44) {
        this.pos++;
        this.skipWs();
      }
      const t = scanCodeToken(src, this.pos);
      if (t.type === 'word') {
        this.pos = t.end;
        args.push({ kind: 'word', name: t.text, text: t.text });
        continue;
      }
      if (t.type === 'op' || t.type === 'eof' || t.type === 'bad' || t.type === ')' || t.type === ',' || t.type === '(') {
        throw this.encountered(this.pos, `an argument of #${name}`);
      }
      args.push(this.parseParameter(`an argument of #${name}`));
    }
    this.pos = eatTrailingNewline(src, this.pos + 1);
    return args;
  }

  // ----- references -----

  /**
   * `$name`, `$!name`, `${name}` with `.prop`, `.method(args)` and `[index]` parts. Returns null when the
   * text is not a reference (then it is plain text), unless `required`.
   */
  private parseReference(dollar: number, backslashes: number, required: boolean): Ref | null {
    const src = this.src;
    let q = dollar + 1;
    let quiet = false;
    if (src.charCodeAt(q) === 33) {
      quiet = true;
      q++;
    }
    const formal = src.charCodeAt(q) === 123;
    if (formal) q++;
    const identEnd = matchIdentifier(src, q);
    if (identEnd < 0) {
      if (required) throw this.encountered(q, 'an identifier');
      return null;
    }
    const root = src.slice(q, identEnd);
    q = identEnd;
    const parts: RefPart[] = [];
    for (;;) {
      const c = src.charCodeAt(q);
      if (c === 91) {
        this.pos = q + 1;
        this.skipWs();
        const arg = this.parseIndexParameter();
        this.skipWs();
        if (src.charCodeAt(this.pos) !== 93) throw this.encountered(this.pos, "']'");
        q = this.pos + 1;
        parts.push({ kind: 'index', arg });
        continue;
      }
      if (c === 46 && isAlpha(src.charCodeAt(q + 1))) {
        const nameEnd = matchIdentifier(src, q + 1);
        const name = src.slice(q + 1, nameEnd);
        q = nameEnd;
        if (src.charCodeAt(q) === 40) {
          this.pos = q;
          const args = this.parseMethodArgs();
          q = this.pos;
          parts.push({ kind: 'method', name, args });
        } else {
          parts.push({ kind: 'prop', name });
        }
        continue;
      }
      break;
    }
    if (formal) {
      if (src.charCodeAt(q) !== 125) throw this.encountered(q, "'}' closing ${");
      q++;
    }
    this.pos = q;
    return { root, parts, quiet, backslashes, text: src.slice(dollar, q), pos: this.posAt(dollar) };
  }

  private parseMethodArgs(): Expr[] {
    const src = this.src;
    this.pos++;
    const args: Expr[] = [];
    this.skipWs();
    if (src.charCodeAt(this.pos) === 41) {
      this.pos++;
      return args;
    }
    for (;;) {
      args.push(this.parseParameter('a method argument'));
      this.skipWs();
      const c = src.charCodeAt(this.pos);
      this.pos++;
      if (c === 41) return args;
      if (c !== 44) throw this.encountered(this.pos - 1, "',' or ')' in a method call");
    }
  }

  // ----- expressions -----

  private skipWs(): void {
    this.pos = skipWhitespace(this.src, this.pos);
  }

  private peekOp(): Token | null {
    const t = scanCodeToken(this.src, skipWhitespace(this.src, this.pos));
    return t.type === 'op' ? t : null;
  }

  parseExpression(): Expr {
    this.enter();
    try {
      return this.parseBinary(0);
    } finally {
      this.depth--;
    }
  }

  private static readonly LEVELS: ReadonlyArray<ReadonlySet<string>> = [
    new Set(['||']),
    new Set(['&&']),
    new Set(['==', '!=']),
    new Set(['<', '<=', '>', '>=']),
    new Set(['+', '-']),
    new Set(['*', '/', '%']),
  ];

  private parseBinary(level: number): Expr {
    if (level >= Parser.LEVELS.length) return this.parseUnary();
    const ops = Parser.LEVELS[level]!;
    const start = skipWhitespace(this.src, this.pos);
    let left = this.parseBinary(level + 1);
    for (;;) {
      const op = this.peekOp();
      if (op === null || !ops.has(op.text)) return left;
      this.pos = op.end;
      const right = this.parseBinary(level + 1);
      left = {
        kind: 'binary',
        op: op.text as BinaryOp,
        left,
        right,
        text: this.src.slice(start, this.pos).trimEnd(),
        pos: this.posAt(op.start),
      };
    }
  }

  private parseUnary(): Expr {
    this.skipWs();
    const t = scanCodeToken(this.src, this.pos);
    if (t.type === 'op' && t.text === '!') {
      this.pos = t.end;
      this.enter();
      const operand = this.parseUnary();
      this.depth--;
      return { kind: 'not', operand, text: this.src.slice(t.start, this.pos).trimEnd() };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): Expr {
    this.skipWs();
    const t = scanCodeToken(this.src, this.pos);
    let e: Expr;
    if (t.type === '(') {
      this.pos = t.end;
      const inner = this.parseExpression();
      this.skipWs();
      if (this.src.charCodeAt(this.pos) !== 41) throw this.encountered(this.pos, "')'");
      this.pos++;
      e = { kind: 'group', inner, text: this.src.slice(t.start, this.pos) };
    } else {
      e = this.parseValue(t, 'an expression', true);
    }
    this.skipWs();
    return e;
  }

  /** Parameter(): the values allowed in method arguments, list and map literals. */
  private parseParameter(expected: string): Expr {
    this.enter();
    try {
      return this.parseParameterAt(expected);
    } finally {
      this.depth--;
    }
  }

  private parseParameterAt(expected: string): Expr {
    this.skipWs();
    const e = this.parseValue(scanCodeToken(this.src, this.pos), expected, true);
    this.skipWs();
    return e;
  }

  /** IndexParameter(): string, integer, boolean or reference. */
  private parseIndexParameter(): Expr {
    const t = scanCodeToken(this.src, this.pos);
    if (t.type !== 'string' && t.type !== 'int' && t.type !== 'true' && t.type !== 'false' && t.type !== '$') {
      throw this.encountered(this.pos, 'an index (string, integer, boolean or reference)');
    }
    return this.parseValue(t, 'an index', false);
  }

  private parseValue(t: Token, expected: string, allowCollections: boolean): Expr {
    switch (t.type) {
      case 'string':
        this.pos = t.end;
        return this.stringLiteral(t);
      case 'int':
        this.pos = t.end;
        return { kind: 'int', value: Number(t.text) + 0, text: t.text };
      case 'double':
        this.pos = t.end;
        return { kind: 'double', value: Number(t.text), text: t.text };
      case 'true':
      case 'false':
        this.pos = t.end;
        return { kind: 'bool', value: t.type === 'true', text: t.text };
      case '$': {
        const ref = this.parseReference(t.start, 0, true)!;
        return { kind: 'ref', ref, text: ref.text };
      }
      case '[':
        if (!allowCollections) break;
        return this.parseBracket(t.start);
      case '{':
        if (!allowCollections) break;
        return this.parseMap(t.start);
      default:
        break;
    }
    if (t.type === 'bad' && t.text === 'unterminated string literal') throw this.error('Unterminated string literal', t.start);
    throw this.encountered(t.start, expected);
  }

  /** `[a..b]` (range) or `[x, y]` (list). */
  private parseBracket(start: number): Expr {
    const src = this.src;
    // range lookahead: [ ws (ref | int) ws ..
    this.pos = start + 1;
    this.skipWs();
    const first = scanCodeToken(src, this.pos);
    if (first.type === '$' || first.type === 'int') {
      const from = this.parseValue(first, 'a range bound', false);
      this.skipWs();
      if (src.startsWith('..', this.pos)) {
        this.pos += 2;
        this.skipWs();
        const second = scanCodeToken(src, this.pos);
        if (second.type !== '$' && second.type !== 'int') throw this.encountered(this.pos, 'an integer or reference ending the range');
        const to = this.parseValue(second, 'a range bound', false);
        this.skipWs();
        if (src.charCodeAt(this.pos) !== 93) throw this.encountered(this.pos, "']' closing the range");
        this.pos++;
        return { kind: 'range', from, to, text: src.slice(start, this.pos) };
      }
    }
    this.pos = start + 1;
    const items: Expr[] = [];
    this.skipWs();
    if (src.charCodeAt(this.pos) === 93) {
      this.pos++;
      return { kind: 'list', items, text: src.slice(start, this.pos) };
    }
    for (;;) {
      items.push(this.parseParameter('a list element'));
      const c = src.charCodeAt(this.pos);
      this.pos++;
      if (c === 93) return { kind: 'list', items, text: src.slice(start, this.pos) };
      if (c !== 44) throw this.encountered(this.pos - 1, "',' or ']' in a list");
    }
  }

  private parseMap(start: number): Expr {
    const src = this.src;
    this.pos = start + 1;
    const entries: Array<[Expr, Expr]> = [];
    this.skipWs();
    if (src.charCodeAt(this.pos) === 125) {
      this.pos++;
      return { kind: 'map', entries, text: src.slice(start, this.pos) };
    }
    for (;;) {
      const key = this.parseParameter('a map key');
      if (src.charCodeAt(this.pos) !== 58) throw this.encountered(this.pos, "':' in a map");
      this.pos++;
      const value = this.parseParameter('a map value');
      entries.push([key, value]);
      const c = src.charCodeAt(this.pos);
      this.pos++;
      if (c === 125) return { kind: 'map', entries, text: src.slice(start, this.pos) };
      if (c !== 44) throw this.encountered(this.pos - 1, "',' or '}' in a map");
    }
  }

  /** ASTStringLiteral: `\uXXXX` escapes (double quotes), doubled quotes, interpolation of "..." holding `$` or `#`. */
  private stringLiteral(t: Token): Expr {
    const raw = t.text;
    const quote = raw[0]!;
    let value = raw.slice(1, -1);
    if (quote === '"') value = value.replace(/\\u([0-9a-fA-F]{4})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    if (value.includes(quote + quote)) value = value.split(quote + quote).join(quote);
    const pos = this.posAt(t.start);
    let template: InterpolatedString | null = null;
    if (quote === '"' && (raw.includes('$') || raw.includes('#'))) {
      const hasLineComment = value.includes('##');
      const inner = new Parser(hasLineComment ? value : value + ' ', this.macros, this.posAt(t.start + 1));
      template = { nodes: inner.parseRoot(), stripLast: !hasLineComment };
    }
    return { kind: 'string', value, template, text: raw, pos };
  }
}
