/**
 * The pipeline (docs/ARCHITECTURE.md "Pipeline"): Config → Alembic projects → static analysis + graph rules →
 * database → round trip → SQL rules → ignores → Report. Data flows one way; reporters and
 * the exit policy live outside. The database server starts before static analysis so the
 * two overlap; it is always disposed, whatever happens.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { analyzeProject } from './alembic/analyze.js';
import type { AlembicProject } from './alembic/locate.js';
import { locateProjects } from './alembic/locate.js';
import type { StaticAnalysis } from './alembic/analyze.js';
import type { Config } from './config.js';
import type { Database, DatabaseServer } from './database/index.js';
import { startServer } from './database/index.js';
import { TOOL_NAME, TOOL_VERSION } from './meta.js';
import type { Finding, ProjectReport, Report, RevisionReport } from './report/model.js';
import { REPORT_VERSION, summarize } from './report/model.js';
import { runRoundTrip } from './roundtrip/run.js';
import type { RevisionRoundTrip, RoundTripResult } from './roundtrip/run.js';
import { groupByCause } from './lint/group.js';
import { applyIgnores } from './lint/ignores.js';
import type { PlacedFinding } from './lint/run.js';
import { runRules } from './lint/run.js';
import { lintRevisionSql } from './sql/lint.js';
import {
  allRules,
  graphRules,
  invalidIgnoreRule,
  knownRuleIds,
  roundTripRules,
  sqlStatementRules,
} from '../rules/index.js';
import type { GraphRuleContext } from './alembic/rule-context.js';
import type { RoundTripRuleContext } from './roundtrip/rule-context.js';
import type { Rule } from './lint/types.js';

/** PostgreSQL version assumed by version-aware SQL rules when no database ran. */
const DEFAULT_SERVER_VERSION_NUM = 160000;

export async function check(config: Config): Promise<Report> {
  const started = performance.now();
  const log = config.log;
  const projects = await locateProjects({
    projectDir: config.projectDir,
    alembicConfigs: config.alembicConfigs,
  });

  // Start the server now; static analysis runs while it boots. Its failure surfaces only if
  // a round trip actually needs it.
  const serverStart = config.database.kind === 'none' ? null : startServer(config.database, { log });
  // How the overlap went: when the server became ready, and how long the pipeline waited for it.
  const serverTimings: Record<string, number> = {};
  serverStart?.then(
    () => (serverTimings.serverReadyMs = Math.round(performance.now() - started)),
    () => undefined,
  );
  let server: DatabaseServer | null = null;
  const getServer = async (): Promise<DatabaseServer> => {
    if (!serverStart) throw new Error('no database configured');
    if (!server) {
      const t0 = performance.now();
      server = await serverStart;
      serverTimings.serverWaitMs = (serverTimings.serverWaitMs ?? 0) + Math.round(performance.now() - t0);
    }
    return server;
  };

  try {
    const analyses = await Promise.all(
      projects.map(async (project) => {
        const t0 = performance.now();
        const analysis = await analyzeProject(project, {
          base: config.base,
          all: config.all,
          python: config.python,
          log,
        });
        return { project, analysis, staticMs: performance.now() - t0 };
      }),
    );
    const reports = await mapLimit(
      analyses,
      Math.max(1, config.concurrency),
      ({ project, analysis, staticMs }) => {
        // issue #8 (scale): `all` is an audit of every revision, so it never skips a project.
        // changedFiles is undefined without a base comparison: the project is then checked.
        const unchanged =
          config.onlyChanged && !config.all && config.base !== null && analysis.changedFiles?.length === 0;
        if (unchanged) {
          log.info(`${project.id}: skipped, no revision file or env.py changed since ${config.base}`);
          return Promise.resolve(
            skippedProject(config, project, analysis, `no migration changed since ${config.base}`),
          );
        }
        return checkProject(config, project, analysis, staticMs, getServer);
      },
    );
    for (const r of reports) if (r.timings) Object.assign(r.timings, serverTimings);
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
    };
  } finally {
    if (serverStart) {
      const s = server ?? (await serverStart.catch(() => null));
      if (s) await s.dispose();
    }
  }
}

async function checkProject(
  config: Config,
  project: AlembicProject,
  analysis: StaticAnalysis,
  staticMs: number,
  getServer: () => Promise<DatabaseServer>,
): Promise<ProjectReport> {
  const log = config.log;
  const timings: Record<string, number> = { staticMs: Math.round(staticMs) };
  const placed: PlacedFinding[] = runRules(
    graphRules as ReadonlyArray<Rule<GraphRuleContext>>,
    { analysis, naming: config.naming },
    config.rules,
  );

  let roundTrip: RoundTripResult | null = null;
  let serverVersionNum = (config.postgresVersion ?? 0) * 10_000 || DEFAULT_SERVER_VERSION_NUM;
  let databaseInfo: ProjectReport['database'] = null;
  const runDatabase = config.database.kind !== 'none' && analysis.pending.length > 0;
  if (runDatabase) {
    const server = await getServer();
    const database: Database = await server.createDatabase({ migrationRole: config.migrationRole });
    try {
      serverVersionNum = database.serverVersionNum;
      databaseInfo = {
        provider: database.provider,
        serverVersion: database.serverVersion,
        migrationRole: database.migrationRole,
      };
      log.info(
        `${project.id}: round trip of ${analysis.pending.length} revision(s) on PostgreSQL ${database.serverVersion}`,
      );
      const t0 = performance.now();
      roundTrip = await runRoundTrip({
        configPath: project.configPath,
        projectDir: project.configDir,
        python: config.python,
        databaseUrl: database.url,
        databaseUrlEnv: config.databaseUrlEnv,
        revisions: analysis.graph.topologicalOrder().map((id) => {
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
        log,
      });
      timings.roundTripMs = Math.round(performance.now() - t0);
    } finally {
      await database.dispose();
    }
  }

  const namingConvention = await usesNamingConvention(project);
  const revisions: RevisionReport[] = [];
  const sources = new Map<string, string>();
  const revisionFiles = new Map<string, string>();
  const lintStart = performance.now();
  for (const id of analysis.pending) {
    const parsed = analysis.parsed.get(id);
    const relFile = parsed?.relFile ?? '';
    revisionFiles.set(id, relFile);
    const source = parsed ? await readFile(parsed.file, 'utf8').catch(() => null) : null;
    if (source !== null) sources.set(relFile, source);
    const rt: RevisionRoundTrip | undefined = roundTrip?.revisions.find((r) => r.id === id);
    if (rt) {
      // Model drift is a property of the whole history; it is reported on the last pending revision.
      const isLast = id === analysis.pending[analysis.pending.length - 1];
      placed.push(
        ...runRules(
          roundTripRules as ReadonlyArray<Rule<RoundTripRuleContext>>,
          {
            revision: rt,
            relFile,
            modelDrift: isLast ? (roundTrip?.modelDrift ?? null) : null,
            upgradeLine: parsed?.upgrade?.defLine ?? null,
            downgradeLine: parsed?.downgrade?.defLine ?? null,
          },
          config.rules,
        ).map((p) => ({ ...p, revision: p.revision ?? id })),
      );
      const upgrade = rt.steps.find((s) => s.phase === 'upgrade');
      if (upgrade) {
        const sqlFindings = await lintRevisionSql(
          {
            revision: id,
            file: relFile,
            source,
            statements: upgrade.statements,
            serverVersionNum,
            settings: config.rules,
            lockTimeout: config.lockTimeout,
            existingIndexes: rt.schemaBefore?.indexes,
            existingIndexNames: rt.schemaBefore?.indexesByName,
            existingColumnTypes: rt.schemaBefore?.columnTypes,
            namingConvention,
          },
          sqlStatementRules,
        );
        placed.push(...sqlFindings.map((p) => ({ ...p, revision: p.revision ?? id })));
      }
    }
    revisions.push({
      id,
      downRevisions: parsed?.downRevisions ?? [],
      file: relFile,
      message: parsed?.message ?? null,
      pending: true,
      steps: rt?.steps ?? [],
      schemaRestored: rt ? rt.schemaRestored : null,
      findings: [],
      durationMs: rt ? Math.round(rt.durationMs) : undefined,
    });
  }
  timings.lintMs = Math.round(performance.now() - lintStart);

  const ignoresApplied = applyIgnores(placed, {
    sources,
    configIgnores: config.ignores,
    revisionFiles,
    settings: config.rules,
    knownRules: knownRuleIds,
    invalidIgnoreRule,
  });
  // One cause, one finding: consequences hang under the rule that names their cause.
  const final = groupByCause(ignoresApplied, allRules);
  const projectFindings: Finding[] = [];
  const byId = new Map(revisions.map((r) => [r.id, r]));
  for (const p of final) {
    const target = p.revision ? byId.get(p.revision) : undefined;
    if (target) target.findings.push(p.finding);
    else projectFindings.push(p.finding);
  }
  for (const r of revisions) r.findings.sort(byLine);

  return {
    id: project.id,
    config: project.id,
    base: config.base,
    heads: analysis.heads,
    baseHeads: analysis.baseHeads,
    revisions,
    findings: projectFindings,
    skipped: null,
    mode: runDatabase ? 'full' : 'static',
    database: databaseInfo,
    timings,
  };
}

function skippedProject(
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

/**
 * A MetaData naming_convention makes constraint names deterministic, so unnamed-constraint
 * stays quiet. Seen statically in env.py (models imported from elsewhere are not followed).
 */
async function usesNamingConvention(project: AlembicProject): Promise<boolean> {
  const envPy = await readFile(path.join(project.scriptLocation, 'env.py'), 'utf8').catch(() => '');
  return /\bnaming_convention\b/.test(envPy);
}

function byLine(a: Finding, b: Finding): number {
  return (a.line ?? 0) - (b.line ?? 0) || a.rule.localeCompare(b.rule);
}
