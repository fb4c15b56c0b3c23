/**
 * Function references as the Invoke API accepts them: `my-function`, `my-function:alias`,
 * `123456789012:function:my-function[:qualifier]`, `arn:aws:lambda:region:account:function:my-function[:qualifier]`.
 * AWS docs: "Invoke" API reference (API_Invoke.html, FunctionName).
 */

export interface FunctionRef {
  name: string;
  /** Version or alias after the name, if any. */
  qualifier?: string;
}

const FULL_ARN = /^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:([a-zA-Z0-9-_.]+)(?::([a-zA-Z0-9-_$]+))?$/;
const PARTIAL_ARN = /^\d{12}:function:([a-zA-Z0-9-_.]+)(?::([a-zA-Z0-9-_$]+))?$/;
const NAME = /^([a-zA-Z0-9-_.]+)(?::([a-zA-Z0-9-_$]+))?$/;

export function parseFunctionRef(ref: string): FunctionRef | undefined {
  const match = FULL_ARN.exec(ref) ?? PARTIAL_ARN.exec(ref) ?? NAME.exec(ref);
  if (match === null) return undefined;
  const [, name, qualifier] = match;
  return qualifier === undefined ? { name: name! } : { name: name!, qualifier };
}
