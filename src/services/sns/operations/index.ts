/**
 * The SNS operation table: input and output in the shape of the SNS API model; the query adapter
 * (and the JSON adapter, for a client that sends JSON) call the same functions.
 * AWS docs: Amazon SNS API Reference, "Actions".
 */
import type { SnsContext } from '../context.js';
import type { Input, Output } from './input.js';
import { publish, publishBatch } from './publish.js';
import {
  confirmSubscription,
  getSubscriptionAttributes,
  listSubscriptions,
  listSubscriptionsByTopic,
  setSubscriptionAttributes,
  subscribe,
  unsubscribe,
} from './subscriptions.js';
import {
  createTopic,
  deleteTopic,
  getTopicAttributes,
  listTagsForResource,
  listTopics,
  permission,
  setTopicAttributes,
  tagResource,
  untagResource,
} from './topics.js';

export type Operation = (ctx: SnsContext, input: Input, viaUrl: boolean) => Output | Promise<Output>;

export const OPERATIONS: Readonly<Record<string, Operation>> = {
  CreateTopic: createTopic,
  DeleteTopic: deleteTopic,
  ListTopics: listTopics,
  GetTopicAttributes: getTopicAttributes,
  SetTopicAttributes: setTopicAttributes,
  Publish: publish,
  PublishBatch: publishBatch,
  Subscribe: subscribe,
  ConfirmSubscription: (ctx, input, viaUrl) => confirmSubscription(ctx, input, viaUrl),
  Unsubscribe: unsubscribe,
  ListSubscriptions: listSubscriptions,
  ListSubscriptionsByTopic: listSubscriptionsByTopic,
  GetSubscriptionAttributes: getSubscriptionAttributes,
  SetSubscriptionAttributes: setSubscriptionAttributes,
  TagResource: tagResource,
  UntagResource: untagResource,
  ListTagsForResource: listTagsForResource,
  AddPermission: permission,
  RemovePermission: permission,
};
