/** An AWS service error: the code SDKs match on, the message, the HTTP status and the fault side. */
export class AwsServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = code;
  }

  get fault(): 'client' | 'server' {
    return this.status >= 500 ? 'server' : 'client';
  }
}
