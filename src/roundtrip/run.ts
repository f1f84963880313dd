/**
 * The round trip: for every pending revision, in topological order, on one fresh database and
 * one driver process, the revision's round trip (revision.ts). A failure does not stop the run:
 * the database is rebuilt and the next revision goes on, so one pull request shows every problem.
 * This file owns the driver and decides what runs; our session is in session.ts, records in steps.ts.
 */
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
import { loadProject, startDriverProcess } from './driver-start.js';
import { modelDriftAtHeads } from './model-drift.js';
import { sameSet } from './lineage.js';
import { replayOnEmptyCopy, type EmptyReplay } from './empty-replay.js';
import { resetDatabase } from './reset.js';
import { PopulatedDatabase } from './populated.js';
import { roundTripRevision, type RevisionRunner } from './revision.js';
import { connectionMessage, DatabaseGoneError, TestSession } from './session.js';
import {
  crashedStep,
  failedStep,
  baseFailureOf,
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

class RoundTripRunner implements RevisionRunner {
  private driver: DriverClient | null = null;
  private loaded: LoadResult | null = null;
  /** Our own session in the database (snapshots, resets), running as the migrations' role. */
  readonly session: TestSession;
  /** Observe the pending revisions' statements (on, with a populated database). */
  private readonly observe: boolean;
  /** The populated-database hooks; null when the round trip runs on empty tables. */
  readonly populated: PopulatedDatabase | null;
  readonly irreversible: ReadonlyMap<string, string> | undefined;
  private readonly timings = new RunTimings();
  private readonly byId: Map<string, RoundTripRevision>;
  private readonly log: Logger;

  constructor(private readonly input: RoundTripInput) {
    this.session = new TestSession(
      input.sessionUrl ?? input.databaseUrl,
      input.log,
      this.timings,
      input.reuseSnapshots !== false,
    );
    this.byId = new Map(input.revisions.map((r) => [r.id, r]));
    this.log = input.log;
    this.irreversible = input.irreversible;
    this.populated = input.seed ? new PopulatedDatabase(input.seed, input.log, this.timings) : null;
    this.observe = input.observe ?? this.populated !== null;
  }

  info(line: string): void {
    this.log.info(line);
  }

  async run(): Promise<RoundTripResult> {
    const started = performance.now();
    try {
      await this.session.db.connect();
    } catch (e) {
      throw infraError(`cannot connect to the test database: ${(e as Error).message}`, e);
    }
    await this.startDriver();
    const loaded = this.loaded as LoadResult;

    const importErrors = importErrorsById(loaded, this.input.revisions);

    const baseUpgrade = await this.upgradeBase();
    if (this.populated && (!baseUpgrade || baseUpgrade.ok)) {
      const { databaseUrl, adminUrl } = this.input;
      this.session.db = await this.populated.afterBaseUpgrade(
        this.session.db,
        { databaseUrl, adminUrl: adminUrl ?? databaseUrl },
        async () => {
          const client = this.session.newClient();
          await client.connect();
          return client;
        },
      );
    }
    const broken = new Map<string, string>(); // revision -> why its descendants cannot run
    const revisions: RevisionRoundTrip[] = [];
    if (baseUpgrade && !baseUpgrade.ok) {
      const baseFailure = baseFailureOf(baseUpgrade, loaded, this.input);
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
    /** The failed revision after which the database was last rebuilt and its rows seeded afresh. */
    let reseededAfter: string | null = null;
    let lastFailed: string | null = null;
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
        if (this.populated?.reseeds) reseededAfter = lastFailed;
      }
      await this.populated?.beforeRevision(this.session.db, this.session.current);
      let outcome: RevisionRoundTrip;
      try {
        outcome = await roundTripRevision(this, id);
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
      if (outcome.data && reseededAfter !== null) outcome.data.reseededAfter = reseededAfter;
      revisions.push(outcome);
      this.input.onRevision?.(outcome);
      const upgrade = outcome.steps[0];
      // An upgrade that only the rows broke still applies: its descendants run after a rebuild
      // (the revision upgraded on empty tables, then rows seeded afresh for that schema).
      if (!upgrade?.ok && !failsOnlyWithData(outcome)) broken.set(id, `${id} failed to upgrade`);
      if (outcome.steps.some((s) => !s.ok)) {
        needsRebuild = true;
        lastFailed = id;
      }
    }

    let modelDrift: string[] | null = null;
    let modelDriftNote: string | null = null;
    if (this.input.atHeads && (await this.upgradeToHeads(needsRebuild))) {
      needsRebuild = false;
      const t0 = performance.now();
      await this.input.atHeads();
      this.timings.time('atHeadsMs', performance.now() - t0);
    }
    if (this.input.modelDrift)
      ({ modelDrift, modelDriftNote } = await modelDriftAtHeads({
        driver: this.driver as DriverClient,
        session: this.session,
        needsRebuild,
        timings: this.timings,
        restartDriver: () => this.restartDriver(),
      }));
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
    await this.session.db.end().catch(() => undefined);
  }

  private async startDriver(): Promise<void> {
    this.driver = await startDriverProcess(this.input, this.timings);
    this.loaded = await loadProject(this.driver, this.input, this.timings);
  }

  private driverKnows(id: string): boolean {
    return this.loaded?.revisions.some((r) => r.id === id) ?? false;
  }

  parentsOf(id: string): string[] {
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

  /**
   * The same step on an empty copy of the base template plus `id`'s parents: whether it
   * succeeds there (failing there too is the existing finding; a success counts only when the
   * copy really moved: env.py may ignore the URL it is given), and the statements of an upgrade
   * that did. Null when there is no copy to run on.
   */
  async replayOnEmpty(phase: 'upgrade' | 'downgrade', id: string): Promise<EmptyReplay | null> {
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
  async step(phase: Phase, target: string, label: string): Promise<RoundTripStep> {
    this.session.invalidate();
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
    this.session.invalidate();
    await this.driver?.waitExit();
    await this.startDriver();
  }

  /**
   * Empties the database and upgrades to the state `id` needs: the base heads plus its
   * parents. Returns null when done, else the error.
   */
  private async rebuild(id: string): Promise<string | null> {
    this.session.invalidate();
    this.populated?.invalidate(null);
    const t0 = performance.now();
    try {
      await resetDatabase(this.session.db);
      const targets = [...this.input.baseHeads, ...this.parentsOf(id)];
      for (const target of targets) {
        const result = await (this.driver as DriverClient).upgrade(target);
        if (!result.ok) return `upgrade ${target}: ${result.error}`;
      }
      return null;
    } catch (e) {
      if (e instanceof DriverCrashError) await this.restartDriver();
      if (this.session.isConnectionLoss(e)) {
        await this.session.reconnect();
        return `the connection to the database was lost: ${connectionMessage(e)}`;
      }
      return (e as Error).message;
    } finally {
      this.timings.time('rebuildMs', performance.now() - t0);
      this.log.debug(`  rebuilt database state for ${id} in ${Math.round(performance.now() - t0)} ms`);
    }
  }

  /** True when the database is at heads (rebuilt from empty first after a failure). */
  private async upgradeToHeads(needsRebuild: boolean): Promise<boolean> {
    this.session.invalidate();
    const t0 = performance.now();
    try {
      if (needsRebuild) await resetDatabase(this.session.db);
      const up = await (this.driver as DriverClient).upgrade('heads');
      if (!up.ok) this.log.debug(`  upgrade to heads for the deployed models failed: ${up.error}`);
      return up.ok;
    } catch (e) {
      if (e instanceof DriverCrashError) await this.restartDriver().catch(() => undefined);
      this.log.debug(`  upgrade to heads for the deployed models failed: ${(e as Error).message}`);
      return false;
    } finally {
      this.timings.time('headsUpgradeMs', performance.now() - t0);
    }
  }
}

/** The upgrade failed on the seeded rows and succeeded on an empty copy of the tables. */
function failsOnlyWithData(outcome: RevisionRoundTrip): boolean {
  const failure = outcome.data?.failure;
  return failure?.phase === 'upgrade' && failure.succeedsOnEmpty === true;
}
