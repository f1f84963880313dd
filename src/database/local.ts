/**
 * Local embedded PostgreSQL: initdb into a temp dir, pg_ctl start on a free port, stop
 * (-m immediate) and delete on dispose. initdb refuses to run as root, so as root the cluster
 * belongs to user `postgres` (or `nobody`) and the binaries run through `runuser`.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { access, chown, constants, mkdtemp, readdir, readFile, realpath, rm, statfs } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { EXIT_USAGE, infraError, isMigrationGuardError } from '../errors.js';
import { registerCleanup } from '../lifecycle.js';
import type { Logger } from '../log.js';
import { registerSecret } from '../secrets.js';
import { AdminServer, queryServerVersion, withClient } from './admin.js';
import { prepareDataDir } from './template.js';
import { ensureBuild } from './postgres-builds.js';
import { run, type RunResult } from './process.js';
import type { PostgresBinaries } from './types.js';

export type { PostgresBinaries };
export { run };

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A bin dir is usable when it holds the real server programs (not only client tools). */
async function usableBindir(dir: string): Promise<PostgresBinaries | null> {
  for (const prog of ['initdb', 'pg_ctl', 'postgres']) {
    if (!(await isExecutable(path.join(dir, prog)))) return null;
  }
  try {
    const { stdout } = await run(path.join(dir, 'postgres'), ['--version'], { timeoutMs: 10_000 });
    const m = /(\d+)(?:\.(\d+))?/.exec(stdout);
    if (!m) return null;
    return { bindir: dir, major: Number(m[1]), version: m[2] === undefined ? m[1]! : `${m[1]}.${m[2]}` };
  } catch {
    return null;
  }
}

async function whichInPath(prog: string): Promise<string | null> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && (await isExecutable(path.join(dir, prog)))) return path.join(dir, prog);
  }
  return null;
}

/**
 * Finds PostgreSQL server binaries on this machine: `pg_config --bindir`, then the directory of
 * `initdb` on PATH (resolving symlinks: Debian's /usr/bin entries may point at a wrapper
 * script), then /usr/lib/postgresql/<n>/bin newest first. With `major`, the first of that
 * major. Null when there are none.
 */
export async function findPostgresBinaries(major: number | null = null): Promise<PostgresBinaries | null> {
  const candidates: string[] = [];
  try {
    const { stdout } = await run('pg_config', ['--bindir'], { timeoutMs: 10_000 });
    if (stdout.trim()) candidates.push(stdout.trim());
  } catch {
    // no pg_config: fine, try the next source
  }
  const initdb = await whichInPath('initdb');
  if (initdb) {
    candidates.push(path.dirname(await realpath(initdb).catch(() => initdb)));
  }
  try {
    const versions = (await readdir('/usr/lib/postgresql'))
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) candidates.push(`/usr/lib/postgresql/${v}/bin`);
  } catch {
    // not a Debian-style layout
  }
  for (const dir of [...new Set(candidates)]) {
    const found = await usableBindir(dir);
    if (found && (major === null || found.major === major)) return found;
  }
  return null;
}

/**
 * The binaries a local server of `major` runs (null: any major): this machine's, else a
 * cached or freshly fetched build (src/database/postgres-builds.ts) of `major`, or of
 * `defaultMajor` when no major was asked for.
 */
export async function localBinaries(
  major: number | null,
  defaultMajor: number,
  log: Logger,
): Promise<PostgresBinaries> {
  const found = await findPostgresBinaries(major);
  if (found) return found;
  const wanted = major ?? defaultMajor;
  log.debug(
    `no PostgreSQL${major === null ? '' : ` ${major}`} binaries on this machine: using a build of PostgreSQL ${wanted}`,
  );
  const build = await ensureBuild(wanted, { log }).catch((e: unknown) => {
    // A major that is not published is the user's to fix (exit 2), as it is.
    if (isMigrationGuardError(e) && e.exitCode === EXIT_USAGE) throw e;
    throw infraError(
      `PostgreSQL ${wanted} binaries not found and no build could be installed: ${(e as Error).message.replace(/ \(install PostgreSQL.*\)$/, '')} (install PostgreSQL ${wanted}, or use database-url or postgres-image)`,
      e,
    );
  });
  const checked = await usableBindir(build.bindir);
  if (!checked || checked.major !== wanted) {
    throw infraError(
      `the PostgreSQL ${wanted} build in ${path.dirname(build.bindir)} does not run here: delete that directory to fetch it again, or use database-url or postgres-image`,
    );
  }
  return checked;
}

/** Asks the OS for a free TCP port on 127.0.0.1 (listen on 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

interface RunAs {
  /** Prefix for commands, e.g. ["runuser", "-u", "postgres", "--"], or [] when not root. */
  prefix: string[];
  uid: number;
  gid: number;
  user: string | null;
}

async function resolveRunAs(log: Logger): Promise<RunAs> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return { prefix: [], uid: -1, gid: -1, user: null };
  }
  for (const user of ['postgres', 'nobody']) {
    try {
      const uid = Number((await run('id', ['-u', user])).stdout.trim());
      const gid = Number((await run('id', ['-g', user])).stdout.trim());
      if (!Number.isInteger(uid) || !Number.isInteger(gid)) continue;
      log.debug(`running as root: initdb and pg_ctl run as user "${user}" via runuser`);
      return { prefix: ['runuser', '-u', user, '--'], uid, gid, user };
    } catch {
      // user does not exist: try the next
    }
  }
  throw infraError(
    'running as root and there is no "postgres" or "nobody" user to run initdb as: create one or use database-url',
  );
}

function runAs(as: RunAs, file: string, args: string[], timeoutMs?: number): Promise<RunResult> {
  const [cmd, ...rest] = [...as.prefix, file, ...args];
  return run(cmd!, rest, { timeoutMs });
}

/** Quotes for the shell pg_ctl hands its -o options to. */
function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function lastLines(text: string, n = 3): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-n)
    .join(' | ');
}

const START_ATTEMPTS = 5;
const TMPFS_MAGIC = 0x01021994;
const MIN_SHM_FREE_BYTES = 1024 ** 3;

/**
 * Where clusters (and the initdb template) live. A throwaway cluster needs no durability, and
 * on a tmpfs initdb takes 0.34 s instead of 1.1 s and copying the template 0.04 s instead of
 * 0.9 s. So /dev/shm when it is a tmpfs with ≥ 1 GiB free (GitHub runners: half
 * the RAM; Docker's default 64 MiB is too small and falls back), else os.tmpdir().
 * MIGRATION_GUARD_PG_TMPDIR overrides both.
 */
export async function clusterBaseDir(): Promise<string> {
  const override = process.env.MIGRATION_GUARD_PG_TMPDIR;
  if (override) return override;
  try {
    const st = await statfs('/dev/shm');
    await access('/dev/shm', constants.W_OK);
    if (st.type === TMPFS_MAGIC && st.bavail * st.bsize >= MIN_SHM_FREE_BYTES) return '/dev/shm';
  } catch {
    // no /dev/shm (macOS) or not writable
  }
  return os.tmpdir();
}

export interface LocalServerOptions {
  log: Logger;
  /** Skip the initdb template cache (benchmarks, tests of the cold path). */
  noTemplate?: boolean;
  /** Port to try first (tests: an occupied port proves the retry). */
  firstPort?: number;
  /** The binaries to run (see localBinaries); default: this machine's, any major. */
  binaries?: PostgresBinaries;
}

export async function startLocalServer(options: LocalServerOptions): Promise<AdminServer> {
  const { log } = options;
  const bins = options.binaries ?? (await findPostgresBinaries());
  if (!bins) {
    throw infraError(
      'PostgreSQL binaries (initdb, pg_ctl) not found: install postgresql, or use database-url or postgres-image',
    );
  }
  log.debug(`local PostgreSQL ${bins.version} from ${bins.bindir}`);
  const as = await resolveRunAs(log);
  const baseDir = await clusterBaseDir();
  const dir = await mkdtemp(path.join(baseDir, 'migration-guard-pg-'));
  log.debug(`local PostgreSQL directory ${dir}`);
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  const pgCtl = path.join(bins.bindir, 'pg_ctl');
  let started = false;

  // The initdb/copy/pg_ctl start running right now: a stop must wait for it, or a postmaster
  // could come up after we deleted its directory and outlive us.
  let inFlight: Promise<unknown> = Promise.resolve();
  const track = <T>(step: Promise<T>): Promise<T> => {
    inFlight = step.catch(() => {});
    return step;
  };
  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => (stopping ??= stopNow());
  // Last line of defence when the process exits without running cleanups (a stray
  // process.exit()): stop synchronously so no postmaster outlives us.
  const stopAtExit = () => {
    const [cmd, ...args] = [...as.prefix, pgCtl, 'stop', '-D', dataDir, '-m', 'immediate', '-w', '-t', '5'];
    if (started) spawnSync(cmd!, args, { stdio: 'ignore', timeout: 10_000 });
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stopAtExit);
  const stopNow = async (): Promise<void> => {
    process.off('exit', stopAtExit);
    await inFlight;
    try {
      if (started)
        await runAs(as, pgCtl, ['stop', '-D', dataDir, '-m', 'immediate', '-w', '-t', '10'], 20_000);
    } catch {
      await killPostmaster(dataDir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
  // Registered before anything exists so an interrupt during startup also cleans up.
  const unregister = registerCleanup(stop);
  try {
    if (as.uid >= 0) await chown(dir, as.uid, as.gid);
    const t0 = performance.now();
    const prepared = await track(
      prepareDataDir({
        bins,
        dataDir,
        runAs: (f, a) => runAs(as, f, a),
        runSelf: (f, a) => run(f, a),
        uid: as.uid,
        gid: as.gid,
        baseDir,
        noTemplate: options.noTemplate,
      }),
    ).catch((e: unknown) => {
      const stderr = (e as { stderr?: string }).stderr ?? '';
      throw infraError(
        `initdb failed in ${dir}: ${lastLines(stderr) || (e as Error).message} (use database-url or postgres-image instead)`,
        e,
      );
    });
    if (prepared.templateRejected) log.warning(`initdb template not used: ${prepared.templateRejected}`);
    log.debug(`data directory ready (${prepared.how}) in ${Math.round(performance.now() - t0)} ms`);

    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = attempt === 1 && options.firstPort ? options.firstPort : await freePort();
      const serverOptions = [
        `-p ${port}`,
        `-k ${shellQuote(dir)}`,
        '-c listen_addresses=127.0.0.1',
        '-c fsync=off',
        '-c full_page_writes=off',
        '-c synchronous_commit=off',
      ].join(' ');
      if (stopping) throw infraError('local PostgreSQL start was interrupted');
      try {
        started = true;
        await track(
          runAs(
            as,
            pgCtl,
            ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '60', '-o', serverOptions],
            90_000,
          ),
        );
        break;
      } catch (e) {
        started = false;
        const serverLog = await readFile(logFile, 'utf8').catch(() => '');
        const portTaken = /could not (bind|create listen socket)|address already in use/i.test(serverLog);
        if (portTaken && attempt < START_ATTEMPTS) {
          log.debug(`port ${port} was taken, retrying with another port`);
          await rm(logFile, { force: true });
          continue;
        }
        const stderr = (e as { stderr?: string }).stderr ?? '';
        throw infraError(
          `local PostgreSQL failed to start: ${lastLines(serverLog || stderr) || (e as Error).message} (use database-url or postgres-image instead)`,
          e,
        );
      }
    }

    // Host connections use scram-sha-256; the postgres role gets a random password over the
    // trusted unix socket, so the URL handed to the user's code carries a real password.
    const password = randomBytes(12).toString('hex');
    registerSecret(password);
    const socketAdmin = { host: dir, port, user: 'postgres', database: 'postgres' };
    const version = await withClient(socketAdmin, async (c) => {
      await c.query(`ALTER ROLE postgres PASSWORD '${password}'`);
      return queryServerVersion(c);
    });
    log.debug(`local PostgreSQL ${version.serverVersion} listening on 127.0.0.1:${port}, data in ${dataDir}`);
    const server = new AdminServer({
      provider: 'local',
      ...version,
      admin: socketAdmin,
      urlFor: (db, login) =>
        `postgresql://${login?.user ?? 'postgres'}:${login?.password ?? password}@127.0.0.1:${port}/${db}`,
      ownsServer: true,
      stop: async () => {
        unregister();
        await stop();
      },
      log,
      where: `local PostgreSQL on 127.0.0.1:${port}`,
    });
    return server;
  } catch (e) {
    unregister();
    await stop().catch(() => {});
    throw e;
  }
}

/** Last resort when pg_ctl stop fails: SIGKILL the postmaster named in postmaster.pid. */
async function killPostmaster(dataDir: string): Promise<void> {
  const pidText = await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8').catch(() => '');
  const pid = Number(pidText.split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
