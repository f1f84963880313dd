import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PublishInput } from '../../../src/github/comment.js';
import { createOctokit, marker, markerKey, publishComment } from '../../../src/github/comment.js';
import type { FakeGitHub } from '../../helpers/fake-github.js';
import { startFakeGitHub } from '../../helpers/fake-github.js';
import { cleanReport, project, report } from '../markdown/sample-report.js';

const target = { owner: 'acme', repo: 'shop', issueNumber: 7 };
const mark = marker('alembic.ini');

function input(overrides: Partial<PublishInput> = {}): PublishInput {
  return {
    key: 'alembic.ini',
    body: 'report body v1',
    resolvedBody: 'resolved',
    failing: true,
    policy: 'always',
    ...overrides,
  };
}

describe('publishComment against the fake GitHub API', () => {
  let gh: FakeGitHub;
  beforeEach(async () => {
    gh = await startFakeGitHub();
  });
  afterEach(async () => {
    await gh.close();
  });
  const octokit = () => createOctokit('test-token', gh.url);

  it('creates one comment with the marker, then updates it in place', async () => {
    const first = await publishComment(octokit(), target, input());
    expect(first.action).toBe('created');
    expect(gh.comments).toHaveLength(1);
    expect(gh.comments[0]!.body).toBe(`${mark}\nreport body v1`);
    expect(gh.comments[0]!.user.login).toBe('github-actions[bot]');
    expect(gh.requests[0]!.authorization).toBe('token test-token');

    const second = await publishComment(octokit(), target, input({ body: 'report body v2' }));
    expect(second).toMatchObject({ action: 'updated', commentId: first.commentId });
    expect(gh.comments).toHaveLength(1);
    expect(gh.comments[0]!.body).toBe(`${mark}\nreport body v2`);
    expect(gh.writes().map((r) => r.method)).toEqual(['POST', 'PATCH']);
  });

  it('makes no write call when the body is unchanged', async () => {
    await publishComment(octokit(), target, input());
    const writesBefore = gh.writes().length;
    const again = await publishComment(octokit(), target, input());
    expect(again.action).toBe('unchanged');
    expect(gh.writes()).toHaveLength(writesBefore);
  });

  it('finds its comment beyond the first page (Link pagination, per_page=100)', async () => {
    for (let i = 0; i < 150; i++) gh.addComment('acme/shop', 7, `chatter ${i}`, 'alice');
    const ours = gh.addComment('acme/shop', 7, `${mark}\nold`, 'github-actions[bot]');
    const result = await publishComment(octokit(), target, input());
    expect(result).toMatchObject({ action: 'updated', commentId: ours.id });
    const pages = gh.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/comments'));
    expect(pages.map((r) => r.query.page ?? '1')).toEqual(['1', '2']);
    expect(pages[0]!.query.per_page).toBe('100');
  });

  it("leaves another user's comment carrying our marker alone", async () => {
    const foreign = gh.addComment('acme/shop', 7, `${mark}\nquoted by a human`, 'mallory');
    const result = await publishComment(octokit(), target, input());
    expect(result.action).toBe('created');
    expect(gh.comments).toHaveLength(2);
    expect(gh.comments.find((c) => c.id === foreign.id)!.body).toBe(`${mark}\nquoted by a human`);
  });

  it("uses the token's user when GET /user answers (personal token)", async () => {
    gh.options.tokenUser = 'deploy-bot';
    const botComment = gh.addComment('acme/shop', 7, `${mark}\nby actions`, 'github-actions[bot]');
    const result = await publishComment(octokit(), target, input());
    expect(result.action).toBe('created');
    expect(gh.comments.at(-1)!.user.login).toBe('deploy-bot');
    expect(gh.comments.find((c) => c.id === botComment.id)!.body).toBe(`${mark}\nby actions`);
  });

  it('keeps one comment per marker key', async () => {
    await publishComment(octokit(), target, input({ key: 'svc-a/alembic.ini' }));
    await publishComment(octokit(), target, input({ key: 'svc-b/alembic.ini' }));
    await publishComment(octokit(), target, input({ key: 'svc-a/alembic.ini', body: 'v2' }));
    expect(gh.comments.map((c) => c.body)).toEqual([
      `${marker('svc-a/alembic.ini')}\nv2`,
      `${marker('svc-b/alembic.ini')}\nreport body v1`,
    ]);
  });

  it('a marker that is not the first line claims nothing, even in our own comment', async () => {
    // Our comments quote executed SQL: another project's job must not take this one over.
    const quoting = gh.addComment(
      'acme/shop',
      7,
      `${marker('other/alembic.ini')}\n\n\`\`\`sql\nSELECT '${mark}';\n\`\`\``,
      'github-actions[bot]',
    );
    const indented = gh.addComment('acme/shop', 7, ` ${mark}\nleading space`, 'github-actions[bot]');
    const sameLine = gh.addComment('acme/shop', 7, `${mark} trailing text\nbody`, 'github-actions[bot]');
    const result = await publishComment(octokit(), target, input());
    expect(result.action).toBe('created');
    expect(gh.comments).toHaveLength(4);
    for (const untouched of [quoting, indented, sameLine]) {
      expect(gh.writes().some((w) => w.path.endsWith(`/comments/${untouched.id}`))).toBe(false);
    }
    expect(gh.comments.at(-1)!.body.startsWith(`${mark}\n`)).toBe(true);
  });

  it('on-failure: no comment for a clean PR, a "resolved" update when it becomes clean', async () => {
    const clean = await publishComment(octokit(), target, input({ policy: 'on-failure', failing: false }));
    expect(clean.action).toBe('skipped');
    expect(gh.writes()).toHaveLength(0);

    await publishComment(octokit(), target, input({ policy: 'on-failure', failing: true }));
    const fixed = await publishComment(octokit(), target, input({ policy: 'on-failure', failing: false }));
    expect(fixed.action).toBe('updated');
    expect(gh.comments).toHaveLength(1);
    expect(gh.comments[0]!.body).toBe(`${mark}\nresolved`);
  });

  it('never: makes no API call at all', async () => {
    const result = await publishComment(octokit(), target, input({ policy: 'never' }));
    expect(result.action).toBe('skipped');
    expect(gh.requests).toHaveLength(0);
  });

  it.each([403, 404])('turns HTTP %i on create into a message that says what to do', async (status) => {
    gh.options.failCreate = status;
    const result = await publishComment(octokit(), target, input());
    expect(result.action).toBe('failed');
    expect(result.reason).toContain(`HTTP ${status}`);
    expect(result.reason).toContain('pull-requests: write');
    expect(result.reason).toContain('mode: comment');
    expect(result.reason).not.toContain('\n');
  });

  it('reports other failures (HTTP 500 on list) as failed, without throwing', async () => {
    gh.options.failList = 500;
    const result = await publishComment(octokit(), target, input());
    expect(result.action).toBe('failed');
    expect(result.reason).toMatch(/^cannot comment on the pull request: HTTP 500/);
  });
});

describe('markerKey', () => {
  it('is the project id for one project and "report" for several', () => {
    expect(markerKey(cleanReport())).toBe('alembic.ini');
    expect(
      markerKey(report([project([], { id: 'a/alembic.ini' }), project([], { id: 'b/alembic.ini' })])),
    ).toBe('report');
  });

  it('cannot close the HTML comment it lives in', () => {
    const key = markerKey(report([project([], { id: 'x --> <b>' })]));
    expect(key).toBe('x_--___b_');
    expect(marker(key).indexOf('-->')).toBe(marker(key).length - 3);
  });
});
