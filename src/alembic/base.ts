/**
 * The base side of a comparison, read from git without a checkout: the commit the base ref
 * names, which version-location files differ from the work tree, and the revision files as
 * they were at that commit (unchanged ones reuse the work tree's parse).
 */
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Logger } from '../log.js';
import { changedFilesSince, listFilesAt, readFilesAt, resolveBaseCommit } from './git.js';
import { toPosix } from './locate.js';
import { parseRevisionSource } from './parse.js';
import { resolveWithPython } from './python.js';
import { applyLegacyName, applyResolved, isRevisionFileName } from './revision-files.js';
import type { AlembicProject, ParsedRevision } from './types.js';

export interface BaseGitState {
  commit: string;
  /** Version-location directories relative to the repo root. */
  dirs: string[];
  /** Every file under the version locations at the base commit. */
  listed: string[];
  /** Files under the version locations (and env.py) that differ between the commit and the work tree. */
  changedFiles: string[];
  changedSet: ReadonlySet<string>;
}

export async function baseGitState(project: AlembicProject, ref: string, log: Logger): Promise<BaseGitState> {
  const repoRoot = project.repoRoot as string;
  const commit = await resolveBaseCommit(repoRoot, ref);
  const dirs = versionDirsInRepo(project, log);
  const envPy = toPosix(path.relative(repoRoot, path.join(project.scriptLocation, 'env.py')));
  const [listed, changedFiles] = await Promise.all([
    listFilesAt(repoRoot, commit, dirs),
    changedFilesSince(repoRoot, commit, [...dirs, envPy]),
  ]);
  return { commit, dirs, listed, changedFiles, changedSet: new Set(changedFiles) };
}

function versionDirsInRepo(project: AlembicProject, log: Logger): string[] {
  const root = project.repoRoot ?? project.configDir;
  const dirs: string[] = [];
  for (const dir of project.versionLocations) {
    const rel = path.relative(root, dir);
    if (rel.startsWith('..') || path.isAbsolute(rel)) {
      log.warning(
        `${project.id}: version location ${dir} is outside the repository; not compared with the base`,
      );
      continue;
    }
    dirs.push(rel === '' ? '.' : toPosix(rel));
  }
  return dirs;
}

/**
 * The revision files as they were at the base commit. A file git reports unchanged is the
 * work tree's file, so its parse is reused; only changed and deleted files are read from git
 * (one cat-file process) and parsed. Python fallback for those goes through a temp copy.
 */
export async function readBaseRevisions(
  project: AlembicProject,
  git: BaseGitState,
  headFiles: ParsedRevision[],
  python: string[],
): Promise<ParsedRevision[]> {
  const repoRoot = project.repoRoot as string;
  const wanted = git.listed.filter((p) => {
    if (!isRevisionFileName(path.posix.basename(p)) || p.split('/').includes('__pycache__')) return false;
    if (project.recursiveVersionLocations) return true;
    return git.dirs.some((d) => path.posix.dirname(p) === d);
  });
  const changed = git.changedSet;
  const headByRel = new Map(headFiles.map((f) => [f.relFile, f]));
  const reused: ParsedRevision[] = [];
  const toRead: string[] = [];
  for (const p of wanted) {
    const head = headByRel.get(p);
    if (head && !changed.has(p)) reused.push(head);
    else toRead.push(p);
  }
  const contents = await readFilesAt(repoRoot, git.commit, toRead);
  const files = toRead
    .filter((p) => contents.has(p))
    .map((p) => parseRevisionSource(contents.get(p) ?? '', path.join(repoRoot, p), p));
  const needPython = files.filter((f) => f.needsPython);
  if (needPython.length > 0) {
    // Python loads files from disk: copy the base versions of just those files to a temp dir.
    const tmp = await mkdtemp(path.join(tmpdir(), 'mg-base-'));
    // Readable by the sandbox's unprivileged user (src/sandbox/): these are copies of committed files.
    await chmod(tmp, 0o755);
    try {
      const copies = new Map<string, ParsedRevision>();
      await Promise.all(
        needPython.map(async (f) => {
          const copy = path.join(tmp, f.relFile);
          await mkdir(path.dirname(copy), { recursive: true });
          await writeFile(copy, contents.get(f.relFile) ?? '');
          copies.set(copy, f);
        }),
      );
      const resolved = await resolveWithPython(project, python, [...copies.keys()]);
      for (const r of resolved) {
        const f = copies.get(r.file);
        if (f && r.error === null) applyResolved(f, r);
      }
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }
  for (const f of files) applyLegacyName(f);
  return [...reused, ...files].sort((a, b) => (a.relFile < b.relFile ? -1 : a.relFile > b.relFile ? 1 : 0));
}
