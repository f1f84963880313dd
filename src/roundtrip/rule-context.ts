/** What round-trip rules see: one revision's round trip, plus the project's model drift. */
import type { DeployFailure } from '../alembic/deploy-probe.js';
import type { BaseFailure, RevisionRoundTrip } from './types.js';

export type { BaseFailure };

/** What project-level round-trip rules see: the upgrade to the base heads. */
export interface ProjectRoundTripContext {
  /** Set when upgrading to the base heads failed. */
  baseFailure: BaseFailure | null;
  baseHeads: readonly string[];
  /** Pending revisions that were therefore not checked. */
  pending: readonly string[];
}

/** A statement of the base release the migrated schema rejects, placed on this revision. */
export interface DeployedAppBreak extends DeployFailure {
  /** The base commit the models were read from. */
  commit: string;
  /** Line of the revision's statement that caused it, when one names the table. */
  line: number | null;
  /** The column's new name, when this revision renamed it. */
  renamedTo: string | null;
}

export interface RoundTripRuleContext {
  revision: RevisionRoundTrip;
  /** Revision file relative to the repository root (or project dir). */
  relFile: string;
  /**
   * compare_metadata lines after upgrading to heads (model-drift rule); null when not computed.
   * Only set on the context of the revision the drift is reported on (the last pending one).
   */
  modelDrift?: string[] | null;
  /**
   * What the application deployed from the base branch can no longer do once this revision
   * ran (breaks-deployed-app); null or absent when its models were not run.
   */
  deployedApp?: DeployedAppBreak[] | null;
  /** Line of `def upgrade` / `def downgrade` in the revision file, when known (static parse). */
  upgradeLine?: number | null;
  downgradeLine?: number | null;
  /** Above this estimated lock time (--table-stats) an observed rewrite or full scan is an error. */
  maxLockMs?: number;
}
