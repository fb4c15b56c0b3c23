/**
 * Durable SQS state in one SQLite database: queues, messages, FIFO deduplication ids. Writes go
 * through a group commit (storage/group-commit.ts): a SendMessage is acknowledged only once
 * durable, at one commit and one fsync per batch of concurrent writes rather than per message.
 * AWS docs: SQS Developer Guide, "Amazon SQS visibility timeout", "Amazon SQS message retention",
 * "Using dead-letter queues", "Exactly-once processing in Amazon SQS" (what is stored and why).
 */
import type { Database } from '../../storage/sqlite.js';
import { GroupCommit } from '../../storage/group-commit.js';
import type { MessageAttributes, Queue } from './model.js';
import { settingsOf } from './model.js';

/** The store's tables (openDatabase's schema step). */
export function createTables(db: Database): void {
  db.exec(SCHEMA);
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS queues (
  name TEXT PRIMARY KEY,
  fifo INTEGER NOT NULL,
  attributes TEXT NOT NULL,
  tags TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  modified_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  queue TEXT NOT NULL,
  id TEXT NOT NULL,
  body TEXT NOT NULL,
  attributes TEXT,
  md5_body TEXT NOT NULL,
  md5_attributes TEXT,
  trace_header TEXT,
  sender_id TEXT NOT NULL,
  sent_at INTEGER NOT NULL,
  visible_at INTEGER NOT NULL,
  receive_count INTEGER NOT NULL DEFAULT 0,
  first_receive_at INTEGER,
  receipt TEXT,
  group_id TEXT,
  dedup_id TEXT,
  dlq_source TEXT
);
CREATE INDEX IF NOT EXISTS messages_by_visibility ON messages (queue, visible_at, seq);
CREATE INDEX IF NOT EXISTS messages_by_queue ON messages (queue, seq);
CREATE TABLE IF NOT EXISTS dedup (
  queue TEXT NOT NULL,
  key TEXT NOT NULL,
  message_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (queue, key)
) WITHOUT ROWID;
`;

/** A message row as stored. Times are epoch milliseconds. */
export interface MessageRow {
  seq: number;
  queue: string;
  id: string;
  body: string;
  attributes: string | null;
  md5_body: string;
  md5_attributes: string | null;
  trace_header: string | null;
  sender_id: string;
  sent_at: number;
  visible_at: number;
  receive_count: number;
  first_receive_at: number | null;
  receipt: string | null;
  group_id: string | null;
  dedup_id: string | null;
  dlq_source: string | null;
}

export interface NewMessage {
  id: string;
  body: string;
  attributes: MessageAttributes | undefined;
  md5Body: string;
  md5Attributes: string | undefined;
  traceHeader: string | undefined;
  senderId: string;
  sentAt: number;
  visibleAt: number;
  groupId: string | undefined;
  dedupId: string | undefined;
  /** Carried over when a message moves to a dead-letter queue. */
  receiveCount?: number;
  firstReceiveAt?: number | null;
  dlqSource?: string | undefined;
}

export interface QueueCounts {
  visible: number;
  inFlight: number;
  delayed: number;
}

interface QueueRow {
  name: string;
  fifo: number;
  attributes: string;
  tags: string;
  created_at: number;
  modified_at: number;
}

/** The first message sequence number (for FIFO `SequenceNumber`, 20 digits like AWS's). */
const SEQUENCE_BASE = 10n ** 19n;

export function sequenceNumberOf(seq: number): string {
  return String(SEQUENCE_BASE + BigInt(seq));
}

export class SqsStore {
  /** Every queue, by name: read on each request, written through to the database. */
  readonly queues = new Map<string, Queue>();
  readonly #db: Database;
  readonly #batch: GroupCommit;

  readonly #insertQueue;
  readonly #updateQueue;
  readonly #deleteQueue;
  readonly #deleteQueueMessages;
  readonly #deleteQueueDedup;
  readonly #insertMessage;
  readonly #visibleMessages;
  readonly #queueMessages;
  readonly #markReceived;
  readonly #deleteMessage;
  readonly #deleteBySeq;
  readonly #changeVisibility;
  readonly #counts;
  readonly #nextVisible;
  readonly #findDedup;
  readonly #putDedup;
  readonly #sweepDedup;
  readonly #sweepExpired;
  readonly #bySeq;

  constructor(db: Database) {
    this.#db = db;
    this.#insertQueue = db.prepare<[string, number, string, string, number, number]>(
      'INSERT INTO queues (name, fifo, attributes, tags, created_at, modified_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.#updateQueue = db.prepare<[string, string, number, string]>('UPDATE queues SET attributes = ?, tags = ?, modified_at = ? WHERE name = ?');
    this.#deleteQueue = db.prepare<[string]>('DELETE FROM queues WHERE name = ?');
    this.#deleteQueueMessages = db.prepare<[string]>('DELETE FROM messages WHERE queue = ?');
    this.#deleteQueueDedup = db.prepare<[string]>('DELETE FROM dedup WHERE queue = ?');
    this.#insertMessage = db.prepare(
      `INSERT INTO messages (queue, id, body, attributes, md5_body, md5_attributes, trace_header, sender_id, sent_at, visible_at,
         receive_count, first_receive_at, group_id, dedup_id, dlq_source)
       VALUES (@queue, @id, @body, @attributes, @md5Body, @md5Attributes, @traceHeader, @senderId, @sentAt, @visibleAt,
         @receiveCount, @firstReceiveAt, @groupId, @dedupId, @dlqSource)`,
    );
    this.#visibleMessages = db.prepare<[string, number, number]>(
      'SELECT * FROM messages WHERE queue = ? AND visible_at <= ? ORDER BY visible_at, seq LIMIT ?',
    );
    this.#queueMessages = db.prepare<[string, number, number]>('SELECT * FROM messages WHERE queue = ? AND seq > ? ORDER BY seq LIMIT ?');
    this.#markReceived = db.prepare<[number, number, string, number]>(
      'UPDATE messages SET visible_at = ?, receive_count = receive_count + 1, first_receive_at = coalesce(first_receive_at, ?), receipt = ? WHERE seq = ?',
    );
    this.#deleteMessage = db.prepare<[number, string, string]>('DELETE FROM messages WHERE seq = ? AND queue = ? AND receipt = ?');
    this.#deleteBySeq = db.prepare<[number]>('DELETE FROM messages WHERE seq = ?');
    this.#changeVisibility = db.prepare<[number, number, string, string, number]>(
      'UPDATE messages SET visible_at = ? WHERE seq = ? AND queue = ? AND receipt = ? AND visible_at > ?',
    );
    this.#counts = db.prepare<[number, number, number, string]>(
      `SELECT coalesce(sum(visible_at <= ?), 0) AS visible,
              coalesce(sum(visible_at > ? AND receipt IS NOT NULL), 0) AS inFlight,
              coalesce(sum(visible_at > ? AND receipt IS NULL), 0) AS delayed
         FROM messages WHERE queue = ?`,
    );
    this.#nextVisible = db.prepare<[string, number]>('SELECT min(visible_at) AS at FROM messages WHERE queue = ? AND visible_at > ?');
    this.#findDedup = db.prepare<[string, string, number]>('SELECT message_id, seq FROM dedup WHERE queue = ? AND key = ? AND expires_at > ?');
    this.#putDedup = db.prepare<[string, string, string, number, number]>(
      'INSERT OR REPLACE INTO dedup (queue, key, message_id, seq, expires_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.#sweepDedup = db.prepare<[number]>('DELETE FROM dedup WHERE expires_at <= ?');
    this.#sweepExpired = db.prepare<[string, number]>('DELETE FROM messages WHERE queue = ? AND sent_at < ?');
    this.#bySeq = db.prepare<[number]>('SELECT * FROM messages WHERE seq = ?');

    this.#batch = new GroupCommit(db);
    // A failed commit: the queue cache may hold changes the database does not.
    this.#batch.onAbort = () => this.#loadQueues();
    this.#loadQueues();
  }

  /**
   * Runs `fn` inside the next group commit and resolves with its result once that commit is
   * durable. `fn` runs synchronously with the other writes of its batch, in submission order.
   * `durable: false` (receives, deletes, visibility changes) lets a batch made only of such writes
   * commit without waiting for the disk: a process crash keeps them (the WAL is in the OS), a
   * power loss may undo them — a message then comes back, which at-least-once delivery allows.
   */
  write<T>(fn: () => T, durable = true): Promise<T> {
    return this.#batch.write(fn, durable);
  }

  /** Runs `callback` once the current batch is committed (wake-ups of waiting receivers). */
  afterCommit(callback: () => void): void {
    this.#batch.afterCommit(callback);
  }

  #loadQueues(): void {
    this.queues.clear();
    for (const row of this.#db.prepare('SELECT * FROM queues').all() as QueueRow[]) {
      const attributes = JSON.parse(row.attributes) as Record<string, string>;
      this.queues.set(row.name, {
        name: row.name,
        fifo: row.fifo === 1,
        attributes,
        tags: JSON.parse(row.tags) as Record<string, string>,
        createdAt: row.created_at,
        modifiedAt: row.modified_at,
        settings: settingsOf(attributes),
      });
    }
  }

  // --- Used inside write(): queues ---

  insertQueue(queue: Queue): void {
    this.#insertQueue.run(queue.name, queue.fifo ? 1 : 0, JSON.stringify(queue.attributes), JSON.stringify(queue.tags), queue.createdAt, queue.modifiedAt);
    this.queues.set(queue.name, queue);
  }

  updateQueue(queue: Queue): void {
    queue.settings = settingsOf(queue.attributes);
    this.#updateQueue.run(JSON.stringify(queue.attributes), JSON.stringify(queue.tags), queue.modifiedAt, queue.name);
  }

  deleteQueue(name: string): void {
    this.#deleteQueueMessages.run(name);
    this.#deleteQueueDedup.run(name);
    this.#deleteQueue.run(name);
    this.queues.delete(name);
  }

  purge(name: string): number {
    return this.#deleteQueueMessages.run(name).changes;
  }

  // --- Used inside write(): messages ---

  insertMessage(queue: string, message: NewMessage): number {
    const info = this.#insertMessage.run({
      queue,
      id: message.id,
      body: message.body,
      attributes: message.attributes === undefined ? null : JSON.stringify(message.attributes),
      md5Body: message.md5Body,
      md5Attributes: message.md5Attributes ?? null,
      traceHeader: message.traceHeader ?? null,
      senderId: message.senderId,
      sentAt: message.sentAt,
      visibleAt: message.visibleAt,
      receiveCount: message.receiveCount ?? 0,
      firstReceiveAt: message.firstReceiveAt ?? null,
      groupId: message.groupId ?? null,
      dedupId: message.dedupId ?? null,
      dlqSource: message.dlqSource ?? null,
    });
    return Number(info.lastInsertRowid);
  }

  /** Visible messages, longest visible first. */
  visibleMessages(queue: string, now: number, limit: number): MessageRow[] {
    return this.#visibleMessages.all(queue, now, limit) as MessageRow[];
  }

  /** Messages of a queue in send order after `afterSeq` (FIFO scans). */
  queueMessages(queue: string, afterSeq: number, limit: number): MessageRow[] {
    return this.#queueMessages.all(queue, afterSeq, limit) as MessageRow[];
  }

  message(seq: number): MessageRow | undefined {
    return this.#bySeq.get(seq) as MessageRow | undefined;
  }

  markReceived(seq: number, visibleAt: number, now: number, receipt: string): void {
    this.#markReceived.run(visibleAt, now, receipt, seq);
  }

  /** Deletes the message if `receipt` is its latest receipt; false otherwise. */
  deleteMessage(queue: string, seq: number, receipt: string): boolean {
    return this.#deleteMessage.run(seq, queue, receipt).changes === 1;
  }

  removeMessage(seq: number): void {
    this.#deleteBySeq.run(seq);
  }

  /** Changes the visibility of an in-flight message; false when not in flight under that receipt. */
  changeVisibility(queue: string, seq: number, receipt: string, visibleAt: number, now: number): boolean {
    return this.#changeVisibility.run(visibleAt, seq, queue, receipt, now).changes === 1;
  }

  expireBefore(queue: string, sentBefore: number): number {
    return this.#sweepExpired.run(queue, sentBefore).changes;
  }

  findDedup(queue: string, key: string, now: number): { message_id: string; seq: number } | undefined {
    return this.#findDedup.get(queue, key, now) as { message_id: string; seq: number } | undefined;
  }

  putDedup(queue: string, key: string, messageId: string, seq: number, expiresAt: number): void {
    this.#putDedup.run(queue, key, messageId, seq, expiresAt);
  }

  sweepDedup(now: number): void {
    this.#sweepDedup.run(now);
  }

  // --- Reads (outside write) ---

  counts(queue: string, now: number): QueueCounts {
    return this.#counts.get(now, now, now, queue) as QueueCounts;
  }

  /** When the next message that is not visible now becomes visible, if any. */
  nextVisibleAt(queue: string, now: number): number | undefined {
    const row = this.#nextVisible.get(queue, now) as { at: number | null };
    return row.at ?? undefined;
  }

  get closed(): boolean {
    return !this.#db.open;
  }

  /** Commits what is queued, then closes the database. */
  close(): void {
    this.#batch.close();
    this.#db.close();
  }
}
