/**
 * The embedded AWS services the endpoint serves, in dispatch order: protocols that are claimed
 * by a header or a parameter first, S3 (claimed by path or host) last. Each keeps its state in
 * its own folder under --data-dir.
 */
import type { ServiceFactory } from './service.js';
import { cloudFormationService } from './cloudformation/index.js';
import { cognitoService } from './cognito/index.js';
import { dynamodbService } from './dynamodb/index.js';
import { kinesisService } from './kinesis/index.js';
import { stepFunctionsService } from './stepfunctions/index.js';
import { s3Service } from './s3/index.js';
import { sqsService } from './sqs/index.js';
import { snsService } from './sns/index.js';
import { eventSourcesService } from '../event-sources/index.js';
import { secretsManagerService } from './secretsmanager/index.js';
import { rdsService } from './rds/index.js';

export const EMBEDDED_SERVICES: readonly { name: string; create: ServiceFactory }[] = [
  { name: 'dynamodb', create: dynamodbService },
  { name: 'kinesis', create: kinesisService },
  { name: 'stepfunctions', create: (context) => stepFunctionsService(context, { lambda: context.lambda, callAws: context.callAws }) },
  { name: 'sqs', create: sqsService },
  { name: 'sns', create: snsService },
  { name: 'cloudformation', create: cloudFormationService },
  { name: 'cognito', create: cognitoService },
  // Reads the queues and streams above, so it comes after them.
  { name: 'event-sources', create: eventSourcesService },
  { name: 'secretsmanager', create: secretsManagerService },
  // The RDS Data API claims its five POST paths before S3 sees them.
  { name: 'rds', create: rdsService },
  // S3 claims by path or host what no other protocol claimed: it stays last.
  { name: 's3', create: (context) => s3Service(context, context.lookupSecret ? { verifySignatures: true, lookupSecret: context.lookupSecret } : {}) },
];
