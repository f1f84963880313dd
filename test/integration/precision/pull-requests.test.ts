/**
 * Issue 14 items 1, 2 and 6 as pull requests: a real git repository (base branch `main` with
 * the shop schema and its models, a pull-request branch with one revision), `check` against
 * `main` on a real PostgreSQL, on both Python stacks, with the exact findings asserted (rule,
 * line, severity). Each case has a twin that differs only in what the rule is about.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../../helpers/postgres.js';
import { startTestServer } from '../../helpers/postgres.js';
import { testPythons } from '../roundtrip/fixtures.js';
import type { CheckedPullRequest, PullRequest } from './projects.js';
import { checkPullRequest, modelsPy } from './projects.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
}, 120_000);
afterAll(async () => {
  await server?.dispose();
});

const checked: CheckedPullRequest[] = [];
afterAll(async () => {
  for (const c of checked) await c.repo.cleanup();
});

/** 1-based line of the first line of the pull request's revision file containing `needle`. */
function line(pr: CheckedPullRequest, needle: string, nth = 1): number {
  const lines = readFileSync(path.join(pr.repo.dir, pr.file), 'utf8').split('\n');
  let seen = 0;
  const index = lines.findIndex((l) => l.includes(needle) && ++seen === nth);
  if (index < 0) throw new Error(`${needle} not in ${pr.file}`);
  return index + 1;
}

/** A table flattening as real projects write it: copy rows into a new table, drop indexes and the old tables, rename the new one. */
function flattening(opts: { dropOldTables: boolean; indexNewForeignKey: boolean }): PullRequest['revision'] {
  return {
    id: 'b2c3d4e5f6a7',
    message: 'flatten post tags and meta into post attributes',
    upgrade: `op.create_table(
    "post_attributes_new",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("post_id", sa.Integer(), sa.ForeignKey("posts.id", name="fk_post_attributes_post_id_posts"), nullable=False),
    sa.Column("tag", sa.String(50)),
    sa.Column("meta", sa.Text()),
)
${opts.indexNewForeignKey ? 'op.create_index("ix_post_attributes_post_id", "post_attributes_new", ["post_id"])\n' : ''}op.execute(
    "INSERT INTO post_attributes_new (post_id, tag, meta) "
    "SELECT t.post_id, t.tag, m.meta FROM post_tags t LEFT JOIN post_meta m ON m.post_id = t.post_id"
)
op.drop_index("ix_post_tags_post_id", table_name="post_tags")
op.drop_index("ix_post_tags_tag", table_name="post_tags")
op.drop_index("ix_post_meta_post_id", table_name="post_meta")
${opts.dropOldTables ? 'op.drop_table("post_tags")\nop.drop_table("post_meta")\n' : ''}op.rename_table("post_attributes_new", "post_attributes")`,
    downgrade: `op.drop_table("post_attributes")
${
  opts.dropOldTables
    ? `op.create_table(
    "post_tags",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("post_id", sa.Integer(), sa.ForeignKey("posts.id", name="fk_post_tags_post_id_posts"), nullable=False),
    sa.Column("tag", sa.String(50), nullable=False),
)
op.create_table(
    "post_meta",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("post_id", sa.Integer(), sa.ForeignKey("posts.id", name="fk_post_meta_post_id_posts"), nullable=False),
    sa.Column("meta", sa.Text()),
)
`
    : ''
}op.create_index("ix_post_tags_post_id", "post_tags", ["post_id"])
op.create_index("ix_post_tags_tag", "post_tags", ["tag"])
op.create_index("ix_post_meta_post_id", "post_meta", ["post_id"])`,
  };
}

describe.each(testPythons())('issue 14 precision pull requests with $name', ({ argv }) => {
  const run = async (pr: PullRequest): Promise<CheckedPullRequest> => {
    const result = await checkPullRequest(pr, { python: argv, databaseUrl: server.url });
    checked.push(result);
    const revision = result.report.projects[0]?.revisions[0];
    // Every fixture's round trip itself is clean: the findings below are the SQL rules'.
    expect(revision?.schemaRestored, JSON.stringify(result.findings)).toBe(true);
    return result;
  };

  it('table flattening: no require-concurrent-index-drop, no foreign-key-without-index, no rename-table', async () => {
    const pr = await run({
      revision: flattening({ dropOldTables: true, indexNewForeignKey: true }),
      baseModels: modelsPy(),
    });
    // The base application still maps both old tables: dropping them is the one true finding.
    expect(pr.findings).toEqual([
      ['drop-table', line(pr, 'op.drop_table("post_tags")'), 'error'],
      ['drop-table', line(pr, 'op.drop_table("post_meta")'), 'error'],
    ]);
  }, 120_000);

  it('twin: old tables kept and the new foreign key unindexed', async () => {
    const pr = await run({
      revision: flattening({ dropOldTables: false, indexNewForeignKey: false }),
      baseModels: modelsPy(),
    });
    expect(pr.findings).toEqual([
      ['foreign-key-without-index', line(pr, 'op.create_table('), 'warning'],
      ['require-concurrent-index-drop', line(pr, 'op.drop_index("ix_post_tags_post_id"'), 'error'],
      ['require-concurrent-index-drop', line(pr, 'op.drop_index("ix_post_tags_tag"'), 'error'],
      ['require-concurrent-index-drop', line(pr, 'op.drop_index("ix_post_meta_post_id"'), 'error'],
    ]);
  }, 120_000);
});
