/**
 * The populated-database options reach the Config the same way from the CLI, the action
 * inputs and .migration-guard.yml; bad values are one line with exit code 2.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseCheckArgs } from '../../../src/cli.js';
import { DEFAULT_MAX_LOCK_MS, DEFAULT_SEED_ROWS } from '../../../src/config.js';
import { MigrationGuardError } from '../../../src/errors.js';
import { configFromInputs } from '../../../src/github/inputs.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mg-seed-options-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function usageMessage(fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(MigrationGuardError);
    expect((e as MigrationGuardError).exitCode).toBe(2);
    return (e as Error).message;
  }
  throw new Error('expected a usage error');
}

describe('seed and lock-estimate options', () => {
  it('defaults: a few hundred rows, seed 1, no user SQL, no table stats, 2000 ms', async () => {
    const c = await parseCheckArgs(['--project', dir, '--no-database']);
    expect(DEFAULT_SEED_ROWS).toBeGreaterThanOrEqual(100);
    expect(c).toMatchObject({
      seedRows: DEFAULT_SEED_ROWS,
      seedRandom: 1,
      seedSql: null,
      tableStats: null,
      maxLockMs: DEFAULT_MAX_LOCK_MS,
    });
    expect(DEFAULT_MAX_LOCK_MS).toBe(2000);
  });

  it('CLI flags', async () => {
    const c = await parseCheckArgs([
      '--project',
      dir,
      '--no-database',
      '--seed-rows',
      '0',
      '--seed-random',
      '42',
      '--seed-sql',
      'sample.sql',
      '--table-stats',
      'stats.json',
      '--max-lock-ms',
      '5s',
    ]);
    expect(c).toMatchObject({
      seedRows: 0,
      seedRandom: 42,
      seedSql: path.resolve('sample.sql'),
      tableStats: path.resolve('stats.json'),
      maxLockMs: 5000,
    });
  });

  it.each([
    [['--seed-rows=-1'], '--seed-rows must be a whole number'],
    [['--seed-rows', 'many'], '--seed-rows must be a whole number'],
    [['--seed-random', '1.5'], '--seed-random must be a whole number'],
    [['--max-lock-ms', 'soon'], '--max-lock-ms'],
  ])('rejects %j with one line', async (flags, expected) => {
    const message = await usageMessage(() => parseCheckArgs(['--project', dir, '--no-database', ...flags]));
    expect(message).toContain(expected);
    expect(message).not.toContain('\n');
  });

  it('max-lock-ms from .migration-guard.yml, the flag wins', async () => {
    writeFileSync(path.join(dir, '.migration-guard.yml'), 'max-lock-ms: 10s\n');
    try {
      expect((await parseCheckArgs(['--project', dir, '--no-database'])).maxLockMs).toBe(10_000);
      expect(
        (await parseCheckArgs(['--project', dir, '--no-database', '--max-lock-ms', '300'])).maxLockMs,
      ).toBe(300);
    } finally {
      rmSync(path.join(dir, '.migration-guard.yml'));
    }
  });

  it('action inputs, resolved against working-directory', () => {
    const values: Record<string, string> = {
      'working-directory': 'backend',
      'seed-rows': '50',
      'seed-random': '9',
      'seed-sql': 'db/sample.sql',
      'table-stats': 'db/stats.json',
      'max-lock-ms': '750',
    };
    const c = configFromInputs((n) => values[n] ?? '', {
      GITHUB_WORKSPACE: '/ws',
      GITHUB_EVENT_NAME: 'push',
    });
    expect(c).toMatchObject({
      seedRows: 50,
      seedRandom: 9,
      seedSql: '/ws/backend/db/sample.sql',
      tableStats: '/ws/backend/db/stats.json',
      maxLockMs: 750,
    });
    expect(() =>
      configFromInputs((n) => (n === 'seed-rows' ? 'lots' : ''), {
        GITHUB_WORKSPACE: '/ws',
        GITHUB_EVENT_NAME: 'push',
      }),
    ).toThrow(/input seed-rows must be a whole number/);
  });

  it('action.yml declares every input with the CLI default', () => {
    const action = parseYaml(readFileSync(path.resolve('action.yml'), 'utf8')) as {
      inputs: Record<string, { default?: string }>;
    };
    expect(action.inputs['seed-rows']?.default).toBe(String(DEFAULT_SEED_ROWS));
    expect(action.inputs['seed-random']?.default).toBe('1');
    for (const name of ['seed-sql', 'table-stats', 'max-lock-ms']) expect(action.inputs[name]).toBeDefined();
  });
});
