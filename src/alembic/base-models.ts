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

/** capture_metadata.py's result line (deploy_probe.py writes it too when asked to capture). */
export const RESULT_MARKER = 'MIGRATION_GUARD_METADATA ';
/** Port 9 (discard) on loopback: an env.py that tries to connect is refused at once. */
const PLACEHOLDER_URL = 'postgresql://migration-guard-models@127.0.0.1:9/models_only';

/** capture_metadata.py next to the bundle (dist/) or, from sources, in src/driver/. */
export function captureScriptPath(name = 'capture_metadata.py'): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [
    path.join(here, name),
    path.resolve(here, '..', 'driver', name),
    path.resolve(here, '..', 'src', 'driver', name),
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

export type CaptureResult =
  { tables: Record<string, string[]>; reason?: undefined } | { tables: null; reason: string };

function runCapture(req: BaseModelsRequest, where: ModelsPlace): Promise<CaptureResult> {
  return runModelsPython(req, where, {
    script: captureScriptPath(),
    marker: RESULT_MARKER,
    request: {},
    parse: parseResult,
    fail: (reason) => ({ tables: null, reason }),
    what: 'models',
  });
}

/**
 * Where a models program runs: `worktree` is the checkout shown to the sandbox (the base
 * commit's worktree, or the repository itself for the models at HEAD).
 */
export interface ModelsPlace {
  worktree: string;
  configPath: string;
  cwd: string;
  sysPath: string[];
}

/** One run of a models program (capture_metadata.py, deploy_probe.py) and how to read it. */
export interface ModelsProgram<T> {
  /** Absolute path of the .py file. */
  script: string;
  /** Prefix of the one stdout line that carries the JSON result. */
  marker: string;
  /** Added to the request on stdin (configPath, section, sysPath, placeholderUrl). */
  request: Record<string, unknown>;
  parse: (raw: unknown) => T;
  fail: (reason: string) => T;
  /** What the program gives, for messages ("models"). */
  what: string;
  /**
   * A second stdin line, sent when this settles (null: stdin is closed without it). The
   * program loads the models first and waits for it; the timeout runs from then on. The line
   * is made with the sandbox's URL for a database of the tool's (src/sandbox/database-socket.ts).
   */
  later?: Promise<((sandboxUrl: (url: string) => string) => string) | null>;
  /**
   * A line the program writes before its result (deploy_probe.py's capture of the models,
   * while it waits for `later`), handed over as soon as it is complete.
   */
  early?: { marker: string; receive: (raw: unknown) => void };
}

/**
 * Runs a models program on the base commit's env.py in the user's Python: every such Python
 * process goes through here, with env.py's URL variable set to the placeholder and the
 * runner's secrets left out. Anything the program needs beyond that comes on stdin.
 */
export function runModelsPython<T>(
  req: BaseModelsRequest,
  where: ModelsPlace,
  program: ModelsProgram<T>,
): Promise<T> {
  const [command, ...prefix] = req.python;
  if (!command) return Promise.resolve(program.fail('no Python command configured'));
  const request = JSON.stringify({
    configPath: where.configPath,
    section: 'alembic',
    sysPath: where.sysPath,
    placeholderUrl: PLACEHOLDER_URL,
    ...program.request,
  });
  // The base branch's code runs in the same sandbox as the pull request's: it sees the
  // worktree (without its `.git`) and the script, read-only.
  const sandboxing = sandboxedCommand({
    argv: [command, ...prefix, program.script],
    cwd: where.cwd,
    expose: [where.worktree, path.dirname(program.script)],
    env: {
      ...untrustedEnvironment(process.env, { name: req.databaseUrlEnv, url: PLACEHOLDER_URL }),
      PYTHONDONTWRITEBYTECODE: '1',
    },
    // A program with a second line may be handed the database's URL in it; the others reach nothing.
    ...(program.later ? { database: { url: null } } : {}),
  });
  return sandboxing.then((sandboxed) =>
    runSandboxed(req, sandboxed, where.cwd, request, program).finally(() => sandboxed.cleanup()),
  );
}

function runSandboxed<T>(
  req: BaseModelsRequest,
  sandboxed: SandboxedCommand,
  cwd: string,
  request: string,
  program: ModelsProgram<T>,
): Promise<T> {
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
    let timer: NodeJS.Timeout | undefined;
    const finish = (result: T) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const timeoutMs = req.timeoutMs ?? 120_000;
    const startTimer = () => {
      timer = setTimeout(() => {
        try {
          if (child.pid) sandboxed.signalGroup(child.pid, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
        finish(program.fail(`loading the base ${program.what} did not finish within ${timeoutMs} ms`));
      }, timeoutMs);
    };
    let earlyDone = false;
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString('utf8');
      const early = program.early && !earlyDone ? completeLine(stdout, program.early.marker) : null;
      if (early !== null && program.early) {
        earlyDone = true;
        try {
          program.early.receive(JSON.parse(early.slice(program.early.marker.length)) as unknown);
        } catch (e) {
          program.early.receive({ tables: null, reason: `unreadable models result: ${firstLine(e)}` });
        }
      }
      // A program that waits for a second request answers before it exits: no need to wait.
      const line = program.later ? completeLine(stdout, program.marker) : null;
      if (line !== null) finishWith(line);
    });
    child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString('utf8')).slice(-4096)));
    child.on('error', (e) => finish(program.fail(`cannot run ${req.python.join(' ')}: ${e.message}`)));
    const finishWith = (line: string) => {
      try {
        finish(program.parse(JSON.parse(line.slice(program.marker.length)) as unknown));
      } catch (e) {
        finish(program.fail(`unreadable ${program.what} result: ${firstLine(e)}`));
      }
    };
    child.on('close', (code) => {
      const line = stdout.split('\n').find((l) => l.startsWith(program.marker));
      if (!line) {
        const last = stderr.trim().split('\n').at(-1) ?? '';
        finish(program.fail(`${req.python.join(' ')} exited ${code} without ${program.what}: ${last}`));
        return;
      }
      finishWith(line);
    });
    child.stdin.on('error', () => {
      // The process may exit before reading stdin; 'close' reports it.
    });
    if (!program.later) {
      startTimer();
      child.stdin.end(request);
      return;
    }
    child.stdin.write(`${request}\n`);
    void program.later.then((makeLine) => {
      if (settled) return;
      // Not run after all: the program exits on the closed stdin, or is killed in time.
      startTimer();
      if (makeLine === null) {
        child.stdin.end();
        return;
      }
      child.stdin.end(`${makeLine(sandboxed.databaseUrl)}\n`);
    });
  });
}

/** The first whole line of `stdout` that starts with `marker`, or null. */
function completeLine(stdout: string, marker: string): string | null {
  const lines = stdout.split('\n');
  lines.pop(); // not yet ended by a newline
  return lines.find((l) => l.startsWith(marker)) ?? null;
}

/** Validates the script's JSON: only string table names and string column lists pass. */
export function parseResult(raw: unknown): CaptureResult {
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

export function firstLine(e: unknown): string {
  const text = e instanceof Error ? (e as { stderr?: string }).stderr || e.message : String(e);
  return text.trim().split('\n')[0] ?? '';
}
