/**
 * The populated database through the built CLI (dist/cli.js) as a user runs it, from the
 * repository's directory with files it holds: `--seed-sql` rows that break a pending revision
 * (with the synthetic rows and with `--seed-rows 0`), `--table-stats` extrapolating an
 * `ALTER COLUMN TYPE` rewrite to 50 M production rows, the README's stats query feeding
 * `--table-stats`, and bad input (one line, exit 2, nothing left behind).
 *
 * One PostgreSQL for the file: every check runs with `--database-url` at it (the tool makes and
 * drops its own database and role there), and it also holds the "production" database the
 * README's query reads.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutedStatement } from '../../src/model.js';
import type { Report } from '../../src/report/model.js';
import { makeAlembicRepo, revisionFile, revisionPath, type AlembicRepo } from '../helpers/git-repo.js';
import { startTestServer, type TestServer } from '../helpers/postgres.js';
import { runReadmeTableStats } from '../helpers/table-stats-readme.js';
import { freshDatabase, testPythons } from '../integration/roundtrip/fixtures.js';
import { type CliRun, expectOneLineError } from '../helpers/cli-run.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const dist = process.env.MIGRATION_GUARD_DIST ?? path.join(root, 'dist');
const [bookworm, ...others] = testPythons();
if (!bookworm) throw new Error('no Python stack with alembic');
// The --seed-rows 0 run uses the other stack (SQLAlchemy 2.0) when it is installed.
const otherStack = others[0] ?? bookworm;

/** Base: tenants, their users (an email is unique per tenant), orders. */
const BASE = {
  id: 'a1base',
  down: null,
  message: 'tenants, users and orders',
  upgrade: `op.create_table(
    "tenants",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
)
op.create_table(
    "users",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False),
    sa.Column("email", sa.Text, nullable=False),
    sa.Column("name", sa.Text),
    sa.UniqueConstraint("tenant_id", "email", name="uq_users_tenant_email"),
)
op.create_table(
    "orders",
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("amount", sa.Integer, nullable=False),
    sa.Column("note", sa.Text),
)`,
  downgrade: `op.drop_table("orders")
op.drop_table("users")
op.drop_table("tenants")`,
};

/** One login per email across tenants: a unique index over email alone, built concurrently. */
const ONE_LOGIN = {
  id: 'b2login',
  down: 'a1base',
  message: 'one login per email across tenants',
  upgrade: `with op.get_context().autocommit_block():
    op.create_index("uq_users_email", "users", ["email"], unique=True, postgresql_concurrently=True)`,
  downgrade: `with op.get_context().autocommit_block():
    op.drop_index("uq_users_email", table_name="users", postgresql_concurrently=True)`,
};

/** Amounts as numeric: ALTER COLUMN TYPE rewrites orders under ACCESS EXCLUSIVE. */
const AMOUNTS = {
  id: 'c3amount',
  down: 'a1base',
  message: 'order amounts as numeric',
  upgrade: `op.alter_column("orders", "amount", type_=sa.Numeric(12, 2), existing_type=sa.Integer, existing_nullable=False)`,
  downgrade: `op.alter_column("orders", "amount", type_=sa.Integer, existing_type=sa.Numeric(12, 2), existing_nullable=False)`,
};

/** An anonymised sample: the same person in two tenants, under the same address. */
const SAMPLE_SQL = `-- anonymised sample of production
insert into tenants (id, name) values (9001, 'acme'), (9002, 'globex');
insert into users (id, tenant_id, email, name) values
  (100001, 9001, 'alice@example.com', 'Alice'),
  (100002, 9002, 'alice@example.com', 'Alice at Globex');
insert into orders (id, user_id, amount, note) values (900001, 100001, 1250, 'first order');
`;

let server: TestServer;
let repo: AlembicRepo;
let work: string;

beforeAll(async () => {
  server = await startTestServer();
  repo = await makeAlembicRepo({
    revisions: [BASE],
    files: {
      'db/sample.sql': SAMPLE_SQL,
      // A sample written for an older schema: the table was renamed since.
      'db/stale.sql':
        "insert into tenants (id, name) values (9001, 'acme');\ninsert into customers (id) values (1);\n",
    },
  });
  for (const pr of [ONE_LOGIN, AMOUNTS]) {
    repo.checkout('main');
    repo.branch(pr.id);
    repo.writeFile(revisionPath(pr), revisionFile(pr));
    repo.commit(pr.message);
  }
  work = mkdtempSync(path.join(tmpdir(), 'mg-populated-cli-'));
});

afterAll(async () => {
  await repo?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
  await server?.dispose();
});

type Run = CliRun;

/** `migration-guard check` of `branch` against main, from the repository's directory. */
function check(branch: string, flags: string[], python = bookworm!.argv[0] as string): Run {
  repo.checkout(branch);
  const r = spawnSync(
    process.execPath,
    [
      path.join(dist, 'cli.js'),
      'check',
      '--base',
      'main',
      '--database-url',
      server.url,
      '--python',
      python,
      '--quiet',
      ...flags,
    ],
    { cwd: repo.dir, encoding: 'utf8', timeout: 180_000 },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function jsonReport(r: Run): Report {
  expect(r.stdout.trimStart().startsWith('{'), `${r.stderr}\n${r.stdout}`).toBe(true);
  return JSON.parse(r.stdout) as Report;
}

function revision(report: Report, id: string) {
  const rev = report.projects[0]?.revisions.find((x) => x.id === id);
  if (!rev) throw new Error(`no revision ${id} in the report`);
  return rev;
}

/** One line, the right exit code, and nothing on stdout. */
function expectOneLineFailure(r: Run, code: number, pattern: RegExp): void {
  expectOneLineError(r, code, pattern);
  expect(r.stdout).toBe('');
}

/** Databases and roles migration-guard made on the server and did not drop. */
async function leftBehind(): Promise<string[]> {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    const r = await client.query<{ name: string }>(
      `select datname as name from pg_database where datname like 'migration_guard_%' and datname <> current_database()
       union all select rolname from pg_roles where rolname like 'migration_guard_%'`,
    );
    return r.rows.map((x) => x.name);
  } finally {
    await client.end();
  }
}

const EXAMPLE_ROW = /Example row: users \(id=10000[12]\): email = "alice@example\.com"/;

describe('--seed-sql through the built CLI', () => {
  it('rows of the sample break a revision the synthetic rows let pass: exit 1, upgrade-fails-with-data with the sample row', () => {
    const r = check(ONE_LOGIN.id, ['--seed-sql', 'db/sample.sql', '--format', 'json']);
    expect(r.code, r.stderr).toBe(1);
    const report = jsonReport(r);
    const rev = revision(report, ONE_LOGIN.id);
    expect(rev.findings.map((f) => [f.rule, f.severity])).toEqual([['upgrade-fails-with-data', 'error']]);
    const finding = rev.findings[0];
    expect(finding?.message).toMatch(/could not create unique index "uq_users_email"/);
    expect(finding?.message).toMatch(EXAMPLE_ROW);
    expect(finding?.message).toMatch(/succeeds on empty ones/);
    expect(rev.data?.verdict).toBe('upgrade-fails');
    expect(rev.data?.succeedsOnEmpty).toBe(true);
    const seed = report.projects[0]?.seed;
    expect(seed?.userSql).toEqual({ file: 'db/sample.sql', ok: true, error: null });
    expect(seed?.rowsPerTable).toBe(300);
    // The synthetic rows, then the sample's two users on top of them.
    expect(seed?.tables.users).toBeGreaterThan(100);
    expect(rev.data?.rows.users).toBe((seed?.tables.users ?? 0) + 2);
  });

  it('the markdown says the sample ran, with the "with data" verdict and the example row', () => {
    const r = check(ONE_LOGIN.id, ['--seed-sql', 'db/sample.sql', '--format', 'markdown']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('With data');
    expect(r.stdout).toContain('❌ up');
    expect(r.stdout).toMatch(
      /Ran with data: .*`users` \d+.* rows \(synthetic, seed 1\); `db\/sample\.sql` ran\./,
    );
    expect(r.stdout).toMatch(/upgrade-fails-with-data/);
    // The row as the finding names it (an @ is kept from becoming a mention).
    expect(r.stdout).toMatch(/Example row: users \(id=10000[12]\): email = .{0,2}alice@\u2060?example\.com/);
  });

  it('without the sample the same pull request passes: the synthetic rows keep emails unique', () => {
    const r = check(ONE_LOGIN.id, ['--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const rev = revision(jsonReport(r), ONE_LOGIN.id);
    expect(rev.findings).toEqual([]);
    expect(rev.data?.verdict).toBe('ok');
    expect(rev.data?.rows.users).toBeGreaterThan(100);
  });

  it(`--seed-rows 0 runs the sample alone: the same failure on its two users (${otherStack.name})`, () => {
    const python = otherStack.argv[0] as string;
    const r = check(
      ONE_LOGIN.id,
      ['--seed-rows', '0', '--seed-sql', 'db/sample.sql', '--format', 'json'],
      python,
    );
    expect(r.code, r.stderr).toBe(1);
    const report = jsonReport(r);
    const rev = revision(report, ONE_LOGIN.id);
    expect(rev.findings.map((f) => f.rule)).toEqual(['upgrade-fails-with-data']);
    expect(rev.findings[0]?.message).toMatch(EXAMPLE_ROW);
    expect(rev.data?.rows).toMatchObject({ tenants: 2, users: 2, orders: 1 });
    const seed = report.projects[0]?.seed;
    expect(seed?.rowsPerTable).toBe(0);
    expect(Object.values(seed?.tables ?? {}).filter((n) => n > 0)).toEqual([]);
    expect(seed?.userSql).toEqual({ file: 'db/sample.sql', ok: true, error: null });

    const md = check(ONE_LOGIN.id, [
      '--seed-rows',
      '0',
      '--seed-sql',
      'db/sample.sql',
      '--format',
      'markdown',
    ]);
    expect(md.code, md.stderr).toBe(1);
    expect(md.stdout).toContain('Ran with data: no synthetic rows; `db/sample.sql` ran.');
  });
});

/** The pending revision's ALTER COLUMN TYPE statement and its observation. */
function alterType(report: Report): ExecutedStatement {
  const st = revision(report, AMOUNTS.id).steps[0]?.statements.find((s) =>
    /^ALTER TABLE orders ALTER COLUMN amount TYPE NUMERIC\(12, 2\)/i.test(s.sql.trim()),
  );
  if (!st?.observed) throw new Error('no observed ALTER COLUMN TYPE statement');
  return st;
}

describe('--table-stats through the built CLI', () => {
  it('50 M production rows: ALTER COLUMN TYPE gets estimatedLockMs with its basis, an error over max-lock-ms', () => {
    const stats = path.join(work, 'stats-50m.json');
    writeFileSync(stats, JSON.stringify({ orders: { rows: 50_000_000, bytes: 6 * 2 ** 30 } }));
    const r = check(AMOUNTS.id, ['--table-stats', stats, '--format', 'json']);
    expect(r.code, r.stderr).toBe(1);
    const report = jsonReport(r);
    const st = alterType(report);
    expect(st.observed?.rewrote).toContain('orders');
    const estimate = st.observed?.estimatedLockMs?.orders ?? 0;
    // Seconds or more, and over the default max-lock-ms (2 s).
    expect(estimate).toBeGreaterThan(2000);
    expect(estimate).toBeGreaterThanOrEqual(st.durationMs);
    const basis = st.observed?.estimateBasis?.[0] ?? '';
    expect(basis).toMatch(/^rewrote orders \(\d+ rows\) in [\d.]+ ms; 50 M rows ≈ [\d.]+ (s|min|h)\b/);
    const finding = revision(report, AMOUNTS.id).findings.find((f) => f.rule === 'column-type-change');
    expect(finding?.severity).toBe('error');
    expect(finding?.message).toContain(`estimated at production size: ${basis}`);
  });

  it("the README's query on a production database writes the file --table-stats reads", async () => {
    // "Production": the base schema made by the project's own migrations, then rows and ANALYZE.
    const production = await freshDatabase(server.url);
    repo.checkout('main');
    execFileSync(bookworm.argv[0] as string, ['-m', 'alembic', '-c', 'alembic.ini', 'upgrade', 'a1base'], {
      cwd: repo.dir,
      env: { ...process.env, DATABASE_URL: production },
      stdio: 'pipe',
    });
    const client = new pg.Client({ connectionString: production });
    await client.connect();
    try {
      await client.query(`insert into tenants values (1, 'acme');
        insert into users select g, 1, 'user' || g || '@example.com' from generate_series(1, 100) g;
        insert into orders select g, 1 + g % 100, g % 5000 from generate_series(1, 20000) g;
        analyze tenants; analyze users; analyze orders;`);
    } finally {
      await client.end();
    }
    const dir = mkdtempSync(path.join(work, 'production-'));
    const stats = runReadmeTableStats(dir, production);
    const written = JSON.parse(readFileSync(stats, 'utf8')) as Record<string, object>;
    expect(written.alembic_version).not.toHaveProperty('rows');
    expect(written).toMatchObject({
      orders: { rows: 20000 },
      users: { rows: 100 },
      tenants: { rows: 1 },
      // Never analysed: its size only.
      alembic_version: { bytes: expect.any(Number) as number },
    });

    const r = check(AMOUNTS.id, ['--table-stats', stats, '--format', 'json']);
    expect(r.code, r.stderr).toBe(1);
    const st = alterType(jsonReport(r));
    expect(st.observed?.estimatedLockMs?.orders).toBeGreaterThan(0);
    expect(st.observed?.estimateBasis?.[0]).toMatch(
      /^rewrote orders \(\d+ rows\) in [\d.]+ ms; 20 k rows ≈ /,
    );
  });
});

describe('bad --seed-sql and --table-stats input: one line, exit 2, nothing left on the server', () => {
  it('a --seed-sql file that does not exist', async () => {
    const r = check(ONE_LOGIN.id, ['--seed-sql', 'db/missing.sql']);
    expectOneLineFailure(r, 2, /^migration-guard: seed-sql: cannot read .*db\/missing\.sql: fix the path$/);
    expect(await leftBehind()).toEqual([]);
  });

  it('a --table-stats file that is not JSON, or not of the expected shape', () => {
    const broken = path.join(work, 'broken.json');
    writeFileSync(broken, '{"orders": {"rows": 50000000,');
    expectOneLineFailure(
      check(AMOUNTS.id, ['--table-stats', broken]),
      2,
      /^migration-guard: table-stats: .*broken\.json is not JSON: expected \{"<table>": \{"rows": N, "bytes": B\}\}$/,
    );
    const shape = path.join(work, 'shape.json');
    writeFileSync(shape, JSON.stringify({ orders: { rows: 'fifty million' } }));
    expectOneLineFailure(
      check(AMOUNTS.id, ['--table-stats', shape]),
      2,
      /^migration-guard: table-stats: .*shape\.json: "orders" needs rows and\/or bytes as numbers$/,
    );
  });

  it('a --seed-sql file that fails on the base schema: the file, the line and the error', async () => {
    const r = check(ONE_LOGIN.id, ['--seed-rows', '0', '--seed-sql', 'db/stale.sql']);
    expectOneLineFailure(
      r,
      2,
      /^migration-guard: seed-sql db\/stale\.sql line 2: relation "customers" does not exist: fix the file \(it runs on the base schema\)$/,
    );
    expect(await leftBehind()).toEqual([]);
  });
});
