/**
 * Several projects in one run (issue #8): a monorepo of three Alembic projects checked with
 * one glob. The unchanged project is skipped, the clean one passes, the failing one fails the
 * run; each checked project got its own fresh database on one server. Through the built CLI and
 * the built action (one sticky comment, one section per project).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Monorepo } from '../fixtures/monorepo/monorepo.js';
import { configOf, makeMonorepo } from '../fixtures/monorepo/monorepo.js';
import type { FakeGitHub } from '../helpers/fake-github.js';
import { startFakeGitHub } from '../helpers/fake-github.js';
import type { TestServer } from '../helpers/postgres.js';
import { startTestServer } from '../helpers/postgres.js';
import { validReport } from '../helpers/report-schema.js';
import { ActionRunner, assertBundle, dist, prPayload } from './action-harness.js';

let pg: TestServer;
let gh: FakeGitHub;
let mono: Monorepo;
let out: string;
const runner = new ActionRunner();

beforeAll(async () => {
  assertBundle();
  [pg, gh, mono] = await Promise.all([startTestServer(), startFakeGitHub(), makeMonorepo()]);
  out = mkdtempSync(path.join(tmpdir(), 'mg-e2e-mono-'));
}, 180_000);

afterAll(async () => {
  await Promise.all([pg?.dispose(), gh?.close(), mono?.repo.cleanup()]);
  if (out) rmSync(out, { recursive: true, force: true });
  runner.cleanup();
});

async function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [path.join(dist, 'cli.js'), ...args], {
    cwd: mono.repo.dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, stderr };
}

const cliArgs = (output: string) => [
  'check',
  '--config',
  'services/*/alembic.ini',
  '--base',
  'main',
  '--database-url',
  pg.url,
  '--python',
  '/usr/bin/python3',
  '--concurrency',
  '2',
  '--format',
  'json',
  '--output',
  output,
];

describe('a monorepo checked in one run', () => {
  it('CLI --only-changed: skips the unchanged project and fails on the failing one', async () => {
    const file = path.join(out, 'only-changed.json');
    const run = await cli([...cliArgs(file), '--only-changed', '--debug']);
    expect(run.code, run.stderr).toBe(1);
    const report = validReport(readFileSync(file, 'utf8'));
    const byId = new Map(report.projects.map((p) => [p.id, p]));
    expect([...byId.keys()]).toEqual([configOf('accounts'), configOf('billing'), configOf('catalog')]);
    expect(byId.get(configOf('accounts'))!.skipped).toBe('no migration changed since main');
    expect(byId.get(configOf('billing'))).toMatchObject({ skipped: null, mode: 'full' });
    expect(byId.get(configOf('catalog'))).toMatchObject({ skipped: null, mode: 'full' });
    expect(byId.get(configOf('billing'))!.revisions.map((r) => r.id)).toEqual(['billing0002']);
    const catalog = byId.get(configOf('catalog'))!.revisions[0]!;
    expect(catalog.findings.map((f) => f.rule)).toContain('require-concurrent-index');
    expect(catalog.steps.map((s) => s.ok)).toEqual([true, true, true]);
    expect(report.summary).toMatchObject({ revisions: 2, passed: 1 });
    expect(run.stderr).toContain(
      `${configOf('accounts')}: skipped, no revision file or env.py changed since main`,
    );
    // One fresh database per checked project, on the one server behind --database-url.
    const created = [...run.stderr.matchAll(/created database (migration_guard_[0-9a-f]+)/g)].map(
      (m) => m[1],
    );
    expect(new Set(created).size).toBe(2);
    expect(report.projects.filter((p) => p.database).map((p) => p.database!.provider)).toEqual([
      'url',
      'url',
    ]);
    // The text report goes to stdout alongside the JSON file.
    expect(run.stdout).toMatch(/migration-guard: services\/accounts\/alembic\.ini vs main\n {2}skipped:/);
  }, 120_000);

  it('CLI without --only-changed checks every project (the unchanged one has nothing pending)', async () => {
    const file = path.join(out, 'all-projects.json');
    const run = await cli(cliArgs(file));
    expect(run.code, run.stderr).toBe(1);
    const report = validReport(readFileSync(file, 'utf8'));
    const accounts = report.projects.find((p) => p.id === configOf('accounts'))!;
    expect(accounts.skipped).toBeNull();
    expect(accounts.revisions).toEqual([]);
  }, 120_000);

  it('action with a glob: only-changed by default, one comment with a section per project', async () => {
    const run = await runner.run({
      workspace: mono.repo.dir,
      apiUrl: gh.url,
      eventName: 'pull_request',
      payload: prPayload(31, mono.baseSha, mono.headSha),
      inputs: {
        'alembic-config': 'services/*/alembic.ini',
        'database-url': pg.url,
        python: '/usr/bin/python3',
      },
    });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.outputs.passed).toBe('false');
    const comments = gh.comments.filter((c) => c.issueNumber === 31);
    expect(comments).toHaveLength(1);
    const body = comments[0]!.body;
    expect(body.startsWith('<!-- migration-guard:report -->\n### ❌ migration-guard')).toBe(true);
    expect(body).toContain(
      `#### \`${configOf('accounts')}\` — skipped: no migration changed since ${mono.baseSha}`,
    );
    expect(body).toMatch(new RegExp(`#### \`${configOf('billing')}\` \\(base`));
    expect(body).toMatch(new RegExp(`#### \`${configOf('catalog')}\` \\(base`));
    expect(body).toContain('`billing0002`');
    expect(body).toContain('**require-concurrent-index**');
    const report = validReport(readFileSync(run.outputs['report-path']!, 'utf8'));
    expect(report.projects.filter((p) => !p.skipped).map((p) => p.id)).toEqual([
      configOf('billing'),
      configOf('catalog'),
    ]);
  }, 120_000);
});
