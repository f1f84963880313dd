/**
 * The pipeline (docs/ARCHITECTURE.md "Pipeline"): Config → Alembic projects → static analysis
 * → per project the stages of src/check/ (graph rules, database and round trip, round-trip
 * and SQL rules, ignores) → Report. Data flows one way; reporters and the exit policy live
 * outside. The database server starts once a project's static analysis finds revisions to
 * round-trip, never when none does (src/check/server.ts); it is always disposed, whatever
 * happens. This is the composition root that hands the catalogue to the
 * engines.
 */
import type { StaticAnalysis } from './alembic/analyze.js';
import { analyzeProject } from './alembic/analyze.js';
import { locateProjects } from './alembic/locate.js';
import type { RuleCatalogue } from './check/catalogue.js';
import { runsDatabase } from './check/database.js';
import { checkProject, skippedProject } from './check/project.js';
import type { CheckProgress } from './check/progress.js';
import { startLazyServer } from './check/server.js';
import type { Config } from './config.js';
import { TOOL_NAME, TOOL_VERSION } from './meta.js';
import type { Report } from './report/model.js';
import { REPORT_VERSION, summarize } from './report/model.js';
import { establishSandbox, sandboxReport } from './sandbox/index.js';
import {
  allRules,
  graphRules,
  invalidIgnoreRule,
  projectRoundTripRules,
  roundTripRules,
  sqlStatementRules,
} from '../rules/index.js';

const CATALOGUE: RuleCatalogue = {
  graph: graphRules,
  roundTrip: roundTripRules,
  projectRoundTrip: projectRoundTripRules,
  sql: sqlStatementRules,
  invalidIgnore: invalidIgnoreRule,
  all: allRules,
};

/** `progress` (optional) learns each step of the run, for a partial report on cancellation. */
export async function check(config: Config, progress?: CheckProgress): Promise<Report> {
  const started = performance.now();
  const log = config.log;
  // The sandbox the Python runs in, found while the static analysis runs (a Python it starts
  // waits for it). Required and none: one line and exit 3 before any round trip.
  const sandbox = establishSandbox({ required: config.requireSandbox, log });
  sandbox.catch(() => {});
  const projects = await locateProjects({
    projectDir: config.projectDir,
    alembicConfigs: config.alembicConfigs,
  });

  // Started by the first analysis that needs it; its failure surfaces only where a round trip
  // awaits it.
  const server = startLazyServer(config, started);
  // How the overlap went: when the server became ready, and how long the pipeline waited for it.
  const serverTimings = server.timings;

  try {
    const analysing = Promise.all(
      projects.map(async (project) => {
        const t0 = performance.now();
        const analysis = await analyzeProject(project, {
          base: config.base,
          all: config.all,
          python: config.python,
          log,
        });
        progress?.analysed(project, analysis);
        // Not before the sandbox is known: without one a required run creates nothing anywhere.
        if (runsDatabase(config, analysis) && !isUnchanged(config, analysis))
          void sandbox.then(
            () => server.start(),
            () => {},
          );
        return { project, analysis, staticMs: performance.now() - t0 };
      }),
    );
    analysing.catch(() => {});
    await sandbox;
    const analyses = await analysing;
    const reports = await mapLimit(
      analyses,
      Math.max(1, config.concurrency),
      ({ project, analysis, staticMs }) => {
        if (isUnchanged(config, analysis)) {
          log.info(`${project.id}: skipped, no revision file or env.py changed since ${config.base}`);
          return Promise.resolve(
            skippedProject(config, project, analysis, `no migration changed since ${config.base}`),
          );
        }
        return checkProject(config, project, analysis, staticMs, () => server.get(), CATALOGUE, progress);
      },
    );
    for (const r of reports) {
      if (!r.timings) continue;
      Object.assign(r.timings, serverTimings);
      // --debug: where the time of each project went, one line per project.
      log.debug(`timing ${r.id}: ${formatTimings(r.timings)}`);
    }
    if (serverTimings.serverReadyMs !== undefined) {
      const staticMs = Math.max(0, ...analyses.map((a) => a.staticMs));
      log.debug(
        `database ready after ${serverTimings.serverReadyMs} ms (static analysis ${Math.round(staticMs)} ms, ` +
          `waited ${serverTimings.serverWaitMs ?? 0} ms for the database)`,
      );
    }
    return {
      version: REPORT_VERSION,
      tool: { name: TOOL_NAME, version: TOOL_VERSION },
      projects: reports,
      summary: summarize(reports, Math.round(performance.now() - started)),
      sandbox: await sandboxReport(),
    };
  } finally {
    await server.dispose();
  }
}

/** `only-changed` and nothing under the project's migrations changed since the base. */
function isUnchanged(config: Config, analysis: StaticAnalysis): boolean {
  // issue #8 (scale): `all` is an audit of every revision, so it never skips a project.
  // changedFiles is undefined without a base comparison: the project is then checked.
  return config.onlyChanged && !config.all && config.base !== null && analysis.changedFiles?.length === 0;
}

function formatTimings(timings: Record<string, number>): string {
  return (
    Object.entries(timings)
      // Keys ending in Ms are durations; the others are counts (snapshots taken, reused).
      .map(([key, n]) => (key.endsWith('Ms') ? `${key.slice(0, -2)} ${Math.round(n)} ms` : `${key} ${n}`))
      .join(', ')
  );
}

/** Maps with at most `limit` promises in flight, keeping the input order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
