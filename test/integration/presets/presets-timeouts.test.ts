/**
 * Presets and server-side timeouts on a real run: the strict-hazards fixture (real alembic on
 * Debian's Python, a real local PostgreSQL reached as --database-url) checked under
 * `recommended` and `strict`, and lock-timeout-missing silenced by a timeout the server has —
 * set in env.py, or on the role — which no SQL linter can see.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STRICT_ONLY_RULES } from '../../../rules/registry/presets.js';
import { check } from '../../../src/check.js';
import { parseCheckArgs } from '../../../src/cli.js';
import type { Report } from '../../../src/report/model.js';
import type { TestServer } from '../../helpers/postgres.js';
import { startTestServer } from '../../helpers/postgres.js';

const FIXTURE = path.resolve(import.meta.dirname, '..', '..', 'fixtures', 'projects', 'strict-hazards');
const PYTHON = '/usr/bin/python3';
const REVISION = 'b1000002';

/** What `recommended` reports on b1000002 (rules/<id>.md of each). */
const RECOMMENDED = ['reindex-without-concurrently'];

let server: TestServer;
let work: string;

beforeAll(async () => {
  server = await startTestServer();
  work = mkdtempSync(path.join(tmpdir(), 'mg-presets-'));
});

afterAll(async () => {
  await server?.dispose();
  if (work) rmSync(work, { recursive: true, force: true });
});

function project(name: string, edit?: { envPy?: string; configYml?: string }): string {
  const dir = path.join(work, name);
  cpSync(FIXTURE, dir, { recursive: true });
  if (edit?.envPy) {
    const envPath = path.join(dir, 'migrations', 'env.py');
    const text = readFileSync(envPath, 'utf8');
    writeFileSync(
      envPath,
      text.replace('        # MARKER: session settings for every revision go here', edit.envPy),
    );
  }
  if (edit?.configYml) writeFileSync(path.join(dir, '.migration-guard.yml'), edit.configYml);
  return dir;
}

async function rulesFound(dir: string, extra: string[] = []): Promise<string[]> {
  const config = await parseCheckArgs([
    '--project',
    dir,
    '--database-url',
    server.url,
    '--all',
    '--python',
    PYTHON,
    ...extra,
  ]);
  const report: Report = await check(config);
  const revision = report.projects[0]?.revisions.find((r) => r.id === REVISION);
  expect(revision, JSON.stringify(report.projects[0]?.findings)).toBeDefined();
  expect(
    revision?.steps.every((s) => s.ok),
    JSON.stringify(revision?.steps.map((s) => s.error)),
  ).toBe(true);
  return [...new Set((revision?.findings ?? []).filter((f) => !f.ignored).map((f) => f.rule))].sort();
}

describe('presets on the same fixture', () => {
  it('recommended (the default) reports the documented set', async () => {
    const dir = project('recommended');
    expect(await rulesFound(dir)).toEqual([...RECOMMENDED].sort());
    expect(await rulesFound(dir, ['--preset', 'recommended'])).toEqual([...RECOMMENDED].sort());
  });

  it('strict adds the style and timeout rules and revision-message-convention', async () => {
    const dir = project('strict');
    expect(await rulesFound(dir, ['--preset', 'strict'])).toEqual(
      [...RECOMMENDED, ...STRICT_ONLY_RULES].sort(),
    );
  });

  it('preset: strict in .migration-guard.yml; a rule’s own setting overrides its preset', async () => {
    const dir = project('strict-file', {
      configYml: 'preset: strict\nrules:\n  prefer-identity: off\n  reindex-without-concurrently: off\n',
    });
    const expected = STRICT_ONLY_RULES.filter((id) => id !== 'prefer-identity');
    expect(await rulesFound(dir)).toEqual([...expected].sort());
    // The flag wins over the file's preset; the file's own rule settings still apply.
    expect(await rulesFound(dir, ['--preset', 'recommended'])).toEqual([]);
  });
});

describe('timeouts the server really has', () => {
  it('SET lock_timeout in env.py silences lock-timeout-missing (statement_timeout still missing)', async () => {
    const dir = project('env-timeout', {
      envPy: `        connection.execute(sa.text("SET lock_timeout = '4s'"))`,
    });
    const found = await rulesFound(dir, ['--preset', 'strict']);
    expect(found).not.toContain('lock-timeout-missing');
    expect(found).toContain('statement-timeout-missing');
  });

  it('SET statement_timeout in env.py silences statement-timeout-missing', async () => {
    const dir = project('env-statement-timeout', {
      envPy: `        connection.execute(sa.text("SET statement_timeout = '30s'"))`,
    });
    const found = await rulesFound(dir, ['--preset', 'strict']);
    expect(found).toContain('lock-timeout-missing');
    expect(found).not.toContain('statement-timeout-missing');
  });

  it('ALTER ROLE … SET lock_timeout on the migration role silences lock-timeout-missing', async () => {
    const dir = project('role-timeout');
    const args = ['--preset', 'strict', '--migration-role', 'superuser'];
    expect(await rulesFound(dir, args)).toContain('lock-timeout-missing');
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    try {
      await admin.query("ALTER ROLE CURRENT_USER SET lock_timeout = '3s'");
      const found = await rulesFound(dir, args);
      expect(found).not.toContain('lock-timeout-missing');
      expect(found).toContain('statement-timeout-missing');
    } finally {
      await admin.query('ALTER ROLE CURRENT_USER RESET lock_timeout');
      await admin.end();
    }
  });
});

describe('transaction control on the real driver', () => {
  function withUpgrade(name: string, body: string): string {
    const dir = project(name);
    const file = path.join(dir, 'migrations', 'versions', 'b1000002_invoices.py');
    const text = readFileSync(file, 'utf8');
    const start = text.indexOf('def upgrade():');
    writeFileSync(
      file,
      `${text.slice(0, start)}def upgrade():\n${body}\n\n\ndef downgrade():\n    op.drop_column("customers", "vip")\n`,
    );
    return dir;
  }

  it('op.execute("COMMIT") in the middle of a revision is flagged', async () => {
    const dir = withUpgrade(
      'commit-mid-revision',
      [
        '    op.add_column("customers", sa.Column("vip", sa.Boolean(), nullable=True))',
        '    op.execute("COMMIT")',
        '    op.get_bind().execute(sa.text("UPDATE customers SET vip = false"))',
      ].join('\n'),
    );
    expect(await rulesFound(dir)).toContain('transaction-control-in-migration');
  });

  it("BEGIN … COMMIT of the revision's own inside autocommit_block() is not", async () => {
    const dir = withUpgrade(
      'own-transaction-in-autocommit-block',
      [
        '    op.add_column("customers", sa.Column("vip", sa.Boolean(), nullable=True))',
        '    with op.get_context().autocommit_block():',
        '        op.execute("BEGIN")',
        '        op.execute("UPDATE customers SET vip = false")',
        '        op.execute("COMMIT")',
      ].join('\n'),
    );
    expect(await rulesFound(dir)).not.toContain('transaction-control-in-migration');
  });
});
