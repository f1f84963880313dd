/**
 * The SQL lint works from an ncc bundle the way dist/ is built (src/esm-shim.ts first, then
 * libpg-query): the wasm is looked up next to the bundle file, whatever the working directory,
 * and the bundled parser lints a statement. src/bundle.ts exports only runCli/runAction, so
 * this builds test/unit/sql/fixtures/bundle-entry.ts with the same ncc options as
 * scripts/build.mjs and copies the wasm the same way.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
let dir = '';

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'mg-sql-bundle-'));
  execFileSync(
    process.execPath,
    [
      path.join(root, 'node_modules/@vercel/ncc/dist/ncc/cli.js'),
      'build',
      path.join(root, 'test/unit/sql/fixtures/bundle-entry.ts'),
      '-o',
      dir,
      '--quiet',
      '--target',
      'es2022',
    ],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  writeFileSync(
    path.join(dir, 'probe.mjs'),
    `const t0 = performance.now();
const m = await import('./index.js');
const statements = [
  { sql: 'CREATE TABLE t (id int)', line: 5, durationMs: 1, locks: [], inTransaction: true },
  { sql: 'CREATE INDEX ix_orders_user ON orders (user_id)', line: 6, durationMs: 1, locks: [], inTransaction: true },
];
const found = await m.lintRevisionSql({ revision: 'r1', file: 'v/r1.py', source: null, statements, serverVersionNum: 150014, settings: {} }, m.sqlStatementRules);
console.log(JSON.stringify({ rules: found.map((f) => f.finding.rule), ms: performance.now() - t0 }));
`,
  );
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function probe() {
  // Run from / so that nothing is found relative to the working directory.
  return spawnSync(process.execPath, [path.join(dir, 'probe.mjs')], { cwd: '/', encoding: 'utf8' });
}

describe('SQL lint in an ncc bundle', () => {
  it('looks for libpg-query.wasm next to the bundle file', () => {
    const run = probe();
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(path.join(dir, 'libpg-query.wasm'));
  });

  it('lints once the wasm is copied next to it, as scripts/build.mjs does', () => {
    expect(readFileSync(path.join(root, 'scripts/build.mjs'), 'utf8')).toMatch(
      /'libpg-query', 'wasm', 'libpg-query\.wasm'\),\s*path\.join\(out, 'libpg-query\.wasm'\)/,
    );
    copyFileSync(
      path.join(root, 'node_modules/libpg-query/wasm/libpg-query.wasm'),
      path.join(dir, 'libpg-query.wasm'),
    );
    const run = probe();
    expect(run.stderr).toBe('');
    const out = JSON.parse(run.stdout) as { rules: string[]; ms: number };
    expect(out.rules).toEqual(['require-concurrent-index']);
  });
});
