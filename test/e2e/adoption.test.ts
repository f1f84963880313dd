/**
 * The built action (dist/index.js) against the fake GitHub API, for what a new user of the
 * action meets first (issue "Adoption"):
 * - a pull request that touches no migration gets no comment, and one that had a comment
 *   before gets it turned into "no longer touched";
 * - the `comment-url` output names the comment that was created or updated;
 * - rule doc links follow GITHUB_ACTION_REPOSITORY / GITHUB_ACTION_REF (the `uses:` of the step);
 * - more findings per level than `max-annotations` (default 10, GitHub's own cap) give that
 *   many annotations plus one that says how many more there are.
 * Every JSON report these runs write is validated against schema/report.schema.json.
 * Real parts: an Alembic git repository, /usr/bin/python3 with alembic, a local PostgreSQL.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import type { FakeGitHub } from '../helpers/fake-github.js';
import { startFakeGitHub } from '../helpers/fake-github.js';
import type { AlembicRepo } from '../helpers/git-repo.js';
import { makeAlembicRepo, revisionFile, revisionPath } from '../helpers/git-repo.js';
import type { TestServer } from '../helpers/postgres.js';
import { startTestServer } from '../helpers/postgres.js';
import { assertValidReport } from '../helpers/report-schema.js';
import type { ActionRun } from './action-harness.js';
import { ActionRunner, assertBundle, prPayload } from './action-harness.js';

const MARKER = '<!-- migration-guard:alembic.ini -->';
const INDEXES = 12; // more than GitHub's 10 annotations per level

let pg: TestServer;
let gh: FakeGitHub;
let repo: AlembicRepo;
let baseSha: string;
let docsOnlySha: string;
let manySha: string;
let scratch: string;
const runner = new ActionRunner();

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

beforeAll(async () => {
  assertBundle();
  [pg, gh] = await Promise.all([startTestServer(), startFakeGitHub()]);
  scratch = mkdtempSync(path.join(tmpdir(), 'mg-e2e-adoption-'));
  // The base: a table with one index per column. The settings make dropping an index a warning,
  // so the pull request below has more than 10 findings of each level.
  repo = await makeAlembicRepo({
    files: {
      '.migration-guard.yml': 'rules:\n  require-concurrent-index-drop: warning\n',
      'README.md': '# shop\n',
    },
    revisions: [
      {
        id: 'a1',
        down: null,
        message: 'create users',
        upgrade: [
          `op.create_table('users', sa.Column('id', sa.Integer, primary_key=True), ${range(INDEXES)
            .map((i) => `sa.Column('c${i}', sa.Integer)`)
            .join(', ')})`,
          ...range(INDEXES).map((i) => `op.create_index('ix_users_old_${i}', 'users', ['c${i}'])`),
        ].join('\n'),
        downgrade: "op.drop_table('users')",
      },
    ],
  });
  baseSha = repo.git('rev-parse', 'HEAD').trim();

  repo.branch('docs-only');
  repo.writeFile('README.md', '# shop\n\nNow with a paragraph and no migration.\n');
  docsOnlySha = repo.commit('docs only');

  repo.checkout('main');
  repo.branch('many');
  const many = {
    id: 'b2',
    down: 'a1',
    message: 'reindex users',
    upgrade: [
      ...range(INDEXES).map((i) => `op.create_index('ix_users_new_${i}', 'users', ['c${i}', 'id'])`),
      ...range(INDEXES).map((i) => `op.drop_index('ix_users_old_${i}', table_name='users')`),
    ].join('\n'),
    downgrade: [
      ...range(INDEXES).map((i) => `op.create_index('ix_users_old_${i}', 'users', ['c${i}'])`),
      ...range(INDEXES).map((i) => `op.drop_index('ix_users_new_${i}', table_name='users')`),
    ].join('\n'),
  };
  repo.writeFile(revisionPath(many), revisionFile(many));
  manySha = repo.commit('reindex users');
}, 180_000);

afterAll(async () => {
  await Promise.all([pg?.dispose(), gh?.close(), repo?.cleanup()]);
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  runner.cleanup();
});

function run(
  pr: number,
  headSha: string,
  inputs: Record<string, string> = {},
  env: Record<string, string> = {},
): Promise<ActionRun> {
  repo.checkout(headSha);
  return runner.run({
    workspace: repo.dir,
    apiUrl: gh.url,
    eventName: 'pull_request',
    payload: prPayload(pr, baseSha, headSha),
    inputs: { python: '/usr/bin/python3', 'database-url': pg.url, ...inputs },
    env,
  });
}

const commentsOn = (pr: number) => gh.comments.filter((c) => c.issueNumber === pr);
const commentUrl = (pr: number, id: number) => `${gh.url}/acme/shop/pull/${pr}#issuecomment-${id}`;

function reportOf(r: ActionRun): Report {
  const text = readFileSync(r.outputs['report-path']!, 'utf8');
  assertValidReport(text, 'the action report');
  return JSON.parse(text) as Report;
}

/** The annotation commands of one level: per finding (with a file), and the "N more" ones. */
function annotations(r: ActionRun, level: 'error' | 'warning') {
  const lines = r.stdout.split('\n').filter((l) => l.startsWith(`::${level} `));
  return {
    perFinding: lines.filter((l) => /[ ,]file=/.test(l)),
    more: lines.filter((l) => l.includes('not annotated (max-annotations:')),
  };
}

describe('a pull request that touches no migration', () => {
  it('gets no comment, an empty comment-url, and a report that says the project was skipped', async () => {
    const r = await run(31, docsOnlySha);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(commentsOn(31)).toHaveLength(0);
    expect(gh.writes()).toHaveLength(0);
    expect(r.outputs['comment-url']).toBe('');
    expect(r.outputs.passed).toBe('true');
    const report = reportOf(r);
    expect(report.projects[0]!.skipped).toMatch(/no migration changed/);
    expect(report.projects[0]!.revisions).toEqual([]);
  }, 120_000);

  it('turns the comment an earlier push got into "no longer touched", and outputs its URL', async () => {
    const earlier = gh.addComment(
      'acme/shop',
      32,
      `${MARKER}\n### ❌ migration-guard: 1 error`,
      'github-actions[bot]',
    );
    const r = await run(32, docsOnlySha);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(commentsOn(32)).toHaveLength(1);
    const body = commentsOn(32)[0]!.body;
    expect(body.startsWith(`${MARKER}\n### ✅ migration-guard: migrations no longer touched`)).toBe(true);
    expect(body).toContain('no longer changes any migration');
    expect(gh.requests.filter((q) => q.method === 'PATCH' && q.path.endsWith(`/${earlier.id}`))).toHaveLength(
      1,
    );
    expect(gh.requests.some((q) => q.method === 'POST')).toBe(false);
    expect(r.outputs['comment-url']).toBe(commentUrl(32, earlier.id));
    reportOf(r);

    // The next push that still touches no migration leaves it as it is.
    const writes = gh.writes().length;
    const again = await run(32, docsOnlySha);
    expect(again.code).toBe(0);
    expect(gh.writes()).toHaveLength(writes);
    expect(again.outputs['comment-url']).toBe(commentUrl(32, earlier.id));
  }, 180_000);
});

describe('a pull request with more findings than GitHub shows', () => {
  let first: ActionRun;
  const sarifFile = () => path.join(scratch, 'many.sarif');

  beforeAll(async () => {
    first = await run(
      33,
      manySha,
      { 'sarif-file': sarifFile() },
      // As the runner sets them for `uses: acme/migration-guard@v1.2.3`.
      { GITHUB_ACTION_REPOSITORY: 'acme/migration-guard', GITHUB_ACTION_REF: 'v1.2.3' },
    );
  }, 240_000);

  it('fails, creates one comment and outputs its URL', () => {
    expect(first.code, first.stdout + first.stderr).toBe(1);
    expect(commentsOn(33)).toHaveLength(1);
    const created = commentsOn(33)[0]!;
    expect(created.body.startsWith(`${MARKER}\n### ❌ migration-guard`)).toBe(true);
    expect(first.outputs['comment-url']).toBe(commentUrl(33, created.id));
    // The findings come from the real round trip, not from a static run.
    const project = reportOf(first).projects[0]!;
    expect(project.mode).toBe('full');
    expect(project.revisions.map((r) => [r.id, r.steps.map((s) => s.phase), r.schemaRestored])).toEqual([
      ['b2', ['upgrade', 'downgrade', 'reupgrade'], true],
    ]);
    // On seeded rows (seed-rows defaults to 300): the report carries the seed and observations.
    expect(project.seed?.tables.users).toBe(300);
    expect(project.revisions[0]!.data?.verdict).toBe('ok');
    const observed = project.revisions[0]!.steps[0]!.statements.filter((st) => st.observed);
    expect(observed.length).toBeGreaterThanOrEqual(INDEXES);
  });

  it('annotates 10 findings per level and sums up the rest in one annotation each', () => {
    const errors = Number(first.outputs.errors);
    const warnings = Number(first.outputs.warnings);
    expect(errors).toBeGreaterThanOrEqual(INDEXES);
    expect(warnings).toBeGreaterThanOrEqual(INDEXES);
    const e = annotations(first, 'error');
    const w = annotations(first, 'warning');
    expect(e.perFinding).toHaveLength(10);
    expect(w.perFinding).toHaveLength(10);
    expect(e.more).toEqual([
      expect.stringContaining(`${errors - 10} more errors not annotated (max-annotations: 10)`),
    ]);
    expect(w.more).toEqual([
      expect.stringContaining(`${warnings - 10} more warnings not annotated (max-annotations: 10)`),
    ]);
    expect(e.perFinding.every((l) => l.includes('file=migrations/versions/b2_reindex_users.py'))).toBe(true);
    expect(w.perFinding.some((l) => l.includes('title=require-concurrent-index-drop'))).toBe(true);
  });

  it('links rule docs to GITHUB_ACTION_REPOSITORY at GITHUB_ACTION_REF: comment, summary, report, SARIF', () => {
    const docs = 'https://github.com/acme/migration-guard/blob/v1.2.3/rules/';
    const body = commentsOn(33)[0]!.body;
    expect(body).toContain(`${docs}require-concurrent-index.md`);
    expect(first.summary).toContain(`${docs}require-concurrent-index-drop.md`);
    const report = reportOf(first);
    const findings = report.projects.flatMap((p) => [
      ...p.findings,
      ...p.revisions.flatMap((r) => r.findings),
    ]);
    expect(findings.length).toBeGreaterThanOrEqual(2 * INDEXES);
    for (const f of findings) expect(f.docsUrl).toBe(`${docs}${f.rule}.md`);
    const sarif = JSON.parse(readFileSync(sarifFile(), 'utf8')) as {
      runs: Array<{ tool: { driver: { rules: Array<{ id: string; helpUri: string }> } } }>;
    };
    for (const rule of sarif.runs[0]!.tool.driver.rules) expect(rule.helpUri).toBe(`${docs}${rule.id}.md`);
    expect(`${body}\n${first.summary}\n${readFileSync(sarifFile(), 'utf8')}`).not.toMatch(
      /github\.com\/[\w.-]+\/migration-guard\/blob\/(?!v1\.2\.3\/)/,
    );
  });

  it('max-annotations changes the cap; without GITHUB_ACTION_* the links keep the default', async () => {
    const r = await run(33, manySha, { 'max-annotations': '3' });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const errors = Number(r.outputs.errors);
    const warnings = Number(r.outputs.warnings);
    const e = annotations(r, 'error');
    const w = annotations(r, 'warning');
    expect(e.perFinding).toHaveLength(3);
    expect(w.perFinding).toHaveLength(3);
    expect(e.more).toEqual([
      expect.stringContaining(`${errors - 3} more errors not annotated (max-annotations: 3)`),
    ]);
    expect(w.more).toEqual([
      expect.stringContaining(`${warnings - 3} more warnings not annotated (max-annotations: 3)`),
    ]);
    // The same comment, edited: its links changed with the docs base.
    expect(commentsOn(33)).toHaveLength(1);
    expect(r.outputs['comment-url']).toBe(commentUrl(33, commentsOn(33)[0]!.id));
    const report = reportOf(r);
    const first = report.projects[0]!.revisions[0]!.findings[0]!;
    expect(first.docsUrl).not.toContain('acme/migration-guard');
    expect(first.docsUrl).toMatch(/^https:\/\/github\.com\/[\w.-]+\/migration-guard\/blob\/[\w.-]+\/rules\//);
  }, 240_000);
});
