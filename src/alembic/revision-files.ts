/**
 * Which files of a version location are revisions, which of them may be read (confined to the
 * repository, src/alembic/confine.ts), and their identifiers where the static parse could not
 * read them: Python (python.ts) resolves those, and a legacy `<hex>.py` file without a
 * `revision` variable takes its id from its name, as alembic does.
 */
import type { Dirent } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log.js';
import { escapeReason } from './confine.js';
import { toPosix } from './locate.js';
import { resolveWithPython } from './python.js';
import type { AlembicProject, FileProblem, ParsedRevision } from './types.js';

export function isRevisionFileName(name: string): boolean {
  return name.endsWith('.py') && !name.startsWith('.#') && !name.startsWith('__init__');
}

const LEGACY_REVISION_FILE = /^([a-f0-9]+)\.py$/;

/**
 * The revision files of the work tree that may be read, and a problem for each one that may
 * not: the script location, the version locations, env.py and every revision file are
 * resolved with realpath (src/alembic/confine.ts); whatever escapes the repository or is not
 * a regular file is named and never read. A location that escapes lists nothing at all.
 */
export async function confinedRevisionFiles(
  project: AlembicProject,
  rootDir: string,
): Promise<{ files: string[]; escapes: FileProblem[] }> {
  const rel = (p: string) => toPosix(path.relative(rootDir, p)) || '.';
  const problem = (file: string, what: string, reason: string): FileProblem => ({
    relFile: rel(file),
    message: `${what} ${rel(file)} ${reason}: not read (migrations must be regular files inside the repository)`,
    line: null,
    importError: false,
    outsideRepository: true,
  });
  const escapes: FileProblem[] = [];
  for (const dir of new Set([project.scriptLocation, ...project.versionLocations])) {
    // A version location that does not exist yet holds no revisions (alembic creates it).
    if (dir !== project.scriptLocation && !(await exists(dir))) continue;
    const reason = await escapeReason(dir, rootDir, 'directory');
    const what = dir === project.scriptLocation ? 'script_location' : 'version location';
    if (reason) escapes.push(problem(dir, what, reason));
  }
  if (escapes.length > 0) return { files: [], escapes };
  const envPy = path.join(project.scriptLocation, 'env.py');
  if (await exists(envPy)) {
    const reason = await escapeReason(envPy, rootDir);
    if (reason) escapes.push(problem(envPy, 'env.py', reason));
  }
  const listed = await listWorkTreeRevisionFiles(project);
  // Plain files need no check: their directories are real (readdir does not follow links)
  // under a location that was resolved above. Links and anything else are resolved.
  const reasons = await Promise.all(listed.map((f) => (f.plain ? null : escapeReason(f.path, rootDir))));
  const files: string[] = [];
  listed.forEach((f, i) => {
    const reason = reasons[i];
    if (reason) escapes.push(problem(f.path, 'revision file', reason));
    else files.push(f.path);
  });
  return { files, escapes };
}

async function exists(p: string): Promise<boolean> {
  return lstat(p).then(
    () => true,
    () => false,
  );
}

async function listWorkTreeRevisionFiles(
  project: AlembicProject,
): Promise<Array<{ path: string; plain: boolean }>> {
  const lists = await Promise.all(
    project.versionLocations.map(async (dir) => {
      let entries: Dirent[];
      try {
        entries = await readdir(dir, { recursive: project.recursiveVersionLocations, withFileTypes: true });
      } catch {
        return []; // A version location that does not exist yet holds no revisions.
      }
      return entries
        .filter((e) => isRevisionFileName(e.name))
        .map((e) => ({ path: path.join(e.parentPath, e.name), plain: e.isFile() }))
        .filter((e) => !path.relative(dir, e.path).split(path.sep).includes('__pycache__'));
    }),
  );
  const byPath = new Map(lists.flat().map((e) => [e.path, e]));
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export function applyResolved(
  f: ParsedRevision,
  r: {
    revision: string | null;
    downRevisions: string[];
    branchLabels: string[];
    dependsOn: string[];
    docstring: string | null;
  },
): void {
  f.revision = r.revision;
  f.downRevisions = r.downRevisions;
  f.branchLabels = r.branchLabels;
  f.dependsOn = r.dependsOn;
  if (r.docstring !== null && f.docstring === null) {
    f.docstring = r.docstring;
    f.message = r.docstring.trim().split('\n')[0]?.trim() || null;
  }
}

/** Files named `<hex>.py` without a `revision` variable: alembic takes the id from the name. */
export function applyLegacyName(f: ParsedRevision): boolean {
  if (f.revision !== null) return true;
  const m = LEGACY_REVISION_FILE.exec(path.basename(f.file));
  if (m) f.revision = m[1] ?? null;
  return f.revision !== null;
}

export async function completeWithPython(
  project: AlembicProject,
  files: ParsedRevision[],
  opts: { python: string[]; log: Logger },
  problems: FileProblem[],
): Promise<void> {
  const needPython = files.filter((f) => f.needsPython);
  if (needPython.length > 0) {
    opts.log.debug(
      `${project.id}: ${needPython.length} revision file(s) need Python to read their identifiers`,
    );
    const resolved = await resolveWithPython(
      project,
      opts.python,
      needPython.map((f) => f.file),
    );
    const byFile = new Map(needPython.map((f) => [path.resolve(f.file), f]));
    for (const r of resolved) {
      const f = byFile.get(r.file);
      if (!f) continue;
      if (r.error !== null) {
        f.revision = null;
        problems.push({ relFile: f.relFile, message: r.error, line: lineOf(r.error), importError: true });
        opts.log.warning(`${f.relFile}: could not be loaded to read its revision id: ${r.error}`);
        continue;
      }
      applyResolved(f, r);
    }
  }
  for (const f of files) {
    if (problems.some((p) => p.relFile === f.relFile)) continue;
    if (!applyLegacyName(f)) {
      problems.push({
        relFile: f.relFile,
        message: `${f.relFile} declares no revision id: add revision = "<id>" (alembic refuses to load it)`,
        line: null,
        importError: false,
      });
    }
  }
}

function lineOf(error: string): number | null {
  const m = /\(line (\d+)\)$/.exec(error);
  return m ? Number(m[1]) : null;
}
