// The group commit as its stores rely on it: concurrent writes share a transaction yet fail alone,
// every write settles in order of the batch, what resolved is in the database after it is closed
// and opened again, and a second process cannot claim the same database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GroupCommit } from './group-commit.js';
import { claimDatabase, openDatabase, type Database } from './sqlite.js';

function withDatabase(run: (file: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'group-commit-'));
    try {
      await run(join(dir, 'data.sqlite'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

function open(file: string): { db: Database; commit: GroupCommit } {
  const db = claimDatabase(file, 'test');
  db.exec('CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)');
  return { db, commit: new GroupCommit(db) };
}

const keys = (db: Database) => (db.prepare('SELECT k FROM t ORDER BY k').all() as { k: string }[]).map((r) => r.k);

test(
  'concurrent writes: each resolves with its result, a failing one rolls back alone, and all survive a reopen',
  withDatabase(async (file) => {
    const { db, commit } = open(file);
    const insert = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
    const settled: string[] = [];
    const track = <T>(name: string, write: Promise<T>) => write.finally(() => settled.push(name));
    const first = [
      track('a', commit.write(() => insert.run('a', 1).changes)),
      track('b', commit.write(() => {
        insert.run('b', 2);
        throw new Error('no b');
      })),
    ];
    // The first batch has committed and its sync runs: these wait for it, all but the one that needs no sync.
    await new Promise((resolve) => setImmediate(resolve));
    const second = [
      ...Array.from({ length: 20 }, (_, i) => track(`d${i}`, commit.write(() => insert.run(`d${String(i).padStart(2, '0')}`, i).changes))),
      track('c', commit.write(() => insert.run('c', 3).changes, false)),
    ];
    const results = await Promise.allSettled([...first, ...second]);
    assert.deepEqual(results[0], { status: 'fulfilled', value: 1 });
    assert.equal(results[1]!.status, 'rejected');
    assert.equal((results[1] as PromiseRejectedResult).reason.message, 'no b');
    assert.ok(results.slice(2).every((r) => r.status === 'fulfilled'));
    assert.deepEqual(settled.slice(0, 3), ['c', 'a', 'b']);
    commit.close();
    db.close();

    const again = openDatabase(file);
    try {
      const stored = keys(again);
      assert.equal(stored.length, 22);
      assert.ok(!stored.includes('b'));
      assert.deepEqual(stored.slice(0, 2), ['a', 'c']);
    } finally {
      again.close();
    }
  }),
);

test(
  'close() commits the writes still queued; later writes are refused',
  withDatabase(async (file) => {
    const { db, commit } = open(file);
    const insert = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
    const queued = commit.write(() => insert.run('queued', 1).changes);
    commit.close();
    assert.equal(await queued, 1);
    db.close();
    await assert.rejects(commit.write(() => 0), /closed/);

    const again = openDatabase(file);
    try {
      assert.deepEqual(keys(again), ['queued']);
    } finally {
      again.close();
    }
  }),
);

test(
  'a claimed database refuses a second owner, naming the service and file',
  withDatabase(async (file) => {
    const { db } = open(file);
    try {
      assert.throws(() => claimDatabase(file, 'test'), (error: Error) => error.message === `test: ${file} is in use by another process`);
    } finally {
      db.close();
    }
  }),
);
