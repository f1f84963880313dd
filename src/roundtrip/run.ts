/**
 * The round trip: for every pending revision, in topological order, on one fresh database and
 * one driver process: snapshot → upgrade → snapshot → downgrade (to the parent, on this
 * revision's branch only) → snapshot → upgrade again → snapshot. A failure does not stop the
 * run: the database is rebuilt and the next revision goes on, so one pull request shows every
 * problem.
 */
import { schemaFacts } from '../schema/facts.js';
import pg from 'pg';
import path from 'node:path';
import { infraError } from '../errors.js';
import { setActivity } from '../lifecycle.js';
import type { Logger } from '../log.js';
import type { Phase } from '../model.js';
import {
  DriverClient,
  DriverCrashError,
  DriverRequestError,
  type CommandResult,
  type LoadResult,
} from '../driver/client.js';
import { diffSnapshots } from '../schema/diff.js';
import { takeSnapshot, type SchemaSnapshot } from '../schema/snapshot.js';
import { loadProject, startDriverProcess } from './driver-start.js';
import { downgradeTarget, sameSet } from './lineage.js';
import { replayOnEmptyCopy } from './empty-replay.js';
import { resetDatabase } from './reset.js';
import { PopulatedDatabase } from './populated.js';
import {
  crashedStep,
  failedStep,
  blockedRevision,
  importErrorsById,
  mergeSteps,
  notRunRevision,
  RunTimings,
  roundTripResult,
  toStep,
} from './steps.js';
import type {
  BaseFailure,
  RevisionRoundTrip,
  RoundTripInput,
  RoundTripResult,
  RoundTripRevision,
  RoundTripStep,
} from './types.js';

export type {
  BaseFailure,
  RevisionRoundTrip,
  RoundTripInput,
  RoundTripResult,
  RoundTripRevision,
  RoundTripStep,
};
export { toExecutedStatement } from './steps.js';

export async function runRoundTrip(input: RoundTripInput): Promise<RoundTripResult> {
  const runner = new RoundTripRunner(input);
  try {
    return await runner.run();
  } finally {
    await runner.close();
  }
}

class RoundTripRunner {
  private driver: DriverClient | null = null;
  private loaded: LoadResult | null = null;
  /** Our own session in the database (snapshots, resets), as the migrations' role. */
  private db: pg.Client;
  /** Observe the pending revisions' statements (on, with a populated database). */
  private readonly observe: boolean;
  /** Set when that session died under us (pg_terminate_backend, the server went away). */
  private dbLost: Error | null = null;
  /** The populated-database hooks; null when the round trip runs on empty tables. */
  private readonly populated: PopulatedDatabase | null;
  private readonly timings = new RunTimings();
  private readonly byId: Map<string, RoundTripRevision>;
  private readonly log: Logger;
  /**
   * The database as it is right now, when the last thing that happened to it was a snapshot;
   * null as soon as anything may have changed it (a step, a rebuild, a driver restart).
   */
  private current: SchemaSnapshot | null = null;

  constructor(private readonly input: RoundTripInput) {
    this.db = this.newClient();
    this.byId = new Map(input.revisions.map((r) => [r.id, r]));
    this.log = input.log;
    this.populated = input.seed ? new PopulatedDatabase(input.seed, input.log, this.timings) : null;
    this.observe = input.observe ?? this.populated !== null;
  }

  private newClient(url = this.input.databaseUrl): pg.Client {
    const client = new pg.Client({ connectionString: url });
    // A migration may end our session (pg_terminate_backend) or the server may go away: the
    // pending query rejects by itself, and without a listener the event would crash the run.
    client.on('error', (e) => {
      if (client === this.db) this.dbLost ??= e;
    });
    return client;
  }

  /** A new session after ours was lost; DatabaseGoneError when the server does not answer. */
  private async reconnect(): Promise<void> {
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

  /**
   * The snapshot after `step` of `id`. When our session was lost (the step's SQL ended it, or
   * the server went away) the step is a failed step with the connection error, not a crash.
   */
  private async snapshotAfter(step: RoundTripStep, id: string): Promise<SchemaSnapshot | null> {
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

  private isConnectionLoss(e: unknown): boolean {
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

  /** Runs `fn`; a DatabaseGoneError leaving it carries `out` (the steps so far) along. */
  private async withOutcome<T>(out: RevisionRoundTrip, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof DatabaseGoneError) e.outcome ??= out;
      throw e;
    }
  }

  private time(key: string, ms: number): void {
    this.timings.time(key, ms);
  }

  private count(key: string): void {
    this.timings.count(key);
  }

  async run(): Promise<RoundTripResult> {
    const started = performance.now();
    try {
      await this.db.connect();
    } catch (e) {
      throw infraError(`cannot connect to the test database: ${(e as Error).message}`, e);
    }
    await this.startDriver();
    const loaded = this.loaded as LoadResult;

    const importErrors = importErrorsById(loaded, this.input.revisions);

    const baseUpgrade = await this.upgradeBase();
    if (this.populated && (!baseUpgrade || baseUpgrade.ok)) {
      const { databaseUrl, adminUrl } = this.input;
      this.db = await this.populated.afterBaseUpgrade(
        this.db,
        { databaseUrl, adminUrl: adminUrl ?? databaseUrl },
        async () => {
          const client = this.newClient(databaseUrl);
          await client.connect();
          return client;
        },
      );
    }
    const broken = new Map<string, string>(); // revision -> why its descendants cannot run
    const revisions: RevisionRoundTrip[] = [];
    if (baseUpgrade && !baseUpgrade.ok) {
      const baseFailure = this.baseFailure(baseUpgrade, loaded);
      const where = baseFailure.revision ? ` (base revision ${baseFailure.revision})` : '';
      for (const id of this.input.pending) {
        // A pending file that does not import is the pull request's own error: still reported.
        const importError = importErrors.get(id);
        if (importError !== undefined) {
          const step = failedStep('upgrade', importError.message, importError.line);
          revisions.push({ ...notRunRevision(id, null), steps: [step], importError: importError.message });
        } else {
          revisions.push(notRunRevision(id, `not checked: upgrading to the base heads failed${where}`));
        }
      }
      return { ...this.result(baseUpgrade, revisions, null, null, started), baseFailure };
    }

    let needsRebuild = false;
    for (const id of this.input.pending) {
      const revStart = performance.now();
      const unplaceable = this.input.unplaceable?.get(id);
      if (unplaceable !== undefined) {
        revisions.push(notRunRevision(id, `not checked: ${unplaceable}`));
        broken.set(id, `${id} is not in the revision graph`);
        continue;
      }
      const blocked = blockedRevision(
        id,
        importErrors.get(id),
        this.parentsOf(id),
        broken,
        this.driverKnows(id),
      );
      if (blocked) {
        revisions.push(blocked.record);
        broken.set(id, blocked.breaks);
        this.log.info(`  ${blocked.line}`);
        continue;
      }
      if (needsRebuild) {
        const rebuilt = await this.rebuild(id);
        if (rebuilt !== null) {
          revisions.push(
            notRunRevision(id, `not run: could not rebuild the database state before it: ${rebuilt}`),
          );
          broken.set(id, `${id} did not run`);
          continue;
        }
        needsRebuild = false;
      }
      await this.populated?.beforeRevision(this.db, this.current);
      let outcome: RevisionRoundTrip;
      try {
        outcome = await this.roundTripOne(id);
      } catch (e) {
        if (!(e instanceof DatabaseGoneError)) throw e;
        // Nothing more can run: this revision carries the error, the rest were not checked.
        const failed = e.outcome ?? notRunRevision(id, `not run: ${e.message}`);
        failed.durationMs = Math.round(performance.now() - revStart);
        revisions.push(failed);
        this.input.onRevision?.(failed);
        for (const rest of this.input.pending.slice(this.input.pending.indexOf(id) + 1))
          revisions.push(notRunRevision(rest, `not run: ${e.message}`));
        return this.result(baseUpgrade, revisions, null, null, started);
      }
      outcome.durationMs = Math.round(performance.now() - revStart);
      revisions.push(outcome);
      this.input.onRevision?.(outcome);
      const upgrade = outcome.steps[0];
      if (!upgrade?.ok) broken.set(id, `${id} failed to upgrade`);
      if (outcome.steps.some((s) => !s.ok)) needsRebuild = true;
    }

    let modelDrift: string[] | null = null;
    let modelDriftNote: string | null = null;
    if (this.input.modelDrift) ({ modelDrift, modelDriftNote } = await this.computeModelDrift(needsRebuild));
    return this.result(baseUpgrade, revisions, modelDrift, modelDriftNote, started);
  }

  private result(
    baseUpgrade: RoundTripStep | null,
    revisions: RevisionRoundTrip[],
    modelDrift: string[] | null,
    modelDriftNote: string | null,
    started: number,
  ): RoundTripResult {
    this.timings.time('totalMs', performance.now() - started);
    const drift = { modelDrift, modelDriftNote };
    return roundTripResult(
      baseUpgrade,
      revisions,
      drift,
      this.loaded,
      this.timings,
      this.populated?.seedSummary,
    );
  }

  async close(): Promise<void> {
    await this.driver?.shutdown().catch(() => undefined);
    await this.populated?.close();
    await this.db.end().catch(() => undefined);
  }

  private async startDriver(): Promise<void> {
    this.driver = await startDriverProcess(this.input, this.timings);
    this.loaded = await loadProject(this.driver, this.input, this.timings);
  }

  /**
   * Names the base revision behind a failed base upgrade. A base file that does not import makes
   * alembic say only "Can't locate revision …": its import error is the real one.
   */
  private baseFailure(step: RoundTripStep, loaded: LoadResult): BaseFailure {
    const pending = new Set(this.input.pending);
    const byFile = (file: string) =>
      this.input.revisions.find((r) => r.file !== '' && path.resolve(r.file) === path.resolve(file));
    const baseImport = loaded.importErrors
      .map((e) => ({ e, rev: byFile(e.file) }))
      .find(({ rev }) => rev === undefined || !pending.has(rev.id));
    if (baseImport) {
      return {
        revision: baseImport.rev?.id ?? null,
        file: baseImport.rev?.relFile ?? path.relative(this.input.projectDir, baseImport.e.file),
        line: baseImport.e.line,
        error: baseImport.e.error,
      };
    }
    const rev = step.errorRevision ? this.byId.get(step.errorRevision) : undefined;
    return {
      revision: step.errorRevision ?? null,
      file: rev?.relFile ?? null,
      line: step.errorLine,
      error: step.error ?? 'unknown error',
    };
  }

  private driverKnows(id: string): boolean {
    return this.loaded?.revisions.some((r) => r.id === id) ?? false;
  }

  private parentsOf(id: string): string[] {
    return (
      this.byId.get(id)?.downRevisions ?? this.loaded?.revisions.find((r) => r.id === id)?.downRevisions ?? []
    );
  }

  private allHeads(): string[] {
    return this.loaded?.heads ?? [];
  }

  private async upgradeBase(): Promise<RoundTripStep | null> {
    const heads = this.input.baseHeads;
    if (heads.length === 0) return null;
    const t0 = performance.now();
    const targets = sameSet(heads, this.allHeads()) ? ['heads'] : heads;
    const steps: RoundTripStep[] = [];
    for (const target of targets) {
      const step = await this.step('upgrade', target, 'base');
      steps.push(step);
      if (!step.ok) break;
    }
    this.timings.time('baseUpgradeMs', performance.now() - t0);
    this.log.info(`  base ${targets.join(', ')} upgrade ${Math.round(performance.now() - t0)} ms`);
    return mergeSteps(steps);
  }

  private async snapshot(): Promise<SchemaSnapshot> {
    const t0 = performance.now();
    const snap = await takeSnapshot(this.db);
    this.timings.time('snapshotMs', performance.now() - t0);
    this.timings.count('snapshots');
    this.current = snap;
    return snap;
  }

  /**
   * The schema before `id`'s upgrade. After a clean round trip of the previous revision the
   * database is exactly as its last snapshot saw it (nothing runs between two revisions unless
   * something failed, and then `rebuild` or `step` has cleared `current`), so that snapshot is
   * reused; which branch the next revision is on does not matter, the state is the same.
   */
  private async snapshotBefore(): Promise<SchemaSnapshot> {
    if (this.current !== null && this.input.reuseSnapshots !== false) {
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

  private async roundTripOne(id: string): Promise<RevisionRoundTrip> {
    const out: RevisionRoundTrip = notRunRevision(id, null);
    const s0 = await this.snapshotBefore();
    out.schemaBefore = schemaFacts(s0);
    const populated = this.populated;
    const captured = populated ? await populated.capture(this.db) : null;
    if (captured) out.data = captured.data;
    const onRows = populated && captured && Object.keys(captured.data.rows).length > 0 ? captured.data : null;
    const up = await this.step('upgrade', id, id);
    out.steps.push(up);
    if (!up.ok) {
      if (populated && onRows)
        onRows.failure = await populated.failure(this.db, 'upgrade', up, () =>
          this.succeedsOnEmpty('upgrade', id),
        );
      return out;
    }
    const declared = this.input.irreversible?.get(id);
    if (declared !== undefined) {
      // Running a downgrade that is meant to raise proves nothing; the database stays upgraded,
      // which is the state the next revision needs.
      out.skippedAfterUpgrade = `downgrade and re-upgrade not run: declared irreversible: ${declared}`;
      this.log.info(`  ${id} downgrade skipped: declared irreversible`);
      return out;
    }
    const s1 = await this.withOutcome(out, () => this.snapshotAfter(up, id));
    if (s1 === null) return out;
    const down = await this.step(
      'downgrade',
      downgradeTarget(id, (r) => this.parentsOf(r)),
      id,
    );
    out.steps.push(down);
    if (!down.ok) {
      if (populated && onRows)
        onRows.failure = await populated.failure(this.db, 'downgrade', down, () =>
          this.succeedsOnEmpty('downgrade', id),
        );
      return out;
    }
    const s2 = await this.withOutcome(out, () => this.snapshotAfter(down, id));
    if (s2 === null) return out;
    // A downgrade that runs nothing is declared irreversible (empty-downgrade), not a loss.
    if (populated && captured && down.statements.some((st) => !st.bookkeeping))
      await populated.compare(this.db, captured.capture, captured.data);
    out.downgradeDiff = diffSnapshots(s0, s2, 'after downgrade');
    out.schemaRestored = out.downgradeDiff.length === 0;
    if (out.downgradeDiff.length > 0) down.schemaDiff = out.downgradeDiff;
    const re = await this.step('reupgrade', id, id);
    out.steps.push(re);
    if (!re.ok) return out;
    const s3 = await this.withOutcome(out, () => this.snapshotAfter(re, id));
    if (s3 === null) return out;
    out.reupgradeDiff = diffSnapshots(s1, s3, 'after re-upgrade');
    if (out.reupgradeDiff.length > 0) re.schemaDiff = out.reupgradeDiff;
    return out;
  }

  /**
   * The same step on an empty copy of the base template plus `id`'s parents: true when it
   * succeeds there. Failing there too is the existing finding; a success counts only when the
   * copy really moved (env.py may ignore the URL it is given).
   */
  private async succeedsOnEmpty(phase: 'upgrade' | 'downgrade', id: string): Promise<boolean | null> {
    const template = this.populated?.template;
    const driver = this.driver;
    if (!template || !driver) return null;
    try {
      return await replayOnEmptyCopy(
        template,
        driver,
        phase,
        id,
        (r) => this.parentsOf(r),
        this.input.databaseUrl,
      );
    } catch (e) {
      this.log.debug(`  verifying ${id} on an empty copy failed: ${(e as Error).message}`);
      if (e instanceof DriverCrashError) await this.restartDriver().catch(() => undefined);
      return null;
    }
  }

  /** Runs one alembic command; a killed driver becomes a failed step and is restarted. */
  private async step(phase: Phase, target: string, label: string): Promise<RoundTripStep> {
    this.current = null;
    setActivity(`${label} ${phase}`);
    const t0 = performance.now();
    this.log.status?.(`${label} ${phase}${phase === 'downgrade' ? ` (${target})` : ''}`);
    const driver = this.driver as DriverClient;
    let result: RoundTripStep;
    try {
      const command: CommandResult =
        phase === 'downgrade'
          ? await driver.downgrade(target, undefined, this.observe && label !== 'base')
          : await driver.upgrade(target, undefined, this.observe && label !== 'base');
      result = toStep(phase, command);
      // What alembic itself took vs what our capture hooks added (bench/roundtrip.ts).
      this.timings.time('driverCommandMs', command.durationMs);
      this.timings.time('captureMs', command.captureMs ?? 0);
    } catch (e) {
      if (!(e instanceof DriverCrashError || e instanceof DriverRequestError)) throw e;
      result = crashedStep(phase, e);
      if (e instanceof DriverCrashError) await this.restartDriver();
    }
    const ms = performance.now() - t0;
    this.timings.time(`${phase}Ms`, ms);
    this.log.info(
      `  ${label} ${phase}${phase === 'downgrade' ? ` (${target})` : ''} ${Math.round(ms)} ms${result.ok ? '' : ` FAILED: ${result.error}`}`,
    );
    return result;
  }

  private async restartDriver(): Promise<void> {
    this.current = null;
    await this.driver?.waitExit();
    await this.startDriver();
  }

  /**
   * Empties the database and upgrades to the state `id` needs: the base heads plus its
   * parents. Returns null when done, else the error.
   */
  private async rebuild(id: string): Promise<string | null> {
    this.current = null;
    const t0 = performance.now();
    try {
      await resetDatabase(this.db);
      const targets = [...this.input.baseHeads, ...this.parentsOf(id)];
      for (const target of targets) {
        const result = await (this.driver as DriverClient).upgrade(target);
        if (!result.ok) return `upgrade ${target}: ${result.error}`;
      }
      return null;
    } catch (e) {
      if (e instanceof DriverCrashError) await this.restartDriver();
      if (this.isConnectionLoss(e)) {
        await this.reconnect();
        return `the connection to the database was lost: ${connectionMessage(e)}`;
      }
      return (e as Error).message;
    } finally {
      this.timings.time('rebuildMs', performance.now() - t0);
      this.log.debug(`  rebuilt database state for ${id} in ${Math.round(performance.now() - t0)} ms`);
    }
  }

  private async computeModelDrift(
    needsRebuild: boolean,
  ): Promise<{ modelDrift: string[] | null; modelDriftNote: string | null }> {
    this.current = null;
    const t0 = performance.now();
    try {
      const driver = this.driver as DriverClient;
      if (needsRebuild) await resetDatabase(this.db);
      const up = await driver.upgrade('heads');
      if (!up.ok) return { modelDrift: null, modelDriftNote: `upgrade to heads failed: ${up.error}` };
      const drift = await driver.modelDrift();
      return { modelDrift: drift.drift, modelDriftNote: drift.reason };
    } catch (e) {
      if (e instanceof DriverCrashError) await this.restartDriver().catch(() => undefined);
      return { modelDrift: null, modelDriftNote: (e as Error).message };
    } finally {
      this.timings.time('modelDriftMs', performance.now() - t0);
    }
  }
}

/** Our session is lost and a new one cannot be opened: the rest of the run cannot happen. */
class DatabaseGoneError extends Error {
  /** The revision that was running, with the steps it got through. */
  outcome: RevisionRoundTrip | null = null;
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseGoneError';
  }
}

function connectionMessage(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.split('\n')[0] || (e as { code?: string }).code || 'connection lost';
}
