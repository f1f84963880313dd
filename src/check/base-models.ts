/**
 * The base-models stage of one project: what the application deployed from the base branch
 * maps (src/alembic/base-models.ts), read while the round trip runs, for two-step-column-drop
 * and drop-table. Read only when one of them is on and a database runs (the SQL lint needs
 * the executed statements). Without a base (an audit of the history, `--all`) the models at
 * HEAD are read instead: a column the application no longer maps today was dropped in its
 * second step, whenever that was. Never rejects: a failure is a reason, and the rules say it.
 */
import type { StaticAnalysis } from '../alembic/analyze.js';
import type { BaseModels } from '../alembic/base-models.js';
import { loadBaseModels } from '../alembic/base-models.js';
import type { AlembicProject } from '../alembic/locate.js';
import type { Config } from '../config.js';
import type { BaseRelease } from './deploy.js';
import { isProbeSession } from './deploy.js';

const RULES_THAT_READ_MODELS = ['two-step-column-drop', 'drop-table'];

export function baseModelsStage(
  config: Config,
  project: AlembicProject,
  analysis: StaticAnalysis,
  release: BaseRelease | null = null,
): Promise<BaseModels> {
  if (RULES_THAT_READ_MODELS.every((id) => config.rules[id] === 'off')) {
    return Promise.resolve({ known: false, reason: 'not needed' });
  }
  // The probe's process reads the same models on the same commit: one import, one worktree.
  if (release?.probe === 'started') {
    return release.session.then((session) =>
      isProbeSession(session) ? session.baseModels : loadModels(config, project, analysis),
    );
  }
  return loadModels(config, project, analysis);
}

function loadModels(config: Config, project: AlembicProject, analysis: StaticAnalysis): Promise<BaseModels> {
  return loadBaseModels({
    project,
    baseCommit: analysis.baseCommit,
    python: config.python,
    databaseUrlEnv: config.databaseUrlEnv,
    log: config.log,
  }).catch((e: unknown) => ({
    known: false as const,
    reason: `reading the models failed: ${e instanceof Error ? e.message : String(e)}`,
  }));
}
