import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireDatabase, startServer } from '../../../src/database/index.js';
import { CONTAINER_LABEL } from '../../../src/database/container.js';
import { silentLogger } from '../../../src/log.js';
import { firstLine, spawnDatabaseChild, waitForExit } from '../../helpers/database-child-process.js';
import { eventually, query, userObjectCount } from './pg-helpers.js';

const image = process.env.MIGRATION_GUARD_TEST_IMAGE ?? 'migration-guard-test/postgres:15';

/** Null when a Docker daemon answers, else why not. */
function dockerAbsentReason(): string | null {
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'pipe', timeout: 20_000 });
    return null;
  } catch (e) {
    return (e as Error).message.split('\n')[0] ?? 'docker info failed';
  }
}

const absent = dockerAbsentReason();
// In CI the Testcontainers path must run: a missing daemon there fails the tests instead.
const skip = absent !== null && !process.env.CI;
if (skip) console.log(`skipping Testcontainers tests: Docker is not available here (${absent})`);

/** Our containers, running or not (`docker ps -a` by label). */
function containersWith(label: string): string[] {
  return execFileSync('docker', ['ps', '-aq', '--filter', `label=${label}`], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
}

describe.skipIf(skip)(`Testcontainers provider (${image})`, () => {
  it('gives a fresh database in a container and removes the container on dispose', async () => {
    const t0 = performance.now();
    const db = await acquireDatabase({ kind: 'container', image }, { log: silentLogger });
    const ready = performance.now() - t0;
    const ours = containersWith(`${CONTAINER_LABEL}.pid=${process.pid}`);
    expect(ours).toHaveLength(1);
    // data_directory is readable by superusers only: the migration role behind db.url is not one.
    const [row] = await query<{ version: string; db: string; fsync: string; dir: string }>(
      db.adminUrl,
      "select version(), current_database() as db, current_setting('fsync') as fsync, current_setting('data_directory') as dir",
    );
    expect(row!.version).toMatch(/^PostgreSQL \d+/);
    expect(row!.db).toBe(db.name);
    expect(row!.fsync).toBe('off');
    expect(db.provider).toBe('container');
    expect(db.serverVersionNum).toBeGreaterThanOrEqual(130000);
    expect(await userObjectCount(db.url)).toBe(0);
    // PGDATA lives on a tmpfs.
    const mounts = execFileSync('docker', ['exec', ours[0]!, 'cat', '/proc/mounts'], { encoding: 'utf8' });
    expect(mounts).toMatch(new RegExp(`^tmpfs ${row!.dir} tmpfs`, 'm'));
    expect(db.maskedUrl).toContain(':***@');
    expect(db.maskedUrl).not.toContain(new URL(db.url).password);
    await db.dispose();
    await db.dispose();
    expect(containersWith(`${CONTAINER_LABEL}.pid=${process.pid}`)).toEqual([]);
    // Generous for a loaded CI machine; bench/ records the real numbers.
    expect(ready).toBeLessThan(30_000);
  });

  it('serves several databases from one container', async () => {
    const server = await startServer({ kind: 'container', image }, { log: silentLogger });
    try {
      const a = await server.createDatabase();
      const b = await server.createDatabase();
      await query(a.url, 'create table t (id int)');
      expect(await userObjectCount(a.url)).toBe(1);
      expect(await userObjectCount(b.url)).toBe(0);
    } finally {
      await server.dispose();
    }
    expect(containersWith(`${CONTAINER_LABEL}.pid=${process.pid}`)).toEqual([]);
  });

  it('an image that cannot be pulled is one exit-3 line', async () => {
    const error = await startServer(
      { kind: 'container', image: 'migration-guard-test/does-not-exist:1' },
      { log: silentLogger },
    ).then(
      () => null,
      (e: Error & { exitCode?: number }) => e,
    );
    expect(error?.exitCode).toBe(3);
    expect(error?.message).toMatch(
      /^cannot pull image migration-guard-test\/does-not-exist:1: .+ \(pull it beforehand or set postgres-image to an image this runner can get\)$/,
    );
    expect(error?.message).not.toContain('\n');
  });

  it('an image whose container exits fails at once with its output, not after the timeout', async () => {
    // An image that is not PostgreSQL: ours with an entrypoint that prints and exits.
    const tag = `migration-guard-test/exits:${process.pid}`;
    const created = execFileSync('docker', ['create', image], { encoding: 'utf8' }).trim();
    try {
      execFileSync(
        'docker',
        ['commit', '--change', 'ENTRYPOINT ["sh", "-c", "echo not a database; exit 7"]', created, tag],
        {
          stdio: 'pipe',
        },
      );
    } finally {
      execFileSync('docker', ['rm', created], { stdio: 'pipe' });
    }
    try {
      const t0 = Date.now();
      const error = await startServer({ kind: 'container', image: tag }, { log: silentLogger }).then(
        () => null,
        (e: Error & { exitCode?: number }) => e,
      );
      expect(error?.exitCode).toBe(3);
      expect(error?.message).toBe(
        `PostgreSQL container ${tag} failed to start: the container exited with code 7: not a database (is it a PostgreSQL image?)`,
      );
      expect(Date.now() - t0).toBeLessThan(8_000);
      expect(containersWith(`${CONTAINER_LABEL}.pid=${process.pid}`)).toEqual([]);
    } finally {
      execFileSync('docker', ['rmi', tag], { stdio: 'pipe' });
    }
  });

  it('removes the container when the process gets SIGTERM', async () => {
    const child = spawnDatabaseChild('hold', { kind: 'container', image });
    const exited = waitForExit(child);
    const info = JSON.parse(await firstLine(child, 90_000)) as { url: string; pid: number };
    expect(containersWith(`${CONTAINER_LABEL}.pid=${info.pid}`)).toHaveLength(1);
    expect(await userObjectCount(info.url)).toBe(0);
    child.kill('SIGTERM');
    expect((await exited).code).toBe(143);
    await eventually(() => containersWith(`${CONTAINER_LABEL}.pid=${info.pid}`).length === 0);
  });

  it('removes the container when SIGTERM arrives while it is still starting', async () => {
    const child = spawnDatabaseChild('hold', { kind: 'container', image });
    const exited = waitForExit(child);
    const label = `${CONTAINER_LABEL}.pid=${child.pid}`;
    await eventually(() => containersWith(label).length === 1, 30_000);
    child.kill('SIGTERM');
    const result = await exited;
    expect(result.code).toBe(143);
    expect(result.stdout).toBe('');
    await eventually(() => containersWith(label).length === 0);
  });

  // Hide the binaries (pg_config and PATH both lead to /usr/lib/postgresql/<n>/bin).
  const hideBinaries = [
    'unshare',
    '-m',
    'sh',
    '-c',
    'mount -t tmpfs tmpfs /usr/lib/postgresql && exec "$@"',
    'sh',
  ];

  it.skipIf(process.getuid?.() !== 0)(
    'auto uses a build of the default major when no PostgreSQL binaries are found',
    async () => {
      const result = await waitForExit(
        spawnDatabaseChild('start', { kind: 'auto', image }, { wrap: hideBinaries }),
      );
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toBe('local\n');
    },
    180_000,
  );

  it.skipIf(process.getuid?.() !== 0)(
    'auto uses a container when neither binaries nor a build can be had (offline, empty caches)',
    async () => {
      const empty = mkdtempSync(path.join(tmpdir(), 'mg-no-build-'));
      try {
        const env = {
          ...process.env,
          MIGRATION_GUARD_CACHE_DIR: path.join(empty, 'builds'),
          npm_config_cache: path.join(empty, 'npm'),
          npm_config_offline: 'true',
        };
        const result = await waitForExit(
          spawnDatabaseChild('start', { kind: 'auto', image }, { wrap: hideBinaries, env }),
        );
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        expect(result.stdout).toBe('container\n');
      } finally {
        rmSync(empty, { recursive: true, force: true });
      }
    },
    180_000,
  );

  it.skipIf(process.getuid?.() !== 0)('no Docker: one line "Docker is not available", exit 3', async () => {
    // Hide the daemon's socket in a private mount namespace (/var/run → /run); a dead
    // DOCKER_HOST would not do: Testcontainers falls back to /var/run/docker.sock.
    const env = { ...process.env };
    delete env.DOCKER_HOST;
    const child = spawnDatabaseChild(
      'start',
      { kind: 'container', image },
      { wrap: ['unshare', '-m', 'sh', '-c', 'mount -t tmpfs tmpfs /run && exec "$@"', 'sh'], env },
    );
    const result = await waitForExit(child);
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(
      'Docker is not available: no Docker socket at /var/run/docker.sock (use database-url or a runner with Docker)\n',
    );
  });
});
