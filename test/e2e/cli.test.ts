/**
 * The built CLI (dist/cli.js) as users run it: exit codes 0/1/2/3, one-line errors without
 * stack traces, and the example project's safe and unsafe pull requests end to end on the
 * embedded local PostgreSQL with Debian's alembic.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireDatabase } from '../../src/database/index.js';
import { silentLogger } from '../../src/log.js';
import { validReport } from '../helpers/report-schema.js';
import { type CliRun, expectOneLineError } from '../helpers/cli-run.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const dist = process.env.MIGRATION_GUARD_DIST ?? path.join(root, 'dist');
const PYTHON = '/usr/bin/python3';
const IMAGE = process.env.MIGRATION_GUARD_TEST_IMAGE ?? 'migration-guard-test/postgres:15';
const dockerPresent = spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0;
if (!dockerPresent && process.env.CI)
  throw new Error('Docker is required in CI (scripts/setup-test-env.sh starts it)');
if (!dockerPresent) console.warn('skipping Docker-based CLI tests: no Docker daemon on this machine');

type Run = CliRun;

function cli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; wrap?: string[] } = {}): Run {
  const argv = [...(opts.wrap ?? []), process.execPath, path.join(dist, 'cli.js'), ...args];
  const [cmd, ...rest] = argv as [string, ...string[]];
  const r = spawnSync(cmd, rest, {
    cwd: opts.cwd ?? root,
    env: { ...process.env, ...opts.env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let work: string;
let shop: string;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'mg-cli-e2e-'));
  shop = path.join(work, 'shop');
  const built = spawnSync('bash', [path.join(root, 'examples', 'build-repo.sh'), shop], { encoding: 'utf8' });
  expect(built.status, built.stderr).toBe(0);
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** `check` of the example shop repository against main, plus the given flags. */
function checkShop(...flags: string[]): Run {
  return cli(['check', '--project', shop, '--base', 'main', ...flags]);
}

function git(...args: string[]): void {
  const r = spawnSync('git', ['-C', shop, ...args], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
}

describe('migration-guard CLI (built dist/)', () => {
  it('lists the rule catalog', () => {
    const r = cli(['rules']);
    expect(r.code).toBe(0);
    for (const id of [
      'multiple-heads',
      'require-concurrent-index',
      'downgrade-leaves-trace',
      'exclusive-lock-held',
    ]) {
      expect(r.stdout).toContain(id);
    }
  });

  it('explains a rule from the doc shipped in dist/', () => {
    const r = cli(['explain', 'require-concurrent-index']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# require-concurrent-index/);
    expect(r.stdout).toContain('postgresql_concurrently=True');
  });

  it('rejects an unknown rule in explain', () => {
    expectOneLineError(cli(['explain', 'no-such-rule']), 2, /unknown rule "no-such-rule"/);
  });

  it('rejects an unknown command and an unknown --format', () => {
    expectOneLineError(cli(['frobnicate']), 2, /unknown command/);
    expectOneLineError(cli(['check', '--project', shop, '--format', 'yaml']), 2, /unknown --format "yaml"/);
  });

  it('says what to do when there is no alembic.ini', () => {
    expectOneLineError(cli(['check', '--project', work, '--no-database', '--quiet']), 2, /alembic\.ini/);
  });

  it('rejects an unknown rule in .migration-guard.yml', () => {
    const cfg = path.join(work, 'bad.yml');
    writeFileSync(cfg, 'rules:\n  no-such-rule: error\n');
    expectOneLineError(
      cli(['check', '--project', shop, '--config-file', cfg, '--no-database', '--quiet']),
      2,
      /rules\.no-such-rule: unknown rule/,
    );
  });

  it('says to fetch the base ref when it is missing (shallow clone)', () => {
    git('checkout', '-q', 'unsafe-pr');
    expectOneLineError(
      cli(['check', '--project', shop, '--base', 'origin/nope', '--no-database', '--quiet']),
      2,
      /fetch-depth: 0/,
    );
  });

  it('runs the static checks only with --no-database and says so', () => {
    git('checkout', '-q', 'unsafe-pr');
    const r = checkShop('--no-database', '--format', 'json', '--quiet');
    expect(r.code, r.stderr).toBe(1);
    const report = validReport(r.stdout);
    expect(report.projects[0]?.mode).toBe('static');
    const rules = report.projects.flatMap((p) =>
      p.revisions.flatMap((rev) => rev.findings.map((f) => f.rule)),
    );
    expect(rules).toContain('missing-docstring');
    expect(rules).toContain('empty-downgrade');
  });

  it('passes the safe pull request (exit 0) on the embedded PostgreSQL', () => {
    git('checkout', '-q', 'safe-pr');
    const r = checkShop('--local-postgres', '--python', PYTHON, '--format', 'json');
    expect(r.code, r.stderr).toBe(0);
    const report = validReport(r.stdout);
    expect(report.version).toBe(1);
    const project = report.projects[0];
    expect(project?.heads).toEqual(['c3d2e4f6a7b8']);
    expect(project?.baseHeads).toEqual(['b2e1d3c5f6a7']);
    const rev = project?.revisions[0];
    expect(rev?.id).toBe('c3d2e4f6a7b8');
    expect(rev?.steps.map((s) => [s.phase, s.ok])).toEqual([
      ['upgrade', true],
      ['downgrade', true],
      ['reupgrade', true],
    ]);
    expect(rev?.schemaRestored).toBe(true);
    expect(rev?.findings.filter((f) => !f.ignored && f.severity === 'error')).toEqual([]);
    const concurrent = rev?.steps[0]?.statements.find((s) => /CREATE INDEX CONCURRENTLY/i.test(s.sql));
    expect(concurrent?.inTransaction).toBe(false);
  });

  it('blocks the unsafe pull request (exit 1) with findings on the right lines', () => {
    git('checkout', '-q', 'unsafe-pr');
    const out = path.join(work, 'unsafe.json');
    const r = checkShop('--local-postgres', '--python', PYTHON, '--format', 'json', '--output', out);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('FAILED');
    const report = validReport(readFileSync(out, 'utf8'));
    const status = report.projects[0]?.revisions.find((x) => x.id === 'd4c3b5a7e8f9');
    expect(status?.schemaRestored).toBe(false);
    const byRule = new Map(status?.findings.map((f) => [f.rule, f]));
    expect(byRule.get('downgrade-leaves-trace')?.message).toMatch(/order_status/);
    expect(byRule.get('require-concurrent-index')?.line).toBe(23);
    const createIndex = status?.steps[0]?.statements.find((s) =>
      /^CREATE INDEX ix_orders_status/i.test(s.sql.trim()),
    );
    expect(createIndex?.line).toBe(23);
    expect(createIndex?.locks).toContainEqual({ relation: 'orders', mode: 'ShareLock' });
  });

  it('exits 3 with one line when the Python has no alembic', () => {
    git('checkout', '-q', 'unsafe-pr');
    const r = checkShop('--local-postgres', '--python', `${PYTHON} -I -S`, '--quiet');
    expectOneLineError(r, 3, /cannot import alembic/);
  });

  it('exits 3 with one line when Docker is not available (socket hidden)', () => {
    git('checkout', '-q', 'unsafe-pr');
    const r = cli(
      [
        'check',
        '--project',
        shop,
        '--base',
        'main',
        '--postgres-image',
        IMAGE,
        '--python',
        PYTHON,
        '--quiet',
      ],
      { wrap: ['unshare', '-m', 'sh', '-c', 'mount -t tmpfs tmpfs /run && exec "$@"', 'sh'] },
    );
    expectOneLineError(r, 3, /Docker is not available: .*\(use database-url or a runner with Docker\)/);
  });

  it.skipIf(!dockerPresent)(
    'exits 3 without echoing the password when the database URL is wrong',
    async () => {
      const db = await acquireDatabase({ kind: 'container', image: IMAGE }, { log: silentLogger });
      try {
        const url = new URL(db.url);
        url.password = 'Wr0ngSecretPassw0rd';
        git('checkout', '-q', 'unsafe-pr');
        const r = checkShop('--database-url', url.toString(), '--python', PYTHON, '--quiet');
        expectOneLineError(r, 3, new RegExp(`${url.hostname}:${url.port}`));
        expect(r.stderr + r.stdout).not.toContain('Wr0ngSecretPassw0rd');
      } finally {
        await db.dispose();
      }
    },
  );
});
