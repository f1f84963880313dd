import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireDatabase, startServer } from '../../../src/database/index.js';
import type { DatabaseServer } from '../../../src/database/index.js';
import { freePort } from '../../../src/database/local.js';
import { startUrlServer } from '../../../src/database/url.js';
import { isMigrationGuardError } from '../../../src/errors.js';
import { pendingCleanups } from '../../../src/lifecycle.js';
import { silentLogger } from '../../../src/log.js';
import { firstLine, spawnDatabaseChild, waitForExit } from '../../helpers/database-child-process.js';
import { eventually, query, recordingLogger, userObjectCount } from './pg-helpers.js';

// A real server to point --database-url at: our local provider, with one database that plays
// the user's "postgres" database named in the URL.
let server: DatabaseServer;
let serverUrl: string;

beforeAll(async () => {
  server = await startServer({ kind: 'local' }, { log: silentLogger });
  serverUrl = (await server.createDatabase()).adminUrl;
  await query(serverUrl, 'create table users_data (id int)');
});
afterAll(async () => {
  await server?.dispose();
});

async function guardDatabases(): Promise<string[]> {
  const rows = await query<{ datname: string }>(
    serverUrl,
    "select datname from pg_database where datname like 'migration_guard_%'",
  );
  return rows.map((r) => r.datname).filter((n) => n !== new URL(serverUrl).pathname.slice(1));
}

async function errorOf(promise: Promise<unknown>): Promise<Error & { exitCode?: number }> {
  try {
    await promise;
  } catch (e) {
    return e as Error & { exitCode?: number };
  }
  throw new Error('expected a rejection');
}

describe('URL provider', () => {
  it('creates a fresh database on the server, never touching the URL database, and drops it', async () => {
    const cleanupsBefore = pendingCleanups();
    const db = await acquireDatabase({ kind: 'url', url: serverUrl }, { log: silentLogger });
    expect(db.provider).toBe('url');
    const [row] = await query<{ version: string; db: string }>(
      db.url,
      'select version(), current_database() as db',
    );
    expect(row!.version).toMatch(/^PostgreSQL 15\./);
    expect(row!.db).toBe(db.name);
    expect(db.serverVersionNum).toBe(server.serverVersionNum);
    expect(await userObjectCount(db.url)).toBe(0);
    expect(await guardDatabases()).toEqual([db.name]);
    // A connection left open must not stop the drop (WITH (FORCE) on PG ≥ 13).
    const pg = await import('pg');
    const lingering = new pg.default.Client({ connectionString: db.url });
    lingering.on('error', () => {});
    await lingering.connect();
    await db.dispose();
    await db.dispose();
    expect(await guardDatabases()).toEqual([]);
    await lingering.end().catch(() => {});
    // The URL's own database is untouched.
    const tables = await query<{ t: string }>(
      serverUrl,
      "select tablename as t from pg_tables where schemaname = 'public'",
    );
    expect(tables.map((r) => r.t)).toEqual(['users_data']);
    expect(pendingCleanups()).toBe(cleanupsBefore);
  });

  it('server dispose drops every database it created', async () => {
    const urlServer = await startServer({ kind: 'url', url: serverUrl }, { log: silentLogger });
    const a = await urlServer.createDatabase();
    const b = await urlServer.createDatabase();
    expect((await guardDatabases()).sort()).toEqual([a.name, b.name].sort());
    await urlServer.dispose();
    expect(await guardDatabases()).toEqual([]);
  });

  it('wrong password: exit 3 and the password appears nowhere', async () => {
    const url = new URL(serverUrl);
    const secret = 'S3cret-Pa55word';
    url.password = secret;
    const started = Date.now();
    const error = await errorOf(startServer({ kind: 'url', url: url.href }, { log: silentLogger }));
    expect(isMigrationGuardError(error)).toBe(true);
    expect(error.exitCode).toBe(3);
    expect(error.message).toMatch(
      /^cannot connect to PostgreSQL at 127\.0\.0\.1:\d+: password authentication failed/,
    );
    expect(error.message).not.toContain('\n');
    expect(JSON.stringify({ m: error.message, s: error.stack, c: String(error.cause) })).not.toContain(
      secret,
    );
    // Authentication failures are not retried.
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('a user without CREATEDB and CREATEROLE: exit 3 naming both and how to grant them', async () => {
    await query(serverUrl, "create role app_no_createdb login password 'app-pw-123'");
    // The server is one we started: it lets no one but superusers into `postgres` by default.
    await query(serverUrl, 'grant connect on database postgres to app_no_createdb');
    const url = new URL(serverUrl);
    url.username = 'app_no_createdb';
    url.password = 'app-pw-123';
    url.pathname = '/postgres';
    const urlServer = await startServer({ kind: 'url', url: url.href }, { log: silentLogger });
    try {
      const error = await errorOf(urlServer.createDatabase());
      expect(error.exitCode).toBe(3);
      expect(error.message).toMatch(
        /^cannot create a database on PostgreSQL at 127\.0\.0\.1:\d+: the database-url user "app_no_createdb" lacks CREATEDB and CREATEROLE: it needs CREATEDB and CREATEROLE, or superuser, .* \(ALTER ROLE "app_no_createdb" CREATEDB CREATEROLE\)$/,
      );
      expect(error.message).not.toContain('app-pw-123');
      // The superuser mode needs CREATEDB only, and says so.
      const superuserMode = await errorOf(urlServer.createDatabase({ migrationRole: 'superuser' }));
      expect(superuserMode.message).toMatch(/lacks CREATEDB: it needs CREATEDB, or superuser/);
    } finally {
      await urlServer.dispose();
    }
  });

  it('a user with CREATEDB and CREATEROLE (no superuser) creates and drops the role and its database', async () => {
    await query(serverUrl, "create role app_admin login createdb createrole password 'app-admin-pw'");
    await query(serverUrl, 'grant connect on database postgres to app_admin');
    const url = new URL(serverUrl);
    url.username = 'app_admin';
    url.password = 'app-admin-pw';
    url.pathname = '';
    const db = await acquireDatabase({ kind: 'url', url: url.href }, { log: silentLogger });
    let dropped = false;
    try {
      expect(db.role).toBe(db.name);
      const [row] = await query<{ u: string; owner: string; s: boolean }>(
        db.url,
        `select current_user as u, pg_get_userbyid(d.datdba) as owner, r.rolsuper as s
           from pg_database d, pg_roles r where d.datname = current_database() and r.rolname = current_user`,
      );
      expect(row).toEqual({ u: db.name, owner: db.name, s: false });
      await query(db.url, 'create table t (id int)');
      await db.dispose();
      dropped = true;
      expect(await guardDatabases()).toEqual([]);
      const roles = await query(serverUrl, 'select 1 from pg_roles where rolname = $1', [db.name]);
      expect(roles).toEqual([]);
    } finally {
      if (!dropped) await db.dispose();
    }
  });

  it('a URL without a database name uses the maintenance database postgres, then template1', async () => {
    const url = new URL(serverUrl);
    url.pathname = '';
    const log = recordingLogger();
    const db = await acquireDatabase({ kind: 'url', url: url.href }, { log });
    await db.dispose();
    expect(log.lines.join('\n')).not.toMatch(/trying template1/);
    // A server without a `postgres` database: template1 (createdb's fallback).
    await query(serverUrl, 'alter database postgres rename to postgres_elsewhere');
    try {
      const log2 = recordingLogger();
      const db2 = await acquireDatabase({ kind: 'url', url: url.href }, { log: log2 });
      expect(await userObjectCount(db2.url)).toBe(0);
      await db2.dispose();
      expect(log2.lines.join('\n')).toMatch(/has no database postgres, trying template1/);
      expect(await guardDatabases()).toEqual([]);
    } finally {
      await query(serverUrl, 'alter database postgres_elsewhere rename to postgres');
    }
  });

  it('unreachable server: retries briefly, then exit 3 naming host:port', async () => {
    const port = await freePort();
    const started = Date.now();
    const error = await errorOf(
      startUrlServer(`postgresql://u:hunter2@127.0.0.1:${port}/postgres`, {
        log: silentLogger,
        firstDelayMs: 50,
      }),
    );
    expect(error.exitCode).toBe(3);
    expect(error.message).toBe(
      `cannot connect to PostgreSQL at 127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port} (check database-url)`,
    );
    expect(error.message).not.toContain('hunter2');
    expect(Date.now() - started).toBeGreaterThanOrEqual(50 + 100 + 200 + 400);
  });

  it('a failing start surfaces only where it is awaited (no unhandled rejection)', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const port = await freePort();
      const pending = startServer(
        { kind: 'url', url: `postgresql://u:p@127.0.0.1:${port}/x` },
        { log: silentLogger },
      );
      const pendingDb = acquireDatabase(
        { kind: 'url', url: 'postgresql://u:p@127.0.0.1:1/x' },
        { log: silentLogger },
      );
      const noneSpec = startServer({ kind: 'none' }, { log: silentLogger });
      // Let every attempt fail while nobody awaits (the pipeline runs static analysis here).
      await new Promise((r) => setTimeout(r, 4_000));
      expect(unhandled).toEqual([]);
      expect((await errorOf(pending)).exitCode).toBe(3);
      expect((await errorOf(pendingDb)).exitCode).toBe(3);
      expect((await errorOf(noneSpec)).exitCode).toBe(2);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('starting does not block the event loop', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const pending = startServer({ kind: 'local' }, { log: silentLogger });
    const s = await pending;
    clearInterval(timer);
    await s.dispose();
    // ~1 s of startup would give ~100 ticks if the loop were free; a blocking start gives ~0.
    expect(ticks).toBeGreaterThan(10);
  });

  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('drops its database when the process gets %s (exit %i)', async (signal, exitCode) => {
    const child = spawnDatabaseChild('hold', { kind: 'url', url: serverUrl });
    const exited = waitForExit(child);
    const info = JSON.parse(await firstLine(child)) as { name: string };
    expect(await guardDatabases()).toEqual([info.name]);
    child.kill(signal);
    expect((await exited).code).toBe(exitCode);
    await eventually(async () => (await guardDatabases()).length === 0);
  });
});
