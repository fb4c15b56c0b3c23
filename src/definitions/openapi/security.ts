/**
 * Security schemes -> authorizers, and an operation's `security` -> the method's authorization, as API Gateway
 * imports them (Developer Guide "x-amazon-apigateway-authorizer object", "x-amazon-apigateway-authtype property",
 * "Require API keys on a method": an `apiKey` scheme named `x-api-key` in the header).
 */
import type { AuthorizationType } from '../model.js';
import { at, type Loc } from '../errors.js';
import { buildAuthorizer, OPENAPI_AUTHORIZER_KEYS } from '../apigateway/settings.js';
import { Fields, isRecord } from '../values.js';
import { locOf, type OpenApiContext, type SchemeInfo } from './context.js';

const IAM_AUTHTYPES = ['awssigv4', 'sigv4', 'aws_iam'];

export function loadSecuritySchemes(ctx: OpenApiContext): void {
  const container = ctx.version === 3 ? ['components', 'securitySchemes'] : ['securityDefinitions'];
  let schemes: unknown = ctx.doc;
  for (const key of container) schemes = isRecord(schemes) ? schemes[key] : undefined;
  if (schemes === undefined) return;
  const containerLoc = at(ctx.root, ...container);
  const all = Fields.of(schemes, containerLoc, ctx.problems);
  if (!all) return;
  for (const [name, scheme] of Object.entries(all.obj)) {
    const f = Fields.of(scheme, locOf(ctx, scheme, all.at(name)), ctx.problems);
    if (!f) continue;
    ctx.schemes.set(name, classify(ctx, name, f));
  }
}

function classify(ctx: OpenApiContext, name: string, f: Fields): SchemeInfo {
  const value = f.raw('x-amazon-apigateway-authorizer');
  const authorizer = Fields.of(value, locOf(ctx, value, f.at('x-amazon-apigateway-authorizer')), ctx.problems);
  const authtype = f.str('x-amazon-apigateway-authtype')?.toLowerCase();
  if (authorizer) {
    const headerName = f.str('in') === 'header' ? f.str('name') : undefined;
    const built = buildAuthorizer(name, authorizer, OPENAPI_AUTHORIZER_KEYS, ctx.protocol, headerName);
    if (!built) return { kind: 'other' };
    ctx.builder.api.authorizers[name] = built;
    return { kind: 'authorizer', authorizerType: built.type };
  }
  if (authtype && IAM_AUTHTYPES.includes(authtype)) return { kind: 'iam' };
  if (f.str('type') === 'apiKey' && f.str('in') === 'header' && f.str('name')?.toLowerCase() === 'x-api-key') return { kind: 'apiKey' };
  return { kind: 'other' };
}

export interface MethodAuth {
  authorizationType: AuthorizationType;
  authorizerName?: string;
  authorizationScopes: string[];
  apiKeyRequired: boolean;
}

const AUTHORIZATION_TYPE: Record<string, AuthorizationType> = {
  token: 'CUSTOM',
  request: 'CUSTOM',
  cognito_user_pools: 'COGNITO_USER_POOLS',
  jwt: 'JWT',
};

/**
 * The method's authorization from its `security` (else the document's). The first authorizer or IAM scheme
 * decides; an API key scheme anywhere in the list makes the key required.
 */
export function methodAuth(ctx: OpenApiContext, op: Fields): MethodAuth {
  const auth: MethodAuth = { authorizationType: 'NONE', authorizationScopes: [], apiKeyRequired: false };
  const own = op.raw('security');
  const security = own !== undefined ? own : ctx.doc['security'];
  const loc: Loc = own !== undefined ? op.at('security') : at(ctx.root, 'security');
  if (security !== undefined && !Array.isArray(security)) {
    ctx.problems.add(loc, 'security must be a list of security requirements');
  }
  const requirements = Array.isArray(security) ? security : [];
  let decided = false;
  requirements.forEach((requirement, i) => {
    const r = Fields.of(requirement, at(loc, i), ctx.problems);
    if (!r) return;
    for (const schemeName of Object.keys(r.obj)) {
      const scheme = ctx.schemes.get(schemeName);
      if (!scheme) {
        ctx.problems.add(r.at(schemeName), `security scheme '${schemeName}' is not defined`);
        continue;
      }
      if (scheme.kind === 'apiKey') auth.apiKeyRequired = true;
      if (decided || scheme.kind === 'apiKey' || scheme.kind === 'other') continue;
      decided = true;
      if (scheme.kind === 'iam') {
        auth.authorizationType = 'AWS_IAM';
      } else {
        auth.authorizationType = AUTHORIZATION_TYPE[scheme.authorizerType ?? ''] ?? 'CUSTOM';
        auth.authorizerName = schemeName;
        auth.authorizationScopes = r.strList(schemeName);
      }
    }
  });
  // REST exports spell IAM on a method without a security scheme as `x-amazon-apigateway-auth: {type: AWS_IAM}`.
  const legacy = op.fields('x-amazon-apigateway-auth')?.str('type')?.toUpperCase();
  if (!decided && legacy === 'AWS_IAM') auth.authorizationType = 'AWS_IAM';
  return auth;
}
