/**
 * src/alembic/deploy-probe.ts with src/driver/deploy_probe.py on both Python stacks, on a real
 * PostgreSQL whose schema a pull request already migrated: the base commit's models are read
 * through env.py (an async env.py too) and exercised in a transaction that leaves nothing
 * behind; Core `Table` metadata and models that do not import. The same process answers the
 * two-step drop rules' question (what the base models map) before the probe runs, exactly as
 * loadBaseModels does on its own.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBaseModels } from '../../../src/alembic/base-models.js';
import { runDeployProbe, startDeployProbe } from '../../../src/alembic/deploy-probe.js';
import { locateProjects } from '../../../src/alembic/locate.js';
import { silentLogger } from '../../../src/log.js';
import type { AlembicRepo } from '../../helpers/git-repo.js';
import { makeAlembicRepo } from '../../helpers/git-repo.js';
import type { TestServer } from '../../helpers/postgres.js';
import { startTestServer } from '../../helpers/postgres.js';
import { testPythons } from '../roundtrip/fixtures.js';
import { ASYNC_ENV_PY, MODELS_ENV_PY, MODELS_PY } from './projects.js';

let server: TestServer;
const repos: AlembicRepo[] = [];
beforeAll(async () => {
  server = await startTestServer();
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  // The shop after a pull request renamed users.name to full_name and dropped the newsletter.
  await client.query(`
    CREATE TABLE users (id serial PRIMARY KEY, email varchar(200) NOT NULL, full_name varchar(100),
                        created_at timestamp NOT NULL);
    CREATE TABLE orders (id serial PRIMARY KEY, user_id int NOT NULL REFERENCES users(id),
                         total numeric(10, 2) NOT NULL, created_at timestamp NOT NULL);
    INSERT INTO users (email, full_name, created_at) VALUES ('a@example.com', 'A', now());
    INSERT INTO orders (user_id, total, created_at) VALUES (1, 9.5, now());`);
  await client.end();
}, 120_000);
afterAll(async () => {
  for (const r of repos) await r.cleanup();
  await server?.dispose();
});

async function probe(python: string[], files: Record<string, string>) {
  const repo = await makeAlembicRepo({ files: { 'app/__init__.py': '', ...files } });
  repos.push(repo);
  const base = repo.git('rev-parse', 'HEAD').trim();
  const [project] = await locateProjects({ projectDir: repo.dir, alembicConfigs: [] });
  if (!project) throw new Error('no project');
  const result = await runDeployProbe({
    project,
    baseCommit: base,
    python,
    databaseUrlEnv: 'DATABASE_URL',
    log: silentLogger,
    databaseUrl: server.url,
    statementTimeoutMs: 5000,
  });
  // The base commit's worktree is gone again.
  expect(repo.git('worktree', 'list').trim().split('\n')).toHaveLength(1);
  return result;
}

/** The base release's session as src/check/deploy.ts starts it, and loadBaseModels on its own. */
async function sessionAndCapture(python: string[], files: Record<string, string>) {
  const repo = await makeAlembicRepo({ files: { 'app/__init__.py': '', ...files } });
  repos.push(repo);
  const baseCommit = repo.git('rev-parse', 'HEAD').trim();
  const [project] = await locateProjects({ projectDir: repo.dir, alembicConfigs: [] });
  if (!project) throw new Error('no project');
  const req = { project, baseCommit, python, databaseUrlEnv: 'DATABASE_URL', log: silentLogger };
  const alone = await loadBaseModels(req);
  const session = await startDeployProbe(req);
  return { repo, alone, session };
}

async function rowCounts(): Promise<string> {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    const r = await client.query(
      "SELECT (SELECT count(*) FROM users) || '/' || (SELECT count(*) FROM orders) AS counts",
    );
    return String((r.rows[0] as { counts: string }).counts);
  } finally {
    await client.end();
  }
}

describe.each(testPythons())('deploy probe with $name', ({ argv }) => {
  it('names the renamed column and the dropped table of the declarative models, and leaves no row behind', async () => {
    const before = await rowCounts();
    const result = await probe(argv, { 'app/models.py': MODELS_PY, 'migrations/env.py': MODELS_ENV_PY });
    expect(result.known).toBe(true);
    if (!result.known) return;
    const summary = result.failures.map((f) => [f.model, f.table, f.column, f.kind]);
    // In the models' table order (sorted_tables).
    expect(summary).toEqual([
      ['Newsletter', 'newsletter', null, 'missing-table'],
      ['User', 'users', 'name', 'missing-column'],
    ]);
    const renamed = result.failures[1];
    expect(renamed?.operations).toEqual(['select', 'insert', 'update']);
    expect(renamed?.error).toBe('column users.name does not exist');
    expect(renamed?.sqlstate).toBe('42703');
    expect(renamed?.statement).toBe('SELECT users.name FROM users LIMIT 1');
    expect(result.tables).toBe(3);
    expect(await rowCounts()).toBe(before);
  }, 120_000);

  it('reads the models through an async env.py (run_sync template)', async () => {
    const result = await probe(argv, { 'app/models.py': MODELS_PY, 'migrations/env.py': ASYNC_ENV_PY });
    expect(result.known && result.failures.map((f) => `${f.table}.${f.column ?? ''}`)).toEqual([
      'newsletter.',
      'users.name',
    ]);
  }, 120_000);

  it('works on Core Table metadata: the table is named, no model class', async () => {
    const core = `import sqlalchemy as sa
metadata = sa.MetaData()
users = sa.Table("users", metadata, sa.Column("id", sa.Integer, primary_key=True),
                 sa.Column("email", sa.String(200), nullable=False), sa.Column("name", sa.String(100)),
                 sa.Column("created_at", sa.DateTime, nullable=False, server_default=sa.func.now()))
`;
    const result = await probe(argv, { 'app/models.py': core, 'migrations/env.py': MODELS_ENV_PY });
    expect(result.known && result.failures.map((f) => [f.model, f.table, f.column, f.kind])).toEqual([
      [null, 'users', 'name', 'missing-column'],
      // The model expects a server default the migrated column no longer has.
      [null, 'users', 'created_at', 'not-null'],
    ]);
  }, 120_000);

  it('models that do not import are a reason, not a failure', async () => {
    const result = await probe(argv, {
      'app/models.py': 'import a_package_that_is_not_installed\n',
      'migrations/env.py': MODELS_ENV_PY,
    });
    expect(result).toEqual({
      known: false,
      reason: expect.stringContaining("No module named 'a_package_that_is_not_installed'"),
    });
  }, 120_000);

  it('answers the base models before the probe runs, as loadBaseModels does alone', async () => {
    const { repo, alone, session } = await sessionAndCapture(argv, {
      'app/models.py': MODELS_PY,
      'migrations/env.py': MODELS_ENV_PY,
    });
    try {
      // Settles while the process waits for the database: the round trip has not even started.
      const shared = await session.baseModels;
      expect(alone.known && Object.keys(alone.tables).sort()).toEqual(['newsletter', 'orders', 'users']);
      expect(shared).toEqual(alone);
      const result = await session.run(server.url, 5000);
      expect(result.known && result.failures.map((f) => `${f.table}.${f.column ?? ''}`)).toEqual([
        'newsletter.',
        'users.name',
      ]);
    } finally {
      await session.close();
    }
    expect(repo.git('worktree', 'list').trim().split('\n')).toHaveLength(1);
  }, 120_000);

  it('closed without running, the base models are still answered and nothing is left', async () => {
    const { repo, alone, session } = await sessionAndCapture(argv, {
      'app/models.py': MODELS_PY,
      'migrations/env.py': MODELS_ENV_PY,
    });
    await session.close();
    expect(await session.baseModels).toEqual(alone);
    expect(await session.run(server.url, 5000)).toEqual({ known: false, reason: 'not run' });
    expect(repo.git('worktree', 'list').trim().split('\n')).toHaveLength(1);
  }, 120_000);

  it('models that do not import give the base-models stage the same reason as alone', async () => {
    const { alone, session } = await sessionAndCapture(argv, {
      'app/models.py': 'import a_package_that_is_not_installed\n',
      'migrations/env.py': MODELS_ENV_PY,
    });
    try {
      expect(alone).toEqual({
        known: false,
        reason: expect.stringContaining("No module named 'a_package_that_is_not_installed'"),
      });
      expect(await session.baseModels).toEqual(alone);
    } finally {
      await session.close();
    }
  }, 120_000);
});
