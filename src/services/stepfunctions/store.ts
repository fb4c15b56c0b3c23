/**
 * Durable Step Functions state in SQLite: state machines, executions (status, input, output, the
 * definition they run and the checkpoint a restart resumes from) and execution history.
 * AWS docs: Step Functions developer guide, "Standard and Express workflow types" (Standard executions
 * keep their history; Express ones do not).
 */
import { openDatabase, type Database } from '../../storage/sqlite.js';

export type MachineType = 'STANDARD' | 'EXPRESS';
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface MachineRecord {
  arn: string;
  name: string;
  type: MachineType;
  definition: string;
  roleArn: string;
  createdMs: number;
  updatedMs: number | null;
  description: string;
  tags: Record<string, string>;
}

export interface ExecutionRecord {
  arn: string;
  machineArn: string;
  name: string;
  type: MachineType;
  status: ExecutionStatus;
  input: string;
  output: string | null;
  error: string | null;
  cause: string | null;
  startMs: number;
  stopMs: number | null;
  /** The definition (and role) the execution started with: an update of the machine does not change it. */
  definition: string;
  roleArn: string;
  checkpoint: string | null;
}

export interface StoredEvent {
  id: number;
  previousEventId: number;
  timestampMs: number;
  type: string;
  details: Record<string, unknown> | undefined;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS state_machines (
  arn TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  definition TEXT NOT NULL,
  role_arn TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER,
  description TEXT NOT NULL DEFAULT '',
  tags TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS executions (
  arn TEXT PRIMARY KEY,
  machine_arn TEXT NOT NULL,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  status TEXT NOT NULL,
  input TEXT NOT NULL,
  output TEXT,
  error TEXT,
  cause TEXT,
  start_ms INTEGER NOT NULL,
  stop_ms INTEGER,
  definition TEXT NOT NULL,
  role_arn TEXT NOT NULL,
  checkpoint TEXT
);
CREATE INDEX IF NOT EXISTS executions_by_machine ON executions (machine_arn, start_ms);
CREATE TABLE IF NOT EXISTS history (
  execution_arn TEXT NOT NULL,
  id INTEGER NOT NULL,
  previous_id INTEGER NOT NULL,
  ts_ms INTEGER NOT NULL,
  type TEXT NOT NULL,
  details TEXT,
  PRIMARY KEY (execution_arn, id)
) WITHOUT ROWID;
`;

interface MachineRow {
  arn: string;
  name: string;
  type: MachineType;
  definition: string;
  role_arn: string;
  created_ms: number;
  updated_ms: number | null;
  description: string;
  tags: string;
}

interface ExecutionRow {
  arn: string;
  machine_arn: string;
  name: string;
  type: MachineType;
  status: ExecutionStatus;
  input: string;
  output: string | null;
  error: string | null;
  cause: string | null;
  start_ms: number;
  stop_ms: number | null;
  definition: string;
  role_arn: string;
  checkpoint: string | null;
}

const machine = (r: MachineRow): MachineRecord => ({
  arn: r.arn,
  name: r.name,
  type: r.type,
  definition: r.definition,
  roleArn: r.role_arn,
  createdMs: r.created_ms,
  updatedMs: r.updated_ms,
  description: r.description,
  tags: JSON.parse(r.tags) as Record<string, string>,
});

const execution = (r: ExecutionRow): ExecutionRecord => ({
  arn: r.arn,
  machineArn: r.machine_arn,
  name: r.name,
  type: r.type,
  status: r.status,
  input: r.input,
  output: r.output,
  error: r.error,
  cause: r.cause,
  startMs: r.start_ms,
  stopMs: r.stop_ms,
  definition: r.definition,
  roleArn: r.role_arn,
  checkpoint: r.checkpoint,
});

export class StepFunctionsStore {
  readonly #db: Database;
  readonly #s;

  constructor(file: string) {
    this.#db = openDatabase(file, { schema: (db) => db.exec(SCHEMA) });
    const db = this.#db;
    this.#s = {
      putMachine: db.prepare(
        `INSERT INTO state_machines (arn, name, type, definition, role_arn, created_ms, updated_ms, description, tags)
         VALUES (@arn, @name, @type, @definition, @roleArn, @createdMs, @updatedMs, @description, @tags)
         ON CONFLICT (arn) DO UPDATE SET type = excluded.type, definition = excluded.definition, role_arn = excluded.role_arn,
           updated_ms = excluded.updated_ms, description = excluded.description, tags = excluded.tags`,
      ),
      getMachine: db.prepare('SELECT * FROM state_machines WHERE arn = ?'),
      listMachines: db.prepare('SELECT * FROM state_machines ORDER BY name'),
      deleteMachine: db.prepare('DELETE FROM state_machines WHERE arn = ?'),
      insertExecution: db.prepare(
        `INSERT INTO executions (arn, machine_arn, name, type, status, input, start_ms, definition, role_arn)
         VALUES (@arn, @machineArn, @name, @type, 'RUNNING', @input, @startMs, @definition, @roleArn)`,
      ),
      getExecution: db.prepare('SELECT * FROM executions WHERE arn = ?'),
      listExecutions: db.prepare('SELECT * FROM executions WHERE machine_arn = ? ORDER BY start_ms DESC, arn DESC'),
      running: db.prepare(`SELECT * FROM executions WHERE status = 'RUNNING'`),
      finish: db.prepare(`UPDATE executions SET status = ?, output = ?, error = ?, cause = ?, stop_ms = ?, checkpoint = NULL WHERE arn = ? AND status = 'RUNNING'`),
      checkpoint: db.prepare(`UPDATE executions SET checkpoint = ? WHERE arn = ? AND status = 'RUNNING'`),
      insertEvent: db.prepare('INSERT OR REPLACE INTO history (execution_arn, id, previous_id, ts_ms, type, details) VALUES (?, ?, ?, ?, ?, ?)'),
      history: db.prepare('SELECT id, previous_id, ts_ms, type, details FROM history WHERE execution_arn = ? ORDER BY id'),
      lastEvent: db.prepare('SELECT MAX(id) AS id FROM history WHERE execution_arn = ?'),
    };
  }

  putMachine(m: MachineRecord): void {
    this.#s.putMachine.run({ ...m, tags: JSON.stringify(m.tags) });
  }

  getMachine(arn: string): MachineRecord | undefined {
    const row = this.#s.getMachine.get(arn) as MachineRow | undefined;
    return row === undefined ? undefined : machine(row);
  }

  listMachines(): MachineRecord[] {
    return (this.#s.listMachines.all() as MachineRow[]).map(machine);
  }

  deleteMachine(arn: string): void {
    this.#s.deleteMachine.run(arn);
  }

  /**
   * One transaction for everything the engine wrote in an event-loop turn: new executions with their
   * first event (StartExecution acknowledges only once this commits) and buffered history events with
   * the latest checkpoint of running ones.
   */
  writeGroup(
    starts: readonly { record: Pick<ExecutionRecord, 'arn' | 'machineArn' | 'name' | 'type' | 'input' | 'startMs' | 'definition' | 'roleArn'>; first: StoredEvent }[],
    flushes: readonly { arn: string; events: readonly StoredEvent[]; checkpoint: string | undefined }[],
  ): void {
    this.#db.transaction(() => {
      for (const { record, first } of starts) {
        const { arn, machineArn, name, type, input, startMs, definition, roleArn } = record;
        this.#s.insertExecution.run({ arn, machineArn, name, type, input, startMs, definition, roleArn });
        this.#insertEvents(arn, [first]);
      }
      for (const f of flushes) {
        this.#insertEvents(f.arn, f.events);
        if (f.checkpoint !== undefined) this.#s.checkpoint.run(f.checkpoint, f.arn);
      }
    })();
  }

  getExecution(arn: string): ExecutionRecord | undefined {
    const row = this.#s.getExecution.get(arn) as ExecutionRow | undefined;
    return row === undefined ? undefined : execution(row);
  }

  listExecutions(machineArn: string): ExecutionRecord[] {
    return (this.#s.listExecutions.all(machineArn) as ExecutionRow[]).map(execution);
  }

  runningExecutions(): ExecutionRecord[] {
    return (this.#s.running.all() as ExecutionRow[]).map(execution);
  }

  #insertEvents(arn: string, events: readonly StoredEvent[]): void {
    for (const e of events) this.#s.insertEvent.run(arn, e.id, e.previousEventId, e.timestampMs, e.type, e.details === undefined ? null : JSON.stringify(e.details));
  }

  /** Ends a RUNNING execution with its last events; false when it had already ended. */
  finishExecution(
    arn: string,
    events: readonly StoredEvent[],
    end: { status: ExecutionStatus; output: string | null; error: string | null; cause: string | null; stopMs: number },
  ): boolean {
    return this.#db.transaction(() => {
      const changed = this.#s.finish.run(end.status, end.output, end.error, end.cause, end.stopMs, arn).changes > 0;
      if (changed) this.#insertEvents(arn, events);
      return changed;
    })();
  }

  history(arn: string): StoredEvent[] {
    const rows = this.#s.history.all(arn) as { id: number; previous_id: number; ts_ms: number; type: string; details: string | null }[];
    return rows.map((r) => ({
      id: r.id,
      previousEventId: r.previous_id,
      timestampMs: r.ts_ms,
      type: r.type,
      details: r.details === null ? undefined : (JSON.parse(r.details) as Record<string, unknown>),
    }));
  }

  lastEventId(arn: string): number {
    return ((this.#s.lastEvent.get(arn) as { id: number | null }).id ?? 0) as number;
  }

  close(): void {
    this.#db.close();
  }
}
