/**
 * Builds a StaticAnalysis from revision source text (no disk, no git) with the same code
 * analyzeProject uses after reading files: for table-driven rule tests.
 */
import { buildAnalysis, type FileProblem, type StaticAnalysis } from '../../../src/alembic/analyze.js';
import { parseRevisionSource } from '../../../src/alembic/parse.js';
import type { AlembicProject } from '../../../src/alembic/types.js';
import { revisionFile, revisionPath, type RevisionSpec } from '../../helpers/git-repo.js';

export const FIXTURE_PROJECT: AlembicProject = {
  id: 'alembic.ini',
  configPath: '/repo/alembic.ini',
  configDir: '/repo',
  repoRoot: '/repo',
  section: 'alembic',
  scriptLocation: '/repo/migrations',
  versionLocations: ['/repo/migrations/versions'],
  recursiveVersionLocations: false,
  prependSysPath: ['/repo'],
  fileTemplate: null,
  source: 'ini',
};

/** A revision as a spec (written with the test template) or as raw source text at a path. */
export type FixtureRevision = RevisionSpec | { path: string; source: string };

function parse(r: FixtureRevision) {
  const rel = 'source' in r ? r.path : revisionPath(r);
  const src = 'source' in r ? r.source : revisionFile(r);
  return parseRevisionSource(src, `/repo/${rel}`, rel);
}

export function analysisOf(opts: {
  head: FixtureRevision[];
  base?: FixtureRevision[];
  all?: boolean;
  problems?: FileProblem[];
}): StaticAnalysis {
  const base = opts.base ? { ref: 'main', commit: '0'.repeat(40), files: opts.base.map(parse) } : null;
  return {
    ...buildAnalysis(FIXTURE_PROJECT, opts.head.map(parse), opts.problems ?? [], base, opts.all ?? false),
    timings: {},
  };
}
