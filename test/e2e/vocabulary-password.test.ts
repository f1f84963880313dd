/**
 * A database password that is also one of the tool's words (README.md "Security"): the admin
 * user of a --database-url server has the password `set-not-null`, a rule id, and a pending
 * revision sets a column NOT NULL (that rule's finding) while another raises an error quoting
 * the password. Through the built CLI (dist/cli.js) on a real PostgreSQL with Debian's
 * alembic: the JSON report validates against schema/report.schema.json, the rule id and its doc
 * link are intact in every format, and the password is masked where the revision printed it.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { makeAlembicRepo, revisionFile, revisionPath, type AlembicRepo } from '../helpers/git-repo.js';
import { startTestServer, type TestServer } from '../helpers/postgres.js';
import { validReport } from '../helpers/report-schema.js';
import { assertBundle, dist } from './action-harness.js';

const PASSWORD = 'set-not-null';
const ROLE = 'mg_vocabulary_admin';

let server: TestServer;
let repo: AlembicRepo;
let url: string;

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  assertBundle();
  server = await startTestServer();
  await admin(`CREATE ROLE ${ROLE} LOGIN CREATEDB CREATEROLE PASSWORD '${PASSWORD}'`);
  const u = new URL(server.url);
  u.username = ROLE;
  u.password = PASSWORD;
  url = u.toString();
  repo = await makeAlembicRepo({
    revisions: [
      {
        id: 'a1000001',
        down: null,
        message: 'create users',
        upgrade:
          "op.create_table('users', sa.Column('id', sa.Integer, primary_key=True), sa.Column('email', sa.Text))",
        downgrade: "op.drop_table('users')",
      },
    ],
  });
  repo.branch('feature');
  const notNull = {
    id: 'b2000002',
    down: 'a1000001',
    message: 'email required',
    upgrade: "op.alter_column('users', 'email', nullable=False)",
    downgrade: "op.alter_column('users', 'email', nullable=True)",
  };
  const leaking = {
    id: 'c3000003',
    down: 'b2000002',
    message: 'raises the password',
    upgrade: `raise RuntimeError('the admin password is ${PASSWORD}, printed')`,
    downgrade: 'pass',
  };
  repo.writeFile(revisionPath(notNull), revisionFile(notNull));
  repo.writeFile(revisionPath(leaking), revisionFile(leaking));
  repo.commit('pending revisions');
}, 120_000);

afterAll(async () => {
  await repo?.cleanup();
  if (server) {
    await admin(`DROP ROLE IF EXISTS ${ROLE}`).catch(() => undefined);
    await server.dispose();
  }
});

function cli(format: string) {
  const args = [
    'check',
    '--base',
    'main',
    '--database-url',
    url,
    '--python',
    '/usr/bin/python3',
    '--seed-rows',
    '0',
  ];
  const r = spawnSync(process.execPath, [path.join(dist, 'cli.js'), ...args, '--format', format], {
    cwd: repo.dir,
    encoding: 'utf8',
    timeout: 180_000,
  });
  expect(r.status, r.stderr).toBe(1);
  return r;
}

describe(`a --database-url admin password that is a rule id ("${PASSWORD}")`, () => {
  it('the JSON report validates, keeps the rule id and its doc link, and masks the printed password', () => {
    const run = cli('json');
    // The progress on stderr quotes the error too: masked there as well.
    expect(run.stderr).toContain('the admin password is ***, printed');
    expect(run.stderr).not.toContain(`is ${PASSWORD}`);
    const report = validReport<Report>(run.stdout, 'the report');
    const [b2, c3] = ['b2000002', 'c3000003'].map((id) =>
      report.projects[0]!.revisions.find((r) => r.id === id)!,
    );
    const finding = b2!.findings.find((f) => f.rule === PASSWORD)!;
    expect(finding.docsUrl).toMatch(/\/rules\/set-not-null\.md$/);
    const failed = c3!.findings.find((f) => f.rule === 'upgrade-failed')!;
    expect(failed.message).toContain('the admin password is ***, printed');
    expect(failed.message).not.toContain(`is ${PASSWORD}`);
    expect(c3!.steps[0]!.error).toContain('the admin password is ***, printed');
  }, 180_000);

  it('text, markdown and SARIF name the rule and link its doc; the printed password is masked', () => {
    for (const format of ['text', 'markdown', 'sarif']) {
      const out = cli(format).stdout;
      expect(out, format).toMatch(/\/rules\/set-not-null\.md/);
      expect(out, format).toContain('the admin password is ***, printed');
      expect(out, format).not.toContain(`is ${PASSWORD}`);
    }
  }, 300_000);
});
