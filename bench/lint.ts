/**
 * SQL lint benchmark: generates a 10 000-statement migration of typical statements, measures
 * migration-guard's in-process lint throughput (parse + context + all SQL rules), a typical
 * 20-statement revision in a fresh process (wasm load included), and squawk on the same file
 * when `squawk-cli` can be installed (into bench/.work/squawk, never into package.json).
 * Run from the repository root:
 *
 *   node --experimental-strip-types --import ./bench/ts-hooks.mjs bench/lint.ts [statements]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os, { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import type { ExecutedStatement } from '../src/report/model.js';
import { sqlStatementRules } from '../rules/index.js';
import { lintRevisionSql } from '../src/lint/sql.js';
import { loadParser, parseSql } from '../src/sql/parser.js';

const TOTAL = Number(process.argv[2] ?? 10_000);
const RUNS = 7;
const root = path.resolve(import.meta.dirname, '..');

/** Typical statements of Alembic migrations, with varying names so nothing is cached. */
function typicalStatement(i: number): string {
  const t = `table_${i % 97}`;
  const templates = [
    `CREATE TABLE ${t}_new_${i} (id SERIAL NOT NULL, user_id INTEGER, name VARCHAR(100) NOT NULL, created_at TIMESTAMP WITH TIME ZONE DEFAULT now(), PRIMARY KEY (id), FOREIGN KEY(user_id) REFERENCES users (id))`,
    `ALTER TABLE ${t} ADD COLUMN col_${i} VARCHAR(50)`,
    `CREATE INDEX ix_${t}_col_${i} ON ${t} (col_${i})`,
    `ALTER TABLE ${t} ADD CONSTRAINT fk_${t}_${i} FOREIGN KEY(user_id) REFERENCES users (id)`,
    `ALTER TABLE ${t} ALTER COLUMN col_${i} SET NOT NULL`,
    `UPDATE ${t} SET col_${i} = 'x' WHERE col_${i} IS NULL`,
    `ALTER TABLE ${t} DROP COLUMN old_${i}`,
    `CREATE INDEX CONCURRENTLY ix_${t}_c_${i} ON ${t} (created_at)`,
    `ALTER TABLE ${t} ALTER COLUMN amount_${i} TYPE NUMERIC(12, 2)`,
    `INSERT INTO ${t} (id, name) VALUES (${i}, 'row ${i}')`,
  ];
  return templates[i % templates.length] as string;
}

function statementsOf(n: number): ExecutedStatement[] {
  return Array.from({ length: n }, (_, i) => ({
    sql: typicalStatement(i),
    line: 10 + i,
    durationMs: 1,
    locks: [],
    inTransaction: true,
  }));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

const settings = { 'lock-timeout-missing': 'warning' } as const;
const input = (statements: ExecutedStatement[]) => ({
  revision: 'bench',
  file: 'migrations/versions/bench.py',
  source: null,
  statements,
  serverVersionNum: 150014,
  settings,
});

const work = path.join(root, 'bench', '.work');
mkdirSync(work, { recursive: true });
const tmp = mkdtempSync(path.join(tmpdir(), 'mg-lint-bench-'));
try {
  const statements = statementsOf(TOTAL);
  const sqlFile = path.join(tmp, 'migration.sql');
  writeFileSync(sqlFile, statements.map((s) => `${s.sql};\n`).join(''));

  // 1. In-process throughput (wasm already loaded; the first run warms up the JIT).
  await loadParser();
  await lintRevisionSql(input(statements), sqlStatementRules);
  const lintMs: number[] = [];
  const parseMs: number[] = [];
  let findings = 0;
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    for (const s of statements) parseSql(s.sql);
    parseMs.push(performance.now() - t0);
  }
  for (let r = 0; r < RUNS; r++) {
    const t1 = performance.now();
    findings = (await lintRevisionSql(input(statements), sqlStatementRules)).length;
    lintMs.push(performance.now() - t1);
  }
  const lintRate = TOTAL / (median(lintMs) / 1000);
  const parseRate = TOTAL / (median(parseMs) / 1000);

  // 2. A typical 20-statement revision in a fresh process, from an ncc bundle built like dist/
  //    (same entry as test/unit/sql/bundle.test.ts, wasm copied next to it): import + wasm
  //    instantiation + lint, i.e. what one `migration-guard check` pays before its first revision.
  const bundleDir = path.join(work, 'sql-bundle');
  execFileSync(
    process.execPath,
    [
      path.join(root, 'node_modules/@vercel/ncc/dist/ncc/cli.js'),
      'build',
      path.join(root, 'test/unit/sql/fixtures/bundle-entry.ts'),
      '-o',
      bundleDir,
      '--quiet',
      '--target',
      'es2022',
    ],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  copyFileSync(
    path.join(root, 'node_modules/libpg-query/wasm/libpg-query.wasm'),
    path.join(bundleDir, 'libpg-query.wasm'),
  );
  const probe = path.join(bundleDir, 'revision20.mjs');
  writeFileSync(
    probe,
    `const t0 = performance.now();
const { lintRevisionSql, sqlStatementRules } = await import('./index.js');
const t1 = performance.now();
const statements = ${JSON.stringify(statementsOf(20))};
const found = await lintRevisionSql({ revision: 'r', file: 'f.py', source: null, statements, serverVersionNum: 150014, settings: {} }, sqlStatementRules);
console.log(JSON.stringify({ importMs: t1 - t0, ms: performance.now() - t0, findings: found.length }));
`,
  );
  const coldMs: number[] = [];
  const importMs: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const out = JSON.parse(execFileSync(process.execPath, [probe], { encoding: 'utf8', cwd: tmpdir() })) as {
      ms: number;
      importMs: number;
    };
    coldMs.push(out.ms);
    importMs.push(out.importMs);
  }

  // 3. squawk on the same file, if its npm package installs here.
  const squawkDir = path.join(work, 'squawk');
  const squawkBin = path.join(squawkDir, 'node_modules', '.bin', 'squawk');
  let squawk = '';
  let squawkFindings = 0;
  if (!existsSync(squawkBin)) {
    const npm = spawnSync(
      'npm',
      ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', squawkDir, 'squawk-cli'],
      {
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    if (npm.status !== 0)
      squawk = `squawk: unavailable (npm install squawk-cli failed: ${(npm.stderr || npm.error?.message || '').trim().split('\n').pop()})`;
  }
  if (!squawk) {
    if (!existsSync(squawkBin)) squawk = 'squawk: unavailable (no binary after npm install squawk-cli)';
    else {
      const version = execFileSync(squawkBin, ['--version'], { encoding: 'utf8' }).trim();
      const ms: number[] = [];
      for (let r = 0; r < RUNS; r++) {
        const t0 = performance.now();
        // squawk exits non-zero when it reports violations; that is expected here.
        const run = spawnSync(squawkBin, ['--reporter', 'gcc', sqlFile], {
          encoding: 'utf8',
          maxBuffer: 64 * 1024 * 1024,
        });
        ms.push(performance.now() - t0);
        squawkFindings = run.stdout.split('\n').filter((l) => l.includes(sqlFile)).length;
      }
      squawk = `${version}: ${median(ms).toFixed(0)} ms for the same ${TOTAL} statements (process start included) = ${Math.round(TOTAL / (median(ms) / 1000)).toLocaleString('en')} statements/s, ${squawkFindings} findings`;
    }
  }

  console.log(
    `statements: ${TOTAL} (10 templates, names varied), ${RUNS} runs, median; load average ${loadavg()[0]?.toFixed(1)} on ${os.cpus().length} cores`,
  );
  console.log(
    `parse only:             ${median(parseMs).toFixed(0)} ms = ${Math.round(parseRate).toLocaleString('en')} statements/s`,
  );
  console.log(
    `lint (parse+rules):     ${median(lintMs).toFixed(0)} ms = ${Math.round(lintRate).toLocaleString('en')} statements/s, ${findings} findings`,
  );
  console.log(
    `20-statement revision, fresh process, bundled: ${median(coldMs).toFixed(0)} ms (min ${Math.min(...coldMs).toFixed(0)}), of which import + wasm instantiation ${median(importMs).toFixed(0)} ms`,
  );
  console.log(squawk);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
