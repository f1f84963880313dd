/**
 * The round trip on real PostgreSQL with real Debian alembic, on every fixture project, with
 * both Python stacks (bookworm: alembic 1.8 / SQLAlchemy 1.4, trixie: alembic 1.13 / 2.0).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.js';
import { runRoundTrip, type RoundTripInput, type RoundTripResult } from '../../../src/roundtrip/run.js';
import { startTestServer, type TestServer } from '../../helpers/postgres.js';
import {
  configPath,
  driverPath,
  fixtureRevisions,
  freshDatabase,
  lineOf,
  projectDir,
  query,
  testPythons,
} from './fixtures.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.dispose();
});

describe.each(testPythons())('round trip with $name', ({ argv }) => {
  async function roundTrip(
    project: string,
    options: Partial<
      Pick<
        RoundTripInput,
        'baseHeads' | 'pending' | 'statementTimeoutMs' | 'stepTimeoutMs' | 'modelDrift' | 'reuseSnapshots'
      >
    > = {},
  ): Promise<{ result: RoundTripResult; url: string }> {
    const revisions = fixtureRevisions(project);
    const url = await freshDatabase(server.url);
    const result = await runRoundTrip({
      configPath: configPath(project),
      projectDir: projectDir(project),
      python: argv,
      databaseUrl: url,
      databaseUrlEnv: 'DATABASE_URL',
      revisions,
      baseHeads: options.baseHeads ?? [],
      pending: options.pending ?? revisions.map((r) => r.id),
      statementTimeoutMs: options.statementTimeoutMs ?? 30_000,
      stepTimeoutMs: options.stepTimeoutMs ?? 60_000,
      modelDrift: options.modelDrift ?? false,
      log: silentLogger,
      driverPath,
      reuseSnapshots: options.reuseSnapshots,
    });
    return { result, url };
  }

  const file = (project: string, id: string) => {
    const rev = fixtureRevisions(project).find((r) => r.id === id);
    if (!rev) throw new Error(`no ${id} in ${project}`);
    return rev.file;
  };

  it('linear history: every revision goes down and up again, with lines, locks and bookkeeping', async () => {
    const { result, url } = await roundTrip('linear', { modelDrift: true });
    expect(result.revisions.map((r) => r.id)).toEqual(['a1000001', 'a1000002', 'a1000003']);
    for (const rev of result.revisions) {
      expect(rev.steps.map((s) => [s.phase, s.ok])).toEqual([
        ['upgrade', true],
        ['downgrade', true],
        ['reupgrade', true],
      ]);
      expect(rev.schemaRestored).toBe(true);
      expect(rev.downgradeDiff).toEqual([]);
      expect(rev.reupgradeDiff).toEqual([]);
    }
    const a3 = result.revisions[2];
    const createIndex = a3?.steps[0]?.statements.find((s) =>
      s.sql.startsWith('CREATE INDEX ix_orders_user_id'),
    );
    expect(createIndex).toBeDefined();
    expect(createIndex?.line).toBe(lineOf(file('linear', 'a1000003'), 'op.create_index('));
    expect(createIndex?.revision).toBe('a1000003');
    expect(createIndex?.bookkeeping).toBe(false);
    expect(createIndex?.inTransaction).toBe(true);
    expect(createIndex?.locks).toContainEqual({ relation: 'orders', mode: 'ShareLock' });
    const addColumn = a3?.steps[0]?.statements.find((s) =>
      s.sql.startsWith('ALTER TABLE orders ADD COLUMN note'),
    );
    expect(addColumn?.line).toBe(lineOf(file('linear', 'a1000003'), 'op.add_column('));
    expect(addColumn?.locks).toContainEqual({ relation: 'orders', mode: 'AccessExclusiveLock' });
    const versionUpdate = a3?.steps[0]?.statements.find((s) => s.sql.includes('alembic_version'));
    expect(versionUpdate?.bookkeeping).toBe(true);
    expect(versionUpdate?.line).toBeNull();
    // The downgrade's statements point at downgrade()'s lines.
    const dropIndex = a3?.steps[1]?.statements.find((s) => s.sql.includes('DROP INDEX ix_orders_user_id'));
    expect(dropIndex?.line).toBe(lineOf(file('linear', 'a1000003'), 'op.drop_index('));
    // model drift: models.py has users.nickname, no migration creates it
    expect(result.modelDrift).toEqual(['add column users.nickname']);
    const current = await query<{ version_num: string }>(url, 'select version_num from alembic_version');
    expect(current.map((r) => r.version_num)).toEqual(['a1000003']);
    expect(result.driver?.alembicVersion).toMatch(/^1\.\d+/);
  });

  it('upgrades to the base heads first and round-trips only the pending revisions', async () => {
    const { result } = await roundTrip('linear', {
      baseHeads: ['a1000001'],
      pending: ['a1000002', 'a1000003'],
    });
    expect(result.baseUpgrade?.ok).toBe(true);
    expect(result.baseUpgrade?.statements.some((s) => s.sql.trim().startsWith('CREATE TABLE users'))).toBe(
      true,
    );
    expect(result.revisions.map((r) => [r.id, r.schemaRestored])).toEqual([
      ['a1000002', true],
      ['a1000003', true],
    ]);
  });

  it('branch + merge: each downgrade removes only its own revision', async () => {
    const { result } = await roundTrip('branch-merge');
    expect(result.revisions.map((r) => [r.id, r.steps.every((s) => s.ok), r.schemaRestored])).toEqual([
      ['b0000001', true, true],
      ['b0000002', true, true],
      ['b0000003', true, true],
      ['b0000004', true, true],
    ]);
    const sqlOf = (id: string, phase: string) =>
      result.revisions
        .find((r) => r.id === id)
        ?.steps.find((s) => s.phase === phase)
        ?.statements.filter((s) => !s.bookkeeping)
        .map((s) => s.sql.trim()) ?? [];
    // right branch downgrade leaves the (applied) left branch alone
    expect(sqlOf('b0000003', 'downgrade')).toEqual(['DROP TABLE right_items']);
    // merge downgrade undoes the merge only; both parents stay applied
    expect(sqlOf('b0000004', 'downgrade')).toEqual(['ALTER TABLE left_items DROP COLUMN right_id']);
  });

  it('two heads: a base made of several heads is reached with `upgrade heads`', async () => {
    const { result, url } = await roundTrip('two-heads', {
      baseHeads: ['c0000002', 'c0000003'],
      pending: [],
    });
    expect(result.baseUpgrade?.ok).toBe(true);
    const current = await query<{ version_num: string }>(
      url,
      'select version_num from alembic_version order by 1',
    );
    expect(current.map((r) => r.version_num)).toEqual(['c0000002', 'c0000003']);
    const all = await roundTrip('two-heads');
    expect(all.result.revisions.map((r) => r.schemaRestored)).toEqual([true, true, true]);
    const c2Down = all.result.revisions[1]?.steps[1]?.statements
      .filter((s) => !s.bookkeeping)
      .map((s) => s.sql.trim());
    expect(c2Down).toEqual(['ALTER TABLE accounts DROP COLUMN name']);
  });

  it('a failing downgrade is reported with the database error, statement and line; the next revision still runs', async () => {
    const { result } = await roundTrip('failing-downgrade');
    const d2 = result.revisions.find((r) => r.id === 'd0000002');
    const down = d2?.steps[1];
    expect(down?.phase).toBe('downgrade');
    expect(down?.ok).toBe(false);
    expect(down?.error).toMatch(/column "cost" of relation "products" does not exist/);
    expect(down?.failedStatement).toMatch(/ALTER TABLE products DROP COLUMN cost/);
    expect(down?.errorLine).toBe(
      lineOf(file('failing-downgrade', 'd0000002'), 'op.drop_column("products", "cost")'),
    );
    expect(down?.statements.at(-1)?.error).toMatch(/does not exist/);
    expect(d2?.schemaRestored).toBeNull();
    const d3 = result.revisions.find((r) => r.id === 'd0000003');
    expect(d3?.steps.map((s) => s.ok)).toEqual([true, true, true]);
    expect(d3?.schemaRestored).toBe(true);
  });

  it('a downgrade that leaves an enum type and an index behind', async () => {
    const { result } = await roundTrip('leaves-trace');
    const e2 = result.revisions.find((r) => r.id === 'e0000002');
    expect(e2?.schemaRestored).toBe(false);
    expect(e2?.downgradeDiff).toEqual([
      'index ix_shipments_carrier remains after downgrade',
      'enum type shipment_status remains after downgrade',
    ]);
    // the leftover type makes the re-upgrade fail (CREATE TYPE … already exists)
    const re = e2?.steps[2];
    expect(re?.phase).toBe('reupgrade');
    expect(re?.ok).toBe(false);
    expect(re?.error).toMatch(/shipment_status.*already exists/);
    const e3 = result.revisions.find((r) => r.id === 'e0000003');
    expect(e3?.steps.map((s) => s.ok)).toEqual([true, true, true]);
    expect(e3?.schemaRestored).toBe(true);
  });

  it('op.get_bind() data migration: parameters rendered, print() does not disturb the protocol', async () => {
    const { result } = await roundTrip('data-migration');
    const f2 = result.revisions.find((r) => r.id === 'f0000002');
    expect(f2?.steps.map((s) => s.ok)).toEqual([true, true, true]);
    const sql = f2?.steps[0]?.statements.map((s) => s.sql) ?? [];
    expect(sql).toContain(
      "INSERT INTO customers (name) VALUES ('ada');\nINSERT INTO customers (name) VALUES ('bob')",
    );
    expect(sql).toContain("UPDATE customers SET tier = 'gold' WHERE tier IS NULL");
    const update = f2?.steps[0]?.statements.find((s) => s.sql.startsWith('UPDATE customers'));
    expect(update?.line).toBe(lineOf(file('data-migration', 'f0000002'), 'bind.execute(sa.text("UPDATE'));
    expect(update?.locks).toContainEqual({ relation: 'customers', mode: 'RowExclusiveLock' });
  });

  it('autocommit_block: CREATE INDEX CONCURRENTLY runs outside a transaction', async () => {
    const { result } = await roundTrip('autocommit');
    const g2 = result.revisions.find((r) => r.id === 'g0000002');
    expect(g2?.steps.map((s) => s.ok)).toEqual([true, true, true]);
    const create = g2?.steps[0]?.statements.find((s) => s.sql.includes('CREATE INDEX CONCURRENTLY'));
    expect(create?.inTransaction).toBe(false);
    expect(create?.line).toBe(lineOf(file('autocommit', 'g0000002'), 'op.create_index('));
    // outside a transaction the lock is already released when the statement returns
    expect(create?.locks).toEqual([]);
    const g1Create = result.revisions[0]?.steps[0]?.statements.find((s) =>
      s.sql.includes('CREATE TABLE events'),
    );
    expect(g1Create?.inTransaction).toBe(true);
  });

  it('transaction_per_migration and an env.py reading DATABASE_URL', async () => {
    const perMigration = await roundTrip('transaction-per-migration');
    expect(perMigration.result.revisions.map((r) => r.schemaRestored)).toEqual([true, true]);
    const addBody = perMigration.result.revisions[1]?.steps[0]?.statements.find((s) =>
      s.sql.includes('ADD COLUMN body'),
    );
    expect(addBody?.inTransaction).toBe(true);
    expect(addBody?.locks).toContainEqual({ relation: 'notes', mode: 'AccessExclusiveLock' });

    const envUrl = await roundTrip('env-database-url');
    expect(envUrl.result.revisions.map((r) => [r.id, r.schemaRestored])).toEqual([['i0000001', true]]);
    const tables = await query<{ tablename: string }>(
      envUrl.url,
      "select tablename from pg_tables where schemaname = 'public' order by 1",
    );
    expect(tables.map((t) => t.tablename)).toEqual(['alembic_version', 'tags']);
  });

  it('a revision that raises is an upgrade failure on its line; its sibling still runs', async () => {
    const { result } = await roundTrip('raises');
    const j2 = result.revisions.find((r) => r.id === 'j0000002');
    expect(j2?.steps).toHaveLength(1);
    expect(j2?.steps[0]?.error).toBe('RuntimeError: sizes are not computable yet');
    expect(j2?.steps[0]?.errorLine).toBe(lineOf(file('raises', 'j0000002'), 'raise RuntimeError'));
    const j3 = result.revisions.find((r) => r.id === 'j0000003');
    expect(j3?.steps.map((s) => s.ok)).toEqual([true, true, true]);
  });

  it('a revision with a syntax error fails on its own line, its child does not run, others do', async () => {
    const { result } = await roundTrip('syntax-error');
    const byId = new Map(result.revisions.map((r) => [r.id, r]));
    const k2 = byId.get('k0000002');
    expect(k2?.importError).toMatch(/^SyntaxError: .*\(line \d+\)$/);
    expect(k2?.steps[0]?.phase).toBe('upgrade');
    expect(k2?.steps[0]?.ok).toBe(false);
    const brokenLine = k2?.steps[0]?.errorLine ?? 0;
    // Python reports the unclosed call's line or the next one, depending on the version
    expect([
      lineOf(file('syntax-error', 'k0000002'), 'op.add_column('),
      lineOf(file('syntax-error', 'k0000002'), 'op.add_column(') + 1,
    ]).toContain(brokenLine);
    expect(byId.get('k0000003')?.notRun).toMatch(/k0000002/);
    expect(byId.get('k0000003')?.steps).toEqual([]);
    expect(byId.get('k0000001')?.schemaRestored).toBe(true);
    expect(byId.get('k0000004')?.schemaRestored).toBe(true);
  });

  it.each(['branch-merge', 'failing-downgrade', 'leaves-trace', 'syntax-error'])(
    'reusing the last snapshot as the next "before" gives the same results as fresh snapshots (%s)',
    async (project) => {
      const reused = await roundTrip(project);
      const fresh = await roundTrip(project, { reuseSnapshots: false });
      // Compare the verdicts (statement capture details such as lock lists may vary between runs).
      const verdicts = (rs: typeof fresh.result.revisions) =>
        rs.map((r) => ({
          id: r.id,
          steps: r.steps.map((s) => [s.phase, s.ok]),
          schemaRestored: r.schemaRestored,
          downgradeDiff: r.downgradeDiff,
          reupgradeDiff: r.reupgradeDiff,
          importError: r.importError,
        }));
      expect(verdicts(reused.result.revisions)).toEqual(verdicts(fresh.result.revisions));
      expect(reused.result.revisions.length).toBe(fresh.result.revisions.length);
      const revisionsRun = fresh.result.revisions.filter((r) => r.steps.length > 0 && !r.importError);
      // every revision that ran took its own "before" snapshot when reuse is off...
      expect(fresh.result.timings.snapshotsReused).toBeUndefined();
      // ...and with reuse on, the snapshots saved are exactly the ones reused
      const saved = (fresh.result.timings.snapshots ?? 0) - (reused.result.timings.snapshots ?? 0);
      expect(saved).toBe(reused.result.timings.snapshotsReused);
      expect(saved).toBeGreaterThan(0);
      expect(saved).toBeLessThan(revisionsRun.length);
    },
  );

  it('a statement slower than statement_timeout fails with the statement', async () => {
    const { result } = await roundTrip('hung', { statementTimeoutMs: 500 });
    const l2 = result.revisions.find((r) => r.id === 'l0000002');
    expect(l2?.steps[0]?.ok).toBe(false);
    expect(l2?.steps[0]?.error).toMatch(/statement timeout/);
    expect(l2?.steps[0]?.failedStatement).toBe('SELECT pg_sleep(60)');
  });

  it('a step longer than the step timeout kills the driver and reports the statement', async () => {
    const started = Date.now();
    const { result } = await roundTrip('hung', { stepTimeoutMs: 3000, statementTimeoutMs: 120_000 });
    expect(Date.now() - started).toBeLessThan(30_000);
    const l1 = result.revisions.find((r) => r.id === 'l0000001');
    expect(l1?.schemaRestored).toBe(true);
    const l2 = result.revisions.find((r) => r.id === 'l0000002');
    expect(l2?.steps[0]?.ok).toBe(false);
    expect(l2?.steps[0]?.error).toMatch(
      /did not finish within 3000 ms while running SELECT pg_sleep\(60\).*driver was killed/,
    );
    expect(l2?.steps[0]?.failedStatement).toBe('SELECT pg_sleep(60)');
    expect(l2?.steps[0]?.errorLine).toBe(lineOf(file('hung', 'l0000002'), 'pg_sleep'));
  });
});

/** Round-trip results with every timing removed, to compare two runs. */
function _withoutDurations(revisions: RoundTripResult['revisions']): unknown {
  return revisions.map((r) => ({
    ...r,
    durationMs: 0,
    steps: r.steps.map((s) => ({
      ...s,
      durationMs: 0,
      statements: s.statements.map((st) => ({ ...st, durationMs: 0 })),
    })),
  }));
}

function hasPsycopg3(argv: string[]): boolean {
  const [cmd, ...rest] = argv;
  return spawnSync(cmd as string, [...rest, '-c', 'import psycopg'], { stdio: 'ignore' }).status === 0;
}

describe.each(testPythons().filter((p) => hasPsycopg3(p.argv)))(
  'psycopg 3 (postgresql+psycopg) with $name',
  ({ argv }) => {
    it('keeps the +psycopg driver, renders parameters, reads locks and transaction state', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'mg-psycopg3-'));
      try {
        cpSync(projectDir('data-migration'), dir, { recursive: true });
        const ini = path.join(dir, 'alembic.ini');
        writeFileSync(
          ini,
          readFileSync(ini, 'utf8').replace(
            /^sqlalchemy.url = .*$/m,
            'sqlalchemy.url = postgresql+psycopg://app@db/app',
          ),
        );
        const revisions = fixtureRevisions('data-migration').map((r) => ({
          ...r,
          file: path.join(dir, r.relFile),
        }));
        const result = await runRoundTrip({
          configPath: ini,
          projectDir: dir,
          python: argv,
          databaseUrl: await freshDatabase(server.url),
          databaseUrlEnv: 'DATABASE_URL',
          revisions,
          baseHeads: [],
          pending: revisions.map((r) => r.id),
          statementTimeoutMs: 30_000,
          stepTimeoutMs: 60_000,
          modelDrift: false,
          log: silentLogger,
          driverPath,
        });
        expect(result.revisions.map((r) => [r.id, r.schemaRestored])).toEqual([
          ['f0000001', true],
          ['f0000002', true],
        ]);
        const statements = result.revisions[1]?.steps[0]?.statements ?? [];
        const update = statements.find((s) => s.sql.startsWith('UPDATE customers'));
        expect(update?.sql).toBe("UPDATE customers SET tier = 'gold' WHERE tier IS NULL");
        expect(update?.inTransaction).toBe(true);
        expect(update?.locks).toContainEqual({ relation: 'customers', mode: 'RowExclusiveLock' });
        expect(update?.line).toBe(
          lineOf(path.join(dir, revisions[1]?.relFile ?? ''), 'bind.execute(sa.text("UPDATE'),
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);
