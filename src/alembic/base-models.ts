/**
 * The models of the application deployed from the base branch: env.py's `target_metadata` as it
 * is on the base commit. While a pull request's migration runs, that application is live, so a
 * column or table its models still map must not be dropped yet (two-step-column-drop,
 * drop-table). The base commit is checked out in a temporary `git worktree` (removed
 * afterwards) and src/driver/capture_metadata.py runs its env.py in a mode that only captures
 * the metadata: no database, and the same environment as the driver (no secrets).
 */
import { spawn } from 'node:child_process';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Logger } from '../log.js';
import { sandboxedCommand, type SandboxedCommand } from '../sandbox/index.js';
import { untrustedEnvironment } from '../secrets.js';
import type { AlembicProject } from './types.js';

const execFileAsync = promisify(execFile);

/** What the base branch's models map, or why they are unknown. */
export type BaseModels =
  | {
      known: true;
      /**
       * Whose models: the base commit's (--base), or without a base the models at HEAD (the
       * working tree: an audit judges historical drops by what the application maps today).
       */
      source?: 'base' | 'head';
      /** The commit the models were read from (HEAD's when source is `head`). */
      commit: string;
      /** table (schema-qualified unless public) → mapped column names. */
      tables: Record<string, string[]>;
    }
  | { known: false; reason: string };

export interface BaseModelsRequest {
  project: AlembicProject;
  /**
   * Commit to read the models from (the merge base of the base ref and HEAD); null reads the
   * models at HEAD from the working tree itself (no worktree).
   */
  baseCommit: string | null;
  python: string[];
  /** Variable env.py reads the database URL from; set to a placeholder that connects nowhere. */
  databaseUrlEnv: string;
  log: Logger;
  /** The Python run is killed after this long. Default 120 s. */
  timeoutMs?: number;
}

const RESULT_MARKER = 'MIGRATION_GUARD_METADATA ';
/** Port 9 (discard) on loopback: an env.py that tries to connect is refused at once. */
const PLACEHOLDER_URL = 'postgresql://migration-guard-models@127.0.0.1:9/models_only';

/** capture_metadata.py next to the bundle (dist/) or, from sources, in src/driver/. */
export function captureScriptPath(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [
    path.join(here, 'capture_metadata.py'),
    path.resolve(here, '..', 'driver', 'capture_metadata.py'),
    path.resolve(here, '..', 'src', 'driver', 'capture_metadata.py'),
  ];
  return candidates.find((c) => existsSync(c)) ?? (candidates[0] as string);
}

export async function loadBaseModels(req: BaseModelsRequest): Promise<BaseModels> {
  const { project, baseCommit, log } = req;
  const repoRoot = project.repoRoot;
  if (repoRoot === null) return { known: false, reason: 'the project is not in a git repository' };
  if (baseCommit === null) return loadHeadModels(req, repoRoot);
  const tmp = await mkdtemp(path.join(tmpdir(), 'mg-base-models-'));
  // Readable by the sandbox's unprivileged user (src/sandbox/): the worktree holds no secret.
  await chmod(tmp, 0o755);
  const worktree = path.join(tmp, 'base');
  const git = (...args: string[]) =>
    execFileAsync('git', args, { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 });
  try {
    try {
      await git('worktree', 'add', '--detach', '--quiet', worktree, baseCommit);
    } catch (e) {
      return { known: false, reason: `git worktree of the base commit failed: ${firstLine(e)}` };
    }
    const inBase = (p: string) => path.join(worktree, path.relative(repoRoot, p));
    const configPath = inBase(project.configPath);
    if (!existsSync(configPath)) {
      return {
        known: false,
        reason: `${path.relative(repoRoot, project.configPath)} does not exist on the base commit`,
      };
    }
    const started = performance.now();
    const result = await runCapture(req, {
      worktree,
      configPath,
      cwd: inBase(project.configDir),
      sysPath: [...project.prependSysPath.map(inBase), inBase(project.configDir)],
    });
    log.debug(`${project.id}: base models read in ${Math.round(performance.now() - started)} ms`);
    if (result.tables === null) return { known: false, reason: result.reason };
    return { known: true, source: 'base', commit: baseCommit, tables: result.tables };
  } finally {
    await git('worktree', 'remove', '--force', worktree).catch(() => undefined);
    await rm(tmp, { recursive: true, force: true });
    await git('worktree', 'prune').catch(() => undefined);
  }
}

/** The models at HEAD: env.py's target_metadata as the working tree has it. */
async function loadHeadModels(req: BaseModelsRequest, repoRoot: string): Promise<BaseModels> {
  const { project, log } = req;
  let head: string;
  try {
    const out = await execFileAsync('git', ['rev-parse', 'HEAD'], { cwd: repoRoot });
    head = out.stdout.trim();
  } catch (e) {
    return { known: false, reason: `git rev-parse HEAD failed: ${firstLine(e)}` };
  }
  const started = performance.now();
  const result = await runCapture(req, {
    // The sandbox shows the checkout itself (its `.git` masked), as it does to the driver.
    worktree: repoRoot,
    configPath: project.configPath,
    cwd: project.configDir,
    sysPath: [...project.prependSysPath, project.configDir],
  });
  log.debug(`${project.id}: models at HEAD read in ${Math.round(performance.now() - started)} ms`);
  if (result.tables === null) return { known: false, reason: `models at HEAD: ${result.reason}` };
  return { known: true, source: 'head', commit: head, tables: result.tables };
}

type CaptureResult =
  { tables: Record<string, string[]>; reason?: undefined } | { tables: null; reason: string };

function runCapture(
  req: BaseModelsRequest,
  where: { worktree: string; configPath: string; cwd: string; sysPath: string[] },
): Promise<CaptureResult> {
  const [command, ...prefix] = req.python;
  if (!command) return Promise.resolve({ tables: null, reason: 'no Python command configured' });
  const request = JSON.stringify({
    configPath: where.configPath,
    section: 'alembic',
    sysPath: where.sysPath,
    placeholderUrl: PLACEHOLDER_URL,
  });
  const script = captureScriptPath();
  // The base branch's code runs in the same sandbox as the pull request's: it sees the
  // worktree (without its `.git`) and the script, read-only.
  const sandboxing = sandboxedCommand({
    argv: [command, ...prefix, script],
    cwd: where.cwd,
    expose: [where.worktree, path.dirname(script)],
    env: {
      ...untrustedEnvironment(process.env, { name: req.databaseUrlEnv, url: PLACEHOLDER_URL }),
      PYTHONDONTWRITEBYTECODE: '1',
    },
  });
  return sandboxing.then((sandboxed) =>
    captureIn(req, sandboxed, where.cwd, request).finally(() => sandboxed.cleanup()),
  );
}

function captureIn(
  req: BaseModelsRequest,
  sandboxed: SandboxedCommand,
  cwd: string,
  request: string,
): Promise<CaptureResult> {
  return new Promise((resolve) => {
    const child = spawn(sandboxed.command, sandboxed.args, {
      cwd,
      env: sandboxed.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      // Own process group, so a timeout kills wrappers (`uv run python`) and their children too.
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let settled = false;
    const finish = (result: CaptureResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const timeoutMs = req.timeoutMs ?? 120_000;
    const timer = setTimeout(() => {
      try {
        if (child.pid) sandboxed.signalGroup(child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
      finish({ tables: null, reason: `loading the base models did not finish within ${timeoutMs} ms` });
    }, timeoutMs);
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString('utf8')).slice(-4096)));
    child.on('error', (e) =>
      finish({ tables: null, reason: `cannot run ${req.python.join(' ')}: ${e.message}` }),
    );
    child.on('close', (code) => {
      const line = stdout.split('\n').find((l) => l.startsWith(RESULT_MARKER));
      if (!line) {
        const last = stderr.trim().split('\n').at(-1) ?? '';
        finish({ tables: null, reason: `${req.python.join(' ')} exited ${code} without models: ${last}` });
        return;
      }
      try {
        finish(parseResult(JSON.parse(line.slice(RESULT_MARKER.length)) as unknown));
      } catch (e) {
        finish({ tables: null, reason: `unreadable models result: ${firstLine(e)}` });
      }
    });
    child.stdin.on('error', () => {
      // The process may exit before reading stdin; 'close' reports it.
    });
    child.stdin.end(request);
  });
}

/** Validates the script's JSON: only string table names and string column lists pass. */
function parseResult(raw: unknown): CaptureResult {
  const obj = (raw ?? {}) as { tables?: unknown; reason?: unknown };
  if (obj.tables === null || obj.tables === undefined) {
    return { tables: null, reason: typeof obj.reason === 'string' ? obj.reason : 'no models found' };
  }
  if (typeof obj.tables !== 'object') return { tables: null, reason: 'unreadable models result' };
  const tables: Record<string, string[]> = {};
  for (const [name, columns] of Object.entries(obj.tables as Record<string, unknown>)) {
    if (Array.isArray(columns)) tables[name] = columns.filter((c): c is string => typeof c === 'string');
  }
  return { tables };
}

function firstLine(e: unknown): string {
  const text = e instanceof Error ? (e as { stderr?: string }).stderr || e.message : String(e);
  return text.trim().split('\n')[0] ?? '';
}
