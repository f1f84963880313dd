/**
 * Revisions that signal every session they can see (README.md "Security"): our own sessions in
 * the test database log in as a role the migration role is not a member of
 * (src/database/roles.ts), so pg_cancel_backend / pg_terminate_backend cannot reach them and
 * the round trip goes on as if nothing happened. Through the built CLI (dist/cli.js) on the
 * embedded local server and a --database-url server, with both Python stacks:
 *   - r1 cancels and terminates every other session of its own role;
 *   - r2 starts a thread that keeps cancelling and terminating the sessions that take our
 *     snapshots for the rest of the run (it outlives the revision in the driver process, so it
 *     fires while our snapshots run), and r3 follows;
 *   - r4 tries both on every session of the server, ignoring refusals;
 *   - r5 runs `SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid()`
 *     as such: refused, an upgrade-failed finding saying why.
 * The report is complete and correct, and nothing is left on the server.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { makeAlembicRepo, revisionFile, revisionPath, type AlembicRepo } from '../helpers/git-repo.js';
import type { RevisionSpec } from '../helpers/git-repo.js';
import { startTestServer, type TestServer } from '../helpers/postgres.js';
import { validReport } from '../helpers/report-schema.js';
import { assertBundle, dist } from './action-harness.js';

const TRIXIE_PYTHON = '/opt/migration-guard/trixie-python';
const PYTHONS = ['/usr/bin/python3', ...(existsSync(TRIXIE_PYTHON) ? [TRIXIE_PYTHON] : [])];
if (!existsSync(TRIXIE_PYTHON)) {
  if (process.env.CI) throw new Error(`${TRIXIE_PYTHON} is missing: run scripts/setup-trixie-python.sh`);
  console.warn(`skipping the trixie Python stack in hostile-sessions.test.ts: ${TRIXIE_PYTHON} is absent`);
}

const OWN_ROLE_SESSIONS =
  'SELECT pid FROM pg_stat_activity WHERE usename = current_user AND pid <> pg_backend_pid()';

const REVISIONS: RevisionSpec[] = [
  {
    id: 'r1',
    down: 'a0',
    message: 'signals its own role',
    upgrade: [
      `op.execute('SELECT pg_cancel_backend(pid) FROM (${OWN_ROLE_SESSIONS}) s')`,
      `op.execute('SELECT pg_terminate_backend(pid) FROM (${OWN_ROLE_SESSIONS}) s')`,
      "op.create_table('t1', sa.Column('id', sa.Integer, primary_key=True))",
    ].join('\n'),
    downgrade: "op.drop_table('t1')",
  },
  {
    id: 'r2',
    down: 'r1',
    message: 'keeps signalling from a thread',
    // Aimed at our snapshots (the only sessions whose queries call pg_get_*): the thread spares
    // the driver's own connections, which a revision may of course end.
    upgrade: [
      'import os, threading, time',
      "engine = sa.create_engine(os.environ['DATABASE_URL'])",
      'TARGETS = "FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND query LIKE \'%%pg_get_%%\'"',
      'def signal_forever():',
      '    with engine.connect() as conn:',
      '        while True:',
      '            for fn in ("pg_cancel_backend", "pg_terminate_backend"):',
      '                try:',
      '                    conn.execute(sa.text("SELECT " + fn + "(pid) " + TARGETS))',
      '                except Exception:',
      '                    pass',
      '            time.sleep(0.001)',
      'threading.Thread(target=signal_forever, daemon=True).start()',
      'time.sleep(0.2)',
      "op.create_table('t2', sa.Column('id', sa.Integer, primary_key=True))",
    ].join('\n'),
    downgrade: "op.drop_table('t2')",
  },
  {
    id: 'r3',
    down: 'r2',
    message: 'runs while the thread signals',
    upgrade: "op.add_column('t2', sa.Column('note', sa.Text))",
    downgrade: "op.drop_column('t2', 'note')",
  },
  {
    id: 'r4',
    down: 'r3',
    message: 'signals every session it may',
    upgrade: [
      'op.execute("""DO $$ DECLARE p int; BEGIN',
      '  FOR p IN SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid() LOOP',
      '    BEGIN PERFORM pg_cancel_backend(p); PERFORM pg_terminate_backend(p);',
      '    EXCEPTION WHEN OTHERS THEN NULL; END;',
      '  END LOOP; END $$""")',
      "op.create_table('t4', sa.Column('id', sa.Integer, primary_key=True))",
    ].join('\n'),
    downgrade: "op.drop_table('t4')",
  },
  {
    id: 'r5',
    down: 'r4',
    message: 'cancels every session',
    upgrade:
      "op.execute('SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid()')",
    downgrade: "op.execute('SELECT 1')",
  },
];

let server: TestServer;
let repo: AlembicRepo;
let work: string;

beforeAll(async () => {
  assertBundle();
  server = await startTestServer();
  work = mkdtempSync(path.join(tmpdir(), 'mg-sessions-'));
  // Local clusters live under it: as root they run as `postgres`, which must get in.
  chmodSync(work, 0o755);
  repo = await makeAlembicRepo({
    revisions: [
      {
        id: 'a0',
        down: null,
        message: 'create users',
        upgrade: "op.create_table('users', sa.Column('id', sa.Integer, primary_key=True))",
        downgrade: "op.drop_table('users')",
      },
    ],
  });
  repo.branch('feature');
  for (const spec of REVISIONS) repo.writeFile(revisionPath(spec), revisionFile(spec));
  repo.commit('revisions that signal sessions');
}, 120_000);

afterAll(async () => {
  await repo?.cleanup();
  await server?.dispose();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function leftoverRoles(): Promise<string[]> {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    const rows = await client.query<{ n: string }>(
      "select rolname as n from pg_roles where rolname like 'migration_guard_%'",
    );
    return rows.rows.map((r) => r.n);
  } finally {
    await client.end();
  }
}

describe.each(PYTHONS)('revisions that signal sessions, with %s', (python) => {
  it.each(['local', 'url'] as const)(
    'on the %s provider: the run completes with a correct report',
    async (provider) => {
      const flags = provider === 'local' ? ['--local-postgres'] : ['--database-url', server.url];
      const r = spawnSync(
        process.execPath,
        [
          path.join(dist, 'cli.js'),
          'check',
          '--base',
          'main',
          ...flags,
          '--python',
          python,
          '--format',
          'json',
        ],
        { cwd: repo.dir, encoding: 'utf8', timeout: 240_000, env: { ...process.env, TMPDIR: work } },
      );
      expect(r.status, r.stderr).toBe(1);
      const report = validReport<Report>(r.stdout, 'the report');
      const revisions = report.projects[0]!.revisions;
      expect(revisions.map((x) => x.id)).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
      for (const revision of revisions.slice(0, 4)) {
        expect(
          revision.steps.map((s) => [s.phase, s.ok, s.error]),
          revision.id,
        ).toEqual([
          ['upgrade', true, null],
          ['downgrade', true, null],
          ['reupgrade', true, null],
        ]);
        expect(revision.schemaRestored, revision.id).toBe(true);
        expect(
          revision.findings.filter((f) => f.severity === 'error').map((f) => f.rule),
          revision.id,
        ).toEqual([]);
      }
      const refused = revisions[4]!.findings.find((f) => f.rule === 'upgrade-failed')!;
      expect(refused.message).toMatch(/InsufficientPrivilege: must be a (superuser|member of the role)/);
      expect(report.summary).toMatchObject({ revisions: 5, passed: 4, errors: 1 });
      expect(r.stderr).not.toMatch(/internal error|connection to the database was lost/);
      if (provider === 'url') expect(await leftoverRoles()).toEqual([]);
    },
    300_000,
  );
});
