/**
 * One project through the pipeline's stages (docs/ARCHITECTURE.md "Pipeline"): graph rules on
 * the static analysis, the database stage (round trip), the rule stage of each pending
 * revision, then ignores and grouping; the result is the project's part of the Report.
 */
import type { StaticAnalysis } from '../alembic/analyze.js';
import type { AlembicProject } from '../alembic/locate.js';
import type { Config } from '../config.js';
import type { DatabaseServer } from '../database/index.js';
import type { PlacedFinding } from '../lint/run.js';
import { runRules } from '../lint/run.js';
import type { ProjectReport } from '../report/model.js';
import type { CheckProgress } from './progress.js';
import type { RuleCatalogue } from './catalogue.js';
import { baseModelsStage } from './base-models.js';
import type { DatabaseStage } from './database.js';
import { databaseStage, runsDatabase } from './database.js';
import { closeBaseRelease, deployProbeNote, startBaseRelease } from './deploy.js';
import { placeFindings } from './findings.js';
import { revisionsStage } from './revisions.js';

export async function checkProject(
  config: Config,
  project: AlembicProject,
  analysis: StaticAnalysis,
  staticMs: number,
  getServer: () => Promise<DatabaseServer>,
  rules: RuleCatalogue,
  progress?: CheckProgress,
): Promise<ProjectReport> {
  const timings: Record<string, number> = { staticMs: Math.round(staticMs) };
  const graphFindings: PlacedFinding[] = runRules(
    rules.graph,
    { analysis, naming: config.naming },
    config.rules,
  );

  // The base branch's models are read while the round trip runs; the SQL lint needs them.
  // One models process of the base commit serves both this and breaks-deployed-app's probe.
  const release = runsDatabase(config, analysis) ? await startBaseRelease(config, project, analysis) : null;
  const baseModels = release ? baseModelsStage(config, project, analysis, release) : null;
  let db: DatabaseStage;
  try {
    db = await databaseStage(config, project, analysis, getServer, progress, release);
  } finally {
    // Also when the database stage failed before the probe's hook was set up.
    await closeBaseRelease(release);
  }
  if (db.roundTripMs !== null) timings.roundTripMs = db.roundTripMs;
  for (const [phase, ms] of Object.entries(db.roundTripTimings)) timings[`roundTrip.${phase}`] = ms;

  const lintStart = performance.now();
  const stage = await revisionsStage(
    config,
    project,
    analysis,
    db,
    rules,
    baseModels ? await baseModels : null,
  );
  timings.lintMs = Math.round(performance.now() - lintStart);

  const projectFindings = placeFindings(config, [...graphFindings, ...stage.findings], stage, rules);
  const note = deployProbeNote(config, analysis, db.roundTrip !== null, db.deployProbe);
  return {
    id: project.id,
    config: project.id,
    base: config.base,
    heads: analysis.heads,
    baseHeads: analysis.baseHeads,
    revisions: stage.revisions,
    findings: projectFindings,
    skipped: null,
    mode: runsDatabase(config, analysis) ? 'full' : 'static',
    database: db.database,
    timings,
    ...(note ? { notes: [note] } : {}),
    ...(db.roundTrip?.seed
      ? {
          seed: {
            rowsPerTable: db.roundTrip.seed.rowsPerTable,
            randomSeed: db.roundTrip.seed.randomSeed,
            tables: db.roundTrip.seed.tables,
            unfilled: db.roundTrip.seed.unfilled,
            userSql: db.roundTrip.seed.userSql,
          },
        }
      : {}),
  };
}

/** The report of a project that was not checked, saying why. */
export function skippedProject(
  config: Config,
  project: AlembicProject,
  analysis: StaticAnalysis,
  reason: string,
): ProjectReport {
  return {
    id: project.id,
    config: project.id,
    base: config.base,
    heads: analysis.heads,
    baseHeads: analysis.baseHeads,
    revisions: [],
    findings: [],
    skipped: reason,
    mode: 'static',
    database: null,
  };
}
