/**
 * What an embedded AWS service is to the endpoint: it claims the requests of its protocol and
 * answers them. Protocol parsing, operations and storage stay separate layers inside a service
 * (STYLE.md): a service is a table of operations behind a protocol.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../core/log.js';
import type { Project } from '../definitions/model.js';
import type { LambdaRuntime } from '../lambda/index.js';
import type { CallAws } from './aws-client.js';
import type { IamIdentities } from '../iam/identities.js';

export interface ServiceContext {
  /** Folder this service keeps its durable state in (created by the endpoint). */
  dataDir: string;
  region: string;
  accountId: string;
  /** The endpoint's base URL ('http://127.0.0.1:4566'). */
  endpoint: string;
  log: Logger;
  /** The loaded template: resources declared there must exist at start. */
  project: Project;
  /** The local Lambda runtime, for services that invoke functions (Step Functions tasks, SNS subscriptions). */
  lambda?: LambdaRuntime;
  /** Calls another embedded service through the endpoint (Step Functions service tasks). */
  callAws?: CallAws;
  /** IAM identities by access key; with `enforce`, services check their policies on calls they sign. */
  iam?: IamIdentities;
  /** The services created before this one (event source mappings read queues and streams in-process). */
  services?: readonly EmbeddedService[];
  /** `--postgres-url`: the template's databases live on that server instead of an embedded PostgreSQL. */
  postgresUrl?: string;
  /** `--db-engine`: the embedded databases' engine; absent: the installed PostgreSQL, else PGlite. */
  databaseEngine?: 'postgres' | 'pglite';
  /** Interface the embedded databases listen on (the API's --host). */
  databaseHost?: string;
  /** `--verify-signatures`: the secret of each accepted access key id. */
  lookupSecret?: (accessKeyId: string) => string | undefined;
}

/** A request as the endpoint hands it to services: the body is read once. */
export interface ServiceRequest {
  raw: IncomingMessage;
  method: string;
  /** Path as sent, without the query. */
  path: string;
  /** Query string without '?'. */
  query: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface EmbeddedService {
  readonly name: string;
  /** True when the request belongs to this service (decided from headers, path, query or form body). */
  matches(request: ServiceRequest): boolean;
  /** Requests AWS serves without SigV4 (public keys, OAuth endpoints): `--verify-signatures` lets them through. */
  unsigned?(request: ServiceRequest): boolean;
  handle(request: ServiceRequest, res: ServerResponse): Promise<void>;
  close(): Promise<void>;
}

export type ServiceFactory = (context: ServiceContext) => Promise<EmbeddedService>;
