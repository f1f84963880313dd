/**
 * breaks-deployed-app on real pull requests, both Python stacks: the base release's models run
 * against the schema the pull request's revision leaves, on seeded rows. A rename of a mapped
 * column and a required column without server default fail naming the model, the column and
 * PostgreSQL's error; their compatible twins (a new nullable column, the server default, a
 * widened varchar, an unmapped table) report nothing of the kind.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../../src/log.js';
import { STANDARD_ENV_PY } from '../../helpers/git-repo.js';
import type { TestServer } from '../../helpers/postgres.js';
import { startTestServer } from '../../helpers/postgres.js';
import { testPythons } from '../roundtrip/fixtures.js';
import type { DeployCheck, PullRequestRevision } from './projects.js';
import { MODELS_PY, PULL_REQUESTS, checkAgainstRelease } from './projects.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
}, 120_000);
const checked: DeployCheck[] = [];
afterAll(async () => {
  for (const c of checked) await c.repo.cleanup();
  await server?.dispose();
});

const RULE = 'breaks-deployed-app';

describe.each(testPythons())('breaks-deployed-app with $name', ({ argv }) => {
  const run = async (
    revision: PullRequestRevision,
    extra: { models?: string; prModels?: string; envPy?: string } = {},
  ) => {
    const c = await checkAgainstRelease(revision, { python: argv, databaseUrl: server.url, ...extra });
    checked.push(c);
    return c;
  };
  const breaks = (c: DeployCheck) => c.all.filter((f) => f.rule === RULE);

  it('a rename of a mapped column fails naming the model, the column and the error', async () => {
    const c = await run(PULL_REQUESTS.renameColumn);
    const found = breaks(c);
    expect(found).toHaveLength(1);
    expect(found[0]?.severity).toBe('error');
    expect(found[0]?.message).toContain('model `User` (table `users`)');
    expect(found[0]?.message).toContain('`users.name`');
    expect(found[0]?.message).toContain('renamed to `full_name`');
    expect(found[0]?.message).toMatch(/column users\.name does not exist|column "name" .*does not exist/);
    expect(found[0]?.help).toContain('op.add_column("users", sa.Column("full_name"');
    expect(found[0]?.line).toBe(revisionLine(c, 'alter_column'));
    expect(c.report.projects[0]?.notes ?? []).toEqual([]);
    // One cause, one finding: the rename warning hangs under it.
    const roots = c.report.projects[0]?.revisions[0]?.findings ?? [];
    expect(roots.map((f) => [f.rule, f.severity, (f.related ?? []).map((r) => r.rule)])).toEqual([
      [RULE, 'error', ['rename-column']],
    ]);
  }, 240_000);

  it('its twin, a new nullable column, is quiet', async () => {
    const c = await run(PULL_REQUESTS.addNullableColumn);
    expect(breaks(c)).toEqual([]);
    expect(c.report.projects[0]?.notes ?? []).toEqual([]);
  }, 240_000);

  it('a required column without server default fails every insert of the model', async () => {
    const c = await run(PULL_REQUESTS.requiredColumn);
    const found = breaks(c);
    expect(found).toHaveLength(1);
    expect(found[0]?.message).toContain('model `User` (table `users`) never sends column `users.status`');
    expect(found[0]?.message).toContain('null value in column "status"');
    expect(found[0]?.message).toContain('INSERT INTO users');
    expect(found[0]?.help).toContain('op.alter_column("users", "status", server_default=');
  }, 240_000);

  it('its twin, the same column with a server default, is quiet', async () => {
    expect(breaks(await run(PULL_REQUESTS.requiredColumnWithDefault))).toEqual([]);
  }, 240_000);

  it('a widened varchar is quiet', async () => {
    expect(breaks(await run(PULL_REQUESTS.widenVarchar))).toEqual([]);
  }, 240_000);

  it('a dropped table the release still maps is one finding, under drop-table', async () => {
    const c = await run(PULL_REQUESTS.dropMappedTable);
    const found = breaks(c);
    expect(found).toHaveLength(1);
    expect(found[0]?.message).toContain('model `Newsletter` (table `newsletter`)');
    expect(found[0]?.message).toContain('relation "newsletter" does not exist');
    const roots = c.report.projects[0]?.revisions[0]?.findings.map((f) => f.rule);
    expect(roots).toContain('drop-table');
    expect(roots).not.toContain(RULE);
  }, 240_000);

  it('the drop rules and the probe share one models process of the base commit', async () => {
    const debug: string[] = [];
    const log: Logger = {
      info: () => undefined,
      warning: () => undefined,
      debug: (message) => debug.push(message),
      group: (_title, fn) => fn(),
    };
    const c = await checkAgainstRelease(PULL_REQUESTS.dropMappedTable, {
      python: argv,
      databaseUrl: server.url,
      log,
    });
    checked.push(c);
    // drop-table judged the drop by the base models (they were read) ...
    const base = c.repo.git('rev-parse', 'main').trim().slice(0, 12);
    const drop = c.all.find((f) => f.rule === 'drop-table');
    expect(drop?.message).toContain(`which the base branch's models still map (commit ${base})`);
    // ... and the probe ran, from the same process: no separate capture was started.
    expect(debug.some((m) => m.includes('deployed models probed'))).toBe(true);
    expect(debug.filter((m) => m.includes('base models read in'))).toEqual([]);
    expect(c.repo.git('worktree', 'list').trim().split('\n')).toHaveLength(1);
  }, 240_000);

  it('base models that do not import are one note, never a failure', async () => {
    // The base release's models need a package the pull request no longer installs.
    const c = await run(PULL_REQUESTS.addNullableColumn, {
      models: `import a_package_that_is_not_installed\n${MODELS_PY}`,
      prModels: MODELS_PY,
    });
    expect(breaks(c)).toEqual([]);
    expect(c.report.projects[0]?.notes).toEqual([
      expect.stringMatching(
        /^breaks-deployed-app: the base release's models were not run against the migrated schema: .*No module named 'a_package_that_is_not_installed'/,
      ),
    ]);
  }, 240_000);

  it('a project without models runs nothing and says nothing', async () => {
    const c = await run(PULL_REQUESTS.renameColumn, { envPy: STANDARD_ENV_PY });
    expect(breaks(c)).toEqual([]);
    expect(c.report.projects[0]?.notes).toBeUndefined();
    // Not even the upgrade to heads the probe would need.
    expect(c.report.projects[0]?.timings?.['roundTrip.atHeadsMs']).toBeUndefined();
    expect(c.report.projects[0]?.timings?.['roundTrip.headsUpgradeMs']).toBeUndefined();
  }, 240_000);

  it('its twin, dropping a table no model maps, is quiet', async () => {
    expect(breaks(await run(PULL_REQUESTS.dropUnmappedTable))).toEqual([]);
  }, 240_000);
});

function revisionLine(c: DeployCheck, needle: string): number | null {
  const rev = c.report.projects[0]?.revisions[0];
  if (!rev) return null;
  const text = readFileSync(path.join(c.repo.dir, rev.file), 'utf8');
  const index = text.split('\n').findIndex((l) => l.includes(needle));
  return index < 0 ? null : index + 1;
}
