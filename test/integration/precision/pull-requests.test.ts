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

  const dropNickname = (ignore: boolean): PullRequest['revision'] => ({
    id: 'c3d4e5f6a7b8',
    message: 'drop users nickname and the newsletter table',
    upgrade: `${ignore ? '# migration-guard: ignore two-step-column-drop -- nickname unmapped since release 41\n' : ''}op.drop_column("users", "nickname")
${ignore ? '# migration-guard: ignore drop-table -- newsletter model removed in release 41\n' : ''}op.drop_table("newsletter")`,
    downgrade: `op.create_table("newsletter", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("address", sa.Text()))
op.add_column("users", sa.Column("nickname", sa.String(50)))`,
  });

  it('two-step drop: the base models still map the column and the table -> errors naming the base commit', async () => {
    const pr = await run({ revision: dropNickname(false), baseModels: modelsPy() });
    expect(pr.findings).toEqual([
      ['two-step-column-drop', line(pr, 'op.drop_column("users", "nickname")'), 'error'],
      ['drop-table', line(pr, 'op.drop_table("newsletter")'), 'error'],
    ]);
    const base = pr.repo.git('rev-parse', 'main').trim().slice(0, 12);
    const [column, table] = [...pr.all].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    expect(column?.message).toContain(`which the base branch's models still map (commit ${base})`);
    expect(table?.message).toContain(
      `DROP TABLE "newsletter", which the base branch's models still map (commit ${base})`,
    );
  }, 120_000);

  it('twin: the base models no longer map them (step one deployed) -> no finding', async () => {
    const pr = await run({
      revision: dropNickname(false),
      baseModels: modelsPy({ columns: ['users.nickname'], tables: ['newsletter'] }),
    });
    expect(pr.findings).toEqual([]);
  }, 120_000);

  it('without models: errors, and the fix text shows the inline ignore for the second step', async () => {
    const pr = await run({ revision: dropNickname(false), baseModels: null });
    expect(pr.findings).toEqual([
      ['two-step-column-drop', line(pr, 'op.drop_column("users", "nickname")'), 'error'],
      ['drop-table', line(pr, 'op.drop_table("newsletter")'), 'error'],
    ]);
    const [column, table] = [...pr.all].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    expect(column?.message).toMatch(
      /cannot tell whether the application deployed from the base branch still maps it \(env\.py passes no target_metadata/,
    );
    expect(column?.help).toContain('# migration-guard: ignore two-step-column-drop -- ');
    expect(column?.help).toContain('op.drop_column("users", "nickname")');
    expect(table?.help).toContain('# migration-guard: ignore drop-table -- ');
  }, 120_000);

  it('without models, the second step with the inline ignore and its reason -> nothing left', async () => {
    const pr = await run({ revision: dropNickname(true), baseModels: null });
    expect(pr.findings).toEqual([]);
    expect(pr.all.map((f) => [f.rule, f.ignored, f.ignoreReason])).toEqual([
      ['two-step-column-drop', true, 'nickname unmapped since release 41'],
      ['drop-table', true, 'newsletter model removed in release 41'],
    ]);
  }, 120_000);

  it('a dropped column takes its index along: a new foreign key on the remaining column is unindexed', async () => {
    const pr = await run({
      revision: {
        id: 'd4e5f6a7b8c9',
        message: 'payments reference invoices',
        upgrade: `op.drop_column("payments", "legacy_ref")
op.create_foreign_key("fk_payments_invoice_id_invoices", "payments", "invoices", ["invoice_id"], ["id"])`,
        downgrade: `op.drop_constraint("fk_payments_invoice_id_invoices", "payments", type_="foreignkey")
op.add_column("payments", sa.Column("legacy_ref", sa.String(40)))
op.create_index("ix_payments_invoice_id_legacy_ref", "payments", ["invoice_id", "legacy_ref"])`,
      },
      baseModels: modelsPy({ columns: ['payments.legacy_ref'] }),
    });
    // foreign-key-not-valid is true in both twins: the key is validated under lock on an existing table.
    expect(pr.findings).toEqual([
      ['foreign-key-not-valid', line(pr, 'op.create_foreign_key('), 'error'],
      ['foreign-key-without-index', line(pr, 'op.create_foreign_key('), 'warning'],
    ]);
  }, 120_000);

  it('twin: the column stays, its index still serves the foreign key', async () => {
    const pr = await run({
      revision: {
        id: 'd4e5f6a7b8c9',
        message: 'payments reference invoices',
        upgrade:
          'op.create_foreign_key("fk_payments_invoice_id_invoices", "payments", "invoices", ["invoice_id"], ["id"])',
        downgrade: 'op.drop_constraint("fk_payments_invoice_id_invoices", "payments", type_="foreignkey")',
      },
      baseModels: modelsPy(),
    });
    expect(pr.findings).toEqual([['foreign-key-not-valid', line(pr, 'op.create_foreign_key('), 'error']]);
  }, 120_000);

  it('renames of what the revision itself created, named keys, a table constraint dropped with its table: nothing false', async () => {
    const pr = await run({
      revision: {
        id: 'e5f6a7b8c9d0',
        message: 'add user handle and tags',
        upgrade: `op.add_column("users", sa.Column("handle_draft", sa.String(50)))
op.alter_column("users", "handle_draft", new_column_name="handle")
op.create_table("tags_draft", sa.Column("id", sa.Integer(), nullable=False), sa.Column("label", sa.Text()))
op.create_primary_key("pk_tags", "tags_draft", ["id"])
op.rename_table("tags_draft", "tags")
op.create_table(
    "coupons",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id")),
)
op.create_index("ix_coupons_user_id", "coupons", ["user_id"])`,
        downgrade: `op.drop_table("coupons")
op.drop_table("tags")
op.drop_column("users", "handle")`,
      },
      baseModels: modelsPy(),
    });
    // The unnamed foreign key inside create_table is still worth naming, and the finding says why.
    expect(pr.findings).toEqual([['unnamed-constraint', line(pr, 'sa.ForeignKey("users.id")'), 'warning']]);
    expect(pr.all[0]?.message).toMatch(
      /the downgrade drops it along with the table, but a later revision that alters or drops this constraint must guess that name/,
    );
  }, 120_000);

  it('twin: renames of existing objects and an unnamed create_primary_key', async () => {
    const pr = await run({
      revision: {
        id: 'e5f6a7b8c9d0',
        message: 'rename user email and posts',
        upgrade: `op.alter_column("users", "email", new_column_name="email_address")
op.rename_table("posts", "articles")
op.create_table("tags", sa.Column("id", sa.Integer(), nullable=False), sa.Column("label", sa.Text()))
op.create_primary_key(None, "tags", ["id"])`,
        downgrade: `op.drop_table("tags")
op.rename_table("articles", "posts")
op.alter_column("users", "email_address", new_column_name="email")`,
      },
      baseModels: modelsPy(),
    });
    // The base models map users.email and posts: the running release's queries fail
    // (breaks-deployed-app, an error), and each rename warning is the same cause, under it.
    expect(pr.findings).toEqual([
      ['breaks-deployed-app', line(pr, 'new_column_name="email_address"'), 'error'],
      ['breaks-deployed-app', line(pr, 'op.rename_table("posts", "articles")'), 'error'],
      ['unnamed-constraint', line(pr, 'op.create_primary_key(None'), 'warning'],
    ]);
    expect(
      pr.all.filter((f) => f.rule === 'breaks-deployed-app').map((f) => f.related?.map((r) => r.rule)),
    ).toEqual([['rename-column'], ['rename-table']]);
  }, 120_000);
});
