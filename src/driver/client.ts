/**
 * TypeScript side of the Python driver (src/driver/driver.py): starts it once per project in
 * the user's Python and speaks JSON lines with it. Every request has a step timeout; when it
 * passes, the process is killed (SIGTERM, then SIGKILL) and the request rejects with the last
 * statement the driver reported, so a hung migration says where it hung.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { infraError, maskSecrets } from '../errors.js';
import { interruption, registerCleanup } from '../lifecycle.js';
import type { Logger } from '../log.js';
import { sandboxedCommand } from '../sandbox/index.js';
import { untrustedEnvironment } from '../secrets.js';
import type { CommandResult, DriverMessage, LoadRequest, LoadResult, ModelDriftResult } from './protocol.js';
import { DriverCrashError, DriverRequestError, parseMessage } from './protocol.js';

// The protocol's types are the client's API.
export type {
  CommandResult,
  DriverImportError,
  DriverRevision,
  DriverStatement,
  LoadRequest,
  LoadResult,
  ModelDriftResult,
} from './protocol.js';
export { DriverCrashError, DriverRequestError };

export interface DriverStartOptions {
  /** argv prefix of the user's Python, e.g. ["/usr/bin/python3"] or ["uv", "run", "python"]. */
  python: string[];
  driverPath: string;
  cwd: string;
  /** Base environment (default process.env); secrets are always removed (src/secrets.ts). */
  env?: NodeJS.ProcessEnv;
  /** The variable env.py reads the database URL from, set to the migration role's URL. */
  urlEnv?: { name: string; url: string };
  log: Logger;
  /**
   * What the driver may see besides `cwd` and the driver scripts: the repository (read-only,
   * without its `.git`). Everything else of the tool stays out of its sandbox (src/sandbox/).
   */
  expose?: string[];
  /** Per-request timeout; the process is killed when it passes. Default 10 minutes. */
  stepTimeoutMs?: number;
  /** How long to wait for the driver to start (import alembic). Default 60 s. */
  startTimeoutMs?: number;
}

const STDERR_KEEP_BYTES = 16 * 1024;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
  cmd: string;
}

/** driver.py next to the bundle (dist/) or, when running from sources, in src/driver/. */
export function defaultDriverPath(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, 'driver.py'), path.resolve(here, '..', 'src', 'driver', 'driver.py')];
  for (const candidate of candidates) if (existsSync(candidate)) return candidate;
  throw infraError(`driver.py not found next to ${here}: reinstall migration-guard (dist/ is incomplete)`);
}

export class DriverClient {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stderrTail = '';
  private lastStatement: DriverCrashError['lastStatement'] = null;
  private exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private readonly stepTimeoutMs: number;
  private readonly pythonLabel: string;
  private readonly log: Logger;
  private noAlembic = false;
  readonly pid: number;

  private readonly signalGroup: (pid: number, signal: NodeJS.Signals) => void;
  /** The URL the sandboxed driver gets for one of the tool's (src/sandbox/database-socket.ts). */
  private readonly sandboxUrl: (url: string) => string;

  private constructor(
    child: ChildProcessWithoutNullStreams,
    options: DriverStartOptions,
    signalGroup: (pid: number, signal: NodeJS.Signals) => void,
    sandboxUrl: (url: string) => string,
  ) {
    this.child = child;
    this.signalGroup = signalGroup;
    this.sandboxUrl = sandboxUrl;
    this.pid = child.pid ?? -1;
    this.stepTimeoutMs = options.stepTimeoutMs ?? 10 * 60_000;
    this.pythonLabel = options.python.join(' ');
    this.log = options.log;
  }

  static async start(options: DriverStartOptions): Promise<DriverClient> {
    const [command, ...prefix] = options.python;
    if (!command) throw infraError('no Python given: pass --python with your project’s interpreter');
    // Cancelled: a driver started now (a restart after the kill) would outlive the cleanups.
    if (interruption()) throw infraError('the run was interrupted');
    const sandboxed = await sandboxedCommand({
      argv: [command, ...prefix, options.driverPath],
      cwd: options.cwd,
      expose: [options.cwd, path.dirname(options.driverPath), ...(options.expose ?? [])],
      env: {
        ...untrustedEnvironment(options.env ?? process.env, options.urlEnv),
        PYTHONUNBUFFERED: '1',
        PYTHONDONTWRITEBYTECODE: '1',
      },
      // The throwaway database is all it reaches: env.py's variable names the sandbox's socket.
      database: { url: options.urlEnv?.url ?? null, env: options.urlEnv?.name },
    });
    const child = spawn(sandboxed.command, sandboxed.args, {
      cwd: options.cwd,
      env: sandboxed.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      // Own process group: wrappers (`uv run python`, chroot scripts, the sandbox) die with the driver.
      detached: true,
    });
    child.once('exit', () => void sandboxed.cleanup());
    child.once('error', () => void sandboxed.cleanup());
    const client = new DriverClient(child, options, sandboxed.signalGroup, sandboxed.databaseUrl);
    // Interrupted (SIGINT/SIGTERM): the driver's whole process group goes, whatever it runs.
    const unregister = registerCleanup(() => client.killAndWait());
    child.once('exit', unregister);
    await client.waitReady(options.startTimeoutMs ?? 60_000);
    return client;
  }

  private waitReady(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (error: Error | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      const timer = setTimeout(() => {
        this.kill();
        settle(
          infraError(`${this.pythonLabel} did not start the migration-guard driver within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      this.child.on('error', (err) => {
        settle(
          infraError(
            `cannot run ${this.pythonLabel} (${err.message}): install Python or pass --python with your interpreter`,
            err,
          ),
        );
      });
      this.child.stderr.on('data', (chunk: Buffer) => {
        this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_KEEP_BYTES);
      });
      const lines = createInterface({ input: this.child.stdout });
      lines.on('line', (line) => {
        const message = parseMessage(line);
        if (!message) {
          this.log.debug(`driver: ${line}`);
          return;
        }
        if (message.event === 'ready') settle(null);
        else if (message.event === 'fatal' && message.kind === 'no-alembic') {
          this.noAlembic = true;
          settle(this.noAlembicError());
        } else this.onMessage(message);
      });
      this.child.on('exit', (code, signal) => {
        this.exited = { code, signal };
        const error = this.noAlembic ? this.noAlembicError() : this.crashError(false);
        settle(error);
        for (const [, p] of this.pending) {
          clearTimeout(p.timer);
          p.reject(error);
        }
        this.pending.clear();
      });
    });
  }

  private noAlembicError(): Error {
    return infraError(
      `${this.pythonLabel} cannot import alembic: install your project's requirements or pass --python`,
    );
  }

  private crashError(timedOut: boolean, cmd?: string, timeoutMs?: number): DriverCrashError {
    const last = this.lastStatement;
    const where = last
      ? ` while running ${oneLine(last.sql)}${last.revision ? ` (revision ${last.revision}${last.line ? ` line ${last.line}` : ''})` : ''}`
      : '';
    const stderrLast = lastLines(this.stderrTail, 3);
    const message = timedOut
      ? `${cmd ?? 'driver request'} did not finish within ${timeoutMs} ms${where}; the driver was killed (raise the step timeout or fix the migration)`
      : `the Python driver exited${this.exited?.signal ? ` on ${this.exited.signal}` : ` with code ${this.exited?.code ?? '?'}`}${where}${stderrLast ? `: ${stderrLast}` : ''}`;
    return new DriverCrashError(maskSecrets(message), last, this.stderrTail, timedOut);
  }

  private onMessage(message: DriverMessage): void {
    if (message.event === 'statement') {
      this.lastStatement = {
        sql: message.sql ?? '',
        line: message.line ?? null,
        revision: message.revision ?? null,
      };
      return;
    }
    if (message.event) return;
    if (message.id === undefined) return;
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    clearTimeout(pending.timer);
    if (message.ok) pending.resolve(message.result);
    else
      pending.reject(
        new DriverRequestError(
          maskSecrets(message.error ?? 'driver request failed'),
          message.errorType ?? 'Error',
          message.traceback ?? null,
        ),
      );
  }

  /** Sends one request; rejects with DriverCrashError when the step timeout passes. */
  request<T>(cmd: string, args: Record<string, unknown> = {}, timeoutMs = this.stepTimeoutMs): Promise<T> {
    if (this.exited) return Promise.reject(this.crashError(false));
    const id = this.nextId++;
    this.lastStatement = null;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        const error = this.crashError(true, cmd, timeoutMs);
        this.kill();
        reject(error);
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer, cmd });
      this.child.stdin.write(`${JSON.stringify({ id, cmd, ...args })}\n`);
    });
  }

  load(req: LoadRequest): Promise<LoadResult> {
    return this.request<LoadResult>('load', {
      config_path: req.configPath,
      section: req.section ?? 'alembic',
      database_url: this.sandboxUrl(req.databaseUrl),
      url_env: req.urlEnv ?? 'DATABASE_URL',
      statement_timeout_ms: req.statementTimeoutMs ?? 0,
      exclude_files: req.excludeFiles ?? [],
    });
  }

  /** `observe`: record what each statement of a revision rewrote and scanned, and its lock times. */
  upgrade(target: string, timeoutMs?: number, observe = false): Promise<CommandResult> {
    return this.request<CommandResult>('upgrade', { target, observe }, timeoutMs);
  }

  downgrade(target: string, timeoutMs?: number, observe = false): Promise<CommandResult> {
    return this.request<CommandResult>('downgrade', { target, observe }, timeoutMs);
  }

  /** Later commands connect to `databaseUrl` (another database of the same server). */
  async setUrl(databaseUrl: string): Promise<void> {
    await this.request<Record<string, never>>('set_url', { database_url: this.sandboxUrl(databaseUrl) });
  }

  stamp(target: string): Promise<CommandResult> {
    return this.request<CommandResult>('stamp', { target });
  }

  async current(): Promise<string[]> {
    return (await this.request<{ revisions: string[] }>('current')).revisions;
  }

  async heads(): Promise<string[]> {
    return (await this.request<{ heads: string[] }>('heads-check')).heads;
  }

  modelDrift(): Promise<ModelDriftResult> {
    return this.request<ModelDriftResult>('model_drift');
  }

  get alive(): boolean {
    return this.exited === null;
  }

  /** Last KB of the driver's stderr (user prints, alembic logging). */
  get stderr(): string {
    return this.stderrTail;
  }

  /** Asks the driver to exit; kills it when it does not within `graceMs`. */
  async shutdown(graceMs = 5000): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    try {
      this.child.stdin.write(`${JSON.stringify({ id: this.nextId++, cmd: 'shutdown' })}\n`);
      this.child.stdin.end();
    } catch {
      // stdin already closed: the process is on its way out
    }
    const timer = setTimeout(() => this.kill(), graceMs);
    await exited;
    clearTimeout(timer);
  }

  /** SIGTERM, then SIGKILL after a second if the process is still there. */
  kill(): void {
    if (this.exited) return;
    this.signal('SIGTERM');
    const timer = setTimeout(() => {
      if (!this.exited) this.signal('SIGKILL');
    }, 1000);
    timer.unref();
  }

  private signal(signal: NodeJS.Signals): void {
    try {
      this.signalGroup(this.pid, signal); // the whole process group
    } catch {
      this.child.kill(signal);
    }
  }

  /** kill(), resolving once the process has exited (at most `graceMs` + the SIGKILL). */
  async killAndWait(graceMs = 3000): Promise<void> {
    if (this.exited) return;
    const exited = this.waitExit();
    this.kill();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
  }

  /** Resolves when the process has exited. */
  waitExit(): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => this.child.once('exit', () => resolve()));
  }
}

function oneLine(sql: string, max = 160): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

function lastLines(text: string, n: number): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-n)
    .join(' | ');
}
