/**
 * The embedded AWS Secrets Manager: `X-Amz-Target: secretsmanager.<Operation>` over AWS JSON 1.1, state
 * durable in SQLite; the template's secrets exist at start (created by `prepareSecrets` before the
 * functions start, since dynamic references need their values).
 * AWS docs: AWS Secrets Manager API Reference ("Welcome", "Common Errors").
 */
import path from 'node:path';
import type { EmbeddedService, ServiceContext } from '../service.js';
import { AwsServiceError } from '../protocol/errors.js';
import { jsonOperation, parseJsonInput, writeJson, writeJsonError } from '../protocol/json.js';
import { OPERATIONS, type SecretsContext } from './operations.js';
import { SecretsStore } from './store.js';
import { STORE_FILE } from './template.js';

export { prepareSecrets } from './template.js';

const TARGET_PREFIX = 'secretsmanager';

export async function secretsManagerService(context: ServiceContext): Promise<EmbeddedService> {
  const store = new SecretsStore(path.join(context.dataDir, STORE_FILE));
  const ctx: SecretsContext = { store, region: context.region, accountId: context.accountId };
  return {
    name: 'secretsmanager',
    matches: (request) => jsonOperation(request, TARGET_PREFIX) !== null,
    async handle(request, res) {
      const operation = jsonOperation(request, TARGET_PREFIX)!;
      try {
        const handler = OPERATIONS[operation];
        if (handler === undefined) throw new AwsServiceError('UnknownOperationException', `Operation ${operation} is not supported.`);
        writeJson(res, '1.1', 200, handler(ctx, parseJsonInput(request)));
      } catch (error) {
        if (!(error instanceof AwsServiceError)) {
          context.log.error(`secretsmanager ${operation}: ${(error as Error).stack ?? String(error)}`);
          writeJsonError(res, '1.1', new AwsServiceError('InternalServiceError', 'An error occurred on the server side.', 500));
          return;
        }
        writeJsonError(res, '1.1', error);
      }
    },
    async close() {
      store.close();
    },
  };
}
