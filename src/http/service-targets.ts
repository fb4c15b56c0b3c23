/**
 * Where each AWS service's calls go (DESIGN.md "Integrations and where they go"): `embedded`
 * (default: gatehouse's own endpoint, signed with the local keys), `aws` (the real regional
 * endpoint, or AWS_ENDPOINT_URL_<SERVICE> / AWS_ENDPOINT_URL as the SDKs read them, signed with the
 * standard credential chain) or an endpoint URL of a compatible engine (MinIO, DynamoDB Local,
 * moto ..., signed with the environment's keys when set, else the local ones). A service aimed
 * elsewhere is not started inside gatehouse.
 * AWS docs: SDKs and Tools Reference Guide, "Service-specific endpoints" (AWS_ENDPOINT_URL_<SERVICE>).
 */
import { environmentCredentials } from './aws-credentials.js';
import { LOCAL_CREDENTIALS, SigV4Signer, type CredentialProvider, type SigningCredentials } from './sigv4-signer.js';

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

/** The SDKs' service ids in AWS_ENDPOINT_URL_<ID>, by signing name. */
const ENDPOINT_IDS: Readonly<Record<string, string>> = { s3: 'S3', dynamodb: 'DYNAMODB', sqs: 'SQS', sns: 'SNS', kinesis: 'KINESIS', states: 'SFN' };

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

/** True when some target (a service's or Lambda's) is real AWS: only then is the credential chain loaded. */
export function targetsAws(targets: Map<string, string> | undefined): boolean {
  return targets !== undefined && [...targets.values()].includes('aws');
}

export class ServiceTargets {
  readonly #targets: Map<string, string>;
  readonly #embedded: ServiceTarget;
  readonly #remote: SigV4Signer | undefined;
  readonly #external: SigV4Signer;
  readonly #env: NodeJS.ProcessEnv;

  /**
   * `targets`: from parseTargets; `embeddedUrl`: the AWS endpoint's URL; `credentials`: the standard
   * chain, required when a target is `aws` (standardCredentials(), shared with Lambda's targets).
   */
  constructor(
    targets: Map<string, string>,
    embeddedUrl: string,
    credentials: CredentialProvider | SigningCredentials | undefined,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.#targets = targets;
    this.#env = env;
    this.#embedded = { url: new URL(embeddedUrl), signer: new SigV4Signer(LOCAL_CREDENTIALS), embedded: true };
    if (targetsAws(targets) && credentials === undefined) throw new TargetError('--target ...=aws needs the standard AWS credential chain');
    this.#remote = credentials === undefined ? undefined : new SigV4Signer(credentials);
    this.#external = new SigV4Signer(environmentCredentials(env));
  }

  /** The target of `service` (signing name, e.g. 'states') for a call in `region`. */
  forService(service: string, region: string): ServiceTarget {
    const target = this.#targets.get(service);
    if (target === undefined || target === 'embedded') return this.#embedded;
    if (target === 'aws') {
      const id = ENDPOINT_IDS[service];
      const override = (id === undefined ? undefined : this.#env[`AWS_ENDPOINT_URL_${id}`]) ?? this.#env['AWS_ENDPOINT_URL'];
      return { url: new URL(override ?? `https://${service}.${region}.amazonaws.com`), signer: this.#remote!, embedded: false };
    }
    return { url: new URL(target), signer: this.#external, embedded: false };
  }

  /** True when the embedded service of that name (an EMBEDDED_SERVICES name) is replaced by another target. */
  replaces(embeddedName: string): boolean {
    const service = SERVICES[embeddedName];
    const target = service === undefined ? undefined : this.#targets.get(service);
    return target !== undefined && target !== 'embedded';
  }
}
