/**
 * The SNS data model: topics (standard and FIFO) and subscriptions with their attributes, ARNs in
 * AWS's form, and the attribute names each action accepts.
 * AWS docs: Amazon SNS API Reference, CreateTopic / SetTopicAttributes / GetTopicAttributes,
 * Subscribe / SetSubscriptionAttributes / GetSubscriptionAttributes.
 */

export interface Topic {
  arn: string;
  name: string;
  fifo: boolean;
  attributes: Record<string, string>;
  tags: Record<string, string>;
}

export type Protocol = 'http' | 'https' | 'email' | 'email-json' | 'sms' | 'sqs' | 'application' | 'lambda' | 'firehose';

export const PROTOCOLS: ReadonlySet<string> = new Set(['http', 'https', 'email', 'email-json', 'sms', 'sqs', 'application', 'lambda', 'firehose']);

export interface Subscription {
  arn: string;
  topicArn: string;
  protocol: Protocol;
  endpoint: string;
  attributes: Record<string, string>;
  confirmed: boolean;
  /** The confirmation token (pending subscriptions, and kept for an idempotent ConfirmSubscription). */
  token: string | null;
  /** Confirmed through the SubscribeURL (GET) rather than an authenticated ConfirmSubscription call. */
  confirmedByUrl: boolean;
}

export const TOPIC_ATTRIBUTES: ReadonlySet<string> = new Set([
  'DisplayName',
  'Policy',
  'DeliveryPolicy',
  'KmsMasterKeyId',
  'SignatureVersion',
  'TracingConfig',
  'ContentBasedDeduplication',
  'FifoThroughputScope',
  'ArchivePolicy',
  'DataProtectionPolicy',
  'ApplicationSuccessFeedbackRoleArn',
  'ApplicationSuccessFeedbackSampleRate',
  'ApplicationFailureFeedbackRoleArn',
  'HTTPSuccessFeedbackRoleArn',
  'HTTPSuccessFeedbackSampleRate',
  'HTTPFailureFeedbackRoleArn',
  'LambdaSuccessFeedbackRoleArn',
  'LambdaSuccessFeedbackSampleRate',
  'LambdaFailureFeedbackRoleArn',
  'SQSSuccessFeedbackRoleArn',
  'SQSSuccessFeedbackSampleRate',
  'SQSFailureFeedbackRoleArn',
  'FirehoseSuccessFeedbackRoleArn',
  'FirehoseSuccessFeedbackSampleRate',
  'FirehoseFailureFeedbackRoleArn',
]);

export const SUBSCRIPTION_ATTRIBUTES: ReadonlySet<string> = new Set([
  'DeliveryPolicy',
  'FilterPolicy',
  'FilterPolicyScope',
  'RawMessageDelivery',
  'RedrivePolicy',
  'SubscriptionRoleArn',
  'ReplayPolicy',
]);

/** Protocols that support RawMessageDelivery. */
export const RAW_PROTOCOLS: ReadonlySet<string> = new Set(['sqs', 'http', 'https', 'firehose']);

export const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;
export const FIFO_TOPIC_NAME = /^[A-Za-z0-9_-]{1,251}\.fifo$/;

/** The default delivery policy of HTTP/S endpoints (3 retries, 20 seconds apart). */
export const DEFAULT_EFFECTIVE_DELIVERY_POLICY = JSON.stringify({
  http: {
    defaultHealthyRetryPolicy: {
      minDelayTarget: 20,
      maxDelayTarget: 20,
      numRetries: 3,
      numMaxDelayRetries: 0,
      numNoDelayRetries: 0,
      numMinDelayRetries: 0,
      backoffFunction: 'linear',
    },
    disableSubscriptionOverrides: false,
    defaultRequestPolicy: { headerContentType: 'text/plain; charset=UTF-8' },
  },
});

export function topicArn(region: string, accountId: string, name: string): string {
  return `arn:aws:sns:${region}:${accountId}:${name}`;
}

/** The default access policy AWS gives a new topic. */
export function defaultTopicPolicy(arn: string, accountId: string): string {
  return JSON.stringify({
    Version: '2008-10-17',
    Id: '__default_policy_ID',
    Statement: [
      {
        Sid: '__default_statement_ID',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: [
          'SNS:GetTopicAttributes',
          'SNS:SetTopicAttributes',
          'SNS:AddPermission',
          'SNS:RemovePermission',
          'SNS:DeleteTopic',
          'SNS:Subscribe',
          'SNS:ListSubscriptionsByTopic',
          'SNS:Publish',
        ],
        Resource: arn,
        Condition: { StringEquals: { 'AWS:SourceOwner': accountId } },
      },
    ],
  });
}
