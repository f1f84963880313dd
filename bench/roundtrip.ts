/**
 * Round trip of a generated 50-revision linear history, in one run on one local PostgreSQL:
 * migration-guard's runRoundTrip (one Python process, snapshots, statement capture) against a
 * shell loop of `python3 -m alembic upgrade <rev>; downgrade <parent>; upgrade <rev>` per
 * revision (what Alembic round-trip actions do). Prints both times, the ratio, our overhead
 * and peak RSS of this process and of the Python driver.
 *
 *   node --experimental-transform-types --no-warnings --import ./bench/ts-hooks.mjs \
 *     bench/roundtrip.ts [revisions=50] [python=/usr/bin/python3]
 *
 * Results go in bench/README.md, section "roundtrip".
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer } from '../src/database/index.js';
import { silentLogger } from '../src/log.js';
import { runRoundTrip, type RoundTripRevision } from '../src/roundtrip/run.js';

const count = Number(process.argv[2] ?? 50);
const python = process.argv[3] ?? '/usr/bin/python3';
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

const INI = `[alembic]
script_location = migrations
prepend_sys_path = .
sqlalchemy.url = %URL%
`;

const ENV_PY = `from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config


def run_migrations_online():
    connectable = engine_from_config(
        config.get_section(config.config_ini_section), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=None)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
`;

/** Revision i (1-based): every third creates a table, the others add a column and an index. */
function revisionSource(i: number): { id: string; down: string | null; source: string } {
  const id = `r${String(i).padStart(4, '0')}`;
  const down = i === 1 ? null : `r${String(i - 1).padStart(4, '0')}`;
  const table = `t${Math.floor((i - 1) / 3)}`;
  let upgrade: string;
  let downgrade: string;
  if ((i - 1) % 3 === 0) {
    upgrade = `    op.create_table("${table}", sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.Text, nullable=False))`;
    downgrade = `    op.drop_table("${table}")`;
  } else {
    upgrade = `    op.add_column("${table}", sa.Column("c${i}", sa.Integer, nullable=True))\n    op.create_index("ix_${table}_c${i}", "${table}", ["c${i}"])`;
    downgrade = `    op.drop_index("ix_${table}_c${i}", table_name="${table}")\n    op.drop_column("${table}", "c${i}")`;
  }
  const source = `"""revision ${i}"""
import sqlalchemy as sa
from alembic import op

revision = "${id}"
down_revision = ${down ? `"${down}"` : 'None'}
branch_labels = None
depends_on = None


def upgrade():
${upgrade}


def downgrade():
${downgrade}
`;
  return { id, down, source };
}

function peakRssMb(pid: number | 'self'): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    return kb ? Number(kb) / 1024 : null;
  } catch {
    return null;
  }
}

/** Polls for our driver process (a child running driver.py) and keeps its peak RSS. */
function watchDriverRss(): { stop: () => number | null } {
  let peak: number | null = null;
  const timer = setInterval(() => {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
        if (!cmdline.includes('driver.py')) continue;
        const ppid = Number(/PPid:\s+(\d+)/.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1]);
        if (ppid !== process.pid) continue;
        const rss = peakRssMb(Number(entry));
        if (rss !== null) peak = Math.max(peak ?? 0, rss);
      } catch {
        // the process went away between readdir and read
      }
    }
  }, 100);
  return {
    stop: () => {
      clearInterval(timer);
      return peak;
    },
  };
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'mg-bench-roundtrip-'));
  const server = await startServer({ kind: 'local' }, { log: silentLogger });
  try {
    const oursDb = await server.createDatabase();
    const loopDb = await server.createDatabase();
    const versions = path.join(work, 'migrations', 'versions');
    mkdirSync(versions, { recursive: true });
    writeFileSync(path.join(work, 'alembic.ini'), INI.replace('%URL%', loopDb.url.replace(/%/g, '%%')));
    writeFileSync(path.join(work, 'migrations', 'env.py'), ENV_PY);
    const revisions: RoundTripRevision[] = [];
    for (let i = 1; i <= count; i++) {
      const r = revisionSource(i);
      const file = path.join(versions, `${r.id}_rev.py`);
      writeFileSync(file, r.source);
      revisions.push({
        id: r.id,
        downRevisions: r.down ? [r.down] : [],
        file,
        relFile: path.relative(work, file),
      });
    }

    // 1. migration-guard
    const watcher = watchDriverRss();
    const t0 = performance.now();
    const result = await runRoundTrip({
      configPath: path.join(work, 'alembic.ini'),
      projectDir: work,
      python: [python],
      databaseUrl: oursDb.url,
      databaseUrlEnv: 'DATABASE_URL',
      revisions,
      baseHeads: [],
      pending: revisions.map((r) => r.id),
      statementTimeoutMs: 60_000,
      stepTimeoutMs: 300_000,
      modelDrift: false,
      log: silentLogger,
      driverPath: path.join(root, 'src', 'driver', 'driver.py'),
    });
    const oursMs = performance.now() - t0;
    const driverPeak = watcher.stop();
    const failed = result.revisions.filter((r) => r.steps.some((s) => !s.ok) || r.schemaRestored !== true);
    if (failed.length > 0) throw new Error(`round trip failed for ${failed.map((r) => r.id).join(', ')}`);
    const statements = result.revisions.reduce(
      (n, r) => n + r.steps.reduce((m, s) => m + s.statements.length, 0),
      0,
    );

    // 2. the shell loop (MIGRATION_GUARD_BENCH_LOOP=0 skips it, to profile our half alone)
    const runLoop = process.env.MIGRATION_GUARD_BENCH_LOOP !== '0';
    const loop = revisions
      .map((r) => {
        const parent = r.downRevisions[0] ?? 'base';
        return `"$PY" -m alembic upgrade ${r.id} && "$PY" -m alembic downgrade ${parent} && "$PY" -m alembic upgrade ${r.id}`;
      })
      .join(' && ');
    const t1 = performance.now();
    if (runLoop)
      execFileSync('bash', ['-c', `set -e; ${loop}`], {
        cwd: work,
        env: { ...process.env, PY: python },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
    const loopMs = performance.now() - t1;

    const t = result.timings;
    const alembicMs = (t.upgradeMs ?? 0) + (t.downgradeMs ?? 0) + (t.reupgradeMs ?? 0);
    // alembic's own time: the driver's command time minus what our capture hooks spent in it
    const alembicOwnMs = (t.driverCommandMs ?? 0) - (t.captureMs ?? 0);
    const lines = [
      `revisions: ${count} (linear; ${statements} statements captured), python ${result.driver?.pythonVersion}, alembic ${result.driver?.alembicVersion}, SQLAlchemy ${result.driver?.sqlalchemyVersion}, PostgreSQL ${server.serverVersion}`,
      `migration-guard runRoundTrip: ${(oursMs / 1000).toFixed(2)} s`,
      `  driver start ${t.driverStartMs} ms, load ${t.loadMs} ms, alembic steps ${alembicMs} ms (in the driver ${t.driverCommandMs} ms, of which capture ${t.captureMs} ms), snapshots ${t.snapshotMs} ms (${t.snapshots} taken, ${t.snapshotsReused ?? 0} reused)`,
      `  tool overhead (everything but the alembic steps as Node times them, the pre-2026-11-25 figure): ${((oursMs - alembicMs) / 1000).toFixed(2)} s`,
      `  tool overhead (everything but alembic's own time: snapshots, capture + lock probes, JSON, driver start): ${((oursMs - alembicOwnMs) / 1000).toFixed(2)} s`,
      runLoop
        ? `shell loop (3 × python -m alembic per revision): ${(loopMs / 1000).toFixed(2)} s`
        : 'shell loop: skipped (MIGRATION_GUARD_BENCH_LOOP=0)',
      runLoop ? `ratio: ${(loopMs / oursMs).toFixed(1)}× faster` : 'ratio: -',
      `peak RSS: node ${peakRssMb('self')?.toFixed(0)} MB, python driver ${driverPeak?.toFixed(0) ?? '?'} MB, sum ${((peakRssMb('self') ?? 0) + (driverPeak ?? 0)).toFixed(0)} MB`,
    ];
    console.log(lines.join('\n'));
  } finally {
    await server.dispose();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
