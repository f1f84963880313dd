/**
 * Cost of breaks-deployed-app (the base release's models run against the migrated schema): the
 * built CLI, `check --base main --database-url <server>`, on a pull request with one pending
 * revision, with the rule on (the default) and off (`--config-file` with
 * `breaks-deployed-app: off`), RUNS times each, interleaved on one local server this bench
 * starts so both see the same load. Two projects: the shop of test/integration/deploy (declarative
 * models from a mixin, env.py hands them to alembic) and the same project without models
 * (env.py's target_metadata = None), which must pay nothing. Prints the medians and the ratio
 * on / off (goal ≤ 1.15 with models, ≈ 1.0 without), of the wall time and of the CPU time the
 * check and its processes used (GNU time), which a loaded machine disturbs less.
 *
 *   node --experimental-transform-types --no-warnings --import ./bench/ts-hooks.mjs bench/deployed-app.ts [runs=5] [python=/usr/bin/python3]
 *
 * The bundle is <repo>/dist unless MIGRATION_GUARD_DIST names another build.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer } from '../src/database/index.js';
import { silentLogger } from '../src/log.js';
import type { Report } from '../src/report/model.js';
import { STANDARD_ENV_PY, makeAlembicRepo, revisionFile, revisionPath } from '../test/helpers/git-repo.js';
import type { AlembicRepo, RevisionSpec } from '../test/helpers/git-repo.js';
import { BASE, MODELS_ENV_PY, MODELS_PY, PULL_REQUESTS } from '../test/integration/deploy/projects.js';
import { runMeasured } from './procs.js';

const RUNS = Number(process.argv[2] ?? 5);
const PYTHON = process.argv[3] ?? '/usr/bin/python3';
const root = path.resolve(import.meta.dirname, '..');
const dist = path.resolve(process.env.MIGRATION_GUARD_DIST ?? path.join(root, 'dist'));

/** GNU time: the rusage of the check and its waited-for descendants. */
const TIME = '/usr/bin/time';
const CPU_MARK = 'MG_BENCH_CPU ';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function project(envPy: string): Promise<AlembicRepo> {
  const repo = await makeAlembicRepo({
    revisions: [BASE],
    files: { 'app/__init__.py': '', 'app/models.py': MODELS_PY, 'migrations/env.py': envPy },
  });
  repo.branch('pull-request');
  // A compatible change: the check's usual case, where every table is probed and nothing fails.
  const spec: RevisionSpec = { ...PULL_REQUESTS.addNullableColumn, down: BASE.id };
  repo.writeFile(revisionPath(spec), revisionFile(spec));
  repo.commit('add users full_name');
  return repo;
}

const outDir = await mkdtemp(path.join(tmpdir(), 'mg-bench-deployed-app-'));
const configs = {
  on: path.join(outDir, 'on.yml'),
  off: path.join(outDir, 'off.yml'),
};
writeFileSync(configs.on, 'rules:\n  breaks-deployed-app: error\n');
writeFileSync(configs.off, 'rules:\n  breaks-deployed-app: off\n');
const repos = { models: await project(MODELS_ENV_PY), 'no models': await project(STANDARD_ENV_PY) };
const server = await startServer({ kind: 'local' }, { log: silentLogger });
try {
  const admin = await server.createDatabase();
  const serverUrl = new URL(admin.adminUrl);
  serverUrl.pathname = '/postgres';
  await admin.dispose();
  console.log(
    `one pending revision (add a nullable column) on the shop of test/integration/deploy; PostgreSQL ${server.serverVersion}, local server; python ${PYTHON}; ${RUNS} runs each, interleaved`,
  );
  const check = async (repo: AlembicRepo, config: string) => {
    const report = path.join(outDir, 'report.json');
    // CPU time of the check and every process it waited for (Python, git, the sandbox), not of
    // the server this bench started: less sensitive than the wall time to a loaded machine.
    const run = await runMeasured(
      TIME,
      [
        '-f',
        `${CPU_MARK}%U %S`,
        process.execPath,
        path.join(dist, 'cli.js'),
        'check',
        '--base',
        'main',
        '--database-url',
        serverUrl.toString(),
        '--python',
        PYTHON,
        '--config-file',
        config,
        '--format',
        'json',
        '--output',
        report,
        '--fail-on',
        'never',
      ],
      { cwd: repo.dir, classify: () => null },
    );
    if (run.code !== 0) throw new Error(`check exited ${run.code}: ${run.stderr.slice(-3000)}`);
    const parsed = JSON.parse(readFileSync(report, 'utf8')) as Report;
    const timings = parsed.projects[0]?.timings ?? {};
    const cpu = run.stderr.split('\n').find((l) => l.startsWith(CPU_MARK));
    const [user, system] = (cpu?.slice(CPU_MARK.length) ?? 'NaN NaN').split(' ').map(Number);
    return {
      wallMs: run.wallMs,
      cpuMs: ((user ?? NaN) + (system ?? NaN)) * 1000,
      atHeadsMs: timings['roundTrip.atHeadsMs'] ?? 0,
      roundTripMs: timings.roundTripMs ?? 0,
    };
  };

  for (const [name, repo] of Object.entries(repos)) {
    const on: number[] = [];
    const off: number[] = [];
    const cpu = { on: [] as number[], off: [] as number[] };
    const probe: number[] = [];
    const roundTrip = { on: [] as number[], off: [] as number[] };
    await check(repo, configs.on); // warm-up: page cache, Python bytecode of the stack
    for (let i = 0; i < RUNS; i++) {
      // Alternate which goes first, against an order effect under a drifting load.
      const runOn = async () => {
        const a = await check(repo, configs.on);
        on.push(a.wallMs);
        cpu.on.push(a.cpuMs);
        probe.push(a.atHeadsMs);
        roundTrip.on.push(a.roundTripMs);
      };
      const runOff = async () => {
        const b = await check(repo, configs.off);
        off.push(b.wallMs);
        cpu.off.push(b.cpuMs);
        roundTrip.off.push(b.roundTripMs);
      };
      if (i % 2 === 0) {
        await runOn();
        await runOff();
      } else {
        await runOff();
        await runOn();
      }
    }
    const ratio = median(on) / median(off);
    console.log(
      `${name.padEnd(9)}  on ${median(on).toFixed(0)} ms   off ${median(off).toFixed(0)} ms   ratio on/off ${ratio.toFixed(3)}   (probe at heads ${median(probe).toFixed(0)} ms; round trip on ${median(roundTrip.on).toFixed(0)} / off ${median(roundTrip.off).toFixed(0)} ms)`,
    );
    console.log(
      `${''.padEnd(9)}  cpu on ${median(cpu.on).toFixed(0)} ms   off ${median(cpu.off).toFixed(0)} ms   ratio on/off ${(median(cpu.on) / median(cpu.off)).toFixed(3)}`,
    );
  }
} finally {
  await server.dispose();
  for (const repo of Object.values(repos)) await repo.cleanup();
  await rm(outDir, { recursive: true, force: true });
}
