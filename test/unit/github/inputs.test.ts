import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { containerImage } from '../../../src/database/index.js';
import { MigrationGuardError } from '../../../src/errors.js';
import { assertSafeToRunPullRequestCode, readEvent, workflowRunOf } from '../../../src/github/event.js';
import {
  actionOptionsFromInputs,
  configFromInputs,
  urlSecrets,
  splitList,
} from '../../../src/github/inputs.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mg-inputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function eventFile(name: string, payload: unknown): string {
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(payload));
  return file;
}

const prPayload = (headRepo: string | null) => ({
  pull_request: {
    number: 12,
    base: { sha: 'b'.repeat(40), repo: { full_name: 'acme/shop' } },
    head: { sha: 'h'.repeat(40), repo: headRepo === null ? null : { full_name: headRepo } },
  },
});

function inputs(values: Record<string, string>) {
  return (name: string) => values[name] ?? '';
}

function env(extra: Record<string, string> = {}) {
  return {
    GITHUB_WORKSPACE: '/ws',
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: eventFile('pr', prPayload('acme/shop')),
    RUNNER_TEMP: '/runner/tmp',
    ...extra,
  };
}

function usageMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(MigrationGuardError);
    expect((e as MigrationGuardError).exitCode).toBe(2);
    return (e as Error).message;
  }
  throw new Error('expected a usage error');
}

describe('configFromInputs', () => {
  it('uses the action defaults: container postgres:16-alpine, python, PR base SHA', () => {
    const c = configFromInputs(inputs({}), env());
    expect(c.database).toEqual({ kind: 'container', image: 'postgres:16-alpine', versionedImage: true });
    expect(c.python).toEqual(['python']);
    expect(c.base).toBe('b'.repeat(40));
    expect(c.projectDir).toBe('/ws');
    expect(c.failOn).toBe('error');
    expect(c.alembicConfigs).toEqual([]);
    // The action checks only changed projects, as many at once as there are CPUs.
    expect(c.onlyChanged).toBe(true);
    expect(c.concurrency).toBe(availableParallelism());
    expect(configFromInputs(inputs({ 'only-changed': 'false' }), env()).onlyChanged).toBe(false);
  });

  it('maps every input', () => {
    const c = configFromInputs(
      inputs({
        'alembic-config': 'svc/a/alembic.ini\nsvc/b/alembic.ini, svc/*/other.ini',
        'working-directory': 'backend',
        'base-ref': 'origin/main',
        python: 'uv run python',
        'postgres-version': '15',
        'database-url-env': 'DB_URL',
        'fail-on': 'warning',
        all: 'true',
        'only-changed': 'True',
        concurrency: '3',
      }),
      env(),
    );
    expect(c.alembicConfigs).toEqual(['svc/a/alembic.ini', 'svc/b/alembic.ini', 'svc/*/other.ini']);
    expect(c.projectDir).toBe('/ws/backend');
    expect(c.base).toBe('origin/main');
    expect(c.python).toEqual(['uv', 'run', 'python']);
    // The default image, which follows postgres-version: postgres:15-alpine when it starts.
    expect(c.database).toEqual({ kind: 'container', image: 'postgres:16-alpine', versionedImage: true });
    expect(containerImage(c.database as { image: string; versionedImage?: boolean }, c.postgresVersion)).toBe(
      'postgres:15-alpine',
    );
    expect(c.postgresVersion).toBe(15);
    expect(c.databaseUrlEnv).toBe('DB_URL');
    expect(c.failOn).toBe('warning');
    expect(c.all).toBe(true);
    expect(c.onlyChanged).toBe(true);
    expect(c.concurrency).toBe(3);
  });

  it('takes database-url as a server URL and exposes its password for masking', () => {
    const c = configFromInputs(
      inputs({ 'database-url': 'postgresql://ci:s%40cret@127.0.0.1:5432/postgres' }),
      env(),
    );
    expect(c.database).toEqual({ kind: 'url', url: 'postgresql://ci:s%40cret@127.0.0.1:5432/postgres' });
    expect(urlSecrets(c.database.kind === 'url' ? c.database.url : '')).toEqual(['s%40cret', 's@cret']);
  });

  it('has no base without a PR event or base-ref', () => {
    const c = configFromInputs(
      inputs({}),
      env({ GITHUB_EVENT_NAME: 'push', GITHUB_EVENT_PATH: eventFile('push', {}) }),
    );
    expect(c.base).toBeNull();
  });

  it.each([
    [{ 'database-url': 'postgresql://x@h/db', 'postgres-image': 'pg:1' }, 'conflict'],
    [
      { 'postgres-image': 'pg:1', 'postgres-version': '15', 'database-url': 'postgresql://x@h/db' },
      'conflict',
    ],
    [{ 'database-url': 'mysql://h/db' }, 'postgresql:// URL'],
    [{ 'postgres-version': 'latest' }, 'major version'],
    [{ 'fail-on': 'sometimes' }, 'fail-on must be one of'],
    [{ all: 'yes' }, 'input all must be true or false'],
    [{ concurrency: '0' }, 'concurrency'],
    [{ python: '  ' }, 'python command is empty'],
  ])('rejects %j with one line (%s)', (values, expected) => {
    const message = usageMessage(() => configFromInputs(inputs(values), env()));
    expect(message).toContain(expected);
    expect(message).not.toContain('\n');
  });
});

describe('actionOptionsFromInputs', () => {
  const config = configFromInputs(inputs({ 'working-directory': 'backend' }), env());

  it('defaults: check mode, comment always, report in RUNNER_TEMP, config file optional', () => {
    const o = actionOptionsFromInputs(inputs({ 'github-token': 't' }), env(), config);
    expect(o).toEqual({
      mode: 'check',
      comment: 'always',
      token: 't',
      configFile: '/ws/backend/.migration-guard.yml',
      configFileRequired: false,
      failOnExplicit: false,
      presetExplicit: false,
      reportFile: '/runner/tmp/migration-guard-report.json',
      sarifFile: null,
      allowUntrusted: false,
      allowUnsandboxed: false,
      expectedProjects: [],
      noProjectsExpected: false,
      maxAnnotations: 10,
    });
  });

  it('resolves files and flags', () => {
    const o = actionOptionsFromInputs(
      inputs({
        mode: 'comment',
        comment: 'on-failure',
        'report-file': 'report/mg.json',
        'sarif-file': 'mg.sarif',
        'config-file': 'ci/guard.yml',
        'allow-untrusted': 'true',
        'fail-on': 'never',
      }),
      env(),
      config,
    );
    expect(o).toMatchObject({
      mode: 'comment',
      comment: 'on-failure',
      reportFile: '/ws/report/mg.json',
      sarifFile: '/ws/mg.sarif',
      configFile: '/ws/backend/ci/guard.yml',
      configFileRequired: true,
      allowUntrusted: true,
      failOnExplicit: true,
    });
  });

  it.each([
    [{ mode: 'deploy' }, 'input mode must be check, discover or comment'],
    [{ comment: 'sometimes' }, 'input comment must be one of always, on-failure, never'],
    [{ mode: 'comment' }, 'mode: comment needs report-file'],
  ])('rejects %j', (values, expected) => {
    expect(usageMessage(() => actionOptionsFromInputs(inputs(values), env(), config))).toContain(expected);
  });
});

describe('splitList', () => {
  it.each([
    ['', []],
    ['a.ini', ['a.ini']],
    ['a.ini, b.ini', ['a.ini', 'b.ini']],
    ['a.ini\n\n  b.ini  \n', ['a.ini', 'b.ini']],
  ])('%j → %j', (value, expected) => {
    expect(splitList(value)).toEqual(expected);
  });
});

describe('pull_request_target from a fork', () => {
  const target = (headRepo: string | null) =>
    readEvent({
      GITHUB_EVENT_NAME: 'pull_request_target',
      GITHUB_EVENT_PATH: eventFile('prt', prPayload(headRepo)),
    });

  it.each([['evil/shop'], [null]])('refuses head repo %s and explains why', (headRepo) => {
    const message = usageMessage(() => assertSafeToRunPullRequestCode(target(headRepo), false));
    expect(message).toContain('refusing to check pull request #12 from the fork');
    expect(message).toContain('migrations are code from the PR');
    expect(message).toContain('allow-untrusted: true');
  });

  it('allows it with allow-untrusted, and same-repo PRs always', () => {
    expect(() => assertSafeToRunPullRequestCode(target('evil/shop'), true)).not.toThrow();
    expect(() => assertSafeToRunPullRequestCode(target('acme/shop'), false)).not.toThrow();
  });

  it('does not apply to pull_request (read-only token, no secrets)', () => {
    const event = readEvent({
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: eventFile('pr2', prPayload('evil/shop')),
    });
    expect(() => assertSafeToRunPullRequestCode(event, false)).not.toThrow();
  });
});

describe('workflowRunOf', () => {
  it('reads head sha, listed PRs and the run URL', () => {
    const event = readEvent({
      GITHUB_EVENT_NAME: 'workflow_run',
      GITHUB_EVENT_PATH: eventFile('wr', {
        workflow_run: {
          head_sha: 'abc',
          pull_requests: [{ number: 4 }],
          html_url: 'https://x/run/1',
          event: 'pull_request',
        },
      }),
    });
    expect(workflowRunOf(event)).toEqual({
      headSha: 'abc',
      pullRequests: [4],
      htmlUrl: 'https://x/run/1',
      event: 'pull_request',
    });
  });
});
