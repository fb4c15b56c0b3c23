/**
 * The two query languages behind one set of steps every state uses: JSONPath (InputPath, Parameters,
 * ResultSelector, ResultPath, OutputPath) and JSONata (`{% %}` expressions in Arguments, Output,
 * Assign, Condition, Items...). JSONata expressions are evaluated by a pluggable evaluator (the
 * `jsonata` package when installed).
 * AWS docs: Step Functions developer guide, "Transforming data with JSONata in Step Functions" ($states
 * reserved variable, Arguments and Output) and "Processing input and output in Step Functions".
 */
import { StatesError, States } from './errors.js';
import { applyResultPath, applyTemplate, evaluateAssign, selectPath, type Scope } from './payload.js';

export type QueryLanguage = 'JSONPath' | 'JSONata';

/** Evaluates one JSONata expression against `input` with `bindings` (`states`, variables) as `$name`. */
export type JsonataEvaluator = (expression: string, input: unknown, bindings: Record<string, unknown>) => Promise<unknown>;

export type StateDef = Record<string, unknown>;

const EXPRESSION = /^\s*\{%([\s\S]*)%\}\s*$/;

export function isJsonataExpression(value: unknown): value is string {
  return typeof value === 'string' && EXPRESSION.test(value);
}

/** What `$states` holds while a JSONata field is evaluated. */
export interface StatesBinding {
  input: unknown;
  context: unknown;
  result?: unknown;
  errorOutput?: unknown;
}

export class Query {
  constructor(
    readonly language: QueryLanguage,
    readonly jsonata: JsonataEvaluator | undefined,
  ) {}

  /** JSONata: every `{% %}` string inside `template` evaluated, recursively. */
  async jsonataValue(template: unknown, states: StatesBinding, scope: Scope, field: string): Promise<unknown> {
    if (typeof template === 'string') {
      const match = EXPRESSION.exec(template);
      if (match === null) return template;
      if (this.jsonata === undefined) {
        throw new StatesError(States.QueryEvaluationError, 'JSONata is not available in this gatehouse installation: install the jsonata package (npm install jsonata)');
      }
      let value: unknown;
      try {
        value = await this.jsonata(match[1]!, states.input, { ...scope.variables.all(), states });
      } catch (error) {
        throw new StatesError(States.QueryEvaluationError, `An error occurred while evaluating the JSONata expression '${match[1]!.trim()}' for the field '${field}': ${(error as Error).message}`);
      }
      if (value === undefined) {
        throw new StatesError(States.QueryEvaluationError, `The JSONata expression '${match[1]!.trim()}' specified for the field '${field}' returned nothing (undefined).`);
      }
      return value;
    }
    if (Array.isArray(template)) {
      const out: unknown[] = [];
      for (const item of template) out.push(await this.jsonataValue(item, states, scope, field));
      return out;
    }
    if (template !== null && typeof template === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(template)) out[key] = await this.jsonataValue(value, states, scope, `${field}/${key}`);
      return out;
    }
    return template;
  }

  /** The effective input: InputPath (JSONPath) or the raw input (JSONata). */
  input(state: StateDef, raw: unknown, scope: Scope): unknown {
    return this.language === 'JSONPath' ? selectPath(state['InputPath'] as string | null | undefined, raw, scope) : raw;
  }

  /**
   * What a state hands to its work: Parameters / ItemSelector (JSONPath templates, `field`) or
   * Arguments / ItemSelector (JSONata). Absent = the effective input.
   */
  async arguments(state: StateDef, field: string, effective: unknown, raw: unknown, scope: Scope): Promise<unknown> {
    if (this.language === 'JSONPath') return field in state ? applyTemplate(state[field], effective, scope) : effective;
    const jsonataField = field === 'Parameters' ? 'Arguments' : field;
    return jsonataField in state ? this.jsonataValue(state[jsonataField], { input: raw, context: scope.context }, scope, jsonataField) : effective;
  }

  /** ResultSelector (JSONPath); JSONata has none. */
  result(state: StateDef, raw: unknown, scope: Scope): unknown {
    return this.language === 'JSONPath' && state['ResultSelector'] !== undefined ? applyTemplate(state['ResultSelector'], raw, scope) : raw;
  }

  /** The values of `Assign`: JSONPath evaluates `.$` keys against `value`; JSONata binds `$states`. */
  async assign(owner: StateDef, value: unknown, states: StatesBinding, scope: Scope): Promise<Record<string, unknown>> {
    const assign = owner['Assign'];
    if (assign === undefined || assign === null) return {};
    if (this.language === 'JSONPath') return evaluateAssign(assign, value, scope);
    return (await this.jsonataValue(assign, states, scope, 'Assign')) as Record<string, unknown>;
  }

  /** The state output: OutputPath(ResultPath(raw, result)) or JSONata `Output` (default: the result). */
  async output(state: StateDef, raw: unknown, result: unknown, states: StatesBinding, scope: Scope): Promise<unknown> {
    if (this.language === 'JSONPath') {
      return selectPath(state['OutputPath'] as string | null | undefined, applyResultPath(raw, result, state['ResultPath'] as string | null | undefined), scope);
    }
    return 'Output' in state ? this.jsonataValue(state['Output'], states, scope, 'Output') : result;
  }
}
