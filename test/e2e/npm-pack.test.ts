/**
 * The npm package as a user gets it: `npm pack` of this repository, the tarball installed into
 * an empty folder, and `npx migration-guard` run from there on fixture projects in temporary git
 * repositories. The bundle in dist/ carries every dependency, so the tarball declares none and
 * the install needs nothing but the tarball. dist/ is the committed build (test/unit/dist.test.ts
 * checks that it equals a fresh one); packing it here keeps dist/ untouched for the other tests.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import type { CliRun } from '../helpers/cli-run.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  private?: boolean;
  engines: { node: string };
  repository: { url: string };
  bin: Record<string, string>;
  dependencies?: Record<string, string>;
};
const repositoryWebUrl = pkg.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');

/** The node running the tests (≥ engines) first on PATH, so npm, npx and the bin's shebang use it. */
const env: NodeJS.ProcessEnv = {
  ...process.env,
  PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
  NO_COLOR: '1',
  npm_config_update_notifier: 'false',
};

type Run = CliRun;

function run(cmd: string, args: string[], cwd: string): Run {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `npx migration-guard …` in the install folder; --no-install: never fetch a package by that name. */
function npx(args: string[], cwd = app): Run {
  return run('npx', ['--no-install', '--prefix', app, 'migration-guard', ...args], cwd);
}

/** A fixture project copied into a new git repository with one commit. */
function gitRepoOf(fixture: string): string {
  const dir = path.join(work, fixture);
  cpSync(path.join(root, 'test', 'fixtures', 'projects', fixture), dir, { recursive: true });
  for (const args of [
    ['init', '-q', '-b', 'main'],
    ['add', '-A'],
    ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-qm', fixture],
  ]) {
    const r = run('git', args, dir);
    expect(r.code, r.stderr).toBe(0);
  }
  return dir;
}

let work: string;
let app: string;
let tarball: string;
let packedFiles: string[];
const timings: Record<string, number> = {};

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'mg-npm-pack-'));
  app = path.join(work, 'app');
  mkdirSync(app);

  let t = Date.now();
  const packed = run('npm', ['pack', '--json', '--pack-destination', work], root);
  timings.pack = Date.now() - t;
  expect(packed.code, packed.stderr).toBe(0);
  const [info] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = path.join(work, info!.filename);
  packedFiles = info!.files.map((f) => f.path);

  t = Date.now();
  const installed = run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], app);
  timings.install = Date.now() - t;
  expect(installed.code, installed.stderr).toBe(0);
});

afterAll(() => {
  console.log(`npm pack ${timings.pack} ms, npm install of the tarball ${timings.install} ms`);
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('npm package', () => {
  it('is publishable and declares what the CLI needs', () => {
    expect(pkg.private).toBeUndefined();
    expect(pkg.bin['migration-guard']).toBe('dist/cli.js');
    expect(pkg.engines.node).toMatch(/^>=\d+(\.\d+)?$/);
    // The bundle is self-contained: an install pulls nothing else.
    expect(pkg.dependencies).toBeUndefined();
    // The README's install section states the Node version engines asks for.
    const floor = pkg.engines.node.replace('>=', '');
    expect(readFileSync(path.join(root, 'README.md'), 'utf8')).toContain(`**Node.js ${floor} or later**`);
  });

  it('ships the bundle, wasm, driver, rule docs, README and LICENSE, and no tests or sources', () => {
    const files = new Set(packedFiles);
    for (const f of [
      'package.json',
      'README.md',
      'LICENSE',
      'CHANGELOG.md',
      'action.yml',
      'dist/cli.js',
      'dist/index.js',
      'dist/migration-guard.js',
      'dist/package.json',
      'dist/libpg-query.wasm',
      'dist/driver.py',
      'dist/capture_metadata.py',
      'dist/resolve_revisions.py',
    ]) {
      expect(files, f).toContain(f);
    }
    const docs = readdirSync(path.join(root, 'rules')).filter((f) => f.endsWith('.md'));
    expect(docs.length).toBeGreaterThan(30);
    for (const doc of docs) expect(files, doc).toContain(`dist/rules/${doc}`);
    const unwanted = packedFiles.filter((f) =>
      /^(test|src|bench|examples|scripts|docs|rules|node_modules|\.tools|\.ci)\/|\.test\.|\.ts$/.test(f),
    );
    expect(unwanted).toEqual([]);
  });

  it('installs into an empty folder without other packages', () => {
    const installed = readdirSync(path.join(app, 'node_modules')).filter((n) => !n.startsWith('.'));
    expect(installed).toEqual(['migration-guard']);
    const license = readFileSync(path.join(app, 'node_modules', 'migration-guard', 'LICENSE'), 'utf8');
    expect(license).toMatch(/^MIT License\n\nCopyright \(c\) 2026 migration-guard contributors\n/);
  });

  it('npx migration-guard --version prints the package version', () => {
    const r = npx(['--version']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${pkg.version}\n`);
  });

  it('npx migration-guard explain prints the rule doc shipped in the package', () => {
    const r = npx(['explain', 'require-concurrent-index']);
    expect(r.code, r.stderr).toBe(0);
    const shipped = readFileSync(
      path.join(app, 'node_modules', 'migration-guard', 'dist', 'rules', 'require-concurrent-index.md'),
      'utf8',
    );
    expect(r.stdout).toBe(shipped);
    expect(r.stdout).toMatch(/^# require-concurrent-index/);
  });

  it('check --no-database passes a linear history (exit 0)', () => {
    const repo = gitRepoOf('linear');
    const r = npx(['check', '--no-database'], repo);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('static checks only');
    expect(r.stdout).toMatch(/PASSED: 3 revision\(s\) checked/);
  });

  it('check --no-database blocks two heads (exit 1) and links the rule doc of this version', () => {
    const repo = gitRepoOf('two-heads');
    const r = npx(['check', '--no-database', '--format', 'json', '--quiet'], repo);
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.tool).toEqual({ name: 'migration-guard', version: pkg.version });
    expect(report.projects[0]?.mode).toBe('static');
    const heads = report.projects[0]?.findings.find((f) => f.rule === 'multiple-heads');
    expect(heads?.severity).toBe('error');
    expect(heads?.docsUrl).toBe(`${repositoryWebUrl}/blob/v${pkg.version}/rules/multiple-heads.md`);
  });

  it('a mistyped flag is one line and exit 2', () => {
    const r = npx(['check', '--no-database', '--fial-on', 'warning'], app);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('did you mean --fail-on?');
  });
});
