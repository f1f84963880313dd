/**
 * The data directory of a fresh cluster. initdb is the slow part of starting a local server
 * (0.34 s on tmpfs, 0.8–1.2 s on disk here), so the first run keeps a copy of a pristine initdb
 * result next to the clusters, keyed by binaries, version and owner, and later runs copy it
 * (0.04 s on tmpfs).
 *
 * Safety: the copy holds no password (one is set after start) and is only used when it is a
 * real directory owned by the cluster's user with mode 0700 and marked complete, so another
 * local user cannot plant configuration in it.
 */
import { createHash } from 'node:crypto';
import { chown, lstat, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
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

const COMPLETE_MARKER = 'complete';

export function templateDir(baseDir: string, bins: PostgresBinaries, uid: number): string {
  const key = createHash('sha256')
    .update(`${bins.bindir}\0${bins.version}\0${uid}`)
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

async function templateUsable(dir: string, uid: number): Promise<boolean> {
  if (!(await isTrustedDir(dir, uid))) return false;
  if (!(await isTrustedDir(path.join(dir, 'data'), uid))) return false;
  try {
    return (await lstat(path.join(dir, COMPLETE_MARKER))).isFile();
  } catch {
    return false;
  }
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

/** Fills `dataDir` from the template when possible, else by initdb (and saves a template). */
export async function prepareDataDir(options: PrepareDataDirOptions): Promise<'template' | 'initdb'> {
  const { bins, dataDir, runAs } = options;
  const owner = options.uid >= 0 ? options.uid : (process.getuid?.() ?? -1);
  const template = templateDir(options.baseDir, bins, owner);
  if (!options.noTemplate && (await templateUsable(template, owner))) {
    try {
      await runAs('cp', ['-a', path.join(template, 'data'), dataDir]);
      return 'template';
    } catch {
      await rm(dataDir, { recursive: true, force: true });
    }
  }
  await initdb(bins, dataDir, runAs);
  if (!options.noTemplate) await saveTemplate(options, template).catch(() => {});
  return 'initdb';
}

async function saveTemplate(options: PrepareDataDirOptions, template: string): Promise<void> {
  const staging = await mkdtemp(`${template}.tmp-`);
  try {
    if (options.uid >= 0) await chown(staging, options.uid, options.gid);
    await options.runAs('cp', ['-a', options.dataDir, path.join(staging, 'data')]);
    const marker = path.join(staging, COMPLETE_MARKER);
    await writeFile(marker, 'initdb template for migration-guard\n', { mode: 0o600 });
    if (options.uid >= 0) await chown(marker, options.uid, options.gid);
    await rm(template, { recursive: true, force: true });
    await rename(staging, template);
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    throw e;
  }
}
