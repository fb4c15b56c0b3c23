/**
 * Tokens of DynamoDB expressions (Developer Guide "Expressions"): names, `#name` and `:value`
 * placeholders, list indexes, comparators and punctuation. Keywords are matched case-insensitively
 * by the parser.
 */
import { invalidExpression } from '../errors.js';
import type { ExpressionKind } from './ast.js';

export type TokenType = 'name' | 'attr' | 'value' | 'number' | 'punct' | 'eof';

export interface Token {
  type: TokenType;
  text: string;
  start: number;
  end: number;
}

const PUNCT2 = new Set(['<>', '<=', '>=']);
const PUNCT1 = new Set(['=', '<', '>', '(', ')', '[', ']', ',', '.', '+', '-']);

function isWord(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

export function tokenize(source: string, kind: ExpressionKind): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      i++;
      continue;
    }
    const start = i;
    if (c === 35 /* # */ || c === 58 /* : */) {
      i++;
      while (i < source.length && isWord(source.charCodeAt(i))) i++;
      if (i === start + 1) throw syntaxError(kind, source, tokens, { type: 'punct', text: source[start]!, start, end: i });
      tokens.push({ type: c === 35 ? 'attr' : 'value', text: source.slice(start, i), start, end: i });
      continue;
    }
    if (c >= 48 && c <= 57) {
      while (i < source.length && source.charCodeAt(i) >= 48 && source.charCodeAt(i) <= 57) i++;
      // "1abc" is neither an index nor a name: DynamoDB reports it as a bad token.
      if (i < source.length && isWord(source.charCodeAt(i))) {
        while (i < source.length && isWord(source.charCodeAt(i))) i++;
        throw syntaxError(kind, source, tokens, { type: 'name', text: source.slice(start, i), start, end: i });
      }
      tokens.push({ type: 'number', text: source.slice(start, i), start, end: i });
      continue;
    }
    if (isWord(c)) {
      while (i < source.length && isWord(source.charCodeAt(i))) i++;
      tokens.push({ type: 'name', text: source.slice(start, i), start, end: i });
      continue;
    }
    const two = source.slice(i, i + 2);
    if (PUNCT2.has(two)) {
      tokens.push({ type: 'punct', text: two, start, end: i + 2 });
      i += 2;
      continue;
    }
    if (PUNCT1.has(source[i]!)) {
      tokens.push({ type: 'punct', text: source[i]!, start, end: i + 1 });
      i++;
      continue;
    }
    throw invalidExpression(kind, `Invalid character encountered; character: "${source[i]!}"`);
  }
  tokens.push({ type: 'eof', text: '<EOF>', start: source.length, end: source.length });
  return tokens;
}

/** `Syntax error; token: "X", near: "a X b"`: the offending token with its neighbours. */
export function syntaxError(kind: ExpressionKind, source: string, tokens: readonly Token[], token: Token, next?: Token) {
  const index = tokens.indexOf(token);
  const before = index > 0 ? tokens[index - 1] : index === -1 && tokens.length > 0 ? tokens[tokens.length - 1] : undefined;
  const from = before?.start ?? token.start;
  const to = next !== undefined && next.type !== 'eof' ? next.end : token.end;
  return invalidExpression(kind, `Syntax error; token: "${token.text}", near: "${source.slice(from, to).trim()}"`);
}
