/**
 * Choice rules of the JSONPath query language: every comparison operator and its `...Path` variant,
 * `Is*` type tests, `StringMatches` wildcards and the And / Or / Not combinators.
 * AWS docs: Step Functions developer guide, "Choice workflow state" (Choice Rules, comparison operators);
 * Amazon States Language specification, "Choice Rules" and "Timestamps".
 */
import { compilePath, evaluatePath, type PathRoots } from './jsonpath.js';
import { runtimeError } from './errors.js';

type Rule = Record<string, unknown>;

/** "an uppercase T must separate the date and time portions, and an uppercase Z must denote that a numeric time zone offset is not present" */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export function timestampMs(value: unknown): number | undefined {
  if (typeof value !== 'string' || !TIMESTAMP.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** `*` matches any run of characters; `\*` is a literal star and `\\` a backslash. */
export function stringMatches(value: string, pattern: string): boolean {
  let regex = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) regex += escape(pattern[++i]!);
    else if (c === '*') regex += '[\\s\\S]*';
    else regex += escape(c);
  }
  return new RegExp(regex + '$').test(value);
}

const escape = (c: string) => c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

type Kind = 'String' | 'Numeric' | 'Boolean' | 'Timestamp';
const COMPARISONS: Record<string, [Kind, (a: number, b: number) => boolean]> = {};
for (const kind of ['String', 'Numeric', 'Timestamp'] as const) {
  COMPARISONS[`${kind}Equals`] = [kind, (a, b) => a === b];
  COMPARISONS[`${kind}LessThan`] = [kind, (a, b) => a < b];
  COMPARISONS[`${kind}GreaterThan`] = [kind, (a, b) => a > b];
  COMPARISONS[`${kind}LessThanEquals`] = [kind, (a, b) => a <= b];
  COMPARISONS[`${kind}GreaterThanEquals`] = [kind, (a, b) => a >= b];
}
COMPARISONS['BooleanEquals'] = ['Boolean', (a, b) => a === b];

/** Values of one kind mapped onto numbers so one comparator serves them all; undefined = wrong type. */
function comparable(kind: Kind, value: unknown): number | string | undefined {
  switch (kind) {
    case 'String':
      return typeof value === 'string' ? value : undefined;
    case 'Numeric':
      return typeof value === 'number' ? value : undefined;
    case 'Boolean':
      return typeof value === 'boolean' ? Number(value) : undefined;
    case 'Timestamp':
      return timestampMs(value);
  }
}

export const OPERATORS: ReadonlySet<string> = new Set([
  ...Object.keys(COMPARISONS),
  ...Object.keys(COMPARISONS).map((k) => k + 'Path'),
  'StringMatches',
  'IsNull',
  'IsPresent',
  'IsNumeric',
  'IsString',
  'IsBoolean',
  'IsTimestamp',
]);

export function evaluateRule(rule: Rule, roots: PathRoots): boolean {
  if (Array.isArray(rule['And'])) return (rule['And'] as Rule[]).every((r) => evaluateRule(r, roots));
  if (Array.isArray(rule['Or'])) return (rule['Or'] as Rule[]).some((r) => evaluateRule(r, roots));
  if (rule['Not'] !== undefined) return !evaluateRule(rule['Not'] as Rule, roots);

  const variablePath = String(rule['Variable']);
  const variable = evaluatePath(compilePath(variablePath), roots);
  const operator = Object.keys(rule).find((k) => OPERATORS.has(k));
  if (operator === undefined) throw runtimeError(`The Choice rule on '${variablePath}' has no comparison operator`);
  const operand = rule[operator];

  if (operator === 'IsPresent') return variable.found === operand;
  if (!variable.found) throw runtimeError(`Invalid path '${variablePath}': The choice state's condition path references an invalid value.`);
  const value = variable.value;
  switch (operator) {
    case 'IsNull':
      return (value === null) === operand;
    case 'IsNumeric':
      return (typeof value === 'number') === operand;
    case 'IsString':
      return (typeof value === 'string') === operand;
    case 'IsBoolean':
      return (typeof value === 'boolean') === operand;
    case 'IsTimestamp':
      return (timestampMs(value) !== undefined) === operand;
    case 'StringMatches':
      return typeof value === 'string' && stringMatches(value, String(operand));
  }

  let comparand = operand;
  let name = operator;
  if (operator.endsWith('Path')) {
    name = operator.slice(0, -4);
    const resolved = evaluatePath(compilePath(String(operand)), roots);
    if (!resolved.found) throw runtimeError(`Invalid path '${String(operand)}': The choice state's condition path references an invalid value.`);
    comparand = resolved.value;
  }
  const [kind, compare] = COMPARISONS[name]!;
  const a = comparable(kind, value);
  const b = comparable(kind, comparand);
  // A value of another type than the operator's makes the rule false rather than failing.
  if (a === undefined || b === undefined) return false;
  if (typeof a === 'string' && typeof b === 'string') return compare(a < b ? -1 : a > b ? 1 : 0, 0);
  return compare(a as number, b as number);
}
