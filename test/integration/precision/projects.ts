/**
 * Pull-request fixtures of issue 14 (precision): one realistic base history (users, orders,
 * posts with their tag and meta side tables, payments, a newsletter table) with SQLAlchemy
 * models that env.py hands to alembic as target_metadata, and pull requests on top of it.
 * Each pull request is a real git branch; `check` compares it with `main`.
 */
import { check } from '../../../src/check.js';
import { defaultConfig } from '../../../src/config.js';
import type { Finding, Report } from '../../../src/report/model.js';
import type { AlembicRepo, RevisionSpec } from '../../helpers/git-repo.js';
import { STANDARD_ENV_PY, makeAlembicRepo, revisionFile, revisionPath } from '../../helpers/git-repo.js';

/** env.py that gives alembic the application's models (like most projects' env.py). */
export const MODELS_ENV_PY = STANDARD_ENV_PY.replace(
  'target_metadata = None',
  'from app.models import metadata as target_metadata',
);

export const BASE_REVISION: RevisionSpec = {
  id: 'a1b2c3d4e5f6',
  down: null,
  message: 'create the shop schema',
  upgrade: `op.create_table(
    "users",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("email", sa.String(200), nullable=False),
    sa.Column("nickname", sa.String(50)),
)
op.create_table(
    "orders",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", name="fk_orders_user_id_users"), nullable=False),
)
op.create_index("ix_orders_user_id", "orders", ["user_id"])
op.create_table("posts", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("title", sa.Text()))
op.create_table(
    "post_tags",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("post_id", sa.Integer(), sa.ForeignKey("posts.id", name="fk_post_tags_post_id_posts"), nullable=False),
    sa.Column("tag", sa.String(50), nullable=False),
)
op.create_index("ix_post_tags_post_id", "post_tags", ["post_id"])
op.create_index("ix_post_tags_tag", "post_tags", ["tag"])
op.create_table(
    "post_meta",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("post_id", sa.Integer(), sa.ForeignKey("posts.id", name="fk_post_meta_post_id_posts"), nullable=False),
    sa.Column("meta", sa.Text()),
)
op.create_index("ix_post_meta_post_id", "post_meta", ["post_id"])
op.create_table("invoices", sa.Column("id", sa.Integer(), primary_key=True))
op.create_table(
    "payments",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("invoice_id", sa.Integer()),
    sa.Column("legacy_ref", sa.String(40)),
)
op.create_index("ix_payments_invoice_id_legacy_ref", "payments", ["invoice_id", "legacy_ref"])
op.create_table("newsletter", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("address", sa.Text()))`,
  downgrade: `for table in ("newsletter", "payments", "invoices", "post_meta", "post_tags", "posts", "orders", "users"):
    op.drop_table(table)`,
};

/** The application's models on the base branch; `without` leaves columns/tables out (step one done). */
export function modelsPy(without: { columns?: string[]; tables?: string[] } = {}): string {
  const tables: Record<string, string[]> = {
    users: [
      'sa.Column("id", sa.Integer, primary_key=True)',
      'sa.Column("email", sa.String(200))',
      'sa.Column("nickname", sa.String(50))',
    ],
    orders: ['sa.Column("id", sa.Integer, primary_key=True)', 'sa.Column("user_id", sa.Integer)'],
    posts: ['sa.Column("id", sa.Integer, primary_key=True)', 'sa.Column("title", sa.Text)'],
    post_tags: [
      'sa.Column("id", sa.Integer, primary_key=True)',
      'sa.Column("post_id", sa.Integer)',
      'sa.Column("tag", sa.String(50))',
    ],
    post_meta: [
      'sa.Column("id", sa.Integer, primary_key=True)',
      'sa.Column("post_id", sa.Integer)',
      'sa.Column("meta", sa.Text)',
    ],
    invoices: ['sa.Column("id", sa.Integer, primary_key=True)'],
    payments: [
      'sa.Column("id", sa.Integer, primary_key=True)',
      'sa.Column("invoice_id", sa.Integer)',
      'sa.Column("legacy_ref", sa.String(40))',
    ],
    newsletter: ['sa.Column("id", sa.Integer, primary_key=True)', 'sa.Column("address", sa.Text)'],
  };
  const lines = ['import sqlalchemy as sa', '', 'metadata = sa.MetaData()', ''];
  for (const [table, columns] of Object.entries(tables)) {
    if (without.tables?.includes(table)) continue;
    const kept = columns.filter(
      (c) =>
        !without.columns?.some(
          (w) => c.startsWith(`sa.Column("${w.split('.')[1]}"`) && w.startsWith(`${table}.`),
        ),
    );
    lines.push(`${table} = sa.Table("${table}", metadata, ${kept.join(', ')})`);
  }
  return `${lines.join('\n')}\n`;
}

export interface PullRequest {
  /** The pull request's revision (down_revision is the base head). */
  revision: Omit<RevisionSpec, 'down'>;
  /** Base branch models; null = env.py passes no target_metadata. */
  baseModels: string | null;
}

export interface CheckedPullRequest {
  report: Report;
  /** Findings on the pull request's revision, not ignored: [rule, line, severity]. */
  findings: Array<[string, number | null, string]>;
  all: Finding[];
  repo: AlembicRepo;
  file: string;
}

export async function checkPullRequest(
  pr: PullRequest,
  run: { python: string[]; databaseUrl: string },
): Promise<CheckedPullRequest> {
  const files: Record<string, string> = { 'app/__init__.py': '' };
  if (pr.baseModels !== null) {
    files['app/models.py'] = pr.baseModels;
    files['migrations/env.py'] = MODELS_ENV_PY;
  }
  const repo = await makeAlembicRepo({ revisions: [BASE_REVISION], files });
  repo.branch('pull-request');
  const spec: RevisionSpec = { ...pr.revision, down: BASE_REVISION.id };
  const file = revisionPath(spec);
  repo.writeFile(file, revisionFile(spec));
  repo.commit(`pull request: ${pr.revision.message ?? pr.revision.id}`);
  const config = defaultConfig(repo.dir);
  config.base = 'main';
  config.python = run.python;
  config.database = { kind: 'url', url: run.databaseUrl };
  config.concurrency = 1;
  // These pull requests are about the SQL rules and the base models; the round trip on seeded
  // rows (downgrade-loses-data on every drop) has its own fixtures, so it runs on empty tables.
  config.seedRows = 0;
  const report = await check(config);
  const all = report.projects.flatMap((p) => [...p.findings, ...p.revisions.flatMap((r) => r.findings)]);
  const findings = all
    .filter((f) => !f.ignored)
    .map((f): [string, number | null, string] => [f.rule, f.line, f.severity])
    .sort((a, b) => (a[1] ?? 0) - (b[1] ?? 0) || a[0].localeCompare(b[0]));
  return { report, findings, all, repo, file };
}
