/**
 * One pending revision's round trip: snapshot → upgrade → snapshot → downgrade (to the parent,
 * on this revision's branch only) → snapshot → upgrade again → snapshot, with the populated
 * database's capture before and comparison after the downgrade (of the tables the steps
 * locked, touched.ts). The runner (run.ts) supplies
 * the steps (it owns the driver) and decides what runs next; this file compares what one
 * revision did.
 */
import type { Phase } from '../model.js';
import { schemaFacts } from '../schema/facts.js';
import { diffSnapshots } from '../schema/diff.js';
import type { EmptyReplay } from './empty-replay.js';
import { downgradeTarget } from './lineage.js';
import type { PopulatedDatabase } from './populated.js';
import { withOutcome, type TestSession } from './session.js';
import type { SchemaSnapshot } from '../schema/snapshot.js';
import { enumLabelRenamed, lockedRelations, withAncestors } from './touched.js';
import { notRunRevision } from './steps.js';
import type { RevisionRoundTrip, RoundTripStep } from './types.js';

/** What a revision's round trip needs from the runner. */
export interface RevisionRunner {
  readonly session: TestSession;
  /** The populated-database hooks; null when the round trip runs on empty tables. */
  readonly populated: PopulatedDatabase | null;
  /** Revisions whose downgrade() raises with a stated reason, with the reason. */
  readonly irreversible: ReadonlyMap<string, string> | undefined;
  info(line: string): void;
  /** Runs one alembic command (a crash becomes a failed step). */
  step(phase: Phase, target: string, label: string): Promise<RoundTripStep>;
  parentsOf(id: string): string[];
  /** The same step on an empty copy (empty-replay.ts); null when there is no copy. */
  replayOnEmpty(phase: 'upgrade' | 'downgrade', id: string): Promise<EmptyReplay | null>;
}

export async function roundTripRevision(runner: RevisionRunner, id: string): Promise<RevisionRoundTrip> {
  const s0 = await runner.session.snapshotBefore();
  const out = await roundTrip(runner, id, s0);
  if (runner.populated) await forgetTouchedCopies(runner, out, s0);
  return out;
}

/**
 * After the revision: the row copies of the tables its steps may have changed are out of date
 * (all of them when that is not known, or when the database is not as the last snapshot saw it:
 * something failed and it will be rebuilt).
 */
async function forgetTouchedCopies(
  runner: RevisionRunner,
  out: RevisionRoundTrip,
  s0: SchemaSnapshot,
): Promise<void> {
  const { session, populated } = runner;
  if (!populated) return;
  const final = session.current;
  const locked = lockedRelations(out.steps);
  if (final === null || locked === null || out.steps.some((s) => !s.ok) || enumLabelRenamed(s0, final)) {
    populated.invalidate(null);
    return;
  }
  try {
    populated.invalidate(await withAncestors(session.db, locked));
  } catch {
    populated.invalidate(null);
  }
}

/** The tables the upgrade and downgrade may have changed; null when that is not known. */
async function touchedTables(
  runner: RevisionRunner,
  steps: readonly RoundTripStep[],
  s0: SchemaSnapshot,
  s2: SchemaSnapshot,
): Promise<Set<string> | null> {
  const locked = lockedRelations(steps);
  if (locked === null || enumLabelRenamed(s0, s2)) return null;
  return withAncestors(runner.session.db, locked);
}

async function roundTrip(runner: RevisionRunner, id: string, s0: SchemaSnapshot): Promise<RevisionRoundTrip> {
  const { session, populated } = runner;
  const out: RevisionRoundTrip = notRunRevision(id, null);
  out.schemaBefore = schemaFacts(s0);
  const captured = populated ? await populated.capture(session.db) : null;
  if (captured) out.data = captured.data;
  const onRows = populated && captured && Object.keys(captured.data.rows).length > 0 ? captured.data : null;
  const up = await runner.step('upgrade', id, id);
  out.steps.push(up);
  if (!up.ok) {
    if (populated && onRows)
      onRows.failure = await populated.failure(session.db, 'upgrade', up, async () => {
        const replay = await runner.replayOnEmpty('upgrade', id);
        // The SQL lint reads the whole upgrade, also the statements after the one the rows broke.
        if (replay?.upgradeStatements) out.emptyRunStatements = replay.upgradeStatements;
        return replay?.succeeds ?? null;
      });
    return out;
  }
  const declared = runner.irreversible?.get(id);
  if (declared !== undefined) {
    // Running a downgrade that is meant to raise proves nothing; the database stays upgraded,
    // which is the state the next revision needs.
    out.skippedAfterUpgrade = `downgrade and re-upgrade not run: declared irreversible: ${declared}`;
    runner.info(`  ${id} downgrade skipped: declared irreversible`);
    return out;
  }
  const s1 = await withOutcome(out, () => session.snapshotAfter(up, id));
  if (s1 === null) return out;
  const down = await runner.step(
    'downgrade',
    downgradeTarget(id, (r) => runner.parentsOf(r)),
    id,
  );
  out.steps.push(down);
  if (!down.ok) {
    if (populated && onRows)
      onRows.failure = await populated.failure(
        session.db,
        'downgrade',
        down,
        async () => (await runner.replayOnEmpty('downgrade', id))?.succeeds ?? null,
      );
    return out;
  }
  const s2 = await withOutcome(out, () => session.snapshotAfter(down, id));
  if (s2 === null) return out;
  // A downgrade that runs nothing is declared irreversible (empty-downgrade), not a loss.
  if (populated && captured && down.statements.some((st) => !st.bookkeeping))
    await populated.compare(
      session.db,
      captured.capture,
      captured.data,
      await touchedTables(runner, [up, down], s0, s2),
    );
  out.downgradeDiff = diffSnapshots(s0, s2, 'after downgrade');
  out.schemaRestored = out.downgradeDiff.length === 0;
  if (out.downgradeDiff.length > 0) down.schemaDiff = out.downgradeDiff;
  const re = await runner.step('reupgrade', id, id);
  out.steps.push(re);
  if (!re.ok) return out;
  const s3 = await withOutcome(out, () => session.snapshotAfter(re, id));
  if (s3 === null) return out;
  out.reupgradeDiff = diffSnapshots(s1, s3, 'after re-upgrade');
  if (out.reupgradeDiff.length > 0) re.schemaDiff = out.reupgradeDiff;
  return out;
}
