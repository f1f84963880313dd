/**
 * The static analysis of one project: revision files parsed at HEAD (the work tree) and at the
 * base ref (read from git, no checkout), both graphs, and what the pull request changes —
 * pending revisions, edited and deleted applied revisions, changed files.
 */
import type { Dirent } from 'node:fs';
import { lstat, mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { usageError } from '../errors.js';
import type { Logger } from '../log.js';
import { escapeReason } from './confine.js';
import { changedFilesSince, listFilesAt, readFilesAt, resolveBaseCommit } from './git.js';
import type { RevisionNode } from './graph.js';
import { RevisionGraph } from './graph.js';
import { toPosix } from './locate.js';
import { parseRevisionSource } from './parse.js';
import { resolveWithPython } from './python.js';
import type { AlembicProject, ParsedRevision } from './types.js';

export interface AnalyzeOptions {
  /** Base git ref; null = no comparison. */
  base: string | null;
  all: boolean;
  python: string[];
  log: Logger;
}

/** A revision file that is not a usable revision (declares no id, or failed to load in Python). */
export interface FileProblem {
  relFile: string;
  message: string;
  line: number | null;
  /** True when the Python fallback could not import it: the round trip reports those. */
  importError: boolean;
  /**
   * True when the file (or the script location) resolves outside the repository or is not a
   * regular file: it is never read, and alembic would read it, so the round trip does not run.
   */
  outsideRepository?: boolean;
}

export interface EditedRevision {
  id: string;
  relFile: string;
  /** What changed: the function bodies and/or the revision's parents. */
  changed: Array<'upgrade' | 'downgrade' | 'down_revision'>;
  /** Line of the first changed part at HEAD. */
  line: number | null;
}

export interface StaticAnalysis {
  project: AlembicProject;
  /** The ref as given and the commit compared with (merge base of ref and HEAD). */
  base: string | null;
  baseCommit: string | null;
  graph: RevisionGraph;
  baseGraph: RevisionGraph | null;
  heads: string[];
  baseHeads: string[];
  /** Topological order. */
  pending: string[];
  /** By revision id (for a duplicate id: the first file). */
  parsed: Map<string, ParsedRevision>;
  /** Every revision file at HEAD, including duplicates and problems, by relFile order. */
  files: ParsedRevision[];
  baseParsed: Map<string, ParsedRevision>;
  edited: string[];
  editedDetails: EditedRevision[];
  deleted: Array<{ id: string; relFile: string }>;
  problems: FileProblem[];
  /** Revision files and env.py changed vs the base (work tree included); absent without a base. */
  changedFiles?: string[];
  timings: Record<string, number>;
}

/** alembic's `_only_source_rev_file`: `*.py`, not `__init__`, not an editor's `.#` lock file. */
export function isRevisionFileName(name: string): boolean {
  return name.endsWith('.py') && !name.startsWith('.#') && !name.startsWith('__init__');
}

const LEGACY_REVISION_FILE = /^([a-f0-9]+)\.py$/;

export async function analyzeProject(project: AlembicProject, opts: AnalyzeOptions): Promise<StaticAnalysis> {
  const timings: Record<string, number> = {};
  const t0 = performance.now();
  if (opts.base !== null && project.repoRoot === null) {
    throw usageError(`--base ${opts.base} needs a git repository, but ${project.configDir} is not in one`);
  }
  // The git processes for the base run while the work tree is read and parsed.
  const baseGit = opts.base !== null ? baseGitState(project, opts.base, opts.log) : Promise.resolve(null);
  baseGit.catch(() => {}); // its error is thrown where it is awaited, below
  const rootDir = project.repoRoot ?? project.configDir;
  const { files: headFiles, escapes } = await confinedRevisionFiles(project, rootDir);
  const [headSources, baseState] = await Promise.all([
    Promise.all(headFiles.map((f) => readFile(f, 'utf8'))),
    baseGit,
  ]);
  // A file unchanged since the base is applied, not pending (unless --all): its bodies are
  // never looked at, so only its header is parsed.
  const unchanged = (rel: string) => baseState !== null && !opts.all && !baseState.changedSet.has(rel);
  const files = headFiles.map((f, i) => {
    const rel = toPosix(path.relative(rootDir, f));
    return parseRevisionSource(headSources[i] ?? '', f, rel, { headerOnly: unchanged(rel) });
  });
  timings.parseMs = performance.now() - t0;
  const problems: FileProblem[] = [...escapes];
  await completeWithPython(project, files, opts, problems);
  timings.pythonFallbackMs = performance.now() - t0 - timings.parseMs;
  let base: BaseState | null = null;
  let changedFiles: string[] | undefined;
  if (baseState && opts.base !== null) {
    const tb = performance.now();
    const git = baseState;
    base = { ref: opts.base, commit: git.commit, files: await readBaseRevisions(project, git, files, opts) };
    changedFiles = git.changedFiles;
    timings.baseMs = performance.now() - tb;
  }
  const analysis = buildAnalysis(project, files, problems, base, opts.all);
  timings.totalMs = performance.now() - t0;
  opts.log.debug(
    `${project.id}: ${analysis.graph.revisions.size} revisions, ${analysis.pending.length} pending, heads ${analysis.heads.join(', ')} (${timings.totalMs.toFixed(0)} ms)`,
  );
  return { ...analysis, ...(changedFiles ? { changedFiles } : {}), timings };
}

interface BaseGitState {
  commit: string;
  /** Version-location directories relative to the repo root. */
  dirs: string[];
  /** Every file under the version locations at the base commit. */
  listed: string[];
  /** Files under the version locations (and env.py) that differ between the commit and the work tree. */
  changedFiles: string[];
  changedSet: ReadonlySet<string>;
}

async function baseGitState(project: AlembicProject, ref: string, log: Logger): Promise<BaseGitState> {
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

/** The base side of a comparison: the ref as given, the commit used, its parsed revision files. */
export interface BaseState {
  ref: string;
  commit: string;
  files: ParsedRevision[];
}

/**
 * The pure part of the analysis: graphs, pending, edited and deleted from parsed files (no disk,
 * no git). Unit tests build analyses with it from source text.
 */
export function buildAnalysis(
  project: AlembicProject,
  files: ParsedRevision[],
  problems: FileProblem[],
  base: BaseState | null,
  all: boolean,
): Omit<StaticAnalysis, 'changedFiles' | 'timings'> {
  const parsed = byRevision(files);
  const graph = new RevisionGraph(files.filter(hasRevision).map(toNode));
  let baseGraph: RevisionGraph | null = null;
  const baseParsed = base ? byRevision(base.files) : new Map<string, ParsedRevision>();
  const editedDetails: EditedRevision[] = [];
  const deleted: Array<{ id: string; relFile: string }> = [];
  let pendingSet: Set<string>;
  if (base) {
    baseGraph = new RevisionGraph(base.files.filter(hasRevision).map(toNode));
    const applied = baseGraph.reachableFrom(baseGraph.heads);
    pendingSet = new Set([...graph.revisions.keys()].filter((id) => all || !applied.has(id)));
    for (const [id, before] of baseParsed) {
      const after = parsed.get(id);
      if (!after) {
        // A file that exists but could not be loaded is not a deletion: the round trip reports
        // it. Nor is one that was refused, or that lies under a refused location.
        const unseen = problems.some(
          (p) =>
            (p.importError && p.relFile === before.relFile) ||
            (p.outsideRepository === true &&
              (p.relFile === before.relFile || before.relFile.startsWith(`${p.relFile}/`))),
        );
        if (!unseen) {
          deleted.push({ id, relFile: before.relFile });
        }
        continue;
      }
      const edit = compareRevisions(id, before, after);
      if (edit) editedDetails.push(edit);
    }
  } else {
    // No base ref: nothing is known to be applied anywhere, so every revision is new and
    // pending, with or without --all (for a pull request the base ref is what narrows it).
    pendingSet = new Set(graph.revisions.keys());
  }
  const ordered = new Set(graph.topologicalOrder());
  // Revisions on a cycle have no topological place; they go last so rules still see them.
  const pending = [
    ...graph.topologicalOrder().filter((id) => pendingSet.has(id)),
    ...[...pendingSet].filter((id) => !ordered.has(id)).sort(),
  ];
  return {
    project,
    base: base?.ref ?? null,
    baseCommit: base?.commit ?? null,
    graph,
    baseGraph,
    heads: graph.heads,
    baseHeads: baseGraph?.heads ?? [],
    pending,
    parsed,
    files,
    baseParsed,
    edited: editedDetails.map((e) => e.id),
    editedDetails,
    deleted: deleted.sort((a, b) => a.relFile.localeCompare(b.relFile)),
    problems,
  };
}

function byRevision(files: ParsedRevision[]): Map<string, ParsedRevision> {
  const out = new Map<string, ParsedRevision>();
  for (const f of files) if (f.revision !== null && !out.has(f.revision)) out.set(f.revision, f);
  return out;
}

function hasRevision(f: ParsedRevision): f is ParsedRevision & { revision: string } {
  return f.revision !== null;
}

function toNode(f: ParsedRevision & { revision: string }): RevisionNode {
  return {
    id: f.revision,
    downRevisions: f.downRevisions,
    dependsOn: f.dependsOn,
    branchLabels: f.branchLabels,
    relFile: f.relFile,
  };
}

/** Applied revisions must keep their code and their place in the graph; comments may change. */
function compareRevisions(id: string, before: ParsedRevision, after: ParsedRevision): EditedRevision | null {
  const changed: EditedRevision['changed'] = [];
  let line: number | null = null;
  if ((before.upgrade?.normalized ?? null) !== (after.upgrade?.normalized ?? null)) {
    changed.push('upgrade');
    line ??= after.upgrade?.defLine ?? null;
  }
  if ((before.downgrade?.normalized ?? null) !== (after.downgrade?.normalized ?? null)) {
    changed.push('downgrade');
    line ??= after.downgrade?.defLine ?? null;
  }
  if ([...before.downRevisions].sort().join(',') !== [...after.downRevisions].sort().join(',')) {
    changed.push('down_revision');
    line ??= after.revisionLine;
  }
  return changed.length > 0 ? { id, relFile: after.relFile, changed, line } : null;
}

/**
 * The revision files of the work tree that may be read, and a problem for each one that may
 * not: the script location, the version locations, env.py and every revision file are
 * resolved with realpath (src/alembic/confine.ts); whatever escapes the repository or is not
 * a regular file is named and never read. A location that escapes lists nothing at all.
 */
async function confinedRevisionFiles(
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
async function readBaseRevisions(
  project: AlembicProject,
  git: BaseGitState,
  headFiles: ParsedRevision[],
  opts: AnalyzeOptions,
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
      const resolved = await resolveWithPython(project, opts.python, [...copies.keys()]);
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

function applyResolved(
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
function applyLegacyName(f: ParsedRevision): boolean {
  if (f.revision !== null) return true;
  const m = LEGACY_REVISION_FILE.exec(path.basename(f.file));
  if (m) f.revision = m[1] ?? null;
  return f.revision !== null;
}

async function completeWithPython(
  project: AlembicProject,
  files: ParsedRevision[],
  opts: AnalyzeOptions,
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
