/**
 * Testcontainers: a PostgreSQL container with PGDATA on tmpfs and durability off. Ryuk (the
 * reaper container) is unavailable on many runners, so it is disabled and this module removes
 * its container itself: on dispose, and through the cleanup registry on SIGINT/SIGTERM.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { BoundPorts, StartedTestContainer, WaitStrategy } from 'testcontainers';
import { DEFAULT_POSTGRES_IMAGE } from '../config.js';
import { infraError, maskSecrets } from '../errors.js';
import { registerCleanup } from '../lifecycle.js';
import type { Logger } from '../log.js';
import { registerSecret } from '../secrets.js';
import { AdminServer, queryServerVersion, withClient, type ServerVersion } from './admin.js';

const POSTGRES_PORT = 5432;
const PGDATA = '/var/lib/postgresql/migration-guard-data';
/** Label on every container we start: tests and `docker ps --filter label=…` find them. */
export const CONTAINER_LABEL = 'org.migration-guard';

/** "15" or "15.4" → postgres:15-alpine; anything else is an image reference as given. */
export function imageForSpec(image: string | undefined | null): string {
  const value = (image ?? '').trim();
  if (value === '') return DEFAULT_POSTGRES_IMAGE;
  if (/^\d+(\.\d+)?$/.test(value)) return `postgres:${value}-alpine`;
  return value;
}

type Testcontainers = typeof import('testcontainers');
type ContainerRuntimeClient = Awaited<ReturnType<Testcontainers['getContainerRuntimeClient']>>;

function firstLine(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return maskSecrets(message.split('\n')[0] ?? message).trim();
}

/** Pulls the image when it is not present, so a pull failure gets its own message. */
async function ensureImage(tc: Testcontainers, client: ContainerRuntimeClient, image: string, log: Logger) {
  const name = tc.ImageName.fromString(image);
  if (await client.image.exists(name)) return;
  log.info(`pulling ${image}…`);
  try {
    await client.image.pull(name);
  } catch (e) {
    throw infraError(
      `cannot pull image ${image}: ${firstLine(e)} (pull it beforehand or set postgres-image to an image this runner can get)`,
      e,
    );
  }
}

/** Loaded lazily: local and URL runs never pay for importing the Docker client. */
async function loadTestcontainers(): Promise<Testcontainers> {
  // Ryuk (Testcontainers' reaper) is a second image to pull and a container holding the Docker
  // socket; the tool removes its containers itself (on dispose and on SIGINT/SIGTERM), so the
  // PostgreSQL image is the only one a runner needs.
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  return import('testcontainers');
}

/** Why no runtime was found, in a few words (Testcontainers' own message has no detail). */
function noDockerReason(): string {
  const host = process.env.DOCKER_HOST;
  if (host) return `DOCKER_HOST=${maskSecrets(host)} is not reachable`;
  if (!existsSync('/var/run/docker.sock')) return 'no Docker socket at /var/run/docker.sock';
  return 'the Docker daemon at /var/run/docker.sock does not answer';
}

/** Fails with one actionable line (exit 3) when there is no working container runtime. */
export async function preflightContainerRuntime(tc: Testcontainers): Promise<ContainerRuntimeClient> {
  try {
    return await tc.getContainerRuntimeClient();
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const reason = /could not find a working container runtime strategy/i.test(message)
      ? noDockerReason()
      : firstLine(e);
    throw infraError(`Docker is not available: ${reason} (use database-url or a runner with Docker)`, e);
  }
}

export interface ContainerServerOptions {
  log: Logger;
  /** 'connect' (default) polls a real connection; 'testcontainers' keeps the library's waits. */
  wait?: 'connect' | 'testcontainers';
  startupTimeoutMs?: number;
}

/**
 * Ready when a real connection as our user to `postgres` succeeds: polled every 100 ms. The
 * library's default (Docker health check + listening-port probes via exec) is ~0.5 s slower
 * (bench/README.md). A TCP answer implies the final server: the images' init-time server
 * listens on a unix socket only. A container that exits (not a PostgreSQL image, bad
 * settings) fails at once with its last log lines instead of after the timeout.
 */
class ConnectWaitStrategy implements WaitStrategy {
  private timeoutMs = 60_000;
  private timeoutSet = false;
  version: ServerVersion | null = null;

  constructor(
    private readonly host: string,
    private readonly password: string,
  ) {}

  async waitUntilReady(container: DockerContainer, boundPorts: BoundPorts): Promise<void> {
    const port = boundPorts.getBinding(POSTGRES_PORT);
    const deadline = Date.now() + this.timeoutMs;
    let lastError = '';
    while (Date.now() < deadline) {
      try {
        this.version = await withClient(
          {
            host: this.host,
            port,
            user: 'postgres',
            password: this.password,
            database: 'postgres',
            connectionTimeoutMillis: 2_000,
          },
          queryServerVersion,
        );
        return;
      } catch (e) {
        lastError = e instanceof Error ? e.message : String(e);
        const state = (await container.inspect()).State;
        if (!state.Running) {
          throw new Error(
            `the container exited with code ${state.ExitCode}: ${await lastLogLines(container)} (is it a PostgreSQL image?)`,
            { cause: e },
          );
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error(`PostgreSQL in the container was not ready after ${this.timeoutMs} ms: ${lastError}`);
  }

  withStartupTimeout(ms: number): this {
    this.timeoutMs = ms;
    this.timeoutSet = true;
    return this;
  }

  isStartupTimeoutSet(): boolean {
    return this.timeoutSet;
  }

  getStartupTimeout(): number {
    return this.timeoutMs;
  }
}

/** Docker's log stream without its 8-byte frame headers (absent when the container has a TTY). */
export function demuxDockerLog(raw: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= raw.length && [0, 1, 2].includes(raw[offset]!) && raw.readUInt16BE(offset + 1) === 0) {
    const size = raw.readUInt32BE(offset + 4);
    parts.push(raw.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return offset === 0 ? raw.toString('utf8') : Buffer.concat(parts).toString('utf8');
}

/** The container's last output lines, joined on one line. */
async function lastLogLines(container: DockerContainer): Promise<string> {
  try {
    const raw: unknown = await container.logs({ stdout: true, stderr: true, follow: false, tail: 3 });
    const text = Buffer.isBuffer(raw) ? demuxDockerLog(raw) : String(raw);
    const lines = text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    return lines.join(' | ') || 'no output';
  } catch {
    return 'no output';
  }
}

type DockerContainer = Parameters<WaitStrategy['waitUntilReady']>[0];

/**
 * Removes every container of this start (by its run label) and describes one that had
 * exited. Testcontainers leaves a container behind when it exits before its ports are bound
 * (it times out after 10 s, then does not remove it) and when stopping an exited one fails.
 */
async function sweepRun(client: ContainerRuntimeClient, runId: string): Promise<string | null> {
  const docker = client.container.dockerode;
  const found = await docker.listContainers({
    all: true,
    filters: { label: [`${CONTAINER_LABEL}.run=${runId}`] },
  });
  let exited: string | null = null;
  for (const info of found) {
    const container: DockerContainer = docker.getContainer(info.Id);
    if (info.State === 'exited' && exited === null) {
      const state = (await container.inspect()).State;
      exited = `the container exited with code ${state.ExitCode}: ${await lastLogLines(container)} (is it a PostgreSQL image?)`;
    }
    await container.remove({ force: true, v: true }).catch(() => {});
  }
  return exited;
}

/**
 * Rejects as soon as this start's container has exited (checked every 250 ms until `starting`
 * settles): Testcontainers itself waits 10 s for ports that an exited container never binds.
 */
async function failWhenExited(
  client: ContainerRuntimeClient,
  runId: string,
  starting: Promise<unknown>,
): Promise<never> {
  let settled = false;
  void starting.then(
    () => (settled = true),
    () => (settled = true),
  );
  const filters = { label: [`${CONTAINER_LABEL}.run=${runId}`], status: ['exited', 'dead'] };
  while (!settled) {
    await new Promise((r) => setTimeout(r, 250));
    const exited = await client.container.dockerode.listContainers({ all: true, filters }).catch(() => []);
    if (exited.length > 0 && !settled) throw new Error('the container exited during startup');
  }
  return new Promise<never>(() => {});
}

export async function startContainerServer(
  image: string,
  options: ContainerServerOptions,
): Promise<AdminServer> {
  const { log } = options;
  const imageName = imageForSpec(image);
  let started: StartedTestContainer | null = null;
  let client: ContainerRuntimeClient | null = null;
  const runId = randomBytes(6).toString('hex');
  let stopped = false;
  let starting: Promise<StartedTestContainer> | null = null;
  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      stopped = true;
      // Interrupted while starting: wait for the container to exist, then remove it.
      if (!started && starting) started = await starting.catch(() => null);
      if (started) {
        const id = started.getId();
        await started.stop({ remove: true, removeVolumes: true, timeout: 0 });
        log.debug(`removed container ${id.slice(0, 12)}`);
      } else if (client) {
        await sweepRun(client, runId);
      }
    })());
  const unregister = registerCleanup(stop);
  try {
    const tc = await loadTestcontainers();
    client = await preflightContainerRuntime(tc);
    const host = client.info.containerRuntime.host;
    await ensureImage(tc, client, imageName, log);
    const password = randomBytes(12).toString('hex');
    registerSecret(password);
    const connectWait = new ConnectWaitStrategy(host, password);
    // The library's PostgreSqlContainer brings a Docker health check and its slower waits;
    // a GenericContainer with our connect-wait is ready ~0.5 s sooner (bench/README.md).
    const container =
      (options.wait ?? 'connect') === 'connect'
        ? new tc.GenericContainer(imageName)
            .withExposedPorts(POSTGRES_PORT)
            .withEnvironment({
              POSTGRES_USER: 'postgres',
              POSTGRES_PASSWORD: password,
              POSTGRES_DB: 'postgres',
            })
            .withWaitStrategy(connectWait)
        : new (await import('@testcontainers/postgresql')).PostgreSqlContainer(imageName)
            .withUsername('postgres')
            .withPassword(password)
            .withDatabase('postgres');
    container
      .withEnvironment({ PGDATA })
      .withTmpFs({ [PGDATA]: 'rw' })
      // Args only (no leading "postgres"): official images prepend it, others pass them on.
      .withCommand(['-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'synchronous_commit=off'])
      .withLabels({
        [CONTAINER_LABEL]: 'true',
        [`${CONTAINER_LABEL}.pid`]: String(process.pid),
        [`${CONTAINER_LABEL}.run`]: runId,
      })
      .withStartupTimeout(options.startupTimeoutMs ?? 60_000);
    const t0 = performance.now();
    starting = container.start();
    starting.catch(() => {});
    try {
      started = await Promise.race([starting, failWhenExited(client, runId, starting)]);
    } catch (e) {
      const exited = await sweepRun(client, runId).catch(() => null);
      throw infraError(`PostgreSQL container ${imageName} failed to start: ${exited ?? firstLine(e)}`, e);
    }
    if (stopped) throw infraError('PostgreSQL container start was interrupted');
    const port = started.getMappedPort(POSTGRES_PORT);
    const where = `PostgreSQL container ${imageName} (${started.getId().slice(0, 12)}) on ${host}:${port}`;
    const admin = { host, port, user: 'postgres', password, database: 'postgres' };
    const version = connectWait.version ?? (await withClient(admin, queryServerVersion));
    log.debug(`${where} ready in ${Math.round(performance.now() - t0)} ms`);
    return new AdminServer({
      provider: 'container',
      ...version,
      admin,
      urlFor: (db, login) =>
        `postgresql://${login?.user ?? 'postgres'}:${login?.password ?? password}@${host}:${port}/${db}`,
      ownsServer: true,
      stop: async () => {
        unregister();
        await stop();
      },
      log,
      where,
    });
  } catch (e) {
    unregister();
    await stop().catch(() => {});
    throw e;
  }
}
