/**
 * The JSON-lines protocol between the client (client.ts) and the Python driver (driver.py):
 * what a load and a command answer, the events the driver sends while a command runs, and the
 * two ways a request fails.
 */
import type { LockInfo, ObservedEffects } from '../model.js';

/** A statement as the driver reports it (the report's ExecutedStatement plus attribution). */
export interface DriverStatement {
  sql: string;
  line: number | null;
  revision: string | null;
  bookkeeping: boolean;
  durationMs: number;
  locks: LockInfo[];
  inTransaction: boolean | null;
  error: string | null;
  /** Read just before a revision's statement; absent for others (see driver.py). */
  inTransactionBefore?: boolean;
  lockTimeoutMs?: number;
  statementTimeoutMs?: number;
  /** With `observe`: what the statement did to existing relations (src/model.ts ObservedEffects). */
  observed?: ObservedEffects | null;
}

export interface CommandResult {
  ok: boolean;
  durationMs: number;
  /** Part of durationMs the driver spent capturing statements (attribution, lock probes, events). */
  captureMs?: number;
  /** One line: `UndefinedColumn: column "cost" … does not exist`, `RuntimeError: boom`. */
  error: string | null;
  /** Line in the revision file where the error was raised (or of the failing statement). */
  errorLine: number | null;
  errorRevision: string | null;
  failedStatement: string | null;
  /** The server's DETAIL of the failing statement (`Key (email)=(a@b) is duplicated.`). */
  errorDetail?: string | null;
  traceback: string | null;
  statements: DriverStatement[];
}

export interface DriverRevision {
  id: string;
  downRevisions: string[];
  dependsOn: string[];
  /** Absolute path. */
  file: string;
}

export interface DriverImportError {
  /** Absolute path of the revision file that failed to import. */
  file: string;
  error: string;
  line: number | null;
}

export interface LoadResult {
  alembicVersion: string;
  sqlalchemyVersion: string;
  pythonVersion: string;
  url_scheme: string;
  heads: string[];
  revisions: DriverRevision[];
  importErrors: DriverImportError[];
  /** Revisions left out because a parent (or dependency) failed to import. */
  excluded: Array<{ revision: string; file: string; missing: string[] }>;
}

export interface LoadRequest {
  configPath: string;
  section?: string;
  databaseUrl: string;
  urlEnv?: string;
  statementTimeoutMs?: number;
  /** Revision files to leave out: the static graph cannot place them (cycle, missing parent). */
  excludeFiles?: string[];
}

export interface ModelDriftResult {
  /** null when it could not be computed (see reason). */
  drift: string[] | null;
  reason: string | null;
}

/** The driver did not answer (timeout) or died; the process is gone. */
export class DriverCrashError extends Error {
  readonly lastStatement: { sql: string; line: number | null; revision: string | null } | null;
  readonly stderrTail: string;
  constructor(
    message: string,
    lastStatement: DriverCrashError['lastStatement'],
    stderrTail: string,
    readonly timedOut: boolean,
  ) {
    super(message);
    this.name = 'DriverCrashError';
    this.lastStatement = lastStatement;
    this.stderrTail = stderrTail;
  }
}

/** The driver answered with an error (the process is still usable). */
export class DriverRequestError extends Error {
  constructor(
    message: string,
    readonly errorType: string,
    readonly traceback: string | null,
  ) {
    super(message);
    this.name = 'DriverRequestError';
  }
}

export interface DriverMessage {
  id?: number;
  ok?: boolean;
  result?: unknown;
  error?: string;
  errorType?: string;
  traceback?: string;
  event?: string;
  sql?: string;
  line?: number | null;
  revision?: string | null;
  kind?: string;
  pid?: number;
}

/** One line of the driver's stdout as a message; null for anything else (a print of the user's code). */
export function parseMessage(line: string): DriverMessage | null {
  if (!line.startsWith('{')) return null;
  try {
    return JSON.parse(line) as DriverMessage;
  } catch {
    return null;
  }
}
