/**
 * Where each AWS service's calls go (DESIGN.md "Integrations and where they go"): `embedded`
 * (default: gatehouse's own endpoint, signed with the local keys), `aws` (the real regional
 * endpoint, signed with the standard credential chain) or an endpoint URL of a compatible engine
 * (MinIO, DynamoDB Local, moto ..., signed with the standard chain when it has keys, else the
 * local ones). A service aimed elsewhere is not started inside gatehouse.
 */
import { standardCredentials } from './aws-credentials.js';
import { LOCAL_CREDENTIALS, SigV4Signer, type SigningCredentials } from './sigv4-signer.js';

/** Services a target can be set for, by the name `--target` takes; `states` is Step Functions' signing name. */
const SERVICES: Readonly<Record<string, string>> = {
  s3: 's3',
  dynamodb: 'dynamodb',
  sqs: 'sqs',
  sns: 'sns',
  kinesis: 'kinesis',
  stepfunctions: 'states',
  states: 'states',
};

export interface ServiceTarget {
  /** Origin to send to, 'http://127.0.0.1:4566' or 'https://dynamodb.us-east-1.amazonaws.com'. */
  url: URL;
  signer: SigV4Signer;
  /** True for gatehouse's own endpoint. */
  embedded: boolean;
}

export class TargetError extends Error {
  override name = 'TargetError';
}

/** `--target service=embedded|aws|URL` items, checked: unknown services and malformed URLs fail at start. */
export function parseTargets(items: Record<string, string>): Map<string, string> {
  const targets = new Map<string, string>();
  for (const [name, value] of Object.entries(items)) {
    const service = SERVICES[name];
    if (service === undefined) throw new TargetError(`--target ${name}=${value}: unknown service ${JSON.stringify(name)} (known: ${Object.keys(SERVICES).join(', ')})`);
    if (value !== 'embedded' && value !== 'aws') {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        throw new TargetError(`--target ${name}=${value}: expected embedded, aws or an http(s) URL`);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TargetError(`--target ${name}=${value}: expected an http(s) URL`);
    }
    targets.set(service, value);
  }
  return targets;
}

export class ServiceTargets {
  readonly #targets: Map<string, string>;
  readonly #embedded: ServiceTarget;
  readonly #remote: SigV4Signer | undefined;
  readonly #external: SigV4Signer;

  /** `targets`: from parseTargets; `embeddedUrl`: the AWS endpoint's URL. */
  constructor(targets: Map<string, string>, embeddedUrl: string, credentials: SigningCredentials | undefined = standardCredentials()) {
    this.#targets = targets;
    this.#embedded = { url: new URL(embeddedUrl), signer: new SigV4Signer(LOCAL_CREDENTIALS), embedded: true };
    if ([...targets.values()].includes('aws') && credentials === undefined) {
      throw new TargetError('--target ...=aws needs AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile in ~/.aws/credentials (AWS_PROFILE)');
    }
    this.#remote = credentials === undefined ? undefined : new SigV4Signer(credentials);
    this.#external = this.#remote ?? this.#embedded.signer;
  }

  /** The target of `service` (signing name, e.g. 'states') for a call in `region`. */
  forService(service: string, region: string): ServiceTarget {
    const target = this.#targets.get(service);
    if (target === undefined || target === 'embedded') return this.#embedded;
    if (target === 'aws') return { url: new URL(`https://${service}.${region}.amazonaws.com`), signer: this.#remote!, embedded: false };
    return { url: new URL(target), signer: this.#external, embedded: false };
  }

  /** True when the embedded service of that name (an EMBEDDED_SERVICES name) is replaced by another target. */
  replaces(embeddedName: string): boolean {
    const service = SERVICES[embeddedName];
    const target = service === undefined ? undefined : this.#targets.get(service);
    return target !== undefined && target !== 'embedded';
  }
}
