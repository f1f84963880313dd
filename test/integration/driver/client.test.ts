/**
 * DriverClient against real Pythons: startup errors, the protocol surviving user output,
 * per-step timeouts that kill the process, the URL scheme kept from the project.
 */
import { mkdtempSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DriverClient, DriverCrashError, defaultDriverPath } from '../../../src/driver/client.js';
import { MigrationGuardError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/log.js';
import { startTestServer, type TestServer } from '../../helpers/postgres.js';
import {
  configPath,
  driverPath,
  freshDatabase,
  projectDir,
  projectsDir,
  testPythons,
} from '../roundtrip/fixtures.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.dispose();
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('DriverClient startup', () => {
  it('finds driver.py from sources', () => {
    expect(defaultDriverPath()).toBe(driverPath);
  });

  it('a Python without alembic is an infrastructure error (exit 3) that says what to do', async () => {
    // the pyenv python3 on PATH has no alembic; `-S` makes any interpreter skip site-packages
    const error = await DriverClient.start({
      python: ['/usr/bin/python3', '-S'],
      driverPath,
      cwd: projectDir('linear'),
      log: silentLogger,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationGuardError);
    expect((error as MigrationGuardError).exitCode).toBe(3);
    expect((error as Error).message).toBe(
      "/usr/bin/python3 -S cannot import alembic: install your project's requirements or pass --python",
    );
  });

  it('a Python that does not exist is an infrastructure error', async () => {
    const error = await DriverClient.start({
      python: ['/nonexistent/python3'],
      driverPath,
      cwd: projectDir('linear'),
      log: silentLogger,
    }).catch((e: unknown) => e);
    expect((error as MigrationGuardError).exitCode).toBe(3);
    expect((error as Error).message).toMatch(/^cannot run \/nonexistent\/python3 .*pass --python/);
  });
});

describe.each(testPythons())('DriverClient with $name', ({ argv }) => {
  it('loads, keeps the project driver scheme, answers current/heads, shuts down', async () => {
    // a copy of the linear project whose configured URL names psycopg2 explicitly
    const dir = mkdtempSync(path.join(tmpdir(), 'mg-driver-'));
    try {
      cpSync(path.join(projectsDir, 'linear'), dir, { recursive: true });
      const ini = path.join(dir, 'alembic.ini');
      writeFileSync(
        ini,
        (await import('node:fs'))
          .readFileSync(ini, 'utf8')
          .replace(/^sqlalchemy.url = .*$/m, 'sqlalchemy.url = postgresql+psycopg2://u:p@db/app'),
      );
      const url = await freshDatabase(server.url);
      const client = await DriverClient.start({ python: argv, driverPath, cwd: dir, log: silentLogger });
      const loaded = await client.load({ configPath: ini, databaseUrl: url });
      expect(loaded.url_scheme).toBe('postgresql+psycopg2');
      expect(loaded.heads).toEqual(['a1000003']);
      expect(loaded.revisions.map((r) => [r.id, r.downRevisions])).toEqual([
        ['a1000001', []],
        ['a1000002', ['a1000001']],
        ['a1000003', ['a1000002']],
      ]);
      expect(await client.current()).toEqual([]);
      const up = await client.upgrade('a1000002');
      expect(up.ok).toBe(true);
      expect(await client.current()).toEqual(['a1000002']);
      expect(await client.heads()).toEqual(['a1000003']);
      const stamped = await client.stamp('a1000003');
      expect(stamped.ok).toBe(true);
      expect(await client.current()).toEqual(['a1000003']);
      await client.shutdown();
      expect(client.alive).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a step timeout kills the driver process group and names the running statement', async () => {
    const url = await freshDatabase(server.url);
    const client = await DriverClient.start({
      python: argv,
      driverPath,
      cwd: projectDir('hung'),
      log: silentLogger,
      stepTimeoutMs: 2000,
    });
    await client.load({ configPath: configPath('hung'), databaseUrl: url, statementTimeoutMs: 0 });
    const error = await client.upgrade('heads').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DriverCrashError);
    expect((error as DriverCrashError).timedOut).toBe(true);
    expect((error as DriverCrashError).lastStatement?.sql).toBe('SELECT pg_sleep(60)');
    expect((error as Error).message).toMatch(
      /^upgrade did not finish within 2000 ms while running SELECT pg_sleep\(60\) \(revision l0000002 line \d+\); the driver was killed/,
    );
    await client.waitExit();
    expect(client.alive).toBe(false);
    expect(isAlive(client.pid)).toBe(false);
    // a request after the crash fails at once
    await expect(client.current()).rejects.toBeInstanceOf(DriverCrashError);
  });

  it('a load error (missing config) is reported, the driver stays usable', async () => {
    const client = await DriverClient.start({
      python: argv,
      driverPath,
      cwd: projectDir('linear'),
      log: silentLogger,
    });
    try {
      const error = await client
        .load({
          configPath: path.join(projectDir('linear'), 'missing', 'alembic.ini'),
          databaseUrl: server.url,
        })
        .catch((e: unknown) => e);
      expect((error as Error).name).toBe('DriverRequestError');
      await expect(client.request('ping')).resolves.toHaveProperty('pid');
    } finally {
      await client.shutdown();
    }
  });
});
