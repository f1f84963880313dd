/**
 * `mode: discover`: which Alembic projects a matrix of check jobs should check. Static and
 * cheap on purpose: the configs are read as text and git says which version files or env.py
 * changed since the base; no Python runs and no database is started, so this job can run
 * before anything of the pull request is trusted.
 */
import path from 'node:path';
import { changedFilesSince, resolveBaseCommit } from '../alembic/git.js';
import type { AlembicProject } from '../alembic/locate.js';
import { locateProjects, toPosix } from '../alembic/locate.js';
import type { Logger } from '../log.js';

export interface MatrixEntry {
  /** The alembic config relative to working-directory: the check job's `alembic-config`. */
  project: string;
  /** Short, unique, artifact-safe label (e.g. the service directory name). */
  name: string;
}

export interface Discovery {
  /** `{"include": [...]}` for `strategy.matrix`. */
  matrix: { include: MatrixEntry[] };
  /** Projects left out, with the reason. */
  skipped: Array<{ project: string; reason: string }>;
}

export interface DiscoverOptions {
  projectDir: string;
  alembicConfigs: string[];
  base: string | null;
  /** false (or `all`): every project is listed. */
  onlyChanged: boolean;
  log: Logger;
}

export async function discoverProjects(opts: DiscoverOptions): Promise<Discovery> {
  const projects = await locateProjects({ projectDir: opts.projectDir, alembicConfigs: opts.alembicConfigs });
  const names = uniqueNames(projects.map((p) => relativeConfig(opts.projectDir, p)));
  const include: MatrixEntry[] = [];
  const skipped: Discovery['skipped'] = [];
  await Promise.all(
    projects.map(async (p, i) => {
      const project = relativeConfig(opts.projectDir, p);
      const reason = opts.onlyChanged && opts.base !== null ? await unchangedReason(p, opts.base) : null;
      if (reason === null) include[i] = { project, name: names[i] ?? project };
      else skipped[i] = { project, reason };
    }),
  );
  const matrix = { include: include.filter((e) => e !== undefined) };
  const left = skipped.filter((s) => s !== undefined);
  for (const s of left) opts.log.info(`${s.project}: skipped, ${s.reason}`);
  for (const e of matrix.include) opts.log.info(`${e.project}: to check (matrix name ${e.name})`);
  return { matrix, skipped: left };
}

/** Why the project needs no check (its revision files and env.py are as at the base), else null. */
async function unchangedReason(project: AlembicProject, base: string): Promise<string | null> {
  const root = project.repoRoot;
  if (root === null) return null; // not in git: nothing says it is unchanged
  const dirs: string[] = [];
  for (const dir of project.versionLocations) {
    const rel = path.relative(root, dir);
    // A version location outside the repository cannot be compared: check the project.
    if (rel.startsWith('..') || path.isAbsolute(rel)) return null;
    dirs.push(rel === '' ? '.' : toPosix(rel));
  }
  const envPy = toPosix(path.relative(root, path.join(project.scriptLocation, 'env.py')));
  const commit = await resolveBaseCommit(root, base);
  const changed = await changedFilesSince(root, commit, [...dirs, envPy]);
  return changed.length === 0 ? `no migration changed since ${base}` : null;
}

function relativeConfig(projectDir: string, project: AlembicProject): string {
  return toPosix(path.relative(path.resolve(projectDir), project.configPath)) || project.configPath;
}

/**
 * Matrix names: the config's directory name (`services/billing/alembic.ini` → `billing`), else
 * its directory path, else path and file stem, whichever is first unique; the file's stem at
 * the root. Characters artifact names reject (`/`, `:`, …) become `-`.
 */
export function uniqueNames(configs: readonly string[]): string[] {
  const stem = (c: string) => path.posix.basename(c).replace(/\.[^.]*$/, '');
  const dirOf = (c: string) => path.posix.dirname(c);
  const candidates: Array<(c: string) => string> = [
    (c) => (dirOf(c) === '.' ? stem(c) : path.posix.basename(dirOf(c))),
    (c) => (dirOf(c) === '.' ? stem(c) : dirOf(c)),
    (c) => (dirOf(c) === '.' ? stem(c) : `${dirOf(c)}/${stem(c)}`),
  ];
  const clean = (n: string) => n.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'project';
  return configs.map((c) => {
    for (const candidate of candidates) {
      const name = clean(candidate(c));
      if (configs.filter((o) => clean(candidate(o)) === name).length === 1) return name;
    }
    return clean(c);
  });
}
