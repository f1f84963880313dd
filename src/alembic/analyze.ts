/**
 * The static analysis of one project: revision files parsed at HEAD (the work tree) and at the
 * base ref (read from git, no checkout), both graphs, and what the pull request changes —
 * pending revisions, edited and deleted applied revisions, changed files.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { usageError } from '../errors.js';
import type { Logger } from '../log.js';
import { baseGitState, readBaseRevisions } from './base.js';
import type { RevisionNode } from './graph.js';
import { RevisionGraph } from './graph.js';
import { toPosix } from './locate.js';
import { parseRevisionSource } from './parse.js';
import { completeWithPython, confinedRevisionFiles } from './revision-files.js';
import type { AlembicProject, FileProblem, ParsedRevision } from './types.js';

export type { FileProblem };
export { isRevisionFileName } from './revision-files.js';

export interface AnalyzeOptions {
  /** Base git ref; null = no comparison. */
  base: string | null;
  all: boolean;
  python: string[];
  log: Logger;
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
    base = {
      ref: opts.base,
      commit: git.commit,
      files: await readBaseRevisions(project, git, files, opts.python),
    };
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
