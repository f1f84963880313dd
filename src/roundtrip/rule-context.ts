/** What round-trip rules see: one revision's round trip, plus the project's model drift. */
import type { RevisionRoundTrip } from './types.js';

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
