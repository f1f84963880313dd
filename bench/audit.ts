/**
 * Audit benchmark (issue #8): `check --all` on a long history. Generates a history of 300
 * revisions with 3 branch-and-merge points (tables, indexes, foreign keys, enums, data
 * updates) in a temp git repository, then in the same run:
 *
 *   1. the built CLI, `check --all --local-postgres` (embedded server, booted by the CLI), under
 *      /usr/bin/time -v: total time, per-revision overhead, peak RSS of the node process and of
 *      the Python driver (VmHWM of the driver process, polled from /proc);
 *   2. the same CLI with --database-url on a local server this bench started (same provider
 *      code and settings), so both sides below use one server; and with `--seed-rows 0` before
 *      and after it (A-B-A, against load drift): the audit with (default) and without the
 *      populated database;
 *   3. an alembic CLI loop on a fresh database of that server:
 *      `python3 -m alembic upgrade <rev>; downgrade <rev>@<parent>; upgrade <rev>` per revision,
 *      over the first SAMPLE revisions (each call imports alembic and every revision file, so
 *      the full 300 would take many minutes) and extrapolated to the whole history.
 *
 *   node --experimental-transform-types --no-warnings --import ./bench/ts-hooks.mjs bench/audit.ts [revisions] [sample] [narrow-at]
 *
 * With `narrow-at`, the first backfill revision at or after that position narrows its table's
 * `name` to varchar(3) instead: the seeded rows do not fit, the empty tables do (a failure of
 * the data only), and every later revision must still get its round trip.
 *
 * The bundle is <repo>/dist unless MIGRATION_GUARD_DIST names another build.
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startServer } from '../src/database/index.js';
import { silentLogger } from '../src/log.js';
import type { Report } from '../src/report/model.js';
import { makeAlembicRepo, type RevisionSpec } from '../test/helpers/git-repo.js';
import { cmdline, descendants, vmHwmKb } from './procs.js';

const TOTAL = Number(process.argv[2] ?? 300);
const SAMPLE = Math.min(TOTAL, Number(process.argv[3] ?? 60));
/** 1-based position from which the first backfill slot becomes a narrowing type change; 0: none. */
const NARROW_AT = Number(process.argv[4] ?? 0);
const PYTHON = '/usr/bin/python3';
const root = path.resolve(import.meta.dirname, '..');
const dist = path.resolve(process.env.MIGRATION_GUARD_DIST ?? path.join(root, 'dist'));
const execFileAsync = promisify(execFile);

// ---------------------------------------------------------------- history

/** Where the three branch-and-merge points start (two branch revisions, then the merge). */
const MERGE_AT = [40, 140, 240].map((n) => Math.round((n * TOTAL) / 300));

function history(total: number, narrowAt: number): RevisionSpec[] {
  const out: RevisionSpec[] = [];
  let narrowed = narrowAt <= 0;
  const id = (n: number) => `r${n.toString().padStart(4, '0')}`;
  const tables: string[] = [];
  let head: string | null = null;
  let n = 1;
  const createTable = (rev: string, down: string | string[] | null): RevisionSpec => {
    const t = `t_${rev}`;
    tables.push(t);
    return {
      id: rev,
      down,
      message: `create table ${t}`,
      upgrade: [
        `op.create_table('${t}',`,
        "    sa.Column('id', sa.BigInteger(), primary_key=True),",
        "    sa.Column('name', sa.String(200), nullable=True),",
        "    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()')),",
        ')',
      ].join('\n'),
      downgrade: `op.drop_table('${t}')`,
    };
  };
  while (out.length < total) {
    if (MERGE_AT.includes(out.length) && head !== null && out.length + 3 <= total) {
      const left = createTable(id(n++), head);
      const right = createTable(id(n++), head);
      const merge = id(n++);
      out.push(left, right, {
        id: merge,
        down: [left.id, right.id],
        message: `merge ${left.id} and ${right.id}`,
      });
      head = merge;
      continue;
    }
    const rev = id(n++);
    const last = tables[tables.length - 1];
    const prev = tables[tables.length - 2];
    const kind = last === undefined || prev === undefined ? 0 : out.length % 5;
    let spec: RevisionSpec;
    if (kind === 0) {
      spec = createTable(rev, head);
    } else if (kind === 1) {
      spec = {
        id: rev,
        down: head,
        message: `index ${last} name`,
        upgrade: `op.create_index('ix_${rev}', '${last}', ['name'])`,
        downgrade: `op.drop_index('ix_${rev}', table_name='${last}')`,
      };
    } else if (kind === 2) {
      spec = {
        id: rev,
        down: head,
        message: `reference ${prev} from ${last}`,
        upgrade: [
          `op.add_column('${last}', sa.Column('ref_${rev}', sa.BigInteger(), nullable=True))`,
          `op.create_foreign_key('fk_${rev}', '${last}', '${prev}', ['ref_${rev}'], ['id'])`,
        ].join('\n'),
        downgrade: [
          `op.drop_constraint('fk_${rev}', '${last}', type_='foreignkey')`,
          `op.drop_column('${last}', 'ref_${rev}')`,
        ].join('\n'),
      };
    } else if (kind === 3) {
      spec = {
        id: rev,
        down: head,
        message: `status enum on ${last}`,
        upgrade: [
          'from sqlalchemy.dialects import postgresql',
          `op.execute("CREATE TYPE status_${rev} AS ENUM ('new', 'done')")`,
          `op.add_column('${last}', sa.Column('status_${rev}', postgresql.ENUM(name='status_${rev}', create_type=False), nullable=True))`,
        ].join('\n'),
        downgrade: [
          `op.drop_column('${last}', 'status_${rev}')`,
          `op.execute('DROP TYPE status_${rev}')`,
        ].join('\n'),
      };
    } else if (!narrowed && out.length + 1 >= narrowAt) {
      // The seeded names ('not a number', …) do not fit three characters; empty tables do.
      narrowed = true;
      spec = {
        id: rev,
        down: head,
        message: `narrow ${last} name to 3 characters`,
        upgrade: `op.alter_column('${last}', 'name', type_=sa.String(3), existing_type=sa.String(200), existing_nullable=True)`,
        downgrade: `op.alter_column('${last}', 'name', type_=sa.String(200), existing_type=sa.String(3), existing_nullable=True)`,
      };
    } else {
      spec = {
        id: rev,
        down: head,
        message: `backfill ${last} name`,
        upgrade: `op.execute(sa.text("UPDATE ${last} SET name = 'unnamed' WHERE name IS NULL"))`,
        downgrade: '# data only: the backfilled names stay, nothing to undo\npass',
      };
    }
    out.push(spec);
    head = rev;
  }
  return out;
}

// ---------------------------------------------------------------- process measurement

interface OurRun {
  wallMs: number;
  code: number | null;
  /** ru_maxrss of the node child as /usr/bin/time reports it (also counts children it waited for). */
  nodeMaxRssKb: number | null;
  /** VmHWM of the node process itself, polled. */
  nodePeakKb: number;
  driverPeakKb: number;
  driverProcesses: number;
  progressLines: number;
  firstProgressMs: number | null;
  report: Report;
  reportBytes: number;
}

async function runOurs(
  repoDir: string,
  dbArgs: string[],
  outFile: string,
  nodeFlags: string[] = [],
): Promise<OurRun> {
  const args = [
    '-v',
    process.execPath,
    ...nodeFlags,
    path.join(dist, 'cli.js'),
    'check',
    '--all',
    ...dbArgs,
    '--python',
    PYTHON,
    '--format',
    'json',
    '--output',
    outFile,
    '--fail-on',
    'never',
  ];
  const t0 = performance.now();
  const child = spawn('/usr/bin/time', args, { cwd: repoDir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let progressLines = 0;
  let firstProgressMs: number | null = null;
  child.stderr.on('data', (d: Buffer) => {
    const text = d.toString();
    stderr += text;
    const steps = text.split('\n').filter((l) => / (upgrade|downgrade|reupgrade)\b.* ms/.test(l)).length;
    if (steps > 0 && firstProgressMs === null) firstProgressMs = performance.now() - t0;
    progressLines += steps;
  });
  // The driver is a grandchild (time → node → python): poll its peak resident set.
  const driverPeaks = new Map<number, number>();
  let nodePeakKb = 0;
  const poll = setInterval(() => {
    if (child.pid === undefined) return;
    for (const pid of descendants(child.pid)) {
      const cmd = cmdline(pid);
      const isDriver = cmd.includes('driver.py');
      if (!isDriver && !cmd.includes('cli.js')) continue;
      const kb = vmHwmKb(pid);
      if (kb === null) continue;
      if (isDriver) driverPeaks.set(pid, Math.max(driverPeaks.get(pid) ?? 0, kb));
      else nodePeakKb = Math.max(nodePeakKb, kb);
    }
  }, 100);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearInterval(poll);
  const wallMs = performance.now() - t0;
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  if (code !== 0) throw new Error(`check --all exited ${code}:\n${stderr.slice(-3000)}`);
  const text = readFileSync(outFile, 'utf8');
  return {
    wallMs,
    code,
    nodeMaxRssKb: rss ? Number(rss[1]) : null,
    nodePeakKb,
    driverPeakKb: Math.max(0, ...driverPeaks.values()),
    driverProcesses: driverPeaks.size,
    progressLines,
    firstProgressMs,
    report: JSON.parse(text) as Report,
    reportBytes: Buffer.byteLength(text),
  };
}

// ---------------------------------------------------------------- alembic CLI loop

function downgradeTarget(spec: RevisionSpec, parentsOf: (id: string) => string[]): string {
  const parents = spec.down === null ? [] : Array.isArray(spec.down) ? spec.down : [spec.down];
  if (parents.length === 0) return `${spec.id}@base`;
  const isAncestor = (candidate: string, of: string): boolean => {
    const stack = [...parentsOf(of)];
    const seen = new Set<string>();
    while (stack.length > 0) {
      const next = stack.pop() as string;
      if (next === candidate) return true;
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(...parentsOf(next));
    }
    return false;
  };
  const chosen = parents.find((p) => !parents.some((q) => q !== p && isAncestor(p, q))) ?? parents[0];
  return `${spec.id}@${chosen}`;
}

async function alembicLoop(
  repoDir: string,
  url: string,
  specs: RevisionSpec[],
): Promise<{ ms: number; calls: number; perCallMs: number }> {
  const byId = new Map(specs.map((s) => [s.id, s]));
  const parentsOf = (id: string) => {
    const d = byId.get(id)?.down ?? null;
    return d === null ? [] : Array.isArray(d) ? d : [d];
  };
  const alembic = (...args: string[]) =>
    execFileAsync(PYTHON, ['-m', 'alembic', '-c', 'alembic.ini', ...args], {
      cwd: repoDir,
      env: { ...process.env, DATABASE_URL: url },
    });
  const t0 = performance.now();
  let calls = 0;
  for (const spec of specs) {
    await alembic('upgrade', spec.id);
    await alembic('downgrade', downgradeTarget(spec, parentsOf));
    await alembic('upgrade', spec.id);
    calls += 3;
  }
  const ms = performance.now() - t0;
  return { ms, calls, perCallMs: ms / calls };
}

// ---------------------------------------------------------------- main

const fmtS = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const fmtMb = (kb: number | null) => (kb === null ? '?' : `${(kb / 1024).toFixed(0)} MB`);

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

function describeRun(label: string, run: OurRun): number {
  const revs = run.report.projects.flatMap((p) => p.revisions);
  const ran = revs.filter((r) => r.steps.length > 0);
  const failed = revs.filter((r) => r.steps.some((s) => !s.ok) || r.schemaRestored === false);
  const full = revs.filter((r) => r.steps.length === 3 && r.steps.every((s) => s.ok));
  const notChecked = revs.filter((r) => r.notChecked);
  const reseeded = revs.filter((r) => r.data?.reseededAfter !== undefined);
  const stepMs = ran.reduce((t, r) => t + r.steps.reduce((u, s) => u + s.durationMs, 0), 0);
  const durations = ran.map((r) => r.durationMs ?? 0);
  const timings = run.report.projects[0]?.timings ?? {};
  console.log(`\n${label}`);
  console.log(
    `  ${revs.length} revisions, ${ran.length} round-tripped, ${failed.length} failed/not restored, ` +
      `${run.report.summary.errors} errors, ${run.report.summary.warnings} warnings (fail-on never)`,
  );
  console.log(
    `  full round trip (upgrade, downgrade, re-upgrade all ok): ${full.length} of ${revs.length}; ` +
      `not checked: ${notChecked.length}; ran on rows seeded afresh after a failure: ${reseeded.length}; ` +
      `failed: ${failed.map((r) => r.id).join(', ') || 'none'}`,
  );
  console.log(`  total ${fmtS(run.wallMs)} (process wall time, server boot included when the CLI starts it)`);
  console.log(
    `  per revision: ${(run.wallMs / revs.length).toFixed(0)} ms overall, median revision durationMs ${median(durations)} ms, ` +
      `alembic steps ${(stepMs / ran.length).toFixed(0)} ms, overhead outside steps ${((run.wallMs - stepMs) / revs.length).toFixed(0)} ms`,
  );
  console.log(`  project timings: ${JSON.stringify(timings)}`);
  console.log(
    `  peak RSS: node ${fmtMb(run.nodePeakKb)} (VmHWM; /usr/bin/time -v says ${fmtMb(run.nodeMaxRssKb)}), Python driver ${fmtMb(run.driverPeakKb)} ` +
      `(VmHWM, ${run.driverProcesses} driver process(es))`,
  );
  console.log(
    `  progress: ${run.progressLines} step lines streamed on stderr, first after ${run.firstProgressMs === null ? '?' : fmtS(run.firstProgressMs)}; report ${(run.reportBytes / 1024 / 1024).toFixed(1)} MB JSON`,
  );
  return stepMs;
}

const specs = history(TOTAL, NARROW_AT);
const merges = specs.filter((s) => Array.isArray(s.down)).length;
const narrowing = specs.find((s) => s.message?.startsWith('narrow '));
console.log(
  `history: ${specs.length} revisions, ${merges} merges (tables, indexes, foreign keys, enums, data updates); alembic loop sample: first ${SAMPLE}` +
    (narrowing
      ? `; revision ${specs.indexOf(narrowing) + 1} (${narrowing.id}) narrows a column the seeded rows do not fit`
      : ''),
);
const repo = await makeAlembicRepo({ revisions: specs });
const outDir = await mkdtemp(path.join(tmpdir(), 'mg-bench-audit-'));
try {
  const embedded = await runOurs(repo.dir, ['--local-postgres'], path.join(outDir, 'embedded.json'));
  describeRun('migration-guard check --all --local-postgres (embedded server)', embedded);
  // The bundle keeps libpg-query's wasm on Liftoff itself (src/wasm-flags.ts); the run with
  // `node --liftoff-only` that measured the difference before is no longer needed.

  const server = await startServer({ kind: 'local' }, { log: silentLogger });
  try {
    const db = await server.createDatabase();
    // The admin URL of the server (db.url is the throwaway migration role's).
    const serverUrl = new URL(db.adminUrl);
    serverUrl.pathname = '/postgres';
    // The audit without the populated database (seeding is on by default) runs before and
    // after the seeded one (A-B-A): the machine's load drifts over minutes, and the mean of the
    // two unseeded runs is what the seeded run is compared with.
    const unseededRun = (name: string) =>
      runOurs(
        repo.dir,
        ['--database-url', serverUrl.toString(), '--seed-rows', '0'],
        path.join(outDir, name),
      );
    const unseeded = await unseededRun('url-unseeded.json');
    describeRun(
      'check --all --database-url --seed-rows 0 (no populated database), before the seeded run',
      unseeded,
    );
    const onServer = await runOurs(
      repo.dir,
      ['--database-url', serverUrl.toString()],
      path.join(outDir, 'url.json'),
    );
    describeRun('migration-guard check --all --database-url (the server the alembic loop uses)', onServer);
    const unseededAfter = await unseededRun('url-unseeded-after.json');
    describeRun('the same with --seed-rows 0 again, after the seeded run', unseededAfter);
    const seed = onServer.report.projects[0]?.seed;
    const seededTables = seed ? Object.values(seed.tables).filter((n) => n > 0).length : 0;
    const unseededMs = (unseeded.wallMs + unseededAfter.wallMs) / 2;
    console.log(
      `  seeding: ${seed ? `${seed.rowsPerTable} rows per table, ${seededTables} table(s) seeded, ${Object.keys(seed.unfilled).length} unfilled` : 'absent from the report'}; ` +
        `audit with / without seeding: ${(onServer.wallMs / unseededMs).toFixed(2)}x (goal ≤ 1.3x; ` +
        `${fmtS(onServer.wallMs)} / mean of ${fmtS(unseeded.wallMs)} and ${fmtS(unseededAfter.wallMs)})`,
    );

    const loop = await alembicLoop(repo.dir, db.url, specs.slice(0, SAMPLE));
    const loopFull = (loop.ms / SAMPLE) * TOTAL;
    console.log(`\nalembic CLI loop (upgrade; downgrade <rev>@<parent>; upgrade) on the same server`);
    console.log(
      `  ${SAMPLE} revisions, ${loop.calls} alembic calls: ${fmtS(loop.ms)} (${loop.perCallMs.toFixed(0)} ms per call, ` +
        `${(loop.ms / SAMPLE).toFixed(0)} ms per revision)`,
    );
    console.log(
      `  ${SAMPLE < TOTAL ? 'extrapolated to' : 'all'} ${TOTAL} revisions: ${fmtS(loopFull)}${SAMPLE < TOTAL ? ` (SAMPLED: first ${SAMPLE} revisions, extrapolated linearly; every call loads all ${TOTAL} revision files whichever revision it targets)` : ' (measured, not extrapolated)'}`,
    );
    await db.dispose();

    console.log('\nresult');
    const ratio = loopFull / onServer.wallMs;
    console.log(
      `  ratio alembic loop / migration-guard (same server, seeded): ${ratio.toFixed(1)}x (goal ≥ 19x)`,
    );
    console.log(
      `  ratio alembic loop / migration-guard (embedded, boot included): ${(loopFull / embedded.wallMs).toFixed(1)}x`,
    );
    console.log(`  ${TOTAL} revisions in ${fmtS(embedded.wallMs)} embedded (goal ≤ 30 s)`);
    const rssMb = Math.max(embedded.nodePeakKb, embedded.driverPeakKb) / 1024;
    const sumMb = (embedded.nodePeakKb + embedded.driverPeakKb) / 1024;
    console.log(
      `  peak RSS ${rssMb.toFixed(0)} MB per process, node + driver ${sumMb.toFixed(0)} MB (goal ≤ 300 MB; embedded, seeded); ` +
        `--database-url seeded: node + driver ${((onServer.nodePeakKb + onServer.driverPeakKb) / 1024).toFixed(0)} MB`,
    );
  } finally {
    await server.dispose();
  }
} finally {
  rmSync(outDir, { recursive: true, force: true });
  // MIGRATION_GUARD_BENCH_KEEP=1 keeps the generated repository to investigate by hand.
  if (process.env.MIGRATION_GUARD_BENCH_KEEP === '1') console.log(`kept ${repo.dir}`);
  else await repo.cleanup();
}
