/**
 * src/alembic/base-models.ts with src/driver/capture_metadata.py on both Python stacks: the
 * models as they are on the base commit (not the work tree), read through a temporary git
 * worktree that is gone afterwards, without a database and without the runner's secrets.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { loadBaseModels } from '../../../src/alembic/base-models.js';
import { locateProjects } from '../../../src/alembic/locate.js';
import { silentLogger } from '../../../src/log.js';
import type { AlembicRepo } from '../../helpers/git-repo.js';
import { STANDARD_ENV_PY, makeAlembicRepo } from '../../helpers/git-repo.js';
import { testPythons } from '../roundtrip/fixtures.js';
import { BASE_REVISION, MODELS_ENV_PY, modelsPy } from './projects.js';

const repos: AlembicRepo[] = [];
afterAll(async () => {
  for (const r of repos) await r.cleanup();
});

/** Base commit on `main` with these files, then a work tree that differs (the pull request). */
async function repoWith(files: Record<string, string>): Promise<{ repo: AlembicRepo; base: string }> {
  const repo = await makeAlembicRepo({
    revisions: [BASE_REVISION],
    files: { 'app/__init__.py': '', ...files },
  });
  repos.push(repo);
  const base = repo.git('rev-parse', 'HEAD').trim();
  repo.branch('pull-request');
  // The pull request's models no longer map nickname: the base's must still be what counts.
  if (files['app/models.py']) repo.writeFile('app/models.py', modelsPy({ columns: ['users.nickname'] }));
  repo.commit('pull request');
  return { repo, base };
}

async function load(repo: AlembicRepo, base: string | null, python: string[]) {
  const [project] = await locateProjects({ projectDir: repo.dir, alembicConfigs: [] });
  if (!project) throw new Error('no project');
  return loadBaseModels({
    project,
    baseCommit: base,
    python,
    databaseUrlEnv: 'DATABASE_URL',
    log: silentLogger,
  });
}

describe.each(testPythons())('base branch models with $name', ({ argv }) => {
  it('reads the tables and columns the base commit maps, and removes its worktree', async () => {
    const { repo, base } = await repoWith({
      'app/models.py': modelsPy(),
      'migrations/env.py': MODELS_ENV_PY,
    });
    const models = await load(repo, base, argv);
    expect(models).toMatchObject({ known: true, source: 'base', commit: base });
    if (!models.known) return;
    expect(models.tables.users).toEqual(['id', 'email', 'nickname']);
    expect(Object.keys(models.tables).sort()).toEqual(
      ['invoices', 'newsletter', 'orders', 'payments', 'post_meta', 'post_tags', 'posts', 'users'].sort(),
    );
    expect(repo.git('worktree', 'list').trim().split('\n')).toHaveLength(1);
  }, 60_000);

  it('without a base commit reads the models at HEAD from the working tree, no worktree', async () => {
    const { repo } = await repoWith({
      'app/models.py': modelsPy(),
      'migrations/env.py': MODELS_ENV_PY,
    });
    const head = repo.git('rev-parse', 'HEAD').trim();
    const models = await load(repo, null, argv);
    expect(models).toMatchObject({ known: true, source: 'head', commit: head });
    if (!models.known) return;
    // HEAD (the pull request) no longer maps nickname; the base commit did.
    expect(models.tables.users).toEqual(['id', 'email']);
    expect(repo.git('worktree', 'list').trim().split('\n')).toHaveLength(1);
  }, 60_000);

  it('runs without the runner secrets and with a placeholder database URL', async () => {
    const probe = `import os
import sqlalchemy as sa

metadata = sa.MetaData()
seen = sorted(k.lower() for k in os.environ if k.startswith(("INPUT_", "ACTIONS_")) or k in ("GITHUB_TOKEN", "GITHUB_OUTPUT"))
env_probe = sa.Table("env_probe", metadata, *[sa.Column(k, sa.Integer) for k in seen])
url_probe = sa.Table("url_probe", metadata, sa.Column(os.environ.get("DATABASE_URL", "none"), sa.Integer))
`;
    const { repo, base } = await repoWith({ 'app/models.py': probe, 'migrations/env.py': MODELS_ENV_PY });
    const saved = { ...process.env };
    Object.assign(process.env, {
      'INPUT_GITHUB-TOKEN': 'ghs_secret',
      ACTIONS_RUNTIME_TOKEN: 'runtime-secret',
      GITHUB_TOKEN: 'ghs_secret',
      GITHUB_OUTPUT: '/tmp/out',
    });
    try {
      const models = await load(repo, base, argv);
      expect(models.known && models.tables.env_probe).toEqual([]);
      expect(models.known && models.tables.url_probe?.[0]).toMatch(
        /^postgresql:\/\/migration-guard-models@127\.0\.0\.1:9\//,
      );
    } finally {
      for (const k of ['INPUT_GITHUB-TOKEN', 'ACTIONS_RUNTIME_TOKEN', 'GITHUB_TOKEN', 'GITHUB_OUTPUT']) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
  }, 60_000);

  it('reads an env.py that only runs online (its connection fails, module-level target_metadata is used)', async () => {
    const onlineOnly = MODELS_ENV_PY.replace('if context.is_offline_mode():', 'if False:');
    const { repo, base } = await repoWith({ 'app/models.py': modelsPy(), 'migrations/env.py': onlineOnly });
    const models = await load(repo, base, argv);
    expect(models.known && models.tables.users).toEqual(['id', 'email', 'nickname']);
  }, 60_000);

  it('says why when env.py passes no target_metadata', async () => {
    const { repo, base } = await repoWith({ 'migrations/env.py': STANDARD_ENV_PY });
    expect(await load(repo, base, argv)).toEqual({
      known: false,
      reason: 'env.py passes no target_metadata to context.configure',
    });
  }, 60_000);

  it('says why when the models do not import on the base commit', async () => {
    const broken = 'import sqlalchemy as sa\nimport not_installed_package\nmetadata = sa.MetaData()\n';
    const { repo, base } = await repoWith({ 'app/models.py': broken, 'migrations/env.py': MODELS_ENV_PY });
    expect(await load(repo, base, argv)).toEqual({
      known: false,
      reason: expect.stringMatching(
        /^env\.py failed on the base commit: ModuleNotFoundError: No module named 'not_installed_package' \(env\.py line \d+\)$/,
      ),
    });
  }, 60_000);

  it('says why when the base commit has no alembic project', async () => {
    const { repo } = await repoWith({ 'app/models.py': modelsPy(), 'migrations/env.py': MODELS_ENV_PY });
    // A base commit from before the project had alembic: an empty tree.
    const emptyTree = repo.git('hash-object', '-t', 'tree', '/dev/null').trim();
    const empty = repo.git('commit-tree', emptyTree, '-m', 'before alembic').trim();
    const models = await load(repo, empty, argv);
    expect(models).toEqual({ known: false, reason: 'alembic.ini does not exist on the base commit' });
    expect(
      execFileSync('git', ['worktree', 'list'], { cwd: repo.dir, encoding: 'utf8' }).trim().split('\n'),
    ).toHaveLength(1);
  }, 60_000);
});
