/**
 * The internal model every definition format loads into: what API Gateway would hold after a
 * deployment (REST API "RestApi/Resource/Method/Integration", HTTP API "Api/Route/Integration"),
 * plus the template's other resources for the services that later plug in.
 * Values keep AWS spelling (uppercase enums, mapping expressions as written).
 */

/** Where a piece of the model came from, so errors can name the file and the JSON pointer. */
export interface SourceRef {
  file: string;
  pointer: string;
}

export type ApiProtocol = 'REST' | 'HTTP';

export interface Project {
  /** Absolute path of the definition file that was loaded. */
  file: string;
  stackName: string;
  region: string;
  accountId: string;
  apis: Api[];
  functions: FunctionDefinition[];
  vpcLinks: VpcLink[];
  domains: CustomDomain[];
  /** Every template resource with its resolved properties (empty for a bare OpenAPI file). */
  resources: TemplateResource[];
  /** Resolved stack outputs (CloudFormation `Outputs`). */
  outputs: Record<string, { value: unknown; description?: string; exportName?: string }>;
  parameters: Record<string, string>;
}

export interface TemplateResource {
  logicalId: string;
  type: string;
  /** Properties with every intrinsic resolved. */
  properties: Record<string, unknown>;
  /** What `Ref` returns. */
  physicalId: string;
  /** What `Fn::GetAtt` returns, by attribute name. */
  attributes: Record<string, unknown>;
  /** The resource's `Metadata` as written (gatehouse reads its own keys there, e.g. database migrations). */
  metadata?: Record<string, unknown>;
  source: SourceRef;
}

export interface Api {
  /** 10 lowercase alphanumerics like API Gateway's, stable across restarts for the same definition. */
  id: string;
  name: string;
  protocol: ApiProtocol;
  /** Logical id in a template, or undefined for a bare OpenAPI file. */
  logicalId?: string;
  source: SourceRef;
  stages: Stage[];
  routes: Route[];
  /** Model name -> JSON Schema (draft 4), `$ref`s between models left as written. */
  models: Record<string, JsonSchema>;
  requestValidators: Record<string, RequestValidator>;
  /** Gateway response type (e.g. MISSING_AUTHENTICATION_TOKEN, DEFAULT_4XX) -> override. */
  gatewayResponses: Record<string, GatewayResponseOverride>;
  binaryMediaTypes: string[];
  apiKeySource: 'HEADER' | 'AUTHORIZER';
  /** Bytes; undefined = compression disabled (AWS default). */
  minimumCompressionSize?: number;
  /** HTTP API `CorsConfiguration` / `x-amazon-apigateway-cors`. */
  cors?: CorsConfiguration;
  endpointType: 'EDGE' | 'REGIONAL' | 'PRIVATE';
  disableExecuteApiEndpoint: boolean;
  /** Authorizer name -> definition, kept for the auth stage. */
  authorizers: Record<string, AuthorizerDefinition>;
  /** Resource policy document (`x-amazon-apigateway-policy`), kept for the auth stage. */
  policy?: unknown;
}

export interface Stage {
  name: string;
  variables: Record<string, string>;
  /**
   * `*\/*` and `resourcePath/METHOD` keyed settings (throttling, caching, ...); the resource path is written with
   * every `/` as `~1` like API Gateway's stage settings: `~1pets~1{id}/GET`, root `~1/GET`; HTTP API `$default/ANY`.
   */
  methodSettings: Record<string, MethodSetting>;
  /** HTTP API: true when the stage is `$default` (served without a stage prefix). */
  isDefault: boolean;
  /** REST stage cache (`CacheClusterEnabled`); absent = no cache cluster. */
  cacheClusterEnabled?: boolean;
  /** Cache capacity in GB as API Gateway spells it (`0.5`, `1.6`, `6.1`, `13.5`, `28.4`, `58.2`, `118`, `237`). */
  cacheClusterSize?: string;
}

export interface MethodSetting {
  throttlingBurstLimit?: number;
  throttlingRateLimit?: number;
  cachingEnabled?: boolean;
  cacheTtlInSeconds?: number;
  cacheDataEncrypted?: boolean;
  /** Cache invalidation (`Cache-Control: max-age=0`) needs `execute-api:InvalidateCache`; API default true. */
  requireAuthorizationForCacheControl?: boolean;
  unauthorizedCacheControlHeaderStrategy?: 'FAIL_WITH_403' | 'SUCCEED_WITH_RESPONSE_HEADER' | 'SUCCEED_WITHOUT_RESPONSE_HEADER';
  dataTraceEnabled?: boolean;
  loggingLevel?: string;
  metricsEnabled?: boolean;
}

export type AuthorizationType = 'NONE' | 'AWS_IAM' | 'CUSTOM' | 'COGNITO_USER_POOLS' | 'JWT';

/** A method on a resource (REST) or a route (HTTP API). */
export interface Route {
  /** REST resource path (`/pets/{id}`, `/{proxy+}`, `/`) or, for HTTP APIs, `$default` too. */
  path: string;
  /** Uppercase HTTP method, or `ANY`. */
  method: string;
  /** REST: `GET /pets/{id}`-style key is derived; HTTP API: the route key as declared. */
  routeKey: string;
  operationName?: string;
  /** Declared method request parameters: name -> required. */
  requestParameters: {
    path: Record<string, boolean>;
    querystring: Record<string, boolean>;
    header: Record<string, boolean>;
  };
  /** Content type -> model name. */
  requestModels: Record<string, string>;
  /** Name of a validator in `Api.requestValidators`. */
  requestValidator?: string;
  apiKeyRequired: boolean;
  authorizationType: AuthorizationType;
  authorizerName?: string;
  authorizationScopes: string[];
  /** Status code -> method response. */
  methodResponses: Record<string, MethodResponse>;
  integration: Integration;
  source: SourceRef;
}

export interface MethodResponse {
  /** Header name -> required. */
  headers: Record<string, boolean>;
  /** Content type -> model name. */
  models: Record<string, string>;
}

export type IntegrationType = 'MOCK' | 'HTTP' | 'HTTP_PROXY' | 'AWS' | 'AWS_PROXY';
export type PassthroughBehavior = 'WHEN_NO_MATCH' | 'WHEN_NO_TEMPLATES' | 'NEVER';
export type ContentHandling = 'CONVERT_TO_TEXT' | 'CONVERT_TO_BINARY';

export interface Integration {
  type: IntegrationType;
  /** Method used towards the backend; `ANY` = the client's method. */
  httpMethod: string;
  /** As written (may contain `{param}` and `${stageVariables.x}`); '' for MOCK. */
  uri: string;
  connectionType: 'INTERNET' | 'VPC_LINK';
  connectionId?: string;
  credentials?: string;
  /** `integration.request.header.x` (REST) or `overwrite:header.x` (HTTP API) -> source expression. */
  requestParameters: Record<string, string>;
  /** Content type -> VTL template. */
  requestTemplates: Record<string, string>;
  passthroughBehavior: PassthroughBehavior;
  contentHandling?: ContentHandling;
  /** 50..29000 for REST (default 29000); HTTP API up to 30000. */
  timeoutInMillis: number;
  cacheKeyParameters: string[];
  cacheNamespace?: string;
  /** REST integration responses, in declaration order (the `default` one has selectionPattern undefined). */
  responses: IntegrationResponse[];
  /** HTTP API first-class integrations, e.g. `SQS-SendMessage`. */
  integrationSubtype?: string;
  /** HTTP API Lambda payload format: '1.0' or '2.0'. */
  payloadFormatVersion: '1.0' | '2.0';
  /** HTTP API response parameter mapping: status code -> { 'overwrite:header.x': '$response.header.y' }. */
  responseParameters: Record<string, Record<string, string>>;
  tlsConfig?: { insecureSkipVerification?: boolean; serverNameToVerify?: string };
}

export interface IntegrationResponse {
  /** Regex matched against the status (HTTP/AWS) or the Lambda errorMessage; undefined = default. */
  selectionPattern?: string;
  statusCode: string;
  /** `method.response.header.X` -> source expression. */
  responseParameters: Record<string, string>;
  /** Content type -> VTL template. */
  responseTemplates: Record<string, string>;
  contentHandling?: ContentHandling;
}

export interface RequestValidator {
  validateRequestBody: boolean;
  validateRequestParameters: boolean;
}

export interface GatewayResponseOverride {
  statusCode?: string;
  /** `gatewayresponse.header.X` -> `'static'` or `method.request.header.y` etc. */
  responseParameters: Record<string, string>;
  /** Content type -> VTL template. */
  responseTemplates: Record<string, string>;
}

export interface CorsConfiguration {
  allowOrigins: string[];
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  maxAge?: number;
  allowCredentials: boolean;
}

export interface AuthorizerDefinition {
  name: string;
  /** `token`, `request`, `cognito_user_pools`, `jwt`, `aws_iam`, as API Gateway exports it. */
  type: string;
  /** Everything the definition said, intrinsics resolved. */
  raw: Record<string, unknown>;
  source: SourceRef;
  // The fields below are `raw` normalized, whichever format declared the authorizer
  // (x-amazon-apigateway-authorizer, AWS::ApiGateway::Authorizer, AWS::ApiGatewayV2::Authorizer, SAM Auth).
  /** Lambda authorizers: `arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations` (or a function ARN). */
  authorizerUri?: string;
  /** Role API Gateway assumes to invoke the authorizer function. */
  authorizerCredentials?: string;
  /** `method.request.header.Authorization`-style (REST) or `$request.header.Authorization`-style (HTTP API) sources. */
  identitySource: string[];
  /** TOKEN / Cognito authorizers: regex the token must match before the authorizer is called. */
  identityValidationExpression?: string;
  /** Authorizer result cache TTL in seconds; 0 = no caching (REST default 300, HTTP API default 0). */
  resultTtlInSeconds: number;
  /** Cognito user pool ARNs (`cognito_user_pools`). */
  providerArns: string[];
  /** JWT authorizers (HTTP API). */
  jwtConfiguration?: { issuer: string; audience: string[] };
  /** HTTP API Lambda authorizer payload format. */
  payloadFormatVersion?: '1.0' | '2.0';
  /** HTTP API Lambda authorizer answering `{ isAuthorized }` instead of an IAM policy. */
  enableSimpleResponses: boolean;
}

export type JsonSchema = Record<string, unknown>;

export interface VpcLink {
  /** The id `connectionId` refers to (the VpcLink's Ref), and its logical id. */
  id: string;
  logicalId?: string;
  /** Backend base URLs (http://host:port) resolved from target groups or the gatehouse config. */
  targets: string[];
  healthCheck?: { path: string; intervalSeconds: number; healthyThreshold: number; unhealthyThreshold: number };
}

export interface CustomDomain {
  domainName: string;
  /** Base path ('' for the root) -> API id and stage. */
  mappings: { basePath: string; apiId: string; stage: string }[];
}

/** A Lambda function declared in the template (AWS::Serverless::Function, AWS::Lambda::Function). */
export interface FunctionDefinition {
  logicalId: string;
  /** Physical function name (FunctionName or generated). */
  name: string;
  arn: string;
  runtime: string;
  handler: string;
  /** Absolute folder holding the code (CodeUri / Code local path); undefined for inline code. */
  codeDir?: string;
  /** Code.ZipFile inline source. */
  inlineCode?: string;
  environment: Record<string, string>;
  /** Seconds. */
  timeout: number;
  /** MB. */
  memorySize: number;
  reservedConcurrency?: number;
  /** Absolute folders of local layers. */
  layers: string[];
  architectures: string[];
  /** SAM `Metadata` (BuildMethod: esbuild, BuildProperties...). */
  metadata: Record<string, unknown>;
  source: SourceRef;
}
