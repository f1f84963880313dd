/**
 * The data directory of a fresh cluster. initdb is the slow part of starting a local server
 * (0.34 s on tmpfs, 0.8–1.2 s on disk), so the first run keeps a copy of a pristine initdb
 * result next to the clusters, keyed by binaries, version and owner, and later runs copy it
 * (0.04 s on tmpfs).
 *
 * Safety: the template holds no password (one is set after start). It is never reachable from
 * a cluster the migrations run on: it belongs to this process's user (root when clusters run as
 * `postgres`, so a server process cannot write it), its files and directories are read-only,
 * and a SHA-256 over every path and file taken when it was saved is checked on each copy
 * before the copy is used; a mismatch discards the template and runs initdb. It is only used
 * when it is a real directory of that owner with mode 0700 (no access for anyone else), so
 * another local user cannot plant configuration in it.
 */
import { createHash } from 'node:crypto';
import { chmod, lstat, mkdtemp, readdir, readFile, readlink, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PostgresBinaries } from './types.js';

type RunAsFn = (file: string, args: string[]) => Promise<unknown>;

export interface PrepareDataDirOptions {
  bins: PostgresBinaries;
  /** Must not exist yet; its parent is owned by the cluster's user. */
  dataDir: string;
  /** Runs a program as the cluster's user. */
  runAs: RunAsFn;
  /** uid/gid owning the cluster (-1 = this process's user). */
  uid: number;
  gid: number;
  /** Directory the clusters live in; the template is kept there too (same filesystem). */
  baseDir: string;
  noTemplate?: boolean;
}

const CHECKSUM_FILE = 'sha256';

/** This process's uid: the template's owner. */
function selfUid(): number {
  return process.getuid?.() ?? -1;
}

export function templateDir(baseDir: string, bins: PostgresBinaries, uid: number): string {
  const key = createHash('sha256')
    .update(`${bins.bindir}\0${bins.version}\0${uid}\0${selfUid()}`)
    .digest('hex')
    .slice(0, 12);
  return path.join(baseDir, `migration-guard-initdb-${bins.major}-${key}`);
}

async function isTrustedDir(dir: string, uid: number): Promise<boolean> {
  try {
    const st = await lstat(dir);
    return st.isDirectory() && st.uid === uid && (st.mode & 0o077) === 0;
  } catch {
    return false;
  }
}

/** The checksum recorded when the template was saved, or null when it is not usable. */
async function templateChecksum(dir: string): Promise<string | null> {
  const owner = selfUid();
  if (!(await isTrustedDir(dir, owner))) return null;
  if (!(await isTrustedDir(path.join(dir, 'data'), owner))) return null;
  try {
    const file = path.join(dir, CHECKSUM_FILE);
    const st = await lstat(file);
    if (!st.isFile() || st.uid !== owner) return null;
    const sum = (await readFile(file, 'utf8')).trim();
    return /^[0-9a-f]{64}$/.test(sum) ? sum : null;
  } catch {
    return null;
  }
}

/** SHA-256 over every entry of `dir` (sorted relative paths, kinds, file contents, link targets). */
export async function directoryChecksum(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (rel: string): Promise<void> => {
    const entries = (await readdir(path.join(dir, rel), { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const entry of entries) {
      const child = path.join(rel, entry.name);
      const abs = path.join(dir, child);
      if (entry.isDirectory()) {
        hash.update(`d\0${child}\0`);
        await walk(child);
      } else if (entry.isSymbolicLink()) {
        hash.update(`l\0${child}\0${await readlink(abs)}\0`);
      } else if (entry.isFile()) {
        const content = await readFile(abs);
        hash.update(`f\0${child}\0${content.length}\0`);
        hash.update(content);
      } else {
        hash.update(`o\0${child}\0`);
      }
    }
  };
  await walk('');
  return hash.digest('hex');
}

/** Removes a directory tree made read-only. */
async function removeReadOnly(dir: string, run: RunAsFn): Promise<void> {
  await run('chmod', ['-R', 'u+w', dir]).catch(() => {});
  await rm(dir, { recursive: true, force: true });
}

export async function initdb(bins: PostgresBinaries, dataDir: string, runAs: RunAsFn): Promise<void> {
  await runAs(path.join(bins.bindir, 'initdb'), [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
  ]);
}

export interface PrepareDataDirResult {
  how: 'template' | 'initdb';
  /** Why the template was not used although one existed (checksum mismatch, copy failed). */
  templateRejected?: string;
}

/**
 * Fills `dataDir` from the template when possible, else by initdb (and saves a template).
 * `runSelf` runs a program as this process's user (cp, chmod, chown of the template).
 */
export async function prepareDataDir(
  options: PrepareDataDirOptions & { runSelf: RunAsFn },
): Promise<PrepareDataDirResult> {
  const { bins, dataDir, runAs, runSelf } = options;
  const clusterUid = options.uid >= 0 ? options.uid : selfUid();
  const template = templateDir(options.baseDir, bins, clusterUid);
  let templateRejected: string | undefined;
  const expected = options.noTemplate ? null : await templateChecksum(template);
  if (expected !== null) {
    try {
      // Copied by this process's user without ownership: writable for the cluster, then
      // checked, so what the cluster starts from is exactly what was saved.
      await runSelf('cp', ['-R', '--preserve=mode,timestamps', path.join(template, 'data'), dataDir]);
      await runSelf('chmod', ['-R', 'u+w', dataDir]);
      const actual = await directoryChecksum(dataDir);
      if (actual === expected) {
        if (options.uid >= 0) await runSelf('chown', ['-R', `${options.uid}:${options.gid}`, dataDir]);
        return { how: 'template' };
      }
      templateRejected = 'its checksum does not match: discarded';
      await removeReadOnly(template, runSelf);
    } catch (e) {
      templateRejected = `copying it failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
    }
    await rm(dataDir, { recursive: true, force: true });
  }
  await initdb(bins, dataDir, runAs);
  if (!options.noTemplate) await saveTemplate(options, template, runSelf).catch(() => {});
  return templateRejected ? { how: 'initdb', templateRejected } : { how: 'initdb' };
}

async function saveTemplate(
  options: PrepareDataDirOptions,
  template: string,
  runSelf: RunAsFn,
): Promise<void> {
  const staging = await mkdtemp(`${template}.tmp-`);
  try {
    const data = path.join(staging, 'data');
    await runSelf('cp', ['-R', '--preserve=mode,timestamps', options.dataDir, data]);
    const sum = await directoryChecksum(data);
    await writeFile(path.join(staging, CHECKSUM_FILE), `${sum}\n`, { mode: 0o400 });
    // Read-only for everyone, the owner included: no server process of the owner's user
    // can open a file of it for writing.
    await runSelf('chmod', ['-R', 'a-w', data]);
    await chmod(staging, 0o700);
    await removeReadOnly(template, runSelf);
    await rename(staging, template);
  } catch (e) {
    await removeReadOnly(staging, runSelf);
    throw e;
  }
}
