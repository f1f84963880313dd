/**
 * Builds real Alembic projects in real git repositories in a temp dir, for tests.
 *
 *   const repo = await makeAlembicRepo({ revisions: [revisionFile({ id: 'a1', down: null, message: 'create users' })] });
 *   repo.branch('feature');  repo.writeFile('migrations/versions/b2.py', revisionFile({...}));  repo.commit('add b2');
 *   ...
 *   await repo.cleanup();
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface AlembicRepo {
  /** Absolute path of the repository (and project) root. */
  dir: string;
  /** `git add -A && git commit`; returns the new commit's sha. */
  commit(message: string): string;
  /** Creates and switches to a new branch at the current commit. */
  branch(name: string): void;
  checkout(name: string): void;
  writeFile(relPath: string, content: string): void;
  rm(relPath: string): void;
  /** Runs git in the repo and returns stdout. */
  git(...args: string[]): string;
  cleanup(): Promise<void>;
}

export interface AlembicRepoOptions {
  /** Extra or overriding files (relative path → content), written before the first commit. */
  files?: Record<string, string>;
  /** Revision files to put in `<scriptLocation>/versions/<id>_<slug>.py`. */
  revisions?: RevisionSpec[];
  /** Directory of env.py relative to the repo root; default `migrations`. */
  scriptLocation?: string;
  /** Write alembic.ini at the root (default true); the url is a placeholder env.py replaces. */
  ini?: boolean;
  /** Name of the first branch; default `main`. */
  initialBranch?: string;
  /** Make the first commit (default true). */
  commit?: boolean;
}

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'migration-guard tests',
  GIT_AUTHOR_EMAIL: 'tests@example.invalid',
  GIT_COMMITTER_NAME: 'migration-guard tests',
  GIT_COMMITTER_EMAIL: 'tests@example.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
};

export async function makeAlembicRepo(opts: AlembicRepoOptions = {}): Promise<AlembicRepo> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mg-repo-'));
  const scriptLocation = opts.scriptLocation ?? 'migrations';
  const git = (...args: string[]): string =>
    execFileSync('git', args, {
      cwd: dir,
      env: { ...process.env, ...GIT_ENV, HOME: dir },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  const writeFile = (relPath: string, content: string) => {
    const abs = path.join(dir, relPath);
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, content);
  };
  git('init', '--quiet', '--initial-branch', opts.initialBranch ?? 'main');
  git('config', 'commit.gpgsign', 'false');
  if (opts.ini !== false) writeFile('alembic.ini', standardIni(scriptLocation));
  writeFile(`${scriptLocation}/env.py`, STANDARD_ENV_PY);
  writeFile(`${scriptLocation}/script.py.mako`, SCRIPT_MAKO);
  mkdirSync(path.join(dir, scriptLocation, 'versions'), { recursive: true });
  for (const spec of opts.revisions ?? []) {
    writeFile(revisionPath(spec, scriptLocation), revisionFile(spec));
  }
  for (const [rel, content] of Object.entries(opts.files ?? {})) writeFile(rel, content);
  const commit = (message: string): string => {
    git('add', '-A');
    git('commit', '--quiet', '--allow-empty', '-m', message);
    return git('rev-parse', 'HEAD').trim();
  };
  if (opts.commit !== false) commit('initial alembic project');
  return {
    dir,
    commit,
    branch: (name) => void git('checkout', '--quiet', '-b', name),
    checkout: (name) => void git('checkout', '--quiet', name),
    writeFile,
    rm: (relPath) => rmSync(path.join(dir, relPath), { recursive: true, force: true }),
    git,
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function standardIni(scriptLocation = 'migrations'): string {
  return `[alembic]
script_location = %(here)s/${scriptLocation}
prepend_sys_path = .
sqlalchemy.url = postgresql://localhost/replaced_by_migration_guard

[loggers]
keys = root

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARN
handlers = console

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %%(levelname)-5.5s [%%(name)s] %%(message)s
`;
}

/** A minimal env.py: url from the config, overridden by DATABASE_URL when set; online and offline. */
export const STANDARD_ENV_PY = `import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)

if os.environ.get("DATABASE_URL"):
    config.set_main_option("sqlalchemy.url", os.environ["DATABASE_URL"].replace("%", "%%"))

target_metadata = None


def run_migrations_offline():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    connectable = engine_from_config(
        config.get_section(config.config_ini_section), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
`;

const SCRIPT_MAKO = `"""\${message}

Revision ID: \${up_revision}
Revises: \${down_revision | comma,n}
Create Date: \${create_date}

"""
from alembic import op
import sqlalchemy as sa
\${imports if imports else ""}

revision = \${repr(up_revision)}
down_revision = \${repr(down_revision)}
branch_labels = \${repr(branch_labels)}
depends_on = \${repr(depends_on)}


def upgrade():
    \${upgrades if upgrades else "pass"}


def downgrade():
    \${downgrades if downgrades else "pass"}
`;

export interface RevisionSpec {
  id: string;
  /** Parent id, a tuple of ids for a merge revision, or null for a base. */
  down: string | string[] | null;
  /** Docstring first line; null writes no docstring at all. */
  message?: string | null;
  /** Body lines of upgrade()/downgrade() (indented here); default `pass`. */
  upgrade?: string;
  downgrade?: string;
  branchLabels?: string[] | null;
  dependsOn?: string[] | null;
  /** Write `revision: str = ...` style annotated assignments like alembic ≥ 1.13's template. */
  annotated?: boolean;
}

export function revisionPath(spec: RevisionSpec, scriptLocation = 'migrations'): string {
  const slug = (spec.message ?? 'revision').replace(/\W+/g, '_').toLowerCase().slice(0, 40);
  return `${scriptLocation}/versions/${spec.id}_${slug}.py`;
}

function pyRepr(value: string | string[] | null | undefined): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'string') return `'${value}'`;
  return `(${value.map((v) => `'${v}'`).join(', ')}${value.length === 1 ? ',' : ''})`;
}

function indent(body: string): string {
  return body
    .split('\n')
    .map((l) => (l.trim() === '' ? '' : `    ${l}`))
    .join('\n');
}

/** The text of a revision file as alembic's template writes it. */
export function revisionFile(spec: RevisionSpec): string {
  const doc =
    spec.message === null
      ? ''
      : `"""${spec.message ?? 'revision'}\n\nRevision ID: ${spec.id}\nRevises: ${
          Array.isArray(spec.down) ? spec.down.join(', ') : (spec.down ?? '')
        }\nCreate Date: 2026-11-25 12:00:00.000000\n\n"""\n`;
  const ids = spec.annotated
    ? `revision: str = ${pyRepr(spec.id)}
down_revision: Union[str, Sequence[str], None] = ${pyRepr(spec.down)}
branch_labels: Union[str, Sequence[str], None] = ${pyRepr(spec.branchLabels)}
depends_on: Union[str, Sequence[str], None] = ${pyRepr(spec.dependsOn)}`
    : `revision = ${pyRepr(spec.id)}
down_revision = ${pyRepr(spec.down)}
branch_labels = ${pyRepr(spec.branchLabels)}
depends_on = ${pyRepr(spec.dependsOn)}`;
  return `${doc}${spec.annotated ? 'from typing import Sequence, Union\n\n' : ''}from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
${ids}


def upgrade()${spec.annotated ? ' -> None' : ''}:
${indent(spec.upgrade ?? 'pass')}


def downgrade()${spec.annotated ? ' -> None' : ''}:
${indent(spec.downgrade ?? 'pass')}
`;
}
