/**
 * The deployed-release stage of one project (rule breaks-deployed-app): once the pending
 * revisions upgraded the database, the base branch's models are run against it
 * (src/alembic/deploy-probe.ts), and each failure is placed on the pending revision whose
 * upgrade touched that table, the statement that did it and, for a rename, the new name.
 */
import type { StaticAnalysis } from '../alembic/analyze.js';
import type { DeployFailure, DeployProbe } from '../alembic/deploy-probe.js';
import type { DeployProbeSession } from '../alembic/deploy-probe.js';
import { baseEnvMayMapModels, startDeployProbe } from '../alembic/deploy-probe.js';
import type { AlembicProject } from '../alembic/locate.js';
import type { Config } from '../config.js';
import type { RoundTripResult } from '../roundtrip/run.js';
import type { DeployedAppBreak } from '../roundtrip/rule-context.js';

export const DEPLOY_RULE = 'breaks-deployed-app';
/** capture_metadata.py's reason when env.py has no models: nothing to run, nothing to say. */
const NO_TARGET_METADATA = 'env.py passes no target_metadata';

/** True when the probe runs: the rule is on and there is a base commit to read the models from. */
export function wantsDeployProbe(config: Config, analysis: StaticAnalysis): boolean {
  // Absent from config.rules = the rule's default (error).
  return config.rules[DEPLOY_RULE] !== 'off' && analysis.baseCommit !== null;
}

/** The probe of one round trip: `atHeads` for the round trip, `close` once it is over. */
export interface DeployProbeStage {
  /** Runs the probe on the migrated database, as the migration role. */
  atHeads: (migrationUrl: string) => Promise<void>;
  close: () => Promise<void>;
}

/**
 * The base release's models process of one project, started before the database is even
 * ready, so the models are imported while the server starts and the round trip runs. The same
 * process answers the base-models stage (src/check/base-models.ts) first, then the probe: the
 * models are imported once, from one worktree. `off`: the probe does not run; `settled`: it has
 * its answer already (env.py hands alembic no models, so nothing is started).
 */
export type BaseRelease =
  | { probe: 'off' }
  | { probe: 'settled'; result: DeployProbe }
  | { probe: 'started'; session: Promise<DeployProbeSession | DeployProbe> };

export async function startBaseRelease(
  config: Config,
  project: AlembicProject,
  analysis: StaticAnalysis,
): Promise<BaseRelease> {
  const baseCommit = analysis.baseCommit;
  if (!wantsDeployProbe(config, analysis) || baseCommit === null) return { probe: 'off' };
  // No models: no hook, so the round trip does not even upgrade to heads for it.
  if (!(await baseEnvMayMapModels(project, baseCommit))) {
    return { probe: 'settled', result: { known: false, reason: NO_TARGET_METADATA } };
  }
  const session = (async (): Promise<DeployProbeSession | DeployProbe> =>
    startDeployProbe({
      project,
      baseCommit,
      python: config.python,
      databaseUrlEnv: config.databaseUrlEnv,
      log: config.log,
    }))().catch((e: unknown): DeployProbe => ({
    known: false,
    reason: e instanceof Error ? e.message : String(e),
  }));
  return { probe: 'started', session };
}

export function isProbeSession(x: DeployProbeSession | DeployProbe): x is DeployProbeSession {
  return 'run' in x;
}

/** Ends the release's process and removes its worktree; safe to call more than once. */
export async function closeBaseRelease(release: BaseRelease | null): Promise<void> {
  if (release?.probe !== 'started') return;
  const session = await release.session;
  if (isProbeSession(session)) await session.close();
}

/** The probe of one round trip, on the release started by startBaseRelease. */
export function deployProbeStage(
  config: Config,
  project: AlembicProject,
  release: BaseRelease | null,
  done: (probe: DeployProbe) => void,
): DeployProbeStage | undefined {
  if (release === null || release.probe === 'off') return undefined;
  if (release.probe === 'settled') {
    done(release.result);
    return undefined;
  }
  const started = release.session;
  return {
    async atHeads(migrationUrl) {
      const session = await started;
      if (!isProbeSession(session)) {
        done(session);
        return;
      }
      const t0 = performance.now();
      const probe = await session.run(migrationUrl, Math.min(config.statementTimeoutMs || 5000, 5000));
      done(probe);
      const parts = probe.known ? ` (${JSON.stringify(probe.timings)})` : '';
      config.log.debug(
        `${project.id}: deployed models probed in ${Math.round(performance.now() - t0)} ms${parts}`,
      );
    },
    close: () => closeBaseRelease(release),
  };
}

/**
 * The note the report carries when the probe could not say anything: models that do not
 * import, an env.py without target_metadata, a database that never reached heads.
 */
export function deployProbeNote(
  config: Config,
  analysis: StaticAnalysis,
  ran: boolean,
  probe: DeployProbe | null,
): string | null {
  if (!ran || !wantsDeployProbe(config, analysis)) return null;
  if (probe === null) {
    return `${DEPLOY_RULE}: the base release's models were not run: the database did not reach the heads`;
  }
  if (probe.known || probe.reason.startsWith(NO_TARGET_METADATA)) return null;
  return `${DEPLOY_RULE}: the base release's models were not run against the migrated schema: ${probe.reason}`;
}

/** Each failure on the pending revision that caused it (the last whose upgrade names its table). */
export function placeDeployFailures(
  failures: readonly DeployFailure[],
  roundTrip: RoundTripResult,
  pending: readonly string[],
  commit: string,
): Map<string, DeployedAppBreak[]> {
  const out = new Map<string, DeployedAppBreak[]>();
  const last = pending[pending.length - 1];
  for (const failure of failures) {
    let placed: { revision: string; line: number | null; renamedTo: string | null } | null = null;
    for (const id of [...pending].reverse()) {
      const upgrade = roundTrip.revisions.find((r) => r.id === id)?.steps.find((s) => s.phase === 'upgrade');
      const hit = upgrade ? touching(failure, upgrade.statements) : null;
      if (hit) {
        placed = { revision: id, ...hit };
        break;
      }
    }
    const revision = placed?.revision ?? last;
    if (revision === undefined) continue;
    const list = out.get(revision) ?? [];
    list.push({ ...failure, commit, line: placed?.line ?? null, renamedTo: placed?.renamedTo ?? null });
    out.set(revision, list);
  }
  return out;
}

function touching(
  failure: DeployFailure,
  statements: ReadonlyArray<{ sql: string; line: number | null; bookkeeping?: boolean }>,
): { line: number | null; renamedTo: string | null } | null {
  const table = identifierPattern(failure.table.split('.').at(-1) ?? failure.table);
  const column = failure.column === null ? null : identifierPattern(failure.column);
  type Hit = { line: number | null; renamedTo: string | null };
  let found = null as Hit | null;
  for (const st of statements) {
    if (st.bookkeeping || !new RegExp(table, 'i').test(st.sql)) continue;
    if (column !== null && !new RegExp(column, 'i').test(st.sql) && !/\bdrop\s+table\b/i.test(st.sql)) {
      continue;
    }
    const rename =
      column === null
        ? null
        : new RegExp(`\\brename\\s+(?:column\\s+)?${column}\\s+to\\s+"?([A-Za-z0-9_$]+)"?`, 'i').exec(st.sql);
    // The statement that renames or drops it wins over one that only names it.
    if (found === null || rename || /\bdrop\b/i.test(st.sql)) {
      const previous: Hit | null = found;
      found = { line: st.line, renamedTo: rename?.[1] ?? previous?.renamedTo ?? null };
    }
  }
  return found;
}

/** `name` as a whole identifier, quoted or not. */
function identifierPattern(name: string): string {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return `(?:"${escaped}"|\\b${escaped}\\b)`;
}
