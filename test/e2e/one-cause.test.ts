/**
 * One cause, one finding, through the built CLI (dist/cli.js) on the embedded local PostgreSQL
 * with seeded rows, on both Python stacks: a NOT NULL column without a default on a populated
 * table is one root finding with the observed failure as its evidence; an intentional drop
 * (the base models no longer map it, or an inline ignore says why) does not fail the pull
 * request on the data the downgrade cannot give back; an audit without --base judges the
 * history's drops by the models at HEAD.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Finding, Report } from '../../src/report/model.js';
import type { AlembicRepo, RevisionSpec } from '../helpers/git-repo.js';
import { makeAlembicRepo, revisionFile, revisionPath } from '../helpers/git-repo.js';
import { validReport } from '../helpers/report-schema.js';
import { BASE_REVISION, MODELS_ENV_PY, modelsPy } from '../integration/precision/projects.js';
import { testPythons } from '../integration/roundtrip/fixtures.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const dist = process.env.MIGRATION_GUARD_DIST ?? path.join(root, 'dist');
const repos: AlembicRepo[] = [];
afterAll(async () => {
  for (const r of repos) await r.cleanup();
});

const ADD_PLAN: Omit<RevisionSpec, 'down'> = {
  id: 'b1c2d3e4f5a6',
  message: 'users get a plan',
  upgrade: 'op.add_column("users", sa.Column("plan", sa.Text(), nullable=False))',
  downgrade: 'op.drop_column("users", "plan")',
};

const DROP_NICKNAME: Omit<RevisionSpec, 'down'> = {
  id: 'c3d4e5f6a7b8',
  message: 'drop users nickname and the newsletter table',
  upgrade: 'op.drop_column("users", "nickname")\nop.drop_table("newsletter")',
  downgrade:
    'op.create_table("newsletter", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("address", sa.Text()))\nop.add_column("users", sa.Column("nickname", sa.String(50)))',
};

const DROP_NICKNAME_IGNORED: Omit<RevisionSpec, 'down'> = {
  id: 'd4e5f6a7b8c9',
  message: 'drop users nickname',
  upgrade:
    '# migration-guard: ignore two-step-column-drop, breaks-deployed-app -- the app stopped reading nickname in release 4.2\nop.drop_column("users", "nickname")',
  downgrade: 'op.add_column("users", sa.Column("nickname", sa.String(50)))',
};

interface Run {
  status: number | null;
  report: Report;
  findings: Finding[];
}

function runCli(
  repo: AlembicRepo,
  python: string[],
  args: string[],
  format = 'json',
): { status: number | null; stdout: string } {
  const r = spawnSync(
    process.execPath,
    [
      path.join(dist, 'cli.js'),
      'check',
      '--project',
      repo.dir,
      '--local-postgres',
      '--python',
      python.join(' '),
      '--format',
      format,
      '--quiet',
      ...args,
    ],
    { encoding: 'utf8', timeout: 240_000 },
  );
  expect(r.stderr).not.toMatch(/\n\s+at /);
  return { status: r.status, stdout: r.stdout };
}

function check(repo: AlembicRepo, python: string[], args: string[]): Run {
  const { status, stdout } = runCli(repo, python, args);
  const report = validReport(stdout);
  const findings = report.projects.flatMap((p) => [...p.findings, ...p.revisions.flatMap((x) => x.findings)]);
  return { status, report, findings };
}

async function pullRequest(revision: Omit<RevisionSpec, 'down'>, baseModels: string): Promise<AlembicRepo> {
  const repo = await makeAlembicRepo({
    revisions: [BASE_REVISION],
    files: { 'app/__init__.py': '', 'app/models.py': baseModels, 'migrations/env.py': MODELS_ENV_PY },
  });
  repos.push(repo);
  repo.branch('pull-request');
  const spec: RevisionSpec = { ...revision, down: BASE_REVISION.id };
  repo.writeFile(revisionPath(spec), revisionFile(spec));
  repo.commit(`pull request: ${revision.message ?? revision.id}`);
  return repo;
}

const ruleOf = (f: Finding) => [f.rule, f.severity, f.ignored, (f.related ?? []).map((r) => r.rule)];

describe.each(testPythons())('one cause, one finding ($name)', ({ argv }) => {
  it('a NOT NULL column without a default on a seeded table is one root with the failure as evidence', async () => {
    const repo = await pullRequest(ADD_PLAN, modelsPy());
    const run = check(repo, argv, ['--base', 'main']);
    expect(run.status).toBe(1);
    // The running release never sends the column: its inserts fail too, the same cause.
    expect(run.findings.map(ruleOf)).toEqual([
      ['not-null-column-without-default', 'error', false, ['upgrade-fails-with-data', 'breaks-deployed-app']],
    ]);
    const root = run.findings[0];
    expect(root?.statement).toMatch(/ALTER TABLE users ADD COLUMN plan TEXT NOT NULL/);
    // The message says what this run saw: the statement failed on the seeded rows.
    expect(root?.message).toMatch(/it failed here on the \d+ row\(s\) "users" held/);
    expect(root?.message).not.toContain('the test database is empty');
    expect(root?.related?.[0]?.message).toMatch(/NotNullViolation[\s\S]*Example row: users/);
    expect(run.report.summary.errors).toBe(1);

    const md = runCli(repo, argv, ['--base', 'main'], 'markdown').stdout;
    expect(md).toMatch(
      /> `b1c2d3e4f5a6` fails to upgrade on tables with rows: \*\*not-null-column-without-default\*\*/,
    );
    expect(md).not.toContain('cannot be rolled back');
    const findingsPart = md.split('<details>')[0] ?? '';
    expect(findingsPart.match(/ALTER TABLE users ADD COLUMN plan TEXT NOT NULL/g)).toHaveLength(1);
  }, 240_000);

  it('an intentional drop the base models no longer map passes: the lost values are the drop’s, not the downgrade’s', async () => {
    const repo = await pullRequest(
      DROP_NICKNAME,
      modelsPy({ columns: ['users.nickname'], tables: ['newsletter'] }),
    );
    const run = check(repo, argv, ['--base', 'main']);
    expect(run.findings.map(ruleOf)).toEqual([]);
    expect(run.status).toBe(0);
    // The round trip did run on the seeded rows.
    expect(run.report.projects[0]?.revisions[0]?.data?.rows.users).toBeGreaterThan(0);
    expect(run.report.projects[0]?.revisions[0]?.data?.verdict).toBe('ok');
  }, 240_000);

  it('an intentional drop carrying an inline ignore with its reason passes', async () => {
    const repo = await pullRequest(DROP_NICKNAME_IGNORED, modelsPy());
    const run = check(repo, argv, ['--base', 'main']);
    // The base models still map the column, so the running release's queries of it fail too:
    // the ignore names both rules, and each finding keeps its reason.
    expect(run.findings.map(ruleOf)).toEqual([
      ['breaks-deployed-app', 'error', true, []],
      ['two-step-column-drop', 'error', true, []],
    ]);
    for (const f of run.findings)
      expect(f.ignoreReason).toBe('the app stopped reading nickname in release 4.2');
    expect(run.status).toBe(0);
  }, 240_000);

  it('an audit without --base judges historical drops by the models at HEAD and says so', async () => {
    const history: RevisionSpec = { ...DROP_NICKNAME, down: BASE_REVISION.id };
    const unmapped = await makeAlembicRepo({
      revisions: [BASE_REVISION, history],
      files: {
        'app/__init__.py': '',
        'app/models.py': modelsPy({ columns: ['users.nickname'], tables: ['newsletter'] }),
        'migrations/env.py': MODELS_ENV_PY,
      },
    });
    repos.push(unmapped);
    const clean = check(unmapped, argv, ['--all']);
    expect(clean.findings.map(ruleOf)).toEqual([]);
    expect(clean.status).toBe(0);

    // HEAD's models still map what the history dropped: the error names the models it used.
    const mapped = await makeAlembicRepo({
      revisions: [BASE_REVISION, history],
      files: { 'app/__init__.py': '', 'app/models.py': modelsPy(), 'migrations/env.py': MODELS_ENV_PY },
    });
    repos.push(mapped);
    const head = mapped.git('rev-parse', 'HEAD').trim().slice(0, 12);
    const drift = check(mapped, argv, ['--all']);
    expect(drift.findings.map(ruleOf)).toEqual([
      ['two-step-column-drop', 'error', false, []],
      ['drop-table', 'error', false, []],
    ]);
    for (const f of drift.findings) {
      expect(f.message).toContain(`which the models at HEAD still map (commit ${head}; no --base`);
    }
  }, 480_000);
});
