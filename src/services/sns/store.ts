/**
 * Durable SNS state in one SQLite database: topics and subscriptions, cached in memory (every
 * Publish reads them) and written through. Configuration changes are rare, so each is its own
 * transaction; published messages are not stored here (SQS deliveries are durable in SQS).
 * AWS docs: Amazon SNS Developer Guide, "Amazon SNS topics" and "Subscribing to an Amazon SNS topic".
 */
import type { Database } from '../../storage/sqlite.js';
import type { Protocol, Subscription, Topic } from './model.js';

/** The store's tables (openDatabase's schema step). */
export function createTables(db: Database): void {
  db.exec(SCHEMA);
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS topics (
  arn TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  fifo INTEGER NOT NULL,
  attributes TEXT NOT NULL,
  tags TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS subscriptions (
  arn TEXT PRIMARY KEY,
  topic_arn TEXT NOT NULL,
  protocol TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  attributes TEXT NOT NULL,
  confirmed INTEGER NOT NULL,
  token TEXT,
  confirmed_by_url INTEGER NOT NULL DEFAULT 0
);
`;

interface TopicRow {
  arn: string;
  name: string;
  fifo: number;
  attributes: string;
  tags: string;
}

interface SubscriptionRow {
  arn: string;
  topic_arn: string;
  protocol: string;
  endpoint: string;
  attributes: string;
  confirmed: number;
  token: string | null;
  confirmed_by_url: number;
}

export class SnsStore {
  readonly topics = new Map<string, Topic>();
  readonly subscriptions = new Map<string, Subscription>();
  /** Subscriptions of each topic, in subscription order (Publish walks these). */
  readonly #byTopic = new Map<string, Subscription[]>();
  readonly #db: Database;
  readonly #putTopic;
  readonly #deleteTopic;
  readonly #putSubscription;
  readonly #deleteSubscription;
  readonly #deleteTopicSubscriptions;

  constructor(db: Database) {
    this.#db = db;
    this.#putTopic = db.prepare<[string, string, number, string, string]>(
      'INSERT OR REPLACE INTO topics (arn, name, fifo, attributes, tags) VALUES (?, ?, ?, ?, ?)',
    );
    this.#deleteTopic = db.prepare<[string]>('DELETE FROM topics WHERE arn = ?');
    this.#putSubscription = db.prepare<[string, string, string, string, string, number, string | null, number]>(
      'INSERT OR REPLACE INTO subscriptions (arn, topic_arn, protocol, endpoint, attributes, confirmed, token, confirmed_by_url) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.#deleteSubscription = db.prepare<[string]>('DELETE FROM subscriptions WHERE arn = ?');
    this.#deleteTopicSubscriptions = db.prepare<[string]>('DELETE FROM subscriptions WHERE topic_arn = ?');
    for (const row of db.prepare('SELECT * FROM topics').all() as TopicRow[]) {
      this.topics.set(row.arn, {
        arn: row.arn,
        name: row.name,
        fifo: row.fifo === 1,
        attributes: JSON.parse(row.attributes) as Record<string, string>,
        tags: JSON.parse(row.tags) as Record<string, string>,
      });
    }
    for (const row of db.prepare('SELECT * FROM subscriptions ORDER BY rowid').all() as SubscriptionRow[]) {
      this.#index({
        arn: row.arn,
        topicArn: row.topic_arn,
        protocol: row.protocol as Protocol,
        endpoint: row.endpoint,
        attributes: JSON.parse(row.attributes) as Record<string, string>,
        confirmed: row.confirmed === 1,
        token: row.token,
        confirmedByUrl: row.confirmed_by_url === 1,
      });
    }
  }

  #index(subscription: Subscription): void {
    this.subscriptions.set(subscription.arn, subscription);
    let list = this.#byTopic.get(subscription.topicArn);
    if (list === undefined) {
      list = [];
      this.#byTopic.set(subscription.topicArn, list);
    }
    if (!list.includes(subscription)) list.push(subscription);
  }

  subscriptionsOf(topicArn: string): readonly Subscription[] {
    return this.#byTopic.get(topicArn) ?? [];
  }

  /** Inserts or updates (durably, before returning). */
  putTopic(topic: Topic): void {
    this.#putTopic.run(topic.arn, topic.name, topic.fifo ? 1 : 0, JSON.stringify(topic.attributes), JSON.stringify(topic.tags));
    this.topics.set(topic.arn, topic);
  }

  deleteTopic(arn: string): void {
    this.#db.transaction(() => {
      this.#deleteTopicSubscriptions.run(arn);
      this.#deleteTopic.run(arn);
    })();
    for (const subscription of this.#byTopic.get(arn) ?? []) this.subscriptions.delete(subscription.arn);
    this.#byTopic.delete(arn);
    this.topics.delete(arn);
  }

  putSubscription(subscription: Subscription): void {
    this.#putSubscription.run(
      subscription.arn,
      subscription.topicArn,
      subscription.protocol,
      subscription.endpoint,
      JSON.stringify(subscription.attributes),
      subscription.confirmed ? 1 : 0,
      subscription.token,
      subscription.confirmedByUrl ? 1 : 0,
    );
    const existing = this.subscriptions.get(subscription.arn);
    const list = existing === undefined ? undefined : this.#byTopic.get(existing.topicArn);
    const at = list === undefined || existing === undefined ? -1 : list.indexOf(existing);
    if (list !== undefined && at !== -1 && existing!.topicArn === subscription.topicArn) {
      // Replaced in place: deliveries keep the subscription order.
      list[at] = subscription;
      this.subscriptions.set(subscription.arn, subscription);
      return;
    }
    if (existing !== undefined) this.#unindex(existing);
    this.#index(subscription);
  }

  deleteSubscription(arn: string): void {
    this.#deleteSubscription.run(arn);
    const existing = this.subscriptions.get(arn);
    if (existing !== undefined) this.#unindex(existing);
  }

  #unindex(subscription: Subscription): void {
    this.subscriptions.delete(subscription.arn);
    const list = this.#byTopic.get(subscription.topicArn);
    if (list === undefined) return;
    const i = list.indexOf(subscription);
    if (i !== -1) list.splice(i, 1);
  }

  close(): void {
    this.#db.close();
  }
}
