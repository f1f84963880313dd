/**
 * What the round trip takes and gives: the revisions to run, and per revision the steps as
 * they ran (each a shared-model StepResult plus where its error happened).
 */
import type { StepResult } from '../model.js';
import type { Logger } from '../log.js';
import type { SchemaFacts } from '../schema/facts.js';

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
  python: string[];
  databaseUrl: string;
  databaseUrlEnv: string;
  /** Every revision in the graph, topological order (parents first). */
  revisions: RoundTripRevision[];
  /** Upgraded to first, without checks ([] = start from an empty database). */
  baseHeads: string[];
  /** Revisions to round-trip, topological order. */
  pending: string[];
  statementTimeoutMs: number;
  stepTimeoutMs: number;
  modelDrift: boolean;
  log: Logger;
  driverPath?: string;
  /** ini section (alembic's -n); default `alembic`. */
  section?: string;
  /**
   * Take the snapshot before a revision's upgrade from the previous revision's last snapshot
   * when nothing ran in between (default true; false = always a fresh one, for tests).
   */
  reuseSnapshots?: boolean;
}

/** A StepResult (src/model.ts) plus where the error happened. */
export interface RoundTripStep extends StepResult {
  /** Line in the revision file where the error was raised or the failing statement ran. */
  errorLine: number | null;
  /** SQL of the statement that failed, when a statement failed. */
  failedStatement: string | null;
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
  /** Indexes and column types before the upgrade, for the SQL rules (not the whole snapshot). */
  schemaBefore?: SchemaFacts;
}

export interface RoundTripResult {
  baseUpgrade: RoundTripStep | null;
  revisions: RevisionRoundTrip[];
  /** compare_metadata lines after upgrading to heads; null when not requested or not computed. */
  modelDrift: string[] | null;
  /** Why model drift could not be computed, when requested. */
  modelDriftNote?: string | null;
  driver?: { alembicVersion: string; sqlalchemyVersion: string; pythonVersion: string };
  timings: Record<string, number>;
}
