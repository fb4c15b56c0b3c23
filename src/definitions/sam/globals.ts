/**
 * SAM `Globals`: properties shared by every resource of a type, merged the way the AWS SAM Developer Guide
 * "Globals section of the AWS SAM template" describes: maps merge (resource keys win), lists append
 * (globals first), scalars and intrinsic functions are replaced by the resource's own value.
 */
import { at } from '../errors.js';
import { isRecord, type JsonObject } from '../values.js';
import type { Template } from '../cloudformation/template.js';

const SECTIONS: Record<string, string> = {
  Function: 'AWS::Serverless::Function',
  Api: 'AWS::Serverless::Api',
  HttpApi: 'AWS::Serverless::HttpApi',
  SimpleTable: 'AWS::Serverless::SimpleTable',
  StateMachine: 'AWS::Serverless::StateMachine',
  LayerVersion: 'AWS::Serverless::LayerVersion',
};

/**
 * Properties each section accepts ("Supported resources and properties"): e.g. not a function's Role, Policies,
 * FunctionName or Events, not an API's StageName or DefinitionBody.
 */
const SUPPORTED: Record<string, readonly string[]> = {
  Function: [
    'Handler', 'Runtime', 'CodeUri', 'DeadLetterQueue', 'Description', 'MemorySize', 'Timeout', 'VpcConfig',
    'Environment', 'Tags', 'PropagateTags', 'Tracing', 'KmsKeyArn', 'AutoPublishAlias', 'AutoPublishAliasAllProperties',
    'Layers', 'DeploymentPreference', 'RolePath', 'PermissionsBoundary', 'ReservedConcurrentExecutions',
    'ProvisionedConcurrencyConfig', 'AssumeRolePolicyDocument', 'EventInvokeConfig', 'FileSystemConfigs',
    'CodeSigningConfigArn', 'Architectures', 'SnapStart', 'EphemeralStorage', 'FunctionUrlConfig',
    'RuntimeManagementConfig', 'LoggingConfig', 'RecursiveLoop', 'SourceKMSKeyArn',
  ],
  Api: [
    'Auth', 'Name', 'DefinitionUri', 'CacheClusterEnabled', 'CacheClusterSize', 'MergeDefinitions', 'Variables',
    'EndpointConfiguration', 'MethodSettings', 'BinaryMediaTypes', 'MinimumCompressionSize', 'Cors',
    'GatewayResponses', 'AccessLogSetting', 'CanarySetting', 'TracingEnabled', 'OpenApiVersion', 'Domain',
    'AlwaysDeploy', 'PropagateTags',
  ],
  HttpApi: [
    'Auth', 'AccessLogSettings', 'StageVariables', 'Tags', 'CorsConfiguration', 'DefaultRouteSettings', 'Domain',
    'RouteSettings', 'FailOnWarnings', 'PropagateTags',
  ],
  SimpleTable: ['SSESpecification'],
  StateMachine: ['PropagateTags'],
  LayerVersion: ['PublishLambdaVersion'],
};

/** `{ Ref: x }`, `{ 'Fn::Sub': x }`...: merged as a whole value, never key by key. */
function isIntrinsic(value: unknown): boolean {
  if (!isRecord(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::') || keys[0] === 'Condition');
}

export function mergeGlobal(global: unknown, local: unknown): unknown {
  if (local === undefined) return structuredClone(global);
  if (isIntrinsic(global) || isIntrinsic(local)) return local;
  if (Array.isArray(global) && Array.isArray(local)) return [...structuredClone(global), ...local];
  if (isRecord(global) && isRecord(local)) {
    const out: JsonObject = {};
    for (const key of new Set([...Object.keys(global), ...Object.keys(local)])) out[key] = mergeGlobal(global[key], local[key]);
    return out;
  }
  return local;
}

/** A resource's properties with its type's Globals section merged in. */
export function withGlobals(template: Template, type: string, properties: JsonObject): JsonObject {
  const section = Object.keys(SECTIONS).find((s) => SECTIONS[s] === type);
  const values = section === undefined ? undefined : template.globals[section];
  if (!isRecord(values)) return properties;
  const supported = Object.fromEntries(Object.entries(values).filter(([key]) => SUPPORTED[section!]!.includes(key)));
  return mergeGlobal(supported, properties) as JsonObject;
}

/** Merges Globals into the resources written in the template (implicit ones get theirs when created). */
export function applyGlobals(template: Template): void {
  for (const [section, values] of Object.entries(template.globals)) {
    const loc = at(template.root, 'Globals', section);
    if (!SECTIONS[section]) template.problems.add(loc, `'${section}' is not a supported Globals section (${Object.keys(SECTIONS).join(', ')})`);
    else if (!isRecord(values)) template.problems.add(loc, 'must be an object');
    else {
      for (const key of Object.keys(values)) {
        if (!SUPPORTED[section]!.includes(key)) template.problems.add(at(loc, key), `'${key}' is not a supported property of Globals.${section}`);
      }
    }
  }
  for (const resource of template.resources.values()) {
    resource.properties = withGlobals(template, resource.type, resource.properties);
  }
}
