/**
 * The RDS Data API on the embedded endpoint (REST-JSON: `POST /Execute`, `/BatchExecute`,
 * `/BeginTransaction`, `/CommitTransaction`, `/RollbackTransaction`): SQL runs on the cluster named by
 * `resourceArn` (which must enable the HTTP endpoint) as the user of the Secrets Manager secret named by
 * `secretArn`. Connections are pooled per cluster, user and database; a transaction keeps its connection
 * until commit, rollback or three minutes without a call.
 * AWS docs: RDS Data API Reference (ExecuteStatement, BatchExecuteStatement, BeginTransaction,
 * CommitTransaction, RollbackTransaction, "Common Errors"); Aurora User Guide "Using the RDS Data API".
 */
import type { ServerResponse } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { loadPg } from '../pg.js';
import type { ServiceRequest } from '../../service.js';
import type { CallAws } from '../../aws-client.js';
import { AwsServiceError } from '../../protocol/errors.js';
import type { DatabaseServer } from '../servers.js';
import { bindParameters, columnMetadata, formattedRecords, records, type SqlParameter } from './values.js';

const PATHS: Record<string, string> = {
  '/Execute': 'ExecuteStatement',
  '/BatchExecute': 'BatchExecuteStatement',
  '/BeginTransaction': 'BeginTransaction',
  '/CommitTransaction': 'CommitTransaction',
  '/RollbackTransaction': 'RollbackTransaction',
};
/** "A transaction times out if there are no calls that use its transaction ID in three minutes." */
const TRANSACTION_IDLE_MS = 180_000;
/** Every column is read as text and converted by type here, so values keep PostgreSQL's exact text form. */
const TEXT_TYPES = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;

type Row = (string | null)[];
type Input = Record<string, unknown>;

export interface DataApiTarget {
  server: DatabaseServer;
  /** Where to connect (resolves once the server is ready). */
  connection(): Promise<pg.ClientConfig>;
}

interface Transaction {
  client: pg.PoolClient;
  resourceArn: string;
  timer: NodeJS.Timeout;
}

export function isDataApiRequest(request: ServiceRequest): boolean {
  return request.method === 'POST' && PATHS[request.path] !== undefined;
}

export class DataApi {
  readonly #targets: Map<string, DataApiTarget>;
  readonly #callAws: CallAws | undefined;
  readonly #pools = new Map<string, pg.Pool>();
  readonly #transactions = new Map<string, Transaction>();

  constructor(targets: DataApiTarget[], callAws: CallAws | undefined) {
    this.#targets = new Map(targets.map((t) => [t.server.arn, t]));
    this.#callAws = callAws;
  }

  async handle(request: ServiceRequest, res: ServerResponse): Promise<void> {
    try {
      let input: Input;
      try {
        input = request.body.length === 0 ? {} : (JSON.parse(request.body.toString('utf8')) as Input);
      } catch {
        throw new AwsServiceError('BadRequestException', 'Request body is not valid JSON');
      }
      const output = await this.#operation(PATHS[request.path]!, input);
      write(res, 200, output);
    } catch (error) {
      const failure = error instanceof AwsServiceError ? error : new AwsServiceError('InternalServerErrorException', (error as Error).message, 500);
      write(res, failure.status, { message: failure.message }, failure.code);
    }
  }

  async #operation(operation: string, input: Input): Promise<unknown> {
    switch (operation) {
      case 'ExecuteStatement':
        return this.#execute(input);
      case 'BatchExecuteStatement':
        return this.#batch(input);
      case 'BeginTransaction': {
        const client = await (await this.#pool(input)).connect();
        try {
          await client.query('BEGIN');
        } catch (error) {
          client.release(true);
          throw databaseError(error);
        }
        const transactionId = randomBytes(144).toString('base64');
        this.#transactions.set(transactionId, { client, resourceArn: String(input['resourceArn']), timer: this.#idleTimer(transactionId) });
        return { transactionId };
      }
      case 'CommitTransaction':
        await this.#finish(input, 'COMMIT');
        return { transactionStatus: 'Transaction Committed' };
      default:
        await this.#finish(input, 'ROLLBACK');
        return { transactionStatus: 'Rollback Complete' };
    }
  }

  async #execute(input: Input): Promise<unknown> {
    const sql = required(input, 'sql');
    const bound = bindParameters(sql, parameterList(input['parameters']));
    const result = await this.#query(input, bound.text, bound.values);
    const returnsRows = result.fields.length > 0;
    const json = input['formatRecordsAs'] === 'JSON';
    return {
      numberOfRecordsUpdated: result.command === 'SELECT' ? 0 : (result.rowCount ?? 0),
      generatedFields: [],
      ...(returnsRows && !json && { records: records(result) }),
      ...(returnsRows && json && { formattedRecords: formattedRecords(result) }),
      ...(input['includeResultMetadata'] === true && { columnMetadata: columnMetadata(result) }),
    };
  }

  /** One statement per parameter set, all in one transaction (the caller's, or one of its own). */
  async #batch(input: Input): Promise<unknown> {
    const sql = required(input, 'sql');
    const sets = Array.isArray(input['parameterSets']) ? (input['parameterSets'] as unknown[]) : [[]];
    const statements = sets.map((set) => bindParameters(sql, parameterList(set)));
    const transaction = this.#transaction(input);
    const client = transaction?.client ?? (await (await this.#pool(input)).connect());
    try {
      if (!transaction) await client.query('BEGIN');
      for (const statement of statements) await client.query({ text: statement.text, values: statement.values, rowMode: 'array', types: TEXT_TYPES });
      if (!transaction) await client.query('COMMIT');
    } catch (error) {
      if (!transaction) await client.query('ROLLBACK').catch(() => {});
      throw databaseError(error);
    } finally {
      if (!transaction) client.release();
    }
    return { updateResults: statements.map(() => ({ generatedFields: [] })) };
  }

  async #query(input: Input, text: string, values: unknown[]): Promise<pg.QueryResult<Row>> {
    const transaction = this.#transaction(input);
    const runner = transaction?.client ?? (await this.#pool(input));
    try {
      return await runner.query<Row>({ text, values, rowMode: 'array', types: TEXT_TYPES });
    } catch (error) {
      throw databaseError(error);
    }
  }

  /** The transaction named by `transactionId` (its idle timer restarted), or undefined when none is named. */
  #transaction(input: Input): Transaction | undefined {
    const id = input['transactionId'];
    if (id === undefined || id === null) return undefined;
    const transaction = this.#transactions.get(String(id));
    if (transaction === undefined) throw new AwsServiceError('NotFoundException', `Transaction ${String(id)} is not found`, 404);
    clearTimeout(transaction.timer);
    transaction.timer = this.#idleTimer(String(id));
    return transaction;
  }

  async #finish(input: Input, command: 'COMMIT' | 'ROLLBACK'): Promise<void> {
    this.#target(input);
    const id = required(input, 'transactionId');
    const transaction = this.#transaction(input)!;
    this.#transactions.delete(id);
    clearTimeout(transaction.timer);
    try {
      await transaction.client.query(command);
      transaction.client.release();
    } catch (error) {
      transaction.client.release(true);
      throw databaseError(error);
    }
  }

  #idleTimer(id: string): NodeJS.Timeout {
    const timer = setTimeout(() => {
      const transaction = this.#transactions.get(id);
      if (!transaction) return;
      this.#transactions.delete(id);
      transaction.client.query('ROLLBACK').finally(() => transaction.client.release());
    }, TRANSACTION_IDLE_MS);
    timer.unref();
    return timer;
  }

  #target(input: Input): DataApiTarget {
    const arn = required(input, 'resourceArn');
    const target = this.#targets.get(arn);
    if (target === undefined) throw new AwsServiceError('BadRequestException', `Database cluster ${arn} does not exist`);
    if (!target.server.httpEndpoint) throw new AwsServiceError('HttpEndpointNotEnabledException', `HttpEndpoint is not enabled for resource ${arn}`);
    return target;
  }

  /** The pool for this cluster, the secret's user and the database; the secret is read on every call (rotation). */
  async #pool(input: Input): Promise<pg.Pool> {
    const target = this.#target(input);
    const secretArn = required(input, 'secretArn');
    const { username, password, dbname } = await this.#credentials(secretArn);
    const database = typeof input['database'] === 'string' && input['database'] !== '' ? input['database'] : (dbname ?? target.server.databaseName ?? 'postgres');
    const key = JSON.stringify([target.server.arn, username, password, database]);
    const { Pool } = await loadPg();
    let pool = this.#pools.get(key);
    if (pool === undefined) {
      pool = new Pool({ ...(await target.connection()), user: username, password, database, max: 10, idleTimeoutMillis: 60_000 });
      pool.on('error', () => {});
      this.#pools.set(key, pool);
    }
    return pool;
  }

  async #credentials(secretArn: string): Promise<{ username: string; password: string; dbname?: string }> {
    if (this.#callAws === undefined) throw new AwsServiceError('SecretsErrorException', 'Secrets Manager is not reachable from the Data API');
    let value: { SecretString?: string };
    try {
      value = (await this.#callAws('secretsmanager', 'GetSecretValue', { SecretId: secretArn })) as { SecretString?: string };
    } catch (error) {
      throw new AwsServiceError('SecretsErrorException', `Error fetching secret ${secretArn}: ${(error as Error).message}`);
    }
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(value.SecretString ?? '') as Record<string, unknown>;
    } catch {
      throw new AwsServiceError('InvalidSecretException', `The secret ${secretArn} is not a JSON object with username and password`);
    }
    if (typeof parsed['username'] !== 'string' || typeof parsed['password'] !== 'string') {
      throw new AwsServiceError('InvalidSecretException', `The secret ${secretArn} has no username and password`);
    }
    return { username: parsed['username'], password: parsed['password'], ...(typeof parsed['dbname'] === 'string' && { dbname: parsed['dbname'] }) };
  }

  async close(): Promise<void> {
    for (const transaction of this.#transactions.values()) {
      clearTimeout(transaction.timer);
      transaction.client.release(true);
    }
    this.#transactions.clear();
    await Promise.all([...this.#pools.values()].map((pool) => pool.end()));
    this.#pools.clear();
  }
}

function required(input: Input, key: string): string {
  const value = input[key];
  if (typeof value !== 'string' || value === '') throw new AwsServiceError('BadRequestException', `${key} is required`);
  return value;
}

function parameterList(value: unknown): SqlParameter[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new AwsServiceError('BadRequestException', 'parameters must be a list');
  return value as SqlParameter[];
}

/** A PostgreSQL error as the Data API reports it: the server's message, position and SQLSTATE. */
function databaseError(error: unknown): AwsServiceError {
  if (error instanceof AwsServiceError) return error;
  const e = error as pg.DatabaseError;
  const position = e.position ? `\n  Position: ${e.position}` : '';
  const state = e.code ? `; SQLState: ${e.code}` : '';
  return new AwsServiceError('DatabaseErrorException', `${e.severity ?? 'ERROR'}: ${e.message}${position}${state}`);
}

function write(res: ServerResponse, status: number, output: unknown, errorType?: string): void {
  const body = Buffer.from(JSON.stringify(output), 'utf8');
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': String(body.length),
    'x-amzn-RequestId': randomUUID(),
    ...(errorType !== undefined && { 'x-amzn-ErrorType': errorType }),
  });
  res.end(body);
}
