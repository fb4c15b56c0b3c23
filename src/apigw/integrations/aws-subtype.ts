/**
 * HTTP API first-class AWS service integrations (`integrationSubtype`): each request parameter
 * names a field of the service action and holds a mapping expression (`$request.body.x`, static
 * text, ...); the service's answer is returned to the client as it is. A mapping that yields
 * nothing or an empty value is a 400 before any call, a service error a 500 (observed on AWS:
 * LocalStack's AWS-validated TestHttpApiAwsProxySubtypeKinesis::test_apigw_v2_http_kinesis_put_record_no_stream
 * expects 400 for a missing or empty StreamName / ExplicitHashKey and 500 for a stream that does not exist).
 * AWS docs: "Integration subtype reference" (http-api-develop-integrations-aws-services-reference.html).
 */
import type { RequestContext } from '../context.js';
import { GatewayError } from '../../core/errors.js';
import { HeaderList } from '../../core/header-list.js';
import { compileHttpApiValue } from '../parameters/http-api-mapping.js';
import { awsServiceIntegration } from './aws-service.js';
import type { Integration, IntegrationFactory } from './index.js';

/**
 * How a mapped string becomes the action's member: a number, a JSON value, a list (a JSON array or
 * comma-separated names), or a blob holding the text's bytes (Kinesis Data: users map the raw
 * `$request.body` to it, so API Gateway encodes the text rather than expecting base64).
 */
type FieldType = 'number' | 'json' | 'list' | 'blob';

interface SubtypeAction {
  service: string;
  action: string;
  /** Request parameter name -> field of the action's input, with its JSON type. */
  fields: Record<string, { field: string; type?: FieldType }>;
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
      MessageSystemAttributes: { field: 'MessageSystemAttributes', type: 'json' },
    },
  },
  'SQS-ReceiveMessage': {
    service: 'sqs',
    action: 'ReceiveMessage',
    fields: {
      QueueUrl: { field: 'QueueUrl' },
      AttributeNames: { field: 'AttributeNames', type: 'list' },
      MaxNumberOfMessages: { field: 'MaxNumberOfMessages', type: 'number' },
      MessageAttributeNames: { field: 'MessageAttributeNames', type: 'list' },
      ReceiveRequestAttemptId: { field: 'ReceiveRequestAttemptId' },
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
      Data: { field: 'Data', type: 'blob' },
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
  const readers: [string, FieldType | undefined, (ctx: RequestContext) => string][] = [];
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
        if (value === '') throw new GatewayError('BAD_REQUEST_PARAMETERS', 'Bad Request');
        try {
          body[field] = convert(value, type);
        } catch {
          throw new GatewayError('BAD_REQUEST_PARAMETERS', 'Bad Request');
        }
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
      const status = ctx.endpointResponse!.statusCode;
      if (status < 200 || status > 299) throw new GatewayError('INTEGRATION_FAILURE', 'Internal Server Error', { status: 500 });
      ctx.endpointResponse!.isProxyResponse = true;
    },
  };
};

function convert(value: string, type: FieldType | undefined): unknown {
  switch (type) {
    case 'number': {
      const number = Number(value);
      if (Number.isNaN(number)) throw new Error(`${value} is not a number`);
      return number;
    }
    case 'json':
      return JSON.parse(value);
    case 'list':
      return value.trimStart().startsWith('[') ? JSON.parse(value) : value.split(',').map((name) => name.trim());
    case 'blob':
      return Buffer.from(value, 'utf8').toString('base64');
    default:
      return value;
  }
}
