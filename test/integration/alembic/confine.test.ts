/**
 * Files stay in the repository (src/alembic/confine.ts): symbolic links among the revision
 * files, env.py or the script location that resolve outside the repository, or to something
 * that is not a regular file, are broken-revision-graph findings naming the file, and their
 * target is never read. Real git repositories, real links, the real /dev/zero.
 */
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { analyzeProject, type StaticAnalysis } from '../../../src/alembic/analyze.js';
import { locateProjects } from '../../../src/alembic/locate.js';
import { silentLogger } from '../../../src/log.js';
import { runRules } from '../../../src/lint/run.js';
import { graphRules } from '../../../rules/registry/graph.js';
import { makeAlembicRepo, revisionFile, revisionPath, type AlembicRepo } from '../../helpers/git-repo.js';

const repos: AlembicRepo[] = [];
const dirs: string[] = [];
afterEach(async () => {
  while (repos.length > 0) await repos.pop()?.cleanup();
  while (dirs.length > 0) rmSync(dirs.pop()!, { recursive: true, force: true });
});

const A = {
  id: 'a1000001',
  down: null,
  message: 'create users',
  upgrade: "op.create_table('users', sa.Column('id', sa.Integer(), primary_key=True))",
  downgrade: "op.drop_table('users')",
};

async function repoWithBase(): Promise<AlembicRepo> {
  const repo = await makeAlembicRepo({ revisions: [A] });
  repos.push(repo);
  repo.branch('feature');
  return repo;
}

/** A file outside the repository holding text that must never reach a report. */
function outsideSecret(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mg-outside-'));
  dirs.push(dir);
  const file = path.join(dir, 'b2000002_secret.py');
  writeFileSync(
    file,
    revisionFile({ id: 'b2000002', down: 'a1000001', message: 'TOP-SECRET-TEXT from outside' }) +
      '\n# TOP-SECRET-TEXT\n',
  );
  return file;
}

async function analyze(repo: AlembicRepo): Promise<StaticAnalysis> {
  const [project] = await locateProjects({ projectDir: repo.dir, alembicConfigs: [], env: {} });
  if (!project) throw new Error('no project');
  return analyzeProject(project, {
    base: 'main',
    all: false,
    python: ['/usr/bin/python3'],
    log: silentLogger,
  });
}

function graphFindings(a: StaticAnalysis) {
  return runRules(graphRules, { analysis: a, naming: null }, {}).map((p) => p.finding);
}

describe('files stay in the repository', () => {
  it('a revision file linking outside the repository is a finding naming it; the target is not read', async () => {
    const repo = await repoWithBase();
    const link = path.join(repo.dir, 'migrations/versions/b2000002_secret.py');
    symlinkSync(outsideSecret(), link);
    const a = await analyze(repo);
    expect(a.parsed.has('b2000002')).toBe(false);
    expect(a.pending).toEqual([]);
    const findings = graphFindings(a);
    expect(findings.map((f) => f.rule)).toEqual(['broken-revision-graph']);
    expect(findings[0]!.file).toBe('migrations/versions/b2000002_secret.py');
    expect(findings[0]!.message).toMatch(
      /^revision file migrations\/versions\/b2000002_secret\.py resolves to .* outside the repository: not read/,
    );
    expect(JSON.stringify(a.files) + JSON.stringify(findings)).not.toContain('TOP-SECRET-TEXT');
    expect(a.problems[0]!.outsideRepository).toBe(true);
  });

  it('a revision file linking to /dev/zero is refused without reading it', async () => {
    const repo = await repoWithBase();
    symlinkSync('/dev/zero', path.join(repo.dir, 'migrations/versions/b2000002_zero.py'));
    const before = process.memoryUsage().rss;
    const t0 = performance.now();
    const a = await analyze(repo);
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 * 1024);
    const findings = graphFindings(a);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.file).toBe('migrations/versions/b2000002_zero.py');
    expect(findings[0]!.message).toContain('/dev/zero');
  });

  it('a link to a file inside the repository is fine', async () => {
    const repo = await repoWithBase();
    const spec = { id: 'b2000002', down: 'a1000001', message: 'add name' };
    repo.writeFile('shared/b2000002_add_name.py', revisionFile(spec));
    symlinkSync(path.join(repo.dir, 'shared/b2000002_add_name.py'), path.join(repo.dir, revisionPath(spec)));
    repo.commit('linked revision');
    const a = await analyze(repo);
    expect(a.pending).toEqual(['b2000002']);
    expect(graphFindings(a)).toEqual([]);
  });

  it('a script_location linking outside the repository: one finding, no file under it read', async () => {
    const repo = await repoWithBase();
    const outside = mkdtempSync(path.join(tmpdir(), 'mg-outside-loc-'));
    dirs.push(outside);
    writeFileSync(path.join(outside, 'env.py'), '# TOP-SECRET-TEXT\n');
    rmSync(path.join(repo.dir, 'migrations'), { recursive: true });
    symlinkSync(outside, path.join(repo.dir, 'migrations'));
    const a = await analyze(repo);
    const findings = graphFindings(a);
    expect(findings.map((f) => [f.rule, f.file])).toEqual([['broken-revision-graph', 'migrations']]);
    expect(findings[0]!.message).toMatch(/^script_location migrations resolves to .*outside the repository/);
    expect(a.files).toEqual([]);
  });

  it('env.py linking outside the repository is a finding', async () => {
    const repo = await repoWithBase();
    const envPy = path.join(repo.dir, 'migrations/env.py');
    rmSync(envPy);
    symlinkSync('/etc/hostname', envPy);
    const a = await analyze(repo);
    expect(graphFindings(a).map((f) => f.file)).toEqual(['migrations/env.py']);
  });
});
