/**
 * DynamoDB's errors with DynamoDB's wording (Amazon DynamoDB API Reference "Common Errors" and each
 * operation's "Errors" section). The JSON 1.0 `__type` carries the namespace below.
 */
import { AwsServiceError } from '../protocol/errors.js';

export const ERROR_NAMESPACE = 'com.amazonaws.dynamodb.v20120810';

export function validation(message: string): AwsServiceError {
  return new AwsServiceError('ValidationException', message, 400);
}

/** "One or more parameter values were invalid: ..." is how DynamoDB prefixes most semantic checks. */
export function invalidParameter(detail: string): AwsServiceError {
  return validation(`One or more parameter values were invalid: ${detail}`);
}

export function serialization(message: string): AwsServiceError {
  return new AwsServiceError('SerializationException', message, 400);
}

export function resourceNotFound(message = 'Requested resource not found'): AwsServiceError {
  return new AwsServiceError('ResourceNotFoundException', message, 400);
}

export function tableNotFound(name: string): AwsServiceError {
  return resourceNotFound(`Requested resource not found: Table: ${name} not found`);
}

export function resourceInUse(message: string): AwsServiceError {
  return new AwsServiceError('ResourceInUseException', message, 400);
}

export function conditionalCheckFailed(item?: Record<string, unknown>): AwsServiceError {
  return new AwsServiceError('ConditionalCheckFailedException', 'The conditional request failed', 400, item === undefined ? {} : { Item: item });
}

export function invalidExpression(kind: string, detail: string): AwsServiceError {
  return validation(`Invalid ${kind}: ${detail}`);
}

/**
 * Model constraint violations are reported together: "2 validation errors detected: Value ... at
 * 'tableName' failed to satisfy constraint: ...; Value ...".
 */
export class Violations {
  private readonly list: string[] = [];

  add(value: unknown, member: string, constraint: string): void {
    this.list.push(`Value ${describe(value)} at '${member}' failed to satisfy constraint: ${constraint}`);
  }

  notNull(value: unknown, member: string): boolean {
    if (value !== undefined && value !== null) return true;
    this.add(null, member, 'Member must not be null');
    return false;
  }

  enumValue(value: unknown, member: string, allowed: readonly string[]): void {
    if (value === undefined || value === null) return;
    if (typeof value !== 'string' || !allowed.includes(value)) {
      this.add(value, member, `Member must satisfy enum value set: [${allowed.join(', ')}]`);
    }
  }

  tableName(value: unknown, member = 'tableName', required = true): void {
    if (value === undefined || value === null) {
      if (required) this.add(null, member, 'Member must not be null');
      return;
    }
    const name = String(value);
    if (name.length < 3) this.add(name, member, 'Member must have length greater than or equal to 3');
    if (name.length > 255) this.add(name, member, 'Member must have length less than or equal to 255');
    if (!/^[a-zA-Z0-9_.-]+$/.test(name)) this.add(name, member, 'Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+');
  }

  minimum(value: unknown, member: string, min: number): void {
    if (typeof value === 'number' && value < min) this.add(value, member, `Member must have value greater than or equal to ${min}`);
  }

  maximum(value: unknown, member: string, max: number): void {
    if (typeof value === 'number' && value > max) this.add(value, member, `Member must have value less than or equal to ${max}`);
  }

  throwIfAny(): void {
    if (this.list.length === 0) return;
    const n = this.list.length;
    throw validation(`${n} validation error${n === 1 ? '' : 's'} detected: ${this.list.join('; ')}`);
  }
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean') return `'${String(value)}'`;
  return `'${JSON.stringify(value)}'`;
}
