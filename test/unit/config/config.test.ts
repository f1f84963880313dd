import { describe, expect, it } from 'vitest';
import {
  applyFileConfig,
  defaultConfig,
  parseDurationMs,
  parseFileConfig,
  splitCommand,
} from '../../../src/config.js';
import { MigrationGuardError } from '../../../src/errors.js';

const known = ['require-concurrent-index', 'drop-table', 'missing-docstring'];

function expectUsageError(fn: () => unknown, pattern: RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(MigrationGuardError);
    expect((e as MigrationGuardError).exitCode).toBe(2);
    expect((e as Error).message).toMatch(pattern);
    expect((e as Error).message).not.toContain('\n');
    return;
  }
  throw new Error('expected a usage error');
}

describe('parseFileConfig', () => {
  it('reads every supported key', () => {
    const cfg = parseFileConfig(
      [
        'fail-on: warning',
        'rules:',
        '  drop-table: off',
        '  missing-docstring: error',
        'ignore:',
        '  - rule: require-concurrent-index',
        '    revision: a1b2',
        '    reason: table has 40 rows',
        'naming: "^[a-z_]+$"',
        'postgres-version: 15',
        'lock-timeout: 5s',
      ].join('\n'),
      '.migration-guard.yml',
      known,
    );
    expect(cfg).toEqual({
      failOn: 'warning',
      rules: { 'drop-table': 'off', 'missing-docstring': 'error' },
      ignore: [{ rule: 'require-concurrent-index', revision: 'a1b2', reason: 'table has 40 rows' }],
      naming: '^[a-z_]+$',
      postgresVersion: 15,
      lockTimeout: { maxMs: 5000 },
    });
  });

  it('accepts an empty file', () => {
    expect(parseFileConfig('', 'f.yml', known)).toEqual({ rules: {}, ignore: [] });
  });

  it.each([
    ['rules:\n  no-such-rule: error', /rules\.no-such-rule: unknown rule/],
    ['rules:\n  drop-table: fatal', /rules\.drop-table: must be off, warning or error/],
    ['fail-on: sometimes', /fail-on must be one of/],
    ['colour: blue', /unknown key "colour"/],
    ['ignore:\n  - rule: drop-table', /ignore\[0\]\.reason: a reason is required/],
    ['ignore:\n  - rule: nope\n    reason: x', /ignore\[0\]\.rule: unknown rule/],
    ['postgres-version: banana', /postgres-version must be a major version/],
    ['naming: "("', /naming: not a valid regular expression/],
    ['rules: [', /not valid YAML/],
    ['- a\n- b', /expected a mapping/],
  ])('rejects %j with one clear line', (text, pattern) => {
    expectUsageError(() => parseFileConfig(text, '.migration-guard.yml', known), pattern);
  });
});

describe('applyFileConfig', () => {
  it('lets explicit flags win over the file', () => {
    const base = {
      ...defaultConfig('/tmp'),
      failOn: 'never' as const,
      rules: { 'drop-table': 'error' as const },
    };
    const merged = applyFileConfig(
      base,
      { failOn: 'warning', rules: { 'drop-table': 'off' }, ignore: [] },
      true,
    );
    expect(merged.failOn).toBe('never');
    expect(merged.rules['drop-table']).toBe('error');
    const fromFile = applyFileConfig(
      defaultConfig('/tmp'),
      { failOn: 'warning', rules: {}, ignore: [] },
      false,
    );
    expect(fromFile.failOn).toBe('warning');
  });
});

describe('splitCommand / parseDurationMs', () => {
  it.each([
    ['python', ['python']],
    ['uv run python', ['uv', 'run', 'python']],
    ['"/opt/my python/bin/python" -X dev', ['/opt/my python/bin/python', '-X', 'dev']],
  ])('splits %j', (cmd, argv) => {
    expect(splitCommand(cmd)).toEqual(argv);
  });
  it.each([
    ['5s', 5000],
    ['500ms', 500],
    ['2min', 120000],
    ['250', 250],
    ['soon', null],
  ])('parses %j', (v, ms) => {
    expect(parseDurationMs(v)).toBe(ms);
  });
});
