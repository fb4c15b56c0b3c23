/**
 * Lexical rules of Velocity 1.7 (Parser.jjt): identifiers (letters, digits, `-`, `_`), directive words,
 * the whitespace-eating forms (`[ \t]*#set(`, a directive's closing `)` / `#end` / `#else` followed by
 * `[ \t]*` and a newline), string literals with doubled quotes, and the tokens inside directive
 * arguments, method arguments and indexes (longest match: `-1` is a number, `!=` an operator).
 */

export type TokenType =
  | 'ws'
  | '('
  | ')'
  | '['
  | ']'
  | ','
  | '..'
  | ':'
  | '{'
  | '}'
  | 'string'
  | 'int'
  | 'double'
  | 'true'
  | 'false'
  | 'op'
  | 'word'
  | '$'
  | 'eof'
  | 'bad';

export interface Token {
  type: TokenType;
  start: number;
  end: number;
  /** The operator for 'op' tokens ('&&' also for `and`...); the image otherwise. */
  text: string;
}

const C_TAB = 9;
const C_LF = 10;
const C_CR = 13;
const C_SPACE = 32;

export function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** `[a-zA-Z_][a-zA-Z0-9_-]*` (IDENTIFIER): returns the end offset, or -1. */
export function matchIdentifier(src: string, pos: number): number {
  const c = src.charCodeAt(pos);
  if (!isAlpha(c) && c !== 95) return -1;
  let p = pos + 1;
  for (;;) {
    const d = src.charCodeAt(p);
    if (isAlpha(d) || isDigit(d) || d === 95 || d === 45) p++;
    else return p;
  }
}

/** `[a-zA-Z_@][a-zA-Z0-9_@]*` (WORD): returns the end offset, or -1. */
export function matchWord(src: string, pos: number): number {
  const c = src.charCodeAt(pos);
  if (!isAlpha(c) && c !== 95 && c !== 64) return -1;
  let p = pos + 1;
  for (;;) {
    const d = src.charCodeAt(p);
    if (isAlpha(d) || isDigit(d) || d === 95 || d === 64) p++;
    else return p;
  }
}

/** `{[a-zA-Z_][a-zA-Z0-9_@]*}` (BRACKETED_WORD) starting at `{`: returns the end offset (after `}`), or -1. */
export function matchBracketedWord(src: string, pos: number): number {
  if (src.charCodeAt(pos) !== 123) return -1;
  const c = src.charCodeAt(pos + 1);
  if (!isAlpha(c) && c !== 95) return -1;
  let p = pos + 2;
  for (;;) {
    const d = src.charCodeAt(p);
    if (isAlpha(d) || isDigit(d) || d === 95 || d === 64) p++;
    else break;
  }
  return src.charCodeAt(p) === 125 ? p + 1 : -1;
}

/**
 * SET_DIRECTIVE: `[ \t]*` then `#set` or `#{set}`, then spaces, then `(`. The leading blanks are
 * consumed, which is why an indented `#set` line leaves no trace. Returns the offset after `(`, or -1.
 */
export function matchSetDirective(src: string, pos: number): number {
  let p = pos;
  for (;;) {
    const c = src.charCodeAt(p);
    if (c === C_SPACE || c === C_TAB) p++;
    else break;
  }
  if (src.charCodeAt(p) !== 35) return -1;
  if (src.startsWith('set', p + 1)) p += 4;
  else if (src.startsWith('{set}', p + 1)) p += 6;
  else return -1;
  while (src.charCodeAt(p) === C_SPACE) p++;
  return src.charCodeAt(p) === 40 ? p + 1 : -1;
}

/** After a directive's `)`, `#end` or `#else`: `[ \t]*` followed by a newline is consumed with it. */
export function eatTrailingNewline(src: string, pos: number): number {
  let p = pos;
  for (;;) {
    const c = src.charCodeAt(p);
    if (c === C_SPACE || c === C_TAB) p++;
    else break;
  }
  const c = src.charCodeAt(p);
  if (c === C_LF) return p + 1;
  if (c === C_CR) return src.charCodeAt(p + 1) === C_LF ? p + 2 : p + 1;
  return pos;
}

/** `[ \t\n\r]*` */
export function skipWhitespace(src: string, pos: number): number {
  let p = pos;
  for (;;) {
    const c = src.charCodeAt(p);
    if (c === C_SPACE || c === C_TAB || c === C_LF || c === C_CR) p++;
    else return p;
  }
}

/** The end of the line comment starting at pos (after its newline), or the end of the source. */
export function lineCommentEnd(src: string, pos: number): number {
  for (let p = pos; p < src.length; p++) {
    const c = src.charCodeAt(p);
    if (c === C_LF) return p + 1;
    if (c === C_CR) return src.charCodeAt(p + 1) === C_LF ? p + 2 : p + 1;
  }
  return src.length;
}

/**
 * STRING_LITERAL at pos (a `"` or `'`): the longest valid literal, where a doubled quote stands for
 * one quote. Returns the end offset (after the closing quote), or -1 when unterminated.
 */
export function scanStringLiteral(src: string, pos: number): number {
  const quote = src.charCodeAt(pos);
  let lastValidEnd = -1;
  let p = pos + 1;
  while (p < src.length) {
    if (src.charCodeAt(p) === quote) {
      if (src.charCodeAt(p + 1) === quote) {
        lastValidEnd = p + 1; // this quote could also have closed the literal
        p += 2;
        continue;
      }
      return p + 1;
    }
    p++;
  }
  return lastValidEnd;
}

const WORD_OPERATORS = new Map<string, string>([
  ['and', '&&'],
  ['or', '||'],
  ['not', '!'],
  ['lt', '<'],
  ['le', '<='],
  ['gt', '>'],
  ['ge', '>='],
  ['eq', '=='],
  ['ne', '!='],
]);

const NUMBER = /-?(?:\d+(?:(\.\.)|(\.\d*(?:[eE][+-]?\d+)?)|([eE][+-]?\d+))?|\.\d+(?:[eE][+-]?\d+)?)/y;

function token(type: TokenType, start: number, end: number, text: string): Token {
  return { type, start, end, text };
}

/** One token of the DIRECTIVE / REFMOD2 / REFINDEX states at pos. */
export function scanCodeToken(src: string, pos: number): Token {
  if (pos >= src.length) return token('eof', pos, pos, '');
  const c = src.charCodeAt(pos);
  switch (c) {
    case C_SPACE:
    case C_TAB:
    case C_LF:
    case C_CR: {
      const end = skipWhitespace(src, pos);
      return token('ws', pos, end, src.slice(pos, end));
    }
    case 40:
      return token('(', pos, pos + 1, '(');
    case 41:
      return token(')', pos, pos + 1, ')');
    case 91:
      return token('[', pos, pos + 1, '[');
    case 93:
      return token(']', pos, pos + 1, ']');
    case 44:
      return token(',', pos, pos + 1, ',');
    case 58:
      return token(':', pos, pos + 1, ':');
    case 123:
      return token('{', pos, pos + 1, '{');
    case 125:
      return token('}', pos, pos + 1, '}');
    case 36:
      return token('$', pos, pos + 1, '$');
    case 34:
    case 39: {
      const end = scanStringLiteral(src, pos);
      return end < 0 ? token('bad', pos, src.length, 'unterminated string literal') : token('string', pos, end, src.slice(pos, end));
    }
    case 43:
      return token('op', pos, pos + 1, '+');
    case 42:
      return token('op', pos, pos + 1, '*');
    case 47:
      return token('op', pos, pos + 1, '/');
    case 37:
      return token('op', pos, pos + 1, '%');
    case 38:
      return src.charCodeAt(pos + 1) === 38 ? token('op', pos, pos + 2, '&&') : token('bad', pos, pos + 1, '&');
    case 124:
      return src.charCodeAt(pos + 1) === 124 ? token('op', pos, pos + 2, '||') : token('bad', pos, pos + 1, '|');
    case 60:
      return src.charCodeAt(pos + 1) === 61 ? token('op', pos, pos + 2, '<=') : token('op', pos, pos + 1, '<');
    case 62:
      return src.charCodeAt(pos + 1) === 61 ? token('op', pos, pos + 2, '>=') : token('op', pos, pos + 1, '>');
    case 61:
      return src.charCodeAt(pos + 1) === 61 ? token('op', pos, pos + 2, '==') : token('op', pos, pos + 1, '=');
    case 33:
      return src.charCodeAt(pos + 1) === 61 ? token('op', pos, pos + 2, '!=') : token('op', pos, pos + 1, '!');
    default:
      break;
  }
  if (c === 46 && src.charCodeAt(pos + 1) === 46) return token('..', pos, pos + 2, '..');
  if (isDigit(c) || c === 45 || c === 46) {
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(src);
    if (m !== null && m[0].length > 0 && m[0] !== '-') {
      if (m[1] !== undefined) {
        const end = pos + m[0].length - 2; // `1..3`: the integer stops before the range operator
        return token('int', pos, end, src.slice(pos, end));
      }
      const isDouble = m[2] !== undefined || m[3] !== undefined || m[0].includes('.');
      return token(isDouble ? 'double' : 'int', pos, pos + m[0].length, m[0]);
    }
    if (c === 45) return token('op', pos, pos + 1, '-');
    return token('bad', pos, pos + 1, src[pos]!);
  }
  const wordEnd = matchWord(src, pos);
  if (wordEnd > 0) {
    const word = src.slice(pos, wordEnd);
    if (word === 'true' || word === 'false') return token(word, pos, wordEnd, word);
    const op = WORD_OPERATORS.get(word);
    if (op !== undefined) return token('op', pos, wordEnd, op);
    return token('word', pos, wordEnd, word);
  }
  return token('bad', pos, pos + 1, src[pos]!);
}
