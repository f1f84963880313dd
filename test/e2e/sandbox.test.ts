/**
 * The sandbox of the pull request's Python (README.md "Security", src/sandbox/): the built CLI
 * and action (dist/) run a revision that tries every way to the tool's secrets
 * (test/fixtures/sandbox/probe.py): the environ and cmdline of every process it can see and of
 * its ancestors, a search of /proc for the admin URL, the checkout's .git/config, the home, the
 * runner's temp and tool cache, every database URL it finds. On both Python stacks, with the
 * local and the --database-url provider, and under the action: every attempt is refused, no
 * canary is in the evidence or in any output, and nothing is left behind. Without a sandbox the
 * action on a pull request stops with one line; the CLI warns once and runs.
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';
import {
  makeAlembicRepo,
  revisionFile,
  revisionPath,
  type AlembicRepo,
  type RevisionSpec,
} from '../helpers/git-repo.js';
import { startTestServer, type TestServer } from '../helpers/postgres.js';
import { validReport } from '../helpers/report-schema.js';
import { ActionRunner, TOKEN, assertBundle, dist, prPayload, root } from './action-harness.js';

const STACKS = [
  { name: 'bookworm (SQLAlchemy 1.4)', python: '/usr/bin/python3' },
  { name: 'trixie (SQLAlchemy 2.0)', python: '/opt/migration-guard/trixie-python' },
];

const CANARY = {
  git: 'canary-git-credential-7f3a9c',
  home: 'canary-home-file-2b8d1e',
  ssh: 'canary-ssh-key-9e4f0a',
  runnerTemp: 'canary-runner-temp-5c7b2d',
  toolCache: 'canary-tool-cache-8a1f6e',
  runtimeToken: 'canary-runtime-token-3d9e7b',
  oidcToken: 'canary-oidc-token-6f2c8a',
  envSecret: 'canary-pgpassword-4b7e1d',
};

let server: TestServer;
let work: string;
const repos: AlembicRepo[] = [];
/** A service on every interface of this machine the pull request's code must not reach. */
let canaryService: Server;
let canaryPort: number;

beforeAll(async () => {
  assertBundle();
  canaryService = createServer((s) => {
    // The unsandboxed probe connects and drops the connection: a reset is expected.
    s.on('error', () => undefined);
    s.end('canary-service\n');
  });
  await new Promise<void>((resolve) => canaryService.listen(0, '0.0.0.0', resolve));
  canaryPort = (canaryService.address() as { port: number }).port;
  server = await startTestServer();
  work = mkdtempSync(path.join(tmpdir(), 'mg-sandbox-test-'));
  chmodSync(work, 0o755);
}, 120_000);

afterAll(async () => {
  await new Promise((resolve) => canaryService?.close(resolve));
  await server?.dispose();
  for (const repo of repos) await repo.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

const PROBE: RevisionSpec = {
  id: 'h2',
  down: 'h1',
  message: 'hostile reconnaissance',
  upgrade: [
    'import os, runpy',
    'repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))',
    "runpy.run_path(os.path.join(repo, 'probe.py'))['collect'](repo)",
  ].join('\n'),
  downgrade: 'pass',
};

/** A repository with one base revision and the probe pending on `feature`, its .git carrying a credential. */
async function hostileRepo(): Promise<{ repo: AlembicRepo; baseSha: string; headSha: string }> {
  const repo = await makeAlembicRepo({
    revisions: [
      {
        id: 'h1',
        down: null,
        message: 'create users',
        upgrade: "op.create_table('users', sa.Column('id', sa.Integer, primary_key=True))",
        downgrade: "op.drop_table('users')",
      },
    ],
  });
  repos.push(repo);
  // Readable by others, as a checkout is: the sandbox then runs the code as nobody.
  chmodSync(repo.dir, 0o755);
  // actions/checkout persists the token in .git/config like this.
  repo.git('config', 'http.https://github.com/.extraheader', `AUTHORIZATION: basic ${CANARY.git}`);
  const baseSha = repo.git('rev-parse', 'HEAD').trim();
  repo.branch('feature');
  copyFileSync(path.join(root, 'test/fixtures/sandbox/probe.py'), path.join(repo.dir, 'probe.py'));
  repo.writeFile('targets.json', JSON.stringify(networkTargets()));
  repo.writeFile(revisionPath(PROBE), revisionFile(PROBE));
  const headSha = repo.commit('add the probe');
  return { repo, baseSha, headSha };
}

/**
 * The TCP addresses the probe tries: the --database-url server's real port, the canary service
 * on loopback and on this machine's other address, and an address outside.
 */
function networkTargets(): [string, number][] {
  const external = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
  return [
    ['127.0.0.1', Number(new URL(server.url).port)],
    ['127.0.0.1', canaryPort],
    ...(external ? [[external, canaryPort] as [string, number]] : []),
    ['10.255.255.1', 80],
  ];
}

/** HOME, RUNNER_TEMP and RUNNER_TOOL_CACHE of one run, each holding a canary; TMPDIR to watch. */
function runnerDirs(name: string) {
  const base = path.join(work, name);
  const home = path.join(base, 'home');
  const runnerTemp = path.join(base, 'runner-temp');
  const toolCache = path.join(base, 'tool-cache');
  const tmp = path.join(base, 'tmp');
  for (const dir of [home, path.join(home, '.ssh'), runnerTemp, toolCache, tmp])
    mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(home, '.canary'), CANARY.home);
  writeFileSync(path.join(home, '.ssh', 'id_ed25519'), CANARY.ssh);
  writeFileSync(path.join(runnerTemp, 'canary'), CANARY.runnerTemp);
  writeFileSync(path.join(toolCache, 'canary'), CANARY.toolCache);
  // The environment that points the tool (and through it the sandbox) at these directories.
  const env = { HOME: home, TMPDIR: tmp, RUNNER_TEMP: runnerTemp, RUNNER_TOOL_CACHE: toolCache };
  return { home, runnerTemp, toolCache, tmp, env };
}

/** `check` of the pull request with `python`, the JSON report written to `output`. */
function checkArgs(repoDir: string, python: string, flags: string[], output: string): string[] {
  return [
    'check',
    '--project',
    repoDir,
    '--base',
    'main',
    '--python',
    python,
    ...flags,
    '--format',
    'json',
    '--output',
    output,
  ];
}

interface Evidence {
  uid: number;
  pids: number[];
  processes: Record<string, { cmdline: string; environ: string }>;
  ancestors: number[];
  git_config: string;
  home_canary: string;
  ssh_key: string;
  RUNNER_TEMP: string;
  RUNNER_TOOL_CACHE: string;
  files: Record<string, string[]>;
  sockets: string[];
  planted: string;
  unmask: string;
  urls: Record<string, string>;
  network: { listening: number[]; tries: Record<string, string> };
  migration_db: string;
}

/** The probe's evidence from the report's failed upgrade of h2. */
function evidenceOf(report: Report): { evidence: Evidence; raw: string } {
  const h2 = report.projects[0]!.revisions.find((r) => r.id === 'h2');
  const error = h2?.steps[0]?.error ?? '';
  const match = /EVIDENCE:([A-Za-z0-9+/=]+):END/.exec(error);
  if (!match) throw new Error(`no evidence in the report: ${error.slice(0, 500)}`);
  const raw = inflateSync(Buffer.from(match[1]!, 'base64')).toString('utf8');
  return { evidence: JSON.parse(raw) as Evidence, raw };
}

/** Everything the probe tried was refused, and nothing it saw holds a secret. */
function expectNothingLeaked(evidence: Evidence, raw: string, secrets: string[]): void {
  for (const secret of secrets) expect(raw, `a secret in the evidence`).not.toContain(secret);
  // Its own PID namespace: pid 1 is the sandbox's init, no process of the tool is visible.
  expect(evidence.pids[0]).toBe(1);
  expect(evidence.processes['1']!.cmdline).toContain('migration-guard-sandbox');
  for (const [pid, p] of Object.entries(evidence.processes)) {
    expect(p.cmdline, `process ${pid}`).not.toMatch(/cli\.js|index\.js|vitest|^migration-guard check/);
    expect(p.cmdline, `process ${pid}`).not.toContain(process.execPath);
  }
  expect(evidence.pids.length).toBeLessThan(10);
  expect(evidence.git_config).toMatch(/^DENIED/);
  expect(evidence.home_canary).toMatch(/^DENIED/);
  expect(evidence.ssh_key).toMatch(/^DENIED/);
  expect(evidence.RUNNER_TEMP).toMatch(/^DENIED/);
  expect(evidence.RUNNER_TOOL_CACHE).toMatch(/^DENIED/);
  expect(evidence.sockets).toEqual([]);
  expect(evidence.planted).toMatch(/^DENIED/);
  // It tried (unshare ran) and the kernel refused: the mounts are locked, or it has no rights.
  expect(evidence.unmask).toMatch(/^rc=[1-9]/);
  // The only database it reaches is its own, as its own role.
  for (const [url, outcome] of Object.entries(evidence.urls)) {
    // The socket's form (`user:pw@/db?host=/dir`) has no host, which WHATWG URL refuses.
    if (outcome === 'CONNECTED')
      expect(/^[^:]+:\/\/([^:@/]*)/.exec(url)?.[1], url).toMatch(/^migration_guard_[0-9a-f]{12}$/);
  }
  expectOnlyTheDatabase(evidence);
}

/**
 * Its own network: nothing listens in it (the local server's port would), every TCP address
 * is refused or unreachable, and its migration's connection to the database works.
 */
function expectOnlyTheDatabase(evidence: Evidence): void {
  expect(evidence.network.listening).toEqual([]);
  const tried = Object.keys(evidence.network.tries);
  expect(tried).toEqual(networkTargets().map(([h, p]) => `${h}:${p}`));
  for (const [address, outcome] of Object.entries(evidence.network.tries))
    expect(outcome, address).toMatch(/^REFUSED/);
  expect(evidence.migration_db).toBe('OK 42');
  // Some URL it found is the socket's, and it connects: the migrations' role through the socket.
  const throughSocket = Object.entries(evidence.urls).filter(([url]) =>
    url.includes('host=/tmp/.migration-guard-db'),
  );
  expect(throughSocket.length).toBeGreaterThan(0);
  expect(throughSocket.some(([, outcome]) => outcome === 'CONNECTED')).toBe(true);
}

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  const child = spawn(process.execPath, [path.join(dist, 'cli.js'), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** What a run may leave behind: sandbox directories in its TMPDIR, mounts, processes. */
function leftovers(tmp: string): string[] {
  const dirs = readdirSync(tmp).filter((d) => d.startsWith('mg-'));
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.includes(tmp));
  const processes = readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        // This run's sandboxes: their root is in its TMPDIR (other test files run sandboxes too).
        const cmdline = readFileSync(`/proc/${p}/cmdline`, 'utf8');
        return cmdline.includes('migration-guard-sandbox') && cmdline.includes(tmp);
      } catch {
        return false;
      }
    });
  return [...dirs, ...mounts, ...processes.map((p) => `process ${p}`)];
}

const adminPassword = () => new URL(server.url).password;

describe.each(STACKS)('the CLI on $name', ({ python }) => {
  describe.each([
    { provider: 'local', flags: () => ['--local-postgres'] },
    { provider: 'url', flags: () => ['--database-url', server.url] },
  ])('$provider provider', ({ provider, flags }) => {
    it('a revision that hunts for secrets finds none and leaves nothing behind', async () => {
      const { repo } = await hostileRepo();
      const dirs = runnerDirs(`cli-${path.basename(python)}-${provider}`);
      const output = path.join(work, `report-${path.basename(python)}-${provider}.json`);
      const run = await runCli(checkArgs(repo.dir, python, flags(), output), {
        ...dirs.env,
        PGPASSWORD: CANARY.envSecret,
        ACTIONS_RUNTIME_TOKEN: CANARY.runtimeToken,
        MIGRATION_GUARD_PG_TMPDIR: dirs.tmp,
      });
      expect(run.code, run.stderr).toBe(1);
      const text = readFileSync(output, 'utf8');
      const report = validReport(text);
      expect(report.sandbox).toEqual({ kind: 'namespaces', uid: 65534, network: 'database-only' });
      const { evidence, raw } = evidenceOf(report);
      const secrets = [...Object.values(CANARY), adminPassword()];
      expectNothingLeaked(evidence, raw, secrets);
      expect(evidence.uid).toBe(python === '/usr/bin/python3' ? 65534 : 0);
      for (const secret of secrets) {
        expect(text).not.toContain(secret);
        expect(run.stdout + run.stderr).not.toContain(secret);
      }
      expect(leftovers(dirs.tmp)).toEqual([]);
    }, 180_000);
  });
});

describe('the unprivileged user-namespace sandbox (as a runner without root or sudo gets)', () => {
  it.each(STACKS)(
    '$name: the same probe finds nothing; its mounts are locked',
    async ({ python }) => {
      const { repo } = await hostileRepo();
      const dirs = runnerDirs(`cli-userns-${path.basename(python)}`);
      const output = path.join(work, `report-userns-${path.basename(python)}.json`);
      const run = await runCli(checkArgs(repo.dir, python, ['--database-url', server.url], output), {
        ...dirs.env,
        PGPASSWORD: CANARY.envSecret,
        MIGRATION_GUARD_SANDBOX: 'user-namespace',
      });
      expect(run.code, run.stderr).toBe(1);
      const text = readFileSync(output, 'utf8');
      const report = validReport(text);
      // The host uid is the tool's own (root here): the code runs in a nested user namespace.
      expect(report.sandbox).toEqual({
        kind: 'user-namespace',
        uid: process.getuid!(),
        network: 'database-only',
      });
      const { evidence, raw } = evidenceOf(report);
      const secrets = [...Object.values(CANARY), adminPassword()];
      expectNothingLeaked(evidence, raw, secrets);
      for (const secret of secrets) expect(text + run.stdout + run.stderr).not.toContain(secret);
      expect(leftovers(dirs.tmp)).toEqual([]);
    },
    180_000,
  );
});

describe('without a sandbox', () => {
  it('the CLI warns once and runs, and the same probe then finds every canary (the probe works)', async () => {
    const { repo } = await hostileRepo();
    const dirs = runnerDirs('cli-unsandboxed');
    const output = path.join(work, 'report-unsandboxed.json');
    const run = await runCli(
      checkArgs(repo.dir, '/usr/bin/python3', ['--database-url', server.url], output),
      {
        ...dirs.env,
        MIGRATION_GUARD_SANDBOX: 'none',
      },
    );
    expect(run.code, run.stderr).toBe(1);
    const warnings = run.stderr.split('\n').filter((l) => l.includes('without a sandbox'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/MIGRATION_GUARD_SANDBOX=none.*it can read what your user can read/);
    const report = validReport(readFileSync(output, 'utf8'));
    expect(report.sandbox).toBeNull();
    const { evidence, raw } = evidenceOf(report);
    // The tool's own process is in plain view.
    // (its command line overwritten, as it carried --database-url).
    expect(Object.values(evidence.processes).some((p) => p.cmdline.startsWith('migration-guard check'))).toBe(
      true,
    );
    expect(evidence.git_config).toContain(CANARY.git);
    expect(evidence.home_canary).toBe(CANARY.home);
    expect(evidence.RUNNER_TEMP).toBe(CANARY.runnerTemp);
    expect(evidence.planted).toBe('WROTE');
    // The host's network: the canary service, the database server and what listens are reachable.
    expect(evidence.network.tries[`127.0.0.1:${canaryPort}`]).toBe('CONNECTED');
    expect(evidence.network.tries[`127.0.0.1:${new URL(server.url).port}`]).toBe('CONNECTED');
    expect(evidence.network.listening).toContain(canaryPort);
    expect(evidence.migration_db).toBe('OK 42');
    // The tool's command line carried the admin URL; it overwrote it, so even unsandboxed no
    // process shows it (the environment of the tool's own process still would, for a URL
    // passed there: the sandbox is what keeps that out of reach).
    expect(raw).not.toContain(adminPassword());
  }, 180_000);
});

describe('the built action on a pull request', () => {
  let gh: FakeGitHub;
  const runner = new ActionRunner();

  beforeAll(async () => {
    gh = await startFakeGitHub();
  });
  afterAll(async () => {
    await gh?.close();
    runner.cleanup();
  });

  /** The action's environment of one run: canaries in every token a runner sets, and in its directories. */
  const actionEnv = (dirs: ReturnType<typeof runnerDirs>, extra: Record<string, string> = {}) => ({
    HOME: dirs.home,
    TMPDIR: dirs.tmp,
    RUNNER_TEMP: dirs.runnerTemp,
    RUNNER_TOOL_CACHE: dirs.toolCache,
    ACTIONS_RUNTIME_TOKEN: CANARY.runtimeToken,
    ACTIONS_RUNTIME_URL: 'https://runtime.example/',
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: CANARY.oidcToken,
    ACTIONS_ID_TOKEN_REQUEST_URL: 'https://oidc.example/',
    GITHUB_TOKEN: TOKEN,
    PGPASSWORD: CANARY.envSecret,
    ...extra,
  });

  it.each(STACKS)(
    '$name: the probe finds no token, no password, no canary; nothing is left behind',
    async ({ python }) => {
      const { repo, baseSha, headSha } = await hostileRepo();
      const dirs = runnerDirs(`action-${path.basename(python)}`);
      const run = await runner.run({
        workspace: repo.dir,
        apiUrl: gh.url,
        eventName: 'pull_request',
        payload: prPayload(7, baseSha, headSha),
        inputs: { python, 'database-url': server.url, comment: 'always' },
        env: actionEnv(dirs),
      });
      expect(run.code, run.stdout + run.stderr).toBe(1);
      const reportText = readFileSync(run.outputs['report-path']!, 'utf8');
      const report = validReport(reportText);
      expect(report.sandbox).toEqual({ kind: 'namespaces', uid: 65534, network: 'database-only' });
      const { evidence, raw } = evidenceOf(report);
      const secrets = [...Object.values(CANARY), TOKEN, adminPassword()];
      expectNothingLeaked(evidence, raw, secrets);
      // Every output: the report file, the log, the job summary, the PR comment.
      const comments = gh.requests.map((r) => JSON.stringify(r.body ?? null)).join('\n');
      expect(run.summary).toContain('sandbox: namespaces (uid 65534), network: database-only');
      for (const secret of secrets) {
        for (const [what, text] of Object.entries({
          report: reportText,
          // `::add-mask::` hands the password to the runner, which masks it: not an output.
          log: (run.stdout + run.stderr)
            .split('\n')
            .filter((l) => !l.startsWith('::add-mask::'))
            .join('\n'),
          summary: run.summary,
          comment: comments,
        }))
          expect(text, `${what} holds a secret`).not.toContain(secret);
      }
      expect(leftovers(dirs.tmp)).toEqual([]);
    },
    180_000,
  );

  it('stops with one line when no sandbox can be made; allow-unsandboxed lets it run', async () => {
    const { repo, baseSha, headSha } = await hostileRepo();
    const dirs = runnerDirs('action-no-sandbox');
    const spec = {
      workspace: repo.dir,
      apiUrl: gh.url,
      eventName: 'pull_request',
      payload: prPayload(8, baseSha, headSha),
      env: actionEnv(dirs, { MIGRATION_GUARD_SANDBOX: 'none' }),
    };
    const refused = await runner.run({
      ...spec,
      inputs: { python: '/usr/bin/python3', 'database-url': server.url, comment: 'never' },
    });
    expect(refused.code).toBe(3);
    const errors = refused.stdout.split('\n').filter((l) => l.startsWith('::error'));
    expect(errors).toEqual([
      "::error::migration-guard: no sandbox for the pull request's Python: MIGRATION_GUARD_SANDBOX=none; set allow-unsandboxed: true to run it without one (it can then read what the runner user can read)",
    ]);
    expect(refused.outputs['report-path']).toBeUndefined();

    const allowed = await runner.run({
      ...spec,
      inputs: {
        python: '/usr/bin/python3',
        'database-url': server.url,
        comment: 'never',
        'allow-unsandboxed': 'true',
      },
    });
    expect(allowed.code, allowed.stdout + allowed.stderr).toBe(1);
    const report = validReport(readFileSync(allowed.outputs['report-path']!, 'utf8'));
    expect(report.sandbox).toBeNull();
    expect(allowed.summary).toContain("sandbox: none, the migrations' Python ran unsandboxed");
  }, 180_000);
});
