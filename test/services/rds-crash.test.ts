/**
 * A gatehouse killed with SIGKILL leaves its PostgreSQL running; the next start stops that server and
 * serves the same data (acknowledged commits survive), and a clean stop leaves no server behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { stringify } from 'yaml';
import { freePort, waitForHealth } from '../support/process.js';

const CLI = resolve(fileURLToPath(import.meta.url), '../../../src/cli/main.js');

const TEMPLATE = {
  Resources: {
    Db: {
      Type: 'AWS::RDS::DBInstance',
      Properties: { DBInstanceIdentifier: 'app-db', Engine: 'postgres', DBInstanceClass: 'db.t4g.micro', MasterUsername: 'app', MasterUserPassword: 'app-password', DatabaseName: 'app' },
    },
  },
};

function serve(file: string, awsPort: number, dbPort: number): ChildProcess {
  return spawn(process.execPath, [CLI, 'serve', file, '--port', '0', '--aws-port', String(awsPort), '--db-port', String(dbPort), '--data-dir', join(file, '../data')], { stdio: 'ignore' });
}

/** Connects once the database answers (the server starts in the background). */
async function connect(port: number): Promise<pg.Client> {
  for (let attempt = 0; ; attempt++) {
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'app', password: 'app-password', database: 'app' });
    try {
      await client.connect();
      return client;
    } catch (error) {
      await client.end().catch(() => {});
      if (attempt > 100) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

const postmasterPid = (dir: string): number => Number(readFileSync(join(dir, 'data/rds', 'app-db', 'pgdata/postmaster.pid'), 'utf8').split('\n')[0]);
/** Running, not a zombie waiting for its new parent to reap it (Linux /proc/<pid>/stat state). */
const alive = (pid: number): boolean => {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
};

test('after SIGKILL the next start takes over the cluster and keeps the committed rows', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-rds-crash-'));
  const file = join(dir, 'template.yaml');
  writeFileSync(file, stringify(TEMPLATE));
  const [awsPort, dbPort] = [await freePort(), await freePort()];
  let child = serve(file, awsPort, dbPort);
  try {
    await waitForHealth(awsPort, 60_000);
    const first = await connect(dbPort);
    await first.query('CREATE TABLE t (v text); INSERT INTO t VALUES ($$committed$$)');
    await first.end();
    const orphan = postmasterPid(dir);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    assert.ok(alive(orphan), 'PostgreSQL outlives a SIGKILLed gatehouse');

    child = serve(file, awsPort, dbPort);
    await waitForHealth(awsPort, 60_000);
    const second = await connect(dbPort);
    assert.deepEqual((await second.query('SELECT v FROM t')).rows, [{ v: 'committed' }]);
    await second.end();
    assert.ok(!alive(orphan), 'the leftover server was stopped');
    const current = postmasterPid(dir);

    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    assert.ok(!alive(current), 'a clean stop stops PostgreSQL');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
