/**
 * The built CLI (dist/cli.js) on a pull request that drops a column and a table: the bundle
 * finds dist/capture_metadata.py, reads the base branch's models through a git worktree and
 * judges the drops by them (issue 14 item 6), on the embedded local PostgreSQL.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import type { AlembicRepo, RevisionSpec } from '../helpers/git-repo.js';
import { makeAlembicRepo, revisionFile, revisionPath } from '../helpers/git-repo.js';
import { validReport } from '../helpers/report-schema.js';
import { BASE_REVISION, MODELS_ENV_PY, modelsPy } from '../integration/precision/projects.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const dist = process.env.MIGRATION_GUARD_DIST ?? path.join(root, 'dist');
const repos: AlembicRepo[] = [];
afterAll(async () => {
  for (const r of repos) await r.cleanup();
});

const DROP: RevisionSpec = {
  id: 'c3d4e5f6a7b8',
  down: BASE_REVISION.id,
  message: 'drop users nickname and the newsletter table',
  upgrade: 'op.drop_column("users", "nickname")\nop.drop_table("newsletter")',
  downgrade:
    'op.create_table("newsletter", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("address", sa.Text()))\nop.add_column("users", sa.Column("nickname", sa.String(50)))',
};

async function pullRequest(models: string): Promise<Report> {
  const repo = await makeAlembicRepo({
    revisions: [BASE_REVISION],
    files: { 'app/__init__.py': '', 'app/models.py': models, 'migrations/env.py': MODELS_ENV_PY },
  });
  repos.push(repo);
  repo.branch('pull-request');
  repo.writeFile(revisionPath(DROP), revisionFile(DROP));
  repo.commit('drop nickname and newsletter');
  const r = spawnSync(
    process.execPath,
    [
      path.join(dist, 'cli.js'),
      'check',
      '--project',
      repo.dir,
      '--base',
      'main',
      '--local-postgres',
      '--python',
      '/usr/bin/python3',
      '--seed-rows',
      '0',
      '--format',
      'json',
      '--quiet',
    ],
    { encoding: 'utf8', timeout: 240_000 },
  );
  expect(r.stderr).not.toMatch(/\n\s+at /);
  return validReport(r.stdout);
}

describe('two-step drops through the built bundle', () => {
  it('errors while the base models map the column and the table; nothing once they do not', async () => {
    const mapped = await pullRequest(modelsPy());
    const findings = mapped.projects[0]?.revisions[0]?.findings ?? [];
    expect(findings.map((f) => [f.rule, f.severity])).toEqual([
      ['two-step-column-drop', 'error'],
      ['drop-table', 'error'],
    ]);
    expect(findings[0]?.message).toContain("which the base branch's models still map (commit ");

    const unmapped = await pullRequest(modelsPy({ columns: ['users.nickname'], tables: ['newsletter'] }));
    expect(unmapped.projects[0]?.revisions[0]?.findings).toEqual([]);
  }, 480_000);
});
