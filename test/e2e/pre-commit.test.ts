/**
 * The pre-commit hook (.pre-commit-hooks.yaml) run by the real pre-commit on the example shop
 * repository: `pre-commit try-repo` as the README suggests for a first look, then a
 * .pre-commit-config.yaml pointing at this repository for what a team commits: the default
 * static check runs only when a staged file is under a versions/ folder, and the args the
 * README gives for the full round trip check on an embedded local PostgreSQL.
 *
 * pre-commit builds the hook's node environment itself (npm install in a clone of this
 * repository, npm pack, npm install -g of the tarball), once per repository and revision: that
 * install is most of this file's time.
 */
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = path.resolve(import.meta.dirname, '..', '..');
const PYTHON = '/usr/bin/python3';
const preCommitPresent = spawnSync('pre-commit', ['--version'], { stdio: 'ignore' }).status === 0;
if (!preCommitPresent && process.env.CI)
  throw new Error('pre-commit is required in CI (scripts/setup-test-env.sh installs it)');
if (!preCommitPresent) console.warn('skipping pre-commit tests: pre-commit is not installed');

interface HookDefinition {
  id: string;
  entry: string;
  args?: string[];
  language: string;
  files: string;
  pass_filenames?: boolean;
}

const hooks = parse(readFileSync(path.join(root, '.pre-commit-hooks.yaml'), 'utf8')) as HookDefinition[];

interface Run {
  code: number | null;
  out: string;
}

let work: string;
let shop: string;
let env: NodeJS.ProcessEnv;

/** A command in the shop repository; stdout and stderr together, as pre-commit prints them. */
function run(cmd: string, args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: shop, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

async function git(...args: string[]): Promise<void> {
  const r = await run('git', args);
  expect(r.code, r.out).toBe(0);
}

/** A .pre-commit-config.yaml (outside the repository) using this repository's hook at HEAD. */
function configWith(name: string, hook: Record<string, unknown>): string {
  const rev = spawnSync('git', ['-C', root, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
  const file = path.join(work, name);
  writeFileSync(file, JSON.stringify({ repos: [{ repo: root, rev, hooks: [hook] }] }, null, 2));
  return file;
}

describe('.pre-commit-hooks.yaml', () => {
  it('defines the migration-guard hook: node, static check, revision files only', () => {
    const hook = hooks.find((h) => h.id === 'migration-guard');
    expect(hook).toBeDefined();
    expect(hook!.language).toBe('node');
    expect(hook!.entry).toBe('migration-guard');
    expect(hook!.args).toEqual(['check', '--no-database']);
    expect(hook!.pass_filenames).toBe(false);
    // The same regex in Python (pre-commit) and JavaScript for these plain constructs.
    const files = new RegExp(hook!.files);
    for (const f of [
      'migrations/versions/a1_create_users.py',
      'alembic/versions/2024/b2_add_index.py',
      'services/billing/db/versions/c3.py',
      'versions/d4.py',
    ]) {
      expect(files.test(f), f).toBe(true);
    }
    for (const f of [
      'src/versions.py',
      'migrations/env.py',
      'myversions/a.py',
      'migrations/versions/README',
    ]) {
      expect(files.test(f), f).toBe(false);
    }
  });

  it("is the hook the README's pre-commit section describes", () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### pre-commit'), readme.indexOf('## Using the action'));
    const hook = hooks.find((h) => h.id === 'migration-guard')!;
    expect(section).toContain(`(\`files: ${hook.files}\`)`);
    expect(section).toContain(`\`[${hook.args!.join(', ')}]\``);
    expect(section).toContain(`\`language: ${hook.language}\``);
    expect(section).toContain('`pass_filenames: false`');
  });
});

describe.skipIf(!preCommitPresent)('pre-commit runs the hook', () => {
  let defaultConfig: string;
  let roundTripConfig: string;
  /** Installs the environment of the committed configs while try-repo builds its own. */
  let configsInstalled: Promise<Run>;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'mg-pre-commit-'));
    shop = path.join(work, 'shop');
    const built = spawnSync('bash', [path.join(root, 'examples', 'build-repo.sh'), shop], {
      encoding: 'utf8',
    });
    expect(built.status, built.stderr).toBe(0);
    env = {
      ...process.env,
      // The node running the tests (≥ engines) is the "system" node pre-commit's node hooks use.
      PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
      PRE_COMMIT_HOME: path.join(work, 'pre-commit-home'),
      PRE_COMMIT_COLOR: 'never',
      NO_COLOR: '1',
      npm_config_prefer_offline: 'true',
      npm_config_update_notifier: 'false',
    };
    defaultConfig = configWith('default.yaml', { id: 'migration-guard' });
    roundTripConfig = configWith('round-trip.yaml', {
      id: 'migration-guard',
      args: ['check', '--base', 'main', '--local-postgres', '--python', PYTHON],
    });
    await git('checkout', '-q', 'unsafe-pr');
    configsInstalled = run('pre-commit', ['install-hooks', '-c', defaultConfig]);
  });

  afterAll(async () => {
    await configsInstalled?.catch(() => undefined);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('pre-commit try-repo runs the static check on every file and fails the unsafe branch', async () => {
    const r = await run('pre-commit', ['try-repo', root, 'migration-guard', '--all-files']);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toMatch(/^migration-guard\.+Failed$/m);
    expect(r.out).toContain('- exit code: 1');
    expect(r.out).toContain('static checks only: no database was used');
    expect(r.out).toContain('error empty-downgrade: revision e5f4a6b8c9d0');
    expect(r.out).toContain('warning missing-docstring: revision e5f4a6b8c9d0');
  }, 240_000);

  it('passes the safe branch', async () => {
    const installed = await configsInstalled;
    expect(installed.code, installed.out).toBe(0);
    await git('checkout', '-q', 'safe-pr');
    const r = await run('pre-commit', ['run', '-c', defaultConfig, '--all-files']);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/^migration-guard\.+Passed$/m);
  }, 240_000);

  it('is skipped when no staged file is a revision file, and runs when one is', async () => {
    await git('checkout', '-q', 'unsafe-pr');
    writeFileSync(path.join(shop, 'NOTES.txt'), 'not a migration\n');
    await git('add', 'NOTES.txt');
    const skipped = await run('pre-commit', ['run', '-c', defaultConfig]);
    expect(skipped.code, skipped.out).toBe(0);
    expect(skipped.out).toMatch(/^migration-guard\.+\(no files to check\)Skipped$/m);

    appendFileSync(path.join(shop, 'migrations', 'versions', 'e5f4a6b8c9d0_backfill_users_email.py'), '\n');
    await git('add', 'migrations/versions/e5f4a6b8c9d0_backfill_users_email.py');
    const ran = await run('pre-commit', ['run', '-c', defaultConfig]);
    expect(ran.code, ran.out).toBe(1);
    expect(ran.out).toMatch(/^migration-guard\.+Failed$/m);
    expect(ran.out).toContain('error empty-downgrade: revision e5f4a6b8c9d0');
    await git('reset', '-q', '--hard');
  }, 120_000);

  it('the full round trip args check the unsafe branch on a throwaway PostgreSQL', async () => {
    await git('checkout', '-q', 'unsafe-pr');
    const r = await run('pre-commit', ['run', '-c', roundTripConfig, '--all-files']);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toMatch(/^migration-guard\.+Failed$/m);
    expect(r.out).not.toContain('static checks only');
    // Found only by running the revisions: the index the downgrade leaves, the lock the SQL took.
    expect(r.out).toContain('downgrade-leaves-trace');
    expect(r.out).toContain('require-concurrent-index');
  }, 240_000);
});
