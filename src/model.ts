/**
 * The shared model at the bottom of every layer (docs/ARCHITECTURE.md "Layers"): what a
 * revision's steps executed, the locks each statement took, and the findings rules raise. The
 * driver fills statements and steps, the round trip adds schema differences, the rules turn
 * them into findings, the report (src/report/model.ts) is built from them. This file imports
 * nothing, so every layer may import it and it can never take part in a cycle.
 */

export type Severity = 'error' | 'warning';
export type Phase = 'upgrade' | 'downgrade' | 'reupgrade';

/** A rule's configured level: `off` drops it, otherwise the severity of its findings. */
export type RuleSetting = 'off' | Severity;

/** Which findings fail the run (`fail-on`). */
export type FailOn = 'error' | 'warning' | 'never';

export interface LockInfo {
  /** Relation name as PostgreSQL shows it (schema-qualified when not in `public`). */
  relation: string;
  /** pg_locks.mode, e.g. `AccessExclusiveLock`, `ShareLock`. */
  mode: string;
}

/** Observed by the driver around one statement (pg_class.relfilenode, pg_stat_xact_user_tables). */
export interface ObservedEffects {
  /** Relations whose storage was rewritten (relfilenode changed): tables and indexes. */
  rewrote: string[];
  /** Tables read in full (sequential scans grew); null when unknown (outside a transaction). */
  scanned: string[] | null;
  /** Rows the statement read sequentially, per table. */
  rowsRead: Record<string, number>;
  /** Size in bytes of the rewritten or scanned tables after the statement. */
  bytes: Record<string, number>;
  /** Existing relations the statement held a lock on. */
  locked: string[];
  /** Per locked relation: ms from the statement's start to the end of its transaction. */
  lockMs: Record<string, number>;
  /** With --table-stats: per table, the lock time extrapolated to production size. */
  estimatedLockMs?: Record<string, number>;
  /** How each estimate was made ("rewrote orders (300 rows) in 4 ms; 48 M rows ≈ 11 min"). */
  estimateBasis?: string[];
}

export interface ExecutedStatement {
  sql: string;
  /** Line in the revision file of the innermost stack frame in that file; null when unknown. */
  line: number | null;
  durationMs: number;
  locks: LockInfo[];
  /** True when the statement ran inside a transaction block (false under autocommit). */
  inTransaction?: boolean;
  /** Alembic's own bookkeeping (alembic_version); rules skip these. */
  bookkeeping?: boolean;
  /** Revision the statement belongs to, when a step ran several revisions. */
  revision?: string | null;
  /** Database error raised by this statement, if it failed. */
  error?: string | null;
  /**
   * The server's effective lock_timeout (ms, 0 = none) just before the statement ran, read by
   * the driver; absent when not read. Counts env.py, role and database settings.
   */
  lockTimeoutMs?: number | null;
  /** Like lockTimeoutMs, for statement_timeout (migration-guard's own safety limit excluded). */
  statementTimeoutMs?: number | null;
  /** True when a transaction block was open just before the statement was sent. */
  inTransactionBefore?: boolean | null;
  /**
   * What the statement did to relations that existed before it (pending revisions on the
   * populated database): storage rewritten, tables read in full, how long its locks were held.
   */
  observed?: ObservedEffects | null;
}

export interface StepResult {
  phase: Phase;
  ok: boolean;
  durationMs: number;
  error: string | null;
  statements: ExecutedStatement[];
  /** Readable schema differences found after this step (downgrade: vs before upgrade). */
  schemaDiff?: string[];
  /**
   * Where a step of the round trip failed (the round trip always sets the first two; a step
   * built by hand may leave them out): the line in the revision file, the failing SQL, the
   * server's DETAIL and the revision whose code raised.
   */
  errorLine?: number | null;
  failedStatement?: string | null;
  errorDetail?: string | null;
  errorRevision?: string | null;
}

export interface Finding {
  rule: string;
  severity: Severity;
  message: string;
  help: string;
  docsUrl: string;
  /** Path relative to the repository root (or project dir when not in git). */
  file: string | null;
  line: number | null;
  statement: string | null;
  ignored: boolean;
  ignoreReason: string | null;
  /**
   * Consequences of this finding's cause, reported under it instead of on their own (one
   * cause, one finding): e.g. the trace an empty downgrade leaves and the re-upgrade that then
   * fails. Counts, exit codes, annotations and SARIF count only the finding they hang on.
   * Absent when there are none.
   */
  related?: RelatedFinding[];
}

/** A finding of another rule that the cause of its parent Finding explains. */
export interface RelatedFinding {
  rule: string;
  severity: Severity;
  message: string;
  docsUrl: string;
  file: string | null;
  line: number | null;
  statement: string | null;
}

/** The exit policy for one finding: does it fail the run under `failOn`? */
export function failsRun(finding: Finding, failOn: FailOn): boolean {
  if (failOn === 'never' || finding.ignored) return false;
  return finding.severity === 'error' || (failOn === 'warning' && finding.severity === 'warning');
}

/** What a rule's check returns; the pipeline turns it into a report Finding. */
export interface RuleFinding {
  message: string;
  help?: string;
  /** Revision the finding belongs to; null/absent = project-level. */
  revision?: string | null;
  /** File relative to the repository root. */
  file?: string | null;
  line?: number | null;
  statement?: string | null;
  /** Overrides the configured severity only when a rule has two levels of its own. */
  severity?: Severity;
  /**
   * What the finding is about, one item per object or error (the schema difference lines, the
   * database error), for a rule that explains it to decide whether it is the cause.
   */
  subjects?: string[];
}
