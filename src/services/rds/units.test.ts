/** Units of the RDS service: Data API placeholders and the database port's answer when no server can start. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { bindParameters } from './data-api/values.js';
import { DatabaseProxy } from './proxy.js';
import { PostgresNotFoundError } from './engine.js';
import { freePortRun } from './ports.js';

test('named parameters become positional ones; literals, identifiers, comments and casts are left alone', () => {
  const bound = bindParameters(
    `SELECT ':skip', ":quoted", $$ :dollar $$, x::text, :a, :b::int -- :comment\n, :a /* :block */`,
    [
      { name: 'a', value: { stringValue: 'A' } },
      { name: 'b', value: { longValue: 2 }, typeHint: 'DECIMAL' },
    ],
  );
  assert.equal(bound.text, `SELECT ':skip', ":quoted", $$ :dollar $$, x::text, $1, $2::numeric::int -- :comment\n, $1 /* :block */`);
  assert.deepEqual(bound.values, ['A', 2]);
  // SqlParameter value union and typeHint (RDS Data API Reference "SqlParameter").
  assert.deepEqual(bindParameters('SELECT :n, :b', [{ name: 'n', value: { isNull: true } }, { name: 'b', value: { blobValue: 'AQI=' } }]).values, [null, Buffer.from([1, 2])]);
  assert.throws(() => bindParameters('SELECT :missing', []), { name: 'BadRequestException' });
});

test('with no PostgreSQL, a client connecting to the database port is told what to install or pass', async () => {
  const port = await freePortRun('127.0.0.1');
  const proxy = new DatabaseProxy(() => Promise.reject(new PostgresNotFoundError()));
  await proxy.listen(port, '127.0.0.1');
  try {
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'u', password: 'p', database: 'd' });
    await assert.rejects(client.connect(), /no PostgreSQL found.*apt-get install postgresql.*--postgres-url/s);
  } finally {
    await proxy.close();
  }
});
