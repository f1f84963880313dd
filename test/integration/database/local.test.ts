import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireDatabase, startServer } from '../../../src/database/index.js';
import { findPostgresBinaries } from '../../../src/database/local.js';
import { pendingCleanups } from '../../../src/lifecycle.js';
import { silentLogger } from '../../../src/log.js';
import {
  firstLine,
  spawnDatabaseChild,
  stderrMatch,
  waitForExit,
} from '../../helpers/database-child-process.js';
import { eventually, gone, query, recordingLogger, userObjectCount } from './pg-helpers.js';

describe('local PostgreSQL provider', () => {
  it('finds the real PostgreSQL 15 bin dir', async () => {
    const bins = await findPostgresBinaries();
    expect(bins).not.toBeNull();
    expect(bins!.major).toBe(15);
    expect(path.basename(path.dirname(bins!.bindir))).toBe('15');
  });

  it('auto picks the local server when PostgreSQL binaries are found', async () => {
    const db = await acquireDatabase({ kind: 'auto', image: 'postgres:16-alpine' }, { log: silentLogger });
    try {
      expect(db.provider).toBe('local');
      expect(await userObjectCount(db.url)).toBe(0);
    } finally {
      await db.dispose();
    }
  });

  it('gives a fresh database, reports its version and leaves nothing behind', async () => {
    const log = recordingLogger();
    const db = await acquireDatabase({ kind: 'local' }, { log });
    const [row] = await query<{ version: string; db: string; dir: string }>(
      db.adminUrl,
      "select version(), current_database() as db, current_setting('data_directory') as dir",
    );
    expect(row!.version).toMatch(/^PostgreSQL 15\./);
    expect(row!.db).toBe(db.name);
    expect(db.name).toMatch(/^migration_guard_[0-9a-f]{12}$/);
    expect(db.provider).toBe('local');
    expect(db.serverVersion).toMatch(/^15\.\d+$/);
    expect(db.serverVersionNum).toBeGreaterThanOrEqual(150000);
    expect(db.serverVersionNum).toBeLessThan(160000);
    expect(await userObjectCount(db.url)).toBe(0);
    // The URL carries a real password (host connections use scram-sha-256), of the fresh
    // login role named like the database.
    const password = new URL(db.url).password;
    expect(password).toMatch(/^[0-9a-f]{36}$/);
    expect(new URL(db.url).username).toBe(db.name);
    expect(db.role).toBe(db.name);
    expect(new URL(db.adminUrl).username).toBe('postgres');
    expect(db.maskedUrl).toBe(db.url.replace(password, '***'));
    await expect(query(db.url.replace(password, 'wrong'), 'select 1')).rejects.toThrow(
      /password authentication failed/,
    );
    if (process.getuid?.() === 0) expect(log.lines.join('\n')).toMatch(/runuser/);

    const tempDir = path.dirname(row!.dir);
    expect(gone(tempDir)).toBe(false);
    await db.dispose();
    await db.dispose(); // idempotent
    expect(gone(tempDir)).toBe(true);
    await expect(query(db.url, 'select 1')).rejects.toThrow();
    expect(pendingCleanups()).toBe(0);
  });

  it('creates several independent databases on one server and drops each on dispose', async () => {
    const server = await startServer({ kind: 'local' }, { log: silentLogger });
    try {
      const a = await server.createDatabase();
      const b = await server.createDatabase();
      expect(a.name).not.toBe(b.name);
      await query(a.url, 'create table t (id int)');
      expect(await userObjectCount(b.url)).toBe(0);
      await a.dispose();
      const names = await query<{ datname: string }>(
        b.url,
        "select datname from pg_database where datname like 'migration_guard_%'",
      );
      expect(names.map((r) => r.datname)).toEqual([b.name]);
    } finally {
      await server.dispose();
    }
  });

  it('uses another port when the first one is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as net.AddressInfo).port;
    const log = recordingLogger();
    const { startLocalServer } = await import('../../../src/database/local.js');
    const server = await startLocalServer({ log, firstPort: taken });
    try {
      const db = await server.createDatabase();
      const port = Number(new URL(db.url).port);
      expect(port).not.toBe(taken);
      expect(log.lines.join('\n')).toContain(`port ${taken} was taken`);
      const [row] = await query<{ one: number }>(db.url, 'select 1 as one');
      expect(row!.one).toBe(1);
    } finally {
      await server.dispose();
      blocker.close();
    }
  });

  it('starts from a plain initdb too (no template) within the time goal', async () => {
    const { startLocalServer } = await import('../../../src/database/local.js');
    const t0 = performance.now();
    const server = await startLocalServer({ log: silentLogger, noTemplate: true });
    const elapsed = performance.now() - t0;
    try {
      const db = await server.createDatabase();
      expect(await userObjectCount(db.url)).toBe(0);
    } finally {
      await server.dispose();
    }
    // Generous bound for a loaded 2-core CI machine; bench/ records the real numbers.
    expect(elapsed).toBeLessThan(5_000);
  });

  it('removes the cluster and its temp dir when the process gets SIGTERM', async () => {
    const child = spawnDatabaseChild('hold', { kind: 'local' });
    const exited = waitForExit(child);
    const info = JSON.parse(await firstLine(child)) as { url: string; adminUrl: string };
    const [row] = await query<{ dir: string }>(
      info.adminUrl,
      "select current_setting('data_directory') as dir",
    );
    const tempDir = path.dirname(row!.dir);
    expect(gone(tempDir)).toBe(false);
    child.kill('SIGTERM');
    const result = await exited;
    expect(result.code).toBe(143);
    await eventually(() => gone(tempDir));
    await expect(query(info.url, 'select 1')).rejects.toThrow();
  });

  it('cleans up when SIGTERM arrives while the server is still starting', async () => {
    const child = spawnDatabaseChild('hold', { kind: 'local' });
    const exited = waitForExit(child);
    const [, dir] = await stderrMatch(child, /local PostgreSQL directory (\S+)\n/);
    child.kill('SIGTERM');
    const result = await exited;
    expect(result.code).toBe(143);
    // Killed before it printed its database: the start was really interrupted.
    expect(result.stdout).toBe('');
    await eventually(() => gone(dir!));
  });
});
