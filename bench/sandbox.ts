/**
 * Sandbox cost (README.md "Security"): the built CLI's `check` of a one-revision pull request
 * (a base revision on `main`, one pending revision on `feature`, base models read from the
 * base commit) against a --database-url server this bench starts, with the sandbox (the
 * default) and with MIGRATION_GUARD_SANDBOX=none, alternated (A-B-A-B…, against load drift) in
 * one run. Prints each side's median wall time, and the ratio.
 *
 *   node --experimental-transform-types --no-warnings --import ./bench/ts-hooks.mjs bench/sandbox.ts [runs] [python]
 *
 * The bundle is <repo>/dist unless MIGRATION_GUARD_DIST names another build.
 */
import { spawn } from 'node:child_process';
import { chmodSync } from 'node:fs';
import path from 'node:path';
import { startServer } from '../src/database/index.js';
import { silentLogger } from '../src/log.js';
import type { Report } from '../src/report/model.js';
import { makeAlembicRepo } from '../test/helpers/git-repo.js';

const RUNS = Number(process.argv[2] ?? 7);
const PYTHON = process.argv[3] ?? '/usr/bin/python3';
const root = path.resolve(import.meta.dirname, '..');
const dist = path.resolve(process.env.MIGRATION_GUARD_DIST ?? path.join(root, 'dist'));

async function main(): Promise<void> {
  const server = await startServer({ kind: 'local' }, { log: silentLogger });
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
  chmodSync(repo.dir, 0o755);
  repo.branch('feature');
  repo.writeFile(
    'migrations/versions/b2_add_email.py',
    `"""add email\n\nRevision ID: b2\nRevises: a1\n"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = 'b2'\ndown_revision = 'a1'\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n    op.add_column('users', sa.Column('email', sa.Text))\n\n\ndef downgrade():\n    op.drop_column('users', 'email')\n`,
  );
  repo.commit('add email');
  // The admin URL of the server (db.url is a throwaway migration role's).
  const db = await server.createDatabase();
  const serverUrl = new URL(db.adminUrl);
  serverUrl.pathname = '/postgres';
  const url = serverUrl.toString();
  const args = [
    'check',
    '--project',
    repo.dir,
    '--base',
    'main',
    '--python',
    PYTHON,
    '--database-url',
    url,
    '--format',
    'json',
  ];
  const sides = { sandboxed: [] as number[], unsandboxed: [] as number[] };
  let sandbox: Report['sandbox'] = undefined;
  try {
    for (let i = 0; i < RUNS; i++) {
      for (const side of ['sandboxed', 'unsandboxed'] as const) {
        const env: Record<string, string> = side === 'unsandboxed' ? { MIGRATION_GUARD_SANDBOX: 'none' } : {};
        const { ms, stdout, code } = await timeCli(args, env);
        if (code !== 0) throw new Error(`${side} run exited ${code}: ${stdout.slice(0, 500)}`);
        const report = JSON.parse(stdout) as Report;
        if (side === 'sandboxed') sandbox = report.sandbox;
        if (side === 'sandboxed' && !report.sandbox) throw new Error('the sandboxed run had no sandbox');
        if (side === 'unsandboxed' && report.sandbox !== null)
          throw new Error('the unsandboxed run had a sandbox');
        sides[side].push(ms);
      }
    }
  } finally {
    await server.dispose();
    await repo.cleanup();
  }
  const med = { sandboxed: median(sides.sandboxed), unsandboxed: median(sides.unsandboxed) };
  console.log(`python ${PYTHON}, ${RUNS} runs per side, alternated; sandbox ${JSON.stringify(sandbox)}`);
  console.log(`sandboxed:   median ${med.sandboxed} ms  (${sides.sandboxed.join(', ')})`);
  console.log(`unsandboxed: median ${med.unsandboxed} ms  (${sides.unsandboxed.join(', ')})`);
  console.log(`ratio ${(med.sandboxed / med.unsandboxed).toFixed(3)}×  (goal ≤ 1.1×)`);
}

function timeCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ ms: number; stdout: string; code: number | null }> {
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(dist, 'cli.js'), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  return new Promise((resolve) =>
    child.on('close', (code) => resolve({ ms: Math.round(performance.now() - started), stdout, code })),
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

await main();
