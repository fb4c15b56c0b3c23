/**
 * ExpressionAttributeNames / ExpressionAttributeValues of one request (Developer Guide "Expression
 * attribute names" and "Expression attribute values"): checked as DynamoDB checks them, resolved
 * while binding, and every entry must be used by some expression of the request.
 */
import { AwsServiceError } from '../../protocol/errors.js';
import { invalidExpression, validation } from '../errors.js';
import { validateValue, type AttributeMap, type AttributeValue } from '../types.js';
import type { ExpressionKind, Parsed } from './ast.js';

const NAME_KEY = /^#[A-Za-z0-9_]+$/;
const VALUE_KEY = /^:[A-Za-z0-9_]+$/;

export class ExpressionAttributes {
  private readonly usedNames = new Set<string>();
  private readonly usedValues = new Set<string>();

  private constructor(
    private readonly names: Record<string, string> | undefined,
    private readonly values: AttributeMap | undefined,
  ) {}

  /**
   * `expressions` says which expression parameters the request has; `valueUsers` is how DynamoDB
   * names, in its message, the expressions that could have used the values (e.g. "ConditionExpression").
   */
  static from(input: Record<string, unknown>, anyExpression: boolean, anyValueExpression: boolean, valueUsers: string): ExpressionAttributes {
    const rawNames = input['ExpressionAttributeNames'];
    const rawValues = input['ExpressionAttributeValues'];
    let names: Record<string, string> | undefined;
    let values: AttributeMap | undefined;
    if (rawNames !== undefined && rawNames !== null) {
      if (!anyExpression) throw validation('ExpressionAttributeNames can only be specified when using expressions');
      if (typeof rawNames !== 'object' || Array.isArray(rawNames)) throw validation('ExpressionAttributeNames must be a map');
      const keys = Object.keys(rawNames);
      if (keys.length === 0) throw validation('ExpressionAttributeNames must not be empty');
      for (const key of keys) {
        if (!NAME_KEY.test(key)) throw validation(`ExpressionAttributeNames contains invalid key: Syntax error; key: "${key}"`);
        const value = (rawNames as Record<string, unknown>)[key];
        if (typeof value !== 'string' || value === '') throw validation(`ExpressionAttributeNames contains invalid value: Empty attribute name for key ${key}`);
      }
      names = rawNames as Record<string, string>;
    }
    if (rawValues !== undefined && rawValues !== null) {
      if (!anyValueExpression) throw validation(`ExpressionAttributeValues can only be specified when using expressions: ${valueUsers}`);
      if (typeof rawValues !== 'object' || Array.isArray(rawValues)) throw validation('ExpressionAttributeValues must be a map');
      const keys = Object.keys(rawValues);
      if (keys.length === 0) throw validation('ExpressionAttributeValues must not be empty');
      values = {};
      for (const key of keys) {
        if (!VALUE_KEY.test(key)) throw validation(`ExpressionAttributeValues contains invalid key: Syntax error; key: "${key}"`);
        try {
          values[key] = validateValue((rawValues as Record<string, unknown>)[key]);
        } catch (error) {
          if (error instanceof AwsServiceError && error.code === 'ValidationException') {
            throw validation(`ExpressionAttributeValues contains invalid value: ${error.message} for key ${key}`);
          }
          throw error;
        }
      }
    }
    return new ExpressionAttributes(names, values);
  }

  /** Marks the placeholders of a parsed expression as used, failing on the first undefined one. */
  use(parsed: Parsed<unknown>, kind: ExpressionKind): void {
    for (const ref of parsed.names) {
      if (this.names?.[ref] === undefined) {
        throw invalidExpression(kind, `An expression attribute name used in the document path is not defined; attribute name: ${ref}`);
      }
      this.usedNames.add(ref);
    }
    for (const ref of parsed.values) {
      if (this.values?.[ref] === undefined) {
        throw invalidExpression(kind, `An expression attribute value used in expression is not defined; attribute value: ${ref}`);
      }
      this.usedValues.add(ref);
    }
  }

  name(ref: string): string {
    return this.names![ref]!;
  }

  value(ref: string): AttributeValue {
    return this.values![ref]!;
  }

  assertAllUsed(): void {
    if (this.names !== undefined) {
      const unused = Object.keys(this.names).filter((k) => !this.usedNames.has(k));
      if (unused.length > 0) throw validation(`Value provided in ExpressionAttributeNames unused in expressions: keys: {${unused.join(', ')}}`);
    }
    if (this.values !== undefined) {
      const unused = Object.keys(this.values).filter((k) => !this.usedValues.has(k));
      if (unused.length > 0) throw validation(`Value provided in ExpressionAttributeValues unused in expressions: keys: {${unused.join(', ')}}`);
    }
  }
}
