/**
 * The JSON documents SNS sends: the Notification envelope (SQS without raw delivery, HTTP/S), the
 * SubscriptionConfirmation and UnsubscribeConfirmation of HTTP/S endpoints, and the Lambda event.
 * Fields and their order follow AWS's examples; envelopes are written with AWS's layout
 * (`"Key" : value`, two-space indent). Signatures cannot be AWS's: gatehouse signs nothing with
 * AWS's certificate, so `Signature` is a digest of the documented string to sign and
 * `SigningCertURL` points at the embedded endpoint.
 * AWS docs: Amazon SNS Developer Guide, "Amazon SNS message and JSON formats" (HTTP/HTTPS
 * notification, subscription confirmation and unsubscribe confirmation JSON), "Verifying the
 * signatures of Amazon SNS messages"; Lambda Developer Guide, "Using Lambda with Amazon SNS" (event).
 */
import { createHash } from 'node:crypto';
import type { AttributeValue } from './filter-policy.js';

export interface Notification {
  messageId: string;
  topicArn: string;
  subject: string | undefined;
  /** The message as published (`default` of a MessageStructure json message). */
  message: string;
  /** Per-protocol messages of MessageStructure json. */
  perProtocol: Record<string, string> | undefined;
  attributes: Record<string, AttributeValue> | undefined;
  timestamp: string;
  groupId: string | undefined;
  dedupId: string | undefined;
  sequenceNumber: string | undefined;
}

export interface Links {
  signingCertUrl: string;
  unsubscribeUrl: string;
  signatureVersion: string;
}

/** The message a subscriber of `protocol` gets. */
export function messageFor(notification: Notification, protocol: string): string {
  return notification.perProtocol?.[protocol] ?? notification.message;
}

/** `MessageAttributes` of envelopes and Lambda events: `{Type, Value}` per attribute. */
export function envelopeAttributes(attributes: Record<string, AttributeValue> | undefined): Record<string, { Type: string; Value: string }> {
  const out: Record<string, { Type: string; Value: string }> = {};
  if (attributes === undefined) return out;
  for (const [name, value] of Object.entries(attributes)) {
    out[name] = { Type: value.DataType, Value: value.BinaryValue ?? value.StringValue ?? '' };
  }
  return out;
}

/** The string SNS signs (SignatureVersion 1 and 2 share it), in its documented field order. */
function stringToSign(fields: [string, string | undefined][]): string {
  return fields
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${name}\n${value}\n`)
    .join('');
}

function signature(text: string, version: string): string {
  return createHash(version === '2' ? 'sha256' : 'sha1').update(text, 'utf8').digest('base64');
}

/** AWS's layout: one `"Key" : value` per line, nested objects on one line. */
function layout(document: Record<string, unknown>): string {
  const lines = Object.entries(document)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => {
      if (key === 'MessageAttributes' && value !== null && typeof value === 'object') {
        const entries = Object.entries(value as Record<string, unknown>).map(([name, v]) => `    ${JSON.stringify(name)} : ${JSON.stringify(v)}`);
        return `  ${JSON.stringify(key)} : {\n${entries.join(',\n')}\n  }`;
      }
      return `  ${JSON.stringify(key)} : ${JSON.stringify(value)}`;
    });
  return `{\n${lines.join(',\n')}\n}`;
}

/** The Notification JSON envelope (SQS without raw delivery, HTTP/S). */
export function notificationEnvelope(notification: Notification, protocol: string, links: Links): string {
  const message = messageFor(notification, protocol);
  const signed = stringToSign([
    ['Message', message],
    ['MessageId', notification.messageId],
    ['Subject', notification.subject],
    ['Timestamp', notification.timestamp],
    ['TopicArn', notification.topicArn],
    ['Type', 'Notification'],
  ]);
  const attributes = envelopeAttributes(notification.attributes);
  return layout({
    Type: 'Notification',
    MessageId: notification.messageId,
    SequenceNumber: notification.sequenceNumber,
    TopicArn: notification.topicArn,
    Subject: notification.subject,
    Message: message,
    Timestamp: notification.timestamp,
    SignatureVersion: links.signatureVersion,
    Signature: signature(signed, links.signatureVersion),
    SigningCertURL: links.signingCertUrl,
    UnsubscribeURL: links.unsubscribeUrl,
    MessageAttributes: Object.keys(attributes).length === 0 ? undefined : attributes,
  });
}

export interface Confirmation {
  type: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';
  subscriptionArn: string;
  messageId: string;
  token: string;
  topicArn: string;
  subscribeUrl: string;
  timestamp: string;
}

export function confirmationMessage(confirmation: Confirmation, links: Pick<Links, 'signingCertUrl' | 'signatureVersion'>): string {
  const message =
    confirmation.type === 'SubscriptionConfirmation'
      ? `You have chosen to subscribe to the topic ${confirmation.topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`
      : `You have chosen to deactivate subscription ${confirmation.subscriptionArn}.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.`;
  const signed = stringToSign([
    ['Message', message],
    ['MessageId', confirmation.messageId],
    ['SubscribeURL', confirmation.subscribeUrl],
    ['Timestamp', confirmation.timestamp],
    ['Token', confirmation.token],
    ['TopicArn', confirmation.topicArn],
    ['Type', confirmation.type],
  ]);
  return layout({
    Type: confirmation.type,
    MessageId: confirmation.messageId,
    Token: confirmation.token,
    TopicArn: confirmation.topicArn,
    Message: message,
    SubscribeURL: confirmation.subscribeUrl,
    Timestamp: confirmation.timestamp,
    SignatureVersion: links.signatureVersion,
    Signature: signature(signed, links.signatureVersion),
    SigningCertURL: links.signingCertUrl,
  });
}

/** The event a subscribed function is invoked with (one record per notification). */
export function lambdaEvent(notification: Notification, subscriptionArn: string, links: Links): string {
  const message = messageFor(notification, 'lambda');
  const signed = stringToSign([
    ['Message', message],
    ['MessageId', notification.messageId],
    ['Subject', notification.subject],
    ['Timestamp', notification.timestamp],
    ['TopicArn', notification.topicArn],
    ['Type', 'Notification'],
  ]);
  return JSON.stringify({
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: subscriptionArn,
        Sns: {
          Type: 'Notification',
          MessageId: notification.messageId,
          ...(notification.sequenceNumber === undefined ? {} : { SequenceNumber: notification.sequenceNumber }),
          TopicArn: notification.topicArn,
          Subject: notification.subject ?? null,
          Message: message,
          Timestamp: notification.timestamp,
          SignatureVersion: links.signatureVersion,
          Signature: signature(signed, links.signatureVersion),
          SigningCertUrl: links.signingCertUrl,
          UnsubscribeUrl: links.unsubscribeUrl,
          MessageAttributes: envelopeAttributes(notification.attributes),
        },
      },
    ],
  });
}
