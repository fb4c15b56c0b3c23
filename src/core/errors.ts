/**
 * The one error table of the gateway: every failure a client can see is a gateway response type
 * with AWS's default status, message and `x-amzn-ErrorType`.
 * AWS docs: "Gateway response types for API Gateway" (supported-gateway-response-types.html).
 */

export type GatewayResponseType =
  | 'ACCESS_DENIED'
  | 'API_CONFIGURATION_ERROR'
  | 'AUTHORIZER_CONFIGURATION_ERROR'
  | 'AUTHORIZER_FAILURE'
  | 'BAD_REQUEST_PARAMETERS'
  | 'BAD_REQUEST_BODY'
  | 'DEFAULT_4XX'
  | 'DEFAULT_5XX'
  | 'EXPIRED_TOKEN'
  | 'INTEGRATION_FAILURE'
  | 'INTEGRATION_TIMEOUT'
  | 'INVALID_API_KEY'
  | 'INVALID_SIGNATURE'
  | 'MISSING_AUTHENTICATION_TOKEN'
  | 'QUOTA_EXCEEDED'
  | 'REQUEST_TOO_LARGE'
  | 'RESOURCE_NOT_FOUND'
  | 'THROTTLED'
  | 'UNAUTHORIZED'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'WAF_FILTERED';

interface GatewayResponseDefault {
  status: number;
  /** Message when the thrower gives none. */
  message: string;
  /** `x-amzn-ErrorType` as AWS sends it. */
  errorType: string;
}

/** Default statuses from the AWS table; messages and error types as recorded from AWS responses. */
export const GATEWAY_RESPONSE_DEFAULTS: Readonly<Record<GatewayResponseType, GatewayResponseDefault>> = {
  ACCESS_DENIED: { status: 403, message: 'Forbidden', errorType: 'AccessDeniedException' },
  API_CONFIGURATION_ERROR: { status: 500, message: 'Internal server error', errorType: 'InternalServerErrorException' },
  AUTHORIZER_CONFIGURATION_ERROR: { status: 500, message: 'Internal server error', errorType: 'AuthorizerConfigurationException' },
  AUTHORIZER_FAILURE: { status: 500, message: 'Internal server error', errorType: 'AuthorizerFailureException' },
  BAD_REQUEST_PARAMETERS: { status: 400, message: 'Bad Request', errorType: 'BadRequestException' },
  BAD_REQUEST_BODY: { status: 400, message: 'Invalid request body', errorType: 'BadRequestException' },
  DEFAULT_4XX: { status: 400, message: 'Bad Request', errorType: 'BadRequestException' },
  DEFAULT_5XX: { status: 500, message: 'Internal server error', errorType: 'InternalServerErrorException' },
  EXPIRED_TOKEN: { status: 403, message: 'Token expired', errorType: 'ExpiredTokenException' },
  INTEGRATION_FAILURE: { status: 504, message: 'Internal server error', errorType: 'InternalServerErrorException' },
  INTEGRATION_TIMEOUT: { status: 504, message: 'Endpoint request timed out', errorType: 'InternalServerErrorException' },
  INVALID_API_KEY: { status: 403, message: 'Forbidden', errorType: 'ForbiddenException' },
  INVALID_SIGNATURE: { status: 403, message: 'Forbidden', errorType: 'InvalidSignatureException' },
  MISSING_AUTHENTICATION_TOKEN: {
    status: 403,
    message: 'Missing Authentication Token',
    errorType: 'MissingAuthenticationTokenException',
  },
  QUOTA_EXCEEDED: { status: 429, message: 'Limit Exceeded', errorType: 'LimitExceededException' },
  REQUEST_TOO_LARGE: { status: 413, message: 'Request Too Long', errorType: 'RequestTooLargeException' },
  RESOURCE_NOT_FOUND: { status: 404, message: 'Not Found', errorType: 'NotFoundException' },
  THROTTLED: { status: 429, message: 'Too Many Requests', errorType: 'TooManyRequestsException' },
  UNAUTHORIZED: { status: 401, message: 'Unauthorized', errorType: 'UnauthorizedException' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Unsupported Media Type', errorType: 'UnsupportedMediaTypeException' },
  WAF_FILTERED: { status: 403, message: 'Forbidden', errorType: 'WAFFilteredException' },
};

export const GATEWAY_RESPONSE_TYPES = Object.keys(GATEWAY_RESPONSE_DEFAULTS) as GatewayResponseType[];

export interface GatewayErrorOptions {
  /** A status that differs from the type's default (e.g. 502 for a failed Lambda proxy call). */
  status?: number;
  /** `$context.error.validationErrorString`. */
  validationErrorString?: string;
  /** What went wrong, for the gateway's own log; never sent to the client. */
  cause?: unknown;
}

/** A failure of the request chain that becomes a gateway response. */
export class GatewayError extends Error {
  readonly type: GatewayResponseType;
  readonly status: number;
  readonly validationErrorString: string | undefined;

  constructor(type: GatewayResponseType, message?: string, options: GatewayErrorOptions = {}) {
    const defaults = GATEWAY_RESPONSE_DEFAULTS[type];
    super(message ?? defaults.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.type = type;
    this.status = options.status ?? defaults.status;
    this.validationErrorString = options.validationErrorString;
  }

  /** The DEFAULT_4XX / DEFAULT_5XX family an unspecified override falls back to. */
  get family(): 'DEFAULT_4XX' | 'DEFAULT_5XX' {
    return this.status >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX';
  }

  get errorType(): string {
    return GATEWAY_RESPONSE_DEFAULTS[this.type].errorType;
  }
}
