// Error types that carry a conformance failure's reason to the case result.

/** The case file itself is wrong (bad YAML, unknown key, invalid pattern): not a gateway failure. */
export class CaseFormatError extends Error {
  override name = 'CaseFormatError';
}

/** A step did not get what the case expects; the message is the whole reason. */
export class StepFailure extends Error {
  override name = 'StepFailure';
}

/** The runner itself lacks something (a package such as jose or an AWS SDK client). */
export class SetupError extends Error {
  override name = 'SetupError';
}

/** Gatehouse did not become healthy; `log` holds the tail of its output. */
export class StartFailure extends Error {
  override name = 'StartFailure';
  constructor(
    message: string,
    readonly log: string,
    readonly addressInUse = false,
  ) {
    super(message);
  }
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
