/** What round-trip rules see: one revision's round trip, plus the project's model drift. */
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

export interface RoundTripRuleContext {
  revision: RevisionRoundTrip;
  /** Revision file relative to the repository root (or project dir). */
  relFile: string;
  /**
   * compare_metadata lines after upgrading to heads (model-drift rule); null when not computed.
   * Only set on the context of the revision the drift is reported on (the last pending one).
   */
  modelDrift?: string[] | null;
  /** Line of `def upgrade` / `def downgrade` in the revision file, when known (static parse). */
  upgradeLine?: number | null;
  downgradeLine?: number | null;
  /** Above this estimated lock time (--table-stats) an observed rewrite or full scan is an error. */
  maxLockMs?: number;
}
