/** The syntax tree of a VTL template, as the parser builds it and the compiler consumes it. */

export interface Pos {
  line: number;
  column: number;
}

export type RefPart =
  | { kind: 'prop'; name: string }
  | { kind: 'method'; name: string; args: Expr[] }
  | { kind: 'index'; arg: Expr };

/** `$a.b.c()[0]`, `$!a`, `${a}`, with the backslashes written before it. */
export interface Ref {
  root: string;
  parts: RefPart[];
  quiet: boolean;
  /** Number of `\` immediately before the `$`. */
  backslashes: number;
  /** Source text of the reference, without the leading backslashes (what renders when it is null). */
  text: string;
  pos: Pos;
}

export type BinaryOp = '||' | '&&' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%';

interface ExprBase {
  /** Source text (Velocity's node literal), used when a null operand of `+` renders. */
  text: string;
}

export type Expr =
  | (ExprBase & { kind: 'int'; value: number })
  | (ExprBase & { kind: 'double'; value: number })
  | (ExprBase & { kind: 'bool'; value: boolean })
  | (ExprBase & { kind: 'string'; value: string; template: InterpolatedString | null; pos: Pos })
  | (ExprBase & { kind: 'ref'; ref: Ref })
  | (ExprBase & { kind: 'list'; items: Expr[] })
  | (ExprBase & { kind: 'map'; entries: Array<[Expr, Expr]> })
  | (ExprBase & { kind: 'range'; from: Expr; to: Expr })
  | (ExprBase & { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr; pos: Pos })
  | (ExprBase & { kind: 'not'; operand: Expr })
  | (ExprBase & { kind: 'group'; inner: Expr })
  | (ExprBase & { kind: 'word'; name: string });

/** A double-quoted literal containing `$` or `#`: parsed as a template (with one trailing space appended unless it holds `##`). */
export interface InterpolatedString {
  nodes: Node[];
  /** Whether the appended space must be removed from the rendered text. */
  stripLast: boolean;
}

export type Node =
  | { kind: 'text'; text: string }
  | { kind: 'ref'; ref: Ref }
  | { kind: 'set'; target: Ref; value: Expr; pos: Pos }
  | { kind: 'if'; branches: Array<{ cond: Expr; body: Node[] }>; otherwise: Node[] | null }
  | { kind: 'foreach'; variable: string; iterable: Expr; body: Node[]; pos: Pos }
  | { kind: 'break'; scope: Expr | null; pos: Pos }
  | { kind: 'stop' }
  | { kind: 'define'; name: string; body: Node[] }
  | { kind: 'evaluate'; arg: Expr; pos: Pos }
  | { kind: 'call'; name: string; args: Expr[]; body: Node[] | null; literal: string; pos: Pos }
  | { kind: 'unsupported'; name: string; pos: Pos };

export interface MacroDefinition {
  name: string;
  params: string[];
  body: Node[];
}

export interface ParsedTemplate {
  nodes: Node[];
  macros: Map<string, MacroDefinition>;
}
