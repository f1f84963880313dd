/**
 * Footprint benchmark (issue 13, item 8): a pull request with ONE small pending revision, the
 * common case of a required check. In one run, on one local PostgreSQL server this bench
 * starts (same provider code as the CLI):
 *
 *   1. the built CLI, `node dist/cli.js check --base main --database-url <server>`, RUNS times:
 *      wall time, peak RSS (VmHWM polled from /proc) of the node process and of the Python
 *      driver, and their sum (they run at the same time);
 *   2. the alembic CLI trio a user would script, on a fresh database of the same server,
 *      RUNS times, interleaved with (1) so both see the same load:
 *      `python3 -m alembic upgrade head; python3 -m alembic downgrade -1; python3 -m alembic upgrade head`;
 *   3. one more CLI run with `--debug`, whose per-phase timings say where the time goes.
 *
 * It prints the medians and the ratio migration-guard / trio (goal ≤ 1.0) and the peak RSS
 * (goal ≤ 150 MB for node + python).
 *
 *   node --experimental-transform-types --no-warnings --import ./bench/ts-hooks.mjs bench/footprint.ts [runs=5] [python=/usr/bin/python3]
 *
 * The bundle is <repo>/dist unless MIGRATION_GUARD_DIST names another build.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer } from '../src/database/index.js';
import { silentLogger } from '../src/log.js';
import { makeAlembicRepo, revisionFile, revisionPath, type RevisionSpec } from '../test/helpers/git-repo.js';
import { runMeasured } from './procs.js';

const RUNS = Number(process.argv[2] ?? 5);
const PYTHON = process.argv[3] ?? '/usr/bin/python3';
const root = path.resolve(import.meta.dirname, '..');
const dist = path.resolve(process.env.MIGRATION_GUARD_DIST ?? path.join(root, 'dist'));

/** A small shop history on main; the pull request adds one revision (a column and an index). */
const BASE: RevisionSpec[] = [
  {
    id: 'a1000001',
    down: null,
    message: 'create customers',
    upgrade: [
      "op.create_table('customers',",
      "    sa.Column('id', sa.BigInteger(), primary_key=True),",
      "    sa.Column('email', sa.String(320), nullable=False, unique=True),",
      "    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()')),",
      ')',
    ].join('\n'),
    downgrade: "op.drop_table('customers')",
  },
  {
    id: 'a1000002',
    down: 'a1000001',
    message: 'create orders',
    upgrade: [
      "op.create_table('orders',",
      "    sa.Column('id', sa.BigInteger(), primary_key=True),",
      "    sa.Column('customer_id', sa.BigInteger(), sa.ForeignKey('customers.id'), nullable=False),",
      "    sa.Column('total_cents', sa.Integer(), nullable=False, server_default='0'),",
      ')',
      "op.create_index('ix_orders_customer_id', 'orders', ['customer_id'])",
    ].join('\n'),
    downgrade: "op.drop_index('ix_orders_customer_id', table_name='orders')\nop.drop_table('orders')",
  },
];
const PULL_REQUEST: RevisionSpec = {
  id: 'a1000003',
  down: 'a1000002',
  message: 'add orders status',
  upgrade: [
    "op.add_column('orders', sa.Column('status', sa.String(20), nullable=True))",
    "op.create_index('ix_orders_status', 'orders', ['status'], postgresql_concurrently=False)",
  ].join('\n'),
  downgrade: "op.drop_index('ix_orders_status', table_name='orders')\nop.drop_column('orders', 'status')",
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
const ms = (x: number) => `${x.toFixed(0)} ms`;

const repo = await makeAlembicRepo({ revisions: BASE });
repo.branch('feature');
repo.writeFile(revisionPath(PULL_REQUEST), revisionFile(PULL_REQUEST));
repo.commit('add orders status');
const outDir = await mkdtemp(path.join(tmpdir(), 'mg-bench-footprint-'));
const server = await startServer({ kind: 'local' }, { log: silentLogger });
try {
  const probe = await server.createDatabase();
  // The admin URL of the server (the database URL is the throwaway migration role's).
  const serverUrl = new URL(probe.adminUrl);
  serverUrl.pathname = '/postgres';
  await probe.dispose();
  console.log(
    `one pending revision (${PULL_REQUEST.id}: add a column and an index) on a 2-revision history; ` +
      `PostgreSQL ${server.serverVersion} on a local server; python ${PYTHON}; ${RUNS} runs each, interleaved`,
  );

  const ours = (extra: string[] = []) =>
    runMeasured(
      process.execPath,
      [
        path.join(dist, 'cli.js'),
        'check',
        '--base',
        'main',
        '--database-url',
        serverUrl.toString(),
        '--python',
        PYTHON,
        '--format',
        'json',
        '--output',
        path.join(outDir, 'report.json'),
        '--fail-on',
        'never',
        ...extra,
      ],
      {
        cwd: repo.dir,
        classify: (cmd) => (cmd.includes('driver.py') ? 'driver' : cmd.includes('cli.js') ? 'node' : null),
      },
    );
  const alembic = async (url: string, ...args: string[]) => {
    const run = await runMeasured(PYTHON, ['-m', 'alembic', '-c', 'alembic.ini', ...args], {
      cwd: repo.dir,
      env: { ...process.env, DATABASE_URL: url },
      classify: (cmd) => (cmd.includes('alembic') ? 'python' : null),
    });
    if (run.code !== 0)
      throw new Error(`alembic ${args.join(' ')} exited ${run.code}: ${run.stderr.slice(-2000)}`);
    return run;
  };

  const oursMs: number[] = [];
  const oursNodeKb: number[] = [];
  const oursDriverKb: number[] = [];
  const trioMs: number[] = [];
  const trioPythonKb: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const run = await ours();
    if (run.code !== 0) throw new Error(`check exited ${run.code}: ${run.stderr.slice(-3000)}`);
    oursMs.push(run.wallMs);
    oursNodeKb.push(run.peaksKb.get('node') ?? 0);
    oursDriverKb.push(run.peaksKb.get('driver') ?? 0);

    // The trio starts from an empty database, as the check does (creating it is not counted).
    const db = await server.createDatabase();
    try {
      const t0 = performance.now();
      const runs = [
        await alembic(db.url, 'upgrade', 'head'),
        await alembic(db.url, 'downgrade', '-1'),
        await alembic(db.url, 'upgrade', 'head'),
      ];
      trioMs.push(performance.now() - t0);
      trioPythonKb.push(Math.max(...runs.map((r) => r.peaksKb.get('python') ?? 0)));
    } finally {
      await db.dispose();
    }
    console.log(
      `  run ${i + 1}: migration-guard ${ms(run.wallMs)} (node ${mb(oursNodeKb[i] ?? 0)} + driver ${mb(oursDriverKb[i] ?? 0)}), ` +
        `alembic trio ${ms(trioMs[i] ?? 0)} (python ${mb(trioPythonKb[i] ?? 0)} per call)`,
    );
  }

  const debug = await ours(['--debug']);
  const timings = debug.stderr
    .split('\n')
    .filter((l) => l.startsWith('debug: timing'))
    .map((l) => `    ${l.slice('debug: '.length)}`);
  console.log('\nwhere the time goes (one --debug run):');
  console.log(timings.length > 0 ? timings.join('\n') : '    (no "debug: timing" lines)');

  const peakSum = Math.max(...oursNodeKb.map((n, i) => n + (oursDriverKb[i] ?? 0)));
  const ratio = median(oursMs) / median(trioMs);
  console.log('\nresult');
  console.log(
    `  migration-guard, median of ${RUNS}: ${ms(median(oursMs))}; alembic trio: ${ms(median(trioMs))}`,
  );
  console.log(`  ratio migration-guard / alembic trio: ${ratio.toFixed(2)}x (goal ≤ 1.00x)`);
  console.log(
    `  peak RSS node + driver: ${mb(peakSum)} (node max ${mb(Math.max(...oursNodeKb))}, driver max ${mb(Math.max(...oursDriverKb))}; goal ≤ 150 MB)`,
  );
} finally {
  await server.dispose();
  await rm(outDir, { recursive: true, force: true });
  await repo.cleanup();
}
