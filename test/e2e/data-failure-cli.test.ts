/**
 * A revision that fails only on the seeded rows does not stop the round trip: through the built
 * CLI (dist/cli.js), a 10-revision history whose third revision narrows a column the seeded
 * rows do not fit (and then builds an index without CONCURRENTLY) is audited with `--all` and
 * checked as a pull request, on both Python stacks. Every later revision gets its full round
 * trip on rows seeded afresh, and the report says so; the index after the failing statement is
 * linted from the run on empty tables in the same report.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report, RevisionReport } from '../../src/report/model.js';
import { makeAlembicRepo, revisionFile, revisionPath, type AlembicRepo } from '../helpers/git-repo.js';
import { startTestServer, type TestServer } from '../helpers/postgres.js';
import { testPythons } from '../integration/roundtrip/fixtures.js';
import type { CliRun } from '../helpers/cli-run.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const dist = process.env.MIGRATION_GUARD_DIST ?? path.join(root, 'dist');

/** A shop's first ten migrations; the third narrows customer names to three characters. */
const HISTORY = [
  {
    id: 'r01customers',
    message: 'customers',
    upgrade: `op.create_table(
    "customers",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("email", sa.Text),
)`,
    downgrade: `op.drop_table("customers")`,
  },
  {
    id: 'r02orders',
    message: 'orders',
    upgrade: `op.create_table(
    "orders",
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=False),
    sa.Column("amount", sa.Integer, nullable=False),
)`,
    downgrade: `op.drop_table("orders")`,
  },
  {
    id: 'r03shortnames',
    message: 'customer names as three-letter codes, orders by customer',
    upgrade: `op.alter_column("customers", "name", type_=sa.String(3), existing_type=sa.Text, existing_nullable=False)
op.create_index("ix_orders_customer_id", "orders", ["customer_id"])`,
    downgrade: `op.drop_index("ix_orders_customer_id", table_name="orders")
op.alter_column("customers", "name", type_=sa.Text, existing_type=sa.String(3), existing_nullable=False)`,
  },
  {
    id: 'r04phone',
    message: 'customer phone',
    upgrade: `op.add_column("customers", sa.Column("phone", sa.Text))`,
    downgrade: `op.drop_column("customers", "phone")`,
  },
  {
    id: 'r05products',
    message: 'products',
    upgrade: `op.create_table(
    "products",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("title", sa.Text, nullable=False),
)`,
    downgrade: `op.drop_table("products")`,
  },
  {
    id: 'r06orderproduct',
    message: 'orders name their product',
    upgrade: `op.add_column("orders", sa.Column("product_id", sa.Integer, sa.ForeignKey("products.id")))`,
    downgrade: `op.drop_column("orders", "product_id")`,
  },
  {
    id: 'r07price',
    message: 'product prices',
    upgrade: `op.add_column("products", sa.Column("price_cents", sa.Integer))`,
    downgrade: `op.drop_column("products", "price_cents")`,
  },
  {
    id: 'r08notes',
    message: 'order notes',
    upgrade: `op.add_column("orders", sa.Column("note", sa.Text))`,
    downgrade: `op.drop_column("orders", "note")`,
  },
  {
    id: 'r09audit',
    message: 'audit log',
    upgrade: `op.create_table(
    "audit_log",
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id")),
    sa.Column("action", sa.Text, nullable=False),
)`,
    downgrade: `op.drop_table("audit_log")`,
  },
  {
    id: 'r10active',
    message: 'active customers',
    upgrade: `op.add_column("customers", sa.Column("active", sa.Boolean))`,
    downgrade: `op.drop_column("customers", "active")`,
  },
].map((r, i, all) => ({ ...r, down: i === 0 ? null : (all[i - 1]?.id ?? null) }));

const FAILING = 'r03shortnames';
const LATER = HISTORY.slice(3).map((r) => r.id);

let server: TestServer;
let repo: AlembicRepo;

beforeAll(async () => {
  server = await startTestServer();
  // main holds the first two revisions; the pull request adds the other eight.
  repo = await makeAlembicRepo({ revisions: HISTORY.slice(0, 2) });
  repo.branch('shop');
  for (const r of HISTORY.slice(2)) repo.writeFile(revisionPath(r), revisionFile(r));
  repo.commit('eight more revisions');
  // The same pull request with a third revision that cannot be applied at all (no such column).
  repo.checkout('main');
  repo.branch('shop-broken');
  for (const r of HISTORY.slice(2)) {
    const broken = r.id === FAILING ? { ...r, upgrade: r.upgrade.replace('"name"', '"nme"') } : r;
    repo.writeFile(revisionPath(broken), revisionFile(broken));
  }
  repo.commit('eight more revisions, the third broken');
});

afterAll(async () => {
  await repo?.cleanup();
  await server?.dispose();
});

function check(flags: string[], python: string, branch = 'shop'): CliRun {
  repo.checkout(branch);
  const r = spawnSync(
    process.execPath,
    [
      path.join(dist, 'cli.js'),
      'check',
      '--database-url',
      server.url,
      '--python',
      python,
      '--quiet',
      '--format',
      'json',
      ...flags,
    ],
    { cwd: repo.dir, encoding: 'utf8', timeout: 300_000 },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function revisionsOf(r: CliRun): RevisionReport[] {
  expect(r.stdout.trimStart().startsWith('{'), `${r.stderr}\n${r.stdout}`).toBe(true);
  const report = JSON.parse(r.stdout) as Report;
  return report.projects[0]?.revisions ?? [];
}

function byId(revisions: RevisionReport[], id: string): RevisionReport {
  const rev = revisions.find((x) => x.id === id);
  if (!rev) throw new Error(`no revision ${id} in the report`);
  return rev;
}

/** The failing revision: the data failure, and the index after it linted in the same run. */
function expectDataFailureWithIndexLint(revisions: RevisionReport[]): void {
  const failing = byId(revisions, FAILING);
  expect(failing.data?.verdict).toBe('upgrade-fails');
  expect(failing.data?.succeedsOnEmpty).toBe(true);
  // One cause, one finding: the narrowing type change is the root, its failure on the seeded
  // rows the evidence under it.
  const typeChange = failing.findings.find((f) => f.rule === 'column-type-change');
  expect(typeChange, JSON.stringify(failing.findings, null, 2)).toBeDefined();
  expect((typeChange?.related ?? []).map((r) => r.rule)).toContain('upgrade-fails-with-data');
  expect(failing.findings.map((f) => f.rule)).not.toContain('upgrade-fails-with-data');
  const index = failing.findings.find((f) => f.rule === 'require-concurrent-index');
  expect(index, JSON.stringify(failing.findings, null, 2)).toBeDefined();
  expect(index?.statement ?? '').toMatch(/CREATE INDEX ix_orders_customer_id ON orders/i);
  // It ran on the empty copy only: nothing was observed on seeded rows.
  expect(index?.message).not.toMatch(/observed on the seeded/);
}

/** Every revision after the failing one: the full round trip, on re-seeded rows. */
function expectLaterRoundTripped(revisions: RevisionReport[]): void {
  for (const id of LATER) {
    const rev = byId(revisions, id);
    expect(rev.notChecked, id).toBeUndefined();
    expect(
      rev.steps.map((s) => [s.phase, s.ok]),
      id,
    ).toEqual([
      ['upgrade', true],
      ['downgrade', true],
      ['reupgrade', true],
    ]);
    expect(rev.schemaRestored, id).toBe(true);
    expect(rev.data?.verdict, id).toBe('ok');
    expect(rev.data?.reseededAfter, id).toBe(FAILING);
    expect(rev.findings.map((f) => f.rule)).not.toContain('upgrade-fails-with-data');
  }
  // The seeded customers are there again for the revisions after the failure.
  expect(byId(revisions, 'r04phone').data?.rows.customers).toBeGreaterThan(0);
}

describe.each(testPythons())('a revision that fails only on the seeded rows ($name)', ({ argv }) => {
  const python = argv[0] as string;

  it('the audit (--all) round-trips every later revision on re-seeded rows', () => {
    const r = check(['--all'], python);
    expect(r.code, r.stderr).toBe(1);
    const revisions = revisionsOf(r);
    expect(revisions.map((x) => x.id)).toEqual(HISTORY.map((x) => x.id));
    for (const id of ['r01customers', 'r02orders']) {
      const rev = byId(revisions, id);
      expect(rev.data?.verdict, id).toBe('ok');
      expect(rev.data?.reseededAfter, id).toBeUndefined();
    }
    expectDataFailureWithIndexLint(revisions);
    expectLaterRoundTripped(revisions);
  });

  it('the pull request (--base main) round-trips every revision after the failing one', () => {
    const r = check(['--base', 'main'], python);
    expect(r.code, r.stderr).toBe(1);
    const revisions = revisionsOf(r);
    expect(revisions.map((x) => x.id)).toEqual(HISTORY.slice(2).map((x) => x.id));
    expectDataFailureWithIndexLint(revisions);
    expectLaterRoundTripped(revisions);
  });

  it('a revision that fails on empty tables too still leaves its descendants not checked', () => {
    const r = check(['--base', 'main'], python, 'shop-broken');
    expect(r.code, r.stderr).toBe(1);
    const revisions = revisionsOf(r);
    expect(byId(revisions, FAILING).data?.succeedsOnEmpty).toBe(false);
    for (const id of LATER) {
      const rev = byId(revisions, id);
      expect(rev.steps, id).toEqual([]);
      expect(rev.notChecked, id).toMatch(/failed to upgrade/);
    }
  });

  it('the markdown says which revisions ran on rows seeded afresh', () => {
    const r = check(['--base', 'main', '--format', 'markdown'], python);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain(
      '7 revisions, `r04phone` … `r10active` ran on rows seeded afresh after `r03shortnames` failed (the database was rebuilt).',
    );
    expect(r.stdout).toContain('require-concurrent-index');
    expect(r.stdout).not.toContain('not checked');
  });
});
