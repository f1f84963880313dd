/**
 * Pull request code is hostile (README.md "Security"): the built CLI and action (dist/) on the
 * three providers — the embedded local PostgreSQL, a container of the test image and a
 * --database-url server — with real alembic revisions that
 *   - sleep in a step while the run gets SIGINT or SIGTERM: exit 130/143, one line, nothing
 *     left behind (driver process, cluster directory, container, database, role);
 *   - end their own session (pg_terminate_backend): a failed step, not a crash; try to end
 *     ours: out of their reach (test/e2e/hostile-sessions.test.ts has more);
 *   - try COPY … TO PROGRAM, ALTER SYSTEM, CREATE ROLE and reading pg_authid: refused, while
 *     CREATE EXTENSION pgcrypto / citext / uuid-ossp / pg_trgm works;
 *   - dump os.environ under the action: no inputs, runner tokens or admin password.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';
import { makeAlembicRepo, revisionFile, revisionPath, type AlembicRepo } from '../helpers/git-repo.js';
import type { RevisionSpec } from '../helpers/git-repo.js';
import { startTestServer, type TestServer } from '../helpers/postgres.js';
import { validReport } from '../helpers/report-schema.js';
import { ActionRunner, TOKEN, assertBundle, dist, prPayload } from './action-harness.js';

const PYTHON = '/usr/bin/python3';
const IMAGE = process.env.MIGRATION_GUARD_TEST_IMAGE ?? 'migration-guard-test/postgres:15';
const dockerPresent = spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0;
if (!dockerPresent && process.env.CI)
  throw new Error('Docker is required in CI (scripts/setup-test-env.sh starts it)');
if (!dockerPresent) console.warn('skipping container cases of hostile.test.ts: no Docker daemon here');

let server: TestServer;
let work: string;
const repos: AlembicRepo[] = [];

beforeAll(async () => {
  assertBundle();
  server = await startTestServer();
  work = mkdtempSync(path.join(tmpdir(), 'mg-hostile-'));
  // Local clusters live under it: as root they run as `postgres`, which must get in.
  chmodSync(work, 0o755);
  // The revisions leave their marks here: the sandbox (src/sandbox/) shows it writable.
  process.env.MIGRATION_GUARD_SANDBOX_SHARE = work;
}, 120_000);

afterAll(async () => {
  await server?.dispose();
  for (const repo of repos) await repo.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

async function project(revisions: RevisionSpec[]): Promise<string> {
  const repo = await makeAlembicRepo({ revisions });
  repos.push(repo);
  return repo.dir;
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  pid: number;
}

/** The built CLI, started (not awaited): `done` settles when it exits. */
function startCli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [path.join(dist, 'cli.js'), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Run>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, pid: child.pid ?? -1 })),
  );
  return { child, done };
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

/** Processes whose working directory is `dir` (the driver runs in the project directory). */
function processesIn(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readlinkSync(`/proc/${pid}/cwd`) === dir) found.push(pid);
    } catch {
      // gone or not ours to read
    }
  }
  return found;
}

/** Processes whose command line mentions `text` (a cluster's directory). */
function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text)) found.push(pid);
    } catch {
      // gone
    }
  }
  return found;
}

/** A directory for local clusters, open to the cluster's user like /dev/shm. */
function clusterDirIn(parent: string): string {
  const dir = mkdtempSync(path.join(parent, 'clusters-'));
  chmodSync(dir, 0o1777);
  return dir;
}

interface Provider {
  name: 'local' | 'container' | 'url';
  available: () => boolean;
  /** Flags and environment of one run; `clusterDir` receives local clusters. */
  flags: (clusterDir: string) => string[];
  /** What this provider could leave behind after run `pid`: empty when nothing. */
  leftovers: (clusterDir: string, pid: number) => Promise<string[]>;
}

const serverOwnDatabase = () => new URL(server.url).pathname.slice(1);

const providers: Provider[] = [
  {
    name: 'local',
    available: () => true,
    flags: () => ['--local-postgres'],
    leftovers: async (clusterDir) => [
      ...readdirSync(clusterDir).filter((d) => d.startsWith('migration-guard-pg-')),
      ...processesMentioning(clusterDir).map((p) => `process ${p}`),
    ],
  },
  {
    name: 'container',
    available: () => dockerPresent,
    flags: () => ['--postgres-image', IMAGE],
    leftovers: async (_dir, pid) => {
      const r = spawnSync('docker', ['ps', '-aq', '--filter', `label=org.migration-guard.pid=${pid}`], {
        encoding: 'utf8',
      });
      return r.stdout.split('\n').filter(Boolean);
    },
  },
  {
    name: 'url',
    available: () => true,
    flags: () => ['--database-url', server.url],
    leftovers: async () => {
      const dbs = await query<{ n: string }>(
        server.url,
        "select datname as n from pg_database where datname like 'migration_guard_%' and datname <> $1",
        [serverOwnDatabase()],
      );
      const roles = await query<{ n: string }>(
        server.url,
        "select rolname as n from pg_roles where rolname like 'migration_guard_%'",
      );
      return [...dbs.map((r) => `database ${r.n}`), ...roles.map((r) => `role ${r.n}`)];
    },
  },
];

const SLEEPER: RevisionSpec[] = [
  {
    id: 's1',
    down: null,
    message: 'create jobs',
    upgrade: "op.create_table('jobs', sa.Column('id', sa.Integer, primary_key=True))",
    downgrade: "op.drop_table('jobs')",
  },
  {
    id: 's2',
    down: 's1',
    message: 'slow backfill',
    // The mark tells the test the step is running; then the step sleeps in the database.
    upgrade: "import os\nopen(os.environ['HOSTILE_MARK'], 'w').close()\nop.execute('SELECT pg_sleep(30)')",
    downgrade: 'pass',
  },
];

const TERMINATORS: RevisionSpec[] = [
  {
    id: 't1',
    down: null,
    message: 'ends its own session',
    upgrade: "op.execute('SELECT pg_terminate_backend(pg_backend_pid())')",
    downgrade: 'pass',
  },
  {
    id: 't2',
    down: null,
    message: 'ends every other session',
    branchLabels: ['others'],
    // Every other session it may end: its own role's (ours among them). The admin session that
    // keeps the empty template of the populated round trip is a superuser's: the role may not.
    upgrade:
      "op.execute('CREATE TABLE t2 (id int)')\nop.execute('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND usename = current_user')",
    downgrade: "op.execute('DROP TABLE t2')",
  },
];

function privilegeRevisions(marker: string): RevisionSpec[] {
  const child = (id: string, message: string, sql: string): RevisionSpec => ({
    id,
    down: 'p0',
    message,
    upgrade: `op.execute(${JSON.stringify(sql)})`,
    downgrade: 'pass',
  });
  return [
    {
      id: 'p0',
      down: null,
      message: 'accounts with extensions',
      upgrade: [
        "op.execute('CREATE EXTENSION IF NOT EXISTS pgcrypto')",
        "op.execute('CREATE EXTENSION IF NOT EXISTS citext')",
        'op.execute(\'CREATE EXTENSION IF NOT EXISTS "uuid-ossp"\')',
        "op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')",
        "op.execute('CREATE TABLE accounts (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), legacy uuid DEFAULT uuid_generate_v4(), email citext NOT NULL)')",
        "op.execute('CREATE INDEX ix_accounts_email_trgm ON accounts USING gin ((email::text) gin_trgm_ops)')",
        'op.execute("INSERT INTO accounts (email) VALUES (\'A@example.org\')")',
      ].join('\n'),
      downgrade: [
        "op.execute('DROP TABLE accounts')",
        "op.execute('DROP EXTENSION pg_trgm')",
        'op.execute(\'DROP EXTENSION "uuid-ossp"\')',
        "op.execute('DROP EXTENSION citext')",
        "op.execute('DROP EXTENSION pgcrypto')",
      ].join('\n'),
    },
    child('p1', 'run a program on the host', `COPY (SELECT 1) TO PROGRAM 'touch ${marker}'`),
    {
      id: 'p2',
      down: 'p0',
      message: 'change server settings',
      // ALTER SYSTEM refuses a transaction block before it checks rights.
      upgrade:
        'with op.get_context().autocommit_block():\n    op.execute("ALTER SYSTEM SET work_mem = \'1GB\'")',
      downgrade: 'pass',
    },
    child('p3', 'create a superuser', 'CREATE ROLE mg_hostile_evil LOGIN SUPERUSER'),
    child('p4', 'read password hashes', 'CREATE TABLE stolen AS SELECT rolname, rolpassword FROM pg_authid'),
  ];
}

function stepsOf(report: Report, id: string) {
  const revision = report.projects[0]!.revisions.find((r) => r.id === id);
  if (!revision) throw new Error(`revision ${id} not in the report`);
  return revision.steps;
}

describe.each(providers)('$name provider', (provider) => {
  const maybe = provider.available() ? it : it.skip;

  /**
   * `check --all` of the sleeper project in `format` to a file, interrupted by `signal` while the
   * driver sleeps in s2's upgrade: the run, the project folder and the report file it left.
   */
  const interruptSleeper = async (signal: 'SIGINT' | 'SIGTERM', format: 'json' | 'markdown') => {
    const dir = await project(SLEEPER);
    const clusterDir = clusterDirIn(work);
    const mark = path.join(work, `mark-${provider.name}-${signal}-${format}`);
    const output = path.join(work, `partial-${provider.name}-${signal}.${format === 'json' ? 'json' : 'md'}`);
    const { child, done } = startCli(
      [
        'check',
        '--project',
        dir,
        '--all',
        '--python',
        PYTHON,
        '--quiet',
        '--format',
        format,
        '--output',
        output,
        ...provider.flags(clusterDir),
      ],
      { HOSTILE_MARK: mark, MIGRATION_GUARD_PG_TMPDIR: clusterDir },
    );
    await waitFor(() => existsSync(mark));
    await new Promise((r) => setTimeout(r, 500));
    expect(processesIn(dir).length).toBeGreaterThan(0); // the driver is running the step
    child.kill(signal);
    const run = await done;
    return { run, dir, clusterDir, output: readFileSync(output, 'utf8') };
  };

  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    maybe(
      `${signal} while a step sleeps in the database: exit ${code}, one line, partial report, nothing left`,
      async () => {
        const { run, dir, clusterDir, output } = await interruptSleeper(signal, 'json');
        expect(run.code, run.stderr).toBe(code);
        expect(run.stderr).toBe('migration-guard: interrupted during s2 upgrade; cleaned up\n');
        expect(run.stdout).toBe('');
        const partial = validReport(output);
        expect(partial.interrupted).toEqual({
          signal,
          during: 's2 upgrade',
          notChecked: ['alembic.ini: s2'],
        });
        expect(stepsOf(partial, 's1').map((s) => [s.phase, s.ok])).toEqual([
          ['upgrade', true],
          ['downgrade', true],
          ['reupgrade', true],
        ]);
        expect(processesIn(dir)).toEqual([]);
        expect(await provider.leftovers(clusterDir, run.pid)).toEqual([]);
      },
      120_000,
    );
  }

  // The markdown a cancelled run leaves (the report a job summary would show): once, locally.
  if (provider.name === 'local') {
    maybe(
      'SIGTERM with --format markdown: the partial report says it was interrupted and what was not checked',
      async () => {
        const { run, clusterDir, output: markdown } = await interruptSleeper('SIGTERM', 'markdown');
        expect(run.code, run.stderr).toBe(143);
        expect(markdown).toContain(
          '> **INTERRUPTED** by SIGTERM during `s2 upgrade`: partial report; not checked: `alembic.ini: s2`.',
        );
        // The revision that finished keeps its round trip; the stopped one reads "not checked".
        expect(markdown).toMatch(/\|[^\n]*s1[^\n]*✅/);
        expect(markdown).toMatch(/\|[^\n]*s2[^\n]*not checked/);
        expect(await provider.leftovers(clusterDir, run.pid)).toEqual([]);
      },
      120_000,
    );
  }

  /** `check --all --format json` of a project on this provider, to its end. */
  const auditJson = (dir: string, clusterDir: string) =>
    startCli(
      [
        'check',
        '--project',
        dir,
        '--all',
        '--python',
        PYTHON,
        '--format',
        'json',
        ...provider.flags(clusterDir),
      ],
      { MIGRATION_GUARD_PG_TMPDIR: clusterDir },
    ).done;

  maybe(
    'a migration that ends its own session fails with the connection error, no crash; ours it cannot end',
    async () => {
      const dir = await project(TERMINATORS);
      const clusterDir = clusterDirIn(work);
      const run = await auditJson(dir, clusterDir);
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).not.toMatch(/\n\s+at |Unhandled|internal error/);
      const report = validReport(run.stdout);
      const [t1] = stepsOf(report, 't1');
      expect(t1).toMatchObject({ phase: 'upgrade', ok: false });
      expect(t1!.error).toMatch(/server closed the connection|terminating connection/);
      // Our session logs in as a role the migration role cannot signal: t2 ends nothing of ours.
      expect(stepsOf(report, 't2').map((s) => [s.phase, s.ok])).toEqual([
        ['upgrade', true],
        ['downgrade', true],
        ['reupgrade', true],
      ]);
      const rules = report.projects[0]!.revisions.flatMap((r) => r.findings.map((f) => `${r.id} ${f.rule}`));
      expect(rules).toContain('t1 upgrade-failed');
      expect(rules).not.toContain('t2 upgrade-failed');
      expect(processesIn(dir)).toEqual([]);
      expect(await provider.leftovers(clusterDir, run.pid)).toEqual([]);
    },
    120_000,
  );

  maybe(
    'the migrations cannot run programs, change the server, create roles or read pg_authid; extensions work',
    async () => {
      const marker = path.join(work, `program-ran-${provider.name}`);
      const dir = await project(privilegeRevisions(marker));
      const clusterDir = clusterDirIn(work);
      const run = await auditJson(dir, clusterDir);
      expect(run.code, run.stderr).toBe(1);
      const report = validReport(run.stdout);
      expect(report.projects[0]!.database?.migrationRole).toBe('restricted');
      expect(stepsOf(report, 'p0').map((s) => [s.phase, s.ok, s.error])).toEqual([
        ['upgrade', true, null],
        ['downgrade', true, null],
        ['reupgrade', true, null],
      ]);
      const refused = {
        p1: /permission denied to COPY to or from an external program|must be superuser/,
        p2: /permission denied to set parameter|must be superuser/,
        p3: /permission denied to create role|must be superuser/,
        p4: /permission denied for (table|relation) pg_authid/,
      };
      for (const [id, pattern] of Object.entries(refused)) {
        const [upgrade] = stepsOf(report, id);
        expect(upgrade, id).toMatchObject({ phase: 'upgrade', ok: false });
        expect(upgrade!.error, id).toMatch(pattern);
      }
      expect(existsSync(marker)).toBe(false);
      if (provider.name === 'url') {
        expect(await query(server.url, "select 1 from pg_roles where rolname = 'mg_hostile_evil'")).toEqual(
          [],
        );
        const [setting] = await query<{ v: string }>(server.url, 'show work_mem');
        expect(setting!.v).not.toBe('1GB');
      }
      expect(await provider.leftovers(clusterDir, run.pid)).toEqual([]);
    },
    120_000,
  );
});

describe('--migration-role superuser', () => {
  it('restores the admin user for the migrations, with a warning in the report', async () => {
    const marker = path.join(work, 'program-ran-superuser');
    const dir = await project(privilegeRevisions(marker).filter((r) => r.id === 'p0' || r.id === 'p2'));
    const clusterDir = clusterDirIn(work);
    const { done } = startCli(
      [
        'check',
        '--project',
        dir,
        '--all',
        '--python',
        PYTHON,
        '--local-postgres',
        '--migration-role',
        'superuser',
      ],
      { MIGRATION_GUARD_PG_TMPDIR: clusterDir },
    );
    const run = await done;
    expect(run.stdout).toMatch(/warning: migrations ran as a superuser \(migration-role superuser\)/);
    // ALTER SYSTEM is allowed as a superuser (its empty downgrade is still reported).
    expect(run.stdout).toMatch(/p2\s+change server settings\n\s+up ok/);
  }, 120_000);
});

describe('the built action: what the migrations see in os.environ', () => {
  let gh: FakeGitHub;
  const runner = new ActionRunner();

  beforeAll(async () => {
    gh = await startFakeGitHub();
  });
  afterAll(async () => {
    await gh?.close();
    runner.cleanup();
  });

  it('no action inputs, runner tokens, workflow files or admin password; the role URL in DATABASE_URL', async () => {
    const repo = await makeAlembicRepo({
      revisions: [
        {
          id: 'a1',
          down: null,
          message: 'create users',
          upgrade: "op.create_table('users', sa.Column('id', sa.Integer, primary_key=True))",
          downgrade: "op.drop_table('users')",
        },
      ],
    });
    repos.push(repo);
    const baseSha = repo.git('rev-parse', 'HEAD').trim();
    repo.branch('feature');
    const dump: RevisionSpec = {
      id: 'b2',
      down: 'a1',
      message: 'create orders',
      upgrade: [
        'import json, os',
        `with open(${JSON.stringify(path.join(work, 'driver-env.json'))}, 'w') as f:`,
        '    json.dump(dict(os.environ), f)',
        "op.create_table('orders', sa.Column('id', sa.Integer, primary_key=True))",
      ].join('\n'),
      downgrade: "op.drop_table('orders')",
    };
    repo.writeFile(revisionPath(dump), revisionFile(dump));
    const headSha = repo.commit('add orders');
    const adminPassword = new URL(server.url).password;
    const run = await runner.run({
      workspace: repo.dir,
      apiUrl: gh.url,
      eventName: 'pull_request',
      payload: prPayload(7, baseSha, headSha),
      inputs: { python: PYTHON, 'database-url': server.url, comment: 'never' },
      env: {
        ACTIONS_RUNTIME_TOKEN: 'runtime-token-secret',
        ACTIONS_RUNTIME_URL: 'https://runtime.example/',
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc-token-secret',
        ACTIONS_ID_TOKEN_REQUEST_URL: 'https://oidc.example/',
        GITHUB_TOKEN: TOKEN,
        GH_TOKEN: TOKEN,
        GITHUB_ENV: path.join(work, 'github-env'),
        GITHUB_STATE: path.join(work, 'github-state'),
        GITHUB_PATH: path.join(work, 'github-path'),
        PGPASSWORD: adminPassword,
      },
    });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const seen = JSON.parse(readFileSync(path.join(work, 'driver-env.json'), 'utf8')) as Record<
      string,
      string
    >;
    const names = Object.keys(seen);
    expect(names.filter((n) => n.startsWith('INPUT_') || n.startsWith('ACTIONS_'))).toEqual([]);
    for (const name of [
      'GITHUB_TOKEN',
      'GH_TOKEN',
      'GITHUB_OUTPUT',
      'GITHUB_ENV',
      'GITHUB_STATE',
      'GITHUB_PATH',
      'GITHUB_STEP_SUMMARY',
      'PGPASSWORD',
    ])
      expect(names, name).not.toContain(name);
    const values = JSON.stringify(seen);
    for (const secret of [TOKEN, adminPassword, 'runtime-token-secret', 'oidc-token-secret'])
      expect(values).not.toContain(secret);
    // What it does see: the runner's ordinary variables and its own database.
    expect(seen.GITHUB_REPOSITORY).toBe('acme/shop');
    expect(seen.PATH).toBeTruthy();
    // Through the sandbox's database socket (README "Security"): no host, the socket's directory.
    expect(seen.DATABASE_URL).toMatch(
      /^postgresql(\+\w+)?:\/\/migration_guard_[0-9a-f]{12}:[^@]+@\/[^?]+\?(.*&)?host=\/tmp\/\.migration-guard-db&port=5432$/,
    );
  }, 180_000);
});
