/**
 * The "operations" scenarios: AWS operations per second through the SDK v3 clients at N in
 * flight, gatehouse's embedded services against moto_server started in the same run (the anchor),
 * the same client settings for both. Registered in scenarios.ts.
 */
import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { OperationName } from './aws-operations.js';
import { preflightOperation, runOperationsLoad } from './operations-load.js';
import { startGatehouse, startMoto, type Running } from './servers.js';
import type { BenchConfig, LoadScenarioSpec, TargetDriver, TargetSpec } from './scenarios.js';

interface OperationScenario {
  name: string;
  operation: OperationName;
  /** The operation as the report names it. */
  call: string;
  /** Gatehouse ops/s must be at least minRatio × moto's; null: no goal. */
  minRatio: number | null;
}

/** Issue 4 and 5: >= 10x moto for S3, DynamoDB and SQS; Kinesis and Step Functions are measured without a goal. */
const SCENARIOS: OperationScenario[] = [
  { name: 's3-put', operation: 's3-put-object', call: 'S3 PutObject (1 KiB)', minRatio: 10 },
  { name: 's3-get', operation: 's3-get-object', call: 'S3 GetObject (1 KiB)', minRatio: 10 },
  { name: 'dynamodb-put', operation: 'dynamodb-put-item', call: 'DynamoDB PutItem', minRatio: 10 },
  { name: 'dynamodb-get', operation: 'dynamodb-get-item', call: 'DynamoDB GetItem', minRatio: 10 },
  { name: 'sqs-send', operation: 'sqs-send-message', call: 'SQS SendMessage', minRatio: 10 },
  { name: 'sqs-receive', operation: 'sqs-receive-delete', call: 'SQS ReceiveMessage+DeleteMessage', minRatio: 10 },
  { name: 'kinesis-put', operation: 'kinesis-put-record', call: 'Kinesis PutRecord', minRatio: null },
  { name: 'sfn-sync', operation: 'sfn-start-sync-execution', call: 'Step Functions StartSyncExecution (3-state EXPRESS)', minRatio: null },
];

/** A template with nothing in it: every resource is created through the SDK, on both targets alike. */
const EMPTY_TEMPLATE = `AWSTemplateFormatVersion: "2010-09-09"
Description: gatehouse bench, embedded services only
Resources: {}
`;

function driver(operation: OperationName, call: string): TargetDriver {
  const endpoint = (server: Running) => server.awsOrigin ?? server.origin;
  return {
    async preflight(server) {
      const status = await preflightOperation(operation, endpoint(server));
      return { status, contentType: null, body: `${call}: HTTP ${status}` };
    },
    load: (server, config) =>
      runOperationsLoad({
        operation,
        endpoint: endpoint(server),
        inFlight: config.connections,
        processes: CLIENT_PROCESSES,
        warmupSeconds: config.warmupSeconds,
        seconds: config.seconds,
        serverPid: server.pid,
      }),
  };
}

/** BENCH_CLIENT_PROCESSES: load processes sharing the operations in flight (default 2). */
const CLIENT_PROCESSES = Math.max(1, Math.round(Number(process.env['BENCH_CLIENT_PROCESSES'] ?? '2')) || 1);

/** BENCH_CPU_PROF=<dir>: gatehouse writes a V8 CPU profile there when it stops (open it in Chrome DevTools). */
function profileArgs(name: string): string[] {
  const dir = process.env['BENCH_CPU_PROF'];
  return dir ? ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-name', `${name}-${Date.now()}.cpuprofile`] : [];
}

function spec(scenario: OperationScenario): LoadScenarioSpec {
  return {
    name: scenario.name,
    title: `${scenario.call}, ops/s at N in flight through the AWS SDK v3 client: gatehouse vs moto_server`,
    minRatio: scenario.minRatio,
    unit: 'op',
    async setup(config: BenchConfig) {
      const dir = join(config.tmpDir, scenario.name);
      mkdirSync(dir, { recursive: true });
      const definition = join(dir, 'template.yaml');
      writeFileSync(definition, EMPTY_TEMPLATE);
      const drive = driver(scenario.operation, scenario.call);
      const gatehouse: TargetSpec = {
        label: 'gatehouse',
        role: 'subject',
        path: scenario.call,
        driver: drive,
        start: () =>
          startGatehouse({ root: config.root, definition, dataDir: join(dir, 'data'), startTimeoutMs: config.startTimeoutMs, nodeArgs: profileArgs(scenario.name) }),
      };
      const moto: TargetSpec = { label: 'moto_server', role: 'limit', path: scenario.call, driver: drive, start: () => startMoto(config.startTimeoutMs) };
      if (scenario.operation !== 'sfn-start-sync-execution') return { targets: [moto, gatehouse], teardown: async () => {} };
      // moto 5 has no StartSyncExecution (its Step Functions responses lack the action): probed,
      // not assumed; without it the scenario runs without an anchor and says so.
      const server = await startMoto(config.startTimeoutMs);
      try {
        await drive.preflight(server);
      } catch (error) {
        await server.stop();
        return { targets: [gatehouse], teardown: async () => {}, notes: [`moto_server cannot serve ${scenario.call} (${(error as Error).message.slice(0, 160)}): measured without an anchor`] };
      }
      return { targets: [{ ...moto, start: async () => ({ ...server, stop: async () => {} }) }, gatehouse], teardown: () => server.stop() };
    },
  };
}

export const OPERATION_SCENARIOS: LoadScenarioSpec[] = SCENARIOS.map(spec);
