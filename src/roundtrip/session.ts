/**
 * Our own session in the test database (snapshots, resets, data capture) and the snapshot
 * bookkeeping around it. It runs as the migrations' role but logs in as a role they cannot
 * cancel or terminate (src/database/roles.ts). The server may still go away (and in superuser
 * mode a migration may end the session), which becomes a failed step or, when no new session
 * can be opened, the end of the run (DatabaseGoneError). The runner (run.ts) decides what runs;
 * this file keeps the connection and the last snapshot.
 */
import pg from 'pg';
import type { Logger } from '../log.js';
import { takeSnapshot, type SchemaSnapshot } from '../schema/snapshot.js';
import type { RunTimings } from './steps.js';
import type { RevisionRoundTrip, RoundTripStep } from './types.js';

export class TestSession {
  db: pg.Client;
  /** Set when the session died under us (pg_terminate_backend, the server went away). */
  private dbLost: Error | null = null;
  /**
   * The database as it is right now, when the last thing that happened to it was a snapshot;
   * null as soon as anything may have changed it (a step, a rebuild, a driver restart).
   */
  current: SchemaSnapshot | null = null;

  constructor(
    private readonly databaseUrl: string,
    private readonly log: Logger,
    private readonly timings: RunTimings,
    private readonly reuseSnapshots: boolean,
  ) {
    this.db = this.newClient();
  }

  newClient(url = this.databaseUrl): pg.Client {
    const client = new pg.Client({ connectionString: url });
    // A migration may end our session (pg_terminate_backend) or the server may go away: the
    // pending query rejects by itself, and without a listener the event would crash the run.
    client.on('error', (e) => {
      if (client === this.db) this.dbLost ??= e;
    });
    return client;
  }

  /** Anything may have changed the database: the next "before" snapshot is taken, not reused. */
  invalidate(): void {
    this.current = null;
  }

  async end(): Promise<void> {
    await this.db.end().catch(() => undefined);
  }

  /** A new session after ours was lost; DatabaseGoneError when the server does not answer. */
  async reconnect(): Promise<void> {
    const lost = this.dbLost;
    await this.db.end().catch(() => undefined);
    this.db = this.newClient();
    this.dbLost = null;
    this.current = null;
    try {
      await this.db.connect();
    } catch (e) {
      throw new DatabaseGoneError(
        `the database is gone: ${connectionMessage(e)}${lost ? ` (after ${connectionMessage(lost)})` : ''}`,
      );
    }
    this.log.debug('reconnected to the test database after the connection was lost');
  }

  isConnectionLoss(e: unknown): boolean {
    if (this.dbLost !== null) return true;
    const code = (e as { code?: string }).code ?? '';
    return (
      code.startsWith('57P') ||
      code.startsWith('08') ||
      /connection terminated|terminating connection|connection (?:error|ended)|not queryable|ECONNRESET|ECONNREFUSED/i.test(
        e instanceof Error ? e.message : String(e),
      )
    );
  }

  async snapshot(): Promise<SchemaSnapshot> {
    const t0 = performance.now();
    const snap = await takeSnapshot(this.db);
    this.timings.time('snapshotMs', performance.now() - t0);
    this.timings.count('snapshots');
    this.current = snap;
    return snap;
  }

  /**
   * The snapshot after `step` of `id`. When our session was lost (the step's SQL ended it, or
   * the server went away) the step is a failed step with the connection error, not a crash.
   */
  async snapshotAfter(step: RoundTripStep, id: string): Promise<SchemaSnapshot | null> {
    try {
      return await this.snapshot();
    } catch (e) {
      if (!this.isConnectionLoss(e)) throw e;
      const message = `the connection to the database was lost: ${connectionMessage(this.dbLost ?? e)}`;
      step.ok = false;
      step.error = step.error ? `${step.error}; ${message}` : message;
      this.log.info(`  ${id} ${step.phase} FAILED: ${message}`);
      await this.reconnect();
      return null;
    }
  }

  /**
   * The schema before a revision's upgrade. After a clean round trip of the previous revision
   * the database is exactly as its last snapshot saw it (nothing runs between two revisions
   * unless something failed, and then the runner has cleared `current`), so that snapshot is
   * reused; which branch the next revision is on does not matter, the state is the same.
   */
  async snapshotBefore(): Promise<SchemaSnapshot> {
    if (this.current !== null && this.reuseSnapshots) {
      this.timings.count('snapshotsReused');
      return this.current;
    }
    try {
      return await this.snapshot();
    } catch (e) {
      // Lost since the last step (nothing of this revision ran yet): a new session, once.
      if (!this.isConnectionLoss(e)) throw e;
      await this.reconnect();
      return this.snapshot();
    }
  }
}

/** Our session is lost and a new one cannot be opened: the rest of the run cannot happen. */
export class DatabaseGoneError extends Error {
  /** The revision that was running, with the steps it got through. */
  outcome: RevisionRoundTrip | null = null;
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseGoneError';
  }
}

/** Runs `fn`; a DatabaseGoneError leaving it carries `out` (the steps so far) along. */
export async function withOutcome<T>(out: RevisionRoundTrip, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof DatabaseGoneError) e.outcome ??= out;
    throw e;
  }
}

export function connectionMessage(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.split('\n')[0] || (e as { code?: string }).code || 'connection lost';
}
