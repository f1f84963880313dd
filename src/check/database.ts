/**
 * The database stage of one project: a fresh database on the shared server, the round trip of
 * every pending revision on it, then the database is dropped whatever happened.
 */
import type { StaticAnalysis } from '../alembic/analyze.js';
import { declaredIrreversible } from '../alembic/irreversible.js';
import type { AlembicProject } from '../alembic/locate.js';
import { unplaceableRevisions } from '../alembic/unplaceable.js';
import type { Config } from '../config.js';
import { DEFAULT_POSTGRES_MAJOR } from '../config.js';
import type { Database, DatabaseServer } from '../database/index.js';
import type { ProjectReport } from '../report/model.js';
import { runRoundTrip } from '../roundtrip/run.js';
import type { CheckProgress } from './progress.js';
import type { RoundTripResult } from '../roundtrip/run.js';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { usageError } from '../errors.js';
import type { RoundTripSeed } from '../roundtrip/types.js';
import { estimateLocks, loadTableStats } from '../roundtrip/estimate.js';
import type { DeployProbe } from '../alembic/deploy-probe.js';
import type { BaseRelease } from './deploy.js';
import { deployProbeStage } from './deploy.js';

/** PostgreSQL version assumed by version-aware SQL rules when no database ran. */
const DEFAULT_SERVER_VERSION_NUM = DEFAULT_POSTGRES_MAJOR * 10_000;

export interface DatabaseStage {
  roundTrip: RoundTripResult | null;
  /** The server's version, or the configured/default one when no database ran. */
  serverVersionNum: number;
  database: ProjectReport['database'];
  roundTripMs: number | null;
  /** Where the round trip's time went (driver start, base upgrade, steps, snapshots…), ms. */
  roundTripTimings: Record<string, number>;
  /** The base release's models run against the migrated schema; null when not run. */
  deployProbe: DeployProbe | null;
}

/**
 * A file escaped the repository (src/alembic/confine.ts): alembic would read it, so no round
 * trip runs; the static checks report it.
 */
export function escapesRepository(analysis: StaticAnalysis): boolean {
  return analysis.problems.some((p) => p.outsideRepository === true);
}

export function runsDatabase(config: Config, analysis: StaticAnalysis): boolean {
  return config.database.kind !== 'none' && analysis.pending.length > 0 && !escapesRepository(analysis);
}

export async function databaseStage(
  config: Config,
  project: AlembicProject,
  analysis: StaticAnalysis,
  getServer: () => Promise<DatabaseServer>,
  progress?: CheckProgress,
  release: BaseRelease | null = null,
): Promise<DatabaseStage> {
  const out: DatabaseStage = {
    roundTrip: null,
    serverVersionNum: (config.postgresVersion ?? 0) * 10_000 || DEFAULT_SERVER_VERSION_NUM,
    database: null,
    roundTripMs: null,
    roundTripTimings: {},
    deployProbe: null,
  };
  if (config.database.kind !== 'none' && analysis.pending.length > 0 && escapesRepository(analysis)) {
    config.log.warning(
      `${project.id}: a migration file resolves outside the repository: static checks only, no round trip`,
    );
  }
  if (!runsDatabase(config, analysis)) return out;
  const seed = await seedInput(config);
  // A wrong stats file is a usage error before anything runs.
  if (config.tableStats) await loadTableStats(config.tableStats);
  // The probe on the base release's models process, started by checkProject (startBaseRelease).
  const deployProbe = deployProbeStage(config, project, release, (probe) => {
    out.deployProbe = probe;
  });
  let database: Database;
  try {
    const server = await getServer();
    database = await server.createDatabase({ migrationRole: config.migrationRole });
  } catch (e) {
    await deployProbe?.close();
    throw e;
  }
  try {
    out.serverVersionNum = database.serverVersionNum;
    out.database = {
      provider: database.provider,
      serverVersion: database.serverVersion,
      migrationRole: database.migrationRole,
    };
    progress?.databaseReady(project.id, out.database);
    config.log.info(
      `${project.id}: round trip of ${analysis.pending.length} revision(s) on PostgreSQL ${database.serverVersion}`,
    );
    const t0 = performance.now();
    const unplaceable = unplaceableRevisions(analysis);
    const ordered = analysis.graph.topologicalOrder();
    // Revisions on a cycle have no place in the order; the driver still needs their files to leave them out.
    const revisionIds = [...ordered, ...[...unplaceable.keys()].filter((id) => !ordered.includes(id))];
    out.roundTrip = await runRoundTrip({
      onRevision: (outcome) => progress?.revisionDone(project.id, outcome),
      configPath: project.configPath,
      projectDir: project.configDir,
      repoRoot: project.repoRoot,
      python: config.python,
      databaseUrl: database.url,
      sessionUrl: database.sessionUrl,
      databaseUrlEnv: config.databaseUrlEnv,
      revisions: revisionIds.map((id) => {
        const parsed = analysis.parsed.get(id);
        return {
          id,
          downRevisions: parsed?.downRevisions ?? [],
          file: parsed?.file ?? '',
          relFile: parsed?.relFile ?? '',
        };
      }),
      baseHeads: analysis.baseHeads,
      pending: analysis.pending,
      statementTimeoutMs: config.statementTimeoutMs,
      stepTimeoutMs: config.stepTimeoutMs,
      modelDrift: config.rules['model-drift'] !== undefined && config.rules['model-drift'] !== 'off',
      atHeads: deployProbe ? () => deployProbe.atHeads(database.url) : undefined,
      log: config.log,
      seed,
      adminUrl: database.adminUrl,
      unplaceable,
      irreversible: new Map(
        analysis.pending.flatMap((id) => {
          const declared = declaredIrreversible(analysis.parsed.get(id)?.downgrade);
          return declared ? [[id, declared.reason] as const] : [];
        }),
      ),
    });
    out.roundTripMs = Math.round(performance.now() - t0);
    out.roundTripTimings = out.roundTrip.timings;
    if (config.tableStats) {
      const stats = await loadTableStats(config.tableStats);
      for (const rev of out.roundTrip.revisions)
        for (const step of rev.steps)
          // The counts are from before the upgrade: they are the upgrade's basis only.
          estimateLocks(step.statements, stats, step.phase === 'upgrade' ? rev.data?.rows : undefined);
    }
  } finally {
    await Promise.all([deployProbe?.close(), database.dispose()]);
  }
  return out;
}

/** The seeding the round trip runs with: null when turned off (no rows and no SQL file). */
export async function seedInput(config: Config): Promise<RoundTripSeed | null> {
  let userSql: RoundTripSeed['userSql'] = null;
  if (config.seedSql) {
    const sql = await readFile(config.seedSql, 'utf8').catch(() => null);
    if (sql === null) throw usageError(`seed-sql: cannot read ${config.seedSql}: fix the path`);
    userSql = { file: path.relative(config.projectDir, config.seedSql) || config.seedSql, sql };
  }
  if (config.seedRows <= 0 && !userSql) return null;
  return { rows: Math.max(0, config.seedRows), randomSeed: config.seedRandom, userSql };
}
