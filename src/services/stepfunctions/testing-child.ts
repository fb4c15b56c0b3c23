/**
 * Test support for the crash test: a process serving the embedded Step Functions on `argv[2]` (data
 * folder) that prints its URL, then waits to be killed with SIGKILL.
 */
import { createStepFunctionsService } from './index.js';
import { serve, testProject } from './testing.js';
import { createLogger } from '../../core/log.js';

const service = await createStepFunctionsService(
  { dataDir: process.argv[2]!, region: 'us-east-1', accountId: '000000000000', endpoint: 'http://127.0.0.1', log: createLogger('silent'), project: testProject() },
  { callAws: async () => ({ MessageId: 'm-1' }) },
);
const server = await serve(service);
process.stdout.write(server.url + '\n');
