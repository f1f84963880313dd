/**
 * Pull requests against a running release (rule breaks-deployed-app): a base branch `main` with
 * a shop schema and declarative models built from a mixin, and a pull request with one
 * revision on top, checked against `main` on a real PostgreSQL. Each breaking pull request has
 * a compatible twin that does the same job the expand/contract way.
 */
import { check } from '../../../src/check.js';
import { defaultConfig } from '../../../src/config.js';
import type { Logger } from '../../../src/log.js';
import type { Finding, Report } from '../../../src/report/model.js';
import type { AlembicRepo, RevisionSpec } from '../../helpers/git-repo.js';
import { STANDARD_ENV_PY, makeAlembicRepo, revisionFile, revisionPath } from '../../helpers/git-repo.js';

export const BASE: RevisionSpec = {
  id: 'a0b1c2d3e4f5',
  down: null,
  message: 'create the shop',
  upgrade: `op.create_table(
    "users",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("email", sa.String(200), nullable=False),
    sa.Column("name", sa.String(100)),
    sa.Column("created_at", sa.DateTime(), nullable=False),
)
op.create_table(
    "orders",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", name="fk_orders_user_id_users"), nullable=False),
    sa.Column("total", sa.Numeric(10, 2), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
)
op.create_index("ix_orders_user_id", "orders", ["user_id"])
op.create_table("newsletter", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("address", sa.Text()))
op.create_table("legacy_audit", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("line", sa.Text()))`,
  downgrade: `op.drop_table("legacy_audit")
op.drop_table("newsletter")
op.drop_index("ix_orders_user_id", table_name="orders")
op.drop_table("orders")
op.drop_table("users")`,
};

/** Declarative models as applications write them: a timestamp mixin, a Python-side default. */
export const MODELS_PY = `import datetime

import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

Base = declarative_base()
metadata = Base.metadata


class TimestampMixin:
    created_at = sa.Column(sa.DateTime, nullable=False, default=datetime.datetime.utcnow)


class User(TimestampMixin, Base):
    __tablename__ = "users"
    id = sa.Column(sa.Integer, primary_key=True)
    email = sa.Column(sa.String(200), nullable=False)
    name = sa.Column(sa.String(100))


class Order(TimestampMixin, Base):
    __tablename__ = "orders"
    id = sa.Column(sa.Integer, primary_key=True)
    user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False)
    total = sa.Column(sa.Numeric(10, 2), nullable=False)


class Newsletter(Base):
    __tablename__ = "newsletter"
    id = sa.Column(sa.Integer, primary_key=True)
    address = sa.Column(sa.Text)
`;

export const MODELS_ENV_PY = STANDARD_ENV_PY.replace(
  'target_metadata = None',
  'from app.models import metadata as target_metadata',
);

/** env.py of the async template (SQLAlchemy 2.0): the migrations run through run_sync. */
export const ASYNC_ENV_PY = `import asyncio
import os
import re

from alembic import context
from sqlalchemy import pool
from sqlalchemy.ext.asyncio import async_engine_from_config

from app.models import metadata as target_metadata

config = context.config
if os.environ.get("DATABASE_URL"):
    url = re.sub(r"^postgres(ql)?(\\+\\w+)?://", "postgresql+psycopg://", os.environ["DATABASE_URL"])
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))


def run_migrations_offline():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection):
    context.configure(connection=connection, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations():
    connectable = async_engine_from_config(
        config.get_section(config.config_ini_section), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    async with connectable.connect() as connection:
        await connection.run_sync(do_run_migrations)
    await connectable.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_async_migrations())
`;

export type PullRequestRevision = Omit<RevisionSpec, 'down'>;

export const PULL_REQUESTS = {
  renameColumn: {
    id: 'b1c2d3e4f5a6',
    message: 'rename users name to full_name',
    upgrade: 'op.alter_column("users", "name", new_column_name="full_name")',
    downgrade: 'op.alter_column("users", "full_name", new_column_name="name")',
  },
  addNullableColumn: {
    id: 'b1c2d3e4f5a7',
    message: 'add users full_name',
    upgrade: 'op.add_column("users", sa.Column("full_name", sa.String(100), nullable=True))',
    downgrade: 'op.drop_column("users", "full_name")',
  },
  requiredColumn: {
    id: 'b1c2d3e4f5a8',
    message: 'add the required users status',
    upgrade: `op.add_column("users", sa.Column("status", sa.Text(), nullable=True))
op.execute("UPDATE users SET status = 'active'")
op.alter_column("users", "status", nullable=False)`,
    downgrade: 'op.drop_column("users", "status")',
  },
  requiredColumnWithDefault: {
    id: 'b1c2d3e4f5a9',
    message: 'add the required users status with a server default',
    upgrade: `op.add_column("users", sa.Column("status", sa.Text(), nullable=True, server_default="active"))
op.execute("UPDATE users SET status = 'active'")
op.alter_column("users", "status", nullable=False)`,
    downgrade: 'op.drop_column("users", "status")',
  },
  widenVarchar: {
    id: 'b1c2d3e4f5b0',
    message: 'widen users email',
    upgrade: 'op.alter_column("users", "email", type_=sa.String(400), existing_type=sa.String(200))',
    downgrade: 'op.alter_column("users", "email", type_=sa.String(200), existing_type=sa.String(400))',
  },
  dropMappedTable: {
    id: 'b1c2d3e4f5b1',
    message: 'drop the newsletter table',
    upgrade: 'op.drop_table("newsletter")',
    downgrade:
      'op.create_table("newsletter", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("address", sa.Text()))',
  },
  dropUnmappedTable: {
    id: 'b1c2d3e4f5b2',
    message: 'drop the legacy audit table',
    upgrade: 'op.drop_table("legacy_audit")',
    downgrade:
      'op.create_table("legacy_audit", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("line", sa.Text()))',
  },
} satisfies Record<string, PullRequestRevision>;

export interface DeployCheck {
  report: Report;
  /** Every finding of the report, with the related ones. */
  all: Finding[];
  repo: AlembicRepo;
}

export async function checkAgainstRelease(
  revision: PullRequestRevision,
  run: {
    python: string[];
    databaseUrl: string;
    envPy?: string;
    seedRows?: number;
    /** The base branch's models (default MODELS_PY). */
    models?: string;
    /** The pull request's models, when it changes them. */
    prModels?: string;
    /** Where the check logs (default: the default config's). */
    log?: Logger;
  },
): Promise<DeployCheck> {
  const repo = await makeAlembicRepo({
    revisions: [BASE],
    files: {
      'app/__init__.py': '',
      'app/models.py': run.models ?? MODELS_PY,
      'migrations/env.py': run.envPy ?? MODELS_ENV_PY,
    },
  });
  repo.branch('pull-request');
  const spec: RevisionSpec = { ...revision, down: BASE.id };
  repo.writeFile(revisionPath(spec), revisionFile(spec));
  if (run.prModels !== undefined) repo.writeFile('app/models.py', run.prModels);
  repo.commit(`pull request: ${revision.message ?? revision.id}`);
  const config = defaultConfig(repo.dir);
  config.base = 'main';
  config.python = run.python;
  config.database = { kind: 'url', url: run.databaseUrl };
  config.concurrency = 1;
  config.seedRows = run.seedRows ?? 3;
  if (run.log) config.log = run.log;
  const report = await check(config);
  const top = report.projects.flatMap((p) => [...p.findings, ...p.revisions.flatMap((r) => r.findings)]);
  const all = top.flatMap((f) => [f, ...(f.related ?? []).map((r) => ({ ...f, ...r, related: [] }))]);
  return { report, all, repo };
}
