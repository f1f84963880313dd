/**
 * Every secret the run knows is masked in every output (README.md "Security"): the built
 * action (dist/index.js; a --database-url server and a container of the test image) and CLI
 * (dist/cli.js; the embedded local server and a --database-url server), both Python stacks,
 * with pull-request revisions that print the runner's tokens, the github-token input, the
 * admin password and the migration role's password. The revisions hold the token values
 * literally: that models code that stole them and prints them. They print them to stdout and
 * stderr, put them in SQL (a table comment, an index predicate, a table name glued to a token),
 * in a revision's message and in the error they raise.
 *
 * No canary may appear in the JSON report, the SARIF file, the job summary, the step's outputs,
 * the log (stdout, stderr, annotations) or any request to the GitHub API (the comment), except
 * in the `::add-mask::` lines that hand each secret to the runner, and the action must issue
 * one for each.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';
import { makeAlembicRepo, revisionFile, type AlembicRepo, type RevisionSpec } from '../helpers/git-repo.js';
import { startTestServer, type TestServer } from '../helpers/postgres.js';
import { validReport } from '../helpers/report-schema.js';
import { ActionRunner, assertBundle, dist, prPayload } from './action-harness.js';

const TRIXIE_PYTHON = '/opt/migration-guard/trixie-python';
const IMAGE = process.env.MIGRATION_GUARD_TEST_IMAGE ?? 'migration-guard-test/postgres:15';
const dockerPresent = spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0;
if (!dockerPresent && process.env.CI)
  throw new Error('Docker is required in CI (scripts/setup-test-env.sh starts it)');
if (!dockerPresent)
  console.warn('skipping the container cases of canary-masking.test.ts: no Docker daemon here');
const PYTHONS = ['/usr/bin/python3', ...(existsSync(TRIXIE_PYTHON) ? [TRIXIE_PYTHON] : [])];
if (!existsSync(TRIXIE_PYTHON)) {
  if (process.env.CI) throw new Error(`${TRIXIE_PYTHON} is missing: run scripts/setup-trixie-python.sh`);
  console.warn(`skipping the trixie Python stack in canary-masking.test.ts: ${TRIXIE_PYTHON} is absent`);
}

/** What a runner sets, as distinct canaries. */
const RUNNER_TOKENS = {
  GITHUB_TOKEN: 'ghs_CanaryGithubToken00000000001',
  GH_TOKEN: 'gho_CanaryGhCliToken000000000002',
  ACTIONS_RUNTIME_TOKEN: 'CanaryActionsRuntimeToken00003',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'CanaryOidcRequestToken00000004',
};
const INPUT_TOKEN = 'ghs_CanaryGithubTokenInput000005';

let pg: TestServer;
let gh: FakeGitHub;
let work: string;
const repos: AlembicRepo[] = [];
const runner = new ActionRunner();

beforeAll(async () => {
  assertBundle();
  work = mkdtempSync(path.join(tmpdir(), 'mg-canary-'));
  // Local clusters live under it: as root they run as `postgres`, which must get in.
  chmodSync(work, 0o755);
  // The revisions write the migration role's password here for the test: the sandbox
  // (src/sandbox/) shows this one directory writable.
  process.env.MIGRATION_GUARD_SANDBOX_SHARE = work;
  [pg, gh] = await Promise.all([startTestServer(), startFakeGitHub()]);
}, 120_000);

afterAll(async () => {
  runner.cleanup();
  await Promise.all([pg?.dispose(), gh?.close(), ...repos.map((r) => r.cleanup())]);
  if (work) rmSync(work, { recursive: true, force: true });
});

const adminPassword = () => decodeURIComponent(new URL(pg.url).password);

/**
 * A repository whose pull request adds two revisions that print `stolen` everywhere they can,
 * plus the migration role's password from DATABASE_URL (written to `leakFile` for the test).
 */
async function leakingRepo(stolen: string[], leakFile: string) {
  const repo = await makeAlembicRepo({
    revisions: [
      {
        id: 'a1000001',
        down: null,
        message: 'create users',
        upgrade:
          "op.create_table('users', sa.Column('id', sa.Integer, primary_key=True), sa.Column('email', sa.Text))",
        downgrade: "op.drop_table('users')",
      },
    ],
  });
  repos.push(repo);
  const baseSha = repo.git('rev-parse', 'HEAD').trim();
  repo.branch('feature');
  const steal = [
    'import os, sys',
    'from urllib.parse import unquote, urlparse',
    `stolen = ${JSON.stringify(stolen)}`,
    "role_password = unquote(urlparse(os.environ['DATABASE_URL']).password or '')",
    `open(${JSON.stringify(leakFile)}, 'w').write(role_password)`,
    'text = " ".join(stolen + [role_password])',
    'print(text)',
    'sys.stdout.flush()',
    'sys.stderr.write(text + "\\n")',
  ];
  const printing: RevisionSpec = {
    id: 'b2000002',
    down: 'a1000001',
    message: `prints ${stolen[0]}`,
    upgrade: [
      ...steal,
      `op.execute('CREATE TABLE "x${stolen[0]}y" (id int)')`,
      'op.execute("COMMENT ON TABLE users IS \'" + text + "\'")',
      'op.execute("CREATE INDEX ix_users_email ON users (email) WHERE email <> \'" + text + "\'")',
    ].join('\n'),
    downgrade: `op.execute('DROP INDEX ix_users_email')\nop.execute('DROP TABLE "x${stolen[0]}y"')`,
  };
  const raising: RevisionSpec = {
    id: 'c3000003',
    down: 'b2000002',
    message: 'raises what it stole',
    upgrade: [...steal, "raise RuntimeError('stolen: ' + text)"].join('\n'),
    downgrade: 'pass',
  };
  // Paths of our own: the default path is made from the message, which holds a canary.
  repo.writeFile('migrations/versions/b2000002_prints.py', revisionFile(printing));
  repo.writeFile('migrations/versions/c3000003_raises.py', revisionFile(raising));
  const headSha = repo.commit('revisions that print secrets');
  return { repo, baseSha, headSha };
}

function expectNoCanary(label: string, text: string, canaries: string[]): void {
  for (const canary of canaries) expect(text.includes(canary), `${label} holds ${canary}`).toBe(false);
}

/** The revisions reached the report: what they printed is there, masked. */
function expectMaskedLeaks(report: Report): void {
  const revisions = report.projects[0]!.revisions;
  const raising = revisions.find((r) => r.id === 'c3000003')!;
  const failed = raising.findings.find((f) => f.rule === 'upgrade-failed')!;
  expect(failed.message).toMatch(/stolen: \*\*\* \*\*\*/);
  expect(failed.docsUrl).toMatch(/\/upgrade-failed\.md$/);
  const printing = revisions.find((r) => r.id === 'b2000002')!;
  expect(printing.message).toBe('prints ***');
  const index = printing.findings.find((f) => f.rule === 'require-concurrent-index')!;
  expect(index.statement).toContain("email <> '*** ***");
  const sql = printing.steps[0]!.statements.map((s) => s.sql).join('\n');
  expect(sql).toContain('CREATE TABLE "x***y"');
}

/** Where the action's database runs: a --database-url server, or its default, a container. */
const ACTION_PROVIDERS = ['url', ...(dockerPresent ? ['container'] : [])] as const;

describe.each(PYTHONS)('the built action with %s', (python) => {
  it.each(ACTION_PROVIDERS)(
    'on the %s provider: every token and password masked everywhere, each handed to ::add-mask::',
    async (provider) => {
      const tag = `${provider}-${path.basename(python)}`;
      const leakFile = path.join(work, `action-leak-${tag}.txt`);
      // The container's admin password is made by the run: the revision cannot know it.
      const stolen = [
        ...Object.values(RUNNER_TOKENS),
        INPUT_TOKEN,
        ...(provider === 'url' ? [adminPassword()] : []),
      ];
      const { repo, baseSha, headSha } = await leakingRepo(stolen, leakFile);
      const sarifFile = path.join(work, `action-${tag}.sarif`);
      const pr = 20 + PYTHONS.indexOf(python) * 2 + ACTION_PROVIDERS.indexOf(provider);
      const database: Record<string, string> =
        provider === 'url' ? { 'database-url': pg.url } : { 'postgres-image': IMAGE };
      const run = await runner.run({
        workspace: repo.dir,
        apiUrl: gh.url,
        eventName: 'pull_request',
        payload: prPayload(pr, baseSha, headSha),
        inputs: { python, ...database, 'sarif-file': sarifFile, 'github-token': INPUT_TOKEN },
        env: { ...RUNNER_TOKENS },
      });
      expect(run.code, run.stdout + run.stderr).toBe(1);
      const canaries = [...stolen, readFileSync(leakFile, 'utf8')];
      expect(canaries.at(-1)!.length).toBeGreaterThan(8);

      const masks = new Set<string>();
      const logLines: string[] = [];
      for (const line of run.stdout.split('\n')) {
        const m = /^::add-mask::(.*)$/.exec(line);
        if (m) masks.add(m[1]!);
        else logLines.push(line);
      }
      for (const canary of canaries) expect(masks.has(canary), `::add-mask:: for ${canary}`).toBe(true);
      expectNoCanary('stdout', logLines.join('\n'), canaries);
      expectNoCanary('stderr', run.stderr, canaries);
      expectNoCanary('summary', run.summary, canaries);
      expectNoCanary('outputs', JSON.stringify(run.outputs), canaries);
      const reportText = readFileSync(run.outputs['report-path']!, 'utf8');
      expectNoCanary('report file', reportText, canaries);
      expectNoCanary('sarif', readFileSync(sarifFile, 'utf8'), canaries);
      const requests = gh.requests.filter((r) => JSON.stringify(r.body ?? '').includes('migration-guard'));
      expect(requests.length).toBeGreaterThan(0);
      expectNoCanary('requests to the GitHub API', JSON.stringify(gh.requests.map((r) => r.body)), canaries);
      const comment = gh.comments.find((c) => c.issueNumber === pr)!;
      expect(comment.body).toContain('upgrade-failed');
      expectNoCanary('comment', comment.body, canaries);
      expect(run.summary).toContain('upgrade-failed');
      expectMaskedLeaks(validReport(reportText, 'the action report'));
    },
    300_000,
  );
});

describe.each(PYTHONS)('the built CLI with %s', (python) => {
  it.each([
    ['local', ['--local-postgres']],
    ['url', () => ['--database-url', pg.url]],
  ] as const)(
    'on the %s provider: no canary in the JSON report, the text report or stderr',
    async (provider, flags) => {
      const tag = `${provider}-${path.basename(python)}`;
      const leakFile = path.join(work, `cli-leak-${tag}.txt`);
      const stolen = [
        ...Object.values(RUNNER_TOKENS),
        INPUT_TOKEN,
        ...(provider === 'url' ? [adminPassword()] : []),
      ];
      const { repo } = await leakingRepo(stolen, leakFile);
      const jsonFile = path.join(work, `cli-${tag}.json`);
      const r = spawnSync(
        process.execPath,
        [
          path.join(dist, 'cli.js'),
          'check',
          '--base',
          'main',
          ...(typeof flags === 'function' ? flags() : flags),
          '--python',
          python,
          '--format',
          'json',
          '--output',
          jsonFile,
        ],
        {
          cwd: repo.dir,
          encoding: 'utf8',
          timeout: 240_000,
          env: { ...process.env, ...RUNNER_TOKENS, 'INPUT_GITHUB-TOKEN': INPUT_TOKEN, TMPDIR: work },
        },
      );
      expect(r.status, r.stderr).toBe(1);
      const canaries = [...stolen, readFileSync(leakFile, 'utf8')];
      const json = readFileSync(jsonFile, 'utf8');
      expectNoCanary('json report', json, canaries);
      expectNoCanary('text report on stdout', r.stdout, canaries);
      expectNoCanary('stderr', r.stderr, canaries);
      expect(r.stdout).toContain('upgrade-failed');
      expectMaskedLeaks(validReport(json, 'the CLI report'));
    },
    300_000,
  );
});
