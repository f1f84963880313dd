/**
 * The base release against the migrated schema (rule breaks-deployed-app): while a pull
 * request's migration is deployed, the application built from the base branch still runs. Its
 * models (env.py's `target_metadata` on the base commit) are run by src/driver/deploy_probe.py
 * against the database the pending revisions upgraded: a select, an insert, an update and a
 * delete per mapped table, in one transaction that is rolled back, as the migration role. The
 * base commit is checked out in a temporary git worktree, removed afterwards, as for
 * base-models.ts; the Python process is started through the same `runModelsPython`.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { BaseModels, BaseModelsRequest } from './base-models.js';
import type { AlembicProject } from './types.js';
import { captureScriptPath, firstLine, parseResult, RESULT_MARKER, runModelsPython } from './base-models.js';

const execFileAsync = promisify(execFile);

/** What broke: a column or table gone, a required column left out, a value no longer taken. */
export type DeployFailureKind = 'missing-column' | 'missing-table' | 'not-null' | 'type';

/** One statement of the base release that the migrated schema rejects. */
export interface DeployFailure {
  /** ORM class name; null for Core `Table` metadata without a mapped class. */
  model: string | null;
  /** Schema-qualified unless public. */
  table: string;
  /** The column the error names; null when the whole table is gone. */
  column: string | null;
  kind: DeployFailureKind;
  /** Which of select, insert, update, delete fail this way. */
  operations: string[];
  /** The first statement that failed, as SQLAlchemy compiled it. */
  statement: string;
  /** PostgreSQL's error, first line. */
  error: string;
  sqlstate: string | null;
}

export type DeployProbe =
  | {
      known: true;
      commit: string;
      failures: DeployFailure[];
      /** How many mapped tables were exercised. */
      tables: number;
      /** Where the probe's time went: loading the models, waiting for heads, the queries (ms). */
      timings: Record<string, number>;
    }
  | { known: false; reason: string };

export interface DeployProbeRequest extends BaseModelsRequest {
  /** The migrated database, as the migration role (never the administrator). */
  databaseUrl: string;
  statementTimeoutMs: number;
}

const MARKER = 'MIGRATION_GUARD_DEPLOY_PROBE ';
const KINDS: readonly DeployFailureKind[] = ['missing-column', 'missing-table', 'not-null', 'type'];

/**
 * False when the base commit's env.py plainly hands alembic no models (`target_metadata =
 * None` and nothing else bound to it), read with git, without Python: such a project pays
 * nothing for the probe. True when it may, or when the file cannot be read.
 */
export async function baseEnvMayMapModels(project: AlembicProject, baseCommit: string): Promise<boolean> {
  if (project.repoRoot === null) return true;
  const envPy = path.relative(project.repoRoot, path.join(project.scriptLocation, 'env.py'));
  try {
    const { stdout } = await execFileAsync(
      'git',
      ['show', `${baseCommit}:${envPy.split(path.sep).join('/')}`],
      {
        cwd: project.repoRoot,
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    return envPyMayMapModels(stdout);
  } catch {
    return true;
  }
}

/** The static half of baseEnvMayMapModels: env.py's text binds target_metadata to something. */
export function envPyMayMapModels(envPy: string): boolean {
  const code = envPy.replace(/#.*$/gm, '');
  return (
    /\btarget_metadata\s*=\s*(?!None\b|target_metadata\b)[\w([]/.test(code) ||
    /\b(?:as|import)\s+target_metadata\b/.test(code)
  );
}

export async function runDeployProbe(req: DeployProbeRequest): Promise<DeployProbe> {
  const session = await startDeployProbe(req);
  try {
    return await session.run(req.databaseUrl, req.statementTimeoutMs);
  } finally {
    await session.close();
  }
}

/**
 * The probe, started ahead: the worktree is made and the models are imported while the round
 * trip runs, so at heads only the queries remain. `run` gives the result; `close` (always
 * called, after `run` or instead of it) ends the process and removes the worktree.
 */
export interface DeployProbeSession {
  run(databaseUrl: string, statementTimeoutMs: number): Promise<DeployProbe>;
  close(): Promise<void>;
  /**
   * What the models map, as loadBaseModels reads it, from the same process: the models are
   * imported once for the two-step drop rules and the probe. Settles at the latest when the
   * process ends.
   */
  baseModels: Promise<BaseModels>;
}

export async function startDeployProbe(req: BaseModelsRequest): Promise<DeployProbeSession> {
  const { project, baseCommit } = req;
  const repoRoot = project.repoRoot;
  const unknown = (reason: string): DeployProbeSession => ({
    run: () => Promise.resolve({ known: false, reason }),
    close: () => Promise.resolve(),
    baseModels: Promise.resolve({ known: false, reason }),
  });
  if (repoRoot === null) return unknown('the project is not in a git repository');
  // No base commit (an audit): no release is running that the pull request could break.
  if (baseCommit === null) return unknown('no base commit: no deployed release to run');
  const tmp = await mkdtemp(path.join(tmpdir(), 'mg-deploy-probe-'));
  // Readable by the sandbox's unprivileged user (src/sandbox/): the worktree holds no secret.
  await chmod(tmp, 0o755);
  const worktree = path.join(tmp, 'base');
  const git = (...args: string[]) =>
    execFileAsync('git', args, { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 });
  let removed: Promise<void> | null = null;
  const remove = () =>
    (removed ??= (async () => {
      await git('worktree', 'remove', '--force', worktree).catch(() => undefined);
      await rm(tmp, { recursive: true, force: true });
      await git('worktree', 'prune').catch(() => undefined);
    })());
  try {
    await git('worktree', 'add', '--detach', '--quiet', worktree, baseCommit);
  } catch (e) {
    await remove();
    return unknown(`git worktree of the base commit failed: ${firstLine(e)}`);
  }
  const inBase = (p: string) => path.join(worktree, path.relative(repoRoot, p));
  const configPath = inBase(project.configPath);
  if (!existsSync(configPath)) {
    await remove();
    return unknown(`${path.relative(repoRoot, project.configPath)} does not exist on the base commit`);
  }
  type Line = (sandboxUrl: (url: string) => string) => string;
  let send: (line: Line | null) => void = () => undefined;
  const later = new Promise<Line | null>((resolve) => (send = resolve));
  let captured: (models: BaseModels) => void = () => undefined;
  const baseModels = new Promise<BaseModels>((resolve) => (captured = resolve));
  const commit = baseCommit;
  const result = runModelsPython(
    req,
    {
      worktree,
      configPath,
      cwd: inBase(project.configDir),
      sysPath: [...project.prependSysPath.map(inBase), inBase(project.configDir)],
    },
    {
      script: captureScriptPath('deploy_probe.py'),
      marker: MARKER,
      request: { capture: true },
      parse: parseProbe,
      fail: (reason): ParsedProbe => ({ failures: null, reason }),
      what: 'models probe',
      later,
      early: {
        marker: RESULT_MARKER,
        receive: (raw) => {
          const models = parseResult(raw);
          captured(
            models.tables === null
              ? { known: false, reason: models.reason }
              : { known: true, source: 'base', commit, tables: models.tables },
          );
        },
      },
    },
  );
  // No capture line (the process failed before the models were loaded): the probe's reason.
  void result.then((parsed) =>
    captured({ known: false, reason: parsed.failures === null ? parsed.reason : 'no models result' }),
  );
  return {
    baseModels,
    async run(databaseUrl, statementTimeoutMs) {
      // On stdin, not in the environment or argv: env.py only ever sees the placeholder URL.
      send((sandboxUrl) => JSON.stringify({ probeUrl: sandboxUrl(databaseUrl), statementTimeoutMs }));
      const parsed = await result;
      // The worktree goes in close(), beside the database's disposal, not on the way to the rules.
      if (parsed.failures === null) return { known: false, reason: parsed.reason };
      const { failures, tables, timings } = parsed;
      return { known: true, commit: baseCommit, failures, tables, timings };
    },
    async close() {
      send(null);
      await result;
      await remove();
    },
  };
}

type ParsedProbe =
  | { failures: DeployFailure[]; tables: number; timings: Record<string, number>; reason?: undefined }
  | { failures: null; reason: string };

/** Validates the script's JSON: a failure passes only with the fields it must have. */
function parseProbe(raw: unknown): ParsedProbe {
  const obj = (raw ?? {}) as { failures?: unknown; reason?: unknown; tables?: unknown; timings?: unknown };
  if (!Array.isArray(obj.failures)) {
    return { failures: null, reason: typeof obj.reason === 'string' ? obj.reason : 'no models found' };
  }
  const failures: DeployFailure[] = [];
  for (const item of obj.failures as unknown[]) {
    const f = (item ?? {}) as Record<string, unknown>;
    const kind = KINDS.find((k) => k === f.kind);
    if (!kind || typeof f.table !== 'string' || typeof f.error !== 'string') continue;
    failures.push({
      model: typeof f.model === 'string' ? f.model : null,
      table: f.table,
      column: typeof f.column === 'string' ? f.column : null,
      kind,
      operations: Array.isArray(f.operations)
        ? f.operations.filter((o): o is string => typeof o === 'string')
        : [],
      statement: typeof f.statement === 'string' ? f.statement : '',
      error: f.error,
      sqlstate: typeof f.sqlstate === 'string' ? f.sqlstate : null,
    });
  }
  const timings: Record<string, number> = {};
  for (const [k, v] of Object.entries((obj.timings ?? {}) as Record<string, unknown>))
    if (typeof v === 'number') timings[k] = v;
  return { failures, tables: typeof obj.tables === 'number' ? obj.tables : 0, timings };
}
