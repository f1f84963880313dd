/**
 * What the round trip takes and gives: the revisions to run, and per revision the steps as
 * they ran (each a shared-model StepResult plus where its error happened).
 */
import type { ExecutedStatement, StepResult } from '../model.js';
import type { Logger } from '../log.js';
import type { SchemaFacts } from '../schema/facts.js';
import type { SeedResult } from '../seed/seed.js';
import type { DataDifference } from './data.js';
import type { DataExample } from './data-example.js';

export interface RoundTripRevision {
  id: string;
  downRevisions: string[];
  /** Absolute path. */
  file: string;
  relFile: string;
}

export interface RoundTripInput {
  configPath: string;
  projectDir: string;
  /** The git checkout the project is in (shown read-only to the driver's sandbox), if any. */
  repoRoot?: string | null;
  python: string[];
  databaseUrl: string;
  databaseUrlEnv: string;
  /**
   * The same database for our own sessions (snapshots, resets, data capture): as a login role
   * the migrations cannot cancel or terminate (src/database/roles.ts). Default: databaseUrl.
   */
  sessionUrl?: string;
  /** Every revision in the graph, topological order (parents first). */
  revisions: RoundTripRevision[];
  /** Upgraded to first, without checks ([] = start from an empty database). */
  baseHeads: string[];
  /** Revisions to round-trip, topological order. */
  pending: string[];
  statementTimeoutMs: number;
  stepTimeoutMs: number;
  modelDrift: boolean;
  /**
   * Called once after every pending revision ran, with the database upgraded to heads (on the
   * seeded rows unless a failure made the run rebuild it): the deployed release's models are
   * run against it there (src/check/deploy.ts). Whatever it does must leave no trace.
   */
  atHeads?: () => Promise<void>;
  log: Logger;
  driverPath?: string;
  /** ini section (alembic's -n); default `alembic`. */
  section?: string;
  /** Called with each revision's outcome as soon as it is known (partial reports). */
  onRevision?: (outcome: RevisionRoundTrip) => void;
  /**
   * Take the snapshot before a revision's upgrade from the previous revision's last snapshot
   * when nothing ran in between (default true; false = always a fresh one, for tests).
   */
  reuseSnapshots?: boolean;
  /**
   * Fill the tables with synthetic rows (and the user's SQL) after the base upgrade and top up
   * tables still empty before each revision; null or absent: the round trip runs on empty tables.
   */
  seed?: RoundTripSeed | null;
  /**
   * The same database as an administrator (may create databases): makes the empty template
   * copy that failures on data are verified on. Default: databaseUrl.
   */
  adminUrl?: string;
  /**
   * Record per statement of the pending revisions what it rewrote and scanned and how long its
   * locks were held (statements[].observed). Default: on when seeding.
   */
  observe?: boolean;
  /**
   * Revisions the static graph cannot place (in a cycle, or above a down_revision that names no
   * revision), with why: alembic cannot load them, so they are left out and not checked.
   */
  unplaceable?: ReadonlyMap<string, string>;
  /**
   * Revisions whose downgrade() raises with a stated reason (declared irreversible), with the
   * reason: they are upgraded, and their downgrade and re-upgrade are not run.
   */
  irreversible?: ReadonlyMap<string, string>;
}

export interface RoundTripSeed {
  rows: number;
  randomSeed: number;
  userSql: { file: string; sql: string } | null;
}

/** What the data side of one revision's round trip found (only on a populated database). */
export interface RevisionData {
  /** Rows per table before the upgrade (tables with rows). */
  rows: Record<string, number>;
  /** The upgrade or downgrade failed on the populated tables. */
  failure: DataFailure | null;
  /** Tables whose pre-existing rows or values the downgrade did not give back. */
  differences: DataDifference[];
  /** False when the data was not compared (no downgrade ran, or it ran no statement). */
  compared: boolean;
  /**
   * The revision whose failure made the run rebuild the database: this revision ran on rows
   * seeded afresh for the schema it starts from, not on those seeded after the base upgrade.
   */
  reseededAfter?: string;
}

export interface DataFailure {
  phase: 'upgrade' | 'downgrade';
  /**
   * The same step on an empty copy of the tables: true = it succeeds there (the data breaks
   * it), false = it fails there too, null = not verified (no copy could be made).
   */
  succeedsOnEmpty: boolean | null;
  example: DataExample | null;
  /** The server's DETAIL line. */
  detail: string | null;
}

export interface SeedSummary {
  rowsPerTable: number;
  randomSeed: number;
  /** Rows the seeder added per table (after the base upgrade and top-ups before revisions). */
  tables: Record<string, number>;
  /** Tables that could not be filled, with why. */
  unfilled: Record<string, string>;
  userSql: SeedResult['userSql'];
  durationMs: number;
}

/** A StepResult (src/model.ts) plus where the error happened. */
export interface RoundTripStep extends StepResult {
  /** Line in the revision file where the error was raised or the failing statement ran. */
  errorLine: number | null;
  /** SQL of the statement that failed, when a statement failed. */
  failedStatement: string | null;
  /** The server's DETAIL of the failure (`Key (email)=(a@b) is duplicated.`). */
  errorDetail?: string | null;
  /** Revision whose code raised or whose statement failed (a step may run several). */
  errorRevision?: string | null;
}

export interface RevisionRoundTrip {
  id: string;
  /** upgrade, downgrade, reupgrade as far as they ran. */
  steps: RoundTripStep[];
  /** Schema after downgrade equals schema before upgrade; null when the downgrade did not run. */
  schemaRestored: boolean | null;
  downgradeDiff: string[];
  reupgradeDiff: string[];
  /** The revision file does not import: `SyntaxError: … (line 17)`. */
  importError: string | null;
  durationMs: number;
  /** Why nothing ran (a parent failed to import or upgrade), null when it ran. */
  notRun?: string | null;
  /** Why the downgrade and re-upgrade did not run after a good upgrade (declared irreversible). */
  skippedAfterUpgrade?: string | null;
  /** Indexes and column types before the upgrade, for the SQL rules (not the whole snapshot). */
  schemaBefore?: SchemaFacts;
  /** The data side, when the round trip ran on populated tables. */
  data?: RevisionData;
  /**
   * The upgrade failed on the seeded rows and succeeded on an empty copy: the statements it ran
   * there (all of them, also those after the one the rows broke), for the SQL lint.
   */
  emptyRunStatements?: ExecutedStatement[];
}

/** The base branch's own failure: a base revision that does not import or does not upgrade. */
export interface BaseFailure {
  /** The base revision that failed; null when alembic's error names none. */
  revision: string | null;
  /** Its file relative to the repository root, when known. */
  file: string | null;
  line: number | null;
  /** The real error (`ModuleNotFoundError: No module named 'x'`), not alembic's follow-up. */
  error: string;
}

export interface RoundTripResult {
  baseUpgrade: RoundTripStep | null;
  /** Set when upgrading to the base heads failed: then no pending revision was checked. */
  baseFailure?: BaseFailure | null;
  revisions: RevisionRoundTrip[];
  /** compare_metadata lines after upgrading to heads; null when not requested or not computed. */
  modelDrift: string[] | null;
  /** Why model drift could not be computed, when requested. */
  modelDriftNote?: string | null;
  driver?: { alembicVersion: string; sqlalchemyVersion: string; pythonVersion: string };
  timings: Record<string, number>;
  /** Seeding of the populated database; null when the round trip ran on empty tables. */
  seed?: SeedSummary | null;
}
