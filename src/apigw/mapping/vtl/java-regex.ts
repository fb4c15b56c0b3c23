/**
 * java.util.regex for String.matches/replaceAll/replaceFirst/split: translates a Java pattern to an
 * equivalent JavaScript RegExp (always in `u` mode, so every escape is explicit) and implements
 * Java's replacement syntax (`$1`, `${name}`, `\$`) and Pattern.split (trailing empty strings
 * removed, no empty leading string for a zero-width match at 0). Unsupported Java constructs
 * (class intersections, mid-pattern flags, \G, comments mode) raise PatternSyntaxException.
 */
import { JavaException } from './errors.js';
import { JavaArray } from './values.js';

interface Translated {
  source: string;
  flags: string;
  groupCount: number;
}

const cache = new Map<string, Translated>();
const regexCache = new Map<string, RegExp>();
const CACHE_LIMIT = 512;

function syntaxError(pattern: string, why: string): JavaException {
  return new JavaException('java.util.regex.PatternSyntaxException', `${why} in pattern ${JSON.stringify(pattern)}`);
}

const SYNTAX_CHARS = '^$\\.*+?()[]{}|/';
const POSIX: Record<string, string> = {
  Lower: 'a-z',
  Upper: 'A-Z',
  ASCII: '\\x00-\\x7F',
  Alpha: 'a-zA-Z',
  Digit: '0-9',
  Alnum: 'a-zA-Z0-9',
  Punct: '!-\\/:-@\\[-`{-~',
  Graph: '!-~',
  Print: ' -~',
  Blank: ' \\t',
  Cntrl: '\\x00-\\x1F\\x7F',
  XDigit: '0-9a-fA-F',
  Space: ' \\t\\n\\x0B\\f\\r',
};
const UNICODE_ALIASES: Record<string, string> = {
  javaLowerCase: 'Ll',
  javaUpperCase: 'Lu',
  IsAlphabetic: 'Alphabetic',
  IsLetter: 'L',
  IsDigit: 'Nd',
  IsUppercase: 'Uppercase',
  IsLowercase: 'Lowercase',
  IsWhite_Space: 'White_Space',
  IsWhiteSpace: 'White_Space',
  IsPunctuation: 'P',
};
const JAVA_SPACE = '\\t\\n\\x0B\\f\\r ';
const H_SPACE = ' \\t\\xA0\\u1680\\u180E\\u2000-\\u200A\\u202F\\u205F\\u3000';
const V_SPACE = '\\n\\x0B\\f\\r\\x85\\u2028\\u2029';

function literalChar(ch: string, inClass: boolean): string {
  if (SYNTAX_CHARS.includes(ch)) return '\\' + ch;
  if (inClass && ch === '-') return '\\-';
  return ch;
}

/** Translates a Java regex; the result is cached. Throws JavaException(PatternSyntaxException). */
export function translateJavaRegex(pattern: string): Translated {
  const hit = cache.get(pattern);
  if (hit !== undefined) return hit;
  let flags = '';
  let i = 0;
  for (;;) {
    const m = /^\(\?([a-zA-Z]+)\)/.exec(pattern.slice(i));
    if (m === null) break;
    for (const f of m[1]!) {
      if (f === 'i' || f === 's' || f === 'm') {
        if (!flags.includes(f)) flags += f;
      } else if (f !== 'd' && f !== 'u' && f !== 'U') throw syntaxError(pattern, `unsupported flag (?${f})`);
    }
    i += m[0].length;
  }
  const multiline = flags.includes('m');
  let out = '';
  let groups = 0;
  const n = pattern.length;
  // returns the translation of an escape at pattern[i] === '\\', and the index after it
  const escape = (at: number, inClass: boolean): [string, number] => {
    const c = pattern[at + 1];
    if (c === undefined) throw syntaxError(pattern, 'unexpected end after \\');
    switch (c) {
      case 'd':
      case 'D':
      case 'w':
      case 'W':
      case 't':
      case 'n':
      case 'r':
      case 'f':
        return ['\\' + c, at + 2];
      case 'b':
      case 'B':
        if (inClass) throw syntaxError(pattern, `\\${c} inside a character class`);
        return ['\\' + c, at + 2];
      case 's':
        return [inClass ? JAVA_SPACE : `[${JAVA_SPACE}]`, at + 2];
      case 'S':
        if (inClass) throw syntaxError(pattern, '\\S inside a character class');
        return [`[^${JAVA_SPACE}]`, at + 2];
      case 'h':
        return [inClass ? H_SPACE : `[${H_SPACE}]`, at + 2];
      case 'H':
        if (inClass) throw syntaxError(pattern, '\\H inside a character class');
        return [`[^${H_SPACE}]`, at + 2];
      case 'v':
        return [inClass ? V_SPACE : `[${V_SPACE}]`, at + 2];
      case 'V':
        if (inClass) throw syntaxError(pattern, '\\V inside a character class');
        return [`[^${V_SPACE}]`, at + 2];
      case 'R':
        if (inClass) throw syntaxError(pattern, '\\R inside a character class');
        return [`(?:\\r\\n|[${V_SPACE}])`, at + 2];
      case 'a':
        return ['\\x07', at + 2];
      case 'e':
        return ['\\x1B', at + 2];
      case 'A':
        return ['(?<![\\s\\S])', at + 2];
      case 'z':
        return ['(?![\\s\\S])', at + 2];
      case 'Z':
        return ['(?=(?:\\r\\n|[\\n\\r\\x85\\u2028\\u2029])?(?![\\s\\S]))', at + 2];
      case 'c': {
        const ctl = pattern[at + 2];
        if (ctl === undefined) throw syntaxError(pattern, 'illegal control escape');
        const code = ctl.charCodeAt(0) ^ 64;
        return ['\\u{' + code.toString(16) + '}', at + 3];
      }
      case 'x': {
        if (pattern[at + 2] === '{') {
          const close = pattern.indexOf('}', at + 3);
          const hex = close < 0 ? '' : pattern.slice(at + 3, close);
          if (!/^[0-9a-fA-F]{1,6}$/.test(hex)) throw syntaxError(pattern, 'illegal hexadecimal escape');
          return ['\\u{' + hex + '}', close + 1];
        }
        const hex = pattern.slice(at + 2, at + 4);
        if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw syntaxError(pattern, 'illegal hexadecimal escape');
        return ['\\x' + hex, at + 4];
      }
      case 'u': {
        const hex = pattern.slice(at + 2, at + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw syntaxError(pattern, 'illegal unicode escape');
        return ['\\u' + hex, at + 6];
      }
      case '0': {
        const m = /^[0-7]{1,3}/.exec(pattern.slice(at + 2));
        if (m === null) throw syntaxError(pattern, 'illegal octal escape');
        let digits = m[0];
        if (digits.length === 3 && digits[0]! > '3') digits = digits.slice(0, 2);
        return ['\\u{' + parseInt(digits, 8).toString(16) + '}', at + 2 + digits.length];
      }
      case 'p':
      case 'P': {
        let name: string;
        let next: number;
        if (pattern[at + 2] === '{') {
          const close = pattern.indexOf('}', at + 3);
          if (close < 0) throw syntaxError(pattern, 'unclosed character family');
          name = pattern.slice(at + 3, close);
          next = close + 1;
        } else {
          name = pattern[at + 2] ?? '';
          next = at + 3;
        }
        const negate = c === 'P';
        const posixName = name.startsWith('Is') && POSIX[name.slice(2)] !== undefined ? name.slice(2) : name;
        const posix = POSIX[posixName];
        if (posix !== undefined) {
          if (inClass) {
            if (negate) throw syntaxError(pattern, 'negated POSIX class inside a character class');
            return [posix, next];
          }
          return [`[${negate ? '^' : ''}${posix}]`, next];
        }
        let property = UNICODE_ALIASES[name];
        if (property === undefined) {
          if (/^(?:L[ultmo]?|M[nce]?|N[dlo]?|P[cdseifo]?|S[mcko]?|Z[slp]?|C[cfson]?)$/.test(name)) property = name;
          else if (/^Is[A-Z][a-zA-Z]+$/.test(name)) property = 'Script=' + name.slice(2);
          else throw syntaxError(pattern, `unknown character property ${name}`);
        }
        return [`\\${negate ? 'P' : 'p'}{${property}}`, next];
      }
      case 'Q': {
        const end = pattern.indexOf('\\E', at + 2);
        const quoted = pattern.slice(at + 2, end < 0 ? n : end);
        let lit = '';
        for (const ch of quoted) lit += literalChar(ch, inClass);
        return [lit, end < 0 ? n : end + 2];
      }
      case 'E':
        return ['', at + 2];
      case 'k': {
        const m = /^k<([a-zA-Z][a-zA-Z0-9]*)>/.exec(pattern.slice(at + 1));
        if (m === null) throw syntaxError(pattern, 'illegal named group reference');
        return ['\\k<' + m[1]! + '>', at + 1 + m[0].length];
      }
      case 'G':
        throw syntaxError(pattern, '\\G is not supported');
      default:
        if (c >= '1' && c <= '9') {
          if (inClass) throw syntaxError(pattern, 'back reference inside a character class');
          return ['\\' + c, at + 2];
        }
        if (/[a-zA-Z]/.test(c)) throw syntaxError(pattern, `illegal escape \\${c}`);
        return [literalChar(c, inClass), at + 2];
    }
  };
  while (i < n) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      const [text, next] = escape(i, false);
      out += text;
      i = next;
      continue;
    }
    if (ch === '[') {
      let body = '';
      let j = i + 1;
      if (pattern[j] === '^') {
        body += '^';
        j++;
      }
      let first = true;
      for (;;) {
        if (j >= n) throw syntaxError(pattern, 'unclosed character class');
        const c = pattern[j]!;
        if (c === ']' && !first) break;
        if (c === '[') throw syntaxError(pattern, 'nested character classes are not supported');
        if (c === '&' && pattern[j + 1] === '&') throw syntaxError(pattern, 'character class intersection is not supported');
        if (c === '\\') {
          const [text, next] = escape(j, true);
          body += text;
          j = next;
        } else {
          body += c === ']' ? '\\]' : c;
          j++;
        }
        first = false;
      }
      out += '[' + body + ']';
      i = j + 1;
      continue;
    }
    if (ch === '(') {
      if (pattern[i + 1] === '?') {
        const rest = pattern.slice(i + 2);
        if (rest.startsWith(':') || rest.startsWith('=') || rest.startsWith('!') || rest.startsWith('<=') || rest.startsWith('<!')) {
          out += '(?';
          i += 2;
          continue;
        }
        const named = /^<([a-zA-Z][a-zA-Z0-9]*)>/.exec(rest);
        if (named !== null) {
          groups++;
          out += '(?<' + named[1]! + '>';
          i += 2 + named[0].length;
          continue;
        }
        if (rest.startsWith('>')) {
          out += '(?:';
          i += 3;
          continue;
        }
        throw syntaxError(pattern, 'inline flags inside the pattern are not supported');
      }
      groups++;
      out += '(';
      i++;
      continue;
    }
    if (ch === '*' || ch === '+' || ch === '?') {
      out += ch;
      i++;
      if (pattern[i] === '+') i++; // possessive: approximated by greedy
      continue;
    }
    if (ch === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
      if (m === null) throw syntaxError(pattern, 'illegal repetition');
      out += m[0];
      i += m[0].length;
      if (pattern[i] === '+') i++;
      continue;
    }
    if (ch === '$') {
      out += multiline ? '$' : '(?=(?:\\r\\n|[\\n\\r\\x85\\u2028\\u2029])?(?![\\s\\S]))';
      i++;
      continue;
    }
    if (ch === ']' || ch === '}') {
      out += '\\' + ch;
      i++;
      continue;
    }
    out += ch;
    i++;
  }
  try {
    // validates the translation (unbalanced parentheses, bad back references...)
    new RegExp(out, flags + 'u');
  } catch (e) {
    throw syntaxError(pattern, (e as Error).message);
  }
  const result: Translated = { source: out, flags, groupCount: groups };
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(pattern, result);
  return result;
}

function regex(pattern: string, mode: 'g' | 'first' | 'full'): RegExp {
  const key = mode + '\u0000' + pattern;
  let re = regexCache.get(key);
  if (re === undefined) {
    const t = translateJavaRegex(pattern);
    if (mode === 'full') re = new RegExp('(?<![\\s\\S])(?:' + t.source + ')(?![\\s\\S])', t.flags + 'u');
    else re = new RegExp(t.source, t.flags + (mode === 'g' ? 'gu' : 'u'));
    if (regexCache.size >= CACHE_LIMIT) regexCache.clear();
    regexCache.set(key, re);
  }
  re.lastIndex = 0;
  return re;
}

/** String.matches: the whole string must match. */
export function javaMatches(input: string, pattern: string): boolean {
  return regex(pattern, 'full').test(input);
}

type ReplacementPart = string | number | { name: string };

function parseReplacement(replacement: string, groupCount: number): ReplacementPart[] {
  const parts: ReplacementPart[] = [];
  let literal = '';
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement[i]!;
    if (c === '\\') {
      i++;
      if (i >= replacement.length) throw new JavaException('java.lang.IllegalArgumentException', 'character to be escaped is missing');
      literal += replacement[i];
    } else if (c === '$') {
      i++;
      if (i >= replacement.length) throw new JavaException('java.lang.IllegalArgumentException', 'Illegal group reference: group index is missing');
      if (replacement[i] === '{') {
        const close = replacement.indexOf('}', i);
        const name = close < 0 ? '' : replacement.slice(i + 1, close);
        if (!/^[a-zA-Z][a-zA-Z0-9]*$/.test(name)) throw new JavaException('java.lang.IllegalArgumentException', 'named capturing group is missing trailing }');
        if (literal !== '') parts.push(literal);
        literal = '';
        parts.push({ name });
        i = close;
        continue;
      }
      let ref = replacement.charCodeAt(i) - 48;
      if (ref < 0 || ref > 9) throw new JavaException('java.lang.IllegalArgumentException', 'Illegal group reference');
      while (i + 1 < replacement.length) {
        const d = replacement.charCodeAt(i + 1) - 48;
        if (d < 0 || d > 9) break;
        const candidate = ref * 10 + d;
        if (candidate > groupCount) break;
        ref = candidate;
        i++;
      }
      if (ref > groupCount) throw new JavaException('java.lang.IndexOutOfBoundsException', `No group ${ref}`);
      if (literal !== '') parts.push(literal);
      literal = '';
      parts.push(ref);
    } else {
      literal += c;
    }
  }
  if (literal !== '') parts.push(literal);
  return parts;
}

function replacer(parts: ReplacementPart[]): (match: string, ...rest: unknown[]) => string {
  return (...args: unknown[]) => {
    const last = args[args.length - 1];
    const named = typeof last === 'object' && last !== null ? (last as Record<string, string | undefined>) : undefined;
    let s = '';
    for (const p of parts) {
      if (typeof p === 'string') s += p;
      else if (typeof p === 'number') {
        const g = args[p];
        if (typeof g === 'string') s += g;
      } else {
        if (named === undefined || !(p.name in named)) throw new JavaException('java.lang.IllegalArgumentException', `No group with name {${p.name}}`);
        s += named[p.name] ?? '';
      }
    }
    return s;
  };
}

/** String.replaceAll / replaceFirst with Java replacement syntax. */
export function javaReplace(input: string, pattern: string, replacement: string, all: boolean): string {
  const t = translateJavaRegex(pattern);
  const parts = parseReplacement(replacement, t.groupCount);
  return input.replace(regex(pattern, all ? 'g' : 'first'), replacer(parts));
}

/** String.split(regex, limit): Java's Pattern.split. */
export function javaSplit(input: string, pattern: string, limit: number): JavaArray {
  const result = new JavaArray();
  const re = regex(pattern, 'g');
  const limited = limit > 0;
  let index = 0;
  for (const m of input.matchAll(re)) {
    const start = m.index;
    const end = start + m[0].length;
    if (!limited || result.length < limit - 1) {
      // no empty leading substring for a zero-width match at the beginning
      if (index === 0 && start === 0 && end === 0) continue;
      result.push(input.slice(index, start));
      index = end;
    } else {
      result.push(input.slice(index));
      index = end;
      break;
    }
  }
  if (index === 0) {
    result.length = 0;
    result.push(input);
    return result;
  }
  if (!limited || result.length < limit) result.push(input.slice(index));
  if (limit === 0) while (result.length > 0 && result[result.length - 1] === '') result.pop();
  return result;
}
