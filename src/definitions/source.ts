/**
 * Reads a JSON or YAML definition, with CloudFormation's short-form tags (`!Ref`, `!Sub`...), and finds the
 * line of any JSON pointer on demand. Tags follow the CloudFormation User Guide "Intrinsic function reference".
 */
import { readFile } from 'node:fs/promises';
import type { CollectionTag, Document, LineCounter, Node, Pair, ScalarTag, YAMLMap, YAMLSeq } from 'yaml';
import { type Loc, type Problems, unescapeToken } from './errors.js';

type Yaml = typeof import('yaml');
let yamlModule: Promise<Yaml> | undefined;
/** The YAML library is loaded on first use: a JSON definition starts without it. */
const loadYaml = (): Promise<Yaml> => (yamlModule ??= import('yaml'));

export interface Position {
  line: number;
  column: number;
}

/** One parsed file: its plain value and a way back from a pointer to the text. */
export interface SourceDocument {
  file: string;
  value: unknown;
  /** Line and column of the node at `pointer`, or of its deepest ancestor present in the text. */
  locate(pointer: string): Promise<Position | undefined>;
}

/** A collection written with a short-form tag (`!Sub [..]`, `!If [..]`); becomes `{ 'Fn::Sub': [..] }`. */
class TaggedCollection {
  constructor(
    readonly key: string,
    readonly node: YAMLMap | YAMLSeq,
  ) {}

  toJSON(arg: unknown, ctx: unknown): Record<string, unknown> {
    return { [this.key]: (this.node as { toJSON(a: unknown, c: unknown): unknown }).toJSON(arg, ctx) };
  }
}

/** Short-form tag -> long-form key. `!GetAtt a.b` and `!Ref`/`!Condition` have scalar-only special cases. */
const FUNCTION_TAGS = [
  'Sub', 'Join', 'Select', 'Split', 'If', 'Equals', 'Not', 'And', 'Or', 'FindInMap', 'Base64', 'GetAZs',
  'ImportValue', 'Cidr', 'GetAtt', 'Transform', 'Length', 'ToJsonString',
] as const;

let cachedTags: (ScalarTag | CollectionTag)[] | undefined;

/** Built on first YAML parse, not at import: start-up stays cheap for JSON input. */
function cloudFormationTags(): (ScalarTag | CollectionTag)[] {
  if (cachedTags) return cachedTags;
  const tags: (ScalarTag | CollectionTag)[] = [
    { tag: '!Ref', resolve: (value: string) => ({ Ref: value }) },
    { tag: '!Condition', resolve: (value: string) => ({ Condition: value }) },
  ];
  for (const name of FUNCTION_TAGS) {
    const key = `Fn::${name}`;
    tags.push({
      tag: `!${name}`,
      resolve: (value: string) => {
        if (name !== 'GetAtt') return { [key]: value };
        // `!GetAtt Db.Endpoint.Address` = ['Db', 'Endpoint.Address']: the logical id never has a dot.
        const dot = value.indexOf('.');
        return { [key]: dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
      },
    });
    for (const collection of ['seq', 'map'] as const) {
      tags.push({ tag: `!${name}`, collection, resolve: (node) => new TaggedCollection(key, node) });
    }
  }
  cachedTags = tags;
  return tags;
}

function lineColumn(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * Walks the YAML AST along a JSON pointer; returns the deepest node reached. A collection reached through a map
 * key is placed at its key (`Properties:`), a scalar at its value.
 */
function nodeAt({ isAlias, isMap, isScalar, isSeq }: Yaml, doc: Document, pointer: string): Node | undefined {
  let node = doc.contents as Node | null | undefined;
  let key: Node | undefined;
  if (!node) return undefined;
  const tokens = pointer === '' ? [] : pointer.slice(1).split('/').map(unescapeToken);
  for (const token of tokens) {
    if (isAlias(node)) node = (node.resolve(doc) as Node | undefined) ?? node;
    let next: Node | null | undefined;
    if (isMap(node)) {
      const pair: Pair | undefined = node.items.find((p: Pair) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === token);
      if (pair) {
        next = (pair.value as Node | null) ?? (pair.key as Node);
        key = pair.key as Node;
      }
    } else if (isSeq(node)) {
      next = node.items[Number(token)] as Node | undefined;
      key = undefined;
    } else if (isScalar(node) && node.value instanceof TaggedCollection && node.value.key === token) {
      next = node.value.node;
    } else if (isScalar(node) && node.tag?.startsWith('!')) {
      return node; // `!Ref x`: the pointer continues into the long form, the scalar is the place
    }
    if (!next) break;
    node = next;
  }
  return (isMap(node) || isSeq(node)) && key ? key : node;
}

function yamlLocator(yaml: Yaml, doc: Document, lines: LineCounter): (pointer: string) => Position | undefined {
  return (pointer) => {
    const node = nodeAt(yaml, doc, pointer);
    const offset = node?.range?.[0];
    if (offset === undefined) return undefined;
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
}

/** JSON is located lazily: only a definition with problems pays for a second, position-keeping parse (as YAML). */
function jsonLocator(text: string): (pointer: string) => Promise<Position | undefined> {
  let locate: ((pointer: string) => Position | undefined) | undefined;
  return async (pointer) => {
    if (!locate) {
      const yaml = await loadYaml();
      const lines = new yaml.LineCounter();
      const doc = yaml.parseDocument(text, { lineCounter: lines, uniqueKeys: false, strict: false });
      locate = yamlLocator(yaml, doc, lines);
    }
    return locate(pointer);
  };
}

/**
 * `JSON.parse` messages differ across Node versions and some carry no position at all; then the YAML parser
 * (JSON is YAML) says where it stumbles.
 */
function jsonErrorPosition(text: string, message: string): Position | undefined {
  const lineCol = /line (\d+) column (\d+)/.exec(message);
  if (lineCol) return { line: Number(lineCol[1]), column: Number(lineCol[2]) };
  const offset = /position (\d+)/.exec(message);
  if (offset) return lineColumn(text, Number(offset[1]));
  if (/end of (JSON )?input/i.test(message)) return lineColumn(text, text.length);
  const at = jsonErrorOffset(text);
  return at === undefined ? undefined : lineColumn(text, at);
}

/** Offset of the first JSON syntax error (RFC 8259 grammar), for `JSON.parse` messages without one. */
function jsonErrorOffset(text: string): number | undefined {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string): void => {
    if (text.startsWith(word, i)) i += word.length;
    else fail();
  };
  const string = (): void => {
    if (text[i] !== '"') fail();
    for (i++; i < text.length && text[i] !== '"'; i++) {
      if (text.charCodeAt(i) < 0x20) fail();
      if (text[i] === '\\') i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      ws();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (close === '}') {
          ws();
          string();
          ws();
          if (text[i] !== ':') fail();
          i++;
        }
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === close) {
          i++;
          return;
        } else fail();
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    const number = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!number) fail();
    i += number![0].length;
  };
  try {
    value();
    ws();
    return i < text.length ? i : undefined;
  } catch (offset) {
    return offset as number;
  }
}

function looksLikeJson(file: string, text: string): boolean {
  return file.toLowerCase().endsWith('.json') || /^\s*[{[]/.test(text);
}

/** Parses definition text; syntax errors become problems at the document root, with their line. */
export async function parseSource(file: string, text: string, problems: Problems): Promise<SourceDocument | undefined> {
  const root: Loc = { file, pointer: '' };
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (looksLikeJson(file, text)) {
    try {
      return { file, value: JSON.parse(text) as unknown, locate: jsonLocator(text) };
    } catch (error) {
      // Not JSON after all (YAML flow style starts with `{` too): let the YAML parser decide below,
      // unless the file says it is JSON.
      if (file.toLowerCase().endsWith('.json')) {
        const message = (error as Error).message;
        problems.add(root, `invalid JSON: ${message}`, jsonErrorPosition(text, message));
        return undefined;
      }
    }
  }
  const yaml = await loadYaml();
  const lines = new yaml.LineCounter();
  const doc = yaml.parseDocument(text, {
    lineCounter: lines,
    customTags: cloudFormationTags(),
    merge: true,
    prettyErrors: false,
  });
  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      const { line, col } = lines.linePos(error.pos[0]);
      problems.add(root, `invalid YAML: ${error.message.split('\n')[0]}`, { line, column: col });
    }
    return undefined;
  }
  const locate = yamlLocator(yaml, doc, lines);
  return { file, value: doc.toJS({ json: true }) as unknown, locate: async (pointer) => locate(pointer) };
}

export async function readSource(file: string, problems: Problems, from?: Loc): Promise<SourceDocument | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problems.add(from ?? { file, pointer: '' }, code === 'ENOENT' ? `file not found: ${file}` : `cannot read ${file}: ${(error as Error).message}`);
    return undefined;
  }
  return parseSource(file, text, problems);
}
