/**
 * JSON text to the Java values API Gateway's JSONPath provider (json-smart, ordered mode) builds:
 * objects become LinkedHashMaps (JS Map, insertion order), arrays JSONArrays (JsonArray), integers
 * Integer/Long (JS integral numbers) and numbers with a fraction or exponent Doubles (`1.0` stays a
 * double through JavaDouble). Strict RFC 8259 syntax; nesting is bounded.
 */
import { JsonArray, makeDouble } from './values.js';

const MAX_NESTING = 512;

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at offset ${offset}`);
    this.name = 'JsonSyntaxError';
  }
}

export function parseJavaJson(text: string): unknown {
  const parser = new JsonParser(text);
  parser.skipWhitespace();
  const value = parser.parseValue(0);
  parser.skipWhitespace();
  if (parser.pos < text.length) throw new JsonSyntaxError('unexpected text after the JSON value', parser.pos);
  return value;
}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

class JsonParser {
  pos = 0;

  constructor(private readonly text: string) {}

  skipWhitespace(): void {
    const t = this.text;
    let p = this.pos;
    while (p < t.length) {
      const c = t.charCodeAt(p);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      p++;
    }
    this.pos = p;
  }

  parseValue(depth: number): unknown {
    if (depth > MAX_NESTING) throw new JsonSyntaxError('JSON nested too deeply', this.pos);
    const c = this.text.charCodeAt(this.pos);
    switch (c) {
      case 0x7b: // {
        return this.parseObject(depth);
      case 0x5b: // [
        return this.parseArray(depth);
      case 0x22: // "
        return this.parseString();
      case 0x74: // t
        return this.literal('true', true);
      case 0x66: // f
        return this.literal('false', false);
      case 0x6e: // n
        return this.literal('null', null);
      default:
        return this.parseNumber();
    }
  }

  private literal(word: string, value: unknown): unknown {
    if (!this.text.startsWith(word, this.pos)) throw new JsonSyntaxError('unexpected character', this.pos);
    this.pos += word.length;
    return value;
  }

  private parseNumber(): unknown {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (m === null) throw new JsonSyntaxError('unexpected character', this.pos);
    this.pos += m[0].length;
    const n = Number(m[0]);
    if (m[1] === undefined && m[2] === undefined) return n === 0 ? 0 : n;
    return makeDouble(n);
  }

  private parseString(): string {
    const t = this.text;
    let p = this.pos + 1;
    let out = '';
    let chunk = p;
    for (;;) {
      if (p >= t.length) throw new JsonSyntaxError('unterminated string', this.pos);
      const c = t.charCodeAt(p);
      if (c === 0x22) break;
      if (c < 0x20) throw new JsonSyntaxError('control character in string', p);
      if (c !== 0x5c) {
        p++;
        continue;
      }
      out += t.slice(chunk, p);
      const e = t.charCodeAt(p + 1);
      switch (e) {
        case 0x22:
          out += '"';
          break;
        case 0x5c:
          out += '\\';
          break;
        case 0x2f:
          out += '/';
          break;
        case 0x62:
          out += '\b';
          break;
        case 0x66:
          out += '\f';
          break;
        case 0x6e:
          out += '\n';
          break;
        case 0x72:
          out += '\r';
          break;
        case 0x74:
          out += '\t';
          break;
        case 0x75: {
          const hex = t.slice(p + 2, p + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new JsonSyntaxError('invalid unicode escape', p);
          out += String.fromCharCode(parseInt(hex, 16));
          p += 4;
          break;
        }
        default:
          throw new JsonSyntaxError('invalid escape', p);
      }
      p += 2;
      chunk = p;
    }
    out += t.slice(chunk, p);
    this.pos = p + 1;
    return out;
  }

  private parseArray(depth: number): JsonArray {
    const list = new JsonArray();
    this.pos++;
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return list;
    }
    for (;;) {
      this.skipWhitespace();
      list.push(this.parseValue(depth + 1));
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.pos);
      this.pos++;
      if (c === 0x5d) return list;
      if (c !== 0x2c) throw new JsonSyntaxError("expected ',' or ']'", this.pos - 1);
    }
  }

  private parseObject(depth: number): Map<string, unknown> {
    const map = new Map<string, unknown>();
    this.pos++;
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return map;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text.charCodeAt(this.pos) !== 0x22) throw new JsonSyntaxError('expected a property name', this.pos);
      const key = this.parseString();
      this.skipWhitespace();
      if (this.text.charCodeAt(this.pos) !== 0x3a) throw new JsonSyntaxError("expected ':'", this.pos);
      this.pos++;
      this.skipWhitespace();
      map.set(key, this.parseValue(depth + 1));
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.pos);
      this.pos++;
      if (c === 0x7d) return map;
      if (c !== 0x2c) throw new JsonSyntaxError("expected ',' or '}'", this.pos - 1);
    }
  }
}
