/**
 * The built action run as GitHub runs it: `node dist/index.js` with INPUT_* (every action.yml
 * default filled in as the runner does), GITHUB_EVENT_PATH, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY
 * and GITHUB_API_URL pointing at a fake GitHub API on 127.0.0.1. The project is a real Alembic
 * git repository, the database a real local PostgreSQL, the Python /usr/bin/python3.
 *
 * The bundle is <repo>/dist unless MIGRATION_GUARD_DIST names another build
 * (`node scripts/build.mjs /tmp/my-dist`).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { FakeGitHub } from '../helpers/fake-github.js';
import { startFakeGitHub } from '../helpers/fake-github.js';
import type { AlembicRepo } from '../helpers/git-repo.js';
import { makeAlembicRepo, revisionFile, revisionPath } from '../helpers/git-repo.js';
import type { TestServer } from '../helpers/postgres.js';
import { startTestServer } from '../helpers/postgres.js';
import { assertValidReport } from '../helpers/report-schema.js';

const root = path.resolve(import.meta.dirname, '../..');
const dist = path.resolve(process.env.MIGRATION_GUARD_DIST ?? path.join(root, 'dist'));
const actionYml = parseYaml(readFileSync(path.join(root, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { default?: string }>;
};
const MARKER = '<!-- migration-guard:alembic.ini -->';
const TOKEN = 'ghs_faketoken';

interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

interface RunSpec {
  inputs?: Record<string, string>;
  eventName: string;
  payload: unknown;
}

let pg: TestServer;
let gh: FakeGitHub;
let repo: AlembicRepo;
let baseSha: string;
let cleanSha: string;
let unsafeSha: string;
const runDirs: string[] = [];

/** A pull_request payload for PR `number` of acme/shop with the given head. */
function prPayload(number: number, headSha: string, headRepo = 'acme/shop') {
  return {
    action: 'synchronize',
    number,
    pull_request: {
      number,
      base: { sha: baseSha, ref: 'main', repo: { full_name: 'acme/shop' } },
      head: { sha: headSha, ref: 'feature', repo: { full_name: headRepo } },
    },
    repository: { full_name: 'acme/shop', name: 'shop', owner: { login: 'acme' } },
  };
}

async function runAction(spec: RunSpec): Promise<ActionRun> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mg-e2e-run-'));
  runDirs.push(dir);
  const eventPath = path.join(dir, 'event.json');
  const outputPath = path.join(dir, 'output.txt');
  const summaryPath = path.join(dir, 'summary.md');
  writeFileSync(eventPath, JSON.stringify(spec.payload));
  writeFileSync(outputPath, '');
  writeFileSync(summaryPath, '');
  // The runner sets INPUT_<NAME> (upper case, spaces → _, hyphens kept) for every input that
  // has a default, expressions evaluated, and for every input the workflow gives.
  const inputs: Record<string, string> = {};
  for (const [name, def] of Object.entries(actionYml.inputs)) {
    if (def.default !== undefined) inputs[name] = def.default === '${{ github.token }}' ? TOKEN : def.default;
  }
  Object.assign(inputs, { python: '/usr/bin/python3', 'database-url': pg.url }, spec.inputs);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? dir,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: repo.dir,
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_API_URL: gh.url,
    GITHUB_EVENT_NAME: spec.eventName,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_SHA: 'm'.repeat(40),
    GITHUB_RUN_ID: '4242',
    GITHUB_OUTPUT: outputPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    RUNNER_TEMP: dir,
  };
  for (const [name, value] of Object.entries(inputs))
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;

  const child = spawn(process.execPath, [path.join(dist, 'index.js')], {
    cwd: repo.dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    code,
    stdout,
    stderr,
    outputs: parseOutputs(readFileSync(outputPath, 'utf8')),
    summary: readFileSync(summaryPath, 'utf8'),
  };
}

/** GITHUB_OUTPUT as @actions/core writes it: `name<<DELIM\nvalue\nDELIM`. */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /^([^\n<]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const m of text.matchAll(re)) out[m[1]!] = m[3]!;
  return out;
}

function commentsOn(issue: number) {
  return gh.comments.filter((c) => c.issueNumber === issue);
}

beforeAll(async () => {
  if (!existsSync(path.join(dist, 'index.js'))) {
    throw new Error(`no bundle at ${dist}: run "node scripts/build.mjs ${dist}" or set MIGRATION_GUARD_DIST`);
  }
  [pg, gh] = await Promise.all([startTestServer(), startFakeGitHub({ pulls: {} })]);
  repo = await makeAlembicRepo({
    revisions: [
      {
        id: 'a1',
        down: null,
        message: 'create users',
        upgrade:
          "op.create_table('users', sa.Column('id', sa.Integer, primary_key=True), sa.Column('email', sa.Text))",
        downgrade: "op.drop_table('users')",
      },
    ],
  });
  baseSha = repo.git('rev-parse', 'HEAD').trim();
  repo.branch('feature');
  const clean = {
    id: 'b2',
    down: 'a1',
    message: 'create orders',
    upgrade:
      "op.create_table('orders', sa.Column('id', sa.Integer, primary_key=True), sa.Column('total', sa.Integer))",
    downgrade: "op.drop_table('orders')",
  };
  repo.writeFile(revisionPath(clean), revisionFile(clean));
  cleanSha = repo.commit('add orders');
  const unsafe = {
    id: 'c3',
    down: 'b2',
    message: 'index users email',
    upgrade: "op.create_index('ix_users_email', 'users', ['email'])",
    downgrade: "op.drop_index('ix_users_email', table_name='users')",
  };
  repo.writeFile(revisionPath(unsafe), revisionFile(unsafe));
  unsafeSha = repo.commit('index users.email');
  repo.checkout(cleanSha);
}, 180_000);

afterAll(async () => {
  await Promise.all([pg?.dispose(), gh?.close(), repo?.cleanup()]);
  for (const d of runDirs) rmSync(d, { recursive: true, force: true });
});

describe('the action bundle on a pull request', () => {
  let firstReportPath = '';

  it('first run: passes, creates one comment, writes outputs, summary and report', async () => {
    const sarifFile = path.join(mkdtempSync(path.join(tmpdir(), 'mg-e2e-sarif-')), 'out.sarif');
    runDirs.push(path.dirname(sarifFile));
    const run = await runAction({
      eventName: 'pull_request',
      payload: prPayload(7, cleanSha),
      inputs: { 'sarif-file': sarifFile },
    });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.outputs).toMatchObject({ passed: 'true', errors: '0', warnings: '0' });
    const sarif = JSON.parse(readFileSync(sarifFile, 'utf8')) as {
      version: string;
      runs: Array<{ tool: { driver: { rules: Array<{ id: string }> } }; results: unknown[] }>;
    };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0]!.tool.driver.rules.map((r) => r.id)).toContain('require-concurrent-index');
    expect(sarif.runs[0]!.results).toEqual([]);
    firstReportPath = run.outputs['report-path']!;
    assertValidReport(readFileSync(firstReportPath, 'utf8'), 'the clean run report');
    const report = JSON.parse(readFileSync(firstReportPath, 'utf8')) as {
      projects: Array<{ revisions: Array<{ id: string; steps: unknown[] }> }>;
      github: { pullRequest: number; headSha: string };
    };
    expect(report.projects[0]!.revisions.map((r) => r.id)).toEqual(['b2']);
    expect(report.projects[0]!.revisions[0]!.steps).toHaveLength(3);
    expect(report.github).toMatchObject({ pullRequest: 7, headSha: cleanSha });
    expect(run.summary).toContain('### ✅ migration-guard: no findings');
    expect(run.summary).toContain('`b2`');

    expect(commentsOn(7)).toHaveLength(1);
    const comment = commentsOn(7)[0]!;
    expect(comment.body.startsWith(`${MARKER}\n### ✅ migration-guard`)).toBe(true);
    // Links point at the PR head, the footer at the workflow run.
    expect(comment.body).toContain(
      `https://github.example/acme/shop/blob/${cleanSha}/migrations/versions/b2_`,
    );
    expect(comment.body).toContain('https://github.example/acme/shop/actions/runs/4242');
    const posts = gh.requests.filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.authorization).toBe(`token ${TOKEN}`);
  }, 120_000);

  it('the same report again makes no write call (mode: comment on the written report)', async () => {
    const writes = gh.writes().length;
    const run = await runAction({
      eventName: 'pull_request',
      payload: prPayload(7, cleanSha),
      inputs: { mode: 'comment', 'report-file': firstReportPath },
    });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('PR comment unchanged');
    expect(gh.writes()).toHaveLength(writes);
    expect(commentsOn(7)).toHaveLength(1);
  }, 60_000);

  it('403 on create becomes a warning; the exit status follows the findings only', async () => {
    gh.options.failCreate = 403;
    try {
      const run = await runAction({
        eventName: 'pull_request',
        payload: prPayload(9, cleanSha, 'fork/shop'),
      });
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.stdout).toMatch(
        /::warning::cannot comment on the pull request \(HTTP 403\).*pull-requests: write/,
      );
      expect(run.outputs.passed).toBe('true');
      expect(commentsOn(9)).toHaveLength(0);
    } finally {
      gh.options.failCreate = undefined;
    }
  }, 120_000);

  it("leaves another user's comment that carries our marker alone", async () => {
    const foreign = gh.addComment('acme/shop', 8, `${MARKER}\nI copied this comment`, 'mallory');
    const run = await runAction({ eventName: 'pull_request', payload: prPayload(8, cleanSha) });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(commentsOn(8)).toHaveLength(2);
    expect(gh.comments.find((c) => c.id === foreign.id)!.body).toBe(`${MARKER}\nI copied this comment`);
    expect(gh.requests.some((r) => r.method === 'PATCH' && r.path.endsWith(`/${foreign.id}`))).toBe(false);
  }, 120_000);

  it('second run on an unsafe push: fails with annotations and updates the same comment', async () => {
    repo.checkout(unsafeSha);
    const patchesBefore = gh.requests.filter((r) => r.method === 'PATCH').length;
    const run = await runAction({ eventName: 'pull_request', payload: prPayload(7, unsafeSha) });
    firstReportPath = run.outputs['report-path']!;
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.outputs.passed).toBe('false');
    expect(Number(run.outputs.errors)).toBeGreaterThan(0);
    const annotation = run.stdout.split('\n').find((l) => l.includes('title=require-concurrent-index'));
    expect(annotation).toMatch(/^::error /);
    expect(annotation).toContain('file=migrations/versions/c3_index_users_email.py');
    expect(annotation).toMatch(/line=\d+/);
    expect(run.stdout).toMatch(/::error::migration-guard: \d+ finding\(s\) at or above fail-on: error/);
    expect(run.summary).toContain('### ❌ migration-guard');

    expect(commentsOn(7)).toHaveLength(1);
    expect(gh.requests.filter((r) => r.method === 'PATCH')).toHaveLength(patchesBefore + 1);
    const body = commentsOn(7)[0]!.body;
    expect(body.startsWith(`${MARKER}\n### ❌ migration-guard`)).toBe(true);
    expect(body).toContain('**require-concurrent-index**');
    expect(body).toContain(`/blob/${unsafeSha}/migrations/versions/c3_index_users_email.py#L`);
  }, 120_000);

  it('mode: comment from workflow_run posts a fork PR comment only when the report matches the PR head', async () => {
    const workflowRun = (headSha: string) => ({
      action: 'completed',
      workflow_run: {
        event: 'pull_request',
        head_sha: headSha,
        pull_requests: [],
        html_url: 'https://github.example/acme/shop/actions/runs/5151',
      },
    });
    assertValidReport(readFileSync(firstReportPath, 'utf8'), 'the unsafe run report');
    const report = JSON.parse(readFileSync(firstReportPath, 'utf8')) as { github: { pullRequest: number } };
    const forkReport = path.join(path.dirname(firstReportPath), 'fork-report.json');
    writeFileSync(forkReport, JSON.stringify({ ...report, github: { ...report.github, pullRequest: 11 } }));
    gh.options.pulls = { 11: { headSha: unsafeSha }, 8: { headSha: cleanSha } };

    const run = await runAction({
      eventName: 'workflow_run',
      payload: workflowRun(unsafeSha),
      inputs: { mode: 'comment', 'report-file': forkReport, 'database-url': '' },
    });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(commentsOn(11)).toHaveLength(1);
    expect(commentsOn(11)[0]!.body).toContain('https://github.example/acme/shop/actions/runs/5151');
    // Comment mode reports, it does not judge: the check workflow already failed.
    expect(run.outputs.passed).toBe('false');

    // A report claiming another PR (whose head is not the checked commit) is not posted.
    const tampered = path.join(path.dirname(firstReportPath), 'tampered-report.json');
    writeFileSync(tampered, JSON.stringify({ ...report, github: { ...report.github, pullRequest: 8 } }));
    const writes = gh.writes().length;
    const refused = await runAction({
      eventName: 'workflow_run',
      payload: workflowRun(unsafeSha),
      inputs: { mode: 'comment', 'report-file': tampered, 'database-url': '' },
    });
    expect(refused.code).toBe(0);
    expect(refused.stdout).toMatch(/::warning::not commenting: the report names PR #8/);
    expect(gh.writes()).toHaveLength(writes);
  }, 60_000);

  it('refuses pull_request_target from a fork before running any PR code', async () => {
    const requests = gh.requests.length;
    const run = await runAction({
      eventName: 'pull_request_target',
      payload: prPayload(12, unsafeSha, 'evil/shop'),
    });
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(
      /::error::migration-guard: refusing to check pull request #12 from the fork evil\/shop under pull_request_target: its migrations are code from the PR/,
    );
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(gh.requests).toHaveLength(requests);
    expect(run.outputs['report-path']).toBeUndefined();
  }, 60_000);

  it('an unreachable database fails with one line and exit 3, without commenting', async () => {
    const writes = gh.writes().length;
    const run = await runAction({
      eventName: 'pull_request',
      payload: prPayload(7, unsafeSha),
      inputs: { 'database-url': 'postgresql://ci:pw-e2e-secret@127.0.0.1:1/postgres' },
    });
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(
      /^::error::migration-guard: cannot connect to PostgreSQL at 127\.0\.0\.1:1[^\n]*$/m,
    );
    expect(run.stdout.replace('::add-mask::pw-e2e-secret', '')).not.toContain('pw-e2e-secret');
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /);
    expect(gh.writes()).toHaveLength(writes);
  }, 60_000);

  it('a usage error fails with one line and exit 2, and masks the database password', async () => {
    const run = await runAction({
      eventName: 'pull_request',
      payload: prPayload(7, unsafeSha),
      inputs: {
        'database-url': 'postgresql://ci:hunter2secret@127.0.0.1:1/x',
        'postgres-image': 'postgres:15',
      },
    });
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('::add-mask::hunter2secret');
    expect(run.stdout).toMatch(/::error::migration-guard: inputs database-url and postgres-image conflict/);
  }, 60_000);
});
