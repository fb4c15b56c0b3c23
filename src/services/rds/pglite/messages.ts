/** What the bridge and the PGlite worker thread say to each other. */

export interface WorkerSetup {
  /** PGlite's data folder (Node filesystem). */
  dataDir: string;
  /** The database the single session opens. */
  database: string;
  adminRole: string;
  adminPassword: string;
}

export type WorkerRequest =
  /** A client's protocol messages, run as `role` (null: the superuser). */
  | { id: number; kind: 'exchange'; frames: Uint8Array; role: string | null }
  /** gatehouse's own query (logins read pg_authid), as the superuser. */
  | { id: number; kind: 'query'; sql: string; params: unknown[] }
  | { id: number; kind: 'close' };

export type WorkerReply =
  | { id: number; output: Uint8Array }
  | { id: number; rows: Record<string, unknown>[] }
  /** Id 0, once: PGlite is up; its ParameterStatus values for new sessions. */
  | { id: number; parameters: [string, string][] }
  | { id: number; error: string }
  | { id: number };
