/**
 * The embedded Cognito user pools: `X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>`
 * over AWS JSON 1.1, identity pools (`AWSCognitoIdentityService.GetId` / `GetCredentialsForIdentity`), plus each pool's public keys at `/{poolId}/.well-known/jwks.json` and its
 * OpenID discovery document, so tokens it issues verify offline, and the OAuth 2.0 token and userInfo
 * endpoints (oauth.ts). Pools, clients, groups and users
 * declared in the template exist at start; state is durable in SQLite.
 * AWS docs: Amazon Cognito user pools API Reference; Developer Guide "Verifying a JSON Web Token"
 * (`https://cognito-idp.{region}.amazonaws.com/{userPoolId}/.well-known/jwks.json`).
 */
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import type { EmbeddedService, ServiceFactory, ServiceRequest } from '../service.js';
import { AwsServiceError } from '../protocol/errors.js';
import { jsonOperation, parseJsonInput, writeJson, writeJsonError } from '../protocol/json.js';
import type { Operation } from './context.js';
import { getCredentialsForIdentity, getId, registerCredentials, templateIdentityPools, type IdentityContext } from './operations/identity-pools.js';
import { adminInitiateAuth, adminRespondToAuthChallenge, initiateAuth, respondToAuthChallenge } from './operations/auth.js';
import { createGroup, createUserPool, createUserPoolClient, describeUserPool, describeUserPoolClient, listUserPools, loadTemplatePools } from './operations/pools.js';
import {
  adminAddUserToGroup,
  adminConfirmSignUp,
  adminCreateUser,
  adminDeleteUser,
  adminGetUser,
  adminListGroupsForUser,
  adminSetUserPassword,
  confirmSignUp,
  getUser,
  listUsers,
  signUp,
} from './operations/users.js';
import { CognitoStore } from './store.js';
import { issuerOf, jwksOf } from './tokens.js';
import { handleOAuth, isOAuthRequest } from './oauth.js';
import {
  createResourceServer,
  createUserPoolDomain,
  deleteResourceServer,
  deleteUserPoolDomain,
  describeResourceServer,
  describeUserPoolDomain,
  listResourceServers,
  loadTemplateOAuth,
} from './operations/oauth-setup.js';

const TARGET_PREFIX = 'AWSCognitoIdentityProviderService';
const IDENTITY_PREFIX = 'AWSCognitoIdentityService';
/** `/us-east-1_AbC123xyZ/.well-known/jwks.json`: underscores never occur in bucket names, so S3 never wanted these paths. */
const WELL_KNOWN = /^\/([a-z]{2}(?:-[a-z]+)+-\d_[0-9A-Za-z]+)\/\.well-known\/(jwks\.json|openid-configuration)$/;
const SWEEP_INTERVAL_MS = 60_000;

const IDENTITY_OPERATIONS: Record<string, (ctx: IdentityContext, input: Record<string, unknown>) => Promise<unknown>> = {
  GetId: getId,
  GetCredentialsForIdentity: getCredentialsForIdentity,
};

const OPERATIONS: Record<string, Operation> = {
  CreateUserPool: createUserPool,
  DescribeUserPool: describeUserPool,
  ListUserPools: listUserPools,
  CreateUserPoolClient: createUserPoolClient,
  DescribeUserPoolClient: describeUserPoolClient,
  CreateGroup: createGroup,
  SignUp: signUp,
  ConfirmSignUp: confirmSignUp,
  AdminConfirmSignUp: adminConfirmSignUp,
  AdminCreateUser: adminCreateUser,
  AdminSetUserPassword: adminSetUserPassword,
  AdminGetUser: adminGetUser,
  AdminDeleteUser: adminDeleteUser,
  AdminAddUserToGroup: adminAddUserToGroup,
  AdminListGroupsForUser: adminListGroupsForUser,
  GetUser: getUser,
  ListUsers: listUsers,
  InitiateAuth: initiateAuth,
  AdminInitiateAuth: adminInitiateAuth,
  RespondToAuthChallenge: respondToAuthChallenge,
  CreateResourceServer: createResourceServer,
  DescribeResourceServer: describeResourceServer,
  ListResourceServers: listResourceServers,
  DeleteResourceServer: deleteResourceServer,
  CreateUserPoolDomain: createUserPoolDomain,
  DescribeUserPoolDomain: describeUserPoolDomain,
  DeleteUserPoolDomain: deleteUserPoolDomain,
  AdminRespondToAuthChallenge: adminRespondToAuthChallenge,
};

export const cognitoService: ServiceFactory = async (context) => {
  const store = new CognitoStore(path.join(context.dataDir, 'cognito.sqlite'));
  const ctx: IdentityContext = {
    store,
    region: context.region,
    accountId: context.accountId,
    log: context.log,
    now: () => Date.now(),
    identityPools: templateIdentityPools(context.project),
    iam: context.iam,
  };
  try {
    await loadTemplatePools(ctx, context.project);
    loadTemplateOAuth(ctx, context.project);
  } catch (error) {
    store.close();
    throw error;
  }
  // Identity pool credentials handed out before a restart keep their session.
  for (const c of store.liveCredentials(Date.now())) registerCredentials(ctx, c, store.loginOf(c.identityId)?.login.startsWith('unauthenticated:') ?? true);
  const timer = setInterval(() => store.sweep(Date.now()), SWEEP_INTERVAL_MS);
  timer.unref();

  const service: EmbeddedService = {
    name: 'cognito-idp',
    matches: (request) =>
      jsonOperation(request, TARGET_PREFIX) !== null || jsonOperation(request, IDENTITY_PREFIX) !== null || isPublic(request),
    // The keys, the discovery document and the OAuth endpoints are public on AWS: never SigV4-signed.
    unsigned: isPublic,
    async handle(request, res) {
      if (request.method === 'GET' && WELL_KNOWN.test(request.path)) {
        wellKnown(ctx, request, res);
        return;
      }
      if (isOAuthRequest(request)) {
        await handleOAuth(ctx, request, res);
        return;
      }
      const identityName = jsonOperation(request, IDENTITY_PREFIX);
      const name = identityName ?? jsonOperation(request, TARGET_PREFIX)!;
      try {
        const table: Record<string, (ctx: IdentityContext, input: Record<string, unknown>) => unknown> = identityName === null ? OPERATIONS : IDENTITY_OPERATIONS;
        const operation = Object.hasOwn(table, name) ? table[name] : undefined;
        if (operation === undefined) throw new AwsServiceError('UnknownOperationException', `Operation ${name} is not supported by the embedded Cognito service.`, 400);
        writeJson(res, '1.1', 200, await operation(ctx, parseJsonInput(request)));
      } catch (error) {
        if (!(error instanceof AwsServiceError)) {
          context.log.error(`cognito-idp ${name}: ${(error as Error)?.stack ?? String(error)}`);
          error = new AwsServiceError('InternalErrorException', 'Internal error', 500);
        }
        writeJsonError(res, '1.1', error as AwsServiceError);
      }
    },
    async close() {
      clearInterval(timer);
      store.close();
    },
  };
  return service;
};

function isPublic(request: ServiceRequest): boolean {
  return (request.method === 'GET' && WELL_KNOWN.test(request.path)) || isOAuthRequest(request);
}

/** The pool's JWKS, or its OpenID discovery document naming the Cognito issuer and where the keys are. */
function wellKnown(ctx: IdentityContext, request: ServiceRequest, res: ServerResponse): void {
  const [, poolId, document] = WELL_KNOWN.exec(request.path)!;
  const pool = ctx.store.getPool(poolId!);
  if (pool === undefined) {
    writeJson(res, '1.1', 404, { message: `User pool ${poolId} does not exist.` });
    return;
  }
  if (document === 'jwks.json') {
    writeJson(res, '1.1', 200, jwksOf(pool), { 'Content-Type': 'application/json', 'Cache-Control': 'max-age=3600' });
    return;
  }
  const issuer = issuerOf(ctx.region, pool.id);
  const host = request.headers.host ?? '127.0.0.1';
  writeJson(res, '1.1', 200, {
    issuer,
    jwks_uri: `http://${host}/${pool.id}/.well-known/jwks.json`,
    token_endpoint: `http://${host}/${pool.id}/oauth2/token`,
    userinfo_endpoint: `http://${host}/${pool.id}/oauth2/userInfo`,
    grant_types_supported: ['client_credentials', 'refresh_token'],
    id_token_signing_alg_values_supported: ['RS256'],
    subject_types_supported: ['public'],
    response_types_supported: ['code', 'token'],
    scopes_supported: ['openid', 'email', 'phone', 'profile'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
  }, { 'Content-Type': 'application/json' });
}
