/**
 * issue #14 (trust), items 3, 4, 5, 7, 9 end to end: fixture pull requests in real git
 * repositories, `check()` with the real driver on real PostgreSQL, on both Python stacks. Every
 * scenario has its invalid revision and a valid twin, and asserts the exact findings (rule,
 * severity, line, related consequences) and the exit code. The last test measures precision:
 * findings before root-cause grouping (every consequence on its own) and after.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../../../src/check.js';
import { defaultConfig } from '../../../src/config.js';
import { exitCodeFor } from '../../../src/exit.js';
import type { Finding, ProjectReport, Report } from '../../../src/report/model.js';
import { renderText } from '../../../src/report/text.js';
import {
  makeAlembicRepo,
  revisionFile,
  revisionPath,
  type AlembicRepo,
  type RevisionSpec,
} from '../../helpers/git-repo.js';
import { startTestServer, type TestServer } from '../../helpers/postgres.js';
import { testPythons } from '../roundtrip/fixtures.js';

let server: TestServer;
const repos: AlembicRepo[] = [];
beforeAll(async () => {
  server = await startTestServer();
}, 120_000);
afterAll(async () => {
  for (const r of repos) await r.cleanup();
  await server?.dispose();
});

/** Line of the first line of the revision file containing `needle`. */
function lineIn(spec: RevisionSpec, needle: string): number {
  const index = revisionFile(spec)
    .split('\n')
    .findIndex((l) => l.includes(needle));
  if (index < 0) throw new Error(`${needle} not in ${spec.id}`);
  return index + 1;
}

/** A repository whose `main` holds `base` and whose `pr` branch adds `pending`. */
async function pullRequest(base: RevisionSpec[], pending: RevisionSpec[]): Promise<AlembicRepo> {
  const repo = await makeAlembicRepo({ revisions: base });
  repos.push(repo);
  repo.branch('pr');
  for (const spec of pending) repo.writeFile(revisionPath(spec), revisionFile(spec));
  repo.commit('pull request');
  return repo;
}

type Summary = [rule: string, severity: string, line: number | null, related: string[]];
const summary = (findings: Finding[]): Summary[] =>
  findings.map((f) => [f.rule, f.severity, f.line, (f.related ?? []).map((r) => r.rule)]);

function revisionOf(project: ProjectReport, id: string) {
  const rev = project.revisions.find((r) => r.id === id);
  if (!rev) throw new Error(`no ${id} in the report`);
  return rev;
}

// Shared base of most scenarios: users and orders, orders.user_id already indexed.
const a1: RevisionSpec = {
  id: 'a1000001',
  down: null,
  message: 'create users and orders',
  upgrade: [
    "op.create_table('users', sa.Column('id', sa.Integer, primary_key=True), sa.Column('email', sa.Text, nullable=False))",
    "op.create_table('orders', sa.Column('id', sa.Integer, primary_key=True), sa.Column('user_id', sa.Integer, nullable=False), sa.Column('created_by', sa.Integer))",
    "op.create_index('ix_orders_user_id', 'orders', ['user_id'])",
    "op.create_index('ix_orders_created_by', 'orders', ['created_by'])",
  ].join('\n'),
  downgrade: "op.drop_table('orders')\nop.drop_table('users')",
};

describe.each(testPythons())('trust with $name', ({ argv }) => {
  /** Empty tables unless `seedRows` says otherwise: these scenarios are about the schema. */
  async function run(repo: AlembicRepo, seedRows = 0): Promise<Report> {
    return check({
      ...defaultConfig(repo.dir),
      seedRows,
      base: 'main',
      database: { kind: 'url', url: server.url },
      python: argv,
      concurrency: 1,
    });
  }
  const project = (report: Report): ProjectReport => {
    const p = report.projects[0];
    if (!p) throw new Error('no project');
    return p;
  };
  const reports: Report[] = [];

  // ---- item 3: one cause, one finding (and item 9: the data note) ----
  const unnamedFk: RevisionSpec = {
    id: 'b1000001',
    down: 'a1000001',
    message: 'orders reference users',
    upgrade:
      "op.add_column('orders', sa.Column('note', sa.Text))\nop.create_foreign_key(None, 'orders', 'users', ['user_id'], ['id'])",
    // The author could not name the constraint, so the downgrade leaves it.
    downgrade: "op.drop_column('orders', 'note')",
  };
  const passDowngrade: RevisionSpec = {
    id: 'b1000002',
    down: 'b1000001',
    message: 'add users legacy',
    upgrade: "op.add_column('users', sa.Column('legacy', sa.Text))",
    downgrade: 'pass',
  };
  const namedFk: RevisionSpec = {
    id: 'b1000003',
    down: 'b1000002',
    message: 'orders created by users',
    upgrade: "op.create_foreign_key('fk_orders_created_by_users', 'orders', 'users', ['created_by'], ['id'])",
    downgrade: "op.drop_constraint('fk_orders_created_by_users', 'orders', type_='foreignkey')",
  };
  const backfill: RevisionSpec = {
    id: 'b1000004',
    down: 'b1000003',
    message: 'lowercase emails',
    upgrade: 'op.execute("UPDATE users SET email = lower(email) WHERE email <> lower(email)")',
    downgrade: '# lowercasing cannot be undone, and needs not be\npass',
  };
  const schemaOnly: RevisionSpec = {
    id: 'b1000005',
    down: 'b1000004',
    message: 'add users nickname',
    upgrade: "op.add_column('users', sa.Column('nickname', sa.Text))",
    downgrade: "op.drop_column('users', 'nickname')",
  };

  it('reports one cause once: unnamed FK and pass downgrade with their consequences related', async () => {
    const repo = await pullRequest([a1], [unnamedFk, passDowngrade, namedFk, backfill, schemaOnly]);
    const report = await run(repo);
    reports.push(report);
    const p = project(report);
    expect(p.mode).toBe('full');
    expect(summary(revisionOf(p, 'b1000001').findings)).toEqual([
      ['foreign-key-not-valid', 'error', lineIn(unnamedFk, 'create_foreign_key'), []],
      [
        'unnamed-constraint',
        'error',
        lineIn(unnamedFk, 'create_foreign_key'),
        ['downgrade-leaves-trace', 'reupgrade-schema-mismatch'],
      ],
    ]);
    const fk = revisionOf(p, 'b1000001').findings.find((f) => f.rule === 'unnamed-constraint');
    expect(fk?.related?.[0]?.message).toMatch(
      /constraint orders\.orders_user_id_fkey remains after downgrade/,
    );
    expect(summary(revisionOf(p, 'b1000002').findings)).toEqual([
      [
        'empty-downgrade',
        'error',
        lineIn(passDowngrade, 'def downgrade'),
        ['downgrade-leaves-trace', 'reupgrade-failed'],
      ],
    ]);
    // Valid twin: a named foreign key with its downgrade: nothing of item 3.
    expect(summary(revisionOf(p, 'b1000003').findings)).toEqual([
      ['foreign-key-not-valid', 'error', lineIn(namedFk, 'create_foreign_key'), []],
    ]);
    // item 9: the data migration says what the round trip could not prove; its twin does not.
    expect(revisionOf(p, 'b1000004').dataNote).toBe(
      'changes rows (UPDATE (upgrade)): the round trip ran on the tables as they were before this revision, which were empty (no seeded rows), so the data branch was not exercised on real rows',
    );
    expect(summary(revisionOf(p, 'b1000004').findings)).toEqual([]);
    expect(revisionOf(p, 'b1000005').dataNote).toBeUndefined();
    expect(summary(revisionOf(p, 'b1000005').findings)).toEqual([]);
    // Counts see the root only: 4 errors, not 8.
    expect(report.summary.errors).toBe(4);
    expect(exitCodeFor(report, 'error')).toBe(1);
    const text = renderText(report);
    expect(text).toContain('and so reupgrade-failed: upgrade to b1000002 fails after its downgrade');
    expect(text).toContain('note: changes rows (UPDATE (upgrade))');
  }, 180_000);

  it('says the data migration ran on seeded synthetic rows when the seed filled the tables', async () => {
    const repo = await pullRequest(
      [a1],
      [
        { ...backfill, down: 'a1000001' },
        { ...schemaOnly, down: 'b1000004' },
      ],
    );
    const report = await run(repo, 5);
    const p = project(report);
    expect(revisionOf(p, 'b1000004').dataNote).toBe(
      'changes rows (UPDATE (upgrade)): the round trip ran on the tables as they were before this revision, with only the synthetic rows the seed put there (orders: 5, users: 5), not production data, so the data branch was not exercised on real rows',
    );
    expect(revisionOf(p, 'b1000005').dataNote).toBeUndefined();
  }, 180_000);

  // ---- item 4: the base branch's own failure ----
  const child: RevisionSpec = {
    id: 'c1000001',
    down: 'a1000002',
    message: 'add users nickname',
    upgrade: "op.add_column('users', sa.Column('nickname', sa.Text))",
    downgrade: "op.drop_column('users', 'nickname')",
  };
  const importsMissing: RevisionSpec = {
    id: 'a1000002',
    down: 'a1000001',
    message: 'add billing',
    upgrade: "import billing_money  # noqa\nop.add_column('users', sa.Column('plan', sa.Text))",
    downgrade: "op.drop_column('users', 'plan')",
  };

  it('names a base revision that does not import; pending revisions are not blamed', async () => {
    // The import sits inside upgrade(), as a revision that imports application code does it.
    const spec = { ...importsMissing, upgrade: `import billing_money_missing\n${importsMissing.upgrade}` };
    const topLevel = revisionFile(spec).replace(
      'from alembic import op\n',
      'from alembic import op\nimport billing_money_missing\n',
    );
    const repo = await makeAlembicRepo({ revisions: [a1] });
    repos.push(repo);
    repo.writeFile(revisionPath(spec), topLevel);
    repo.commit('base revision importing an application package');
    repo.branch('pr');
    repo.writeFile(revisionPath(child), revisionFile(child));
    repo.commit('pull request');
    const report = await run(repo);
    reports.push(report);
    const p = project(report);
    const importLine = topLevel.split('\n').indexOf('import billing_money_missing') + 1;
    expect(p.findings.map((f) => [f.rule, f.severity, f.file, f.line])).toEqual([
      ['base-upgrade-failed', 'error', revisionPath(spec), importLine],
    ]);
    expect(p.findings[0]?.message).toBe(
      "upgrading to the base branch fails at base revision a1000002: ModuleNotFoundError: No module named 'billing_money_missing'; 1 pending revision(s) not checked",
    );
    const c1 = revisionOf(p, 'c1000001');
    expect(c1.findings).toEqual([]);
    expect(c1.notChecked).toBe('upgrading to the base heads failed (base revision a1000002)');
    expect(c1.steps).toEqual([]);
    expect(exitCodeFor(report, 'error')).toBe(1);
    expect(renderText(report)).toContain(
      'not checked: upgrading to the base heads failed (base revision a1000002)',
    );
  }, 180_000);

  it('names a base revision that fails on an empty database', async () => {
    const dropsLegacy: RevisionSpec = {
      id: 'a1000002',
      down: 'a1000001',
      message: 'drop legacy orders',
      upgrade: "op.drop_table('legacy_orders')",
      downgrade: "op.create_table('legacy_orders', sa.Column('id', sa.Integer, primary_key=True))",
    };
    const repo = await pullRequest([a1, dropsLegacy], [child]);
    const report = await run(repo);
    reports.push(report);
    const p = project(report);
    expect(p.findings.map((f) => [f.rule, f.file, f.line])).toEqual([
      [
        'base-upgrade-failed',
        revisionPath(dropsLegacy),
        lineIn(dropsLegacy, "op.drop_table('legacy_orders')"),
      ],
    ]);
    expect(p.findings[0]?.message).toMatch(
      /^upgrading to the base branch fails at base revision a1000002: UndefinedTable: table "legacy_orders" does not exist; 1 pending revision\(s\) not checked$/,
    );
    expect(revisionOf(p, 'c1000001').findings).toEqual([]);
    expect(revisionOf(p, 'c1000001').notChecked).toMatch(/^upgrading to the base heads failed/);
    expect(exitCodeFor(report, 'error')).toBe(1);
  }, 180_000);

  it('valid twin: a base that upgrades checks the pending revision', async () => {
    const fine: RevisionSpec = {
      ...importsMissing,
      upgrade: "import json  # noqa\nop.add_column('users', sa.Column('plan', sa.Text))",
    };
    const repo = await pullRequest([a1, fine], [child]);
    const report = await run(repo);
    reports.push(report);
    const p = project(report);
    expect(p.findings).toEqual([]);
    expect(revisionOf(p, 'c1000001').notChecked).toBeUndefined();
    expect(revisionOf(p, 'c1000001').steps.map((s) => [s.phase, s.ok])).toEqual([
      ['upgrade', true],
      ['downgrade', true],
      ['reupgrade', true],
    ]);
    expect(exitCodeFor(report, 'error')).toBe(0);
  }, 180_000);

  it('names the file and line of a pending revision that does not import; its child is not blamed', async () => {
    const broken: RevisionSpec = {
      id: 'd1000001',
      down: 'a1000001',
      message: 'add users plan',
      upgrade: "op.add_column('users', sa.Column('plan', sa.Text))",
      downgrade: "op.drop_column('users', 'plan')",
    };
    const text = revisionFile(broken).replace(
      'from alembic import op\n',
      'from alembic import op\nimport billing_money_missing\n',
    );
    const after: RevisionSpec = { ...child, id: 'd1000002', down: 'd1000001' };
    const repo = await pullRequest([a1], [after]);
    repo.writeFile(revisionPath(broken), text);
    repo.commit('pending revision that does not import');
    const report = await run(repo);
    reports.push(report);
    const p = project(report);
    expect(p.findings).toEqual([]);
    const d1 = revisionOf(p, 'd1000001');
    expect(d1.findings.map((f) => [f.rule, f.file, f.line])).toEqual([
      ['upgrade-failed', revisionPath(broken), text.split('\n').indexOf('import billing_money_missing') + 1],
    ]);
    expect(d1.findings[0]?.message).toContain("ModuleNotFoundError: No module named 'billing_money_missing'");
    expect(revisionOf(p, 'd1000002').findings).toEqual([]);
    expect(revisionOf(p, 'd1000002').notChecked).toBe('d1000001 does not import');
  }, 180_000);

  // ---- item 5: declared irreversibility ----
  it('declared irreversible: a warning with the reason, the round trip stops after the upgrade; without a reason it stays a BLOCKER', async () => {
    const declared: RevisionSpec = {
      id: 'e1000001',
      down: 'a1000001',
      message: 'merge duplicate users',
      upgrade: 'op.execute("DELETE FROM users WHERE email IS NULL")',
      downgrade: 'raise NotImplementedError("duplicate users were merged; the originals are gone")',
    };
    const unexplained: RevisionSpec = {
      id: 'e1000002',
      down: 'e1000001',
      message: 'add users tier',
      upgrade: "op.add_column('users', sa.Column('tier', sa.Text))",
      downgrade: 'raise NotImplementedError()',
    };
    const repo = await pullRequest([a1], [declared, unexplained]);
    const report = await run(repo);
    reports.push(report);
    const p = project(report);
    const e1 = revisionOf(p, 'e1000001');
    expect(summary(e1.findings)).toEqual([
      ['irreversible-downgrade', 'warning', lineIn(declared, 'raise NotImplementedError'), []],
    ]);
    expect(e1.findings[0]?.message).toBe(
      'declared irreversible: duplicate users were merged; the originals are gone (downgrade() raises NotImplementedError; the round trip stops after the upgrade)',
    );
    expect(e1.steps.map((s) => [s.phase, s.ok])).toEqual([['upgrade', true]]);
    expect(e1.roundTripSkipped).toBe(
      'downgrade and re-upgrade not run: declared irreversible: duplicate users were merged; the originals are gone',
    );
    expect(e1.dataNote).toMatch(
      /^changes rows \(DELETE \(upgrade\)\): the round trip ran on the tables as they were/,
    );
    const e2 = revisionOf(p, 'e1000002');
    expect(summary(e2.findings)).toEqual([
      ['downgrade-failed', 'error', lineIn(unexplained, 'raise NotImplementedError'), []],
    ]);
    expect(e2.findings[0]?.message).toMatch(/NotImplementedError/);
    expect(report.summary.warnings).toBe(1);
    expect(report.summary.errors).toBe(1);
    expect(renderText(report)).toContain('downgrade and re-upgrade not run: declared irreversible');
  }, 180_000);

  // ---- item 7: database mode survives a broken graph ----
  it('reports a down_revision pointing nowhere, checks the rest, exit 1', async () => {
    const good: RevisionSpec = { ...child, id: 'f1000001', down: 'a1000001' };
    const orphan: RevisionSpec = { ...child, id: 'f1000002', down: 'f0nowhere', message: 'add users tier' };
    const orphanChild: RevisionSpec = {
      ...child,
      id: 'f1000003',
      down: 'f1000002',
      message: 'add users rank',
    };
    const repo = await pullRequest([a1], [good, orphan, orphanChild]);
    const report = await run(repo);
    reports.push(report);
    const p = project(report);
    expect(p.mode).toBe('full');
    // The orphan's chain is a second head only because its down_revision is missing: one cause,
    // so broken-revision-graph alone (rules/multiple-heads.ts leaves such heads to it).
    expect(p.findings.map((f) => [f.rule, f.file, f.line])).toEqual([
      ['broken-revision-graph', revisionPath(orphan), lineIn(orphan, "revision = 'f1000002'")],
    ]);
    expect(p.findings[0]?.message).toMatch(/down_revision "f0nowhere", which is no revision/);
    expect(revisionOf(p, 'f1000001').steps.map((s) => s.ok)).toEqual([true, true, true]);
    expect(revisionOf(p, 'f1000001').findings).toEqual([]);
    expect(revisionOf(p, 'f1000002').notChecked).toBe('its down_revision "f0nowhere" is no revision');
    expect(revisionOf(p, 'f1000003').notChecked).toBe('its ancestor f1000002 is not in the revision graph');
    expect(revisionOf(p, 'f1000002').findings).toEqual([]);
    expect(exitCodeFor(report, 'error')).toBe(1);
  }, 180_000);

  it('reports a cycle in database mode with file and line, exit 1', async () => {
    const g1: RevisionSpec = { ...child, id: 'g1000001', down: 'g1000002', message: 'add users tier' };
    const g2: RevisionSpec = { ...child, id: 'g1000002', down: 'g1000001', message: 'add users rank' };
    const repo = await pullRequest([a1], [g1, g2]);
    const report = await run(repo);
    reports.push(report);
    const p = project(report);
    const cycle = p.findings.filter((f) => f.rule === 'broken-revision-graph');
    expect(cycle.map((f) => [f.file, f.line])).toEqual([
      [revisionPath(g1), lineIn(g1, "revision = 'g1000001'")],
    ]);
    expect(cycle[0]?.message).toBe('revisions g1000001 → g1000002 form a cycle: alembic cannot order them');
    for (const r of p.revisions) expect(r.notChecked).toMatch(/form a cycle/);
    expect(exitCodeFor(report, 'error')).toBe(1);
  }, 180_000);

  // ---- precision: findings before and after root-cause grouping ----
  it('measures precision: findings before and after grouping', () => {
    let before = 0;
    let after = 0;
    let notChecked = 0;
    for (const report of reports) {
      for (const p of report.projects) {
        notChecked += p.revisions.filter((r) => r.notChecked).length;
        for (const f of [...p.findings, ...p.revisions.flatMap((r) => r.findings)]) {
          after += 1;
          before += 1 + (f.related?.length ?? 0);
        }
      }
    }
    console.log(
      `precision (${argv.join(' ')}): ${before} findings before root-cause grouping, ${after} after; ` +
        `${notChecked} revisions marked "not checked" instead of blamed with upgrade-failed`,
    );
    expect(reports.length).toBe(8);
    expect([before, after, notChecked]).toEqual([15, 11, 7]);
  });
});
