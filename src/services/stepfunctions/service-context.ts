/**
 * The state every Step Functions operation reads: store, execution engine, task tokens, ARN parts
 * and the clock; and the operation signature.
 * AWS docs: Step Functions API reference ("Welcome", "Actions").
 */
import type { Logger } from '../../core/log.js';
import { validateDefinition } from './asl/validate.js';
import { apiError, type Arns, type Input } from './context.js';
import type { ExecutionEngine } from './engine.js';
import type { StepFunctionsStore } from './store.js';
import type { TaskTokens } from './tokens.js';

export interface SfnContext extends Arns {
  store: StepFunctionsStore;
  engine: ExecutionEngine;
  tokens: TaskTokens;
  log: Logger;
  now(): number;
}

export type Operation = (ctx: SfnContext, input: Input) => unknown;

/** Parses and validates a definition, failing the way CreateStateMachine does (InvalidDefinition). */
export function checkedDefinition(text: string): Record<string, unknown> {
  let definition: unknown;
  try {
    definition = JSON.parse(text);
  } catch (error) {
    throw apiError('InvalidDefinition', `Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: ${(error as Error).message}'`);
  }
  const problems = validateDefinition(definition);
  if (problems.length > 0) {
    throw apiError('InvalidDefinition', `Invalid State Machine Definition: '${problems.map((p) => `${p.code}: ${p.message} at ${p.location || '/'}`).join(', ')}'`);
  }
  return definition as Record<string, unknown>;
}

/** An ARN of the expected resource type in this account and region. */
export function checkArn(arn: string, kinds: string[]): void {
  const match = /^arn:aws[a-z-]*:states:([a-z0-9-]+):(\d{12}):([a-zA-Z]+):/.exec(arn);
  if (match === null || !kinds.includes(match[3]!)) throw apiError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${arn}'`);
}
