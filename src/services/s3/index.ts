/**
 * The embedded S3: the REST-XML fallback service of the AWS endpoint (path-style and
 * virtual-hosted requests), durable under the service's data dir, buckets of the template
 * present at start. AWS docs: Amazon S3 API Reference (Welcome.html) and User Guide
 * "Virtual hosting of buckets" (VirtualHosting.html).
 */
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { TemplateResource } from '../../definitions/model.js';
import { resourceProblem } from '../../definitions/errors.js';
import { AwsServiceError } from '../protocol/errors.js';
import type { EmbeddedService, ServiceContext, ServiceFactory, ServiceRequest } from '../service.js';
import { parseQuery } from '../sigv4/index.js';
import { s3Error, type S3Error } from './errors.js';
import { authorizeAnonymous, hideMissingKey } from './handlers/authorize.js';
import type { S3Call } from './handlers/call.js';
import { HANDLERS } from './handlers/index.js';
import { ensureBucket, validBucketName } from './operations/buckets.js';
import type { S3Context } from './operations/context.js';
import { validatePolicy } from './operations/policy.js';
import { authenticate, type AuthOptions } from './protocol/auth.js';
import { S3Response } from './protocol/response.js';
import { routeRequest } from './protocol/route.js';
import { S3Store } from './store/store.js';

export interface S3ServiceOptions {
  /** Verify SigV4 signatures (header, pre-signed and chunk signatures); off by default: any credentials pass. */
  verifySignatures?: boolean;
  /** Secret access key of an access key id; required for verification (unknown ids are InvalidAccessKeyId). */
  lookupSecret?(accessKeyId: string): string | undefined;
}

/** Blobs no row names are swept at start once this old (a crash between file and row left them). */
const ORPHAN_AGE_MS = 60 * 60 * 1000;

export const s3Service = (async (context: ServiceContext, options: S3ServiceOptions = {}): Promise<EmbeddedService> => {
  const store = new S3Store(context.dataDir);
  const swept = store.sweepBlobs(ORPHAN_AGE_MS);
  if (swept > 0) context.log.info(`s3: removed ${swept} orphaned object file(s)`);
  const s3: S3Context = {
    store,
    region: context.region,
    owner: { id: createHash('sha256').update(`gatehouse:${context.accountId}`).digest('hex'), displayName: 'gatehouse' },
    now: Date.now,
  };
  try {
    await seedFromTemplate(s3, context);
  } catch (error) {
    store.close();
    throw error;
  }
  const auth: AuthOptions = {
    verifySignatures: options.verifySignatures ?? false,
    lookupSecret: options.lookupSecret ?? (() => undefined),
  };

  return {
    name: 's3',
    matches,
    async handle(request: ServiceRequest, res: ServerResponse): Promise<void> {
      const out = new S3Response(res);
      const head = request.method === 'HEAD';
      let call: S3Call | undefined;
      try {
        const query = parseQuery(request.query);
        const route = routeRequest(request, query);
        const caller = await authenticate(request, query, auth, new Date());
        if (caller.anonymous) authorizeAnonymous(s3, route, request);
        call = { request, query, route, out, context: s3, caller, endpoint: context.endpoint };
        await HANDLERS[route.operation](call);
      } catch (error) {
        if (!(error instanceof AwsServiceError)) {
          context.log.error(`s3: ${(error as Error)?.stack ?? String(error)}`);
          out.error(s3Error('InternalError'), head);
          return;
        }
        const shown = call?.caller.anonymous ? hideMissingKey(s3, call.route, error as S3Error) : error;
        out.error(shown, head);
      }
    },
    async close(): Promise<void> {
      store.close();
    },
  };
}) satisfies ServiceFactory;

/**
 * S3 is the endpoint's fallback: everything that is not a JSON (`X-Amz-Target`) or query
 * (`Action=`) protocol request, nor gatehouse's own routes. A request signed for S3 is always S3's.
 */
export function matches(request: ServiceRequest): boolean {
  if (request.path.startsWith('/_gatehouse/')) return false;
  const service = signedService(request);
  if (service !== undefined) return service === 's3';
  if (request.headers['x-amz-target'] !== undefined) return false;
  if (/(?:^|&)Action=/.test(request.query)) return false;
  const contentType = request.headers['content-type'];
  if (typeof contentType === 'string' && contentType.startsWith('application/x-www-form-urlencoded')) {
    if (/(?:^|&)Action=/.test(request.body.toString('latin1', 0, Math.min(request.body.length, 4096)))) return false;
  }
  return true;
}

/** The service of a SigV4 credential scope (header or pre-signed query), if any. */
function signedService(request: ServiceRequest): string | undefined {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string') {
    const match = /Credential=[^,]*?\/([^/,]+)\/aws4_request/.exec(authorization);
    if (match !== null) return match[1];
  }
  const query = /(?:^|&)X-Amz-Credential=([^&]*)/.exec(request.query);
  if (query !== null) {
    const match = /(?:\/|%2F)([^/%]+)(?:\/|%2F)aws4_request$/i.exec(query[1]!);
    if (match !== null) return match[1];
  }
  return undefined;
}

/** Template buckets exist at start; the template's bucket policies replace stored ones. */
async function seedFromTemplate(s3: S3Context, context: ServiceContext): Promise<void> {
  const resources: TemplateResource[] = context.project.resources ?? [];
  for (const resource of resources) {
    if (resource.type !== 'AWS::S3::Bucket') continue;
    const name = resource.physicalId;
    // CloudFormation's stack fails where CreateBucket answers InvalidBucketName.
    if (!validBucketName(name)) throw resourceProblem(resource, `bucket name ${JSON.stringify(name)} is not valid (S3 bucket naming rules)`);
    await ensureBucket(s3, name, context.region);
  }
  for (const resource of resources) {
    if (resource.type !== 'AWS::S3::BucketPolicy') continue;
    const bucket = resource.properties['Bucket'];
    const document = resource.properties['PolicyDocument'];
    if (typeof bucket !== 'string' || document === undefined) throw resourceProblem(resource, 'Bucket and PolicyDocument are required');
    const text = typeof document === 'string' ? document : JSON.stringify(document);
    try {
      validatePolicy(text);
    } catch (error) {
      // PutBucketPolicy answers MalformedPolicy, and the stack fails.
      throw resourceProblem(resource, `MalformedPolicy: ${(error as Error).message}`);
    }
    if (!(await s3.store.setPolicy(bucket, text))) context.log.warn(`s3: ${resource.logicalId}: bucket '${bucket}' does not exist; policy skipped`);
  }
}
