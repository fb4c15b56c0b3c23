/**
 * HTTP API first-class AWS service integrations (`integrationSubtype`): each request parameter
 * names a field of the service action and holds a mapping expression (`$request.body.x`, static
 * text, ...); the service's answer is returned to the client as it is.
 * AWS docs: "Integration subtype reference" (http-api-develop-integrations-aws-services-reference.html).
 */
import type { RequestContext } from '../context.js';
import { HeaderList } from '../../core/header-list.js';
import { compileHttpApiValue } from '../parameters/http-api-mapping.js';
import { awsServiceIntegration } from './aws-service.js';
import type { Integration, IntegrationFactory } from './index.js';

interface SubtypeAction {
  service: string;
  action: string;
  /** Request parameter name -> field of the action's input, with its JSON type. */
  fields: Record<string, { field: string; type?: 'number' | 'json' }>;
}

/** The subtypes whose services gatehouse embeds; the reference page lists their parameters. */
const SUBTYPES: Readonly<Record<string, SubtypeAction>> = {
  'SQS-SendMessage': {
    service: 'sqs',
    action: 'SendMessage',
    fields: {
      QueueUrl: { field: 'QueueUrl' },
      MessageBody: { field: 'MessageBody' },
      DelaySeconds: { field: 'DelaySeconds', type: 'number' },
      MessageAttributes: { field: 'MessageAttributes', type: 'json' },
      MessageDeduplicationId: { field: 'MessageDeduplicationId' },
      MessageGroupId: { field: 'MessageGroupId' },
    },
  },
  'SQS-ReceiveMessage': {
    service: 'sqs',
    action: 'ReceiveMessage',
    fields: {
      QueueUrl: { field: 'QueueUrl' },
      MaxNumberOfMessages: { field: 'MaxNumberOfMessages', type: 'number' },
      VisibilityTimeout: { field: 'VisibilityTimeout', type: 'number' },
      WaitTimeSeconds: { field: 'WaitTimeSeconds', type: 'number' },
    },
  },
  'SQS-DeleteMessage': {
    service: 'sqs',
    action: 'DeleteMessage',
    fields: { QueueUrl: { field: 'QueueUrl' }, ReceiptHandle: { field: 'ReceiptHandle' } },
  },
  'SQS-PurgeQueue': { service: 'sqs', action: 'PurgeQueue', fields: { QueueUrl: { field: 'QueueUrl' } } },
  'Kinesis-PutRecord': {
    service: 'kinesis',
    action: 'PutRecord',
    fields: {
      StreamName: { field: 'StreamName' },
      Data: { field: 'Data' },
      PartitionKey: { field: 'PartitionKey' },
      SequenceNumberForOrdering: { field: 'SequenceNumberForOrdering' },
      ExplicitHashKey: { field: 'ExplicitHashKey' },
    },
  },
  'StepFunctions-StartExecution': {
    service: 'states',
    action: 'StartExecution',
    fields: { StateMachineArn: { field: 'stateMachineArn' }, Name: { field: 'name' }, Input: { field: 'input' } },
  },
  'StepFunctions-StartSyncExecution': {
    service: 'states',
    action: 'StartSyncExecution',
    fields: { StateMachineArn: { field: 'stateMachineArn' }, Name: { field: 'name' }, Input: { field: 'input' }, TraceHeader: { field: 'traceHeader' } },
  },
  'StepFunctions-StopExecution': {
    service: 'states',
    action: 'StopExecution',
    fields: { ExecutionArn: { field: 'executionArn' }, Cause: { field: 'cause' }, Error: { field: 'error' } },
  },
};

/** The SQS JSON protocol's target prefix; the other services' come from the AWS integration table. */
const SQS_JSON_TARGET = 'AmazonSQS';

export const awsSubtypeIntegration: IntegrationFactory = (input): Integration => {
  const integration = input.route.integration;
  const subtype = SUBTYPES[integration.integrationSubtype ?? ''];
  if (subtype === undefined) {
    throw new Error(`integration subtype ${integration.integrationSubtype ?? ''} is not supported yet (supported: ${Object.keys(SUBTYPES).join(', ')})`);
  }
  const readers: [string, 'number' | 'json' | undefined, (ctx: RequestContext) => string][] = [];
  for (const [name, expression] of Object.entries(integration.requestParameters)) {
    if (name === 'Region') continue;
    const spec = subtype.fields[name];
    if (spec === undefined) throw new Error(`${integration.integrationSubtype}: unknown request parameter ${name}`);
    readers.push([spec.field, spec.type, compileHttpApiValue(expression)]);
  }
  // The action goes out through the same code as REST `AWS` integrations.
  const service = awsServiceIntegration({
    ...input,
    route: { ...input.route, integration: { ...integration, uri: `arn:aws:apigateway:${input.services.region}:${subtype.service}:action/${subtype.action}` } },
  });
  const sqs = subtype.service === 'sqs';

  return {
    async invoke(ctx) {
      const body: Record<string, unknown> = {};
      for (const [field, type, read] of readers) {
        const value = read(ctx);
        body[field] = type === 'number' ? Number(value) : type === 'json' ? JSON.parse(value) : value;
      }
      const headers = new HeaderList();
      if (sqs) {
        headers.set('x-amz-target', `${SQS_JSON_TARGET}.${subtype.action}`);
        headers.set('content-type', 'application/x-amz-json-1.0');
      }
      ctx.integrationRequest = {
        method: 'POST',
        uri: '',
        headers,
        query: new Map(),
        pathParameters: {},
        pathOverride: null,
        body: Buffer.from(JSON.stringify(body), 'utf8'),
      };
      await service.invoke(ctx);
      ctx.endpointResponse!.isProxyResponse = true;
    },
  };
};
